"""Rasa custom actions: thin adapters between the tracker and the answer composers.

Every question intent runs `action_answer_procedure`: the intent says which aspect is
asked, the message (or a button's entity, or the conversation so far) says which
procedure. New procedures in the catalog therefore need no new intents or rules.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import Restarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import answers, language, review_hooks, units
from actions.catalog import Catalog, CatalogStore, Procedure
from actions.matching import (
    find_general_question,
    find_procedure,
    find_procedures,
    find_question,
    refine,
)
from actions.premises import corrections, with_corrections
from actions.preview import catalog_for
from actions.settings import catalog_dir, today
from actions.text import fold
from actions.understanding import Message, understand

logger = logging.getLogger(__name__)

STORE = CatalogStore(catalog_dir())
FALLBACK_INTENT = "nlu_fallback"
MAX_GUESSES = 3
# Intents a button or a typed "/command" may name; any other "/..." is an unknown command.
KNOWN_COMMANDS = set(answers.ASPECTS) | {
    "inform_procedure", "help", "greet", "goodbye", "thank", "bot_challenge", "out_of_scope",
    "restart", "session_start", "feedback", FALLBACK_INTENT}


def _send(dispatcher: CollectingDispatcher, reply: answers.Reply,
          corrected: Optional[List[str]] = None) -> None:
    """Send a reply, after the corrections of any outdated belief the question carried."""
    text = with_corrections(corrected or [], reply.text)
    dispatcher.utter_message(text=text, buttons=reply.buttons or None)


def _intercepted(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """Handled before any answer (actions/review_hooks.py): a conversation an officer handles
    stays quiet, "gặp cán bộ" hands over, the message after a 👎 is its comment."""
    return review_hooks.intercept(dispatcher, tracker, lambda: catalog_for(tracker, STORE))


def _entity_procedure(tracker: Tracker, catalog: Catalog) -> Optional[Procedure]:
    for entity in tracker.latest_message.get("entities", []):
        if entity.get("entity") == "procedure":
            return catalog.procedures.get(str(entity.get("value")))
    return None


def _wants_full(tracker: Tracker) -> bool:
    """The "Xem đầy đủ" button: the whole field, not the part the question asked for."""
    return any(e.get("entity") == "detail" and e.get("value") == "full"
               for e in tracker.latest_message.get("entities", []))


def resolve_procedure(tracker: Tracker, catalog: Catalog,
                      message: Optional[Message] = None) -> Optional[Procedure]:
    """Named in this message, else chosen with a button, else the one being discussed."""
    message = message or understand(tracker, catalog)
    if message.procedure is not None:
        return message.procedure
    procedure = _entity_procedure(tracker, catalog) \
        or catalog.procedures.get(tracker.get_slot("procedure") or "")
    # "nếu chồng là người nước ngoài thì sao?" while discussing marriage: the foreign one.
    return refine(catalog, procedure, message.text) if procedure and message.text else procedure


def _intent(tracker: Tracker) -> Optional[str]:
    return tracker.latest_message.get("intent", {}).get("name")


def _unknown_command(tracker: Tracker, message: Message) -> bool:
    """A typed "/something" that is no command of ours (Rasa parses it as intent "something")."""
    return message.is_command and _intent(tracker) not in KNOWN_COMMANDS


def _language(message: Message) -> List[Dict[Text, Any]]:
    """Remember the language, so "ok, and the fee?" is answered in the language of the chat."""
    return [SlotSet("language", message.lang)]


def _general_answer(dispatcher: CollectingDispatcher, catalog: Catalog, message: Message,
                    aspect_key: str, corrected: List[str], in_questions: bool = False) -> bool:
    """Answer a question about no single procedure (the merger, offices, portals, another
    office's service); False when the message is not one. `in_questions`: also when the
    message names a procedure, if one of its questions ("…?") names none and is such a
    question (see _procedure_free_questions)."""
    if not message.text:
        return False
    text = message.text
    # A procedure guessed only from a look-alike word ("so do" is no "sao y") does not hide
    # another office's service the message names exactly ("làm sổ đỏ").
    if message.procedure is not None and find_procedure(catalog, text, fuzzy=False) is not None:
        text = _procedure_free_questions(catalog, text) if in_questions else ""
        if not text:
            return False
    question = find_general_question(catalog, text, aspect_key, today())
    if question is None:
        return False
    _send(dispatcher, answers.general_answer(catalog, question, message.lang), corrected)
    return True


_QUESTION = re.compile(r"[^?.!\n]+\?")


def _procedure_free_questions(catalog: Catalog, text: str) -> str:
    """The sentences of `text` that end with "?" and name no procedure. "Is Hau Giang still a
    province? My birth certificate says Vi Thanh, Hau Giang." asks about the merger; the
    birth certificate is only where the citizen read the old name. Used when the classifier
    understood nothing, where the other answer is "not understood"."""
    return " ".join(q for q in _QUESTION.findall(text) if not find_procedures(catalog, q))


class ActionAnswerProcedure(Action):
    def name(self) -> Text:
        return "action_answer_procedure"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        if _intercepted(dispatcher, tracker):
            return []
        catalog = catalog_for(tracker, STORE)
        message = understand(tracker, catalog)
        if _unknown_command(tracker, message):
            _send(dispatcher, answers.unknown_command(catalog, message.lang))
            return []
        return self.answer(dispatcher, tracker, catalog, message)

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, catalog: Catalog,
               message: Message) -> List[Dict[Text, Any]]:
        """Answer the question `message` asks, about the procedure it names or the one being
        discussed; also used by the other actions when the classifier misread a question."""
        day, lang = today(), message.lang
        asked = self._aspects(_intent(tracker), tracker, message, catalog)
        aspect = asked[0]
        aspect_key = answers.ASPECT_KEYS.get(aspect, "tong_quan")
        corrected = corrections(catalog, message.procedure, message.text, aspect_key, day, lang)
        # "mấy giờ làm việc?" during a conversation about a procedure asks about its office's
        # hours; without one, about the city centre's (chung.yml).
        about_office = aspect_key == "lien_he" and bool(tracker.get_slot("procedure"))
        if not about_office and _general_answer(dispatcher, catalog, message, aspect_key,
                                                corrected):
            # The question is remembered, so "thế còn xin giấy xác nhận tình trạng hôn nhân?"
            # after "làm hộ chiếu ở đâu?" asks where again, about the procedure it names.
            remembered = [SlotSet("aspect", aspect)] if aspect in answers.ASPECTS else []
            return [SlotSet("pending_aspect", None)] + remembered + _language(message)
        procedure = resolve_procedure(tracker, catalog, message)
        if procedure is None:
            reply = answers.which_procedure(catalog, aspect, lang)
            if _intent(tracker) == "inform_procedure":
                # Read as naming a procedure, yet none is named or being discussed: not
                # understood ("plugh"), so officers see it in the inbox. A question without a
                # procedure ("lệ phí bao nhiêu") is understood: asking which one is the answer.
                review_hooks.record_turn("unanswered", tracker, reply.text)
            _send(dispatcher, reply, corrected)
            return [SlotSet("pending_aspect", aspect)] + _language(message)
        if message.procedure is None:  # the belief may concern the procedure of the conversation
            corrected = corrections(catalog, procedure, message.text, aspect_key, day, lang)
        if self._stray_guess(message, asked, procedure):
            asked = [answers.OVERVIEW]
            aspect, aspect_key = answers.OVERVIEW, "tong_quan"
        # "How do I get a new copy?" where the catalog does not know the steps: where to apply
        # is what the citizen can act on; "not verified" would only name the channels.
        if "ask_steps" in asked and not procedure.fact("trinh_tu", day).known:
            asked = list(dict.fromkeys("ask_where" if a == "ask_steps" else a for a in asked))
            aspect = asked[0]
            aspect_key = answers.ASPECT_KEYS.get(aspect, "tong_quan")

        question = find_question(procedure, message.text, aspect_key, day) \
            if message.text else None
        if question is None and message.text and not message.asked:
            # The aspect is only the classifier's guess ("I need a criminal record for my work
            # permit. I live in Vi Thanh." read as "what you receive"): a special case the
            # message names, that answers a broad question, is a better answer than the guess.
            question = find_question(procedure, message.text, "tong_quan", day)
        replies = []
        rest = asked
        if question is not None:
            replies.append(answers.Reply(answers.question_answer(procedure, question, lang,
                                                                 catalog),
                                         answers.aspect_buttons(procedure, lang=lang)))
            # "đăng ký ở đâu, có nhanh không?": the special case answers where; how long is
            # still asked, unless the special case says it answers that too.
            rest = [a for a in asked[1:] if a in answers.ASPECTS
                    and answers.ASPECT_KEYS[a] not in question.aspects]
        replies += [answers.aspect_answer(catalog, self._best_source(catalog, message,
                                                                      procedure, a, day),
                                          a, message.office, day, lang, message.text,
                                          full=_wants_full(tracker))
                    for a in rest]
        reply = answers.Reply("\n\n".join(r.text for r in replies), replies[-1].buttons)
        reply = review_hooks.rated(reply, tracker, procedure.id, aspect, lang)
        _send(dispatcher, reply, corrected)
        last_aspect = aspect if aspect in answers.ASPECTS else tracker.get_slot("aspect")
        return [SlotSet("procedure", procedure.id), SlotSet("aspect", last_aspect),
                SlotSet("pending_aspect", None)] + _language(message)

    @staticmethod
    def _aspects(intent: Optional[str], tracker: Tracker, message: Message,
                 catalog: Optional[Catalog] = None) -> List[str]:
        """The aspects asked now (one, or two: "ở đâu, mấy ngày có?"), the first leading."""
        # "còn chứng thực thì sao?" or "à không, ý tôi là chứng thực" after a fee question asks
        # about the fee again, whatever the classifier made of the words.
        if message.repeats_question and tracker.get_slot("aspect"):
            return [tracker.get_slot("aspect")]
        # The question words of the last sentence outweigh a classifier trained on short
        # questions, which long stories and mixed questions mislead.
        if message.asked:
            if intent in message.asked:
                return [intent] + [a for a in message.asked if a != intent]
            return list(message.asked)
        # "còn người nước ngoài nhận con nuôi thì sao?" after a fee question: the fee again,
        # for what it names, unless the classifier heard an aspect in its words.
        if intent not in answers.ASPECTS and message.follows_up and tracker.get_slot("aspect"):
            return [tracker.get_slot("aspect")]
        # "nếu phải xác minh thì sao?" after "mấy ngày có?": a detail of the previous answer
        # ("Nếu cần xác minh: tối đa 23 ngày") is asked about, whatever the classifier guessed.
        if message.continues and catalog is not None \
                and _details_previous_answer(tracker, catalog, message):
            return [tracker.get_slot("aspect")]
        if intent in answers.ASPECTS:
            return [intent]
        if message.continues and tracker.get_slot("aspect"):
            return [tracker.get_slot("aspect")]
        pending = tracker.get_slot("pending_aspect")
        if pending:
            return [pending]
        # a bare name or a menu button asks for the overview.
        return [answers.OVERVIEW]

    @staticmethod
    def _stray_guess(message: Message, asked: List[str], procedure: Procedure) -> bool:
        """The classifier alone (no question word) chose a detail this procedure's catalog does
        not have at all: "I want to become a Vietnamese citizen, I've lived here 6 years" read
        as "differences", which only the Phiếu has. A statement (no "?") or that detail gets
        the overview, not "no verified information on the differences of Naturalisation"."""
        if message.asked or len(asked) != 1 or asked[0] not in answers.ASPECTS:
            return False
        key = answers.ASPECT_KEYS[asked[0]]
        return key in answers.FIELD_KEYS and key not in procedure.facts \
            and (asked[0] == "ask_difference" or "?" not in message.text)

    @staticmethod
    def _best_source(catalog: Catalog, message: Message, procedure: Procedure, aspect: str,
                     day) -> Procedure:
        """The procedure whose catalog answers this aspect: the one asked about, unless it does
        not know and another procedure the message names does ("hồ sơ nhập quốc tịch thì phiếu
        lý lịch tư pháp phải cấp trong bao lâu" is answered by the Phiếu's validity)."""
        key = answers.ASPECT_KEYS.get(aspect)
        if key is None or key not in answers.FIELD_KEYS or procedure.fact(key, day).known:
            return procedure
        for other in find_procedures(catalog, message.text):
            # Never the general procedure this one was refined from: the fee of a domestic
            # marriage is no answer about marrying a foreigner.
            refined_from = any(r.procedure == procedure.id for r in other.refinements)
            if other.id != procedure.id and not refined_from and other.fact(key, day).known:
                return other
        return procedure


GREETINGS = {
    "vi": "Xin chào anh/chị! Tôi là trợ lý ảo của Sở Tư pháp TP Cần Thơ (bao gồm địa bàn tỉnh "
          "Hậu Giang cũ), hướng dẫn thủ tục hành chính lĩnh vực tư pháp.",
    "en": "Hello! I am the virtual assistant of the Can Tho City Department of Justice (which "
          "includes former Hau Giang province). I explain administrative procedures of the "
          "justice field.",
}


class ActionShowMenu(Action):
    """The menu of procedures; after a greeting, the greeting first, in the citizen's language."""

    def name(self) -> Text:
        return "action_show_menu"

    def run(self, dispatcher, tracker, domain):
        if _intercepted(dispatcher, tracker):
            return []
        catalog = catalog_for(tracker, STORE)
        message = understand(tracker, catalog)
        if _intent(tracker) == "greet":
            dispatcher.utter_message(text=GREETINGS[message.lang])
        # "trợ giúp pháp lý là gì?", "chào ad, cho hỏi về lý lịch tư pháp": a message that
        # names a procedure is answered about it, not with the menu.
        if message.procedure is not None:
            return ActionAnswerProcedure().answer(dispatcher, tracker, catalog, message)
        # "can you help me extend my tourist visa?" reads as a request for help: a question
        # about no single procedure or about another office's service is answered.
        if _general_answer(dispatcher, catalog, message, "tong_quan", []):
            return [SlotSet("pending_aspect", None)] + _language(message)
        _send(dispatcher, answers.menu(catalog, message.lang))
        return [SlotSet("pending_aspect", None)] + _language(message)


class ActionSmallTalk(Action):
    """Thanks, goodbyes, "are you a bot?" — unless the message names a procedure: "à không,
    tôi hỏi chứng thực chữ ký chứ" must not be answered with "I am a bot"."""

    RESPONSES = {"bot_challenge": "utter_iamabot", "thank": "utter_thank",
                 "goodbye": "utter_goodbye"}
    ENGLISH = {
        "bot_challenge": "I am a virtual assistant (a chatbot) answering automatically from the "
                         "procedure catalog kept by the Department of Justice, not an officer. "
                         "For complex cases please ask at the one-stop counter.",
        "thank": "You are welcome. Ask me about any other procedure.",
        "goodbye": "Thank you for contacting us. Goodbye!",
    }

    def name(self) -> Text:
        return "action_small_talk"

    def run(self, dispatcher, tracker, domain):
        if _intercepted(dispatcher, tracker):
            return []
        catalog = catalog_for(tracker, STORE)
        message = understand(tracker, catalog)
        # "ba em là người có công thì có dc ko" while discussing legal aid reads like a remark
        # to the bot, yet it asks about the procedure being discussed.
        if message.procedure is not None or _misread_question(tracker, catalog, message):
            return ActionAnswerProcedure().run(dispatcher, tracker, domain)
        intent = _intent(tracker) or ""
        if message.lang == "en":
            dispatcher.utter_message(text=self.ENGLISH.get(intent, self.ENGLISH["bot_challenge"]))
        else:
            dispatcher.utter_message(response=self.RESPONSES.get(intent, "utter_iamabot"))
        return _language(message)


class ActionRestart(Action):
    """A citizen who types /restart gets a fresh conversation and is told so (Rasa's own
    action_restart answers nothing, which looks like a broken bot)."""

    def name(self) -> Text:
        return "action_restart"

    def run(self, dispatcher, tracker, domain):
        lang = tracker.get_slot("language") or "vi"
        _send(dispatcher, answers.restarted(catalog_for(tracker, STORE), lang))
        return [Restarted()]


class ActionOutOfScope(Action):
    def name(self) -> Text:
        return "action_out_of_scope"

    def run(self, dispatcher, tracker, domain):
        if _intercepted(dispatcher, tracker):
            return []
        catalog, day = catalog_for(tracker, STORE), today()
        message = understand(tracker, catalog)
        lang = message.lang
        if _unknown_command(tracker, message):
            _send(dispatcher, answers.unknown_command(catalog, lang))
            return []
        # A long story ("em ở Nhật, hộ khẩu ở Vị Thanh, muốn xin lltp...") can read as off-topic
        # to the classifier; a message that names a procedure is never refused.
        procedure = message.procedure
        corrected = corrections(catalog, procedure, message.text, "tong_quan", day, lang)
        if _general_answer(dispatcher, catalog, message, "tong_quan", corrected):
            return _language(message)
        if _misread_question(tracker, catalog, message):
            return ActionAnswerProcedure().answer(dispatcher, tracker, catalog, message)
        if procedure is not None:
            _send(dispatcher, answers.aspect_answer(catalog, procedure, answers.OVERVIEW, day=day,
                                                    lang=lang), corrected)
            return [SlotSet("procedure", procedure.id)] + _language(message)
        refusal = answers.out_of_scope(catalog, lang)
        review_hooks.record_turn("out_of_scope", tracker, refusal.text)
        _send(dispatcher, refusal, corrected)
        return _language(message)


def _details_previous_answer(tracker: Tracker, catalog: Catalog, message: Message) -> bool:
    """The message's words pick a unit of the field that answered the previous question, or
    name a special case of the procedure that answers it ("I meant for a student": the
    students' fee, though the field says "Students")."""
    aspect = tracker.get_slot("aspect") or ""
    procedure = catalog.procedures.get(tracker.get_slot("procedure") or "")
    key = answers.ASPECT_KEYS.get(aspect)
    if procedure is None or key is None or key not in answers.FIELD_KEYS:
        return False
    if find_question(procedure, message.text, key, today()) is not None:
        return True
    fact = procedure.fact(key, today())
    if not fact.known:
        return False
    # A word the follow-up has left once names, cue words and function words are gone ("xác"
    # of "xác minh": "mình" is a function word) is in a unit of that field.
    # Whole names only: "xác" of "xác minh" is also a word of "xác nhận tình trạng hôn nhân".
    names = [*procedure.names, *procedure.aliases, *procedure.aliases_en]
    asked = set(units.question_words(message.text, names))
    # Either language's text: "sorry, I meant for a student" is answered in English.
    texts = "\n".join(t for t in (fact.text, fact.text_en) if t)
    return any(asked & set(fold(unit.text).split()) for unit in units.split(texts))


def _misread_question(tracker: Tracker, catalog: Catalog, message: Message) -> bool:
    """A question the classifier took for off-topic or did not understand, which is plainly
    about a procedure: it names one (or one is being discussed) and its question words say
    what is asked, or it matches a special case of the procedure being discussed."""
    if not message.text:
        return False
    if message.procedure is not None and message.asked:
        return True
    # A first message that names a procedure and one of its special cases ("can a foreign
    # diploma be certified? does it need legalising?") is that special case's question.
    if message.procedure is not None \
            and find_question(message.procedure, message.text, "tong_quan") is not None:
        return True
    # "Thế còn xin giấy xác nhận tình trạng hôn nhân để đi nước ngoài?" after a question about
    # another office's service: the previous question, about the procedure it names.
    if message.procedure is not None and message.follows_up and tracker.get_slot("aspect"):
        return True
    current = catalog.procedures.get(tracker.get_slot("procedure") or "")
    if current is None:
        return False
    if (message.continues or message.follows_up) and tracker.get_slot("aspect"):
        return True
    # "với người Hàn Quốc thì sao?" after "tôi muốn đăng ký kết hôn": the words point to the
    # more specific procedure, which is what the follow-up asks about.
    if message.continues and refine(catalog, current, message.text) is not current:
        return True
    return bool(message.asked) or find_question(current, message.text, "tong_quan") is not None


_MIN_STORY_WORDS = 4


def _tells_circumstances(tracker: Tracker, message: Message) -> bool:
    """"bé sinh bên Nhật, giờ về ở Vị Thanh rồi" after "đăng ký khai sinh ở đâu?": no
    question, no procedure, words of a language we read: the citizen adds their situation to
    the previous question, which is answered again with it (a more specific procedure or
    detail it names), rather than "not understood"."""
    text = message.text
    return bool(text) and message.procedure is None and not message.asked \
        and "?" not in text and len(text.split()) >= _MIN_STORY_WORDS \
        and language.detect(text) is not None \
        and bool(tracker.get_slot("procedure")) and bool(tracker.get_slot("aspect"))


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
        if _intercepted(dispatcher, tracker):
            return []
        catalog = catalog_for(tracker, STORE)
        message = understand(tracker, catalog)
        lang = message.lang
        if not message.raw:
            _send(dispatcher, answers.blank_message(catalog, lang))
            return []
        corrected = corrections(catalog, message.procedure, message.text, "tong_quan", today(),
                                lang)
        if _general_answer(dispatcher, catalog, message, "tong_quan", corrected,
                           in_questions=True):
            return _language(message)
        if (message.procedure is not None and message.repeats_question
                and tracker.get_slot("aspect")) or _misread_question(tracker, catalog, message):
            return ActionAnswerProcedure().answer(dispatcher, tracker, catalog, message)
        if _tells_circumstances(tracker, message):
            return ActionAnswerProcedure().answer(dispatcher, tracker, catalog,
                                                  dataclasses.replace(message, continues=True))
        if _consecutive_fallbacks(tracker) >= 2:
            reply = review_hooks.with_handover_button(answers.still_not_understood(catalog, lang),
                                                      lang)
            review_hooks.record_turn("unanswered", tracker, reply.text)
            _send(dispatcher, reply, corrected)
            return _language(message)
        procedure = resolve_procedure(tracker, catalog, message)
        guessed = self._guessed_aspects(tracker)
        if procedure is not None:
            guessed = guessed or list(answers.BUTTON_ASPECTS[:MAX_GUESSES])
        reply = answers.guesses(procedure, guessed, lang)
        review_hooks.record_turn("unanswered", tracker, reply.text)
        _send(dispatcher, reply, corrected)
        events = [SlotSet("procedure", procedure.id)] if procedure else []
        return events + _language(message)

    @staticmethod
    def _guessed_aspects(tracker: Tracker) -> List[str]:
        ranking = tracker.latest_message.get("intent_ranking") or []
        return [r["name"] for r in ranking if r.get("name") in answers.ASPECTS][:MAX_GUESSES]
