"""The Reports area: an oversight report (ATT, EU COARM, UK statistics, the decision register)
chosen with its period and redaction profile, previewed as tables, charts and the method and
redaction statements, then exported as a signed workbook, a signed PDF or CSV files.

Previews and exports run on the database worker with a progress bar and a Cancel button: a
report over 50,000 decisions takes seconds and must not freeze the window. A preview logs
nothing; an export computes the report again from what the form says, so the file is never
an older preview, and the application logs it. Only supervisors may choose the unredacted
form; for others it is greyed out, naming the role that may.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QEvent, QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QKeyEvent, QKeySequence, QShortcut, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.errors import Cancelled, GoldenRuleError
from app.i18n import _
from app.oversight import service
from app.oversight.service import ExportResult, Format, ReportRequest
from app.roles import Permission
from app.uow import UnitOfWork
from reports.oversight_model import OversightReport, Table
from ui.context import UiContext
from ui.dialogs import show_error
from ui.document_export import export_folder
from ui.reports.chart_widget import ChartsPanel
from ui.reports.report_model import ReportTableModel
from ui.settings.common import needs_role_text
from ui.tasks import Cancelled as TaskCancelled
from ui.tasks import Progress, TaskRunner
from ui.widgets.page_header import page_title
from ui.widgets.progress_row import progress_row

FORMAT_SUFFIX: dict[str, str] = {"xlsx": ".xlsx", "pdf": ".pdf", "csv": ".csv"}
PRESETS = ("custom", "last-year", "this-year", "last-quarter")
MAX_TEXT_COLUMN = 340
MAX_NUMBER_COLUMN = 170
PAGE_STYLE = """
QFrame#reportForm { background: white; border: 1px solid #d9dee8; border-radius: 6px; }
QLabel#formLabel { font-weight: 600; color: #374151; }
QLabel#reportTitle { font-size: 15px; font-weight: 600; color: #1d2840; }
QLabel#tableTitle { font-weight: 600; color: #1d2840; }
QLabel#nilBanner { background: #e0ecff; color: #1849a9; border: 1px solid #b6cdf5;
    border-radius: 6px; padding: 8px 12px; font-size: 14px; font-weight: 600; }
QLabel#classification { border-radius: 9px; padding: 2px 10px; background: #fde8e8;
    color: #9b1c1c; font-weight: 600; }
QLabel#internalNote { color: #9b1c1c; }
QLabel#staleNote { color: #8a5a00; }
QLabel#exportMessage { color: #03543f; }
QLabel#progressText { color: #374151; }
QTableView#reportTotals { background: #f3f5f9; border-top: 2px solid #9aa6bf; }
QTextBrowser#reportMethod { border: none; background: white; padding: 6px; }
"""


# --- periods --------------------------------------------------------------------------------

def preset_period(preset: str, today: date) -> tuple[date, date] | None:
    """The dates of a period preset; None for "custom"."""
    if preset == "last-year":
        return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    if preset == "this-year":
        return date(today.year, 1, 1), today
    if preset == "last-quarter":
        quarter = (today.month - 1) // 3
        year, quarter = (today.year, quarter - 1) if quarter else (today.year - 1, 3)
        start = date(year, quarter * 3 + 1, 1)
        following = date(year + 1, 1, 1) if quarter == 3 else date(year, quarter * 3 + 4, 1)
        return start, following - timedelta(days=1)
    return None


def period_text(start: date, end: date) -> str:
    """2025-01-01 to 2025-12-31 -> "2025"; otherwise the two dates."""
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return str(start.year)
    return f"{start.isoformat()} – {end.isoformat()}"


def file_stem(request: ReportRequest, fmt: str = "xlsx") -> str:
    """eu-coarm-2025-parliament: what, when and under which redaction, as a file name. The
    CSV writer starts its own names with the profile, so a CSV stem leaves it out."""
    when = period_text(request.period_from, request.period_to).replace(" – ", "-to-")
    basis = "-actual" if request.profile == "att" and request.basis == "actual" else ""
    what = "" if fmt == "csv" else f"{request.profile}-"
    return f"{what}{when}{basis}-{request.redaction}"


def tab_text(title: str, limit: int = 40) -> str:
    """A table's tab: its title, or the part before a colon when the title is long (the
    full title heads the tab's page)."""
    if len(title) <= limit:
        return title
    head = title.split(":", 1)[0].strip()
    return head if len(head) <= limit else title[:limit - 1].rstrip() + "…"


def _qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


# --- the password -------------------------------------------------------------------------

