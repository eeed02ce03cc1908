"""Tiny static server for the widget and its demo pages: `python -m channels.web`.

Serves `widget.js` and the files of `demo/` (only those: not this file, not the README) at
http://localhost:8080/. The Rasa server URL is injected at serve time: in every HTML page the
value of the widget's `data-rasa-url="..."` attribute is replaced by RASA_URL, so the demo
pages in git keep a working default and nothing has to be edited to point them elsewhere.

Environment:
  WIDGET_PORT  port to listen on (default 8080)
  WIDGET_HOST  interface to bind (default 127.0.0.1; 0.0.0.0 to reach it from other machines)
  RASA_URL     Rasa server the widget talks to (default http://localhost:5005)
"""

from __future__ import annotations

import html
import mimetypes
import os
import re
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Optional
from urllib.parse import unquote, urlsplit

HERE = Path(__file__).resolve().parent
DEMO_DIR = HERE / "demo"
WIDGET = HERE / "widget.js"
DEFAULT_RASA_URL = "http://localhost:5005"
_RASA_ATTR = re.compile(rb'data-rasa-url="[^"]*"')
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def normalise_rasa_url(value: str) -> str:
    value = value.strip().rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"RASA_URL must be an http(s) URL, got {value!r}")
    return value


def inject_rasa_url(page: bytes, rasa_url: str) -> bytes:
    """Point every widget tag of an HTML page at `rasa_url` (attribute-escaped)."""
    attribute = f'data-rasa-url="{html.escape(rasa_url, quote=True)}"'.encode()
    return _RASA_ATTR.sub(lambda _: attribute, page)


def resolve(url_path: str) -> Optional[Path]:
    """Map a URL path to a served file, or None. Only widget.js and flat files of demo/."""
    path = unquote(urlsplit(url_path).path)
    if path in ("", "/"):
        return DEMO_DIR / "index.html"
    if path == "/widget.js":
        return WIDGET
    name = path.lstrip("/")
    if not _SAFE_NAME.match(name):  # no sub-folders, no "..", no hidden files
        return None
    candidate = DEMO_DIR / name
    return candidate if candidate.is_file() else None


class Handler(BaseHTTPRequestHandler):
    server_version = "WidgetDemo/1.0"

    server: "DemoServer"

    def do_HEAD(self) -> None:  # noqa: N802 (http.server naming)
        self._serve(head=True)

    def do_GET(self) -> None:  # noqa: N802
        self._serve(head=False)

    def _serve(self, head: bool) -> None:
        target = resolve(self.path)
        if target is None or not target.is_file():
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        body = target.read_bytes()
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if target.suffix == ".html":
            body = inject_rasa_url(body, self.server.rasa_url)
        if content_type.startswith("text/") or target.suffix == ".js":
            if target.suffix == ".js":
                content_type = "text/javascript"
            content_type += "; charset=utf-8"
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        if target.suffix == ".js":
            # The widget is meant to be loaded by other sites.
            self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        if not self.server.quiet:
            super().log_message(format, *args)


class DemoServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple, rasa_url: str, quiet: bool = False):
        self.rasa_url = normalise_rasa_url(rasa_url)  # may be changed while serving
        self.quiet = quiet
        super().__init__(address, Handler)


def make_server(
    port: int = 8080, rasa_url: str = DEFAULT_RASA_URL, host: str = "127.0.0.1",
    quiet: bool = False,
) -> DemoServer:
    """A ready (not yet serving) server; port 0 picks a free port (see `server.server_port`)."""
    return DemoServer((host, port), rasa_url, quiet)


def main() -> int:
    port = int(os.environ.get("WIDGET_PORT", "8080"))
    host = os.environ.get("WIDGET_HOST", "127.0.0.1")
    try:
        rasa_url = normalise_rasa_url(os.environ.get("RASA_URL", DEFAULT_RASA_URL))
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    server = make_server(port, rasa_url, host)
    shown_host = "localhost" if host in ("127.0.0.1", "0.0.0.0", "") else host
    print(f"Demo page: http://{shown_host}:{server.server_port}/  (widget -> Rasa at {rasa_url})")
    print(f"Rasa must allow this origin: rasa run --cors http://{shown_host}:{server.server_port}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
