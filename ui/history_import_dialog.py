"""Importing decision history: an administrator loads a previous system's licence decisions
as legacy records, from the generic CSV or the CAAT UK statistics (two files).

Setting up the installation is an administrator's job (``MANAGE_SETTINGS``). The files are
read, checked and stored by ``app.legacy_import.import_legacy`` on the database worker,
all or nothing, with a progress bar and Cancel; the dialog then shows the counts, or every
problem the application found with its file, line and column, and stores nothing.
"""

from __future__ import annotations

import html
import threading
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QDialog,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app import legacy_import
from app.errors import Cancelled, GoldenRuleError, ValidationError
from app.legacy_import import LegacyImportReport
from app.roles import Permission
from app.uow import UnitOfWork
from ui.context import UiContext
from ui.document_export import export_folder
from ui.tasks import Cancelled as TaskCancelled
from ui.tasks import Progress, TaskRunner

FORMAT_DOC = Path(__file__).resolve().parents[1] / "docs" / "formats" / "legacy-decisions.md"
STYLE = """
QLabel#dialogTitle { font-size: 17px; font-weight: 600; color: #1d2840; }
QFrame#historyForm { background: white; border: 1px solid #d9dee8; border-radius: 6px; }
QLabel#formLabel { font-weight: 600; color: #374151; }
QLabel#doneHeadline { color: #03543f; font-size: 14px; font-weight: 600; }
QTextBrowser#historyResult { border: 1px solid #d9dee8; border-radius: 6px; background: white; }
QTextBrowser#historyResult[failed="true"] { background: #fff8f1; border-color: #f3c99b;
    color: #7a3e00; }
"""