class ExportPasswordDialog(QDialog):
    """The password that signs an exported report. Not the decision signing dialog: that one
    warns that a signed record can never be changed, which is not what happens here."""

    def __init__(self, parent: QWidget | None, summary: str) -> None:
        super().__init__(parent)
        self.setObjectName("reportPasswordDialog")
        self.setWindowTitle(self.tr("Sign the exported report"))
        self.setMinimumWidth(480)
        head = QLabel(summary)
        head.setWordWrap(True)
        head.setTextFormat(Qt.TextFormat.PlainText)
        head.setStyleSheet("font-weight: 600;")
        note = QLabel(self.tr(
            "The file is signed with your personal key, so that anyone can check that the "
            "figures are exactly as you exported them, and who exported them. The export is "
            "recorded in the audit trail. Your password is not kept."))
        note.setWordWrap(True)
        note.setObjectName("muted")
        for label in (head, note):
            label.setMinimumWidth(460)
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("passwordEdit")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.sign_button = buttons.addButton(self.tr("Sign and choose the file…"),
                                             QDialogButtonBox.ButtonRole.AcceptRole)
        self.sign_button.setObjectName("signButton")
        self.sign_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        password_label = QLabel(self.tr("Your &password:"))
        password_label.setBuddy(self.password_edit)
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QVBoxLayout.SizeConstraint.SetMinimumSize)
        layout.setSpacing(8)
        layout.addWidget(head)
        layout.addWidget(note)
        layout.addSpacing(4)
        layout.addWidget(password_label)
        layout.addWidget(self.password_edit)
        layout.addSpacing(4)
        layout.addWidget(buttons)
        self.password_edit.setFocus()
        self.adjustSize()

    def take(self) -> str:
        """The password typed; the field is cleared so it is not kept."""
        password = self.password_edit.text()
        self.password_edit.clear()
        return password


def ask_export_password(parent: QWidget | None, summary: str) -> str | None:
    """The exporter's signing password, or None if they cancelled. Tests replace this."""
    dialog = ExportPasswordDialog(parent, summary)
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    password = dialog.take()
    dialog.deleteLater()
    return password if accepted and password else None


# --- one table ----------------------------------------------------------------------------

