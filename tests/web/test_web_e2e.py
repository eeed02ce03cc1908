"""One end-to-end test: the widget in Chromium, the real Rasa server and action server.

The page is served by the demo server on its own origin and Rasa is started with `--cors`
for exactly that origin, as in production (site and bot on different origins)."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

from actions.settings import PROJECT_ROOT
from scripts.stack import running_assistant
from widget_support import QUESTION, DemoSite

MODEL = PROJECT_ROOT / "models" / "assistant.tar.gz"


@pytest.mark.e2e
def test_widget_answers_through_the_real_assistant(browser, artifacts, tmp_path):
    if not MODEL.exists():
        pytest.fail(
            f"No trained model at {MODEL.relative_to(PROJECT_ROOT)}: run `make train` first "
            "(the widget's end-to-end test talks to the real assistant)."
        )
    site = DemoSite("http://127.0.0.1:9")  # the real Rasa URL is set once Rasa is up
    try:
        with running_assistant(model=MODEL, work_dir=tmp_path / "stack", cors=[site.origin]) as stack:
            site.server.rasa_url = stack.rasa_url

            # Rasa's CORS is limited to the configured origin.
            def preflight(origin: str) -> requests.Response:
                return requests.options(stack.webhook_url, timeout=10, headers={
                    "Origin": origin, "Access-Control-Request-Method": "POST",
                    "Access-Control-Request-Headers": "content-type",
                })
            assert preflight(site.origin).headers.get("Access-Control-Allow-Origin") == site.origin
            assert preflight("http://evil.example").headers.get("Access-Control-Allow-Origin") in (None, "")

            context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN")
            try:
                page = context.new_page()
                errors = []
                page.on("pageerror", lambda error: errors.append(str(error)))
                page.goto(site.url)
                page.get_by_role("button", name="Hỏi đáp thủ tục").click()
                # The topics come from the real "/help".
                expect(page.locator(".reply").first).to_be_visible(timeout=60_000)
                box = page.get_by_role("textbox", name="Nhập câu hỏi")
                box.fill(QUESTION)
                box.press("Enter")
                expect(page.locator(".msg-user .bubble").last).to_have_text(QUESTION)
                # The answer is the bot message that follows the question.
                answer = page.locator(".msg-user ~ .msg-bot .bubble")
                expect(answer.first).to_be_visible(timeout=60_000)
                expect(page.get_by_role("alert")).to_be_hidden()
                texts = answer.all_inner_texts()
                assert any("Công an" in text for text in texts), texts
                page.screenshot(path=str(artifacts / "widget-e2e.png"))
                assert errors == []
            finally:
                context.close()
    finally:
        site.stop()
