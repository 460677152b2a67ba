"""A case's chain of signed records in sequence; select two to see what changed between them,
double-click one to read it."""

from __future__ import annotations

import html

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.decisions import DecisionRecord, diff_snapshots
from ui.audit.diff_view import DiffView, setup_table
from ui.audit.formatting import local_time
from ui.audit.table_models import HistoryModel


class HistoryView(QWidget):
    sig_record_activated = Signal(int)  # record id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = HistoryModel(self)
        self.table = QTableView()
        self.table.setObjectName("historyTable")
        self.table.setModel(self.model)
        setup_table(self.table)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        for column, width in enumerate((34, 146, 176, 150, 130, 300)):
            self.table.setColumnWidth(column, width)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.table.activated.connect(self._on_double_clicked)
        self.hint = QLabel(self.tr("Select two records (Ctrl+click) to see what changed between "
                                   "them; double-click a record to read it."))
        self.hint.setObjectName("muted")
        self.hint.setWordWrap(True)
        self.diff = DiffView()
        self.diff.setObjectName("historyDiff")
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.addWidget(self.table)
        self.split.addWidget(self.diff)
        self.split.setChildrenCollapsible(False)
        self.split.setSizes([150, 250])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(self.hint)
        layout.addWidget(self.split, 1)
        self._compare_hint()

    def set_records(self, records: list[DecisionRecord], current_id: int | None = None) -> None:
        self.model.set_rows(records)
        self.model.set_current(current_id)
        self._compare_hint()

    def records(self) -> list[DecisionRecord]:
        return [self.model.row(n) for n in range(self.model.rowCount())]

    def select(self, *record_ids: int) -> None:
        """Select these records (as Ctrl+click would)."""
        selection = self.table.selectionModel()
        selection.clearSelection()
        for n, record in enumerate(self.records()):
            if record.id in record_ids:
                selection.select(self.model.index(n, 0), QItemSelectionModel.SelectionFlag.Select
                                 | QItemSelectionModel.SelectionFlag.Rows)

    def selected_records(self) -> list[DecisionRecord]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.row(r) for r in rows]

    def _on_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection
                              ) -> None:
        chosen = self.selected_records()
        if len(chosen) == 2:
            self.compare(chosen[0], chosen[1])
        else:
            self._compare_hint()

    def compare(self, older: DecisionRecord, newer: DecisionRecord) -> None:
        if newer.sequence < older.sequence:
            older, newer = newer, older
        caption = self.tr("From <b>%1</b> (%2, %3) to <b>%4</b> (%5, %6)").replace(
            "%1", html.escape(older.ref)).replace("%2", html.escape(older.kind.label)).replace(
            "%3", local_time(older.decided_at)).replace("%4", html.escape(newer.ref)).replace(
            "%5", html.escape(newer.kind.label)).replace("%6", local_time(newer.decided_at))
        self.diff.set_changes(diff_snapshots(older.snapshot, newer.snapshot), caption,
                              self.tr("The two records' signed contents are the same."))

    def _compare_hint(self) -> None:
        count = self.model.rowCount()
        text = (self.tr("Select two records to compare them.") if count > 1 else
                self.tr("This case has a single record: nothing to compare it with."))
        self.diff.set_changes([], "", text)

    def _on_double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.sig_record_activated.emit(self.model.row(index.row()).id)
