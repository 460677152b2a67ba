"""What the screening views share: how times and states look, and the database worker."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QCoreApplication, QObject

from app.screening import service
from ui.tasks import TaskRunner

#: A hit's state as text and background colours, the same as the check chips.
STATE_COLOURS: dict[str, tuple[str, str]] = {
    service.OPEN: ("#8a5a00", "#fff4d6"),
    service.REVISIT: ("#8a5a00", "#fff4d6"),
    service.MATCH: ("#9b1c1c", "#fde8e8"),
    service.FALSE_POSITIVE: ("#03543f", "#def7ec"),
}

STYLE = """
QLabel#sectionTitle { font-weight: 600; color: #1d2840; }
QLabel#screeningSummary { color: #374151; }
QLabel#screeningDone { color: #03543f; font-weight: 600; }
QLabel#screeningAlert { color: #8a5a00; font-weight: 600; }
QLabel#progressText { color: #374151; }
QFrame#screeningBox { background: white; border: 1px solid #d9dee8; border-radius: 6px; }
QTextBrowser#hitExplanation { border: 1px solid #d9dee8; border-radius: 6px; background: white; }
QPushButton#matchButton { color: #9b1c1c; font-weight: 600; }
QPushButton#falsePositiveButton { color: #03543f; font-weight: 600; }
"""


def when_text(moment: datetime | None, seconds: bool = False) -> str:
    """A stored (UTC) time in the workstation's local time, as the other views show it."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M" + (":%S" if seconds else ""))


def verdict_label(verdict: str) -> str:
    return {service.MATCH: QCoreApplication.translate("Screening", "True match"),
            service.FALSE_POSITIVE: QCoreApplication.translate("Screening", "False positive"),
            }.get(verdict, verdict)


def reason_label(reason: str) -> str:
    """Why a run happened: 'manual' and 'list-update' as people say them."""
    return {"manual": QCoreApplication.translate("Screening", "Screened by hand"),
            "list-update": QCoreApplication.translate("Screening", "List updated"),
            "decision": QCoreApplication.translate("Screening", "With the decision"),
            }.get(reason, reason)


def window_runner(widget: QObject, fallback: list[TaskRunner]) -> TaskRunner:
    """The main window's database worker (SQLite has one writer, so screening jobs queue
    behind the others); a widget shown on its own gets a runner of its own."""
    parent: QObject | None = widget.parent()
    while parent is not None:
        found = getattr(parent, "runner", None)
        if isinstance(found, TaskRunner):
            return found
        parent = parent.parent()
    if not fallback:
        fallback.append(TaskRunner(widget))
    return fallback[0]
