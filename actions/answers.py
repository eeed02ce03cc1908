"""Compose the assistant's answers from the catalog, in Vietnamese or English.

Pure functions from catalog records to texts and buttons, kept apart from Rasa so they are
easy to test. Answers are plain text with line breaks (the channels render them), short
enough for a phone, and end with the legal basis and the date the facts were verified.
English answers use the catalog's English texts (`noi_dung_en`, `tra_loi_en`, ...); where a
fact has none, the Vietnamese text is given with one English line that says so.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from actions import aspects, units
from actions.catalog import Catalog, Fact, Office, Procedure, QuestionAnswer
from actions.settings import today

# Lookups derived from the one aspect table (actions/aspects.py).
FIELD_ASPECTS: Dict[str, tuple] = {a.intent: (a.key, a.title) for a in aspects.ASPECT_TABLE
                                   if a.answered_by == aspects.FIELD}
ASPECT_TITLES: Dict[str, str] = {a.intent: a.title for a in aspects.ASPECT_TABLE}
ASPECTS = tuple(ASPECT_TITLES)
ASPECT_KEYS: Dict[str, str] = {a.intent: a.key for a in aspects.ASPECT_TABLE}
FIELD_KEYS = frozenset(key for key, _ in FIELD_ASPECTS.values())
BUTTON_ASPECTS = aspects.BUTTON_ORDER
OVERVIEW = "overview"

# Fixed texts, per language. Catalog texts come from the catalog.
TEXTS: Dict[str, Dict[str, str]] = {
    "vi": {
        "menu_button": "Xem các thủ tục",
        "full_button": "Xem đầy đủ",
        "more": "(Còn nữa: bấm \"Xem đầy đủ\".)",
        "basis": "Căn cứ: {basis}. ",
        "verified": "({source}Thông tin xác minh ngày {date}.)",
        "source": "Nguồn: {source}. ",
        "since": "Từ {date}: {now} (trước đó: {before}).",
        "none_before": "chưa có thông tin",
        "agency": "Cơ quan thực hiện: {agency}",
        "where": "Nơi nộp:",
        "no_address": "chưa có địa chỉ đã xác minh.",
        "closed": "{office} đã ngừng tiếp nhận hồ sơ từ {date}.",
        "instead": " Nay anh/chị nộp tại {office}",
        "contact": "Thông tin liên hệ:",
        "contact_heading": "{procedure} – Liên hệ:",
        "address": "Địa chỉ", "hours": "Giờ làm việc", "phone": "Điện thoại", "note": "Ghi chú",
        "unknown_contact": "- Chưa có thông tin đã xác minh về: {what}.",
        "official": "Kênh chính thức: {channel}.",
        "time": "Thời hạn", "fee": "Phí", "by_channel": "Theo kênh nộp",
        "caveat": "Lưu ý: {caveat}",
        "upcoming": " (sắp áp dụng)",
        "change": "- Từ {date}{upcoming}: {text}",
        "in_force_since": "Quy định đang áp dụng có hiệu lực từ {date}.",
        "ask_what": "Anh/Chị muốn hỏi về nội dung nào ạ?",
        "unknown": "Xin lỗi, danh mục của Sở chưa có thông tin đã xác minh về {aspect} của thủ "
                   "tục {procedure}.",
        "ask_official": "Để được hướng dẫn chính xác, anh/chị vui lòng liên hệ: {channel}.",
        "which_aspect": "Anh/Chị muốn hỏi {aspect} của thủ tục nào ạ?",
        "which": "Anh/Chị muốn hỏi về thủ tục nào ạ?",
        "blank": "Anh/Chị chưa nhập nội dung câu hỏi. Anh/Chị có thể gõ câu hỏi, ví dụ "
                 "\"lệ phí lý lịch tư pháp\", hoặc chọn một thủ tục:",
        "menu": "Tôi có thể hướng dẫn anh/chị về hồ sơ, lệ phí, thời hạn, nơi nộp và cách nộp "
                "trực tuyến của các thủ tục sau. Anh/Chị chọn một thủ tục hoặc gõ câu hỏi nhé:",
        "not_understood": "Xin lỗi, tôi vẫn chưa hiểu câu hỏi. Anh/Chị có thể hỏi ngắn gọn hơn, "
                          "ví dụ \"lệ phí lý lịch tư pháp\", hoặc hỏi cán bộ qua kênh chính "
                          "thức: {channel}.",
        "out_of_scope": "Xin lỗi, câu hỏi này nằm ngoài phạm vi tôi hỗ trợ. Tôi chỉ hướng dẫn "
                        "các thủ tục hành chính thuộc lĩnh vực tư pháp (lý lịch tư pháp, chứng "
                        "thực, hộ tịch, quốc tịch, nuôi con nuôi, trợ giúp pháp lý...). Với các "
                        "việc khác, anh/chị vui lòng liên hệ: {channel}.",
        "restarted": "Đã bắt đầu cuộc trò chuyện mới; tôi không còn nhớ các câu hỏi trước. "
                     "Anh/Chị chọn một thủ tục hoặc gõ câu hỏi nhé:",
        "unknown_command": "Xin lỗi, tôi không có lệnh này. Anh/Chị gõ câu hỏi bằng lời, ví dụ "
                           "\"lệ phí lý lịch tư pháp\", hoặc chọn một thủ tục:",
        "guess": "Xin lỗi, tôi chưa hiểu rõ. Có phải anh/chị muốn hỏi về:",
        "guess_procedure": "Xin lỗi, tôi chưa hiểu rõ. Anh/Chị muốn hỏi gì về {procedure}?",
        "vietnamese_only": "",
    },
    "en": {
        "menu_button": "Procedures",
        "full_button": "Full answer",
        "more": "(More: press \"Full answer\".)",
        "basis": "Legal basis: {basis}. ",
        "verified": "({source}Information verified on {date}.)",
        "source": "Source: {source}. ",
        "since": "Since {date}: {now} (before: {before}).",
        "none_before": "no information",
        "agency": "Handled by: {agency}",
        "where": "Where to apply:",
        "no_address": "no verified address.",
        "closed": "{office} stopped receiving applications on {date}.",
        "instead": " Apply instead at {office}",
        "contact": "Contact:",
        "contact_heading": "{procedure} – Contact:",
        "address": "Address", "hours": "Hours", "phone": "Phone", "note": "Note",
        "unknown_contact": "- No verified information on: {what}.",
        "official": "Official channel: {channel}.",
        "time": "Time", "fee": "Fee", "by_channel": "By channel",
        "caveat": "Note: {caveat}",
        "upcoming": " (upcoming)",
        "change": "- From {date}{upcoming}: {text}",
        "in_force_since": "The rules described apply since {date}.",
        "ask_what": "What would you like to know?",
        "unknown": "Sorry, this is not verified yet: the department's catalog has no verified "
                   "information on the {aspect} of {procedure}.",
        "ask_official": "For accurate guidance please contact: {channel}.",
        "which_aspect": "Which procedure is your question about ({aspect})?",
        "which": "Which procedure is your question about?",
        "blank": "Your message was empty. Type a question, e.g. \"criminal record certificate "
                 "fee\", or choose a procedure:",
        "menu": "I can explain the documents, fees, processing times, where to apply and how "
                "to apply online for these procedures. Choose one or type your question:",
        "not_understood": "Sorry, I still do not understand. Please ask in a few words, e.g. "
                          "\"criminal record certificate fee\", or ask an officer through the "
                          "official channel: {channel}.",
        "out_of_scope": "Sorry, this is outside what I can help with. I explain the "
                        "administrative procedures of the justice field (judicial record "
                        "certificate, certified copies, civil status, nationality, adoption, "
                        "legal aid...). For other matters please contact: {channel}.",
        "restarted": "A new conversation has started; I no longer remember your earlier "
                     "questions. Choose a procedure or type your question:",
        "unknown_command": "Sorry, I do not know that command. Please type your question in "
                           "words, or choose a procedure:",
        "guess": "Sorry, I am not sure I understood. Did you mean:",
        "guess_procedure": "Sorry, I am not sure I understood. What would you like to know "
                           "about {procedure}?",
        "vietnamese_only": "(This part is only available in Vietnamese for now; for help in "
                           "English please contact: {channel}.)",
    },
}
# How an answer admits that a fact rests on less than a legal text someone here has read.
HEDGES_BY_LANGUAGE = {
    "vi": {"bao_chi": "Thông tin này theo báo chí đưa tin về văn bản, chưa đối chiếu được toàn văn.",
           "chua_chac": "Thông tin này chưa được xác nhận bằng văn bản chính thức, vui lòng kiểm "
                        "tra lại."},
    "en": {"bao_chi": "This is based on press reports of the law; its full text has not been "
                      "checked.",
           "chua_chac": "This has not been confirmed by an official text; please check it."},
}
HEDGES = HEDGES_BY_LANGUAGE["vi"]
CHANNEL_NAMES = {"vi": {"truc_tiep": "Nộp trực tiếp", "buu_chinh": "Qua bưu điện",
                        "truc_tuyen": "Trực tuyến"},
                 "en": {"truc_tiep": "In person", "buu_chinh": "By post", "truc_tuyen": "Online"}}
# A rule that changed within this many days is announced with what it replaced.
RECENT_CHANGE_DAYS = 365
MENU_BUTTON = {"title": TEXTS["vi"]["menu_button"], "payload": "/help"}


@dataclass
class Reply:
    text: str
    buttons: List[dict] = field(default_factory=list)


def _t(lang: str, key: str, **values: object) -> str:
    return TEXTS[lang if lang in TEXTS else "vi"][key].format(**values)


def format_date(date: dt.date) -> str:
    return date.strftime("%d/%m/%Y")


def menu_button(lang: str = "vi") -> dict:
    return {"title": _t(lang, "menu_button"), "payload": "/help"}


def payload(intent: str, procedure_id: Optional[str] = None) -> str:
    """A button payload Rasa parses without NLU: /intent{"procedure": "..."}."""
    if procedure_id is None:
        return f"/{intent}"
    return f"/{intent}" + json.dumps({"procedure": procedure_id}, separators=(",", ":"))


def short_name(procedure: Procedure, lang: str = "vi") -> str:
    return (procedure.short_name_en if lang == "en" else None) or procedure.short_name


def aspect_buttons(procedure: Procedure, skip: str = "", lang: str = "vi") -> List[dict]:
    return [{"title": aspects.title(a, lang), "payload": payload(a, procedure.id)}
            for a in BUTTON_ASPECTS if a != skip]


def procedure_buttons(catalog: Catalog, intent: str, lang: str = "vi") -> List[dict]:
    return [{"title": short_name(catalog.procedures[pid], lang), "payload": payload(intent, pid)}
            for pid in catalog.menu]


def official_channel(catalog: Catalog, procedure: Optional[Procedure], lang: str = "vi") -> str:
    """Where to ask when the catalog does not know, as a phrase that can end a sentence."""
    if lang == "en" and catalog.official_channel_en:
        return catalog.official_channel_en.strip().rstrip(".")
    text = (procedure and procedure.official_channel) or catalog.official_channel
    return text.strip().rstrip(".")


def _footer(procedure: Procedure, basis: Optional[str],
            verified_on: Optional[dt.date] = None, lang: str = "vi") -> str:
    source = _t(lang, "basis", basis=basis.rstrip(".")) if basis else ""
    return _t(lang, "verified", source=source,
              date=format_date(verified_on or procedure.verified_on))


def hedge(fact: Fact, lang: str = "vi") -> str:
    return HEDGES_BY_LANGUAGE.get(lang, HEDGES).get(fact.confidence, "")


def _localised(catalog: Catalog, fact: Fact, lang: str) -> tuple:
    """(fact in the asked language, a note when only Vietnamese exists)."""
    if lang != "en":
        return fact, ""
    if fact.text_en or not fact.known:
        return fact.in_language(lang), ""
    return fact, _t(lang, "vietnamese_only", channel=official_channel(catalog, None, lang))


def change_line(procedure: Procedure, field_name: str, day: dt.date, lang: str = "vi") -> str:
    """'Từ 01/7/2026: X (trước đó: Y).' when the rule in force replaced another in the last year."""
    dated = procedure.facts.get(field_name)
    change = dated.change(day) if dated else None
    if change is None:
        return ""
    current, previous = change
    if current.start is None or (day - current.start).days > RECENT_CHANGE_DAYS:
        return ""
    now, before = current.value.in_language(lang), previous.value.in_language(lang)
    if lang == "en" and not (current.value.text_en and (previous.value.text_en
                                                          or not previous.value.known)):
        return ""  # no English summary of one of them: the answer's own text says enough
    before_text = before.short if before.known else _t(lang, "none_before")
    return _t(lang, "since", date=format_date(current.start), now=now.short.rstrip("."),
              before=before_text.rstrip("."))


def _heading(procedure: Procedure, aspect: str, lang: str = "vi") -> str:
    return f"{short_name(procedure, lang)} – {aspects.title(aspect, lang)}:"


def unknown_answer(catalog: Catalog, procedure: Procedure, aspect: str,
                   reason: Optional[str] = None, lang: str = "vi",
                   reason_en: Optional[str] = None) -> str:
    """"Not verified", why (in English only when the catalog gives the reason in English),
    and the official channel."""
    lines = [_t(lang, "unknown", aspect=aspects.title(aspect, lang).lower(),
                procedure=short_name(procedure, lang))]
    said = reason_en if lang == "en" else reason
    if said:
        lines.append(said)
    lines.append(_t(lang, "ask_official", channel=official_channel(catalog, procedure, lang)))
    return "\n".join(lines)


def fact_answer(catalog: Catalog, procedure: Procedure, aspect: str, fact: Fact,
                extra: str = "", changed: str = "", lang: str = "vi", question: str = "",
                full: bool = True) -> Reply:
    """The fact as an answer. Unless `full`, the units of the text that the question asks
    for lead (actions/units.py), or the text is cut to a phone screen; either way the reply
    then carries a "Xem đầy đủ" button."""
    if not fact.known:
        return Reply(unknown_answer(catalog, procedure, aspect, fact.unknown_reason, lang,
                                    fact.unknown_reason_en))
    fact, only_vietnamese = _localised(catalog, fact, lang)
    after = [changed, hedge(fact, lang)]
    if fact.caveat:
        after.append(_t(lang, "caveat", caveat=fact.caveat))
    after.append(_footer(procedure, fact.basis, fact.verified_on, lang))
    body, shortened = (fact.text or "") + (f"\n{extra}" if extra else ""), False
    if not full:
        body, shortened = _short_body(catalog, procedure, body, question, len(fact.text or ""))
    parts = [_heading(procedure, aspect, lang), only_vietnamese, body,
             _t(lang, "more") if shortened else ""] + after
    buttons = [full_button(procedure, aspect, lang)] if shortened else []
    return Reply("\n".join(p for p in parts if p), buttons)


def full_button(procedure: Procedure, aspect: str, lang: str = "vi") -> dict:
    """Shows the whole field: the aspect's own intent, with the procedure and detail=full."""
    value = json.dumps({"procedure": procedure.id, "detail": "full"}, separators=(",", ":"))
    return {"title": _t(lang, "full_button"), "payload": f"/{aspect}{value}"}


