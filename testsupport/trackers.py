"""Trackers built in code, shaped like the saved fixtures, for actions that need a message
and a conversation state (slots) but no saved file: the tests' and bench/answers_cost.py's."""

from __future__ import annotations

from typing import Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher


def tracker(text: str, intent: str, slots: Optional[dict] = None,
            entities: Optional[list] = None, sender: str = "citizen-built") -> Tracker:
    parse = {"text": text, "intent": {"name": intent, "confidence": 0.9},
             "entities": entities or [],
             "intent_ranking": [{"name": intent, "confidence": 0.9}]}
    return Tracker.from_dict({
        "sender_id": sender, "slots": {"procedure": None, "aspect": None,
                                                "pending_aspect": None, "language": None,
                                                **(slots or {})},
        "latest_message": parse, "events": [{"event": "user", "text": text, "parse_data": parse}],
        "paused": False, "followup_action": None, "active_loop": {},
        "latest_action_name": "action_listen"})


def run_action(action, text: str, intent: str, slots: Optional[dict] = None,
               entities: Optional[list] = None):
    """(the reply's text, its buttons, the events) of `action` on a built tracker."""
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker(text, intent, slots, entities), domain={})
    text_out = "\n".join(m.get("text") or "" for m in dispatcher.messages)
    buttons = [b for m in dispatcher.messages for b in (m.get("buttons") or [])]
    return text_out, buttons, events


def slot(events, name: str):
    """The value the events set `name` to ("unset" when none sets it)."""
    return next((e["value"] for e in events
                 if e.get("event") == "slot" and e.get("name") == name), "unset")
