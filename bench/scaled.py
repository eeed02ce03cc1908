"""Throughput of the scaled set-up (scripts/scale.py) next to the starter bot, same run.

For N = 1 and N = 2 Rasa instances (each time with PostgreSQL, Redis and nginx, as
`make run RASA_INSTANCES=N` runs them) and for the starter bot: throughput and p50/p95 at
20 and 50 conversations at once; the CPU each process spends per message (every Rasa
instance, the action server, PostgreSQL, Redis, nginx and this load generator, which
shares the machine's cores); the memory of every process; and a long run (10,000
messages at 20 at once by default) that must lose or fail none.

A server's figures include its child processes (PostgreSQL's backends, nginx's worker);
its memory is their RSS summed, so pages they share (PostgreSQL's buffers) count more than once."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Dict, Optional, Sequence

from scripts.stack import running_assistant, running_scaled_assistant

from . import load
from .measure import cpu_seconds

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_MIB = os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)


def _tree_stats(root: int) -> Dict[str, float]:
    """CPU seconds and RSS (MiB) summed over a process and all its descendants (PostgreSQL's
    backends start their own sessions, so a process group would miss them)."""
    stats, children = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            rss_pages = int((entry / "statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
        pid = int(entry.name)
        children.setdefault(int(fields[1]), []).append(pid)
        stats[pid] = ((int(fields[11]) + int(fields[12])) / CLK_TCK, rss_pages)
    cpu = rss = 0.0
    todo = [root]
    while todo:
        pid = todo.pop()
        if pid in stats:
            cpu += stats[pid][0]
            rss += stats[pid][1] * PAGE_MIB
        todo += children.get(pid, [])
    return {"cpu": cpu, "rss": rss}


def processes(stack) -> Dict[str, int]:
    """The top process of every server in the stack."""
    scaled = stack.scaled
    if scaled is None:  # running_assistant: action server (if any) first, Rasa last
        named = {"rasa": stack.rasa_pid}
        if len(stack.processes) > 1:
            named["actions"] = stack.processes[0].pid
        return named
    named = {f"rasa-{m.number}": m.process.pid for m in scaled.members}
    named["actions"] = stack.processes[0].pid
    for name in ("postgres", "redis", "nginx"):
        server = getattr(scaled, name)
        if server is not None and server.process is not None:
            named[name] = server.process.pid
    return named


def _cpu(stack) -> Dict[str, Optional[float]]:
    cpu = {name: _tree_stats(pid)["cpu"] for name, pid in processes(stack).items()}
    cpu["load generator"] = cpu_seconds(os.getpid())
    return cpu


def memory_mib(stack) -> Dict[str, float]:
    return {name: round(_tree_stats(pid)["rss"], 1) for name, pid in processes(stack).items()}


# The long run's citizens each send this many messages, then a new citizen takes the slot:
# a 500-turn conversation would measure Rasa replaying its tracker, not serving citizens.
SOAK_TURNS = 10


def run_level(stack, episodes: Sequence[Sequence[str]], conversations: int,
              per_conversation: int, new_sender_every: Optional[int] = None) -> dict:
    """`conversations` at once, `per_conversation` messages each; CPU ms per message."""
    before = _cpu(stack)
    result = load.concurrent(stack.webhook_url, episodes, conversations, per_conversation,
                             new_sender_every)
    after = _cpu(stack)
    summary = result.summary()
    summary["cpu_ms_per_msg"] = {
        name: round((after[name] - before[name]) * 1000 / max(result.messages, 1), 1)
        for name in before if before[name] is not None and after.get(name) is not None}
    print(f"    {conversations} at once: {summary['throughput_msg_s']} msg/s, "
          f"p50 {summary['p50_ms']} ms, p95 {summary['p95_ms']} ms, "
          f"{summary['failures']} failed, {summary['empty_replies']} empty", flush=True)
    return summary


def measure(label: str, episodes, model: Path, instances: Optional[int],
            levels: Sequence[int] = (20, 50), per_conversation: int = 15,
            soak_messages: int = 0, soak_conversations: int = 20,
            project: Optional[Path] = None, with_actions: bool = True) -> dict:
    """`instances=None`: `running_assistant` (the starter bot, or ours on SQLite)."""
    print(f"  starting {label} ...", flush=True)
    if instances is None:
        kwargs = {"model": model, "with_actions": with_actions}
        if project is not None:
            kwargs["project"] = project
        context = running_assistant(**kwargs)
    else:
        context = running_scaled_assistant(instances=instances, model=model, supervise=False)
    with context as stack:
        result: dict = {"instances": instances, "loadavg_1min_before": round(os.getloadavg()[0], 2),
                        "memory_idle_mib": memory_mib(stack), "levels": {}}
        load.warm_up(stack.webhook_url, episodes)
        for conversations in levels:
            result["levels"][str(conversations)] = run_level(
                stack, episodes, conversations, per_conversation)
        if soak_messages:
            print(f"    long run: {soak_messages} messages, {soak_conversations} at once ...",
                  flush=True)
            result["soak"] = run_level(stack, episodes, soak_conversations,
                                       -(-soak_messages // soak_conversations), SOAK_TURNS)
        result["memory_after_mib"] = memory_mib(stack)
    return result


def _ratio(a, b) -> Optional[float]:
    return round(a / b, 2) if a is not None and b else None


def table(results: Dict[str, dict], starter: str = "starter") -> str:
    """One row per set-up and concurrency: figures and the ratio to the starter bot."""
    lines = [f"{'set-up':<26}{'at once':>8}{'msg/s':>9}{'p50 ms':>9}{'p95 ms':>9}"
             f"{'failed':>8}{'x starter msg/s':>17}{'x starter p95':>15}"]
    for label, result in results.items():
        for level, s in result["levels"].items():
            base = results.get(starter, {}).get("levels", {}).get(level, {})
            lines.append(
                f"{label:<26}{level:>8}{s['throughput_msg_s']:>9.1f}{s['p50_ms'] or 0:>9.0f}"
                f"{s['p95_ms'] or 0:>9.0f}{s['failures'] + s['empty_replies']:>8}"
                f"{_fmt(_ratio(s['throughput_msg_s'], base.get('throughput_msg_s'))):>17}"
                f"{_fmt(_ratio(s['p95_ms'], base.get('p95_ms'))):>15}")
    lines.append("\nCPU ms per message, per process (at the first level measured):")
    for label, result in results.items():
        first = next(iter(result["levels"].values()), {})
        cpu = first.get("cpu_ms_per_msg", {})
        lines.append(f"  {label:<24}" + ", ".join(f"{name} {ms}" for name, ms in cpu.items()))
    lines.append("\nMemory after load, RSS MiB per process:")
    for label, result in results.items():
        lines.append(f"  {label:<24}" + ", ".join(
            f"{name} {mib:.0f}" for name, mib in result["memory_after_mib"].items()))
    for label, result in results.items():
        if "soak" in result:
            s = result["soak"]
            lines.append(f"\nLong run on {label}: {s['messages']} messages, "
                         f"{s['conversations']} at once in {s['seconds']:.0f} s: "
                         f"{s['throughput_msg_s']} msg/s, p95 {s['p95_ms']} ms, "
                         f"{s['failures']} failed, {s['empty_replies']} empty; CPU ms per "
                         f"message: " + ", ".join(f"{name} {ms}" for name, ms in
                                                  s.get("cpu_ms_per_msg", {}).items()))
    return "\n".join(lines)


def _fmt(value) -> str:
    return "-" if value is None else f"{value:.2f}x"


def goals(results: Dict[str, dict], best: str, starter: str = "starter") -> dict:
    """The issue's goals at 20 at once (or the first level measured), as ratios to the
    starter bot in the same run."""
    level = "20" if "20" in results[best]["levels"] else next(iter(results[best]["levels"]))
    ours, theirs = results[best]["levels"][level], results[starter]["levels"][level]
    throughput = _ratio(ours["throughput_msg_s"], theirs["throughput_msg_s"])
    p95 = _ratio(ours["p95_ms"], theirs["p95_ms"])
    out = {
        f"{best}, {level} at once: throughput >= 3x starter (aim 4x)": {
            "value": throughput, "met": throughput is not None and throughput >= 3.0},
        f"{best}, {level} at once: p95 <= 0.4x starter": {
            "value": p95, "met": p95 is not None and p95 <= 0.4},
    }
    failed = sum(s["failures"] + s["empty_replies"] for r in results.values()
                 for s in [*r["levels"].values(), *([r["soak"]] if "soak" in r else [])]
                 if r is not results[starter])
    out["scaled runs: no failed or empty reply"] = {"value": failed, "met": failed == 0}
    return out
