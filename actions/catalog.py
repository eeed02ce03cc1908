"""Load and validate the procedure catalog (catalog/*.yml) that staff edit.

Every problem is reported with its file, the procedure or office, and the field, all at
once, so staff can fix a file in one pass. `python -m actions.catalog` validates from the
command line. The format is documented in catalog/README.md.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Generic, List, Optional, Tuple, TypeVar

import yaml

from actions.aspects import CATALOG_KEYS
from actions.settings import today
from actions.text import fold

# Answer fields of a procedure: each holds a Fact (text, or a mapping, or {chua_ro: why}).
FACT_FIELDS = (
    "trinh_tu", "thanh_phan_ho_so", "le_phi", "thoi_han_giai_quyet", "doi_tuong",
    "uy_quyen", "mau_don", "thoi_han_su_dung", "ket_qua", "phan_biet", "can_cu_phap_ly",
)
PROCEDURE_REQUIRED = (
    "id", "ten", "ten_ngan", "linh_vuc", "cap_thuc_hien", "co_quan_thuc_hien", "mo_ta",
    "hieu_luc_tu", "ngay_xac_minh", "nguon", "bi_danh",
)
PROCEDURE_OPTIONAL = ("ma_tthc", "noi_nop", "kenh_chinh_thuc", "cach_thuc", "thay_doi", "hoi_dap",
                      "tien_de_sai", "ten_en", "ten_ngan_en", "mo_ta_en", "bi_danh_en", "cu_the_hon",
                      "phi_theo_trang")
CHANNEL_KINDS = ("truc_tiep", "buu_chinh", "truc_tuyen")
# What a question can be about, as staff name it in hoi_dap.khia_canh (the aspect table's keys).
ASPECT_KEYS = CATALOG_KEYS
# How sure a fact is (do_tin_cay): confirmed by a legal text (the default, no hedge), resting
# on press reports of a text nobody here has read, or recalled and not yet confirmed.
CONFIDENCE_LEVELS = ("van_ban", "bao_chi", "chua_chac")
FACT_KEYS = ("noi_dung", "can_cu", "luu_y", "do_tin_cay", "tom_tat", "ngay_xac_minh",
             "noi_dung_en", "luu_y_en", "tom_tat_en")
VERSION_KEYS = ("tu_ngay", "den_ngay", "chua_ro") + FACT_KEYS
OFFICE_KINDS = ("van_phong", "cong_thong_tin")
OFFICE_STATES = ("dang_hoat_dong", "da_dong")
OFFICE_KEYS = (
    "id", "ten", "loai", "dia_chi", "gio_lam_viec", "dien_thoai", "website", "trang_thai",
    "ngay_dong", "thay_the_boi", "ghi_chu", "bi_danh", "nguon", "ngay_xac_minh",
    "ten_en", "ghi_chu_en",
)
MAX_SHORT_NAME = 30
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class CatalogError(Exception):
    """The catalog cannot be used; the message lists every problem, one per line."""

    def __init__(self, problems: List[str]):
        self.problems = problems
        super().__init__("Catalog is invalid:\n" + "\n".join(f"- {p}" for p in problems))


@dataclass(frozen=True)
class Fact:
    """One answer: known text (with its legal basis and caveat) or an explained unknown."""

    text: Optional[str] = None
    basis: Optional[str] = None
    caveat: Optional[str] = None
    unknown_reason: Optional[str] = None
    confidence: str = "van_ban"
    summary: Optional[str] = None  # tom_tat: one line, for "Từ 01/7/2026: X (trước đó: Y)"
    verified_on: Optional[dt.date] = None  # when this fact was re-checked, if not with its record
    # English, for foreigners (noi_dung_en, luu_y_en, tom_tat_en); None: Vietnamese only.
    text_en: Optional[str] = None
    caveat_en: Optional[str] = None
    summary_en: Optional[str] = None

    @property
    def known(self) -> bool:
        return self.text is not None

    def in_language(self, lang: str) -> "Fact":
        """This fact with its English texts in place of the Vietnamese ones, when asked in
        English and they exist; the Vietnamese fact otherwise."""
        if lang != "en" or not self.text_en:
            return self
        return Fact(self.text_en, self.basis, self.caveat_en or self.caveat, self.unknown_reason,
                    self.confidence, self.summary_en or None, self.verified_on,
                    self.text_en, self.caveat_en, self.summary_en)

    @property
    def short(self) -> str:
        """The one-line form of the fact: its summary, else its first line."""
        if self.summary:
            return self.summary
        first = (self.text or "").strip().splitlines()[0] if self.text else ""
        return first.lstrip("- ").strip()


UNKNOWN = Fact()
T = TypeVar("T")


@dataclass(frozen=True)
class Version(Generic[T]):
    """A value in force from `start` (None: always was) to `end` inclusive (None: open-ended)."""

    start: Optional[dt.date]
    end: Optional[dt.date]
    value: T

    def applies(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Dated(Generic[T]):
    """A value with dated versions, oldest first, so rules can be entered before they apply.

    A version without an end lasts until the next one starts; the validator has already
    rejected unordered and overlapping versions."""

    versions: Tuple[Version[T], ...]

    @classmethod
    def always(cls, value: T) -> "Dated[T]":
        return cls((Version(None, None, value),))

    def _index(self, day: dt.date) -> Optional[int]:
        found = None
        for index, version in enumerate(self.versions):
            if version.applies(day):
                found = index  # a later version that has started replaces an open-ended one
        return found

    def at(self, day: dt.date) -> Optional[T]:
        index = self._index(day)
        return None if index is None else self.versions[index].value

    def change(self, day: dt.date) -> Optional[Tuple[Version[T], Version[T]]]:
        """(current, previous) when the version in force on `day` replaced an earlier one."""
        index = self._index(day)
        if not index:
            return None
        return self.versions[index], self.versions[index - 1]


@dataclass(frozen=True)
class Channel:
    kind: str
    description: Dated[Fact]
    name: Optional[str] = None
    time: Optional[Dated[Fact]] = None
    fee: Optional[Dated[Fact]] = None

    def detail(self, attribute: str, day: dt.date) -> Optional[Fact]:
        """This channel's description, time or fee in force on `day` (None when it has none)."""
        dated = getattr(self, attribute)
        fact = dated.at(day) if dated is not None else None
        return fact if fact is not None and fact.known else None


