"""Verify a document: a rationale PDF, a workbook with its ``.p7s`` or a case bundle that
someone hands the officer, checked against the office CA and the records of this database.

Not the integrity check of the database (``ui/verify_dialog.py``): this one judges a file.
``app.document_check`` gives the verdict and never raises on a bad file; the check runs off
the UI thread, since a PDF's signatures take a few tenths of a second to validate.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QDragEnterEvent, QDragLeaveEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.database import Database
from app.document_check import Verdict, check_file
from app.documents import signature_path
from reports.signing import SignatureCheck
from ui.audit.diff_view import setup_table
from ui.context import UiContext
from ui.table_model import Index, RowsTableModel
from ui.tasks import TaskRunner

log = logging.getLogger(__name__)

OK_FG, OK_BG = "#03543f", "#def7ec"
BAD_FG, BAD_BG = "#9b1c1c", "#fde8e8"
STYLE = f"""
QFrame#dropZone {{
    border: 2px dashed #b8c2d3; border-radius: 10px; background: white;
}}
QFrame#dropZone[dropping="true"] {{ border-color: #c49a2c; background: #fffaf0; }}
QLabel#dropTitle {{ font-size: 15px; font-weight: 600; color: #1d2840; }}
QFrame#verdictBanner {{ border-radius: 8px; background: #eef0f3; }}
QFrame#verdictBanner[state="ok"] {{ background: {OK_BG}; border-left: 6px solid #1f8a5b; }}
QFrame#verdictBanner[state="bad"] {{ background: {BAD_BG}; border-left: 6px solid #c62828; }}
QLabel#verdictWord {{ font-size: 24px; font-weight: 700; color: #374151; }}
QFrame#verdictBanner[state="ok"] QLabel {{ color: {OK_FG}; }}
QFrame#verdictBanner[state="bad"] QLabel {{ color: {BAD_FG}; }}
QLabel#verdictHeadline {{ font-size: 14px; font-weight: 600; }}
QLabel#recordMatch[state="ok"] {{ color: {OK_FG}; font-weight: 600; }}
QLabel#recordMatch[state="bad"] {{ color: {BAD_FG}; font-weight: 600; }}
QLabel#sectionLabel {{ font-weight: 600; color: #374151; }}
QTextBrowser#verifyDetails {{ border: 1px solid #d9dee8; border-radius: 4px; }}
"""


def run_check(db: Database | None, path: Path, signature: Path | None) -> Verdict:
    """The worker: its own unit of work, read only, so it may run beside the UI's jobs."""
    if db is None:
        return check_file(path, signature)
    from app.uow import UnitOfWork

    with UnitOfWork(db.session_factory) as uow:
        return check_file(path, signature, uow)


def pick_document(paths: Sequence[Path]) -> tuple[Path, Path | None] | None:
    """The document among dropped files, and its signature when a ``.p7s`` came with it
    (a workbook and its signature may be dropped together)."""
    files = [p for p in paths if p.is_file()]
    signatures = [p for p in files if p.suffix.lower() == ".p7s"]
    others = [p for p in files if p.suffix.lower() != ".p7s"]
    if others:
        return others[0], (signatures[0] if signatures else None)
    if signatures:
        content = signatures[0].with_suffix("")
        return (content, signatures[0]) if content.is_file() else (signatures[0], None)
    return None


def issuer_name(issuer: str) -> str:
    """pyHanko names an issuer as 'Common Name: X, Organization: Y'; the table shows X."""
    for part in issuer.split(", "):
        if part.startswith("Common Name: "):
            return part.removeprefix("Common Name: ")
    return issuer


