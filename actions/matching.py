"""Find which procedure, special-case question or office a citizen's message is about.

Matching reads the catalog's aliases at run time, so a new alias works at the next
message. Exact whole-word matches on the folded text come first: the procedure named
first wins ("xin lltp để kết hôn..." is about the certificate), and at the same place the
longest alias ("kết hôn với người nước ngoài" beats "kết hôn"). When none is found, a fuzzy
pass over the longer aliases tolerates typos and keyboard residue ("lys lichj tuw phaps").
"""

from __future__ import annotations

import datetime as dt
from difflib import SequenceMatcher
from typing import Dict, List, Optional, Tuple

from actions.catalog import Catalog, Office, Procedure, QuestionAnswer
from actions.text import contains_phrase, fold, untelex
from actions.units import question_sentence

MAX_WORDS = 60  # a 10,000-character message is matched on its first words only
FUZZY_MIN_LENGTH = 11  # shorter aliases must match exactly: "cong chuc" is not "cong chung"
FUZZY_THRESHOLD = 0.84


class _AliasIndex:
    """Folded aliases of one catalog version, longest first."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        pairs = {}
        for proc in catalog.procedures.values():
            for alias in proc.aliases + proc.aliases_en + (proc.short_name, proc.name):
                pairs.setdefault(fold(alias), proc.id)
        self.procedures: List[Tuple[str, str]] = sorted(
            pairs.items(), key=lambda item: len(item[0]), reverse=True)
        # The same aliases by their first word, longest first: a message is searched at each
        # of its words for the few aliases starting with it, not for every alias at every
        # place (find_procedure runs about twice per message).
        self.by_first_word: Dict[str, List[Tuple[str, str]]] = {}
        for alias, proc_id in self.procedures:
            if alias:
                self.by_first_word.setdefault(alias.split(" ", 1)[0], []).append(
                    (f"{alias} ", proc_id))
        # One matcher per alias, the alias as its second sequence: difflib indexes that side
        # once, instead of once per window of every message (most of the fuzzy cost).
        # With what the fuzzy pass checks first, computed once: words, length, allowed length
        # difference, number of letter pairs.
        self.fuzzy = [(a, p, SequenceMatcher(None, "", a), pairs, a.count(" ") + 1, len(a),
                       len(a) * 0.35, len(pairs))
                      for a, p in self.procedures if len(a) >= FUZZY_MIN_LENGTH
                      for pairs in (_bigrams(a),)]
        self.offices: List[Tuple[str, str]] = sorted(
            ((fold(alias), office.id) for office in catalog.offices.values()
             for alias in office.aliases + (office.name,)),
            key=lambda item: len(item[0]), reverse=True)


_indexes: Dict[int, _AliasIndex] = {}


def _index(catalog: Catalog) -> _AliasIndex:
    index = _indexes.get(id(catalog))
    if index is None or index.catalog is not catalog:
        _indexes.clear()  # only the current catalog version is worth keeping
        index = _indexes[id(catalog)] = _AliasIndex(catalog)
    return index


def _prepare(text: str) -> str:
    return " ".join(fold(text or "").split()[:MAX_WORDS])


def find_procedure(catalog: Catalog, text: str, last: bool = False,
                   fuzzy: bool = True) -> Optional[Procedure]:
    """The procedure the message names first (or, with `last`, last: "không phải A mà là B"),
    or None; without `fuzzy`, only a name written exactly (once folded) counts."""
    folded = _prepare(text)
    if not folded:
        return None
    index = _index(catalog)
    # First named: the earliest start. Last named: the latest end ("ý tôi là trích lục khai
    # sinh" names the extract, not "khai sinh" inside it). Either way the longest name there.
    # (Two different aliases cannot share both a start and a length, so there are no ties.)
    padded = f"{folded} "  # each alias in the index ends with a space too: whole words only
    best: Tuple[int, int, Optional[str]] = (len(padded) + 1, 0, None)
    start = 0
    for word in folded.split(" "):
        for alias, proc_id in index.by_first_word.get(word, ()):
            if padded.startswith(alias, start):
                key = -(start + len(alias)) if last else start
                if (key, -len(alias)) < best[:2]:
                    best = (key, -len(alias), proc_id)
                if not last:
                    break  # the longest alias at the earliest place with any
        if best[2] is not None and not last:
            break
        start += len(word) + 1
    proc_id = best[2] or (_fuzzy_find(folded, index.fuzzy) if fuzzy else None)
    return catalog.procedures[proc_id] if proc_id else None


def refine(catalog: Catalog, procedure: Procedure, text: str) -> Procedure:
    """The more specific procedure the message's words point to (cu_the_hon), else the same."""
    folded = _prepare(text)
    for keywords, target in procedure.refinements:
        if any(contains_phrase(folded, k) for k in keywords) and target in catalog.procedures:
            return catalog.procedures[target]
    return procedure


