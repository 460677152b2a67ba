"""The case's change events as a read-only table."""

from __future__ import annotations

from datetime import datetime

from app.status import CaseStatus
from ui.table_model import RowsTableModel

HistoryRow = tuple[datetime, str, str, dict | None]


class HistoryModel(RowsTableModel[HistoryRow]):
    def headers(self) -> tuple[str, ...]:
        return (self.tr("When (local time)"), self.tr("Who"), self.tr("What"),
                self.tr("Details"))

    def _describe(self, action: str, after: dict | None) -> tuple[str, str]:
        after = after or {}
        if action == "case.create":
            status = after.get("status", "")
            return self.tr("Registered"), CaseStatus(status).label if status else ""
        if action == "case.update":
            return self.tr("Application edited"), ""
        if action == "case.status":
            label = CaseStatus(after["status"]).label if after.get("status") else ""
            reason = after.get("reason") or ""
            return self.tr("Status changed"), label + (f" — {reason}" if reason else "")
        return action, ""

    def cells(self, row: HistoryRow) -> tuple[str, ...]:
        at, who, action, after = row
        what, details = self._describe(action, after)
        return at.astimezone().strftime("%Y-%m-%d %H:%M:%S"), who, what, details
