"""The inbox of what citizens asked and the assistant could not handle (issue #11).

The action server writes the review log (actions/review_log.py, REVIEW_DB); this module lets
officers read it, turn messages into training examples, and answer handed-over conversations.
Same accounts, roles, CSRF and audit as the rest of the console: an editor may do all of it.

Training examples go to a reviewed file of their own (STAFF_REVIEWED_NLU, default
data/nlu/reviewed.yml), never into nlu/templates*.yml nor into tests/: `make train` picks it up
with the rest of data/nlu/, and the evaluation sets stay independent of what staff added.

Officers' replies are queued in the review database's outbox. Citizens' clients fetch them from
`GET /citizen/replies/{sender}`: unauthenticated because the widget has no staff token, but
unguessable, since `sender` is the random id only the citizen's browser knows (the database
keeps only its keyed hash). It is the one path of the console meant to be reachable from the
public side of a reverse proxy.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from actions import review_log
from actions.settings import PROJECT_ROOT
from staff.errors import StaffError

api_router = APIRouter(prefix="/api/inbox")
citizen_router = APIRouter(prefix="/citizen")
ACTIONS = ("add_example", "add_alias", "out_of_scope", "dismiss")
MAX_REPLY = 10_000
_write_lock = threading.Lock()
# Intents an example may be added to: what the classifier decides between (domain.yml), minus
# the ones only buttons produce.
NOT_TRAINABLE = {"feedback", "nlu_fallback"}


def reviewed_file() -> Path:
    value = os.environ.get("STAFF_REVIEWED_NLU")
    path = Path(value) if value else PROJECT_ROOT / "data" / "nlu" / "reviewed.yml"
    return path if path.is_absolute() else PROJECT_ROOT / path


def trainable_intents() -> List[str]:
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8")) or {}
    return [i for i in domain.get("intents", []) if isinstance(i, str) and i not in NOT_TRAINABLE]


def _call(function, *args, **kwargs):
    """One error type across this boundary: a review database failure is a 503 for officers."""
    try:
        return function(*args, **kwargs)
    except review_log.ReviewStoreError:
        raise StaffError(503, "Không đọc/ghi được cơ sở dữ liệu hộp thư (REVIEW_DB). "
                              "Thử lại sau hoặc báo quản trị.") from None


def listing(kind: Optional[str], status: Optional[str]) -> List[Dict[str, Any]]:
    if kind and kind not in review_log.KINDS:
        raise StaffError(400, f"Loại không hợp lệ; chọn một trong: {', '.join(review_log.KINDS)}.")
    if status and status not in review_log.STATUSES:
        raise StaffError(400, f"Trạng thái không hợp lệ; chọn một trong: "
                              f"{', '.join(review_log.STATUSES)}.")
    items = _call(review_log.inbox, kind or None, status or None)
    return [{key: item[key] for key in ("id", "kind", "text", "channel", "time", "status", "count")}
            for item in items]


def item(item_id: int) -> Dict[str, Any]:
    found = _call(review_log.get, item_id)
    if found is None:
        raise StaffError(404, "Không có mục này trong hộp thư.")
    return found


# --- the reviewed training file -------------------------------------------------------------

def _read_reviewed(path: Path) -> Dict[str, List[str]]:
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    examples: Dict[str, List[str]] = {}
    for block in data.get("nlu") or []:
        lines = [line[2:].strip() for line in str(block.get("examples") or "").splitlines()
                 if line.startswith("- ")]
        examples.setdefault(str(block.get("intent")), []).extend(lines)
    return examples


def _write_reviewed(path: Path, examples: Dict[str, List[str]]) -> None:
    lines = ['version: "3.1"', "",
             "# Examples officers accepted from citizens' messages (staff console inbox).",
             "# Written by the console; not an evaluation set. Retrain to apply (make train).",
             "nlu:"]
    for intent in sorted(examples):
        lines += [f"  - intent: {intent}", "    examples: |"]
        lines += [f"      - {text}" for text in examples[intent]]
    temporary = path.with_suffix(".tmp")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    temporary.replace(path)


def _example_lines(files) -> set:
    found = set()
    for other in files:
        for line in other.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if stripped.startswith("- "):
                found.add(review_log.fold(stripped[2:]))
    return found


def _existing_examples(path: Path) -> set:
    """Every example line of the training data, so one message is never labelled twice
    (`rasa data validate` fails on an example with two intents)."""
    return _example_lines(path.parent.glob("*.yml"))


def _evaluation_examples() -> set:
    """The held-out and content sets: an example there must never be trained on, or the
    evaluation would measure memory (tests/test_nlu.py checks they stay apart)."""
    tests = PROJECT_ROOT / "tests"
    return _example_lines([*tests.glob("nlu/*.yml"), *tests.glob("content/*.yml")])


def add_example(intent: str, text: str) -> None:
    text = " ".join(text.split())
    if not text:
        raise StaffError(422, "Câu ví dụ trống.", [{"field": "text", "message": "bắt buộc"}])
    if any(c in text for c in "[]{}()") or text.startswith("/"):
        raise StaffError(422, "Câu ví dụ còn phần bị che hoặc ký hiệu đặc biệt; hãy sửa câu "
                              "(trường \"text\") trước khi thêm.",
                         [{"field": "text", "message": "không được chứa [ ] { } ( ) hoặc bắt đầu bằng /"}])
    path = reviewed_file()
    with _write_lock:
        if review_log.fold(text) in _existing_examples(path):
            raise StaffError(409, "Câu này đã có trong dữ liệu huấn luyện.")
        if review_log.fold(text) in _evaluation_examples():
            raise StaffError(409, "Câu này thuộc bộ câu dùng để đánh giá trợ lý; không được "
                                  "đưa vào dữ liệu huấn luyện.")
        examples = _read_reviewed(path)
        examples.setdefault(intent, []).append(text)
        _write_reviewed(path, examples)


def resolve(item_id: int, data: Dict[str, Any]) -> Dict[str, Any]:
    """Apply an officer's decision to the item and the similar messages grouped with it."""
    found = item(item_id)
    action = str(data.get("action") or "")
    if action not in ACTIONS:
        raise StaffError(422, f"Hành động không hợp lệ; chọn một trong: {', '.join(ACTIONS)}.",
                         [{"field": "action", "message": "không hợp lệ"}])
    ids = [found["id"]] + list(found["similar_ids"])
    text = str(data.get("text") or found["text"] or "")
    if action == "add_alias":
        raise StaffError(501, "Chưa hỗ trợ thêm bí danh từ hộp thư: hãy mở thủ tục trong danh mục, "
                              "thêm bí danh vào bản nháp rồi xuất bản; sau đó dùng \"dismiss\".")
    if action == "add_example":
        intent = str(data.get("intent") or "")
        if intent not in trainable_intents() or intent == "out_of_scope":
            raise StaffError(422, "Chọn ý định (intent) cho câu ví dụ, ví dụ ask_fee.",
                             [{"field": "intent", "message": "không hợp lệ"}])
        add_example(intent, text)
        resolution = f"add_example:{intent}"
        status = review_log.RESOLVED
    elif action == "out_of_scope":
        add_example("out_of_scope", text)
        resolution, status = "out_of_scope", review_log.RESOLVED
    else:
        resolution, status = "dismiss", review_log.DISMISSED
    return {"ids": ids, "status": status, "resolution": resolution}


