"""An officer in a real Chromium: log in, change the fee of the Phiếu, hit a validation error,
preview the draft, publish, see citizens get the new fee, and restore the old one. Screenshots
at a tablet's width go to test-artifacts/staff/."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from actions.settings import PROJECT_ROOT
from console_support import ADMIN_PASSWORD

pytestmark = pytest.mark.e2e
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "staff"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
QUESTION = "lệ phí lý lịch tư pháp bao nhiêu"
NEW_FEE = "- Mức thường: 321.000 đồng/lần/người."


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
def page(chromium):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(viewport={"width": 820, "height": 1180}, locale="vi-VN")  # a tablet
    page = context.new_page()
    page.set_default_timeout(30000)
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("dialog", lambda dialog: (problems.append(dialog.message), dialog.dismiss()))
    yield page
    context.close()
    assert problems == [], problems


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


def citizen_answer(stack, sender: str, words: str, timeout: float = 15) -> str:
    deadline = time.monotonic() + timeout
    while True:
        answer = "\n".join(m.get("text") or "" for m in stack.ask(sender, QUESTION))
        if words in answer or time.monotonic() > deadline:
            return answer
        time.sleep(0.5)


def test_an_officer_changes_previews_publishes_and_restores_the_fee(page, live_console, preview_stack):
    expect = __import__("playwright.sync_api", fromlist=["expect"]).expect
    url = live_console.url
    page.goto(url + "/")
    expect(page).to_have_url(re.compile(r"/login"))
    page.fill("#username", "admin")
    page.fill("#password", ADMIN_PASSWORD)
    shot(page, "01-login")
    page.click("button[type=submit]")
    expect(page.locator("h1").first).to_contain_text("Thủ tục")
    shot(page, "02-list")

    page.fill("#q", "lý lịch")
    page.click("form.search button")
    page.click("text=Phiếu lý lịch tư pháp")
    expect(page.locator("h1")).to_contain_text("Phiếu lý lịch tư pháp")
    fee = page.locator('textarea[name="le_phi.noi_dung"]')
    expect(fee).to_be_visible()
    expect(page.get_by_text("Lệ phí (mức thu, giảm, miễn)")).to_be_visible()
    shot(page, "03-edit")

    # A mistake first: an impossible date is refused with the check-catalog message, nothing saved.
    fee.fill(NEW_FEE)
    page.fill('input[name="hieu_luc_tu"]', "31/02/2026")
    page.click("text=Lưu bản nháp")
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("not a date")
    expect(page.locator(".field-error").first).to_be_visible()
    expect(page.locator('textarea[name="le_phi.noi_dung"]')).to_have_value(NEW_FEE)  # the edit is kept
    page.locator(".field-error").first.scroll_into_view_if_needed()
    shot(page, "04-validation-error")

    page.fill('input[name="hieu_luc_tu"]', "2026-07-01")
    page.click("text=Lưu bản nháp")
    expect(page.locator(".flash")).to_contain_text("Đã lưu bản nháp")

    # The test pane answers from the draft; citizens still get the published fee.
    page.click("nav >> text=Thử trợ lý")
    page.fill("#message", QUESTION)
    page.click("form.ask button")
    expect(page.locator(".bubble.bot").first).to_contain_text("321.000")
    shot(page, "05-preview")
    page.locator("form.buttons button.chip").first.click()  # a reply button, as on the widget
    expect(page.locator(".bubble.user")).to_have_count(2)
    assert "321.000" not in citizen_answer(preview_stack.stack, "web-citizen-1", "never", timeout=0)

    # Review in words, then publish.
    page.click("nav >> text=Xuất bản")
    expect(page.locator("table.diff")).to_contain_text("321.000")
    expect(page.locator("table.diff")).to_contain_text("Lệ phí")
    page.fill("#note", "Thử nghiệm trên trình duyệt")
    shot(page, "06-review")
    page.click("text=Xuất bản 1 thay đổi")
    expect(page.locator(".flash")).to_contain_text("Đã xuất bản")
    shot(page, "07-history")
    assert "321.000" in citizen_answer(preview_stack.stack, "web-citizen-2", "321.000")

    # Roll back to the version before, as a draft, and publish it.
    page.goto(url + "/history?procedure=ly_lich_tu_phap")
    page.locator("tr", has_text="Trạng thái ban đầu").locator("a", has_text="#").click()
    expect(page.locator("table.diff")).to_contain_text("200.000")  # what restoring would change
    shot(page, "08-restore-preview")
    page.click("text=Khôi phục bản này (thành bản nháp)")
    expect(page.locator(".flash")).to_contain_text("Đã tạo bản nháp")
    expect(page.locator('textarea[name="le_phi.noi_dung"]')).to_contain_text("200.000")
    page.click("nav >> text=Xuất bản")
    page.click("text=Xuất bản 1 thay đổi")
    expect(page.locator(".flash")).to_contain_text("Đã xuất bản")
    assert "200.000" in citizen_answer(preview_stack.stack, "web-citizen-3", "200.000")

    page.goto(url + "/worklist")
    expect(page.locator("h1")).to_contain_text("Cần kiểm tra lại")
    shot(page, "09-worklist")


def test_an_editor_cannot_publish_and_html_stays_text(page, live_console):
    live_console.add_user("bien_tap_vien", "editor", "editor-pass-1")
    api = live_console.api("bien_tap_vien", "editor-pass-1")
    item = api.item("tro_giup_phap_ly")
    item["record"]["mo_ta"] = "<b>đậm</b><script>alert('xss')</script> Trợ giúp pháp lý."
    assert api.put("/api/procedures/tro_giup_phap_ly", json=item).status_code == 200
    page.goto(live_console.url + "/login")
    page.fill("#username", "bien_tap_vien")
    page.fill("#password", "editor-pass-1")
    page.click("button[type=submit]")
    page.goto(live_console.url + "/procedures/tro_giup_phap_ly")
    expect = __import__("playwright.sync_api", fromlist=["expect"]).expect
    expect(page.locator('textarea[name="mo_ta"]')).to_have_value(re.compile(r"<script>alert"))
    assert page.locator("b", has_text="đậm").count() == 0
    page.goto(live_console.url + "/publish")
    expect(page.locator(".notice")).to_contain_text("Người duyệt")
    assert page.locator("text=Xuất bản 1 thay đổi").count() == 0
    shot(page, "10-editor-review")
    assert api.request("DELETE", "/api/procedures/tro_giup_phap_ly/draft").status_code == 200