@dataclass(frozen=True)
class Change:
    date: dt.date
    text: str
    source: Optional[str] = None


@dataclass(frozen=True)
class QuestionAnswer:
    question: str
    keywords: Tuple[str, ...]  # folded
    answer: str
    source: Optional[str] = None
    aspects: Tuple[str, ...] = ()  # empty: whatever aspect is asked
    start: Optional[dt.date] = None  # tu_ngay / den_ngay: only while the rule it explains holds
    end: Optional[dt.date] = None
    question_en: Optional[str] = None
    answer_en: Optional[str] = None

    def answers(self, aspect_key: str, day: Optional[dt.date] = None) -> bool:
        in_force = day is None or Version(self.start, self.end, None).applies(day)
        return in_force and (not self.aspects or aspect_key in self.aspects)


@dataclass(frozen=True)
class Premise:
    """An outdated belief a question may carry (tien_de_sai), and the one-sentence correction.

    It applies when the message contains one of `keywords` and, if `with_any` is given, also
    one of those ("phiếu số 2" with "công ty"): the correction is said before the answer."""

    keywords: Tuple[str, ...]  # folded
    correction: str
    with_any: Tuple[str, ...] = ()  # folded
    aspects: Tuple[str, ...] = ()
    start: Optional[dt.date] = None
    end: Optional[dt.date] = None
    correction_en: Optional[str] = None

    def applies(self, aspect_key: str, day: dt.date) -> bool:
        in_force = Version(self.start, self.end, None).applies(day)
        return in_force and (not self.aspects or aspect_key in self.aspects)


