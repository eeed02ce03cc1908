"""Zalo's webhook signature, and the freshness check that stops replays.

Zalo sends `X-ZEvent-Signature: mac=<hex sha256(app_id + raw body + timestamp + OA secret key)>`,
with `timestamp` (milliseconds) taken from the JSON body itself. It is a plain hash over a
string that ends with the secret, not an HMAC; we compute it exactly as Zalo does and compare
in constant time. The body must be the raw bytes received: re-serialised JSON would differ.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Callable, Optional

HEADER = "X-ZEvent-Signature"
PREFIX = "mac="


def sign(app_id: str, raw_body: bytes, timestamp: str, oa_secret_key: str) -> str:
    """The header value Zalo would send for this body (also used by the tests' stand-in)."""
    signed = app_id.encode("utf-8") + raw_body + timestamp.encode("utf-8")
    return PREFIX + hashlib.sha256(signed + oa_secret_key.encode("utf-8")).hexdigest()


def valid_signature(header: Optional[str], app_id: str, raw_body: bytes, timestamp: str,
                    oa_secret_key: str) -> bool:
    """True when the header matches; missing headers and missing timestamps never match."""
    if not header or not timestamp:
        return False
    expected = sign(app_id, raw_body, timestamp, oa_secret_key)
    return hmac.compare_digest(header.strip().encode("utf-8"), expected.encode("utf-8"))


def is_fresh(timestamp: str, window: float, clock: Callable[[], float] = time.time) -> bool:
    """An event older (or further in the future) than `window` seconds is a replay.

    Zalo's timestamps are milliseconds; a value that small is read as seconds so a
    change of unit on Zalo's side does not silently reject every event."""
    try:
        value = float(timestamp)
    except (TypeError, ValueError):
        return False
    seconds = value / 1000.0 if value > 1e11 else value
    return abs(clock() - seconds) <= window
