"""rasa_server's graph runner (the graph's nodes in a kept order, without dask) understands
and predicts exactly what Rasa's dask runner does with the trained model, turn after turn."""

import pytest
from rasa.core.agent import Agent
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_server import graph_runner

STOCK_RUN = DaskGraphRunner.run
MESSAGES = ["chào ad", "phí làm lý lịch tư pháp bao nhiêu", "lam o dau", "cần giấy tờ gì",
            "how much is the judicial record certificate", "asdfgh qwerty",
            '/ask_fee{"procedure": "chung-thuc-ban-sao"}', "cảm ơn ạ"]


@pytest.fixture(scope="module")
def agent(model_path):
    return Agent.load(str(model_path))


async def _converse(agent, patched: bool):
    DaskGraphRunner.run = graph_runner.run if patched else STOCK_RUN
    processor, seen = agent.processor, []
    tracker = DialogueStateTracker("citizen", processor.domain.slots)
    for event in (ActionExecuted("action_session_start"), SessionStarted(),
                  ActionExecuted("action_listen")):
        tracker.update(event)
    for text in MESSAGES:
        parsed = await agent.parse_message(text)
        seen.append((parsed["intent"], parsed["entities"], parsed.get("intent_ranking")))
        tracker.update(UserUttered(text, parsed["intent"], parsed["entities"], parsed))
        for _ in range(3):  # the action, then listen (as the processor's loop)
            prediction = processor._predict_next_with_tracker(tracker)
            action = processor.domain.action_names_or_texts[prediction.max_confidence_index]
            seen.append((action, prediction.policy_name, prediction.max_confidence))
            tracker.update(ActionExecuted(action))
            if action == "action_listen":
                break
    return seen


async def test_understanding_and_predictions_are_the_dask_runners(agent):
    try:
        stock = await _converse(agent, patched=False)
        ours = await _converse(agent, patched=True)
    finally:
        DaskGraphRunner.run = STOCK_RUN
    assert ours == stock
    intents = {turn[0]["name"] for turn in stock if isinstance(turn[0], dict)}
    assert len(intents) > 3  # several intents understood, not one answer


@pytest.mark.parametrize("run", [STOCK_RUN, graph_runner.run], ids=["dask", "ours"])
def test_an_input_named_like_a_node_is_refused_as_rasa_does(agent, run):
    runner = agent.processor.graph_runner
    node = next(iter(runner._instantiated_nodes))
    with pytest.raises(GraphRunError, match="clashes with a node name"):
        run(runner, inputs={"__message__": node}, targets=[node])
