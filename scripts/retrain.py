"""One retraining job, started by the staff console (staff/training.py) or by hand:

    python -m scripts.retrain [JOB]

Steps, each recorded in the job's status file (STAFF_TRAIN_DIR/jobs/JOB.json, read by the
console's page and by `GET /api/train/JOB`):

1. regenerate the NLU data from the catalog (`nlu.generate`, as `make train` does);
2. train to a NEW file, models/candidates/assistant-<fingerprint>.tar.gz: the serving model
   (MODEL, default models/assistant.tar.gz) is never written before the new one has passed.
   The fingerprint covers every training input, so a job whose data did not change (a retry
   after a failed switch) reuses the model already trained from it;
3. evaluate the new and the serving model the same way: held-out intent macro F1
   (nlu/evaluate.py, what tests/test_nlu.py gates on) and the content score (nlu/content.py,
   what tests/test_content.py gates on) through a private action server whose review log is
   thrown away (evaluation messages must never reach the officers' inbox). Scores are cached
   per model file and evaluation inputs, so the serving model is measured once;
4. the new model must reach the gates' minimums (TRAIN_MIN_NLU_F1, TRAIN_MIN_CONTENT: those of
   `make test`) and be no worse than the serving model on both; otherwise it is `rejected` and
   nothing changes. If it passes, every running Rasa server switches to it
   (scripts/model_swap.py) and MODEL becomes the new file.

Only one job runs at a time (a lock file); the console refuses a second one with 409.
Nothing here logs a citizen's or an evaluation message's text.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional

from actions.settings import PROJECT_ROOT as ROOT
from scripts import model_swap
from scripts.stack import (
    ACTIONS_ON_LOOPBACK,
    BIN,
    actions_command,
    free_port,
    server_env,
    start,
    stop,
    wait_until_up,
)

STEPS = [("generate", "Tạo lại dữ liệu NLU từ danh mục"), ("train", "Huấn luyện mô hình mới"),
         ("evaluate", "Đánh giá mô hình mới và mô hình đang chạy"), ("swap", "Thay mô hình đang chạy")]
# Share of the progress bar each step ends at.
STEP_END = {"generate": 5, "train": 60, "evaluate": 92, "swap": 100}
TRAINING_INPUTS = ["config.yml", "domain.yml", "nlu/components.py"]
EVALUATION_INPUTS = ["tests/nlu", "tests/content", "actions", "nlu/evaluate.py", "nlu/content.py"]
DEFAULT_TRAIN_SECONDS = 240.0


def _path(name: str, default: str) -> Path:
    path = Path(os.environ.get(name) or default)
    return path if path.is_absolute() else ROOT / path


def train_dir() -> Path:
    return _path("STAFF_TRAIN_DIR", "var/train")


def serving_model() -> Path:
    return _path("MODEL", "models/assistant.tar.gz")


def reviewed_file() -> Path:
    """The officers' examples (staff/inbox.py writes them); outside data/ they are added."""
    return _path("STAFF_REVIEWED_NLU", "data/nlu/reviewed.yml")


def minimums() -> Dict[str, float]:
    from nlu import content, evaluate

    return {"nlu_f1": float(os.environ.get("TRAIN_MIN_NLU_F1") or evaluate.MIN_MACRO_F1),
            "content": float(os.environ.get("TRAIN_MIN_CONTENT") or content.MIN_SCORE)}


GATE_TITLES = {"nlu_f1": "hiểu ý câu hỏi (macro F1 trên bộ câu giữ riêng)",
               "content": "nội dung trả lời (tỉ lệ câu trả lời có đủ thông tin)"}


# --- the status file ---------------------------------------------------------------------------