class SignaturesModel(RowsTableModel[SignatureCheck]):
    """One row per signature: the verdict on it first, then who signed, when and where."""

    def headers(self) -> tuple[str, ...]:
        return (self.tr("Status"), self.tr("Field"), self.tr("Signer"), self.tr("Username"),
                self.tr("Signed at"), self.tr("Issued by"))

    def status_text(self, row: SignatureCheck) -> str:
        """Short: why a signature fails is in its tooltip and in the details below."""
        return ("✓ " + self.tr("Valid")) if row.ok else ("✗ " + self.tr("Not valid"))

    def cells(self, row: SignatureCheck) -> tuple[str, ...]:
        when = row.signed_at.strftime("%Y-%m-%d %H:%M UTC") if row.signed_at else "—"
        return (self.status_text(row), row.field_name or self.tr("(detached)"), row.signer,
                row.username or "—", when, issuer_name(row.issuer))

    def tooltip(self, row: SignatureCheck) -> str:
        lines = [f"• {p}" for p in row.problems] or [self.tr("Intact, valid and issued by "
                                                             "the office CA.")]
        if row.reason:
            lines.append(self.tr("Reason: %1").replace("%1", row.reason))
        if not row.whole_file and row.ok:
            lines.append(self.tr("Covers the document as it was signed; what was added "
                                 "after it is only further signatures."))
        lines.append(self.tr("Certificate SHA-256 %1").replace("%1", row.certificate_sha256))
        return "\n".join(lines)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.row(index.row())
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(row) if index.column() == 0 else (
                row.issuer if index.column() == 5 else None)
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 0:
            return QColor(OK_FG if row.ok else BAD_FG)
        return super().data(index, role)


