"""Evidence beside each criterion: what the evidence base holds that is most relevant to the
case, with the reasons, and a search of the whole base. One click cites an item."""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.evidence_for_case import Suggestion


class EvidencePanel(QWidget):
    sig_cite = Signal(int)

    def __init__(self, search: Callable[[str], list[Suggestion]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._search = search
        self._suggestions: list[Suggestion] = []
        self.search_box = QLineEdit()
        self.search_box.setObjectName("evidenceSearch")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setPlaceholderText(self.tr(
            "Search the whole evidence base (words, \"a phrase\")"))
        self._timer = QTimer(self, singleShot=True, interval=250)
        self._timer.timeout.connect(self._run_search)
        self.search_box.textChanged.connect(lambda _t: self._timer.start())
        self.caption = QLabel()
        self.caption.setObjectName("muted")
        self.tree = QTreeWidget()
        self.tree.setObjectName("suggestions")
        self.tree.setHeaderLabels([self.tr("Score"), self.tr("Grade"), self.tr("Date"),
                                   self.tr("Item")])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setMinimumHeight(150)
        self.tree.setColumnWidth(0, 60)
        self.tree.setColumnWidth(1, 60)
        self.tree.setColumnWidth(2, 95)
        self.tree.setWordWrap(True)
        self.tree.itemDoubleClicked.connect(lambda item, _c: self._cite(item))
        self.cite_button = QPushButton(self.tr("&Cite selected item"))
        self.cite_button.setObjectName("citeButton")
        self.cite_button.clicked.connect(lambda: self._cite(self.tree.currentItem()))
        row = QHBoxLayout()
        row.addWidget(self.search_box, 1)
        row.addWidget(self.cite_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.caption)
        layout.addWidget(self.tree)

    def set_suggestions(self, suggestions: list[Suggestion]) -> None:
        self._suggestions = suggestions
        if not self.search_box.text().strip():
            self._show(suggestions, self.tr(
                "Most relevant to this case, with why: %n item(s). Double-click or press "
                "Cite to cite one here.", "", len(suggestions)) if suggestions else self.tr(
                "Nothing in the evidence base matches this case yet: import reports under "
                "Evidence, or search."))

    def _run_search(self) -> None:
        text = self.search_box.text().strip()
        if not text:
            self.set_suggestions(self._suggestions)
            return
        hits = self._search(text)
        self._show(hits, self.tr("%n item(s) match '%1'.", "", len(hits)).replace("%1", text))

    def _show(self, rows: list[Suggestion], caption: str) -> None:
        self.caption.setText(caption)
        self.tree.clear()
        for sg in rows:
            item = QTreeWidgetItem([
                f"{sg.score:.0f}" if sg.score else "", sg.grade,
                sg.published_on.isoformat() if sg.published_on else "",
                sg.title + ("\n" + "; ".join(sg.reasons) if sg.reasons else "")])
            item.setData(0, Qt.ItemDataRole.UserRole, sg.item_id)
            item.setToolTip(3, "<b>{}</b><br>{}".format(
                html.escape(sg.title), "<br>".join(html.escape(r) for r in sg.reasons)))
            self.tree.addTopLevelItem(item)
        if rows:
            self.tree.setCurrentItem(self.tree.topLevelItem(0))

    def _cite(self, item: QTreeWidgetItem | None) -> None:
        if item is not None:
            self.sig_cite.emit(int(item.data(0, Qt.ItemDataRole.UserRole)))

    def set_read_only(self, read_only: bool) -> None:
        self.cite_button.setEnabled(not read_only)
        self.tree.setEnabled(True)
