"""Personal data in the review database (issue #11) against a real console process: an admin
finds and deletes everything from one sender, by an inbox item or by the sender id the citizen
gives, from the API and from the inbox page's button; nothing is left on disk; it is audited;
others may not. Retention really deletes old rows, on the console's side too."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3

import pytest
import requests

from actions import review_log
from scripts.stack import write_endpoints

NOTHING_STORED = {"conversations": 0, "events": 0}


@pytest.fixture
def inbox_console(fresh_console, tmp_path):
    """A console with its own review database and an empty conversation store of its own."""
    db = tmp_path / "review.db"
    endpoints = tmp_path / "endpoints.yml"
    write_endpoints(endpoints, "http://127.0.0.1:9", tmp_path / "tracker.db")
    console = fresh_console(REVIEW_DB=str(db), ENDPOINTS=str(endpoints))
    console.review_db = db
    return console


def seed(db):
    """Citizen A (three rows, an officer reply), citizen B (one row)."""
    a, b = "web-citizen-a-123456", "web-citizen-b-654321"
    first = review_log.record("unanswered", a, "tôi ở phường Ninh Kiều ZZMARKA1", path=db)
    handover = review_log.record("handover", a, "gặp cán bộ ZZMARKA2", path=db)
    review_log.add_to_handover(handover, "nhà tôi ở hẻm 5 ZZMARKA3", path=db)
    review_log.add_reply(handover, "Dạ, cán bộ trả lời ZZMARKA4", "can_bo", path=db)
    review_log.record("negative_feedback", a, "phí bao nhiêu", path=db)
    other = review_log.record("unanswered", b, "câu của người khác", path=db)
    return a, first, handover, other


def test_admin_finds_and_deletes_one_senders_data_by_item_or_sender(inbox_console):
    db = inbox_console.review_db
    a, first, handover, other = seed(db)
    admin = inbox_console.api()
    found = admin.post("/api/personal-data/find", json={"item_id": first})
    assert found.status_code == 200, found.text
    assert [i["id"] for i in found.json()["items"]] == [first, handover, handover + 1]
    assert [r["text"] for r in found.json()["replies"]] == ["Dạ, cán bộ trả lời ZZMARKA4"]
    by_sender = admin.post("/api/personal-data/find", json={"sender": a}).json()
    assert by_sender == found.json()  # the same rows, found by the id the citizen gives
    assert admin.post("/api/personal-data/find", json={"sender": "web-nobody-0000"}).json() == \
        {"items": [], "replies": [], "conversation": NOTHING_STORED}
    assert admin.post("/api/personal-data/find", json={"item_id": 999999}).status_code == 404
    assert admin.post("/api/personal-data/find", json={}).status_code == 422
    assert admin.post("/api/personal-data/find",
                      json={"item_id": first, "sender": a}).status_code == 422

    deleted = admin.post("/api/personal-data/delete", json={"sender": a})
    assert deleted.json() == {"deleted": {"items": 3, "replies": 1, "conversation_events": 0}}
    assert admin.post("/api/personal-data/find", json={"sender": a}).json() == \
        {"items": [], "replies": [], "conversation": NOTHING_STORED}
    assert [i["id"] for i in admin.get("/api/inbox").json()] == [other]  # B untouched
    raw = db.read_bytes()
    assert b"ZZMARKA" not in raw  # overwritten, not only unlinked
    assert b"ZZMARKA" not in b"".join(p.read_bytes() for p in db.parent.glob("review.db-*"))
    audit = admin.get("/api/audit").json()
    actions = [r["action"] for r in audit]
    assert actions.count("personal_data_viewed") == 4 and "personal_data_deleted" in actions
    assert a not in str(audit)  # the audit never holds the raw sender id


def test_only_admins_may_and_the_inbox_button_deletes(inbox_console):
    db = inbox_console.review_db
    _, first, handover, other = seed(db)
    for role in ("editor", "publisher"):
        user = inbox_console.add_user(f"u_{role}", role)
        assert user.post("/api/personal-data/find", json={"item_id": first}).status_code == 403
        assert user.post("/api/personal-data/delete", json={"item_id": first}).status_code == 403
    assert requests.post(f"{inbox_console.url}/api/personal-data/delete",
                         json={"item_id": first}).status_code == 401
    editor_page = inbox_console.browser_session("u_editor", "user-pass-123")
    assert "/personal-data?item=" not in editor_page.get("/inbox").text  # no button
    assert editor_page.get(f"/personal-data?item={first}").status_code == 403

    page = inbox_console.browser_session()
    inbox = page.get("/inbox").text
    assert f'href="/personal-data?item={handover}"' in inbox
    shown = page.get(f"/personal-data?item={handover}").text
    assert "3 tin nhắn, 1 trả lời của cán bộ" in shown and "ZZMARKA3" in shown
    assert re.search(r'action="/personal-data/delete"', shown)
    assert page.post("/personal-data/delete", {"item_id": str(first)}, csrf=False).status_code == 403
    done = page.post("/personal-data/delete", {"item_id": str(handover)})
    assert done.status_code == 200 and "Đã xóa 3 tin nhắn" in done.text
    remaining = sqlite3.connect(db).execute("SELECT id FROM review").fetchall()
    assert remaining == [(other,)]
    # by the sender id a citizen gives, typed into the page's form
    looked = page.post("/personal-data/find", {"sender": "web-citizen-b-654321"})
    assert "1 tin nhắn, 0 trả lời" in looked.text and "câu của người khác" in looked.text


def _age(db, table, days):
    old = (review_log.now() - dt.timedelta(days=days)).isoformat(timespec="seconds")
    with sqlite3.connect(db) as connection:
        connection.execute(f"UPDATE {table} SET time = ?", (old,))


@pytest.mark.parametrize("setting, old_days, kept_days", [(None, 91, 89), ("30", 31, 29)])
def test_retention_deletes_every_kind_of_row(fresh_console, tmp_path, setting, old_days,
                                             kept_days):
    """Rows older than REVIEW_RETENTION_DAYS (default 90) go from every table, even when the
    assistant writes nothing new: the console applies the retention when it reads."""
    db = tmp_path / "review.db"
    env = {"REVIEW_DB": str(db)} | ({"REVIEW_RETENTION_DAYS": setting} if setting else {})
    console = fresh_console(**env)
    handover = review_log.record("handover", "web-old-citizen-1", "cũ ZZOLD1", path=db)
    review_log.add_reply(handover, "trả lời cũ ZZOLD2", "can_bo", path=db)
    review_log.record_rating("down", "web", "ly_lich_tu_phap", "ask_fee", path=db)
    review_log.count_question("answered", "web", "ly_lich_tu_phap", "ask_fee", path=db)
    for table in ("review", "outbox", "rating", "question"):
        _age(db, table, old_days)
    with sqlite3.connect(db) as connection:
        young = (review_log.now() - dt.timedelta(days=kept_days)).isoformat(timespec="seconds")
        connection.execute("INSERT INTO review (kind, text, folded, channel, sender_hash, time)"
                           " VALUES ('unanswered', 'còn giữ', 'con giu', 'web', 'h', ?)", (young,))
    api = console.api()
    assert [i["text"] for i in api.get("/api/inbox").json()] == ["còn giữ"]
    counts = {t: sqlite3.connect(db).execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
              for t in ("review", "outbox", "rating", "question")}
    assert counts == {"review": 1, "outbox": 0, "rating": 0, "question": 0}
    assert b"ZZOLD" not in db.read_bytes()


def test_deleting_a_sender_also_deletes_their_conversation_in_rasas_store(fresh_console,
                                                                          tmp_path, model_path):
    """The conversation Rasa keeps under the raw sender id (message texts included) goes too,
    found from an inbox item by the keyed hash; another citizen's conversation stays."""
    from scripts.stack import running_assistant

    db = tmp_path / "review.db"
    with running_assistant(model=model_path, work_dir=tmp_path / "assistant",
                           extra_env={"REVIEW_DB": str(db)}) as stack:
        forget, keep = "web-forget-me-2468", "web-keep-me-1357"
        for sender in (forget, keep):
            answer = requests.post(f"{stack.rasa_url}/webhooks/rest/webhook", timeout=30,
                                   json={"sender": sender, "message": "gặp cán bộ"})
            assert answer.status_code == 200 and answer.json()
        console = fresh_console(REVIEW_DB=str(db),
                                ENDPOINTS=str(tmp_path / "assistant" / "endpoints.yml"))
        admin = console.api()
        item = next(i["id"] for i in admin.get("/api/inbox?kind=handover").json()
                    if review_log.get(i["id"], path=db)["sender_hash"] == sender_hash(db, forget))
        found = admin.post("/api/personal-data/find", json={"item_id": item}).json()
        assert found["conversation"]["conversations"] == 1 and found["conversation"]["events"] > 2

        deleted = admin.post("/api/personal-data/delete", json={"item_id": item})
        assert deleted.status_code == 200, deleted.text
        assert deleted.json()["deleted"]["conversation_events"] == found["conversation"]["events"]
        with sqlite3.connect(stack.tracker_db) as tracker:
            senders = {row[0] for row in tracker.execute("SELECT DISTINCT sender_id FROM events")}
        assert forget not in senders and keep in senders


def sender_hash(db, sender: str) -> str:
    with review_log.connect(db) as connection:
        return review_log.sender_hash(connection, sender)
