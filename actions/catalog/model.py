"""The catalog as the assistant uses it: frozen dataclasses, one per kind of record.

Each field read from the YAML files names its catalog key with `key("...")`; the loader
(loading.py) builds records from those names and the field types, and catalog/schema.json
says which keys and values are allowed. So a new catalog field is one schema entry plus one
field here, nothing else. `key` (not `dataclasses.field`) is used in class bodies because
Procedure has an attribute called `field` (its linh_vuc).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, Dict, Generic, Iterator, List, Optional, Tuple, TypeVar, Union

from typing_extensions import dataclass_transform

from actions.aspects import CATALOG_KEYS
from actions.settings import today

# Answer fields of a procedure: each holds a Fact (text, or a mapping, or {chua_ro: why}).
FACT_FIELDS = (
    "trinh_tu", "thanh_phan_ho_so", "le_phi", "thoi_han_giai_quyet", "doi_tuong",
    "uy_quyen", "mau_don", "thoi_han_su_dung", "ket_qua", "phan_biet", "can_cu_phap_ly",
)
CHANNEL_KINDS = ("truc_tiep", "buu_chinh", "truc_tuyen")
# What a question can be about, as staff name it in hoi_dap.khia_canh (the aspect table's keys).
ASPECT_KEYS = CATALOG_KEYS
# How sure a fact is (do_tin_cay): confirmed by a legal text (the default, no hedge), resting
# on press reports of a text nobody here has read, or recalled and not yet confirmed.
CONFIDENCE_LEVELS = ("van_ban", "bao_chi", "chua_chac")
OFFICE_KINDS = ("van_phong", "cong_thong_tin")
OFFICE_STATES = ("dang_hoat_dong", "da_dong")


def key(name: Union[str, Tuple[str, ...]], *, fold: bool = False, **options: Any) -> Any:
    """A field read from catalog key `name` (a tuple: those keys, collected in a dict).
    `fold`: keep the texts folded (no diacritics, lower case), as matching compares them."""
    return dataclasses.field(metadata={"key": name, "fold": fold}, **options)


_Class = TypeVar("_Class", bound=type)


@dataclass_transform(frozen_default=True, field_specifiers=(key, dataclasses.field))
def record(cls: _Class) -> _Class:
    """A frozen dataclass whose fields may be declared with `key` (so type checkers know that
    `key(...)` without default= is a required field)."""
    return dataclasses.dataclass(frozen=True)(cls)  # type: ignore[return-value]


class CatalogError(Exception):
    """The catalog cannot be used; the message lists every problem, one per line."""

    def __init__(self, problems: List[str]) -> None:
        self.problems = problems
        super().__init__("Catalog is invalid:\n" + "\n".join(f"- {p}" for p in problems))


@record
class Fact:
    """One answer: known text (with its legal basis and caveat) or an explained unknown."""

    text: Optional[str] = key("noi_dung", default=None)
    basis: Optional[str] = key("can_cu", default=None)
    caveat: Optional[str] = key("luu_y", default=None)
    unknown_reason: Optional[str] = key("chua_ro", default=None)
    confidence: str = key("do_tin_cay", default="van_ban")
    # tom_tat: one line, for "Từ 01/7/2026: X (trước đó: Y)"
    summary: Optional[str] = key("tom_tat", default=None)
    # when this fact was re-checked, if not with its record
    verified_on: Optional[dt.date] = key("ngay_xac_minh", default=None)
    # English, for foreigners; None: Vietnamese only.
    text_en: Optional[str] = key("noi_dung_en", default=None)
    caveat_en: Optional[str] = key("luu_y_en", default=None)
    summary_en: Optional[str] = key("tom_tat_en", default=None)
    # why it is unknown, in English: what is known around it ("set by the City People's
    # Council") that an English "not verified" would otherwise leave out
    unknown_reason_en: Optional[str] = key("chua_ro_en", default=None)

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


@record
class Version(Generic[T]):
    """A value in force from `start` (None: always was) to `end` inclusive (None: open-ended)."""

    start: Optional[dt.date]
    end: Optional[dt.date]
    value: T

    def applies(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@record
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


@record
class Channel:
    kind: str = key("kenh")
    description: Dated[Fact] = key("mo_ta")
    name: Optional[str] = key("ten", default=None)
    time: Optional[Dated[Fact]] = key("thoi_han", default=None)
    fee: Optional[Dated[Fact]] = key("phi", default=None)

    def detail(self, attribute: str, day: dt.date) -> Optional[Fact]:
        """This channel's description, time or fee in force on `day` (None when it has none)."""
        dated = getattr(self, attribute)
        fact = dated.at(day) if dated is not None else None
        return fact if fact is not None and fact.known else None


