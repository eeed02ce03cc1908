"""End to end: an officer's fee change reaches citizens through the real assistant, without a
restart, and the preview shows the draft before anyone else sees it."""

from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.e2e
QUESTION = "lệ phí lý lịch tư pháp bao nhiêu"
NEW_FEE = "- Mức thường: 345.000 đồng/lần/người (thử nghiệm)."


def texts(messages) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def wait_for_answer(stack, sender: str, words: str, timeout: float = 15) -> str:
    deadline = time.monotonic() + timeout
    while True:
        answer = texts(stack.ask(sender, QUESTION))
        if words in answer or time.monotonic() > deadline:
            return answer
        time.sleep(0.5)


def test_preview_shows_a_draft_and_a_publish_reaches_citizens_within_seconds(live_console, preview_stack):
    stack, api = preview_stack.stack, live_console.api()
    before = texts(stack.ask("citizen-1", QUESTION))
    assert "200.000" in before, before

    assert api.save_fee(NEW_FEE).status_code == 200
    preview = api.post("/api/preview", json={"message": QUESTION, "sender": "e2e"})
    assert preview.status_code == 200, preview.text
    assert "345.000" in texts(preview.json()["messages"])
    assert "345.000" not in texts(stack.ask("citizen-2", QUESTION))  # citizens never see drafts
    # A wrong token is an ordinary message.
    import requests

    forged = requests.post(stack.webhook_url, json={"sender": "citizen-3", "message": QUESTION,
                                                     "metadata": {"preview_token": "guess"}}, timeout=30).json()
    assert "345.000" not in texts(forged)

    started = time.monotonic()
    assert api.post("/api/publish", json={"note": "e2e: phí mới"}).status_code == 200
    after = wait_for_answer(stack, "citizen-4", "345.000")
    assert "345.000" in after, after
    assert time.monotonic() - started < 15

    history = api.get("/api/history?procedure=ly_lich_tu_phap").json()
    first = history[-1]["version"]
    assert api.post("/api/procedures/ly_lich_tu_phap/restore", json={"version": first}).status_code == 200
    assert api.post("/api/publish", json={"note": "e2e: trả lại"}).status_code == 200
    assert "200.000" in wait_for_answer(stack, "citizen-5", "200.000")
