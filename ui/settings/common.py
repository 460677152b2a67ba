"""Pieces the settings tabs share: the role note, dates, fingerprints, passphrase fields."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from app.keys import CertificateInfo
from app.roles import Permission, roles_with
from ui.widgets.forms import password_field


def needs_role_text(permission: Permission) -> str:
    """'Needs the role of officer or supervisor (to register and edit applications).'"""
    roles = QCoreApplication.translate("Settings", " or ").join(
        r.label.lower() for r in roles_with(permission))
    return (QCoreApplication.translate("Settings", "Needs the role of %1 (to %2).")
            .replace("%1", roles).replace("%2", permission.label))


def role_note(permission: Permission, what: str) -> QLabel:
    """The line a user without ``permission`` reads at the top of a read-only tab."""
    label = QLabel(QCoreApplication.translate("Settings", "%1 %2").replace("%1", what)
                   .replace("%2", needs_role_text(permission)))
    label.setObjectName("banner")
    label.setWordWrap(True)
    return label


def hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("muted")
    label.setWordWrap(True)
    return label


def local_date(moment: datetime | None) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone().strftime("%Y-%m-%d")


def grouped_fingerprint(hex_text: str) -> str:
    """'ab12cd…' as 'AB:12:CD:…', the way certificate viewers show it."""
    text = hex_text.upper()
    return ":".join(text[i:i + 2] for i in range(0, len(text), 2))


def short_serial(serial: str) -> str:
    return serial if len(serial) <= 12 else f"{serial[:6]}…{serial[-4:]}"


def key_status_text(cert: CertificateInfo | None) -> str:
    if cert is None:
        return QCoreApplication.translate("Settings", "no key")
    return (QCoreApplication.translate("Settings", "active · %1 · until %2")
            .replace("%1", short_serial(cert.serial)).replace("%2", local_date(cert.not_after)))


def ca_passphrase_field(parent: QWidget | None = None) -> QLineEdit:
    field = password_field(QCoreApplication.translate("Settings", "office CA passphrase"))
    field.setObjectName("caPassphrase")
    if parent is not None:
        field.setParent(parent)
    return field