@record
class Change:
    date: dt.date = key("ngay")
    text: str = key("noi_dung")
    source: Optional[str] = key("nguon", default=None)


@record
class QuestionAnswer:
    question: str = key("hoi")
    keywords: Tuple[str, ...] = key("tu_khoa", fold=True)
    answer: str = key("tra_loi")
    source: Optional[str] = key("nguon", default=None)
    aspects: Tuple[str, ...] = key("khia_canh", default=())  # empty: whatever aspect is asked
    # tu_ngay / den_ngay: only while the rule it explains holds
    start: Optional[dt.date] = key("tu_ngay", default=None)
    end: Optional[dt.date] = key("den_ngay", default=None)
    question_en: Optional[str] = key("hoi_en", default=None)
    answer_en: Optional[str] = key("tra_loi_en", default=None)

    def answers(self, aspect_key: str, day: Optional[dt.date] = None) -> bool:
        in_force = day is None or Version(self.start, self.end, None).applies(day)
        return in_force and (not self.aspects or aspect_key in self.aspects)


@record
class Premise:
    """An outdated belief a question may carry (tien_de_sai), and the one-sentence correction.

    It applies when the message contains one of `keywords` and, if `with_any` is given, also
    one of those ("phiếu số 2" with "công ty"): the correction is said before the answer."""

    keywords: Tuple[str, ...] = key("tu_khoa", fold=True)
    correction: str = key("sua")
    with_any: Tuple[str, ...] = key("kem_theo", fold=True, default=())
    aspects: Tuple[str, ...] = key("khia_canh", default=())
    start: Optional[dt.date] = key("tu_ngay", default=None)
    end: Optional[dt.date] = key("den_ngay", default=None)
    correction_en: Optional[str] = key("sua_en", default=None)

    def applies(self, aspect_key: str, day: dt.date) -> bool:
        in_force = Version(self.start, self.end, None).applies(day)
        return in_force and (not self.aspects or aspect_key in self.aspects)


@record
class PageFee:
    """A fee by pages (phi_theo_trang): `first` đồng for each of the first `first_pages`
    pages, `next` for each further page, at most `cap` per copy."""

    first: int = key("trang_dau")
    first_pages: int = key("so_trang_dau")
    next: int = key("trang_tiep")
    cap: Optional[int] = key("toi_da", default=None)

    def for_pages(self, pages: int) -> int:
        total = self.first * min(pages, self.first_pages) + self.next * max(pages - self.first_pages, 0)
        return min(total, self.cap) if self.cap else total


@record
class Refinement:
    """cu_the_hon: words that make a question about a more specific procedure. Unpacks as
    (keywords, procedure id), the pair matching reads."""

    keywords: Tuple[str, ...] = key("tu_khoa", fold=True)
    procedure: str = key("thu_tuc")

    def __iter__(self) -> Iterator[Any]:
        return iter((self.keywords, self.procedure))


