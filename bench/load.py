"""REST load on a running assistant: latency per answer, throughput, failures, empty replies.

Each conversation is one sender that sends its next message as soon as the previous answer
arrives (a citizen typing fast). `sequential` runs one conversation at a time; `concurrent`
runs N conversations at once on N threads."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import List, Optional, Sequence

import requests

from .measure import percentile


@dataclass
class LoadResult:
    conversations: int
    messages: int
    seconds: float
    latencies_ms: List[float] = field(default_factory=list)
    failures: int = 0          # HTTP error, timeout or connection error
    empty_replies: int = 0     # 200 OK but no bot message with text, buttons or image
    errors: List[str] = field(default_factory=list)

    @property
    def throughput(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0

    def summary(self) -> dict:
        return {
            "conversations": self.conversations, "messages": self.messages,
            "seconds": round(self.seconds, 3), "throughput_msg_s": round(self.throughput, 2),
            "p50_ms": _round(percentile(self.latencies_ms, 0.50)),
            "p95_ms": _round(percentile(self.latencies_ms, 0.95)),
            "max_ms": _round(max(self.latencies_ms, default=None)),
            "failures": self.failures, "empty_replies": self.empty_replies,
            "first_errors": self.errors[:5],
        }


def _round(value):
    return None if value is None else round(value, 1)


def _is_empty(answer) -> bool:
    return not isinstance(answer, list) or not any(
        isinstance(m, dict) and (m.get("text") or m.get("buttons") or m.get("image"))
        for m in answer)


def _conversation(url: str, messages: Sequence[str], result: LoadResult, lock: threading.Lock,
                  start: threading.Barrier = None, timeout: float = 30,
                  new_sender_every: Optional[int] = None) -> None:
    """One citizen after another on this thread: a new sender every `new_sender_every`
    messages (None: one sender for all), as real conversations are short."""
    sender = f"bench-{uuid.uuid4().hex[:12]}"
    local_latencies, failures, empties, errors = [], 0, 0, []
    with requests.Session() as session:
        if start is not None:
            start.wait()
        for number, message in enumerate(messages):
            if new_sender_every and number and number % new_sender_every == 0:
                sender = f"bench-{uuid.uuid4().hex[:12]}"
            began = time.perf_counter()
            try:
                reply = session.post(url, json={"sender": sender, "message": message},
                                     timeout=timeout)
                elapsed = (time.perf_counter() - began) * 1000
                reply.raise_for_status()
                answer = reply.json()
            except (requests.RequestException, ValueError) as error:
                failures += 1
                errors.append(f"{message!r}: {error}")
                continue
            local_latencies.append(elapsed)
            if _is_empty(answer):
                empties += 1
                errors.append(f"{message!r}: empty reply {answer!r}")
    with lock:
        result.latencies_ms += local_latencies
        result.failures += failures
        result.empty_replies += empties
        result.errors += errors


def conversation_messages(episodes: Sequence[Sequence[str]], count: int,
                          first_episode: int = 0) -> List[str]:
    """`count` messages: the episodes in turn from `first_episode` on, cut after `count`."""
    out: List[str] = []
    index = first_episode
    while len(out) < count:
        out += episodes[index % len(episodes)]
        index += 1
    return out[:count]


def warm_up(url: str, episodes: Sequence[Sequence[str]]) -> None:
    """One conversation through every episode, unmeasured (lazy loading, first connections)."""
    _conversation(url, [m for episode in episodes for m in episode], LoadResult(1, 0, 0),
                  threading.Lock())


def sequential(url: str, episodes: Sequence[Sequence[str]], messages: int = 100,
               per_conversation: int = 10) -> LoadResult:
    """`messages` messages, one conversation at a time, `per_conversation` messages each."""
    result, lock = LoadResult(0, messages, 0.0), threading.Lock()
    began = time.perf_counter()
    sent = 0
    while sent < messages:
        batch = conversation_messages(episodes, min(per_conversation, messages - sent),
                                      result.conversations)
        _conversation(url, batch, result, lock)
        result.conversations += 1
        sent += len(batch)
    result.seconds = time.perf_counter() - began
    return result


def concurrent(url: str, episodes: Sequence[Sequence[str]], conversations: int = 20,
               per_conversation: int = 15,
               new_sender_every: Optional[int] = None) -> LoadResult:
    """`conversations` conversations at once, each on its own thread (a new conversation every
    `new_sender_every` messages of a thread, if given)."""
    result = LoadResult(conversations, conversations * per_conversation, 0.0)
    lock = threading.Lock()
    start = threading.Barrier(conversations + 1)
    threads = [
        threading.Thread(target=_conversation, daemon=True, args=(
            url, conversation_messages(episodes, per_conversation, i), result, lock, start, 30,
            new_sender_every))
        for i in range(conversations)
    ]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - began
    return result

