"""Item models of the audit view: search results, a case's chain of records, the changes
between two snapshots and the comparable decisions that went the other way."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from app.decisions import Change, DecisionListRow, DecisionRecord, Divergence
from app.reference import ReferenceData
from app.status import CaseStatus
from ui.audit.formatting import MUTED, local_time, one_line, outcome_colours, pretty
from ui.table_model import RowsTableModel

RECORD_ID_ROLE = Qt.ItemDataRole.UserRole + 1
CASE_ID_ROLE = Qt.ItemDataRole.UserRole + 2

_Index = QModelIndex | QPersistentModelIndex

STATUS_COLOURS = {
    CaseStatus.REFUSED: "#9b1c1c", CaseStatus.REVOKED: "#9b1c1c",
    CaseStatus.APPROVED: "#03543f", CaseStatus.APPROVED_WITH_CONDITIONS: "#03543f",
    CaseStatus.AWAITING_COUNTERSIGNATURE: "#8a5a00", CaseStatus.SUSPENDED: "#8a5a00",
}


def country_text(ref: ReferenceData, code: str) -> str:
    name = ref.country_name(code)
    return f"{name} ({code})" if code and name != code else code


class DecisionsTableModel(RowsTableModel[DecisionListRow]):
    """Search results, newest first; sortable by any column."""

    COLUMNS = ("ref", "kind", "outcome", "destination", "end_user", "categories", "framework",
               "criteria", "officer", "decided_at", "status")

    def __init__(self, ref: ReferenceData, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ref = ref
        self._headers = (self.tr("Record"), self.tr("Kind"), self.tr("Outcome"),
                         self.tr("Destination"), self.tr("End user"), self.tr("Items"),
                         self.tr("Framework"), self.tr("Criteria cited"), self.tr("Signed by"),
                         self.tr("Signed at"), self.tr("Case now"))
        self._bold = QFont()
        self._bold.setBold(True)

    def headers(self) -> tuple[str, ...]:
        return self._headers

    def cells(self, row: DecisionListRow) -> tuple[str, ...]:
        return tuple(self._display(row, column) for column in self.COLUMNS)

    row_at = RowsTableModel.row

    def row_of_record(self, record_id: int) -> int:
        return self.find_row(lambda r: r.id == record_id)

    def _display(self, r: DecisionListRow, column: str) -> str:
        match column:
            case "ref":
                return r.ref
            case "kind":
                return r.kind.label
            case "outcome":
                return r.outcome.label
            case "destination":
                return country_text(self._ref, r.destination)
            case "end_user":
                return r.end_user
            case "categories":
                return r.categories
            case "framework":
                return r.framework
            case "criteria":
                return r.criteria
            case "officer":
                return r.officer
            case "decided_at":
                return local_time(r.decided_at)
            case "status":
                return r.status.label
        return ""

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self._rows[index.row()]
        column = self.COLUMNS[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            text = self._display(r, column)
            if role == Qt.ItemDataRole.ToolTipRole:
                if column == "ref" and r.origin != "signed":
                    return self.tr("%1 — not signed (%2)").replace("%1", r.ref).replace(
                        "%2", r.origin)
                return text or None
            return text
        if role == RECORD_ID_ROLE:
            return r.id
        if role == CASE_ID_ROLE:
            return r.case_id
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == "outcome":
                return QBrush(QColor(outcome_colours(r.outcome.value)[0]))
            if column == "status":
                return QBrush(QColor(STATUS_COLOURS.get(r.status, "#374151")))
            if column == "ref" and r.origin != "signed":
                return QBrush(QColor(MUTED))
        if role == Qt.ItemDataRole.FontRole and column in ("ref", "outcome"):
            return self._bold
        return None

    def _key(self, r: DecisionListRow, column: str) -> Any:
        if column == "decided_at":
            return r.decided_at
        if column == "ref":
            return (r.ref.split("/")[0], r.id)
        return self._display(r, column).casefold()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        name = self.COLUMNS[column]
        self.layoutAboutToBeChanged.emit()
        self._rows.sort(key=lambda r: self._key(r, name),
                        reverse=order == Qt.SortOrder.DescendingOrder)
        self.layoutChanged.emit()


class HistoryModel(RowsTableModel[DecisionRecord]):
    """Every record of one case in sequence; the record being read is shown in bold."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.current_id: int | None = None
        self._bold = QFont()
        self._bold.setBold(True)

    def headers(self) -> tuple[str, ...]:
        return (self.tr("#"), self.tr("Record"), self.tr("Kind"), self.tr("Signed by"),
                self.tr("Signed at"), self.tr("Case status"), self.tr("Reasons or comment"))

    def cells(self, row: DecisionRecord) -> tuple[str, ...]:
        kind = row.kind.label
        if row.kind.value == "decision":
            kind = f"{kind}: {row.outcome.label}"
        status = (row.status_after.label if row.status_before == row.status_after
                  else f"{row.status_before.label} → {row.status_after.label}")
        return (str(row.sequence), row.ref, kind, row.decided_by_name or row.decided_by,
                local_time(row.decided_at), status, one_line(row.rationale))

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        record = self._rows[index.row()]
        if role == Qt.ItemDataRole.ToolTipRole:
            if index.column() == 6:
                return record.rationale or None
            return self.cells(record)[index.column()] or None
        if role == Qt.ItemDataRole.FontRole and record.id == self.current_id:
            return self._bold
        if role == RECORD_ID_ROLE:
            return record.id
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 2 \
                and record.kind.value == "decision":
            return QBrush(QColor(outcome_colours(record.outcome.value)[0]))
        return super().data(index, role)

    def set_current(self, record_id: int | None) -> None:
        self.current_id = record_id
        if self._rows:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._rows) - 1, self.columnCount() - 1))


class DiffModel(RowsTableModel[Change]):
    """One row per changed field: where it is in the snapshot, before and after."""

    def headers(self) -> tuple[str, ...]:
        return (self.tr("Field"), self.tr("Before"), self.tr("After"))

    def cells(self, row: Change) -> tuple[str, ...]:
        return (row.path, one_line(row.before), one_line(row.after))

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        change = self._rows[index.row()]
        if role == Qt.ItemDataRole.ToolTipRole:
            value = (change.path, change.before, change.after)[index.column()]
            text = pretty(value) if index.column() else str(value)
            return text[:2000] or None
        if role == Qt.ItemDataRole.ForegroundRole and index.column() > 0:
            value = change.before if index.column() == 1 else change.after
            if value is None:
                return QBrush(QColor(MUTED))
            return QBrush(QColor("#9b1c1c" if index.column() == 1 else "#03543f"))
        return super().data(index, role)


class ConsistencyModel(RowsTableModel[Divergence]):
    def __init__(self, ref: ReferenceData, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ref = ref

    def headers(self) -> tuple[str, ...]:
        return (self.tr("Why comparable"), self.tr("Record"), self.tr("Outcome"),
                self.tr("Destination"), self.tr("End user"), self.tr("Signed at"))

    def cells(self, row: Divergence) -> tuple[str, ...]:
        r = row.row
        return (row.basis, r.ref, r.outcome.label, country_text(self._ref, r.destination),
                r.end_user, local_time(r.decided_at))

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        divergence = self._rows[index.row()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.cells(divergence)[index.column()] or None
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 2:
            return QBrush(QColor(outcome_colours(divergence.row.outcome.value)[0]))
        if role == RECORD_ID_ROLE:
            return divergence.row.id
        if role == CASE_ID_ROLE:
            return divergence.row.case_id
        return super().data(index, role)
