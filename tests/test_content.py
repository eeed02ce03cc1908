"""What citizens get: replies judged by their content on a set written blind to our templates,
training data and catalog (tests/content/, see nlu/content.py), through the real servers."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlu import content, evaluate

pytestmark = pytest.mark.e2e
TRAINING = Path(__file__).parent.parent / "data" / "nlu"
TEMPLATES = Path(__file__).parent.parent / "nlu"
# Issue #9's 0.90 of the whole set (93.0% measured, see the README). The halves nobody studied
# score lower (87.7%); the README gives both. Never lower it to make a change pass.
MIN_CONTENT_SCORE = content.MIN_SCORE


def test_the_content_set_is_kept_apart_from_training_data_and_templates():
    training = {text.lower() for path in TRAINING.glob("*.yml")
                for text, _ in evaluate.examples(path)}
    templates = "\n".join(p.read_text(encoding="utf-8").lower()
                          for p in TEMPLATES.glob("templates*.yml"))
    messages = content.all_messages()
    assert len(messages) >= 340
    # Greetings and bare follow-ups of up to three words ("còn phí?", "Hello") coincide with
    # small talk and follow-ups written independently before the set; longer ones must not.
    leaked = [m for m in messages if len(m.split()) > 3
              and (m.lower() in training or f'"{m.lower()}"' in templates)]
    assert not leaked, leaked[:10]


def test_the_set_covers_every_style_and_enough_conversations():
    cases = content.load_cases()
    styles = {c.style for c in cases if c.topic != "conversation"}
    assert styles >= {"accented", "unaccented", "typos", "chat", "english", "story"}
    assert sum(c.topic != "conversation" for c in cases) >= 300
    assert sum(c.topic == "conversation" for c in cases) >= 40


def test_fragments_match_as_a_reader_would():
    """Diacritics, case and thousands dots do not matter; a leading space means the fragment
    starts a word, so " 5 ngày" (the new Phiếu time) is not passed by "15 ngày" (the old)."""
    assert content.contains("Lệ phí: 200.000 đ/lần", "200000 d")
    assert content.contains("KHÔNG QUÁ 5 NGÀY làm việc", "khong qua 5 ngay")
    assert content.contains("thời hạn (5 ngày làm việc)", " 5 ngày")
    assert not content.contains("thời hạn 15 ngày", " 5 ngày")
    assert content.contains("thời hạn 15 ngày", "5 ngày")


def test_replies_carry_the_facts_asked_for(assistant):
    results = content.run(assistant.ask, content.load_cases())
    print(content.report(results))
    assert content.score(results) >= MIN_CONTENT_SCORE, content.report(results)
