"""The aspect table is the one list of aspects: the domain, the rules, the phrasings and the
catalog's aspect keys must all agree with it."""

from __future__ import annotations

import yaml

from actions import aspects
from actions.catalog import ASPECT_KEYS
from actions.settings import PROJECT_ROOT


def test_every_aspect_is_an_intent_of_the_domain_with_its_rule():
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    rules = yaml.safe_load((PROJECT_ROOT / "data" / "rules.yml").read_text(encoding="utf-8"))["rules"]
    answered = {r["steps"][0]["intent"] for r in rules
                if r["steps"][-1].get("action") == "action_answer_procedure"}
    for aspect in aspects.ASPECT_TABLE:
        assert aspect.intent in domain["intents"], aspect.intent
        assert aspect.intent in answered, f"no rule answers {aspect.intent}"


def test_every_aspect_has_phrasings_in_both_languages():
    for name in ("templates.yml", "templates_en.yml"):
        templates = yaml.safe_load((PROJECT_ROOT / "nlu" / name).read_text(encoding="utf-8"))
        missing = [a.intent for a in aspects.ASPECT_TABLE if not templates.get(a.intent)]
        assert not missing, f"{name}: no phrasings for {missing}"


def test_staff_write_the_aspect_keys_of_the_table():
    assert set(ASPECT_KEYS) == {a.key for a in aspects.ASPECT_TABLE} | {"tong_quan"}
    assert all(a.title and a.title_en for a in aspects.ASPECT_TABLE)
