"""Shared fixtures: the real catalog, copies of it to break, and a running assistant."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from actions.catalog import load_catalog
from actions.settings import PROJECT_ROOT
from scripts.stack import running_assistant

CATALOG = PROJECT_ROOT / "catalog"
MODEL = PROJECT_ROOT / "models" / "assistant.tar.gz"


@pytest.fixture(scope="session")
def catalog():
    return load_catalog(CATALOG)


@pytest.fixture
def catalog_copy(tmp_path) -> Path:
    """A private copy of the catalog that a test may edit or break."""
    target = tmp_path / "catalog"
    shutil.copytree(CATALOG, target)
    return target


@pytest.fixture(scope="session")
def model_path() -> Path:
    if not MODEL.exists():
        pytest.fail(f"No trained model at {MODEL}: run `make train` (make test does it for you).")
    return MODEL


@pytest.fixture(scope="module")
def agent(model_path):
    """The trained model loaded in-process (Rasa's Agent), for tests of understanding and
    prediction without servers."""
    from rasa.core.agent import Agent

    return Agent.load(str(model_path))


@pytest.fixture(scope="session")
def assistant(model_path, tmp_path_factory):
    """The real action server and Rasa server (REST channel), shared by the e2e tests."""
    with running_assistant(model=model_path, work_dir=tmp_path_factory.mktemp("assistant")) as stack:
        yield stack


@pytest.fixture
def today_is_fixed(monkeypatch):
    """The date the catalog's dated rules are read on, fixed for the answer tests (their
    facts change with the day: ASSISTANT_TODAY is "today" in Vietnam)."""
    monkeypatch.setenv("ASSISTANT_TODAY", "2026-11-27")
