"""The progress line every long job shows under its page: what is happening, a thin bar and
a Cancel button, built once so imports, reports and re-screening look and behave alike."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget


@dataclass(frozen=True)
class ProgressRow:
    row: QWidget
    text: QLabel
    bar: QProgressBar
    cancel: QPushButton


def progress_row(cancel_text: str, on_cancel: Callable[[], None], *, name: str = "",
                 cancel_name: str = "", cancel_tip: str = "",
                 text_style: str = "progressText") -> ProgressRow:
    text = QLabel()
    text.setObjectName(text_style)
    bar = QProgressBar()
    if name:
        bar.setObjectName(name)
    bar.setTextVisible(False)
    bar.setMaximumHeight(8)
    cancel = QPushButton(cancel_text)
    if cancel_name:
        cancel.setObjectName(cancel_name)
    if cancel_tip:
        cancel.setToolTip(cancel_tip)
    cancel.clicked.connect(on_cancel)
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(text)
    layout.addWidget(bar, 1)
    layout.addWidget(cancel)
    return ProgressRow(row, text, bar, cancel)
