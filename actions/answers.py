"""Compose the assistant's Vietnamese answers from the catalog.

Pure functions from catalog records to texts and buttons, kept apart from Rasa so they are
easy to test. Answers are plain text with line breaks (the channels render them), short
enough for a phone, and end with the legal basis and the date the facts were verified.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from actions.catalog import Catalog, Fact, Office, Procedure, QuestionAnswer
from actions.settings import today

# Aspect intents answered from one catalog field: intent -> (field, heading).
FIELD_ASPECTS: Dict[str, tuple] = {
    "ask_steps": ("trinh_tu", "Cách thực hiện"),
    "ask_documents": ("thanh_phan_ho_so", "Hồ sơ cần chuẩn bị"),
    "ask_fee": ("le_phi", "Lệ phí"),
    "ask_time": ("thoi_han_giai_quyet", "Thời hạn giải quyết"),
    "ask_eligibility": ("doi_tuong", "Ai được yêu cầu"),
    "ask_authorization": ("uy_quyen", "Ủy quyền, nhờ người khác làm"),
    "ask_forms": ("mau_don", "Mẫu đơn, tờ khai"),
    "ask_validity": ("thoi_han_su_dung", "Thời hạn sử dụng"),
    "ask_legal_basis": ("can_cu_phap_ly", "Căn cứ pháp lý"),
    "ask_difference": ("phan_biet", "Phân biệt"),
}
# Human-readable titles of every aspect, for headings and buttons.
ASPECT_TITLES: Dict[str, str] = {
    **{intent: heading for intent, (_, heading) in FIELD_ASPECTS.items()},
    "ask_where": "Nơi nộp hồ sơ",
    "ask_postal": "Nộp, nhận qua bưu điện",
    "ask_online": "Nộp trực tuyến",
    "ask_contact": "Liên hệ, giờ làm việc",
    "ask_changes": "Quy định mới, thay đổi",
}
ASPECTS = tuple(ASPECT_TITLES)
# Aspects answered from the procedure's channels (cach_thuc) of one kind.
CHANNEL_FOR_ASPECT = {"ask_postal": "buu_chinh", "ask_online": "truc_tuyen"}
# Aspects whose answer adds each channel's own figure (Channel.fee / Channel.time).
CHANNEL_DETAIL = {"ask_fee": "fee", "ask_time": "time"}
# The catalog's name of each aspect (hoi_dap.khia_canh).
ASPECT_KEYS: Dict[str, str] = {
    **{intent: field_name for intent, (field_name, _) in FIELD_ASPECTS.items()},
    **CHANNEL_FOR_ASPECT, "ask_where": "noi_nop", "ask_contact": "lien_he",
    "ask_changes": "thay_doi",
}
OVERVIEW = "overview"
# The aspects offered as buttons after an answer, most asked first.
BUTTON_ASPECTS = ("ask_documents", "ask_fee", "ask_time", "ask_where", "ask_online", "ask_changes")
CHANNEL_NAMES = {"truc_tiep": "Nộp trực tiếp", "buu_chinh": "Qua bưu điện", "truc_tuyen": "Trực tuyến"}


MENU_BUTTON = {"title": "Xem các thủ tục", "payload": "/help"}
EXAMPLE_QUESTION = "\"lệ phí lý lịch tư pháp\""


@dataclass
class Reply:
    text: str
    buttons: List[dict] = field(default_factory=list)


def format_date(date: dt.date) -> str:
    return date.strftime("%d/%m/%Y")


def payload(intent: str, procedure_id: Optional[str] = None) -> str:
    """A button payload Rasa parses without NLU: /intent{"procedure": "..."}."""
    if procedure_id is None:
        return f"/{intent}"
    return f"/{intent}" + json.dumps({"procedure": procedure_id}, separators=(",", ":"))


def aspect_buttons(procedure: Procedure, skip: str = "") -> List[dict]:
    return [{"title": ASPECT_TITLES[a], "payload": payload(a, procedure.id)}
            for a in BUTTON_ASPECTS if a != skip]


def procedure_buttons(catalog: Catalog, intent: str) -> List[dict]:
    return [{"title": catalog.procedures[pid].short_name, "payload": payload(intent, pid)}
            for pid in catalog.menu]


def official_channel(catalog: Catalog, procedure: Optional[Procedure]) -> str:
    """Where to ask when the catalog does not know, as a phrase that can end a sentence."""
    text = (procedure and procedure.official_channel) or catalog.official_channel
    return text.strip().rstrip(".")


def _footer(procedure: Procedure, basis: Optional[str],
            verified_on: Optional[dt.date] = None) -> str:
    source = f"Căn cứ: {basis.rstrip('.')}. " if basis else ""
    return f"({source}Thông tin xác minh ngày {format_date(verified_on or procedure.verified_on)}.)"


# How an answer admits that a fact rests on less than a legal text someone here has read.
HEDGES = {
    "bao_chi": "Thông tin này theo báo chí đưa tin về văn bản, chưa đối chiếu được toàn văn.",
    "chua_chac": "Thông tin này chưa được xác nhận bằng văn bản chính thức, vui lòng kiểm tra lại.",
}
# A rule that changed within this many days is announced with what it replaced.
RECENT_CHANGE_DAYS = 365


def hedge(fact: Fact) -> str:
    return HEDGES.get(fact.confidence, "")


def change_line(procedure: Procedure, field_name: str, day: dt.date) -> str:
    """'Từ 01/7/2026: X (trước đó: Y).' when the rule in force replaced another in the last year."""
    dated = procedure.facts.get(field_name)
    change = dated.change(day) if dated else None
    if change is None:
        return ""
    current, previous = change
    if current.start is None or (day - current.start).days > RECENT_CHANGE_DAYS:
        return ""
    before = previous.value.short if previous.value.known else "chưa có thông tin"
    return f"Từ {format_date(current.start)}: {current.value.short.rstrip('.')} " \
           f"(trước đó: {before.rstrip('.')})."


def _heading(procedure: Procedure, aspect: str) -> str:
    return f"{procedure.short_name} – {ASPECT_TITLES[aspect]}:"


def unknown_answer(catalog: Catalog, procedure: Procedure, aspect: str,
                   reason: Optional[str] = None) -> str:
    lines = [
        f"Xin lỗi, danh mục của Sở chưa có thông tin đã xác minh về "
        f"{ASPECT_TITLES[aspect].lower()} của thủ tục {procedure.short_name}.",
    ]
    if reason:
        lines.append(reason)
    lines.append("Để được hướng dẫn chính xác, anh/chị vui lòng liên hệ: "
                 f"{official_channel(catalog, procedure)}.")
    return "\n".join(lines)


def fact_answer(catalog: Catalog, procedure: Procedure, aspect: str, fact: Fact,
                extra: str = "", changed: str = "") -> str:
    if not fact.known:
        return unknown_answer(catalog, procedure, aspect, fact.unknown_reason)
    parts = [_heading(procedure, aspect), fact.text, changed, extra, hedge(fact)]
    if fact.caveat:
        parts.append(f"Lưu ý: {fact.caveat}")
    parts.append(_footer(procedure, fact.basis, fact.verified_on))
    return "\n".join(p for p in parts if p)


def _channel_lines(procedure: Procedure, attribute: str, label: str, day: dt.date) -> str:
    lines: List[str] = []
    for channel in procedure.channels:
        detail = channel.detail(attribute, day)
        line = f"- {channel.name or CHANNEL_NAMES[channel.kind]}: {detail.text}" if detail else ""
        if line and line not in lines:
            lines.append(line)
    return f"{label}:\n" + "\n".join(lines) if lines else ""


def _office_line(office: Office) -> str:
    if office.kind == "cong_thong_tin":
        return f"- {office.name}" + (f": {office.website}" if office.website else "")
    if office.address.known:
        return f"- {office.name}: {office.address.text}"
    reason = office.address.unknown_reason or ""
    return f"- {office.name}: chưa có địa chỉ đã xác minh. {reason}".rstrip()


def closed_office_notice(catalog: Catalog, office: Office) -> str:
    if not office.closed:
        return ""
    notice = f"{office.name} đã ngừng tiếp nhận hồ sơ từ {format_date(office.closed_on)}."
    replacement = catalog.offices.get(office.replaced_by or "")
    if replacement:
        notice += f" Nay anh/chị nộp tại {replacement.name}"
        notice += f", {replacement.address.text}." if replacement.address.known else "."
    return notice


def where_answer(catalog: Catalog, procedure: Procedure, named_office: Optional[Office]) -> str:
    parts = [_heading(procedure, "ask_where"), f"Cơ quan thực hiện: {procedure.agency}"]
    offices = [catalog.offices[o] for o in procedure.offices]
    if offices:
        parts.append("Nơi nộp:\n" + "\n".join(_office_line(o) for o in offices if not o.closed))
    if named_office is not None:
        parts.append(closed_office_notice(catalog, named_office))
    parts.append(_footer(procedure, None))
    return "\n".join(p for p in parts if p)


def office_contact(office: Office) -> str:
    """Address, hours and phone of a counter (each known or admitted unknown); a portal's site."""
    if office.kind == "cong_thong_tin":
        return f"{office.name}: {office.website}" if office.website else office.name
    lines = [f"{office.name}:"]
    facts = (("Địa chỉ", office.address), ("Giờ làm việc", office.hours),
             ("Điện thoại", office.phone))
    unknown = [label.lower() for label, fact in facts if not fact.known]
    for label, fact in facts:
        if fact.known:
            notes = " ".join(n for n in (hedge(fact), fact.caveat) if n)
            lines.append(f"- {label}: {fact.text}" + (f" ({notes})" if notes else ""))
    if unknown:
        lines.append(f"- Chưa có thông tin đã xác minh về: {', '.join(unknown)}.")
    if office.note:
        lines.append(f"- Ghi chú: {office.note}")
    return "\n".join(lines)


