"""`make run`: start the assistant and keep it running until Ctrl+C or SIGTERM.

Started in order, each waited for until it answers: the action server (loopback only), Rasa
with the REST channel (or RASA_INSTANCES > 1 Rasa servers behind nginx, scripts/scale.py),
the widget's demo page, the staff console (its own venv), the Telegram bridge when
TELEGRAM_BOT_TOKEN is set and the Zalo bridge when its credentials are set.

The commands, environment and readiness checks are scripts/stack.py's, the same the tests and
the benchmark use. Ctrl+C or a plain SIGTERM stops every server, last started first, and so
does the death of whatever started this launcher (make does not pass SIGTERM on to its
recipe: the launcher asks Linux for a parent-death signal).

Settings (environment; the Makefile passes its own): ENDPOINTS, RASA_PORT, ACTIONS_PORT,
ACTION_ENDPOINT_URL, WIDGET_PORT, WIDGET_ORIGINS, RASA_INSTANCES, STAFF_PORT, MODEL.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import List, Optional, Tuple

from actions.settings import PROJECT_ROOT
from scripts.stack import (
    ACTIONS_ON_LOOPBACK,
    actions_command,
    die_with_parent,
    rasa_command,
    server_env,
    start,
    stop,
    wait_until_up,
)

STARTUP_TIMEOUT = 240
STAFF_PYTHON = PROJECT_ROOT / ".venv-staff" / "bin" / "python"
ZALO_SETTINGS = ("ZALO_APP_ID", "ZALO_APP_SECRET", "ZALO_OA_SECRET_KEY")


def say(text: str) -> None:
    print(f"==> {text}", flush=True)


class Launcher:
    def __init__(self, env: dict) -> None:
        self.env = env
        self.servers: List[Tuple[str, subprocess.Popen]] = []

    def start(self, name: str, args: list, extra_env: Optional[dict] = None,
              ready_url: Optional[str] = None) -> None:
        process = start(args, None, {**self.env, **(extra_env or {})}, PROJECT_ROOT,
                        tied_to_parent=True)
        self.servers.append((name, process))
        if ready_url:
            try:
                wait_until_up(ready_url, process, None, STARTUP_TIMEOUT)
            except RuntimeError as error:
                raise SystemExit(f"{name} failed to start: {error}") from None

    def watch(self) -> int:
        """Return when a server stops by itself (the others are then stopped too)."""
        while True:
            for name, process in self.servers:
                if process.poll() is not None:
                    say(f"{name} stopped (exit {process.returncode}); stopping the others.")
                    return 1
            time.sleep(0.5)

    def stop_all(self) -> None:
        for _, process in reversed(self.servers):
            stop(process)


def zalo_missing(env: dict) -> List[str]:
    missing = [name for name in ZALO_SETTINGS if not env.get(name)]
    token_file = Path(env.get("ZALO_TOKEN_FILE") or PROJECT_ROOT / "var/zalo/token.json")
    has_file = token_file.is_file() and token_file.stat().st_size > 0
    if not (env.get("ZALO_ACCESS_TOKEN") or env.get("ZALO_REFRESH_TOKEN") or has_file):
        missing.append(f"ZALO_ACCESS_TOKEN/ZALO_REFRESH_TOKEN (or {token_file})")
    return missing


def run(launcher: Launcher) -> int:
    env = launcher.env
    rasa_port, actions_port = int(env["RASA_PORT"]), int(env["ACTIONS_PORT"])
    widget_port, staff_port = env["WIDGET_PORT"], env["STAFF_PORT"]
    origins = env["WIDGET_ORIGINS"].split()
    instances = int(env.get("RASA_INSTANCES") or 1)

    say(f"Starting the action server on 127.0.0.1:{actions_port}")
    launcher.start("The action server", actions_command(actions_port), ACTIONS_ON_LOOPBACK,
                   f"http://127.0.0.1:{actions_port}/health")

    if instances > 1:
        # Rasa's multi-instance layout: N servers on RASA_PORT+1..+N sharing PostgreSQL
        # (tracker store) and Redis (lock store) behind nginx on RASA_PORT; see scripts/scale.py.
        launcher.start(f"Rasa x{instances} behind nginx", [sys.executable, "-m", "scripts.scale"],
                       ready_url=f"http://127.0.0.1:{rasa_port}/")
    else:
        endpoints = PROJECT_ROOT / env["ENDPOINTS"]
        say(f"Starting Rasa (REST channel) on :{rasa_port}, conversations as in {env['ENDPOINTS']}")
        model = PROJECT_ROOT / env.get("MODEL", "models/assistant.tar.gz")
        # interface None: every interface, as before (the README's curl, the widget's page).
        launcher.start("Rasa", rasa_command(rasa_port, endpoints, model,
                                            PROJECT_ROOT / "credentials.yml", origins,
                                            interface=None),
                       ready_url=f"http://127.0.0.1:{rasa_port}/")

    say(f"Serving the demo page with the chat widget on :{widget_port}")
    launcher.start("The demo page", [sys.executable, "-m", "channels.web"])

    if STAFF_PYTHON.exists():
        say(f"Starting the staff console on :{staff_port}")
        # The console's own venv does not have this project installed: PYTHONPATH finds it.
        launcher.start("The staff console", [str(STAFF_PYTHON), "-m", "staff"],
                       {"PYTHONPATH": str(PROJECT_ROOT)},
                       f"http://127.0.0.1:{staff_port}/login")

    if env.get("TELEGRAM_BOT_TOKEN"):
        say("Starting the Telegram bridge")
        launcher.start("The Telegram bridge", [sys.executable, "-m", "channels.telegram"])
    else:
        say("Telegram bridge not started: set TELEGRAM_BOT_TOKEN to start it "
            "(see channels/telegram/README.md)")

    missing = zalo_missing(env)
    if not missing:
        say(f"Starting the Zalo OA bridge (webhook on {env.get('ZALO_HOST', '127.0.0.1')}:"
            f"{env.get('ZALO_PORT', '8090')}/zalo/webhook)")
        launcher.start("The Zalo bridge", [sys.executable, "-m", "channels.zalo"])
    else:
        say(f"Zalo bridge not started: missing {' '.join(missing)} (see channels/zalo/README.md)")

    rasa_url = env["RASA_URL"]
    print(f"""
