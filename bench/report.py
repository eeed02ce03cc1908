"""The side-by-side report (our assistant vs the starter bot), the goals, and the JSON file."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Optional

from actions.settings import PROJECT_ROOT

RESULTS_DIR = PROJECT_ROOT / "bench-results"

# Goals are ratios to the starter bot measured in the same run: absolute times differ about
# 2x between machines (and with the machine's other load).
GOALS = {
    "concurrent_throughput_vs_starter": 2.0,   # at 20 conversations: >= 2x the starter's msg/s
    "concurrent_p95_vs_starter": 0.5,          # at 20 conversations: p95 <= 0.5x the starter's
}


def _ratio(a: Optional[float], b: Optional[float]) -> Optional[float]:
    return round(a / b, 2) if a is not None and b else None


def _fmt(value, unit: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        value = f"{value:.1f}" if abs(value) < 1000 else f"{value:.0f}"
    return f"{value}{unit}"


def compare(ours: dict, starter: dict) -> dict:
    """Ratios ours/starter for every load figure, training time and memory."""
    out = {}
    for mode in ("sequential", "concurrent"):
        for key in ("p50_ms", "p95_ms", "throughput_msg_s"):
            out[f"{mode}_{key}"] = _ratio(ours["load"][mode][key], starter["load"][mode][key])
    out["training_seconds"] = _ratio(ours.get("training", {}).get("seconds"),
                                     starter.get("training", {}).get("seconds"))
    out["rasa_rss_mib"] = _ratio(ours["load"]["memory_after_load"]["rasa_rss_mib"],
                                 starter["load"]["memory_after_load"]["rasa_rss_mib"])
    return out


def goals(ours: dict, starter: dict) -> dict:
    """One Rasa server against the starter (the scaled goals are in bench/scaled.py; the
    one-at-a-time goal in bench/__main__.py)."""
    seq, conc = ours["load"]["sequential"], ours["load"]["concurrent"]
    ratio = _ratio(conc["throughput_msg_s"], starter["load"]["concurrent"]["throughput_msg_s"])
    p95 = _ratio(conc["p95_ms"], starter["load"]["concurrent"]["p95_ms"])
    failed = seq["failures"] + conc["failures"]
    n = conc["conversations"]
    empty = seq["empty_replies"] + conc["empty_replies"]
    return {
        f"{n} at once: throughput >= 2x starter": {
            "value": ratio, "met": ratio is not None
            and ratio >= GOALS["concurrent_throughput_vs_starter"]},
        f"{n} at once: p95 <= 0.5x starter": {
            "value": p95, "met": p95 is not None and p95 <= GOALS["concurrent_p95_vs_starter"]},
        "no failed or empty reply": {"value": f"{failed} failed, {empty} empty",
                                     "met": failed == 0 and empty == 0},
    }


def side_by_side(ours: dict, starter: dict, ratios: dict) -> str:
    rows = []
    for mode in ("sequential", "concurrent"):
        o, s = ours["load"][mode], starter["load"][mode]
        title = ("one conversation at a time" if mode == "sequential" else
                 f"{o['conversations']} conversations at once")
        rows.append((f"{title} ({o['messages']} / {s['messages']} msgs)", "", "", ""))
        for key, label, unit in (("p50_ms", "  latency p50", " ms"),
                                 ("p95_ms", "  latency p95", " ms"),
                                 ("max_ms", "  latency max", " ms"),
                                 ("throughput_msg_s", "  throughput", " msg/s")):
            rows.append((label, _fmt(o[key], unit), _fmt(s[key], unit),
                         _fmt(ratios.get(f"{mode}_{key}"), "x")))
        rows.append(("  Rasa CPU per message", _fmt(o.get("rasa_cpu_ms_per_msg"), " ms"),
                     _fmt(s.get("rasa_cpu_ms_per_msg"), " ms"),
                     _fmt(_ratio(o.get("rasa_cpu_ms_per_msg"), s.get("rasa_cpu_ms_per_msg")), "x")))
        if o.get("actions_cpu_ms_per_msg") is not None:
            rows.append(("  action server CPU per message",
                         _fmt(o["actions_cpu_ms_per_msg"], " ms"), "(none)", ""))
        rows.append(("  failed / empty replies", f"{o['failures']} / {o['empty_replies']}",
                     f"{s['failures']} / {s['empty_replies']}", ""))
    om, sm = ours["load"]["memory_after_load"], starter["load"]["memory_after_load"]
    rows.append(("Rasa server RSS after load", _fmt(om["rasa_rss_mib"], " MiB"),
                 _fmt(sm["rasa_rss_mib"], " MiB"), _fmt(ratios["rasa_rss_mib"], "x")))
    rows.append(("Rasa server peak RSS", _fmt(om["rasa_peak_rss_mib"], " MiB"),
                 _fmt(sm["rasa_peak_rss_mib"], " MiB"), ""))
    if om.get("actions_rss_mib") is not None:
        rows.append(("action server RSS", _fmt(om["actions_rss_mib"], " MiB"), "(none)", ""))
    ot, st = ours.get("training"), starter.get("training")
    if ot or st:
        rows.append(("training time (cold cache)",
                     _fmt((ot or {}).get("seconds"), " s"), _fmt((st or {}).get("seconds"), " s"),
                     _fmt(ratios["training_seconds"], "x")))
    rows.append(("machine load avg (1 min) before",
                 _fmt(ours["load"].get("loadavg_1min_before")),
                 _fmt(starter["load"].get("loadavg_1min_before")), ""))
    widths = [max(len(r[i]) for r in rows + [("", "ours", "starter", "ours/starter")])
              for i in range(4)]
    header = ("", "ours", "starter", "ours/starter")
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                       for i, (c, w) in enumerate(zip(r, widths, strict=True))) for r in [header, *rows]]
    return "\n".join(lines)


def format_goals(results: dict) -> str:
    return "\n".join(f"  [{'met' if g['met'] else 'MISSED'}] {name}: {_fmt(g['value'])}"
                     for name, g in results.items())


def save(figures: dict, directory: Path = RESULTS_DIR) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"bench-{time.strftime('%Y%m%d-%H%M%S')}.json"
    text = json.dumps(figures, indent=2, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    (directory / "latest.json").write_text(text, encoding="utf-8")
    return path
