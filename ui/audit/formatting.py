"""Small shared ways of showing record values: local times, outcome colours, short hashes,
and any JSON value on one line or pretty-printed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from app.assessment import Outcome

#: Foreground and background of an outcome, as in the assessment summary's headline.
OUTCOME_COLOURS: dict[str, tuple[str, str]] = {
    Outcome.APPROVE.value: ("#03543f", "#def7ec"),
    Outcome.APPROVE_WITH_CONDITIONS.value: ("#03543f", "#def7ec"),
    Outcome.REFUSE.value: ("#9b1c1c", "#fde8e8"),
    Outcome.REFER.value: ("#1849a9", "#e0ecff"),
}
NEUTRAL = ("#374151", "#eef0f3")
OK_COLOUR = "#03543f"
BAD_COLOUR = "#9b1c1c"
WARN_COLOUR = "#8a5a00"
MUTED = "#6b7280"


def outcome_colours(outcome: str) -> tuple[str, str]:
    return OUTCOME_COLOURS.get(str(outcome), NEUTRAL)


def to_datetime(value: datetime | str | None) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def local_time(value: datetime | str | None, *, zone: bool = False) -> str:
    """Stored UTC shown in local time, to the minute (with the zone's name if asked)."""
    moment = to_datetime(value)
    if moment is None:
        return str(value or "")
    local = moment.astimezone()
    text = local.strftime("%Y-%m-%d %H:%M")
    return f"{text} {local.tzname()}" if zone and local.tzname() else text


def short_hash(digest: str | None, length: int = 12) -> str:
    return f"{digest[:length]}…" if digest and len(digest) > length else (digest or "")


def one_line(value: Any) -> str:
    """A value on one line: text as it is, anything else as compact JSON; absent as —."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value.replace("\n", " ⏎ ")
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def pretty(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, indent=2)
