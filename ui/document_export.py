"""Exporting a decision's signed rationale: the PDF, the workbook with its ``.p7s``, and the
case bundle, from the record viewer (``RationaleExportBar``) or for a whole case from the
main window (``export_to_folder``).

The documents were signed when the decision was; exporting writes the stored bytes as they
are and needs no key. Only the bundle is signed at export time, by the person exporting it,
so it alone asks for a password.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import bundle, cases, documents
from app.errors import GoldenRuleError
from ui.context import UiContext
from ui.dialogs import show_error

MESSAGE_MS = 12000

#: The folder of the last export in this session, offered again by the next file chooser.
_last_folder: Path | None = None


def file_stem(record_ref: str) -> str:
    """GR-2026-00008/1 -> GR-2026-00008-1: a record's reference as a file name."""
    return record_ref.replace("/", "-")


def export_folder() -> Path:
    return _last_folder if _last_folder is not None and _last_folder.is_dir() else Path.home()


def _remember(path: Path) -> None:
    global _last_folder
    _last_folder = path if path.is_dir() else path.parent


def _written(error: OSError, path: Path) -> GoldenRuleError:
    """A failed write, in words for the officer (the application layer lets OSError pass)."""
    return GoldenRuleError(QCoreApplication.translate(
        "RationaleExport", "Could not write %1: %2").replace("%1", str(path))
        .replace("%2", error.strerror or str(error)))


def decision_ref_of_case(ctx: UiContext, case_id: int) -> str:
    """The record reference of the case's latest decision that has signed documents; raises
    ``NotFoundError`` with the application's words when there is none."""
    with ctx.uow() as uow:
        reference = cases.get_case(uow, case_id).reference
        return documents.documents(uow, ctx.actor, reference).record_ref


def export_to_folder(ctx: UiContext, record_ref: str, folder: Path) -> list[Path]:
    """The PDF and the workbook with its signature, named after the decision, into
    ``folder``."""
    stem = file_stem(record_ref)
    pdf, xlsx = folder / f"{stem}.pdf", folder / f"{stem}.xlsx"
    try:
        with ctx.uow() as uow:
            written = documents.export_rationale(uow, ctx.actor, record_ref, pdf=pdf, xlsx=xlsx)
    except OSError as exc:
        raise _written(exc, folder) from None
    _remember(folder)
    return written


class BundlePasswordDialog(QDialog):
    """The password that signs a bundle's manifest. Not the signing dialog: that one warns
    that a signed record can never be changed, which is not what happens here."""

    def __init__(self, parent: QWidget | None, record_ref: str) -> None:
        super().__init__(parent)
        self.setObjectName("bundlePasswordDialog")
        self.setWindowTitle(self.tr("Sign the bundle's manifest"))
        self.setMinimumWidth(460)
        summary = QLabel(self.tr("Sign the manifest of the case bundle for %1?")
                         .replace("%1", record_ref))
        summary.setWordWrap(True)
        summary.setStyleSheet("font-weight: 600;")
        note = QLabel(self.tr(
            "The manifest lists every file in the bundle with its SHA-256. Your signature "
            "on it lets anyone check, without Golden Rule, that nothing in the bundle was "
            "changed, added or removed after you exported it."))
        note.setWordWrap(True)
        note.setObjectName("muted")
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("passwordEdit")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.sign_button = buttons.addButton(self.tr("Sign and export"),
                                             QDialogButtonBox.ButtonRole.AcceptRole)
        self.sign_button.setObjectName("signButton")
        self.sign_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        layout.addWidget(summary)
        layout.addWidget(note)
        layout.addWidget(QLabel(self.tr("Your password:")))
        layout.addWidget(self.password_edit)
        layout.addWidget(buttons)
        self.password_edit.setFocus()

    def take(self) -> str:
        """The password typed; the field is cleared so it is not kept."""
        password = self.password_edit.text()
        self.password_edit.clear()
        return password


def ask_bundle_password(parent: QWidget | None, record_ref: str) -> str | None:
    """The exporter's password, or None if they cancelled. Tests replace this function."""
    dialog = BundlePasswordDialog(parent, record_ref)
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    password = dialog.take()
    dialog.deleteLater()
    return password if accepted else None


