"""`make run`'s launcher (scripts/run.py), started as make starts it, on free ports: a quiet start,
the action server on loopback at ACTIONS_PORT (reaching Rasa through endpoints.yml's
${ACTION_ENDPOINT_URL}), and a plain SIGTERM to its parent stops every server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import List, Set

import pytest
import requests

from actions.settings import PROJECT_ROOT
from scripts.stack import free_port

pytestmark = pytest.mark.e2e

# Library noise `make run` used to print (TensorFlow's C++ notices, deprecation warnings).
NOISE = ("DeprecationWarning", "pkg_resources", "declare_namespace", "distutils",
         "MovedIn20Warning", "oneDNN", "cuda", "TensorFlow binary is optimized")


def children_of(pid: int) -> Set[int]:
    """Every process below `pid`, read from /proc."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found |= frontier
    return found


def listening_addresses(port: int) -> List[str]:
    """Local addresses (hex, as in /proc/net/tcp) listening on `port`."""
    addresses = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:
                addresses.append(address)
    return addresses


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture
def launched(model_path, tmp_path):
    ports = {name: str(free_port()) for name in
             ("RASA_PORT", "ACTIONS_PORT", "WIDGET_PORT", "STAFF_PORT")}
    endpoints = tmp_path / "endpoints.yml"
    text = (PROJECT_ROOT / "endpoints.yml").read_text()
    endpoints.write_text(text.replace("db: conversations.db", f"db: {tmp_path / 'conv.db'}"))
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("ZALO_", "TELEGRAM_"))
           and key not in ("ACTION_ENDPOINT_URL", "TF_CPP_MIN_LOG_LEVEL", "RASA_URL",
                           "WIDGET_ORIGINS", "PYTHONWARNINGS")}
    env.update(ports, ENDPOINTS=str(endpoints), MODEL=str(model_path),
               STAFF_DB=str(tmp_path / "staff.db"),
               STAFF_DRAFT_CATALOG=str(tmp_path / "draft"),
               REVIEW_DB=str(tmp_path / "review.db"),
               ZALO_TOKEN_FILE=str(tmp_path / "no-token.json"),
               ASSISTANT_TODAY="not-a-date")  # our own warning, which must still show
    log = tmp_path / "run.log"
    # As make runs it: a parent process (here bash) whose death the launcher must notice.
    parent = subprocess.Popen(
        ["bash", "-c", f"{sys.executable} -m scripts.run; exit $?"], cwd=PROJECT_ROOT, env=env,
        stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 400
        while "The assistant is running" not in log.read_text(errors="replace"):
            assert parent.poll() is None, f"the launcher stopped:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"no start in 400 s:\n{log.read_text()}"
            time.sleep(1)
        yield parent, ports, log
    finally:
        for pid in children_of(parent.pid):
            with_suppressed_kill(pid)
        with_suppressed_kill(parent.pid)


def with_suppressed_kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def test_run_is_quiet_serves_on_its_ports_and_stops_on_sigterm(launched):
    parent, ports, log = launched
    rasa = f"http://127.0.0.1:{ports['RASA_PORT']}"
    reply = requests.post(f"{rasa}/webhooks/rest/webhook", timeout=60,
                          json={"sender": "launcher-test", "message": "lam ly lich tu phap o dau"})
    # The answer comes from the action server at ACTIONS_PORT (no action server on :5055).
    assert "Công an" in "\n".join(m.get("text") or "" for m in reply.json()), reply.text
    assert listening_addresses(int(ports["ACTIONS_PORT"])) == ["0100007F"]  # 127.0.0.1 only

    servers = children_of(parent.pid)
    assert len(servers) >= 4  # launcher, action server, Rasa, demo page (, staff console)
    parent.send_signal(signal.SIGTERM)  # make killed with a plain SIGTERM
    parent.wait(10)
    deadline = time.monotonic() + 60
    while any(alive(pid) for pid in servers) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not [pid for pid in servers if alive(pid)], log.read_text()

    output = log.read_text(errors="replace")
    assert "==> Starting the action server on 127.0.0.1:" in output
    assert "ASSISTANT_TODAY='not-a-date' is not a date" in output, output
    noisy = [line for line in output.splitlines() if any(word in line for word in NOISE)]
    assert noisy == [], "\n".join(noisy)
