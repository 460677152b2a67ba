"""The licences to reassess, and the new items of the selected one, as table models over the
application's ``ReassessAlert`` and ``AlertItem`` (``app.reassessment``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeVar

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from app.evidence_vocab import EvidenceVocabulary
from app.reassessment import AlertItem, ReassessAlert
from app.reference import ReferenceData
from ui.table_model import RowsTableModel

CASE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
ITEM_ID_ROLE = Qt.ItemDataRole.UserRole + 2

_Index = QModelIndex | QPersistentModelIndex

GRADE_COLOURS = {"A": "#03543f", "B": "#03543f", "C": "#8a5a00", "D": "#8a5a00",
                 "E": "#9b1c1c", "F": "#6b7280"}
SUSPENDED_COLOUR = "#9a4d00"

_R = TypeVar("_R")


def local_time(moment: datetime) -> str:
    """A stored UTC time as the officer's local time, to the minute."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


class _Table(RowsTableModel[_R]):
    COLUMNS: tuple[str, ...] = ()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bold = QFont()
        self._bold.setBold(True)


class AlertsTableModel(_Table[ReassessAlert]):
    """One row per licence to reassess, in the order the application gives (most new
    items first, then the best grade among them)."""

    COLUMNS = ("reference", "destination", "end_user", "status", "since", "items", "grade")

    def __init__(self, ref: ReferenceData, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ref = ref

    def headers(self) -> tuple[str, ...]:
        return (self.tr("Reference"), self.tr("Destination"), self.tr("End user"),
                self.tr("Status"), self.tr("Since"), self.tr("New items"),
                self.tr("Best grade"))

    def cells(self, row: ReassessAlert) -> tuple[str, ...]:
        return tuple(self._display(row, column) for column in self.COLUMNS)

    alert = RowsTableModel.row
    alerts = RowsTableModel.rows

    def row_of_case(self, case_id: int) -> int:
        return self.find_row(lambda a: a.case_id == case_id)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        a = self._rows[index.row()]
        column = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(a, column)
        if role == CASE_ID_ROLE:
            return a.case_id
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(a, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == "status" and a.suspended:
                return QBrush(QColor(SUSPENDED_COLOUR))
            if column == "grade" and a.best_grade:
                return QBrush(QColor(GRADE_COLOURS.get(a.best_grade[0], "#374151")))
        if role == Qt.ItemDataRole.FontRole and column in ("grade", "items"):
            return self._bold
        if role == Qt.ItemDataRole.TextAlignmentRole and column in ("items", "grade"):
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def _display(self, a: ReassessAlert, column: str) -> str:
        match column:
            case "reference":
                return a.reference
            case "destination":
                return self._ref.country_name(a.destination) if a.destination else ""
            case "end_user":
                return a.end_user
            case "status":
                return a.status.label
            case "since":
                return local_time(a.since)
            case "items":
                return str(len(a.items))
            case "grade":
                return a.best_grade or "–"
        return ""

    def _tooltip(self, a: ReassessAlert, column: str) -> str | None:
        match column:
            case "destination":
                return a.destination
            case "status" if a.suspended:
                return self.tr("Suspended: reinstate or revoke it once the facts are clear.")
            case "since":
                return self.tr("Evidence added after the last decision or reassessment, "
                               "signed %1, counts as new.").replace("%1", local_time(a.since))
            case "items" if not a.items:
                return self.tr("No new evidence since the suspension.")
        return None


class AlertItemsModel(_Table[AlertItem]):
    """The new evidence items of one licence, best grade first, with the reasons each counts."""

    COLUMNS = ("grade", "title", "added", "why")

    def __init__(self, vocab: EvidenceVocabulary, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._vocab = vocab

    def headers(self) -> tuple[str, ...]:
        return self.tr("Grade"), self.tr("Title"), self.tr("Added"), self.tr("Why it counts")

    item = RowsTableModel.row

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self._rows[index.row()]
        column = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            match column:
                case "grade":
                    return item.grade
                case "title":
                    return item.title
                case "added":
                    return local_time(item.added_at)
                case "why":
                    return " · ".join(item.why)
        if role == ITEM_ID_ROLE:
            return item.evidence_id
        if role == Qt.ItemDataRole.ToolTipRole:
            match column:
                case "grade":
                    rel = self._vocab.reliability.get(item.grade[0])
                    cred = self._vocab.credibility.get(item.grade[1])
                    return (f"{item.grade[0]}: {rel.title if rel else '?'}\n"
                            f"{item.grade[1]}: {cred.title if cred else '?'}")
                case "title":
                    return self.tr("%1\nEvidence item %2, version %3").replace(
                        "%1", item.title).replace("%2", str(item.evidence_id)).replace(
                        "%3", str(item.version_no))
                case "why":
                    return "\n".join(f"• {w}" for w in item.why)
        if role == Qt.ItemDataRole.ForegroundRole and column == "grade":
            return QBrush(QColor(GRADE_COLOURS.get(item.grade[0], "#374151")))
        if role == Qt.ItemDataRole.FontRole and column == "grade":
            return self._bold
        if role == Qt.ItemDataRole.TextAlignmentRole and column == "grade":
            return int(Qt.AlignmentFlag.AlignCenter)
        return None
