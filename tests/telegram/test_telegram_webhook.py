"""Webhook mode: Telegram POSTs updates to our aiohttp endpoint behind the reverse proxy."""

from __future__ import annotations

import asyncio

import pytest
import requests

from bridge_support import bridge_settings
from channels.telegram.app import SECRET_HEADER, build_application, serve_webhook
from scripts.stack import free_port
from testsupport.telegram_api import message_update

pytestmark = pytest.mark.asyncio


async def post(url: str, body: dict, secret: str) -> int:
    reply = await asyncio.to_thread(requests.post, url, json=body,
                                    headers={SECRET_HEADER: secret}, timeout=5)
    return reply.status_code


async def test_webhook_mode_receives_updates_and_checks_the_secret(telegram_api, fake_rasa):
    port = free_port()
    settings = bridge_settings(
        telegram_api, fake_rasa.url, mode="webhook", webhook_url="https://thutuc.example.vn/tg/hook",
        webhook_port=port, webhook_secret="s3cret")
    stop = asyncio.Event()
    server = asyncio.create_task(serve_webhook(build_application(settings), settings, stop))
    [registered] = await telegram_api.wait_calls("setWebhook")
    assert registered.params["url"] == "https://thutuc.example.vn/tg/hook"
    assert registered.params["secret_token"] == "s3cret"
    url = f"http://127.0.0.1:{port}/tg/hook"
    update = {"update_id": 1, **message_update(telegram_api, 55, "xin chào")}
    try:
        assert await post(url, update, "wrong") == 403
        assert await post(url, update, "s3cret") == 200
        [sent] = await telegram_api.wait_calls("sendMessage", 55)
        assert "xin chào" in sent.params["text"]
        assert len(fake_rasa.calls) == 1
    finally:
        stop.set()
        await asyncio.wait_for(server, 10)
