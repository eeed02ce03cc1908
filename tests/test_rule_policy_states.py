"""rasa_server's RulePolicy, which lists a conversation's states once per prediction, predicts
exactly what Rasa's own does with the trained model, turn after turn of a real conversation."""

import pytest
from rasa.core.agent import Agent
from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_server import rule_policy

MESSAGES = ["chào ad", "phí làm lý lịch tư pháp bao nhiêu", "ở đâu ạ", "cần giấy tờ gì",
            "bao lâu thì có", "asdfgh qwerty", "cảm ơn ạ", "tạm biệt"]


@pytest.fixture(scope="module")
def agent(model_path):
    return Agent.load(str(model_path))


def _prediction(processor, tracker):
    prediction = processor._predict_next_with_tracker(tracker)
    return (processor.domain.action_names_or_texts[prediction.max_confidence_index],
            prediction.policy_name, prediction.max_confidence, prediction.events)


async def _converse(agent, patched: bool):
    RulePolicy._predict = rule_policy._predict if patched else rule_policy._stock_predict
    processor, predictions = agent.processor, []
    tracker = DialogueStateTracker("citizen", processor.domain.slots)
    for event in (ActionExecuted("action_session_start"), SessionStarted(),
                  ActionExecuted("action_listen")):
        tracker.update(event)
    for text in MESSAGES:
        parsed = await agent.parse_message(text)
        tracker.update(UserUttered(text, parsed["intent"], parsed["entities"], parsed))
        for _ in range(3):  # the action, then listen (as the processor's loop)
            predictions.append(_prediction(processor, tracker))
            tracker.update(ActionExecuted(predictions[-1][0]))
            if predictions[-1][0] == "action_listen":
                break
    return predictions


async def test_predictions_are_rasas_own(agent):
    try:
        stock = await _converse(agent, patched=False)
        ours = await _converse(agent, patched=True)
    finally:
        RulePolicy._predict = rule_policy._stock_predict
    assert ours == stock
    assert len({action for action, *_ in stock}) > 3  # several rules, not one answer
