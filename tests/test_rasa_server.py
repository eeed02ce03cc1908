"""The Rasa launcher's cheaper response check accepts and rejects exactly what Rasa's own does."""

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from rasa_server import __main__ as rasa_cli

VALID = {"events": [{"event": "slot", "name": "procedure", "value": "ly_lich_tu_phap"},
                    {"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet"}}},
                    {"event": "followup", "name": "action_listen", "timestamp": None}],
         "responses": [{"text": "Xin chào", "buttons": []}]}
INVALID = [{"events": "not a list"}, {"events": [{"event": "no_such_event"}]},
           {"responses": ["not an object"]}, {"events": [{"event": "slot", "name": "x"}]},
           {"events": [{"name": "procedure", "value": 1}]}, {"events": ["slot"]},
           {"events": [{"event": "user", "parse_data": "not an object"}]},
           {"events": [{"event": "action", "name": "x", "timestamp": "yesterday"}]}, "no object"]
CHECKS = {"stock": RemoteAction._validate_action_result, "launcher": rasa_cli._validate_action_result}


@pytest.mark.parametrize("check", CHECKS.values(), ids=CHECKS.keys())
def test_valid_response_is_accepted(check):
    assert check(RemoteAction("action_answer_procedure", None), VALID) is True


@pytest.mark.parametrize("check", CHECKS.values(), ids=CHECKS.keys())
@pytest.mark.parametrize("response", INVALID)
def test_invalid_response_is_rejected(check, response):
    with pytest.raises(ValidationError):
        check(RemoteAction("action_answer_procedure", None), response)


def test_install_replaces_the_check(monkeypatch):
    monkeypatch.setattr(RemoteAction, "_validate_action_result", CHECKS["stock"])
    rasa_cli.install()
    assert RemoteAction._validate_action_result is rasa_cli._validate_action_result


# --- the tracker store --------------------------------------------------------------------------

def _events_of(tracker):
    """The events, without their timestamps (two runs create them at different times)."""
    return [{k: v for k, v in event.as_dict().items() if k != "timestamp"} for event in tracker.events]


async def _converse(store, domain):
    """Two turns and a new session, as Rasa's processor drives a store; all events stored."""
    from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    turns = [
        [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
         UserUttered("lltp o dau", {"name": "ask_where", "confidence": 0.9}),
         ActionExecuted("action_answer_procedure"), SlotSet("procedure", "ly_lich_tu_phap"),
         ActionExecuted("action_listen")],
        [UserUttered("phí bao nhiêu", {"name": "ask_fee", "confidence": 0.9}),
         ActionExecuted("action_answer_procedure"), ActionExecuted("action_listen")],
        [ActionExecuted("action_session_start"), SessionStarted(),
         SlotSet("procedure", "ly_lich_tu_phap"), ActionExecuted("action_listen"),
         UserUttered("bao lâu", {"name": "ask_time", "confidence": 0.9})],
    ]
    latest = []
    for events in turns:
        tracker = await store.retrieve("citizen") or DialogueStateTracker("citizen", domain.slots)
        for event in events:
            tracker.update(event)
        await store.save(tracker)
        latest.append(_events_of(await store.retrieve("citizen")))
    return latest


async def test_fast_tracker_store_keeps_conversations_exactly_like_rasas(tmp_path):
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain

    from rasa_server.tracker_store import FastSQLTrackerStore

    domain = Domain.load("domain.yml")
    stock = SQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "stock.db"))
    fast = FastSQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "fast.db"))
    seen_by_stock, seen_by_fast = await _converse(stock, domain), await _converse(fast, domain)
    assert seen_by_fast == seen_by_stock
    assert seen_by_fast[-1][0]["event"] == "session_started"  # only the latest session is read
    full = lambda store: store.retrieve_full_tracker("citizen")
    assert _events_of(await full(fast)) == _events_of(await full(stock))
    assert len((await full(fast)).events) == 15  # every event stored once
    assert await fast.retrieve("nobody") is None
    assert _rows(tmp_path / "fast.db") == _rows(tmp_path / "stock.db")  # every column


