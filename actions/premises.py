"""Corrections of outdated beliefs that a question carries (tien_de_sai in the catalog).

A citizen who asks "nộp lý lịch tư pháp ở Sở Tư pháp mấy giờ?" would go to the wrong office
if we only answered the hours. The catalog lists such beliefs (per procedure, and general ones
in chung.yml) with a one-sentence correction; the reply starts with it, then answers.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable, List, Optional

from actions.catalog import Catalog, Premise, Procedure
from actions.text import contains_phrase, fold

MAX_CORRECTIONS = 2  # more would bury the answer


# A companion word (kem_theo) counts only this many words either side of the keyword: "Em ở
# phường Vị Tân, mai em định đi chứng thực bằng … để nộp hồ sơ xin việc" names the citizen's
# home ward, not the closed Vị Tân point, while "lên Vị Thanh nộp" or "nộp ở điểm Vị Tân" keep
# the two together. A story's far-apart words used to start the reply with a correction that
# did not concern the citizen (and buried the answer).
_NEAR = 8


def _near(words: List[str], keyword: str, companions: Iterable[str]) -> bool:
    size = len(keyword.split())
    for at in range(len(words) - size + 1):
        if " ".join(words[at:at + size]) != keyword:
            continue
        around = " ".join(words[max(0, at - _NEAR):at + size + _NEAR])
        if any(contains_phrase(around, w) for w in companions):
            return True
    return False


def _holds(premise: Premise, folded: str) -> bool:
    keywords = [k for k in premise.keywords if contains_phrase(folded, k)]
    if not keywords:
        return False
    if not premise.with_any:
        return True
    words = folded.split()
    return any(_near(words, keyword, premise.with_any) for keyword in keywords)


def corrections(catalog: Catalog, procedure: Optional[Procedure], text: str, aspect_key: str,
                day: dt.date, lang: str = "vi") -> List[str]:
    """The corrections to say first: the procedure's own, then general ones, at most two."""
    folded = fold(text or "")
    if not folded:
        return []
    candidates: Iterable[Premise] = (procedure.premises if procedure else ()) + catalog.premises
    found: List[str] = []
    for premise in candidates:
        correction = (premise.correction_en if lang == "en" else None) or premise.correction
        if premise.applies(aspect_key, day) and _holds(premise, folded) \
                and correction not in found:
            found.append(correction)
    return found[:MAX_CORRECTIONS]


def with_corrections(found: List[str], text: str) -> str:
    return "\n".join(found + [""] + [text]) if found else text
