"""Amend the conditions of a licence in force: the full new list of conditions and the
reasons. Signing is the caller's: ``sign(conditions, reason)`` asks the password and records
the amendment, returning False on a refusal, in which case the dialog stays open with what
was typed.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

Sign = Callable[[list[str], str], bool]


class AmendDialog(QDialog):
    def __init__(self, parent: QWidget | None, title: str, summary: str,
                 conditions: list[str], sign: Sign) -> None:
        super().__init__(parent)
        self.setObjectName("amendDialog")
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        self._sign = sign
        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        head = QLabel(summary)
        head.setWordWrap(True)
        head.setTextFormat(Qt.TextFormat.PlainText)
        head.setStyleSheet("font-weight: 600;")
        layout.addWidget(head)

        layout.addWidget(QLabel(self.tr(
            "Conditions of the licence (the whole new list; double-click a line to edit it):")))
        self.conditions_list = QListWidget()
        self.conditions_list.setObjectName("conditionsList")
        self.conditions_list.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed)
        for text in conditions:
            self._append(text)
        self.conditions_list.currentRowChanged.connect(lambda _row: self._update_buttons())
        layout.addWidget(self.conditions_list, 1)

        self.new_condition = QLineEdit()
        self.new_condition.setObjectName("newConditionEdit")
        self.new_condition.setPlaceholderText(self.tr("A new condition"))
        self.new_condition.textChanged.connect(lambda _text: self._update_buttons())
        self.new_condition.returnPressed.connect(self.add_condition)
        self.add_button = QPushButton(self.tr("Add"))
        self.add_button.setObjectName("addConditionButton")
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self.add_condition)
        self.remove_button = QPushButton(self.tr("Remove"))
        self.remove_button.setObjectName("removeConditionButton")
        self.remove_button.setAutoDefault(False)
        self.remove_button.clicked.connect(self.remove_condition)
        row = QHBoxLayout()
        row.addWidget(self.new_condition, 1)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        layout.addLayout(row)

        layout.addWidget(QLabel(self.tr("Reasons (at least 10 characters):")))
        self.reason_edit = QPlainTextEdit()
        self.reason_edit.setObjectName("reasonEdit")
        self.reason_edit.setTabChangesFocus(True)
        self.reason_edit.setMinimumHeight(80)
        self.reason_edit.textChanged.connect(self._update_buttons)
        layout.addWidget(self.reason_edit)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.sign_button = buttons.addButton(self.tr("Sign amendment…"),
                                             QDialogButtonBox.ButtonRole.AcceptRole)
        self.sign_button.setObjectName("signAmendmentButton")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        for button in buttons.buttons():
            button.setAutoDefault(False)  # Enter in the condition field adds, never signs
        layout.addWidget(buttons)
        self._update_buttons()

    def _append(self, text: str) -> QListWidgetItem:
        item = QListWidgetItem(text)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
        self.conditions_list.addItem(item)
        return item

    def _update_buttons(self) -> None:
        self.add_button.setEnabled(bool(self.new_condition.text().strip()))
        self.remove_button.setEnabled(self.conditions_list.currentRow() >= 0)
        self.sign_button.setEnabled(bool(self.reason()))
        self.sign_button.setToolTip("" if self.reason() else self.tr("Give the reasons first"))

    def add_condition(self) -> None:
        text = self.new_condition.text().strip()
        if not text:
            return
        self.conditions_list.setCurrentItem(self._append(text))
        self.new_condition.clear()

    def remove_condition(self) -> None:
        row = self.conditions_list.currentRow()
        if row >= 0:
            self.conditions_list.takeItem(row)
        self._update_buttons()

    def conditions(self) -> list[str]:
        """The conditions listed, blank lines left out."""
        texts = (self.conditions_list.item(i).text().strip()
                 for i in range(self.conditions_list.count()))
        return [t for t in texts if t]

    def reason(self) -> str:
        return self.reason_edit.toPlainText().strip()

    def accept(self) -> None:
        if not self.reason():
            return  # the sign button is disabled meanwhile; Enter cannot bypass it
        if self._sign(self.conditions(), self.reason()):
            super().accept()