@dataclass(frozen=True)
class PageFee:
    """A fee by pages (phi_theo_trang): `first` đồng for each of the first `first_pages`
    pages, `next` for each further page, at most `cap` per copy."""

    first: int
    first_pages: int
    next: int
    cap: Optional[int] = None

    def for_pages(self, pages: int) -> int:
        total = self.first * min(pages, self.first_pages) + self.next * max(pages - self.first_pages, 0)
        return min(total, self.cap) if self.cap else total


@dataclass(frozen=True)
class Procedure:
    id: str
    name: str
    short_name: str
    field: str
    level: str
    agency: str
    summary: str
    effective_from: dt.date
    verified_on: dt.date
    sources: Tuple[str, ...]
    aliases: Tuple[str, ...]
    source_file: str
    code: Optional[str] = None
    offices: Tuple[str, ...] = ()
    official_channel: Optional[str] = None
    facts: Dict[str, Dated[Fact]] = field(default_factory=dict)
    channels: Tuple[Channel, ...] = ()
    changes: Tuple[Change, ...] = ()
    questions: Tuple[QuestionAnswer, ...] = ()
    premises: Tuple[Premise, ...] = ()
    name_en: Optional[str] = None
    short_name_en: Optional[str] = None
    summary_en: Optional[str] = None
    aliases_en: Tuple[str, ...] = ()  # bi_danh_en: how foreigners name it
    # cu_the_hon: (folded words, procedure id): "kết hôn" with "người Trung Quốc" is the marriage
    # with a foreigner, not the domestic one the alias names.
    refinements: Tuple[Tuple[Tuple[str, ...], str], ...] = ()
    page_fee: Optional["PageFee"] = None  # phi_theo_trang: a fee counted per page

    def fact(self, name: str, day: Optional[dt.date] = None) -> Fact:
        """The fact in force on `day` (today when omitted); UNKNOWN when none is."""
        dated = self.facts.get(name)
        if dated is None:
            return UNKNOWN
        fact = dated.at(day or today())
        return fact if fact is not None else UNKNOWN


@dataclass(frozen=True)
class Office:
    id: str
    name: str
    kind: str
    address: Fact
    hours: Fact
    phone: Fact
    status: str
    sources: Tuple[str, ...]
    verified_on: dt.date
    website: Optional[str] = None
    closed_on: Optional[dt.date] = None
    replaced_by: Optional[str] = None
    note: Optional[str] = None
    aliases: Tuple[str, ...] = ()
    name_en: Optional[str] = None
    note_en: Optional[str] = None

    @property
    def closed(self) -> bool:
        return self.status == "da_dong"


@dataclass(frozen=True)
class Catalog:
    procedures: Dict[str, Procedure]
    offices: Dict[str, Office]
    official_channel: str
    verified_on: dt.date
    menu: Tuple[str, ...]
    premises: Tuple[Premise, ...] = ()
    # Questions about no single procedure (the merger, offices, hours, portals) and about other
    # offices' services, answered without asking "which procedure?" (chung.yml hoi_dap).
    questions: Tuple[QuestionAnswer, ...] = ()
    official_channel_en: Optional[str] = None
    where_to_file: Optional[str] = None  # noi_nop_chung: "where?" about no procedure in particular
    where_to_file_en: Optional[str] = None


class _Problems:
    """Collects problems with their location instead of stopping at the first."""

    def __init__(self) -> None:
        self.items: List[str] = []

    def add(self, where: str, problem: str) -> None:
        self.items.append(f"{where}: {problem}")


def parse_date(value: Any) -> Optional[dt.date]:
    """A catalog date: a YAML date, or a text YYYY-MM-DD or DD/MM/YYYY; None otherwise."""
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return dt.datetime.strptime(value.strip(), pattern).date()
            except ValueError:
                pass
    return None


