"""rasa_server's graph runner (the graph's nodes in a kept order, without dask) understands
and predicts exactly what Rasa's dask runner does with the trained model, turn after turn."""

import pytest
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner

from rasa_server import graph_runner
from testsupport.dialogue import converse

STOCK_RUN = DaskGraphRunner.run
MESSAGES = ["chào ad", "phí làm lý lịch tư pháp bao nhiêu", "lam o dau", "cần giấy tờ gì",
            "how much is the judicial record certificate", "asdfgh qwerty",
            '/ask_fee{"procedure": "chung-thuc-ban-sao"}', "cảm ơn ạ"]


async def test_understanding_and_predictions_are_the_dask_runners(agent):
    try:
        DaskGraphRunner.run = STOCK_RUN
        stock = await converse(agent, MESSAGES)
        DaskGraphRunner.run = graph_runner.run
        ours = await converse(agent, MESSAGES)
    finally:
        DaskGraphRunner.run = STOCK_RUN
    assert ours == stock
    understood, _ = stock
    assert len({intent["name"] for intent, *_ in understood}) > 3  # several intents, not one


@pytest.mark.parametrize("run", [STOCK_RUN, graph_runner.run], ids=["dask", "ours"])
def test_an_input_named_like_a_node_is_refused_as_rasa_does(agent, run):
    runner = agent.processor.graph_runner
    node = next(iter(runner._instantiated_nodes))
    with pytest.raises(GraphRunError, match="clashes with a node name"):
        run(runner, inputs={"__message__": node}, targets=[node])
