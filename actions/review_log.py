"""What staff must review, stored with citizens' personal data masked first (issue #11).

One SQLite file (REVIEW_DB, default var/review/review.db) is shared by the action server,
which writes a row per message the assistant could not handle, and the staff console, which
reads them as its inbox and writes officers' replies to an outbox. This module is plain
standard library so both processes (and both virtual environments) can import it.

Personal data: numbers and addresses a citizen types (CCCD, CMND, phone, passport, e-mail)
are replaced by placeholders *before* anything is written; the sender is kept only as a keyed
hash; rows older than REVIEW_RETENTION_DAYS are deleted on write (and on the console's
reads); an administrator can find and delete everything from one sender (sender_data, forget).
Vietnam's personal data protection rules apply to these messages. For the dashboard, every
question is also counted (time, channel, outcome, procedure, aspect: no text, no sender).
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import hashlib
import hmac
import logging
import os
import queue
import re
import secrets
import sqlite3
import threading
import time
import unicodedata
from pathlib import Path
from typing import Iterator, List, Optional

from actions.settings import PROJECT_ROOT

logger = logging.getLogger(__name__)

KINDS = ("unanswered", "low_confidence", "out_of_scope", "negative_feedback", "handover")
OPEN, CLOSED, RESOLVED, DISMISSED = "open", "closed", "resolved", "dismissed"
STATUSES = (OPEN, CLOSED, RESOLVED, DISMISSED)


class ReviewStoreError(Exception):
    """The review database could not be read or written."""


# --- settings -------------------------------------------------------------------------------

DEFAULT_DB = PROJECT_ROOT / "var" / "review" / "review.db"


def db_path() -> Path:
    """REVIEW_DB, read at every call (tests and the console change it); the default built
    once, as this runs several times per message."""
    return Path(os.environ.get("REVIEW_DB") or DEFAULT_DB)


def _env_number(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, "") or default)
    except ValueError:
        return default


def retention_days() -> float:
    return _env_number("REVIEW_RETENTION_DAYS", 90)


def handover_timeout_minutes() -> float:
    return _env_number("HANDOVER_TIMEOUT_MINUTES", 120)


def low_confidence_threshold() -> float:
    """Answered, but the classifier was less sure than this: worth a look (REVIEW_LOW_CONFIDENCE)."""
    return _env_number("REVIEW_LOW_CONFIDENCE", 0.5)


# --- masking --------------------------------------------------------------------------------

# Order matters: e-mail before numbers (digits inside an address), phones (0 or +84, then 9
# digits, or 10 for a landline "028 3822 1234") before card numbers, CCCD (12 digits) before
# CMND (9-10). Phones may be written with spaces, dots or dashes ("0912.345.678"); card
# numbers with spaces only, so that amounts ("1.000.000.000 đồng") stay readable.
_SEP = r"[ .\-]?"
_MASKS = [
    (re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+"), "[email]"),
    (re.compile(r"(?<![\w+])(?:\+?84" + _SEP + r"|0)(?:\d" + _SEP + r"){8,9}\d(?![\w.]\d|\w)"),
     "[số điện thoại]"),
    (re.compile(r"(?<![\w.])(?:\d ?){11}\d(?![\w]|\.\d)"), "[số CCCD]"),
    (re.compile(r"(?<![\w.])(?:\d ?){8,9}\d(?![\w]|\.\d)"), "[số CMND]"),
    (re.compile(r"(?<!\w)[A-Za-z]\d{7,8}(?!\w)"), "[số hộ chiếu]"),
]


def mask(text: Optional[str]) -> str:
    """The text with personal identifiers replaced by placeholders such as [số CCCD]."""
    masked = text or ""
    for pattern, placeholder in _MASKS:
        masked = pattern.sub(placeholder, masked)
    return masked


def fold(text: str) -> str:
    """The grouping key of similar messages: lower case, no accents, single spaces, no final
    punctuation ("Phí bao nhiêu?" and "phi bao nhieu" are one inbox item)."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    plain = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return " ".join(re.sub(r"[^\w\[\] ]+", " ", plain).split())