@record
class Procedure:
    id: str = key("id")
    name: str = key("ten")
    short_name: str = key("ten_ngan")
    field: str = key("linh_vuc")
    level: str = key("cap_thuc_hien")
    agency: str = key("co_quan_thuc_hien")
    summary: str = key("mo_ta")
    effective_from: dt.date = key("hieu_luc_tu")
    verified_on: dt.date = key("ngay_xac_minh")
    sources: Tuple[str, ...] = key("nguon")
    aliases: Tuple[str, ...] = key("bi_danh")
    source_file: str  # not in the file: the loader passes it
    code: Optional[str] = key("ma_tthc", default=None)
    offices: Tuple[str, ...] = key("noi_nop", default=())
    official_channel: Optional[str] = key("kenh_chinh_thuc", default=None)
    facts: Dict[str, Dated[Fact]] = key(FACT_FIELDS, default_factory=dict)
    channels: Tuple[Channel, ...] = key("cach_thuc", default=())
    changes: Tuple[Change, ...] = key("thay_doi", default=())
    questions: Tuple[QuestionAnswer, ...] = key("hoi_dap", default=())
    premises: Tuple[Premise, ...] = key("tien_de_sai", default=())
    name_en: Optional[str] = key("ten_en", default=None)
    short_name_en: Optional[str] = key("ten_ngan_en", default=None)
    summary_en: Optional[str] = key("mo_ta_en", default=None)
    aliases_en: Tuple[str, ...] = key("bi_danh_en", default=())  # how foreigners name it
    # "kết hôn" with "người Trung Quốc" is the marriage with a foreigner, not the domestic one
    # the alias names.
    refinements: Tuple[Refinement, ...] = key("cu_the_hon", default=())
    page_fee: Optional[PageFee] = key("phi_theo_trang", default=None)  # a fee counted per page

    @property
    def names(self) -> Tuple[str, ...]:
        """Its names, full and short, in Vietnamese and (where given) English; not aliases."""
        return tuple(n for n in (self.name, self.short_name, self.name_en, self.short_name_en)
                     if n)

    def fact(self, name: str, day: Optional[dt.date] = None) -> Fact:
        """The fact in force on `day` (today when omitted); UNKNOWN when none is."""
        dated = self.facts.get(name)
        if dated is None:
            return UNKNOWN
        fact = dated.at(day or today())
        return fact if fact is not None else UNKNOWN


@record
class Office:
    id: str = key("id")
    name: str = key("ten")
    kind: str = key("loai")
    address: Fact = key("dia_chi")  # absent: UNKNOWN
    hours: Fact = key("gio_lam_viec")
    phone: Fact = key("dien_thoai")
    status: str = key("trang_thai")
    sources: Tuple[str, ...] = key("nguon")
    verified_on: dt.date = key("ngay_xac_minh")
    website: Optional[str] = key("website", default=None)
    closed_on: Optional[dt.date] = key("ngay_dong", default=None)
    replaced_by: Optional[str] = key("thay_the_boi", default=None)
    note: Optional[str] = key("ghi_chu", default=None)
    aliases: Tuple[str, ...] = key("bi_danh", default=())
    name_en: Optional[str] = key("ten_en", default=None)
    note_en: Optional[str] = key("ghi_chu_en", default=None)

    @property
    def closed(self) -> bool:
        return self.status == "da_dong"


@record
class Catalog:
    procedures: Dict[str, Procedure]  # from thu-tuc/*.yml
    offices: Dict[str, Office]  # from co-quan.yml; the rest is chung.yml
    official_channel: str = key("kenh_chinh_thuc")
    verified_on: dt.date = key("ngay_xac_minh")
    menu: Tuple[str, ...] = key("menu", default=())  # the loader fills in the first 8 if absent
    premises: Tuple[Premise, ...] = key("tien_de_sai", default=())
    # Questions about no single procedure (the merger, offices, hours, portals) and about other
    # offices' services, answered without asking "which procedure?".
    questions: Tuple[QuestionAnswer, ...] = key("hoi_dap", default=())
    official_channel_en: Optional[str] = key("kenh_chinh_thuc_en", default=None)
    # noi_nop_chung: "where?" about no procedure in particular
    where_to_file: Optional[str] = key("noi_nop_chung", default=None)
    where_to_file_en: Optional[str] = key("noi_nop_chung_en", default=None)



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
