"""The one table of aspects: what a citizen can ask about a procedure.

An aspect has one intent name (what the classifier predicts), one catalog key (what staff
write in `hoi_dap.khia_canh`, and the field that answers it, if any), a Vietnamese and an
English title (headings and buttons), and how it is answered. Everything else — the answer
composers' lookups, the domain's aspect intents and their rules (nlu/generate.py writes and
checks them), the catalog's list of aspect keys — is derived from this table, so adding an
aspect is one row here plus its phrasings in nlu/templates*.yml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Tuple

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
    # Question words that ask for this aspect whatever the rest of the message says (folded,
    # Vietnamese and English): a long story ends with "... làm ở đâu, mấy ngày có?", and those
    # last words decide what is asked better than a classifier trained on short questions.
    cues: Tuple[str, ...] = ()


ASPECT_TABLE: Tuple[Aspect, ...] = (
    Aspect("ask_steps", "trinh_tu", "Cách thực hiện", "How to apply",
           cues=('lam sao', 'lam the nao', 'thu tuc the nao', 'cac buoc', 'lam nhung gi', 'phai lam gi', 'can lam gi', 'how do i', 'how to apply', 'how can i get', 'what are the steps',
                 'how can she get', 'how can he get', 'how can we get', 'how do we get')),
    Aspect("ask_documents", "thanh_phan_ho_so", "Hồ sơ cần chuẩn bị", "Documents", button_rank=1,
           cues=('giay to gi', 'ho so gom', 'can giay gi', 'can nhung gi', 'can gi', 'can mang gi', 'mang theo gi', 'co can mang', 'can mang theo', 'phai mang theo', 'co phai mang', 'chuan bi gi', 'can giay to', 'mang theo nhung gi', 'chuan bi nhung gi', 'nop nhung gi', 'nhung giay to gi', 'giay to nao', 'what documents', 'which documents', 'what papers', 'which papers', 'what do i need to bring', 'giay gi', 'ho so gi', 'giay to can', 'documents do i need', 'papers do i need', 'documents are needed', 'documents are required', 'required documents', 'what do i need to prepare', 'what do i need to submit', 'what do i need to provide', 'what should i bring', 'what should i prepare')),
    Aspect("ask_fee", "le_phi", "Lệ phí", "Fee", channel_detail="fee", button_rank=2,
           cues=('bao nhieu tien', 'het bao nhieu', 'ton bao nhieu', 'mat bao nhieu tien', 'bn tien', 'le phi', 'phi bao nhieu', 'duoc giam', 'giam phi', 'mien phi', 'duoc mien', 'mat phi', 'ton phi', 'ton kem', 'mat tien', 'ton tien', 'phai dong tien', 'dong tien khong', 'dong bao nhieu', 'phai dong phi', 'phai nop tien', 'nop tien khong', 'phai tra tien', 'tra tien khong', 'duoc bot', 'bot tien', 'have to pay', 'need to pay', 'do i pay', 'expensive', 'tinh tien', 'ton nhieu khong', 'ton nhieu tien', 'mat nhieu tien', 'is it free', 'for free', 'free of charge', 'free legal', 'is there free', 'how much', 'discount', 'reduced fee', 'pay less', 'what is the fee', 'the fee', 'fee for', 'cost',
                 'fee', 'fees', 'costs', 'free')),
    Aspect("ask_time", "thoi_han_giai_quyet", "Thời hạn giải quyết", "Processing time",
           channel_detail="time", button_rank=3,
           cues=('bao lau', 'bao nhieu lau', 'may ngay', 'bn ngay', 'bao nhieu ngay', 'lay lien', 'lay ngay', 'khi nao co', 'bao gio co', 'trong ngay', 'cung ngay', 'kip khong', 'co nhanh khong', 'nhanh khong', 'nhanh nhat', 'cho nhanh', 'how long', 'how many days', 'same day', 'how soon', 'when will i',
                 'khi nao lay', 'bao gio lay', 'may gio lay', 'when can i get', 'when can i collect', 'when can i pick')),
    Aspect("ask_eligibility", "doi_tuong", "Ai được yêu cầu", "Who may apply",
           cues=('bao nhieu tuoi', 'may tuoi', 'do tuoi', 'dieu kien gi', 'dieu kien nao', 'dieu kien la gi', 'dieu kien nhu the nao', 'nhung dieu kien', 'du dieu kien', 'what are the conditions', 'conditions for', 'what conditions', 'minimum age', 'how old', 'age limit', 'who can apply', 'who can get', 'who qualifies', 'who is eligible', 'am i eligible', 'eligible for', 'available for', 'available to')),
    Aspect("ask_authorization", "uy_quyen", "Ủy quyền, nhờ người khác làm",
           "Applying through someone else",
           cues=('lam thay', 'xin thay', 'nop thay', 'thay cho', 'nho nguoi', 'uy quyen',
                 'lam gium', 'xin gium', 'nop gium', 'lam dum', 'xin dum', 'nop dum',
                 # "xin phiếu giùm ba": giùm/dùm before a relative (not "chỉ giùm em", please)
                 'gium ba', 'gium me', 'gium ma', 'gium bo', 'gium cha', 'gium con', 'gium vo',
                 'gium chong', 'gium ong', 'dum ba', 'dum me', 'dum ma', 'dum bo', 'dum cha',
                 'dum con', 'dum vo', 'dum chong', 'dum ong', 'on behalf', 'on my behalf', 'power of attorney', 'submit it for me', 'apply for it for me', 'collect it for me', 'do it for me', 'someone else', 'another person', 'for my son', 'for my daughter', 'for my child', 'collect my', 'collect it', 'pick up my', 'pick it up', 'apply for me', 'instead of me', 'in my place')),
    Aspect("ask_forms", "mau_don", "Mẫu đơn, tờ khai", "Forms"),
    Aspect("ask_validity", "thoi_han_su_dung", "Thời hạn sử dụng", "Validity",
           cues=('thoi han su dung', 'gia tri su dung', 'su dung duoc', 'dung duoc bao lau', 'dung duoc trong bao lau', 'con dung duoc', 'con hop le', 'co thoi han', 'co han', 'con han', 'het han', 'gia tri bao lau', 'cap trong thoi han', 'cap khong qua', 'phai cap trong', 'cap trong bao lau', 'can moi khong', 'phai moi khong', 'hieu luc bao lau', 'hieu luc trong bao lau', 'hieu luc may thang', 'con hieu luc', 'valid for', 'still valid', 'is valid', 'be valid', 'stay valid', 'validity', 'expire', 'how recent', 'valid')),
    Aspect("ask_result", "ket_qua", "Kết quả nhận được", "What you receive"),
    Aspect("ask_legal_basis", "can_cu_phap_ly", "Căn cứ pháp lý", "Legal basis",
           cues=("can cu phap ly", "can cu nao", "can cu vao dau", "theo luat nao", "theo van ban nao",
                 "theo quy dinh nao", "theo nghi dinh nao", "theo thong tu nao", "legal basis",
                 "which law", "which decree", "which circular", "what law")),
    Aspect("ask_difference", "phan_biet", "Phân biệt", "Differences",
           cues=("khac gi", "khac nhau", "phan biet", "loai phieu nao", "xin phieu nao", "lam phieu nao",
                 "phieu so may", "which certificate", "which type of certificate", "which kind of certificate", "so 1 hay so 2", "so 1 va so 2", "so 2 thi sao", "so 1 la gi", "so 2 la gi",
                 "co ghi", "difference", "no 1 or no 2")),
    Aspect("ask_where", "noi_nop", "Nơi nộp hồ sơ", "Where to apply", WHERE, button_rank=4,
           cues=("o dau", "cho nao", "di dau", "den dau", "toi dau", "nop o", "lam o", "xin o", "co quan nao",
                 "phai ra phuong", "phai ra xa", "phai len phuong", "phai len xa", "phai ve que", "co phai ve", "phai quay ve",
                 "ra xa lam", "ra phuong lam", "len xa lam", "len phuong lam", "xa lam duoc", "phuong lam duoc",
                 "ve que lam", "ve que xin", "ve que nop",
                 "bat ki xa", "bat ki phuong", "xa nao cung", "phuong nao cung",
                 "where", "which office", "any ward", "any commune", "which agency", "which authority", "who issues",
                 "who handles", "which government office", "what office", "which department",
                 "what department", "office handles", "office deals with", "who deals with",
                 "who processes", "who can certify", "who certifies", "who will certify",
                 "who can notarise", "who can notarize",
                 # who issues it: "giờ ai cấp vậy", "do ai cấp" (not a bare "ai cấp": Ai Cập is Egypt)
                 "do ai cap", "gio ai cap", "ai cap vay", "ai cap phieu", "ai cap giay", "ai la nguoi cap",
                 "co quan cap", "noi cap", "ai giai quyet")),
    Aspect("ask_postal", "buu_chinh", "Nộp, nhận qua bưu điện", "By post", CHANNEL, "buu_chinh",
           cues=("qua buu dien", "qua buu chinh", "gui buu dien", "buu dien gui", "by post",
                 "by mail", "in the mail", "by courier", "sent to my", "delivered to")),
    Aspect("ask_online", "truc_tuyen", "Nộp trực tuyến", "Online", CHANNEL, "truc_tuyen",
           button_rank=5, cues=("online", "truc tuyen", "tren mang", "qua mang", "bat buoc phai lam tren",
                                "tren dien thoai", "qua dien thoai", "tren app", "qua app",
                                "tren ung dung", "qua ung dung")),
    Aspect("ask_contact", "lien_he", "Liên hệ, giờ làm việc", "Contact and hours", CONTACT,
           cues=("so dien thoai", "sdt", "hotline", "duong day nong", "gio lam viec",
                 "phone number", "telephone number", "opening hours", "office hours")),
    Aspect("ask_changes", "thay_doi", "Quy định mới, thay đổi", "What changed", CHANGES,
           button_rank=6,
           # not "hiệu lực": "phiếu có hiệu lực bao lâu" asks the validity
           cues=("ap dung tu khi nao", "ap dung tu bao gio", "ap dung khi nao", "khi nao ap dung",
                 "thay doi gi", "co gi thay doi", "co gi moi",
                 "what changed", "what has changed", "what's new", "since when")),
)
BY_INTENT: Dict[str, Aspect] = {a.intent: a for a in ASPECT_TABLE}
# The catalog's aspect keys staff may write in khia_canh (tong_quan: only the name was asked).
CATALOG_KEYS: Tuple[str, ...] = tuple(a.key for a in ASPECT_TABLE) + ("tong_quan",)
BUTTON_ORDER: Tuple[str, ...] = tuple(
    a.intent for a in sorted((a for a in ASPECT_TABLE if a.button_rank), key=lambda a: a.button_rank or 0))


def title(intent: str, lang: str = "vi") -> str:
    aspect = BY_INTENT[intent]
    return aspect.title_en if lang == "en" else aspect.title


MAX_ASKED = 3  # "nộp ở đâu, lệ phí bao nhiêu, và phiếu phải cấp trong bao lâu?"


_FOLDED_CUES: Dict[str, Tuple[str, ...]] = {}


def folded_cues(aspect: Aspect, fold: Callable[[str], str]) -> Tuple[str, ...]:
    """The aspect's cues folded the way messages are ("on my behalf" becomes "on mi behalf",
    like the message's "my"); folded once, then kept."""
    cues = _FOLDED_CUES.get(aspect.intent)
    if cues is None:
        cues = _FOLDED_CUES[aspect.intent] = tuple(fold(cue) for cue in aspect.cues)
    return cues


