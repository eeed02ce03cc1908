"""Turn Rasa's answers into Zalo consultation messages.

- Zalo refuses a text longer than 2,000 characters (it does not cut it for us), so long
  answers are split: at blank lines first, then at line ends, and only a single line that is
  itself too long at spaces. A URL is never cut, so links stay whole and Zalo keeps them
  clickable (it links bare URLs in texts by itself).
- Rasa buttons become query buttons under the text (at most 5 per message; more go into
  follow-up messages). A press comes back to the webhook as the citizen's text message
  carrying the button's payload, so payloads are short ids ("#q" + 10 characters) that the
  PayloadStore maps back to Rasa's payload, which is often too long and unreadable. We use
  `oa.query.hide`, so that id never shows in the citizen's chat. URL buttons open the link.
- 👍/👎 (issue #11) stay under the answer when they fit in its 5 buttons; when they do not,
  they come as a message of their own ("Câu trả lời có hữu ích không?"), so the answer's own
  buttons are never pushed into a "more options" message by the rating, and the rating is
  never split from its question.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections import OrderedDict
from pathlib import Path
from typing import List, Optional

from channels.common import split

from . import texts
from .files import read_json, write_json

ZALO_TEXT_LIMIT = 2000
MAX_BUTTONS = 5
BUTTON_TITLE_LIMIT = 100
PAYLOAD_PREFIX = "#q"
RATING_PAYLOAD = "/feedback"  # the 👍/👎 buttons' intent (actions/review_hooks.py)
_PAYLOAD_ID_RE = re.compile(r"#q[A-Z2-7]{10}")
_URL_RE = re.compile(r"https?://\S+$", re.IGNORECASE)

def split_text(text: str, limit: int = ZALO_TEXT_LIMIT) -> List[str]:
    """Chunks of at most `limit` characters, cut at the coarsest boundary that fits
    (channels/common/split.py: paragraphs, lines, words)."""
    return split.split_text(text, lambda piece: len(piece) <= limit, limit)


def payload_id(payload: str) -> str:
    """A short, stable id: the same menu button always gets the same id, so the store
    does not grow each time a menu is shown and ids survive a restart unchanged."""
    digest = hashlib.sha256(payload.encode("utf-8")).digest()[:7]
    return PAYLOAD_PREFIX + base64.b32encode(digest).decode("ascii")[:10]


def is_payload_id(text: str) -> bool:
    return bool(_PAYLOAD_ID_RE.fullmatch(text.strip()))


class PayloadStore:
    """Bounded map from button ids back to Rasa payloads, kept in a file.

    Citizens press buttons of messages sent days ago, across restarts of the bridge, so the
    map is persisted. It is only written when a payload is new, which is rare: payloads
    come from the catalog and repeat."""

    def __init__(self, path: Optional[Path] = None, capacity: int = 20000) -> None:
        self._path, self._capacity = path, capacity
        stored = read_json(path) if path else None
        self._payloads: "OrderedDict[str, str]" = OrderedDict(
            (str(k), str(v)) for k, v in (stored or {}).items())

    def remember(self, payload: str) -> str:
        key = payload_id(payload)
        known = key in self._payloads
        self._payloads[key] = payload
        self._payloads.move_to_end(key)
        if not known:
            while len(self._payloads) > self._capacity:
                self._payloads.popitem(last=False)
            if self._path:
                write_json(self._path, dict(self._payloads))
        return key

    def resolve(self, key: str) -> Optional[str]:
        return self._payloads.get(key.strip())


def _button(button: dict, store: PayloadStore) -> Optional[dict]:
    title = str(button.get("title") or button.get("payload") or "…")[:BUTTON_TITLE_LIMIT]
    payload = str(button.get("payload") or "")
    if not payload:
        return None
    if _URL_RE.fullmatch(payload):
        return {"title": title, "type": "oa.open.url", "payload": {"url": payload}}
    return {"title": title, "type": "oa.query.hide", "payload": store.remember(payload)}


def _with_buttons(text: str, buttons: List[dict]) -> dict:
    return {"text": text, "attachment": {"type": "template", "payload": {"buttons": buttons}}}


def _is_rating(button: dict) -> bool:
    return str(button.get("payload") or "").startswith(RATING_PAYLOAD)


def zalo_messages(bot_message: dict, store: PayloadStore) -> List[dict]:
    """One Rasa message as Zalo `message` objects: text chunks, buttons on the last chunk
    (and on follow-ups when there are more than Zalo allows), the 👍/👎 pair on its own
    when it does not fit, then an image as a link."""
    chunks = split_text(str(bot_message.get("text") or ""))
    raw_buttons: List[dict] = [x for x in bot_message.get("buttons") or [] if isinstance(x, dict)]
    rating: List[dict] = []
    if len(raw_buttons) > MAX_BUTTONS:
        rating = [b for b in (_button(x, store) for x in raw_buttons if _is_rating(x)) if b]
        raw_buttons = [x for x in raw_buttons if not _is_rating(x)]
    buttons = [b for b in (_button(x, store) for x in raw_buttons) if b]
    groups = [buttons[i:i + MAX_BUTTONS] for i in range(0, len(buttons), MAX_BUTTONS)]
    if groups and not chunks:
        chunks = [texts.CHOOSE_OPTION]
    messages = [{"text": chunk} for chunk in chunks]
    for index, group in enumerate(groups):
        if index == 0:
            messages[-1] = _with_buttons(messages[-1]["text"], group)
        else:
            messages.append(_with_buttons(texts.MORE_OPTIONS, group))
    if rating:
        messages.append(_with_buttons(texts.RATE_PROMPT, rating))
    if bot_message.get("image"):
        messages.append({"text": str(bot_message["image"])})
    return messages
