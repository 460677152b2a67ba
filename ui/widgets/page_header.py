"""The top of a page: its title, a muted count beside it, and a banner for transient
messages that hides itself after a while unless the message is sticky."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QWidget


def page_title(text: str) -> tuple[QLabel, QLabel]:
    """The page's title and the (empty) muted label beside it that counts what is listed."""
    title = QLabel(text)
    title.setObjectName("pageTitle")
    count = QLabel()
    count.setObjectName("muted")
    return title, count


class MessageBanner(QLabel):
    """A word-wrapped banner, hidden until ``show_message``; hides again after ``timeout_ms``
    unless the message is sticky."""

    def __init__(self, timeout_ms: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setWordWrap(True)
        self.hide()
        self._timer = QTimer(self, singleShot=True, interval=timeout_ms)
        self._timer.timeout.connect(self.hide)

    def show_message(self, text: str, sticky: bool = False) -> None:
        self.setText(text)
        self.show()
        if sticky:
            self._timer.stop()
        else:
            self._timer.start()