def _short_body(catalog: Catalog, procedure: Procedure, body: str, question: str,
                own_length: int) -> tuple:
    """(body, shortened): the units the question asks for, else the first ones that fit."""
    if own_length <= units.WHOLE_BODY:  # the field's own text, without the channel lines
        return body, False
    pieces = units.split(body)
    asked = units.question_words(question, units.names_of(procedure))
    chosen = units.focus(pieces, asked, units.weights_of(catalog))
    if chosen:
        return units.render([pieces[i] for i in chosen]), len(chosen) < len(pieces)
    kept, shortened = units.cut(pieces, units.MAX_BODY)
    return (units.render(kept), True) if shortened else (body, False)


def _channel_lines(procedure: Procedure, attribute: str, label: str, day: dt.date,
                   lang: str = "vi") -> str:
    lines: List[str] = []
    for channel in procedure.channels:
        detail = channel.detail(attribute, day)
        if detail is None:
            continue
        name = channel.name or CHANNEL_NAMES[lang][channel.kind]
        line = f"- {name}: {detail.in_language(lang).text}"
        if line not in lines:
            lines.append(line)
    return f"{label}:\n" + "\n".join(lines) if lines else ""


def _office_name(office: Office, lang: str) -> str:
    return (office.name_en if lang == "en" else None) or office.name


