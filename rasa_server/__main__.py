"""The `rasa` command line, with one measured fix for the cost of custom actions.

Rasa 3.6 checks every action server response with `jsonschema.validate()`, which first
re-validates the schema itself against the JSON-Schema meta-schema, on every call. A
profile of the REST server under load showed that check taking about 75% of its CPU per
message. Here the validator is built once; responses are checked against the same schema
and rejected with the same error. Everything else is stock Rasa.

    python -m rasa_server run --model models ...   # same arguments as `rasa`
    python -m rasa_server run actions ...         # the action server, as `rasa run actions`

Both start quietly: deprecation notices of Rasa's dependencies are dropped (quiet.py). The
action server gets no fix and imports nothing more than `rasa run actions` does (Rasa's core
would add about 400 MB to it), so the fixes' imports happen in install().
"""

from __future__ import annotations

from rasa_server import quiet

quiet.install()  # first: importing Rasa raises the notices it drops

import functools  # noqa: E402
import sys  # noqa: E402

from jsonschema import ValidationError  # noqa: E402
from jsonschema.validators import validator_for  # noqa: E402


@functools.lru_cache(maxsize=1)
def _action_response_validator():
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def _validate_action_result(self, result: dict) -> bool:  # a RemoteAction method
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
    """The Rasa server's fixes (not needed by the action server)."""
    from rasa.core.actions.action import RemoteAction

    from rasa_server import lock_store

    RemoteAction._validate_action_result = _validate_action_result
    lock_store.install()  # several instances sharing Redis: see lock_store.py


def main() -> None:
    if sys.argv[1:3] != ["run", "actions"]:
        install()
    import rasa.__main__ as rasa_cli

    quiet.keep_after_rasa_setup(rasa_cli)
    sys.argv[0] = "rasa"
    rasa_cli.main()


if __name__ == "__main__":
    main()
