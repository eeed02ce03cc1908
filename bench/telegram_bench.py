"""Benchmark of the Telegram bridge: latency it adds per message, and chats served at once.

Runs the real bridge (python-telegram-bot Application, long polling) in this process,
against the loopback Bot API stand-in and the fake Rasa (both from testsupport/) running in a
child process (so their CPU use does not slow the bridge down). N chats talk at the same
time, each like a citizen: it sends its next message `--think` seconds after the answer
to the previous one arrives (0 = immediately, which saturates the bridge and then
measures queueing, not per-message overhead). For every message:

    added latency = (stand-in receives sendMessage - stand-in delivers it in getUpdates)
                    - fake Rasa's own time for that message

Prints figures only (goal: < 20 ms added at p95); the exit status is non-zero only when a
message is lost or duplicated, never because of timings.

    .venv/bin/python bench/telegram_bench.py [--chats 50] [--messages 10] [--rasa-delay 0.02]
                                             [--think 1.0]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing
import statistics
import sys
import threading
import time
from collections import Counter
from typing import Dict, List, Tuple

from bench.measure import percentile
from channels.telegram.app import ALLOWED_UPDATES, build_application, close_rasa
from channels.telegram.config import Settings
from testsupport.fake_rasa import FakeRasa, echo
from testsupport.telegram_api import TOKEN, BotApiStandIn, Call, message_update

FIRST_CHAT = 10_000


class Citizens:
    """Drives the chats from the stand-in's thread: each answer triggers the next message."""

    def __init__(self, api: BotApiStandIn, chats: int, messages: int, think: float) -> None:
        self.api, self.chats, self.messages, self.think = api, chats, messages, think
        self.update_of: Dict[str, int] = {}  # message text -> update_id
        self.sent_count: Counter = Counter()
        self.done = threading.Event()
        self._lock = threading.Lock()
        self._answered = 0

    def text(self, chat: int, index: int) -> str:
        return f"c{chat}-m{index}"

    def send(self, chat: int, index: int) -> None:
        text = self.text(chat, index)
        self.update_of[text] = self.api.push(message_update(self.api, chat, text))

    def start(self) -> None:
        """Citizens arrive spread over one think time (all at once when think is 0)."""
        for number, chat in enumerate(range(FIRST_CHAT, FIRST_CHAT + self.chats)):
            offset = self.think * number / self.chats
            threading.Timer(offset, self.send, (chat, 0)).start() if offset else self.send(chat, 0)

    def on_call(self, call: Call) -> None:
        """Stand-in hook: an answer arrived; the citizen sends the next question."""
        if call.method != "sendMessage":
            return
        text = str(call.params.get("text", ""))
        chat, index = self._parse(text)
        if chat is None:
            return
        with self._lock:
            self.sent_count[text[len("echo "):]] += 1
            self._answered += 1
            if self._answered >= self.chats * self.messages:
                self.done.set()
        if self.sent_count[text[len("echo "):]] == 1 and index + 1 < self.messages:
            if self.think:  # a citizen reads the answer before asking again
                threading.Timer(self.think, self.send, (chat, index + 1)).start()
            else:
                self.send(chat, index + 1)

    @staticmethod
    def _parse(text: str) -> Tuple:
        if not text.startswith("echo c"):
            return None, None
        chat, index = text[len("echo c"):].split("-m")
        return int(chat), int(index)


def measure(api: BotApiStandIn, rasa: FakeRasa, citizens: Citizens) -> Dict[str, List[float]]:
    """Per-message round trip, Rasa time and the difference (what the bridge added)."""
    rasa_time = {call.message: call.duration for call in rasa.calls}
    replied_at = {}
    for call in api.calls_to("sendMessage"):
        replied_at.setdefault(str(call.params.get("text", ""))[len("echo "):], call.at)
    round_trip, added, rasa_times, spans = [], [], [], []
    for text, update_id in citizens.update_of.items():
        if text in replied_at and text in rasa_time and update_id in api.delivered_at:
            total = replied_at[text] - api.delivered_at[update_id]
            round_trip.append(total)
            rasa_times.append(rasa_time[text])
            added.append(total - rasa_time[text])
            spans.append((api.delivered_at[update_id], replied_at[text]))
    return {"round_trip": round_trip, "added": added, "rasa": rasa_times, "spans": spans}


def max_overlap(spans: List[Tuple[float, float]]) -> int:
    """Most messages between delivery and answer at the same moment (= chats in progress)."""
    events = sorted([(start, 1) for start, _ in spans] + [(end, -1) for _, end in spans])
    current = best = 0
    for _, step in events:
        current += step
        best = max(best, current)
    return best


def check_delivery(rasa: FakeRasa, citizens: Citizens) -> List[str]:
    """Every message reached Rasa once and was answered once."""
    expected = {citizens.text(c, i) for c in range(FIRST_CHAT, FIRST_CHAT + citizens.chats)
                for i in range(citizens.messages)}
    to_rasa = Counter(call.message for call in rasa.calls)
    problems = []
    for name, counts in (("reached Rasa", to_rasa), ("answered", citizens.sent_count)):
        lost = expected - set(counts)
        duplicated = [text for text, count in counts.items() if count > 1]
        if lost:
            problems.append(f"{len(lost)} message(s) never {name}: {sorted(lost)[:5]}")
        if duplicated:
            problems.append(f"{len(duplicated)} message(s) {name} twice: {duplicated[:5]}")
    return problems


