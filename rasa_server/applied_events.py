"""The tracker's applied events sorted by their class once, not by isinstance per event.

To list a conversation's states, Rasa replays the events of the session several times per
message (`DialogueStateTracker.applied_events`, `generate_all_prior_trackers`), asking of
each event up to five `isinstance` questions. Rasa's event classes are abstract base classes,
so each question goes through ABCMeta's Python-level `__instancecheck__`: a profile of one
server under load put these questions at about a tenth of its CPU per message. The answers
depend only on the event's class, so here each class is asked once and the answers kept;
the branches are Rasa 3.6.21's own, in the same order (reverts and loops are still undone by
Rasa's helpers).
"""

from __future__ import annotations

from typing import Dict, Generator, List, Tuple

from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

_stock_applied_events = DialogueStateTracker.applied_events
_stock_generate_all_prior_trackers = DialogueStateTracker.generate_all_prior_trackers

# What Rasa asks of an event, in the order its applied_events() asks it.
RESET, ACTION_REVERTED, USER_REVERTED, ACTION, OTHER = range(5)
_kinds: Dict[type, int] = {}
_loops: Dict[type, bool] = {}


def _kind(cls: type) -> int:
    kind = _kinds.get(cls)
    if kind is None:  # the first event of this class
        kind = _kinds[cls] = (
            RESET if issubclass(cls, (Restarted, SessionStarted))
            else ACTION_REVERTED if issubclass(cls, ActionReverted)
            else USER_REVERTED if issubclass(cls, UserUtteranceReverted)
            else ACTION if issubclass(cls, ActionExecuted)
            else OTHER)
    return kind


def _is_loop(cls: type) -> bool:
    answer = _loops.get(cls)
    if answer is None:
        answer = _loops[cls] = issubclass(cls, ActiveLoop)
    return answer


def applied_events(self: DialogueStateTracker) -> List[Event]:
    loop_names = [event.name for event in self.events if _is_loop(type(event)) and event.name]
    applied: List[Event] = []
    kinds = _kinds
    for event in self.events:
        kind = kinds.get(type(event))
        if kind is None:
            kind = _kind(type(event))
        if kind == OTHER:
            applied.append(event)
        elif kind == RESET:
            applied = []
        elif kind == ACTION_REVERTED:
            self._undo_till_previous(ActionExecuted, applied)
        elif kind == USER_REVERTED:
            self._undo_till_previous(UserUttered, applied)
            self._undo_till_previous(ActionExecuted, applied)
        elif (event.action_name in loop_names  # kind == ACTION
              and not self._first_loop_execution_or_unhappy_path(event.action_name, applied)):
            self._undo_till_previous_loop_execution(event.action_name, applied)
        else:
            applied.append(event)
    return applied


def generate_all_prior_trackers(
        self: DialogueStateTracker) -> Generator[Tuple[DialogueStateTracker, bool], None, None]:
    tracker = self.init_copy()
    # update() only checks that it is given an Event (these are the tracker's own) and adds
    # a model or assistant id, which a fresh copy never has: appending and applying is the same.
    plain = not (tracker.model_id or tracker.assistant_id)
    for event in self.applied_events():
        if _kind(type(event)) == ACTION:
            yield tracker, event.hide_rule_turn
        if plain:
            tracker.events.append(event)
            event.apply_to(tracker)
        else:
            tracker.update(event)
    yield tracker, False


def install() -> None:
    DialogueStateTracker.applied_events = applied_events
    DialogueStateTracker.generate_all_prior_trackers = (
        generate_all_prior_trackers)
