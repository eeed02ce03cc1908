"""Fixtures of the staff console tests: a console process per test module (or per test when a
test needs its own settings), always on a private copy of the catalog."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from console_support import Console  # noqa: E402  (tests/staff is on sys.path)


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    """A console shared by a module's tests: tests must not depend on each other's drafts."""
    server = Console(tmp_path_factory.mktemp("staff"))
    yield server
    server.stop()


@pytest.fixture
def fresh_console(tmp_path):
    """A console of one's own; pass settings with fresh_console_with(**env)."""
    servers = []

    def start(**env: str) -> Console:
        server = Console(tmp_path / f"c{len(servers)}", **env)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
