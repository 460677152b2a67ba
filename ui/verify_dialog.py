"""Verify integrity: re-check the hash chain of the audit trail and every signed record.

The check runs off the UI thread with a progress bar and Cancel; the result is either one
line saying what was verified, or the list of problems with what to do about them. The
same dialog shows a report made elsewhere (the start-up check of the main window).
"""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.database import Database
from app.users import Actor
from ui.context import UiContext
from ui.dialogs import show_error
from ui.table_model import RowsTableModel
from ui.tasks import Progress, TaskRunner


class ProblemLike(Protocol):
    kind: str
    target: str
    message: str


class ReportLike(Protocol):
    """What app.audit.verify_integrity returns (IntegrityReport)."""

    ok: bool
    problems: Any
    events_checked: int
    records_checked: int
    seconds: float


class VerifyCancelled(Exception):
    """The user cancelled the check before it finished."""


def failures(report: ReportLike) -> list[Any]:
    """The problems that show tampering (the report may also carry informational notes)."""
    return list(getattr(report, "failures", report.problems))


def notes(report: ReportLike) -> list[Any]:
    return list(getattr(report, "notes", []))


def kind_text(problem: Any) -> str:
    kind = problem.kind
    return str(getattr(kind, "label", kind))


def run_verification(db: Database, actor: Actor, progress: Progress,
                     stop: threading.Event | None = None) -> ReportLike:
    """The worker: its own unit of work, so it may run beside the UI's database jobs.
    Cancelled through ``progress`` or ``stop``."""
    from app import audit  # imported here: the module is optional while it is being built
    from app.uow import UnitOfWork

    def cancelled() -> bool:
        return progress.cancelled or (stop is not None and stop.is_set())

    with UnitOfWork(db.session_factory) as uow:
        report = audit.verify_integrity(
            uow, actor, progress=lambda done, total: progress.report(done, total, ""),
            cancelled=cancelled)
    if cancelled() or getattr(report, "cancelled", False):
        raise VerifyCancelled()
    return report


def problems_headline(count: int) -> str:
    counted = (QApplication.translate("VerifyDialog", "1 problem") if count == 1 else
               QApplication.translate("VerifyDialog", "%1 problems").replace("%1", f"{count:,}"))
    return QApplication.translate(
        "VerifyDialog", "The audit trail or a signed record was changed outside Golden Rule: "
        "%1.").replace("%1", counted)


def intact_text(report: ReportLike) -> str:
    return (QApplication.translate(
        "VerifyDialog", "Intact: %1 events and %2 signed records verified in %3 s")
        .replace("%1", f"{report.events_checked:,}")
        .replace("%2", f"{report.records_checked:,}")
        .replace("%3", f"{report.seconds:.1f}"))


class ProblemsModel(RowsTableModel[Any]):
    """Problems first, then notes (facts to know that are no sign of tampering), greyed."""

    def headers(self) -> tuple[str, ...]:
        return self.tr("Kind"), self.tr("Where"), self.tr("What was found")

    def cells(self, row: Any) -> tuple[str, ...]:
        return kind_text(row), str(row.target), str(row.message)

    def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.row(index.row())
        informational = bool(getattr(row, "informational", False))
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.cells(row)[2]
        if role == Qt.ItemDataRole.ForegroundRole:
            return QColor("#6b7280") if informational else (
                QColor("#9b1c1c") if index.column() == 0 else None)
        if role == Qt.ItemDataRole.FontRole and index.column() == 0 and not informational:
            font = QFont()
            font.setBold(True)
            return font
        return super().data(index, role)


def backups_of(db: Database) -> list[Path]:
    """Backup copies made before each upgrade, newest first (SQLite files only)."""
    path = db.path
    if path is None:
        return []
    found = list(path.parent.glob(f"{path.stem}.backup-*"))
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)


