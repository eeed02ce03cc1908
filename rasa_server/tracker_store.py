"""Rasa's SQL tracker store with its per-message queries written as plain SQL.

Rasa builds the same ORM queries (count the stored events of the latest session, read
them back) for every message; under load, generating SQLAlchemy's cache keys for them
cost about a third of the server's CPU per message. The statements below select exactly
the same rows, on SQLite and PostgreSQL alike; tables and columns are Rasa's own. The new
events of a message are written with one INSERT of all their rows instead of one ORM
object each (the ORM's bookkeeping was about 5% of the server's time per message); the
rows are those Rasa writes.

A conversation's tracker is also kept in the server between its messages (at most
TRACKER_KEEP conversations, 200 by default; 0 turns it off). Reading a session back meant
parsing every event's JSON, building the events and replaying them, for every message: the
largest cost that grows with the length of a session. A kept tracker is lent out (and taken
out of the keep) only when the newest stored event of the conversation is still the one it
ended with, so a message another server handled, a conversation deleted, or a model with
another domain loaded since, all read the store again. It is kept only when it holds exactly
the stored events of the latest session (as a read would return them), so a new session is
read afresh. Writes to one conversation come under its lock (the lock store), as in Rasa.

On PostgreSQL the connection pool also checks a connection before lending it out
(`pool_pre_ping`): after the database server restarts, Rasa's pool would otherwise hand
each stale connection to one message, which then fails. The check is one round trip.
"""

from __future__ import annotations

import itertools
import json
import os
from collections import OrderedDict
from typing import Optional, Text, Tuple

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

# Events of one conversation since its latest SessionStarted (all events when none).
_LATEST_SESSION = """
FROM {table} WHERE sender_id = :sender_id AND (
    timestamp >= (SELECT MAX(timestamp) FROM {table}
                  WHERE sender_id = :sender_id AND type_name = :session_started)
    OR (SELECT MAX(timestamp) FROM {table}
        WHERE sender_id = :sender_id AND type_name = :session_started) IS NULL)
"""


class FastSQLTrackerStore(SQLTrackerStore):
    """Configured like Rasa's `SQL` store, with `type: rasa_server.tracker_store.FastSQLTrackerStore`."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "postgresql":
            url = self.engine.url
            self.engine.dispose()
            self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        table = self.SQLEvent.__table__.name
        latest = _LATEST_SESSION.format(table=table)
        self._count_latest = sa.text(f"SELECT COUNT(*) {latest}")
        self._select_latest = sa.text(f"SELECT data {latest} ORDER BY id")
        self._newest_id = sa.text(f"SELECT MAX(id) FROM {table} WHERE sender_id = :sender_id")
        # sender id -> (tracker, id of its newest stored event, the domain it was built with)
        self._kept: "OrderedDict[Text, Tuple[DialogueStateTracker, int, int]]" = OrderedDict()
        self._keep_at_most = _keep_at_most()

    def _parameters(self, sender_id: Text) -> dict:
        return {"sender_id": sender_id, "session_started": SessionStarted.type_name}

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        kept = self._kept.pop(sender_id, None)  # lent out: the message in hand changes it
        with self.session_scope() as session:
            if kept is not None and kept[2] == id(self.domain):
                newest = session.execute(self._newest_id, {"sender_id": sender_id}).scalar()
                if newest == kept[1]:
                    return kept[0]
            rows = session.execute(self._select_latest, self._parameters(sender_id)).all()
        events = [json.loads(data) for (data,) in rows]
        if not (self.domain and events):
            return None
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)  # as Rasa's own save (an event broker, if set)
        self._kept.pop(tracker.sender_id, None)
        with self.session_scope() as session:
            stored = self._stored(session, tracker)
            rows = [_row(tracker.sender_id, event)
                    for event in itertools.islice(tracker.events, stored, len(tracker.events))]
            if rows:
                session.execute(self.SQLEvent.__table__.insert(), rows)
            # Kept only if it holds exactly the latest session's stored events, as a read
            # would give them: nothing stored that it lacks, and no new session begun now.
            newest = 0
            if self._keep_at_most and stored + len(rows) == len(tracker.events) and not any(
                    row["type_name"] == SessionStarted.type_name for row in rows):
                newest = int(session.execute(
                    self._newest_id, {"sender_id": tracker.sender_id}).scalar() or 0)
            session.commit()
        if newest:
            self._kept[tracker.sender_id] = (tracker, newest, id(self.domain))
            while len(self._kept) > self._keep_at_most:
                self._kept.popitem(last=False)  # the conversation quiet for longest

    def _stored(self, session, tracker: DialogueStateTracker) -> int:
        """How many events of the latest session are stored already."""
        return int(session.execute(self._count_latest,
                                   self._parameters(tracker.sender_id)).scalar() or 0)

def _keep_at_most() -> int:
    try:
        return max(0, int(os.environ.get("TRACKER_KEEP", "200")))
    except ValueError:
        return 200


def _row(sender_id: Text, event) -> dict:
    """The columns of one event, computed as Rasa's SQLTrackerStore.save does."""
    data = event.as_dict()
    return {"sender_id": sender_id, "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"), "data": json.dumps(data)}