async def test_a_kept_tracker_is_lent_only_while_nothing_newer_is_stored(tmp_path, monkeypatch):
    """Between its messages a conversation's tracker stays in the server, and is lent out
    only while the store holds nothing it lacks: after a second server answered, after a
    new model's domain, and with TRACKER_KEEP=0, the store is read again."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, UserUttered

    from rasa_server.tracker_store import FastSQLTrackerStore

    def turn(tracker, text):
        for event in (UserUttered(text, {"name": "ask_fee", "confidence": 0.9}),
                      ActionExecuted("action_answer_procedure"), ActionExecuted("action_listen")):
            tracker.update(event)

    domain = Domain.load("domain.yml")
    db = str(tmp_path / "shared.db")
    one, two = (FastSQLTrackerStore(domain, dialect="sqlite", db=db) for _ in range(2))
    await _converse(one, domain)  # its last message began a new session: not kept
    tracker = await one.retrieve("citizen")
    turn(tracker, "còn phí")
    await one.save(tracker)
    assert await one.retrieve("citizen") is tracker  # kept, and nothing newer stored
    await one.save(tracker)  # (a message lent it out and saved it back unchanged)

    other = await two.retrieve("citizen")  # the next message reaches the second server
    assert other is not tracker and _events_of(other) == _events_of(tracker)
    turn(other, "bao lâu")
    await two.save(other)
    again = await one.retrieve("citizen")
    assert again is not tracker and _events_of(again) == _events_of(other)

    await one.save(again)
    one.domain = Domain.load("domain.yml")  # a new model loaded: its slots, not the old ones
    assert await one.retrieve("citizen") is not again

    monkeypatch.setenv("TRACKER_KEEP", "0")
    off = FastSQLTrackerStore(domain, dialect="sqlite", db=db)
    first = await off.retrieve("citizen")
    await off.save(first)
    assert await off.retrieve("citizen") is not first


def _rows(db):
    """The stored rows in order, without the times at which the two runs created them."""
    import json
    import sqlite3

    with sqlite3.connect(db) as connection:
        rows = connection.execute("SELECT id, sender_id, type_name, intent_name, action_name, "
                                  "timestamp IS NULL, data FROM events ORDER BY id").fetchall()
    return [(*row[:-1], {k: v for k, v in json.loads(row[-1]).items() if k != "timestamp"})
            for row in rows]


# --- the Rasa version guard and the event class table -------------------------------------------

def test_server_refuses_another_rasa_version(monkeypatch, capsys):
    import rasa

    monkeypatch.setattr(rasa, "__version__", "3.7.0")
    with pytest.raises(SystemExit) as refused:
        rasa_cli.main()
    assert "Rasa 3.6.21" in str(refused.value) and "3.7.0" in str(refused.value)


def test_pinned_rasa_version_is_the_one_patched():
    import rasa

    assert rasa.__version__ == rasa_cli.RASA_VERSION
    rasa_cli.check_rasa_version()  # does not raise


def test_event_classes_are_found_as_rasa_finds_them():
    from rasa.shared.core.events import Event, UserUttered
    from rasa.shared.utils.common import all_subclasses

    from rasa_server import events

    names = {cls.type_name for cls in all_subclasses(Event)}
    assert len(names) > 15
    for name in names:
        assert events.resolve_by_type(name) is events._stock_resolve_by_type(name)
    assert events.resolve_by_type("topic") is None
    assert events.resolve_by_type("no_such_event", UserUttered) is UserUttered
    with pytest.raises(ValueError, match="no_such_event"):
        events.resolve_by_type("no_such_event")


def test_stored_events_come_back_identical_with_the_table():
    from rasa.shared.core.events import Event, SlotSet, UserUttered

    from rasa_server import events

    stored = [UserUttered("lltp o dau", {"name": "ask_where", "confidence": 0.9}).as_dict(),
              SlotSet("procedure", "ly_lich_tu_phap").as_dict()]
    events.install()
    try:
        assert [Event.from_parameters(d) for d in stored] == [
            UserUttered("lltp o dau", {"name": "ask_where", "confidence": 0.9}),
            SlotSet("procedure", "ly_lich_tu_phap")]
    finally:
        Event.resolve_by_type = staticmethod(events._stock_resolve_by_type)


def test_valid_response_takes_the_quick_check():
    # Otherwise the launcher would be as slow as stock Rasa while its tests still pass.
    assert rasa_cli._quickly_valid(VALID)
    assert rasa_cli._quickly_valid({"events": [], "responses": []})


def test_processor_copies_for_debug_lines_only_when_they_are_written(caplog):
    """With debug logging off the processor's log arguments are not copied; with it on they
    are, as in Rasa (a debug line shows the events as they were)."""
    import logging

    import rasa.core.processor

    from rasa_server import debug_copies

    original = rasa.core.processor.copy
    events = [{"event": "slot", "name": "procedure", "value": "ly-lich-tu-phap"}]
    try:
        debug_copies.install()
        copier = rasa.core.processor.copy
        logging.getLogger("rasa.core.processor").setLevel(logging.INFO)
        assert copier.deepcopy(events) is events
        with caplog.at_level(logging.DEBUG, logger="rasa.core.processor"):
            copied = copier.deepcopy(events)
        assert copied == events and copied is not events and copied[0] is not events[0]
        assert copier.copy is __import__("copy").copy  # the rest of `copy` unchanged
    finally:
        rasa.core.processor.copy = original
        logging.getLogger("rasa.core.processor").setLevel(logging.NOTSET)


async def test_the_loaded_model_is_frozen_out_of_the_collectors_walks(monkeypatch):
    """After Rasa loads its model at start-up, everything alive is frozen (a full collection
    no longer walks the model) and the agent is handed on unchanged."""
    import gc

    from rasa_server import gc_freeze

    agent = object()

    async def stock(*args, **kwargs):
        return agent

    monkeypatch.setattr(gc_freeze, "_stock_load_agent_on_start", stock)
    try:
        assert await gc_freeze.load_agent_on_start("models", None, None, None, None) is agent
        assert gc.get_freeze_count() > 1000
    finally:
        gc.unfreeze()