class _Record:
    """Typed access to one YAML mapping, reporting problems as '<file>: <what> '<id>', field 'x''."""

    def __init__(self, data: dict, where: str, problems: _Problems):
        self.data, self.where, self.problems = data, where, problems

    def _bad(self, key: str, problem: str) -> None:
        self.problems.add(f"{self.where}, field '{key}'", problem)

    def check_keys(self, allowed: Tuple[str, ...]) -> None:
        for key in self.data:
            if key not in allowed:
                self._bad(str(key), "unknown field (a typo?); allowed: " + ", ".join(allowed))

    def text(self, key: str, required: bool = True) -> Optional[str]:
        value = self.data.get(key)
        if value is None:
            if required:
                self._bad(key, "missing (required)")
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            self._bad(key, f"must be a non-empty text, got {value!r}")
            return None
        return value.strip()

    def date(self, key: str, required: bool = True) -> Optional[dt.date]:
        value = self.data.get(key)
        if value is None:
            if required:
                self._bad(key, "missing (required); write YYYY-MM-DD or DD/MM/YYYY")
            return None
        parsed = parse_date(value)
        if parsed is None:
            self._bad(key, f"not a date: {value!r}; write YYYY-MM-DD or DD/MM/YYYY")
        return parsed

    def texts(self, key: str, required: bool = True) -> Tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            if required:
                self._bad(key, "missing (required): a list of texts")
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value:
            self._bad(key, "must be a non-empty list of texts")
            return ()
        items = []
        for item in value:
            if not isinstance(item, (str, int, float)) or not str(item).strip():
                self._bad(key, f"every item must be a non-empty text, got {item!r}")
            else:
                items.append(str(item).strip())
        return tuple(items)

    def choice(self, key: str, allowed: Tuple[str, ...]) -> Optional[str]:
        value = self.text(key)
        if value is not None and value not in allowed:
            self._bad(key, f"{value!r} is not one of: {', '.join(allowed)}")
            return None
        return value

    def fact(self, key: str) -> Optional[Fact]:
        """A text, {noi_dung, can_cu, luu_y, ...} or {chua_ro: why}; None when absent."""
        value = self.data.get(key)
        if value is None:
            return None
        return self._fact_value(key, value, f"{self.where}, field '{key}'")

    def _fact_value(self, key: str, value: Any, where: str,
                    extra_keys: Tuple[str, ...] = ()) -> Optional[Fact]:
        if isinstance(value, str) and value.strip():
            return Fact(text=value.strip())
        if isinstance(value, dict):
            sub = _Record(value, where, self.problems)
            if "chua_ro" in value:
                sub.check_keys(("chua_ro",) + extra_keys)
                return Fact(unknown_reason=sub.text("chua_ro"))
            sub.check_keys(FACT_KEYS + extra_keys)
            text = sub.text("noi_dung")
            confidence = sub.choice("do_tin_cay", CONFIDENCE_LEVELS) if "do_tin_cay" in value \
                else "van_ban"
            if text is None:
                return None
            return Fact(text=text, basis=sub.text("can_cu", False), caveat=sub.text("luu_y", False),
                        confidence=confidence or "van_ban", summary=sub.text("tom_tat", False),
                        verified_on=sub.date("ngay_xac_minh", required=False),
                        text_en=sub.text("noi_dung_en", False),
                        caveat_en=sub.text("luu_y_en", False),
                        summary_en=sub.text("tom_tat_en", False))
        self.problems.add(where, "must be a text, {noi_dung: ..., can_cu: ..., luu_y: ...}, "
                                 "{chua_ro: why} or a list of dated versions (tu_ngay: ...)")
        return None

    def dated_fact(self, key: str, required: bool = False) -> Optional[Dated[Fact]]:
        """A fact as above, or a list of dated versions [{tu_ngay, den_ngay?, noi_dung | chua_ro}]."""
        value = self.data.get(key)
        if value is None:
            if required:
                self._bad(key, "missing (required)")
            return None
        if not isinstance(value, list):
            fact = self.fact(key)
            return Dated.always(fact) if fact is not None else None
        if not value:
            self._bad(key, "an empty list of versions; give at least one {tu_ngay, noi_dung}")
            return None
        versions: List[Version[Fact]] = []
        ok = True
        for index, item in enumerate(value, start=1):
            where = f"{self.where}, field '{key}', version #{index}"
            if not isinstance(item, dict):
                self.problems.add(where, f"must be a mapping with tu_ngay and noi_dung, got {item!r}")
                ok = False
                continue
            sub = _Record(item, where, self.problems)
            start, end = sub.date("tu_ngay"), sub.date("den_ngay", required=False)
            if "noi_dung" not in item and "chua_ro" not in item:
                self.problems.add(where, "has no text: give noi_dung (or chua_ro: why it is unknown)")
                ok = False
                continue
            fact = self._fact_value(key, item, where, extra_keys=("tu_ngay", "den_ngay"))
            if start is None or fact is None or ("den_ngay" in item and end is None):
                ok = False
                continue
            if end is not None and end < start:
                self.problems.add(where, f"den_ngay {end:%d/%m/%Y} is before tu_ngay {start:%d/%m/%Y}")
                ok = False
            versions.append(Version(start, end, fact))
        for number, (before, after) in enumerate(zip(versions, versions[1:], strict=False), start=2):
            where = f"{self.where}, field '{key}', version #{number}"
            if before.start is not None and after.start is not None and after.start <= before.start:
                self.problems.add(where, "versions must be in date order, oldest first: tu_ngay "
                                         f"{after.start:%d/%m/%Y} is not after {before.start:%d/%m/%Y}")
                ok = False
            elif before.end is not None and after.start is not None and after.start <= before.end:
                self.problems.add(where, f"overlaps the previous version (which runs to "
                                         f"{before.end:%d/%m/%Y}); start it after that day")
                ok = False
        return Dated(tuple(versions)) if ok else None

    def records(self, key: str, label: str) -> List["_Record"]:
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self._bad(key, "must be a list")
            return []
        result = []
        for index, item in enumerate(value, start=1):
            if isinstance(item, dict):
                result.append(_Record(item, f"{self.where}, {label} #{index}", self.problems))
            else:
                self._bad(key, f"item #{index} must be a mapping, got {item!r}")
        return result


