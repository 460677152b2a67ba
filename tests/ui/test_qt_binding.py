"""The Qt binding must not leak references to None: PySide6 6.12.0 on Python 3.11 dropped
one on every call returning None, and a long session aborted in none_dealloc."""

from __future__ import annotations

import sys

from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QLabel


def test_calls_returning_none_keep_none_alive(qapp) -> None:
    image = QImage(20, 20, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    label = QLabel("x")
    try:
        before = sys.getrefcount(None)
        for _ in range(2000):
            painter.save()
            painter.setPen(QColor("red"))
            painter.restore()
            label.update()
        lost = before - sys.getrefcount(None)
    finally:
        painter.end()
    assert lost < 500, f"{lost} references to None lost in 8,000 Qt calls"
