"""Server-rendered pages for officers (Vietnamese). Every page works without a terminal; the
forms post back here and call the same Console methods as the API, so roles, conflicts and
validation behave identically. Jinja autoescape shows anything typed into a field as text."""

from __future__ import annotations

import datetime as dt
import hmac
import json
import secrets
from typing import Any, Dict, List, Optional
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from staff.auth import COOKIE, ROLE_TITLES, ROLES, Principal, check_csrf, require
from staff.catalog_io import GENERAL_ID
from staff.errors import StaffError
from staff.schema_forms import FormParser, FormRenderer, describe_changes

router = APIRouter()
templates = Jinja2Templates(directory=str(__import__("pathlib").Path(__file__).resolve().parent / "templates"))
LOGIN_CSRF = "staff_login_csrf"
COLLECTIONS = {"procedures": "procedure", "offices": "office"}
KIND_TITLES = {"procedure": "Thủ tục", "office": "Cơ quan", "general": "Nội dung chung"}
FLASH = {
    "saved": "Đã lưu bản nháp. Bản nháp chưa có hiệu lực với người dân cho đến khi được xuất bản.",
    "discarded": "Đã bỏ bản nháp.",
    "published": "Đã xuất bản. Trợ lý trả lời theo nội dung mới từ tin nhắn tiếp theo.",
    "retrain": "Đã xuất bản. Bí danh đã thay đổi: cần huấn luyện lại mô hình (make train hoặc khởi động lại "
               "make run) để trợ lý nhận ra tên mới; nội dung trả lời đã có hiệu lực ngay.",
    "restored": "Đã tạo bản nháp từ phiên bản cũ. Kiểm tra rồi xuất bản để áp dụng.",
    "rechecked": "Đã ghi ngày xác minh hôm nay vào bản nháp. Xuất bản để áp dụng.",
    "user": "Đã lưu tài khoản.",
}


def _date_vn(value: Any) -> str:
    if not value:
        return ""
    text = str(value)
    try:
        if "T" in text:
            return dt.datetime.fromisoformat(text).strftime("%d/%m/%Y %H:%M")
        return dt.date.fromisoformat(text).strftime("%d/%m/%Y")
    except ValueError:
        return text


templates.env.filters["vn_date"] = _date_vn
templates.env.globals["ROLE_TITLES"] = ROLE_TITLES
templates.env.globals["KIND_TITLES"] = KIND_TITLES


def _ip(request: Request) -> Optional[str]:
    return request.client.host if request.client else None


def _principal(request: Request, role: str = "editor") -> Principal:
    principal = request.app.state.console.auth.principal(request.cookies.get(COOKIE), "cookie")
    return require(principal, role)


async def _form(request: Request, principal: Principal) -> Dict[str, List[str]]:
    form = await request.form()
    data: Dict[str, List[str]] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            data.setdefault(key, []).append(value)
    check_csrf(principal, "POST", (data.get("csrf_token") or [None])[0])
    return data


def _first(form: Dict[str, List[str]], name: str) -> str:
    return (form.get(name) or [""])[0]


def render(request: Request, name: str, status: int = 200, principal: Optional[Principal] = None,
           **context: Any) -> HTMLResponse:
    console = request.app.state.console
    drafts = len(console.store.drafts()) if principal else 0
    flash = FLASH.get(request.query_params.get("ok", ""))
    return templates.TemplateResponse(request, name, {"me": principal, "draft_count": drafts, "flash": flash,
                                                      **context}, status_code=status)


def error_page(request: Request, error: StaffError) -> Response:
    if error.status == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
    principal = request.app.state.console.auth.principal(request.cookies.get(COOKIE), "cookie")
    return render(request, "error.html", error.status, principal, error=error)


