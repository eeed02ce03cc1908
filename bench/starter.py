"""Stock Rasa's starter bot (`rasa init`), the yardstick: created and trained once, cached in
starter-bot/ (gitignored) so later runs reuse it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from actions.settings import PROJECT_ROOT

from .measure import newest_model

STARTER_DIR = PROJECT_ROOT / "starter-bot"
BIN = Path(sys.executable).parent


def ensure_starter_bot(directory: Path = STARTER_DIR) -> Path:
    """The starter bot's project folder, with a trained model in its models/."""
    if (directory / "models").is_dir() and list((directory / "models").glob("*.tar.gz")):
        print(f"  reusing the starter bot in {directory}", flush=True)
        return directory
    print(f"  creating the starter bot with `rasa init` in {directory} (trains it, ~1-2 min) ...",
          flush=True)
    if directory.exists():
        shutil.rmtree(directory)  # a half-made one from an interrupted run
    directory.mkdir(parents=True)
    log = Path(tempfile.gettempdir()) / "starter-bot-init.log"
    began = time.perf_counter()
    with log.open("w") as out:
        code = subprocess.call([str(BIN / "rasa"), "init", "--no-prompt", "--init-dir",
                                str(directory)], cwd=directory, stdout=out,
                               stderr=subprocess.STDOUT,
                               env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"})
    if code != 0 or not list((directory / "models").glob("*.tar.gz")):
        raise SystemExit(f"`rasa init` failed (exit {code}), see {log}")
    shutil.copy(log, directory / "init.log")
    print(f"  starter bot created in {time.perf_counter() - began:.0f} s", flush=True)
    return directory


def starter_model(directory: Path = STARTER_DIR) -> Path:
    return newest_model(directory / "models")
