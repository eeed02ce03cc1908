"""rasa_server's input matrix for the intent classifier (sentence features only) is the
matrix Rasa builds, its weights kept in column order are the same weights, and the trained
model understands every message exactly as before."""

import numpy as np
import pytest
from rasa.core.agent import Agent
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier

from nlu import content
from rasa_server import nlu_features

STOCK = LogisticRegressionClassifier._create_X
STOCK_PROCESS = LogisticRegressionClassifier.process


@pytest.fixture(scope="module")
def patched_agent(model_path):
    """Loaded as rasa_server loads it: with the patches installed (the graph keeps the
    `process` it found at load time)."""
    try:
        nlu_features.install()
        return Agent.load(str(model_path))
    finally:
        LogisticRegressionClassifier._create_X = STOCK
        LogisticRegressionClassifier.process = STOCK_PROCESS


def _messages():
    """Real citizens' wording (the content set) and the edge cases: empty, symbols, long."""
    texts = [turn.message for case in content.load_cases() for turn in case.turns][:400]
    return texts + ["", "???", "😀", "a" * 3000, "/restart", "hello", "lltp bn"]


def _classifier(agent):
    runner = agent.processor.graph_runner
    return next(node._component for node in runner._instantiated_nodes.values()
                if isinstance(getattr(node, "_component", None), LogisticRegressionClassifier))


async def _parse_all(agent, texts, create_x):
    LogisticRegressionClassifier._create_X = create_x
    try:
        return [await agent.parse_message(t) for t in texts]
    finally:
        LogisticRegressionClassifier._create_X = STOCK


async def test_intents_and_confidences_are_rasas(agent, patched_agent):
    texts = _messages()
    stock = await _parse_all(agent, texts, STOCK)
    ours = await _parse_all(patched_agent, texts, nlu_features._create_X)
    assert not _classifier(agent).clf.coef_.flags.f_contiguous  # scikit-learn's row order
    assert _classifier(patched_agent).clf.coef_.flags.f_contiguous  # the layout did change
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
