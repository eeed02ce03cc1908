"""How the assistant's servers are started: the one launcher of `make run` (scripts/run.py),
the tests and the benchmarks.

The commands, environment and readiness checks live here once (`actions_command`,
`rasa_command`, `server_env`, `start`, `wait_until_up`). `running_assistant()` is what tests
and benchmarks use: it picks free loopback ports, writes an endpoints file that points Rasa at
the action server and at a SQLite tracker store in a temporary folder, waits until both
servers answer, and stops them on exit. Server logs go to files so a failure can show them.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
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
# A quiet start: TensorFlow's C++ notices and SQLAlchemy's 2.0-migration notice (raised by
# Rasa's own tracker store code) are not ours to act on. Python deprecation notices of Rasa's
# dependencies are filtered inside the process (rasa_server/quiet.py): sanic resets the filters
# an environment variable would set. Our own warnings and errors still show.
QUIET = {"TF_CPP_MIN_LOG_LEVEL": "2", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}
# rasa_sdk binds SANIC_HOST (default 0.0.0.0); only Rasa on this machine calls the actions.
ACTIONS_ON_LOOPBACK = {"SANIC_HOST": "127.0.0.1"}


def server_env(extra: Optional[dict] = None) -> dict:
    """The environment of every server process: ours, quiet, unbuffered, no telemetry."""
    return {**os.environ, **QUIET, "PYTHONUNBUFFERED": "1", "RASA_TELEMETRY_ENABLED": "false",
            **(extra or {})}


def actions_command(port: int, package: str = "actions") -> List[str]:
    """The action server (run with ACTIONS_ON_LOOPBACK in its environment). Through
    rasa_server, which is the `rasa` command line plus quiet warnings (rasa_server/quiet.py)."""
    return [sys.executable, "-m", "rasa_server", "run", "actions", "--actions", package,
            "--port", str(port)]


def rasa_command(port: int, endpoints: Path, model: Path, credentials: Path,
                 cors: Sequence[str] = (), interface: Optional[str] = "127.0.0.1") -> List[str]:
    """Rasa with the REST channel; rasa_server is `rasa` with cheaper per-message work (see
    rasa_server/__init__.py). `interface` None: Rasa's default, every interface."""
    args = [sys.executable, "-m", "rasa_server", "run", "--port", str(port),
            "--endpoints", str(endpoints), "--credentials", str(credentials),
            "--model", str(model)]
    if interface:
        args += ["--interface", interface]
    if cors:
        args += ["--cors", *cors]
    return args


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


def _tail(path: Optional[Path], lines: int = 40) -> str:
    if path is None:
        return "(its messages are above)"
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def wait_until_up(url: str, process: subprocess.Popen, log: Optional[Path],
                  timeout: float) -> None:
    """Wait until `url` answers 200; raise with the log's end if the process dies or times out."""
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


def die_with_parent() -> None:
    """Linux: send this process SIGTERM when the process that started it dies (even SIGKILLed),
    so no server outlives its launcher."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


def start(args: list, log: Optional[Path], env: dict, cwd: Path,
          tied_to_parent: bool = False) -> subprocess.Popen:
    """Start a server in its own session (a terminal's Ctrl+C reaches only the launcher, which
    stops the servers in order); output to `log`, or to ours when None (make run).
    `tied_to_parent`: the server gets SIGTERM if its launcher dies, even when SIGKILLed."""
    return subprocess.Popen(
        args, cwd=cwd, env=env, stdout=log.open("w") if log else None,
        stderr=subprocess.STDOUT if log else None, start_new_session=True,
        preexec_fn=die_with_parent if tied_to_parent else None,
    )


def stop(process: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL after 15 s."""
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
        env = server_env(extra_env)
        actions_port, rasa_port = free_port(), free_port()
        actions_url = f"http://127.0.0.1:{actions_port}"
        rasa_url = f"http://127.0.0.1:{rasa_port}"
        tracker_db = work_dir / "tracker.db"
        endpoints = work_dir / "endpoints.yml"
        write_endpoints(endpoints, actions_url, tracker_db, endpoints_template)

        processes = []
        cleanup.callback(lambda: [stop(p) for p in reversed(processes)])
        if with_actions:
            log = work_dir / "actions.log"
            # PYTHONPATH: `project` may be another one (the benchmark's starter bot) whose
            # own `actions` package must win over ours.
            processes.append(start(
                actions_command(actions_port), log,
                {**env, **ACTIONS_ON_LOOPBACK, "PYTHONPATH": str(project)}, project,
            ))
            wait_until_up(f"{actions_url}/health", processes[-1], log, startup_timeout)
        log = work_dir / "rasa.log"
        args = rasa_command(rasa_port, endpoints, model or project / "models",
                            project / "credentials.yml", cors or ())
        processes.append(start(args, log, env, project))
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
    balance: Optional[str] = None,
) -> Iterator[Stack]:
    """The scaled set-up of `make run RASA_INSTANCES=N` on free loopback ports: the action
    server, a throwaway PostgreSQL and Redis, `instances` Rasa servers and nginx in front.

    The Stack's rasa_url is nginx; `stack.scaled` (scripts.scale.ScaledSet) reaches each
    instance, Redis and PostgreSQL, e.g. to kill or restart them. With `supervise`, a
    thread restarts an instance that exits, as `make run` does. `extra_env` can name
    existing servers (TRACKER_DB_*, REDIS_URL) instead of the throwaway ones. `balance`:
    how nginx picks an instance (scripts.scale.BALANCES; default RASA_BALANCE or least_conn)."""
    from scripts.scale import ScaledSet  # scale builds on this module's helpers

    with contextlib.ExitStack() as cleanup:
        if work_dir is None:
            work_dir = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="scaled-")))
        work_dir.mkdir(parents=True, exist_ok=True)
        # PostgreSQL runs as the postgres account when we are root: it must reach its folder.
        work_dir.chmod(0o755)
        env = server_env(extra_env)
        actions_port = free_port()
        actions_url = f"http://127.0.0.1:{actions_port}"
        log = work_dir / "actions.log"
        actions = start(actions_command(actions_port), log, {**env, **ACTIONS_ON_LOOPBACK},
                        PROJECT_ROOT)
        cleanup.callback(stop, actions)
        scaled = ScaledSet(instances=instances, port=free_port(), work_dir=work_dir,
                           actions_url=actions_url, model=model or PROJECT_ROOT / "models",
                           cors=cors or (), env=dict(extra_env or {}),
                           instance_ports=[free_port() for _ in range(instances)],
                           startup_timeout=startup_timeout, access_log=access_log,
                           balance=balance or os.environ.get("RASA_BALANCE") or "least_conn")
        cleanup.callback(scaled.stop)
        wait_until_up(f"{actions_url}/health", actions, log, startup_timeout)
        scaled.start()
        if supervise:
            thread = threading.Thread(target=scaled.supervise, kwargs={"interval": 0.5},
                                      daemon=True)
            thread.start()
        yield Stack(scaled.url, actions_url, work_dir, work_dir / "postgres",
                    [actions, *(m.process for m in scaled.members)], scaled=scaled)
