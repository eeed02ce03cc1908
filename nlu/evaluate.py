"""Intent accuracy and macro F1 of a trained model on the hand-written held-out files
(tests/nlu/<set>_<style>.yml), per writing style and overall. Used by the NLU test (which
enforces the threshold) and by the benchmark (which prints the figures)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Dict, List, Tuple

from sklearn.metrics import accuracy_score, f1_score

from actions.settings import PROJECT_ROOT

HELDOUT_DIR = PROJECT_ROOT / "tests" / "nlu"
# Macro F1 on the held-out sets, in `make test` and for a retrained model (TRAIN_MIN_NLU_F1).
MIN_MACRO_F1 = 0.90


def heldout_files() -> List[Path]:
    """Every held-out set: heldout_* and fresh_*, written by two people apart from training."""
    return sorted(HELDOUT_DIR.glob("*_*.yml"))


def examples(path: Path) -> List[Tuple[str, str]]:
    """(text, intent) pairs of a Rasa NLU file, read by Rasa's own loader."""
    from rasa.shared.nlu.training_data.loading import load_data

    return [(str(m.get("text")), str(m.get("intent")))
            for m in load_data(str(path)).intent_examples]


def scores(expected: List[str], predicted: List[str]) -> Dict[str, float]:
    return {
        "n": len(expected),
        "accuracy": accuracy_score(expected, predicted),
        # Macro over the intents of the test set; a fallback (nlu_fallback) counts as a miss.
        "macro_f1": f1_score(expected, predicted, average="macro",
                             labels=sorted(set(expected)), zero_division=0),
    }


async def _parse_all(model: Path, texts: List[str]) -> List[str]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    return [(await agent.parse_message(text))["intent"]["name"] for text in texts]


def _quiet() -> None:
    """Rasa logs every parse at debug level through structlog unless told otherwise."""
    from rasa.utils.log_utils import configure_structlog

    logging.getLogger("rasa").setLevel(logging.WARNING)
    configure_structlog(logging.WARNING)


def evaluate(model: Path) -> dict:
    _quiet()
    files: Dict[str, List[Tuple[str, str]]] = {}
    for path in heldout_files():  # grouped by style: heldout_typos + fresh_typos -> typos
        files.setdefault(path.stem.split("_", 1)[1], []).extend(examples(path))
    texts = [text for pairs in files.values() for text, _ in pairs]
    print(f"  parsing {len(texts)} held-out messages with {model.name} ...", flush=True)
    guesses = iter(asyncio.run(_parse_all(model, texts)))

    result: dict = {"model": str(model), "styles": {}, "misses": []}
    all_expected, all_predicted = [], []
    for style, pairs in files.items():
        expected = [intent for _, intent in pairs]
        predicted = [next(guesses) for _ in pairs]
        result["styles"][style] = scores(expected, predicted)
        result["misses"] += [{"style": style, "text": text, "expected": e, "predicted": p}
                             for (text, e), p in zip(pairs, predicted, strict=True) if e != p]
        all_expected += expected
        all_predicted += predicted
    result["overall"] = scores(all_expected, all_predicted)
    per_intent = f1_score(all_expected, all_predicted, average=None,
                          labels=sorted(set(all_expected)), zero_division=0)
    result["per_intent_f1"] = dict(zip(sorted(set(all_expected)), map(float, per_intent), strict=True))
    return result


def format_report(result: dict, max_misses: int = 40) -> str:
    lines = [f"{'style':<12} {'n':>4} {'accuracy':>9} {'macro F1':>9}"]
    for style, s in [*result["styles"].items(), ("OVERALL", result["overall"])]:
        lines.append(f"{style:<12} {s['n']:>4} {s['accuracy']:>9.3f} {s['macro_f1']:>9.3f}")
    weakest = sorted(result["per_intent_f1"].items(), key=lambda kv: kv[1])[:5]
    lines.append("weakest intents (F1): " + ", ".join(f"{i} {f:.2f}" for i, f in weakest))
    if result["misses"]:
        lines.append(f"misses ({len(result['misses'])}):")
        lines += [f"  [{m['style']}] {m['text']!r}: {m['predicted']} (expected {m['expected']})"
                  for m in result["misses"][:max_misses]]
        if len(result["misses"]) > max_misses:
            lines.append(f"  ... {len(result['misses']) - max_misses} more in the JSON file")
    return "\n".join(lines)
