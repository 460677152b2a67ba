"""The guided assessment of one case under one framework: a step list on the left (hard-stop
checks, past incidents, each criterion, mitigation, summary) and the step on the right.

The officer's work is autosaved as a draft two seconds after the last keystroke and saved
to the assessment when they move between steps, press Ctrl+S or close the tab; reopening
the case resumes at the step they were on. The rules come from ``app.assessment``.
"""

from __future__ import annotations

import re
from datetime import date

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QIcon, QKeySequence, QPainter, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app import assessments, cases, evidence, evidence_for_case
from app import decisions as decisions_api
from app.assessment import (
    CHECKS_STEP,
    MITIGATION_STEP,
    AssessmentData,
    DecisionInput,
    Evaluation,
    StepStatus,
    evaluate,
)
from app.assessments import ASSESSABLE, AssessmentRecord, IncidentData
from app.cases import CaseRecord
from app.decisions import DecisionRecord, RecordKind
from app.errors import FieldProblem, GoldenRuleError, ValidationError
from app.evidence_for_case import Suggestion
from app.hardstops import CheckResult
from app.status import CaseStatus
from app.vocab import Role
from ui.assessment.checks_page import ChecksPage
from ui.assessment.criterion_page import CriterionPage
from ui.assessment.list_pages import IncidentsPage, MitigationPage
from ui.assessment.summary_page import SummaryPage
from ui.context import UiContext
from ui.dialogs import show_error
from ui.sign_dialog import ask_signature

AUTOSAVE_MS = 2000
INCIDENTS_STEP = "incidents"
SUMMARY_STEP = "summary"

STATUS_COLOURS = {
    StepStatus.NOT_STARTED: "#c3c8d2",
    StepStatus.IN_PROGRESS: "#2f6fd6",
    StepStatus.COMPLETE: "#1f8a5b",
    StepStatus.BLOCKS_APPROVAL: "#c62828",
}


def _dot(colour: str) -> QIcon:
    pixmap = QPixmap(14, 14)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(colour))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(1, 1, 12, 12)
    painter.end()
    return QIcon(pixmap)


