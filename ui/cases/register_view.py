"""The case register page: find a case by text, status or destination, and open it."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import cases
from app.cases import CaseSummary
from app.status import CaseStatus
from ui.cases.register_model import CASE_ID_ROLE, CaseFilterProxy, CaseRegisterModel
from ui.context import UiContext
from ui.dialogs import show_error
from ui.tasks import Progress, TaskRunner


class CaseRegisterPage(QWidget):
    sig_open_requested = Signal(int)
    sig_new_requested = Signal()
    sig_import_requested = Signal()
    sig_loaded = Signal(int)

    def __init__(self, ctx: UiContext, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("caseRegister")
        self.ctx = ctx
        self.runner = runner
        self.model = CaseRegisterModel(ctx.ref, self)
        self.proxy = CaseFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        title = QLabel(self.tr("Licence applications"))
        title.setObjectName("pageTitle")
        self.count_label = QLabel()
        self.count_label.setObjectName("muted")

        self.search = QLineEdit()
        self.search.setPlaceholderText(
            self.tr("Search reference, exporter, end user, destination, control entry, "
                    "applicant's reference, certificate number…"))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(200)
        self._search_timer = QTimer(self, singleShot=True, interval=150)
        self._search_timer.timeout.connect(self._apply_text)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())

        self.status_filter = QComboBox()
        self.status_filter.addItem(self.tr("All statuses"), None)
        self.status_filter.addItem(self.tr("Open cases"), CaseFilterProxy.OPEN)
        for status in CaseStatus:
            self.status_filter.addItem(status.label, status.value)
        self.status_filter.currentIndexChanged.connect(self._on_status_filter_changed)

        self.destination_filter = QComboBox()
        self.destination_filter.setMinimumWidth(150)
        self.destination_filter.addItem(self.tr("All destinations"), None)
        self.destination_filter.currentIndexChanged.connect(self._on_destination_filter_changed)

        self.new_button = QPushButton(self.tr("New application"))
        self.new_button.setObjectName("primary")
        self.new_button.clicked.connect(self.sig_new_requested)
        self.import_button = QPushButton(self.tr("Import case file…"))
        self.import_button.clicked.connect(self.sig_import_requested)

        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setShowGrid(False)
        vh = self.table.verticalHeader()
        vh.setVisible(False)
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(28)
        hh = self.table.horizontalHeader()
        hh.setHighlightSections(False)
        hh.setStretchLastSection(False)
        for column, width in enumerate((125, 120, 115, 175, 175, 100, 150, 88, 88, 50, 125)):
            self.table.setColumnWidth(column, width)
        self.table.setColumnHidden(CaseRegisterModel.COLUMNS.index("updated"), True)
        hh.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        hh.customContextMenuRequested.connect(self._on_header_menu_requested)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self.table.activated.connect(self._on_table_double_clicked)

        top = QHBoxLayout()
        top.addWidget(title)
        top.addSpacing(12)
        top.addWidget(self.count_label)
        top.addStretch(1)
        top.addWidget(self.import_button)
        top.addWidget(self.new_button)
        filters = QHBoxLayout()
        filters.addWidget(self.search, 1)
        filters.addWidget(self.status_filter)
        filters.addWidget(self.destination_filter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)

        ctx.signals.sig_cases_changed.connect(self.reload)

    # loading ---------------------------------------------------------------------------
    def reload(self) -> None:
        db = self.ctx.db

        def load(progress: Progress) -> list[CaseSummary]:
            from app.uow import UnitOfWork

            with UnitOfWork(db.session_factory) as uow:
                return cases.list_cases(uow)

        self.count_label.setText(self.tr("Loading…"))
        self.runner.submit(load, self._on_loaded, self._on_load_failed)

    def _on_loaded(self, rows: list[CaseSummary]) -> None:
        selected = self.current_case_id()
        self.model.set_rows(rows)
        self._refill_destinations()
        self._update_count()
        if selected is not None:
            self.select_case(selected)
        self.sig_loaded.emit(len(rows))

    def _on_load_failed(self, exc: BaseException) -> None:
        self.count_label.setText(self.tr("Could not load the register"))
        show_error(self, self.tr("Could not load the register"), exc)

    def _refill_destinations(self) -> None:
        current = self.destination_filter.currentData()
        self.destination_filter.blockSignals(True)
        self.destination_filter.clear()
        self.destination_filter.addItem(self.tr("All destinations"), None)
        for code in self.model.destinations():
            self.destination_filter.addItem(f"{self.ctx.ref.country_name(code)} ({code})", code)
        index = self.destination_filter.findData(current)
        self.destination_filter.setCurrentIndex(max(index, 0))
        self.destination_filter.blockSignals(False)
        self.proxy.set_destination(self.destination_filter.currentData())

    # filters ---------------------------------------------------------------------------
    def _apply_text(self) -> None:
        self.proxy.set_text(self.search.text())
        self._update_count()

    def _on_status_filter_changed(self, _index: int) -> None:
        self.proxy.set_status(self.status_filter.currentData())
        self._update_count()

    def _on_destination_filter_changed(self, _index: int) -> None:
        self.proxy.set_destination(self.destination_filter.currentData())
        self._update_count()

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        if shown == total:
            self.count_label.setText(self.tr("%n case(s)", "", total))
        else:
            self.count_label.setText(self.tr("%1 of %2 cases").replace("%1", f"{shown:,}")
                                     .replace("%2", f"{total:,}"))

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    # selection -------------------------------------------------------------------------
    def current_case_id(self) -> int | None:
        index = self.table.currentIndex()
        return index.data(CASE_ID_ROLE) if index.isValid() else None

    def select_case(self, case_id: int) -> None:
        row = self.model.row_of_case(case_id)
        if row < 0:
            return
        proxy_index = self.proxy.mapFromSource(self.model.index(row, 0))
        if proxy_index.isValid():
            self.table.setCurrentIndex(proxy_index)
            self.table.scrollTo(proxy_index)

    def _on_header_menu_requested(self, pos: QPoint) -> None:
        menu = QMenu(self)
        for column in range(self.model.columnCount()):
            action = menu.addAction(str(self.model.headerData(
                column, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)))
            action.setCheckable(True)
            action.setChecked(not self.table.isColumnHidden(column))
            action.setEnabled(column != 0)
            action.toggled.connect(
                lambda on, c=column: self.table.setColumnHidden(c, not on))
        menu.exec(self.table.horizontalHeader().mapToGlobal(pos))

    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        case_id = index.data(CASE_ID_ROLE)
        if case_id is not None:
            self.sig_open_requested.emit(case_id)
