"""What the bridge does with each Zalo event, one small handler per kind of event.

The shared path is `converse`: ask Rasa, turn the answers into consultation messages and
send them in order. Logs carry hashed user ids and sizes, never the citizen's text (that is
only logged at DEBUG, for local troubleshooting), nor tokens.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import List, Optional

from channels.common.rate_limit import RateLimiter, Verdict

from . import texts
from .config import Settings
from .officer_replies import OfficerReplies
from .rasa_client import RasaClient, RasaUnavailable
from .render import PayloadStore, is_payload_id, split_text, zalo_messages
from .state import SeenEvents, UserQueues, sender_id, user_hash
from .tokens import ZaloError
from .zalo_api import ZaloClient

logger = logging.getLogger(__name__)

GREET_PAYLOAD = "/greet"
HELP_PAYLOAD = "/help"
# What the OA's menu items (type "send a message") and citizens type to get the menu.
MENU_QUERIES = {"#menu", "menu", "#help", "help", "trợ giúp", "tro giup", "#start", "bắt đầu"}


def user_of(event: dict) -> Optional[str]:
    """The citizen an event is about: the sender of messages, the follower of follows,
    `user_id` on the "chat now" click."""
    for holder, key in (("sender", "id"), ("follower", "id")):
        value = event.get(holder)
        if isinstance(value, dict) and value.get(key):
            return str(value[key])
    return str(event["user_id"]) if event.get("user_id") else None


def event_id(event: dict, user_id: str) -> str:
    """Zalo's message id when there is one; otherwise what identifies the event."""
    message = event.get("message")
    if isinstance(message, dict) and message.get("msg_id"):
        return str(message["msg_id"])
    return f"{event.get('event_name')}:{user_id}:{event.get('timestamp')}"


@dataclass
class Bridge:
    """Everything the handlers share; built by app.py, injected in tests."""

    settings: Settings
    rasa: RasaClient
    zalo: ZaloClient
    payloads: PayloadStore
    seen: SeenEvents
    rate: RateLimiter
    officer: OfficerReplies = field(default_factory=OfficerReplies)

    def __post_init__(self) -> None:
        self.queues = UserQueues(self.handle)

    def log_id(self, user_id: str) -> str:
        """The only form in which a citizen appears in logs."""
        return user_hash(self.settings.salt, user_id)

    def accept(self, event: dict) -> None:
        """Called by the webhook for a verified event: queue it unless it was seen before."""
        user_id = user_of(event)
        if user_id is None:
            logger.debug("Event %s without a user ignored", event.get("event_name"))
            return
        if not self.seen.first_time(event_id(event, user_id)):
            logger.info("Duplicate delivery of %s for user=%s ignored",
                        event.get("event_name"), self.log_id(user_id))
            return
        self.queues.put(user_id, event)

    # --- sending ---------------------------------------------------------------------------

    async def send_text(self, user_id: str, text: str) -> List[Optional[str]]:
        """Send a plain text to a citizen (also for officers' later replies); returns Zalo's
        message ids, one per part of a long text.

        Zalo only accepts consultation messages within a window after the citizen's last
        message; outside it Zalo refuses and this raises ZaloError with Zalo's code, so the
        caller can show that the reply was not delivered."""
        return [await self.zalo.send(user_id, {"text": chunk}) for chunk in split_text(text)]

    async def notify(self, user_id: str, text: str) -> None:
        """Our own short notices; a failure is logged, never raised."""
        try:
            await self.send_text(user_id, text)
        except ZaloError as exc:
            logger.warning("Notice not delivered to user=%s: %s", self.log_id(user_id), exc)

    async def send_answers(self, user_id: str, answers: List[dict]) -> None:
        """All of Rasa's messages in order; stop at the first refusal so none arrive out
        of order. An empty answer still gets a polite reply."""
        messages = [m for answer in answers for m in zalo_messages(answer, self.payloads)]
        if not messages:
            await self.notify(user_id, texts.NO_ANSWER)
            return
        for message in messages:
            try:
                await self.zalo.send(user_id, message)
            except ZaloError as exc:
                logger.warning("Answer not delivered to user=%s: %s", self.log_id(user_id), exc)
                return

    # --- the conversation path -------------------------------------------------------------

    async def converse(self, user_id: str, message: str) -> None:
        """Forward one message to Rasa and deliver its answers; Rasa failures end in an apology."""
        sender = sender_id(self.settings.salt, user_id)
        self.officer.seen(sender, user_id)  # an officer's later reply can reach this chat
        try:
            answers = await self.rasa.send(sender, message)
        except RasaUnavailable as exc:
            logger.warning("Rasa unavailable for user=%s: %s", self.log_id(user_id), exc)
            await self.notify(user_id, texts.apology_unavailable())
            return
        logger.info("user=%s in_chars=%d answers=%d", self.log_id(user_id), len(message),
                    len(answers))
        await self.send_answers(user_id, answers)

    def admitted(self, user_id: str) -> Verdict:
        verdict = self.rate.check(user_id)
        if verdict is not Verdict.ALLOW:
            logger.info("Rate limit hit by user=%s (%s)", self.log_id(user_id), verdict.value)
        return verdict

    # --- handlers --------------------------------------------------------------------------

    async def handle(self, user_id: str, event: dict) -> None:
        """Dispatch one event (called in order per citizen by UserQueues)."""
        name = str(event.get("event_name") or "")
        if name == "user_send_text":
            await self.on_text(user_id, event)
        elif name == "follow":
            await self.on_command(user_id, GREET_PAYLOAD)
        elif name == "user_click_chatnow":
            await self.on_command(user_id, HELP_PAYLOAD)
        elif name in texts.MEDIA_KINDS:
            await self.on_media(user_id, name)
        else:
            logger.debug("Event %s ignored", name)

    async def on_command(self, user_id: str, payload: str) -> None:
        """Follow and "chat now": Rasa greets / shows the main topics as buttons."""
        if self.admitted(user_id) is Verdict.ALLOW:
            await self.converse(user_id, payload)

    async def on_text(self, user_id: str, event: dict) -> None:
        """A question, a button press (its short id) or a menu query."""
        message = event.get("message") if isinstance(event.get("message"), dict) else {}
        text = str(message.get("text") or "").strip()
        if not text:
            return
        verdict = self.admitted(user_id)
        if verdict is not Verdict.ALLOW:
            if verdict is Verdict.NOTIFY:
                seconds = int(self.settings.rate_limit_window)
                await self.notify(user_id, texts.SLOW_DOWN.format(seconds=seconds))
            return
        logger.debug("user=%s text=%r", self.log_id(user_id), text)
        if is_payload_id(text):
            payload = self.payloads.resolve(text)
            if payload is None:
                await self.notify(user_id, texts.BUTTON_EXPIRED)
                return
            await self.converse(user_id, payload)
        elif text.lower() in MENU_QUERIES:
            await self.converse(user_id, HELP_PAYLOAD)
        elif len(text) > self.settings.max_input_chars:
            await self.notify(user_id, texts.TOO_LONG.format(
                length=len(text), limit=self.settings.max_input_chars))
        else:
            await self.converse(user_id, text)

    async def on_media(self, user_id: str, name: str) -> None:
        """Images, stickers, files, locations, audio…: explain we read text only."""
        if self.admitted(user_id) is Verdict.ALLOW:
            logger.info("Non-text message (%s) from user=%s", name, self.log_id(user_id))
            await self.notify(user_id, texts.TEXT_ONLY.format(kind=texts.MEDIA_KINDS[name]))
