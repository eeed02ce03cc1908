"""`python -m bench`: every benchmark, then the report and bench-results/<time>.json.

  1. intent accuracy and macro F1 of the trained model on the held-out files, per style, and
     the content score (do replies carry the facts asked for?) per style and topic;
  2. REST latency / throughput / memory of our assistant (real action server + Rasa), and
     what understanding and answer units cost the action server per message (with / without);
  3. the same for stock Rasa's starter bot, measured in this same run;
  4. cold training time of both projects;
  5. scaling: the starter bot, ours on SQLite and ours with N = 1 and N = 2 Rasa instances
     behind nginx (PostgreSQL, Redis) at 20 and 50 conversations at once, CPU per message
     and memory of every process, and 10,000 messages on N = 2 (bench/scaled.py);
  6. all side by side, with the goals. Figures only: the exit status never depends on them.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import warnings
from pathlib import Path

# Library deprecation warnings would drown the report (some libraries reset the filters, so
# they are dropped where they are shown).
warnings.filterwarnings("ignore")
warnings.showwarning = lambda *args, **kwargs: None
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from actions.settings import PROJECT_ROOT  # noqa: E402
from bench import answers_cost, messages, report, run_load, scaled, starter, training  # noqa: E402
from bench.measure import newest_model  # noqa: E402
from nlu import content  # noqa: E402
from nlu import evaluate as nlu_eval  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, help="our model (default: newest in models/)")
    parser.add_argument("--sequential", type=int, default=100,
                        help="messages sent one conversation at a time (default 100)")
    parser.add_argument("--conversations", type=int, default=20,
                        help="conversations at once (default 20)")
    parser.add_argument("--per-conversation", type=int, default=15,
                        help="messages in each concurrent conversation (default 15)")
    parser.add_argument("--no-training", action="store_true",
                        help="skip the two training-time measurements (~2-4 min)")
    parser.add_argument("--no-nlu", action="store_true", help="skip the held-out NLU evaluation")
    parser.add_argument("--no-scaled", action="store_true",
                        help="skip the scaling section (N Rasa instances behind nginx)")
    parser.add_argument("--instances", type=int, nargs="+", default=[1, 2],
                        help="Rasa instances to measure behind nginx (default 1 2)")
    parser.add_argument("--levels", type=int, nargs="+", default=[20, 50],
                        help="conversations at once in the scaling section (default 20 50)")
    parser.add_argument("--soak-messages", type=int, default=10_000,
                        help="messages of the long run at 20 at once on the most instances "
                             "(default 10000; 0 skips it)")
    return parser.parse_args(argv)


def content_figures(model: Path) -> dict:
    from scripts.stack import running_assistant

    figures = {}
    with running_assistant(model=model) as stack:
        for part in ("test", "dev"):
            results = content.run(stack.ask, content.load_cases(part=part))
            figures[part] = {"score": content.score(results), "replies": len(results),
                             "by_style": content.breakdown(results, content.by_style),
                             "by_topic": content.breakdown(results, content.by_topic),
                             "report": content.report(results)}
    return figures


def section(title: str) -> None:
    print(f"\n=== {title} ===", flush=True)


def main(argv=None) -> int:
    args = parse_args(argv)
    began = time.perf_counter()
    model = (args.model or newest_model(PROJECT_ROOT / "models")).resolve()
    figures: dict = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "settings": {**vars(args), "model": str(model)},
    }
    load_args = dict(sequential_messages=args.sequential, conversations=args.conversations,
                     per_conversation=args.per_conversation)

    if not args.no_nlu:
        section(f"1. Held-out NLU ({model.name})")
        figures["nlu"] = nlu_eval.evaluate(model)
        section("1b. Content: replies carrying the facts asked for (blind set, both halves)")
        figures["content"] = content_figures(model)

    section("2. Our assistant over REST (action server + Rasa)")
    ours = {"load": run_load.measure_bot("ours", messages.OUR_EPISODES, model, **load_args)}

    section("2b. What understanding and answer units cost the action server (in-process)")
    figures["answers_cost"] = answers_cost.measure()
    print(answers_cost.table(figures["answers_cost"]), flush=True)

    section("3. Stock Rasa starter bot over REST (same run, same machine)")
    starter_dir = starter.ensure_starter_bot()
    # Its stories use no custom action, so no action server.
    theirs = {"load": run_load.measure_bot(
        "starter", messages.STARTER_EPISODES, starter.starter_model(starter_dir),
        project=starter_dir, with_actions=False, **load_args)}

    if not args.no_training:
        section("4. Training time (cold cache, models to a temp folder)")
        ours["training"] = training.time_training(PROJECT_ROOT, "ours")
        theirs["training"] = training.time_training(starter_dir, "starter")

    if not args.no_scaled:
        section("5. Scaling: N Rasa instances behind nginx, PostgreSQL, Redis (same run)")
        runs = {"starter": scaled.measure(
            "starter", messages.STARTER_EPISODES, starter.starter_model(starter_dir), None,
            args.levels, args.per_conversation, project=starter_dir, with_actions=False)}
        runs["ours, 1 Rasa, SQLite"] = scaled.measure(
            "ours, 1 Rasa, SQLite", messages.OUR_EPISODES, model, None, args.levels,
            args.per_conversation)
        for count in args.instances:
            soak = args.soak_messages if count == max(args.instances) else 0
            runs[f"ours, {count} Rasa + nginx"] = scaled.measure(
                f"ours, {count} Rasa + nginx", messages.OUR_EPISODES, model, count, args.levels,
                args.per_conversation, soak_messages=soak)
        figures["scaled"] = runs

    figures["ours"], figures["starter"] = ours, theirs
    figures["ratios_ours_over_starter"] = ratios = report.compare(ours, theirs)
    figures["goals"] = goal_results = report.goals(ours, theirs)
    if "scaled" in figures:
        goal_results.update(scaled.goals(figures["scaled"],
                                         f"ours, {max(args.instances)} Rasa + nginx"))
        seq = report._ratio(ours["load"]["sequential"]["p95_ms"],
                            theirs["load"]["sequential"]["p95_ms"])
        goal_results["one at a time: p95 <= 0.5x starter"] = {
            "value": seq, "met": seq is not None and seq <= 0.5}
    figures["total_seconds"] = round(time.perf_counter() - began, 1)
    path = report.save(figures)

    section("REPORT")
    if "nlu" in figures:
        print(f"Held-out intent classification ({model.name}):")
        print(nlu_eval.format_report(figures["nlu"]))
        print()
    for part, label in (("test", "held-out half"), ("dev", "dev half, may be studied")):
        if part in figures.get("content", {}):
            print(f"Content, {label}:")
            print(figures["content"][part]["report"])
            print()
    print(report.side_by_side(ours, theirs, ratios))
    if "answers_cost" in figures:
        print("\nUnderstanding and answer units, action server per message (same run):")
        print(answers_cost.table(figures["answers_cost"]))
    if "scaled" in figures:
        runs = figures["scaled"]
        print("\nScaling (same run, same machine):")
        print(scaled.table(runs))
    print("\nGoals:")
    print(report.format_goals(goal_results))
    errors = ours["load"]["sequential"]["first_errors"] + ours["load"]["concurrent"]["first_errors"]
    if errors:
        print("\nFirst failed or empty replies (ours):")
        print("\n".join(f"  {e}" for e in errors[:10]))
    print(f"\nFigures saved to {path.relative_to(PROJECT_ROOT)} (and bench-results/latest.json); "
          f"{figures['total_seconds']:.0f} s in all.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