def _office_line(office: Office, lang: str = "vi") -> str:
    name = _office_name(office, lang)
    if office.kind == "cong_thong_tin":
        return f"- {name}" + (f": {office.website}" if office.website else "")
    if office.address.known:
        return f"- {name}: {office.address.in_language(lang).text}"
    reason = office.address.unknown_reason or "" if lang != "en" else ""
    return f"- {name}: {_t(lang, 'no_address')} {reason}".rstrip()


def closed_office_notice(catalog: Catalog, office: Office, lang: str = "vi") -> str:
    if not office.closed:
        return ""
    notice = _t(lang, "closed", office=_office_name(office, lang),
                date=format_date(office.closed_on))
    replacement = catalog.offices.get(office.replaced_by or "")
    if replacement:
        notice += _t(lang, "instead", office=_office_name(replacement, lang))
        notice += f", {replacement.address.text}." if replacement.address.known else "."
    return notice


def where_answer(catalog: Catalog, procedure: Procedure, named_office: Optional[Office],
                 lang: str = "vi") -> str:
    parts = [_heading(procedure, "ask_where", lang), _t(lang, "agency", agency=procedure.agency)]
    offices = [catalog.offices[o] for o in procedure.offices]
    if offices:
        parts.append(_t(lang, "where") + "\n" + "\n".join(
            _office_line(o, lang) for o in offices if not o.closed))
    if named_office is not None:
        parts.append(closed_office_notice(catalog, named_office, lang))
    parts.append(_footer(procedure, None, lang=lang))
    return "\n".join(p for p in parts if p)


