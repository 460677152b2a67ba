"""Importing files and folders: defaults for bare documents, then one all-or-nothing import
on the worker thread with a progress bar and Cancel, then what was added and what was
already there."""

from __future__ import annotations

import html
import threading
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.errors import GoldenRuleError, InputError, ValidationError
from app.evidence import Cancelled
from app.evidence_import import (
    DOCUMENT_TYPES,
    DocumentDefaults,
    ImportReport,
    expand,
    import_paths,
)
from app.evidence_vocab import vocabulary
from app.uow import UnitOfWork
from ui.context import UiContext
from ui.evidence.form import checkable_list, checked_values, grade_combo, split_codes
from ui.tasks import Cancelled as TaskCancelled
from ui.tasks import Progress, TaskRunner
from ui.widgets.country_picker import CountryPicker


class ImportDialog(QDialog):
    """Set up → importing → report (or cancelled, or the problems and nothing stored)."""

    sig_imported = Signal(object)  # ImportReport

    SETUP, RUNNING, DONE = range(3)

    def __init__(self, ctx: UiContext, runner: TaskRunner, paths: Sequence[Path],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importDialog")
        self.setWindowTitle(self.tr("Import evidence"))
        self.ctx = ctx
        self.runner = runner
        self.paths = [Path(p) for p in paths]
        self.vocab = vocabulary()
        self.state = self.SETUP
        self.report: ImportReport | None = None
        self.outcome = ""  # "", "imported", "cancelled" or "failed"
        self._progress: Progress | None = None
        self._cancel = threading.Event()  # set before the worker's Progress is known
        self.resize(760, 640)
        self.files: list[Path] = []
        self.documents: list[Path] = []
        self._build()
        self._scan()

    # construction -----------------------------------------------------------------------
    def _build(self) -> None:
        heading = QLabel(self.tr("Import evidence"))
        heading.setObjectName("pageTitle")
        self.files_label = QLabel()
        self.files_label.setWordWrap(True)
        self.file_list = QListWidget()
        self.file_list.setObjectName("importFiles")
        self.file_list.setMaximumHeight(130)

        self.defaults_box = QGroupBox(self.tr("For PDF, HTML and text documents"))
        hint = QLabel(self.tr("A bare document cannot say who published it or how reliable it "
                              "is: set that here for the whole batch. JSON and CSV files carry "
                              "their own fields. Ungraded documents are F6 until graded."))
        hint.setObjectName("muted")
        hint.setWordWrap(True)
        self.source_kind = QComboBox()
        self.source_kind.setObjectName("importKind")
        self.source_kind.addItem(self.tr("— choose the kind of source —"), "")
        for term in self.vocab.source_kinds.values():
            self.source_kind.addItem(term.title, term.id)
        self.reliability = grade_combo(self.vocab.reliability, "importReliability")
        self.reliability.setCurrentIndex(self.reliability.findData("F"))
        self.credibility = grade_combo(self.vocab.credibility, "importCredibility")
        self.credibility.setCurrentIndex(self.credibility.findData("6"))
        grade_row = QHBoxLayout()
        grade_row.addWidget(self.reliability, 1)
        grade_row.addWidget(self.credibility, 1)
        self.publisher = QLineEdit()
        self.publisher.setPlaceholderText(self.tr("Optional"))
        self.countries = QLineEdit()
        self.countries.setPlaceholderText(self.tr("ISO codes, comma-separated: SS, SD"))
        self.country_picker = CountryPicker(self.ctx.ref)
        self.country_picker.setMinimumWidth(190)
        self.country_picker.activated.connect(self._on_country_picked)
        countries_row = QHBoxLayout()
        countries_row.addWidget(self.countries, 1)
        countries_row.addWidget(self.country_picker)
        self.violations = checkable_list(
            [(t.id, t.title, t.group) for t in self.vocab.violations.values()],
            "importViolations")
        self.violations.setMaximumHeight(120)
        form = QFormLayout()
        form.addRow(self.tr("Kind of source"), self.source_kind)
        form.addRow(self.tr("Grade"), grade_row)
        form.addRow(self.tr("Publisher"), self.publisher)
        form.addRow(self.tr("Countries"), countries_row)
        form.addRow(self.tr("Violations"), self.violations)
        box_layout = QVBoxLayout(self.defaults_box)
        box_layout.addWidget(hint)
        box_layout.addLayout(form)

        self.problems_label = QLabel()
        self.problems_label.setObjectName("problems")
        self.problems_label.setWordWrap(True)
        self.problems_label.setTextFormat(Qt.TextFormat.RichText)
        self.problems_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problems_label.hide()

        self.status_label = QLabel()
        self.status_label.setObjectName("importStatus")
        self.status_label.setWordWrap(True)
        self.progress_bar = QProgressBar()
        self.progress_bar.setTextVisible(True)
        self.progress_bar.hide()
        self.report_view = QTextBrowser()
        self.report_view.setObjectName("importReport")
        self.report_view.hide()

        self.buttons = QDialogButtonBox()
        self.import_button = QPushButton(self.tr("Import"))
        self.import_button.setObjectName("primary")
        self.import_button.setDefault(True)
        self.import_button.clicked.connect(self.start)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        self.buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.files_label)
        layout.addWidget(self.file_list)
        layout.addWidget(self.defaults_box)
        layout.addWidget(self.problems_label)
        layout.addWidget(self.status_label)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.report_view, 1)
        layout.addStretch(0)
        layout.addWidget(self.buttons)

    def _scan(self) -> None:
        """List what will be read; a missing path or an empty folder is said at once."""
        try:
            self.files = expand(self.paths)
        except GoldenRuleError as exc:
            self.files = []
            self._show_problems(exc)
            self.import_button.setEnabled(False)
        self.documents = [f for f in self.files if f.suffix.lower() in DOCUMENT_TYPES]
        data_files = [f for f in self.files if f.suffix.lower() in (".json", ".csv")]
        others = len(self.files) - len(self.documents) - len(data_files)
        parts = [self.tr("%n file(s) to import", "", len(self.files))]
        if data_files:
            parts.append(self.tr("%n JSON or CSV file(s)", "", len(data_files)))
        if self.documents:
            parts.append(self.tr("%n document(s)", "", len(self.documents)))
        if others:
            parts.append(self.tr("%n of a kind that cannot be imported", "", others))
        self.files_label.setText(": ".join([parts[0], ", ".join(parts[1:])])
                                 if len(parts) > 1 else parts[0])
        for f in self.files[:500]:
            item = QListWidgetItem(str(f))
            item.setToolTip(str(f))
            self.file_list.addItem(item)
        if len(self.files) > 500:
            self.file_list.addItem(self.tr("… and %n more", "", len(self.files) - 500))
        self.defaults_box.setVisible(bool(self.documents))
        if self.files and not self.documents:
            self.status_label.setText(self.tr("JSON and CSV files carry their own source, "
                                              "grade and countries."))

    def _on_country_picked(self, _index: int) -> None:
        code = self.country_picker.code()
        codes = split_codes(self.countries.text())
        if code and code not in codes:
            codes.append(code)
            self.countries.setText(", ".join(codes))
        self.country_picker.setCurrentIndex(0)

    # running ------------------------------------------------------------------------------
    def defaults(self) -> DocumentDefaults:
        return DocumentDefaults(
            source_kind=self.source_kind.currentData() or "",
            reliability=self.reliability.currentData() or "F",
            credibility=self.credibility.currentData() or "6",
            countries=tuple(split_codes(self.countries.text())),
            publisher=self.publisher.text().strip(),
            violations=tuple(checked_values(self.violations)))

    def start(self) -> Progress | None:
        """Run the import on the worker thread; returns its Progress (to cancel it)."""
        if self.state == self.RUNNING or not self.files:
            return None
        defaults = self.defaults()
        if self.documents and not defaults.source_kind:
            self._show_problems(InputError(self.tr(
                "Choose the kind of source for the %n document(s) first.", "",
                len(self.documents))))
            self.source_kind.setFocus()
            return None
        self.problems_label.hide()
        self.state = self.RUNNING
        self.defaults_box.setEnabled(False)
        self.import_button.setEnabled(False)
        self.cancel_button.setText(self.tr("Cancel import"))
        self.progress_bar.setRange(0, 0)
        self.progress_bar.show()
        self.status_label.setText(self.tr("Reading the files…"))
        db, actor, paths = self.ctx.db, self.ctx.actor, list(self.paths)
        cancel = self._cancel
        cancel.clear()

        def run(progress: Progress) -> ImportReport:
            with UnitOfWork(db.session_factory) as uow:
                return import_paths(uow, actor, paths, defaults,
                                    progress=lambda done, total: progress.report(done, total),
                                    cancelled=lambda: progress.cancelled or cancel.is_set())

        progress = self.runner.submit(run, self._on_done, self._on_failed, self._on_progress)
        if self.state == self.RUNNING:  # still going (a synchronous runner has finished)
            self._progress = progress
        return progress

    def cancel(self) -> None:
        """Ask the running import to stop; it rolls back and stores nothing."""
        if self.state == self.RUNNING:
            self._cancel.set()
            if self._progress is not None:
                self._progress.cancel()
            self.status_label.setText(self.tr("Cancelling…"))
            self.cancel_button.setEnabled(False)

    def _on_progress(self, done: int, total: int, _text: str) -> None:
        if self.state != self.RUNNING:
            return
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(done)
        if self._cancel.is_set():
            return
        self.status_label.setText(self.tr("Importing… %1 of %2").replace(
            "%1", f"{done:,}").replace("%2", f"{total:,}"))

    def _finish(self) -> None:
        self.state = self.DONE
        self.defaults_box.hide()  # the report takes the room
        self.file_list.setMaximumHeight(70)
        self._progress = None
        self.progress_bar.hide()
        self.import_button.hide()
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText(self.tr("Close"))

    def _on_done(self, report: ImportReport) -> None:
        self._finish()
        self.report = report
        self.outcome = "imported"
        self.status_label.setText(self.tr("Added %1 · already in the evidence base %2")
                                  .replace("%1", f"{len(report.added):,}")
                                  .replace("%2", f"{len(report.duplicates):,}"))
        self.status_label.setObjectName("importDone")
        self._repolish(self.status_label)
        self.report_view.setHtml(self._report_html(report))
        self.report_view.show()
        self.sig_imported.emit(report)

    def _on_failed(self, exc: BaseException) -> None:
        if isinstance(exc, Cancelled | TaskCancelled):
            self._finish()
            self.outcome = "cancelled"
            self.status_label.setText(self.tr("Import cancelled: nothing was stored."))
            return
        self.state = self.SETUP
        self._progress = None
        self.outcome = "failed"
        self.progress_bar.hide()
        self.status_label.setText("")
        self.cancel_button.setText(self.tr("Close"))
        self.import_button.setText(self.tr("Try again"))
        self.import_button.setEnabled(True)
        self.defaults_box.setEnabled(True)
        self._show_problems(exc)

    def _show_problems(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            lines = [html.escape(str(p)) for p in exc.problems]
            head = html.escape(exc.context or self.tr("Nothing was stored"))
            text = f"<b>{head}</b><ul style='margin:2px'>" + "".join(
                f"<li>{line}</li>" for line in lines[:20]) + "</ul>"
        elif isinstance(exc, GoldenRuleError):
            text = html.escape(str(exc))
        else:
            head = self.tr("Nothing was stored: something went wrong that Golden Rule did "
                           "not expect.")
            text = f"<b>{head}</b><br>{html.escape(repr(exc))}"
        self.problems_label.setText(text)
        self.problems_label.show()

    def _report_html(self, report: ImportReport) -> str:
        def rows(items: list[tuple[str, str]]) -> str:
            return "".join(f"<tr><td style='padding:1px 10px 1px 0; color:#6b7280'>{a}</td>"
                           f"<td>{b}</td></tr>" for a, b in items)

        out = []
        if report.added:
            out.append(f"<h4>{self.tr('Added')}</h4><table>" + rows(
                [(f"#{a.id} {html.escape(a.grade)}", html.escape(a.title))
                 for a in report.added[:200]]) + "</table>")
            if len(report.added) > 200:
                out.append(f"<p>{self.tr('… and %n more', '', len(report.added) - 200)}</p>")
        if report.duplicates:
            out.append(f"<h4>{self.tr('Skipped: already in the evidence base')}</h4><table>"
                       + rows([(self.tr("as #%1").replace("%1", str(d.existing_id)),
                                html.escape(f"{d.title} — {d.origin}"))
                               for d in report.duplicates[:200]]) + "</table>")
        if not out:
            out.append(f"<p>{self.tr('The files held no items.')}</p>")
        return "".join(out)

    @staticmethod
    def _repolish(widget: QWidget) -> None:
        widget.style().unpolish(widget)
        widget.style().polish(widget)

    def _on_cancel_clicked(self) -> None:
        if self.state == self.RUNNING:
            self.cancel()
        elif self.state == self.DONE or self.outcome:
            self.accept() if self.outcome == "imported" else self.reject()
        else:
            self.reject()

    def reject(self) -> None:
        if self.state == self.RUNNING:  # Esc or the window's close button while importing
            self.cancel()
            return
        super().reject()
