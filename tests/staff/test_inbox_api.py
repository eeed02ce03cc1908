"""The inbox of issue #11 against a real console process: list and grouping, resolve into the
reviewed training file, officer replies fetched by the citizen's client, close; 401/403/CSRF."""

from __future__ import annotations

import re

import pytest
import requests
import yaml

from actions import review_log


@pytest.fixture
def inbox_console(fresh_console, tmp_path):
    db, reviewed = tmp_path / "review.db", tmp_path / "nlu" / "reviewed.yml"
    reviewed.parent.mkdir()
    console = fresh_console(REVIEW_DB=str(db), STAFF_REVIEWED_NLU=str(reviewed),
                            STAFF_WIDGET_ORIGINS="http://widget.example")
    console.review_db, console.reviewed = db, reviewed
    return console


def record(console, kind, sender, text, **extra):
    return review_log.record(kind, sender, text, path=console.review_db, **extra)


def test_inbox_needs_a_login_and_a_role(inbox_console):
    url = inbox_console.url
    item = record(inbox_console, "unanswered", "web-abcdefgh1", "xyz")
    for method, path in [("GET", "/api/inbox"), ("POST", f"/api/inbox/{item}/resolve"),
                         ("POST", f"/api/inbox/{item}/reply"), ("POST", f"/api/inbox/{item}/close")]:
        assert requests.request(method, url + path, json={}).status_code == 401, path
        assert requests.request(method, url + path, json={},
                                headers={"Authorization": "Bearer forged"}).status_code == 401
    # a page session must send its CSRF token, as for every other write
    page = inbox_console.browser_session()
    cookie_post = page.session.post(f"{url}/api/inbox/{item}/resolve", json={"action": "dismiss"})
    assert cookie_post.status_code == 403
    assert page.post(f"/inbox/{item}/resolve", {"action": "dismiss"}, csrf=False).status_code == 403
    # an editor may read and resolve
    editor = inbox_console.add_user("bien_tap", "editor")
    assert editor.get("/api/inbox").status_code == 200
    assert editor.post(f"/api/inbox/{item}/resolve", json={"action": "dismiss"}).status_code == 200


def test_list_groups_similar_masked_texts(inbox_console):
    for text in ("Phí bao nhiêu? sđt 0912345678", "phi bao nhieu sdt 0987654321", "xổ số"):
        record(inbox_console, "unanswered", "web-abcdefgh1", text)
    record(inbox_console, "out_of_scope", "web-abcdefgh2", "giá vàng")
    api = inbox_console.api()
    items = api.get("/api/inbox?kind=unanswered").json()
    assert all(set(i) == {"id", "kind", "text", "channel", "time", "status", "count"} for i in items)
    grouped = next(i for i in items if i["count"] == 2)
    assert "[số điện thoại]" in grouped["text"] and grouped["channel"] == "web"
    assert {i["kind"] for i in api.get("/api/inbox").json()} == {"unanswered", "out_of_scope"}
    assert api.get("/api/inbox?kind=nonsense").status_code == 400
    assert api.get("/api/inbox?status=open").json()
    assert api.get("/api/inbox?status=dismissed").json() == []


