"""Masking and retention of the review log (actions/review_log.py): personal data never
reaches the database, and old rows go."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from actions import review_log
from actions.review_hooks import is_handover_request


@pytest.mark.parametrize("text, expected", [
    ("CCCD của tôi 079123456789 nhé", "CCCD của tôi [số CCCD] nhé"),
    ("số 079 123 456 789", "số [số CCCD]"),
    ("cmnd 361234567 cũ", "cmnd [số CMND] cũ"),
    ("gọi 0912 345 678 giúp", "gọi [số điện thoại] giúp"),
    ("gọi 0912.345.678", "gọi [số điện thoại]"),
    ("sđt +84 912 345 678", "sđt [số điện thoại]"),
    ("sđt +84912345678.", "sđt [số điện thoại]."),
    ("hộ chiếu C1234567 hết hạn", "hộ chiếu [số hộ chiếu] hết hạn"),
    ("hộ chiếu b12345678", "hộ chiếu [số hộ chiếu]"),
    ("mail nguyen.van.a+1@gmail.com.vn ạ", "mail [email] ạ"),
])
def test_personal_identifiers_are_masked(text, expected):
    assert review_log.mask(text) == expected


def test_landlines_are_masked():
    assert review_log.mask("gọi 028 3822 1234 hoặc 02838221234") == \
        "gọi [số điện thoại] hoặc [số điện thoại]"


def test_ordinary_numbers_are_kept():
    text = ("lệ phí 200.000 đồng, nộp trong 15 ngày, năm 2025, mẫu số 03/2024, "
            "tiền 1.000.000.000 đồng, 100.000.000 đồng")
    assert review_log.mask(text) == text


def test_similar_messages_fold_together():
    assert review_log.fold("Phí bao nhiêu?") == review_log.fold("phi  bao nhieu")


def test_channel_from_sender_or_metadata():
    assert review_log.channel_of("tg-abc") == "telegram"
    assert review_log.channel_of("zl-abc") == "zalo"
    assert review_log.channel_of("web-abc") == "web"
    assert review_log.channel_of("someone") == "rest"
    assert review_log.channel_of("someone", {"channel": "kiosk"}) == "kiosk"


def test_record_masks_and_hashes_the_sender(tmp_path):
    db = tmp_path / "review.db"
    review_log.record("unanswered", "web-secret-id", "tôi 079123456789", reply="Gọi 0912345678",
                      path=db)
    raw = sqlite3.connect(db).execute("SELECT text, reply, sender_hash FROM review").fetchone()
    assert raw[0] == "tôi [số CCCD]" and raw[1] == "Gọi [số điện thoại]"
    assert "web-secret-id" not in raw[2] and len(raw[2]) == 32
    assert b"079123456789" not in db.read_bytes()


def test_old_rows_are_deleted_on_write(tmp_path, monkeypatch):
    db = tmp_path / "review.db"
    review_log.record("unanswered", "a", "cũ", path=db)
    old = (review_log.now() - dt.timedelta(days=91)).isoformat(timespec="seconds")
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE review SET time = ?", (old,))
    review_log.record("unanswered", "a", "mới", path=db)
    texts = [r[0] for r in sqlite3.connect(db).execute("SELECT text FROM review")]
    assert texts == ["mới"]
    monkeypatch.setenv("REVIEW_RETENTION_DAYS", "0")
    review_log.record("out_of_scope", "a", "sau", path=db)
    assert len(sqlite3.connect(db).execute("SELECT id FROM review").fetchall()) <= 2


def test_inbox_groups_similar_texts_and_handover_expires(tmp_path, monkeypatch):
    db = tmp_path / "review.db"
    for text in ("Phí bao nhiêu?", "phi bao nhieu", "thời tiết"):
        review_log.record("unanswered", "a", text, path=db)
    handover = review_log.record("handover", "b", "gặp cán bộ", path=db)
    items = review_log.inbox(kind="unanswered", path=db)
    assert sorted(i["count"] for i in items) == [1, 2]
    assert review_log.open_handover("b", path=db) == handover
    monkeypatch.setenv("HANDOVER_TIMEOUT_MINUTES", "30")
    assert review_log.open_handover("b", path=db) == handover
    earlier = (review_log.now() - dt.timedelta(minutes=31)).isoformat(timespec="seconds")
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE review SET time = ? WHERE id = ?", (earlier, handover))
    assert review_log.open_handover("b", path=db) is None


def test_handover_check_sees_new_handovers_and_a_recreated_file(tmp_path):
    """The check keeps its connection between messages: it must still see a handover opened
    after it last looked, a handover closed by the console, and a file deleted and made anew
    (whose random hash key differs)."""
    db = tmp_path / "review.db"
    review_log.record("unanswered", "x", "thời tiết", path=db)
    assert review_log.open_handover("c", path=db) is None
    first = review_log.record("handover", "c", "gặp cán bộ", path=db)
    assert review_log.open_handover("c", path=db) == first
    with sqlite3.connect(db) as connection:  # as the console closes it
        connection.execute("UPDATE review SET status = 'closed' WHERE id = ?", (first,))
    assert review_log.open_handover("c", path=db) is None
    db.unlink()
    assert review_log.open_handover("c", path=db) is None
    review_log.record("unanswered", "y", "mưa", path=db)
    again = review_log.record("handover", "c", "cho gặp cán bộ", path=db)
    assert review_log.open_handover("c", path=db) == again
    assert review_log.open_handover("y", path=db) is None


@pytest.mark.parametrize("text", ["gặp cán bộ", "Cho tôi gặp cán bộ với", "hoi can bo",
                                  "/canbo", "tôi muốn nói chuyện với cán bộ"])
def test_handover_phrases(text):
    assert is_handover_request(text)


def test_questions_about_officers_are_not_handovers():
    assert not is_handover_request("phí lý lịch tư pháp bao nhiêu")