The assistant is running:
  REST:      curl -s -X POST {rasa_url}/webhooks/rest/webhook -H 'Content-Type: application/json' \\
               -d '{{"sender":"me","message":"lam ly lich tu phap o dau"}}'
  Demo page: http://localhost:{widget_port}/
  Staff console: http://localhost:{staff_port}/  (no account yet? make staff-user, or STAFF_ADMIN_PASSWORD=... make run)
Press Ctrl+C to stop.""", flush=True)
    return launcher.watch()


def settings(environ: dict) -> dict:
    """The environment of every server: defaults for what `make run` does not pass."""
    env = dict(environ)
    env.setdefault("ENDPOINTS", "endpoints.yml")
    env.setdefault("RASA_PORT", "5005")
    env.setdefault("ACTIONS_PORT", "5055")
    env.setdefault("WIDGET_PORT", "8080")
    env.setdefault("STAFF_PORT", "8081")
    port = env["WIDGET_PORT"]
    env.setdefault("WIDGET_ORIGINS", f"http://localhost:{port} http://127.0.0.1:{port}")
    # endpoints*.yml name the action server as ${ACTION_ENDPOINT_URL}: ACTIONS_PORT reaches Rasa.
    env.setdefault("ACTION_ENDPOINT_URL", f"http://127.0.0.1:{env['ACTIONS_PORT']}/webhook")
    env.setdefault("RASA_URL", f"http://localhost:{env['RASA_PORT']}")
    # The staff console's test pane: messages carrying this token are answered from its drafts.
    env.setdefault("STAFF_PREVIEW_TOKEN", secrets.token_hex(24))
    # Retraining from the console: Rasa's HTTP API (PUT /model) is served only behind this
    # token, given to Rasa through the environment (rasa_server/__main__.py), never on a
    # command line.
    env.setdefault("RASA_ADMIN_TOKEN", secrets.token_hex(24))
    # The servers a new model is loaded into, one after the other (each instance behind nginx).
    instances = int(env.get("RASA_INSTANCES") or 1)
    if instances > 1:
        env.setdefault("RASA_INSTANCE_URLS", " ".join(
            f"http://127.0.0.1:{int(env['RASA_PORT']) + i}" for i in range(1, instances + 1)))
    return server_env(env)


def main() -> int:
    die_with_parent()  # make killed by SIGTERM: we get SIGTERM too, and stop the servers

    def on_signal(signum, _frame) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    launcher = Launcher(settings(os.environ))
    status = 0
    try:
        status = run(launcher)
    except KeyboardInterrupt:
        print(flush=True)
        say("Stopping")
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl+C must not cut the stop
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        launcher.stop_all()
    return status


if __name__ == "__main__":
    sys.exit(main())