def test_resolve_adds_reviewed_examples_and_closes_the_group(inbox_console):
    first = record(inbox_console, "unanswered", "web-abcdefgh1", "tiền làm lý lịch hết mấy")
    record(inbox_console, "unanswered", "web-abcdefgh3", "Tiền làm lý lịch hết mấy?")
    scope = record(inbox_console, "out_of_scope", "web-abcdefgh2", "mua vé số ở đâu")
    masked = record(inbox_console, "unanswered", "web-abcdefgh2", "CCCD 079123456789 làm gì")
    api = inbox_console.api()
    reply = api.post(f"/api/inbox/{first}/resolve", json={"action": "add_example", "intent": "ask_fee"})
    assert reply.status_code == 200, reply.text
    assert api.get("/api/inbox?kind=unanswered&status=resolved").json()[0]["count"] == 2
    assert api.post(f"/api/inbox/{scope}/resolve", json={"action": "out_of_scope"}).status_code == 200
    data = yaml.safe_load(inbox_console.reviewed.read_text())
    by_intent = {b["intent"]: b["examples"] for b in data["nlu"]}
    assert "tiền làm lý lịch hết mấy" in by_intent["ask_fee"]
    assert "mua vé số ở đâu" in by_intent["out_of_scope"]
    # the same sentence twice, a masked placeholder, a bad intent or action are refused
    again = record(inbox_console, "low_confidence", "web-abcdefgh4", "tiền làm lý lịch hết mấy")
    assert api.post(f"/api/inbox/{again}/resolve",
                    json={"action": "add_example", "intent": "ask_fee"}).status_code == 409
    assert api.post(f"/api/inbox/{masked}/resolve",
                    json={"action": "add_example", "intent": "ask_fee"}).status_code == 422
    assert api.post(f"/api/inbox/{masked}/resolve",
                    json={"action": "add_example", "intent": "nope"}).status_code == 422
    assert api.post(f"/api/inbox/{masked}/resolve", json={"action": "x"}).status_code == 422
    heldout = record(inbox_console, "unanswered", "web-abcdefgh5", "chào anh chị Sở Tư pháp")
    assert api.post(f"/api/inbox/{heldout}/resolve",
                    json={"action": "add_example", "intent": "greet"}).status_code == 409
    assert api.post(f"/api/inbox/{masked}/resolve", json={"action": "add_alias"}).status_code == 501
    assert api.post("/api/inbox/99999/resolve", json={"action": "dismiss"}).status_code == 404
    actions = [r["action"] for r in api.get("/api/audit").json()]
    assert actions.count("inbox_resolved") == 2


def test_officer_reply_reaches_the_citizens_client_once(inbox_console):
    sender = "web-citizen-secret-123"
    handover = record(inbox_console, "handover", sender, "gặp cán bộ")
    other = record(inbox_console, "unanswered", sender, "abc")
    editor = inbox_console.add_user("can_bo", "editor")
    for text in ("Chào anh, phí là 200.000 đồng.", "<b>Thêm</b>: mang CCCD."):
        assert editor.post(f"/api/inbox/{handover}/reply", json={"text": text}).status_code == 200
    assert editor.post(f"/api/inbox/{other}/reply", json={"text": "x"}).status_code == 409
    assert editor.post(f"/api/inbox/{handover}/reply", json={"text": "  "}).status_code == 422
    assert editor.post(f"/api/inbox/{handover}/reply", json={"text": "x" * 10_001}).status_code == 422
    url = f"{inbox_console.url}/citizen/replies/{sender}"
    fetched = requests.get(url, headers={"Origin": "http://widget.example"})
    assert fetched.headers.get("access-control-allow-origin") == "http://widget.example"
    assert [m["text"] for m in fetched.json()["messages"]] == [
        "Chào anh, phí là 200.000 đồng.", "<b>Thêm</b>: mang CCCD."]
    assert requests.get(url).json()["messages"] == []  # delivered once
    assert requests.get(f"{inbox_console.url}/citizen/replies/web-someone-else").json() == {"messages": []}
    telegram = record(inbox_console, "handover", "tg-chat-hash-123", "gặp cán bộ")
    assert editor.post(f"/api/inbox/{telegram}/reply", json={"text": "qua Telegram"}).status_code == 200
    assert requests.get(f"{inbox_console.url}/citizen/replies/tg-chat-hash-123").json() == {"messages": []}
    assert [r["text"] for r in review_log.pending("telegram", path=inbox_console.review_db)] == \
        ["qua Telegram"]  # left for the bridge
    assert editor.post(f"/api/inbox/{handover}/close").status_code == 200
    assert editor.get("/api/inbox?kind=handover&status=closed").json()[0]["id"] == handover
    assert review_log.open_handover(sender, path=inbox_console.review_db) is None
    assert editor.post(f"/api/inbox/{handover}/reply", json={"text": "muộn"}).status_code == 409
    assert editor.post(f"/api/inbox/{other}/close").status_code == 409


