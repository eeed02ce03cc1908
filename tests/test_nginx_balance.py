"""nginx's two ways of picking a Rasa instance (RASA_BALANCE, scripts/scale.py), on the real
nginx in front of two loopback stand-ins that say which one answered: by conversation,
every message of a conversation reaches the same instance, whatever its text; by least
connections (the default), consecutive messages are spread."""

from __future__ import annotations

import http.server
import threading
from collections import Counter

import pytest
import requests

from scripts.scale import Nginx
from scripts.stack import free_port

pytestmark = pytest.mark.e2e


class _Instance(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's name)
        self.rfile.read(int(self.headers.get("content-length") or 0))
        body = str(self.server.server_port).encode()
        self.send_response(200)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_):
        pass


@pytest.fixture(scope="module")
def instances():
    servers = [http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), _Instance)
               for _ in range(2)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield [server.server_port for server in servers]
    for server in servers:
        server.shutdown()


def _nginx(tmp_path, ports, balance):
    return Nginx(tmp_path / balance, f"127.0.0.1:{free_port()}", ports, balance=balance).start()


def _served(nginx, sender, message):
    reply = requests.post(f"http://{nginx.listen}/webhooks/rest/webhook", timeout=10,
                          json={"sender": sender, "message": message})
    reply.raise_for_status()
    return reply.text


def test_by_conversation_every_message_of_a_conversation_reaches_one_instance(tmp_path, instances):
    nginx = _nginx(tmp_path, instances, "conversation")
    try:
        used = Counter()
        for number in range(12):
            sender = f"citizen-{number}"
            served = {_served(nginx, sender, text) for text in (
                "lam ly lich tu phap o dau", "còn lệ phí thì sao?",
                'he wrote "sender": "someone-else" in the form', "mất bao lâu")}
            assert len(served) == 1, (sender, served)
            used.update(served)
        assert len(used) == 2, used  # different conversations still use both instances
    finally:
        nginx.stop()


def test_by_least_connections_consecutive_messages_are_spread(tmp_path, instances):
    nginx = _nginx(tmp_path, instances, "least_conn")
    try:
        served = {_served(nginx, "citizen-1", f"câu hỏi {n}") for n in range(6)}
        assert len(served) == 2, served
    finally:
        nginx.stop()


def test_an_unknown_balance_is_refused_with_the_choices(tmp_path, instances):
    with pytest.raises(SystemExit, match="least_conn, conversation"):
        _nginx(tmp_path, instances, "round_robin")