def _read_yaml(path: Path, root: Path, problems: _Problems) -> Optional[dict]:
    name = _display(path, root)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        problems.add(name, "not UTF-8 text; save the file as UTF-8")
        return None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problems.add(name, f"YAML syntax error{line}: {getattr(error, 'problem', error)}")
        return None
    if not isinstance(data, dict):
        problems.add(name, "must contain a mapping at the top level")
        return None
    return data


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def _load_procedure(record: _Record, file_name: str) -> Optional[Procedure]:
    record.check_keys(PROCEDURE_REQUIRED + PROCEDURE_OPTIONAL + FACT_FIELDS)
    proc_id = record.text("id")
    if proc_id is not None and not _ID.match(proc_id):
        record._bad("id", f"{proc_id!r} must be lower_snake_case ASCII (a-z, 0-9, _)")
    short_name = record.text("ten_ngan")
    if short_name and len(short_name) > MAX_SHORT_NAME:
        record._bad("ten_ngan", f"longer than {MAX_SHORT_NAME} characters (it is a button title)")
    values = dict(
        id=proc_id, name=record.text("ten"), short_name=short_name,
        field=record.text("linh_vuc"), level=record.text("cap_thuc_hien"),
        agency=record.text("co_quan_thuc_hien"), summary=record.text("mo_ta"),
        effective_from=record.date("hieu_luc_tu"), verified_on=record.date("ngay_xac_minh"),
        sources=record.texts("nguon"), aliases=record.texts("bi_danh"),
    )
    facts = {name: fact for name in FACT_FIELDS if (fact := record.dated_fact(name)) is not None}
    channels = tuple(_load_channel(r) for r in record.records("cach_thuc", "channel"))
    changes = tuple(_load_change(r) for r in record.records("thay_doi", "change"))
    questions = tuple(_load_question(r) for r in record.records("hoi_dap", "question"))
    premises = tuple(_load_premise(r) for r in record.records("tien_de_sai", "false premise"))
    optional = dict(
        code=record.text("ma_tthc", False), offices=record.texts("noi_nop", False),
        official_channel=record.text("kenh_chinh_thuc", False),
        name_en=record.text("ten_en", False), short_name_en=record.text("ten_ngan_en", False),
        summary_en=record.text("mo_ta_en", False), aliases_en=record.texts("bi_danh_en", False),
        refinements=tuple(r for rec in record.records("cu_the_hon", "refinement")
                          if (r := _load_refinement(rec)) is not None),
        page_fee=_load_page_fee(record),
    )
    parts = channels + changes + questions + premises
    if any(v is None for v in values.values()) or None in parts:
        return None
    return Procedure(
        **values, **optional, facts=facts, channels=channels, changes=changes,
        questions=questions, premises=premises, source_file=file_name,
    )


