"""The widget in a real headless Chromium, against the fake Rasa REST server."""

from __future__ import annotations

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from playwright.sync_api import Page, expect

from actions.settings import PROJECT_ROOT
from widget_support import FEE_PAYLOAD, QUESTION

LAUNCHER = "Hỏi đáp thủ tục"


def shadow_active(page: Page) -> str:
    """Class of the element focused inside the widget's shadow root ('' if none)."""
    return page.evaluate(
        """() => {
            const host = document.getElementById('rasa-chat-widget');
            const active = host && host.shadowRoot.activeElement;
            return active ? (active.className || active.tagName) : '';
        }"""
    )


def open_widget(page: Page, url: str) -> None:
    page.goto(url)
    page.get_by_role("button", name=LAUNCHER).click()
    expect(page.get_by_role("dialog")).to_be_visible()


def user_bubbles(page: Page):
    return page.locator(".msg-user .bubble")


def bot_bubbles(page: Page):
    return page.locator(".msg-bot .bubble")


def ask(page: Page, text: str) -> None:
    box = page.get_by_role("textbox", name="Nhập câu hỏi")
    box.fill(text)
    box.press("Enter")


def test_welcome_question_and_quick_reply(page: Page, demo_site, fake_rasa, artifacts):
    open_widget(page, demo_site.url)
    # Static welcome text, then the topics from "/help" as quick replies; "/help" is not shown.
    expect(bot_bubbles(page).first).to_contain_text("Xin chào")
    expect(page.get_by_role("button", name="Lý lịch tư pháp")).to_be_visible()
    assert fake_rasa.messages() == ["/help"]
    expect(user_bubbles(page)).to_have_count(0)
    expect(page.get_by_role("log")).to_be_visible()

    ask(page, QUESTION)
    expect(user_bubbles(page).last).to_have_text(QUESTION)
    answer = bot_bubbles(page).last
    expect(answer).to_contain_text("Công an")
    # Lists and links: "- " lines become list items, the bare URL a safe link without the final dot.
    expect(answer.locator("li")).to_have_count(2)
    link = answer.get_by_role("link", name=re.compile("dichvucong.gov.vn"))
    expect(link).to_have_attribute("href", "https://dichvucong.gov.vn/")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    # The old topic buttons are gone: quick replies belong to the latest answer only.
    expect(page.get_by_role("button", name="Lý lịch tư pháp")).to_have_count(0)
    # Timestamps on every message.
    expect(page.locator(".msg time").first).to_have_text(re.compile(r"^\d{2}:\d{2}"))

    # A quick reply shows its title as the user's message and sends its payload verbatim.
    page.get_by_role("button", name="Lệ phí").click()
    expect(user_bubbles(page).last).to_have_text("Lệ phí")
    expect(bot_bubbles(page).last).to_contain_text("trả lời giả lập về lệ phí")
    assert fake_rasa.messages()[-1] == FEE_PAYLOAD
    expect(bot_bubbles(page).last.get_by_role("link")).to_have_attribute(
        "href", "https://vneid.gov.vn/"
    )
    # One stable sender id for the whole conversation.
    assert len({item["sender"] for item in fake_rasa.received}) == 1
    page.screenshot(path=str(artifacts / "widget-desktop.png"))


def test_typing_indicator(page: Page, demo_site, fake_rasa):
    open_widget(page, demo_site.url)
    expect(page.get_by_role("button", name="Lý lịch tư pháp")).to_be_visible()
    fake_rasa.delay = 1.5
    ask(page, QUESTION)
    expect(page.locator(".typing")).to_be_visible()
    expect(page.locator(".typing")).to_contain_text("Trợ lý đang trả lời")
    expect(bot_bubbles(page).last).to_contain_text("Công an", timeout=5000)
    expect(page.locator(".typing")).to_have_count(0)


