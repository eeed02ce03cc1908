"""The dashboard of issue #11 against a real console process: /api/stats with the figures the
charts need (questions per day and channel, top procedures and aspects, share not understood,
👍/👎 rate, handovers and the wait for an officer's first reply), every CSV table, and the page
in a real Chromium with its SVG charts (screenshot in test-artifacts/staff/dashboard.png)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import sqlite3
from pathlib import Path

import pytest

from actions import review_log
from actions.settings import PROJECT_ROOT as ROOT

ARTIFACTS = ROOT / "test-artifacts" / "staff"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
NOW = review_log.now().replace(hour=5, minute=0, second=0, microsecond=0)  # 12:00 in Vietnam


def at(days_ago: float, minutes: float = 0) -> str:
    return (NOW - dt.timedelta(days=days_ago) + dt.timedelta(minutes=minutes)).isoformat(
        timespec="seconds")


def day(days_ago: float) -> str:
    return (NOW - dt.timedelta(days=days_ago)).date().isoformat()


def seed(db: Path) -> dict:
    """Three days of questions on two channels, ratings, two answered handovers, one not."""
    plan = [(2, "zalo", "answered", "ly_lich_tu_phap", "ask_fee")] * 3 + [
        (2, "web", "unanswered", None, None),
        (1, "zalo", "answered", "dang_ky_khai_sinh", "ask_documents"),
        (1, "telegram", "out_of_scope", None, None),
        (0, "web", "answered", "ly_lich_tu_phap", "ask_where"),
        (0, "zalo", "unanswered", None, None), (0, "zalo", "unanswered", None, None),
        (0, "zalo", "answered", "ly_lich_tu_phap", "ask_fee")]
    for _ in plan:
        review_log.count_question("answered", "web", path=db)
    with sqlite3.connect(db) as connection:
        connection.execute("DELETE FROM question")
        connection.executemany(
            "INSERT INTO question (time, channel, outcome, procedure, aspect) VALUES (?,?,?,?,?)",
            [(at(d), c, o, p, a) for d, c, o, p, a in plan])
    for value in ("up", "up", "up", "down"):
        review_log.record_rating(value, "zalo", "ly_lich_tu_phap", "ask_fee", path=db)
    review_log.record_rating("down", "web", "dang_ky_khai_sinh", "ask_documents", path=db)
    quick = review_log.record("handover", "zl-a", "gặp cán bộ", path=db)
    slow = review_log.record("handover", "zl-b", "gặp cán bộ", path=db)
    waiting = review_log.record("handover", "web-c-123456", "gặp cán bộ", path=db)
    for handover in (quick, slow, quick):  # two officers answered the first one
        review_log.add_reply(handover, "trả lời", "can_bo", path=db)
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE review SET time = ? WHERE id IN (?, ?)", (at(1), quick, waiting))
        connection.execute("UPDATE review SET time = ? WHERE id = ?", (at(2), slow))
        replies = [r[0] for r in connection.execute("SELECT id FROM outbox ORDER BY id")]
        for reply, when in zip(replies, (at(1, 10), at(2, 180), at(1, 50)), strict=True):
            connection.execute("UPDATE outbox SET time = ? WHERE id = ?", (when, reply))
    return {"quick": quick, "slow": slow, "waiting": waiting}


@pytest.fixture
def dashboard_console(fresh_console, tmp_path):
    db = tmp_path / "review.db"
    console = fresh_console(REVIEW_DB=str(db))
    console.review_db = db
    console.seeded = seed(db)
    return console


def test_stats_carry_what_the_charts_show(dashboard_console):
    api = dashboard_console.api()
    stats = api.get("/api/stats").json()
    # the first dashboard's keys are still there
    assert {"from", "to", "per_day", "per_channel", "ratings"} <= set(stats)
    by_day = {(r["day"], r["channel"]): r["count"] for r in stats["questions_per_day"]}
    assert by_day == {(day(2), "zalo"): 3, (day(2), "web"): 1, (day(1), "zalo"): 1,
                      (day(1), "telegram"): 1, (day(0), "web"): 1, (day(0), "zalo"): 3}
    assert stats["top_procedures"] == [{"procedure": "ly_lich_tu_phap", "count": 5},
                                       {"procedure": "dang_ky_khai_sinh", "count": 1}]
    assert stats["top_aspects"][0] == {"aspect": "ask_fee", "count": 4}
    assert stats["not_understood"] == {"questions": 10, "not_understood": 3, "share": 0.3}
    today = next(r for r in stats["understanding"] if r["day"] == day(0))
    assert (today["questions"], today["not_understood"], today["share_not_understood"]) == \
        (4, 2, 0.5)
    assert {r["procedure"]: r["share_up"] for r in stats["ratings"]} == \
        {"ly_lich_tu_phap": 0.75, "dang_ky_khai_sinh": 0.0}
    handovers = stats["handovers"]
    assert (handovers["count"], handovers["answered"]) == (3, 2)
    waits = {r["id"]: r["minutes"] for r in handovers["items"]}
    seeded = dashboard_console.seeded
    # from the handover to the *first* officer reply: 10 min, not the second one's 50
    assert waits == {seeded["quick"]: 10.0, seeded["slow"]: 180.0, seeded["waiting"]: None}
    assert handovers["median_minutes"] == 95.0
    assert {b["label"]: b["count"] for b in handovers["buckets"]} == {
        "< 15 phút": 1, "15–60 phút": 0, "1–4 giờ": 1, "4–24 giờ": 0, "> 1 ngày": 0,
        "chưa trả lời": 1}
    # one day only
    one = api.get(f"/api/stats?from={day(1)}&to={day(1)}").json()
    assert one["not_understood"]["questions"] == 2 and one["handovers"]["count"] == 2


def test_every_table_downloads_as_csv(dashboard_console):
    page = dashboard_console.browser_session()
    tables = {}
    for table in ("per_day", "questions", "understanding", "procedures", "aspects", "ratings",
                  "handovers"):
        reply = page.get(f"/dashboard.csv?table={table}")
        assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/csv")
        tables[table] = list(csv.reader(io.StringIO(reply.text)))
    assert page.get("/dashboard.csv").text.splitlines()[0] == "day,kind,count"  # unchanged default
    assert tables["procedures"][1] == ["ly_lich_tu_phap", "5"]
    assert tables["handovers"][0] == ["id", "time", "status", "first_reply", "minutes"]
    assert sorted(r[4] for r in tables["handovers"][1:]) == ["", "10.0", "180.0"]
    assert ["ly_lich_tu_phap", "3", "1", "0.75"] in tables["ratings"]
    assert page.get("/dashboard.csv?table=nope").status_code == 400


def test_dashboard_charts_in_chromium(dashboard_console):
    from playwright.sync_api import expect, sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: apt-get install chromium (make browser)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    console = dashboard_console
    problems = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900}, locale="vi-VN")
            page.on("console", lambda m: problems.append(m.text) if m.type == "error"
                    and not m.text.startswith("Failed to load resource") else None)
            page.on("response", lambda r: problems.append(f"{r.status} {r.url}")
                    if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(console.url + "/login")
            page.fill("input[name=username]", "admin")
            page.fill("input[name=password]", "admin-pass-123")
            page.click("button[type=submit]")
            page.goto(console.url + "/dashboard")
            charts = page.locator("figure svg[role=img]")
            expect(charts).to_have_count(6)
            for index in range(6):
                box = charts.nth(index).bounding_box()
                assert box and box["width"] > 300 and box["height"] > 30, box
            # names from the catalog and the aspect table, not ids
            procedures = page.locator("#chart-procedures svg")
            expect(procedures).to_contain_text("Phiếu lý lịch tư pháp")
            expect(page.locator("#chart-aspects svg")).to_contain_text("Lệ phí")
            expect(page.locator("#chart-ratings svg")).to_contain_text("75% hữu ích")
            expect(page.locator("#chart-handovers svg")).to_contain_text("chưa trả lời")
            expect(page.locator("body")).to_contain_text("trung vị 95 phút")
            # the tallest column is a day with 4 questions, stacked from two channels
            columns = page.locator("#chart-questions svg rect[height]")
            assert columns.count() >= 6
            page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
        finally:
            browser.close()
    # no CSP refusal (an inline style would be one), no script error
    assert problems == [], problems
