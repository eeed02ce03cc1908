"""The JSON API (docs/staff-api.md). The console's own page uses it for the test pane."""

from __future__ import annotations

from typing import Any, Dict, Optional

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from staff.auth import COOKIE, ROLES, Principal, check_csrf, require
from staff.errors import StaffError

router = APIRouter(prefix="/api")
COLLECTIONS = {"procedures": "procedure", "offices": "office"}


def _kind(collection: str) -> str:
    if collection not in COLLECTIONS:
        raise StaffError(404, "Không có mục này.")
    return COLLECTIONS[collection]


async def _body(request: Request) -> Dict[str, Any]:
    try:
        data = await request.json()
    except ValueError:
        raise StaffError(400, "Nội dung yêu cầu không phải JSON hợp lệ.") from None
    if not isinstance(data, dict):
        raise StaffError(400, "Nội dung yêu cầu phải là một đối tượng JSON.")
    return data


def principal_of(request: Request, role: str = "editor") -> Principal:
    """The caller (Bearer token, else the page's cookie with its CSRF header), at least `role`."""
    console = request.app.state.console
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        principal = console.auth.principal(header[7:].strip(), "bearer")
    else:
        principal = console.auth.principal(request.cookies.get(COOKIE), "cookie")
        if principal is not None:
            check_csrf(principal, request.method, request.headers.get("x-csrf-token"))
    return require(principal, role)


def _ip(request: Request) -> Optional[str]:
    return request.client.host if request.client else None


@router.post("/login")
async def login(request: Request):
    data = await _body(request)
    token, _ = request.app.state.console.auth.login(
        str(data.get("username") or ""), str(data.get("password") or ""), _ip(request) or "?", "bearer")
    return {"token": token}


@router.post("/logout")
async def logout(request: Request):
    principal = principal_of(request)
    request.app.state.console.auth.logout(principal, _ip(request))
    return {"ok": True}


@router.get("/me")
def me(request: Request):
    principal = principal_of(request)
    return {"username": principal.username, "role": principal.role}


@router.get("/general")
def get_general(request: Request):
    principal_of(request)
    item = request.app.state.console.get("general", "chung")
    return {"id": "chung", "version": item["version"], "record": item["record"], "draft": item["draft"]}


@router.put("/general")
async def put_general(request: Request):
    principal = principal_of(request)
    data = await _body(request)
    return request.app.state.console.save("general", "chung", data.get("version"), data.get("record"),
                                          principal.username, _ip(request))


@router.get("/worklist")
def worklist(request: Request):
    principal_of(request)
    return request.app.state.console.worklist()


@router.get("/drafts")
def drafts(request: Request):
    principal_of(request)
    return request.app.state.console.pending()


@router.post("/publish")
async def publish(request: Request):
    principal = principal_of(request, "publisher")
    data = await _body(request)
    return await run_in_threadpool(request.app.state.console.publish, principal.username,
                                   str(data.get("note") or ""), _ip(request))


@router.get("/history")
def history(request: Request, procedure: Optional[str] = None, office: Optional[str] = None):
    principal_of(request)
    if procedure:
        return request.app.state.console.history("procedure", procedure)
    if office:
        return request.app.state.console.history("office", office)
    return request.app.state.console.history(None, None)


@router.post("/preview")
async def preview(request: Request):
    principal = principal_of(request)
    data = await _body(request)
    return await run_in_threadpool(request.app.state.console.preview, principal.username,
                                   str(data.get("message") or ""), str(data.get("sender") or "") or None)


@router.get("/audit")
def audit(request: Request, limit: int = 500):
    principal_of(request, "admin")
    return [dict(row) for row in request.app.state.console.store.audit_log(min(max(limit, 1), 5000))]


@router.get("/users")
def users(request: Request):
    principal_of(request, "admin")
    return [dict(row) for row in request.app.state.console.store.users()]


@router.post("/users")
async def put_user(request: Request):
    principal = principal_of(request, "admin")
    data = await _body(request)
    username = str(data.get("username") or "").strip().lower()
    created = request.app.state.console.auth.put_user(
        principal.username, username, str(data.get("role") or ""), str(data.get("password") or ""), _ip(request))
    return JSONResponse({"username": username, "created": created, "roles": list(ROLES)},
                        status_code=201 if created else 200)


@router.delete("/users/{username}")
def delete_user(request: Request, username: str):
    principal = principal_of(request, "admin")
    console = request.app.state.console
    if username == principal.username:
        raise StaffError(409, "Không thể tự xoá tài khoản của mình.")
    if not console.store.delete_user(username):
        raise StaffError(404, "Không có tài khoản này.")
    console.store.audit(principal.username, "user_deleted", "user", username, ip=_ip(request))
    return {"ok": True}


@router.get("/{collection}")
def listing(request: Request, collection: str, q: str = ""):
    principal_of(request)
    return request.app.state.console.listing(_kind(collection), q)


@router.post("/{collection}")
async def create(request: Request, collection: str):
    principal = principal_of(request)
    kind = _kind(collection)
    data = await _body(request)
    record = data.get("record")
    item_id = str(record.get("id") or "") if isinstance(record, dict) else ""
    if not item_id:
        raise StaffError(422, "Thiếu mã (id).", [{"field": "id", "message": "bắt buộc, chưa nhập"}])
    result = await run_in_threadpool(request.app.state.console.save, kind, item_id, None, record,
                                     principal.username, _ip(request), True)
    return JSONResponse({"id": item_id, **result}, status_code=201)


@router.get("/{collection}/{item_id}")
def get_item(request: Request, collection: str, item_id: str):
    principal_of(request)
    item = request.app.state.console.get(_kind(collection), item_id)
    return {"id": item_id, "version": item["version"], "record": item["record"], "draft": item["draft"],
            "draft_user": item["draft_user"]}


@router.put("/{collection}/{item_id}")
async def put_item(request: Request, collection: str, item_id: str):
    principal = principal_of(request)
    kind = _kind(collection)
    data = await _body(request)
    console = request.app.state.console
    create = console.current(kind, item_id) is None
    return await run_in_threadpool(console.save, kind, item_id, data.get("version"), data.get("record"),
                                   principal.username, _ip(request), create)


@router.delete("/{collection}/{item_id}/draft")
def discard(request: Request, collection: str, item_id: str):
    principal = principal_of(request)
    request.app.state.console.discard(_kind(collection), item_id, principal.username, _ip(request))
    return {"ok": True}


@router.post("/{collection}/{item_id}/restore")
async def restore(request: Request, collection: str, item_id: str):
    principal = principal_of(request, "publisher")
    data = await _body(request)
    return await run_in_threadpool(request.app.state.console.restore, _kind(collection), item_id,
                                   data.get("version"), data.get("current"), principal.username, _ip(request))


@router.post("/{collection}/{item_id}/recheck")
async def recheck(request: Request, collection: str, item_id: str):
    principal = principal_of(request)
    data = await _body(request)
    return await run_in_threadpool(request.app.state.console.recheck, _kind(collection), item_id,
                                   data.get("version"), principal.username, _ip(request),
                                   str(data.get("field") or "ngay_xac_minh"))
