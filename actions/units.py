"""Answer units: the bullets and sentences of a catalog text, and the ones a question asks for.

A catalog field answers a whole aspect ("Lệ phí" lists the normal fee, the reduced fees, the
exemptions, the extra copies, the fees by channel). A citizen usually asks one detail of it
("sinh viên có được giảm không?", "is the fee the same on VNeID?"). So a field is split into
units (each bullet, each short line; long lines into sentences), and the units that carry
the question's own words lead the answer; the whole field stays one button away
("Xem đầy đủ"). A broad question ("lệ phí bao nhiêu?") gets the field from the top, cut at a
phone screen (`MAX_BODY` characters) when it is longer.

How a unit is chosen (measured on the content set's dev halves, see README "How a question is
answered"): the question's folded words, minus the words that only say which procedure and which
aspect is asked, are weighted by how rare they are among all the catalog's units (inverse
document frequency, so "sinh viên" counts and "phiếu" hardly does); a unit scores the weight
of the words and word pairs it shares with the question, if it shares at least two different
words. Lexical on purpose: the units are
short, the words citizens use for a detail are the catalog's own words once folded, and a
dense model would need a package this project does not ship (issue #9 asks to measure first;
README says what was measured). Unit texts come from the catalog, so an officer's edit changes
them at once, without retraining.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from actions import aspects
from actions.catalog import Catalog, Procedure
from actions.text import fold

# The field's own text in a default reply: about a phone screen. The lines that frame it (a
# change of the law, the hedge, the note, the source) come on top and are never cut.
MAX_BODY = 600
# A field this short (two or three lines) is shown whole: choosing one of its lines saves
# nothing on a phone screen and can hide the line that fits the citizen's case (the adoption
# fees of a foreigner living in Vietnam and of one living abroad, side by side).
WHOLE_BODY = 300
# A question is "about a detail" when at least MIN_WORDS of its distinctive words are in one
# unit and weigh this much there; otherwise the field is answered from the top.
FOCUS_WEIGHT = 3.0
MAX_FOCUSED = 3
MIN_WORDS = 2
_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+(?=[A-ZĐÀ-Ỹ0-9(\-])")
LONG_LINE = 220
# Words that never say what is asked (function words of both languages, and the citizen's
# own politeness); rare in the catalog, so they would otherwise weigh much. Folded like the
# message ("my" is "mi" there).
_FUNCTION_WORDS = frozenset(fold(word) for word in """
a ad ah ak anh chi em toi minh ban ong ba co chu bac oi a u uh vay nhe nha nhi
la thi ma va voi cua cho o tai trong ngoai den tu ra vao len xuong nay do kia day
duoc khong chua roi da dang se con cung nua lai hay hoac neu khi thi nhung cac mot
gi nao sao the nhu bao nhieu lam muon can phai hoi xin giup cam on vui long biet
i you we my me is are am be was do does did can could would should will to of in on at
for with from by the an and or if what which how when where who whom whose this that it
please thanks hello hi also just get got need want know tell
""".split())


@dataclass(frozen=True)
class Unit:
    text: str
    label: str = ""  # the line that introduces a list ("Theo kênh nộp:"), shown with the unit
    line: int = 0  # which line of the text it comes from: a long line gives several units


def split(text: str) -> List[Unit]:
    """The units of a catalog text: each bullet or line; a long line, sentence by sentence.
    A line ending in ':' is not a unit of its own but the label of the bullets after it."""
    units: List[Unit] = []
    label = ""
    for number, raw in enumerate((text or "").splitlines()):
        line = raw.strip()
        if not line:
            continue
        if line.endswith(":") and len(line) < 80:
            label = line
            continue
        if not line.startswith("-"):
            label = "" if not units or not units[-1].label else label
        parts = [line] if len(line) <= LONG_LINE else _SENTENCE_END.split(line)
        units += [Unit(part.strip(), label if line.startswith("-") else "", number)
                  for part in parts if part.strip()]
    return units


def _words(text: str) -> List[str]:
    return fold(text).split()


def _terms(words: Sequence[str]) -> List[str]:
    """Single words and adjacent pairs: "khuyet tat" is one idea, "khuyet" alone half of one."""
    return list(words) + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


class Weights:
    """Inverse document frequency of words and word pairs over every unit of a catalog."""

    def __init__(self, texts: Iterable[str]):
        counts: Dict[str, int] = {}
        total = 0
        for text in texts:
            for unit in split(text):
                total += 1
                for term in set(_terms(_words(unit.text))):
                    counts[term] = counts.get(term, 0) + 1
        self._total = max(total, 1)
        self._counts = counts

    def of(self, term: str) -> float:
        count = self._counts.get(term, 0)
        if count == 0:
            return 0.0  # in no unit: cannot select one
        return math.log((self._total + 1) / count)


def _catalog_texts(catalog: Catalog) -> Iterable[str]:
    for procedure in catalog.procedures.values():
        for dated in procedure.facts.values():
            for version in dated.versions:
                fact = version.value
                yield from (t for t in (fact.text, fact.text_en) if t)


class _WeightsCache:
    """One `Weights` per catalog object: the catalog store builds a new catalog on every
    change, so a staff edit is weighed as soon as it is published."""

    def __init__(self) -> None:
        self._catalog: Optional[Catalog] = None
        self._weights: Optional[Weights] = None

    def __call__(self, catalog: Catalog) -> Weights:
        if self._catalog is not catalog or self._weights is None:
            self._weights = Weights(_catalog_texts(catalog))
            self._catalog = catalog
        return self._weights


weights_of = _WeightsCache()


def names_of(procedure: Procedure) -> List[str]:
    """The phrases that name `procedure`, and each word of its names on its own ("phiếu này")."""
    names = list(procedure.names)
    words = {word for name in names for word in fold(name).split()}
    return names + [*procedure.aliases, *procedure.aliases_en] + sorted(words)


_SENTENCES = re.compile(r"[?.!\n]+")


@functools.lru_cache(maxsize=8)  # asked for 4-5 times per message, by understanding and units
def question_sentence(question: str) -> str:
    """The sentence that asks: the last one with an aspect's question words, else the last.
    A story's personal details ("tôi ở phường Đại Thành, làm nghề tự do") say nothing about
    which detail is asked and would match units by accident."""
    sentences = [s for s in _SENTENCES.split(question or "") if s.strip()]
    for sentence in reversed(sentences):
        if aspects.asked_in(sentence, fold):
            return sentence
    return sentences[-1] if sentences else ""


def question_words(question: str, names: Iterable[str]) -> List[str]:
    """The words of the asking sentence of `question` that may say which detail is asked: not
    the procedure's names, not the aspect's cue words, not function words."""
    folded = f" {fold(question_sentence(question))} "
    for phrase in sorted({fold(n) for n in names if n} | _cue_phrases(), key=len, reverse=True):
        if phrase:
            folded = folded.replace(f" {phrase} ", "  ")
    words = folded.split()
    numbered = {i for i, w in enumerate(words)
                if w.isdigit() and i > 0 and words[i - 1] in _NUMBERING}
    if len({words[i] for i in numbered}) > 1:
        numbered = set()  # "số 1 với số 2 khác gì": both asked, the numbers tell nothing
    kept = _limit_words(question_sentence(question), words)
    return [w for i, w in enumerate(words) if (w not in _FUNCTION_WORDS or i in kept)
            and (not w.isdigit() or i in numbered)]


# "tối đa" (at most) folds to "toi da", the function words "tôi đã" (I have): with diacritics,
# or after "mức"/"giới hạn", the pair is kept, so "có mức tối đa cho một bản không?" finds the
# unit "tối đa 200.000 đồng/bản".
_LIMIT_ACCENTED = re.compile(r"\btối (đa|thiểu)\b", re.IGNORECASE)
_LIMIT_AFTER = frozenset({"muc", "gioi han", "han"})


def _limit_words(sentence: str, words: Sequence[str]) -> set:
    accented = bool(_LIMIT_ACCENTED.search(sentence or ""))
    kept = set()
    for i in range(len(words) - 1):
        if words[i] == "toi" and words[i + 1] in {"da", "thieu"} and (
                accented or (i > 0 and words[i - 1] in _LIMIT_AFTER)):
            kept |= {i, i + 1}
    return kept


# "phiếu số 2", "certificate no 2": a number after these words names one item of a list (the
# bullet "Phiếu số 2: không được ủy quyền"), unlike a count ("3 bản") or a date.
_NUMBERING = frozenset({"so", "no", "number", "mau"})


# Words of any question about a procedure, whatever detail it asks ("hồ sơ gồm giấy tờ gì").
_GENERIC_PHRASES = frozenset({"ho so", "giay to", "thu tuc", "gom", "nhung", "mang", "nop",
                              "phi", "tien", "dong", "documents", "papers", "apply",
                              "application", "procedure", "fee", "fees", "cost", "pay"})


@functools.lru_cache(maxsize=1)
def _cue_phrases() -> frozenset:
    """Every aspect's question words and the generic ones, folded like the message."""
    return frozenset(cue for row in aspects.ASPECT_TABLE
                     for cue in aspects.folded_cues(row, fold)) | _GENERIC_PHRASES