def find_procedures(catalog: Catalog, text: str) -> List[Procedure]:
    """Every procedure the message names exactly, in the order they are named."""
    padded = f" {_prepare(text)} "
    found: Dict[str, int] = {}
    for alias, proc_id in _index(catalog).procedures:
        position = padded.find(f" {alias} ")
        if position >= 0 and position < found.get(proc_id, len(padded)):
            found[proc_id] = position
    return [catalog.procedures[p] for p, _ in sorted(found.items(), key=lambda item: item[1])]


def without_names(catalog: Catalog, folded: str) -> str:
    """The folded message with every procedure name removed: what else it says."""
    padded = f" {folded} "
    for alias, _ in _index(catalog).procedures:
        if alias and f" {alias} " in padded:
            padded = padded.replace(f" {alias} ", " ")
    return " ".join(padded.split())


# A window shares at least this share of its letter pairs with an alias it is a typo of; far
# cheaper to test (set intersection) than difflib's ratios, which only run on the rest.
MIN_SHARED_BIGRAMS = 0.5


def _bigrams(text: str) -> frozenset:
    return frozenset(text[i:i + 2] for i in range(len(text) - 1))


def _fuzzy_find(folded: str, aliases: List[tuple]) -> Optional[str]:
    words = [untelex(word) for word in folded.split()]
    # Every window is a piece of the whole message, so an alias sharing under a quarter of its
    # letter pairs with the whole message cannot pass the window test below (2·shared ≥
    # ½·(alias + window pairs)): one set intersection skips all its windows.
    message_pairs = _bigrams(" ".join(words))
    # Per number of words: the message's windows as [text, length, letter pairs (when needed)]
    windows: Dict[int, List[list]] = {}
    best: Tuple[float, Optional[str]] = (FUZZY_THRESHOLD, None)
    for alias, proc_id, matcher, pairs, size, length, slack, pair_count in aliases:
        if 4 * len(pairs & message_pairs) < MIN_SHARED_BIGRAMS * 2 * pair_count:
            continue
        texts = windows.get(size)
        if texts is None:
            texts = windows[size] = [
                [t, len(t), None] for t in
                (" ".join(words[i:i + size]) for i in range(max(1, len(words) - size + 1)))]
        for item in texts:
            window, window_length, window_pairs = item
            if abs(window_length - length) > slack:
                continue
            if window_pairs is None:
                window_pairs = item[2] = _bigrams(window)
            if 2 * len(pairs & window_pairs) < MIN_SHARED_BIGRAMS * (pair_count + len(window_pairs)):
                continue
            matcher.set_seq1(window)
            if matcher.real_quick_ratio() > best[0] and matcher.quick_ratio() > best[0]:
                ratio = matcher.ratio()
                if ratio > best[0] and _words_alike(window, alias):
                    best = (ratio, proc_id)
    return best[1]


def _words_alike(window: str, alias: str) -> bool:
    """Every word of the alias has a look-alike in the window: a typo ("lys lichj") passes, a
    different word does not ("người nước ngoài" is not "con nuôi nước ngoài")."""
    words = window.split()
    return all(any(SequenceMatcher(None, w, a).ratio() >= 0.5 for w in words)
               for a in alias.split())


def find_question(procedure: Procedure, text: str, aspect_key: str,
                  day: Optional[dt.date] = None) -> Optional[QuestionAnswer]:
    """The special case (hoi_dap) for this aspect, in force on `day`, whose most specific
    keyword is in the message."""
    return best_question(procedure.questions, text, aspect_key, day)


def find_general_question(catalog: Catalog, text: str, aspect_key: str,
                          day: Optional[dt.date] = None) -> Optional[QuestionAnswer]:
    """A question about no single procedure (chung.yml hoi_dap) the message asks."""
    return best_question(catalog.questions, text, aspect_key, day)


def best_question(questions: Tuple[QuestionAnswer, ...], text: str, aspect_key: str,
                  day: Optional[dt.date]) -> Optional[QuestionAnswer]:
    """The special case whose longest keyword is in the message; one that names the asked
    aspect in khia_canh wins over one that answers any aspect ("sinh viên đi xklđ thì được
    giảm không?" is the students' fee, not the general answer about working abroad)."""
    folded = _prepare(text)
    # A keyword of the asking sentence beats one of the story around it: "I taught in Vi Thanh
    # … Can I still get it from abroad?" asks about applying from abroad, not about Vi Thanh.
    asking = _prepare(question_sentence(text))
    best: Tuple[int, int, int, Optional[QuestionAnswer]] = (0, 0, 0, None)
    for question in questions:
        if not question.answers(aspect_key, day):
            continue
        names_aspect = int(aspect_key in question.aspects)
        for keyword in question.keywords:
            if (1, names_aspect, len(keyword)) <= best[:3] or not contains_phrase(folded, keyword):
                continue
            rank = (int(contains_phrase(asking, keyword)), names_aspect, len(keyword))
            if rank > best[:3]:
                best = (*rank, question)
    return best[3]


def find_office(catalog: Catalog, text: str) -> Optional[Office]:
    """An office the message names by one of its aliases (e.g. the closed Vị Thanh point)."""
    folded = _prepare(text)
    for alias, office_id in _index(catalog).offices:
        if alias and contains_phrase(folded, alias):
            return catalog.offices[office_id]
    return None
