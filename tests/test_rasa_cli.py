"""The Rasa launcher's cheaper response check accepts and rejects exactly what Rasa's own does."""

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from scripts import rasa_cli

VALID = {"events": [{"event": "slot", "name": "procedure", "value": "ly_lich_tu_phap"}],
         "responses": [{"text": "Xin chào", "buttons": []}]}
INVALID = [{"events": "not a list"}, {"events": [{"event": "no_such_event"}]},
           {"responses": ["not an object"]}]
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
