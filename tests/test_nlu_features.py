"""rasa_server's input matrix for the intent classifier (sentence features only) is the
matrix Rasa builds, and the trained model understands every message exactly as before."""

import numpy as np
import pytest
from rasa.core.agent import Agent
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier

from nlu import content
from rasa_server import nlu_features

STOCK = LogisticRegressionClassifier._create_X


@pytest.fixture(scope="module")
def agent(model_path):
    return Agent.load(str(model_path))


def _messages():
    """Real citizens' wording (the content set) and the edge cases: empty, symbols, long."""
    texts = [turn.message for case in content.load_cases() for turn in case.turns][:400]
    return texts + ["", "???", "😀", "a" * 3000, "/restart", "hello", "lltp bn"]


async def test_intents_and_confidences_are_rasas(agent):
    texts = _messages()
    try:
        LogisticRegressionClassifier._create_X = STOCK
        stock = [await agent.parse_message(t) for t in texts]
        LogisticRegressionClassifier._create_X = nlu_features._create_X
        ours = [await agent.parse_message(t) for t in texts]
    finally:
        LogisticRegressionClassifier._create_X = STOCK
    for before, after in zip(stock, ours, strict=True):
        assert after["intent"] == before["intent"], before["text"]
        assert after["intent_ranking"] == before["intent_ranking"], before["text"]
    assert len({p["intent"]["name"] for p in stock}) > 10  # many intents, not one answer


async def test_the_matrix_is_the_same(agent, monkeypatch):
    seen = []

    def spy(self, messages):
        seen.extend(messages)
        return STOCK(self, messages)

    monkeypatch.setattr(LogisticRegressionClassifier, "_create_X", spy)
    for text in ("phí làm lý lịch tư pháp bao nhiêu", "", "how much", "a" * 3000):
        await agent.parse_message(text)
    assert len(seen) == 4
    for message in seen:
        stock, ours = STOCK(None, [message]), nlu_features._create_X(None, [message])
        assert ours.dtype == stock.dtype and ours.shape == stock.shape
        assert np.array_equal(ours.toarray(), stock.toarray())
