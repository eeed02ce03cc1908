"""Switch running Rasa servers to a new model without dropping a request.

Rasa 3.6's `PUT /model` (rasa/server.py, `load_model`) loads the new agent first and only then
replaces `app.ctx.agent`; the channels look the agent up per message
(rasa/core/channels/channel.py, `handler`), so a message already being processed finishes on
the old agent and the next one gets the new agent. Loading runs on the server's event loop, so
messages arriving meanwhile wait a few seconds; none is refused. The lock store is carried over,
so a conversation's messages stay in order across the switch.

With several instances (scripts/scale.py) each is switched in turn, so nginx always has
servers answering. If one instance cannot be switched, the ones already switched go back to the
serving model file, which is left untouched until every instance has the new model: the old
model keeps serving everywhere, and a restart loads the same model as before.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import List, Sequence

import requests

# Loading a model blocks a Rasa server for a few seconds; on a busy 2-core machine, longer.
LOAD_TIMEOUT = 300


class SwapError(Exception):
    """A server could not be switched; every server serves the old model again."""


def instance_urls(env=os.environ) -> List[str]:
    """The Rasa servers to switch: RASA_INSTANCE_URLS (scripts/run.py sets it to each
    instance behind nginx), else RASA_URL (one server)."""
    urls = env.get("RASA_INSTANCE_URLS", "").split() or [env.get("RASA_URL", "http://localhost:5005")]
    return [url.rstrip("/") for url in urls]


def _load(url: str, model: Path, token: str) -> None:
    try:
        reply = requests.put(f"{url}/model", params={"token": token},
                             json={"model_file": str(model)}, timeout=LOAD_TIMEOUT)
    except requests.RequestException as error:
        raise SwapError(f"Rasa tại {url} không trả lời ({type(error).__name__})") from None
    if reply.status_code == 401:
        raise SwapError(f"Rasa tại {url} từ chối mã RASA_ADMIN_TOKEN (401): máy chủ Rasa phải "
                        "được khởi động cùng mã này (make run làm việc đó)")
    if reply.status_code != 204:
        raise SwapError(f"Rasa tại {url} không nạp được mô hình (HTTP {reply.status_code}: "
                        f"{reply.text[:200]})")


def serving_model(url: str, token: str) -> str:
    """The file name of the model `url` serves (Rasa's GET /status)."""
    reply = requests.get(f"{url}/status", params={"token": token}, timeout=30)
    reply.raise_for_status()
    return str(reply.json().get("model_file") or "")


def swap(urls: Sequence[str], new_model: Path, serving: Path, token: str, say=print) -> None:
    """Load `new_model` on every server in turn, then make `serving` (the file servers start
    with) the new model. On any failure, put back `serving` where it was replaced and raise."""
    if not token:
        raise SwapError("RASA_ADMIN_TOKEN chưa được đặt: không thể thay mô hình khi Rasa đang chạy "
                        "(make run tạo mã này cho mỗi lần chạy)")
    done: List[str] = []
    try:
        for url in urls:
            say(f"loading the new model on {url}")
            _load(url, new_model, token)
            done.append(url)
    except SwapError:
        for url in done:
            try:
                _load(url, serving, token)
            except SwapError as error:  # still the new model there, which passed the gates
                say(f"could not put the old model back on {url}: {error}")
        raise
    point_at(serving, new_model)


def point_at(serving: Path, new_model: Path) -> None:
    """Make `serving` the same file as `new_model`, atomically (a hard link renamed over it;
    a copy where links are impossible), so a restart keeps the new model."""
    temporary = serving.with_name(f".{serving.name}.swap")
    temporary.unlink(missing_ok=True)
    try:
        os.link(new_model, temporary)
    except OSError:
        import shutil

        shutil.copyfile(new_model, temporary)
    with open(temporary, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, serving)
    os.utime(serving)  # newer than the training data: `make train` sees nothing to do
