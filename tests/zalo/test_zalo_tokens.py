"""The OA token pair: refreshed before expiry and on Zalo's "invalid token", persisted before
use, the single-use refresh token never presented twice, also across restarts."""

from __future__ import annotations

import asyncio
import json
import logging
import stat
import time

import pytest

from channels.zalo.app import running
from testsupport.zalo_api import FIRST_ACCESS, FIRST_REFRESH, post_event, text_event
from testsupport.zalo_bridge import restarted, webhook_url

pytestmark = pytest.mark.asyncio
USER = "7300112233445566778"


def token_file(settings) -> dict:
    return json.loads(settings.token_file.read_text())


async def ask(settings, zalo_api, count: int) -> None:
    await post_event(webhook_url(settings), text_event(USER, f"câu {count}"))
    await zalo_api.wait_sent(USER, count)


async def test_first_start_seeds_the_token_file_private(bridge, settings):
    stored = token_file(settings)
    assert (stored["access_token"], stored["refresh_token"]) == (FIRST_ACCESS, FIRST_REFRESH)
    assert stat.S_IMODE(settings.token_file.stat().st_mode) == 0o600


async def test_expired_token_refreshed_persisted_and_never_reused(settings, zalo_api, fake_rasa):
    async with restarted(settings) as (first, _):
        await ask(first, zalo_api, 1)
        zalo_api.expire_access_tokens()  # Zalo answers -216 from now on
        await ask(first, zalo_api, 2)  # delivered after one refresh
        assert zalo_api.refreshes == [FIRST_REFRESH]
        stored = token_file(settings)
        assert stored["refresh_token"] != FIRST_REFRESH
        assert stored["access_token"] in zalo_api.valid_access
    # After a restart the file wins over ZALO_ACCESS_TOKEN / ZALO_REFRESH_TOKEN (both dead).
    async with restarted(settings) as (second, _):
        zalo_api.expire_access_tokens()
        await ask(second, zalo_api, 3)
    assert zalo_api.refreshes == [FIRST_REFRESH, stored["refresh_token"]]
    assert zalo_api.rejected == []  # no refresh token was ever presented twice
    assert len(zalo_api.sent_to(USER)) == 3


async def test_token_refreshed_before_expiry(settings, zalo_api, fake_rasa):
    settings.token_file.parent.mkdir(parents=True)
    settings.token_file.write_text(json.dumps({"access_token": FIRST_ACCESS,
                                               "refresh_token": FIRST_REFRESH,
                                               "expires_at": time.time() + 60}))
    async with running(settings):
        await ask(settings, zalo_api, 1)
    assert zalo_api.refreshes == [FIRST_REFRESH]  # refreshed ahead of the 10-minute margin
    assert token_file(settings)["expires_at"] > time.time() + 24 * 3600


async def test_refused_refresh_token_says_a_person_must_reauthorise(settings, zalo_api, fake_rasa,
                                                                    caplog):
    zalo_api.valid_refresh.clear()  # e.g. revoked, or lost by an earlier careless deployment
    async with running(settings):
        zalo_api.expire_access_tokens()
        await post_event(webhook_url(settings), text_event(USER, "câu hỏi"))
        for _ in range(100):
            if zalo_api.rejected:
                break
            await asyncio.sleep(0.05)
    assert zalo_api.sent_to(USER) == []
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert any("re-authorised" in message for message in errors)
    assert not any(FIRST_REFRESH in message for message in errors)
