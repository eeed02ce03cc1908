"""What understanding a message and choosing its answer units cost (issue #9's budget: at most
10 ms more at one-at-a-time p95 than the build before them).

Measured inside one process on the action itself, so the figure is the action server's own
work per message, free of HTTP and Rasa: every message of the content set (both halves; only
timed here, never judged) is answered by `action_answer_procedure` on a built tracker, once as
today (answer units chosen from the question) and once with every field answered whole, as the
build before answer units did. The REST figures of the same run give the share of a reply's
time this is.
"""

from __future__ import annotations

import os
import statistics
import time
from typing import List
from unittest import mock

from bench.measure import percentile

os.environ.setdefault("ASSISTANT_TODAY", "2026-11-27")


def _timings(texts: List[str], rounds: int) -> List[float]:
    from rasa_sdk.executor import CollectingDispatcher

    from actions import actions
    from testsupport.trackers import tracker as built

    action = actions.ActionAnswerProcedure()
    slots = {"procedure": "ly_lich_tu_phap", "aspect": "ask_fee"}
    times = []
    for _ in range(rounds):
        for text in texts:
            tracker = built(text, "ask_fee", slots, sender="bench")
            began = time.perf_counter()
            action.run(CollectingDispatcher(), tracker, domain={})
            times.append((time.perf_counter() - began) * 1000)
    return times


def measure(rounds: int = 3) -> dict:
    from nlu import content

    texts = content.all_messages()
    _timings(texts[:20], 1)  # warm: catalog load, weights, caches
    with mock.patch("actions.actions._wants_full", return_value=True):
        whole = _timings(texts, rounds)
    units = _timings(texts, rounds)
    figures = {}
    for name, times in (("fields whole (before units)", whole), ("answer units (today)", units)):
        figures[name] = {"messages": len(times), "p50_ms": round(statistics.median(times), 2),
                         "p95_ms": round(percentile(times, 0.95) or 0, 2)}
    figures["added_p95_ms"] = round(figures["answer units (today)"]["p95_ms"]
                                    - figures["fields whole (before units)"]["p95_ms"], 2)
    return figures


def table(figures: dict) -> str:
    lines = [f"  {'':<30} {'p50 ms':>8} {'p95 ms':>8}"]
    for name in ("fields whole (before units)", "answer units (today)"):
        row = figures[name]
        lines.append(f"  {name:<30} {row['p50_ms']:>8.2f} {row['p95_ms']:>8.2f}")
    lines.append(f"  answer units add {figures['added_p95_ms']:+.2f} ms at p95 "
                 "(goal: at most +10 ms)")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(measure()))
