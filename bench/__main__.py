"""`python -m bench`: every benchmark, then the report and bench-results/<time>.json.

  1. intent accuracy and macro F1 of the trained model on the held-out files, per style, and
     the content score (do replies carry the facts asked for?) per style and topic;
  2. REST latency / throughput / memory of our assistant (real action server + Rasa);
  3. the same for stock Rasa's starter bot, measured in this same run;
  4. cold training time of both projects;
  5. both side by side, with the goals. Figures only: the exit status never depends on them.
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

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import messages, report, run_load, starter, training  # noqa: E402
from nlu import content  # noqa: E402
from nlu import evaluate as nlu_eval  # noqa: E402
from bench.measure import newest_model  # noqa: E402


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
    model = (args.model or newest_model(ROOT / "models")).resolve()
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

    section("3. Stock Rasa starter bot over REST (same run, same machine)")
    starter_dir = starter.ensure_starter_bot()
    # Its stories use no custom action, so no action server.
    theirs = {"load": run_load.measure_bot(
        "starter", messages.STARTER_EPISODES, starter.starter_model(starter_dir),
        project=starter_dir, with_actions=False, **load_args)}

    if not args.no_training:
        section("4. Training time (cold cache, models to a temp folder)")
        ours["training"] = training.time_training(ROOT, "ours")
        theirs["training"] = training.time_training(starter_dir, "starter")

    figures["ours"], figures["starter"] = ours, theirs
    figures["ratios_ours_over_starter"] = ratios = report.compare(ours, theirs)
    figures["goals"] = goal_results = report.goals(ours, theirs)
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
    print("\nGoals:")
    print(report.format_goals(goal_results))
    errors = ours["load"]["sequential"]["first_errors"] + ours["load"]["concurrent"]["first_errors"]
    if errors:
        print("\nFirst failed or empty replies (ours):")
        print("\n".join(f"  {e}" for e in errors[:10]))
    print(f"\nFigures saved to {path.relative_to(ROOT)} (and bench-results/latest.json); "
          f"{figures['total_seconds']:.0f} s in all.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
