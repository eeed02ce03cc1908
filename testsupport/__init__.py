"""Stand-ins and harnesses shared by the tests and the benchmarks.

An installed package (pyproject.toml), so tests/ and bench/ import it by name instead of
putting test folders on sys.path:

  fake_rasa       the one fake of Rasa's REST channel (docs/CONTRACT.md)
  telegram_api    the loopback Telegram Bot API stand-in and its update builders
  zalo_api        the loopback Zalo OA API / OAuth stand-in and signed webhook events
  zalo_bridge     settings and restarts of the real Zalo bridge aimed at that stand-in

None of it is used in production: the end-to-end tests run the real Rasa server.
"""
