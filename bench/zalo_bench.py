"""Benchmark of the Zalo bridge: latency it adds per message, with nothing lost or duplicated.

Runs the real bridge (aiohttp webhook server) in this process. The Zalo API/OAuth stand-in,
a fake Rasa with a fixed delay and the citizens run in a child process, so their CPU use
does not slow the bridge down. N citizens talk at the same time; each posts a signed
`user_send_text` event, waits for the answer, reads it for `--think` seconds, and asks again.
For every message:

    added latency = (stand-in receives the answer - citizen posts the event)
                    - fake Rasa's own time for that message

The bot-wide send limiter is raised (`--send-rate`) so the figure is the bridge's own
overhead, not Zalo's quota. Prints figures only; the exit status is non-zero only when a
message is lost or duplicated, never because of timings.

    .venv/bin/python -m bench.zalo_bench [--users 50] [--messages 10] [--rasa-delay 0.02]
                                         [--think 1.0] [--send-rate 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Dict

import httpx

from bench.measure import percentile
from channels.zalo.app import running
from channels.zalo.config import WEBHOOK_PATH
from testsupport.fake_rasa import FakeRasa, echo
from testsupport.zalo_api import Sent, ZaloStandIn, signed, text_event
from testsupport.zalo_bridge import make_settings

FIRST_USER = 6_000_000_000_000_000


class Citizens:
    """Each citizen asks, waits for the answer, thinks, asks again (in the child process)."""

    def __init__(self, users: int, messages: int, think: float) -> None:
        self.users, self.messages, self.think = users, messages, think
        self.posted_at: Dict[str, float] = {}
        self.answered_at: Dict[str, float] = {}
        self.answers: Counter = Counter()
        self._arrived: Dict[str, asyncio.Event] = {}
        self._loop = asyncio.get_running_loop()

    def on_sent(self, sent: Sent) -> None:
        """Stand-in hook (its own thread): note the answer and wake the citizen."""
        text = sent.text[len("echo "):]
        self.answers[text] += 1
        self.answered_at.setdefault(text, sent.at)
        event = self._arrived.get(text)
        if event:
            self._loop.call_soon_threadsafe(event.set)

    async def citizen(self, client: httpx.AsyncClient, url: str, user: int, offset: float) -> None:
        await asyncio.sleep(offset)  # citizens arrive spread over one think time
        for index in range(self.messages):
            text = f"u{user}-m{index}"
            self._arrived[text] = asyncio.Event()
            raw, headers = signed(text_event(str(user), text))
            self.posted_at[text] = time.perf_counter()
            await client.post(url, content=raw, headers=headers)
            try:
                await asyncio.wait_for(self._arrived[text].wait(), 30)
            except asyncio.TimeoutError:
                return  # reported as lost
            await asyncio.sleep(self.think)

    async def run(self, url: str) -> float:
        started = time.perf_counter()
        limits = httpx.Limits(max_connections=self.users)
        async with httpx.AsyncClient(limits=limits, timeout=30) as client:
            await asyncio.gather(*(
                self.citizen(client, url, FIRST_USER + n, self.think * n / self.users)
                for n in range(self.users)))
        return time.perf_counter() - started


def serve_standins(conn, users: int, messages: int, rasa_delay: float, think: float) -> None:
    """Child process: Zalo stand-in, fake Rasa and the citizens."""
    logging.getLogger("aiohttp").setLevel(logging.CRITICAL)
    # Three event loops share this process's GIL; switch between them quickly so the
    # harness does not add its own waits to the figures (the default interval is 5 ms).
    sys.setswitchinterval(0.0005)
    api, rasa = ZaloStandIn().start(), FakeRasa(echo, delay=rasa_delay).start()
    conn.send((api.url, rasa.url))
    webhook = conn.recv()  # the bridge is listening: go

    async def main() -> dict:
        citizens = Citizens(users, messages, think)
        api.on_sent = citizens.on_sent
        wall = await citizens.run(webhook)
        await asyncio.sleep(0.3)  # let any duplicate show up before counting
        rasa_time = {call.message: call.duration for call in rasa.calls}
        added = [citizens.answered_at[t] - posted - rasa_time[t]
                 for t, posted in citizens.posted_at.items()
                 if t in citizens.answered_at and t in rasa_time]
        expected = {f"u{FIRST_USER + n}-m{i}" for n in range(users) for i in range(messages)}
        problems = []
        for name, counts in (("reached Rasa", Counter(c.message for c in rasa.calls)),
                             ("answered", citizens.answers)):
            lost = expected - set(counts)
            duplicated = [text for text, count in counts.items() if count > 1]
            if lost:
                problems.append(f"{len(lost)} message(s) never {name}: {sorted(lost)[:5]}")
            if duplicated:
                problems.append(f"{len(duplicated)} message(s) {name} twice: {duplicated[:5]}")
        return {"added": added, "wall": wall, "answered": sum(citizens.answers.values()),
                "problems": problems}

    conn.send(asyncio.run(main()))
    api.stop()
    rasa.stop()


async def run_bridge(conn, send_rate: float, messages: int) -> None:
    """Parent process: only the bridge, exactly as in production."""
    api_url, rasa_url = conn.recv()
    with tempfile.TemporaryDirectory(prefix="zalo-bench-") as state:
        settings = make_settings(api_url, rasa_url, Path(state), send_rate=send_rate,
                                 rate_limit_messages=messages + 10, rasa_read_timeout=15.0)
        async with running(settings):
            conn.send(f"http://127.0.0.1:{settings.port}{WEBHOOK_PATH}")
            while not conn.poll():
                await asyncio.sleep(0.05)


def report(result: dict, args) -> int:
    ms = lambda seconds: f"{seconds * 1000:7.2f} ms"  # noqa: E731
    total = args.users * args.messages
    print(f"Zalo bridge benchmark: {args.users} users x {args.messages} messages = {total}, "
          f"fake Rasa delay {args.rasa_delay * 1000:.0f} ms, think time {args.think:.1f} s, "
          f"send limit {args.send_rate:.0f}/s")
    added = result["added"]
    if added:
        print(f"  added by the bridge    p50 {ms(statistics.median(added))}   "
              f"p95 {ms(percentile(added, 0.95))}   max {ms(max(added))}")
    print(f"  answered {result['answered']}/{total} in {result['wall']:.2f} s")
    problems = result["problems"]
    delivery = "; ".join(problems) if problems else "no lost or duplicated message"
    print(f"  delivery: {delivery}")
    return 1 if problems else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--rasa-delay", type=float, default=0.02,
                        help="seconds the fake Rasa takes per message (default 0.02)")
    parser.add_argument("--think", type=float, default=1.0,
                        help="seconds a citizen waits after an answer before the next message")
    parser.add_argument("--send-rate", type=float, default=1000.0,
                        help="the bridge's bot-wide limit to Zalo, messages/s (default 1000)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    parent, child = multiprocessing.Pipe()
    standins = multiprocessing.get_context("fork").Process(
        target=serve_standins, args=(child, args.users, args.messages, args.rasa_delay, args.think),
        daemon=True)
    standins.start()
    try:
        asyncio.run(run_bridge(parent, args.send_rate, args.messages))
        result = parent.recv()
    finally:
        standins.join(10)
    return report(result, args)


if __name__ == "__main__":
    sys.exit(main())