def _redirect(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


def _safe_next(target: str) -> str:
    return target if target.startswith("/") and not target.startswith("//") else "/"


# --- login ---------------------------------------------------------------------------------

def _login_page(request: Request, status: int = 200, error: Optional[str] = None) -> HTMLResponse:
    console = request.app.state.console
    token = secrets.token_urlsafe(24)
    response = render(request, "login.html", status, None, error=error, login_csrf=token,
                      next=_safe_next(request.query_params.get("next", "/")), no_users=not console.has_users())
    response.set_cookie(LOGIN_CSRF, token, httponly=True, samesite="strict",
                        secure=request.app.state.settings.cookie_secure)
    return response


@router.get("/login")
def login_form(request: Request):
    return _login_page(request)


@router.post("/login")
async def login(request: Request):
    form = await request.form()
    supplied, expected = str(form.get("csrf_token") or ""), request.cookies.get(LOGIN_CSRF) or ""
    if not expected or not hmac.compare_digest(supplied, expected):
        return _login_page(request, 403, "Phiên đăng nhập đã cũ: vui lòng nhập lại.")
    try:
        token, _ = request.app.state.console.auth.login(
            str(form.get("username") or ""), str(form.get("password") or ""), _ip(request) or "?", "cookie")
    except StaffError as error:
        return _login_page(request, error.status, error.message)
    response = _redirect(_safe_next(str(form.get("next") or "/")))
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict",
                        secure=request.app.state.settings.cookie_secure)
    response.delete_cookie(LOGIN_CSRF)
    return response


@router.post("/logout")
async def logout(request: Request):
    principal = _principal(request)
    await _form(request, principal)
    request.app.state.console.auth.logout(principal, _ip(request))
    response = _redirect("/login")
    response.delete_cookie(COOKIE)
    return response


# --- list --------------------------------------------------------------------------------------

@router.get("/")
def home(request: Request, q: str = ""):
    principal = _principal(request)
    console = request.app.state.console
    return render(request, "list.html", principal=principal, q=q,
                  procedures=console.listing("procedure", q), offices=console.listing("office", q))


# --- edit ----------------------------------------------------------------------------------

def _offices(request: Request):
    return [(o["id"], o["ten"]) for o in request.app.state.console.listing("office")]


def _edit_page(request: Request, principal: Principal, kind: str, item_id: Optional[str], record: dict,
               version: str, status: int = 200, errors: Optional[List[Dict[str, str]]] = None,
               message: Optional[str] = None, conflict: Optional[dict] = None, new: bool = False,
               item: Optional[dict] = None) -> HTMLResponse:
    console = request.app.state.console
    by_field: Dict[str, List[str]] = {}
    for error in errors or []:
        by_field.setdefault(error.get("field") or "", []).append(error["message"])
    form_html = FormRenderer(console.schema, by_field, _offices(request)).record(kind, record)
    conflict_changes = (describe_changes(console.schema, conflict["record"], record) if conflict else None)
    labelled = [{"label": console.schema.label(e["field"]) if e.get("field") else "Chung", **e} for e in errors or []]
    live_changes = (describe_changes(console.schema, item["published"], item["record"])
                    if item and item.get("draft") and item.get("published") else None)
    return render(request, "edit.html", status, principal, kind=kind, item_id=item_id, record=record,
                  version=version, form_html=form_html, errors=labelled, message=message, conflict=conflict,
                  conflict_changes=conflict_changes, new=new, item=item, live_changes=live_changes,
                  action=_item_url(kind, item_id) if not new else f"/{_collection(kind)}/new")


def _item_url(kind: str, item_id: Optional[str]) -> str:
    return "/general" if kind == "general" else f"/{_collection(kind)}/{item_id}"


def _collection(kind: str) -> str:
    return {"procedure": "procedures", "office": "offices", "general": "general"}[kind]


def _kind(collection: str) -> str:
    if collection not in COLLECTIONS:
        raise StaffError(404, "Không tìm thấy trang này.")
    return COLLECTIONS[collection]


@router.get("/general")
def edit_general(request: Request):
    return _show(request, "general", GENERAL_ID)


@router.post("/general")
async def save_general(request: Request):
    return await _save(request, "general", GENERAL_ID)


@router.get("/{collection}/new")
def new_item(request: Request, collection: str, copy: str = ""):
    principal = _principal(request)
    kind = _kind(collection)
    record: Dict[str, Any] = {}
    if copy:
        source = request.app.state.console.get(kind, copy)["record"]
        record = json.loads(json.dumps(source))
        record["id"] = f"{copy}_ban_sao"
        for key in ("ten", "ten_ngan"):
            if record.get(key):
                record[key] = f"{record[key]} (bản sao)"[:30 if key == "ten_ngan" else 500]
        for key in ("bi_danh", "bi_danh_en", "ten_ngan_en"):  # an alias names one procedure only
            record.pop(key, None)
    return _edit_page(request, principal, kind, None, record, "", new=True)


