"""rasa_server/tracker_copy.py: a copy equal to the one Rasa builds by replaying the session,
and independent of the original."""

from __future__ import annotations

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from actions.settings import PROJECT_ROOT
from rasa_server import tracker_copy as patch
from testsupport.rasa_events import CONVERSATIONS

DOMAIN = Domain.load(str(PROJECT_ROOT / "domain.yml"))


def _state(tracker: DialogueStateTracker) -> tuple:
    return (tracker.current_state(EventVerbosity.ALL), list(tracker.events),
            {n: (s.value, s.has_been_set) for n, s in tracker.slots.items()},
            tracker.latest_action, tracker.active_loop, tracker.followup_action,
            tracker.is_paused(), tracker.latest_message, tracker.latest_bot_utterance,
            tracker.sender_id, tracker.model_id, tracker.is_rule_tracker, type(tracker))


def _prefixes():
    for name, events in sorted(CONVERSATIONS.items()):
        for end in range(len(events) + 1):
            yield name, events[:end]


@pytest.mark.parametrize("name, events", list(_prefixes()))
def test_the_copy_is_the_one_rasa_replays(name, events):
    tracker = DialogueStateTracker.from_events("citizen", events, slots=DOMAIN.slots)
    tracker.model_id = "model-1"  # not carried into a copy, by Rasa or by us
    assert _state(patch.tracker_copy(tracker)) == _state(patch._stock_copy(tracker))


def test_changing_the_copy_leaves_the_original_alone():
    events = CONVERSATIONS["plain"] + [ActiveLoop("a_form")]
    tracker = DialogueStateTracker.from_events("citizen", events, slots=DOMAIN.slots)
    before = _state(tracker)
    duplicate = patch.tracker_copy(tracker)
    duplicate.update_with_events([SlotSet("aspect", "thoi_han"), UserUttered("nữa"),
                                  ActionExecuted("action_answer")], DOMAIN)
    duplicate.interrupt_loop(True)
    duplicate.reject_action("a_form")
    assert _state(tracker) == before
    assert tracker.get_slot("aspect") == "le_phi" and duplicate.get_slot("aspect") == "thoi_han"


def test_a_capped_history_is_replayed_as_rasa_does():
    events = CONVERSATIONS["plain"]
    tracker = DialogueStateTracker.from_events("citizen", events, slots=DOMAIN.slots,
                                               max_event_history=4)
    assert _state(patch.tracker_copy(tracker)) == _state(patch._stock_copy(tracker))
