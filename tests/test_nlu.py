"""Understanding: held-out messages in every style, the test stories' texts, data in sync."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import yaml

from nlu import evaluate, generate

STORIES = Path(__file__).parent / "stories"
TRAINING = Path(__file__).parent.parent / "data" / "nlu"
MIN_MACRO_F1 = evaluate.MIN_MACRO_F1


@pytest.fixture(scope="module")
def parse(model_path):
    from rasa.core.agent import Agent

    loop = asyncio.new_event_loop()
    agent = Agent.load(str(model_path))

    def intent_of(text: str) -> str:
        return loop.run_until_complete(agent.parse_message(text))["intent"]["name"]

    yield intent_of
    loop.close()


def test_generated_training_data_matches_the_catalog():
    assert generate.main(["--check"]) == 0, "run `make nlu` and commit data/nlu/generated.yml"


def test_heldout_sets_are_kept_apart_from_training_data():
    training = {text.lower() for path in TRAINING.glob("*.yml")
                for text, _ in evaluate.examples(path)}
    files = evaluate.heldout_files()
    overlap = [t for path in files for t, _ in evaluate.examples(path) if t.lower() in training]
    assert len(files) >= 8 and not overlap, overlap[:10]


def test_heldout_intent_f1_meets_the_threshold(model_path):
    result = evaluate.evaluate(model_path)
    print(evaluate.format_report(result))
    score = result["overall"]["macro_f1"]
    misses = "\n".join(f"{m['style']}: {m['text']!r} -> {m['predicted']} (expected {m['expected']})"
                       for m in result["misses"])
    assert score >= MIN_MACRO_F1, f"macro F1 {score:.3f} < {MIN_MACRO_F1}:\n{misses}"


def test_story_messages_are_understood_as_labelled(parse):
    wrong = []
    for path in STORIES.glob("*.yml"):
        for story in yaml.safe_load(path.read_text(encoding="utf-8"))["stories"]:
            for step in story["steps"]:
                text = (step.get("user") or "").strip()
                if text and not text.startswith("/") and parse(text) != step["intent"]:
                    wrong.append(f"{text!r} -> {parse(text)} (expected {step['intent']})")
    assert not wrong, "\n".join(wrong)
