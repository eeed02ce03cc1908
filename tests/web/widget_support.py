"""Stand-ins for the widget tests: a fake Rasa REST server (per docs/CONTRACT.md, with CORS
limited to configured origins) and the demo page server running in a thread."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import List, Optional

from channels.web.__main__ import make_server

QUESTION = "lam ly lich tu phap o dau"
FEE_PAYLOAD = '/ask_fee{"procedure":"ly_lich_tu_phap","kenh":"truc_tuyen","nguoi_nop":"cong_dan"}'


def fake_answer(message: str) -> list:
    """Answers shaped like the contract (docs/CONTRACT.md), for a few known messages."""
    if message in ("/help", "/greet"):
        return [{
            "recipient_id": "x",
            "text": "Bạn muốn hỏi về lĩnh vực nào?",
            "buttons": [
                {"title": "Lý lịch tư pháp", "payload": '/ask_procedure{"procedure":"ly_lich_tu_phap"}'},
                {"title": "Hộ tịch", "payload": '/ask_topic{"topic":"ho_tich"}'},
                {"title": "Chứng thực", "payload": '/ask_topic{"topic":"chung_thuc"}'},
            ],
        }]
    if message == QUESTION or message.startswith("/ask_procedure"):
        return [{
            "recipient_id": "x",
            "text": (
                "Từ ngày 01/3/2025, Phiếu lý lịch tư pháp do Công an cấp (trả lời giả lập).\n"
                "Nơi nộp:\n"
                "- Công an thành phố\n"
                "- Trực tuyến: https://dichvucong.gov.vn."
            ),
            "buttons": [
                {"title": "Lệ phí", "payload": FEE_PAYLOAD},
                {"title": "Hồ sơ cần chuẩn bị", "payload": '/ask_documents{"procedure":"ly_lich_tu_phap"}'},
            ],
        }]
    if message == FEE_PAYLOAD:
        return [{"recipient_id": "x", "text": "Lệ phí: trả lời giả lập về lệ phí.\nXem thêm tại vneid.gov.vn"}]
    if "<" in message or "javascript" in message:
        # A hostile bot answer too: HTML, a javascript: pseudo-link, an attribute breaker in a URL.
        return [
            {"recipient_id": "x", "text": f"Bạn đã hỏi: {message}"},
            {"recipient_id": "x", "text": (
                '<b>in đậm</b> <a href="javascript:alert(2)">bấm</a> javascript:alert(3)\n'
                'https://example.com/"><img src=x onerror=alert(4)>'
            ), "buttons": [{"title": "<img src=x onerror=alert(5)>", "payload": "/help"}]},
        ]
    return [{"recipient_id": "x", "text": f"Bạn đã hỏi: {message}"}]


class FakeRasa:
    """A stand-in Rasa REST channel on loopback, with CORS limited to `allowed_origins`."""

    def __init__(self, allowed_origins: Optional[List[str]] = None):
        self.allowed_origins = set(allowed_origins or [])
        self.received: List[dict] = []
        self.delay = 0.0
        self.port = 0
        self._server: Optional[ThreadingHTTPServer] = None
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _cors(self):
                origin = self.headers.get("Origin")
                if origin and origin in fake.allowed_origins:
                    self.send_header("Access-Control-Allow-Origin", origin)
                    self.send_header("Vary", "Origin")

            def do_OPTIONS(self):  # noqa: N802
                self.send_response(204)
                self._cors()
                self.send_header("Access-Control-Allow-Methods", "POST, OPTIONS")
                self.send_header("Access-Control-Allow-Headers", "Content-Type")
                self.end_headers()

            def do_POST(self):  # noqa: N802
                if self.path != "/webhooks/rest/webhook":
                    self.send_error(404)
                    return
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.received.append(body)
                if fake.delay:
                    time.sleep(fake.delay)
                payload = json.dumps(fake_answer(body["message"]), ensure_ascii=False).encode()
                self.send_response(200)
                self._cors()
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_port
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def messages(self) -> List[str]:
        return [item["message"] for item in self.received]


class DemoSite:
    def __init__(self, rasa_url: str):
        self.server = make_server(0, rasa_url, "127.0.0.1", quiet=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.origin = self.url
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
