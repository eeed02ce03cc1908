"""The OA's token pair: where it lives, when it is refreshed, and what happens when it cannot be.

Zalo's OA access token lives about 25 hours; the refresh token lives about three months but
is **single-use**: each refresh returns a new pair and kills the old refresh token. So:

- the pair lives in a file (`ZALO_TOKEN_FILE`), seeded from `ZALO_ACCESS_TOKEN` /
  `ZALO_REFRESH_TOKEN` only while that file does not exist; afterwards the file always holds
  the newest pair and wins over the environment (which still holds the first, dead one);
- a new pair is written to disk (atomically, see files.py) *before* it is used, so a crash
  right after a refresh cannot lose the only valid refresh token;
- one refresh at a time (a lock), and a caller that saw an old token being rejected does not
  refresh again when another caller already did;
- when Zalo rejects the refresh token, only a human can help: the log says so plainly.
Tokens never appear in logs or exception texts.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Optional

import httpx

from .files import read_json, write_json

logger = logging.getLogger(__name__)

REFRESH_PATH = "/v4/oa/access_token"
REAUTHORISE = (
    "The Zalo OA must be re-authorised by a person: open the app on developers.zalo.me, "
    "grant the OA access again, and put the new pair in ZALO_ACCESS_TOKEN/ZALO_REFRESH_TOKEN "
    "after deleting %s (see channels/zalo/README.md)."
)


class ZaloError(Exception):
    """Zalo could not be reached, or answered with an error (`code` is Zalo's error number)."""

    def __init__(self, description: str, code: Optional[int] = None) -> None:
        super().__init__(description if code is None else f"{description} (Zalo error {code})")
        self.code = code


class ReauthorisationNeeded(ZaloError):
    """No usable refresh token: nothing will work until a person re-authorises the OA."""


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_at: Optional[float] = None  # epoch seconds; None = unknown (seeded from the env)


class TokenStore:
    """Reads and writes the pair in the token file; the environment only seeds it."""

    def __init__(self, path: Path, seed_access: str = "", seed_refresh: str = "") -> None:
        self.path, self._seed_access, self._seed_refresh = path, seed_access, seed_refresh

    def load(self) -> TokenPair:
        data = read_json(self.path)
        if isinstance(data, dict) and data.get("refresh_token"):
            return TokenPair(str(data.get("access_token") or ""), str(data["refresh_token"]),
                             data.get("expires_at"))
        if not (self._seed_access or self._seed_refresh):
            raise ReauthorisationNeeded(
                "no Zalo tokens: set ZALO_ACCESS_TOKEN and ZALO_REFRESH_TOKEN, "
                f"or provide {self.path}")
        pair = TokenPair(self._seed_access, self._seed_refresh)
        self.save(pair)
        logger.info("Zalo token file %s created from ZALO_ACCESS_TOKEN/ZALO_REFRESH_TOKEN; "
                    "from now on the file wins over those variables", self.path)
        return pair

    def save(self, pair: TokenPair) -> None:
        write_json(self.path, {**asdict(pair), "saved_at": time.time()})


class TokenManager:
    """Hands out a valid access token, refreshing it before expiry or when Zalo rejects it."""

    def __init__(self, store: TokenStore, http: httpx.AsyncClient, oauth_base: str, app_id: str,
                 app_secret: str, margin: float = 600.0,
                 clock: Callable[[], float] = time.time) -> None:
        self._store, self._http = store, http
        self._url = f"{oauth_base}{REFRESH_PATH}"
        self._app_id, self._app_secret = app_id, app_secret
        self._margin, self._clock = margin, clock
        self._pair = store.load()
        self._lock = asyncio.Lock()

    @property
    def expires_at(self) -> Optional[float]:
        return self._pair.expires_at

    async def access_token(self) -> str:
        """The current token, refreshed first when it expires within the margin (or is missing)."""
        pair = self._pair
        due = pair.expires_at is not None and self._clock() >= pair.expires_at - self._margin
        if due or not pair.access_token:
            return await self.refresh(pair.access_token)
        return pair.access_token

    async def refresh(self, rejected: str) -> str:
        """Get a new pair unless another caller already replaced the `rejected` token."""
        async with self._lock:
            if self._pair.access_token != rejected:
                return self._pair.access_token
            pair = await self._request_new_pair()
            self._store.save(pair)  # on disk before anything uses it
            self._pair = pair
            logger.info("Zalo access token refreshed; valid for %.0f h",
                        (pair.expires_at - self._clock()) / 3600)
            return pair.access_token

    async def _request_new_pair(self) -> TokenPair:
        try:
            reply = await self._http.post(
                self._url, headers={"secret_key": self._app_secret},
                data={"app_id": self._app_id, "grant_type": "refresh_token",
                      "refresh_token": self._pair.refresh_token})
            body = reply.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise ZaloError(f"token refresh failed: {type(exc).__name__}") from exc
        if not isinstance(body, dict):
            raise ZaloError("token refresh failed: unexpected answer")
        if not body.get("access_token") or not body.get("refresh_token"):
            code = to_int(body.get("error"))
            logger.error("Zalo refused to refresh the OA token (error %s: %s). " + REAUTHORISE,
                         code, body.get("error_name") or body.get("error_description") or "-",
                         self._store.path)
            raise ReauthorisationNeeded("Zalo refused the refresh token", code)
        lifetime = to_int(body.get("expires_in")) or 90000
        return TokenPair(str(body["access_token"]), str(body["refresh_token"]),
                         self._clock() + lifetime)


def to_int(value) -> Optional[int]:
    """Zalo sends numbers as strings in places ("expires_in": "90000")."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
