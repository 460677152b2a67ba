"""The Screening area: the sanctions lists and their versions, importing a new version (and
what it changed), re-screening every open case and licence in force, checking one name, and
every judgement recorded.

Importing and re-screening run on the database worker with a progress bar and Cancel: a
list of 20,000 entries takes seconds to store and the index a moment to build, and the
window must not freeze. An import is followed by a re-screening, so new hits are listed for
review straight away; double-clicking one opens the case's screening tab.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app import cases
from app.errors import Cancelled, GoldenRuleError
from app.roles import Permission
from app.screening import lists as list_store
from app.screening import service
from app.screening.lists import ImportResult, ListDiff, ListInfo
from app.screening.service import RescreenReport, Screening
from app.uow import UnitOfWork
from ui.context import UiContext
from ui.dialogs import show_error
from ui.document_export import export_folder
from ui.screening import import_dialog
from ui.screening.case_tab import set_widths, table_view
from ui.screening.common import STYLE, window_runner
from ui.screening.import_dialog import ImportRequest
from ui.screening.lists_panel import ListsPanel
from ui.screening.models import DispositionsModel
from ui.screening.name_check import NameCheckPanel
from ui.settings.common import needs_role_text, role_note
from ui.tasks import Cancelled as TaskCancelled
from ui.tasks import Progress, TaskRunner
from ui.widgets.page_header import page_title
from ui.widgets.progress_row import progress_row

MAX_WARNINGS_SHOWN = 6
#: Diffs kept per session: versions never change, so a diff once computed stays right.
DIFF_CACHE = 12


class ScreeningPage(QWidget):
    sig_open_case_screening = Signal(int)  # case id
    sig_imported = Signal(object)          # ImportResult
    sig_rescreened = Signal(object)        # RescreenReport
    sig_checked = Signal(object)           # Screening of a name
    sig_cancelled = Signal(str)            # the job's kind
    sig_busy_changed = Signal(bool)

    LISTS_TAB, CHECK_TAB, JUDGEMENTS_TAB = range(3)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None, *,
                 runner: TaskRunner | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("screeningPage")
        self.setStyleSheet(STYLE)
        self.ctx = ctx
        self._runner = runner
        self._own_runner: list[TaskRunner] = []
        self.may_manage = ctx.actor.can(Permission.MANAGE_LISTS)
        self.may_screen = ctx.actor.can(Permission.SCREEN)
        self.last_import: ImportResult | None = None
        self.last_rescreen: RescreenReport | None = None
        self._job: Progress | None = None
        self._job_kind = ""
        self._diffs: dict[int, ListDiff] = {}
        self._build()
        self._set_busy("")
        self.refresh()
        ctx.signals.sig_screening_changed.connect(self._on_screening_changed)

    # construction -------------------------------------------------------------------------
    def _build(self) -> None:
        title, self.status_label = page_title(self.tr("Screening"))
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.import_button = QPushButton(self.tr("Import list file…"))
        self.import_button.setObjectName("importList")
        self.import_button.setToolTip(self.tr(
            "A new version of a sanctions list (UN or OFAC XML, OFAC CSV, BIS, generic CSV); "
            "open cases and licences in force are then screened again"))
        self.import_button.clicked.connect(lambda: self.import_list_file())
        self.rescreen_button = QPushButton(self.tr("Re-screen all"))
        self.rescreen_button.setObjectName("rescreenAll")
        self.rescreen_button.setToolTip(self.tr(
            "Screen every open case and licence in force against the lists in use now, and "
            "list the hits nobody has seen"))
        self.rescreen_button.clicked.connect(lambda: self.rescreen_all())
        self._tips = {self.import_button: self.import_button.toolTip(),
                      self.rescreen_button: self.rescreen_button.toolTip()}

        pr = progress_row(self.tr("Cancel"), self.cancel, name="screeningProgress",
                          cancel_name="cancelScreening",
                          cancel_tip=self.tr("Stop (Esc): nothing is stored"))
        self.progress_row, self.progress_text = pr.row, pr.text
        self.progress_bar, self.cancel_button = pr.bar, pr.cancel
        self.message = QLabel()
        self.message.setObjectName("banner")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.hide()

        self.lists_panel = ListsPanel()
        self.lists_panel.lists_model.may_manage = self.may_manage
        self.lists_panel.lists_model.sig_active_toggled.connect(self.set_list_active)
        self.lists_panel.sig_list_selected.connect(self._on_list_selected)
        self.lists_panel.sig_version_selected.connect(self._on_version_selected)
        self.lists_panel.sig_new_hit_activated.connect(self.open_case_by_reference)

        self.name_panel = NameCheckPanel(self.ctx)
        self.name_panel.sig_check_requested.connect(lambda: self.check_name())
        check_page = QWidget()
        check_layout = QVBoxLayout(check_page)
        check_layout.setContentsMargins(0, 0, 0, 0)
        if not self.may_screen:
            check_layout.addWidget(role_note(Permission.SCREEN, self.tr(
                "Checking a name is for those who screen parties.")))
            self.name_panel.set_enabled_form(False)
        check_layout.addWidget(self.name_panel, 1)

        self.judgements_model = DispositionsModel(self)
        self.judgements_table = table_view(self.judgements_model, "allJudgements")
        set_widths(self.judgements_table, (130, 130, 220, 300, 110, 300, 140), stretch=5)
        self.judgements_table.doubleClicked.connect(self._on_judgement_activated)
        judgements_page = QWidget()
        judgements_layout = QVBoxLayout(judgements_page)
        judgements_layout.setContentsMargins(0, 8, 0, 0)
        note = QLabel(self.tr(
            "Every judgement of a hit, newest first. A false positive is remembered for the "
            "same party (name and country) and the same entry, on every application, until "
            "the entry changes. Double-click a row to open the case."))
        note.setObjectName("muted")
        note.setWordWrap(True)
        judgements_layout.addWidget(note)
        judgements_layout.addWidget(self.judgements_table, 1)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("screeningTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.lists_panel, self.tr("Lists"))
        self.tabs.addTab(check_page, self.tr("Check a name"))
        self.tabs.addTab(judgements_page, self.tr("Judgements"))

        top = QHBoxLayout()
        top.addWidget(title)
        top.addSpacing(12)
        top.addWidget(self.status_label, 1)
        top.addWidget(self.rescreen_button)
        top.addWidget(self.import_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addWidget(self.progress_row)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)

        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self.cancel)

    # reading ------------------------------------------------------------------------------
    def refresh(self, select_list: int | None = None) -> None:
        """Read the lists, the threshold and the judgements again (quick queries)."""
        with self.ctx.uow() as uow:
            infos = list_store.lists(uow)
            threshold = service.threshold(uow)
        self.name_panel.set_threshold(threshold)
        self._show_lists(infos, select_list)
        self.refresh_judgements()

    def _show_lists(self, infos: list[ListInfo], select: int | None = None) -> None:
        self.lists_panel.set_lists(infos, select)
        used = [i for i in infos if i.active and i.current is not None]
        if not infos:
            text = self.tr("No list imported")
        else:
            text = self.tr("%1 of %2 lists in use").replace("%1", str(len(used))).replace(
                "%2", str(len(infos)))
        self.status_label.setText(text)

    def _on_screening_changed(self, _case_id: int | None) -> None:
        self.refresh_judgements()

    def refresh_judgements(self) -> None:
        with self.ctx.uow() as uow:
            records = service.disposition_history(uow)
            names = {i.id: i.name for i in list_store.lists(uow)}
        self.judgements_model.list_names = names
        self.judgements_model.set_rows(records)
        self.tabs.setTabText(self.JUDGEMENTS_TAB, self.tr("Judgements (%1)").replace(
            "%1", str(len(records))))

    def _on_list_selected(self, list_id: int | None) -> None:
        if list_id is None:
            self.lists_panel.set_versions([])
            return
        with self.ctx.uow() as uow:
            versions = list_store.versions(uow, list_id)
        select = (self.last_import.version.id if self.last_import
                  and self.last_import.version.list_id == list_id else None)
        self.lists_panel.set_versions(versions, select)

    def _on_version_selected(self, version_id: int | None) -> None:
        version = self.lists_panel.selected_version()
        if version_id is None or version is None:
            self.lists_panel.show_diff(None)
            return
        cached = self._diffs.get(version_id)
        if cached is not None:
            self.lists_panel.show_diff(cached)
            return
        self.lists_panel.show_loading_diff(version)
        db = self.ctx.db

        def run(_progress: Progress) -> ListDiff:
            with UnitOfWork(db.session_factory) as uow:
                return list_store.diff_versions(uow, version.previous_id, version.id)

        def done(diff: ListDiff) -> None:
            self._remember_diff(diff)
            current = self.lists_panel.selected_version()
            if current is not None and current.id == diff.new.id:
                self.lists_panel.show_diff(diff)

        def failed(exc: BaseException) -> None:
            self.lists_panel.diff_summary.setText(str(exc))

        self.runner.submit(run, done, failed)

    def _remember_diff(self, diff: ListDiff) -> None:
        self._diffs[diff.new.id] = diff
        while len(self._diffs) > DIFF_CACHE:
            self._diffs.pop(next(iter(self._diffs)))

    # background jobs ----------------------------------------------------------------------
    @property
    def runner(self) -> TaskRunner:
        """The runner given, else the window's (one database worker), else the page's own."""
        return self._runner or window_runner(self, self._own_runner)

    def is_busy(self) -> bool:
        return self._job is not None

    def _set_busy(self, kind: str, text: str = "") -> None:
        self._job_kind = kind
        busy = bool(kind)
        self.progress_row.setVisible(busy)
        self.progress_bar.setRange(0, 0)
        self.progress_text.setText(text)
        self.cancel_button.setEnabled(busy)
        for button, allowed, permission in (
                (self.import_button, self.may_manage, Permission.MANAGE_LISTS),
                (self.rescreen_button, self.may_manage or self.may_screen, Permission.SCREEN)):
            button.setEnabled(allowed and not busy)
            button.setToolTip(self._tips[button] if allowed else needs_role_text(permission))
        self.name_panel.check_button.setEnabled(self.may_screen and not busy)
        self.sig_busy_changed.emit(busy)

    def _start(self, kind: str, fn: Callable[[Progress], Any], done: Callable[[Any], None],
               error_title: str, text: str, step: Callable[[int, int], str] | None = None,
               ) -> None:
        self._set_busy(kind, text)

        def on_progress(value: int, total: int, _text: str) -> None:
            if self._job_kind != kind or self._job is None or self._job.cancelled:
                return
            self.progress_bar.setRange(0, max(total, 1))
            self.progress_bar.setValue(value)
            if step is not None:
                self.progress_text.setText(step(value, total))

        def finish(result: Any) -> None:
            self._job = None
            self._set_busy("")
            done(result)

        def fail(exc: BaseException) -> None:
            self._job = None
            self._set_busy("")
            if isinstance(exc, Cancelled | TaskCancelled):
                self.show_message(self.cancelled_text(kind))
                self.sig_cancelled.emit(kind)
                return
            show_error(self, error_title, exc)

        # a placeholder while submitting: a synchronous runner finishes inside submit()
        self._job = Progress()
        progress = self.runner.submit(fn, finish, fail, on_progress)
        if self._job is not None:
            self._job = progress

    def cancel(self) -> None:
        """Stop the import or the re-screening on its way: it rolls back, storing nothing."""
        if self._job is None:
            return
        self._job.cancel()
        self.cancel_button.setEnabled(False)
        self.progress_text.setText(self.tr("Cancelling…"))

    def cancelled_text(self, kind: str) -> str:
        return {"import": self.tr("Import cancelled: nothing was stored."),
                "rescreen": self.tr("Re-screening cancelled: no run was stored; the cases "
                                    "keep their earlier screening."),
                }.get(kind, self.tr("Cancelled."))

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # importing ----------------------------------------------------------------------------
    def choose_file(self) -> Path | None:
        """The list file the officer picks (tests patch QFileDialog.getOpenFileName)."""
        chosen, _filter = QFileDialog.getOpenFileName(
            self, self.tr("Import a sanctions list"), str(export_folder()),
            self.tr("Sanctions lists (*.xml *.csv *.txt);;All files (*)"))
        return Path(chosen) if chosen else None

    def ask_import_options(self, path: Path, lists: list[ListInfo]) -> ImportRequest | None:
        """Overridable in tests: the format and the list the file is a version of."""
        return import_dialog.ask_import_options(self, path, lists)

    def import_list_file(self, path: Path | None = None) -> None:
        """Import list file…: pick the file, confirm format and list, import, re-screen."""
        if not self.may_manage or self.is_busy():
            return
        if path is None:
            path = self.choose_file()
            if path is None:
                return
        with self.ctx.uow() as uow:
            infos = list_store.lists(uow)
        request = self.ask_import_options(path, infos)
        if request is not None:
            self.start_import(request)

    def start_import(self, request: ImportRequest) -> None:
        db, actor = self.ctx.db, self.ctx.actor

        def run(progress: Progress) -> ImportResult:
            with UnitOfWork(db.session_factory) as uow:
                return list_store.import_list(
                    uow, actor, request.path, list_name=request.list_name, fmt=request.fmt,
                    progress=lambda done, total: progress.report(done, total),
                    is_cancelled=lambda: progress.cancelled)

        self.show_message("")
        self._start("import", run, self._on_imported,
                    self.tr("The list was not imported"),
                    self.tr("Reading %1…").replace("%1", request.path.name),
                    lambda done, total: self.tr("Storing entries… %1 of %2").replace(
                        "%1", f"{done:,}").replace("%2", f"{total:,}"))

    def _on_imported(self, result: ImportResult) -> None:
        self.last_import = result
        self._remember_diff(result.diff)
        v = result.version
        text = self.tr("Imported %1: %2 entries, %3 names (file SHA-256 %4…).").replace(
            "%1", v.label).replace("%2", f"{v.entry_count:,}").replace(
            "%3", f"{v.name_count:,}").replace("%4", v.file_sha256[:12])
        if result.warnings:
            shown = [f"• {w}" for w in result.warnings[:MAX_WARNINGS_SHOWN]]
            more = len(result.warnings) - MAX_WARNINGS_SHOWN
            if more > 0:
                shown.append(self.tr("… and %1 more (in the version's tooltip)").replace(
                    "%1", str(more)))
            text += "\n" + self.tr("The file had %n thing(s) the reader skipped or "
                                   "repaired:", "", len(result.warnings)) + "\n" + \
                "\n".join(shown)
        self.show_message(text)
        self.tabs.setCurrentIndex(self.LISTS_TAB)
        self.refresh(select_list=v.list_id)
        self.sig_imported.emit(result)
        self.ctx.signals.sig_screening_changed.emit(None)
        self.rescreen_all(after=v.label)

    def set_list_active(self, list_id: int, active: bool) -> None:
        """Screening uses the list, or leaves it out (the check box in the lists table)."""
        try:
            with self.ctx.uow() as uow:
                list_store.set_active(uow, self.ctx.actor, list_id, active)
        except GoldenRuleError as exc:
            show_error(self, self.tr("The list was not changed"), exc)
            return
        self.refresh(select_list=list_id)
        self.ctx.signals.sig_screening_changed.emit(None)
        self.ctx.signals.sig_cases_changed.emit()

    # re-screening -------------------------------------------------------------------------
    def rescreen_all(self, after: str = "") -> None:
        """Screen every open case and licence in force again and list the new hits."""
        if not (self.may_manage or self.may_screen) or self.is_busy():
            return
        db, actor = self.ctx.db, self.ctx.actor

        def run(progress: Progress) -> RescreenReport:
            with UnitOfWork(db.session_factory) as uow:
                return service.rescreen(uow, actor,
                                        progress=lambda done, total: progress.report(done,
                                                                                     total),
                                        is_cancelled=lambda: progress.cancelled)

        self._start("rescreen", run, lambda report: self._on_rescreened(report, after),
                    self.tr("The cases were not screened again"),
                    self.tr("Building the match index and screening again…"),
                    lambda done, total: self.tr(
                        "Screening open cases and licences in force again… %1 of %2").replace(
                        "%1", f"{done:,}").replace("%2", f"{total:,}"))

    def _on_rescreened(self, report: RescreenReport, after: str) -> None:
        self.last_rescreen = report
        self.lists_panel.show_rescreen(report, after)
        self.tabs.setCurrentIndex(self.LISTS_TAB)
        self.sig_rescreened.emit(report)
        self.ctx.signals.sig_screening_changed.emit(None)
        self.ctx.signals.sig_cases_changed.emit()

    # checking a name ----------------------------------------------------------------------
    def check_name(self) -> None:
        if not self.may_screen or self.is_busy():
            return
        name, country, kind, birth_date, threshold = self.name_panel.values()
        db, actor = self.ctx.db, self.ctx.actor

        def run(_progress: Progress) -> Screening:
            with UnitOfWork(db.session_factory) as uow:
                return service.screen_name(uow, actor, name, country, kind, birth_date,
                                           threshold)

        def done(screening: Screening) -> None:
            self.name_panel.show_screening(screening)
            self.sig_checked.emit(screening)

        self._start("check", run, done, self.tr("The name was not checked"),
                    self.tr("Checking the name…"))

    # opening cases ------------------------------------------------------------------------
    def open_case_by_reference(self, reference: str) -> None:
        try:
            with self.ctx.uow() as uow:
                case_id = cases.find_case_id(uow, reference)
        except GoldenRuleError as exc:
            show_error(self, self.tr("Could not open the case"), exc)
            return
        self.sig_open_case_screening.emit(case_id)

    def _on_judgement_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            reference = self.judgements_model.row(index.row()).case_reference
            if reference:
                self.open_case_by_reference(reference)
