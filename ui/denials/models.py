"""The denial tables as read-only models over the service's own views (``DenialView``,
``DenialMatch``): the cells are formatted once here, and a lapsed denial or a consultation
still required is coloured the same wherever it is listed."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from app.denials import OWN, DenialMatch, DenialView
from ui.denials.common import (
    CONSULTED,
    MUTED,
    OWN_COLOUR,
    TO_CONSULT,
    categories_text,
    role_label,
    source_label,
    state_text,
)
from ui.table_model import Index, RowsTableModel

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
#: The role giving a row's object (a DenialView or a DenialMatch) to views and tests.
ROW_ROLE = Qt.ItemDataRole.UserRole + 1


def folded(text: str) -> str:
    """Case and accents set aside, so 'cote d ivoire' finds "Côte d'Ivoire"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class NoFocusDelegate(QStyledItemDelegate):
    """Whole rows are selected: no dotted frame around the one cell that has focus, which
    would hide a coloured state cell."""

    def initStyleOption(self, option: QStyleOptionViewItem,
                        index: QModelIndex | QPersistentModelIndex) -> None:
        super().initStyleOption(option, index)
        option.state &= ~QStyle.StateFlag.State_HasFocus  # type: ignore[attr-defined]


class DenialsModel(RowsTableModel[DenialView]):
    """Every denial of the register, one row per denied party."""

    SOURCE, REFERENCE, NOTIFYING, DATE, LAPSES, DESTINATION, PARTY, ROLE, ENTRIES, \
        CATEGORIES, ITEM, END_USE, REASON = range(13)
    #: Long free text: shown whole in the tooltip and the detail pane.
    LONG = (PARTY, ITEM, END_USE, REASON)

    def __init__(self, country_name: Callable[[str], str],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.country_name = country_name
        self.today = date.today()
        self._cells: list[tuple[str, ...]] = []
        self._haystacks: list[str] = []
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder

    def headers(self) -> tuple[str, ...]:
        return (self.tr("Source"), self.tr("Reference"), self.tr("Notified by"),
                self.tr("Date"), self.tr("Lapses on"), self.tr("Destination"),
                self.tr("Denied party"), self.tr("Role"), self.tr("Control entries"),
                self.tr("Categories"), self.tr("Item"), self.tr("End use"),
                self.tr("Reason"))

    def destination(self, row: DenialView) -> str:
        if not row.destination:
            return self.tr("%1 (not recognised)").replace("%1", row.country_text)
        return self.country_name(row.destination)

    def party(self, row: DenialView) -> str:
        """The denied party's name; a refusal imported from an older system may have none."""
        return row.party_name or self.tr("(not named)")

    def cells(self, row: DenialView) -> tuple[str, ...]:
        return (source_label(row.source), row.reference, row.notifying,
                row.date.isoformat(), row.lapses_on.isoformat(), self.destination(row),
                self.party(row), role_label(row.party_role), ", ".join(row.control_entries),
                categories_text(row.categories), row.item_description, row.end_use,
                row.reason)

    def set_rows(self, rows: list[DenialView]) -> None:  # type: ignore[override]
        """The rows in the order last asked for; their cells and what the text filter
        searches are worked out once here, not on every paint, comparison or key press."""
        self.today = date.today()
        self.beginResetModel()
        self._rows = list(rows)
        self._cells = [self.cells(r) for r in self._rows]
        self._order(list(range(len(self._rows))))
        self.endResetModel()

    def _order(self, positions: list[int]) -> list[int]:
        """Put the rows (given by their current positions) in sort order; returns, for each
        current position, the new one."""
        column, descending = self._sort_column, self._sort_order == Qt.SortOrder.DescendingOrder
        if column >= 0:
            positions.sort(key=lambda n: (self._cells[n][column].casefold(),
                                          self._rows[n].reference), reverse=descending)
        self._rows = [self._rows[n] for n in positions]
        self._cells = [self._cells[n] for n in positions]
        self._haystacks = [folded(" ".join((r.reference, r.destination, r.country_text,
                                            c[self.DESTINATION], r.party_name)))
                           for r, c in zip(self._rows, self._cells, strict=True)]
        moved = [0] * len(positions)
        for new, old in enumerate(positions):
            moved[old] = new
        return moved

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorted in Python with a key: twenty thousand rows in milliseconds, where Qt's
        comparison sort would call data() hundreds of thousands of times."""
        self._sort_column, self._sort_order = column, order
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        moved = self._order(list(range(len(self._rows))))
        self.changePersistentIndexList(old, [self.index(moved[i.row()], i.column())
                                             for i in old])
        self.layoutChanged.emit()

    def haystack(self, position: int) -> str:
        return self._haystacks[position]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        position, column = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cells[position][column]
        row = self._rows[position]
        lapsed = not row.in_force(self.today)
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.ToolTipRole:
            if column in (self.DATE, self.LAPSES):
                return state_text(row, self.today)
            if column == self.DESTINATION and not row.destination:
                return self.tr("Golden Rule does not know this country name: the denial "
                               "matches no destination until the name is added to the "
                               "country aliases and the file is imported again.")
            if column in self.LONG:
                return self._cells[position][column] or None
            if column == self.SOURCE and row.source == OWN:
                return self.tr("A refusal of this authority (case %1)").replace(
                    "%1", row.reference)
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if lapsed:
                return QBrush(QColor(MUTED))
            if column == self.SOURCE and row.source == OWN:
                return QBrush(QColor(OWN_COLOUR))
            if column == self.DESTINATION and not row.destination:
                return QBrush(QColor("#9a4d00"))
            if column == self.PARTY and not row.party_name:
                return QBrush(QColor(MUTED))
            return None
        if role == Qt.ItemDataRole.FontRole and lapsed and column == self.LAPSES:
            font = QFont()
            font.setStrikeOut(True)
            return font
        return None


class DenialFilterProxy(QSortFilterProxyModel):
    """The text filter (every word must appear in the destination, the denied party's name
    or the reference, case and accents aside), a source and "in force only"."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._terms: list[str] = []
        self._source: str | None = None
        self._in_force_only = False

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorting is the source model's job; the proxy keeps its order and only filters."""
        model = self.sourceModel()
        if isinstance(model, DenialsModel) and column >= 0:
            model.sort(column, order)

    def _change(self, attribute: str, value: object) -> None:
        """Qt 6.9+ wants the filter change bracketed; older versions invalidate after."""
        if hasattr(self, "beginFilterChange"):
            self.beginFilterChange()
            setattr(self, attribute, value)
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            setattr(self, attribute, value)
            self.invalidateRowsFilter()

    def set_text(self, text: str) -> None:
        self._change("_terms", folded(text).split())

    def set_source(self, source: str | None) -> None:
        self._change("_source", source or None)

    def set_in_force_only(self, only: bool) -> None:
        self._change("_in_force_only", only)

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex) -> bool:
        model = self.sourceModel()
        assert isinstance(model, DenialsModel)
        row = model.row(source_row)
        if self._source is not None and row.source != self._source:
            return False
        if self._in_force_only and not row.in_force(model.today):
            return False
        if not self._terms:
            return True
        haystack = model.haystack(source_row)
        return all(term in haystack for term in self._terms)


