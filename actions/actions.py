"""Rasa custom actions: thin adapters between the tracker and the answer composers.

Every question intent runs `action_answer_procedure`: the intent says which aspect is
asked, the message (or a button's entity, or the conversation so far) says which
procedure. New procedures in the catalog therefore need no new intents or rules.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import answers
from actions.catalog import Catalog, Procedure
from actions.catalog_store import CatalogStore
from actions.matching import find_office, find_procedure, find_question
from actions.preview import catalog_for
from actions.settings import catalog_dir
from actions.text import is_follow_up

logger = logging.getLogger(__name__)

STORE = CatalogStore(catalog_dir())
FALLBACK_INTENT = "nlu_fallback"
MAX_GUESSES = 3


def _send(dispatcher: CollectingDispatcher, reply: answers.Reply) -> None:
    dispatcher.utter_message(text=reply.text, buttons=reply.buttons or None)


def _typed_text(tracker: Tracker) -> str:
    """The citizen's own words; empty for a button payload such as /ask_fee{...}."""
    text = tracker.latest_message.get("text") or ""
    return "" if text.startswith("/") else text


def _entity_procedure(tracker: Tracker, catalog: Catalog) -> Optional[Procedure]:
    for entity in tracker.latest_message.get("entities", []):
        if entity.get("entity") == "procedure":
            return catalog.procedures.get(str(entity.get("value")))
    return None


def resolve_procedure(tracker: Tracker, catalog: Catalog) -> Optional[Procedure]:
    """Named in this message, else chosen with a button, else the one being discussed."""
    return (
        find_procedure(catalog, _typed_text(tracker))
        or _entity_procedure(tracker, catalog)
        or catalog.procedures.get(tracker.get_slot("procedure") or "")
    )


class ActionAnswerProcedure(Action):
    def name(self) -> Text:
        return "action_answer_procedure"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        catalog = catalog_for(tracker, STORE)
        intent = tracker.latest_message.get("intent", {}).get("name")
        aspect = self._aspect(intent, tracker)
        procedure = resolve_procedure(tracker, catalog)
        if procedure is None:
            _send(dispatcher, answers.which_procedure(catalog, aspect))
            return [SlotSet("pending_aspect", aspect)]

        text = _typed_text(tracker)
        aspect_key = answers.ASPECT_KEYS.get(aspect, "tong_quan")
        question = find_question(procedure, text, aspect_key) if text else None
        if question is not None:
            reply = answers.Reply(answers.question_answer(procedure, question),
                                  answers.aspect_buttons(procedure))
        else:
            reply = answers.aspect_answer(catalog, procedure, aspect,
                                          find_office(catalog, text) if text else None)
        _send(dispatcher, reply)
        last_aspect = aspect if aspect in answers.ASPECTS else tracker.get_slot("aspect")
        return [SlotSet("procedure", procedure.id), SlotSet("aspect", last_aspect),
                SlotSet("pending_aspect", None)]

    @staticmethod
    def _aspect(intent: Optional[str], tracker: Tracker) -> str:
        """The aspect asked now; a procedure chosen after "which procedure?" gets the pending one."""
        if intent in answers.ASPECTS:
            return intent
        pending = tracker.get_slot("pending_aspect")
        if pending:
            return pending
        # "còn chứng thực thì sao?" after a fee question asks about the fee again;
        # a bare name or a menu button asks for the overview.
        if is_follow_up(_typed_text(tracker)) and tracker.get_slot("aspect"):
            return tracker.get_slot("aspect")
        return answers.OVERVIEW


class ActionShowMenu(Action):
    def name(self) -> Text:
        return "action_show_menu"

    def run(self, dispatcher, tracker, domain):
        _send(dispatcher, answers.menu(catalog_for(tracker, STORE)))
        return [SlotSet("pending_aspect", None)]


class ActionOutOfScope(Action):
    def name(self) -> Text:
        return "action_out_of_scope"

    def run(self, dispatcher, tracker, domain):
        catalog = catalog_for(tracker, STORE)
        # A long story ("em ở Nhật, hộ khẩu ở Vị Thanh, muốn xin lltp...") can read as off-topic
        # to the classifier; a message that names a procedure is never refused.
        procedure = find_procedure(catalog, _typed_text(tracker))
        if procedure is not None:
            _send(dispatcher, answers.aspect_answer(catalog, procedure, answers.OVERVIEW))
            return [SlotSet("procedure", procedure.id)]
        _send(dispatcher, answers.out_of_scope(catalog))
        return []


def _consecutive_fallbacks(tracker: Tracker) -> int:
    """Misunderstood messages in a row, this one included (blank messages do not count)."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user" or not (event.get("text") or "").strip():
            continue
        if (event.get("parse_data") or {}).get("intent", {}).get("name") != FALLBACK_INTENT:
            break
        count += 1
    return count


class ActionSuggestGuesses(Action):
    """Low confidence: offer the best guesses as buttons; the second time, point to people."""

    def name(self) -> Text:
        return "action_suggest_guesses"

    def run(self, dispatcher, tracker, domain):
        catalog = catalog_for(tracker, STORE)
        if not (tracker.latest_message.get("text") or "").strip():
            _send(dispatcher, answers.blank_message(catalog))
            return []
        if _consecutive_fallbacks(tracker) >= 2:
            _send(dispatcher, answers.still_not_understood(catalog))
            return []
        procedure = resolve_procedure(tracker, catalog)
        guesses = self._guessed_aspects(tracker)
        if procedure is None:
            buttons = [{"title": answers.ASPECT_TITLES[a], "payload": answers.payload(a)}
                       for a in guesses]
            text = "Xin lỗi, tôi chưa hiểu rõ. Có phải anh/chị muốn hỏi về:"
        else:
            guesses = guesses or list(answers.BUTTON_ASPECTS[:MAX_GUESSES])
            buttons = [{"title": f"{answers.ASPECT_TITLES[a]} – {procedure.short_name}",
                        "payload": answers.payload(a, procedure.id)} for a in guesses]
            text = f"Xin lỗi, tôi chưa hiểu rõ. Anh/Chị muốn hỏi gì về {procedure.short_name}?"
        _send(dispatcher, answers.Reply(text, buttons + [answers.MENU_BUTTON]))
        return [SlotSet("procedure", procedure.id)] if procedure else []

    @staticmethod
    def _guessed_aspects(tracker: Tracker) -> List[str]:
        ranking = tracker.latest_message.get("intent_ranking") or []
        return [r["name"] for r in ranking if r.get("name") in answers.ASPECTS][:MAX_GUESSES]
