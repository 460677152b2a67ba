"""The main window: a sidebar of areas, the case register with editor tabs, menus, shortcuts.

Geometry, the last area shown and the register's filters are remembered between runs. At
start the integrity of the audit trail and the signed records is checked in the background;
a red banner stays at the top when something was changed outside Golden Rule.
"""

from __future__ import annotations

import importlib
import inspect
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import (
    QByteArray,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSettings,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QCloseEvent, QColor, QKeySequence, QPainter
from PySide6.QtWidgets import (
    QAbstractButton,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app import assessments, cases, drafts, keys
from app import settings as authority_settings
from app.casefile import dumps
from app.errors import GoldenRuleError
from app.frameworks import catalogue
from app.users import Permission
from ui.assessment.framework_dialog import choose_framework
from ui.assessment.view import AssessmentView
from ui.cases.editor import CaseEditor
from ui.cases.register_view import CaseRegisterPage
from ui.context import UiContext
from ui.denials.consult_dialog import ConsultDialog, open_consultation
from ui.denials.register_dialog import DenialRegisterDialog, open_denial_register
from ui.dialogs import show_error
from ui.document_export import decision_ref_of_case, export_folder, export_to_folder
from ui.document_verify_dialog import DocumentVerifyDialog, open_document_verify_dialog
from ui.evidence.page import EvidencePage
from ui.history_import_dialog import HistoryImportDialog, open_history_import
from ui.placeholder import ComingAreaPage
from ui.settings.common import needs_role_text
from ui.settings.page import SettingsPage
from ui.shipments_dialog import ShipmentsDialog, open_shipments
from ui.tasks import Progress, TaskRunner
from ui.verify_dialog import (
    ReportLike,
    VerifyDialog,
    failures,
    open_verify_dialog,
    problems_headline,
    run_verification,
)

log = logging.getLogger(__name__)
BADGE_ROLE = Qt.ItemDataRole.UserRole + 1
LABEL_ROLE = Qt.ItemDataRole.UserRole + 2
DEFAULT_FRAMEWORK = "golden-rule"


class PermissionGate(QObject):
    """Keeps widgets disabled, with a tooltip naming the role needed, even when the page that
    owns them enables them again (for its own reasons, such as a selection)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tips: dict[QWidget, str] = {}

    def gate(self, widget: QWidget, permission: Permission) -> None:
        tip = needs_role_text(permission)
        self._tips[widget] = tip
        widget.setEnabled(False)
        widget.setToolTip(tip)
        widget.installEventFilter(self)
        widget.destroyed.connect(lambda _o=None, w=widget: self._tips.pop(w, None))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(watched, QWidget) and watched in self._tips:
            if event.type() == QEvent.Type.EnabledChange and watched.isEnabled():
                watched.setEnabled(False)
            elif event.type() == QEvent.Type.ToolTipChange \
                    and watched.toolTip() != self._tips[watched]:
                watched.setToolTip(self._tips[watched])
        return False


class SidebarDelegate(QStyledItemDelegate):
    """The sidebar's items, with a count badge at the right when there is work waiting."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        super().paint(painter, option, index)
        count = index.data(BADGE_ROLE)
        if not count:
            return
        text = str(count) if count < 100 else "99+"
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = painter.font()
        font.setBold(True)
        font.setPointSizeF(max(font.pointSizeF() - 1.5, 7.0))
        painter.setFont(font)
        width = max(painter.fontMetrics().horizontalAdvance(text) + 12, 20)
        rect = option.rect  # type: ignore[attr-defined]
        badge = QRect(rect.right() - width - 14, rect.center().y() - 9, width, 18)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#c49a2c"))
        painter.drawRoundedRect(badge, 9, 9)
        painter.setPen(QColor("#1d2840"))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()


@dataclass(frozen=True)
class Area:
    key: str
    label: str
    permission: Permission | None = None


class IntegrityBanner(QFrame):
    """The persistent red line at the top of the window after a failed start-up check."""

    sig_details_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("integrityBanner")
        self.setStyleSheet(
            "QFrame#integrityBanner { background: #b3261e; }"
            "QFrame#integrityBanner QLabel { color: white; font-weight: 600; }"
            "QFrame#integrityBanner QPushButton { background: white; color: #9b1c1c;"
            " border: none; border-radius: 4px; padding: 4px 14px; font-weight: 600; }"
            "QFrame#integrityBanner QPushButton:hover { background: #fde8e8; }")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.details_button = QPushButton(self.tr("Details…"))
        self.details_button.setObjectName("integrityDetails")
        self.details_button.clicked.connect(self.sig_details_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(18, 8, 14, 8)
        icon = QLabel("⚠")
        icon.setStyleSheet("font-size: 16px;")
        layout.addWidget(icon)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.details_button)
        self.hide()

    def text(self) -> str:
        return self.label.text()


class NoticeBanner(QLabel):
    """A quiet amber note under the window's top edge (such as a missing signing key)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("noticeBanner")
        self.setWordWrap(True)
        self.setStyleSheet("QLabel#noticeBanner { background: #fff4d6; color: #6b4500;"
                           " border-bottom: 1px solid #f1d48a; padding: 7px 18px; }")
        self.hide()


class MainWindow(QMainWindow):
    sig_sign_out_requested = Signal()
    sig_integrity_checked = Signal(object)  # the report of the start-up check

    AREAS = ("cases", "review", "reassess", "evidence", "audit", "screening", "reports",
             "settings")
    #: Tests switch the background integrity check at start off (see tests/ui/conftest.py).
    check_integrity_at_start = True
    #: The pages other parts of the UI provide, imported when first shown.
    LAZY_PAGES = {"review": ("ui.review.page", "ReviewPage"),
                  "audit": ("ui.audit.page", "AuditPage"),
                  "reassess": ("ui.reassess.page", "ReassessPage"),
                  "reports": ("ui.reports.page", "ReportsPage"),
                  "screening": ("ui.screening.page", "ScreeningPage")}

    def __init__(self, ctx: UiContext, settings: QSettings, *,
                 runner: TaskRunner | None = None, check_integrity: bool | None = None) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.ctx = ctx
        self.settings = settings
        self.runner = runner or TaskRunner(self)
        # Read-only checks on their own thread, so they never hold up the database worker.
        self.check_runner = TaskRunner(self, synchronous=self.runner.synchronous)
        self.signed_out = False
        self.gate = PermissionGate(self)
        self.integrity_report: ReportLike | None = None
        self.verify_dialog: VerifyDialog | None = None
        self.document_dialog: DocumentVerifyDialog | None = None
        self._integrity_stop: threading.Event | None = None  # set while a check runs
        self._badge_timer = QTimer(self, singleShot=True, interval=400)
        self._badge_timer.timeout.connect(self.refresh_badges)
        self.setWindowTitle(self.tr("Golden Rule — arms-export licence assessment"))
        self.resize(1360, 820)

        self.areas = [
            Area("cases", self.tr("Cases"), Permission.VIEW_CASES),
            Area("review", self.tr("Review queue")),
            Area("reassess", self.tr("To reassess"), Permission.REASSESS),
            Area("evidence", self.tr("Evidence"), Permission.VIEW_CASES),
            Area("audit", self.tr("Audit"), Permission.AUDIT),
            Area("screening", self.tr("Screening")),
            Area("reports", self.tr("Reports"), Permission.REPORT),
            Area("settings", self.tr("Settings")),
        ]
        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setFixedWidth(220)
        self.sidebar.setItemDelegate(SidebarDelegate(self.sidebar))
        self.sidebar.setStyleSheet(
            "QListWidget#sidebar::item:disabled { color: #5d6884; }")
        for area in self.areas:
            item = QListWidgetItem(area.label)
            item.setData(Qt.ItemDataRole.UserRole, area.key)
            item.setData(LABEL_ROLE, area.label)
            if not self.allowed(area.key):
                assert area.permission is not None
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled
                              & ~Qt.ItemFlag.ItemIsSelectable)
                item.setToolTip(needs_role_text(area.permission))
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
        self.evidence_page = EvidencePage(ctx, self.runner)
        self.settings_page = SettingsPage(ctx)
        self._lazy: dict[str, QWidget] = {}
        for area in self.areas:
            self.stack.addWidget(self._initial_page(area))
        self.sidebar.currentRowChanged.connect(self._on_sidebar_current_row_changed)

        self.integrity_banner = IntegrityBanner()
        self.integrity_banner.sig_details_requested.connect(self.show_integrity_details)
        self.key_notice = NoticeBanner()
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self.integrity_banner)
        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(0)
        body.addWidget(side)
        content = QVBoxLayout()
        content.setContentsMargins(0, 0, 0, 0)
        content.setSpacing(0)
        content.addWidget(self.key_notice)
        content.addWidget(self.stack, 1)
        body.addLayout(content, 1)
        outer.addLayout(body, 1)
        self.setCentralWidget(central)

        self.register.sig_open_requested.connect(self.open_case)
        ctx.signals.sig_cases_changed.connect(self._refresh_stale_editors)
        ctx.signals.sig_cases_changed.connect(self._schedule_badges)
        self.register.sig_new_requested.connect(self.new_case)
        self.register.sig_import_requested.connect(self.import_case_file)
        self._build_menus()
        self._apply_permissions()
        self.statusBar().showMessage(
            self.tr("Signed in as %1 (%2) · %3").replace("%1", ctx.actor.full_name)
            .replace("%2", ctx.actor.role.label).replace("%3", ctx.db.display_name))
        self._restore_settings()
        self.register.reload()
        self._show_key_notice()
        self.refresh_badges()
        if check_integrity is None:
            check_integrity = self.check_integrity_at_start
        if check_integrity:
            QTimer.singleShot(0, self, self.start_integrity_check)

    # areas ------------------------------------------------------------------------------
    def allowed(self, key: str) -> bool:
        area = next(a for a in self.areas if a.key == key)
        return area.permission is None or self.ctx.actor.can(area.permission)

    def _initial_page(self, area: Area) -> QWidget:
        if area.key == "cases":
            return self.case_tabs
        if area.key == "evidence":
            return self.evidence_page
        if area.key == "settings":
            return self.settings_page
        return QWidget()  # a lazy page: built when first shown

    def area_page(self, key: str) -> QWidget:
        """The page of an area, building it now if it is one of the lazy pages."""
        row = self.AREAS.index(key)
        if key in self.LAZY_PAGES and key not in self._lazy:
            placeholder = self.stack.widget(row)
            page = self._build_lazy_page(key)
            self._lazy[key] = page
            current = self.stack.currentIndex()
            self.stack.insertWidget(row, page)
            self.stack.removeWidget(placeholder)
            placeholder.deleteLater()
            self.stack.setCurrentIndex(current)
        return self.stack.widget(row)

    def _build_lazy_page(self, key: str) -> QWidget:
        area = next(a for a in self.areas if a.key == key)
        if not self.allowed(key):
            assert area.permission is not None
            return ComingAreaPage(area.label, needs_role_text(area.permission))
        module_name, class_name = self.LAZY_PAGES[key]
        try:
            factory: Callable[..., QWidget] = getattr(importlib.import_module(module_name),
                                                      class_name)
        except (ImportError, AttributeError):
            log.exception("area %s is not available", key)
            return ComingAreaPage(area.label, self.tr("This area is not part of this build."))
        try:
            takes_runner = "runner" in inspect.signature(factory).parameters
        except (TypeError, ValueError):
            takes_runner = False
        # pages that run database jobs share the window's single database worker
        page = factory(self.ctx, None, runner=self.runner) if takes_runner \
            else factory(self.ctx, None)
        if key == "review" and hasattr(page, "sig_countersigned"):
            page.sig_countersigned.connect(lambda _case_id: self._schedule_badges())
        if key == "screening" and hasattr(page, "sig_open_case_screening"):
            page.sig_open_case_screening.connect(self.open_case_screening)
        return page

    @property
    def review_page(self) -> QWidget:
        return self.area_page("review")

    @property
    def audit_page(self) -> QWidget:
        return self.area_page("audit")

    @property
    def reassess_page(self) -> QWidget:
        return self.area_page("reassess")

    @property
    def reports_page(self) -> QWidget:
        return self.area_page("reports")

    @property
    def screening_page(self) -> QWidget:
        return self.area_page("screening")

    def _on_sidebar_current_row_changed(self, row: int) -> None:
        if row < 0:
            return
        key = self.AREAS[row]
        fresh = key in self.LAZY_PAGES and key not in self._lazy
        page = self.area_page(key)
        self.stack.setCurrentIndex(row)
        refresh = getattr(page, "refresh", None)
        if not fresh and callable(refresh) and key in self.LAZY_PAGES:
            refresh()

    def show_area(self, area: int | str) -> None:
        row = self.AREAS.index(area) if isinstance(area, str) else area
        if self.allowed(self.AREAS[row]):
            self.sidebar.setCurrentRow(row)

    def _schedule_badges(self) -> None:
        self._badge_timer.start()

    def refresh_badges(self) -> None:
        """Work waiting for the signed-in user: decisions to countersign, licences to
        reassess. Counted in the background; an error only leaves the badge as it was."""
        actor, db = self.ctx.actor, self.ctx.db

        def count(progress: Progress) -> dict[str, int]:
            from app import decisions
            from app.uow import UnitOfWork

            counts: dict[str, int] = {}
            with UnitOfWork(db.session_factory) as uow:
                if actor.can(Permission.COUNTERSIGN):
                    counts["review"] = sum(1 for i in decisions.review_queue(uow, actor)
                                           if i.can_act)
                if actor.can(Permission.REASSESS):
                    try:
                        reassessment = importlib.import_module("app.reassessment")
                    except ImportError:
                        return counts
                    counts["reassess"] = len(reassessment.to_reassess(
                        uow, actor, cancelled=lambda: progress.cancelled))
            return counts

        self.check_runner.submit(count, self._on_badges_counted,
                                 lambda exc: log.warning("badge count failed: %r", exc))

    def _on_badges_counted(self, counts: dict[str, int]) -> None:
        for key, value in counts.items():
            self.set_badge(key, value)

    def set_badge(self, key: str, count: int) -> None:
        item = self.sidebar.item(self.AREAS.index(key))
        item.setData(BADGE_ROLE, count)
        label = item.data(LABEL_ROLE)
        item.setToolTip(self.tr("%1: %2 waiting").replace("%1", label).replace(
            "%2", str(count)) if count else "")

    def badge(self, key: str) -> int:
        return int(self.sidebar.item(self.AREAS.index(key)).data(BADGE_ROLE) or 0)

    # permissions ------------------------------------------------------------------------
    def _apply_permissions(self) -> None:
        """What the signed-in role may not do is disabled, saying which role may."""
        actor = self.ctx.actor
        for action, permission in ((self.new_action, Permission.EDIT_CASES),
                                   (self.import_action, Permission.EDIT_CASES),
                                   (self.save_action, Permission.EDIT_CASES),
                                   (self.assess_action, Permission.ASSESS),
                                   (self.import_history_action, Permission.MANAGE_SETTINGS),
                                   (self.import_list_action, Permission.MANAGE_LISTS),
                                   (self.verify_action, Permission.VERIFY)):
            if not actor.can(permission):
                action.setEnabled(False)
                action.setToolTip(needs_role_text(permission))
                action.setStatusTip(needs_role_text(permission))
        widgets: list[tuple[QAbstractButton, Permission]] = [
            (self.register.new_button, Permission.EDIT_CASES),
            (self.register.import_button, Permission.EDIT_CASES)]
        for name in ("add_button", "import_button", "edit_button"):
            button = getattr(self.evidence_page, name, None)
            if isinstance(button, QAbstractButton):
                widgets.append((button, Permission.MANAGE_EVIDENCE))
        for widget, permission in widgets:
            if not actor.can(permission):
                self.gate.gate(widget, permission)

    def _gate_editor(self, editor: CaseEditor | AssessmentView) -> None:
        actor = self.ctx.actor
        for name, permission in (("assess_button", Permission.ASSESS),
                                 ("save_button", Permission.EDIT_CASES),
                                 ("status_button", Permission.EDIT_CASES)):
            button = getattr(editor, name, None)
            if isinstance(button, QAbstractButton) and not actor.can(permission):
                self.gate.gate(button, permission)

    def _refuse(self, permission: Permission) -> None:
        self.statusBar().showMessage(needs_role_text(permission), 8000)

    def _show_key_notice(self) -> None:
        actor = self.ctx.actor
        if not (actor.can(Permission.ASSESS) or actor.can(Permission.COUNTERSIGN)):
            return
        try:
            with self.ctx.uow() as uow:
                has_key = keys.user_certificate(uow, actor.id) is not None
        except GoldenRuleError:
            return
        if not has_key:
            self.key_notice.setText(self.tr(
                "You have no signing key yet, so you cannot sign decisions. Ask an "
                "administrator to issue one (Settings › Users › Issue / rotate key)."))
            self.key_notice.show()

    # integrity --------------------------------------------------------------------------
    def start_integrity_check(self) -> None:
        """Verify the audit trail and the signed records in the background."""
        if self._integrity_stop is not None or not self.ctx.actor.can(Permission.VERIFY):
            return
        db, actor = self.ctx.db, self.ctx.actor
        stop = self._integrity_stop = threading.Event()
        self.check_runner.submit(lambda progress: run_verification(db, actor, progress, stop),
                                 self._on_integrity_checked, self._on_integrity_check_failed)

    def _on_integrity_checked(self, report: ReportLike) -> None:
        self._integrity_stop = None
        self.integrity_report = report
        if report.ok:
            self.integrity_banner.hide()
        else:
            self.integrity_banner.label.setText(problems_headline(len(failures(report))))
            self.integrity_banner.show()
        self.sig_integrity_checked.emit(report)

    def _on_integrity_check_failed(self, exc: BaseException) -> None:
        self._integrity_stop = None
        log.warning("the integrity check at start did not complete: %r", exc)

    def show_integrity_details(self) -> VerifyDialog:
        return self.verify_integrity(self.integrity_report)

    def verify_integrity(self, report: ReportLike | None = None) -> VerifyDialog:
        """Tools › Verify integrity: runs the check (or shows ``report``) in a dialog."""
        if self.verify_dialog is not None and self.verify_dialog.isVisible():
            self.verify_dialog.close()
        dialog = open_verify_dialog(self.ctx, self, report=report,
                                    synchronous=self.runner.synchronous)
        dialog.destroyed.connect(lambda _o=None, d=dialog: self._forget_verify_dialog(d))
        self.verify_dialog = dialog
        return dialog

    def _forget_verify_dialog(self, dialog: VerifyDialog) -> None:
        if self.verify_dialog is dialog:
            self.verify_dialog = None

    def verify_document(self, path: Path | None = None) -> DocumentVerifyDialog:
        """Tools › Verify a document: one dialog, raised again if already open."""
        dialog = self.document_dialog
        if dialog is None:
            dialog = open_document_verify_dialog(self.ctx, self,
                                                 synchronous=self.runner.synchronous)
            dialog.destroyed.connect(lambda _o=None: setattr(self, "document_dialog", None))
            self.document_dialog = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        if path is not None:
            dialog.verify_path(path)
        return dialog

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
        self.import_history_action = self._action(
            self.tr("Import decision &history…"), lambda: self.import_history(), None,
            "importHistory")
        self.import_history_action.setStatusTip(self.tr(
            "Load a previous system's licence decisions as legacy records (administrators)"))
        self.import_list_action = self._action(
            self.tr("Import sanctions &list…"), lambda: self.import_sanctions_list(), None,
            "importSanctionsList")
        self.import_list_action.setStatusTip(self.tr(
            "A new version of a sanctions list; open cases and licences in force are then "
            "screened again"))
        self.save_action = self._action(self.tr("&Save"), self.save_current,
                                        QKeySequence.StandardKey.Save, "save")
        self.close_tab_action = self._action(self.tr("&Close case"), self.close_current_case,
                                             QKeySequence.StandardKey.Close, "closeCase")
        sign_out = self._action(self.tr("Sign &out"), self._on_sign_out, None, "signOut")
        quit_action = self._action(self.tr("&Quit"), self.close, QKeySequence.StandardKey.Quit,
                                   "quit")
        for action in (self.new_action, self.import_action, self.export_action,
                       self.import_history_action, self.import_list_action, None,
                       self.save_action,
                       self.close_tab_action, None, sign_out, quit_action):
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
        self.export_rationale_action = self._action(
            self.tr("Export &rationale documents…"), lambda: self.export_rationale_documents(),
            None, "exportRationale")
        self.export_rationale_action.setStatusTip(self.tr(
            "Write the signed PDF and workbook of the case's decision into a folder"))
        case_menu.addAction(self.export_rationale_action)
        self.shipments_action = self._action(self.tr("S&hipments…"),
                                             lambda: self.open_shipments(), None,
                                             "caseShipments")
        self.shipments_action.setStatusTip(self.tr(
            "What was actually shipped under the licence, beside what it authorised"))
        case_menu.addAction(self.shipments_action)
        self.consult_action = self._action(
            self.tr("Consult on earlier &denials…"), lambda: self.open_consultation(), None,
            "caseConsultations")
        self.consult_action.setStatusTip(self.tr(
            "Earlier denials of an essentially identical transaction, and the consultations "
            "approval waits for"))
        case_menu.addAction(self.consult_action)
        view_menu = bar.addMenu(self.tr("&View"))
        for row, area in enumerate(self.areas):
            action = self._action(area.label, lambda _c=False, r=row: self.show_area(r),
                                  f"Ctrl+{row + 1}", f"area_{area.key}")
            if not self.allowed(area.key):
                assert area.permission is not None
                action.setEnabled(False)
                action.setToolTip(needs_role_text(area.permission))
            view_menu.addAction(action)
        view_menu.addSeparator()
        view_menu.addAction(self._action(self.tr("&Refresh"), self.refresh_current,
                                         QKeySequence.StandardKey.Refresh, "refresh"))
        tools_menu = bar.addMenu(self.tr("&Tools"))
        self.verify_action = self._action(self.tr("&Verify integrity…"),
                                          lambda: self.verify_integrity(), None,
                                          "verifyIntegrity")
        self.verify_action.setStatusTip(self.tr(
            "Check that no audit event or signed record was changed outside Golden Rule"))
        tools_menu.addAction(self.verify_action)
        self.verify_document_action = self._action(self.tr("Verify a &document…"),
                                                   lambda: self.verify_document(),
                                                   "Ctrl+Shift+V", "verifyDocument")
        self.verify_document_action.setStatusTip(self.tr(
            "Check a rationale PDF, workbook or case bundle: exactly as signed, and by whom"))
        tools_menu.addAction(self.verify_document_action)
        tools_menu.addSeparator()
        self.denial_register_action = self._action(
            self.tr("&Denial register…"), lambda: self.open_denial_register(), None,
            "denialRegister")
        self.denial_register_action.setStatusTip(self.tr(
            "Denials notified by other states and this authority's refusals; import the "
            "notifications"))
        tools_menu.addAction(self.denial_register_action)
        for menu in (file_menu, edit_menu, case_menu, view_menu, tools_menu):
            menu.setToolTipsVisible(True)
        help_menu = bar.addMenu(self.tr("&Help"))
        help_menu.addAction(self._action(self.tr("&About Golden Rule"), self._on_about))

    # areas and cases --------------------------------------------------------------------
    def refresh_current(self) -> None:
        page = self.stack.currentWidget()
        if page is self.case_tabs:
            self.register.reload()
            return
        refresh = getattr(page, "refresh", None)
        if callable(refresh):
            refresh()

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
        else:
            editor.sig_screening_requested.connect(self.open_case_screening)
            editor.checks_page.sig_consult_requested.connect(
                lambda key, v=editor: self.open_consultation(v.case_id, key))
        self._gate_editor(editor)
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
        if not self.ctx.actor.can(Permission.ASSESS):
            self._refuse(Permission.ASSESS)
            return None
        if framework_id is None:
            with self.ctx.uow() as uow:
                started = assessments.list_assessments(uow, case_id)
            framework_id = (started[0][0] if started else
                            self.ask_framework(self.default_framework()))
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

    def default_framework(self) -> str:
        """The framework the authority applies (a setting in the database); without one, the
        framework last used on this workstation."""
        with self.ctx.uow() as uow:
            chosen = str(authority_settings.get(uow, "authority.framework") or "")
        known = {fw.id for fw in catalogue().frameworks}
        if chosen in known:
            return chosen
        last = str(self.settings.value("assessment/framework", "") or "")
        return last if last in known else DEFAULT_FRAMEWORK

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

    def open_case_screening(self, case_id: int) -> CaseEditor | None:
        """The case's Screening tab: from a new hit after a list update, a judgement, or an
        assessment's unresolved sanctions check."""
        editor = self.open_case(case_id)
        if editor is not None:
            editor.show_screening()
        return editor

    def new_case(self) -> CaseEditor | None:
        if not self.ctx.actor.can(Permission.EDIT_CASES):
            self._refuse(Permission.EDIT_CASES)
            return None
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
        if not self.ctx.actor.can(Permission.EDIT_CASES):
            self._refuse(Permission.EDIT_CASES)
            return None
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

    def export_rationale_documents(self, folder: str | Path | None = None) -> list[Path] | None:
        """Case › Export rationale documents: the signed PDF and workbook (with its .p7s) of
        the current case's decision, for anyone who may view the case."""
        widget = self.case_tabs.currentWidget()
        case_id = (widget.case_id if isinstance(widget, CaseEditor | AssessmentView)
                   else self.register.current_case_id())
        if case_id is None:
            self.statusBar().showMessage(self.tr("Select or open a decided case to export its "
                                                 "rationale."), 5000)
            return None
        title = self.tr("The rationale was not exported")
        try:
            record_ref = decision_ref_of_case(self.ctx, case_id)
        except GoldenRuleError as exc:
            show_error(self, title, exc)
            return None
        if not folder:
            folder = QFileDialog.getExistingDirectory(
                self, self.tr("Export the signed rationale of %1 to").replace("%1", record_ref),
                str(export_folder()))
            if not folder:
                return None
        try:
            written = export_to_folder(self.ctx, record_ref, Path(folder))
        except GoldenRuleError as exc:
            show_error(self, title, exc)
            return None
        self.statusBar().showMessage(self.tr("Exported %1 to %2").replace(
            "%1", ", ".join(p.name for p in written)).replace("%2", str(folder)), 10000)
        return written

    def open_shipments(self, case_id: int | None = None) -> ShipmentsDialog | None:
        """Case › Shipments: the licence's shipments and totals (the current case's unless
        one is given, such as imported history, which the register leaves out); recording
        them needs an officer or a supervisor, the others see them read-only."""
        if case_id is None:
            widget = self.case_tabs.currentWidget()
            case_id = (widget.case_id if isinstance(widget, CaseEditor | AssessmentView)
                       else self.register.current_case_id())
        if case_id is None:
            self.statusBar().showMessage(self.tr("Select or open a licence to see its "
                                                 "shipments."), 5000)
            return None
        try:
            return open_shipments(self.ctx, self.runner, case_id, self)
        except GoldenRuleError as exc:
            show_error(self, self.tr("No shipments for this case"), exc)
            return None

    def open_denial_register(self) -> DenialRegisterDialog:
        """Tools › Denial register: anyone reads it; importing needs MANAGE_LISTS (the
        dialog disables it, saying which role may)."""
        return open_denial_register(self.ctx, self.runner, self, self.open_case)

    def open_consultation(self, case_id: int | None = None,
                          denial_key: str | None = None) -> ConsultDialog | None:
        """Case › Consult on earlier denials, and a CONSULT check card's button (which names
        the denial): the case's essentially identical denials and their consultations."""
        if case_id is None:
            widget = self.case_tabs.currentWidget()
            case_id = (widget.case_id if isinstance(widget, CaseEditor | AssessmentView)
                       else self.register.current_case_id())
        if case_id is None:
            self.statusBar().showMessage(self.tr("Select or open a saved case to see its "
                                                 "earlier denials."), 5000)
            return None
        return open_consultation(self.ctx, case_id, denial_key, self)

    def import_history(self) -> HistoryImportDialog | None:
        """File › Import decision history: administrators only."""
        if not self.ctx.actor.can(Permission.MANAGE_SETTINGS):
            self._refuse(Permission.MANAGE_SETTINGS)
            return None
        return open_history_import(self.ctx, self.runner, self)

    def import_sanctions_list(self, path: Path | None = None) -> QWidget | None:
        """File › Import sanctions list: the Screening area's import, from anywhere."""
        if not self.ctx.actor.can(Permission.MANAGE_LISTS):
            self._refuse(Permission.MANAGE_LISTS)
            return None
        self.show_area("screening")
        page = self.screening_page
        start = getattr(page, "import_list_file", None)
        if callable(start):
            start(path)
        return page

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
        if area not in self.AREAS or not self.allowed(str(area)):
            area = "cases"
        self.sidebar.setCurrentRow(self.AREAS.index(str(area)))
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
        if self._integrity_stop is not None:
            self._integrity_stop.set()
        self.runner.wait(5000)
        self.check_runner.wait(5000)
        event.accept()