def _load_channel(record: _Record) -> Optional[Channel]:
    record.check_keys(("kenh", "ten", "mo_ta", "thoi_han", "phi"))
    kind = record.choice("kenh", CHANNEL_KINDS)
    description = record.dated_fact("mo_ta", required=True)
    time, fee = record.dated_fact("thoi_han"), record.dated_fact("phi")
    if kind is None or description is None:
        return None
    return Channel(kind, description, record.text("ten", False), time, fee)


def _load_change(record: _Record) -> Optional[Change]:
    record.check_keys(("ngay", "noi_dung", "nguon"))
    date, text = record.date("ngay"), record.text("noi_dung")
    if date is None or text is None:
        return None
    return Change(date, text, record.text("nguon", False))


def _aspects(record: _Record) -> Tuple[str, ...]:
    aspects = record.texts("khia_canh", required=False)
    for aspect in aspects:
        if aspect not in ASPECT_KEYS:
            record._bad("khia_canh", f"{aspect!r} is not one of: {', '.join(ASPECT_KEYS)}")
    return aspects


def _window(record: _Record) -> Tuple[Optional[dt.date], Optional[dt.date]]:
    start, end = record.date("tu_ngay", required=False), record.date("den_ngay", required=False)
    if start and end and end < start:
        record._bad("den_ngay", f"{end:%d/%m/%Y} is before tu_ngay {start:%d/%m/%Y}")
    return start, end


def _folded(record: _Record, key: str, required: bool) -> Tuple[str, ...]:
    return tuple(k for k in (fold(w) for w in record.texts(key, required)) if k)


def _load_question(record: _Record) -> Optional[QuestionAnswer]:
    record.check_keys(("hoi", "tu_khoa", "tra_loi", "nguon", "khia_canh", "tu_ngay", "den_ngay",
                       "hoi_en", "tra_loi_en"))
    question, answer = record.text("hoi"), record.text("tra_loi")
    keywords = _folded(record, "tu_khoa", True)
    aspects, (start, end) = _aspects(record), _window(record)
    if question is None or answer is None or not keywords:
        return None
    return QuestionAnswer(question, keywords, answer, record.text("nguon", False), aspects,
                          start, end, record.text("hoi_en", False), record.text("tra_loi_en", False))


def _load_refinement(record: _Record) -> Optional[Tuple[Tuple[str, ...], str]]:
    record.check_keys(("tu_khoa", "thu_tuc"))
    keywords, target = _folded(record, "tu_khoa", True), record.text("thu_tuc")
    return (keywords, target) if keywords and target else None


def _load_page_fee(record: _Record) -> Optional[PageFee]:
    value = record.data.get("phi_theo_trang")
    if value is None:
        return None
    where = f"{record.where}, field 'phi_theo_trang'"
    if not isinstance(value, dict):
        record.problems.add(where, "must be {trang_dau, so_trang_dau, trang_tiep, toi_da}")
        return None
    sub = _Record(value, where, record.problems)
    sub.check_keys(("trang_dau", "so_trang_dau", "trang_tiep", "toi_da"))
    numbers = {}
    for key in ("trang_dau", "so_trang_dau", "trang_tiep", "toi_da"):
        number = value.get(key)
        if number is None and key == "toi_da":
            continue
        if not isinstance(number, int) or isinstance(number, bool) or number < 0:
            sub._bad(key, f"must be a whole number of đồng (or pages), got {number!r}")
            return None
        numbers[key] = number
    return PageFee(numbers["trang_dau"], numbers["so_trang_dau"], numbers["trang_tiep"],
                   numbers.get("toi_da"))


