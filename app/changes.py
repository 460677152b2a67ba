"""Change events: who changed what, when, with the state before and after.

Written through the caller's session so the event commits or rolls back with the change.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from db.models import ChangeEvent


def now_utc() -> datetime:
    return datetime.now(UTC)


def record_change(session: Session, actor_id: int | None, action: str, entity: str,
                  entity_id: str | int, before: dict[str, Any] | None,
                  after: dict[str, Any] | None, at: datetime | None = None) -> ChangeEvent:
    event = ChangeEvent(at=at or now_utc(), actor_id=actor_id, action=action, entity=entity,
                        entity_id=str(entity_id), before=before, after=after)
    session.add(event)
    return event