def contact_answer(catalog: Catalog, procedure: Procedure, named_office: Optional[Office]) -> str:
    """Contacts of the office the citizen named, else of every office handling the procedure."""
    if named_office is not None:
        parts, offices = ["Thông tin liên hệ:"], [named_office]
    else:
        parts = [f"{procedure.short_name} – Liên hệ:"]
        offices = [catalog.offices[o] for o in procedure.offices]
    for office in offices:
        parts.append(closed_office_notice(catalog, office) or office_contact(office))
    parts.append(f"Kênh chính thức: {official_channel(catalog, procedure)}.")
    return "\n".join(parts)


def channel_answer(catalog: Catalog, procedure: Procedure, aspect: str, day: dt.date) -> str:
    kind = CHANNEL_FOR_ASPECT[aspect]
    channels = [c for c in procedure.channels
                if c.kind == kind and c.detail("description", day) is not None]
    if not channels:
        return unknown_answer(catalog, procedure, aspect)
    parts = [_heading(procedure, aspect)]
    for channel in channels:
        description = channel.detail("description", day)
        parts.append(description.text if description else "")
        for attribute, label in (("time", "Thời hạn"), ("fee", "Phí")):
            detail = channel.detail(attribute, day)
            if detail:
                parts.append(f"{label}: {detail.text}")
                parts.append(hedge(detail))
    parts.append(_footer(procedure, None))
    return "\n".join(p for p in parts if p)


