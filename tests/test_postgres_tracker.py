"""Conversations in PostgreSQL through endpoints.postgres.yml, on a throwaway local server."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

from actions.settings import PROJECT_ROOT
from scripts.stack import free_port, running_assistant

pytestmark = pytest.mark.e2e


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name)]
    if not found[-1]:
        pytest.fail("PostgreSQL server binaries are missing: `make test` installs them "
                    "(apt-get install postgresql).")
    return found[-1]


def _as_postgres_user(args):
    """initdb and postgres refuse to run as root; use the postgres account when we are root."""
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def _run(args):
    result = subprocess.run(_as_postgres_user(args), capture_output=True, text=True)
    assert result.returncode == 0, f"{args[0]} failed:\n{result.stdout}{result.stderr}"


@pytest.fixture
def postgres():
    # Not under pytest's tmp_path: the postgres account cannot enter root's private folders.
    data, port = Path(tempfile.mkdtemp(prefix="pgdata-")), free_port()
    if os.geteuid() == 0:
        shutil.chown(data, "postgres")
    _run([_pg_bin("initdb"), "-D", str(data), "-A", "trust", "-U", "rasa"])
    _run([_pg_bin("pg_ctl"), "-D", str(data), "-w", "-l", str(data / "server.log"), "-o",
         f"-p {port} -k {data} -c listen_addresses=127.0.0.1", "start"])
    try:
        subprocess.run([_pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "rasa",
                        "conversations"], check=True, capture_output=True)
        yield {"TRACKER_DB_HOST": "127.0.0.1", "TRACKER_DB_PORT": str(port),
               "TRACKER_DB_NAME": "conversations", "TRACKER_DB_USER": "rasa",
               "TRACKER_DB_PASSWORD": ""}
    finally:
        _run([_pg_bin("pg_ctl"), "-D", str(data), "-m", "fast", "stop"])
        shutil.rmtree(data, ignore_errors=True)


def test_conversation_context_lives_in_postgresql(model_path, postgres, tmp_path):
    sender = f"pg-{uuid.uuid4().hex[:8]}"
    settings = dict(model=model_path, endpoints_template=PROJECT_ROOT / "endpoints.postgres.yml",
                    extra_env=postgres)
    with running_assistant(work_dir=tmp_path / "first", **settings) as stack:
        assert "Công an" in stack.ask(sender, "lam ly lich tu phap o dau")[0]["text"]
    rows = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-p", postgres["TRACKER_DB_PORT"], "-U", "rasa", "-At",
         "-c", f"select count(*) from events where sender_id = '{sender}'", "conversations"],
        check=True, capture_output=True, text=True).stdout
    assert int(rows) > 0
    with running_assistant(work_dir=tmp_path / "second", **settings) as stack:
        answer = stack.ask(sender, "phí bao nhiêu?")[0]["text"]
    assert "200.000" in answer, answer
