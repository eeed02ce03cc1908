"""Start a bot with scripts/stack.py and measure it: REST latency and throughput, one
conversation at a time and many at once, and the Rasa server's memory."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional, Sequence

from scripts.stack import running_assistant

from . import load
from .measure import cpu_seconds, rss_mib


def _memory(stack) -> dict:
    memory = {"rasa_rss_mib": rss_mib(stack.rasa_pid),
              "rasa_peak_rss_mib": rss_mib(stack.rasa_pid, "VmHWM")}
    if len(stack.processes) > 1:
        memory["actions_rss_mib"] = rss_mib(stack.processes[0].pid)
    return {k: None if v is None else round(v, 1) for k, v in memory.items()}


def _cpu(stack) -> dict:
    cpu = {"rasa": cpu_seconds(stack.rasa_pid)}
    if len(stack.processes) > 1:
        cpu["actions"] = cpu_seconds(stack.processes[0].pid)
    return cpu


def _cpu_ms_per_message(before: dict, after: dict, messages: int) -> dict:
    """Server CPU per message: steadier than wall-clock figures on a busy machine."""
    return {f"{name}_cpu_ms_per_msg": round((after[name] - before[name]) * 1000 / messages, 1)
            for name in before if before[name] is not None and after.get(name) is not None}


def measure_bot(label: str, episodes: Sequence[Sequence[str]], model: Path,
                project: Optional[Path] = None, with_actions: bool = True,
                sequential_messages: int = 100, conversations: int = 20,
                per_conversation: int = 15) -> dict:
    kwargs = {"model": model, "with_actions": with_actions}
    if project is not None:
        kwargs["project"] = project
    print(f"  starting {label} ({model.name}) ...", flush=True)
    with running_assistant(**kwargs) as stack:
        # Other work on the machine skews the figures: keep its load average with them.
        result: dict = {"model": str(model), "memory_idle": _memory(stack),
                        "loadavg_1min_before": round(os.getloadavg()[0], 2)}
        load.warm_up(stack.webhook_url, episodes)
        print(f"  {label}: {sequential_messages} messages, one conversation at a time ...",
              flush=True)
        cpu = _cpu(stack)
        seq = load.sequential(stack.webhook_url, episodes, sequential_messages)
        result["sequential"] = {**seq.summary(),
                                **_cpu_ms_per_message(cpu, _cpu(stack), seq.messages)}
        print(f"  {label}: {conversations} conversations at once x {per_conversation} messages ...",
              flush=True)
        cpu = _cpu(stack)
        conc = load.concurrent(stack.webhook_url, episodes, conversations, per_conversation)
        result["concurrent"] = {**conc.summary(),
                                **_cpu_ms_per_message(cpu, _cpu(stack), conc.messages)}
        result["memory_after_load"] = _memory(stack)
    for name in ("sequential", "concurrent"):
        s = result[name]
        print(f"  {label} {name}: p50 {s['p50_ms']} ms, p95 {s['p95_ms']} ms, "
              f"{s['throughput_msg_s']} msg/s, {s['failures']} failed, "
              f"{s['empty_replies']} empty", flush=True)
    return result
