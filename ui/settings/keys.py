"""Settings › Keys: the office certificate authority and every certificate it issued.

Certificates are public: everyone may read the list and export the CA certificate (to
check signed documents elsewhere). Importing a CA needs the administrator's role.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import keys
from app.errors import GoldenRuleError, InputError
from app.keys import CertificateInfo
from app.users import Permission
from ui.context import UiContext
from ui.dialogs import show_error
from ui.settings.common import (
    ca_passphrase_field,
    grouped_fingerprint,
    hint,
    local_date,
    needs_role_text,
    role_note,
    short_serial,
)
from ui.table_model import RowsTableModel
from ui.widgets.forms import error_label, error_text, password_field


def readable_subject(subject: str) -> str:
    """RFC 4514 lists the name from the last part; people read it from the common name."""
    return ", ".join(part.strip() for part in reversed(subject.split(",")))


class CertificatesModel(RowsTableModel[CertificateInfo]):
    def headers(self) -> tuple[str, ...]:
        return (self.tr("Kind"), self.tr("Holder"), self.tr("Serial"), self.tr("Valid from"),
                self.tr("Valid until"), self.tr("Status"), self.tr("SHA-256 fingerprint"))

    def cells(self, row: CertificateInfo) -> tuple[str, ...]:
        kind = self.tr("Office CA") if row.kind == "ca" else self.tr("User key")
        holder = row.common_name if row.kind == "ca" else \
            f"{row.common_name} ({row.username})" if row.username else row.common_name
        status = self.tr("active") if row.status == "active" else self.tr("retired")
        return (kind, holder, short_serial(row.serial), local_date(row.not_before),
                local_date(row.not_after), status, row.fingerprint[:16] + "…")

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.row(index.row())
        if role == Qt.ItemDataRole.ForegroundRole and row.status != "active":
            return QColor("#8a8f99")
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 5:
            return QColor("#03543f")
        if role == Qt.ItemDataRole.ToolTipRole:
            return (self.tr("%1\nSerial %2\nSHA-256 %3")
                    .replace("%1", readable_subject(row.subject)).replace("%2", row.serial)
                    .replace("%3", grouped_fingerprint(row.fingerprint)))
        if role == Qt.ItemDataRole.FontRole and index.column() in (2, 6):
            font = QFont("monospace")
            font.setStyleHint(QFont.StyleHint.Monospace)
            return font
        return super().data(index, role)


class ImportCaDialog(QDialog):
    """Adopt an existing CA: a PKCS#12 file, or a PEM certificate and its PEM key."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importCaDialog")
        self.ctx = ctx
        self.setWindowTitle(self.tr("Import office CA"))
        self.setMinimumWidth(540)
        self.file = QLineEdit()
        self.file.setPlaceholderText(self.tr("a .p12 / .pfx file, or a PEM certificate"))
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(lambda: self._browse(self.file, self.tr(
            "CA files (*.p12 *.pfx *.pem *.crt *.cer);;All files (*)")))
        self.key_file = QLineEdit()
        self.key_file.setPlaceholderText(self.tr("only with a PEM certificate"))
        browse_key = QPushButton(self.tr("Browse…"))
        browse_key.clicked.connect(lambda: self._browse(self.key_file, self.tr(
            "PEM keys (*.pem *.key);;All files (*)")))
        self.file_password = password_field(self.tr("the password of the file, if any"))
        self.ca_password = ca_passphrase_field()
        self.ca_password.setPlaceholderText(self.tr("at least 12 characters"))
        self.ca_repeat = password_field()
        self.error = error_label()
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        row = QHBoxLayout()
        row.addWidget(self.file, 1)
        row.addWidget(browse)
        form.addRow(self.tr("Certificate file"), row)
        row = QHBoxLayout()
        row.addWidget(self.key_file, 1)
        row.addWidget(browse_key)
        form.addRow(self.tr("Private key file"), row)
        form.addRow(self.tr("File password"), self.file_password)
        form.addRow(self.tr("New CA passphrase"), self.ca_password)
        form.addRow(self.tr("Repeat passphrase"), self.ca_repeat)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Import"))
        buttons.accepted.connect(self.try_import)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(hint(self.tr(
            "The CA's key is stored in this database, protected by the new CA passphrase; the "
            "file's own password is not kept. The passphrase is needed to add users and issue "
            "keys: keep it safe.")))
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.imported: CertificateInfo | None = None

    def _browse(self, target: QLineEdit, filters: str) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, self.tr("Choose a file"),
                                                    str(Path.home()), filters)
        if path:
            target.setText(path)

    def try_import(self) -> None:
        if self.ca_password.text() != self.ca_repeat.text():
            self.error.setText(self.tr("The two passphrases differ."))
            return
        try:
            try:
                data = Path(self.file.text().strip()).read_bytes()
                key_path = self.key_file.text().strip()
                key_data = Path(key_path).read_bytes() if key_path else None
            except OSError as exc:
                raise InputError(self.tr("Cannot read %1: %2").replace(
                    "%1", str(exc.filename)).replace("%2", exc.strerror or str(exc))) from None
            with self.ctx.uow() as uow:
                self.imported = keys.import_ca(uow, self.ctx.actor, data,
                                               self.ca_password.text(), key_data=key_data,
                                               file_password=self.file_password.text() or None)
        except GoldenRuleError as exc:
            self.error.setText(error_text(exc))
            return
        finally:
            for field in (self.ca_password, self.ca_repeat, self.file_password):
                field.clear()
        self.accept()