def _load_premise(record: _Record) -> Optional[Premise]:
    record.check_keys(("tu_khoa", "kem_theo", "sua", "khia_canh", "tu_ngay", "den_ngay", "sua_en"))
    keywords, correction = _folded(record, "tu_khoa", True), record.text("sua")
    with_any = _folded(record, "kem_theo", False)
    aspects, (start, end) = _aspects(record), _window(record)
    if correction is None or not keywords:
        return None
    return Premise(keywords, correction, with_any, aspects, start, end,
                   record.text("sua_en", False))


def _load_office(record: _Record) -> Optional[Office]:
    record.check_keys(OFFICE_KEYS)
    office_id = record.text("id")
    if office_id is not None and not _ID.match(office_id):
        record._bad("id", f"{office_id!r} must be lower_snake_case ASCII (a-z, 0-9, _)")
    status = record.choice("trang_thai", OFFICE_STATES)
    closed_on = record.date("ngay_dong", required=status == "da_dong")
    values = dict(
        id=office_id, name=record.text("ten"), kind=record.choice("loai", OFFICE_KINDS),
        status=status, sources=record.texts("nguon"), verified_on=record.date("ngay_xac_minh"),
    )
    contact = {key: record.fact(src) or UNKNOWN for key, src in
               (("address", "dia_chi"), ("hours", "gio_lam_viec"), ("phone", "dien_thoai"))}
    if any(v is None for v in values.values()):
        return None
    return Office(
        **values, **contact, website=record.text("website", False), closed_on=closed_on,
        replaced_by=record.text("thay_the_boi", False), note=record.text("ghi_chu", False),
        aliases=record.texts("bi_danh", False), name_en=record.text("ten_en", False),
        note_en=record.text("ghi_chu_en", False),
    )


def _check_aliases(procedures: List[Procedure], problems: _Problems) -> None:
    """An alias names one procedure only, once diacritics are removed."""
    owner: Dict[str, str] = {}
    for proc in procedures:
        where = f"{proc.source_file}: procedure '{proc.id}', field 'bi_danh'"
        for alias in proc.aliases + proc.aliases_en + (proc.short_name,):
            folded = fold(alias)
            if not folded:
                problems.add(where, f"alias {alias!r} has no letters or digits")
            elif owner.get(folded, proc.id) != proc.id:
                problems.add(where, f"alias {alias!r} also names procedure '{owner[folded]}'")
            else:
                owner[folded] = proc.id


def _check_references(catalog: Catalog, problems: _Problems) -> None:
    for proc in catalog.procedures.values():
        for office_id in proc.offices:
            if office_id not in catalog.offices:
                problems.add(f"{proc.source_file}: procedure '{proc.id}', field 'noi_nop'",
                             f"unknown office {office_id!r}; offices are defined in catalog/co-quan.yml")
    for office in catalog.offices.values():
        if office.replaced_by and office.replaced_by not in catalog.offices:
            problems.add(f"catalog/co-quan.yml: office '{office.id}', field 'thay_the_boi'",
                         f"unknown office {office.replaced_by!r}")
    for proc in catalog.procedures.values():
        for _, target in proc.refinements:
            if target not in catalog.procedures:
                problems.add(f"{proc.source_file}: procedure '{proc.id}', field 'cu_the_hon'",
                             f"unknown procedure {target!r}")
    for proc_id in catalog.menu:
        if proc_id not in catalog.procedures:
            problems.add("catalog/chung.yml, field 'menu'", f"unknown procedure {proc_id!r}")


def _unique(items: list, label: str, problems: _Problems) -> dict:
    result = {}
    for item in items:
        if item.id in result:
            problems.add(f"{label} '{item.id}'", "defined twice; ids must be unique")
        result[item.id] = item
    return result


