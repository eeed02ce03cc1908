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


def _holds(premise: Premise, folded: str) -> bool:
    if not any(contains_phrase(folded, keyword) for keyword in premise.keywords):
        return False
    return not premise.with_any or any(contains_phrase(folded, w) for w in premise.with_any)


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