class Job:
    def __init__(self, job_id: str):
        self.id = job_id
        self.path = train_dir() / "jobs" / f"{job_id}.json"
        self.state: dict = json.loads(self.path.read_text()) if self.path.exists() else {
            "job": job_id, "status": "queued", "progress": 0, "detail": "Đang chờ.",
            "created": time.time()}
        self.state.setdefault("steps", [{"name": n, "title": t, "state": "pending"} for n, t in STEPS])

    def save(self, **changes) -> None:
        self.state.update(changes, updated=time.time())
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.state, ensure_ascii=False, indent=1))
        temporary.replace(self.path)

    def step(self, name: str, state: str = "running", detail: Optional[str] = None) -> None:
        for step in self.state["steps"]:
            if step["name"] == name:
                step["state"] = state
                step["finished" if state == "done" else "started"] = time.time()
        changes = {"step": name, "status": "running"}
        if state == "done":
            changes["progress"] = STEP_END[name]
        if detail:
            changes["detail"] = detail
        self.save(**changes)

    def progress_within(self, name: str, fraction: float) -> None:
        names = [n for n, _ in STEPS]
        start = STEP_END[names[names.index(name) - 1]] if names.index(name) else 0
        self.save(progress=int(start + (STEP_END[name] - start) * min(max(fraction, 0), 0.97)))

    def finish(self, status: str, detail: str, **extra) -> None:
        for step in self.state["steps"]:
            if step["state"] == "running":
                step["state"] = "failed" if status in ("failed", "rejected") else "done"
        self.save(status=status, detail=detail, finished=time.time(),
                  progress=100 if status == "done" else self.state.get("progress", 0), **extra)


# --- fingerprints --------------------------------------------------------------------------------

def _files(paths: List[Path]) -> List[Path]:
    found = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        elif path.exists():
            found.append(path)
    return found


def digest(paths: List[Path], *extra: str) -> str:
    sha = hashlib.sha256()
    for path in _files(paths):
        sha.update(str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name).encode())
        sha.update(hashlib.sha256(path.read_bytes()).digest())
    for value in extra:
        sha.update(value.encode())
    return sha.hexdigest()


