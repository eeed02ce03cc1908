"""What a citizen's message says, worked out once per message.

The actions used to re-read and re-fold the typed text several times; they now take one
`Message`: the citizen's own words (empty for a button), their folded form, the procedure and
office they name, the language, and whether they only ask the previous question again about
something else ("còn khai sinh thì sao?", "à không, ý tôi là chứng thực chữ ký").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Tuple

from rasa_sdk import Tracker

from actions import aspects, language, units
from actions.catalog import Catalog, Office, Procedure
from actions.matching import find_office, find_procedure, find_procedures, refine, without_names
from actions.text import fold, is_correction, is_follow_up, telex_repaired

# Words that carry no question of their own in a correction or a follow-up.
_FILLER = re.compile(
    r"\b(a|ah|a khong|khong|nham|lon|xin loi|sorry|y la|y toi la|y em la|y minh la|toi hoi|"
    r"em hoi|minh hoi|toi dinh hoi|em dinh hoi|toi muon hoi|em muon hoi|chu|nha|nhe|ha|vay|"
    r"thoi|cai|ve|thu tuc|con|the|thi sao|thi the nao|the nao|i mean|i meant|ma la|khong phai|"
    r"go nham|hoi nham|hoi lon|ad|ban|oi|do|nay|kia|phai|roi|la|em|toi|minh|hoi|y|nhu nao|"
    r"nhu the nao|ntn|ra sao|sao|nua|luon|co|what about|and|how about|for|the|a)\b")


@dataclass(frozen=True)
class Message:
    text: str  # the citizen's own words; "" for a button payload such as /ask_fee{...}
    raw: str  # what arrived, payloads included
    folded: str
    procedure: Optional[Procedure]  # named in this message
    office: Optional[Office]  # named in this message
    repeats_question: bool  # asks the previous question about what it names
    lang: str  # "vi" or "en": this message's language, else the conversation's
    asked: Tuple[str, ...] = ()  # aspects its question words ask for ("ở đâu, mấy ngày có?")
    # "nếu phải xác minh thì sao?", "ý tôi là cho sinh viên": no procedure, no question words, a
    # follow-up or a correction: the previous question again, about the detail it names.
    continues: bool = False
    # "còn người nước ngoài nhận con nuôi thì sao?": a follow-up with no question words of its
    # own, whatever else it names: the previous question, about what it names.
    follows_up: bool = False

    @property
    def is_command(self) -> bool:
        return self.raw.startswith("/")


def _repeats_question(catalog: Catalog, text: str, folded: str) -> bool:
    """True for "còn X thì sao?" or "à không, ý tôi là X" that says nothing but a procedure X
    ("còn phí X thì sao?" asks about the fee: the classifier's aspect stands)."""
    if not (is_follow_up(text) or is_correction(text)):
        return False
    rest = _FILLER.sub(" ", without_names(catalog, folded))
    return not rest.split()


# "công ty đòi lý lịch tư pháp", "bên đó yêu cầu em nộp phiếu…", "muốn nhập quốc tịch": the
# procedure a story's citizen needs follows one of these verbs (with a word or two between).
# In English: "my lawyer says I need a judicial record number 2", "the school requires a …";
# not "need to": "do I need to go to a notary?" names where to go, not what is needed.
_NEEDS = re.compile(r"\b(doi|yeu cau|bat|can|muon|phai co|phai nop|phai lam|xin)\b"
                    r"|\b(need|needs|needed|require|requires|required|want|wants|ask for|"
                    r"asks for|asked for|apply for)\b(?! to\b)")
_AFTER_NEED = 4  # words between the verb and the name, at most ("bắt em nộp phiếu …")


def _needed(catalog: Catalog, folded: str) -> Optional[Procedure]:
    """The last procedure the story says someone needs, demands or wants."""
    found = None
    for match in _NEEDS.finditer(folded):
        words = folded[match.end():].split()
        for skip in range(_AFTER_NEED + 1):
            window = " ".join(words[skip:skip + 8])
            named = find_procedure(catalog, window, fuzzy=False)
            if named is not None and _starts_with_name(f"{window} ", named):
                found = named
                break
    return found


def _starts_with_name(window: str, procedure: Procedure) -> bool:
    return any(window.startswith(f"{fold(name)} ") for name in
               (*procedure.aliases, *procedure.aliases_en, procedure.short_name, procedure.name))


def _named(catalog: Catalog, text: str) -> Optional[Procedure]:
    """The procedure the message is about. "Không phải A mà là B": a correction is about the
    one named last. A story is about the one its question names up to its first question word
    ("...không có tiền thuê luật sư. Em có được trợ giúp pháp lý miễn phí không?"), else the
    last one it says someone needs ("kết hôn với người Đài Loan, bên đó yêu cầu em nộp phiếu lý
    lịch tư pháp. Giờ em xin ở đâu?"), else the first it names."""
    if is_correction(text):
        return find_procedure(catalog, text, last=True)
    asking = units.question_sentence(text)
    if asking != text:
        folded = fold(asking)
        subject = find_procedure(catalog, folded[:aspects.first_cue_end(folded, fold)],
                                 fuzzy=False)
        if subject is not None:
            return subject
    return _needed(catalog, fold(text)) or find_procedure(catalog, text)


def understand(tracker: Tracker, catalog: Catalog) -> Message:
    raw = (tracker.latest_message.get("text") or "").strip()
    text = "" if raw.startswith("/") else telex_repaired(raw, language.ENGLISH)
    folded = fold(text)
    procedure = _named(catalog, text) if text else None
    if procedure is not None:
        procedure = refine(catalog, procedure, text)
    elif text:
        procedure = _referred(tracker, catalog, folded)
    asked = _asked(catalog, text, procedure or _current(tracker, catalog))
    used_for = _used_for_another(tracker, catalog, text, folded, procedure, asked)
    if used_for:
        procedure = _current(tracker, catalog)
    return Message(
        text=text, raw=raw, folded=folded, procedure=procedure,
        office=find_office(catalog, text) if text else None,
        repeats_question=used_for or (procedure is not None
                                      and _repeats_question(catalog, text, folded)),
        lang=language.detect(text) or tracker.get_slot("language") or language.VI,
        asked=tuple(asked),
        # "sorry, I meant for a student" corrects the detail, not the procedure: the same.
        continues=procedure is None and not asked and bool(text)
        and (is_follow_up(text) or is_correction(text)),
        follows_up=not asked and bool(text) and is_follow_up(text),
    )


# "Phiếu đó giờ xin ở đâu?" after a question about naturalisation that mentioned the Phiếu:
# a noun with "đó/này/ấy" points back to the procedure the conversation named with that noun.
_POINTING = re.compile(r"\b(phieu|giay|trich luc|ban sao|the|certificate|extract)"
                       r" (do|nay|ay|kia|that|this)\b")
_LOOK_BACK = 6  # earlier messages of the citizen searched for the noun


def _referred(tracker: Tracker, catalog: Catalog, folded: str) -> Optional[Procedure]:
    """The procedure an earlier message named with the noun this one points at with "đó";
    None when the conversation's own procedure is named that way (it stands anyway)."""
    pointing = _POINTING.search(folded)
    if pointing is None:
        return None
    noun = f" {pointing.group(1)} "
    current = _current(tracker, catalog)
    if current is not None and noun in _names(current):
        return None
    earlier = [e.get("text") or "" for e in tracker.events if e.get("event") == "user"][:-1]
    for text in reversed(earlier[-_LOOK_BACK:]):
        for named in reversed(find_procedures(catalog, text)):
            if (current is None or named.id != current.id) and noun in _names(named):
                return named
    return None


def _names(procedure: Procedure) -> str:
    return " " + " ".join(fold(name) for name in procedure.names) + " "


_PAGES = re.compile(r"\b\d{1,4}[\s-]*(trang|pages?)\b", re.IGNORECASE)


def _current(tracker: Tracker, catalog: Catalog) -> Optional[Procedure]:
    return catalog.procedures.get(tracker.get_slot("procedure") or "")


# "thế còn nếu tôi dùng nó cho hồ sơ nhập quốc tịch thì sao?" after a question on the Phiếu's
# validity: "nó" is the Phiếu, and naturalisation only what it is used for, so the previous
# question is asked again about the Phiếu (whose answer lists what a naturalisation file
# needs). Only a pronoun followed by what it is for: "it" alone is in too many questions.
_IT_FOR = re.compile(r"\b(no|cai do|cai nay|giay do|it|them)\b (cho|de|vao|for|in)\b")


def _used_for_another(tracker: Tracker, catalog: Catalog, text: str, folded: str,
                      named: Optional[Procedure], asked: list) -> bool:
    current = _current(tracker, catalog)
    return (named is not None and current is not None and named.id != current.id
            and not asked and bool(tracker.get_slot("aspect")) and is_follow_up(text)
            and _IT_FOR.search(folded) is not None)


# "con tôi 16 tuổi có được trợ giúp pháp lý không?": "được <the procedure> không" asks who
# may have it.
_ENTITLED = re.compile(r"\bduoc (.{3,80}?) (khong|chua)\b")


# "Can I get legal aid? I'm disabled.": in English, "can I get / am I entitled to <the
# procedure>" asks the same, wherever the story puts the question.
_ENTITLED_EN = re.compile(r"\b(?:can i get|can i have|can i receive|am i entitled to|"
                          r"am i eligible for|can we get|can he get|can she get|can they get|"
                          r"is he entitled to|is she entitled to|is he eligible for|"
                          r"is she eligible for) (.{3,80})")


def _asks_entitlement(catalog: Catalog, text: str) -> bool:
    match = _ENTITLED.search(fold(units.question_sentence(text)))
    if match is not None and find_procedure(catalog, match.group(1), fuzzy=False) is not None:
        return True
    # Only when the sentence ends with the name ("for free", "here" at most): "Can I get my
    # criminal record certificate by post?" asks the channel, not who may have it.
    for sentence in re.split(r"[?.!\n]+", text or ""):
        match = _ENTITLED_EN.search(fold(sentence))
        if match is not None and find_procedure(catalog, match.group(1), fuzzy=False) \
                and not set(without_names(catalog, match.group(1)).split()) - _BESIDE_NAME:
            return True
    return False


# Words that may stand beside the name in such a question (folded: "my" is "mi").
_BESIDE_NAME = frozenset("a an the mi my our his her for free here too also now please".split())


# "bố em là người có công thì có được không?": "(có) được không" ending a question about a
# kind of person the procedure's doi_tuong lists asks whether that person may have it.
_MAY_THEY = re.compile(r"\bduoc (khong|chua)( (a|ad|ak|ha|vay|nhi|nhe|nha|oi))*$")


def _asks_for_listed_person(catalog: Catalog, text: str, procedure: Procedure) -> bool:
    if not _MAY_THEY.search(fold(units.question_sentence(text))):
        return False
    fact = procedure.fact("doi_tuong")
    listed = units.split("\n".join(t for t in (fact.text, fact.text_en) if t))
    words = units.question_words(text, units.names_of(procedure))
    return bool(units.focus(listed, words, units.weights_of(catalog)))


# "con tôi mới 17 tuổi thì tự đi xin được không?", "I'm 15, can I apply myself?": an age in
# the asking sentence with "được không" / "can I" asks whether a person that old may have it
# (who may request, doi_tuong), not who may apply for whom.
_AGE = re.compile(r"\b\d{1,2} ?(tuoi|years? old|yo)\b")
_MAY = re.compile(r"\b(duoc khong|duoc chua|co duoc|duoc phep|can i|can he|can she|can they|"
                  r"may i|am i allowed|is he allowed|is she allowed|old enough)\b")


def _asks_about_age(text: str) -> bool:
    asking = fold(units.question_sentence(text))
    return bool(_AGE.search(asking) and _MAY.search(asking))


def _asked(catalog: Catalog, text: str, procedure: Optional[Procedure]) -> list:
    """The aspects the question words ask for; "bản 12 trang thì sao?" asks the fee when the
    procedure's fee is counted by pages; "có được <thủ tục> không?" and "<a person its
    doi_tuong lists> có được không?" who may have it."""
    asked = aspects.asked_in(text, fold)
    if not asked and procedure is not None and procedure.page_fee and _PAGES.search(text or ""):
        return ["ask_fee"]
    if not asked and procedure is not None and procedure.fact("doi_tuong").known \
            and (_asks_entitlement(catalog, text) or _asks_about_age(text)
                 or _asks_for_listed_person(catalog, text, procedure)):
        return ["ask_eligibility"]
    return asked
