"""The main window: a sidebar of areas, the case register with editor tabs, menus, shortcuts.

Geometry, the last area shown and the register's filters are remembered between runs.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app import assessments, cases, drafts
from app.casefile import dumps
from app.errors import GoldenRuleError
from ui.assessment.framework_dialog import choose_framework
from ui.assessment.view import AssessmentView
from ui.cases.editor import CaseEditor
from ui.cases.register_view import CaseRegisterPage
from ui.context import UiContext
from ui.dialogs import show_error
from ui.evidence.page import EvidencePage
from ui.placeholder import ComingAreaPage
from ui.settings.page import SettingsPage
from ui.tasks import TaskRunner


class MainWindow(QMainWindow):
    sig_sign_out_requested = Signal()

    AREAS = ("cases", "evidence", "screening", "decisions", "reports", "settings")

    def __init__(self, ctx: UiContext, settings: QSettings, *,
                 runner: TaskRunner | None = None) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.ctx = ctx
        self.settings = settings
        self.runner = runner or TaskRunner(self)
        self.signed_out = False
        self.setWindowTitle(self.tr("Golden Rule — arms-export licence assessment"))
        self.resize(1360, 820)

        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setFixedWidth(220)
        labels = (self.tr("Cases"), self.tr("Evidence"), self.tr("Screening"),
                  self.tr("Decisions && audit").replace("&&", "&"), self.tr("Reports"),
                  self.tr("Settings"))
        for key, label in zip(self.AREAS, labels, strict=True):
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.sidebar.addItem(item)
        brand = QLabel(self.tr("Golden Rule"))
        brand.setObjectName("brand")
        brand_sub = QLabel(self.tr("Licence assessment"))
        brand_sub.setObjectName("brandSub")
        side = QWidget()
        side.setObjectName("sideColumn")
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.setSpacing(0)
        side_layout.addWidget(brand)
        side_layout.addWidget(brand_sub)
        side_layout.addWidget(self.sidebar, 1)

        self.register = CaseRegisterPage(ctx, self.runner)
        self.case_tabs = QTabWidget()
        self.case_tabs.setObjectName("caseTabs")
        self.case_tabs.setTabsClosable(True)
        self.case_tabs.setMovable(True)
        self.case_tabs.setDocumentMode(True)
        self.case_tabs.addTab(self.register, self.tr("Register"))
        self.case_tabs.tabBar().setTabButton(0, self.case_tabs.tabBar().ButtonPosition.RightSide,
                                             None)
        self.case_tabs.tabCloseRequested.connect(self._on_case_tabs_close_requested)

        self.stack = QStackedWidget()
        self.stack.addWidget(self.case_tabs)
        self.evidence_page = EvidencePage(ctx, self.runner)
        self.stack.addWidget(self.evidence_page)
        self.stack.addWidget(ComingAreaPage(self.tr("Screening"), self.tr(
            "Screening of every party against the sanctions lists and denial notices the "
            "authority applies.")))
        self.stack.addWidget(ComingAreaPage(self.tr("Decisions & audit"), self.tr(
            "Signed decision records, countersignatures and the tamper-evident audit trail.")))
        self.stack.addWidget(ComingAreaPage(self.tr("Reports"), self.tr(
            "Oversight exports: ATT and EU annual reports, national statistics and decision "
            "registers.")))
        self.settings_page = SettingsPage(ctx)
        self.stack.addWidget(self.settings_page)
        self.sidebar.currentRowChanged.connect(self.stack.setCurrentIndex)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(side)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.register.sig_open_requested.connect(self.open_case)
        ctx.signals.sig_cases_changed.connect(self._refresh_stale_editors)
        self.register.sig_new_requested.connect(self.new_case)
        self.register.sig_import_requested.connect(self.import_case_file)
        self._build_menus()
        self.statusBar().showMessage(
            self.tr("Signed in as %1 (%2) · %3").replace("%1", ctx.actor.full_name)
            .replace("%2", ctx.actor.role.label).replace("%3", ctx.db.display_name))
        self._restore_settings()
        self.register.reload()

    # menus ------------------------------------------------------------------------------
    def _action(self, text: str, slot: object, shortcut: QKeySequence | str | None = None,
                name: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setObjectName(name)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        self.new_action = self._action(self.tr("&New application"), self.new_case,
                                       QKeySequence.StandardKey.New, "newCase")
        self.import_action = self._action(self.tr("&Import case file…"), self.import_case_file,
                                          "Ctrl+I", "importCase")
        self.export_action = self._action(self.tr("&Export case file…"), self.export_case_file,
                                          "Ctrl+E", "exportCase")
        self.save_action = self._action(self.tr("&Save"), self.save_current,
                                        QKeySequence.StandardKey.Save, "save")
        self.close_tab_action = self._action(self.tr("&Close case"), self.close_current_case,
                                             QKeySequence.StandardKey.Close, "closeCase")
        sign_out = self._action(self.tr("Sign &out"), self._on_sign_out, None, "signOut")
        quit_action = self._action(self.tr("&Quit"), self.close, QKeySequence.StandardKey.Quit,
                                   "quit")
        for action in (self.new_action, self.import_action, self.export_action, None,
                       self.save_action, self.close_tab_action, None, sign_out, quit_action):
            if action is None:
                file_menu.addSeparator()
            else:
                file_menu.addAction(action)
        edit_menu = bar.addMenu(self.tr("&Edit"))
        self.find_action = self._action(self.tr("&Find case"), self.find_case,
                                        QKeySequence.StandardKey.Find, "find")
        edit_menu.addAction(self.find_action)
        case_menu = bar.addMenu(self.tr("&Case"))
        self.assess_action = self._action(self.tr("&Assess…"), self.assess_current,
                                          "Ctrl+Shift+A", "assessCase")
        case_menu.addAction(self.assess_action)
        view_menu = bar.addMenu(self.tr("&View"))
        for row in range(self.sidebar.count()):
            item = self.sidebar.item(row)
            action = self._action(item.text(), lambda _c=False, r=row: self.show_area(r),
                                  f"Ctrl+{row + 1}", f"area_{self.AREAS[row]}")
            view_menu.addAction(action)
        view_menu.addSeparator()
        view_menu.addAction(self._action(self.tr("&Refresh"), self.register.reload,
                                         QKeySequence.StandardKey.Refresh, "refresh"))
        help_menu = bar.addMenu(self.tr("&Help"))
        help_menu.addAction(self._action(self.tr("&About Golden Rule"), self._on_about))

    # areas and cases --------------------------------------------------------------------
    def show_area(self, row: int) -> None:
        self.sidebar.setCurrentRow(row)

    def editors(self) -> list[CaseEditor]:
        return [w for i in range(self.case_tabs.count())
                if isinstance(w := self.case_tabs.widget(i), CaseEditor)]

    def current_editor(self) -> CaseEditor | None:
        widget = self.case_tabs.currentWidget()
        return widget if isinstance(widget, CaseEditor) else None

    def _add_editor(self, editor: CaseEditor | AssessmentView) -> None:
        index = self.case_tabs.addTab(editor, editor.title())
        editor.sig_title_changed.connect(lambda e=editor: self._on_editor_title_changed(e))
        if isinstance(editor, CaseEditor):
            editor.sig_assess_requested.connect(lambda case_id: self.open_assessment(case_id))
        self.case_tabs.setCurrentIndex(index)
        self.show_area(0)

    def assessment_views(self) -> list[AssessmentView]:
        return [w for i in range(self.case_tabs.count())
                if isinstance(w := self.case_tabs.widget(i), AssessmentView)]

    def assess_current(self) -> AssessmentView | None:
        widget = self.case_tabs.currentWidget()
        if isinstance(widget, AssessmentView):
            return widget
        if isinstance(widget, CaseEditor):
            if widget.case_id is None:
                return None
            if widget.is_dirty() and not widget.save():
                return None
            return self.open_assessment(widget.case_id)
        case_id = self.register.current_case_id()
        return self.open_assessment(case_id) if case_id is not None else None

    def open_assessment(self, case_id: int, framework_id: str | None = None
                        ) -> AssessmentView | None:
        """The case's assessment tab; asks for the framework when the case has none yet."""
        if framework_id is None:
            with self.ctx.uow() as uow:
                started = assessments.list_assessments(uow, case_id)
            framework_id = (started[0][0] if started else
                            self.ask_framework(str(self.settings.value(
                                "assessment/framework", "golden-rule"))))
            if framework_id is None:
                return None
        for view in self.assessment_views():
            if view.case_id == case_id and view.framework_id == framework_id:
                self.case_tabs.setCurrentWidget(view)
                self.show_area(0)
                return view
        try:
            view = AssessmentView(self.ctx, case_id, framework_id)
        except GoldenRuleError as exc:
            show_error(self, self.tr("Could not open the assessment"), exc)
            return None
        self.settings.setValue("assessment/framework", framework_id)
        self._add_editor(view)
        self.ctx.signals.sig_cases_changed.emit()
        view.steps.setFocus()
        return view

    def ask_framework(self, default: str) -> str | None:
        """Overridable in tests."""
        return choose_framework(self, default)

    def _on_editor_title_changed(self, editor: CaseEditor | AssessmentView) -> None:
        index = self.case_tabs.indexOf(editor)
        if index >= 0:
            self.case_tabs.setTabText(index, editor.title())

    def _refresh_stale_editors(self) -> None:
        """Starting an assessment or recording a decision changes the case's status: an open
        editor with no unsaved edits shows the case as it now is, not a stale version that
        could no longer be saved."""
        for editor in self.editors():
            if editor.record is None or editor.is_dirty():
                continue
            with self.ctx.uow() as uow:
                current = cases.get_case(uow, editor.record.id)
            if current.row_version != editor.record.row_version:
                editor.open_case(editor.record.id)

    def open_case(self, case_id: int) -> CaseEditor | None:
        for editor in self.editors():
            if editor.case_id == case_id:
                self.case_tabs.setCurrentWidget(editor)
                self.show_area(0)
                return editor
        editor = CaseEditor(self.ctx)
        try:
            editor.open_case(case_id)
        except GoldenRuleError as exc:
            editor.deleteLater()
            show_error(self, self.tr("Could not open the case"), exc)
            return None
        self._add_editor(editor)
        return editor

    def new_case(self) -> CaseEditor:
        for editor in self.editors():
            if editor.case_id is None:
                self.case_tabs.setCurrentWidget(editor)
                self.show_area(0)
                return editor
        editor = CaseEditor(self.ctx)
        editor.new_case()
        self._add_editor(editor)
        editor.exporter_name.setFocus()
        return editor

    def find_case(self) -> None:
        self.show_area(0)
        self.case_tabs.setCurrentIndex(0)
        self.register.focus_search()

    def save_current(self) -> None:
        widget = self.case_tabs.currentWidget()
        if isinstance(widget, CaseEditor | AssessmentView):
            widget.save()

    def close_current_case(self) -> None:
        widget = self.case_tabs.currentWidget()
        if isinstance(widget, CaseEditor | AssessmentView):
            self._close_editor(widget)

    def _on_case_tabs_close_requested(self, index: int) -> None:
        widget = self.case_tabs.widget(index)
        if isinstance(widget, CaseEditor | AssessmentView):
            self._close_editor(widget)

    def _close_editor(self, editor: CaseEditor | AssessmentView) -> bool:
        if not editor.maybe_close():
            return False
        self.case_tabs.removeTab(self.case_tabs.indexOf(editor))
        editor.deleteLater()
        return True

    def import_case_file(self, path: str | None = None) -> str | None:
        if not path:
            path, _filter = QFileDialog.getOpenFileName(
                self, self.tr("Import case file"), str(Path.home()),
                self.tr("Case files (*.json);;All files (*)"))
            if not path:
                return None
        try:
            with self.ctx.uow() as uow:
                record = cases.import_case_file(uow, self.ctx.actor, Path(path))
        except GoldenRuleError as exc:
            show_error(self, self.tr("The case file was not imported"), exc)
            return None
        self.ctx.signals.sig_cases_changed.emit()
        self.statusBar().showMessage(self.tr("Imported %1 as %2").replace("%1", Path(path).name)
                                     .replace("%2", record.reference), 8000)
        self.open_case(record.id)
        return record.reference

    def export_case_file(self, path: str | None = None) -> bool:
        editor = self.current_editor()
        case_id = editor.case_id if editor else self.register.current_case_id()
        if case_id is None:
            self.statusBar().showMessage(self.tr("Select or open a saved case to export."), 5000)
            return False
        with self.ctx.uow() as uow:
            document = cases.export_document(uow, case_id)
        if not path:
            path, _filter = QFileDialog.getSaveFileName(
                self, self.tr("Export case file"),
                str(Path.home() / f"{document['record']['reference']}.json"),
                self.tr("Case files (*.json)"))
            if not path:
                return False
        try:
            Path(path).write_text(dumps(document), encoding="utf-8")
        except OSError as exc:
            show_error(self, self.tr("Export failed"), GoldenRuleError(str(exc)))
            return False
        self.statusBar().showMessage(self.tr("Exported to %1").replace("%1", path), 8000)
        return True

    def offer_unsaved_drafts(self) -> None:
        """After a crash, bring back the editors whose work was only autosaved."""
        with self.ctx.uow() as uow:
            pending = drafts.list_drafts(uow, self.ctx.actor)
            pending_assessments = assessments.list_drafts(uow, self.ctx.actor)
        if not pending and not pending_assessments:
            return
        answer = QMessageBox.question(
            self, self.tr("Unsaved work found"),
            self.tr("%n application(s) or assessment(s) have changes that were autosaved but "
                    "never saved. Open them now?", "", len(pending) + len(pending_assessments)))
        if answer != QMessageBox.StandardButton.Yes:
            return
        for draft in pending:
            if draft.case_id is None:
                self.new_case()
            else:
                self.open_case(draft.case_id)
        for case_id, framework_id, _saved_at in pending_assessments:
            self.open_assessment(case_id, framework_id)

    def _on_about(self) -> None:
        QMessageBox.about(self, self.tr("About Golden Rule"), self.tr(
            "<b>Golden Rule</b><br>Offline assessment of arms-export licence applications: "
            "no transfer where there is a substantial risk of serious violations of "
            "international human rights or humanitarian law (ATT Arts 6, 7 and 11; EU Common "
            "Position 2008/944/CFSP)."))

    def _on_sign_out(self) -> None:
        if self.close():
            self.signed_out = True
            self.sig_sign_out_requested.emit()

    # settings ---------------------------------------------------------------------------
    def _restore_settings(self) -> None:
        geometry = self.settings.value("main/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        state = self.settings.value("main/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        area = self.settings.value("main/area", "cases")
        row = self.AREAS.index(area) if area in self.AREAS else 0
        self.sidebar.setCurrentRow(row)
        status = self.settings.value("register/status")
        index = self.register.status_filter.findData(status) if status else 0
        self.register.status_filter.setCurrentIndex(max(index, 0))
        header = self.settings.value("register/header")
        if isinstance(header, QByteArray):
            self.register.table.horizontalHeader().restoreState(header)

    def save_settings(self) -> None:
        self.settings.setValue("main/geometry", self.saveGeometry())
        self.settings.setValue("main/state", self.saveState())
        self.settings.setValue("main/area", self.AREAS[max(self.sidebar.currentRow(), 0)])
        self.settings.setValue("register/status", self.register.status_filter.currentData() or "")
        self.settings.setValue("register/header",
                               self.register.table.horizontalHeader().saveState())
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        for editor in [*self.editors(), *self.assessment_views()]:
            self.case_tabs.setCurrentWidget(editor)
            if not editor.maybe_close():
                event.ignore()
                return
        self.save_settings()
        self.runner.wait(5000)
        event.accept()
