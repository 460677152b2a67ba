"""Earlier decisions on comparable cases (same destination, end user or item category) that
reached a different outcome: where practice diverges, for the supervisor to look at."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.decisions import Divergence
from ui.audit.diff_view import setup_table
from ui.audit.table_models import ConsistencyModel
from ui.context import UiContext


class ConsistencyView(QWidget):
    sig_record_activated = Signal(int, int)  # case id, record id

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.intro = QLabel()
        self.intro.setObjectName("muted")
        self.intro.setWordWrap(True)
        self.intro.setTextFormat(Qt.TextFormat.PlainText)
        self.model = ConsistencyModel(ctx.ref, self)
        self.table = QTableView()
        self.table.setObjectName("consistencyTable")
        self.table.setModel(self.model)
        setup_table(self.table)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        for column, width in enumerate((230, 140, 160, 170, 240)):
            self.table.setColumnWidth(column, width)
        self.table.activated.connect(self._on_double_clicked)
        self.empty = QLabel()
        self.empty.setObjectName("muted")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.table)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(self.intro)
        layout.addWidget(self.stack, 1)
        self.clear()

    def clear(self, text: str = "") -> None:
        self.model.set_rows([])
        self.intro.setText("")
        self.empty.setText(text)
        self.stack.setCurrentIndex(0)

    def set_loading(self) -> None:
        self.clear(self.tr("Looking for comparable decisions…"))

    def set_divergences(self, divergences: list[Divergence], ref: str, outcome: str) -> None:
        self.model.set_rows(divergences)
        self.intro.setText(self.tr(
            "Earlier decisions on comparable cases that did not reach '%1' as %2 did. "
            "Double-click one to read it.").replace("%1", outcome).replace("%2", ref))
        if divergences:
            self.stack.setCurrentIndex(1)
        else:
            self.empty.setText(self.tr("No earlier decision on a case with the same destination, "
                                       "end user or item category reached a different outcome."))
            self.stack.setCurrentIndex(0)

    def divergences(self) -> list[Divergence]:
        return [self.model.row(n) for n in range(self.model.rowCount())]

    def _on_double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            row = self.model.row(index.row()).row
            self.sig_record_activated.emit(row.case_id, row.id)
