"""Tools › Denial register: every denial that can make an application essentially identical
to an earlier one, and the import of other states' notifications.

The register is the service's (``app.denials.register``): notified denials and this
authority's own refusals, one row per denied party, filtered by destination, name or
reference. Importing a LITE-layout CSV runs on the database worker with a progress bar and
Cancel, all or nothing; the dialog then shows the counts and any warnings, or every problem
with its file, line and column, and nothing is stored. Only users who manage lists
(``MANAGE_LISTS``) may import; the others read.
"""

from __future__ import annotations

import html
import logging
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path

import shiboken6
from PySide6.QtCore import QDate, QItemSelectionModel, QModelIndex, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app import denials
from app.denials import NOTIFIED, OWN, DenialImportReport, DenialView
from app.errors import Cancelled, GoldenRuleError, ValidationError
from app.roles import Permission
from app.uow import UnitOfWork
from ui.context import UiContext
from ui.denials.common import (
    IN_FORCE,
    LAPSED,
    MUTED,
    STYLE,
    chip,
    denial_facts,
    e,
    facts_table,
    pydate,
    role_label,
    source_label,
    state_text,
)
from ui.denials.models import ROW_ROLE, DenialFilterProxy, DenialsModel
from ui.dialogs import show_error
from ui.document_export import export_folder
from ui.settings.common import needs_role_text
from ui.tasks import Cancelled as TaskCancelled
from ui.tasks import Progress, TaskRunner
from ui.widgets.progress_row import progress_row

log = logging.getLogger(__name__)
FORMAT_DOC = (Path(__file__).resolve().parents[2] / "docs" / "formats"
              / "denial-notifications.md")
#: Column widths (pixels) of the register: the free text columns take what is left.
WIDTHS = {DenialsModel.SOURCE: 96, DenialsModel.REFERENCE: 118, DenialsModel.NOTIFYING: 120,
          DenialsModel.DATE: 92, DenialsModel.LAPSES: 92, DenialsModel.DESTINATION: 130,
          DenialsModel.PARTY: 250, DenialsModel.ROLE: 96, DenialsModel.ENTRIES: 118,
          DenialsModel.CATEGORIES: 92, DenialsModel.ITEM: 200, DenialsModel.END_USE: 180,
          DenialsModel.REASON: 260}
#: Columns of short values, fitted to their content after each read until the officer
#: sizes one by hand.
FIT = (DenialsModel.SOURCE, DenialsModel.REFERENCE, DenialsModel.NOTIFYING,
       DenialsModel.DATE, DenialsModel.LAPSES, DenialsModel.DESTINATION, DenialsModel.ROLE,
       DenialsModel.ENTRIES, DenialsModel.CATEGORIES)