def office_contact(office: Office, lang: str = "vi") -> str:
    """Address, hours and phone of a counter (each known or admitted unknown); a portal's site."""
    name = _office_name(office, lang)
    if office.kind == "cong_thong_tin":
        return f"{name}: {office.website}" if office.website else name
    lines = [f"{name}:"]
    facts = ((_t(lang, "address"), office.address), (_t(lang, "hours"), office.hours),
             (_t(lang, "phone"), office.phone))
    unknown = [label.lower() for label, fact in facts if not fact.known]
    for label, fact in facts:
        if fact.known:
            fact = fact.in_language(lang)
            notes = " ".join(n for n in (hedge(fact, lang), fact.caveat) if n)
            lines.append(f"- {label}: {fact.text}" + (f" ({notes})" if notes else ""))
    if unknown:
        lines.append(_t(lang, "unknown_contact", what=", ".join(unknown)))
    note = (office.note_en if lang == "en" else None) or office.note
    if note:
        lines.append(f"- {_t(lang, 'note')}: {note}")
    return "\n".join(lines)


def contact_answer(catalog: Catalog, procedure: Procedure, named_office: Optional[Office],
                   lang: str = "vi") -> str:
    """Contacts of the office the citizen named, else of every office handling the procedure."""
    if named_office is not None:
        parts, offices = [_t(lang, "contact")], [named_office]
    else:
        parts = [_t(lang, "contact_heading", procedure=short_name(procedure, lang))]
        offices = [catalog.offices[o] for o in procedure.offices]
    for office in offices:
        parts.append(closed_office_notice(catalog, office, lang) or office_contact(office, lang))
    parts.append(_t(lang, "official", channel=official_channel(catalog, procedure, lang)))
    return "\n".join(parts)


