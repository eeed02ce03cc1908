"""Several Rasa servers on one machine, the way Rasa itself documents scaling out.

One `rasa run` process uses one core. Rasa's answer (and the layout of its Helm chart) is
N identical instances that keep nothing of a conversation in memory:

* the tracker store in PostgreSQL, so any instance can continue any conversation;
* Rasa's ticket lock store in Redis, so messages of one conversation are processed one
  at a time and in order even when they reach different instances;
* a load balancer in front, here nginx (Debian's package) on RASA_PORT.

nginx retries only what is safe to retry: a connection refused by a dead instance goes to
the next one, but a POST that already reached an instance is never re-sent (it may have
been processed: a retry would answer twice). See `nginx_conf`.

For local use and CI, PostgreSQL, Redis and nginx run here as the user's own processes,
with their data under SCALE_DIR (var/scale/, git-ignored). TRACKER_DB_HOST or REDIS_URL
point at existing servers instead; then nothing is started for them.

    python -m scripts.scale     # what `make run RASA_INSTANCES=N` runs (scripts/run.py)

Tests and the benchmark use `scripts.stack.running_scaled_assistant`, built on `ScaledSet`.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence
from urllib.parse import urlsplit

import requests

from actions.settings import PROJECT_ROOT
from scripts.stack import _tail, free_port, rasa_command, server_env, start, stop, wait_until_up

SCALED_ENDPOINTS = PROJECT_ROOT / "endpoints.scaled.yml"
# A ticket lock lives this long (seconds; Rasa's own TICKET_LOCK_LIFETIME, default 60).
# When an instance dies while it holds a conversation's lock, that conversation's next
# message waits until the lock expires: 10 s is far above a message's processing time
# under load and keeps that wait short.
DEFAULT_LOCK_LIFETIME = "10"


# --- PostgreSQL --------------------------------------------------------------------------


def pg_bin(name: str) -> str:
    """Debian installs the server programs outside PATH, per major version."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name)]
    if not found[-1]:
        raise SystemExit("PostgreSQL is missing: `make run` installs it "
                         "(apt-get install postgresql).")
    return found[-1]


def _as_postgres(args: List[str]) -> List[str]:
    """initdb and postgres refuse to run as root; as root, use the postgres account."""
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


class LocalPostgres:
    """A PostgreSQL server in `data_dir` on 127.0.0.1:`port`, user `rasa`, trust auth
    (loopback only), with the `conversations` database."""

    user, database = "rasa", "conversations"

    def __init__(self, data_dir: Path, port: int, log: Path) -> None:
        self.data_dir, self.port, self.log = data_dir, port, log
        self.process: Optional[subprocess.Popen] = None

    @property
    def env(self) -> Dict[str, str]:
        return {"TRACKER_DB_HOST": "127.0.0.1", "TRACKER_DB_PORT": str(self.port),
                "TRACKER_DB_NAME": self.database, "TRACKER_DB_USER": self.user,
                "TRACKER_DB_PASSWORD": ""}

    def _initdb(self) -> None:
        if (self.data_dir / "PG_VERSION").exists():
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.data_dir, "postgres")
        self.data_dir.chmod(0o700)
        subprocess.run(_as_postgres([pg_bin("initdb"), "-D", str(self.data_dir), "-A", "trust",
                                     "-U", self.user]), check=True, capture_output=True)

    def start(self) -> "LocalPostgres":
        self._initdb()
        self.process = start(_as_postgres([
            pg_bin("postgres"), "-D", str(self.data_dir), "-p", str(self.port),
            "-k", str(self.data_dir), "-c", "listen_addresses=127.0.0.1",
        ]), self.log, dict(os.environ), PROJECT_ROOT)
        self.wait_ready()
        psql = [shutil.which("psql") or pg_bin("psql"), "-h", "127.0.0.1", "-p", str(self.port),
                "-U", self.user, "-d", "postgres", "-Atc"]
        exists = subprocess.run(
            [*psql, f"SELECT 1 FROM pg_database WHERE datname = '{self.database}'"],
            check=True, capture_output=True, text=True).stdout.strip()
        if not exists:
            subprocess.run([*psql, f"CREATE DATABASE {self.database}"], check=True,
                           capture_output=True)
        return self

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"PostgreSQL exited; log {self.log}:\n{_tail(self.log)}")
            if subprocess.run([pg_bin("pg_isready"), "-q", "-h", "127.0.0.1", "-p",
                               str(self.port)]).returncode == 0:
                return
            time.sleep(0.3)
        raise RuntimeError(f"PostgreSQL did not start; log {self.log}:\n{_tail(self.log)}")

    def stop(self) -> None:
        _stop_group(self.process, signal.SIGINT)  # SIGINT = PostgreSQL's fast shutdown