def channel_of(sender: str, metadata: Optional[dict] = None) -> str:
    """telegram, zalo, web or rest: from the message metadata if it says, else the sender
    id's prefix as the bridges and the widget make it."""
    named = (metadata or {}).get("channel")
    if isinstance(named, str) and named:
        return named[:20]
    for prefix, channel in (("tg-", "telegram"), ("zl-", "zalo"), ("web-", "web")):
        if sender.startswith(prefix):
            return channel
    return "rest"


# --- storage --------------------------------------------------------------------------------

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS review (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL, text TEXT NOT NULL, folded TEXT NOT NULL,
    channel TEXT NOT NULL, sender_hash TEXT NOT NULL, time TEXT NOT NULL,
    intent TEXT, confidence REAL, procedure TEXT, aspect TEXT, reply TEXT,
    question TEXT, comment TEXT, awaiting_comment INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'open', resolution TEXT, resolved_by TEXT, resolved_at TEXT);
CREATE INDEX IF NOT EXISTS review_time ON review(time);
CREATE INDEX IF NOT EXISTS review_sender ON review(sender_hash, kind, status);
CREATE TABLE IF NOT EXISTS rating (
    id INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, channel TEXT NOT NULL,
    value TEXT NOT NULL, procedure TEXT, aspect TEXT);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT, review_id INTEGER NOT NULL,
    sender_hash TEXT NOT NULL, channel TEXT NOT NULL, text TEXT NOT NULL, time TEXT NOT NULL,
    author TEXT, delivered_at TEXT);
CREATE INDEX IF NOT EXISTS outbox_sender ON outbox(sender_hash, delivered_at);
CREATE TABLE IF NOT EXISTS question (
    id INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, channel TEXT NOT NULL,
    outcome TEXT NOT NULL, procedure TEXT, aspect TEXT);
CREATE INDEX IF NOT EXISTS question_time ON question(time);
"""


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _inserted_id(cursor: sqlite3.Cursor) -> int:
    """The id of the row an INSERT just made (sqlite3 leaves lastrowid None only when none was)."""
    if cursor.lastrowid is None:
        raise sqlite3.DatabaseError("INSERT made no row")
    return cursor.lastrowid


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="seconds")


_schema_ready: set = set()


@contextlib.contextmanager
def connect(path: Optional[Path] = None) -> Iterator[sqlite3.Connection]:
    """A connection in a transaction; the schema is created on first use."""
    path = path or db_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fresh = not path.exists() or str(path) not in _schema_ready
        connection = sqlite3.connect(str(path), timeout=10)
    except (OSError, sqlite3.Error) as error:
        raise ReviewStoreError(f"cannot open the review database {path}: {error}") from error
    connection.row_factory = sqlite3.Row
    # Deleted rows are overwritten on disk, not only unlinked: retention and an officer's
    # "delete everything from this sender" must not leave the text in free pages.
    connection.execute("PRAGMA secure_delete = ON")
    try:
        with connection:
            if fresh:  # once per file and process: the action server opens it per message
                connection.executescript(SCHEMA)
                _schema_ready.add(str(path))
            yield connection
    except sqlite3.Error as error:
        raise ReviewStoreError(f"review database {path}: {error}") from error
    finally:
        connection.close()


def _hash_key(connection: sqlite3.Connection) -> bytes:
    """REVIEW_HASH_KEY, else a random key kept in the database (so the console, which shares
    the file, computes the same hashes, and nobody can recompute them from a guessed id)."""
    configured = os.environ.get("REVIEW_HASH_KEY", "")
    return configured.encode() if configured else _stored_key(connection)


def _stored_key(connection: sqlite3.Connection) -> bytes:
    row = connection.execute("SELECT value FROM meta WHERE key = 'hash_key'").fetchone()
    if row is None:
        connection.execute("INSERT OR IGNORE INTO meta VALUES ('hash_key', ?)",
                           (secrets.token_hex(32),))
        row = connection.execute("SELECT value FROM meta WHERE key = 'hash_key'").fetchone()
    return row["value"].encode()


def _hashed(key: bytes, sender: str) -> str:
    return hmac.new(key, sender.encode(), hashlib.sha256).hexdigest()[:32]


def sender_hash(connection: sqlite3.Connection, sender: str) -> str:
    return _hashed(_hash_key(connection), sender)


def _purge(connection: sqlite3.Connection) -> None:
    """Retention: delete what is older than REVIEW_RETENTION_DAYS (indexed, so cheap), and
    officers' replies whose conversation is gone."""
    cutoff = _iso(now() - dt.timedelta(days=retention_days()))
    for table in ("review", "rating", "outbox", "question"):
        connection.execute(f"DELETE FROM {table} WHERE time < ?", (cutoff,))
    connection.execute("DELETE FROM outbox WHERE review_id NOT IN (SELECT id FROM review)")


