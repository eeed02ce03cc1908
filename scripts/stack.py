"""Start the real action server and Rasa server as child processes, for tests and benchmarks.

`running_assistant()` picks free loopback ports, writes an endpoints file that points Rasa at
the action server and at a SQLite tracker store in a temporary folder, waits until both
servers answer, and stops them on exit. Server logs go to files so a failure can show them.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, List, Optional, Sequence

import requests
import yaml

from actions.settings import PROJECT_ROOT

BIN = Path(sys.executable).parent


@dataclass
class Stack:
    rasa_url: str
    actions_url: str
    log_dir: Path
    tracker_db: Path
    # The child processes, action server first (when started) and Rasa last, e.g. for their memory.
    processes: List[subprocess.Popen] = field(default_factory=list)
    # The scaled set-up (scripts.scale.ScaledSet) when started by running_scaled_assistant.
    scaled: Optional[object] = None

    @property
    def rasa_pid(self) -> int:
        return self.processes[-1].pid

    @property
    def webhook_url(self) -> str:
        return f"{self.rasa_url}/webhooks/rest/webhook"

    def ask(self, sender: str, message: str, timeout: float = 30) -> list:
        """Send one message over the REST channel and return Rasa's list of bot messages."""
        reply = requests.post(
            self.webhook_url, json={"sender": sender, "message": message}, timeout=timeout
        )
        reply.raise_for_status()
        return reply.json()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def wait_until_up(url: str, process: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited with {process.returncode}; log {log}:\n{_tail(log)}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f}s; log {log}:\n{_tail(log)}")


def _start(args: list, log: Path, env: dict, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        args, cwd=cwd, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def write_endpoints(path: Path, actions_url: str, tracker_db: Path,
                    template: Optional[Path] = None) -> None:
    """Endpoints for this run: the given action server, and the tracker store of `template`
    (e.g. endpoints.postgres.yml, ${VARS} left for Rasa to fill) or SQLite in `tracker_db`."""
    config = yaml.safe_load(template.read_text()) if template else {
        "tracker_store": {"type": "rasa_server.tracker_store.FastSQLTrackerStore",
                          "dialect": "sqlite", "db": str(tracker_db)}}
    config["action_endpoint"] = {"url": f"{actions_url}/webhook"}
    path.write_text(yaml.safe_dump(config, sort_keys=False))


@contextlib.contextmanager
def running_assistant(
    model: Optional[Path] = None,
    project: Path = PROJECT_ROOT,
    with_actions: bool = True,
    work_dir: Optional[Path] = None,
    extra_env: Optional[dict] = None,
    startup_timeout: float = 240,
    cors: Optional[Sequence[str]] = None,
    endpoints_template: Optional[Path] = None,
) -> Iterator[Stack]:
    """Run `rasa run actions` (from `project`) and `rasa run` with the REST channel.

    `model` defaults to the newest model in `project`/models. `work_dir` keeps logs and
    the tracker database (a temporary folder by default). `cors` lists the origins Rasa
    allows (`rasa run --cors ...`, e.g. the widget's page); none by default.
    `endpoints_template` takes the tracker store from an endpoints file instead of SQLite."""
    with contextlib.ExitStack() as cleanup:
        if work_dir is None:
            work_dir = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="stack-")))
        work_dir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "RASA_TELEMETRY_ENABLED": "false",
               **(extra_env or {})}
        rasa = str(BIN / "rasa")
        actions_port, rasa_port = free_port(), free_port()
        actions_url = f"http://127.0.0.1:{actions_port}"
        rasa_url = f"http://127.0.0.1:{rasa_port}"
        tracker_db = work_dir / "tracker.db"
        endpoints = work_dir / "endpoints.yml"
        write_endpoints(endpoints, actions_url, tracker_db, endpoints_template)

        processes = []
        cleanup.callback(lambda: [_stop(p) for p in reversed(processes)])
        if with_actions:
            log = work_dir / "actions.log"
            processes.append(_start(
                [rasa, "run", "actions", "--actions", "actions", "--port", str(actions_port)],
                log, {**env, "PYTHONPATH": str(project)}, project,
            ))
            wait_until_up(f"{actions_url}/health", processes[-1], log, startup_timeout)
        log = work_dir / "rasa.log"
        # rasa_server is `rasa` with cheaper per-message work (see rasa_server/__init__.py).
        args = [sys.executable, "-m", "rasa_server", "run", "--port", str(rasa_port),
                "--interface", "127.0.0.1", "--endpoints", str(endpoints),
                "--credentials", str(project / "credentials.yml")]
        args += ["--model", str(model or project / "models")]
        if cors:
            args += ["--cors", *cors]
        processes.append(_start(args, log, env, project))  # rasa_server: installed (make setup)
        wait_until_up(f"{rasa_url}/", processes[-1], log, startup_timeout)
        yield Stack(rasa_url, actions_url, work_dir, tracker_db, list(processes))


@contextlib.contextmanager
def running_scaled_assistant(
    instances: int = 2,
    model: Optional[Path] = None,
    work_dir: Optional[Path] = None,
    extra_env: Optional[dict] = None,
    startup_timeout: float = 300,
    cors: Optional[Sequence[str]] = None,
    supervise: bool = True,
    access_log: bool = False,
) -> Iterator[Stack]:
    """The scaled set-up of `make run RASA_INSTANCES=N` on free loopback ports: the action
    server, a throwaway PostgreSQL and Redis, `instances` Rasa servers and nginx in front.

    The Stack's rasa_url is nginx; `stack.scaled` (scripts.scale.ScaledSet) reaches each
    instance, Redis and PostgreSQL, e.g. to kill or restart them. With `supervise`, a
    thread restarts an instance that exits, as `make run` does. `extra_env` can name
    existing servers (TRACKER_DB_*, REDIS_URL) instead of the throwaway ones."""
    from scripts.scale import ScaledSet  # scale builds on this module's helpers

    with contextlib.ExitStack() as cleanup:
        if work_dir is None:
            work_dir = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="scaled-")))
        work_dir.mkdir(parents=True, exist_ok=True)
        # PostgreSQL runs as the postgres account when we are root: it must reach its folder.
        work_dir.chmod(0o755)
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "RASA_TELEMETRY_ENABLED": "false",
               **(extra_env or {})}
        actions_port = free_port()
        actions_url = f"http://127.0.0.1:{actions_port}"
        log = work_dir / "actions.log"
        actions = _start([str(BIN / "rasa"), "run", "actions", "--actions", "actions",
                          "--port", str(actions_port)], log, env,
                         PROJECT_ROOT)
        cleanup.callback(_stop, actions)
        scaled = ScaledSet(instances=instances, port=free_port(), work_dir=work_dir,
                           actions_url=actions_url, model=model or PROJECT_ROOT / "models",
                           cors=cors or (), env=dict(extra_env or {}),
                           instance_ports=[free_port() for _ in range(instances)],
                           startup_timeout=startup_timeout, access_log=access_log)
        cleanup.callback(scaled.stop)
        wait_until_up(f"{actions_url}/health", actions, log, startup_timeout)
        scaled.start()
        if supervise:
            thread = threading.Thread(target=scaled.supervise, kwargs={"interval": 0.5},
                                      daemon=True)
            thread.start()
        yield Stack(scaled.url, actions_url, work_dir, work_dir / "postgres",
                    [actions, *(m.process for m in scaled.members)], scaled=scaled)