def changes_answer(catalog: Catalog, procedure: Procedure, day: dt.date) -> str:
    if not procedure.changes:
        return unknown_answer(catalog, procedure, "ask_changes")
    lines = [_heading(procedure, "ask_changes")]
    for change in procedure.changes:
        upcoming = " (sắp áp dụng)" if change.date > day else ""
        lines.append(f"- Từ {format_date(change.date)}{upcoming}: {change.text}")
    lines.append(f"Quy định đang áp dụng có hiệu lực từ {format_date(procedure.effective_from)}.")
    lines.append(_footer(procedure, None))
    return "\n".join(lines)


def overview_answer(procedure: Procedure) -> str:
    return "\n".join([
        f"{procedure.name}:",
        procedure.summary,
        f"Cơ quan thực hiện: {procedure.agency}",
        "Anh/Chị muốn hỏi về nội dung nào ạ?",
    ])


def question_answer(procedure: Procedure, question: QuestionAnswer) -> str:
    return "\n".join([
        f"{procedure.short_name} – {question.question}",
        question.answer,
        _footer(procedure, question.source),
    ])


def aspect_answer(catalog: Catalog, procedure: Procedure, aspect: str,
                  named_office: Optional[Office] = None, day: Optional[dt.date] = None) -> Reply:
    """The answer about one aspect of a procedure as the rules stand on `day` (default today),
    with buttons for the other aspects."""
    day = day or today()
    if aspect == OVERVIEW:
        return Reply(overview_answer(procedure), aspect_buttons(procedure))
    if aspect == "ask_where":
        text = where_answer(catalog, procedure, named_office)
    elif aspect == "ask_contact":
        text = contact_answer(catalog, procedure, named_office)
    elif aspect in CHANNEL_FOR_ASPECT:
        text = channel_answer(catalog, procedure, aspect, day)
    elif aspect == "ask_changes":
        text = changes_answer(catalog, procedure, day)
    else:
        field_name, _ = FIELD_ASPECTS[aspect]
        per_channel = CHANNEL_DETAIL.get(aspect)
        extra = _channel_lines(procedure, per_channel, "Theo kênh nộp", day) if per_channel else ""
        text = fact_answer(catalog, procedure, aspect, procedure.fact(field_name, day), extra,
                           change_line(procedure, field_name, day))
    return Reply(text, aspect_buttons(procedure, skip=aspect))