def purge(path: Optional[Path] = None) -> None:
    """Apply the retention now. The action server does it on every write; the console on
    every read, so a quiet assistant (no new rows) still forgets on time."""
    with connect(path) as connection:
        _purge(connection)


def record(kind: str, sender: str, text: str, *, channel: Optional[str] = None,
           intent: Optional[str] = None, confidence: Optional[float] = None,
           procedure: Optional[str] = None, aspect: Optional[str] = None,
           reply: Optional[str] = None, question: Optional[str] = None,
           awaiting_comment: bool = False, path: Optional[Path] = None) -> int:
    """Store one item for review, masked; returns its id. `channel` defaults to the one the
    sender id names."""
    channel = channel or channel_of(sender)
    if kind not in KINDS:
        raise ValueError(f"unknown review kind {kind!r}")
    masked = mask(text)
    with connect(path) as connection:
        _purge(connection)
        cursor = connection.execute(
            "INSERT INTO review (kind, text, folded, channel, sender_hash, time, intent,"
            " confidence, procedure, aspect, reply, question, awaiting_comment)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (kind, masked, fold(masked), channel, sender_hash(connection, sender), _iso(now()),
             intent, confidence, procedure, aspect, mask(reply) if reply else None,
             mask(question) if question else None, int(awaiting_comment)))
        return _inserted_id(cursor)


def record_rating(value: str, channel: str, procedure: Optional[str], aspect: Optional[str],
                  path: Optional[Path] = None) -> None:
    """A 👍 or 👎, for the per-procedure rate (no text, no sender)."""
    with connect(path) as connection:
        connection.execute("INSERT INTO rating (time, channel, value, procedure, aspect)"
                           " VALUES (?, ?, ?, ?, ?)",
                           (_iso(now()), channel, value, procedure, aspect))


OUTCOMES = ("answered", "unanswered", "out_of_scope")
_COUNT_COLUMNS = "INSERT INTO question (time, channel, outcome, procedure, aspect) VALUES (?, ?, ?, ?, ?)"


