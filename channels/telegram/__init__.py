"""Telegram bridge: forwards citizens' Telegram messages to Rasa's REST channel.

Run with `python -m channels.telegram`; see README.md for the settings."""
