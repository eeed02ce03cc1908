"""Build and run the python-telegram-bot Application that bridges Telegram and Rasa."""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
import signal
from typing import Optional

from aiohttp import web
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    PersistenceInput,
    PicklePersistence,
    filters,
)

from channels.common.rate_limit import RateLimiter
from telegram import BotCommand, Update

from . import handlers, texts
from .config import Settings
from .officer_replies import OfficerReplies
from .rasa_client import RasaClient
from .state import ChatLocks

logger = logging.getLogger(__name__)

# Only what the handlers use: Telegram then does not send us channel posts, polls, etc.
ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY]
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def make_bridge(settings: Settings, rasa: Optional[RasaClient] = None) -> handlers.Bridge:
    """The shared per-application state the handlers read from bot_data."""
    return handlers.Bridge(
        settings=settings,
        rasa=rasa or RasaClient(settings.rasa_url, settings.rasa_connect_timeout,
                                settings.rasa_read_timeout, settings.rasa_workers),
        rate=RateLimiter(settings.rate_limit_messages, settings.rate_limit_window),
        locks=ChatLocks(),
        officer=OfficerReplies(settings.officer_reply_seconds),
    )


def add_handlers(application: Application) -> None:
    """Order matters: the first matching handler in the group wins."""
    application.add_handler(CommandHandler("start", handlers.on_start))
    application.add_handler(CommandHandler(["help", "menu"], handlers.on_help))
    application.add_handler(CommandHandler("canbo", handlers.on_handover))
    application.add_handler(CallbackQueryHandler(handlers.on_button))
    application.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, handlers.on_edited))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, handlers.on_text))
    application.add_handler(MessageHandler(filters.COMMAND, handlers.on_unknown_command))
    # Anything else a citizen can send; service messages (joins, pins…) are left alone.
    application.add_handler(MessageHandler(
        filters.UpdateType.MESSAGE & ~filters.TEXT & ~filters.StatusUpdate.ALL,
        handlers.on_non_text,
    ))
    application.add_error_handler(handlers.on_error)


async def set_commands(application: Application) -> None:
    """Publish /start, /menu, /help in Telegram's command menu; not fatal if it fails."""
    commands = [BotCommand(name, description) for name, description in texts.COMMANDS]
    try:
        await application.bot.set_my_commands(commands)
    except TelegramError as exc:
        logger.warning("Could not set the bot's command list: %s", exc)


async def start_up(application: Application) -> None:
    """Publish the commands and start delivering officers' replies (issue #11)."""
    await set_commands(application)
    application.bot_data[handlers.BRIDGE_KEY].officer.start(application.bot)


async def close_rasa(application: Application) -> None:
    """Release the Rasa client's threads and connections when the bot shuts down."""
    bridge = application.bot_data[handlers.BRIDGE_KEY]
    await bridge.officer.stop()
    bridge.rasa.close()


def rate_limiter(settings: Settings) -> AIORateLimiter:
    """One limiter for every Bot API call of this bot, so a burst of citizens is answered
    as fast as Telegram allows instead of getting the bot throttled (429). Telegram's
    limits are per bot token: run one bridge per token, however many Rasa instances."""
    return AIORateLimiter(overall_max_rate=settings.send_rate, overall_time_period=1,
                          max_retries=settings.send_retries)


def button_persistence(settings: Settings) -> Optional[PicklePersistence]:
    """Only the callback-data cache is kept (not chat or user data: the bridge keeps no
    conversation state; Rasa does). PTB writes it every few seconds and at shutdown, so a
    button pressed after a restart still sends its payload; one sent just before a crash
    falls back to its title (handlers.on_button)."""
    if settings.state_file is None:
        return None
    settings.state_file.parent.mkdir(parents=True, exist_ok=True)
    return PicklePersistence(
        settings.state_file, update_interval=10,
        store_data=PersistenceInput(bot_data=False, chat_data=False, user_data=False,
                                    callback_data=True))


def build_application(settings: Settings, rasa: Optional[RasaClient] = None) -> Application:
    """The configured Application; `rasa` can be injected (tests, benchmarks)."""
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .rate_limiter(rate_limiter(settings))
        .base_url(settings.bot_api_url)
        .base_file_url(settings.bot_file_url)
        # Chats are handled concurrently; ChatLocks keeps each chat's own order.
        .concurrent_updates(settings.concurrent_updates)
        # Buttons carry Rasa's payloads through PTB's cache (render.build_keyboard).
        .arbitrary_callback_data(settings.button_cache_size)
        .post_init(start_up)
        .post_shutdown(close_rasa)
    )
    persistence = button_persistence(settings)
    if persistence:
        builder = builder.persistence(persistence)
    application = builder.build()
    application.bot_data[handlers.BRIDGE_KEY] = make_bridge(settings, rasa)
    add_handlers(application)
    return application


def run_polling(application: Application) -> None:
    """Long polling: needs no public address. Blocks until SIGINT/SIGTERM."""
    logger.info("Starting the Telegram bridge (long polling)")
    application.run_polling(allowed_updates=ALLOWED_UPDATES)


# --- webhook mode (aiohttp server; avoids the extra tornado dependency of PTB's own) -------


def webhook_app(application: Application, path: str, secret: str) -> web.Application:
    """A tiny aiohttp app: checks Telegram's secret header, queues the update, answers 200."""

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            return web.Response(status=403)
        try:
            update = Update.de_json(await request.json(), application.bot)
        except (ValueError, TypeError, KeyError):
            return web.Response(status=400)
        await application.update_queue.put(update)
        return web.Response(status=200)

    async def health(_: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application(client_max_size=1024 * 1024)
    app.router.add_post(path, receive)
    app.router.add_get("/healthz", health)
    return app


def _stop_event() -> asyncio.Event:
    """Set on SIGINT/SIGTERM so the webhook server shuts down cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


async def serve_webhook(application: Application, settings: Settings,
                        stop: Optional[asyncio.Event] = None) -> None:
    """Register the webhook with Telegram, serve it until stopped, then clean up."""
    secret = settings.webhook_secret or secrets.token_urlsafe(32)
    runner = web.AppRunner(webhook_app(application, settings.webhook_path, secret))
    async with application:
        await start_up(application)
        await application.start()
        # Listen first, then tell Telegram where to deliver: no update hits a closed port.
        await runner.setup()
        await web.TCPSite(runner, settings.webhook_listen, settings.webhook_port).start()
        await application.bot.set_webhook(settings.webhook_url, secret_token=secret,
                                          allowed_updates=ALLOWED_UPDATES)
        logger.info("Webhook listening on %s:%d%s", settings.webhook_listen,
                    settings.webhook_port, settings.webhook_path)
        try:
            await (stop or _stop_event()).wait()
        finally:
            await runner.cleanup()
            await application.stop()
            await close_rasa(application)


def run(settings: Settings) -> None:
    """Start the bridge in the configured mode."""
    application = build_application(settings)
    if settings.mode == "webhook":
        asyncio.run(serve_webhook(application, settings))
    else:
        run_polling(application)