def test_inbox_page_lists_and_acts(inbox_console):
    handover = record(inbox_console, "handover", "tg-abcdefgh", "cho tôi gặp cán bộ",
                      question="phí bao nhiêu")
    item = record(inbox_console, "negative_feedback", "web-abcdefgh9", "phí bao nhiêu",
                  reply="250.000 đồng")
    page = inbox_console.browser_session()
    html = page.get("/inbox").text
    assert "Hộp thư" in html and "cho tôi gặp cán bộ" in html and "250.000 đồng" in html
    assert re.search(rf'action="/inbox/{handover}/reply"', html)
    assert page.post(f"/inbox/{handover}/reply", {"text": "Dạ, chào anh."}).status_code == 200
    assert page.post(f"/inbox/{item}/resolve", {"action": "dismiss"}).status_code == 200
    assert page.post(f"/inbox/{handover}/close").status_code == 200
    assert "Không có mục nào" in page.get("/inbox").text


def test_stats_dashboard_and_csv(inbox_console):
    for kind in ("unanswered", "unanswered", "out_of_scope"):
        record(inbox_console, kind, "tg-abcdefgh", "câu hỏi")
    review_log.record_rating("down", "web", "ly_lich_tu_phap", "ask_fee", path=inbox_console.review_db)
    review_log.record_rating("up", "web", "ly_lich_tu_phap", "ask_fee", path=inbox_console.review_db)
    api = inbox_console.api()
    stats = api.get("/api/stats").json()
    assert {r["kind"]: r["count"] for r in stats["per_day"]} == {"unanswered": 2, "out_of_scope": 1}
    assert stats["per_channel"] == [{"channel": "telegram", "count": 3}]
    assert stats["ratings"] == [{"procedure": "ly_lich_tu_phap", "up": 1, "down": 1,
                                 "share_up": 0.5}]
    assert api.get("/api/stats?from=2000-01-01&to=2000-01-02").json()["per_day"] == []
    assert api.get("/api/stats?from=hôm-qua").status_code == 400
    assert requests.get(f"{inbox_console.url}/api/stats").status_code == 401
    page = inbox_console.browser_session()
    assert "Theo ngày và loại" in page.get("/dashboard").text
    csv_reply = page.get("/dashboard.csv")
    assert csv_reply.headers["content-type"].startswith("text/csv")
    assert csv_reply.text.splitlines()[0] == "day,kind,count" and ",unanswered,2" in csv_reply.text


def test_bad_replies_two_officers_at_once_and_the_longest_reply(inbox_console):
    """Issue #11's bad input: unknown (404) or closed (409) conversations; a reply of the
    maximum 10,000 characters is accepted whole (the bridges split it); two officers replying
    at the same moment are both delivered, each in the order they wrote."""
    import threading

    sender = "web-citizen-busy-123"
    handover = record(inbox_console, "handover", sender, "gặp cán bộ")
    first, second = inbox_console.add_user("can_bo_1", "editor"), \
        inbox_console.add_user("can_bo_2", "editor")
    assert first.post("/api/inbox/99999/reply", json={"text": "x"}).status_code == 404
    assert first.post("/api/inbox/99999/close").status_code == 404
    longest = ("Dạ. " + "Hồ sơ gồm tờ khai. " * 600)[:10_000]
    assert first.post(f"/api/inbox/{handover}/reply", json={"text": longest}).status_code == 200
    start = threading.Barrier(2)
    statuses = []

    def officer(api, name):
        start.wait()
        for n in range(5):
            statuses.append(api.post(f"/api/inbox/{handover}/reply",
                                     json={"text": f"{name} {n}"}).status_code)

    threads = [threading.Thread(target=officer, args=(api, name))
               for api, name in ((first, "A"), (second, "B"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 10
    got = [m["text"] for m in requests.get(
        f"{inbox_console.url}/citizen/replies/{sender}").json()["messages"]]
    assert got[0] == longest  # whole: 10,000 characters
    rest = got[1:]
    assert sorted(rest) == sorted([f"A {n}" for n in range(5)] + [f"B {n}" for n in range(5)])
    for name in "AB":  # each officer's replies in the order written
        assert [t for t in rest if t.startswith(name)] == [f"{name} {n}" for n in range(5)]
    # the order delivered is the order the console accepted them (the outbox's)
    outbox = review_log.get(handover, path=inbox_console.review_db)["outbox"]
    assert [o["text"] for o in outbox] == got
    assert first.post(f"/api/inbox/{handover}/close").status_code == 200
    assert second.post(f"/api/inbox/{handover}/reply", json={"text": "muộn"}).status_code == 409
