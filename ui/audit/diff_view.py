"""What changed between two signed snapshots: a table of field, before and after, and the
selected change in full beneath it (long texts such as the reasons do not fit a cell)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.decisions import Change
from ui.audit.formatting import pretty
from ui.audit.table_models import DiffModel

#: Fields that differ between any two records by construction: times, hashes, positions.
BOOKKEEPING = ("signed_at", "sequence", "previous", "audit_head", "signer.certificate_sha256")


def is_bookkeeping(path: str) -> bool:
    return any(path == p or path.startswith((f"{p}.", f"{p}[")) for p in BOOKKEEPING)


def setup_table(table: QTableView) -> None:
    """The look every list in the audit view shares."""
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.setShowGrid(False)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    vh = table.verticalHeader()
    vh.setVisible(False)
    vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    vh.setDefaultSectionSize(26)
    hh = table.horizontalHeader()
    hh.setHighlightSections(False)
    hh.setStretchLastSection(True)
    hh.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)


class DiffView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._changes: list[Change] = []
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.caption.setTextFormat(Qt.TextFormat.RichText)
        self.hide_bookkeeping = QCheckBox(self.tr("Hide times, hashes and positions"))
        self.hide_bookkeeping.setToolTip(self.tr("Fields that differ between any two records "
                                                 "by construction"))
        self.hide_bookkeeping.setChecked(True)
        self.hide_bookkeeping.toggled.connect(self._fill)

        self.model = DiffModel(self)
        self.table = QTableView()
        self.table.setObjectName("diffTable")
        self.table.setModel(self.model)
        setup_table(self.table)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row_changed)

        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.before = QPlainTextEdit()
        self.after = QPlainTextEdit()
        for edit in (self.before, self.after):
            edit.setReadOnly(True)
            edit.setFont(mono)
            edit.setPlaceholderText(self.tr("(not present)"))
        self.before.setObjectName("diffBefore")
        self.after.setObjectName("diffAfter")
        values = QWidget()
        row = QGridLayout(values)
        row.setContentsMargins(0, 4, 0, 0)
        row.setVerticalSpacing(2)
        for column, (edit, text) in enumerate(((self.before, self.tr("Before")),
                                               (self.after, self.tr("After")))):
            label = QLabel(text)
            label.setObjectName("fieldLabel")
            row.addWidget(label, 0, column)
            row.addWidget(edit, 1, column)

        self.empty = QLabel()
        self.empty.setObjectName("muted")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(values)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(split)

        top = QHBoxLayout()
        top.addWidget(self.caption, 1)
        top.addWidget(self.hide_bookkeeping, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)
        self.set_changes([], "", self.tr("Nothing to compare."))

    def set_changes(self, changes: list[Change], caption: str, empty_text: str = "") -> None:
        """``caption`` is rich text; ``empty_text`` shows when nothing (visible) differs."""
        self._changes = list(changes)
        self.caption.setText(caption)
        self.caption.setVisible(bool(caption))
        self._empty_text = empty_text
        self._fill()

    def _fill(self) -> None:
        shown = [c for c in self._changes
                 if not (self.hide_bookkeeping.isChecked() and is_bookkeeping(c.path))]
        self.model.set_rows(shown)
        self.before.clear()
        self.after.clear()
        self.hide_bookkeeping.setVisible(bool(self._changes))
        if shown:
            self.stack.setCurrentIndex(1)
            self.table.setColumnWidth(0, 260)
            self.table.setColumnWidth(1, max(200, (self.table.viewport().width() - 260) // 2))
            self.table.selectRow(0)
        else:
            hidden = len(self._changes) - len(shown)
            text = self._empty_text or self.tr("No differences.")
            if hidden:
                text += "\n" + self.tr("%1 bookkeeping field(s) differ: times, hashes and "
                                       "positions.").replace("%1", str(hidden))
            self.empty.setText(text)
            self.stack.setCurrentIndex(0)

    def changes(self) -> list[Change]:
        return list(self._changes)

    def visible_paths(self) -> list[str]:
        return [self.model.row(n).path for n in range(self.model.rowCount())]

    def _on_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        change = self.model.row(current.row())
        self.before.setPlainText(pretty(change.before))
        self.after.setPlainText(pretty(change.after))
