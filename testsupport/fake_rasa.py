"""The one fake of Rasa's REST channel, for channel tests and channel benchmarks.

A real HTTP server on loopback (testsupport/loopback.py: aiohttp, keep-alive like Rasa's
Sanic server, its own thread and event loop), so a bridge or a browser under test talks to it
exactly as to Rasa, and its work never runs on the loop of the bridge being measured. It answers
POST /webhooks/rest/webhook with `answer(sender, message)`, can be stopped and started again on
the same port ("Rasa is down"), answer slowly (`delay`), and allows the CORS origins in
`allowed_origins` (the widget's page). End-to-end tests use the real Rasa server instead.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Callable, Iterable, List

from aiohttp import web

from testsupport.loopback import LoopbackServer

WEBHOOK_PATH = "/webhooks/rest/webhook"

Answer = Callable[[str, str], List[dict]]


@dataclass
class RasaCall:
    """One message Rasa answered: who sent what, when it arrived and how long the answer took."""

    sender: str
    message: str
    started: float
    duration: float


def echo(sender: str, message: str) -> List[dict]:
    """One text that names the message, so answers can be matched to questions."""
    return [{"recipient_id": sender, "text": f"echo {message}"}]


class FakeRasa(LoopbackServer):
    """Rasa's REST webhook on 127.0.0.1 (testsupport/loopback.py): `start()` returns self,
    `stop()` refuses connections until `start()` again, on the same port."""

    def __init__(self, answer: Answer = echo, delay: float = 0.0,
                 allowed_origins: Iterable[str] = ()) -> None:
        super().__init__()
        self.answer, self.delay = answer, delay
        self.allowed_origins = set(allowed_origins)
        # Bodies as they arrive (before answering) and calls once answered, in order.
        self.received: List[dict] = []
        self.calls: List[RasaCall] = []
        self.in_flight = 0
        self.max_in_flight = 0

    def messages(self) -> List[str]:
        """The messages received so far, in order."""
        return [body["message"] for body in self.received]

    def routes(self, app: web.Application) -> None:
        app.router.add_post(WEBHOOK_PATH, self._webhook)
        app.router.add_route("OPTIONS", WEBHOOK_PATH, self._preflight)

    def _cors(self, request: web.Request, response: web.StreamResponse) -> web.StreamResponse:
        origin = request.headers.get("Origin")
        if origin and origin in self.allowed_origins:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Vary"] = "Origin"
        return response

    async def _preflight(self, request: web.Request) -> web.Response:
        return self._cors(request, web.Response(status=204, headers={
            "Access-Control-Allow-Methods": "POST, OPTIONS",
            "Access-Control-Allow-Headers": "Content-Type"}))

    async def _webhook(self, request: web.Request) -> web.Response:
        started = time.perf_counter()
        body = await request.json()
        self.received.append(body)  # the loop's thread is the only writer
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.delay:
                await asyncio.sleep(self.delay)
            answer = self.answer(body["sender"], body["message"])
        finally:
            self.in_flight -= 1
        self.calls.append(RasaCall(body["sender"], body["message"], started,
                                   time.perf_counter() - started))
        return self._cors(request, web.json_response(
            answer, dumps=lambda value: json.dumps(value, ensure_ascii=False)))


def demo_answers(sender: str, message: str) -> List[dict]:
    """Rasa-shaped answers for the Telegram and Zalo bridge tests (contents are illustrative
    only): buttons, a long answer, an image, no answer, and an echo with characters to escape
    ("Bạn hỏi: <message> | ...")."""
    topics = [
        {"title": "Lý lịch tư pháp", "payload": '/ask_procedure{"procedure":"ly_lich_tu_phap"}'},
        {"title": "Lệ phí cấp phiếu lý lịch tư pháp",
         "payload": '/ask_fee{"procedure":"ly_lich_tu_phap","mục":"lệ phí cấp phiếu số 1"}'},
    ]
    if message == "/greet":
        return [{"recipient_id": sender, "text": "Xin chào anh/chị! Tôi có thể giúp gì?",
                 "buttons": topics}]
    if message == "/help":
        return [{"recipient_id": sender, "text": "Các chủ đề:", "buttons": topics}]
    if message.startswith("/ask_fee"):
        return [{"recipient_id": sender, "text": "Lệ phí: 200.000 đồng/lần."}]
    if message == "dài":
        paragraph = "Đoạn văn mẫu về thủ tục hành chính. " * 27  # ~1,000 characters
        return [{"recipient_id": sender, "text": "\n\n".join([paragraph.strip()] * 5)}]
    if message == "ảnh":
        return [{"recipient_id": sender, "text": "Mẫu tờ khai:",
                 "image": "https://example.gov.vn/mau.png"}]
    if message == "im lặng":
        return []
    return [{"recipient_id": sender,
             "text": f"Bạn hỏi: {message} | <ok> & xem https://dichvucong.gov.vn."}]