class RationaleExportBar(QFrame):
    """Under a signed record: export the signed rationale of the decision it belongs to.

    A countersignature, return or reassessment record exports its decision's documents,
    which carry every signature added since."""

    sig_exported = Signal(list)  # the paths written

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rationaleExportBar")
        self.ctx = ctx
        self.record_ref: str | None = None
        self.label = QLabel()
        self.label.setObjectName("muted")
        self.pdf_button = QPushButton(self.tr("Export PDF…"))
        self.pdf_button.setObjectName("exportPdf")
        self.pdf_button.setToolTip(self.tr("The rationale as a signed PDF, with the signed "
                                           "decision record embedded"))
        self.pdf_button.clicked.connect(lambda: self.export_pdf())
        self.workbook_button = QPushButton(self.tr("Export workbook…"))
        self.workbook_button.setObjectName("exportWorkbook")
        self.workbook_button.setToolTip(self.tr("The rationale as an Excel workbook, with its "
                                                "detached signature (.p7s) beside it"))
        self.workbook_button.clicked.connect(lambda: self.export_workbook())
        self.bundle_button = QPushButton(self.tr("Export case bundle…"))
        self.bundle_button.setObjectName("exportBundle")
        self.bundle_button.setToolTip(self.tr(
            "One ZIP with the rationale, every signed record, the cited evidence and the "
            "audit events, under a manifest you sign: checkable without Golden Rule"))
        self.bundle_button.clicked.connect(lambda: self.export_bundle())
        self.message = QLabel()
        self.message.setObjectName("exportMessage")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setWordWrap(True)  # empty, not hidden: it keeps the buttons compact
        self._message_timer = QTimer(self, singleShot=True, interval=MESSAGE_MS)
        self._message_timer.timeout.connect(self._clear_message)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.label)
        layout.addSpacing(4)
        for button in (self.pdf_button, self.workbook_button, self.bundle_button):
            layout.addWidget(button)
        layout.addSpacing(8)
        layout.addWidget(self.message, 1)
        self.setStyleSheet("QLabel#exportMessage { color: #03543f; }")
        self.set_decision(None)

    def set_decision(self, record_ref: str | None) -> None:
        """The decision whose documents the buttons export; None hides the bar."""
        self.record_ref = record_ref
        self.setVisible(record_ref is not None)
        self._clear_message()
        if record_ref is not None:
            self.label.setText(self.tr("Signed rationale of %1:").replace("%1", record_ref))

    def default_path(self, suffix: str) -> Path:
        return export_folder() / f"{file_stem(self.record_ref or 'rationale')}{suffix}"

    # exporting ----------------------------------------------------------------------------
    def export_pdf(self, path: Path | None = None) -> list[Path] | None:
        if path is None:
            path = self._ask_path(self.tr("Export the signed PDF"), ".pdf",
                                  self.tr("PDF documents (*.pdf)"))
        return None if path is None else self._export(pdf=path)

    def export_workbook(self, path: Path | None = None) -> list[Path] | None:
        """The workbook and, beside it, ``NAME.xlsx.p7s``: its signature."""
        if path is None:
            path = self._ask_path(self.tr("Export the signed workbook"), ".xlsx",
                                  self.tr("Excel workbooks (*.xlsx)"))
        return None if path is None else self._export(xlsx=path)

    def export_bundle(self, path: Path | None = None, password: str | None = None
                      ) -> bundle.BundleResult | None:
        if self.record_ref is None:
            return None
        if path is None:
            path = self._ask_path(self.tr("Export the case bundle"), "-bundle.zip",
                                  self.tr("ZIP archives (*.zip)"))
            if path is None:
                return None
        if password is None:
            password = ask_bundle_password(self, self.record_ref)
            if password is None:
                return None
        try:
            with _WaitCursor(), self.ctx.uow() as uow:
                result = bundle.export_bundle(uow, self.ctx.actor, self.record_ref, path,
                                              password)
        except OSError as exc:
            show_error(self, self.tr("The case bundle was not exported"), _written(exc, path))
            return None
        except GoldenRuleError as exc:
            show_error(self, self.tr("The case bundle was not exported"), exc)
            return None
        _remember(path)
        self._done([path], self.tr("Exported the case bundle %1 (%2 files, signed by you) "
                                   "to %3").replace("%1", path.name)
                   .replace("%2", str(result.files)).replace("%3", str(path.parent)))
        return result

    def _export(self, *, pdf: Path | None = None, xlsx: Path | None = None
                ) -> list[Path] | None:
        if self.record_ref is None:
            return None
        target = pdf or xlsx
        assert target is not None
        try:
            with _WaitCursor(), self.ctx.uow() as uow:
                written = documents.export_rationale(uow, self.ctx.actor, self.record_ref,
                                                     pdf=pdf, xlsx=xlsx)
        except OSError as exc:
            show_error(self, self.tr("The rationale was not exported"), _written(exc, target))
            return None
        except GoldenRuleError as exc:
            show_error(self, self.tr("The rationale was not exported"), exc)
            return None
        _remember(target)
        names = self.tr(" and ").join(p.name for p in written)
        self._done(written, self.tr("Exported %1 to %2").replace("%1", names)
                   .replace("%2", str(target.parent)))
        return written

    def _ask_path(self, title: str, suffix: str, file_filter: str) -> Path | None:
        chosen, _filter = QFileDialog.getSaveFileName(self, title, str(self.default_path(suffix)),
                                                      file_filter)
        if not chosen:
            return None
        path = Path(chosen)
        wanted = suffix.rsplit(".", 1)[-1]
        return path if path.suffix.lower() == f".{wanted}" else path.with_name(
            f"{path.name}.{wanted}")

    def _clear_message(self) -> None:
        self.message.clear()
        self.message.setToolTip("")

    def _done(self, paths: list[Path], text: str) -> None:
        self.message.setText("✓ " + text)
        self.message.setToolTip("\n".join(str(p) for p in paths))
        self._message_timer.start()
        window = self.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(text, MESSAGE_MS)
        self.sig_exported.emit(paths)


class _WaitCursor:
    """The busy cursor while a short export runs on the UI thread."""

    def __enter__(self) -> None:
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)

    def __exit__(self, *_exc: object) -> None:
        QGuiApplication.restoreOverrideCursor()