def score(unit: Unit, asked: Sequence[str], weights: Weights) -> float:
    """The weight of the question's words and word pairs found in the unit; 0 unless two
    different words are found: one folded syllable alone is too often another word ("đại
    học" is not "đại diện", "bản sao" not "bản chính")."""
    own = set(_terms(_words(unit.text)))
    # A number counts only with the word that numbers it ("số 2"): alone it is in any unit
    # with a number ("No. 2" of an English text, a date, a fee).
    found = [term for term in set(_terms(asked)) if term in own and not term.isdigit()]
    if len({word for term in found for word in term.split()}) < MIN_WORDS:
        return 0.0
    return sum(weights.of(term) for term in found)


def focus(units: Sequence[Unit], asked: Sequence[str], weights: Weights) -> List[int]:
    """Indexes of the units the question asks for, in their catalog order; [] when the
    question is broad (no unit carries enough of its distinctive words)."""
    if len(units) < 2 or not asked:
        return []
    scored = [(score(unit, asked, weights), i) for i, unit in enumerate(units)]
    best = max(s for s, _ in scored)
    if best < FOCUS_WEIGHT:
        return []
    chosen = {i for s, i in sorted(scored, reverse=True)[:MAX_FOCUSED] if s >= best * 0.6}
    # The first sentence of a long bullet is its head ("- Phiếu số 1: được ủy quyền…"): the
    # sentences after it say more about what it names ("Cha, mẹ… không cần văn bản ủy quyền"),
    # so a head chosen brings them.
    for i in sorted(chosen):
        if i == 0 or units[i - 1].line != units[i].line:
            chosen |= {j for j in range(i + 1, len(units)) if units[j].line == units[i].line}
    return sorted(chosen)


def render(units: Sequence[Unit]) -> str:
    """Units back to text, each list label once before its first chosen bullet."""
    lines: List[str] = []
    label = ""
    for unit in units:
        if unit.label and unit.label != label:
            lines.append(unit.label)
        label = unit.label
        lines.append(unit.text)
    return "\n".join(lines)


def cut(units: Sequence[Unit], budget: int) -> Tuple[List[Unit], bool]:
    """The first units that fit in `budget` characters (at least one); True when some were
    left out."""
    kept: List[Unit] = []
    used = 0
    for unit in units:
        size = len(unit.text) + 1 + (len(unit.label) + 1 if unit.label else 0)
        if kept and used + size > budget:
            return kept, True
        kept.append(unit)
        used += size
    return kept, False
