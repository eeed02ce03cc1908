"""Rasa's HTTP API (used to swap the model, scripts/model_swap.py) is never served without
RASA_ADMIN_TOKEN, and the token never goes on a command line (tests/staff/test_retrain.py checks
a server started with one)."""

from __future__ import annotations

import pytest
import requests

from rasa_server.__main__ import admin_api_args

pytestmark = pytest.mark.e2e


def test_without_a_token_the_running_server_has_no_api(assistant):
    assert requests.get(f"{assistant.rasa_url}/status", timeout=10).status_code == 404
    reply = requests.put(f"{assistant.rasa_url}/model", json={"model_file": "/tmp/x.tar.gz"},
                         timeout=10)
    assert reply.status_code in (404, 405)
    assert assistant.ask("admin-api", "phí lý lịch tư pháp bao nhiêu")  # the REST channel is on


def test_the_token_turns_the_api_on_only_for_servers():
    assert admin_api_args(["rasa", "run", "--port", "5005"], "") == ["rasa", "run", "--port", "5005"]
    assert admin_api_args(["rasa", "run", "--port", "5005"], "s3cret")[-3:] == [
        "--enable-api", "--auth-token", "s3cret"]
    assert admin_api_args(["rasa", "train"], "s3cret") == ["rasa", "train"]
    assert admin_api_args(["rasa", "run", "actions"], "s3cret") == ["rasa", "run", "actions"]
    with pytest.raises(SystemExit):
        admin_api_args(["rasa", "run", "--auth-token", "visible-in-ps"], "s3cret")