class AssessmentView(QWidget):
    sig_title_changed = Signal()
    sig_screening_requested = Signal(int)  # the case id: open its screening tab

    def __init__(self, ctx: UiContext, case_id: int, framework_id: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("assessmentView")
        self.ctx = ctx
        self.case_id = case_id
        self.framework_id = framework_id
        self.case: CaseRecord | None = None
        self.record: AssessmentRecord | None = None
        self.data = AssessmentData(framework_id)
        self.incidents: list[IncidentData] = []
        self.results: list[CheckResult] = []
        self.as_of = date.today()
        self.evaluation: Evaluation | None = None
        self.decision: DecisionRecord | None = None
        self._dirty = False
        self._saved_json: dict = {}
        self._saved_incidents: list[dict] = []
        self._autosave = QTimer(self, singleShot=True, interval=AUTOSAVE_MS)
        self._autosave.timeout.connect(self.autosave_now)
        self.pages: dict[str, QWidget] = {}
        self.criterion_pages: dict[str, CriterionPage] = {}
        self._load()
        self._build()
        self._show_all()

    # loading ------------------------------------------------------------------------------
    def _load(self) -> None:
        with self.ctx.uow() as uow:
            self.case = cases.get_case(uow, self.case_id)
            self.record = assessments.open_assessment(uow, self.ctx.actor, self.case_id,
                                                      self.framework_id)
            self.incidents = assessments.list_incidents(uow, self.case_id)
            self.results = assessments.hard_stops(uow, self.case_id, self.as_of)
            draft = assessments.load_draft(uow, self.ctx.actor, self.case_id, self.framework_id)
            decisions = [d for d in decisions_api.list_decisions(uow, self.case_id)
                         if d.kind is RecordKind.DECISION
                         if d.framework_id == self.framework_id]
            self.case = cases.get_case(uow, self.case_id)
        self.framework = self.record.framework
        self.data = self.record.data
        self.decision = decisions[-1] if decisions else None
        self._saved_json = self.data.to_json()
        self._saved_incidents = [i.to_json() for i in self.incidents]
        self.restored_at = None
        if draft is not None and not self.read_only:
            differs = (draft.data.to_json() != self._saved_json
                       or [i.to_json() for i in draft.incidents] != self._saved_incidents)
            if differs:
                self.data = draft.data
                self.incidents = draft.incidents
                self.restored_at = draft.saved_at
                self._dirty = True
            else:
                self.data.current_step = draft.data.current_step

    @property
    def read_only(self) -> bool:
        if self.case is None or self.case.status not in ASSESSABLE:
            return True
        return self.case.status == CaseStatus.REFERRED and self.ctx.actor.role != Role.SUPERVISOR

    # construction -------------------------------------------------------------------------
    def _build(self) -> None:
        fw = self.framework
        self.title_label = QLabel()
        self.title_label.setObjectName("pageTitle")
        self.framework_label = QLabel()
        self.framework_label.setObjectName("muted")
        self.save_state = QLabel()
        self.save_state.setObjectName("muted")
        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.setToolTip(self.tr("Save the assessment (Ctrl+S); it also saves "
                                            "itself as you move between steps"))
        self.save_button.clicked.connect(self.save)
        header = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(self.title_label)
        titles.addWidget(self.framework_label)
        header.addLayout(titles, 1)
        header.addWidget(self.save_state)
        header.addWidget(self.save_button)

        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.discard_button = QPushButton(self.tr("Discard restored work"))
        self.discard_button.clicked.connect(self.discard_restored)
        self.discard_button.hide()
        banner_row = QHBoxLayout()
        banner_row.addWidget(self.banner, 1)
        banner_row.addWidget(self.discard_button)

        self.steps = QListWidget()
        self.steps.setObjectName("assessmentSteps")
        self.steps.setFixedWidth(290)
        self.steps.setIconSize(QSize(14, 14))
        self.steps.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.steps.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.steps.setAccessibleName(self.tr("Assessment steps"))
        self.stack = QStackedWidget()

        self.checks_page = ChecksPage()
        self.checks_page.sig_changed.connect(self._on_checks_changed)
        self.checks_page.sig_rerun_requested.connect(self.rerun_checks)
        self.checks_page.sig_open_screening.connect(
            lambda: self.sig_screening_requested.emit(self.case_id))
        self.ctx.signals.sig_screening_changed.connect(self._on_screening_changed)
        self._add_step(CHECKS_STEP, self.tr("Hard-stop checks"), self.checks_page)
        self.incidents_page = IncidentsPage()
        self.incidents_page.sig_changed.connect(self._on_incidents_changed)
        self.incidents_page.from_evidence_button.clicked.connect(
            self.add_incidents_from_citations)
        self._add_step(INCIDENTS_STEP, self.tr("Past incidents"), self.incidents_page)
        for c in fw.criteria:
            page = CriterionPage(c, self.search_evidence)
            page.sig_changed.connect(self._changed)
            page.sig_cite_requested.connect(lambda item_id, p=page: self.cite(p, item_id))
            self.criterion_pages[c.id] = page
            self._add_step(c.id, f"{c.id} · {c.title}", page)
        self.mitigation_page = MitigationPage(fw)
        self.mitigation_page.sig_changed.connect(self._on_mitigations_changed)
        self._add_step(MITIGATION_STEP, self.tr("Mitigation"), self.mitigation_page)
        self.summary_page = SummaryPage(fw)
        self.summary_page.sig_record_requested.connect(self.record_decision)
        self._add_step(SUMMARY_STEP, self.tr("Summary and decision"), self.summary_page)
        self.steps.currentRowChanged.connect(self._on_step_changed)

        self.prev_button = QPushButton(self.tr("&Previous step"))
        self.next_button = QPushButton(self.tr("&Next step"))
        self.prev_button.clicked.connect(lambda: self.go_step(self.steps.currentRow() - 1))
        self.next_button.clicked.connect(lambda: self.go_step(self.steps.currentRow() + 1))
        nav = QHBoxLayout()
        nav.addWidget(self.prev_button)
        nav.addStretch(1)
        nav.addWidget(self.next_button)
        right = QVBoxLayout()
        right.addWidget(self.stack, 1)
        right.addLayout(nav)
        body = QHBoxLayout()
        body.addWidget(self.steps)
        body.addLayout(right, 1)

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addLayout(banner_row)
        layout.addLayout(body, 1)
        QShortcut(QKeySequence("Ctrl+L"), self, activated=self.steps.setFocus)

    def _add_step(self, key: str, label: str, page: QWidget) -> None:
        item = QListWidgetItem(label)
        item.setData(Qt.ItemDataRole.UserRole, key)
        self.steps.addItem(item)
        self.stack.addWidget(page)
        self.pages[key] = page

    def step_keys(self) -> list[str]:
        return [self.steps.item(i).data(Qt.ItemDataRole.UserRole)
                for i in range(self.steps.count())]

    # showing -------------------------------------------------------------------------------
    def _show_all(self) -> None:
        assert self.case is not None
        self.checks_page.show_results(self.results, self.data.reviews, self.as_of)
        self.incidents_page.show_incidents(self.incidents)
        for cid, page in self.criterion_pages.items():
            page.show_finding(self.data.finding(cid), self.data.mitigations)
            page.set_incidents(self.incidents)
        self.mitigation_page.show_mitigations(self.data.mitigations)
        self.summary_page.show_decision(self.decision)
        self.refresh_suggestions()
        read_only = self.read_only
        for page in (self.checks_page, self.incidents_page, self.mitigation_page,
                     self.summary_page, *self.criterion_pages.values()):
            page.set_read_only(read_only)
        self.save_button.setVisible(not read_only)
        fw = self.framework
        self.title_label.setText(self.tr("Assessment of %1").replace("%1", self.case.reference))
        text = self.tr("%1 · version %2 · %3 to %4").replace("%1", fw.title).replace(
            "%2", fw.version).replace("%3", self.case.data.exporter_name).replace(
            "%4", self.ctx.ref.country_name(self.case.data.destination))
        self.framework_label.setText(text)
        banners = []
        if fw.is_historical:
            banners.append(self.tr("Historical framework, withdrawn on %1: shown for reference; "
                                   "no decision can be recorded under it.").replace(
                "%1", fw.historical_since.isoformat() if fw.historical_since else ""))
        if self.record and self.record.framework_changed:
            banners.append(self.tr("This assessment keeps the framework text it was started "
                                   "under; the framework file has changed since."))
        if read_only and self.case.status not in ASSESSABLE:
            banners.append(self.tr("The case is %1: the assessment is read-only.").replace(
                "%1", self.case.status.label.lower()))
        elif read_only:
            banners.append(self.tr("The case was referred to a supervisor: only a supervisor "
                                   "may change the assessment or decide."))
        if self.restored_at is not None:
            banners.append(self.tr("Restored work autosaved at %1 that had not been saved.")
                           .replace("%1", self.restored_at.astimezone().strftime("%H:%M:%S")))
            self.discard_button.show()
        self.banner.setText("\n".join(banners))
        self.banner.setVisible(bool(banners))
        self._reevaluate()
        keys = self.step_keys()
        start = keys.index(self.data.current_step) if self.data.current_step in keys else 0
        self.steps.setCurrentRow(start)
        self._update_title()

    def _reevaluate(self) -> None:
        self.evaluation = ev = evaluate(self.framework, self.data, self.results)
        for i in range(self.steps.count()):
            item = self.steps.item(i)
            key = item.data(Qt.ItemDataRole.UserRole)
            if key == INCIDENTS_STEP:
                status = StepStatus.COMPLETE if self.incidents else StepStatus.NOT_STARTED
            elif key == SUMMARY_STEP:
                status = (StepStatus.COMPLETE if self.decision else
                          StepStatus.BLOCKS_APPROVAL if ev.mandatory_refusal else
                          StepStatus.IN_PROGRESS if ev.gaps else StepStatus.COMPLETE)
            else:
                status = ev.steps.get(key, StepStatus.NOT_STARTED)
            item.setIcon(_dot(STATUS_COLOURS[status]))
            item.setData(Qt.ItemDataRole.UserRole + 1, status.value)
            item.setToolTip(f"{item.text()}\n{status.label}")
            item.setData(Qt.ItemDataRole.AccessibleDescriptionRole, status.label)
        self.checks_page.show_gaps(ev.gaps_for(CHECKS_STEP))
        for cid, page in self.criterion_pages.items():
            page.show_gaps(ev.gaps_for(cid))
        self.mitigation_page.show_gaps(ev.gaps_for(MITIGATION_STEP))
        self.summary_page.show_evaluation(ev)

    def step_status(self, key: str) -> StepStatus:
        index = self.step_keys().index(key)
        return StepStatus(self.steps.item(index).data(Qt.ItemDataRole.UserRole + 1))

    def title(self) -> str:
        ref = self.case.reference if self.case else "?"
        short = self.framework.short_title or self.framework.id
        return self.tr("Assess %1 (%2)").replace("%1", ref).replace("%2", short) + (
            " •" if self._dirty else "")

    def _update_title(self) -> None:
        self.sig_title_changed.emit()

    # navigation ---------------------------------------------------------------------------
    def go_step(self, row: int) -> None:
        if 0 <= row < self.steps.count():
            self.steps.setCurrentRow(row)

    def go_to(self, key: str) -> QWidget:
        self.steps.setCurrentRow(self.step_keys().index(key))
        return self.pages[key]

    def _on_step_changed(self, row: int) -> None:
        if row < 0:
            return
        self.flush()
        key = self.steps.item(row).data(Qt.ItemDataRole.UserRole)
        page = self.pages[key]
        if isinstance(page, CriterionPage):
            page.set_mitigations(self.data.mitigations)
        self.stack.setCurrentWidget(page)
        self.prev_button.setEnabled(row > 0)
        self.next_button.setEnabled(row < self.steps.count() - 1)
        if self.data.current_step != key:
            self.data.current_step = key
            if not self.read_only:
                if self._dirty:
                    self.save(quiet=True)
                else:
                    self._autosave.start()

    # edits --------------------------------------------------------------------------------
    def _changed(self) -> None:
        if self.read_only:
            return
        self._dirty = True
        self.save_state.setText(self.tr("Unsaved changes"))
        self._autosave.start()
        self._reevaluate()
        self._update_title()

    def _on_checks_changed(self) -> None:
        self.data.reviews = self.checks_page.reviews()
        self._changed()

    def _on_incidents_changed(self) -> None:
        self.incidents = self.incidents_page.incidents()
        for page in self.criterion_pages.values():
            page.set_incidents(self.incidents)
        self._changed()

    def _on_mitigations_changed(self) -> None:
        self.data.mitigations = self.mitigation_page.mitigations()
        self._changed()

    def flush(self) -> None:
        """Finish any cell being typed in so it is part of the saved state."""
        for page in self.criterion_pages.values():
            page.flush()
        for table in (self.mitigation_page.table, self.incidents_page.table):
            table.commit_open_editor()

    def is_dirty(self) -> bool:
        return self._dirty

    # saving -------------------------------------------------------------------------------
    def autosave_now(self) -> None:
        if self.read_only:
            return
        try:
            with self.ctx.uow() as uow:
                assessments.save_draft(uow, self.ctx.actor, self.case_id,
                                       self.record.row_version if self.record else None,
                                       self.data, self.incidents)
            if self._dirty:
                self.save_state.setText(self.tr("Draft autosaved"))
        except Exception as exc:  # autosave must never interrupt typing
            self.save_state.setText(self.tr("Autosave failed: %1").replace("%1", str(exc)))

    def save(self, quiet: bool = False) -> bool:
        if self.read_only or self.record is None:
            return False
        self.flush()
        self._autosave.stop()
        try:
            with self.ctx.uow() as uow:
                # Kept aside until the commit: a failed save rolls the new row_version back.
                record = assessments.save_assessment(uow, self.ctx.actor, self.case_id,
                                                     self.data, self.record.row_version,
                                                     commit=False)
                incidents = assessments.save_incidents(uow, self.ctx.actor, self.case_id,
                                                       self.incidents, commit=False)
                assessments.discard_draft(uow, self.ctx.actor, self.case_id,
                                          self.framework_id, commit=False)
                uow.commit()
            self.record, self.incidents = record, incidents
        except ValidationError as exc:
            self.autosave_now()
            self.incidents_page.show_problems([self._describe(p) for p in exc.problems])
            if not quiet:
                show_error(self, self.tr("Could not save the assessment"), exc)
            else:
                self.save_state.setText(self.tr("Not saved: see the problems listed"))
            return False
        except GoldenRuleError as exc:
            self.autosave_now()
            if not quiet:
                show_error(self, self.tr("Could not save the assessment"), exc)
            return False
        self.incidents_page.show_problems([])
        self._dirty = False
        self._saved_json = self.data.to_json()
        self.restored_at = None
        self.discard_button.hide()
        self.save_state.setText(self.tr("Saved %1").replace(
            "%1", self.record.updated_at.astimezone().strftime("%H:%M:%S")))
        self._update_title()
        self.ctx.signals.sig_cases_changed.emit()
        return True

    def _describe(self, problem: FieldProblem) -> str:
        """past_incidents[0].occurred → 'Incident 1, date': the words the officer sees."""
        match = re.fullmatch(r"past_incidents\[(\d+)\]\.(\w+)", problem.field)
        if not match:
            return str(problem)
        columns = {"occurred": self.tr("date"), "actor": self.tr("actor or unit"),
                   "description": self.tr("what happened"), "items": self.tr("items"),
                   "source": self.tr("source"), "investigated": self.tr("investigated")}
        return self.tr("Incident %1, %2: %3").replace("%1", str(int(match[1]) + 1)).replace(
            "%2", columns.get(match[2], match[2])).replace("%3", problem.message)

    def discard_restored(self) -> None:
        with self.ctx.uow() as uow:
            assessments.discard_draft(uow, self.ctx.actor, self.case_id, self.framework_id)
        self._dirty = False
        self._load()
        self.restored_at = None
        self.discard_button.hide()
        self._show_all()

    # evidence -----------------------------------------------------------------------------
    def refresh_suggestions(self) -> None:
        assert self.case is not None
        with self.ctx.uow() as uow:
            suggestions = evidence_for_case.suggest_for_case(uow, self.case.data)
        for page in self.criterion_pages.values():
            page.evidence.set_suggestions(suggestions)

    def search_evidence(self, text: str) -> list[Suggestion]:
        with self.ctx.uow() as uow:
            rows, _more = evidence.search_rows(uow, evidence.EvidenceQuery(text=text, limit=30))
            hashes = {r.item_id: evidence.get_evidence(uow, r.item_id).content_sha256
                      for r in rows}
        return [Suggestion(r.item_id, 0.0, (plain,) if (plain := r.snippet.replace(
                    evidence.MARK_START, "").replace(evidence.MARK_END, "")) else (),
                           r.title, r.grade, r.published_on, hashes[r.item_id])
                for r in rows]

    def cite(self, page: CriterionPage, item_id: int) -> bool:
        """Cite the item's current version into the criterion, by content hash."""
        if self.read_only:
            return False
        with self.ctx.uow() as uow:
            citation = evidence.citation_for(uow, item_id)
        return page.cite(citation)

    def add_incidents_from_citations(self) -> int:
        cited = [c for f in self.data.findings.values() for c in f.citations]
        with self.ctx.uow() as uow:
            new = evidence_for_case.incidents_from_citations(uow, cited, self.incidents)
        for incident in new:
            self.incidents_page.table.append_row(
                [incident.occurred, incident.actor, incident.description, incident.items,
                 incident.source, incident.investigated])
        return len(new)

    def _on_screening_changed(self, case_id: int | None) -> None:
        """A judgement or a list update changes what the sanctions check finds: an open
        assessment shows it at once (a decided one keeps the results it was decided on)."""
        if case_id in (None, self.case_id) and not self.read_only:
            self.rerun_checks()

    def rerun_checks(self) -> None:
        with self.ctx.uow() as uow:
            self.results = assessments.hard_stops(uow, self.case_id, self.as_of)
        self.checks_page.show_results(self.results, self.data.reviews, self.as_of)
        self._reevaluate()

    # deciding -----------------------------------------------------------------------------
    def record_decision(self) -> bool:
        decision = self.summary_page.decision()
        if decision is None:
            show_error(self, self.tr("Record the decision"),
                       GoldenRuleError(self.tr("Choose an outcome first.")))
            return False
        if self._dirty and not self.save():
            return False
        password = self.confirm_decision(decision)
        if password is None:
            return False
        try:
            with self.ctx.uow() as uow:
                self.decision = decisions_api.record_decision(
                    uow, self.ctx.actor, self.case_id, self.framework_id, decision, self.as_of,
                    password=password)
        except GoldenRuleError as exc:
            show_error(self, self.tr("The rules do not allow this decision"), exc)
            return False
        self._load()
        self._show_all()
        self.go_to(SUMMARY_STEP)
        self.ctx.signals.sig_cases_changed.emit()
        return True

    def confirm_decision(self, decision: DecisionInput) -> str | None:
        """The signer's password, or None if they cancelled. Overridable in tests."""
        summary = self.tr("Sign '%1' for %2 under %3?").replace(
            "%1", decision.outcome.label).replace(
            "%2", self.case.reference if self.case else "").replace(
            "%3", self.framework.title if self.framework else self.framework_id)
        answer = ask_signature(self, self.tr("Sign the decision"), summary,
                               sign_text=self.tr("Sign decision"))
        return None if answer is None else answer[0]

    # closing ------------------------------------------------------------------------------
    def maybe_close(self) -> bool:
        """Closing saves: the assessment is a working document, never thrown away silently."""
        if self.read_only or not self._dirty:
            self._autosave.stop()
            return True
        return self.save()