def channel_answer(catalog: Catalog, procedure: Procedure, aspect: str, day: dt.date,
                   lang: str = "vi") -> str:
    kind = aspects.BY_INTENT[aspect].channel_kind
    channels = [c for c in procedure.channels
                if c.kind == kind and c.detail("description", day) is not None]
    if not channels:
        return unknown_answer(catalog, procedure, aspect, lang=lang)
    parts = [_heading(procedure, aspect, lang)]
    for channel in channels:
        description = channel.detail("description", day)
        if description is not None:
            localised, note = _localised(catalog, description, lang)
            parts += [note, localised.text]
        for attribute in ("time", "fee"):
            detail = channel.detail(attribute, day)
            if detail:
                parts.append(f"{_t(lang, attribute)}: {detail.in_language(lang).text}")
                parts.append(hedge(detail, lang))
    parts.append(_footer(procedure, None, lang=lang))
    return "\n".join(dict.fromkeys(p for p in parts if p))


def changes_answer(catalog: Catalog, procedure: Procedure, day: dt.date, lang: str = "vi") -> str:
    if not procedure.changes:
        return unknown_answer(catalog, procedure, "ask_changes", lang=lang)
    lines = [_heading(procedure, "ask_changes", lang)]
    if lang == "en":
        lines.append(_t(lang, "vietnamese_only", channel=official_channel(catalog, None, lang)))
    for change in procedure.changes:
        upcoming = _t(lang, "upcoming") if change.date > day else ""
        lines.append(_t(lang, "change", date=format_date(change.date), upcoming=upcoming,
                        text=change.text))
    lines.append(_t(lang, "in_force_since", date=format_date(procedure.effective_from)))
    lines.append(_footer(procedure, None, lang=lang))
    return "\n".join(lines)


