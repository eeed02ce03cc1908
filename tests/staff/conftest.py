"""Fixtures of the staff console tests: a console process per test module (or per test when a
test needs its own settings), always on a private copy of the catalog."""

from __future__ import annotations

import pytest

from console_support import Console


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


@pytest.fixture(scope="session")
def preview_stack(tmp_path_factory, model_path):
    """The real assistant (action server + Rasa) reading a private copy of the catalog, with
    the console's draft catalog and preview token, as `make run` wires them."""
    import secrets
    import shutil
    from types import SimpleNamespace

    from actions.settings import PROJECT_ROOT
    from scripts.stack import running_assistant

    work = tmp_path_factory.mktemp("staff-stack")
    catalog, draft = work / "catalog", work / "draft-catalog"
    shutil.copytree(PROJECT_ROOT / "catalog", catalog)
    shutil.copytree(catalog, draft)
    token = secrets.token_hex(16)
    env = {"CATALOG_DIR": str(catalog), "STAFF_PREVIEW_TOKEN": token, "STAFF_DRAFT_CATALOG": str(draft)}
    with running_assistant(model=model_path, work_dir=work / "assistant", extra_env=env) as stack:
        yield SimpleNamespace(stack=stack, catalog=catalog, draft=draft, token=token, work=work)


@pytest.fixture
def live_console(preview_stack, tmp_path):
    """A console publishing into the catalog the running assistant reads."""
    server = Console(tmp_path, catalog=preview_stack.catalog, draft_catalog=preview_stack.draft,
                     RASA_URL=preview_stack.stack.rasa_url, STAFF_PREVIEW_TOKEN=preview_stack.token)
    yield server
    server.stop()
