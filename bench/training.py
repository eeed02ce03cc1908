"""Time `rasa train` of a project, cold (a fresh, empty training cache), into a temp folder."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def time_training(project: Path, label: str) -> dict:
    """Train `project` with its own config/domain/data; the project's models/ is untouched."""
    with tempfile.TemporaryDirectory(prefix=f"bench-train-{label}-") as tmp:
        tmp = Path(tmp)
        env = {**os.environ, "RASA_CACHE_DIRECTORY": str(tmp / "cache"),
               "PYTHONUNBUFFERED": "1", "TF_CPP_MIN_LOG_LEVEL": "2",
               "RASA_TELEMETRY_ENABLED": "false",
               # custom components in the project (e.g. nlu.components.*) must import
               "PYTHONPATH": os.pathsep.join(filter(None, [str(project),
                                                           os.environ.get("PYTHONPATH")]))}
        log = tmp / "train.log"
        print(f"  training {label} ({project}) ...", flush=True)
        began = time.perf_counter()
        with log.open("w") as out:
            code = subprocess.call(
                [str(BIN / "rasa"), "train", "--fixed-model-name", "bench",
                 "--out", str(tmp / "models")],
                cwd=project, env=env, stdout=out, stderr=subprocess.STDOUT)
        seconds = time.perf_counter() - began
        model = tmp / "models" / "bench.tar.gz"
        if code != 0 or not model.exists():
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-20:])
            print(f"  training {label} FAILED (exit {code}):\n{tail}", flush=True)
            return {"seconds": round(seconds, 1), "ok": False, "exit_code": code}
        print(f"  trained {label} in {seconds:.1f} s", flush=True)
        return {"seconds": round(seconds, 1), "ok": True,
                "model_bytes": model.stat().st_size}
