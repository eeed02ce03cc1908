"""Crash-safe small files for the bridge's runtime state (token pair, button ids, seen events).

Zalo's refresh token is single-use: once Zalo has handed us a new pair, the old refresh token
is dead, so a half-written or lost token file would leave the OA unusable until a human
re-authorises it. Every write therefore goes to a temporary file in the same folder, is
fsync'ed, then atomically renamed over the old file (and the folder is fsync'ed so the rename
itself survives a power cut). Files are created 0600: only the service user may read them.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` so readers only ever see the old or the new content."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    """Make the rename durable; not every file system allows opening a folder, hence suppress."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_json(path: Path, value: Any) -> None:
    write_atomic(path, json.dumps(value, ensure_ascii=False).encode("utf-8"))


def read_json(path: Path) -> Any:
    """The file's JSON, or None when it does not exist yet."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