def test_history_survives_reload_and_page_change(page: Page, demo_site, fake_rasa):
    open_widget(page, demo_site.url)
    expect(page.get_by_role("button", name="Lý lịch tư pháp")).to_be_visible()
    ask(page, QUESTION)
    expect(bot_bubbles(page).last).to_contain_text("Công an")
    sender = fake_rasa.received[-1]["sender"]

    page.reload()
    # The panel was open: it stays open after a reload, with the whole history.
    expect(page.get_by_role("dialog")).to_be_visible()
    expect(user_bubbles(page)).to_have_text([QUESTION])
    expect(bot_bubbles(page).last).to_contain_text("Công an")
    expect(page.get_by_role("button", name="Lệ phí")).to_be_visible()

    # Another page of the site: same conversation, same sender id.
    page.goto(demo_site.url + "/thu-tuc.html")
    expect(user_bubbles(page)).to_have_text([QUESTION])
    page.get_by_role("button", name="Lệ phí").click()
    expect(bot_bubbles(page).last).to_contain_text("lệ phí")
    assert fake_rasa.received[-1]["sender"] == sender
    assert len(fake_rasa.received) == 3  # /help, the question, the quick reply: no /help again

    # "New conversation": history cleared, a new sender id, welcome and topics again.
    page.get_by_role("button", name="Cuộc trò chuyện mới").click()
    expect(user_bubbles(page)).to_have_count(0)
    expect(bot_bubbles(page)).to_have_count(2)
    expect(page.get_by_role("button", name="Lý lịch tư pháp")).to_be_visible()
    assert fake_rasa.received[-1]["message"] == "/help"
    assert fake_rasa.received[-1]["sender"] != sender
    page.reload()
    expect(user_bubbles(page)).to_have_count(0)


def test_closed_widget_stays_closed_across_pages(page: Page, demo_site):
    page.goto(demo_site.url)
    expect(page.get_by_role("button", name=LAUNCHER)).to_be_visible()
    expect(page.get_by_role("dialog")).to_be_hidden()
    page.goto(demo_site.url + "/thu-tuc.html")
    expect(page.get_by_role("dialog")).to_be_hidden()
    # The site's own button opens it through the small page API.
    page.locator("#ask-assistant").click()
    expect(page.get_by_role("dialog")).to_be_visible()


def test_html_is_shown_as_text_never_run(page: Page, demo_site, fake_rasa):
    page.add_init_script("window.__xss = 0;")
    open_widget(page, demo_site.url)
    expect(page.get_by_role("button", name="Lý lịch tư pháp")).to_be_visible()
    attack = "<img src=x onerror=alert(1)>"
    ask(page, attack)
    expect(user_bubbles(page).last).to_have_text(attack)
    expect(bot_bubbles(page).nth(-2)).to_have_text("Bạn đã hỏi: " + attack)
    hostile = bot_bubbles(page).last
    expect(hostile).to_contain_text('<b>in đậm</b> <a href="javascript:alert(2)">bấm</a>')
    expect(page.get_by_role("button", name="<img src=x onerror=alert(5)>")).to_be_visible()
    # No element was created from any text; the only link is an https one.
    assert page.locator(".log img, .log b, .log script").count() == 0
    links = hostile.locator("a")
    expect(links).to_have_count(1)
    assert links.get_attribute("href").startswith("https://example.com/")
    page.wait_for_timeout(500)  # give a would-be onerror handler time to fire
    assert page.probe.dialogs == []
    # Reload: the stored history is rendered as text too.
    page.reload()
    expect(user_bubbles(page).last).to_have_text(attack)
    page.wait_for_timeout(300)
    assert page.locator(".log img").count() == 0
    assert page.probe.dialogs == []