def count_question(outcome: str, channel: str, procedure: Optional[str] = None,
                   aspect: Optional[str] = None, path: Optional[Path] = None) -> None:
    """One question a citizen asked, for the dashboard's totals (questions per day and
    channel, top procedures and aspects, the share not understood): no text, no sender.
    Written at once; the action server uses count_question_later()."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    with connect(path) as connection:
        connection.execute(_COUNT_COLUMNS, (_iso(now()), channel, outcome, procedure, aspect))


# Every answered question is counted, and a SQLite commit costs about 12 ms here (fsync):
# too much to add to each answer. The action server queues counts instead, and one thread
# writes them in batches, one transaction each. A crash loses at most the counts queued in
# that instant; they are statistics, not records.
_counts: "queue.Queue[tuple]" = queue.Queue()
_writer_lock = threading.Lock()
_writer: Optional[threading.Thread] = None


def _write_counts() -> None:
    while True:
        batch = [_counts.get()]
        while len(batch) < 500:
            try:
                batch.append(_counts.get_nowait())
            except queue.Empty:
                break
        by_file: dict = {}
        for path, row in batch:
            by_file.setdefault(path, []).append(row)
        for path, rows in by_file.items():
            try:
                with connect(path) as connection:
                    connection.executemany(_COUNT_COLUMNS, rows)
            except ReviewStoreError as error:
                logger.warning("question counts not written: %s", type(error).__name__)
        for _ in batch:
            _counts.task_done()


def count_question_later(outcome: str, channel: str, procedure: Optional[str] = None,
                         aspect: Optional[str] = None) -> None:
    """count_question() without waiting: queued, written by a background thread."""
    global _writer
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    _counts.put((db_path(), (_iso(now()), channel, outcome, procedure, aspect)))
    with _writer_lock:
        if _writer is None or not _writer.is_alive():
            _writer = threading.Thread(target=_write_counts, name="question-counts", daemon=True)
            _writer.start()


def flush_counts(timeout: float = 10.0) -> bool:
    """Wait until the queued counts are written (tests; shutdown). False on timeout."""
    deadline = time.monotonic() + timeout
    while _counts.unfinished_tasks and time.monotonic() < deadline:
        time.sleep(0.01)
    return not _counts.unfinished_tasks


atexit.register(flush_counts, 2.0)


def take_comment(sender: str, text: str, path: Optional[Path] = None) -> bool:
    """After a 👎 the citizen's next message says what was wrong: store it (masked) with that
    row. False when no 👎 of this sender waits for a comment."""
    with connect(path) as connection:
        row = connection.execute(
            "SELECT id FROM review WHERE sender_hash = ? AND awaiting_comment = 1"
            " ORDER BY id DESC LIMIT 1", (sender_hash(connection, sender),)).fetchone()
        if row is None:
            return False
        connection.execute("UPDATE review SET comment = ?, awaiting_comment = 0 WHERE id = ?",
                           (mask(text), row["id"]))
        return True


def add_to_handover(item_id: int, text: str, path: Optional[Path] = None) -> None:
    """What the citizen writes while an officer handles the conversation: kept (masked) with
    the handover, so the officer reads it, since the assistant does not answer it."""
    with connect(path) as connection:
        connection.execute("UPDATE review SET comment = COALESCE(comment || char(10), '') || ?"
                           " WHERE id = ?", (mask(text), item_id))


# The handover check runs for every message. Opening the file, its pragma and the key read
# were three quarters of its cost, so each thread keeps one connection per file, for reading
# only, with the file's hash key. It is kept while the file is the same one: the open
# connection holds that inode, so an equal (device, inode) cannot be a recreated file.
_readers = threading.local()


def _reader(path: Path) -> Optional[tuple]:
    """(connection, stored hash key) kept for this thread and file; None without a file."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None  # nothing recorded yet: no handover (and no file created per message)
    kept = getattr(_readers, "files", None)
    if kept is None:
        kept = _readers.files = {}
    identity = (stat.st_dev, stat.st_ino)
    entry = kept.get(str(path))
    if entry is not None and entry[0] == identity:
        return entry[1], entry[2]
    if entry is not None:
        entry[1].close()
    with connect(path) as connection:  # creates the schema and the key if they are missing
        key = _stored_key(connection)
    try:
        reader = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
    except sqlite3.Error as error:
        raise ReviewStoreError(f"cannot open the review database {path}: {error}") from error
    reader.row_factory = sqlite3.Row
    kept[str(path)] = (identity, reader, key)
    return reader, key


def open_handover(sender: str, path: Optional[Path] = None) -> Optional[int]:
    """The id of this sender's handover an officer still handles, if any: open, and younger
    than HANDOVER_TIMEOUT_MINUTES (after that the assistant answers again)."""
    path = path or db_path()
    found = _reader(path)
    if found is None:
        return None
    reader, stored_key = found
    configured = os.environ.get("REVIEW_HASH_KEY", "")
    hashed = _hashed(configured.encode() if configured else stored_key, sender)
    cutoff = _iso(now() - dt.timedelta(minutes=handover_timeout_minutes()))
    try:
        # fetchall: the statement ends here, so no read lock is held between messages.
        rows = reader.execute(
            "SELECT id FROM review WHERE sender_hash = ? AND kind = 'handover' AND status = 'open'"
            " AND time >= ? ORDER BY id DESC LIMIT 1", (hashed, cutoff)).fetchall()
    except sqlite3.Error as error:
        raise ReviewStoreError(f"review database {path}: {error}") from error
    return int(rows[0]["id"]) if rows else None


# --- the console's side ---------------------------------------------------------------------

