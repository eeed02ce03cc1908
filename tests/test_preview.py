"""The staff console's test pane: a message carrying the preview token is answered from the
draft catalog; every other message (no token, a wrong one, previews switched off) from the
published catalog, so citizens can never see an unpublished draft."""

from __future__ import annotations

import shutil

import pytest
import yaml
from rasa_sdk import Tracker

from actions.catalog import CatalogStore
from actions.preview import catalog_for

LLTP_FILE = "thu-tuc/ly-lich-tu-phap.yml"


def tracker(metadata) -> Tracker:
    latest = {"text": "lệ phí lý lịch tư pháp", "intent": {"name": "hoi_le_phi"}, "entities": [],
              "metadata": metadata}
    return Tracker("t", {}, latest, [], False, None, {}, "action_listen")


@pytest.fixture
def drafts(tmp_path, catalog_copy, monkeypatch):
    draft = tmp_path / "draft-catalog"
    shutil.copytree(catalog_copy, draft)
    path = draft / LLTP_FILE
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["thu_tuc"][0]["ten_ngan"] = "Phiếu LLTP (nháp)"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    monkeypatch.setenv("STAFF_DRAFT_CATALOG", str(draft))
    monkeypatch.setenv("STAFF_PREVIEW_TOKEN", "secret-token")
    return CatalogStore(catalog_copy)


def short_name(catalog) -> str:
    return catalog.procedures["ly_lich_tu_phap"].short_name


def test_the_right_token_answers_from_the_drafts(drafts):
    assert short_name(catalog_for(tracker({"preview_token": "secret-token"}), drafts)) == "Phiếu LLTP (nháp)"


@pytest.mark.parametrize("metadata", [None, {}, {"preview_token": "wrong"}, {"preview_token": 1},
                                      "secret-token"])
def test_anything_else_answers_from_the_published_catalog(drafts, metadata):
    assert short_name(catalog_for(tracker(metadata), drafts)) == "Phiếu lý lịch tư pháp"


def test_no_configured_token_means_no_previews(drafts, monkeypatch):
    monkeypatch.setenv("STAFF_PREVIEW_TOKEN", "")
    assert short_name(catalog_for(tracker({"preview_token": ""}), drafts)) == "Phiếu lý lịch tư pháp"
