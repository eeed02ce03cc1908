"""What the chat bridges (channels/telegram, channels/zalo) share:

  rasa_client   the client of Rasa's REST channel (docs/CONTRACT.md), one retry policy
  rate_limit    the flood limit per citizen
  split         cutting long answers into messages at paragraph, line, sentence or word ends
  config        ConfigError and positive numbers from the environment

Wording (texts.py), rendering and each platform's API stay in the channel's own package.
"""