@router.post("/{collection}/new")
async def create_item(request: Request, collection: str):
    principal = _principal(request)
    kind = _kind(collection)
    form = await _form(request, principal)
    console = request.app.state.console
    record = FormParser(console.schema, form).record(kind)
    item_id = str(record.get("id") or "")
    try:
        if not item_id:
            raise StaffError(422, "Thiếu mã (id).", [{"field": "id", "message": "bắt buộc, chưa nhập"}])
        console.save(kind, item_id, None, record, principal.username, _ip(request), create=True)
    except StaffError as error:
        if error.status not in (409, 422):
            raise
        return _edit_page(request, principal, kind, None, record, "", error.status, error.errors,
                          error.message, new=True)
    return _redirect(f"{_item_url(kind, item_id)}?ok=saved")


@router.get("/{collection}/{item_id}")
def edit_item(request: Request, collection: str, item_id: str):
    return _show(request, _kind(collection), item_id)


@router.post("/{collection}/{item_id}")
async def save_item(request: Request, collection: str, item_id: str):
    return await _save(request, _kind(collection), item_id)


def _show(request: Request, kind: str, item_id: str):
    principal = _principal(request)
    item = request.app.state.console.get(kind, item_id)
    return _edit_page(request, principal, kind, item_id, item["record"], item["version"], item=item)


async def _save(request: Request, kind: str, item_id: str):
    principal = _principal(request)
    form = await _form(request, principal)
    console = request.app.state.console
    record = FormParser(console.schema, form).record(kind)
    try:
        console.save(kind, item_id, _first(form, "version"), record, principal.username, _ip(request))
    except StaffError as error:
        if error.status == 409 and "current" in error.extra:
            current = error.extra["current"]
            return _edit_page(request, principal, kind, item_id, record, current["version"], 409,
                              message=error.message, conflict=current, item=console.current(kind, item_id))
        if error.status != 422:
            raise
        return _edit_page(request, principal, kind, item_id, record, _first(form, "version"), 422,
                          error.errors, error.message, item=console.current(kind, item_id))
    return _redirect(f"{_item_url(kind, item_id)}?ok=saved")


@router.post("/{collection}/{item_id}/discard")
async def discard(request: Request, collection: str, item_id: str):
    principal = _principal(request)
    await _form(request, principal)
    kind = "general" if collection == "general" else _kind(collection)
    console = request.app.state.console
    console.discard(kind, item_id, principal.username, _ip(request))
    # A discarded new item no longer exists: back to the list then.
    target = _item_url(kind, item_id) if console.current(kind, item_id) else "/"
    return _redirect(f"{target}?ok=discarded")


# --- publish, history, restore ---------------------------------------------------------------

@router.get("/publish")
def publish_page(request: Request):
    principal = _principal(request)
    pending = request.app.state.console.pending()
    return render(request, "publish.html", principal=principal, pending=pending,
                  retrain=any(p["retrain"] for p in pending))


@router.post("/publish")
async def publish(request: Request):
    principal = _principal(request, "publisher")
    form = await _form(request, principal)
    console = request.app.state.console
    try:
        result = console.publish(principal.username, _first(form, "note"), _ip(request))
    except StaffError as error:
        if error.status not in (409, 422):
            raise
        pending = console.pending()
        return render(request, "publish.html", error.status, principal, pending=pending, error=error,
                      retrain=any(p["retrain"] for p in pending), note=_first(form, "note"))
    return _redirect("/history?ok=" + ("retrain" if result["retrain_needed"] else "published"))


@router.get("/history")
def history(request: Request, procedure: str = "", office: str = ""):
    principal = _principal(request)
    console = request.app.state.console
    if procedure:
        rows, kind, item_id = console.history("procedure", procedure), "procedure", procedure
    elif office:
        rows, kind, item_id = console.history("office", office), "office", office
    else:
        rows, kind, item_id = console.history(None, None), None, None
    current = console.current(kind, item_id) if kind else None
    return render(request, "history.html", principal=principal, rows=rows[:500], kind=kind, item_id=item_id,
                  current=current)


@router.get("/history/{collection}/{item_id}/{version}")
def history_version(request: Request, collection: str, item_id: str, version: int):
    """What restoring `version` would change, in words, before the officer decides."""
    principal = _principal(request)
    console = request.app.state.console
    kind = "general" if collection == "general" else _kind(collection)
    old = console.store.record_at(kind, item_id, version)
    if old is None:
        raise StaffError(404, f"Phiên bản {version} không có mục {item_id}.")
    current = console.current(kind, item_id)
    changes = describe_changes(console.schema, current["record"] if current else None, old["record"])
    return render(request, "version.html", principal=principal, kind=kind, item_id=item_id, version=version,
                  changes=changes, current=current, collection=collection)