def which_procedure(catalog: Catalog, aspect: str) -> Reply:
    intent = aspect if aspect in ASPECTS else "inform_procedure"
    question = "Anh/Chị muốn hỏi"
    question += f" {ASPECT_TITLES[aspect].lower()} của thủ tục nào ạ?" if aspect in ASPECTS \
        else " về thủ tục nào ạ?"
    return Reply(question, procedure_buttons(catalog, intent))


def blank_message(catalog: Catalog) -> Reply:
    return Reply("Anh/Chị chưa nhập nội dung câu hỏi. Anh/Chị có thể gõ câu hỏi, ví dụ "
                 f"{EXAMPLE_QUESTION}, hoặc chọn một thủ tục:",
                 procedure_buttons(catalog, "inform_procedure"))


def menu(catalog: Catalog) -> Reply:
    return Reply(
        "Tôi có thể hướng dẫn anh/chị về hồ sơ, lệ phí, thời hạn, nơi nộp và cách nộp trực "
        "tuyến của các thủ tục sau. Anh/Chị chọn một thủ tục hoặc gõ câu hỏi nhé:",
        procedure_buttons(catalog, "inform_procedure"),
    )


def still_not_understood(catalog: Catalog) -> Reply:
    return Reply("Xin lỗi, tôi vẫn chưa hiểu câu hỏi. Anh/Chị có thể hỏi ngắn gọn hơn, ví dụ "
                 f"{EXAMPLE_QUESTION}, hoặc hỏi cán bộ qua kênh chính thức: "
                 f"{official_channel(catalog, None)}.", [MENU_BUTTON])


def out_of_scope(catalog: Catalog) -> Reply:
    return Reply(
        "Xin lỗi, câu hỏi này nằm ngoài phạm vi tôi hỗ trợ. Tôi chỉ hướng dẫn các thủ tục "
        "hành chính thuộc lĩnh vực tư pháp (lý lịch tư pháp, chứng thực, hộ tịch, quốc tịch, "
        "nuôi con nuôi, trợ giúp pháp lý...). "
        f"Với các việc khác, anh/chị vui lòng liên hệ: {official_channel(catalog, None)}.",
        [MENU_BUTTON],
    )
