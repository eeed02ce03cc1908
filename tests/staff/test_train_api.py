"""The training API's rules that need no training (tests/staff/test_retrain.py runs the real
one): who may start and watch a job, unknown jobs, a job whose process died."""

from __future__ import annotations

import json
import time

import requests


def test_training_needs_a_publisher(fresh_console, tmp_path):
    console = fresh_console(STAFF_TRAIN_DIR=str(tmp_path / "train"))
    assert requests.post(f"{console.url}/api/train", timeout=10).status_code == 401
    editor = console.add_user("editor1", "editor")
    reply = editor.post("/api/train")
    assert reply.status_code == 403 and "Người duyệt" in reply.json()["error"]
    assert editor.get("/api/train/20260101-000000-abcdef").status_code == 403
    assert not (tmp_path / "train" / "jobs").exists()  # nothing was started

    page = console.browser_session("editor1", "user-pass-123")
    assert page.get("/train").status_code == 403
    assert 'href="/train"' not in page.get("/").text
    publisher = console.add_user("pub1", "publisher")
    page = console.browser_session("pub1", "user-pass-123")
    html = page.get("/train").text
    assert 'href="/train"' in html and 'id="start-training"' in html
    assert publisher.get("/api/train/20260101-000000-abcdef").status_code == 404
    assert publisher.get("/api/train/..%2F..%2Fstaff").status_code == 404


def test_a_job_whose_process_died_reads_as_failed(fresh_console, tmp_path):
    jobs = tmp_path / "train" / "jobs"
    jobs.mkdir(parents=True)
    job = "20260101-000000-abcdef"
    (jobs / f"{job}.json").write_text(json.dumps({
        "job": job, "status": "running", "progress": 30, "detail": "Đang huấn luyện",
        "pid": 2 ** 22 + 1, "created": time.time() - 600}))  # above Linux's pid_max: not running
    console = fresh_console(STAFF_TRAIN_DIR=str(tmp_path / "train"))
    state = console.api().get(f"/api/train/{job}").json()
    assert state["status"] == "failed" and "dừng bất thường" in state["detail"], state
    # a dead job does not block the button
    page = console.browser_session()
    html = page.get(f"/train?job={job}").text
    assert 'id="start-training">' in html and "Thất bại" in html