_PADDED_CUES: Dict[str, Tuple[str, ...]] = {}


def _padded_cues(aspect: Aspect, fold: Callable[[str], str]) -> Tuple[str, ...]:
    """The folded cues with a space each side, as they are searched for (whole words): built
    once, not for every cue of every aspect of every sentence of every message."""
    cues = _PADDED_CUES.get(aspect.intent)
    if cues is None:
        cues = _PADDED_CUES[aspect.intent] = tuple(f" {cue} " for cue in folded_cues(aspect, fold))
    return cues


def first_cue_end(folded: str, fold: Callable[[str], str]) -> int:
    """Where the first question word of any aspect ends in `folded` (len if none), so that a
    name the cue is part of stays whole ("có luật sư miễn phí không" keeps "luật sư miễn phí")."""
    padded = f" {folded} "
    hits = [(padded.find(cue), len(cue) - 2) for aspect in ASPECT_TABLE
            for cue in _padded_cues(aspect, fold) if cue in padded]
    if not hits:
        return len(folded)
    start, size = min(hits)
    return start + size


# "trích lục 1 bản bao nhiêu?", "lltp cho sv bn ad": "bao nhiêu" that ends the question, with
# nothing after it but a particle or a form of address, asks a price ("bao nhiêu tuổi", "bao
# nhiêu ngày" name what they count, and their own cues say so).
_PRICE_AT_END = re.compile(
    r" bao nhieu(?: (?:a|ad|ak|ah|ha|vay|the|nhi|nhe|nha|oi|chi|anh|em|ban|ba|ong|co|chu|bac))*"
    r" $")


