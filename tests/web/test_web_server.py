"""The demo page server (`python -m channels.web`) without a browser."""

from __future__ import annotations

import threading

import pytest
import requests

from channels.web.__main__ import inject_rasa_url, make_server, normalise_rasa_url


@pytest.fixture
def server():
    server = make_server(0, "https://bot.example.gov.vn/", "127.0.0.1", quiet=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_pages_get_the_rasa_url_injected(server):
    for path in ("/", "/index.html", "/thu-tuc.html"):
        page = requests.get(server + path, timeout=5)
        assert page.status_code == 200
        assert page.headers["Content-Type"] == "text/html; charset=utf-8"
        assert 'data-rasa-url="https://bot.example.gov.vn"' in page.text
        assert 'src="/widget.js"' in page.text
        assert "Sở Tư pháp" in page.text


def test_widget_and_assets_are_served(server):
    widget = requests.get(server + "/widget.js", timeout=5)
    assert widget.status_code == 200
    assert widget.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert "attachShadow" in widget.text
    assert requests.get(server + "/site.css", timeout=5).headers["Content-Type"].startswith("text/css")
    assert requests.head(server + "/widget.js", timeout=5).status_code == 200


@pytest.mark.parametrize("path", [
    "/README.md", "/__main__.py", "/__init__.py", "/demo/index.html",
    "/%2e%2e/__main__.py", "/..%2f__main__.py", "/.hidden", "/nope.html",
])
def test_nothing_else_is_served(server, path):
    assert requests.get(server + path, timeout=5).status_code == 404


def test_injection_is_attribute_escaped():
    page = b'<script src="/widget.js" data-rasa-url="http://localhost:5005" defer></script>'
    out = inject_rasa_url(page, 'https://x.example/"><script>alert(1)</script>')
    assert b"<script>alert" not in out
    assert b'data-rasa-url="https://x.example/&quot;&gt;&lt;script&gt;' in out


@pytest.mark.parametrize("bad", ["localhost:5005", "javascript:alert(1)", "ftp://x", ""])
def test_rasa_url_must_be_http(bad):
    with pytest.raises(ValueError):
        normalise_rasa_url(bad)
