"""The case's Screening tab: its parties against the lists in use, each hit explained, and
the officer's judgement of it (true match or false positive, with a reason).

What it shows is the screening as it stands now (current lists, remembered judgements),
read on the database worker: the first screening after a list import builds the match
index, which takes a moment for a large list. "Screen now" also keeps the run, so the case
can later show which list versions it was screened against. A judgement is stored at once
and every view that shows the case's hard stops is told.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.cases import CaseRecord
from app.roles import Permission
from app.screening import lists as list_store
from app.screening import service
from app.screening.service import DispositionRecord, HitView, RunInfo, Screening
from app.status import EDITABLE, CaseStatus
from app.uow import UnitOfWork
from ui.context import UiContext
from ui.dialogs import show_error
from ui.screening.common import STYLE, when_text, window_runner
from ui.screening.explanation import HitExplanation
from ui.screening.models import DispositionsModel, HitsModel, RunsModel
from ui.settings.common import needs_role_text
from ui.tasks import Progress, TaskRunner

HitId = tuple[str, int, str]  # party key, list id, entry key


@dataclass(frozen=True)
class CaseScreeningState:
    """Everything the tab shows, read in one go on the worker."""

    screening: Screening
    runs: list[RunInfo]
    judgements: list[DispositionRecord]
    list_names: dict[int, str]


def hit_id(hit: HitView) -> HitId:
    return (hit.party.key, hit.hit.list_id, hit.hit.entry_key)


def judgeable(status: CaseStatus) -> bool:
    """Whether the service accepts judgements for a case in this status (it checks again):
    open cases, referred ones and licences in force; not refused, withdrawn or revoked."""
    return status in EDITABLE or status is CaseStatus.REFERRED or status in service.IN_FORCE


def table_view(model: Any, name: str) -> QTableView:
    table = QTableView()
    table.setObjectName(name)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(28)
    table.horizontalHeader().setHighlightSections(False)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def set_widths(table: QTableView, widths: tuple[int, ...], stretch: int | None = None) -> None:
    for column, width in enumerate(widths):
        table.setColumnWidth(column, width)
    if stretch is not None:
        table.horizontalHeader().setStretchLastSection(False)
        table.horizontalHeader().setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)


def fit_columns(table: QTableView, stretch: int) -> None:
    """Every column as wide as its content, one taking the rest: for the short tables (the
    lists, their versions), never for a list's thousands of entries."""
    header = table.horizontalHeader()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)