def _item(row: sqlite3.Row) -> dict:
    return {key: row[key] for key in row.keys() if key not in ("folded", "awaiting_comment")}


def inbox(kind: Optional[str] = None, status: Optional[str] = None,
          path: Optional[Path] = None) -> List[dict]:
    """Items newest first, similar masked texts of one kind and status grouped with a count
    (exact match after folding). The item shown is the newest of its group."""
    clauses, values = [], []
    if kind:
        clauses.append("kind = ?")
        values.append(kind)
    if status:
        clauses.append("status = ?")
        values.append(status)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    with connect(path) as connection:
        _purge(connection)
        rows = connection.execute(f"SELECT * FROM review {where} ORDER BY id DESC",
                                  values).fetchall()
    groups: dict = {}
    for row in rows:
        # handovers are conversations, never merged with one another.
        key = (row["kind"], row["status"], row["folded"]) if row["kind"] != "handover" \
            else ("handover", row["id"])
        if key in groups:
            groups[key]["count"] += 1
            groups[key]["ids"].append(row["id"])
        else:
            groups[key] = {**_item(row), "count": 1, "ids": [row["id"]]}
    return list(groups.values())


def get(item_id: int, path: Optional[Path] = None) -> Optional[dict]:
    with connect(path) as connection:
        row = connection.execute("SELECT * FROM review WHERE id = ?", (item_id,)).fetchone()
        if row is None:
            return None
        item = _item(row)
        item["similar_ids"] = [r["id"] for r in connection.execute(
            "SELECT id FROM review WHERE kind = ? AND status = ? AND folded = ? AND id != ?",
            (row["kind"], row["status"], row["folded"], item_id))] \
            if row["kind"] != "handover" else []
        item["outbox"] = [dict(r) for r in connection.execute(
            "SELECT id, text, time, author, delivered_at FROM outbox WHERE review_id = ?"
            " ORDER BY id", (item_id,))]
        item["context"] = [dict(r) for r in connection.execute(
            "SELECT id, kind, text, reply, time FROM review WHERE sender_hash = ? AND id != ?"
            " ORDER BY ABS(id - ?) LIMIT 6", (row["sender_hash"], item_id, item_id))]
    return item


def set_status(item_ids: List[int], status: str, resolution: str, user: str,
               path: Optional[Path] = None) -> None:
    with connect(path) as connection:
        connection.executemany(
            "UPDATE review SET status = ?, resolution = ?, resolved_by = ?, resolved_at = ?,"
            " awaiting_comment = 0 WHERE id = ?",
            [(status, resolution, user, _iso(now()), i) for i in item_ids])