def overview_answer(procedure: Procedure, lang: str = "vi") -> str:
    name = (procedure.name_en if lang == "en" else None) or procedure.name
    summary = (procedure.summary_en if lang == "en" else None) or procedure.summary
    return "\n".join([f"{name}:", summary, _t(lang, "agency", agency=procedure.agency),
                      _t(lang, "ask_what")])


def general_answer(catalog: Catalog, question: QuestionAnswer, lang: str = "vi") -> Reply:
    """A question about no single procedure (chung.yml hoi_dap), with the menu to go on."""
    source = _t(lang, "source", source=question.source.rstrip(".")) if question.source else ""
    title, answer = _question_texts(catalog, question, lang)
    text = "\n".join([title, answer, _t(lang, "verified", source=source,
                                        date=format_date(catalog.verified_on))])
    return Reply(text, [menu_button(lang)])


def _question_texts(catalog: Catalog, question: QuestionAnswer, lang: str) -> tuple:
    if lang != "en":
        return question.question, question.answer
    if question.answer_en:
        return question.question_en or question.question, question.answer_en
    note = _t(lang, "vietnamese_only", channel=official_channel(catalog, None, lang))
    return question.question, f"{note}\n{question.answer}"


def question_answer(procedure: Procedure, question: QuestionAnswer, lang: str = "vi",
                    catalog: Optional[Catalog] = None) -> str:
    if catalog is not None:
        title, answer = _question_texts(catalog, question, lang)
    else:
        title, answer = question.question, question.answer
    return "\n".join([f"{short_name(procedure, lang)} – {title}", answer,
                      _footer(procedure, question.source, lang=lang)])


_PAGES = re.compile(r"(\d{1,4})[\s-]*(?:trang|tờ|to|pages?|sheets?)\b", re.IGNORECASE)
_COPIES = re.compile(r"(\d{1,3})[\s-]*(?:bản|ban|copies|copy)\b", re.IGNORECASE)
MAX_PAGES = 5000


def _money(amount: int, lang: str) -> str:
    return f"{amount:,} VND" if lang == "en" else f"{amount:,} đồng".replace(",", ".")


def _documents(question: str) -> List[tuple]:
    """(copies, pages) of each document the question counts: "3 bản CCCD (1 trang) và 2 bản
    bằng (2 trang)" is [(3, 1), (2, 2)]; a page count without a copy count is one copy."""
    copies = [(m.start(), int(m.group(1))) for m in _COPIES.finditer(question or "")]
    documents = []
    for match in _PAGES.finditer(question or ""):
        before = [c for c in copies if c[0] < match.start()]
        count = before[-1][1] if before else 1
        if before:
            copies.remove(before[-1])  # each copy count belongs to one document
        documents.append((count, int(match.group(1))))
    return documents


def page_fee_line(procedure: Procedure, question: str, lang: str = "vi") -> str:
    """"Bản 12 trang: 14.000 đồng/bản." when the fee is counted by pages and the question says how
    many (and "2 bản × 12.000 = 24.000 đồng" when it says how many copies): the citizen asked for
    that figure, not for the rule to work it out."""
    documents = _documents(question) if procedure.page_fee is not None else []
    if not documents or not all(0 < pages <= MAX_PAGES and 0 < copies <= 999
                                for copies, pages in documents):
        return ""
    fee = procedure.page_fee
    if len(documents) == 1 and documents[0][0] == 1:
        pages = documents[0][1]
        amount = fee.for_pages(pages)
        # "tính theo trang chắc tốn cả mớ tiền?": say the figure is the ceiling when it is.
        capped = bool(fee.cap) and amount == fee.cap
        if lang == "en":
            note = " (the maximum per copy)" if capped else ""
            return f"A {pages}-page document: {_money(amount, lang)} per certified copy{note}."
        note = " (mức tối đa cho một bản)" if capped else ""
        return f"Bản {pages} trang: {_money(amount, lang)}/bản{note}."
    lines, total = [], 0
    for copies, pages in documents:
        each = fee.for_pages(pages)
        total += copies * each
        ceiling = bool(fee.cap) and each == fee.cap
        lines.append(f"- {copies} × {pages} page(s): {copies} × {_money(each, lang)}"
                     + (" (maximum)" if ceiling else "") if lang == "en"
                     else f"- {copies} bản × {pages} trang: {copies} × {_money(each, lang)}"
                     + (" (tối đa)" if ceiling else ""))
    lines.append(f"Total: {_money(total, lang)}." if lang == "en" else f"Tổng: {_money(total, lang)}.")
    return "\n".join(lines)