class CopyableTableView(QTableView):
    """Ctrl+C copies the selected cells as tab-separated text, as they are shown."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            indexes = sorted(self.selectedIndexes(), key=lambda i: (i.row(), i.column()))
            if indexes:
                rows: dict[int, list[str]] = {}
                for index in indexes:
                    rows.setdefault(index.row(), []).append(str(index.data() or ""))
                QApplication.clipboard().setText("\n".join("\t".join(r) for r in rows.values()))
                return
        super().keyPressEvent(event)


class TablePanel(QWidget):
    """A report table: its title, the rows (sortable unless the table is made of blocks,
    such as COARM's five rows per destination), its totals pinned below, its notes."""

    def __init__(self, table: Table, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = table
        self.model = ReportTableModel(table, self)
        title = QLabel(table.title)
        title.setObjectName("tableTitle")
        title.setWordWrap(True)
        rows = len(table.rows)
        count = QLabel(self.tr("Rows: %1").replace("%1", f"{rows:,}"))
        count.setObjectName("muted")
        self.view = CopyableTableView()
        self.view.setObjectName("reportTable")
        self.view.setModel(self.model)
        self.view.setAccessibleName(table.title)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setWordWrap(False)
        self.view.setTabKeyNavigation(False)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(
            self.view.fontMetrics().height() + 10)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.view.setAlternatingRowColors(not self.model.grouped)
        if not self.model.grouped:
            header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
            header.setSortIndicatorClearable(True)
            self.view.setSortingEnabled(True)
            header.setToolTip(self.tr("Click a column to sort by it; a third click restores "
                                      "the report's order"))
        self.footer: QTableView | None = None
        #: Beside the totals, as wide as the table's vertical scroll bar, so columns line up
        #: (a table view resets its own viewport margins, so they cannot do it).
        self.footer_spacer = QWidget()
        self.footer_spacer.setFixedWidth(0)
        if table.totals:
            self.footer = self._make_footer()
        self._size_columns()

        top = QHBoxLayout()
        top.addWidget(title, 1)
        top.addWidget(count)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 10, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(top)
        stack = QVBoxLayout()
        stack.setSpacing(0)
        stack.addWidget(self.view, 1)
        if self.footer is not None:
            row = QHBoxLayout()
            row.setSpacing(0)
            row.addWidget(self.footer, 1)
            row.addWidget(self.footer_spacer)
            stack.addLayout(row)
        layout.addLayout(stack, 1)
        for text in table.notes:
            note = QLabel(text)
            note.setObjectName("muted")
            note.setWordWrap(True)
            note.setTextFormat(Qt.TextFormat.PlainText)
            layout.addWidget(note)

    def _make_footer(self) -> QTableView:
        """The totals row under the table, moving sideways with it and never scrolled away;
        the horizontal scroll bar sits under the totals, where the eye ends."""
        footer = QTableView()
        footer.setObjectName("reportTotals")
        self.totals_model = ReportTableModel(self.table, footer, totals=True,
                                             formats=self.model.formats)
        footer.setModel(self.totals_model)
        footer.horizontalHeader().setVisible(False)
        footer.verticalHeader().setVisible(False)
        footer.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().height() + 12)
        footer.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        footer.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        footer.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        footer.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        footer.setAccessibleName(self.tr("Totals of %1").replace("%1", self.table.title))
        footer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.horizontalHeader().sectionResized.connect(
            lambda column, _old, new: footer.setColumnWidth(column, new))
        ours, theirs = footer.horizontalScrollBar(), self.view.horizontalScrollBar()
        ours.valueChanged.connect(theirs.setValue)
        theirs.valueChanged.connect(ours.setValue)
        ours.rangeChanged.connect(lambda _lo, _hi: self._fit_footer())
        self.view.viewport().installEventFilter(self)
        return footer

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched is self.view.viewport():
            self._fit_footer()
        return False

    def _fit_footer(self) -> None:
        footer = self.footer
        if footer is None:
            return
        bar = footer.horizontalScrollBar()
        height = footer.verticalHeader().defaultSectionSize() + 2 * footer.frameWidth()
        if bar.maximum() > 0:
            height += bar.sizeHint().height()
        footer.setFixedHeight(height)
        # the table's vertical scroll bar narrows its viewport: keep the columns in line
        inner = self.view.width() - 2 * self.view.frameWidth()
        self.footer_spacer.setFixedWidth(max(0, inner - self.view.viewport().width()))

    def _size_columns(self) -> None:
        """Widths from the header and a sample of the rows: measuring 50,000 rows would
        freeze the window."""
        fm = self.view.fontMetrics()
        bold = self.view.font()
        bold.setBold(True)
        bold_fm = type(fm)(bold)
        totals = self.table.totals or ()
        for column, spec in enumerate(self.table.columns):
            header = bold_fm.horizontalAdvance(spec.title) + 28
            texts = self.model.sample_texts(column)
            widest = max((fm.horizontalAdvance(t) for t in texts), default=0) + 18
            if column < len(totals):
                total_text = self.model.text_of(totals[column], column)
                widest = max(widest, bold_fm.horizontalAdvance(total_text) + 18)
            limit = MAX_TEXT_COLUMN if spec.kind == "text" else MAX_NUMBER_COLUMN
            width = max(56, min(max(header, widest), limit))
            self.view.setColumnWidth(column, width)
            if self.footer is not None:
                self.footer.setColumnWidth(column, width)
        self._fit_footer()


# --- the page -----------------------------------------------------------------------------

class ReportsPage(QWidget):
    sig_previewed = Signal(object)         # the OversightReport now shown
    sig_preview_failed = Signal(object)    # the exception
    sig_cancelled = Signal(str)            # "preview" or "export"
    sig_exported = Signal(list)            # the paths written
    sig_export_failed = Signal(object)     # the exception
    sig_busy_changed = Signal(bool)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None, *,
                 runner: TaskRunner | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reportsPage")
        self.setStyleSheet(PAGE_STYLE)
        self.ctx = ctx
        self._runner = runner
        self._own_runner: TaskRunner | None = None
        self.report: OversightReport | None = None
        self.shown_request: ReportRequest | None = None
        self.last_export: ExportResult | None = None
        self.last_error: BaseException | None = None
        self._job: Progress | None = None
        self._job_kind = ""
        self._data_changed = False
        self._last_folder: Path | None = None
        self.may_report = ctx.actor.can(Permission.REPORT)
        self.may_unredact = ctx.actor.can(Permission.REPORT_UNREDACTED)
        self._build()
        self._fill_combos()
        self.apply_preset("last-year")
        self._on_profile_changed()
        self._on_redaction_changed()
        self._set_busy("")
        ctx.signals.sig_cases_changed.connect(self._on_cases_changed)

    @staticmethod
    def today() -> date:
        """Overridable in tests and screenshots: the presets count from it."""
        return date.today()

    # construction -------------------------------------------------------------------------
    def _build(self) -> None:
        title, self.status_label = page_title(self.tr("Oversight reports"))
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.xlsx_button = QPushButton(self.tr("Export Excel…"))
        self.xlsx_button.setObjectName("exportXlsx")
        self.xlsx_button.setToolTip(self.tr(
            "A workbook with a sheet per table, the charts and the notes, signed with your key "
            "(a .p7s file beside it)"))
        self.pdf_button = QPushButton(self.tr("Export PDF…"))
        self.pdf_button.setObjectName("exportPdf")
        self.pdf_button.setToolTip(self.tr("A PDF for printing and publication, signed with "
                                           "your key"))
        self.csv_button = QPushButton(self.tr("Export CSV…"))
        self.csv_button.setObjectName("exportCsv")
        self.csv_button.setToolTip(self.tr(
            "One CSV file per table and a notes file, for statistical tools (not signed)"))
        for button, fmt in ((self.xlsx_button, "xlsx"), (self.pdf_button, "pdf"),
                            (self.csv_button, "csv")):
            button.clicked.connect(lambda _c=False, f=fmt: self.export(f))
        self._export_tips = {b: b.toolTip()
                             for b in (self.xlsx_button, self.pdf_button, self.csv_button)}
        self.history_button = QPushButton(self.tr("Import history…"))
        self.history_button.setObjectName("importHistory")
        self.history_button.setToolTip(self.tr(
            "Load a previous system's licence decisions, so that the reports count them"))
        self.history_button.setVisible(self.ctx.actor.can(Permission.MANAGE_SETTINGS))
        self.history_button.clicked.connect(self.import_history)

        self.profile_combo = QComboBox()
        self.profile_combo.setObjectName("reportProfile")
        self.profile_combo.setMinimumContentsLength(34)
        self.profile_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.profile_combo.currentIndexChanged.connect(self._on_profile_changed)
        self.preset_combo = QComboBox()
        self.preset_combo.setObjectName("reportPreset")
        self.preset_combo.setToolTip(self.tr("A usual reporting period, or your own dates"))
        for key, text in zip(PRESETS, (self.tr("Custom period"), self.tr("Last calendar year"),
                                       self.tr("This year"), self.tr("Last quarter")),
                             strict=True):
            self.preset_combo.addItem(text, key)
        self.preset_combo.activated.connect(
            lambda n: self.apply_preset(self.preset_combo.itemData(n)))
        self.date_from = QDateEdit()
        self.date_from.setObjectName("reportFrom")
        self.date_to = QDateEdit()
        self.date_to.setObjectName("reportTo")
        for field, tip in ((self.date_from, self.tr("First day of the period")),
                           (self.date_to, self.tr("Last day of the period (included)"))):
            field.setCalendarPopup(True)
            field.setDisplayFormat("yyyy-MM-dd")
            field.setMinimumWidth(118)
            field.setToolTip(tip)
            field.dateChanged.connect(self._on_dates_changed)
        self.redaction_combo = QComboBox()
        self.redaction_combo.setObjectName("reportRedaction")
        self.redaction_combo.setMinimumContentsLength(20)
        self.redaction_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.redaction_combo.currentIndexChanged.connect(self._on_redaction_changed)
        self.internal_note = QLabel(self.tr("For use inside the authority only"))
        self.internal_note.setObjectName("internalNote")
        self.basis_combo = QComboBox()
        self.basis_combo.setObjectName("reportBasis")
        self.basis_combo.addItem(self.tr("Authorised (licences issued)"), "authorised")
        self.basis_combo.addItem(self.tr("Actual (shipments recorded)"), "actual")
        self.basis_combo.setToolTip(self.tr(
            "The ATT lets a state report the exports it authorised or those that took place"))
        self.basis_combo.currentIndexChanged.connect(self._on_form_changed)
        self.preview_button = QPushButton(self.tr("Preview"))
        self.preview_button.setObjectName("primary")
        self.preview_button.setToolTip(self.tr("Compute the report from the signed decisions "
                                               "(Ctrl+Enter)"))
        self.preview_button.clicked.connect(lambda: self.preview())

        def label(text: str, buddy: QWidget) -> QLabel:
            widget = QLabel(text)
            widget.setObjectName("formLabel")
            widget.setBuddy(buddy)
            return widget

        self.basis_label = label(self.tr("&Basis"), self.basis_combo)
        to_label = QLabel(self.tr("to"))
        self.form = QFrame()
        self.form.setObjectName("reportForm")
        grid = QGridLayout(self.form)
        grid.setContentsMargins(14, 12, 14, 12)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(10)
        grid.addWidget(label(self.tr("&Report"), self.profile_combo), 0, 0)
        grid.addWidget(self.profile_combo, 0, 1)
        period = QHBoxLayout()
        period.setSpacing(6)
        period.addWidget(self.preset_combo)
        period.addWidget(self.date_from)
        period.addWidget(to_label)
        period.addWidget(self.date_to)
        period.addStretch(1)
        grid.addWidget(label(self.tr("&Period"), self.preset_combo), 0, 2)
        grid.addLayout(period, 0, 3)
        grid.addWidget(label(self.tr("Re&daction"), self.redaction_combo), 1, 0)
        redaction = QHBoxLayout()
        redaction.setSpacing(8)
        redaction.addWidget(self.redaction_combo)
        redaction.addWidget(self.internal_note)
        redaction.addStretch(1)
        grid.addLayout(redaction, 1, 1)
        grid.addWidget(self.basis_label, 1, 2)
        basis = QHBoxLayout()
        basis.addWidget(self.basis_combo)
        basis.addStretch(1)
        basis.addWidget(self.preview_button)
        grid.addLayout(basis, 1, 3)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        grid.setColumnMinimumWidth(2, 60)

        pr = progress_row(self.tr("Cancel"), self.cancel, name="reportProgress",
                          cancel_name="cancelReport",
                          cancel_tip=self.tr("Stop computing the report (Esc)"))
        self.progress_row, self.progress_text = pr.row, pr.text
        self.progress_bar, self.cancel_button = pr.bar, pr.cancel

        self.error_label = QLabel()
        self.error_label.setObjectName("formError")
        self.error_label.setWordWrap(True)
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.hide()
        self.export_message = QLabel()
        self.export_message.setObjectName("exportMessage")
        self.export_message.setWordWrap(True)
        self.export_message.setTextFormat(Qt.TextFormat.RichText)
        self.export_message.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextBrowserInteraction)
        self.export_message.linkActivated.connect(self._open_folder)
        self.export_message.hide()
        self.stale_note = QLabel()
        self.stale_note.setObjectName("staleNote")
        self.stale_note.setWordWrap(True)
        self.stale_note.hide()

        # the preview
        self.report_title = QLabel()
        self.report_title.setObjectName("reportTitle")
        self.report_title.setWordWrap(True)
        self.report_title.setTextFormat(Qt.TextFormat.PlainText)
        self.classification = QLabel()
        self.classification.setObjectName("classification")
        self.report_meta = QLabel()
        self.report_meta.setObjectName("muted")
        self.report_meta.setWordWrap(True)
        self.report_meta.setTextFormat(Qt.TextFormat.PlainText)
        self.nil_banner = QLabel()
        self.nil_banner.setObjectName("nilBanner")
        self.nil_banner.setWordWrap(True)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("reportTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.tabBar().setElideMode(Qt.TextElideMode.ElideRight)
        self.tabs.tabBar().setExpanding(False)
        self.tabs.setUsesScrollButtons(True)
        self.charts = ChartsPanel()
        self.method_view = QTextBrowser()
        self.method_view.setObjectName("reportMethod")
        self.method_view.setOpenLinks(False)
        heading = QHBoxLayout()
        heading.addWidget(self.report_title, 1)
        heading.addWidget(self.classification, 0, Qt.AlignmentFlag.AlignTop)
        shown = QWidget()
        shown_layout = QVBoxLayout(shown)
        shown_layout.setContentsMargins(0, 4, 0, 0)
        shown_layout.setSpacing(4)
        shown_layout.addLayout(heading)
        shown_layout.addWidget(self.report_meta)
        shown_layout.addWidget(self.nil_banner)
        shown_layout.addWidget(self.tabs, 1)
        self.empty = QLabel()
        self.empty.setObjectName("muted")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.preview_stack = QStackedWidget()
        self.preview_stack.addWidget(self.empty)
        self.preview_stack.addWidget(shown)
        self._show_empty()

        self.denied_label = QLabel(needs_role_text(Permission.REPORT))
        self.denied_label.setObjectName("banner")
        self.denied_label.setWordWrap(True)
        self.denied_label.setVisible(not self.may_report)

        top = QHBoxLayout()
        top.addWidget(title)
        top.addSpacing(12)
        top.addWidget(self.status_label, 1)
        top.addWidget(self.history_button)
        top.addSpacing(12)
        for button in (self.xlsx_button, self.pdf_button, self.csv_button):
            top.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addWidget(self.denied_label)
        layout.addWidget(self.form)
        layout.addWidget(self.progress_row)
        layout.addWidget(self.error_label)
        layout.addWidget(self.stale_note)
        layout.addWidget(self.export_message)
        layout.addWidget(self.preview_stack, 1)
        self.form.setEnabled(self.may_report)

        for sequence in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(sequence), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda: self.preview())
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self.cancel)
        order = [self.profile_combo, self.preset_combo, self.date_from, self.date_to,
                 self.redaction_combo, self.basis_combo, self.preview_button,
                 self.cancel_button, self.xlsx_button, self.pdf_button, self.csv_button,
                 self.tabs]
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)

    def _fill_combos(self) -> None:
        for pid, title in service.profiles():
            self.profile_combo.addItem(_(title), pid)
        self.profile_combo.setCurrentIndex(max(self.profile_combo.findData("eu-coarm"), 0))
        descriptions = self._redaction_descriptions()
        model = self.redaction_combo.model()
        for rid, title, needs_supervisor in service.redaction_profiles():
            self.redaction_combo.addItem(_(title), rid)
            row = self.redaction_combo.count() - 1
            tip = descriptions.get(rid, "")
            if needs_supervisor and not self.may_unredact:
                tip = needs_role_text(Permission.REPORT_UNREDACTED)
                if isinstance(model, QStandardItemModel) and (item := model.item(row)):
                    item.setEnabled(False)
            self.redaction_combo.setItemData(row, tip, Qt.ItemDataRole.ToolTipRole)
        self.redaction_combo.setCurrentIndex(max(self.redaction_combo.findData("parliament"),
                                                 0))

    @staticmethod
    def _redaction_descriptions() -> dict[str, str]:
        try:
            from app.oversight.redaction import load_profiles

            return {p.id: " ".join(p.description.split()) for p in load_profiles().values()}
        except (GoldenRuleError, ImportError):
            return {}

    def redaction_enabled(self, redaction: str) -> bool:
        """Whether the user may choose ``redaction`` in the form."""
        row = self.redaction_combo.findData(redaction)
        model = self.redaction_combo.model()
        if row < 0 or not isinstance(model, QStandardItemModel):
            return False
        item = model.item(row)
        return item is not None and item.isEnabled()

    def redaction_tooltip(self, redaction: str) -> str:
        row = self.redaction_combo.findData(redaction)
        return str(self.redaction_combo.itemData(row, Qt.ItemDataRole.ToolTipRole) or "")

    # the form -----------------------------------------------------------------------------
    def request(self) -> ReportRequest:
        """What the form says: the report a preview or an export will compute."""
        profile = str(self.profile_combo.currentData() or "")
        basis = str(self.basis_combo.currentData()) if profile == "att" else "authorised"
        return ReportRequest(profile, _pydate(self.date_from.date()),
                             _pydate(self.date_to.date()),
                             str(self.redaction_combo.currentData() or "parliament"),
                             "actual" if basis == "actual" else "authorised")

    def set_request(self, request: ReportRequest) -> None:
        """Fill the form (tests, screenshots, and a later "report again" link)."""
        self.profile_combo.setCurrentIndex(max(self.profile_combo.findData(request.profile), 0))
        self.set_period(request.period_from, request.period_to)
        self.redaction_combo.setCurrentIndex(
            max(self.redaction_combo.findData(request.redaction), 0))
        self.basis_combo.setCurrentIndex(max(self.basis_combo.findData(request.basis), 0))

    def set_period(self, start: date, end: date) -> None:
        for field, value in ((self.date_from, start), (self.date_to, end)):
            field.blockSignals(True)
            field.setDate(_qdate(value))
            field.blockSignals(False)
        self._on_dates_changed()

    def apply_preset(self, preset: str) -> None:
        period = preset_period(preset, self.today())
        if period is not None:
            self.set_period(*period)
        else:
            self.preset_combo.setCurrentIndex(0)

    def _on_dates_changed(self) -> None:
        start, end = _pydate(self.date_from.date()), _pydate(self.date_to.date())
        matching = next((n for n, key in enumerate(PRESETS)
                         if preset_period(key, self.today()) == (start, end)), 0)
        self.preset_combo.setCurrentIndex(matching)
        reversed_ = end < start
        for field in (self.date_from, self.date_to):
            field.setProperty("invalid", reversed_)
            field.style().unpolish(field)
            field.style().polish(field)
        self._on_form_changed()

    def _on_profile_changed(self) -> None:
        att = self.profile_combo.currentData() == "att"
        self.basis_label.setVisible(att)
        self.basis_combo.setVisible(att)
        self._on_form_changed()

    def _on_redaction_changed(self) -> None:
        rid = self.redaction_combo.currentData()
        self.internal_note.setVisible(rid == "none")
        tip = self.redaction_tooltip(str(rid or ""))
        if not self.may_unredact:
            tip = (tip + "\n\n" if tip else "") + self.tr("Unredacted: %1").replace(
                "%1", needs_role_text(Permission.REPORT_UNREDACTED))
        self.redaction_combo.setToolTip(tip)
        self._on_form_changed()

    def _on_form_changed(self) -> None:
        self._update_stale_note()

    def _on_cases_changed(self) -> None:
        if self.report is not None:
            self._data_changed = True
            self._update_stale_note()

    def _update_stale_note(self) -> None:
        if self.report is None or self.shown_request is None:
            self.stale_note.hide()
            return
        if self.request() != self.shown_request:
            text = self.tr("The form has changed since this preview: an export computes what "
                           "the form says. Preview again (Ctrl+Enter) to see it.")
        elif self._data_changed:
            text = self.tr("Decisions were recorded since this preview: Preview again "
                           "(Ctrl+Enter) to include them.")
        else:
            text = ""
        self.stale_note.setText(text)
        self.stale_note.setVisible(bool(text))

    # background jobs ----------------------------------------------------------------------
    @property
    def runner(self) -> TaskRunner:
        """The runner given, else the window's (one database worker), else the page's own."""
        if self._runner is not None:
            return self._runner
        parent: QObject | None = self.parent()
        while parent is not None:
            found = getattr(parent, "runner", None)
            if isinstance(found, TaskRunner):
                return found
            parent = parent.parent()
        if self._own_runner is None:
            self._own_runner = TaskRunner(self)
        return self._own_runner

    def is_busy(self) -> bool:
        return self._job is not None

    def _set_busy(self, kind: str, text: str = "") -> None:
        self._job_kind = kind
        busy = bool(kind)
        self.progress_row.setVisible(busy)
        self.progress_bar.setRange(0, 0)
        self.progress_text.setText(text)
        self.cancel_button.setEnabled(busy)
        self.preview_button.setEnabled(self.may_report and not busy)
        for button, tip in self._export_tips.items():
            button.setEnabled(self.may_report and not busy and self.report is not None)
            if self.report is None and self.may_report:
                tip += "\n\n" + self.tr("Preview a report first.")
            button.setToolTip(tip)
        self.sig_busy_changed.emit(busy)

    def _start(self, kind: str, fn: Callable[[Progress], Any], done: Callable[[Any], None],
               failed: Callable[[BaseException], None], steps: dict[int, str]) -> None:
        self.error_label.hide()
        self._set_busy(kind, steps.get(0, ""))

        def on_progress(value: int, total: int, _text: str) -> None:
            if self._job_kind != kind:
                return
            self.progress_bar.setRange(0, max(total, 1))
            self.progress_bar.setValue(value)
            if value in steps:
                self.progress_text.setText(steps[value])

        def finish(result: Any) -> None:
            self._job = None
            self._set_busy("")
            done(result)

        def fail(exc: BaseException) -> None:
            self._job = None
            self._set_busy("")
            if isinstance(exc, Cancelled | TaskCancelled):
                self.status_label.setText(self._status_text() or self.tr("Cancelled."))
                self.progress_text.setText("")
                self.sig_cancelled.emit(kind)
                return
            failed(exc)

        # a placeholder while submitting: a synchronous runner finishes inside submit()
        self._job = Progress()
        progress = self.runner.submit(fn, finish, fail, on_progress)
        if self._job is not None:
            self._job = progress

    def cancel(self) -> None:
        """Stop the preview or export on its way (it stops at its next check)."""
        if self._job is None:
            return
        self._job.cancel()
        self.cancel_button.setEnabled(False)
        self.progress_text.setText(self.tr("Cancelling…"))

    # preview ------------------------------------------------------------------------------
    def preview(self) -> None:
        """Compute the report the form describes on the worker and show it."""
        if self._job is not None or not self.may_report:
            return
        request = self.request()
        db, actor = self.ctx.db, self.ctx.actor

        def run(progress: Progress) -> OversightReport:
            with UnitOfWork(db.session_factory) as uow:
                return service.build(uow, actor, request,
                                     progress=lambda d, t: progress.report(d, t),
                                     cancelled=lambda: progress.cancelled)

        self.status_label.setText(self.tr("Computing…"))
        self._start("preview", run, lambda report: self._on_previewed(request, report),
                    self._on_preview_failed, self._steps())

    def _steps(self, export: bool = False) -> dict[int, str]:
        steps = {0: self.tr("Reading the decisions of the period…"),
                 1: self.tr("Computing the tables and applying the redaction…")}
        if export:
            steps[3] = self.tr("Writing and signing the files…")
        return steps

    def _on_previewed(self, request: ReportRequest, report: OversightReport) -> None:
        self.shown_request = request
        self._data_changed = False
        self.show_report(report)
        self.sig_previewed.emit(report)

    def _on_preview_failed(self, exc: BaseException) -> None:
        self.last_error = exc
        self.status_label.setText(self._status_text())
        if isinstance(exc, GoldenRuleError):
            # the application's own words: a reversed period, a role it needs
            self.error_label.setText(str(exc))
            self.error_label.show()
        else:
            show_error(self, self.tr("The report could not be computed"), exc)
        self.sig_preview_failed.emit(exc)

    def show_report(self, report: OversightReport) -> None:
        """Lay the report out: a tab per table, the charts, the method and redaction."""
        self.report = report
        self.last_error = None
        current = self.tabs.currentIndex()
        while self.tabs.count():
            widget = self.tabs.widget(0)
            self.tabs.removeTab(0)
            if widget is not self.charts and widget is not self.method_view:
                widget.deleteLater()
        for table in report.tables:
            panel = TablePanel(table)
            panel.setObjectName(f"reportTable-{table.id}")
            index = self.tabs.addTab(panel, tab_text(table.title))
            self.tabs.setTabToolTip(index, table.title)
        self.charts.set_charts(report.charts)
        self.tabs.addTab(self.charts, self.tr("Charts (%1)").replace(
            "%1", str(len(report.charts))))
        self.method_view.setHtml(self.method_html(report))
        self.tabs.addTab(self.method_view, self.tr("Method and redaction"))
        self.tabs.setCurrentIndex(min(max(current, 0), self.tabs.count() - 1))
        self.report_title.setText(report.title)
        self.classification.setText(report.classification)
        self.classification.setVisible(bool(report.classification))
        meta = self.tr("%1 to %2 · %3 records counted · %4").replace(
            "%1", report.period_from.isoformat()).replace("%2", report.period_to.isoformat()
            ).replace("%3", f"{report.counted:,}").replace("%4", report.redaction_title)
        self.report_meta.setText(f"{meta} · {report.authority}" if report.authority else meta)
        self.nil_banner.setText(self.nil_text())
        self.nil_banner.setVisible(report.nil)
        self.preview_stack.setCurrentIndex(1)
        self.status_label.setText(self._status_text())
        self._set_busy("")
        self._update_stale_note()

    def nil_text(self) -> str:
        return self.tr("Nil report: nothing reportable took effect in this period. A nil "
                       "report is still a report: export it to say so.")

    def _status_text(self) -> str:
        report = self.report
        if report is None:
            return ""
        rows = sum(len(t.rows) for t in report.tables)
        # no plurals to get wrong: "Tables: 1 · rows: 55 · charts: 3"
        return self.tr("Tables: %1 · rows: %2 · charts: %3").replace(
            "%1", str(len(report.tables))).replace("%2", f"{rows:,}").replace(
            "%3", str(len(report.charts)))

    def _show_empty(self) -> None:
        self.empty.setText(self.tr(
            "Choose a report, its period and the redaction profile, then Preview "
            "(Ctrl+Enter).\n\nThe preview computes the report from the signed decisions "
            "without recording anything; an export is signed with your key and logged."))
        self.preview_stack.setCurrentIndex(0)

    def method_html(self, report: OversightReport) -> str:
        """The Method and redaction tab, as the statements the exported files carry."""
        esc = html.escape

        def items(lines: list[str]) -> str:
            return "<ul>" + "".join(f"<li>{esc(line)}</li>" for line in lines) + "</ul>"

        parts = []
        if report.nil:
            parts.append(
                "<p style='background:#e0ecff; color:#1849a9; font-size:15px; "
                f"font-weight:600; padding:8px;'>{esc(self.nil_text())}</p>")
        parts.append(f"<h3>{esc(report.title)}</h3>")
        facts = [
            (self.tr("Period"), f"{report.period_from.isoformat()} – "
                                f"{report.period_to.isoformat()}"),
            (self.tr("Authority"), report.authority or "—"),
            (self.tr("Counted"), f"{report.counted:,}"),
            (self.tr("Computed by"), report.generated_by),
            (self.tr("Computed at"), report.generated_at.strftime("%Y-%m-%d %H:%M UTC")),
        ]
        if report.classification:
            facts.append((self.tr("Marking"), report.classification))
        parts.append("<table cellpadding='2'>" + "".join(
            f"<tr><td style='color:#6b7280; padding-right:14px;'>{esc(k)}</td>"
            f"<td>{esc(v)}</td></tr>" for k, v in facts) + "</table>")
        parts.append(f"<h3>{esc(self.tr('Method'))}</h3>")
        parts.append(items(report.method) if report.method
                     else f"<p>{esc(self.tr('No method notes.'))}</p>")
        parts.append(f"<h3>{esc(self.tr('Redaction'))}</h3>")
        parts.append("<p>" + esc(self.tr("Redaction profile applied: %1 (%2).").replace(
            "%1", report.redaction_title).replace("%2", report.redaction)) + "</p>")
        if report.withheld:
            parts.append("<p><b>" + esc(self.tr("Withheld")) + "</b></p>")
            parts.append(items(report.withheld))
        else:
            parts.append("<p><b>" + esc(self.tr("Nothing was withheld.")) + "</b></p>")
        return "".join(parts)

    def table_panels(self) -> list[TablePanel]:
        return [w for n in range(self.tabs.count())
                if isinstance(w := self.tabs.widget(n), TablePanel)]

    def table_panel(self, table_id: str) -> TablePanel | None:
        return next((p for p in self.table_panels() if p.table.id == table_id), None)

    def show_tab(self, which: str) -> None:
        """"charts", "method" or a table id."""
        target: QWidget | None = {"charts": self.charts, "method": self.method_view}.get(which)
        if target is None:
            target = self.table_panel(which)
        if target is not None:
            self.tabs.setCurrentWidget(target)

    # export -------------------------------------------------------------------------------
    def export(self, fmt: str) -> None:
        """A button: the password for a signed format, then where to write."""
        if self.report is None or self._job is not None or fmt not in FORMAT_SUFFIX:
            return
        request = self.request()
        password: str | None = None
        if fmt in ("xlsx", "pdf"):
            what = self.profile_combo.currentText()
            password = ask_export_password(self, self.tr(
                "Sign and export %1, %2, redaction profile %3, as %4?").replace("%1", what)
                .replace("%2", period_text(request.period_from, request.period_to))
                .replace("%3", self.redaction_combo.currentText())
                .replace("%4", "Excel" if fmt == "xlsx" else "PDF"))
            if password is None:
                return
        path = self.ask_path(fmt, request)
        if path is None:
            return
        self.export_to(fmt, path, password)

    def ask_path(self, fmt: str, request: ReportRequest) -> Path | None:
        suffix = FORMAT_SUFFIX[fmt]
        folder = self._last_folder if self._last_folder and self._last_folder.is_dir() \
            else export_folder()
        titles = {"xlsx": (self.tr("Export the signed workbook"),
                           self.tr("Excel workbooks (*.xlsx)")),
                  "pdf": (self.tr("Export the signed PDF"), self.tr("PDF documents (*.pdf)")),
                  "csv": (self.tr("Export CSV files: one per table, named after this"),
                          self.tr("CSV files (*.csv)"))}
        title, file_filter = titles[fmt]
        chosen, _filter = QFileDialog.getSaveFileName(
            self, title, str(folder / f"{file_stem(request, fmt)}{suffix}"), file_filter)
        if not chosen:
            return None
        path = Path(chosen)
        return path if path.suffix.lower() == suffix else path.with_name(path.name + suffix)

    def export_to(self, fmt: str, path: Path, password: str | None = None) -> None:
        """Export what the form says to ``path`` (no dialogs); the result arrives as
        ``sig_exported`` or ``sig_export_failed``."""
        if self._job is not None or not self.may_report:
            return
        request = self.request()
        db, actor = self.ctx.db, self.ctx.actor
        out = Path(path)
        chosen: Format = "xlsx" if fmt == "xlsx" else "pdf" if fmt == "pdf" else "csv"

        def run(progress: Progress) -> ExportResult:
            with UnitOfWork(db.session_factory) as uow:
                return service.export(uow, actor, request, chosen, out, password,
                                      progress=lambda d, t: progress.report(d, t + 1),
                                      cancelled=lambda: progress.cancelled)

        self.export_message.hide()
        self._start("export", run, lambda result: self._on_exported(fmt, out, result),
                    lambda exc: self._on_export_failed(out, exc), self._steps(export=True))

    def _on_exported(self, fmt: str, out: Path, result: ExportResult) -> None:
        self.last_export = result
        files = list(result.files)
        folder = files[0].parent if files else out.parent
        self._last_folder = folder
        names = ", ".join(p.name for p in files)
        signed = self.tr(", signed by you,") if fmt in ("xlsx", "pdf") else ""
        text = self.tr("Exported %1%2 to %3").replace("%1", names).replace(
            "%2", signed).replace("%3", str(folder))
        link = QUrl.fromLocalFile(str(folder)).toString()
        self.export_message.setText(
            "✓ " + html.escape(text) + f" &nbsp; <a href='{html.escape(link)}'>"
            + html.escape(self.tr("Open the folder")) + "</a>")
        self.export_message.setToolTip("\n".join(str(p) for p in files))
        self.export_message.show()
        window = self.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(text, 12000)
        self.sig_exported.emit(files)

    def _on_export_failed(self, out: Path, exc: BaseException) -> None:
        self.last_error = exc
        if isinstance(exc, OSError):
            exc = GoldenRuleError(self.tr("Could not write %1: %2").replace("%1", str(out))
                                  .replace("%2", exc.strerror or str(exc)))
        # the application's words (a wrong password, a role it needs); anything else is a
        # bug, which show_error logs
        show_error(self, self.tr("The report was not exported"), exc)
        self.sig_export_failed.emit(exc)

    def import_history(self) -> QDialog:
        """The administrators' decision history import (as File › Import decision history)."""
        from ui.history_import_dialog import open_history_import

        return open_history_import(self.ctx, self.runner, self)

    def _open_folder(self, link: str) -> None:
        QDesktopServices.openUrl(QUrl(link))

    # for tests ------------------------------------------------------------------------------
    def tab_titles(self) -> list[str]:
        return [self.tabs.tabText(n) for n in range(self.tabs.count())]

    def cell_text(self, table_id: str, row: int, column: str) -> str:
        panel = self.table_panel(table_id)
        assert panel is not None, table_id
        keys = [c.key for c in panel.table.columns]
        return panel.model.text(row, keys.index(column))
