"""Retraining from the console (issue #11, part 3): `POST /api/train`, `GET /api/train/{job}`
and the /train page.

The console runs in its own environment without Rasa, so the job itself runs in the
assistant's environment as a child process, `python -m scripts.retrain JOB` (regenerate, train
to a new file, evaluate against the serving model, swap without dropping a request). It
reports through a status file per job (STAFF_TRAIN_DIR/jobs/JOB.json) that this module reads.

Starting a job needs the publisher role: a swap changes what every citizen gets, like a
publish. One job at a time: a second start gets 409 with the running job's id (the runner also
holds a lock file, so even two consoles cannot train at once).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from staff.errors import StaffError
from staff.pages import _form, _principal, _redirect, render
from staff.settings import PROJECT_ROOT

api_router = APIRouter(prefix="/api/train")
router = APIRouter()
ROLE = "publisher"
JOB_ID = re.compile(r"^\d{8}-\d{6}-[0-9a-f]{6}$")
ACTIVE = ("queued", "running")
# A job whose runner has not written its process id by then never started.
START_GRACE_SECONDS = 60
_lock = threading.Lock()
_children: Dict[str, subprocess.Popen] = {}


def train_dir() -> Path:
    value = os.environ.get("STAFF_TRAIN_DIR")
    path = Path(value) if value else PROJECT_ROOT / "var" / "train"
    return path if path.is_absolute() else PROJECT_ROOT / path


def _job_path(job_id: str) -> Path:
    if not JOB_ID.match(job_id or ""):
        raise StaffError(404, "Không có lần huấn luyện này.")
    return train_dir() / "jobs" / f"{job_id}.json"


def _alive(job_id: str, state: Dict[str, Any]) -> bool:
    child = _children.get(job_id)
    if child is not None:
        return child.poll() is None  # poll() also reaps a finished child
    pid = state.get("pid")
    if pid:
        try:
            os.kill(int(pid), 0)
            return True
        except OSError:
            return False
    return time.time() - float(state.get("created") or 0) < START_GRACE_SECONDS


def status(job_id: str) -> Dict[str, Any]:
    path = _job_path(job_id)
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StaffError(404, "Không có lần huấn luyện này.") from None
    except ValueError:  # written atomically; a broken file is a broken disk
        raise StaffError(503, "Không đọc được trạng thái huấn luyện.") from None
    if state.get("status") in ACTIVE and not _alive(job_id, state):
        state.update(status="failed", detail="Tiến trình huấn luyện đã dừng bất thường (máy khởi động "
                                             "lại?). Mô hình cũ vẫn đang phục vụ; hãy thử lại.")
    return state


def recent(limit: int = 10) -> List[Dict[str, Any]]:
    jobs = sorted((train_dir() / "jobs").glob("*.json"), reverse=True)[:limit]
    found = []
    for path in jobs:
        try:
            found.append(status(path.stem))
        except StaffError:
            continue
    return found


def running() -> Optional[Dict[str, Any]]:
    return next((job for job in recent(20) if job.get("status") in ACTIVE), None)


def start(username: str) -> str:
    """Start a job, or raise 409 naming the one already running."""
    with _lock:
        current = running()
        if current:
            raise StaffError(409, "Đang có một lần huấn luyện chạy; chờ nó xong.", job=current["job"])
        job_id = time.strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(3)
        path = _job_path(job_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"job": job_id, "status": "queued", "progress": 0,
                                    "detail": "Đang chờ bắt đầu.", "created": time.time(),
                                    "started_by": username}, ensure_ascii=False))
        python = PROJECT_ROOT / ".venv" / "bin" / "python"
        env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "STAFF_TRAIN_DIR": str(train_dir())}
        with path.with_suffix(".log").open("a") as log:
            _children[job_id] = subprocess.Popen(
                [str(python), "-m", "scripts.retrain", job_id], cwd=PROJECT_ROOT, env=env,
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True)  # a console restart does not stop a job mid-swap
        return job_id


def public(state: Dict[str, Any]) -> Dict[str, Any]:
    keys = ("job", "status", "progress", "detail", "step", "steps", "scores", "model",
            "started_by", "created", "finished")
    return {key: state.get(key) for key in keys}


# --- HTTP ----------------------------------------------------------------------------------

def _ip(request: Request) -> Optional[str]:
    return request.client.host if request.client else None


def _begin(request: Request, username: str) -> str:
    job_id = start(username)
    store = request.app.state.console.store
    store.audit(username, "train_started", "train", job_id, ip=_ip(request))
    threading.Thread(target=_audit_outcome, args=(store, username, job_id),
                     name=f"train-audit-{job_id}", daemon=True).start()
    return job_id


def _audit_outcome(store: Any, username: str, job_id: str) -> None:
    """When the job's process ends, its outcome (deployed, rejected by the gate, failed) joins
    the audit log beside its start: a swap changes every citizen's answers, like a publish.
    (A console restarted during a job leaves the outcome in the job's status only.)"""
    child = _children.get(job_id)
    if child is None:
        return
    child.wait()
    try:
        state = status(job_id)
    except StaffError as error:
        state = {"status": "failed", "detail": error.message}
    store.audit(username, "train_finished", "train", job_id,
                detail={"status": state.get("status"), "model": state.get("model")})


@api_router.post("")
def post_train(request: Request):
    from staff.api import principal_of

    principal = principal_of(request, ROLE)
    return JSONResponse({"job": _begin(request, principal.username)}, status_code=202)


@api_router.get("/{job_id}")
def get_train(request: Request, job_id: str):
    from staff.api import principal_of

    principal_of(request, ROLE)
    return public(status(job_id))


STATUS_TITLES = {"queued": "Đang chờ", "running": "Đang chạy", "done": "Xong",
                 "failed": "Thất bại", "rejected": "Không dùng (kém hơn)"}


@router.get("/train")
def train_page(request: Request, job: str = ""):
    principal = _principal(request, ROLE)
    shown = public(status(job)) if job else None
    return render(request, "train.html", principal=principal, job=shown, jobs=recent(),
                  titles=STATUS_TITLES, active=running())


@router.post("/train")
async def train_form(request: Request):
    principal = _principal(request, ROLE)
    await _form(request, principal)
    try:
        job_id = _begin(request, principal.username)
    except StaffError as error:
        if error.status != 409:
            raise
        job_id = error.extra["job"]
    return _redirect(f"/train?job={job_id}")
