"""The review log through the real assistant (action server + Rasa over REST): what it cannot
handle is recorded masked, 👎 keeps the rated answer, a handover keeps the bot quiet.

The model must know the `feedback` intent (domain.yml); `make test` retrains it. To run these
tests against a model trained elsewhere, set REVIEW_TEST_MODEL to its path."""

from __future__ import annotations

import os
import sqlite3
import tarfile
from pathlib import Path

import pytest

from scripts.stack import running_assistant


@pytest.fixture(scope="module")
def review(tmp_path_factory, model_path):
    work = tmp_path_factory.mktemp("review")
    db = work / "review.db"
    model = Path(os.environ.get("REVIEW_TEST_MODEL") or model_path)
    with tarfile.open(model) as packed:
        domain = packed.extractfile("components/domain_provider/domain.yml").read().decode()
    if "- feedback" not in domain:
        pytest.fail(f"{model} predates the feedback intent of domain.yml: run `make train`.")
    with running_assistant(model=model, work_dir=work / "assistant",
                           extra_env={"REVIEW_DB": str(db)}) as stack:
        yield stack, db


def rows(db: Path, sender_kind: str = "") -> list:
    connection = sqlite3.connect(db)
    connection.row_factory = sqlite3.Row
    return [dict(r) for r in connection.execute(
        "SELECT * FROM review WHERE kind LIKE ? ORDER BY id", (sender_kind or "%",))]


def texts(answer: list) -> str:
    return "\n".join(m.get("text", "") for m in answer)


def test_off_topic_and_misunderstood_messages_are_recorded_masked(review):
    stack, db = review
    stack.ask("e2e-scope", "tôi muốn mua vé máy bay, sđt 0912 345 678")
    stack.ask("e2e-fallback", "plugh frobnitz 079123456789")  # not understood
    kinds = {r["kind"]: r for r in rows(db)}
    assert "out_of_scope" in kinds and "unanswered" in kinds
    recorded = "\n".join(r["text"] for r in rows(db))
    assert "[số điện thoại]" in recorded and "[số CCCD]" in recorded
    assert "0912" not in recorded and "079123456789" not in db.read_bytes().decode("latin-1")
    assert all(r["sender_hash"] not in ("e2e-scope", "e2e-fallback") for r in rows(db))
    assert {r["channel"] for r in rows(db)} == {"rest"}


def test_thumbs_down_stores_the_rated_answer_and_the_comment(review):
    stack, db = review
    answer = stack.ask("e2e-feedback", "phí làm lý lịch tư pháp bao nhiêu")
    payloads = [b["payload"] for m in answer for b in m.get("buttons", [])]
    assert '/feedback{"value":"down"}' in payloads and '/feedback{"value":"up"}' in payloads
    asked = stack.ask("e2e-feedback", '/feedback{"value":"down"}')
    assert "chưa đúng ở điểm nào" in texts(asked)
    thanked = stack.ask("e2e-feedback", "thiếu mức phí cho người 036123456789")
    assert "Cảm ơn góp ý" in texts(thanked)
    row = rows(db, "negative_feedback")[-1]
    assert row["question"] == "phí làm lý lịch tư pháp bao nhiêu"
    assert row["reply"] and "đồng" in row["reply"]
    assert row["procedure"] == "ly_lich_tu_phap"
    assert row["comment"] == "thiếu mức phí cho người [số CCCD]"
    # the conversation goes on normally afterwards
    assert "đồng" in texts(stack.ask("e2e-feedback", "phí làm lý lịch tư pháp bao nhiêu"))


def test_handover_keeps_the_assistant_quiet(review):
    stack, db = review
    reply = stack.ask("web-e2e-handover", "cho tôi gặp cán bộ")
    assert "cán bộ" in texts(reply) and "7:00" in texts(reply)
    assert "chưa được xác minh" in texts(reply) or "chưa được xác nhận" in texts(reply)
    assert stack.ask("web-e2e-handover", "phí làm lý lịch tư pháp bao nhiêu") == []
    row = rows(db, "handover")[-1]
    assert row["status"] == "open" and row["channel"] == "web"
    assert row["comment"] == "phí làm lý lịch tư pháp bao nhiêu"  # kept for the officer
    with sqlite3.connect(db) as connection:  # the officer closes it (as the console does)
        connection.execute("UPDATE review SET status = 'closed' WHERE id = ?", (row["id"],))
    assert "đồng" in texts(stack.ask("web-e2e-handover", "phí làm lý lịch tư pháp bao nhiêu"))


def test_canbo_command_hands_over_too(review):
    stack, db = review
    assert "cán bộ" in texts(stack.ask("e2e-canbo", "/canbo"))
    assert rows(db, "handover")[-1]["text"] == "/canbo"
    assert stack.ask("e2e-canbo", "xin chào") == []


def test_questions_are_counted_for_the_dashboard(review):
    """The real action server counts each question (no text, no sender) from its background
    writer; the dashboard's figures read them."""
    import time

    from actions import review_log

    stack, db = review
    stack.ask("web-e2e-count", "phí làm lý lịch tư pháp bao nhiêu")
    stack.ask("web-e2e-count-2", "xyzzy qwrt plugh")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        counted = sqlite3.connect(db).execute(
            "SELECT outcome, procedure, channel FROM question WHERE channel = 'web'").fetchall()
        outcomes = {outcome for outcome, _, _ in counted}
        if "answered" in outcomes and outcomes & {"unanswered", "out_of_scope"}:
            break
        time.sleep(0.1)
    assert ("answered", "ly_lich_tu_phap", "web") in counted
    # nonsense is either not understood or refused; both count against "understood"
    assert any(outcome in ("unanswered", "out_of_scope") for outcome, _, _ in counted), counted
    figures = review_log.stats(path=db)
    assert figures["not_understood"]["questions"] >= 2
    assert "xyzzy" not in str(sqlite3.connect(db).execute("SELECT * FROM question").fetchall())
