"""Small pieces the account dialogs share: password fields and the inline error line."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QLineEdit

from app.errors import GoldenRuleError, ValidationError


def password_field(placeholder: str = "") -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setPlaceholderText(placeholder)
    return field


def error_label() -> QLabel:
    label = QLabel()
    label.setObjectName("formError")
    label.setWordWrap(True)
    return label


def error_text(exc: GoldenRuleError) -> str:
    """One line per problem for a validation error, else the error's own message."""
    if isinstance(exc, ValidationError):
        return "\n".join(str(p) for p in exc.problems)
    return str(exc)
