"""The re-check worklist: facts verified too long ago, and facts still marked unknown.

Rules changed often in 2024–2026, so a fact nobody has re-checked for six months is a risk
for citizens. `make check-catalog` prints this list as warnings (not errors: the catalog
still loads), grouped by procedure or office, so staff know what to verify next.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Dict, List, Optional

from actions.catalog import FACT_FIELDS, Catalog, Fact

MAX_AGE_DAYS = 180


@dataclass(frozen=True)
class Item:
    owner: str  # "procedure 'ly_lich_tu_phap'" or "office 'cong_an_tp_can_tho'"
    source_file: str
    field: str  # the catalog field name; "" for the whole record
    kind: str  # "stale" (verified too long ago) or "unknown" (chua_ro)
    detail: str


def _age(day: dt.date, verified: dt.date) -> int:
    return (day - verified).days


def _stale(owner: str, source: str, field: str, verified: dt.date, day: dt.date,
           max_age: int) -> Optional[Item]:
    if _age(day, verified) <= max_age:
        return None
    what = "the record" if not field else f"field '{field}'"
    return Item(owner, source, field, "stale",
                f"{what} last verified {verified:%d/%m/%Y} ({_age(day, verified)} days ago)")


def _unknown(owner: str, source: str, field: str, fact: Fact) -> Optional[Item]:
    if fact.known:
        return None
    reason = (fact.unknown_reason or "").strip().splitlines()[0] if fact.unknown_reason else ""
    reason = f": {reason[:90]}…" if len(reason) > 90 else (f": {reason}" if reason else "")
    return Item(owner, source, field, "unknown", f"field '{field}' is unknown{reason}")


def worklist(catalog: Catalog, day: dt.date, max_age: int = MAX_AGE_DAYS) -> List[Item]:
    """Every fact to re-check on `day`, procedures first, in catalog order."""
    items: List[Optional[Item]] = []
    for proc in catalog.procedures.values():
        owner, source = f"procedure '{proc.id}'", proc.source_file
        items.append(_stale(owner, source, "", proc.verified_on, day, max_age))
        for name in FACT_FIELDS:
            if name not in proc.facts:
                continue
            fact = proc.fact(name, day)
            items.append(_unknown(owner, source, name, fact))
            if fact.known and fact.verified_on is not None:
                items.append(_stale(owner, source, name, fact.verified_on, day, max_age))
    for office in catalog.offices.values():
        if office.closed:
            continue
        owner, source = f"office '{office.id}'", "catalog/co-quan.yml"
        items.append(_stale(owner, source, "", office.verified_on, day, max_age))
        for name, fact in (("dia_chi", office.address), ("gio_lam_viec", office.hours),
                           ("dien_thoai", office.phone)):
            if office.kind == "van_phong":
                items.append(_unknown(owner, source, name, fact))
    return [item for item in items if item is not None]


def grouped(items: List[Item]) -> Dict[str, List[Item]]:
    groups: Dict[str, List[Item]] = {}
    for item in items:
        groups.setdefault(f"{item.source_file}: {item.owner}", []).append(item)
    return groups


def render(items: List[Item], day: dt.date) -> str:
    if not items:
        return f"Re-check worklist ({day:%d/%m/%Y}): nothing to re-check."
    stale = sum(item.kind == "stale" for item in items)
    lines = [f"Re-check worklist ({day:%d/%m/%Y}; warnings, not errors): "
             f"{stale} verified more than {MAX_AGE_DAYS} days ago, "
             f"{len(items) - stale} still unknown."]
    for owner, group in grouped(items).items():
        lines.append(f"  {owner}")
        lines += [f"    - {item.detail}" for item in group]
    return "\n".join(lines)