class MatchesModel(RowsTableModel[DenialMatch]):
    """A case's essentially identical denials and whether each was consulted on."""

    STATE, NOTIFYING, REFERENCE, DATE, DENIED, MATCHED, CATEGORIES, SCORE = range(8)

    def headers(self) -> tuple[str, ...]:
        return (self.tr("Consultation"), self.tr("Denied by"), self.tr("Reference"),
                self.tr("Date"), self.tr("Denied party"), self.tr("The case's party"),
                self.tr("Categories"), self.tr("Score"))

    def state(self, row: DenialMatch) -> str:
        if row.consultation is None:
            return self.tr("Required")
        return self.tr("Recorded %1").replace("%1", row.consultation.consulted_on.isoformat())

    def cells(self, row: DenialMatch) -> tuple[str, ...]:
        d = row.denial
        return (self.state(row), d.notifying, d.reference, d.date.isoformat(),
                f"{row.denied_name} ({role_label(d.party_role).lower()})",
                f"{row.party_name} ({role_label(row.party_role).lower()})",
                categories_text(row.categories), str(row.score))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = self.row(index.row()), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cells(row)[column]
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.SCORE:
            return RIGHT
        if column == self.STATE and role in (Qt.ItemDataRole.ForegroundRole,
                                             Qt.ItemDataRole.BackgroundRole):
            fg, bg = TO_CONSULT if row.consultation is None else CONSULTED
            return QBrush(QColor(fg if role == Qt.ItemDataRole.ForegroundRole else bg))
        if role == Qt.ItemDataRole.FontRole and column == self.STATE:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.STATE:
                return (self.tr("Approval is barred until the consultation is recorded")
                        if row.consultation is None else row.consultation.summary)
            if column == self.SCORE:
                return self.tr("Name similarity, 0 to 100 (100: the same name once case, "
                               "accents and legal forms are set aside)")
            return self.cells(row)[column]
        return None