# --- Redis -------------------------------------------------------------------------------


class LocalRedis:
    """Redis on 127.0.0.1:`port`. It only holds short-lived locks: nothing is saved to disk."""

    def __init__(self, data_dir: Path, port: int, log: Path) -> None:
        self.data_dir, self.port, self.log = data_dir, port, log
        self.process: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "LocalRedis":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not Path(binary).exists():
            raise SystemExit("redis-server is missing: `make run` installs it "
                             "(apt-get install redis-server).")
        self.process = start([binary, "--port", str(self.port), "--bind", "127.0.0.1",
                               "--dir", str(self.data_dir), "--save", "", "--appendonly", "no",
                               "--daemonize", "no"], self.log, dict(os.environ), PROJECT_ROOT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Redis exited; log {self.log}:\n{_tail(self.log)}")
            with contextlib.suppress(OSError):
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return self
            time.sleep(0.2)
        raise RuntimeError(f"Redis did not start; log {self.log}:\n{_tail(self.log)}")

    def stop(self) -> None:
        _stop_group(self.process, signal.SIGTERM)

    def restart(self) -> None:
        self.stop()
        self.start()


def redis_env(url: str, key_prefix: str = "assistant") -> Dict[str, str]:
    """The lock store's settings from a redis://[:password@]host[:port][/db] URL."""
    parts = urlsplit(url if "://" in url else f"redis://{url}")
    return {"REDIS_HOST": parts.hostname or "localhost", "REDIS_PORT": str(parts.port or 6379),
            "REDIS_DB": (parts.path.strip("/") or "0"), "REDIS_PASSWORD": parts.password or "",
            "REDIS_KEY_PREFIX": key_prefix}


# --- nginx -------------------------------------------------------------------------------


# The "sender" string of a JSON body, as an nginx map regex in a quoted string (nginx turns
# \" into " and \\\\ into \\): a quote inside the message is escaped in JSON, so the message
# itself can never match.
SENDER_IN_BODY = r'"~\"sender\"\s*:\s*\"(?<sender>(?:[^\"\\\\]|\\\\.)*)\""'

# How nginx picks an instance (RASA_BALANCE). `least_conn` (the default): the least busy one,
# so 20 conversations load both evenly. `conversation`: every message of a conversation to
# the same instance (a consistent hash of its sender), where the tracker the instance kept
# from the previous message is current and need not be read and replayed from PostgreSQL.
# Measured here (README, Benchmark): with only 20 conversations the hash split them up to
# 78/22 between 2 instances, which cost more than the kept trackers saved; with the
# hundreds of conversations of real traffic the split evens out.
BALANCES = ("least_conn", "conversation")

_BY_CONVERSATION = """
  # Each conversation goes to one instance, found from the "sender" of the REST body (the
  # widget, the bridges and the bench all send one) or from /conversations/<id>/ in the
  # path. Correctness does not depend on it: the Redis lock orders a conversation's
  # messages and a kept tracker is checked against the store before use, so when an
  # instance dies its conversations simply continue on another one. A request with neither
  # is balanced by its random request id. The body must stay in memory for $request_body
  # (a message is far below 64k; a larger body goes to a file and counts as one without a
  # sender).
  client_body_buffer_size 64k;
  client_body_in_single_buffer on;
  map $uri $conversation_in_path {
    "~^/conversations/(?<id>[^/]+)/" $id;
    default $request_id;
  }
  map $request_body $conversation {
    %s $sender;
    default $conversation_in_path;
  }
""" % SENDER_IN_BODY

_UPSTREAM_METHOD = {
    "least_conn": "least_conn;  # a slow message on one instance does not queue others behind it",
    # consistent: when an instance leaves or comes back, only its share of conversations moves
    "conversation": "hash $conversation consistent;",
}


def nginx_conf(listen: str, upstream_ports: Sequence[int], prefix: Path,
               access_log: bool = False, balance: str = "least_conn") -> str:
    """nginx in front of the instances; every choice that matters for safety is explained.
    `access_log` writes prefix/access.log with the instance that served each request;
    `balance` is one of BALANCES."""
    if balance not in BALANCES:
        raise SystemExit(f"RASA_BALANCE={balance!r}: use one of {', '.join(BALANCES)}.")
    # A refused connection is retried on the next instance at no cost, so a dead instance
    # may take 3 tries before it is left out for 5 s; a live but slow one is not left out
    # for one timeout (with the other one dead, nginx would then answer "no live upstreams").
    servers = "\n".join(f"    server 127.0.0.1:{port} max_fails=3 fail_timeout=5s;"
                        for port in upstream_ports)
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers stay the launcher's user
    return f"""# Written by scripts/scale.py; edit that file, not this one.
{user}worker_processes 1;  # nginx's share per message is tiny: leave the cores to Rasa
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 4096; }}

http {{
  log_format upstream '$time_iso8601 "$request" $status upstream=$upstream_addr '
                      'upstream_status=$upstream_status time=$request_time';
  # Off by default: a line per message costs CPU and disk (NGINX_ACCESS_LOG=1 turns it on).
  access_log {f"{prefix}/access.log upstream" if access_log else "off"};
  client_body_temp_path {prefix}/client_body;
  proxy_temp_path {prefix}/proxy;
  fastcgi_temp_path {prefix}/fastcgi;
  uwsgi_temp_path {prefix}/uwsgi;
  scgi_temp_path {prefix}/scgi;
  client_max_body_size 1m;
{_BY_CONVERSATION if balance == "conversation" else ""}
  upstream rasa {{
    {_UPSTREAM_METHOD[balance]}
{servers}
    keepalive 64;  # reuse connections to the instances
  }}

  server {{
    listen {listen};
    location / {{
      proxy_pass http://rasa;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      # CORS: Rasa (--cors) answers the widget's preflight and adds the headers; nginx
      # passes them through untouched.
      proxy_connect_timeout 2s;
      proxy_read_timeout 60s;
      # Retry on the next instance only when the request could not be delivered
      # (refused, unreachable, connect timeout). nginx never re-sends a POST that was
      # already sent to an instance unless `non_idempotent` is listed: it is not, so a
      # message is never processed twice.
      proxy_next_upstream error timeout;
      proxy_next_upstream_timeout 10s;
    }}
  }}
}}
"""


class Nginx:
    def __init__(self, prefix: Path, listen: str, upstream_ports: Sequence[int],
                 access_log: bool = False, balance: str = "least_conn") -> None:
        self.prefix, self.listen, self.upstream_ports = prefix, listen, list(upstream_ports)
        self.access_log, self.balance = access_log, balance
        self.process: Optional[subprocess.Popen] = None

    def start(self) -> "Nginx":
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(binary).exists():
            raise SystemExit("nginx is missing: `make run` installs it (apt-get install nginx).")
        self.prefix.mkdir(parents=True, exist_ok=True)
        conf = self.prefix / "nginx.conf"
        conf.write_text(nginx_conf(self.listen, self.upstream_ports, self.prefix,
                                   self.access_log, self.balance))
        log = self.prefix / "nginx.out"
        self.process = start([binary, "-p", str(self.prefix), "-c", str(conf),
                               "-e", str(self.prefix / "error.log"),
                               "-g", "daemon off;"], log, dict(os.environ), PROJECT_ROOT)
        host, port = self.listen.rsplit(":", 1)
        host = "127.0.0.1" if host in ("0.0.0.0", "") else host
        deadline = time.monotonic() + 15  # nginx retries a busy port for a few seconds
        while time.monotonic() < deadline and self.process.poll() is None:
            with contextlib.suppress(OSError), socket.create_connection((host, int(port)), 1):
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"nginx did not start on {self.listen}; {log}:\n{_tail(log)}\n"
                           f"{_tail(self.prefix / 'error.log')}")

    def stop(self) -> None:
        _stop_group(self.process, signal.SIGQUIT)  # graceful: finishes requests in flight


