"""The `rasa` command line, with measured fixes for Rasa's per-message cost.

Rasa 3.6 checks every action server response with `jsonschema.validate()`, which first
re-validates the schema itself against the JSON-Schema meta-schema, on every call. A
profile of the REST server under load showed that check taking about 75% of its CPU per
message. Here the validator is built once; responses are checked against the same schema
and rejected with the same error. Each event is first checked only against the branch of
the schema's `oneOf` for its own type (every branch requires a different `"event"` value,
so no other branch can match): a later profile still put the full check, which tries all
28 branches for every event, at 7-14% of Rasa's time per message. Anything that fails the
quick check goes through the full one, so the accepted responses and errors are Rasa's. The
other patches are in their own modules (debug_copies.py, events.py, gc_freeze.py,
graph_runner.py, lock_store.py, nlu_features.py, rule_policy.py, tracker_copy.py; tracker_store.py is
configured, not patched). Every patch replaces a function of Rasa 3.6.21, so the server
refuses to start on any other version.

    python -m rasa_server run --model models ...   # same arguments as `rasa`
    python -m rasa_server run actions ...         # the action server, as `rasa run actions`

Both start quietly: deprecation notices of Rasa's dependencies are dropped (quiet.py). The
action server gets no fix and imports nothing more than `rasa run actions` does (Rasa's core
would add about 400 MB to it), so the fixes' imports happen in install().

With RASA_ADMIN_TOKEN set, `run` also serves Rasa's HTTP API (`--enable-api`) behind that
token, so the staff console can swap the model (`PUT /model`, scripts/model_swap.py) without a
restart. The token is added here, not on the command line, so `ps` does not show it; without
the variable the API stays off, as before. The listening address is unchanged.
"""

from __future__ import annotations

from rasa_server import quiet

quiet.install()  # first: importing Rasa raises the notices it drops

import functools  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

from jsonschema import ValidationError  # noqa: E402
from jsonschema.validators import validator_for  # noqa: E402

# The patches in this package replace functions of this exact Rasa release; on another one
# they could silently change behaviour, so the server refuses to start (issue #8).
RASA_VERSION = "3.6.21"


@functools.lru_cache(maxsize=1)
def _action_response_validator():
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


@functools.lru_cache(maxsize=1)
def _quick_validators():
    """The response without its events' `oneOf`, and one validator per event type."""
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.utils.schemas.events import EVENT_SCHEMA

    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    shell = {**schema, "properties": {**schema["properties"], "events": {"type": "array"}}}
    common = {key: value for key, value in EVENT_SCHEMA.items() if key != "oneOf"}
    per_type = {branch["properties"]["event"]["const"]: validator_class({**common, **{
        "allOf": [branch]}}) for branch in EVENT_SCHEMA["oneOf"]}
    return validator_class(shell), per_type


def _quickly_valid(result) -> bool:
    shell, per_type = _quick_validators()
    if not shell.is_valid(result):
        return False
    for event in result.get("events") or []:
        check = per_type.get(event.get("event")) if isinstance(event, dict) else None
        if check is None or not check.is_valid(event):
            return False
    return True


def _validate_action_result(self, result: dict) -> bool:  # a RemoteAction method
    try:
        if not _quickly_valid(result):
            _action_response_validator().validate(result)
        return True
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, make sure your "
            "response from the Action endpoint is valid."
        )
        raise error


def check_rasa_version() -> None:
    import rasa

    if rasa.__version__ != RASA_VERSION:
        raise SystemExit(
            f"rasa_server patches Rasa {RASA_VERSION} internals, but Rasa {rasa.__version__} "
            f"is installed. Install the pinned version (pip install -c constraints.txt "
            f"rasa=={RASA_VERSION}) or review every patch in rasa_server/ for the new "
            f"version and update RASA_VERSION.")


def install() -> None:
    """The Rasa server's fixes (not needed by the action server)."""
    check_rasa_version()
    from rasa.core.actions.action import RemoteAction

    from rasa_server import (
        applied_events,
        debug_copies,
        events,
        gc_freeze,
        graph_runner,
        lock_store,
        nlu_features,
        rule_policy,
        tracker_copy,
    )

    RemoteAction._validate_action_result = _validate_action_result
    lock_store.install()  # several instances sharing Redis: see lock_store.py
    events.install()  # event classes looked up by name in a table: see events.py
    rule_policy.install()  # the states of a conversation once per prediction: rule_policy.py
    applied_events.install()  # events sorted by class, not by isinstance: applied_events.py
    graph_runner.install()  # the graph's nodes in a kept order, without dask: graph_runner.py
    nlu_features.install()  # the classifier's input from sentence features only: nlu_features.py
    debug_copies.install()  # no copies for debug lines that are not written: debug_copies.py
    gc_freeze.install()  # the loaded model out of the garbage collector's walks: gc_freeze.py
    tracker_copy.install()  # a tracker copied without replaying its session: tracker_copy.py


def admin_api_args(argv: list, token: str) -> list:
    """`argv` with Rasa's HTTP API enabled behind `token` when it runs a server; unchanged
    without a token (never an API without one) or for other commands (train, test, ...)."""
    if not token or argv[1:2] != ["run"] or "actions" in argv[2:3]:
        return list(argv)
    if "--auth-token" in argv or "--enable-api" in argv:
        raise SystemExit("RASA_ADMIN_TOKEN is set: leave --enable-api and --auth-token to "
                         "rasa_server (the token must not be on the command line).")
    return [*argv, "--enable-api", "--auth-token", token]


def main() -> None:
    if sys.argv[1:3] != ["run", "actions"]:
        install()
    import rasa.__main__ as rasa_cli

    quiet.keep_after_rasa_setup(rasa_cli)
    sys.argv = admin_api_args(sys.argv, os.environ.get("RASA_ADMIN_TOKEN", ""))
    sys.argv[0] = "rasa"
    rasa_cli.main()


if __name__ == "__main__":
    main()
