"""RulePolicy computes the dialogue states of a conversation once per prediction, not twice.

To predict the next action, Rasa's RulePolicy looks for a rule twice after a user message:
once with the message's text, once with its intent. Each time it replays every event of the
session to list the state before each action (`tracker.past_states`); the two lists differ
only in what the two lookups then remove from them. A profile of one server under load put
that replay at about a quarter of its time per message. Here, for the length of one
prediction, the tracker remembers its states and hands each lookup its own copy. After the
action, the next prediction (listen) needs the same states and one more: the replay is kept
with the tracker and only the events added since are replayed (when the events applied
before are still the start of those applied now; otherwise, as after a revert, it replays
everything again). The states are those of Rasa's `states_for_tracker_history`, which for
RulePolicy (no rule-only turns to hide) is the cleaned active state before each action and
at the end.

Each lookup then filters every rule against the conversation's states, latest first. Rasa
reverses each rule's states again for every rule and every state, and goes on through the
whole conversation after no rule is left (or only rules shorter than the states already
compared, which nothing can rule out any more): both about 5% of its CPU per message in a
longer conversation. `_get_possible_keys` below reverses each rule once and stops there; each
rule is judged by Rasa's own tests, in the same order. Against the latest state it tests only
the rules that can match it: a rule whose latest state has an action before it and asks for
an intent cannot match a state with another intent (the test of most rules fails there), so
the rules are indexed once by that intent.
"""

from __future__ import annotations

import weakref
from typing import Dict, List, Optional, Set, Text, Tuple

from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.constants import PREVIOUS_ACTION, SHOULD_NOT_BE_SET, USER
from rasa.shared.core.events import ActionExecuted
from rasa.shared.nlu.constants import INTENT

_stock_predict = RulePolicy._predict
_stock_get_possible_keys = RulePolicy._get_possible_keys
_reversed_rules: Dict[Text, List[dict]] = {}  # rule key -> its states, latest first
# id(lookup) -> (lookup, {intent: keys of rules asking for it last}, keys of the other rules)
_by_last_intent: Dict[int, Tuple[dict, Dict[Text, Set[Text]], Set[Text]]] = {}


def _copy(states):
    # A state is {kind: {feature: str or tuple}}; the lookups delete features, so each one
    # gets its own inner dicts.
    return [{kind: dict(sub_state) for kind, sub_state in state.items()} for state in states]


class _Replay:
    """A conversation replayed up to some event: the events applied, the replayed tracker and
    the (cleaned) state before each action so far."""

    def __init__(self, tracker) -> None:
        self.applied: list = []
        self.tracker = tracker.init_copy()
        self.states: List[dict] = []


# id(tracker) -> (weak reference to it, {(domain id, omit_unset_slots): replay})
_replays: Dict[int, Tuple[weakref.ref, Dict[tuple, _Replay]]] = {}


def _forget(reference: weakref.ref) -> None:
    """The tracker is gone (its message is handled): so is its replay, which holds its events."""
    for key, (kept, _) in list(_replays.items()):
        if kept is reference:
            del _replays[key]


def _kept_replay(tracker, key: tuple) -> Tuple[_Replay, list]:
    """The replay kept for this tracker object, if the events it applied still start the
    tracker's applied events (else a new one), and those applied events."""
    applied = tracker.applied_events()
    entry = _replays.get(id(tracker))
    if entry is None or entry[0]() is not tracker:
        entry = _replays[id(tracker)] = (weakref.ref(tracker, _forget), {})
    replay = entry[1].get(key)
    if replay is None or len(replay.applied) > len(applied) or \
            any(old is not new for old, new in zip(replay.applied, applied, strict=False)):
        replay = entry[1][key] = _Replay(tracker)
    return replay, applied


def _states(tracker, domain, omit_unset_slots: bool) -> List[dict]:
    """Rasa's states_for_tracker_history without rule-only turns, replaying only new events."""
    replay, applied = _kept_replay(tracker, (id(domain), omit_unset_slots))
    for event in applied[len(replay.applied):]:
        if isinstance(event, ActionExecuted):
            replay.states.append(domain._clean_state(
                domain.get_active_state(replay.tracker, omit_unset_slots=omit_unset_slots)))
        replay.tracker.update(event)
    replay.applied = applied
    return replay.states + [domain._clean_state(
        domain.get_active_state(replay.tracker, omit_unset_slots=omit_unset_slots))]