class DenialRegisterDialog(QDialog):
    """The register (filter, table, detail) and the import of notifications."""

    sig_imported = Signal(object)  # DenialImportReport
    sig_open_case = Signal(int)  # an own refusal's case id

    def __init__(self, ctx: UiContext, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("denialRegisterDialog")
        self.setWindowTitle(self.tr("Denial register"))
        self.setStyleSheet(STYLE)
        self.setModal(False)
        self.setSizeGripEnabled(True)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.ctx = ctx
        self.runner = runner
        self.may_import = ctx.actor.can(Permission.MANAGE_LISTS)
        #: Whether the detail pane offers to open an own refusal's case (the opener listens).
        self.can_open_cases = False
        self.report: DenialImportReport | None = None
        self.last_error: BaseException | None = None
        self.outcome = ""  # "", "imported", "cancelled" or "failed"
        self.loaded = False
        self._job: Progress | None = None
        self._cancel = threading.Event()
        self._select_after_load: str | None = None
        self._import_path: Path | None = None
        self._fitting = True  # the widths set while building are not the officer's
        self._user_sized = False
        self.resize(1280, 840)
        self._build()
        self._fitting = False
        ctx.signals.sig_cases_changed.connect(self.reload)  # a refusal may have taken effect
        self.reload()

    # construction -------------------------------------------------------------------------
    def _build(self) -> None:
        title = QLabel(self.tr("Denial register"))
        title.setObjectName("dialogTitle")
        self.count_label = QLabel()
        self.count_label.setObjectName("muted")
        heading = QHBoxLayout()
        heading.addWidget(title)
        heading.addSpacing(10)
        heading.addWidget(self.count_label, 1, Qt.AlignmentFlag.AlignBottom)
        intro = QLabel(self.tr(
            "Denials notified by other states, and this authority's own refusals. A denial "
            "counts for three years: before approving an essentially identical transaction "
            "(same destination, same end user or consignee, goods of the same control-list "
            "category), the officer consults the state that denied it (EU Common Position "
            "2008/944/CFSP, Art 4)."))
        intro.setObjectName("muted")
        intro.setWordWrap(True)
        self.role_banner = QLabel(self.tr("You can read the register. Importing denial "
                                          "notifications: %1")
                                  .replace("%1", needs_role_text(Permission.MANAGE_LISTS)))
        self.role_banner.setObjectName("banner")
        self.role_banner.setWordWrap(True)
        self.role_banner.setVisible(not self.may_import)

        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("denialFilter")
        self.filter_edit.setPlaceholderText(self.tr("Filter by destination, name or reference"))
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setAccessibleName(self.tr("Filter the denials"))
        self.source_combo = QComboBox()
        self.source_combo.setObjectName("denialSource")
        for text, value in ((self.tr("All sources"), ""),
                            (self.tr("Notified by other states"), NOTIFIED),
                            (self.tr("This authority's refusals"), OWN)):
            self.source_combo.addItem(text, value)
        self.in_force_check = QCheckBox(self.tr("In force only"))
        self.in_force_check.setObjectName("inForceOnly")
        self.in_force_check.setToolTip(self.tr("Leave out the denials more than three years "
                                               "old, which no longer count"))
        filters = QHBoxLayout()
        filters.addWidget(self.filter_edit, 1)
        filters.addWidget(self.source_combo)
        filters.addSpacing(6)
        filters.addWidget(self.in_force_check)

        self.model = DenialsModel(self.ctx.ref.country_name, self)
        self.proxy = DenialFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setObjectName("denialTable")
        self.table.setModel(self.proxy)
        self.table.setAccessibleName(self.tr("Denials"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setSortingEnabled(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in WIDTHS.items():
            self.table.setColumnWidth(column, width)
        header.sectionResized.connect(self._on_section_resized)
        self.table.sortByColumn(DenialsModel.DATE, Qt.SortOrder.DescendingOrder)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self.table.doubleClicked.connect(self._on_double_clicked)
        self.empty_label = QLabel()
        self.empty_label.setObjectName("emptyState")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.hide()
        table_box = QWidget()
        table_layout = QVBoxLayout(table_box)
        table_layout.setContentsMargins(0, 0, 0, 0)
        table_layout.addWidget(self.table, 1)
        table_layout.addWidget(self.empty_label, 1)

        self.detail = QTextBrowser()
        self.detail.setObjectName("denialDetail")
        self.detail.setOpenLinks(False)
        self.detail.anchorClicked.connect(self._on_anchor)
        self.detail.setAccessibleName(self.tr("The selected denial"))
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(table_box)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.detail.setMinimumHeight(150)
        self.splitter.setSizes([400, 240])

        self.filter_edit.textChanged.connect(self._on_filter_changed)
        self.source_combo.currentIndexChanged.connect(self._on_filter_changed)
        self.in_force_check.toggled.connect(self._on_filter_changed)

        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.setObjectName("closeRegister")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)
        self.import_bar = self._build_import_bar()
        pr = progress_row(self.tr("Cancel import"), self.cancel, cancel_name="cancelImport",
                          text_style="muted")
        self.progress_row, self.progress_text = pr.row, pr.text
        self.progress_bar, self.cancel_button = pr.bar, pr.cancel
        self.progress_row.hide()
        self.result_view = QTextBrowser()
        self.result_view.setObjectName("importResult")
        self.result_view.setOpenLinks(False)
        self.result_view.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.setSpacing(8)
        layout.addLayout(heading)
        layout.addWidget(intro)
        layout.addWidget(self.role_banner)
        layout.addLayout(filters)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.import_bar)
        layout.addWidget(self.progress_row)
        layout.addWidget(self.result_view)
        self.filter_edit.setFocus()

    def _build_import_bar(self) -> QWidget:
        """Import, its optional date and the format's documentation; Close at the end."""
        bar = QWidget()
        self.import_button = QPushButton(self.tr("Import notifications…"))
        self.import_button.setObjectName("importDenials")
        self.import_button.setAutoDefault(False)
        self.import_button.clicked.connect(lambda: self.import_notifications())
        self.date_check = QCheckBox(self.tr("Date notified, for rows without a date:"))
        self.date_check.setObjectName("useNotifiedOn")
        self.date_check.setToolTip(self.tr(
            "The LITE layout has no date column. Without a date here, a new denial is dated "
            "the day of the import and a denial already registered keeps its date."))
        self.date_edit = QDateEdit()
        self.date_edit.setObjectName("notifiedOn")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setMaximumDate(QDate.currentDate())
        self.date_edit.setDate(QDate.currentDate())
        self.date_edit.setEnabled(False)
        self.date_edit.setAccessibleName(self.tr("Date notified"))
        self.date_check.toggled.connect(self.date_edit.setEnabled)
        if self.may_import:
            self.import_button.setObjectName("primary")
            self.import_button.setToolTip(self.tr(
                "Add or update the denials of a CSV file in the LITE layout; one bad row "
                "and nothing is stored"))
        else:
            for widget in (self.import_button, self.date_check):
                widget.setEnabled(False)
                widget.setToolTip(needs_role_text(Permission.MANAGE_LISTS))
        doc = QLabel(self._doc_link())
        doc.setObjectName("muted")
        doc.setTextFormat(Qt.TextFormat.RichText)
        doc.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        doc.linkActivated.connect(lambda link: QDesktopServices.openUrl(QUrl(link)))
        row = QHBoxLayout(bar)
        row.setContentsMargins(0, 4, 0, 0)
        row.addWidget(self.import_button)
        row.addSpacing(12)
        row.addWidget(self.date_check)
        row.addWidget(self.date_edit)
        row.addSpacing(12)
        row.addWidget(doc, 1)
        row.addWidget(self.close_button)
        return bar

    def _doc_link(self) -> str:
        text = html.escape(self.tr("CSV columns and rules: %1")).replace(
            "%1", "<a href='{url}'>docs/formats/denial-notifications.md</a>")
        if not FORMAT_DOC.exists():
            return text.replace("<a href='{url}'>", "").replace("</a>", "")
        return text.replace("{url}", QUrl.fromLocalFile(str(FORMAT_DOC)).toString())

    # the register -------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the register on the database worker (thousands of rows on a large one)."""
        db = self.ctx.db

        def run(_progress: Progress) -> list[DenialView]:
            with UnitOfWork(db.session_factory) as uow:
                return denials.register(uow)

        if not self.loaded:
            self.count_label.setText(self.tr("Reading the register…"))
        self.runner.submit(run, self._on_loaded, self._on_load_failed)

    def _on_loaded(self, views: list[DenialView]) -> None:
        if not shiboken6.isValid(self):  # closed while the worker read
            return
        key = self._select_after_load or self._current_key()
        self._select_after_load = None
        self.model.set_rows(views)
        self.loaded = True
        if key is not None:
            self.select(key)
        self._after_filter()  # counts, the table shown, the hint when nothing is selected
        if views and not self._user_sized:
            self._fit_columns()

    def _fit_columns(self) -> None:
        """The short columns to their content, until the officer sizes one by hand; the
        free text columns keep their set widths and elide."""
        self._fitting = True
        try:
            for column in FIT:
                self.table.resizeColumnToContents(column)
                width = self.table.columnWidth(column) + 4
                self.table.setColumnWidth(column, max(min(width, 200), WIDTHS[column] // 2))
        finally:
            self._fitting = False

    def _on_section_resized(self, column: int, _old: int, _new: int) -> None:
        """The officer dragged a fitted column's edge (the last column stretches alone)."""
        if not self._fitting and column in FIT:
            self._user_sized = True

    def _on_load_failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self.count_label.setText("")
        show_error(self, self.tr("The denial register could not be read"), exc)

    def views(self) -> list[DenialView]:
        """The rows shown, in the order shown (filtered and sorted)."""
        return [self.proxy.index(r, 0).data(ROW_ROLE) for r in range(self.proxy.rowCount())]

    def current_view(self) -> DenialView | None:
        index = self.table.currentIndex()
        return index.data(ROW_ROLE) if index.isValid() else None

    def _current_key(self) -> str | None:
        view = self.current_view()
        return f"{view.key}|{view.party_name}" if view else None

    def select(self, key: str) -> bool:
        """Select the row of a register key (``notified:<ref>``), or of one of its denied
        parties (``key|name``); False when the filter hides it or it is not there."""
        wanted, _sep, name = key.partition("|")
        for r in range(self.proxy.rowCount()):
            view: DenialView = self.proxy.index(r, 0).data(ROW_ROLE)
            if view.key == wanted and (not name or view.party_name == name):
                index = self.proxy.index(r, 0)
                self.table.selectionModel().setCurrentIndex(
                    index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows)
                self.table.scrollTo(index)
                return True
        return False

    def _on_filter_changed(self, *_args: object) -> None:
        self.proxy.set_text(self.filter_edit.text())
        self.proxy.set_source(self.source_combo.currentData())
        self.proxy.set_in_force_only(self.in_force_check.isChecked())
        self._after_filter()

    def _after_filter(self) -> None:
        total = self.model.rowCount()
        shown = self.proxy.rowCount()
        today = self.model.today
        in_force = sum(1 for v in self.model.rows() if v.in_force(today))
        text = self.tr("Denied parties: %1 · in force: %2").replace(
            "%1", f"{total:,}").replace("%2", f"{in_force:,}")
        if shown != total:
            text += " · " + self.tr("shown: %1").replace("%1", f"{shown:,}")
        self.count_label.setText(text)
        if total == 0:
            self.empty_label.setText(self.tr(
                "The register is empty. Import the denial notifications other states sent "
                "(a CSV file in the LITE layout); this authority's refusals appear here once "
                "they take effect."))
        else:
            self.empty_label.setText(self.tr("No denial matches the filter."))
        self.table.setVisible(shown > 0)
        self.empty_label.setVisible(shown == 0)
        if shown and not self.table.currentIndex().isValid():
            hint = self.tr("Select a denial to see everything the register holds on it.")
            self.detail.setHtml(f"<p style='color:{MUTED}'>{e(hint)}</p>")
        elif not shown:
            self.detail.clear()

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        view = current.data(ROW_ROLE) if current.isValid() else None
        if view is None:
            return
        self.detail.setHtml(self.detail_html(view))

    def detail_html(self, view: DenialView) -> str:
        """The selected denial whole: who, by whom, when, what and why."""
        today = self.model.today
        colours = IN_FORCE if view.in_force(today) else LAPSED
        source = source_label(view.source)
        if view.source == OWN and view.is_demo:
            source += " · " + self.tr("demonstration data")
        head = (f"<p style='margin:0; font-size:15px'><b>{e(view.party_name)}</b> "
                f"<span style='color:{MUTED}'>· {e(role_label(view.party_role))}</span></p>"
                f"<p style='margin:3px 0 8px 0'>{chip(state_text(view, today), colours)}"
                f"&nbsp;&nbsp;<span style='color:{MUTED}'>{e(source)}</span></p>")
        facts = denial_facts(view, self.ctx.ref.country_name(view.destination), party=False)
        split = (len(facts) + 1) // 2
        left, right = facts[:split], facts[split:]
        body = (f"<table width='100%' cellspacing='0' cellpadding='0'><tr>"
                f"<td width='48%' valign='top'>{facts_table(left)}</td><td width='4%'></td>"
                f"<td width='48%' valign='top'>{facts_table(right)}</td></tr></table>")
        link = ""
        if view.source == OWN and view.case_id is not None and self.can_open_cases:
            text = self.tr("Open case %1").replace("%1", view.reference)
            link = (f"<p style='margin-top:8px'><a href='case:{view.case_id}'>{e(text)}</a>"
                    "</p>")
        return head + body + link

    def _on_anchor(self, url: QUrl) -> None:
        text = url.toString()
        if text.startswith("case:"):
            self.sig_open_case.emit(int(text.removeprefix("case:")))

    def _on_double_clicked(self, index: QModelIndex) -> None:
        view: DenialView | None = index.data(ROW_ROLE)
        if view is not None and view.source == OWN and view.case_id is not None \
                and self.can_open_cases:
            self.sig_open_case.emit(view.case_id)

    # importing ------------------------------------------------------------------------------
    def choose_csv(self) -> Path | None:
        """The CSV file the officer picks (tests replace the file dialog)."""
        path, _filter = QFileDialog.getOpenFileName(
            self, self.tr("Import denial notifications"), str(export_folder()),
            self.tr("CSV files (*.csv);;All files (*)"))
        return Path(path) if path else None

    def notified_on(self) -> date | None:
        """The date for rows without one, when the officer gave it."""
        return pydate(self.date_edit.date()) if self.date_check.isChecked() else None

    def import_notifications(self, path: Path | None = None) -> Progress | None:
        """Import a LITE-layout CSV on the database worker; returns its Progress."""
        if not self.may_import or self._job is not None:
            return None
        if path is None:
            path = self.choose_csv()
            if path is None:
                return None
        self.result_view.hide()
        self.result_view.setToolTip(str(path))
        self._import_path = path
        self.last_error = None
        self.outcome = ""
        self._set_busy(True, self.tr("Checking %1…").replace("%1", path.name))
        db, actor, cancel, notified_on = self.ctx.db, self.ctx.actor, self._cancel, \
            self.notified_on()
        cancel.clear()

        def run(progress: Progress) -> DenialImportReport:
            with UnitOfWork(db.session_factory) as uow:
                return denials.import_denials_csv(
                    uow, actor, path, notified_on=notified_on,
                    progress=lambda done, total: progress.report(done, total),
                    is_cancelled=lambda: progress.cancelled or cancel.is_set())

        self._job = Progress()  # a synchronous runner finishes inside submit()
        progress = self.runner.submit(run, self._on_imported, self._on_import_failed,
                                      self._on_progress)
        if self._job is not None:
            self._job = progress
        return progress

    @property
    def busy(self) -> bool:
        return self._job is not None

    def cancel(self) -> None:
        """Stop the import at its next check; it rolls back and stores nothing."""
        if self._job is None:
            return
        self._cancel.set()
        self._job.cancel()
        self.cancel_button.setEnabled(False)
        self.progress_text.setText(self.tr("Cancelling…"))

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self.progress_row.setVisible(busy)
        self.progress_bar.setRange(0, 0)
        self.progress_text.setText(text)
        self.cancel_button.setEnabled(busy)
        for widget in (self.import_button, self.date_check):
            widget.setEnabled(self.may_import and not busy)
        self.date_edit.setEnabled(self.may_import and not busy and self.date_check.isChecked())
        self.close_button.setEnabled(not busy)

    def _on_progress(self, done: int, total: int, _text: str) -> None:
        if self._job is None or self._cancel.is_set() or not shiboken6.isValid(self):
            return
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(done)

    def _on_imported(self, report: DenialImportReport) -> None:
        self._job = None
        if not shiboken6.isValid(self):
            return
        self._set_busy(False)
        self.report = report
        self.outcome = "imported"
        self._show_result(self.report_html(report), failed=False)
        first = (report.added_references or report.updated_references or (None,))[0]
        self._select_after_load = f"{NOTIFIED}:{first}" if first else None
        self.reload()
        self.sig_imported.emit(report)
        # new or changed denials change what the denials check finds on open cases
        self.ctx.signals.sig_screening_changed.emit(None)

    def _on_import_failed(self, exc: BaseException) -> None:
        self._job = None
        if not shiboken6.isValid(self):
            return
        self._set_busy(False)
        if isinstance(exc, Cancelled | TaskCancelled):
            self.outcome = "cancelled"
            text = self.tr("Import cancelled: nothing was stored.")
            self._show_result(f"<b>{e(text)}</b>", failed=False)
            return
        self.outcome = "failed"
        self.last_error = exc
        self._show_result(self.problems_html(exc), failed=True)

    def _show_result(self, text: str, failed: bool) -> None:
        self.result_view.setProperty("failed", failed)
        self.result_view.style().unpolish(self.result_view)
        self.result_view.style().polish(self.result_view)
        self.result_view.setHtml(text)
        # as high as its text, up to a few lines: the register keeps the room
        self.result_view.document().setTextWidth(max(self.width() - 60, 400))
        height = int(self.result_view.document().size().height()) + 12
        self.result_view.setFixedHeight(max(44, min(height, 150)))
        self.result_view.show()

    def _short(self, text: str) -> str:
        """The application names the file by its full path; the dialog by its name, which
        the headline already places (the full path is in the tooltip of the result)."""
        path = self._import_path
        return text.replace(str(path), path.name) if path is not None else text

    def report_html(self, report: DenialImportReport) -> str:
        head = self.tr("Imported %1: %n row(s)", "", report.rows).replace(
            "%1", Path(report.file).name)
        counts = self.tr("%1 added, %2 updated, %3 unchanged.").replace(
            "%1", f"{report.added:,}").replace("%2", f"{report.updated:,}").replace(
            "%3", f"{report.unchanged:,}")
        parts = [f"<p style='margin:0'><b>{e(head)}</b> · {e(counts)} "
                 f"<span style='color:{MUTED}'>SHA-256 {e(report.sha256[:16])}…</span></p>"]
        for label, refs in ((self.tr("Added"), report.added_references),
                            (self.tr("Updated"), report.updated_references)):
            if refs:
                shown = ", ".join(refs[:12]) + (" …" if len(refs) > 12 else "")
                parts.append(f"<p style='margin:4px 0 0 0'><span style='color:{MUTED}'>"
                             f"{e(label)}:</span> {e(shown)}</p>")
        if report.updated:
            note = self.tr("Each update is in the audit trail with the values before and "
                           "after.")
            parts.append(f"<p style='margin:4px 0 0 0; color:{MUTED}'>{e(note)}</p>")
        if report.warnings:
            items = "".join(f"<li>{e(self._short(w))}</li>" for w in report.warnings)
            count = self.tr("%n warning(s)", "", len(report.warnings))
            parts.append(f"<p style='margin:6px 0 0 0; color:#9a4d00'><b>{e(count)}</b></p>"
                         f"<ul style='margin:2px 0 0 -20px; color:#7a3e00'>{items}</ul>")
        return "".join(parts)

    def problems_html(self, exc: BaseException) -> str:
        if isinstance(exc, ValidationError):
            head = e(exc.context or self.tr("Nothing was stored"))
            count = e(self.tr("%n problem(s)", "", len(exc.problems)))
            items = "".join(f"<li>{e(self._short(str(p)))}</li>" for p in exc.problems)
            return f"<b>{head}: {count}</b><ul style='margin:2px 0 0 -20px'>{items}</ul>"
        if isinstance(exc, GoldenRuleError):
            return f"<b>{e(self._short(str(exc)))}</b>"
        log.error("denial import failed", exc_info=exc)
        head = self.tr("Nothing was stored: something went wrong that Golden Rule did not "
                       "expect.")
        return f"<b>{e(head)}</b><br>{e(repr(exc))}"

    def reject(self) -> None:
        if self._job is not None:  # Esc or the window's close button while importing
            self.cancel()
            return
        super().reject()


def open_denial_register(ctx: UiContext, runner: TaskRunner, parent: QWidget | None,
                         open_case: Callable[[int], object] | None = None
                         ) -> DenialRegisterDialog:
    """The register, not modal: one per window, raised again when already open.
    ``open_case`` lets an own refusal's case open from the detail pane."""
    found = parent.findChildren(DenialRegisterDialog) if parent is not None else []
    # a closed one is only waiting to be deleted
    existing = next((d for d in found if shiboken6.isValid(d) and d.isVisible()), None)
    if existing is not None:
        existing.show()
        existing.raise_()
        existing.activateWindow()
        return existing
    dialog = DenialRegisterDialog(ctx, runner, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if open_case is not None:
        dialog.can_open_cases = True
        dialog.sig_open_case.connect(open_case)
    dialog.show()
    return dialog
