"""The audit view: past decisions filtered by destination, end user, outcome, criterion,
framework, officer, item category and period; the selected record exactly as signed, its
case's chain of records, what changed since the previous decision, and earlier comparable
decisions that went the other way.

Searches run on the worker thread and a newer search supersedes an older one. Only
supervisors and administrators may audit: for anyone else the application refuses, and the
page says so in place of the results.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app import decisions, users
from app.assessment import Outcome
from app.decisions import DecisionListRow, DecisionQuery, DecisionRecord, Divergence
from app.errors import GoldenRuleError, PermissionDeniedError
from app.frameworks import catalogue
from app.roles import Permission
from ui.audit.consistency import ConsistencyView
from ui.audit.diff_view import DiffView, is_bookkeeping, setup_table
from ui.audit.formatting import local_time
from ui.audit.history import HistoryView
from ui.audit.record_view import LoadedRecord, RecordView, load_record
from ui.audit.table_models import CASE_ID_ROLE, RECORD_ID_ROLE, DecisionsTableModel
from ui.context import UiContext
from ui.dialogs import show_error
from ui.tasks import Progress, TaskRunner
from ui.widgets.country_picker import CountryPicker
from ui.widgets.date_field import OptionalDateField
from ui.widgets.page_header import page_title

SEARCH_DELAY_MS = 250
CATEGORIES = [f"ML{n}" for n in range(1, 23)]
COLUMN_WIDTHS = {"ref": 140, "kind": 140, "outcome": 150, "destination": 140, "end_user": 200,
                 "categories": 100, "framework": 140, "criteria": 90, "officer": 125,
                 "decided_at": 124, "status": 140}
#: Shown on request (the header's context menu): the window must fit 1366 pixels.
HIDDEN_COLUMNS = ("framework", "criteria")


class AuditPage(QWidget):
    sig_searched = Signal(int)  # rows shown after a search arrived
    sig_record_opened = Signal(int)  # record id now shown in the detail tabs

    TABS = ("record", "history", "differences", "consistency")

    def __init__(self, ctx: UiContext, parent: QWidget | None = None, *,
                 runner: TaskRunner | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("auditPage")
        self.ctx = ctx
        self.runner = runner or TaskRunner(self)
        self.model = DecisionsTableModel(ctx.ref, self)
        self.loaded: LoadedRecord | None = None
        self.denied = False
        self.last_error: BaseException | None = None
        self._generation = 0
        self._consistency_generation = 0
        self._searching = False
        self._loaded_once = False
        self._stale = False
        self._timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.search_now)
        self._build()
        ctx.signals.sig_cases_changed.connect(self._on_cases_changed)
        ctx.signals.sig_users_changed.connect(self._fill_officers)

    # construction -------------------------------------------------------------------------
    def _build(self) -> None:
        ref = self.ctx.ref
        title, self.count_label = page_title(self.tr("Decisions and audit"))

        self.destination = CountryPicker(ref)
        self.destination.setObjectName("auditDestination")
        self.destination.lineEdit().setPlaceholderText(self.tr("Any destination"))
        self.destination.setToolTip(self.tr("Destination country: type a name or ISO code"))
        self.destination.sig_code_changed.connect(self._on_destination_changed)
        self.end_user = QLineEdit()
        self.end_user.setObjectName("auditEndUser")
        self.end_user.setPlaceholderText(self.tr("End user"))
        self.end_user.setToolTip(self.tr("Part of the end user's name"))
        self.end_user.setClearButtonEnabled(True)
        self.end_user.textChanged.connect(self._schedule)
        self.outcome = QComboBox()
        self.outcome.setObjectName("auditOutcome")
        self.outcome.addItem(self.tr("Any outcome"), "")
        for outcome in Outcome:
            self.outcome.addItem(outcome.label, outcome.value)
        self.officer = QComboBox()
        self.officer.setObjectName("auditOfficer")
        self.officer.setToolTip(self.tr("Who signed the decision"))
        self._fill_officers()
        self.framework = QComboBox()
        self.framework.setObjectName("auditFramework")
        self.framework.addItem(self.tr("Any framework"), "")
        for fw in catalogue().frameworks:
            self.framework.addItem(fw.display_title, fw.id)
            self.framework.setItemData(self.framework.count() - 1, fw.title,
                                       Qt.ItemDataRole.ToolTipRole)
        self.criterion = QComboBox()
        self.criterion.setObjectName("auditCriterion")
        self.criterion.setToolTip(self.tr("A criterion the decision cites"))
        self.criterion.view().setMinimumWidth(420)
        self._fill_criteria()
        self.category = QComboBox()
        self.category.setObjectName("auditCategory")
        self.category.addItem(self.tr("Any ML category"), "")
        for code in CATEGORIES:
            self.category.addItem(code, code)
            cat = ref.control_categories.get(code)
            if cat:
                self.category.setItemData(self.category.count() - 1, cat.title,
                                          Qt.ItemDataRole.ToolTipRole)
        self.category.setToolTip(self.tr("Kind of items (Military List category)"))
        self.date_from = OptionalDateField()
        self.date_from.setObjectName("auditFrom")
        self.date_from.setSpecialValueText(self.tr("from any date"))
        self.date_to = OptionalDateField()
        self.date_to.setObjectName("auditTo")
        self.date_to.setSpecialValueText(self.tr("to any date"))
        for field in (self.date_from, self.date_to):
            field.setMinimumWidth(118)
            field.setToolTip(self.tr("Period: the date each decision was judged as of. "
                                     "Delete clears it."))
            field.sig_date_changed.connect(self._schedule)
        self.follow_ups = QCheckBox(self.tr("Include follow-up records"))
        self.follow_ups.setObjectName("auditFollowUps")
        self.follow_ups.setToolTip(self.tr("Countersignatures, returns and reassessments as "
                                           "well as decisions"))
        self.follow_ups.toggled.connect(self._on_follow_ups_toggled)
        for combo in (self.outcome, self.officer, self.framework, self.criterion,
                      self.category):
            combo.currentIndexChanged.connect(self._schedule)
        self.framework.currentIndexChanged.connect(self._fill_criteria)
        for combo, letters in ((self.destination, 14), (self.outcome, 12), (self.officer, 12),
                               (self.framework, 12), (self.criterion, 12), (self.category, 12)):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(letters)
        self.clear_button = QPushButton(self.tr("Clear filters"))
        self.clear_button.setObjectName("linkButton")
        self.clear_button.setFlat(True)
        self.clear_button.clicked.connect(self.clear_filters)

        self.table = QTableView()
        self.table.setObjectName("auditTable")
        self.table.setModel(self.model)
        setup_table(self.table)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSortIndicator(DecisionsTableModel.COLUMNS.index("decided_at"),
                                Qt.SortOrder.DescendingOrder)
        self.table.setSortingEnabled(True)
        header.setStretchLastSection(False)
        for column, name in enumerate(DecisionsTableModel.COLUMNS):
            self.table.setColumnWidth(column, COLUMN_WIDTHS[name])
            self.table.setColumnHidden(column, name in (*HIDDEN_COLUMNS, "kind"))
        header.setSectionResizeMode(DecisionsTableModel.COLUMNS.index("end_user"),
                                    QHeaderView.ResizeMode.Stretch)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._on_header_menu_requested)
        header.setToolTip(self.tr("Right-click to choose the columns"))
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row_changed)
        self.results_empty = QLabel()
        self.results_empty.setObjectName("muted")
        self.results_empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.results_empty.setWordWrap(True)
        self.results = QStackedWidget()
        self.results.addWidget(self.table)
        self.results.addWidget(self.results_empty)

        self.record_view = RecordView(self.ctx)
        self.history = HistoryView()
        self.history.sig_record_activated.connect(self._on_history_record_activated)
        self.differences = DiffView()
        self.differences.setObjectName("differences")
        self.consistency = ConsistencyView(self.ctx)
        self.consistency.sig_record_activated.connect(self._on_consistency_record_activated)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("auditTabs")
        self.tabs.setDocumentMode(True)
        for widget in (self.record_view, self.history, self.differences, self.consistency):
            holder = QWidget()
            box = QVBoxLayout(holder)
            box.setContentsMargins(0, 8, 0, 0)
            box.addWidget(widget)
            self.tabs.addTab(holder, "")
        self._title_tabs()
        self.detail_empty = QLabel(self.tr("Select a decision to read it exactly as it was "
                                           "signed, with its history and comparable cases."))
        self.detail_empty.setObjectName("muted")
        self.detail_empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail_empty.setWordWrap(True)
        self.detail = QStackedWidget()
        self.detail.addWidget(self.detail_empty)
        self.detail.addWidget(self.tabs)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("auditSplitter")
        self.splitter.addWidget(self.results)
        self.splitter.addWidget(self.detail)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 5)
        self.splitter.setSizes([210, 520])

        self.denied_label = QLabel()
        self.denied_label.setObjectName("banner")
        self.denied_label.setWordWrap(True)
        self.denied_label.setTextFormat(Qt.TextFormat.RichText)
        self.denied_label.setSizePolicy(QSizePolicy.Policy.Preferred,
                                        QSizePolicy.Policy.Maximum)
        self.denied_label.hide()

        top = QHBoxLayout()
        top.addWidget(title)
        top.addSpacing(12)
        top.addWidget(self.count_label)
        top.addStretch(1)
        top.addWidget(self.clear_button)
        first = QHBoxLayout()
        first.setSpacing(6)
        first.addWidget(self.destination, 3)
        first.addWidget(self.end_user, 3)
        first.addWidget(self.outcome, 2)
        first.addWidget(self.officer, 2)
        first.addWidget(self.follow_ups)
        second = QHBoxLayout()
        second.setSpacing(6)
        second.addWidget(self.framework, 2)
        second.addWidget(self.criterion, 3)
        second.addWidget(self.category, 1)
        second.addWidget(self.date_from)
        second.addWidget(self.date_to)
        second.addStretch(1)
        self.filters = QWidget()
        self.filters.setObjectName("auditFilters")
        filters = QVBoxLayout(self.filters)
        filters.setContentsMargins(0, 0, 0, 0)
        filters.setSpacing(6)
        filters.addLayout(first)
        filters.addLayout(second)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addWidget(self.filters)
        layout.addWidget(self.denied_label)
        layout.addWidget(self.splitter, 1)
        layout.addStretch(0)  # takes the space only while the splitter is hidden

    def _on_header_menu_requested(self, pos: QPoint) -> None:
        menu = QMenu(self)
        for column, name in enumerate(DecisionsTableModel.COLUMNS):
            if name in ("ref", "end_user"):
                continue
            action = menu.addAction(str(self.model.headerData(
                column, Qt.Orientation.Horizontal)))
            action.setCheckable(True)
            action.setChecked(not self.table.isColumnHidden(column))
            action.toggled.connect(
                lambda on, c=column: self.table.setColumnHidden(c, not on))
        menu.exec(self.table.horizontalHeader().mapToGlobal(pos))

    def _fill_officers(self) -> None:
        current = self.officer.currentData()
        self.officer.blockSignals(True)
        self.officer.clear()
        self.officer.addItem(self.tr("Any officer"), "")
        with self.ctx.uow() as uow:
            accounts = users.list_users(uow)
        for actor, _active in sorted(accounts, key=lambda a: a[0].full_name.casefold()):
            if actor.can(Permission.ASSESS):
                self.officer.addItem(actor.full_name, actor.username)
                self.officer.setItemData(self.officer.count() - 1,
                                         f"{actor.username} · {actor.role.label}",
                                         Qt.ItemDataRole.ToolTipRole)
        self.officer.setCurrentIndex(max(self.officer.findData(current), 0))
        self.officer.blockSignals(False)

    def _fill_criteria(self) -> None:
        current = self.criterion.currentData()
        chosen = self.framework.currentData()
        self.criterion.blockSignals(True)
        self.criterion.clear()
        self.criterion.addItem(self.tr("Any criterion"), "")
        seen: set[str] = set()
        for fw in catalogue().frameworks:
            if chosen and fw.id != chosen:
                continue
            for c in fw.criteria:
                if c.id in seen:
                    continue
                seen.add(c.id)
                self.criterion.addItem(f"{c.id} — {c.title}", c.id)
                self.criterion.setItemData(self.criterion.count() - 1,
                                           f"{fw.display_title}: {c.title}",
                                           Qt.ItemDataRole.ToolTipRole)
        self.criterion.setCurrentIndex(max(self.criterion.findData(current), 0))
        self.criterion.blockSignals(False)

    def _title_tabs(self, history: int | None = None, differences: int | None = None,
                    consistency: int | None = None) -> None:
        def titled(text: str, count: int | None) -> str:
            return text if count is None else f"{text} ({count})"

        self.tabs.setTabText(0, self.tr("Record"))
        self.tabs.setTabText(1, titled(self.tr("History"), history))
        self.tabs.setTabText(2, titled(self.tr("Differences"), differences))
        self.tabs.setTabText(3, titled(self.tr("Consistency"), consistency))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._loaded_once or self._stale:
            self.search_now()

    # searching ----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Search again with the current filters and reload the record being read."""
        self.search_now()

    def _on_cases_changed(self) -> None:
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def current_query(self) -> DecisionQuery:
        code = self.destination.code()
        return DecisionQuery(
            destination=code, end_user=self.end_user.text().strip(),
            outcome=self.outcome.currentData() or "", criterion=self.criterion.currentData() or "",
            framework=self.framework.currentData() or "", officer=self.officer.currentData() or "",
            category=self.category.currentData() or "", date_from=self.date_from.value(),
            date_to=self.date_to.value(), include_follow_ups=self.follow_ups.isChecked())

    def _schedule(self) -> None:
        self._timer.start()

    def _on_destination_changed(self, code: str) -> None:
        invalid = bool(code) and code not in self.ctx.ref.countries
        self.destination.setProperty("invalid", invalid)
        self.destination.style().unpolish(self.destination)
        self.destination.style().polish(self.destination)
        if not invalid:
            self._schedule()

    def _on_follow_ups_toggled(self, checked: bool) -> None:
        self.table.setColumnHidden(DecisionsTableModel.COLUMNS.index("kind"), not checked)
        self._schedule()

    def clear_filters(self) -> None:
        for widget in (self.outcome, self.officer, self.framework, self.criterion,
                       self.category):
            widget.blockSignals(True)
            widget.setCurrentIndex(0)
            widget.blockSignals(False)
        self._fill_criteria()
        self.destination.blockSignals(True)
        self.destination.set_code("")
        self.destination.blockSignals(False)
        self._on_destination_changed("")
        self.end_user.clear()
        self.date_from.clear_value()
        self.date_to.clear_value()
        self.follow_ups.setChecked(False)
        self.search_now()

    def search_now(self) -> None:
        self._timer.stop()
        self._loaded_once = True
        self._stale = False
        query = self.current_query()
        self._generation += 1
        generation = self._generation
        self._searching = True
        self.count_label.setText(self.tr("Searching…"))
        ctx = self.ctx

        def run(progress: Progress) -> list[DecisionListRow]:
            with ctx.uow() as uow:
                return decisions.search_decisions(uow, ctx.actor, query)

        self.runner.submit(run, lambda rows: self._on_results(generation, rows),
                           lambda exc: self._on_search_failed(generation, exc))

    def is_searching(self) -> bool:
        return self._searching

    def _on_results(self, generation: int, rows: list[DecisionListRow]) -> None:
        if generation != self._generation:
            return  # a newer search supersedes this one
        self._searching = False
        self._show_denied("")
        open_id = self.loaded.record.id if self.loaded else None
        self.table.selectionModel().blockSignals(True)
        self.model.set_rows(rows)
        header = self.table.horizontalHeader()
        self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        self.table.selectionModel().blockSignals(False)
        count = len(rows)
        text = self.tr("%n record(s)", "", count)
        if count >= DecisionQuery.limit:
            text = self.tr("the newest %1 records: narrow the filters to see older ones") \
                .replace("%1", str(count))
        self.count_label.setText(text)
        if rows:
            self.results.setCurrentIndex(0)
        else:
            filtered = self.current_query() != DecisionQuery(
                include_follow_ups=self.follow_ups.isChecked())
            self.results_empty.setText(
                self.tr("No decision matches these filters.") if filtered
                else self.tr("No decision has been signed yet. Signed decisions appear here, "
                             "newest first."))
            self.results.setCurrentIndex(1)
        if open_id is not None and self.model.row_of_record(open_id) >= 0:
            self.open_record(self.model.row_at(self.model.row_of_record(open_id)).case_id,
                             open_id)  # reloaded: its chain may have grown
        elif rows:
            self.table.selectRow(0)
        else:
            self.clear_record()
        self.sig_searched.emit(count)

    def clear_record(self) -> None:
        self.loaded = None
        self._consistency_generation += 1
        self.record_view.clear()
        self.detail.setCurrentIndex(0)

    def _on_search_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._searching = False
        self.last_error = exc
        self.count_label.setText("")
        if isinstance(exc, PermissionDeniedError):
            self._show_denied(str(exc))
            self.sig_searched.emit(0)
            return
        show_error(self, self.tr("The search failed"), exc)
        self.sig_searched.emit(0)

    def _show_denied(self, text: str) -> None:
        self.denied = bool(text)
        if text:
            self.denied_label.setText(
                "<b>" + html.escape(self.tr("The audit view needs the supervisor or "
                                            "administrator role."))
                + "</b><br><br>" + html.escape(text))
        self.denied_label.setVisible(self.denied)
        self.filters.setVisible(not self.denied)
        self.splitter.setVisible(not self.denied)
        self.clear_button.setVisible(not self.denied)
        if self.denied:
            self.model.set_rows([])
            self.clear_record()

    def rows(self) -> list[DecisionListRow]:
        return self.model.rows()

    # the selected record ------------------------------------------------------------------
    def _on_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        record_id = current.data(RECORD_ID_ROLE)
        case_id = current.data(CASE_ID_ROLE)
        if self.loaded is not None and self.loaded.record.id == record_id:
            return
        self.open_record(case_id, record_id)

    def open_ref(self, ref: str) -> LoadedRecord | None:
        """Open a record by its reference (GR-2026-00003/1), if it is in the results."""
        for row in self.model.rows():
            if row.ref == ref:
                return self.open_record(row.case_id, row.id)
        return None

    def open_record(self, case_id: int, record_id: int) -> LoadedRecord | None:
        try:
            loaded = load_record(self.ctx, case_id, record_id)
        except GoldenRuleError as exc:
            show_error(self, self.tr("Could not open the record"), exc)
            return None
        self.loaded = loaded
        self.record_view.show_loaded(loaded)
        self.history.set_records(loaded.records, record_id)
        shown = self._show_differences(loaded)
        self._title_tabs(len(loaded.records), shown, None)
        self._find_consistency(loaded.record)
        self.detail.setCurrentIndex(1)
        self._select_row(record_id)
        self.sig_record_opened.emit(record_id)
        return loaded

    def _select_row(self, record_id: int) -> None:
        row = self.model.row_of_record(record_id)
        selection = self.table.selectionModel()
        selection.blockSignals(True)
        if row >= 0:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))
        else:
            self.table.clearSelection()
        selection.blockSignals(False)
        self.table.viewport().update()

    def _show_differences(self, loaded: LoadedRecord) -> int:
        record = loaded.record
        pair = loaded.previous_decision()
        if pair is None:
            self.differences.set_changes([], "", self.tr("This record refers to no decision."))
            return 0
        base, previous = pair
        lead = ""
        if base.id != record.id:
            lead = self.tr("%1 is a follow-up record (%2): comparing the decision it refers "
                           "to. ").replace("%1", html.escape(record.ref)).replace(
                "%2", html.escape(record.kind.label))
        if previous is None:
            self.differences.set_changes([], lead, self.tr(
                "%1 is the first decision on this case: there is no earlier decision to "
                "compare it with.").replace("%1", base.ref))
            return 0
        changes = decisions.diff_snapshots(previous.snapshot, base.snapshot)
        caption = lead + self.tr("Decision <b>%1</b> (%2) compared with the previous decision "
                                 "<b>%3</b> (%4)").replace("%1", html.escape(base.ref)).replace(
            "%2", local_time(base.decided_at)).replace("%3", html.escape(previous.ref)).replace(
            "%4", local_time(previous.decided_at))
        self.differences.set_changes(changes, caption, self.tr(
            "The two decisions' signed contents are the same."))
        return sum(1 for c in changes if not is_bookkeeping(c.path))

    def _find_consistency(self, record: DecisionRecord) -> None:
        self._consistency_generation += 1
        generation = self._consistency_generation
        self.consistency.set_loading()
        ctx = self.ctx
        record_id = record.id

        def run(progress: Progress) -> list[Divergence]:
            with ctx.uow() as uow:
                return decisions.consistency(uow, ctx.actor, record_id)

        def done(found: list[Divergence]) -> None:
            if generation != self._consistency_generation:
                return
            self.consistency.set_divergences(found, record.ref, record.outcome.label)
            self._title_tabs(self.history.model.rowCount(),
                             self._difference_count(), len(found))

        def failed(exc: BaseException) -> None:
            if generation != self._consistency_generation:
                return
            self.consistency.clear(str(exc) if isinstance(exc, GoldenRuleError)
                                   else self.tr("The comparison could not be made."))

        self.runner.submit(run, done, failed)

    def _difference_count(self) -> int:
        return sum(1 for c in self.differences.changes() if not is_bookkeeping(c.path))

    def show_tab(self, name: str) -> None:
        self.tabs.setCurrentIndex(self.TABS.index(name))

    def _on_history_record_activated(self, record_id: int) -> None:
        if self.loaded is not None:
            self.open_record(self.loaded.record.case_id, record_id)
            self.show_tab("record")

    def _on_consistency_record_activated(self, case_id: int, record_id: int) -> None:
        if self.open_record(case_id, record_id) is not None:
            self.show_tab("record")

    def kind_column_hidden(self) -> bool:
        return self.table.isColumnHidden(DecisionsTableModel.COLUMNS.index("kind"))