def check_reply(found: Dict[str, Any], text: str) -> str:
    if found["kind"] != "handover":
        raise StaffError(409, "Chỉ trả lời được các yêu cầu gặp cán bộ (handover).")
    if found["status"] != review_log.OPEN:
        raise StaffError(409, "Cuộc trò chuyện này đã đóng; không gửi được trả lời.")
    text = text.strip()
    if not text:
        raise StaffError(422, "Nội dung trả lời trống.", [{"field": "text", "message": "bắt buộc"}])
    if len(text) > MAX_REPLY:
        raise StaffError(422, f"Trả lời quá dài (tối đa {MAX_REPLY} ký tự).",
                         [{"field": "text", "message": "quá dài"}])
    return text


# --- HTTP -----------------------------------------------------------------------------------

def _principal(request: Request):
    from staff.api import principal_of  # the API's rule: Bearer token, or cookie + CSRF header

    return principal_of(request, "editor")


def _ip(request: Request) -> Optional[str]:
    return request.client.host if request.client else None


async def _body(request: Request) -> Dict[str, Any]:
    from staff.api import _body as api_body

    return await api_body(request)


@api_router.get("")
def get_inbox(request: Request, kind: Optional[str] = None, status: Optional[str] = None):
    _principal(request)
    return listing(kind, status)