def test_server_down_shows_error_and_keeps_text(page: Page, demo_site, fake_rasa):
    open_widget(page, demo_site.url)
    expect(page.get_by_role("button", name="Lý lịch tư pháp")).to_be_visible()
    fake_rasa.stop()

    ask(page, QUESTION)
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Không kết nối được với máy chủ trợ lý")
    expect(page.get_by_role("textbox", name="Nhập câu hỏi")).to_have_value(QUESTION)
    expect(user_bubbles(page)).to_have_count(0)  # not shown as sent
    expect(page.locator(".typing")).to_have_count(0)
    # The unsent text is not in the stored history either.
    page.reload()
    expect(user_bubbles(page)).to_have_count(0)
    ask(page, QUESTION)
    expect(alert).to_be_visible()
    expect(page.get_by_role("textbox", name="Nhập câu hỏi")).to_have_value(QUESTION)

    fake_rasa.start()  # same port
    page.get_by_role("button", name="Thử lại").click()
    expect(bot_bubbles(page).last).to_contain_text("Công an")
    expect(user_bubbles(page)).to_have_text([QUESTION])
    expect(alert).to_be_hidden()
    expect(page.get_by_role("textbox", name="Nhập câu hỏi")).to_have_value("")


def test_keyboard_only(page: Page, demo_site, fake_rasa):
    page.goto(demo_site.url)
    for _ in range(30):
        page.keyboard.press("Tab")
        if shadow_active(page) == "launcher":
            break
    assert shadow_active(page) == "launcher", "Tab never reached the launcher"
    launcher = page.get_by_role("button", name=LAUNCHER)
    expect(launcher).to_have_attribute("aria-expanded", "false")

    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog")).to_be_visible()
    expect(launcher).to_have_attribute("aria-expanded", "true")
    assert shadow_active(page) == "input"  # focus goes straight to the text box
    expect(page.get_by_role("button", name="Lý lịch tư pháp")).to_be_visible()

    page.keyboard.type(QUESTION)
    page.keyboard.press("Enter")
    expect(bot_bubbles(page).last).to_contain_text("Công an")
    assert shadow_active(page) == "input"

    # Quick replies are reachable with the keyboard (Shift+Tab back from the text box).
    for _ in range(5):
        page.keyboard.press("Shift+Tab")
        if shadow_active(page) == "reply":
            break
    assert shadow_active(page) == "reply"
    page.keyboard.press("Enter")
    expect(user_bubbles(page).last).to_have_text("Hồ sơ cần chuẩn bị")

    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    assert shadow_active(page) == "launcher"  # focus returns to the launcher


def test_accessible_names_and_roles(page: Page, demo_site):
    open_widget(page, demo_site.url)
    log = page.get_by_role("log")
    expect(log).to_have_attribute("aria-live", "polite")
    expect(page.get_by_role("textbox", name="Nhập câu hỏi")).to_be_visible()
    expect(page.get_by_role("button", name="Gửi")).to_be_visible()
    expect(page.get_by_role("button", name="Đóng cửa sổ trò chuyện")).to_be_visible()
    expect(page.get_by_role("dialog", name="Trợ lý ảo Sở Tư pháp")).to_be_visible()
    # Contrast of the main colour pairs (WCAG AA: 4.5 for normal text).
    ratios = page.evaluate(
        """() => {
            const root = document.getElementById('rasa-chat-widget').shadowRoot;
            const rgb = (c) => c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
            const lum = (c) => {
                const [r, g, b] = rgb(c).map((v) => {
                    v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
                });
                return 0.2126 * r + 0.7152 * g + 0.0722 * b;
            };
            const ratio = (a, b) => {
                const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
                return (x + 0.05) / (y + 0.05);
            };
            const pair = (sel, bgSel) => {
                const el = root.querySelector(sel);
                const bg = root.querySelector(bgSel || sel);
                return ratio(getComputedStyle(el).color, getComputedStyle(bg).backgroundColor);
            };
            return {
                launcher: pair('.launcher'),
                header: pair('.title', '.header'),
                bot: pair('.msg-bot .bubble'),
                time: pair('.time', '.log'),
                send: pair('.send'),
                hint: pair('.hint'),
            };
        }"""
    )
    for name, ratio in ratios.items():
        assert ratio >= 4.5, f"contrast of {name} is {ratio:.2f}"


