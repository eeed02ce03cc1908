"""The `rasa` command line, with one measured fix for the cost of custom actions.

Rasa 3.6 checks every action server response with `jsonschema.validate()`, which first
re-validates the schema itself against the JSON-Schema meta-schema, on every call. A
profile of the REST server under load showed that check taking about 75% of its CPU per
message. Here the validator is built once; responses are checked against the same schema
and rejected with the same error. Everything else is stock Rasa.

    python -m rasa_server run --model models ...   # same arguments as `rasa`
"""

from __future__ import annotations

import functools
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


def main() -> None:
    install()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