# "sao y lấy bao nhiêu tiềm vậy": what an office "lấy" (takes) is its charge, unless a word
# after it says what is counted ("lấy bao nhiêu ngày" is the time, whose own cue says so).
_CHARGE = re.compile(r" lay bao nhieu (?!(ngay|lau|tuoi|ban|trang|thang|nam|gio|lan|phieu)\b)")


def _found(folded: str, fold: Callable[[str], str]) -> List[str]:
    """Aspects whose (folded) cues occur in `folded`, in the order they occur."""
    hits = []
    for aspect in ASPECT_TABLE:
        positions = [folded.find(cue) for cue in _padded_cues(aspect, fold) if cue in folded]
        if positions:
            hits.append((min(positions), aspect.intent))
    price = _PRICE_AT_END.search(folded) or _CHARGE.search(folded)
    # "số điện thoại là bao nhiêu": the number asked is the phone's, not a price.
    if price and not {"ask_fee", "ask_contact"} & {intent for _, intent in hits}:
        hits.append((price.start(), "ask_fee"))
    # "phiếu số 2 khác phiếu số 1 ở chỗ nào?": "khác … (ở) chỗ/điểm nào" asks how they differ;
    # its "chỗ nào" is not "where".
    differs = _DIFFERS.search(folded)
    if differs:
        hits = [(at, intent) for at, intent in hits
                if not (intent == "ask_where" and differs.start() <= at < differs.end())]
        hits.append((differs.start(), "ask_difference"))
    # "mẹ em xin lltp hộ em được không": "xin/làm/nộp … hộ/giùm em" asks whether someone may
    # apply for another, whatever words come between.
    behalf = _ON_BEHALF.search(folded)
    if behalf:
        hits.append((behalf.start(), "ask_authorization"))
    first: Dict[str, int] = {}
    for at, intent in sorted(hits):
        first.setdefault(intent, at)
    hits = sorted((at, intent) for intent, at in first.items())
    found = set(first)
    # "chứng thực chữ ký trên giấy ủy quyền thì đi đâu": "giấy ủy quyền" names the paper to be
    # certified; with another question word, it does not ask who may apply for whom.
    if "ask_authorization" in found and len(found) > 1 and _PAPER_OF_AUTHORISATION.search(folded) \
            and not any(f" {cue} " in _PAPER_OF_AUTHORISATION.sub(" ", folded)
                        for cue in folded_cues(BY_INTENT["ask_authorization"], fold)):
        hits = [(at, intent) for at, intent in hits if intent != "ask_authorization"]
        found.discard("ask_authorization")
    # "how long is the certificate valid?", "phiếu có giá trị bao lâu?": "how long" asks how
    # long it stays valid, not how long it takes, unless a word of its own says so.
    if {"ask_validity", "ask_time"} <= found and not any(
            f" {cue} " in folded for cue in _OWN_TIME_CUES):
        hits = [(at, intent) for at, intent in hits if intent != "ask_time"]
    return [intent for _, intent in sorted(hits)]


