"""A rate limit on the console's one unauthenticated path, `GET /citizen/replies/{sender}`.

The path is unguessable (the sender id is random and only its keyed hash is stored), but a
script could still poll it as fast as it likes, each call costing an HMAC and a SQLite
transaction. One token bucket per client address bounds that: `STAFF_CITIZEN_BURST` calls
at once (default 30), refilled at `STAFF_CITIZEN_RATE` per second (default 1). The widget
polls every 20 s, so one address serves some twenty open widgets (an office behind one NAT)
before anyone waits; a refused call gets 429 with `Retry-After`, and the widget just tries
again on its next round.

Behind a reverse proxy every call comes from the proxy's address: list it in
`STAFF_TRUSTED_PROXIES` (space-separated) and the address the proxy appended last to
`X-Forwarded-For` is used instead. The header is ignored from anyone else, so a client
cannot pick a fresh bucket per call by forging it.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Callable, Tuple

if TYPE_CHECKING:  # plain standard library at run time: unit-tested from the assistant's venv
    from fastapi import Request


class TokenBuckets:
    """Per-key token buckets, at most `keys` of them (the least recently used go first:
    a bucket unused for `burst / rate` seconds is full again anyway)."""

    def __init__(self, rate: float, burst: float, keys: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.burst, self.keys, self._clock = rate, burst, keys, clock
        self._buckets: "OrderedDict[str, Tuple[float, float]]" = OrderedDict()
        self._lock = threading.Lock()  # FastAPI runs plain endpoints in a thread pool

    def wait(self, key: str) -> float:
        """Take one token: 0 when allowed, else the seconds until one is there."""
        with self._lock:
            now = self._clock()
            tokens, updated = self._buckets.pop(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - updated) * self.rate)
            allowed = tokens >= 1
            self._buckets[key] = (tokens - 1 if allowed else tokens, now)
            while len(self._buckets) > self.keys:
                self._buckets.popitem(last=False)
            return 0.0 if allowed else (1 - tokens) / self.rate


def _positive(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, "") or default)
    except ValueError:
        return default
    return value if value > 0 else default


def from_env() -> "CitizenLimit":
    return CitizenLimit(TokenBuckets(_positive("STAFF_CITIZEN_RATE", 1.0),
                                     _positive("STAFF_CITIZEN_BURST", 30.0)),
                        set(os.environ.get("STAFF_TRUSTED_PROXIES", "").split()))


class CitizenLimit:
    def __init__(self, buckets: TokenBuckets, trusted_proxies: set) -> None:
        self.buckets, self.trusted = buckets, trusted_proxies

    def client(self, request: Request) -> str:
        peer = request.client.host if request.client else "?"
        if peer in self.trusted:
            forwarded = [a.strip() for a in request.headers.get("x-forwarded-for", "").split(",")]
            if forwarded and forwarded[-1]:
                return forwarded[-1]
        return peer

    def retry_after(self, request: Request) -> int:
        """0 when this call may go on, else whole seconds to put in Retry-After."""
        wait = self.buckets.wait(self.client(request))
        return math.ceil(wait) if wait > 0 else 0
