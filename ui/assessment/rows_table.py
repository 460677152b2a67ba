"""A small editable table with Add and Remove buttons, for citations, mitigation measures and
past incidents: lists of a few rows where a full model/view would be ceremony."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


class RowsTable(QWidget):
    """Columns are text, or a fixed choice when ``choices[column]`` is given."""

    sig_changed = Signal()

    def __init__(self, headers: Sequence[str], *, add_text: str, remove_text: str,
                 choices: dict[int, Sequence[tuple[str, str]]] | None = None,
                 stretch: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choices = choices or {}
        self._loading = False
        self.table = QTableWidget(0, len(headers))
        self.table.setHorizontalHeaderLabels(list(headers))
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        if stretch is not None:
            header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        self.table.itemChanged.connect(self._on_item_changed)
        self.add_button = QPushButton(add_text)
        self.remove_button = QPushButton(remove_text)
        self.add_button.clicked.connect(self.add_row)
        self.remove_button.clicked.connect(self.remove_current)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)

    def _combo(self, column: int, value: str) -> QComboBox:
        combo = QComboBox()
        for key, label in self.choices[column]:
            combo.addItem(label, key)
        index = combo.findData(value)
        combo.setCurrentIndex(max(index, 0))
        combo.currentIndexChanged.connect(lambda _i: self._emit())
        return combo

    def _emit(self) -> None:
        if not self._loading:
            self.sig_changed.emit()

    def _on_item_changed(self, _item: QTableWidgetItem) -> None:
        self._emit()

    def _put_row(self, row: int, values: Sequence[str]) -> None:
        for column in range(self.table.columnCount()):
            value = values[column] if column < len(values) else ""
            if column in self.choices:
                self.table.setCellWidget(row, column, self._combo(column, value))
            else:
                self.table.setItem(row, column, QTableWidgetItem(value))

    def set_rows(self, rows: Sequence[Sequence[str]],
                 payloads: Sequence[object] | None = None) -> None:
        """``payloads`` ride along with each row unseen (e.g. a cited item's id and hash)."""
        self._loading = True
        try:
            self.table.setRowCount(0)
            for n, values in enumerate(rows):
                row = self.table.rowCount()
                self.table.insertRow(row)
                self._put_row(row, values)
                if payloads is not None:
                    self._set_payload(row, payloads[n])
            self.table.resizeRowsToContents()
        finally:
            self._loading = False

    def _first_text_column(self) -> int:
        return next((c for c in range(self.table.columnCount()) if c not in self.choices), 0)

    def _set_payload(self, row: int, payload: object) -> None:
        item = self.table.item(row, self._first_text_column())
        if item is not None:
            item.setData(Qt.ItemDataRole.UserRole, payload)

    def payloads(self) -> list[object]:
        column = self._first_text_column()
        out: list[object] = []
        for row in range(self.table.rowCount()):
            item = self.table.item(row, column)
            out.append(item.data(Qt.ItemDataRole.UserRole) if item else None)
        return out

    def append_row(self, values: Sequence[str], payload: object = None,
                   tooltip: str = "") -> None:
        """Add a filled row (not opened for typing), e.g. a citation chosen from a list."""
        row = self.table.rowCount()
        self._loading = True
        try:
            self.table.insertRow(row)
            self._put_row(row, values)
            self._set_payload(row, payload)
            item = self.table.item(row, self._first_text_column())
            if item is not None and tooltip:
                item.setToolTip(tooltip)
            self.table.resizeRowsToContents()
        finally:
            self._loading = False
        self.sig_changed.emit()

    def rows(self) -> list[list[str]]:
        out: list[list[str]] = []
        for row in range(self.table.rowCount()):
            values = []
            for column in range(self.table.columnCount()):
                widget = self.table.cellWidget(row, column)
                if isinstance(widget, QComboBox):
                    values.append(str(widget.currentData() or ""))
                else:
                    item = self.table.item(row, column)
                    values.append(item.text().strip() if item else "")
            out.append(values)
        return out

    def add_row(self, values: Sequence[str] = ()) -> int:
        row = self.table.rowCount()
        self._loading = True
        try:
            self.table.insertRow(row)
            self._put_row(row, list(values) if values else [])
        finally:
            self._loading = False
        first_text = next((c for c in range(self.table.columnCount()) if c not in self.choices), 0)
        self.table.setCurrentCell(row, first_text)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        if not values:
            self.table.editItem(self.table.item(row, first_text))
        self.sig_changed.emit()
        return row

    def remove_current(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)
            self.sig_changed.emit()

    def commit_open_editor(self) -> None:
        """Finish a cell still being typed in, so its text is part of what is saved."""
        index = self.table.currentIndex()
        if index.isValid() and self.table.state() == QAbstractItemView.State.EditingState:
            self.table.setCurrentIndex(index.siblingAtColumn(
                (index.column() + 1) % self.table.columnCount()))
            self.table.setCurrentIndex(index)

    def set_read_only(self, read_only: bool) -> None:
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers if read_only
                                   else QAbstractItemView.EditTrigger.AllEditTriggers)
        for row in range(self.table.rowCount()):
            for column in self.choices:
                widget = self.table.cellWidget(row, column)
                if widget is not None:
                    widget.setEnabled(not read_only)
        self.add_button.setVisible(not read_only)
        self.remove_button.setVisible(not read_only)