def load_catalog(root: Path) -> Catalog:
    """Read and validate every catalog file under `root`; raise CatalogError listing all problems."""
    root = Path(root)
    problems = _Problems()
    general_path, offices_path = root / "chung.yml", root / "co-quan.yml"
    procedure_files = sorted((root / "thu-tuc").glob("*.yml"))
    for required in (general_path, offices_path):
        if not required.is_file():
            problems.add(_display(required, root), "file is missing")
    if not procedure_files:
        problems.add(_display(root / "thu-tuc", root), "no procedure files (*.yml)")
    if problems.items:
        raise CatalogError(problems.items)

    general = _read_yaml(general_path, root, problems) or {}
    general_record = _Record(general, _display(general_path, root), problems)
    general_record.check_keys(("kenh_chinh_thuc", "ngay_xac_minh", "menu", "tien_de_sai",
                               "hoi_dap", "kenh_chinh_thuc_en", "noi_nop_chung",
                               "noi_nop_chung_en"))
    official_channel = general_record.text("kenh_chinh_thuc")
    verified_on = general_record.date("ngay_xac_minh")
    menu = general_record.texts("menu", required=False)
    premises = tuple(p for r in general_record.records("tien_de_sai", "false premise")
                     if (p := _load_premise(r)) is not None)
    general_questions = tuple(q for r in general_record.records("hoi_dap", "question")
                              if (q := _load_question(r)) is not None)

    offices_data = _read_yaml(offices_path, root, problems) or {}
    offices_record = _Record(offices_data, _display(offices_path, root), problems)
    offices_record.check_keys(("co_quan",))
    offices = [o for r in _office_records(offices_record) if (o := _load_office(r))]

    procedures: List[Procedure] = []
    for path in procedure_files:
        name = _display(path, root)
        data = _read_yaml(path, root, problems)
        if data is None:
            continue
        file_record = _Record(data, name, problems)
        file_record.check_keys(("thu_tuc",))
        for record in file_record.records("thu_tuc", "procedure"):
            label = record.data.get("id", record.where.rsplit(", ", 1)[-1])
            record.where = f"{name}: procedure '{label}'"
            if (proc := _load_procedure(record, name)) is not None:
                procedures.append(proc)
        if "thu_tuc" not in data:
            problems.add(name, "field 'thu_tuc' is missing: a list of procedures")

    _check_aliases(procedures, problems)
    catalog = Catalog(
        procedures=_unique(procedures, "procedure", problems),
        offices=_unique(offices, "office", problems),
        official_channel=official_channel or "", verified_on=verified_on or dt.date.min,
        menu=menu or tuple(p.id for p in procedures[:8]), premises=premises,
        questions=general_questions,
        official_channel_en=general_record.text("kenh_chinh_thuc_en", False),
        where_to_file=general_record.text("noi_nop_chung", False),
        where_to_file_en=general_record.text("noi_nop_chung_en", False),
    )
    _check_references(catalog, problems)
    if problems.items:
        raise CatalogError(problems.items)
    return catalog


def _office_records(record: _Record) -> List[_Record]:
    records = record.records("co_quan", "office")
    for office in records:
        if "id" in office.data:
            office.where = f"{record.where}: office '{office.data['id']}'"
    return records


def main(argv: List[str]) -> int:
    from actions.settings import catalog_dir

    root = Path(argv[1]) if len(argv) > 1 else catalog_dir()
    try:
        catalog = load_catalog(root)
    except CatalogError as error:
        print(error, file=sys.stderr)
        print("\nFix the fields above (format: catalog/README.md), then run `make check-catalog` again.",
              file=sys.stderr)
        return 1
    print(f"Catalog OK: {len(catalog.procedures)} procedures, {len(catalog.offices)} offices "
          f"({root}).")
    from actions import worklist  # imports this module: load it only for the command line

    day = today()
    print(worklist.render(worklist.worklist(catalog, day), day))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
