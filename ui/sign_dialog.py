"""The signing dialog: shows what is about to be signed and asks for the password.

The password goes straight to the use case that signs and is not kept: the dialog clears
its field as soon as it is read.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)


class SignDialog(QDialog):
    def __init__(self, parent: QWidget | None, title: str, summary: str, *,
                 reason_label: str = "", sign_text: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("signDialog")
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QVBoxLayout.SizeConstraint.SetMinimumSize)
        layout.setSpacing(8)
        text = QLabel(summary)
        text.setObjectName("signSummary")
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.PlainText)
        text.setStyleSheet("font-weight: 600;")
        text.setMinimumWidth(440)
        layout.addWidget(text)
        self.reason_edit: QPlainTextEdit | None = None
        if reason_label:
            layout.addWidget(QLabel(reason_label))
            self.reason_edit = QPlainTextEdit()
            self.reason_edit.setObjectName("reasonEdit")
            self.reason_edit.setTabChangesFocus(True)
            self.reason_edit.setMinimumHeight(90)
            layout.addWidget(self.reason_edit)
        note = QLabel(self.tr("Signing uses your personal key. A signed record cannot be "
                              "edited or deleted afterwards."))
        note.setWordWrap(True)
        note.setMinimumWidth(440)
        note.setObjectName("hint")
        layout.addWidget(note)
        layout.addWidget(QLabel(self.tr("Your password:")))
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("passwordEdit")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        layout.addWidget(self.password_edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.sign_button = buttons.addButton(sign_text or self.tr("Sign"),
                                             QDialogButtonBox.ButtonRole.AcceptRole)
        self.sign_button.setObjectName("signButton")
        self.sign_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.password_edit.setFocus()
        self.adjustSize()

    def take(self) -> tuple[str, str]:
        """The password and reason typed; the password field is cleared."""
        password = self.password_edit.text()
        self.password_edit.clear()
        reason = self.reason_edit.toPlainText().strip() if self.reason_edit else ""
        return password, reason


def ask_signature(parent: QWidget | None, title: str, summary: str, *, reason_label: str = "",
                  sign_text: str = "") -> tuple[str, str] | None:
    """(password, reason), or None if the user cancelled. Tests replace this function."""
    dialog = SignDialog(parent, title, summary, reason_label=reason_label, sign_text=sign_text)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        dialog.take()
        return None
    return dialog.take()