class VerifyDialog(QDialog):
    """Run the check (``start``) or show a finished report (``show_report``)."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None, *,
                 report: ReportLike | None = None, runner: TaskRunner | None = None,
                 synchronous: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("verifyDialog")
        self.ctx = ctx
        self.runner = runner or TaskRunner(self, synchronous=synchronous)
        self.report: ReportLike | None = None
        self.cancelled = False
        self._running = False
        self._stop = threading.Event()
        self.setWindowTitle(self.tr("Verify integrity"))
        self.setMinimumSize(720, 300)
        self.resize(880, 580)

        title = QLabel(self.tr("Verify integrity"))
        title.setObjectName("pageTitle")
        intro = QLabel(self.tr(
            "Golden Rule re-computes the hash chain of the audit trail and checks the "
            "signature and hash of every signed decision record. Any row changed, deleted or "
            "reordered outside Golden Rule shows up here."))
        intro.setWordWrap(True)
        intro.setObjectName("muted")

        self.status = QLabel()
        self.status.setObjectName("verifyStatus")
        self.status.setWordWrap(True)
        self.progress_bar = QProgressBar()
        self.progress_bar.setTextVisible(True)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.clicked.connect(self.cancel)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress_bar, 1)
        progress_row.addWidget(self.cancel_button)
        self.progress_box = QWidget()
        self.progress_box.setLayout(progress_row)
        progress_row.setContentsMargins(0, 0, 0, 0)

        self.result = QLabel()
        self.result.setObjectName("verifyResult")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.model = ProblemsModel(self)
        self.table = QTableView()
        self.table.setObjectName("problemsTable")
        self.table.setModel(self.model)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.advice = QLabel()
        self.advice.setObjectName("verifyAdvice")
        self.advice.setWordWrap(True)
        self.advice.setTextFormat(Qt.TextFormat.RichText)
        self.advice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.again_button = buttons.addButton(self.tr("Check again"),
                                              QDialogButtonBox.ButtonRole.ActionRole)
        self.again_button.clicked.connect(self.start)
        self.copy_button = buttons.addButton(self.tr("Copy report"),
                                             QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_report)
        buttons.rejected.connect(self.reject)
        self.close_button = buttons.button(QDialogButtonBox.StandardButton.Close)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addSpacing(6)
        layout.addWidget(self.status)
        layout.addWidget(self.progress_box)
        layout.addWidget(self.result)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.advice)
        layout.addWidget(buttons)
        self._show_idle()
        if report is not None:
            self.show_report(report)

    # running ------------------------------------------------------------------------------
    def start(self) -> None:
        """Run the check in the background; the dialog stays responsive and cancellable."""
        if self._running:
            return
        self._running = True
        self._stop = threading.Event()
        self.report = None
        self.cancelled = False
        self.result.hide()
        self.table.hide()
        self.advice.hide()
        self.again_button.setEnabled(False)
        self.copy_button.setEnabled(False)
        self.status.setText(self.tr("Checking the audit trail and the signed records…"))
        self.status.show()
        self.progress_bar.setRange(0, 0)  # busy until the first report
        self.progress_box.show()
        self.cancel_button.setEnabled(True)
        db, actor, stop = self.ctx.db, self.ctx.actor, self._stop
        self.runner.submit(lambda progress: run_verification(db, actor, progress, stop),
                           self._on_finished, self._on_failed, self._on_progress)

    def cancel(self) -> None:
        if self._running:
            self._stop.set()
            self.cancel_button.setEnabled(False)
            self.status.setText(self.tr("Cancelling…"))

    @property
    def running(self) -> bool:
        return self._running

    def _on_progress(self, done: int, total: int, _text: str) -> None:
        if total > 0:
            self.progress_bar.setRange(0, total)
            self.progress_bar.setValue(min(done, total))

    def _on_finished(self, report: ReportLike) -> None:
        self._running = False
        self.show_report(report)

    def _on_failed(self, exc: BaseException) -> None:
        was_cancelled = self._stop.is_set()
        self._running = False
        if was_cancelled or isinstance(exc, VerifyCancelled):
            self.cancelled = True
            self._show_idle()
            self.status.setText(self.tr("Cancelled: nothing was concluded. Check again to "
                                        "verify the whole database."))
            return
        self._show_idle()
        self.status.setText(self.tr("The check could not be completed."))
        show_error(self, self.tr("Integrity check failed"), exc)

    def _show_idle(self) -> None:
        self.progress_box.hide()
        self.result.hide()
        self.table.hide()
        self.advice.hide()
        self.again_button.setEnabled(True)
        self.copy_button.setEnabled(self.report is not None)
        self.status.setText(self.tr("Not checked yet."))

    # the result ---------------------------------------------------------------------------
    def show_report(self, report: ReportLike) -> None:
        self.report = report
        self.progress_box.hide()
        self.status.hide()
        self.again_button.setEnabled(True)
        self.copy_button.setEnabled(True)
        self.result.show()
        found, noted = failures(report), notes(report)
        self.model.set_rows(found + noted)
        self.table.setVisible(bool(found or noted))
        if report.ok:
            self.result.setProperty("state", "ok")
            self.result.setText("✔  " + intact_text(report))
            self.result.setStyleSheet(
                "QLabel { background: #def7ec; color: #03543f; border-radius: 6px;"
                " padding: 10px 14px; font-weight: 600; }")
            text = self.tr("Checked at %1: nothing was changed behind Golden Rule's back.")
            if noted:
                text += " " + self.tr("The notes listed are facts to know, not signs of "
                                      "tampering.")
            self.advice.setText(text.replace("%1", datetime.now().strftime("%Y-%m-%d %H:%M")))
            self.advice.show()
            return
        self.result.setProperty("state", "problems")
        self.result.setText("⚠  " + problems_headline(len(found)))
        self.result.setStyleSheet(
            "QLabel { background: #fde8e8; color: #9b1c1c; border-radius: 6px;"
            " padding: 10px 14px; font-weight: 600; }")
        self.advice.setText(self._advice_html())
        self.advice.show()
        self.close_button.setFocus()

    def _advice_html(self) -> str:
        backups = backups_of(self.ctx.db)
        where = (self.tr("The newest backup copy is <b>%1</b>.").replace("%1", str(backups[0]))
                 if backups else
                 self.tr("Backup copies are kept next to the database file, named "
                         "<i>…backup-…</i>."))
        return "".join((
            "<p><b>", self.tr("What to do"), "</b></p><ol style='margin-left:-20px'>",
            "<li>", self.tr("Stop recording decisions on this database and keep this list "
                            "(Copy report)."), "</li>",
            "<li>", self.tr("Restore the last good backup of the database. Golden Rule keeps "
                            "a backup copy at each upgrade; your office's own backups may "
                            "be more recent."), " ", where, "</li>",
            "<li>", self.tr("Tell your security officer: the rows named above were edited, "
                            "deleted or reordered by something other than Golden Rule."),
            "</li></ol>"))

    def report_text(self) -> str:
        if self.report is None:
            return ""
        found, noted = failures(self.report), notes(self.report)
        lines = [intact_text(self.report) if self.report.ok else problems_headline(len(found))]
        lines += [f"{kind_text(p)}\t{p.target}\t{p.message}" for p in found + noted]
        return "\n".join(lines)

    def copy_report(self) -> None:
        QApplication.clipboard().setText(self.report_text())

    def reject(self) -> None:
        self._stop.set()
        super().reject()

    def done(self, result: int) -> None:
        self.runner.wait(5000)
        super().done(result)


def open_verify_dialog(ctx: UiContext, parent: QWidget | None = None, *,
                       report: ReportLike | None = None,
                       synchronous: bool = False) -> VerifyDialog:
    """Open the dialog; without a report, start the check at once."""
    dialog = VerifyDialog(ctx, parent, report=report, synchronous=synchronous)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    if report is None:
        dialog.start()
    return dialog