def file_hash(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def training_data() -> List[Path]:
    data = [ROOT / "data"]
    reviewed = reviewed_file()
    if reviewed.exists() and not reviewed.resolve().is_relative_to((ROOT / "data").resolve()):
        data.append(reviewed)
    return data


def evaluation_key() -> str:
    """What, besides the model, decides its scores: the evaluation sets, the actions and the
    catalog they answer from, and the day (answers follow the rules in force that day)."""
    catalog = _path("CATALOG_DIR", "catalog")
    today = os.environ.get("ASSISTANT_TODAY") or dt.date.today().isoformat()
    return digest([ROOT / p for p in EVALUATION_INPUTS] + [catalog], today)


# --- the steps -------------------------------------------------------------------------------------

def generate(job: Job, log) -> None:
    job.step("generate")
    subprocess.run([sys.executable, "-m", "nlu.generate"], cwd=ROOT, check=True, stdout=log,
                   stderr=subprocess.STDOUT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    job.step("generate", "done")


def train(job: Job, log) -> Path:
    """The candidate trained from today's inputs (reused when it exists)."""
    data = training_data()
    fingerprint = digest([ROOT / p for p in TRAINING_INPUTS] + data)[:16]
    candidates = serving_model().parent / "candidates"
    candidate = candidates / f"assistant-{fingerprint}.tar.gz"
    if candidate.exists():
        job.save(reused=True)
        job.step("train", "done", "Dữ liệu huấn luyện không đổi từ lần huấn luyện trước: dùng lại "
                                  "mô hình đã huấn luyện từ dữ liệu này.")
        return candidate
    job.step("train", detail="Đang huấn luyện mô hình mới (vài phút); trợ lý vẫn trả lời bằng "
                             "mô hình cũ.")
    timing = train_dir() / "train-seconds"
    expected = float(timing.read_text()) if timing.exists() else DEFAULT_TRAIN_SECONDS
    partial = f"assistant-{fingerprint}-partial"
    args = [str(BIN / "rasa"), "train", "--config", "config.yml", "--domain", "domain.yml",
            "--data", *map(str, data), "--out", str(candidates), "--fixed-model-name", partial]
    started = time.monotonic()
    process = subprocess.Popen(args, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                               env={**os.environ, "PYTHONPATH": str(ROOT)})
    while True:
        try:
            code = process.wait(timeout=2)
            break
        except subprocess.TimeoutExpired:
            job.progress_within("train", (time.monotonic() - started) / expected)
    if code != 0:
        raise StepFailed(f"Huấn luyện thất bại (rasa train, mã {code}); xem {log.name}. "
                         "Mô hình cũ vẫn đang phục vụ.")
    (candidates / f"{partial}.tar.gz").replace(candidate)
    timing.write_text(f"{time.monotonic() - started:.0f}")
    job.step("train", "done")
    return candidate


class StepFailed(Exception):
    pass


def _content_ask(model: Path, actions_url: str):
    from rasa.core.agent import Agent
    from rasa.utils.endpoints import EndpointConfig

    loop = asyncio.new_event_loop()
    agent = Agent.load(str(model), action_endpoint=EndpointConfig(url=f"{actions_url}/webhook"))

    def ask(sender: str, message: str) -> list:
        return loop.run_until_complete(agent.handle_text(message, sender_id=sender)) or []

    return ask, loop


def measure(model: Path, actions_url: str, say: Callable[[str], None]) -> Dict[str, float]:
    from nlu import content, evaluate

    say(f"held-out NLU sets, {model.name}")
    nlu_f1 = evaluate.evaluate(model)["overall"]["macro_f1"]
    say(f"content set, {model.name}")
    ask, loop = _content_ask(model, actions_url)
    try:
        score = content.score(content.run(ask, content.load_cases()))
    finally:
        loop.close()
    return {"nlu_f1": round(float(nlu_f1), 4), "content": round(float(score), 4)}


@contextlib.contextmanager
def private_action_server(log_path: Path):
    """The action server as `make run` starts it, but with a throwaway review log."""
    with tempfile.TemporaryDirectory(prefix="retrain-") as work:
        port = free_port()
        env = server_env({**ACTIONS_ON_LOOPBACK, "PYTHONPATH": str(ROOT),
                          "REVIEW_DB": str(Path(work) / "review.db")})
        process = start(actions_command(port), log_path, env, ROOT)
        try:
            wait_until_up(f"http://127.0.0.1:{port}/health", process, log_path, 240)
            yield f"http://127.0.0.1:{port}"
        finally:
            stop(process)


def evaluate_both(job: Job, candidate: Path, say) -> Dict[str, Dict[str, float]]:
    job.step("evaluate", detail="Đang đánh giá mô hình mới và mô hình đang chạy trên các bộ câu "
                                "giữ riêng.")
    cache_path = train_dir() / "scores.json"
    cache = json.loads(cache_path.read_text()) if cache_path.exists() else {}
    key = evaluation_key()
    models = {"old": serving_model(), "new": candidate}
    wanted = {which: f"{file_hash(path)}:{key}" for which, path in models.items()}
    missing = [which for which in models if wanted[which] not in cache]
    if missing:
        with private_action_server(job.path.with_suffix(".actions.log")) as actions_url:
            for number, which in enumerate(missing):
                job.progress_within("evaluate", number / len(missing))
                cache[wanted[which]] = measure(models[which], actions_url, say)
                cache_path.write_text(json.dumps(cache, indent=1))
    job.step("evaluate", "done")
    return {which: cache[wanted[which]] for which in models}


def verdict(scores: Dict[str, Dict[str, float]]) -> Optional[str]:
    """Why the new model must not be deployed, or None."""
    old, new, floor = scores["old"], scores["new"], minimums()
    reasons = []
    for gate, title in GATE_TITLES.items():
        if new[gate] < old[gate]:
            reasons.append(f"{title}: mô hình mới {new[gate]:.3f} thấp hơn mô hình đang chạy "
                           f"{old[gate]:.3f}")
        if new[gate] < floor[gate]:
            reasons.append(f"{title}: mô hình mới {new[gate]:.3f} dưới mức tối thiểu "
                           f"{floor[gate]:.3f} (mô hình đang chạy {old[gate]:.3f})")
    return "; ".join(reasons) or None


def figures(scores: Dict[str, Dict[str, float]]) -> str:
    old, new = scores["old"], scores["new"]
    return (f"Macro F1 {old['nlu_f1']:.3f} → {new['nlu_f1']:.3f}; nội dung trả lời "
            f"{old['content']:.1%} → {new['content']:.1%}.")


def deploy(job: Job, candidate: Path, say) -> int:
    job.step("swap", detail="Đang thay mô hình trên từng máy chủ Rasa (không ngắt tin nhắn nào).")
    urls = model_swap.instance_urls()
    try:
        model_swap.swap(urls, candidate, serving_model(), os.environ.get("RASA_ADMIN_TOKEN", ""), say)
    except model_swap.SwapError as error:
        raise StepFailed(f"Không thay được mô hình: {error}. Mô hình cũ vẫn đang phục vụ; bấm "
                         "Huấn luyện lại khi Rasa chạy lại: mô hình đã huấn luyện được dùng lại, "
                         "không phải chờ huấn luyện.") from None
    job.step("swap", "done")
    return len(urls)


def prune(keep: int = 3) -> None:
    """Old candidates take disk space; keep the newest few and the serving one."""
    candidates = serving_model().parent / "candidates"
    files = sorted(candidates.glob("assistant-*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for path in files[keep:]:
        with contextlib.suppress(OSError):
            if not (serving_model().exists() and path.samefile(serving_model())):
                path.unlink()


def run(job: Job) -> int:
    log_path = job.path.with_suffix(".log")
    lock_path = train_dir() / "lock"
    job.path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as lock, log_path.open("a") as log:
        def say(text: str) -> None:
            print(f"{time.strftime('%H:%M:%S')} {text}", file=log, flush=True)

        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            job.finish("failed", "Một lần huấn luyện khác đang chạy; chờ nó xong rồi thử lại.")
            return 1
        job.save(status="running", pid=os.getpid(), started=time.time())
        from rasa_server.__main__ import install

        install()  # the same action-response check as the servers (imports Rasa: seconds)
        try:
            generate(job, log)
            candidate = train(job, log)
            if serving_model().exists() and candidate.samefile(serving_model()):
                job.finish("done", "Dữ liệu huấn luyện không đổi so với mô hình đang chạy: không có gì "
                                   "để thay.", model=candidate.name)
                return 0
            scores = evaluate_both(job, candidate, say)
            reason = verdict(scores)
            if reason:
                job.finish("rejected", f"Mô hình mới không được dùng: {reason}. Trợ lý tiếp tục "
                                       f"dùng mô hình cũ. ({figures(scores)})",
                           scores=scores, model=candidate.name)
                return 0
            servers = deploy(job, candidate, say)
            prune()
            job.finish("done", f"Đã thay mô hình trên {servers} máy chủ Rasa; trợ lý dùng mô hình "
                               f"mới từ tin nhắn tiếp theo. {figures(scores)}",
                       scores=scores, model=candidate.name)
            return 0
        except StepFailed as error:
            job.finish("failed", str(error))
        except subprocess.CalledProcessError as error:
            job.finish("failed", f"Bước thất bại ({Path(error.cmd[-1]).name}, mã {error.returncode}); "
                                 f"xem {log_path.name}. Mô hình cũ vẫn đang phục vụ.")
        except Exception as error:  # noqa: BLE001 - the officer must see that it stopped
            logging.exception("retraining failed")
            job.finish("failed", f"Lỗi không mong đợi ({type(error).__name__}); xem {log_path.name}. "
                                 "Mô hình cũ vẫn đang phục vụ.")
        return 1


def main(argv: List[str]) -> int:
    logging.basicConfig(level=logging.WARNING)
    job_id = argv[0] if argv else time.strftime("%Y%m%d-%H%M%S-") + os.urandom(3).hex()
    job = Job(job_id)
    code = run(job)
    print(f"job {job_id}: {job.state['status']}: {job.state['detail']}")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
