"""A conversation through a loaded agent's NLU and policies, turn by turn, as Rasa's processor
runs it (the predicted action, then listen) but without running actions: what the tests of
rasa_server's patches compare between stock Rasa and the patched one."""

from __future__ import annotations

from typing import Any, List, Sequence, Tuple

from rasa.core.agent import Agent
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker


async def converse(agent: Agent, messages: Sequence[str]) -> Tuple[List[Any], List[Any]]:
    """(what each message was understood as, every prediction made), for `messages` in one
    conversation: (intent, entities, ranking) per message; (action, policy, confidence,
    events) per prediction."""
    processor, understood, predictions = agent.processor, [], []
    tracker = DialogueStateTracker("citizen", processor.domain.slots)
    for event in (ActionExecuted("action_session_start"), SessionStarted(),
                  ActionExecuted("action_listen")):
        tracker.update(event)
    for text in messages:
        parsed = await agent.parse_message(text)
        understood.append((parsed["intent"], parsed["entities"], parsed.get("intent_ranking")))
        tracker.update(UserUttered(text, parsed["intent"], parsed["entities"], parsed))
        for _ in range(3):  # the action, then listen (as the processor's loop)
            prediction = processor._predict_next_with_tracker(tracker)
            action = processor.domain.action_names_or_texts[prediction.max_confidence_index]
            predictions.append((action, prediction.policy_name, prediction.max_confidence,
                                prediction.events))
            tracker.update(ActionExecuted(action))
            if action == "action_listen":
                break
    return understood, predictions
