"""A copy of a conversation's tracker without replaying its whole session.

Rasa copies the tracker before running each action (processor._run_action, twice per
message: the answer and action_listen), and `DialogueStateTracker.copy()` builds the copy by
replaying every event of the session into a fresh tracker. A profile of one server under
load put those replays at about 8% of its time per message, growing with the length of the
session. The state a replay rebuilds is the tracker's own current state: the same events
(the same objects: a replay shares them too), copies of the slots with their values, the
latest messages and action, the active loop and the follow-up action. So it is copied
directly. A tracker whose event history is capped (`max_event_history`) is replayed as in
Rasa: its dropped events may have set state that a replay of the kept ones would not.
"""

from __future__ import annotations

import copy
import dataclasses

from rasa.shared.core.trackers import DialogueStateTracker

_stock_copy = DialogueStateTracker.copy


def tracker_copy(self: DialogueStateTracker) -> DialogueStateTracker:
    if self._max_event_history is not None:
        return _stock_copy(self)
    duplicate = self.init_copy()  # Rasa's own start: same sender, slots, history cap
    duplicate.events.extend(self.events)
    duplicate.slots = {name: copy.copy(slot) for name, slot in self.slots.items()}
    duplicate._paused = self._paused
    duplicate.followup_action = self.followup_action
    duplicate.latest_action = dict(self.latest_action) if self.latest_action is not None else None
    duplicate.latest_message = self.latest_message
    duplicate.latest_bot_utterance = self.latest_bot_utterance
    # The loop is changed in place (interrupted, rejected): the copy gets its own.
    duplicate.active_loop = dataclasses.replace(self.active_loop) if self.active_loop else None
    return duplicate


def install() -> None:
    DialogueStateTracker.copy = tracker_copy