_PAPER_OF_AUTHORISATION = re.compile(r" (giay|van ban|hop dong|to) uy quyen ")
_DIFFERS = re.compile(r" khac (?:\w+ ){0,8}?(?:o )?(?:cho|diem) nao ")
# "làm hộ", "xin hộ" (on behalf), but not "hộ tịch", "hộ chiếu", "hồ sơ", "họ tên", "hỗ trợ"…
_ON_BEHALF = re.compile(r" (?:xin|lam|nop|lay|nhan) (?:\w+ ){0,6}?(?:ho|gium|dum) "
                        r"(?:e|em|toi|minh|con|chau|ba|me|bo|vo|chong) "
                        r"| (?:xin|lam|nop) ho (?!(?:tich|chieu|khau|so|ten|tro|ngheo|can|gia|dan|kinh|"
                        r"va|cua|nhu) )")


# ask_time's cues that ask the processing time whatever else the sentence says.
_OWN_TIME_CUES = ("may ngay", "bao nhieu ngay", "lay lien", "lay ngay", "khi nao co", "bao gio co",
                  "how many days", "when will i", "how soon", "kip khong", "nhanh nhat",
                  "xu li", "giai quyet", "processing", "to get", "to issue", "to process",
                  "khi nao lay", "bao gio lay", "may gio lay", "when can i get", "when can i collect",
                  "when can i pick")


_SENTENCE = re.compile(r"([^?.!\n]+)([?.!\n]*)")


def asked_in(text: str, fold: Callable[[str], str]) -> List[str]:
    """The aspects the message's question words ask for (at most two), from its last sentence
    that has any, else none: "Em ở Ngã Bảy, công ty đòi lý lịch. Làm ở đâu, mấy ngày có?"
    asks where and how long. A question just before it counts too ("Can a friend apply on my
    behalf? What papers does he need?"); a story's statements do not."""
    sentences = [(m.group(1), "?" in m.group(2)) for m in _SENTENCE.finditer(text or "")
                 if m.group(1).strip()]
    for index in range(len(sentences) - 1, -1, -1):
        found = _found(f" {fold(sentences[index][0])} ", fold)
        if not found:
            continue
        if index > 0 and sentences[index - 1][1]:
            found += [a for a in _found(f" {fold(sentences[index - 1][0])} ", fold)
                      if a not in found]
        return found[:MAX_ASKED]
    return []