def _predict(self: RulePolicy, tracker, domain):
    computed = {}
    stock_past_states = tracker.past_states

    def past_states(domain, **options):
        key = (id(domain), repr(sorted(options.items())))
        if key not in computed:
            computed[key] = (stock_past_states(domain, **options)
                             if options.get("ignore_rule_only_turns")
                             else _states(tracker, domain, options.get("omit_unset_slots", False)))
        return _copy(computed[key])

    tracker.past_states = past_states  # this tracker object only, during this call
    try:
        return _stock_predict(self, tracker, domain)
    finally:
        del tracker.past_states


def _reversed_rule(rule_key: Text) -> List[dict]:
    states = _reversed_rules.get(rule_key)
    if states is None:
        if len(_reversed_rules) > 20_000:  # keys of models no longer served
            _reversed_rules.clear()
        states = _reversed_rules[rule_key] = list(reversed(RulePolicy._rule_key_to_state(rule_key)))
    return states


def _is_rule_applicable(rule_key: Text, turn_index: int, conversation_state: dict) -> bool:
    """RulePolicy._is_rule_applicable, with the rule's states reversed once."""
    reversed_rule_states = _reversed_rule(rule_key)
    if turn_index >= len(reversed_rule_states):
        return True
    current_previous_action = conversation_state.get(PREVIOUS_ACTION)
    rule_previous_action = reversed_rule_states[turn_index].get(PREVIOUS_ACTION)
    if not rule_previous_action and not current_previous_action:
        return True
    if not rule_previous_action or not current_previous_action:
        return False
    return RulePolicy._does_rule_match_state(reversed_rule_states[turn_index], conversation_state)


def _required_intent(rule_key: Text) -> Optional[Text]:
    """The intent a rule's latest state requires, when _is_rule_applicable can only pass it for
    a state with that intent (the state has an action before it); else None."""
    states = _reversed_rule(rule_key)
    latest = states[0] if states else {}
    intent = latest.get(USER, {}).get(INTENT)
    if latest.get(PREVIOUS_ACTION) and isinstance(intent, str) and intent \
            and intent != SHOULD_NOT_BE_SET:
        return intent
    return None


def _candidates(lookup: Dict[Text, Text], latest_state: dict) -> Set[Text]:
    """The rules that can match the conversation's latest state."""
    entry = _by_last_intent.get(id(lookup))
    if entry is None or entry[0] is not lookup:
        by_intent: Dict[Text, Set[Text]] = {}
        others: Set[Text] = set()
        for key in lookup:
            intent = _required_intent(key)
            (by_intent.setdefault(intent, set()) if intent else others).add(key)
        if len(_by_last_intent) > 8:  # lookups of models no longer served
            _by_last_intent.clear()
        entry = _by_last_intent[id(lookup)] = (lookup, by_intent, others)
    _, by_intent, others = entry
    return others | by_intent.get(latest_state.get(USER, {}).get(INTENT), set())


def _get_possible_keys(self: RulePolicy, lookup: Dict[Text, Text], states: List[dict]) -> Set[Text]:
    possible_keys = _candidates(lookup, states[-1]) if states else set(lookup.keys())
    longest = len(states)  # until the first filter: the rules' lengths are not looked at yet
    for turn_index, state in enumerate(reversed(states)):
        if turn_index >= longest:
            break  # no rule left, or none longer than this: every later filter keeps them all
        kept, longest = set(), 0
        for key in possible_keys:
            if _is_rule_applicable(key, turn_index, state):
                kept.add(key)
                longest = max(longest, len(_reversed_rule(key)))
        possible_keys = kept
    return possible_keys


def install() -> None:
    RulePolicy._predict = _predict
    RulePolicy._get_possible_keys = _get_possible_keys
