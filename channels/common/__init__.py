"""What the chat bridges (channels/telegram, channels/zalo) share: the client of Rasa's REST
channel (docs/CONTRACT.md)."""
