"""Small shared dialogs: errors from the application layer, confirmations, reasons."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QInputDialog, QMessageBox, QWidget

from app.errors import GoldenRuleError, ValidationError

log = logging.getLogger(__name__)


def show_error(parent: QWidget | None, title: str, exc: BaseException) -> None:
    """Application errors are written for the officer; anything else is a bug, logged."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    if isinstance(exc, ValidationError):
        box.setText(exc.context or title)
        box.setInformativeText("\n".join(f"• {p}" for p in exc.problems))
    elif isinstance(exc, GoldenRuleError):
        box.setText(str(exc))
    else:
        log.error("unexpected error", exc_info=exc)
        box.setIcon(QMessageBox.Icon.Critical)
        box.setText(parent.tr("Something went wrong that Golden Rule did not expect.")
                    if parent else "Unexpected error")
        box.setDetailedText(getattr(exc, "formatted", repr(exc)))
    box.setObjectName("errorBox")
    box.exec()


def ask_reason(parent: QWidget, title: str, label: str) -> str | None:
    text, ok = QInputDialog.getMultiLineText(parent, title, label)
    if not ok:
        return None
    return text.strip()
