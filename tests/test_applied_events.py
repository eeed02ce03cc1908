"""rasa_server/applied_events.py: the applied events and prior trackers exactly as Rasa's."""

from __future__ import annotations

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    BotUttered,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from actions.settings import PROJECT_ROOT
from rasa_server import applied_events as patch


def _user(intent: str, text: str) -> UserUttered:
    return UserUttered(text, {"name": intent, "confidence": 0.9})


def _turn(intent: str, text: str, action: str = "action_answer") -> list:
    return [ActionExecuted("action_listen"), _user(intent, text), ActionExecuted(action),
            BotUttered("..."), SlotSet("aspect", "le_phi")]


# Every branch of Rasa's applied_events: a session start and a restart (start again), an
# action reverted, a user message reverted, a form's loop (its first run, a rejected run and a
# repeated run, undone to the previous one), then an ordinary ending.
CONVERSATIONS = {
    "plain": [ActionExecuted("action_session_start"), SessionStarted(), *_turn("greet", "chào"),
              *_turn("ask_fee", "phí bao nhiêu"), ActionExecuted("action_listen")],
    "reverts": [*_turn("greet", "chào"), *_turn("ask_fee", "phí"), ActionReverted(),
                *_turn("ask_time", "bao lâu"), UserUtteranceReverted(),
                *_turn("ask_where", "ở đâu"), ActionExecuted("action_listen")],
    "restart": [*_turn("ask_fee", "phí"), Restarted(), *_turn("ask_where", "ở đâu"),
                SessionStarted(), *_turn("greet", "chào")],
    "loop": [*_turn("ask_fee", "phí"), ActionExecuted("some_form"), ActiveLoop("some_form"),
             ActionExecuted("action_listen"), _user("inform", "x"),
             ActionExecutionRejected("some_form"), ActionExecuted("some_form"),
             ActionExecuted("action_listen"), _user("inform", "y"),
             ActionExecuted("some_form"), ActiveLoop(None), *_turn("ask_where", "ở đâu")],
}


def _tracker(events: list) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("citizen", events)


@pytest.mark.parametrize("name", sorted(CONVERSATIONS))
def test_applied_events_and_prior_trackers_are_rasas(name):
    tracker = _tracker(CONVERSATIONS[name])
    stock = patch._stock_applied_events(tracker)
    assert patch.applied_events(tracker) == stock  # the same events, in the same order
    assert len(stock) < len(tracker.events)  # each conversation drops something
    stock_priors = list(patch._stock_generate_all_prior_trackers(tracker))
    priors = list(patch.generate_all_prior_trackers(tracker))
    assert [(list(t.events), hidden) for t, hidden in priors] == \
        [(list(t.events), hidden) for t, hidden in stock_priors]


def test_states_of_a_conversation_are_rasas(monkeypatch):
    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    events = CONVERSATIONS["reverts"] + CONVERSATIONS["plain"]
    stock = _tracker(events).past_states(domain)
    monkeypatch.setattr(DialogueStateTracker, "applied_events", patch.applied_events)
    monkeypatch.setattr(DialogueStateTracker, "generate_all_prior_trackers",
                        patch.generate_all_prior_trackers)
    assert _tracker(events).past_states(domain) == stock
    assert len(stock) > 5
