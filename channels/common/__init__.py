"""What the chat bridges (channels/telegram, channels/zalo) share:

  rate_limit    the flood limit per citizen
  split         cutting long answers into messages at paragraph, line, sentence or word ends
  config        ConfigError and positive numbers from the environment

Wording (texts.py), rendering, each platform's API and the Rasa client stay in the channel's
own package (the Telegram bridge keeps requests in a thread pool: see its rasa_client.py).
"""
