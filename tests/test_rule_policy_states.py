"""rasa_server's RulePolicy, which lists a conversation's states once per prediction, predicts
exactly what Rasa's own does with the trained model, turn after turn of a real conversation."""

from rasa.core.policies.rule_policy import RulePolicy

from rasa_server import rule_policy
from testsupport.dialogue import converse

MESSAGES = ["chào ad", "phí làm lý lịch tư pháp bao nhiêu", "ở đâu ạ", "cần giấy tờ gì",
            "bao lâu thì có", "asdfgh qwerty", "cảm ơn ạ", "tạm biệt"]


async def _predictions(agent, patched: bool):
    RulePolicy._predict = rule_policy._predict if patched else rule_policy._stock_predict
    _, predictions = await converse(agent, MESSAGES)
    return predictions


async def test_predictions_are_rasas_own(agent):
    try:
        stock = await _predictions(agent, patched=False)
        ours = await _predictions(agent, patched=True)
    finally:
        RulePolicy._predict = rule_policy._stock_predict
    assert ours == stock
    assert len({action for action, *_ in stock}) > 3  # several rules, not one answer