def _stop_group(process: Optional[subprocess.Popen], sig: int, timeout: float = 20) -> None:
    """Stop a server started in its own session, with its children (runuser, workers)."""
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


# --- the Rasa instances --------------------------------------------------------------------


@dataclass
class Instance:
    number: int
    port: int
    log: Path
    process: Optional[subprocess.Popen] = None
    started_at: float = 0.0
    quick_deaths: int = 0  # exits soon after a start, in a row
    given_up: bool = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class ScaledSet:
    """PostgreSQL, Redis, N Rasa instances and nginx; `supervise()` restarts instances."""

    instances: int
    port: int                      # nginx; instances on port+1 ... port+N
    work_dir: Path
    actions_url: str
    model: Path
    listen_host: str = "127.0.0.1"
    cors: Sequence[str] = ()
    env: Dict[str, str] = field(default_factory=dict)  # TRACKER_DB_*, REDIS_URL overrides
    instance_ports: Optional[Sequence[int]] = None
    postgres_port: Optional[int] = None
    redis_port: Optional[int] = None
    startup_timeout: float = 300
    access_log: bool = False
    balance: str = "least_conn"  # RASA_BALANCE, see BALANCES
    postgres: Optional[LocalPostgres] = None
    redis: Optional[LocalRedis] = None
    nginx: Optional[Nginx] = None
    members: List[Instance] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.listen_host in ("0.0.0.0", "") else self.listen_host
        return f"http://{host}:{self.port}"

    def rasa_env(self) -> Dict[str, str]:
        env = server_env({**self.env, "ACTION_ENDPOINT_URL": f"{self.actions_url}/webhook"})
        env.setdefault("TICKET_LOCK_LIFETIME", DEFAULT_LOCK_LIFETIME)
        if self.postgres:
            env.update(self.postgres.env)
        env.update(redis_env(self.redis.url if self.redis else env["REDIS_URL"],
                             env.get("REDIS_KEY_PREFIX", "assistant")))
        return env

    def start(self) -> "ScaledSet":
        self.work_dir.mkdir(parents=True, exist_ok=True)
        if not self.env.get("TRACKER_DB_HOST", os.environ.get("TRACKER_DB_HOST")):
            self.postgres = LocalPostgres(self.work_dir / "postgres",
                                          self.postgres_port or free_port(),
                                          self.work_dir / "postgres.log").start()
        if not self.env.get("REDIS_URL", os.environ.get("REDIS_URL")):
            self.redis = LocalRedis(self.work_dir / "redis", self.redis_port or free_port(),
                                    self.work_dir / "redis.log").start()
        ports = list(self.instance_ports or
                     [self.port + number for number in range(1, self.instances + 1)])
        self.members = [Instance(n, port, self.work_dir / f"rasa-{n}.log")
                        for n, port in enumerate(ports, start=1)]
        # All at once: Rasa's SQL store copes with instances creating its tables together.
        for member in self.members:
            self._launch(member)
        for member in self.members:
            wait_until_up(f"{member.url}/", member.process, member.log, self.startup_timeout)
        self.nginx = Nginx(self.work_dir / "nginx", f"{self.listen_host}:{self.port}",
                           ports, self.access_log, self.balance).start()
        return self

    def _launch(self, member: Instance) -> None:
        args = rasa_command(member.port, SCALED_ENDPOINTS, self.model,
                            PROJECT_ROOT / "credentials.yml", self.cors)
        member.process = start(args, member.log, self.rasa_env(), PROJECT_ROOT)
        member.started_at = time.monotonic()

    def check_instances(self, say=print) -> None:
        """Restart an instance that exited; give up on one that keeps dying at start."""
        for member in self.members:
            if self.stopping.is_set():  # stopping: exits are expected, restart nothing
                return
            if member.given_up or member.process is None or member.process.poll() is None:
                continue
            code = member.process.returncode
            quick = time.monotonic() - member.started_at < 120
            member.quick_deaths = member.quick_deaths + 1 if quick else 0
            if member.quick_deaths >= 3:
                member.given_up = True
                say(f"Rasa instance {member.number} (:{member.port}) stopped (exit {code}) "
                    f"three times in a row soon after starting; not restarting it. "
                    f"Log: {member.log}\n{_tail(member.log, 15)}")
                continue
            say(f"Rasa instance {member.number} (:{member.port}) stopped (exit {code}); "
                f"restarting it. nginx sends its conversations to the others meanwhile.")
            self._launch(member)

    def supervise(self, interval: float = 1.0, say=print) -> None:
        while not self.stopping.wait(interval):
            self.check_instances(say)
            if all(member.given_up for member in self.members):
                raise SystemExit("Every Rasa instance stopped; see the logs above.")

    def stop(self) -> None:
        self.stopping.set()
        if self.nginx:
            self.nginx.stop()
        for member in self.members:
            if member.process is not None:
                stop(member.process)
        for server in (self.redis, self.postgres):
            if server:
                server.stop()

    def instance_answers(self, member: Instance) -> bool:
        with contextlib.suppress(requests.RequestException):
            return requests.get(f"{member.url}/", timeout=2).status_code == 200
        return False