def add_reply(item_id: int, text: str, author: str, path: Optional[Path] = None) -> dict:
    """Queue an officer's reply for the citizen of handover `item_id` (the bridges and the
    citizens' endpoint deliver it)."""
    with connect(path) as connection:
        row = connection.execute("SELECT sender_hash, channel FROM review WHERE id = ?",
                                 (item_id,)).fetchone()
        cursor = connection.execute(
            "INSERT INTO outbox (review_id, sender_hash, channel, text, time, author)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (item_id, row["sender_hash"], row["channel"], text, _iso(now()), author))
        return {"id": _inserted_id(cursor), "channel": row["channel"]}


POLLED_CHANNELS = ("web", "rest")  # the bridges deliver the others in their own chats


def deliver(sender: str, path: Optional[Path] = None) -> List[dict]:
    """Officers' replies not yet delivered to `sender` (the raw id the citizen's client
    knows), oldest first, marked delivered. Only conversations of polling clients: a
    Telegram or Zalo chat's replies are never handed out here."""
    with connect(path) as connection:
        hashed = sender_hash(connection, sender)
        rows = [dict(r) for r in connection.execute(
            "SELECT id, text, time FROM outbox WHERE sender_hash = ? AND delivered_at IS NULL"
            f" AND channel IN ({', '.join('?' * len(POLLED_CHANNELS))}) ORDER BY id",
            (hashed, *POLLED_CHANNELS))]
        connection.executemany("UPDATE outbox SET delivered_at = ? WHERE id = ?",
                               [(_iso(now()), r["id"]) for r in rows])
    return rows


# --- one sender's personal data (admin) -------------------------------------------------------

def _hash_for(connection: sqlite3.Connection, sender: Optional[str],
              item_id: Optional[int]) -> Optional[str]:
    if sender:
        return sender_hash(connection, sender)
    row = connection.execute("SELECT sender_hash FROM review WHERE id = ?",
                             (item_id,)).fetchone()
    return row["sender_hash"] if row else None


def sender_data(sender: Optional[str] = None, item_id: Optional[int] = None,
                path: Optional[Path] = None) -> Optional[dict]:
    """Everything stored about one sender, found by the id the citizen's client used (the
    widget's `web-…`, a REST sender) or by one of their inbox items: their rows and the
    officers' replies to them. None when `item_id` is unknown. (👍/👎 and question counts
    carry no sender, so there is nothing of theirs to find there.)"""
    with connect(path) as connection:
        _purge(connection)
        hashed = _hash_for(connection, sender, item_id)
        if hashed is None:
            return None
        items = [dict(r) for r in connection.execute(
            "SELECT id, kind, text, question, reply, comment, channel, time, status"
            " FROM review WHERE sender_hash = ? ORDER BY id", (hashed,))]
        replies = [dict(r) for r in connection.execute(
            "SELECT id, review_id, text, time, author, delivered_at FROM outbox"
            " WHERE sender_hash = ? ORDER BY id", (hashed,))]
    return {"items": items, "replies": replies}


def forget(sender: Optional[str] = None, item_id: Optional[int] = None,
           path: Optional[Path] = None) -> Optional[dict]:
    """Delete everything stored about one sender (found as in sender_data): their rows and
    the officers' replies to them, overwritten on disk. Returns the counts deleted; None
    when `item_id` is unknown."""
    with connect(path) as connection:
        hashed = _hash_for(connection, sender, item_id)
        if hashed is None:
            return None
        outbox = connection.execute("DELETE FROM outbox WHERE sender_hash = ?", (hashed,))
        review = connection.execute("DELETE FROM review WHERE sender_hash = ?", (hashed,))
        return {"items": review.rowcount, "replies": outbox.rowcount}


# --- the bridges' side ----------------------------------------------------------------------

def hashes_of(senders: List[str], path: Optional[Path] = None) -> dict:
    """{keyed hash: sender} for the senders a bridge has seen, so it can recognise the
    conversations officers answered without the database ever holding a raw id."""
    with connect(path) as connection:
        return {sender_hash(connection, s): s for s in senders}


def pending(channel: str, path: Optional[Path] = None) -> List[dict]:
    """Officers' replies on `channel` not yet delivered, oldest first."""
    with connect(path) as connection:
        return [dict(r) for r in connection.execute(
            "SELECT id, sender_hash, text FROM outbox WHERE channel = ? AND delivered_at IS NULL"
            " ORDER BY id", (channel,))]


def mark_delivered(outbox_ids: List[int], path: Optional[Path] = None) -> None:
    with connect(path) as connection:
        connection.executemany("UPDATE outbox SET delivered_at = ? WHERE id = ?",
                               [(_iso(now()), i) for i in outbox_ids])


# --- figures for the dashboard --------------------------------------------------------------

# How long citizens waited for an officer's first reply, in minutes: (upper bound, label).
RESPONSE_BUCKETS = ((15, "< 15 phút"), (60, "15–60 phút"), (240, "1–4 giờ"),
                    (1440, "4–24 giờ"), (float("inf"), "> 1 ngày"))


def _minutes(start: str, end: str) -> float:
    return (dt.datetime.fromisoformat(end) - dt.datetime.fromisoformat(start)).total_seconds() / 60


def _median(values: List[float]) -> Optional[float]:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _between(column: str = "time") -> str:
    """The WHERE clause of stats(): `column`'s Vietnam day within the bounds (open when NULL)."""
    day = f"date({column}, '+7 hours')"
    return f"WHERE (? IS NULL OR {day} >= ?) AND (? IS NULL OR {day} <= ?)"


def _handovers(connection: sqlite3.Connection, bounds: tuple) -> dict:
    """Each handover with the time to the first officer reply; counts per response bucket."""
    rows = [dict(r) for r in connection.execute(
        "SELECT r.id, r.time, r.status, MIN(o.time) AS first_reply FROM review r"
        " LEFT JOIN outbox o ON o.review_id = r.id"
        f" {_between('r.time')} AND r.kind = 'handover'"
        " GROUP BY r.id ORDER BY r.id", bounds)]
    for row in rows:
        row["minutes"] = round(_minutes(row["time"], row["first_reply"]), 1) \
            if row["first_reply"] else None
    waits = [r["minutes"] for r in rows if r["minutes"] is not None]
    counts = [0] * len(RESPONSE_BUCKETS)
    for wait in waits:
        counts[next(i for i, (bound, _) in enumerate(RESPONSE_BUCKETS) if wait < bound)] += 1
    buckets = [{"label": label, "count": count}
               for (_, label), count in zip(RESPONSE_BUCKETS, counts, strict=True)]
    buckets.append({"label": "chưa trả lời", "count": len(rows) - len(waits)})
    median = _median(waits)
    return {"count": len(rows), "answered": len(waits),
            "median_minutes": round(median, 1) if median is not None else None,
            "max_minutes": max(waits) if waits else None, "buckets": buckets, "items": rows}


def stats(start: Optional[str] = None, end: Optional[str] = None,
          path: Optional[Path] = None) -> dict:
    """Figures between the dates `start` and `end` (YYYY-MM-DD, Vietnam days, both included;
    open when None): review items per day and kind and per channel, 👍/👎 per procedure,
    questions per day and channel, top procedures and aspects, the share not understood,
    and handovers with the time to the first officer reply."""
    day, where = "date(time, '+7 hours')", _between()
    bounds = (start, start, end, end)
    with connect(path) as connection:
        _purge(connection)
        per_day = [dict(r) for r in connection.execute(
            f"SELECT {day} AS day, kind, COUNT(*) AS count FROM review {where}"
            " GROUP BY day, kind ORDER BY day, kind", bounds)]
        per_channel = [dict(r) for r in connection.execute(
            f"SELECT channel, COUNT(*) AS count FROM review {where}"
            " GROUP BY channel ORDER BY count DESC", bounds)]
        ratings = [dict(r) for r in connection.execute(
            "SELECT COALESCE(procedure, '') AS procedure,"
            " SUM(value = 'up') AS up, SUM(value = 'down') AS down"
            f" FROM rating {where} GROUP BY procedure ORDER BY procedure", bounds)]
        questions_per_day = [dict(r) for r in connection.execute(
            f"SELECT {day} AS day, channel, COUNT(*) AS count FROM question {where}"
            " GROUP BY day, channel ORDER BY day, channel", bounds)]
        understanding = [dict(r) for r in connection.execute(
            f"SELECT {day} AS day, COUNT(*) AS questions,"
            " SUM(outcome = 'unanswered') AS not_understood,"
            " SUM(outcome = 'out_of_scope') AS out_of_scope"
            f" FROM question {where} GROUP BY day ORDER BY day", bounds)]
        top = {}
        for column in ("procedure", "aspect"):
            top[column] = [dict(r) for r in connection.execute(
                f"SELECT {column}, COUNT(*) AS count FROM question {where}"
                f" AND outcome = 'answered' AND {column} IS NOT NULL"
                f" GROUP BY {column} ORDER BY count DESC, {column} LIMIT 10", bounds)]
        handovers = _handovers(connection, bounds)
    for row in ratings:
        rated = row["up"] + row["down"]
        row["share_up"] = round(row["up"] / rated, 3) if rated else None
    for row in understanding:
        row["share_not_understood"] = round(row["not_understood"] / row["questions"], 3)
    asked = sum(r["questions"] for r in understanding)
    missed = sum(r["not_understood"] for r in understanding)
    return {"from": start, "to": end, "per_day": per_day, "per_channel": per_channel,
            "ratings": ratings, "questions_per_day": questions_per_day,
            "top_procedures": top["procedure"], "top_aspects": top["aspect"],
            "understanding": understanding,
            "not_understood": {"questions": asked, "not_understood": missed,
                               "share": round(missed / asked, 3) if asked else None},
            "handovers": handovers}
