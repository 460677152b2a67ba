"""Change events: who changed what, when, with the state before and after.

Written through the caller's session so the event commits or rolls back with the change.
Each event is chained to the one before by its hash (``app.canonical.event_hash``); ids are
given here, one after the other, so a gap shows a deleted event. Two writers racing for
the same id make one of them fail rather than fork the chain.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.canonical import event_hash, plain
from db.models import ChangeEvent

GENESIS = ""


def now_utc() -> datetime:
    return datetime.now(UTC)


def chain_head(session: Session) -> tuple[int, str]:
    """The last event's id and hash (0 and "" before the first event)."""
    row = session.execute(select(ChangeEvent.id, ChangeEvent.hash)
                          .order_by(ChangeEvent.id.desc()).limit(1)).first()
    return (row[0], row[1]) if row else (0, GENESIS)


def record_change(session: Session, actor_id: int | None, action: str, entity: str,
                  entity_id: str | int, before: dict[str, Any] | None,
                  after: dict[str, Any] | None, at: datetime | None = None) -> ChangeEvent:
    last_id, last_hash = chain_head(session)
    at = (at or now_utc()).astimezone(UTC)
    before, after = plain(before), plain(after)
    event = ChangeEvent(id=last_id + 1, at=at, actor_id=actor_id, action=action,
                        entity=entity, entity_id=str(entity_id), before=before, after=after,
                        prev_hash=last_hash,
                        hash=event_hash(last_hash, at, actor_id, action, entity,
                                        str(entity_id), before, after))
    session.add(event)
    session.flush()
    return event
