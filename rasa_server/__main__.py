"""The `rasa` command line, with measured fixes for Rasa's per-message cost.

Rasa 3.6 checks every action server response with `jsonschema.validate()`, which first
re-validates the schema itself against the JSON-Schema meta-schema, on every call. A
profile of the REST server under load showed that check taking about 75% of its CPU per
message. Here the validator is built once; responses are checked against the same schema
and rejected with the same error. The other patches are in their own modules (events.py,
lock_store.py; tracker_store.py is configured, not patched). Every patch replaces a
function of Rasa 3.6.21, so the server refuses to start on any other Rasa version.

    python -m rasa_server run --model models ...   # same arguments as `rasa`
"""

from __future__ import annotations

import functools
import sys

from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction

from rasa_server import events, lock_store

# The patches in this package replace functions of this exact Rasa release; on another one
# they could silently change behaviour, so the server refuses to start (issue #8).
RASA_VERSION = "3.6.21"


@functools.lru_cache(maxsize=1)
def _action_response_validator():
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def _validate_action_result(self: RemoteAction, result: dict) -> bool:
    try:
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
    check_rasa_version()
    RemoteAction._validate_action_result = _validate_action_result
    lock_store.install()  # several instances sharing Redis: see lock_store.py
    events.install()  # event classes looked up by name in a table: see events.py


def main() -> None:
    install()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