def serve_standins(conn, chats: int, messages: int, rasa_delay: float, think: float,
                   timeout: float) -> None:
    """Child process: Bot API stand-in, fake Rasa and the citizens.

    They live in their own process so their CPU work (and GIL) does not slow down the
    bridge being measured; perf_counter is system-wide, so times compare across processes."""
    logging.getLogger("aiohttp").setLevel(logging.CRITICAL)  # cancelled polls at shutdown
    # Two event loops (Bot API stand-in, fake Rasa) and the citizens share this process's
    # GIL; switch between them quickly so the harness does not add its own waits to the
    # figures (the default interval is 5 ms), as bench/zalo_bench.py does.
    sys.setswitchinterval(0.0005)
    api, rasa = BotApiStandIn().start(), FakeRasa(echo, delay=rasa_delay).start()
    citizens = Citizens(api, chats, messages, think)
    api.on_call = citizens.on_call
    conn.send((api.url, rasa.url))
    conn.recv()  # the bridge is polling: go
    started = time.perf_counter()
    citizens.start()
    finished = citizens.done.wait(timeout)
    wall = time.perf_counter() - started
    conn.send("done")
    conn.recv()  # the bridge has stopped: no more calls can come
    figures = measure(api, rasa, citizens)
    conn.send({"figures": figures, "wall": wall, "finished": finished,
               "answered": sum(citizens.sent_count.values()),
               "max_in_flight": rasa.max_in_flight,
               "problems": check_delivery(rasa, citizens)})
    api.stop()
    rasa.stop()


async def run_bridge(conn, messages: int, send_rate: float) -> None:
    """Parent process: only the bridge, exactly as in production (long polling)."""
    api_url, rasa_url = conn.recv()
    settings = Settings(token=TOKEN, base_url=api_url, rasa_url=rasa_url, id_salt="bench",
                        rate_limit_messages=messages + 10, send_rate=send_rate)
    application = build_application(settings)
    async with application:
        await application.start()
        await application.updater.start_polling(poll_interval=0.0, timeout=2,
                                                allowed_updates=ALLOWED_UPDATES)
        conn.send("go")
        while not conn.poll():  # the child reports when all answers arrived (or timed out)
            await asyncio.sleep(0.05)
        conn.recv()  # "done"
        await asyncio.sleep(0.2)  # let any duplicate show up before counting
        await application.updater.stop()
        await application.stop()
        await close_rasa(application)
    conn.send("stopped")


def report(result: dict, chats: int, messages: int, rasa_delay: float, think: float) -> int:
    figures, wall, finished = result["figures"], result["wall"], result["finished"]
    ms = lambda seconds: f"{seconds * 1000:7.2f} ms"  # noqa: E731
    total = chats * messages
    print(f"Telegram bridge benchmark: {chats} chats x {messages} messages "
          f"= {total}, fake Rasa delay {rasa_delay * 1000:.0f} ms, think time {think:.1f} s")
    if figures["added"]:
        for name, label in (("added", "added by the bridge"), ("round_trip", "delivery -> answer"),
                            ("rasa", "fake Rasa's own time")):
            values = figures[name]
            print(f"  {label:<22} p50 {ms(statistics.median(values))}   "
                  f"p95 {ms(percentile(values, 0.95))}   max {ms(max(values))}")
        print("  goal: added p95 < 20 ms (figures only, not asserted)")
    print(f"  answered {result['answered']}/{total} in {wall:.2f} s "
          f"({total / wall:.0f} messages/s){'' if finished else '  (TIMED OUT)'}")
    print(f"  chats served at once: {max_overlap(figures['spans'])} in progress at peak, "
          f"{result['max_in_flight']} concurrent requests at Rasa")
    problems = result["problems"]
    print("  delivery: " + ("no lost or duplicated message" if not problems else "; ".join(problems)))
    return 1 if problems or not finished else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=50)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--rasa-delay", type=float, default=0.02,
                        help="seconds the fake Rasa takes per message (default 0.02)")
    parser.add_argument("--think", type=float, default=1.0,
                        help="seconds a citizen waits after an answer before the next "
                             "message (0 = as fast as possible: a saturation test)")
    parser.add_argument("--timeout", type=float, default=180.0)
    parser.add_argument("--send-rate", type=float, default=1000.0,
                        help="the bridge's bot-wide limit, calls/s (default 1000: measure the "
                             "bridge's own overhead; production uses 25, Telegram's pace, "
                             "which queues answers above it: tests/telegram checks that)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    parent, child = multiprocessing.Pipe()
    standins = multiprocessing.get_context("fork").Process(
        target=serve_standins, args=(child, args.chats, args.messages, args.rasa_delay,
                                     args.think, args.timeout), daemon=True)
    standins.start()
    try:
        asyncio.run(run_bridge(parent, args.messages, args.send_rate))
        result = parent.recv()
    finally:
        standins.join(10)
    return report(result, args.chats, args.messages, args.rasa_delay, args.think)


if __name__ == "__main__":
    sys.exit(main())
