"""The actions' side of "learn from citizens" (issue #11): what the assistant could not handle
goes to the review log, 👍/👎 under factual answers, and handover to an officer.

`actions.py` calls three things: `intercept()` first in an action (a conversation an officer
handles stays quiet; "gặp cán bộ" starts a handover; the message after a 👎 is its comment),
`record_turn()` where it refuses or does not understand, and `rated()` around a factual
answer. Both also count the question (no text, no sender) for the dashboard's totals. Recording must never break an answer: every failure is logged at WARNING, without
the citizen's text, and the action goes on.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Callable, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import answers, review_log
from actions.catalog import Catalog
from actions.preview import is_preview

logger = logging.getLogger(__name__)

HANDOVER_OFFICE = "trung_tam_pvhcc_can_tho"
FEEDBACK_BUTTONS = {
    "vi": [{"title": "👍 Hữu ích", "payload": '/feedback{"value":"up"}'},
           {"title": "👎 Chưa đúng", "payload": '/feedback{"value":"down"}'}],
    "en": [{"title": "👍 Helpful", "payload": '/feedback{"value":"up"}'},
           {"title": "👎 Not right", "payload": '/feedback{"value":"down"}'}],
}
TEXTS = {
    "vi": {
        "handover": "Dạ, tôi đã chuyển câu hỏi của anh/chị cho cán bộ. Cán bộ sẽ trả lời trong "
                    "giờ làm việc: {hours} Trong lúc chờ, trợ lý ảo tạm dừng trả lời "
                    "trong cuộc trò chuyện này.",
        "hours_unknown": "giờ làm việc chưa xác minh được.",
        "thanks_up": "Cảm ơn anh/chị đã đánh giá!",
        "ask_what_wrong": "Cảm ơn anh/chị. Câu trả lời chưa đúng ở điểm nào? Anh/Chị nhắn "
                          "ngắn để chúng tôi sửa (không cần ghi số giấy tờ cá nhân).",
        "thanks_comment": "Cảm ơn góp ý của anh/chị, cán bộ sẽ xem lại câu trả lời này.",
    },
    "en": {
        "handover": "I have passed your question to an officer, who will answer during office "
                    "hours: {hours} Meanwhile the assistant stays quiet in this "
                    "conversation.",
        "hours_unknown": "office hours are not verified.",
        "thanks_up": "Thank you for your rating!",
        "ask_what_wrong": "Thank you. What was wrong with the answer? A short message helps us "
                          "fix it (please do not include personal document numbers).",
        "thanks_comment": "Thank you, an officer will review this answer.",
    },
}
# "gặp cán bộ", "hỏi cán bộ", "cho tôi nói chuyện với cán bộ", "/canbo", with or without accents.
_HANDOVER = re.compile(r"\b(?:gap|hoi|noi chuyen voi|lien he voi|can) (?:truc tiep )?"
                       r"(?:voi )?(?:nguoi )?can bo\b")


def _text(lang: str, key: str, **values: object) -> str:
    return TEXTS[lang if lang in TEXTS else "vi"][key].format(**values)


def _safely(what: str, default: Any, call: Callable[[], Any]) -> Any:
    """Run a review-log call; on any failure log at WARNING (never the text) and go on."""
    try:
        return call()
    except Exception as error:  # noqa: BLE001 - an answer must never fail because of the log
        logger.warning("review log: %s failed (%s)", what, type(error).__name__)
        return default


def _latest(tracker: Tracker) -> Dict[str, Any]:
    return tracker.latest_message or {}


def _channel(tracker: Tracker) -> str:
    return review_log.channel_of(tracker.sender_id or "", _latest(tracker).get("metadata"))


def _lang(tracker: Tracker) -> str:
    return tracker.get_slot("language") or "vi"


def is_handover_request(text: str) -> bool:
    if text.strip().lower().startswith("/canbo"):
        return True
    return bool(_HANDOVER.search(review_log.fold(text)))


def office_hours(catalog: Catalog, lang: str) -> str:
    """The office hours the catalog gives, with its own caution when they are unconfirmed."""
    office = catalog.offices.get(HANDOVER_OFFICE)
    if office is None or not office.hours.known:
        return _text(lang, "hours_unknown")
    fact = office.hours.in_language(lang)
    hedge = answers.HEDGES_BY_LANGUAGE.get(lang, answers.HEDGES).get(fact.confidence)
    note = fact.caveat or ""
    return " ".join(part for part in ((fact.text or "").strip(), note, hedge or "") if part)


def intercept(dispatcher: CollectingDispatcher, tracker: Tracker,
              catalog: Callable[[], Catalog]) -> bool:
    """True when this message is handled here and the action must say nothing more."""
    sender, text = tracker.sender_id or "", _latest(tracker).get("text") or ""
    handover = _safely("handover check", None, lambda: review_log.open_handover(sender))
    if handover is not None:  # an officer handles this conversation: the assistant stays quiet
        if text.strip():
            _safely("handover message", None, lambda: review_log.add_to_handover(handover, text))
        return True
    lang = _lang(tracker)
    if text and is_handover_request(text):
        hours = office_hours(catalog(), lang)
        reply = _text(lang, "handover", hours=hours)
        dispatcher.utter_message(text=reply)
        _safely("handover", None, lambda: review_log.record(
            "handover", sender, text, channel=_channel(tracker),
            intent=_intent(tracker), procedure=tracker.get_slot("procedure"),
            aspect=tracker.get_slot("aspect"), reply=reply,
            question=_previous_user_text(tracker)))
        return True
    if text and not text.startswith("/") and _follows_thumbs_down(tracker):
        if _safely("feedback comment", False, lambda: review_log.take_comment(sender, text)):
            dispatcher.utter_message(text=_text(lang, "thanks_comment"))
            return True
    return False


def _intent(tracker: Tracker) -> Optional[str]:
    return (_latest(tracker).get("intent") or {}).get("name")


def _confidence(tracker: Tracker) -> Optional[float]:
    value = (_latest(tracker).get("intent") or {}).get("confidence")
    return float(value) if isinstance(value, (int, float)) else None


def record_turn(kind: str, tracker: Tracker, reply: str, procedure: Optional[str] = None,
                aspect: Optional[str] = None) -> None:
    """Store this message for review (`kind` as in review_log.KINDS)."""
    text = _latest(tracker).get("text") or ""
    if not text.strip():
        return
    if kind in review_log.OUTCOMES and not is_preview(tracker):  # low_confidence: rated() counted it
        _safely("question count", None, lambda: review_log.count_question_later(
            kind, _channel(tracker), procedure or tracker.get_slot("procedure"),
            aspect or tracker.get_slot("aspect")))
    _safely(kind, None, lambda: review_log.record(
        kind, tracker.sender_id or "", text, channel=_channel(tracker), intent=_intent(tracker),
        confidence=_confidence(tracker), procedure=procedure or tracker.get_slot("procedure"),
        aspect=aspect or tracker.get_slot("aspect"), reply=reply))


def rated(reply: answers.Reply, tracker: Tracker, procedure: str, aspect: str,
          lang: str) -> answers.Reply:
    """A factual answer: 👍/👎 buttons under it, and a low-confidence record when the
    classifier was unsure (typed text only: a button press is certain)."""
    text = _latest(tracker).get("text") or ""
    if not is_preview(tracker):  # an officer trying drafts in the console is no citizen
        _safely("question count", None, lambda: review_log.count_question_later(
            "answered", _channel(tracker), procedure, aspect))
    confidence = _confidence(tracker)
    if (text and not text.startswith("/") and confidence is not None
            and confidence < review_log.low_confidence_threshold()):
        record_turn("low_confidence", tracker, reply.text, procedure, aspect)
    buttons = FEEDBACK_BUTTONS.get(lang, FEEDBACK_BUTTONS["vi"])
    return answers.Reply(reply.text, list(reply.buttons) + buttons)


def with_handover_button(reply: answers.Reply, lang: str) -> answers.Reply:
    """After two misses in a row: a "Hỏi cán bộ" button, so the citizen can ask a person."""
    title = "Hỏi cán bộ" if lang != "en" else "Ask an officer"
    return answers.Reply(reply.text, list(reply.buttons) + [{"title": title, "payload": "/canbo"}])


def _user_events(tracker: Tracker) -> List[Dict[str, Any]]:
    return [e for e in tracker.events if e.get("event") == "user"]


def _previous_user_text(tracker: Tracker) -> Optional[str]:
    users = _user_events(tracker)
    return users[-2].get("text") if len(users) >= 2 else None


def _follows_thumbs_down(tracker: Tracker) -> bool:
    """The previous message was a 👎 (so this one says what was wrong)."""
    users = _user_events(tracker)
    if len(users) < 2:
        return False
    parse = users[-2].get("parse_data") or {}
    return (parse.get("intent") or {}).get("name") == "feedback" and any(
        e.get("entity") == "value" and e.get("value") == "down"
        for e in parse.get("entities") or [])


def _rated_exchange(tracker: Tracker) -> tuple:
    """The answer being rated (the last bot message before the 👎) and the question it
    answered (the citizen's message before that answer)."""
    answer, question, seen_current = None, None, False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user" and not seen_current:
            seen_current = True
        elif kind == "bot" and answer is None and seen_current:
            answer = event.get("text")
        elif kind == "user" and answer is not None:
            question = event.get("text")
            break
    return question, answer


class ActionFeedback(Action):
    """👍 is counted; 👎 becomes a negative_feedback item with the question and the answer
    it rates, and asks what was wrong (the next typed message is kept as the comment)."""

    def name(self) -> Text:
        return "action_feedback"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        if _safely("handover check", None,
                   lambda: review_log.open_handover(tracker.sender_id or "")) is not None:
            return []
        value = next((str(e.get("value")) for e in _latest(tracker).get("entities") or []
                      if e.get("entity") == "value"), "down" if "👎" in (
                          _latest(tracker).get("text") or "") else "up")
        value = "down" if value == "down" else "up"
        lang = _lang(tracker)
        procedure, aspect = tracker.get_slot("procedure"), tracker.get_slot("aspect")
        _safely("rating", None, lambda: review_log.record_rating(
            value, _channel(tracker), procedure, aspect))
        if value == "up":
            dispatcher.utter_message(text=_text(lang, "thanks_up"))
            return []
        question, answer = _rated_exchange(tracker)
        _safely("negative feedback", None, lambda: review_log.record(
            "negative_feedback", tracker.sender_id or "", question or "",
            channel=_channel(tracker), intent="feedback", procedure=procedure, aspect=aspect,
            reply=answer, question=question, awaiting_comment=True))
        dispatcher.utter_message(text=_text(lang, "ask_what_wrong"))
        return []
