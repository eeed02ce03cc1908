"""Small pieces of the Zalo bridge whose rules come from the issue or from Zalo."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from channels.zalo.config import ConfigError, load_settings
from channels.zalo.render import ZALO_TEXT_LIMIT, split_text
from channels.zalo.signature import is_fresh, sign, valid_signature

REQUIRED = {"ZALO_APP_ID": "1", "ZALO_APP_SECRET": "app-secret", "ZALO_OA_SECRET_KEY": "oa-key"}


def test_defaults_are_the_documented_ones():
    settings = load_settings(REQUIRED)
    assert (settings.host, settings.port) == ("127.0.0.1", 8090)
    assert settings.api_base == "https://openapi.zalo.me"
    assert settings.oauth_base == "https://oauth.zaloapp.com"
    assert settings.token_file == Path("var/zalo/token.json")
    assert settings.replay_window == 300


@pytest.mark.parametrize("missing", sorted(REQUIRED))
def test_a_missing_credential_is_named(missing):
    env = {k: v for k, v in REQUIRED.items() if k != missing}
    with pytest.raises(ConfigError, match=missing):
        load_settings(env)


def test_bad_number_is_named():
    with pytest.raises(ConfigError, match="ZALO_PORT"):
        load_settings({**REQUIRED, "ZALO_PORT": "http"})


def test_signature_is_mac_sha256_of_app_id_body_timestamp_secret():
    body = b'{"event_name":"user_send_text","timestamp":"1700000000000"}'
    expected = "mac=" + hashlib.sha256(b"1" + body + b"1700000000000" + b"oa-key").hexdigest()
    assert sign("1", body, "1700000000000", "oa-key") == expected
    assert valid_signature(expected, "1", body, "1700000000000", "oa-key")
    assert not valid_signature(expected, "1", body + b" ", "1700000000000", "oa-key")
    assert not valid_signature(None, "1", body, "1700000000000", "oa-key")


def test_freshness_window_in_milliseconds():
    now = 1_700_000_000.0
    assert is_fresh("1700000000000", 300, clock=lambda: now)
    assert is_fresh(str(int((now - 299) * 1000)), 300, clock=lambda: now)
    assert not is_fresh(str(int((now - 301) * 1000)), 300, clock=lambda: now)
    assert not is_fresh(str(int((now + 301) * 1000)), 300, clock=lambda: now)
    assert not is_fresh("yesterday", 300, clock=lambda: now)


def test_one_long_line_is_cut_at_spaces_and_links_stay_whole():
    url = "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1"
    line = " ".join(["Hồ sơ gồm tờ khai và bản sao giấy tờ, xem", url] * 60)
    parts = split_text(line)
    assert len(parts) > 1 and all(len(part) <= ZALO_TEXT_LIMIT for part in parts)
    assert " ".join(parts) == line
    assert all(part.count("https://") == part.count(url) for part in parts)