class HistoryImportDialog(QDialog):
    """Set up (format, files, source, prefix) → importing → the counts or the problems."""

    sig_imported = Signal(object)  # LegacyImportReport

    SETUP, RUNNING, DONE = range(3)

    def __init__(self, ctx: UiContext, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("historyImportDialog")
        self.setWindowTitle(self.tr("Import decision history"))
        self.setStyleSheet(STYLE)
        self.setAcceptDrops(True)
        self.ctx = ctx
        self.runner = runner
        self.state = self.SETUP
        self.outcome = ""  # "", "imported", "cancelled" or "failed"
        self.report: LegacyImportReport | None = None
        self.last_error: BaseException | None = None
        self._progress: Progress | None = None
        self._cancel = threading.Event()
        self.caat_paths: list[Path | None] = [None, None]
        self.resize(760, 540)
        self._build()
        self.set_format("generic")

    # construction -------------------------------------------------------------------------
    def _build(self) -> None:
        title = QLabel(self.tr("Import decision history"))
        title.setObjectName("dialogTitle")
        intro = QLabel(self.tr(
            "Past licence decisions from a previous system become legacy records: each "
            "licence a case with an unsigned decision record marked as imported, which the "
            "consistency view, the audit search and the oversight reports count. Every row "
            "is checked first: one bad row and nothing is stored. A source is imported "
            "once."))
        intro.setObjectName("muted")
        intro.setWordWrap(True)
        doc = QLabel(self._doc_link())
        doc.setObjectName("formatDoc")
        doc.setTextFormat(Qt.TextFormat.RichText)
        doc.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        doc.linkActivated.connect(lambda link: QDesktopServices.openUrl(QUrl(link)))

        self.generic_radio = QRadioButton(self.tr("Generic CSV: one row per goods line, "
                                                  "in one or more files"))
        self.generic_radio.setObjectName("formatGeneric")
        self.caat_radio = QRadioButton(self.tr("CAAT UK licensing statistics: the values "
                                               "file and the refusal criteria file"))
        self.caat_radio.setObjectName("formatCaat")
        self.format_group = QButtonGroup(self)
        self.format_group.addButton(self.generic_radio)
        self.format_group.addButton(self.caat_radio)
        self.generic_radio.toggled.connect(self._on_format_toggled)
        formats = QVBoxLayout()
        formats.setSpacing(4)
        formats.addWidget(self.generic_radio)
        formats.addWidget(self.caat_radio)

        # generic: a list of files
        self.file_list = QListWidget()
        self.file_list.setObjectName("historyFiles")
        self.file_list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.file_list.setMaximumHeight(96)
        self.file_list.itemSelectionChanged.connect(self._update_buttons)
        self.add_button = QPushButton(self.tr("Add files…"))
        self.add_button.setObjectName("addFiles")
        self.add_button.clicked.connect(lambda: self.add_files())
        self.remove_button = QPushButton(self.tr("Remove"))
        self.remove_button.setObjectName("removeFiles")
        self.remove_button.clicked.connect(self.remove_selected)
        file_buttons = QVBoxLayout()
        file_buttons.addWidget(self.add_button)
        file_buttons.addWidget(self.remove_button)
        file_buttons.addStretch(1)
        generic_hint = QLabel(self.tr("Rows with the same reference, in one file or in "
                                      "several, are one licence. You can drop CSV files on "
                                      "this window."))
        generic_hint.setObjectName("muted")
        generic_hint.setWordWrap(True)
        self.generic_files = generic = QWidget()
        generic_layout = QGridLayout(generic)
        generic_layout.setContentsMargins(0, 0, 0, 0)
        generic_layout.addWidget(self.file_list, 0, 0)
        generic_layout.addLayout(file_buttons, 0, 1)
        generic_layout.addWidget(generic_hint, 1, 0, 1, 2)

        # caat-uk: two files, in order
        self.caat_files = caat = QWidget()
        caat_layout = QGridLayout(caat)
        caat_layout.setContentsMargins(0, 0, 0, 0)
        self.caat_edits: list[QLineEdit] = []
        self.caat_buttons: list[QPushButton] = []
        for n, (text, name) in enumerate(((self.tr("1. Values file"), "valuesFile"),
                                          (self.tr("2. Refusal criteria file"),
                                           "criteriaFile"))):
            edit = QLineEdit()
            edit.setObjectName(name)
            edit.setReadOnly(True)
            edit.setPlaceholderText(self.tr("No file chosen"))
            button = QPushButton(self.tr("Choose…"))
            button.setObjectName(f"{name}Button")
            button.clicked.connect(lambda _c=False, k=n: self.choose_caat_file(k))
            caat_layout.addWidget(QLabel(text), n, 0)
            caat_layout.addWidget(edit, n, 1)
            caat_layout.addWidget(button, n, 2)
            self.caat_edits.append(edit)
            self.caat_buttons.append(button)
        caat_hint = QLabel(self.tr("A licence group listed in the criteria file was refused "
                                   "citing those criteria; every other group was issued. "
                                   "Licences are SIELs, values in pounds sterling."))
        caat_hint.setObjectName("muted")
        caat_hint.setWordWrap(True)
        caat_layout.addWidget(caat_hint, 2, 0, 1, 3)
        caat_layout.setColumnStretch(1, 1)
        # one shown at a time; not a stacked widget, which is as high as its tallest page
        self.files_box = QWidget()
        files_layout = QVBoxLayout(self.files_box)
        files_layout.setContentsMargins(0, 0, 0, 0)
        files_layout.addWidget(generic)
        files_layout.addWidget(caat)

        self.source_edit = QLineEdit()
        self.source_edit.setObjectName("historySource")
        self.source_edit.setPlaceholderText(self.tr("such as caat-uk or siel-2010-2020"))
        self.source_edit.setMaxLength(40)
        self.source_edit.textChanged.connect(self._on_source_changed)
        source_hint = QLabel(self.tr("The previous system or data set. Required; up to 40 "
                                     "letters, digits, '.', '_' and '-'."))
        source_hint.setObjectName("muted")
        source_hint.setWordWrap(True)
        self.prefix_edit = QLineEdit()
        self.prefix_edit.setObjectName("historyPrefix")
        self.prefix_edit.setMaxLength(20)
        self.prefix_edit.textChanged.connect(
            lambda _t: self._on_source_changed(self.source_edit.text()))
        self.prefix_hint = QLabel()
        self.prefix_hint.setObjectName("muted")
        self.prefix_hint.setWordWrap(True)

        def label(text: str, buddy: QWidget) -> QLabel:
            widget = QLabel(text)
            widget.setObjectName("formLabel")
            widget.setBuddy(buddy)
            return widget

        self.form = QFrame()
        self.form.setObjectName("historyForm")
        self.form.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        grid = QGridLayout(self.form)
        grid.setContentsMargins(14, 12, 14, 12)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(6)
        top = Qt.AlignmentFlag.AlignTop
        grid.addWidget(label(self.tr("&Format"), self.generic_radio), 0, 0, top)
        grid.addLayout(formats, 0, 1)
        grid.setRowMinimumHeight(1, 6)
        grid.addWidget(label(self.tr("Files"), self.files_box), 2, 0, top)
        grid.addWidget(self.files_box, 2, 1)
        grid.setRowMinimumHeight(3, 6)
        grid.addWidget(label(self.tr("&Source name"), self.source_edit), 4, 0)
        grid.addWidget(self.source_edit, 4, 1)
        grid.addWidget(source_hint, 5, 1)
        grid.addWidget(label(self.tr("&Prefix"), self.prefix_edit), 6, 0)
        grid.addWidget(self.prefix_edit, 6, 1)
        grid.addWidget(self.prefix_hint, 7, 1)
        grid.setColumnStretch(1, 1)

        self.form_error = QLabel()
        self.form_error.setObjectName("formError")
        self.form_error.setWordWrap(True)
        self.form_error.hide()
        self.status_label = QLabel()
        self.status_label.setObjectName("importStatus")
        self.status_label.setWordWrap(True)
        self.progress_bar = QProgressBar()
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setMaximumHeight(8)
        self.progress_bar.hide()
        self.result_view = QTextBrowser()
        self.result_view.setObjectName("historyResult")
        self.result_view.setOpenLinks(False)
        self.result_view.setMinimumHeight(170)  # room for several problems before scrolling
        self.result_view.hide()

        self.import_button = QPushButton(self.tr("Import"))
        self.import_button.setObjectName("primary")
        self.import_button.setDefault(True)
        self.import_button.clicked.connect(lambda: self.start())
        self.close_button = QPushButton(self.tr("Cancel"))
        self.close_button.setObjectName("closeHistory")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self._on_close_clicked)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.setSpacing(8)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addWidget(doc)
        layout.addSpacing(2)
        layout.addWidget(self.form)
        layout.addWidget(self.form_error)
        layout.addWidget(self.status_label)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.result_view, 1)
        layout.addStretch(0)
        layout.addLayout(buttons)
        self._on_source_changed("")

    def _doc_link(self) -> str:
        name = "docs/formats/legacy-decisions.md"
        text = html.escape(self.tr("The columns of both formats, and what is stored, are "
                                   "described in %1.")).replace("%1", "{link}")
        if not FORMAT_DOC.exists():
            return text.replace("{link}", f"<code>{name}</code>")
        url = QUrl.fromLocalFile(str(FORMAT_DOC)).toString()
        return text.replace("{link}", f"<a href='{url}'>{name}</a>")

    # the form -------------------------------------------------------------------------------
    def fmt(self) -> str:
        return "caat-uk" if self.caat_radio.isChecked() else "generic"

    def set_format(self, fmt: str) -> None:
        (self.caat_radio if fmt == "caat-uk" else self.generic_radio).setChecked(True)
        self._on_format_toggled()

    def _on_format_toggled(self, _checked: bool = False) -> None:
        caat = self.fmt() == "caat-uk"
        self.caat_files.setVisible(caat)
        self.generic_files.setVisible(not caat)
        self._update_buttons()

    def paths(self) -> list[Path]:
        """The files in the order the format takes them."""
        if self.fmt() == "caat-uk":
            return [p for p in self.caat_paths if p is not None]
        return [Path(self.file_list.item(i).data(Qt.ItemDataRole.UserRole))
                for i in range(self.file_list.count())]

    def choose_files(self) -> list[Path]:
        """Overridable in tests: the generic CSV files the administrator picks."""
        chosen, _filter = QFileDialog.getOpenFileNames(
            self, self.tr("Decision history files"), str(export_folder()),
            self.tr("CSV files (*.csv);;All files (*)"))
        return [Path(p) for p in chosen]

    def choose_file(self, title: str) -> Path | None:
        """Overridable in tests: one CAAT UK file."""
        chosen, _filter = QFileDialog.getOpenFileName(
            self, title, str(export_folder()), self.tr("CSV files (*.csv);;All files (*)"))
        return Path(chosen) if chosen else None

    def add_files(self, paths: list[Path] | None = None) -> None:
        """Add generic CSV files (asking for them when none are given), each once."""
        if paths is None:
            paths = self.choose_files()
        known = set(self.paths()) if self.fmt() == "generic" else set()
        for path in paths:
            if path in known:
                continue
            known.add(path)
            item = QListWidgetItem(path.name)
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            item.setToolTip(str(path))
            self.file_list.addItem(item)
        self._update_buttons()

    def remove_selected(self) -> None:
        for item in self.file_list.selectedItems():
            self.file_list.takeItem(self.file_list.row(item))
        self._update_buttons()

    def choose_caat_file(self, which: int, path: Path | None = None) -> None:
        """Set the values file (0) or the refusal criteria file (1)."""
        if path is None:
            title = (self.tr("The CAAT UK licence values file") if which == 0
                     else self.tr("The CAAT UK refusal criteria file"))
            path = self.choose_file(title)
            if path is None:
                return
        self.caat_paths[which] = path
        self.caat_edits[which].setText(path.name)
        self.caat_edits[which].setToolTip(str(path))
        self._update_buttons()

    def _on_source_changed(self, text: str) -> None:
        source = text.strip()
        default = legacy_import.default_prefix(source) if source else "LEGACY-<SOURCE>"
        self.prefix_edit.setPlaceholderText(default)
        hint = self.tr("Optional: cases are named PREFIX-<old reference>. Up to 20 capital "
                       "letters, digits and '-'.")
        if source and not self.prefix_edit.text().strip():
            try:
                legacy_import.check_prefix(default)
            except GoldenRuleError:
                hint = self.tr("The default, %1, is too long: give a prefix of up to 20 "
                               "capital letters, digits and '-'.").replace("%1", default)
        self.prefix_hint.setText(hint)
        if source and self.source_edit.property("invalid"):
            self._mark(self.source_edit, False)

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(bool(self.file_list.selectedItems()))

    @staticmethod
    def _mark(widget: QWidget, invalid: bool) -> None:
        widget.setProperty("invalid", invalid)
        widget.style().unpolish(widget)
        widget.style().polish(widget)

    def _missing(self) -> str:
        """What the form still lacks before anything is read, in words."""
        if self.fmt() == "generic" and not self.paths():
            return self.tr("Add at least one CSV file to import.")
        if self.fmt() == "caat-uk" and None in self.caat_paths:
            return self.tr("Choose both files: the licence values file, then the refusal "
                           "criteria file.")
        if not self.source_edit.text().strip():
            self._mark(self.source_edit, True)
            self.source_edit.setFocus()
            return self.tr("Name the source of these records (the previous system or data "
                           "set): a source is imported once.")
        return ""

    # running --------------------------------------------------------------------------------
    def start(self) -> Progress | None:
        """Import on the worker thread; returns its Progress (to cancel it)."""
        if self.state != self.SETUP:
            return None
        missing = self._missing()
        self.form_error.setText(missing)
        self.form_error.setVisible(bool(missing))
        if missing:
            return None
        self.state = self.RUNNING
        self.outcome = ""
        self.last_error = None
        self.result_view.hide()
        self.form.setEnabled(False)
        self.import_button.setEnabled(False)
        self.close_button.setText(self.tr("Cancel import"))
        self.progress_bar.setRange(0, 0)
        self.progress_bar.show()
        self.status_label.setText(self.tr("Reading and checking the files…"))
        db, actor, cancel = self.ctx.db, self.ctx.actor, self._cancel
        paths, fmt = self.paths(), self.fmt()
        source, prefix = self.source_edit.text().strip(), self.prefix_edit.text().strip()
        cancel.clear()

        def run(progress: Progress) -> LegacyImportReport:
            with UnitOfWork(db.session_factory) as uow:
                return legacy_import.import_legacy(
                    uow, actor, paths, fmt, source, prefix or None,
                    progress=lambda done, total: progress.report(done, total),
                    cancelled=lambda: progress.cancelled or cancel.is_set())

        self._progress = Progress()  # a synchronous runner finishes inside submit()
        progress = self.runner.submit(run, self._on_done, self._on_failed, self._on_progress)
        if self.state == self.RUNNING:
            self._progress = progress
        return progress

    def cancel(self) -> None:
        """Ask the running import to stop; it rolls back and stores nothing."""
        if self.state != self.RUNNING:
            return
        self._cancel.set()
        if self._progress is not None:
            self._progress.cancel()
        self.status_label.setText(self.tr("Cancelling…"))
        self.close_button.setEnabled(False)

    def _on_progress(self, done: int, total: int, _text: str) -> None:
        if self.state != self.RUNNING or self._cancel.is_set():
            return
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(done)
        self.status_label.setText(self.tr("Storing licences… %1 of %2").replace(
            "%1", f"{done:,}").replace("%2", f"{total:,}"))

    def _stopped(self) -> None:
        self._progress = None
        self.progress_bar.hide()
        self.close_button.setEnabled(True)
        self.close_button.setText(self.tr("Close"))

    def _on_done(self, report: LegacyImportReport) -> None:
        self._stopped()
        self.state = self.DONE
        self.outcome = "imported"
        self.report = report
        self.import_button.hide()
        self.form.hide()  # the report takes the room; it names the files and the source
        self.status_label.setText(self.tr("Imported %n licence(s) from '%1'.", "",
                                          report.licences).replace("%1", report.source))
        self.status_label.setObjectName("doneHeadline")
        self._repolish(self.status_label)
        self._show_result(self._report_html(report), failed=False)
        self.sig_imported.emit(report)
        self.ctx.signals.sig_cases_changed.emit()

    def _on_failed(self, exc: BaseException) -> None:
        self._stopped()
        self.form.setEnabled(True)
        if isinstance(exc, Cancelled | TaskCancelled):
            self.state = self.SETUP
            self.outcome = "cancelled"
            self.import_button.setEnabled(True)
            self.status_label.setText(self.tr("Import cancelled: nothing was stored."))
            return
        self.state = self.SETUP
        self.outcome = "failed"
        self.last_error = exc
        self.import_button.setText(self.tr("Try again"))
        self.import_button.setEnabled(True)
        self.status_label.setText("")
        self._show_result(self._problems_html(exc), failed=True)

    def _show_result(self, text: str, failed: bool) -> None:
        self.result_view.setProperty("failed", failed)
        self._repolish(self.result_view)
        self.result_view.setHtml(text)
        self.result_view.show()

    def _problems_html(self, exc: BaseException) -> str:
        if isinstance(exc, ValidationError):
            head = html.escape(exc.context or self.tr("Nothing was stored"))
            count = self.tr("%n problem(s)", "", len(exc.problems))
            items = "".join(f"<li>{html.escape(str(p))}</li>" for p in exc.problems)
            return (f"<p><b>{head}: {count}</b></p>"
                    f"<ul style='margin-left:-20px'>{items}</ul>")
        if isinstance(exc, GoldenRuleError):
            return f"<p><b>{html.escape(str(exc))}</b></p>"
        head = self.tr("Nothing was stored: something went wrong that Golden Rule did not "
                       "expect.")
        return f"<p><b>{html.escape(head)}</b></p><p>{html.escape(repr(exc))}</p>"

    def _report_html(self, report: LegacyImportReport) -> str:
        def row(name: str, value: str) -> str:
            return (f"<tr><td style='padding:2px 16px 2px 0; color:#6b7280'>"
                    f"{html.escape(name)}</td><td>{value}</td></tr>")

        counts = [(self.tr("Licences"), report.licences), (self.tr("Issued"), report.issued),
                  (self.tr("Refused"), report.refused), (self.tr("Revoked"), report.revoked),
                  (self.tr("Goods lines"), report.goods_lines),
                  (self.tr("Decision records"), report.records)]
        rows = [row(name, f"<b>{n:,}</b>") for name, n in counts]
        refs = html.escape(f"{report.first_reference} … {report.last_reference}"
                           if report.licences > 1 else report.first_reference)
        rows.append(row(self.tr("Cases"), refs))
        seconds = f"{report.seconds:.1f}" if report.seconds >= 0.1 else "< 0.1"
        rows.append(row(self.tr("Time"), html.escape(self.tr("%1 s").replace("%1", seconds))))
        files = "".join(
            row(f.name, html.escape(self.tr("%n row(s)", "", f.rows)) +
                f" · <span style='color:#6b7280'>SHA-256 {f.sha256[:16]}…</span>")
            for f in report.files)
        note = html.escape(self.tr(
            "The records are unsigned and marked as imported from '%1'; they cannot be "
            "edited, and the import is in the audit trail. The working register leaves "
            "imported history out: the audit view and the oversight reports use it.")
            .replace("%1", report.source))
        return (f"<table>{''.join(rows)}</table>"
                f"<p style='margin-top:8px'><b>{html.escape(self.tr('Files'))}</b></p>"
                f"<table>{files}</table><p style='color:#6b7280'>{note}</p>")

    @staticmethod
    def _repolish(widget: QWidget) -> None:
        widget.style().unpolish(widget)
        widget.style().polish(widget)

    def _on_close_clicked(self) -> None:
        if self.state == self.RUNNING:
            self.cancel()
        elif self.outcome == "imported":
            self.accept()
        else:
            self.reject()

    def reject(self) -> None:
        if self.state == self.RUNNING:  # Esc or the window's close button while importing
            self.cancel()
            return
        super().reject()

    # drag and drop ----------------------------------------------------------------------------
    @staticmethod
    def _dropped(event: QDragEnterEvent | QDropEvent) -> list[Path]:
        mime = event.mimeData()
        if not mime.hasUrls():
            return []
        return [Path(u.toLocalFile()) for u in mime.urls()
                if u.isLocalFile() and u.toLocalFile().lower().endswith(".csv")]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.state == self.SETUP and self._dropped(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        """Generic: the files are added; CAAT UK: two files fill both pickers in the order
        dropped, one fills the first empty picker."""
        paths = self._dropped(event)
        if not paths or self.state != self.SETUP:
            event.ignore()
            return
        event.acceptProposedAction()
        if self.fmt() == "generic":
            QTimer.singleShot(0, lambda: self.add_files(paths))
            return
        for path in paths[:2]:
            empty = [k for k, p in enumerate(self.caat_paths) if p is None]
            which = empty[0] if len(paths) == 1 and empty else paths.index(path)
            self.choose_caat_file(which, path)


def may_import_history(ctx: UiContext) -> bool:
    return ctx.actor.can(Permission.MANAGE_SETTINGS)


def open_history_import(ctx: UiContext, runner: TaskRunner,
                        parent: QWidget | None) -> HistoryImportDialog:
    """The dialog, window-modal and not blocking (File menu and the Reports page)."""
    dialog = HistoryImportDialog(ctx, runner, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