class CaseScreeningTab(QWidget):
    sig_changed = Signal()  # a run or a judgement was stored

    def __init__(self, ctx: UiContext, is_dirty: Callable[[], bool] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("caseScreening")
        self.setStyleSheet(STYLE)
        self.ctx = ctx
        self.is_dirty = is_dirty or (lambda: False)
        self.record: CaseRecord | None = None
        self.state: CaseScreeningState | None = None
        self.may_screen = ctx.actor.can(Permission.SCREEN)
        self._stale = True
        self._busy = False
        self._own_runner: list[TaskRunner] = []
        self._build()
        self._update_controls()

    # construction -------------------------------------------------------------------------
    def _build(self) -> None:
        self.summary = QLabel()
        self.summary.setObjectName("screeningSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.screen_button = QPushButton(self.tr("Screen now"))
        self.screen_button.setObjectName("primary")
        self.screen_button.setToolTip(self.tr(
            "Screen the saved application's parties against the lists in use and keep the "
            "run (which list versions, threshold and hits)"))
        self.screen_button.clicked.connect(lambda: self.screen_now())
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.screen_button, 0, Qt.AlignmentFlag.AlignTop)
        self.note = QLabel()
        self.note.setObjectName("banner")
        self.note.setWordWrap(True)
        self.note.hide()

        self.hits_model = HitsModel(self)
        self.hits_table = table_view(self.hits_model, "caseHits")
        set_widths(self.hits_table, (360, 340, 260, 60, 160), stretch=HitsModel.ENTRY)
        self.hits_table.selectionModel().selectionChanged.connect(self._on_hit_selected)
        self.empty_label = QLabel()
        self.empty_label.setObjectName("muted")
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.explanation = HitExplanation(self.ctx.ref.country_name)
        self.reason_edit = QPlainTextEdit()
        self.reason_edit.setObjectName("judgementReason")
        self.reason_edit.setPlaceholderText(self.tr(
            "Reason: required for a false positive (a different date of birth, country, "
            "registration or kind of party); recommended for a true match"))
        self.reason_edit.setFixedHeight(58)
        self.reason_edit.textChanged.connect(lambda: self._mark_reason(False))
        self.match_button = QPushButton(self.tr("True match"))
        self.match_button.setObjectName("matchButton")
        self.match_button.setToolTip(self.tr(
            "The party is the listed entry: a hard stop, the application must be refused"))
        self.match_button.clicked.connect(lambda: self.judge(service.MATCH))
        self.false_button = QPushButton(self.tr("False positive"))
        self.false_button.setObjectName("falsePositiveButton")
        self.false_button.setToolTip(self.tr(
            "The party is not the listed entry; remembered for this party and entry until "
            "the entry changes"))
        self.false_button.clicked.connect(lambda: self.judge(service.FALSE_POSITIVE))
        self.judge_box = QFrame()
        self.judge_box.setObjectName("screeningBox")
        judge_layout = QVBoxLayout(self.judge_box)
        judge_layout.setContentsMargins(10, 8, 10, 8)
        judge_title = QLabel(self.tr("Your judgement of the selected hit"))
        judge_title.setObjectName("sectionTitle")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.false_button)
        buttons.addWidget(self.match_button)
        judge_layout.addWidget(judge_title)
        judge_layout.addWidget(self.reason_edit)
        judge_layout.addLayout(buttons)
        hits_box = QWidget()
        hits_layout = QVBoxLayout(hits_box)
        hits_layout.setContentsMargins(0, 0, 0, 0)
        hits_title = QLabel(self.tr("Hits"))
        hits_title.setObjectName("sectionTitle")
        hits_layout.addWidget(hits_title)
        hits_layout.addWidget(self.hits_table, 1)
        hits_layout.addWidget(self.empty_label)

        self.runs_model = RunsModel(self)
        self.runs_table = table_view(self.runs_model, "screeningRuns")
        set_widths(self.runs_table, (120, 120, 110, 70, 240, 44, 44, 44), stretch=4)
        self.judgements_model = DispositionsModel(self)
        self.judgements_table = table_view(self.judgements_model, "caseJudgements")
        set_widths(self.judgements_table, (120, 120, 180, 220, 100, 220, 120), stretch=5)
        self.history_tabs = QTabWidget()
        self.history_tabs.setObjectName("screeningHistory")
        self.history_tabs.setDocumentMode(True)
        self.history_tabs.addTab(self.judgements_table, self.tr("Judgements"))
        self.history_tabs.addTab(self.runs_table, self.tr("Runs"))
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.judge_box)
        side_layout.addWidget(self.history_tabs, 1)

        lower = QSplitter(Qt.Orientation.Horizontal)
        lower.addWidget(self.explanation)
        lower.addWidget(side)
        lower.setStretchFactor(0, 3)
        lower.setStretchFactor(1, 2)
        lower.setSizes([680, 460])
        body = QSplitter(Qt.Orientation.Vertical)
        body.addWidget(hits_box)
        body.addWidget(lower)
        body.setStretchFactor(0, 1)
        body.setStretchFactor(1, 3)
        body.setSizes([140, 510])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 8, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.note)
        layout.addWidget(body, 1)

    # the case -----------------------------------------------------------------------------
    def set_case(self, record: CaseRecord | None) -> None:
        """The editor's case as saved; shown again when the tab is next visible."""
        self.record = record
        self._stale = True
        if record is None:
            self.state = None
            self._show_state()
        elif self.isVisible():
            self.refresh()
        self._update_controls()

    @property
    def case_id(self) -> int | None:
        return self.record.id if self.record else None

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self._stale and self.record is not None:
            self.refresh()
        else:
            self._update_note()

    @property
    def runner(self) -> TaskRunner:
        return window_runner(self, self._own_runner)

    # reading and screening ----------------------------------------------------------------
    def _read(self, uow: UnitOfWork, case_id: int, screening: Screening | None = None
              ) -> CaseScreeningState:
        if screening is None:
            screening = service.case_screening(uow, case_id)
        return CaseScreeningState(screening, service.runs(uow, case_id),
                                  service.disposition_history(uow, case_id),
                                  {i.id: i.name for i in list_store.lists(uow)})

    def refresh(self, select: HitId | None = None) -> None:
        """Read the case's screening as it stands now (nothing is stored)."""
        case_id = self.case_id
        if case_id is None or self._busy:
            return
        db = self.ctx.db
        keep = select or self._selected_id()

        def run(_progress: Progress) -> CaseScreeningState:
            with UnitOfWork(db.session_factory) as uow:
                return self._read(uow, case_id)

        self._start(run, lambda state: self._on_read(state, keep),
                    self.tr("Could not read the case's screening"),
                    self.tr("Reading the screening…"))

    def screen_now(self) -> None:
        """Screen the saved application and keep the run."""
        case_id = self.case_id
        if case_id is None or self._busy or not self.may_screen:
            return
        db, actor = self.ctx.db, self.ctx.actor
        keep = self._selected_id()

        def run(_progress: Progress) -> CaseScreeningState:
            with UnitOfWork(db.session_factory) as uow:
                screening = service.screen_case(uow, actor, case_id)
                return self._read(uow, case_id, screening)

        def done(state: CaseScreeningState) -> None:
            self._on_read(state, keep)
            self._stored()

        self._start(run, done, self.tr("The case was not screened"),
                    self.tr("Screening the parties…"))

    def judge(self, verdict: str) -> None:
        """Record the officer's judgement of the selected hit. A refusal (no reason for a
        false positive, a decided case) is shown in the application's words; nothing is
        stored then."""
        hit = self.selected_hit()
        case_id = self.case_id
        if hit is None or case_id is None or self._busy:
            return
        reason = self.reason_edit.toPlainText().strip()
        db, actor = self.ctx.db, self.ctx.actor
        ident = hit_id(hit)

        def run(_progress: Progress) -> CaseScreeningState:
            with UnitOfWork(db.session_factory) as uow:
                service.record_disposition(uow, actor, case_id, hit.party.key,
                                           hit.hit.list_id, hit.hit.entry_key, verdict, reason)
                return self._read(uow, case_id)

        def done(state: CaseScreeningState) -> None:
            self.reason_edit.clear()
            self._on_read(state, ident)
            self._stored()

        def failed(exc: BaseException) -> None:
            if verdict == service.FALSE_POSITIVE and not reason:
                self._mark_reason(True)
                self.reason_edit.setFocus()

        self._start(run, done, self.tr("The judgement was not recorded"),
                    self.tr("Recording the judgement…"), failed)

    def _start(self, fn: Callable[[Progress], CaseScreeningState],
               done: Callable[[CaseScreeningState], None], error_title: str, text: str,
               failed: Callable[[BaseException], None] | None = None) -> None:
        self._busy = True
        self._update_controls()
        self.summary.setText(text)

        def finish(state: CaseScreeningState) -> None:
            self._busy = False
            done(state)
            self._update_controls()

        def fail(exc: BaseException) -> None:
            self._busy = False
            self.summary.setText(self.summary_text())
            self._update_controls()
            if failed is not None:
                failed(exc)
            show_error(self, error_title, exc)

        self.runner.submit(fn, finish, fail)

    def _stored(self) -> None:
        """A run or a judgement changed what the hard-stop check finds for the case."""
        self.sig_changed.emit()
        self.ctx.signals.sig_screening_changed.emit(self.case_id)
        self.ctx.signals.sig_cases_changed.emit()

    def _on_read(self, state: CaseScreeningState, select: HitId | None) -> None:
        self.state = state
        self._stale = False
        self._show_state(select)

    # showing ------------------------------------------------------------------------------
    def _show_state(self, select: HitId | None = None) -> None:
        state = self.state
        screening = state.screening if state else None
        self.hits_model.set_rows(list(screening.hits) if screening else [])
        self.runs_model.set_rows(state.runs if state else [])
        self.judgements_model.list_names = state.list_names if state else {}
        self.judgements_model.set_rows(state.judgements if state else [])
        self.history_tabs.setTabText(0, self.tr("Judgements (%1)").replace(
            "%1", str(len(state.judgements) if state else 0)))
        self.history_tabs.setTabText(1, self.tr("Runs (%1)").replace(
            "%1", str(len(state.runs) if state else 0)))
        self.summary.setText(self.summary_text())
        self.empty_label.setText(self._empty_text())
        self.empty_label.setVisible(not self.hits_model.rowCount())
        row = -1
        if screening is not None and screening.hits:
            row = self.hits_model.find_row(lambda h: hit_id(h) == select) if select else -1
            row = row if row >= 0 else 0
        if row >= 0:
            self.hits_table.selectRow(row)
        else:
            self.explanation.show_hit(None)
        self._update_note()

    def summary_text(self) -> str:
        if self.record is None:
            return self.tr("Save the application first: its parties are screened as saved.")
        if self.state is None:
            return ""
        s = self.state.screening
        if not s.available:
            return self.tr("No sanctions list is imported or in use: import one in the "
                           "Screening window (Ctrl+6).")
        if s.hits:
            counts = self.tr("hits: %1 (%2 to judge, %3 judged)").replace(
                "%1", str(len(s.hits))).replace("%2", str(len(s.open_hits))).replace(
                "%3", str(len(s.hits) - len(s.open_hits)))
        else:
            counts = self.tr("no hit")
        text = self.tr("%1 parties against %2 at threshold %3 · %4").replace(
            "%1", str(len(s.parties))).replace("%2", s.versions_text()).replace(
            "%3", str(s.threshold)).replace("%4", counts)
        runs = self.state.runs
        if runs:
            last = runs[0]
            text += "\n" + self.tr("Last screened %1 by %2.").replace(
                "%1", when_text(last.run_at)).replace("%2", last.run_by or "—")
        else:
            text += "\n" + self.tr("Not screened yet: this is what screening finds now; "
                                   "Screen now keeps it as a run.")
        return text

    def _empty_text(self) -> str:
        if self.state is None or not self.state.screening.available:
            return ""
        return self.tr("No party resembles a listed entry at the threshold: nothing to judge.")

    def _update_note(self) -> None:
        notes = []
        if not self.may_screen:
            notes.append(self.tr("Read-only.") + " " + needs_role_text(Permission.SCREEN))
        elif self.record is not None and not judgeable(self.record.status):
            notes.append(self.tr("The case is %1: its screening can no longer be judged.")
                         .replace("%1", self.record.status.label.lower()))
        if self.record is not None and self.is_dirty():
            notes.append(self.tr("The application has unsaved changes: screening uses it as "
                                 "saved. Save to screen the parties as they now are."))
        self.note.setText("\n".join(notes))
        self.note.setVisible(bool(notes))

    def _update_controls(self) -> None:
        saved = self.record is not None
        self.screen_button.setEnabled(saved and self.may_screen and not self._busy)
        if not self.may_screen:
            self.screen_button.setToolTip(needs_role_text(Permission.SCREEN))
        can_judge = (self.may_screen and saved and not self._busy
                     and judgeable(self.record.status if self.record else CaseStatus.DRAFT)
                     and self.selected_hit() is not None)
        for widget in (self.match_button, self.false_button):
            widget.setEnabled(can_judge)
        self.reason_edit.setReadOnly(not self.may_screen)
        self.judge_box.setVisible(self.may_screen)

    def _mark_reason(self, invalid: bool) -> None:
        if bool(self.reason_edit.property("invalid")) == invalid:
            return
        self.reason_edit.setProperty("invalid", invalid)
        self.reason_edit.style().unpolish(self.reason_edit)
        self.reason_edit.style().polish(self.reason_edit)

    # selection ----------------------------------------------------------------------------
    def selected_hit(self) -> HitView | None:
        rows = self.hits_table.selectionModel().selectedRows()
        return self.hits_model.row(rows[0].row()) if rows else None

    def _selected_id(self) -> HitId | None:
        hit = self.selected_hit()
        return hit_id(hit) if hit else None

    def select_hit(self, row: int) -> None:
        self.hits_table.selectRow(row)

    def _on_hit_selected(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        hit = self.selected_hit()
        threshold = self.state.screening.threshold if self.state else None
        self.explanation.show_hit(hit, threshold)
        self._update_controls()
