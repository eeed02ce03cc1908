"""The webhook server: verify Zalo's events, answer 200 at once, process them afterwards.

Zalo waits only a few seconds for the webhook's answer and delivers again when it gets none,
so the receiver never waits for Rasa: it checks the signature and the timestamp, hands the
event to the citizen's queue and answers. The bridge's clients and stores are created when
the server starts and closed (queues drained, seen events saved) when it stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
from typing import AsyncIterator, Optional

import httpx
from aiohttp import web

from channels.common.rate_limit import RateLimiter

from .config import WEBHOOK_PATH, Settings
from .handlers import Bridge
from .officer_replies import OfficerReplies
from .rasa_client import RasaClient
from .render import PayloadStore
from .signature import HEADER, is_fresh, valid_signature
from .state import SeenEvents
from .tokens import TokenManager, TokenStore, ZaloError
from .zalo_api import SendLimiter, ZaloClient

logger = logging.getLogger(__name__)

BRIDGE_KEY = web.AppKey("bridge", Bridge)
DRAIN_SECONDS = 10.0
REFRESH_CHECK_SECONDS = 300.0


def make_bridge(settings: Settings, http: httpx.AsyncClient) -> Bridge:
    """The bridge with its clients; `http` is the pooled client for Zalo's API and OAuth."""
    tokens = TokenManager(TokenStore(settings.token_file, settings.seed_access_token,
                                     settings.seed_refresh_token),
                          http, settings.oauth_base, settings.app_id, settings.app_secret,
                          margin=settings.refresh_margin)
    return Bridge(
        settings=settings,
        rasa=RasaClient(settings.rasa_url, settings.rasa_connect_timeout,
                        settings.rasa_read_timeout),
        zalo=ZaloClient(http, settings.api_base, tokens, SendLimiter(settings.send_rate)),
        payloads=PayloadStore(settings.state_dir / "buttons.json"),
        seen=SeenEvents(settings.state_dir / "seen-events.json"),
        rate=RateLimiter(settings.rate_limit_messages, settings.rate_limit_window),
        officer=OfficerReplies(settings.officer_reply_seconds),
    )


def parse_event(raw: bytes) -> Optional[dict]:
    try:
        event = json.loads(raw)
    except ValueError:
        return None
    return event if isinstance(event, dict) else None


async def receive(request: web.Request) -> web.Response:
    """POST /zalo/webhook: 401 unless signed by Zalo and fresh; 200 as soon as it is queued."""
    bridge = request.app[BRIDGE_KEY]
    settings = bridge.settings
    raw = await request.read()
    event = parse_event(raw)
    if event is None:
        return web.Response(status=400)
    timestamp = str(event.get("timestamp") or "")
    if not valid_signature(request.headers.get(HEADER), settings.app_id, raw, timestamp,
                           settings.oa_secret_key):
        logger.warning("Webhook call with a bad or missing signature rejected")
        return web.Response(status=401)
    if not is_fresh(timestamp, settings.replay_window):
        logger.warning("Webhook event outside the %.0f s replay window rejected",
                       settings.replay_window)
        return web.Response(status=401)
    bridge.accept(event)
    return web.Response(status=200)


async def health(_: web.Request) -> web.Response:
    return web.Response(text="ok")


async def keep_token_fresh(bridge: Bridge) -> None:
    """Refresh ahead of expiry even when nobody writes, so the refresh token (three months)
    never lapses on a quiet OA. Failures are logged by the token manager; keep going."""
    while True:
        await asyncio.sleep(REFRESH_CHECK_SECONDS)
        with contextlib.suppress(ZaloError):
            await bridge.zalo.tokens.access_token()


def build_app(settings: Settings) -> web.Application:
    """The aiohttp application; the bridge is created on start-up and closed on clean-up."""

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        async with httpx.AsyncClient(transport=httpx.AsyncHTTPTransport(retries=2),
                                     timeout=settings.zalo_timeout) as http:
            bridge = make_bridge(settings, http)
            app[BRIDGE_KEY] = bridge
            refresher = asyncio.create_task(keep_token_fresh(bridge))
            bridge.officer.start(bridge)  # officers' replies (issue #11)
            try:
                yield
            finally:
                refresher.cancel()
                await bridge.officer.stop()
                await bridge.queues.drain(DRAIN_SECONDS)
                bridge.seen.save()
                await bridge.rasa.close()

    app = web.Application(client_max_size=1024 * 1024)
    app.cleanup_ctx.append(lifecycle)
    app.router.add_post(WEBHOOK_PATH, receive)
    app.router.add_get("/healthz", health)
    return app


@contextlib.asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[Bridge]:
    """Serve the webhook on settings.host:port until the block ends (also used by tests)."""
    app = build_app(settings)
    runner = web.AppRunner(app, access_log=None)  # access logs would show nothing useful
    await runner.setup()
    try:
        await web.TCPSite(runner, settings.host, settings.port).start()
        logger.info("Zalo webhook listening on %s:%d%s", settings.host, settings.port, WEBHOOK_PATH)
        yield app[BRIDGE_KEY]
    finally:
        await runner.cleanup()


async def serve(settings: Settings) -> None:
    """Run until SIGINT/SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with running(settings):
        await stop.wait()
