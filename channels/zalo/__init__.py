"""Zalo Official Account bridge: answers citizens' Zalo messages through Rasa's REST channel.

Run with `python -m channels.zalo`; see README.md for the OA set-up and the settings."""
