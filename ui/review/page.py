"""The supervisor's countersignature queue: decisions the countersigning rules hold until a
supervisor who took no part in the assessment countersigns them or returns them to the
officer with reasons. The selected case's decision is shown beneath, exactly as signed.

Who may act is decided by the application (``review_queue`` says why not); the buttons
only follow it, and a refusal by the use case is shown as it is.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import decisions
from app.decisions import DecisionRecord, QueueItem
from app.errors import GoldenRuleError
from app.status import CaseStatus
from ui import sign_dialog
from ui.audit.diff_view import setup_table
from ui.audit.formatting import local_time
from ui.audit.record_view import RecordView, latest_decision_id
from ui.context import UiContext
from ui.dialogs import show_error
from ui.review.table_model import CASE_ID_ROLE, QueueTableModel
from ui.widgets.page_header import MessageBanner, page_title

MESSAGE_MS = 12000


class ReviewPage(QWidget):
    sig_queue_loaded = Signal(int)  # cases in the queue after a refresh
    sig_countersigned = Signal(int)  # case id
    sig_returned = Signal(int)  # case id

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reviewPage")
        self.ctx = ctx
        self.model = QueueTableModel(ctx.ref, self)
        self.last_record: DecisionRecord | None = None
        self._build()
        ctx.signals.sig_cases_changed.connect(self.refresh)
        self.refresh()

    # construction -------------------------------------------------------------------------
    def _build(self) -> None:
        title, self.count_label = page_title(self.tr("Countersignature queue"))
        self.return_button = QPushButton(self.tr("Return to officer…"))
        self.return_button.setObjectName("returnButton")
        self.return_button.clicked.connect(lambda: self.return_to_officer())
        self.countersign_button = QPushButton(self.tr("Countersign…"))
        self.countersign_button.setObjectName("primary")
        self.countersign_button.clicked.connect(lambda: self.countersign())
        intro = QLabel(self.tr(
            "Decisions that the countersigning rules hold wait here until a supervisor who took "
            "no part in the assessment countersigns them, or returns them to the officer with "
            "reasons. Read the decision below before you sign."))
        intro.setObjectName("muted")
        intro.setWordWrap(True)

        self.message = MessageBanner(MESSAGE_MS)

        self.table = QTableView()
        self.table.setObjectName("queueTable")
        self.table.setModel(self.model)
        setup_table(self.table)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        for column, width in enumerate((136, 190, 170, 170, 124, 130)):
            self.table.setColumnWidth(column, width)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row_changed)
        self.table.activated.connect(lambda _index: self.record_view.setFocus())
        self.empty = QLabel()
        self.empty.setObjectName("emptyQueue")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("QLabel#emptyQueue { color: #6b7280; font-size: 14px; }")
        self.queue = QStackedWidget()
        self.queue.addWidget(self.table)
        self.queue.addWidget(self.empty)

        self.record_view = RecordView(self.ctx)
        self.record_view.clear(self.tr("Select a case to read its decision here."))
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("reviewSplitter")
        self.splitter.addWidget(self.queue)
        self.splitter.addWidget(self.record_view)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([140, 560])

        top = QHBoxLayout()
        top.addWidget(title)
        top.addSpacing(12)
        top.addWidget(self.count_label)
        top.addStretch(1)
        top.addWidget(self.return_button)
        top.addWidget(self.countersign_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addWidget(intro)
        layout.addWidget(self.message)
        layout.addWidget(self.splitter, 1)

    # loading ------------------------------------------------------------------------------
    def refresh(self) -> None:
        current = self.current_item()
        try:
            with self.ctx.uow() as uow:
                items = decisions.review_queue(uow, self.ctx.actor)
        except GoldenRuleError as exc:
            items = []
            self.show_message(str(exc), sticky=True)
        self.table.selectionModel().blockSignals(True)
        self.model.set_rows(items)
        self.table.selectionModel().blockSignals(False)
        mine = sum(1 for i in items if i.can_act)
        if items:
            self.count_label.setText(self.tr("%n case(s) waiting", "", len(items)) + " · "
                                     + self.tr("%n for you", "", mine))
            self.queue.setCurrentIndex(0)
        else:
            self.count_label.setText("")
            self.empty.setText(self.tr("Nothing awaits your countersignature.") + "\n\n"
                               + self.tr("Decisions that need a countersignature appear "
                                         "here as soon as they are signed."))
            self.queue.setCurrentIndex(1)
        # an empty queue fills the page with its message; nothing to read or sign
        self.record_view.setVisible(bool(items))
        self.countersign_button.setVisible(bool(items))
        self.return_button.setVisible(bool(items))
        row = self.model.row_of_case(current.case_id) if current else -1
        if items:
            self.table.selectionModel().blockSignals(True)
            self.table.selectRow(max(row, 0))
            self.table.selectionModel().blockSignals(False)
            self.table.viewport().update()
            self._show_current()
        else:
            self.record_view.clear(self.tr("Nothing to read: the queue is empty."))
            self._update_buttons()
        self.sig_queue_loaded.emit(len(items))

    def items(self) -> list[QueueItem]:
        return self.model.rows()

    def current_item(self) -> QueueItem | None:
        index = self.table.currentIndex()
        if not index.isValid() or index.row() >= self.model.rowCount():
            return None
        return self.model.row_at(index.row())

    def select_case(self, case_id: int) -> bool:
        row = self.model.row_of_case(case_id)
        if row < 0:
            return False
        self.table.selectRow(row)
        return True

    def _on_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid() and current.data(CASE_ID_ROLE) is not None:
            self._show_current()

    def _show_current(self) -> None:
        item = self.current_item()
        self._update_buttons()
        if item is None:
            self.record_view.clear(self.tr("Select a case to read its decision here."))
            return
        record_id = latest_decision_id(self.ctx, item.case_id)
        if record_id is None:
            self.record_view.clear(self.tr("This case has no decision record."))
            return
        self.record_view.show_record(item.case_id, record_id)

    def _update_buttons(self) -> None:
        item = self.current_item()
        can_act = item is not None and item.can_act
        for button in (self.countersign_button, self.return_button):
            button.setEnabled(can_act)
        if item is None:
            tip = self.tr("Select a case in the queue.")
            self.countersign_button.setToolTip(tip)
            self.return_button.setToolTip(tip)
        elif not item.can_act:
            tip = self.tr("You may not act on %1: %2.").replace("%1", item.reference).replace(
                "%2", item.why_not)
            self.countersign_button.setToolTip(tip)
            self.return_button.setToolTip(tip)
        else:
            self.countersign_button.setToolTip(self.tr(
                "Sign your agreement with this decision; the last countersignature it needs "
                "makes it take effect"))
            self.return_button.setToolTip(self.tr(
                "Send the case back to the officer for a new assessment, with your reasons"))

    # acting -------------------------------------------------------------------------------
    def _summary(self, item: QueueItem) -> str:
        return self.tr("%1 to %2: %3, decided by %4 on %5.").replace(
            "%1", item.reference).replace(
            "%2", self.ctx.ref.country_name(item.destination)).replace(
            "%3", item.outcome.label).replace("%4", item.decided_by).replace(
            "%5", local_time(item.decided_at))

    def countersign(self) -> DecisionRecord | None:
        item = self.current_item()
        if item is None or not item.can_act:
            return None
        number = item.countersigned + 1
        if number >= item.required:
            effect = self.tr("This is countersignature %1 of %2: once you sign, the decision "
                             "takes effect.")
        else:
            effect = self.tr("This is countersignature %1 of %2: the decision then awaits "
                             "another supervisor.")
        summary = (self.tr("Countersign this decision?") + "\n\n" + self._summary(item) + "\n"
                   + effect.replace("%1", str(number)).replace("%2", str(item.required)))
        answer = sign_dialog.ask_signature(
            self, self.tr("Countersign the decision"), summary,
            reason_label=self.tr("Comment (optional):"), sign_text=self.tr("Countersign"))
        if answer is None:
            return None
        password, comment = answer
        try:
            with self.ctx.uow() as uow:
                record = decisions.countersign(uow, self.ctx.actor, item.case_id, comment,
                                               password=password)
        except GoldenRuleError as exc:
            show_error(self, self.tr("The decision was not countersigned"), exc)
            return None
        self.last_record = record
        if record.status_after != record.status_before:
            text = self.tr("%1 countersigned: the decision to %2 now takes effect (%3).")
        else:
            text = self.tr("%1 countersigned: the decision to %2 awaits another "
                           "countersignature.")
        self.show_message(text.replace("%1", item.reference).replace(
            "%2", item.outcome.label.lower()).replace("%3", record.status_after.label))
        self.sig_countersigned.emit(item.case_id)
        self.ctx.signals.sig_cases_changed.emit()
        return record

    def return_to_officer(self) -> DecisionRecord | None:
        item = self.current_item()
        if item is None or not item.can_act:
            return None
        summary = (self.tr("Return this decision to the officer?") + "\n\n" + self._summary(item)
                   + "\n" + self.tr("The case goes back into assessment; the officer sees your "
                                    "reasons and signs a new decision."))
        answer = sign_dialog.ask_signature(
            self, self.tr("Return to the officer"), summary,
            reason_label=self.tr("Your reasons (at least %1 characters):").replace(
                "%1", str(decisions.MIN_REASON)),
            sign_text=self.tr("Sign and return"))
        if answer is None:
            return None
        password, reason = answer
        try:
            with self.ctx.uow() as uow:
                record = decisions.return_decision(uow, self.ctx.actor, item.case_id, reason,
                                                   password=password)
        except GoldenRuleError as exc:
            show_error(self, self.tr("The decision was not returned"), exc)
            return None
        self.last_record = record
        self.show_message(self.tr("%1 returned to %2: it is back %3.").replace(
            "%1", item.reference).replace("%2", item.decided_by).replace(
            "%3", CaseStatus.IN_ASSESSMENT.label.lower()))
        self.sig_returned.emit(item.case_id)
        self.ctx.signals.sig_cases_changed.emit()
        return record

    # messages -----------------------------------------------------------------------------
    def show_message(self, text: str, sticky: bool = False) -> None:
        self.message.show_message(text, sticky)
