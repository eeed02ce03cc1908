"""Issue #11 in a real Chromium: an officer answers a handed-over conversation on the inbox
page, and the citizen's website widget, polling the console's public replies path, shows the
reply as text. Screenshots go to test-artifacts/staff/."""

from __future__ import annotations

import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from actions import review_log
from actions.settings import PROJECT_ROOT

ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "staff"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
REPLY = "Chào anh/chị, <b>hồ sơ</b> gồm tờ khai & bản sao CCCD."


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: apt-get install chromium (make browser)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def citizen_site(tmp_path):
    """A page embedding the widget, with a Rasa stand-in on the same origin that answers nothing."""
    widget = (PROJECT_ROOT / "channels" / "web" / "widget.js").read_bytes()
    holder = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):  # noqa: N802
            if self.path == "/widget.js":
                body, kind = widget, "text/javascript"
            else:
                body, kind = (
                    '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Sở</title>'
                    f'</head><body><script src="/widget.js" data-rasa-url="{holder["origin"]}" '
                    f'data-replies-url="{holder["console"]}" data-replies-interval="1" '
                    'data-initial-payload=""></script></body></html>').encode(), "text/html"
            self.send_response(200)
            self.send_header("Content-Type", kind + "; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"[]")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    holder["origin"] = f"http://127.0.0.1:{server.server_port}"
    yield holder
    server.shutdown()
    server.server_close()


def test_officer_reply_from_the_inbox_page_appears_in_the_widget(chromium, citizen_site,
                                                                 fresh_console, tmp_path):
    from playwright.sync_api import expect

    db = tmp_path / "review.db"
    console = fresh_console(REVIEW_DB=str(db), STAFF_WIDGET_ORIGINS=citizen_site["origin"])
    citizen_site["console"] = console.url
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(viewport={"width": 820, "height": 1180}, locale="vi-VN")
    try:
        citizen = context.new_page()
        citizen.goto(citizen_site["origin"] + "/")
        citizen.evaluate("window.RasaChatWidget.open()")
        sender = citizen.evaluate(
            "JSON.parse(localStorage.getItem('rasa-chat-widget:conversation')).sender")
        # what the action server records when this citizen asks for an officer
        review_log.record("handover", sender, "cho tôi gặp cán bộ", path=db,
                          question="lý lịch tư pháp cho người 079123456789")

        officer = context.new_page()
        officer.goto(console.url + "/login")
        officer.fill("input[name=username]", "admin")
        officer.fill("input[name=password]", "admin-pass-123")
        officer.click("button[type=submit]")
        officer.goto(console.url + "/inbox?kind=handover")
        expect(officer.locator("body")).to_contain_text("[số CCCD]")
        officer.fill("textarea[name=text]", REPLY)
        officer.screenshot(path=str(ARTIFACTS / "inbox-handover.png"), full_page=True)
        officer.click("text=Gửi trả lời")
        expect(officer.locator("body")).to_contain_text("Đã gửi trả lời")

        bubble = citizen.locator(".msg-bot .bubble").last
        expect(bubble).to_contain_text("Cán bộ trả lời: " + REPLY, timeout=15000)
        assert citizen.locator(".msg-bot .bubble b").count() == 0  # HTML shown as text
        citizen.screenshot(path=str(ARTIFACTS / "widget-officer-reply.png"))
    finally:
        context.close()
