"""The countersignature queue as a table: one row per case awaiting countersignature, oldest
first, saying whether the signed-in user may act on it."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from app.decisions import QueueItem
from app.reference import ReferenceData
from ui.audit.formatting import MUTED, OK_COLOUR, local_time, outcome_colours
from ui.audit.table_models import country_text
from ui.table_model import RowsTableModel

CASE_ID_ROLE = Qt.ItemDataRole.UserRole + 1

_Index = QModelIndex | QPersistentModelIndex


class QueueTableModel(RowsTableModel[QueueItem]):
    COLUMNS = ("reference", "destination", "outcome", "decided_by", "decided_at",
               "countersigned", "you")

    def __init__(self, ref: ReferenceData, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ref = ref
        self._headers = (self.tr("Case"), self.tr("Destination"), self.tr("Outcome"),
                         self.tr("Decided by"), self.tr("Decided at"),
                         self.tr("Countersigned"), self.tr("You"))
        self._bold = QFont()
        self._bold.setBold(True)

    def headers(self) -> tuple[str, ...]:
        return self._headers

    def cells(self, row: QueueItem) -> tuple[str, ...]:
        return tuple(self._display(row, column) for column in self.COLUMNS)

    row_at = RowsTableModel.row

    def row_of_case(self, case_id: int) -> int:
        return self.find_row(lambda r: r.case_id == case_id)

    def you_text(self, item: QueueItem) -> str:
        if item.can_act:
            return self.tr("You may act")
        reason = item.why_not or ""
        return self.tr("Not you: %1").replace("%1", reason) if reason else self.tr("Not you")

    def _display(self, item: QueueItem, column: str) -> str:
        match column:
            case "reference":
                return item.reference
            case "destination":
                return country_text(self._ref, item.destination)
            case "outcome":
                return item.outcome.label
            case "decided_by":
                return item.decided_by
            case "decided_at":
                return local_time(item.decided_at)
            case "countersigned":
                return self.tr("%1 of %2").replace("%1", str(item.countersigned)).replace(
                    "%2", str(item.required))
            case "you":
                return self.you_text(item)
        return ""

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self._rows[index.row()]
        column = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(item, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == "countersigned":
                return self.tr("%1 of the %2 countersignature(s) this decision needs are "
                               "signed").replace("%1", str(item.countersigned)).replace(
                    "%2", str(item.required))
            return self._display(item, column) or None
        if role == CASE_ID_ROLE:
            return item.case_id
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == "outcome":
                return QBrush(QColor(outcome_colours(item.outcome.value)[0]))
            if column == "you":
                return QBrush(QColor(OK_COLOUR if item.can_act else MUTED))
        if role == Qt.ItemDataRole.FontRole and (
                column in ("reference", "outcome") or (column == "you" and item.can_act)):
            return self._bold
        return None
