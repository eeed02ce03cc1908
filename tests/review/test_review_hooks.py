"""The actions' review hooks on trackers built in code: a low-confidence answer is recorded,
two misses in a row offer "Hỏi cán bộ", and a broken review database never breaks an answer."""

from __future__ import annotations

import sqlite3

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import actions, review_log


def tracker(text: str, intent: str, confidence: float, events=None) -> Tracker:
    parse = {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": [],
             "intent_ranking": [{"name": intent, "confidence": confidence}]}
    return Tracker.from_dict({
        "sender_id": "zl-hooks", "slots": {"procedure": None, "aspect": None,
                                           "pending_aspect": None, "language": None},
        "latest_message": parse,
        "events": (events or []) + [{"event": "user", "text": text, "parse_data": parse}],
        "paused": False, "followup_action": None, "active_loop": {},
        "latest_action_name": "action_listen"})


def run(action, built: Tracker) -> list:
    dispatcher = CollectingDispatcher()
    action.run(dispatcher, built, domain={})
    return dispatcher.messages


def rows(db):
    connection = sqlite3.connect(db)
    connection.row_factory = sqlite3.Row
    return [dict(r) for r in connection.execute("SELECT * FROM review ORDER BY id")]


def test_low_confidence_answer_is_recorded_with_rating_buttons(tmp_path, monkeypatch):
    db = tmp_path / "review.db"
    monkeypatch.setenv("REVIEW_DB", str(db))
    messages = run(actions.ActionAnswerProcedure(),
                   tracker("lệ phí lý lịch tư pháp", "ask_fee", 0.31))
    payloads = [b["payload"] for m in messages for b in m.get("buttons") or []]
    assert payloads[-2:] == ['/feedback{"value":"up"}', '/feedback{"value":"down"}']
    [row] = rows(db)
    assert (row["kind"], row["procedure"], row["aspect"], row["channel"]) == \
        ("low_confidence", "ly_lich_tu_phap", "ask_fee", "zalo")
    assert row["confidence"] == 0.31 and "đồng" in row["reply"]
    run(actions.ActionAnswerProcedure(), tracker("lệ phí lý lịch tư pháp", "ask_fee", 0.95))
    assert len(rows(db)) == 1  # a confident answer is not for review


def test_second_miss_offers_an_officer(tmp_path, monkeypatch):
    monkeypatch.setenv("REVIEW_DB", str(tmp_path / "review.db"))
    earlier = {"event": "user", "text": "abc xyz",
               "parse_data": {"intent": {"name": "nlu_fallback", "confidence": 0.1}}}
    messages = run(actions.ActionSuggestGuesses(),
                   tracker("qwe rty", "nlu_fallback", 0.1, [earlier]))
    assert {"title": "Hỏi cán bộ", "payload": "/canbo"} in messages[-1]["buttons"]
    assert [r["kind"] for r in rows(tmp_path / "review.db")] == ["unanswered"]


def test_a_broken_review_database_never_breaks_an_answer(tmp_path, monkeypatch, caplog):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("REVIEW_DB", str(blocker / "review.db"))
    messages = run(actions.ActionOutOfScope(), tracker("mua vé máy bay 0912345678", "out_of_scope", 0.9))
    assert "ngoài phạm vi" in messages[0]["text"]
    assert "review log" in caplog.text and "0912345678" not in caplog.text


def test_questions_are_counted_without_text_or_sender(tmp_path, monkeypatch):
    db = tmp_path / "review.db"
    monkeypatch.setenv("REVIEW_DB", str(db))
    run(actions.ActionAnswerProcedure(), tracker("lệ phí lý lịch tư pháp", "ask_fee", 0.95))
    run(actions.ActionAnswerProcedure(), tracker("lệ phí lý lịch tư pháp", "ask_fee", 0.31))
    run(actions.ActionSuggestGuesses(), tracker("qwe rty", "nlu_fallback", 0.1))
    run(actions.ActionOutOfScope(), tracker("mua vé máy bay", "out_of_scope", 0.9))
    assert review_log.flush_counts()  # written by a background thread, off the answer's path
    connection = sqlite3.connect(db)
    counted = connection.execute("SELECT * FROM question ORDER BY id").fetchall()
    assert [(r[2], r[3], r[4]) for r in counted] == [
        ("zalo", "answered", "ly_lich_tu_phap"), ("zalo", "answered", "ly_lich_tu_phap"),
        ("zalo", "unanswered", None), ("zalo", "out_of_scope", None)]
    figures = review_log.stats(path=db)
    assert figures["not_understood"] == {"questions": 4, "not_understood": 1, "share": 0.25}
    assert figures["top_procedures"] == [{"procedure": "ly_lich_tu_phap", "count": 2}]
    assert figures["questions_per_day"][0]["count"] == 4


def test_console_previews_are_not_counted(tmp_path, monkeypatch):
    db = tmp_path / "review.db"
    monkeypatch.setenv("REVIEW_DB", str(db))
    monkeypatch.setenv("STAFF_PREVIEW_TOKEN", "tok-123")
    preview = tracker("lệ phí lý lịch tư pháp", "ask_fee", 0.95)
    preview.latest_message["metadata"] = {"preview_token": "tok-123"}
    run(actions.ActionAnswerProcedure(), preview)
    run(actions.ActionAnswerProcedure(), tracker("lệ phí lý lịch tư pháp", "ask_fee", 0.95))
    assert review_log.flush_counts()
    assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM question").fetchone() == (1,)


def test_a_procedure_name_not_found_is_recorded_as_not_understood(tmp_path, monkeypatch):
    """Read as naming a procedure, but none is named: the citizen is asked which one, and the
    message goes to the inbox; a question that simply names no procedure does not."""
    db = tmp_path / "review.db"
    monkeypatch.setenv("REVIEW_DB", str(db))
    messages = run(actions.ActionAnswerProcedure(), tracker("plugh frobnitz", "inform_procedure", 0.7))
    assert "thủ tục nào" in messages[0]["text"] and messages[0]["buttons"]
    assert [(r["kind"], r["text"]) for r in rows(db)] == [("unanswered", "plugh frobnitz")]
    run(actions.ActionAnswerProcedure(), tracker("lệ phí bao nhiêu", "ask_fee", 0.9))
    assert len(rows(db)) == 1
