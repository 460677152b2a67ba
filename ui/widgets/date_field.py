"""A date field that may be left empty (Qt's date edit has no empty state of its own)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QDateEdit, QWidget

_EMPTY = QDate(1900, 1, 1)


class OptionalDateField(QDateEdit):
    sig_date_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setCalendarPopup(True)
        self.setDisplayFormat("yyyy-MM-dd")
        self.setMinimumDate(_EMPTY)
        self.setSpecialValueText(self.tr("— none —"))
        self.setDate(_EMPTY)
        self.dateChanged.connect(lambda _d: self.sig_date_changed.emit())
        self.calendarWidget().clicked.connect(lambda _d: self.sig_date_changed.emit())
        self.setToolTip(self.tr("Type or pick a date; Delete clears it"))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self.date() == _EMPTY:  # open the calendar on today, not on the empty marker
            self.calendarWidget().setCurrentPage(QDate.currentDate().year(),
                                                 QDate.currentDate().month())
        super().mousePressEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and (
                self.lineEdit().selectedText() == self.lineEdit().text()):
            self.clear_value()
            return
        if self.date() == _EMPTY and event.text().isdigit():
            self.setDate(QDate.currentDate())
            self.lineEdit().selectAll()
        super().keyPressEvent(event)

    def value(self) -> date | None:
        qd = self.date()
        if qd == _EMPTY:
            return None
        return date(qd.year(), qd.month(), qd.day())

    def set_value(self, value: date | None) -> None:
        self.setDate(QDate(value.year, value.month, value.day) if value else _EMPTY)

    def clear_value(self) -> None:
        self.setDate(_EMPTY)
