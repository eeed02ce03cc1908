"""Find or delete one citizen's conversations in Rasa's own conversation store (issue #11).

The review database keeps a citizen only as a keyed hash, but Rasa's tracker store keeps the
whole conversation, message texts included, under the raw sender id. An administrator who
deletes "everything from one sender" in the console (staff/personal_data.py) must reach it
too. The console's environment has no Rasa, so it runs this with the project's `.venv`:

    echo '{"sender": "web-…"} | {"item_id": 12}' | .venv/bin/python -m scripts.forget_conversation [--delete]

The request comes on stdin, so no sender id shows in `ps`. The store is the one Rasa is
configured with (ENDPOINTS, default endpoints.yml: SQLite or PostgreSQL alike, through
Rasa's own tracker store class). A sender given by id is matched exactly; an inbox item is
matched by comparing the review database's keyed hash of each stored sender id with the
item's. Prints {"conversations": n, "events": n}: what was found, or deleted with --delete.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import List, Optional

from actions import review_log
from actions.settings import PROJECT_ROOT


class ForgetError(Exception):
    """The request or the conversation store cannot be used; the message says why."""


def _store(endpoints: Path):
    from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
    from rasa.utils.endpoints import read_endpoint_config

    config = read_endpoint_config(str(endpoints), "tracker_store")
    if config is None:
        raise ForgetError(f"{endpoints} configures no tracker store")
    store = TrackerStore.create(config)
    if not isinstance(store, SQLTrackerStore):
        raise ForgetError(f"the tracker store of {endpoints} is not an SQL store")
    return store


def _matching(session, event_table, sender: Optional[str], item_id: Optional[int]) -> List[str]:
    if sender:
        found = session.query(event_table.sender_id).filter(
            event_table.sender_id == sender).first()
        return [sender] if found else []
    with review_log.connect() as connection:
        target = review_log._hash_for(connection, None, item_id)
        if target is None:
            raise ForgetError(f"no inbox item {item_id}")
        ids = [row[0] for row in session.query(event_table.sender_id).distinct()]
        return [i for i in ids if review_log.sender_hash(connection, i) == target]


def forget(request: dict, delete: bool, endpoints: Path) -> dict:
    sender = str(request.get("sender") or "").strip() or None
    item_id = request.get("item_id")
    if (sender is None) == (item_id is None):
        raise ForgetError("give exactly one of sender and item_id")
    store = _store(endpoints)
    table = store.SQLEvent
    with store.session_scope() as session:
        senders = _matching(session, table, sender, None if sender else int(item_id))
        query = session.query(table).filter(table.sender_id.in_(senders))
        events = query.count()
        if delete and senders:
            query.delete(synchronize_session=False)
            session.commit()
    return {"conversations": len(senders), "events": events}


def main(argv: Optional[list] = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    endpoints = PROJECT_ROOT / os.environ.get("ENDPOINTS", "endpoints.yml")
    try:
        result = forget(json.loads(sys.stdin.read() or "{}"), "--delete" in argv, endpoints)
    except (ForgetError, ValueError, TypeError) as error:
        print(json.dumps({"error": str(error)}))
        return 1
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