@api_router.get("/{item_id}")
def get_item(request: Request, item_id: int):
    _principal(request)
    return item(item_id)


async def do_resolve(request: Request, item_id: int, data: Dict[str, Any], username: str):
    outcome = await run_in_threadpool(resolve, item_id, data)
    await run_in_threadpool(_call, review_log.set_status, outcome["ids"], outcome["status"],
                            outcome["resolution"], username)
    request.app.state.console.store.audit(username, "inbox_resolved", "inbox", str(item_id),
                                          {"resolution": outcome["resolution"],
                                           "count": len(outcome["ids"])}, _ip(request))
    return outcome


async def do_reply(request: Request, item_id: int, text: str, username: str):
    text = check_reply(item(item_id), text)
    queued = await run_in_threadpool(_call, review_log.add_reply, item_id, text, username)
    request.app.state.console.store.audit(username, "inbox_reply", "inbox", str(item_id),
                                          {"channel": queued["channel"], "chars": len(text)},
                                          _ip(request))
    return {"ok": True, "outbox_id": queued["id"], "channel": queued["channel"]}


def do_close(request: Request, item_id: int, username: str):
    found = item(item_id)
    if found["kind"] != "handover":
        raise StaffError(409, "Chỉ đóng được các yêu cầu gặp cán bộ (handover).")
    if found["status"] == review_log.OPEN:
        _call(review_log.set_status, [item_id], review_log.CLOSED, "closed", username)
        request.app.state.console.store.audit(username, "inbox_closed", "inbox", str(item_id),
                                              ip=_ip(request))
    return {"ok": True, "status": review_log.CLOSED}


@api_router.post("/{item_id}/resolve")
async def post_resolve(request: Request, item_id: int):
    principal = _principal(request)
    return await do_resolve(request, item_id, await _body(request), principal.username)


@api_router.post("/{item_id}/reply")
async def post_reply(request: Request, item_id: int):
    principal = _principal(request)
    data = await _body(request)
    return await do_reply(request, item_id, str(data.get("text") or ""), principal.username)


@api_router.post("/{item_id}/close")
def post_close(request: Request, item_id: int):
    principal = _principal(request)
    return do_close(request, item_id, principal.username)


def _widget_origins() -> List[str]:
    return os.environ.get("STAFF_WIDGET_ORIGINS", "").split()


@citizen_router.get("/replies/{sender}")
def citizen_replies(request: Request, sender: str):
    """Officers' replies for the citizen whose client knows `sender`, each delivered once."""
    origin = request.headers.get("origin", "")
    headers = {"Access-Control-Allow-Origin": origin} if origin in _widget_origins() else {}
    retry_after = request.app.state.citizen_limit.retry_after(request)
    if retry_after:  # before any database work: that is what the limit protects
        return JSONResponse({"messages": [], "error": "too many requests"}, status_code=429,
                            headers={**headers, "Retry-After": str(retry_after)})
    if not 8 <= len(sender) <= 200:
        return JSONResponse({"messages": []}, status_code=404)
    try:
        messages = review_log.deliver(sender)
    except review_log.ReviewStoreError:
        return JSONResponse({"messages": [], "error": "unavailable"}, status_code=503)
    return JSONResponse({"messages": [{"text": m["text"], "time": m["time"]} for m in messages]},
                        headers=headers)