class KeysTab(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("keysTab")
        self.ctx = ctx
        self.may_manage = ctx.actor.can(Permission.MANAGE_KEYS)

        self.ca_box = QGroupBox(self.tr("Office certificate authority"))
        self.ca_subject = QLabel()
        self.ca_fingerprint = QLabel()
        self.ca_fingerprint.setWordWrap(True)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.ca_fingerprint.setFont(mono)
        self.ca_validity = QLabel()
        self.ca_serial = QLabel()
        self.ca_serial.setFont(mono)
        for label in (self.ca_subject, self.ca_fingerprint, self.ca_serial):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.ca_missing = hint(self.tr(
            "This database has no office certificate authority, so no one can be given a "
            "signing key. Import the authority's CA (a PKCS#12 file, or a PEM certificate and "
            "key)."))
        self.export_button = QPushButton(self.tr("Export CA certificate…"))
        self.export_button.setToolTip(self.tr(
            "Save the CA certificate (PEM) to check signed documents outside Golden Rule"))
        self.export_button.clicked.connect(lambda: self.export_ca())
        self.import_button = QPushButton(self.tr("Import CA…"))
        self.import_button.setObjectName("primary")
        self.import_button.clicked.connect(self._on_import_clicked)
        if not self.may_manage:
            self.import_button.setEnabled(False)
            self.import_button.setToolTip(needs_role_text(Permission.MANAGE_KEYS))
        self.ca_form = QFormLayout()
        self.ca_form.addRow(self.tr("Subject"), self.ca_subject)
        self.ca_form.addRow(self.tr("SHA-256 fingerprint"), self.ca_fingerprint)
        self.ca_form.addRow(self.tr("Serial number"), self.ca_serial)
        self.ca_form.addRow(self.tr("Valid"), self.ca_validity)
        buttons = QHBoxLayout()
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.import_button)
        buttons.addStretch(1)
        box = QVBoxLayout(self.ca_box)
        box.addWidget(self.ca_missing)
        box.addLayout(self.ca_form)
        box.addLayout(buttons)

        self.certificates_box = QGroupBox(self.tr("Certificates"))
        self.model = CertificatesModel(self)
        self.table = QTableView()
        self.table.setObjectName("certificatesTable")
        self.table.setModel(self.model)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        for column, width in enumerate((90, 260, 110, 95, 95, 75, 170)):
            self.table.setColumnWidth(column, width)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        box = QVBoxLayout(self.certificates_box)
        box.addWidget(self.table, 1)
        box.addWidget(hint(self.tr(
            "A rotated or reset key is retired, never deleted: its certificate stays here so "
            "that the signatures made with it still verify.")))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        if not self.may_manage:
            layout.addWidget(role_note(Permission.MANAGE_KEYS, self.tr(
                "Read-only: keys are issued by an administrator.")))
        layout.addWidget(self.ca_box)
        layout.addWidget(self.certificates_box, 1)
        ctx.signals.sig_users_changed.connect(self.reload)
        self.reload()

    def reload(self) -> None:
        with self.ctx.uow() as uow:
            has_ca = keys.has_ca(uow)
            certificates = keys.list_certificates(uow)
        self.model.set_rows(certificates)
        ca = next((c for c in reversed(certificates)
                   if c.kind == "ca" and c.status == "active"), None)
        self.ca = ca if has_ca else None
        self.ca_missing.setVisible(self.ca is None)
        for row in range(self.ca_form.rowCount()):
            self.ca_form.setRowVisible(row, self.ca is not None)
        self.export_button.setVisible(self.ca is not None)
        self.import_button.setVisible(self.ca is None)
        if self.ca is not None:
            self.ca_subject.setText(readable_subject(self.ca.subject))
            grouped = grouped_fingerprint(self.ca.fingerprint)
            half = len(grouped) // 2 + 1  # two lines of 16 bytes
            self.ca_fingerprint.setText(f"{grouped[:half - 1]}\n{grouped[half:]}")
            self.ca_serial.setText(self.ca.serial)
            self.ca_validity.setText(self.tr("%1 to %2").replace(
                "%1", local_date(self.ca.not_before)).replace("%2", local_date(self.ca.not_after)))

    def ask_save_path(self) -> str | None:
        """Overridable in tests."""
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Export CA certificate"), str(Path.home() / "goldenrule-office-ca.pem"),
            self.tr("PEM certificates (*.pem *.crt)"))
        return path or None

    def export_ca(self, path: str | None = None) -> bool:
        path = path or self.ask_save_path()
        if not path:
            return False
        try:
            with self.ctx.uow() as uow:
                pem = keys.ca_certificate_pem(uow)
            Path(path).write_text(pem, encoding="ascii")
        except GoldenRuleError as exc:
            show_error(self, self.tr("CA certificate not exported"), exc)
            return False
        except OSError as exc:
            show_error(self, self.tr("CA certificate not exported"),
                       GoldenRuleError(f"{path}: {exc.strerror or exc}"))
            return False
        return True

    def exec_dialog(self, dialog: QDialog) -> int:
        """Overridable in tests."""
        return dialog.exec()

    def _on_import_clicked(self) -> None:
        if self.exec_dialog(ImportCaDialog(self.ctx, self)) == QDialog.DialogCode.Accepted:
            self.ctx.signals.sig_users_changed.emit()
            self.reload()
