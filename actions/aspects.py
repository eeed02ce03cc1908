"""The one table of aspects: what a citizen can ask about a procedure.

An aspect has one intent name (what the classifier predicts), one catalog key (what staff
write in `hoi_dap.khia_canh`, and the field that answers it, if any), a Vietnamese and an
English title (headings and buttons), and how it is answered. Everything else — the answer
composers' lookups, the domain's aspect intents and their rules (nlu/generate.py writes and
checks them), the catalog's list of aspect keys — is derived from this table, so adding an
aspect is one row here plus its phrasings in nlu/templates*.yml.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional, Tuple

FIELD, WHERE, CONTACT, CHANNEL, CHANGES = "field", "where", "contact", "channel", "changes"


@dataclass(frozen=True)
class Aspect:
    intent: str  # the NLU intent, e.g. ask_fee
    key: str  # the catalog's name: the answering field, or noi_nop/lien_he/...
    title: str  # Vietnamese heading and button title
    title_en: str
    answered_by: str = FIELD  # FIELD: the catalog field `key`; or WHERE, CONTACT, CHANNEL, CHANGES
    channel_kind: Optional[str] = None  # for CHANNEL: which cach_thuc kind
    channel_detail: Optional[str] = None  # for FIELD: add each channel's "fee" or "time"
    button_rank: Optional[int] = None  # offered as a button after an answer, in this order


ASPECT_TABLE: Tuple[Aspect, ...] = (
    Aspect("ask_steps", "trinh_tu", "Cách thực hiện", "How to apply"),
    Aspect("ask_documents", "thanh_phan_ho_so", "Hồ sơ cần chuẩn bị", "Documents", button_rank=1),
    Aspect("ask_fee", "le_phi", "Lệ phí", "Fee", channel_detail="fee", button_rank=2),
    Aspect("ask_time", "thoi_han_giai_quyet", "Thời hạn giải quyết", "Processing time",
           channel_detail="time", button_rank=3),
    Aspect("ask_eligibility", "doi_tuong", "Ai được yêu cầu", "Who may apply"),
    Aspect("ask_authorization", "uy_quyen", "Ủy quyền, nhờ người khác làm",
           "Applying through someone else"),
    Aspect("ask_forms", "mau_don", "Mẫu đơn, tờ khai", "Forms"),
    Aspect("ask_validity", "thoi_han_su_dung", "Thời hạn sử dụng", "Validity"),
    Aspect("ask_result", "ket_qua", "Kết quả nhận được", "What you receive"),
    Aspect("ask_legal_basis", "can_cu_phap_ly", "Căn cứ pháp lý", "Legal basis"),
    Aspect("ask_difference", "phan_biet", "Phân biệt", "Differences"),
    Aspect("ask_where", "noi_nop", "Nơi nộp hồ sơ", "Where to apply", WHERE, button_rank=4),
    Aspect("ask_postal", "buu_chinh", "Nộp, nhận qua bưu điện", "By post", CHANNEL, "buu_chinh"),
    Aspect("ask_online", "truc_tuyen", "Nộp trực tuyến", "Online", CHANNEL, "truc_tuyen",
           button_rank=5),
    Aspect("ask_contact", "lien_he", "Liên hệ, giờ làm việc", "Contact and hours", CONTACT),
    Aspect("ask_changes", "thay_doi", "Quy định mới, thay đổi", "What changed", CHANGES,
           button_rank=6),
)
BY_INTENT: Dict[str, Aspect] = {a.intent: a for a in ASPECT_TABLE}
# The catalog's aspect keys staff may write in khia_canh (tong_quan: only the name was asked).
CATALOG_KEYS: Tuple[str, ...] = tuple(a.key for a in ASPECT_TABLE) + ("tong_quan",)
BUTTON_ORDER: Tuple[str, ...] = tuple(
    a.intent for a in sorted((a for a in ASPECT_TABLE if a.button_rank), key=lambda a: a.button_rank))


def title(intent: str, lang: str = "vi") -> str:
    aspect = BY_INTENT[intent]
    return aspect.title_en if lang == "en" else aspect.title
