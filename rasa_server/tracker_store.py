"""Rasa's SQL tracker store with its per-message queries written as plain SQL.

Rasa builds the same ORM queries (count the stored events of the latest session, read
them back) for every message; under load, generating SQLAlchemy's cache keys for them
cost about a third of the server's CPU per message. The statements below select exactly
the same rows, on SQLite and PostgreSQL alike; tables and columns are Rasa's own. The new
events of a message are written with one INSERT of all their rows instead of one ORM
object each (the ORM's bookkeeping was about 5% of the server's time per message); the
rows are those Rasa writes.

On PostgreSQL the connection pool also checks a connection before lending it out
(`pool_pre_ping`): after the database server restarts, Rasa's pool would otherwise hand
each stale connection to one message, which then fails. The check is one round trip.
"""

from __future__ import annotations

import itertools
import json
from typing import Iterator, Optional, Text

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
        latest = _LATEST_SESSION.format(table=self.SQLEvent.__table__.name)
        self._count_latest = sa.text(f"SELECT COUNT(*) {latest}")
        self._select_latest = sa.text(f"SELECT data {latest} ORDER BY id")

    def _parameters(self, sender_id: Text) -> dict:
        return {"sender_id": sender_id, "session_started": SessionStarted.type_name}

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        with self.session_scope() as session:
            rows = session.execute(self._select_latest, self._parameters(sender_id)).all()
        events = [json.loads(data) for (data,) in rows]
        if not (self.domain and events):
            return None
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)  # as Rasa's own save (an event broker, if set)
        with self.session_scope() as session:
            rows = [_row(tracker.sender_id, event)
                    for event in self._additional_events(session, tracker)]
            if rows:
                session.execute(self.SQLEvent.__table__.insert(), rows)
            session.commit()

    def _additional_events(self, session, tracker: DialogueStateTracker) -> Iterator:
        stored = session.execute(self._count_latest, self._parameters(tracker.sender_id)).scalar()
        return itertools.islice(tracker.events, stored, len(tracker.events))


def _row(sender_id: Text, event) -> dict:
    """The columns of one event, computed as Rasa's SQLTrackerStore.save does."""
    data = event.as_dict()
    return {"sender_id": sender_id, "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"), "data": json.dumps(data)}