def test_site_css_does_not_leak_into_widget(page: Page, demo_site):
    page.goto(demo_site.url)
    # The demo site styles every <button> yellow, dashed and uppercase.
    site_button = page.locator("#site-search")
    assert site_button.evaluate("b => getComputedStyle(b).textTransform") == "uppercase"
    launcher = page.get_by_role("button", name=LAUNCHER)
    style = launcher.evaluate(
        "b => { const s = getComputedStyle(b); return [s.textTransform, s.borderStyle, s.backgroundColor]; }"
    )
    assert style[0] == "none" and style[1] != "dashed" and style[2] == "rgb(10, 75, 140)"
    # ...and the widget does not restyle the site.
    assert site_button.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(255, 204, 0)"


def test_phone_size_full_screen(browser, demo_site, fake_rasa, artifacts):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
        has_touch=True, locale="vi-VN",
    )
    try:
        page = context.new_page()
        page.goto(demo_site.url)
        launcher = page.get_by_role("button", name=LAUNCHER)
        expect(launcher).to_be_visible()
        page.screenshot(path=str(artifacts / "widget-phone-closed.png"))
        launcher.tap()
        dialog = page.get_by_role("dialog")
        expect(dialog).to_be_visible()
        expect(page.get_by_role("button", name="Lý lịch tư pháp")).to_be_visible()
        box = dialog.bounding_box()
        assert box["x"] == 0 and box["y"] == 0
        assert box["width"] == 390 and box["height"] == 844
        ask(page, QUESTION)
        expect(bot_bubbles(page).last).to_contain_text("Công an")
        page.screenshot(path=str(artifacts / "widget-phone.png"))
        page.get_by_role("button", name="Đóng cửa sổ trò chuyện").tap()
        expect(launcher).to_be_visible()
    finally:
        context.close()


def test_desktop_panel_is_a_corner_popup(page: Page, demo_site):
    open_widget(page, demo_site.url)
    box = page.get_by_role("dialog").bounding_box()
    assert box["width"] == 380
    assert box["x"] + box["width"] <= 1280 - 10 and box["y"] > 0


def test_works_under_a_strict_content_security_policy(page: Page, fake_rasa):
    """A government site may send a strict CSP: no inline styles or scripts, only the bot's URL."""
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    policy = (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        f"connect-src {fake_rasa.url}"
    )
    html = (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>CSP</title></head>'
        f'<body><h1>Trang có CSP</h1><script src="/widget.js" data-rasa-url="{fake_rasa.url}" '
        'data-title="Trợ lý ảo Sở Tư pháp"></script></body></html>'
    ).encode()
    widget = (PROJECT_ROOT / "channels" / "web" / "widget.js").read_bytes()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):  # noqa: N802
            body, kind = (widget, "text/javascript") if self.path == "/widget.js" else (html, "text/html")
            self.send_response(200)
            self.send_header("Content-Type", kind + "; charset=utf-8")
            self.send_header("Content-Security-Policy", policy)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_port}"
    fake_rasa.allowed_origins.add(origin)
    try:
        open_widget(page, origin + "/")
        header = page.locator(".header")
        assert header.evaluate("h => getComputedStyle(h).backgroundColor") == "rgb(10, 75, 140)"
        ask(page, QUESTION)
        expect(bot_bubbles(page).last).to_contain_text("Công an")
        assert violations == []
    finally:
        server.shutdown()
        server.server_close()


def test_other_tab_of_the_site_shows_the_same_conversation(context, page: Page, demo_site):
    open_widget(page, demo_site.url)
    other = context.new_page()
    other.goto(demo_site.url + "/thu-tuc.html")
    ask(page, QUESTION)
    expect(bot_bubbles(page).last).to_contain_text("Công an")
    other.get_by_role("button", name=LAUNCHER).click()
    expect(user_bubbles(other)).to_have_text([QUESTION])
    expect(bot_bubbles(other).last).to_contain_text("Công an")
