"""The inbox page (/inbox) for officers, in Vietnamese: the same operations as /api/inbox
(staff/inbox.py), posted from forms with the page's CSRF token."""

from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Request

from staff import inbox
from staff.pages import _first, _form, _principal, _redirect, render

router = APIRouter()
KIND_TITLES = {"unanswered": "Không hiểu", "low_confidence": "Trả lời nhưng chưa chắc",
               "out_of_scope": "Ngoài phạm vi", "negative_feedback": "Đánh giá 👎",
               "handover": "Gặp cán bộ"}
STATUS_TITLES = {"open": "Chưa xử lý", "closed": "Đã đóng", "resolved": "Đã xử lý",
                 "dismissed": "Đã bỏ qua"}
FLASH = {"resolved": "Đã xử lý mục. Câu ví dụ mới có hiệu lực sau khi huấn luyện lại (make train).",
         "replied": "Đã gửi trả lời; người dân nhận được khi kênh của họ lấy tin.",
         "closed": "Đã đóng cuộc trò chuyện; trợ lý trả lời lại bình thường."}


@router.get("/inbox")
def inbox_page(request: Request, kind: Optional[str] = None, status: Optional[str] = "open"):
    principal = _principal(request)
    items = [inbox.item(i["id"]) | {"count": i["count"]}
             for i in inbox.listing(kind or None, status or None)[:200]]
    return render(request, "inbox.html", principal=principal, items=items, kind=kind or "",
                  status_filter=status or "", kinds=KIND_TITLES, statuses=STATUS_TITLES,
                  intents=inbox.trainable_intents(), done=FLASH.get(request.query_params.get("done", "")))


@router.post("/inbox/{item_id}/resolve")
async def resolve_form(request: Request, item_id: int):
    principal = _principal(request)
    form = await _form(request, principal)
    data = {"action": _first(form, "action"), "intent": _first(form, "intent")}
    if _first(form, "text").strip():
        data["text"] = _first(form, "text")
    await inbox.do_resolve(request, item_id, data, principal.username)
    return _redirect("/inbox?done=resolved")


@router.post("/inbox/{item_id}/reply")
async def reply_form(request: Request, item_id: int):
    principal = _principal(request)
    form = await _form(request, principal)
    await inbox.do_reply(request, item_id, _first(form, "text"), principal.username)
    return _redirect("/inbox?done=replied&kind=handover")


@router.post("/inbox/{item_id}/close")
async def close_form(request: Request, item_id: int):
    principal = _principal(request)
    await _form(request, principal)
    inbox.do_close(request, item_id, principal.username)
    return _redirect("/inbox?done=closed&kind=handover")

