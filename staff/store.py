"""SQLite state of the console: users, sessions, drafts, published versions and the audit log.

The catalog files stay the source of truth for what is live; this database holds what is not
in them: who may do what, unpublished drafts, and the history needed for rollback. One
connection guarded by a lock is plenty for a handful of officers and keeps SQLite simple.
The audit table is append-only: triggers refuse UPDATE and DELETE.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT NOT NULL,
    created REAL NOT NULL, updated REAL NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY, username TEXT NOT NULL, csrf TEXT NOT NULL, via TEXT NOT NULL,
    created REAL NOT NULL, last_seen REAL NOT NULL);
CREATE TABLE IF NOT EXISTS drafts (
    kind TEXT NOT NULL, item_id TEXT NOT NULL, record TEXT NOT NULL, version TEXT NOT NULL,
    base_version TEXT, username TEXT NOT NULL, time REAL NOT NULL,
    PRIMARY KEY (kind, item_id));
CREATE TABLE IF NOT EXISTS versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT, username TEXT NOT NULL, time REAL NOT NULL,
    note TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS version_items (
    version_id INTEGER NOT NULL REFERENCES versions(id), kind TEXT NOT NULL, item_id TEXT NOT NULL,
    record TEXT, hash TEXT NOT NULL, PRIMARY KEY (version_id, kind, item_id));
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT, time REAL NOT NULL, username TEXT, action TEXT NOT NULL,
    kind TEXT, item_id TEXT, detail TEXT, ip TEXT);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
"""


