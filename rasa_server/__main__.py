"""The `rasa` command line, with one measured fix for the cost of custom actions.

Rasa 3.6 checks every action server response with `jsonschema.validate()`, which first
re-validates the schema itself against the JSON-Schema meta-schema, on every call. A
profile of the REST server under load showed that check taking about 75% of its CPU per
message. Here the validator is built once; responses are checked against the same schema
and rejected with the same error. Everything else is stock Rasa.

    python -m rasa_server run --model models ...   # same arguments as `rasa`

With RASA_ADMIN_TOKEN set, `run` also serves Rasa's HTTP API (`--enable-api`) behind that
token, so the staff console can swap the model (`PUT /model`, scripts/model_swap.py) without a
restart. The token is added here, not on the command line, so `ps` does not show it; without
the variable the API stays off, as before. The listening address is unchanged.
"""

from __future__ import annotations

import functools
import os
import sys

from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction

from rasa_server import lock_store


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


def install() -> None:
    RemoteAction._validate_action_result = _validate_action_result
    lock_store.install()  # several instances sharing Redis: see lock_store.py


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
    install()
    from rasa.__main__ import main as rasa_main

    sys.argv = admin_api_args(sys.argv, os.environ.get("RASA_ADMIN_TOKEN", ""))
    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