@router.post("/{collection}/{item_id}/restore")
async def restore(request: Request, collection: str, item_id: str):
    principal = _principal(request, "publisher")
    form = await _form(request, principal)
    kind = "general" if collection == "general" else _kind(collection)
    request.app.state.console.restore(kind, item_id, _first(form, "version"), _first(form, "current") or None,
                                      principal.username, _ip(request))
    return _redirect(f"{_item_url(kind, item_id)}?ok=restored")


# --- worklist --------------------------------------------------------------------------------

@router.get("/worklist")
def worklist(request: Request):
    principal = _principal(request)
    return render(request, "worklist.html", principal=principal, rows=request.app.state.console.worklist(),
                  stale_days=request.app.state.settings.stale_days)


@router.post("/{collection}/{item_id}/recheck")
async def recheck(request: Request, collection: str, item_id: str):
    principal = _principal(request)
    form = await _form(request, principal)
    kind = "general" if collection == "general" else _kind(collection)
    request.app.state.console.recheck(kind, item_id, _first(form, "version"), principal.username, _ip(request),
                                      _first(form, "field") or "ngay_xac_minh")
    return _redirect("/worklist?ok=rechecked")


# --- test pane -----------------------------------------------------------------------------

@router.get("/test")
def test_page(request: Request):
    principal = _principal(request)
    return render(request, "test.html", principal=principal, sender=secrets.token_hex(4), exchanges=[])


@router.post("/test")
async def test_ask(request: Request):
    principal = _principal(request)
    form = await _form(request, principal)
    sender = _first(form, "sender") or secrets.token_hex(4)
    # A button of the previous reply sends its payload, as in the widget; shown by its title.
    payload = _first(form, "payload")
    message = payload or _first(form, "message")
    try:
        exchanges = json.loads(_first(form, "transcript") or "[]")[-10:]
        exchanges = [x for x in exchanges if isinstance(x, dict) and isinstance(x.get("messages"), list)] \
            if isinstance(exchanges, list) else []
    except ValueError:
        exchanges = []
    shown = next((b.get("title") for m in (exchanges[-1].get("messages") or []) for b in m.get("buttons") or []
                  if b.get("payload") == payload), None) if payload and exchanges else None
    status, error = 200, None
    try:
        reply = request.app.state.console.preview(principal.username, message, sender)
        exchanges.append({"message": shown or message, "messages": reply["messages"]})
    except StaffError as failure:
        status, error = failure.status, failure.message
    return render(request, "test.html", status, principal, sender=sender, exchanges=exchanges, error=error,
                  transcript=json.dumps(exchanges, ensure_ascii=False))


# --- accounts and audit --------------------------------------------------------------------------

@router.get("/users")
def users_page(request: Request):
    principal = _principal(request, "admin")
    return render(request, "users.html", principal=principal, users=request.app.state.console.store.users(),
                  roles=ROLES)


@router.post("/users")
async def users_save(request: Request):
    principal = _principal(request, "admin")
    form = await _form(request, principal)
    console = request.app.state.console
    try:
        console.auth.put_user(principal.username, _first(form, "username"), _first(form, "role"),
                              _first(form, "password"), _ip(request))
    except StaffError as error:
        if error.status != 422:
            raise
        return render(request, "users.html", 422, principal, users=console.store.users(), roles=ROLES,
                      error=error.message)
    return _redirect("/users?ok=user")


@router.post("/users/{username}/delete")
async def users_delete(request: Request, username: str):
    principal = _principal(request, "admin")
    await _form(request, principal)
    console = request.app.state.console
    if username == principal.username:
        raise StaffError(409, "Không thể tự xoá tài khoản của mình.")
    if not console.store.delete_user(username):
        raise StaffError(404, "Không có tài khoản này.")
    console.store.audit(principal.username, "user_deleted", "user", username, ip=_ip(request))
    return _redirect("/users?ok=user")


@router.get("/audit")
def audit_page(request: Request):
    principal = _principal(request, "admin")
    rows = request.app.state.console.store.audit_log(500)
    return render(request, "audit.html", principal=principal, rows=[
        dict(r, when=dt.datetime.fromtimestamp(r["time"]).strftime("%d/%m/%Y %H:%M:%S")) for r in rows])
