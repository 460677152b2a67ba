"""Driving real cell editors the way a user does: open the editor, type, press Enter."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QTableView, QWidget

from ui.widgets.country_picker import CountryPicker


def type_text(qtbot, widget: QWidget, text: str) -> None:
    """Key presses for every character; QTest cannot type non-ASCII text, so those go as
    key events carrying the character, as an input method would deliver them."""
    for char in text:
        if char.isascii():
            qtbot.keyClicks(widget, char)
        else:
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier,
                                                         char))


def _open_editor(table: QTableView, row: int, column: int) -> list[QWidget]:
    index = table.model().index(row, column)
    table.setCurrentIndex(index)
    table.edit(index)
    return [w for w in table.viewport().findChildren(QWidget) if w.isVisible()]


def type_in_cell(qtbot, table: QTableView, row: int, column: int, text: str) -> None:
    editors = [w for w in _open_editor(table, row, column) if type(w) is not QWidget]
    line = next(w for w in editors if isinstance(w, QLineEdit))
    line.selectAll()
    type_text(qtbot, line, text)
    qtbot.keyClick(line, Qt.Key.Key_Return)
    QApplication.processEvents()  # the delegate commits on a queued call


def choose_in_cell(qtbot, table: QTableView, row: int, column: int, value: str) -> None:
    combo = next(w for w in _open_editor(table, row, column)
                 if isinstance(w, QComboBox) and not isinstance(w, CountryPicker))
    position = combo.findData(value)
    assert position >= 0, f"{value!r} is not offered"
    combo.setCurrentIndex(position)
    qtbot.keyClick(combo, Qt.Key.Key_Return)
    QApplication.processEvents()


def pick_country_in_cell(qtbot, table: QTableView, row: int, column: int, typed: str) -> None:
    picker = next(w for w in _open_editor(table, row, column) if isinstance(w, CountryPicker))
    picker.lineEdit().selectAll()
    type_text(qtbot, picker.lineEdit(), typed)
    qtbot.keyClick(picker.lineEdit(), Qt.Key.Key_Return)
    QApplication.processEvents()


def type_into(qtbot, widget: QWidget, text: str) -> None:
    """Replace the content of a line edit, plain text edit or editable combo by typing."""
    target = widget.lineEdit() if isinstance(widget, QComboBox) else widget
    if hasattr(target, "selectAll"):
        target.selectAll()
    qtbot.keyClick(target, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(target, Qt.Key.Key_Delete)
    type_text(qtbot, target, text)
