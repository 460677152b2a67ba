"""The case's change events as a read-only table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from app.status import CaseStatus

_Index = QModelIndex | QPersistentModelIndex


class HistoryModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[datetime, str, str, dict | None]] = []

    def set_rows(self, rows: list[tuple[datetime, str, str, dict | None]]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 4

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return (self.tr("When (local time)"), self.tr("Who"), self.tr("What"),
                    self.tr("Details"))[section]
        return None

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

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        at, who, action, after = self._rows[index.row()]
        what, details = self._describe(action, after)
        return (at.astimezone().strftime("%Y-%m-%d %H:%M:%S"), who, what,
                details)[index.column()]
