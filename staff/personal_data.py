"""Finding and deleting everything stored about one citizen (issue #11), for administrators.

A citizen may ask the department what it keeps about them and to delete it (Vietnam's personal
data protection rules, Decree 13/2023). The review database keeps a sender only as a keyed
hash, so there are two ways in: an inbox item of theirs (an officer read their message), or
the sender id the citizen gives (the widget shows none, but a REST client knows its own; a
widget user's id is in the browser's localStorage). Both find the same rows: every message of
theirs that was kept for review and every officer reply to them. 👍/👎 and question counts
carry no sender, so nothing there is theirs.

Admin only; every look and every deletion is audited with the counts, never the raw sender id.
Deleted rows are overwritten on disk (SQLite secure_delete, actions/review_log.py).
Rasa's own conversation store (conversations.db or PostgreSQL) keeps the whole conversation
under the raw sender id: it is found and deleted too, by scripts/forget_conversation.py run
with the project's Rasa environment (this console's has no Rasa). A deletion starts there, so
that a failure there deletes nothing and the officer can simply try again.
"""

from __future__ import annotations

import json
import subprocess
from typing import Any, Dict, Optional

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from actions import review_log
from actions.settings import PROJECT_ROOT
from staff.errors import StaffError
from staff.inbox import _call, _ip
from staff.pages import _first, _form, _principal, _redirect, render

api_router = APIRouter(prefix="/api/personal-data")
page_router = APIRouter()
ROLE = "admin"


def _target(data: Dict[str, Any]) -> Dict[str, Any]:
    """{"item_id": int} or {"sender": str}, checked: exactly one of them."""
    sender = str(data.get("sender") or "").strip()
    raw_item = data.get("item_id")
    if bool(sender) == (raw_item not in (None, "")):
        raise StaffError(422, "Cho biết một trong hai: mã mục hộp thư (item_id) hoặc mã người "
                              "gửi (sender) mà người dân cung cấp.",
                         [{"field": "sender", "message": "chọn một"}])
    if sender:
        if not 2 <= len(sender) <= 200:
            raise StaffError(422, "Mã người gửi không hợp lệ.",
                             [{"field": "sender", "message": "2–200 ký tự"}])
        return {"sender": sender}
    try:
        return {"item_id": int(raw_item)}
    except (TypeError, ValueError):
        raise StaffError(422, "Mã mục hộp thư phải là số.",
                         [{"field": "item_id", "message": "phải là số"}]) from None


def _how(target: Dict[str, Any]) -> Dict[str, Any]:
    """What the audit keeps of the target: the item id, never a raw sender id."""
    return {"item_id": target["item_id"]} if "item_id" in target else {"by": "sender"}


CONVERSATION_TIMEOUT = 120  # seconds: the script imports Rasa (a few seconds) and scans


def conversation(target: Dict[str, Any], delete: bool) -> Dict[str, Any]:
    """{"conversations", "events"} of this sender in Rasa's conversation store (deleted with
    `delete`); StaffError 502 when the store cannot be reached."""
    command = [str(PROJECT_ROOT / ".venv" / "bin" / "python"), "-m",
               "scripts.forget_conversation"] + (["--delete"] if delete else [])
    try:
        done = subprocess.run(command, input=json.dumps(target), capture_output=True, text=True,
                              cwd=PROJECT_ROOT, timeout=CONVERSATION_TIMEOUT, check=False)
        result = json.loads(done.stdout.strip().splitlines()[-1])
    except (OSError, subprocess.TimeoutExpired, ValueError, IndexError):
        result = {"error": "no answer from the conversation store"}
    if "error" in result:
        raise StaffError(502, "Không đọc được kho hội thoại của trợ lý (Rasa): "
                              f"{result['error']}. Chưa xóa gì; vui lòng thử lại.")
    return result


def find(request: Request, username: str, target: Dict[str, Any]) -> Dict[str, Any]:
    found = _call(review_log.sender_data, **target)
    if found is None:
        raise StaffError(404, "Không có mục này trong hộp thư.")
    found["conversation"] = conversation(target, delete=False)
    request.app.state.console.store.audit(
        username, "personal_data_viewed", "inbox", str(target.get("item_id", "")),
        {**_how(target), "items": len(found["items"]), "replies": len(found["replies"])},
        _ip(request))
    return found


def delete(request: Request, username: str, target: Dict[str, Any]) -> Dict[str, Any]:
    if "item_id" in target and _call(review_log.get, target["item_id"]) is None:
        raise StaffError(404, "Không có mục này trong hộp thư.")
    stored = conversation(target, delete=True)  # first: needs the item to find the sender
    deleted = _call(review_log.forget, **target)
    if deleted is None:
        raise StaffError(404, "Không có mục này trong hộp thư.")
    deleted = {**deleted, "conversation_events": stored["events"]}
    request.app.state.console.store.audit(
        username, "personal_data_deleted", "inbox", str(target.get("item_id", "")),
        {**_how(target), **deleted}, _ip(request))
    return {"deleted": deleted}


# --- API --------------------------------------------------------------------------------------

def _api_principal(request: Request):
    from staff.api import principal_of

    return principal_of(request, ROLE)


async def _api_body(request: Request) -> Dict[str, Any]:
    from staff.api import _body

    return await _body(request)


@api_router.post("/find")
async def api_find(request: Request):
    principal = _api_principal(request)
    target = _target(await _api_body(request))
    return await run_in_threadpool(find, request, principal.username, target)


@api_router.post("/delete")
async def api_delete(request: Request):
    principal = _api_principal(request)
    target = _target(await _api_body(request))
    return await run_in_threadpool(delete, request, principal.username, target)


# --- pages ------------------------------------------------------------------------------------

def _page(request: Request, principal, target: Optional[Dict[str, Any]], found=None,
          deleted=None, error: Optional[str] = None):
    return render(request, "personal_data.html", principal=principal, target=target or {},
                  found=found, deleted=deleted, error=error)


@page_router.get("/personal-data")
def personal_data_page(request: Request, item: Optional[int] = None, deleted: str = ""):
    """From an inbox item's button (?item=ID): what is kept about its sender, with a delete
    button; without it, a form to look up the sender id a citizen gives."""
    principal = _principal(request, ROLE)
    done = {"items": deleted} if deleted else None
    if item is None:
        return _page(request, principal, None, deleted=done)
    target = {"item_id": item}
    return _page(request, principal, target, find(request, principal.username, target))


@page_router.post("/personal-data/find")
async def personal_data_find(request: Request):
    """A sender id typed by the officer: posted, so it never lands in a URL or access log."""
    principal = _principal(request, ROLE)
    form = await _form(request, principal)
    target = _target({"sender": _first(form, "sender")})
    found = await run_in_threadpool(find, request, principal.username, target)
    return _page(request, principal, target, found)


@page_router.post("/personal-data/delete")
async def personal_data_delete(request: Request):
    principal = _principal(request, ROLE)
    form = await _form(request, principal)
    target = _target({"sender": _first(form, "sender"), "item_id": _first(form, "item_id")})
    outcome = await run_in_threadpool(delete, request, principal.username, target)
    return _redirect(f"/personal-data?deleted={outcome['deleted']['items']}")
