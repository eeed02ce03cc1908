"""rasa_server/applied_events.py: the applied events and prior trackers exactly as Rasa's."""

from __future__ import annotations

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from actions.settings import PROJECT_ROOT
from rasa_server import applied_events as patch
from testsupport.rasa_events import CONVERSATIONS


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