class Store:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)
        self._lock = threading.RLock()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic unit of work; nested calls join the outer transaction."""
        with self._lock:
            if self._db.in_transaction:
                yield self._db
                return
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def query(self, sql: str, *args: Any) -> List[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def one(self, sql: str, *args: Any) -> Optional[sqlite3.Row]:
        rows = self.query(sql, *args)
        return rows[0] if rows else None

    # --- users ------------------------------------------------------------------------
    def user(self, username: str) -> Optional[sqlite3.Row]:
        return self.one("SELECT * FROM users WHERE username = ?", username)

    def users(self) -> List[sqlite3.Row]:
        return self.query("SELECT username, role, created, updated FROM users ORDER BY username")

    def put_user(self, username: str, role: str, password_hash: str) -> bool:
        """Create or reset a user; True when it was created. Their open sessions end."""
        now = time.time()
        with self.transaction() as db:
            existed = db.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone()
            db.execute(
                "INSERT INTO users VALUES (?, ?, ?, ?, ?) ON CONFLICT(username) DO UPDATE SET "
                "role = excluded.role, password_hash = excluded.password_hash, updated = excluded.updated",
                (username, role, password_hash, now, now))
            db.execute("DELETE FROM sessions WHERE username = ?", (username,))
        return existed is None

    def set_password_hash(self, username: str, password_hash: str) -> None:
        with self.transaction() as db:
            db.execute("UPDATE users SET password_hash = ? WHERE username = ?", (password_hash, username))

    def delete_user(self, username: str) -> bool:
        with self.transaction() as db:
            db.execute("DELETE FROM sessions WHERE username = ?", (username,))
            return db.execute("DELETE FROM users WHERE username = ?", (username,)).rowcount > 0

    # --- sessions ---------------------------------------------------------------------
    def add_session(self, token_hash: str, username: str, csrf: str, via: str) -> None:
        now = time.time()
        with self.transaction() as db:
            db.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?)",
                       (token_hash, username, csrf, via, now, now))

    def session(self, token_hash: str) -> Optional[sqlite3.Row]:
        return self.one(
            "SELECT s.*, u.role FROM sessions s JOIN users u ON u.username = s.username "
            "WHERE s.token_hash = ?", token_hash)

    def touch_session(self, token_hash: str) -> None:
        with self.transaction() as db:
            db.execute("UPDATE sessions SET last_seen = ? WHERE token_hash = ?", (time.time(), token_hash))

    def drop_session(self, token_hash: str) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash,))

    def drop_sessions_older_than(self, cutoff: float) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM sessions WHERE last_seen < ?", (cutoff,))

    # --- drafts -----------------------------------------------------------------------
    def draft(self, kind: str, item_id: str) -> Optional[Dict[str, Any]]:
        row = self.one("SELECT * FROM drafts WHERE kind = ? AND item_id = ?", kind, item_id)
        return _draft(row) if row else None

    def drafts(self) -> List[Dict[str, Any]]:
        return [_draft(r) for r in self.query("SELECT * FROM drafts ORDER BY kind, item_id")]

    def put_draft(self, kind: str, item_id: str, record: dict, version: str,
                  base_version: Optional[str], username: str) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO drafts VALUES (?, ?, ?, ?, ?, ?, ?)",
                (kind, item_id, json.dumps(record, ensure_ascii=False), version, base_version,
                 username, time.time()))

    def delete_draft(self, kind: str, item_id: str) -> bool:
        with self.transaction() as db:
            return db.execute("DELETE FROM drafts WHERE kind = ? AND item_id = ?",
                              (kind, item_id)).rowcount > 0

    # --- versions ---------------------------------------------------------------------
    def add_version(self, username: str, note: str, items: List[Dict[str, Any]]) -> int:
        """A published version: items are {kind, id, record, hash}."""
        with self.transaction() as db:
            version_id = db.execute("INSERT INTO versions (username, time, note) VALUES (?, ?, ?)",
                                    (username, time.time(), note)).lastrowid
            db.executemany(
                "INSERT INTO version_items VALUES (?, ?, ?, ?, ?)",
                [(version_id, i["kind"], i["id"], json.dumps(i["record"], ensure_ascii=False), i["hash"])
                 for i in items])
        return int(version_id)

    def latest_hashes(self) -> Dict[tuple, str]:
        """The hash of every item as of its newest recorded version."""
        rows = self.query(
            "SELECT kind, item_id, hash FROM version_items vi WHERE version_id = "
            "(SELECT MAX(version_id) FROM version_items WHERE kind = vi.kind AND item_id = vi.item_id)")
        return {(r["kind"], r["item_id"]): r["hash"] for r in rows}

    def history(self, kind: Optional[str] = None, item_id: Optional[str] = None) -> List[sqlite3.Row]:
        sql = ("SELECT v.id AS version, v.username, v.time, v.note, vi.kind, vi.item_id, vi.hash "
               "FROM versions v JOIN version_items vi ON vi.version_id = v.id")
        args: list = []
        if kind:
            sql += " WHERE vi.kind = ?"
            args.append(kind)
            if item_id:
                sql += " AND vi.item_id = ?"
                args.append(item_id)
        return self.query(sql + " ORDER BY v.id DESC, vi.kind, vi.item_id", *args)

    def record_at(self, kind: str, item_id: str, version: int) -> Optional[Dict[str, Any]]:
        """The item as it was published in `version` (or the newest version before it)."""
        if self.one("SELECT 1 FROM versions WHERE id = ?", version) is None:
            return None
        row = self.one(
            "SELECT version_id, record FROM version_items WHERE kind = ? AND item_id = ? "
            "AND version_id <= ? ORDER BY version_id DESC LIMIT 1", kind, item_id, version)
        if row is None or row["record"] is None:
            return None
        return {"version": row["version_id"], "record": json.loads(row["record"])}

    # --- audit ------------------------------------------------------------------------
    def audit(self, username: Optional[str], action: str, kind: Optional[str] = None,
              item_id: Optional[str] = None, detail: Any = None, ip: Optional[str] = None) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO audit (time, username, action, kind, item_id, detail, ip) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (time.time(), username, action, kind, item_id,
                 None if detail is None else json.dumps(detail, ensure_ascii=False), ip))

    def audit_log(self, limit: int = 500) -> List[sqlite3.Row]:
        return self.query("SELECT * FROM audit ORDER BY id DESC LIMIT ?", limit)


def _draft(row: sqlite3.Row) -> Dict[str, Any]:
    return {"kind": row["kind"], "id": row["item_id"], "record": json.loads(row["record"]),
            "version": row["version"], "base_version": row["base_version"],
            "user": row["username"], "time": row["time"]}
