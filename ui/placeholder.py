"""Pages for the areas that later releases fill in, saying plainly what they will hold."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class ComingAreaPage(QWidget):
    def __init__(self, title: str, purpose: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        heading = QLabel(title)
        heading.setObjectName("pageTitle")
        text = QLabel(purpose)
        text.setWordWrap(True)
        text.setMaximumWidth(640)
        note = QLabel(self.tr("Not available in this version of Golden Rule."))
        note.setObjectName("banner")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addWidget(heading)
        layout.addWidget(text)
        layout.addWidget(note, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
