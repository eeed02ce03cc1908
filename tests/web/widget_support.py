"""Stand-ins for the widget tests: the answers of the fake Rasa (testsupport.fake_rasa, with CORS
limited to the demo page's origin) and the demo page server running in a thread."""

from __future__ import annotations

import threading

from channels.web.__main__ import make_server
from testsupport.fake_rasa import FakeRasa

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


def fake_rasa_for_widget() -> FakeRasa:
    """The one fake Rasa (testsupport.fake_rasa), answering like fake_answer, started."""
    return FakeRasa(lambda sender, message: fake_answer(message)).start()


class DemoSite:
    def __init__(self, rasa_url: str):
        self.server = make_server(0, rasa_url, "127.0.0.1", quiet=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.origin = self.url
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
