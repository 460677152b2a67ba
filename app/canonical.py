"""Canonical JSON: the one byte form in which records are hashed and signed.

Sorted keys, UTF-8, no insignificant whitespace, no NaN. Dates, times, decimals and enums
are turned into strings first, so the same record always gives the same bytes, whatever
order it was built in and whichever backend it was read back from.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any


def _default(value: object) -> object:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise TypeError("naive datetime in a canonical record")
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError(f"{type(value).__name__} has no canonical JSON form")


def canonical_bytes(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False, default=_default).encode("utf-8")


def plain(value: Any) -> Any:
    """The value exactly as a JSON column gives it back (string keys, lists, no dates)."""
    return json.loads(canonical_bytes(value))


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def event_hash(prev_hash: str, at: datetime, actor_id: int | None, action: str, entity: str,
               entity_id: str, before: Any, after: Any) -> str:
    """An audit event's hash: it covers the previous event's hash, so the events form a
    chain in which an edited, deleted, inserted or reordered event shows."""
    return sha256_hex(canonical_bytes({
        "prev": prev_hash, "at": at, "actor": actor_id, "action": action, "entity": entity,
        "entity_id": entity_id, "before": before, "after": after}))