def aspect_answer(catalog: Catalog, procedure: Procedure, aspect: str,
                  named_office: Optional[Office] = None, day: Optional[dt.date] = None,
                  lang: str = "vi", question: str = "", full: bool = True) -> Reply:
    """The answer about one aspect of a procedure as the rules stand on `day` (default today),
    in `lang`, with buttons for the other aspects. Unless `full`, a long field is answered by
    the part `question` asks for, with a "Xem đầy đủ" button for the rest."""
    day = day or today()
    if aspect == OVERVIEW:
        return Reply(overview_answer(procedure, lang), aspect_buttons(procedure, lang=lang))
    row = aspects.BY_INTENT[aspect]
    if row.answered_by == aspects.WHERE:
        text = where_answer(catalog, procedure, named_office, lang)
    elif row.answered_by == aspects.CONTACT:
        text = contact_answer(catalog, procedure, named_office, lang)
    elif row.answered_by == aspects.CHANNEL:
        text = channel_answer(catalog, procedure, aspect, day, lang)
    elif row.answered_by == aspects.CHANGES:
        text = changes_answer(catalog, procedure, day, lang)
    else:
        label = _t(lang, "by_channel")
        extra = _channel_lines(procedure, row.channel_detail, label, day, lang) \
            if row.channel_detail else ""
        reply = fact_answer(catalog, procedure, aspect, procedure.fact(row.key, day), extra,
                            change_line(procedure, row.key, day, lang), lang, question, full)
        computed = page_fee_line(procedure, question, lang) if row.key == "le_phi" else ""
        text = f"{computed}\n{reply.text}" if computed else reply.text
        return Reply(text, reply.buttons + aspect_buttons(procedure, skip=aspect, lang=lang))
    return Reply(text, aspect_buttons(procedure, skip=aspect, lang=lang))


def which_procedure(catalog: Catalog, aspect: str, lang: str = "vi") -> Reply:
    where = (catalog.where_to_file_en if lang == "en" else None) or catalog.where_to_file
    if aspect == "ask_where" and where:
        # "Where do I file?" has a general answer; the buttons give the precise one.
        return Reply(f"{where.strip()}\n{_t(lang, 'which')}",
                     procedure_buttons(catalog, aspect, lang))
    if aspect in ASPECTS:
        return Reply(_t(lang, "which_aspect", aspect=aspects.title(aspect, lang).lower()),
                     procedure_buttons(catalog, aspect, lang))
    return Reply(_t(lang, "which"), procedure_buttons(catalog, "inform_procedure", lang))


def blank_message(catalog: Catalog, lang: str = "vi") -> Reply:
    return Reply(_t(lang, "blank"), procedure_buttons(catalog, "inform_procedure", lang))


def menu(catalog: Catalog, lang: str = "vi") -> Reply:
    return Reply(_t(lang, "menu"), procedure_buttons(catalog, "inform_procedure", lang))


def still_not_understood(catalog: Catalog, lang: str = "vi") -> Reply:
    return Reply(_t(lang, "not_understood", channel=official_channel(catalog, None, lang)),
                 [menu_button(lang)])


def restarted(catalog: Catalog, lang: str = "vi") -> Reply:
    return Reply(_t(lang, "restarted"), procedure_buttons(catalog, "inform_procedure", lang))


def unknown_command(catalog: Catalog, lang: str = "vi") -> Reply:
    return Reply(_t(lang, "unknown_command"), procedure_buttons(catalog, "inform_procedure", lang))


def out_of_scope(catalog: Catalog, lang: str = "vi") -> Reply:
    return Reply(_t(lang, "out_of_scope", channel=official_channel(catalog, None, lang)),
                 [menu_button(lang)])


def guesses(procedure: Optional[Procedure], guessed: List[str], lang: str = "vi") -> Reply:
    """Low confidence: the best-guessed aspects as buttons (with the procedure, if known)."""
    if procedure is None:
        buttons = [{"title": aspects.title(a, lang), "payload": payload(a)} for a in guessed]
        return Reply(_t(lang, "guess"), buttons + [menu_button(lang)])
    name = short_name(procedure, lang)
    buttons = [{"title": f"{aspects.title(a, lang)} – {name}", "payload": payload(a, procedure.id)}
               for a in guessed]
    return Reply(_t(lang, "guess_procedure", procedure=name), buttons + [menu_button(lang)])