class DropZone(QFrame):
    """The large target: what to drop, the file being checked, and Choose file…. The
    dialog itself takes the drop, so a file dropped anywhere on it is checked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dropZone")
        self.setMinimumHeight(112)
        self.title = QLabel(self.tr("Drop a rationale PDF, workbook or case bundle here"))
        self.title.setObjectName("dropTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title.setWordWrap(True)
        self.hint = QLabel(self.tr("or choose the file. A workbook's signature (.p7s) is "
                                   "taken from beside it."))
        self.hint.setObjectName("muted")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)
        self.choose_button = QPushButton(self.tr("Choose file…"))
        self.choose_button.setObjectName("chooseFile")
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.choose_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.setSpacing(6)
        layout.addWidget(self.title)
        layout.addWidget(self.hint)
        layout.addLayout(row)

    def show_file(self, path: Path, signature: Path | None) -> None:
        self.title.setText(path.name)
        self.title.setToolTip(str(path))
        size = _size_text(path)
        where = str(path.parent)
        self.hint.setText(self.tr("%1 · in %2").replace("%1", size).replace("%2", where)
                          + (self.tr(" · signature %1").replace("%1", signature.name)
                             if signature else "")
                          + "\n" + self.tr("Drop another file to check it instead."))
        self.choose_button.setText(self.tr("Choose another file…"))

    def set_dropping(self, dropping: bool) -> None:
        self.setProperty("dropping", dropping)
        self.style().unpolish(self)
        self.style().polish(self)


def _size_text(path: Path) -> str:
    try:
        size = path.stat().st_size
    except OSError:
        return "?"
    return f"{size / 1024:,.0f} KB" if size >= 1024 else f"{size} B"


class DocumentVerifyDialog(QDialog):
    """Check one file (``verify_path``) and show the verdict, the signatures behind it and
    whether it is the document recorded for the decision."""

    sig_verified = Signal(object)  # the Verdict

    def __init__(self, ctx: UiContext | None, parent: QWidget | None = None, *,
                 runner: TaskRunner | None = None, synchronous: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("documentVerifyDialog")
        self.ctx = ctx
        self.runner = runner or TaskRunner(self, synchronous=synchronous)
        self.path: Path | None = None
        self.signature: Path | None = None  # chosen by the user; else the one beside it
        self.verdict: Verdict | None = None
        self._generation = 0
        self._running = False
        self.setWindowTitle(self.tr("Verify a document"))
        self.setAcceptDrops(True)
        self.setMinimumSize(760, 460)
        self.resize(920, 660)
        self.setStyleSheet(STYLE)

        title = QLabel(self.tr("Verify a document"))
        title.setObjectName("pageTitle")
        intro = QLabel(self.tr(
            "Check a rationale PDF, a rationale workbook or a case bundle that someone gave "
            "you: whether it is exactly as signed, by whom, and whether it is the document "
            "recorded for the decision."))
        intro.setObjectName("muted")
        intro.setWordWrap(True)

        self.drop_zone = DropZone()
        self.drop_zone.choose_button.clicked.connect(lambda: self.choose_file())

        self.banner = QFrame()
        self.banner.setObjectName("verdictBanner")
        self.verdict_word = QLabel()
        self.verdict_word.setObjectName("verdictWord")
        self.headline = QLabel()
        self.headline.setObjectName("verdictHeadline")
        self.headline.setWordWrap(True)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumHeight(8)
        self.busy.setTextVisible(False)
        banner_layout = QVBoxLayout(self.banner)
        banner_layout.setContentsMargins(16, 10, 16, 12)
        banner_layout.setSpacing(2)
        banner_layout.addWidget(self.verdict_word)
        banner_layout.addWidget(self.headline)
        banner_layout.addWidget(self.busy)

        self.record_match = QLabel()
        self.record_match.setObjectName("recordMatch")
        self.record_match.setWordWrap(True)
        self.signature_label = QLabel()
        self.signature_label.setObjectName("muted")
        self.signature_label.setWordWrap(True)
        self.signature_button = QPushButton(self.tr("Choose signature…"))
        self.signature_button.setObjectName("chooseSignature")
        self.signature_button.setToolTip(self.tr("The workbook's detached signature file "
                                                 "(.p7s)"))
        self.signature_button.clicked.connect(lambda: self.choose_signature())
        signature_row = QHBoxLayout()
        signature_row.setContentsMargins(0, 0, 0, 0)
        signature_row.addWidget(self.signature_label, 1)
        signature_row.addWidget(self.signature_button)
        self.signature_box = QWidget()
        self.signature_box.setLayout(signature_row)

        self.signatures_label = QLabel(self.tr("Signatures"))
        self.signatures_label.setObjectName("sectionLabel")
        self.model = SignaturesModel(self)
        self.table = QTableView()
        self.table.setObjectName("signaturesTable")
        self.table.setModel(self.model)
        setup_table(self.table)  # the look of the audit view's lists
        header = self.table.horizontalHeader()
        for column in range(5):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.details_label = QLabel(self.tr("Details"))
        self.details_label.setObjectName("sectionLabel")
        self.details = QTextBrowser()
        self.details.setObjectName("verifyDetails")
        self.details.setAcceptDrops(False)
        self.details.setOpenLinks(False)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = buttons.addButton(self.tr("Copy result"),
                                             QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.setObjectName("copyResult")
        self.copy_button.clicked.connect(self.copy_result)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(8)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addSpacing(4)
        layout.addWidget(self.drop_zone)
        layout.addWidget(self.banner)
        layout.addWidget(self.record_match)
        layout.addWidget(self.signature_box)
        layout.addWidget(self.signatures_label)
        layout.addWidget(self.table)
        layout.addWidget(self.details_label)
        layout.addWidget(self.details, 1)
        layout.addStretch(0)  # takes the room only when there are no details
        layout.addWidget(buttons)
        self._show_result(None)

    # choosing ---------------------------------------------------------------------------
    def choose_file(self) -> None:
        start = str(self.path.parent) if self.path else str(Path.home())
        chosen, _filter = QFileDialog.getOpenFileName(
            self, self.tr("Choose the document to verify"), start,
            self.tr("Golden Rule documents (*.pdf *.xlsx *.zip);;All files (*)"))
        if chosen:
            self.verify_path(Path(chosen))

    def choose_signature(self) -> None:
        if self.path is None:
            return
        chosen, _filter = QFileDialog.getOpenFileName(
            self, self.tr("Choose the workbook's signature"), str(self.path.parent),
            self.tr("Signature files (*.p7s);;All files (*)"))
        if chosen:
            self.verify_path(self.path, Path(chosen))

    # dropping ---------------------------------------------------------------------------
    @staticmethod
    def _local_paths(event: QDragEnterEvent | QDragMoveEvent | QDropEvent) -> list[Path]:
        mime = event.mimeData()
        if not mime.hasUrls():
            return []
        return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._local_paths(event):
            event.acceptProposedAction()
            self.drop_zone.set_dropping(True)
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self._local_paths(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self.drop_zone.set_dropping(False)
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        self.drop_zone.set_dropping(False)
        picked = pick_document(self._local_paths(event))
        if picked is None:
            event.ignore()
            self.drop_zone.hint.setText(self.tr("That is not a file: drop the PDF, workbook "
                                                "or bundle itself."))
            return
        event.acceptProposedAction()
        self.verify_path(*picked)

    # checking ---------------------------------------------------------------------------
    def verify_path(self, path: Path, signature: Path | None = None) -> None:
        """Check ``path`` (with ``signature`` for a workbook; else the .p7s beside it).
        A newer check supersedes one still running."""
        path = Path(path)
        self.path, self.signature = path, signature
        self._generation += 1
        generation = self._generation
        self._running = True
        self.verdict = None
        self.drop_zone.show_file(path, signature)
        self._show_busy(path)
        db = self.ctx.db if self.ctx is not None else None
        self.runner.submit(lambda _progress: run_check(db, path, signature),
                           lambda verdict: self._on_checked(generation, verdict),
                           lambda exc: self._on_failed(generation, exc))

    @property
    def running(self) -> bool:
        return self._running

    def _on_checked(self, generation: int, verdict: Verdict) -> None:
        if generation != self._generation:
            return
        self._running = False
        self.verdict = verdict
        self._show_result(verdict)
        self.sig_verified.emit(verdict)

    def _on_failed(self, generation: int, exc: BaseException) -> None:
        """Only the database can fail here (a bad file is a verdict): say so in red."""
        if generation != self._generation:
            return
        log.error("document check failed", exc_info=exc)
        verdict = Verdict("unknown", False, self.tr(
            "NOT VALID: the check could not be completed (%1).").replace("%1", str(exc)))
        self._on_checked(generation, verdict)

    # showing ----------------------------------------------------------------------------
    def _set_state(self, state: str) -> None:
        self.banner.setProperty("state", state)
        for widget in (self.banner, self.verdict_word, self.headline):
            widget.style().unpolish(widget)
            widget.style().polish(widget)

    def _show_busy(self, path: Path) -> None:
        self.banner.show()
        self._set_state("busy")
        self.verdict_word.setText(self.tr("Checking…"))
        self.headline.setText(self.tr("Validating the signatures of %1.").replace(
            "%1", path.name))
        self.busy.show()
        for widget in (self.record_match, self.signature_box, self.signatures_label,
                       self.table, self.details_label, self.details):
            widget.hide()
        self.copy_button.setEnabled(False)

    def _signature_in_use(self) -> Path | None:
        if self.signature is not None:
            return self.signature
        beside = signature_path(self.path) if self.path else None
        return beside if beside is not None and beside.exists() else None

    def headline_text(self, verdict: Verdict) -> str:
        """The verdict's headline without the VALID/NOT VALID the banner already shows
        large; a missing workbook signature is explained for this dialog, not the CLI."""
        if verdict.kind == "workbook" and not verdict.signatures \
                and self._signature_in_use() is None:
            return self.tr("The workbook's signature file (.p7s) was not found beside it. "
                           "Choose the signature file to check the workbook.")
        text = verdict.headline
        for prefix in ("NOT VALID: ", "VALID: "):
            if text.startswith(prefix):
                text = text.removeprefix(prefix)
                if self.path is not None and text.startswith(self.path.name):
                    return text  # a file name keeps its case
                return text[:1].upper() + text[1:]
        return text

    def _show_result(self, verdict: Verdict | None) -> None:
        self.busy.hide()
        self.copy_button.setEnabled(verdict is not None)
        if verdict is None:
            for widget in (self.banner, self.record_match, self.signature_box,
                           self.signatures_label, self.table, self.details_label,
                           self.details):
                widget.hide()
            return
        self.banner.show()
        self._set_state("ok" if verdict.ok else "bad")
        self.verdict_word.setText(("✔  " + self.tr("VALID")) if verdict.ok
                                  else ("✖  " + self.tr("NOT VALID")))
        self.headline.setText(self.headline_text(verdict))
        self._show_record_match(verdict)
        self._show_signature_file(verdict)
        self.model.set_rows(verdict.signatures)
        has_signatures = bool(verdict.signatures)
        self.signatures_label.setVisible(has_signatures)
        self.table.setVisible(has_signatures)
        self._fit_table()
        lines = self.detail_lines(verdict)
        self.details.setHtml(self._details_html(lines))
        self.details_label.setVisible(bool(lines))
        self.details.setVisible(bool(lines))

    def _fit_table(self, most: int = 6) -> None:
        """As tall as its rows (a document rarely has more than three signatures), so the
        details below get the room."""
        rows = max(1, min(self.model.rowCount(), most))
        height = (self.table.horizontalHeader().sizeHint().height()
                  + rows * self.table.verticalHeader().defaultSectionSize()
                  + 2 * self.table.frameWidth() + 2)
        self.table.setFixedHeight(height)

    def _show_record_match(self, verdict: Verdict) -> None:
        label = self.record_match
        if verdict.kind == "unknown" or (verdict.matches_record is None
                                         and not verdict.record_ref):
            label.hide()
            return
        if verdict.matches_record and not verdict.ok:
            # the embedded record is genuine, but this copy of the document is not as signed
            label.setProperty("state", "")
            label.setText(self.tr("Embeds the recorded decision %1, but this copy is not as "
                                  "signed.").replace("%1", verdict.record_ref))
        elif verdict.matches_record:
            label.setProperty("state", "ok")
            label.setText("✓ " + self.tr("Matches the recorded decision %1").replace(
                "%1", verdict.record_ref))
        elif verdict.matches_record is False:
            label.setProperty("state", "bad")
            label.setText("✗ " + (self.tr("Not the document recorded for decision %1")
                                  .replace("%1", verdict.record_ref) if verdict.record_ref
                                  else self.tr("Not a decision recorded in this database")))
        else:
            label.setProperty("state", "")
            label.setText(self.tr("Names decision %1; not compared with the records here.")
                          .replace("%1", verdict.record_ref))
        label.style().unpolish(label)
        label.style().polish(label)
        label.show()

    def _show_signature_file(self, verdict: Verdict) -> None:
        if verdict.kind != "workbook":
            self.signature_box.hide()
            return
        used = self._signature_in_use()
        if used is None:
            self.signature_label.setText(self.tr("No signature file (.p7s) beside the "
                                                 "workbook."))
        elif self.signature is not None:
            self.signature_label.setText(self.tr("Signature file: %1 (chosen)").replace(
                "%1", str(used)))
        else:
            self.signature_label.setText(self.tr("Signature file: %1, found beside the "
                                                 "workbook").replace("%1", used.name))
        self.signature_button.setObjectName("primary" if used is None else "chooseSignature")
        self.signature_button.style().unpolish(self.signature_button)
        self.signature_button.style().polish(self.signature_button)
        self.signature_box.show()

    def detail_lines(self, verdict: Verdict) -> list[str]:
        """What is wrong with each failing signature, then the verdict's details."""
        lines: list[str] = []
        for check in verdict.signatures:
            who = f"{check.field_name} · {check.signer}" if check.field_name else check.signer
            lines += [f"{who}: {problem}" for problem in check.problems]
            if not check.ok and not check.problems:
                lines.append(self.tr("%1: the signature is not valid.").replace("%1", who))
        return lines + list(verdict.details)

    @staticmethod
    def _details_html(lines: list[str]) -> str:
        items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
        return f"<ul style='margin-left:-18px'>{items}</ul>" if items else ""

    # the rest ---------------------------------------------------------------------------
    def signature_rows(self) -> list[tuple[str, ...]]:
        """The table as shown, for tests and Copy result."""
        return [self.model.cells(row) for row in self.model.rows()]

    def result_text(self) -> str:
        if self.verdict is None:
            return ""
        head = [str(self.path)] if self.path else []
        return "\n".join(head + self.verdict.lines())

    def copy_result(self) -> None:
        QApplication.clipboard().setText(self.result_text())

    def done(self, result: int) -> None:
        self.runner.wait(5000)
        super().done(result)


def open_document_verify_dialog(ctx: UiContext | None, parent: QWidget | None = None, *,
                                synchronous: bool = False) -> DocumentVerifyDialog:
    """Open the dialog, not modal, so a file can be dragged onto it from the desktop."""
    dialog = DocumentVerifyDialog(ctx, parent, synchronous=synchronous)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog

