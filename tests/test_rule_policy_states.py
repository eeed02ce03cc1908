"""rasa_server's RulePolicy, which lists a conversation's states once per prediction, predicts
exactly what Rasa's own does with the trained model, turn after turn of a real conversation."""

from rasa.core.policies.rule_policy import RulePolicy

from rasa_server import rule_policy
from testsupport.dialogue import converse

MESSAGES = ["chào ad", "phí làm lý lịch tư pháp bao nhiêu", "ở đâu ạ", "cần giấy tờ gì",
            "bao lâu thì có", "asdfgh qwerty", "cảm ơn ạ", "tạm biệt"]


def _use(patched: bool) -> None:
    RulePolicy._predict = rule_policy._predict if patched else rule_policy._stock_predict
    RulePolicy._get_possible_keys = rule_policy._get_possible_keys if patched \
        else rule_policy._stock_get_possible_keys


async def _predictions(agent, patched: bool):
    _use(patched)
    _, predictions = await converse(agent, MESSAGES)
    return predictions


async def test_predictions_are_rasas_own(agent):
    try:
        stock = await _predictions(agent, patched=False)
        ours = await _predictions(agent, patched=True)
    finally:
        _use(patched=False)
    assert ours == stock
    assert len({action for action, *_ in stock}) > 3  # several rules, not one answer


async def test_rules_found_for_each_state_are_rasas_own(agent):
    """Every rule lookup of a longer conversation (the early stop matters there) finds the
    same rules as Rasa's own filter."""
    calls = []

    def recording(self, lookup, states):
        calls.append((self, lookup, [dict(state) for state in states]))
        return rule_policy._stock_get_possible_keys(self, lookup, states)

    _use(patched=False)
    RulePolicy._get_possible_keys = recording
    try:
        await converse(agent, MESSAGES * 2)
    finally:
        _use(patched=False)
    assert len(calls) > 20 and max(len(states) for *_, states in calls) > 15
    found = [rule_policy._stock_get_possible_keys(policy, lookup, states)
             for policy, lookup, states in calls]
    assert [rule_policy._get_possible_keys(policy, lookup, states)
            for policy, lookup, states in calls] == found
    assert sum(1 for keys in found if keys) > 10  # rules were found, not only empty sets


def _key(*states) -> str:
    import json
    return json.dumps(list(states))


LISTEN = {"prev_action": {"action_name": "action_listen"}}
RULES = {  # a conversation start, a slot that must not be set, an intent, a longer rule
    _key({"user": {"intent": "greet"}}): "utter_start",
    _key({**LISTEN, "user": {"intent": "greet"}, "slots": {"procedure": "should_not_be_set"}}): "a",
    _key({**LISTEN, "user": {"intent": "ask_fee"}}): "b",
    _key({**LISTEN, "user": {"intent": "greet"}},
         {"prev_action": {"action_name": "action_small_talk"}, "user": {"intent": "greet"}}): "c",
    _key({**LISTEN, "user": {"intent": "should_not_be_set"}}): "d",
    _key(): "e",
}
STATES = [  # conversations as lists of states, oldest first
    [{"user": {"intent": "greet"}}],
    [{"user": {"intent": "ask_fee"}}],  # a start state passes a start rule whatever its intent
    [{}, {**LISTEN, "user": {"intent": "greet"}}],
    [{}, {**LISTEN, "user": {"intent": "greet"}, "slots": {"procedure": (1.0,)}}],
    [{**LISTEN, "user": {"intent": "greet"}},
     {"prev_action": {"action_name": "action_small_talk"}, "user": {"intent": "greet"}}],
    [{}, {**LISTEN, "user": {"intent": "ask_fee"}}],
    [{}, {**LISTEN, "user": {"text": "phí bao nhiêu"}}],
    [{}, {"prev_action": {"action_name": "action_answer_procedure"}}],
    [],
]


def test_rule_index_keeps_rasas_answer_for_every_kind_of_rule():
    policy = RulePolicy.__new__(RulePolicy)  # the filter uses no state of the policy
    for states in STATES:
        stock = rule_policy._stock_get_possible_keys(policy, RULES, states)
        assert rule_policy._get_possible_keys(policy, RULES, states) == stock, states
    assert list(RULES)[0] in rule_policy._stock_get_possible_keys(policy, RULES, STATES[1])


def test_states_kept_between_predictions_are_rasas_after_every_event():
    """The replay kept with a tracker, extended event by event, gives Rasa's states after each
    one, also after a revert, a restart or a new session (which change the events applied)."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    from actions.settings import PROJECT_ROOT
    from testsupport.rasa_events import CONVERSATIONS

    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    for events in CONVERSATIONS.values():
        for every in (1, 4):  # after 4 events a revert may leave more events, not fewer
            tracker = DialogueStateTracker("citizen", domain.slots)
            for number, event in enumerate(events, 1):
                tracker.update(event)
                if number % every == 0 or number == len(events):
                    assert rule_policy._states(tracker, domain, False) == \
                        tracker.past_states(domain)
    assert len(rule_policy._states(tracker, domain, False)) > 3


def test_a_replay_goes_with_its_tracker():
    """The replay holds a conversation's events: once the message is handled and its tracker
    dropped, nothing of it stays in the server's memory."""
    import gc

    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    from actions.settings import PROJECT_ROOT
    from testsupport.rasa_events import CONVERSATIONS

    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    tracker = DialogueStateTracker.from_events("citizen", CONVERSATIONS["plain"])
    rule_policy._states(tracker, domain, False)
    key = id(tracker)
    assert key in rule_policy._replays
    del tracker
    gc.collect()
    assert key not in rule_policy._replays
