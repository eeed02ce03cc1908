"""Fixtures for the website widget tests: a fake Rasa REST server, the demo page server and a
real headless Chromium (Debian's /usr/bin/chromium driven by Playwright)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator, List

import pytest

from actions.settings import PROJECT_ROOT
from testsupport.fake_rasa import FakeRasa
from widget_support import DemoSite, fake_rasa_for_widget

ARTIFACTS = PROJECT_ROOT / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "e2e: end-to-end through the real Rasa and action servers (needs `make train`)"
    )


@pytest.fixture
def fake_rasa() -> Iterator[FakeRasa]:
    fake = fake_rasa_for_widget()
    yield fake
    fake.stop()


@pytest.fixture
def demo_site(fake_rasa: FakeRasa) -> Iterator[DemoSite]:
    site = DemoSite(fake_rasa.url)
    fake_rasa.allowed_origins.add(site.origin)
    yield site
    site.stop()


# ------------------------------------------------------------------ browser


# Module scope: Playwright's sync API keeps an event loop running while the browser is open,
# which breaks the asyncio tests collected after these modules (tests/zalo).
@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: apt-get update && apt-get install -y chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


class PageProbe:
    """Records what must never happen on the page: dialogs (alert from XSS) and JS errors."""

    def __init__(self, page):
        self.dialogs: List[str] = []
        self.errors: List[str] = []
        page.on("dialog", self._on_dialog)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _on_dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN")
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    page.probe = PageProbe(page)
    yield page
    assert page.probe.errors == [], f"JavaScript errors on the page: {page.probe.errors}"
    assert page.probe.dialogs == [], f"Unexpected dialogs (script ran?): {page.probe.dialogs}"


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