# --- `make run RASA_INSTANCES=N` ---------------------------------------------------------


def main() -> int:
    env = os.environ
    port = int(env.get("RASA_PORT", "5005"))
    scaled = ScaledSet(
        instances=int(env.get("RASA_INSTANCES", "2")),
        port=port,
        work_dir=PROJECT_ROOT / env.get("SCALE_DIR", "var/scale"),
        actions_url=f"http://localhost:{env.get('ACTIONS_PORT', '5055')}",
        model=PROJECT_ROOT / env.get("MODEL", "models/assistant.tar.gz"),
        listen_host=env.get("RASA_LISTEN", "0.0.0.0"),
        cors=env.get("WIDGET_ORIGINS", "").split(),
        postgres_port=int(env.get("TRACKER_DB_PORT") or 5432),
        redis_port=int(env.get("REDIS_PORT") or 6379),
        access_log=env.get("NGINX_ACCESS_LOG", "") not in ("", "0"),
        balance=env.get("RASA_BALANCE") or "least_conn",
    )
    started = threading.Event()

    def on_signal(*_) -> None:
        scaled.stopping.set()
        if not started.is_set():
            raise KeyboardInterrupt  # still starting: stop waiting, clean up below

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, on_signal)
    try:
        print(f"==> Starting {scaled.instances} Rasa instances on :{port + 1}-"
              f":{port + scaled.instances} behind nginx on :{port}", flush=True)
        scaled.start()
        started.set()
        pg, redis = scaled.postgres, scaled.redis
        tracker = (f"127.0.0.1:{pg.port} ({pg.data_dir})" if pg else env["TRACKER_DB_HOST"])
        locks = redis.url if redis else env["REDIS_URL"]
        print(f"==> Rasa x{scaled.instances} ready behind nginx on :{port}; conversations in "
              f"PostgreSQL {tracker}, locks in Redis {locks}; logs in {scaled.work_dir}",
              flush=True)
        scaled.supervise(say=lambda text: print(f"==> {text}", flush=True))
    except KeyboardInterrupt:
        pass
    finally:
        scaled.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
