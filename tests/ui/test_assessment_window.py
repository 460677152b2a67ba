"""The guided assessment window, driven through its real widgets: steps, criterion pages,
hard-stop review, past incidents, drafts, the decision and the keyboard."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QRadioButton
from sqlalchemy import func, select

from app import assessments, cases
from app.assessment import Outcome, StepStatus
from app.frameworks import catalogue
from app.hardstops import CheckContext, CheckRegistry, CheckResult, CheckStatus
from app.status import CaseStatus
from db.models import DecisionRow
from tests.conftest import OFFICER_PASSWORD
from tests.ui.helpers import type_in_cell, type_into
from ui.assessment.view import AssessmentView

#: A demo case that is received and clear of every embargo (Kenya, police end user).
RECEIVED_CASE = 2
GOLDEN_RULE = catalogue().get("golden-rule")


@pytest.fixture(autouse=True)
def view_errors(dialogs, monkeypatch: pytest.MonkeyPatch):
    """The assessment view's error boxes go to the same recorder as the rest of the UI."""

    def fake_error(parent: object, title: str, exc: BaseException) -> None:
        dialogs.errors.append((title, exc))

    monkeypatch.setattr("ui.assessment.view.show_error", fake_error)
    return dialogs


def _open(window, monkeypatch, case_id: int = RECEIVED_CASE,
          framework: str = "golden-rule") -> AssessmentView:
    monkeypatch.setattr(window, "ask_framework", lambda default: framework)
    view = window.open_assessment(case_id)
    assert view is not None
    monkeypatch.setattr(view, "confirm_decision", lambda decision: OFFICER_PASSWORD)
    return view


def _status(ctx, case_id: int) -> CaseStatus:
    with ctx.uow() as uow:
        return cases.get_case(uow, case_id).status


def _decision_rows(ctx, case_id: int) -> int:
    with ctx.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(DecisionRow)
                                  .where(DecisionRow.case_id == case_id))


def _click_radio(qtbot, button: QRadioButton) -> None:
    """Click the indicator: the button spans its grid cell, wider than its label."""
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(8, button.height() // 2))


def _rate(qtbot, view: AssessmentView, cid: str, level: str) -> None:
    page = view.go_to(cid)
    _click_radio(qtbot, page.level_buttons[level])
    assert page.level_buttons[level].isChecked()


def _choose(combo, value: str) -> None:
    index = combo.findData(value)
    assert index >= 0, f"{value!r} is not offered"
    combo.setCurrentIndex(index)


def _record(qtbot, view: AssessmentView, outcome: Outcome, reasons: str,
            conditions: str = "") -> None:
    page = view.go_to("summary")
    page.outcome_buttons[outcome].click()
    if conditions:
        type_into(qtbot, page.conditions, conditions)
    type_into(qtbot, page.rationale, reasons)
    qtbot.mouseClick(page.record_button, Qt.MouseButton.LeftButton)


def _cite(qtbot, page, reference: str) -> None:
    qtbot.mouseClick(page.citations.add_button, Qt.MouseButton.LeftButton)
    row = page.citations.table.rowCount() - 1
    type_in_cell(qtbot, page.citations.table, row, 0, reference)


# --- opening -----------------------------------------------------------------------------

def test_assess_button_opens_the_assessment_and_starts_it(qtbot, demo_ctx, make_window,
                                                          monkeypatch, dialogs) -> None:
    window = make_window(demo_ctx)
    editor = window.open_case(RECEIVED_CASE)
    assert editor is not None and editor.status == CaseStatus.RECEIVED
    asked: list[str] = []
    monkeypatch.setattr(window, "ask_framework",
                        lambda default: asked.append(default) or "golden-rule")
    assert editor.assess_button.isEnabled()
    qtbot.mouseClick(editor.assess_button, Qt.MouseButton.LeftButton)

    view = window.case_tabs.currentWidget()
    assert isinstance(view, AssessmentView)
    assert asked == ["golden-rule"]
    assert window.assessment_views() == [view]
    assert dialogs.errors == []
    assert _status(demo_ctx, RECEIVED_CASE) == CaseStatus.IN_ASSESSMENT
    assert view.step_keys() == ["checks", "incidents", *GOLDEN_RULE.criterion_ids,
                                "mitigation", "summary"]
    labels = [view.steps.item(i).text() for i in range(view.steps.count())]
    assert labels[:2] == ["Hard-stop checks", "Past incidents"]
    assert labels[-2:] == ["Mitigation", "Summary and decision"]
    assert labels[3].startswith("ihrl · Serious violations of international human rights law")
    assert view.steps.currentRow() == 0
    assert view.stack.currentWidget() is view.checks_page
    assert "Golden Rule" in window.case_tabs.tabText(window.case_tabs.currentIndex())
    assert not view.read_only
    # nothing is rated yet: every criterion is not started and the summary incomplete
    assert all(view.step_status(c) == StepStatus.NOT_STARTED for c in GOLDEN_RULE.criterion_ids)
    assert view.step_status("checks") == StepStatus.COMPLETE
    assert "incomplete" in view.summary_page.headline.text()

    # the open editor follows the case into assessment and can still be saved
    window.case_tabs.setCurrentWidget(editor)
    assert editor.status == CaseStatus.IN_ASSESSMENT
    assert editor.status_chip.text() == CaseStatus.IN_ASSESSMENT.label
    type_into(qtbot, editor.applicant_reference, "KE-POL-2026-7")
    assert editor.save(), dialogs.errors
    with demo_ctx.uow() as uow:
        assert cases.get_case(uow, RECEIVED_CASE).data.applicant_reference == "KE-POL-2026-7"

    # asking again brings the same tab forward, without asking for the framework again
    window.case_tabs.setCurrentIndex(0)
    assert window.open_assessment(RECEIVED_CASE) is view
    assert asked == ["golden-rule"]
    assert window.case_tabs.currentWidget() is view


# --- a whole assessment ------------------------------------------------------------------

def test_whole_assessment_ends_in_an_approval_with_conditions(qtbot, demo_ctx, make_window,
                                                              monkeypatch, dialogs) -> None:
    window = make_window(demo_ctx)
    view = _open(window, monkeypatch)
    for c in GOLDEN_RULE.criterion_ids:
        criterion = GOLDEN_RULE.criterion(c)
        page = view.criterion_pages[c]
        assert view.step_status(c) == StepStatus.NOT_STARTED
        _rate(qtbot, view, c, criterion.level_ids[0])
        if criterion.is_binding:
            _choose(page.legal_test, "not_met")
            assert page.legal_test.currentData() == "not_met"
        assert view.step_status(c) == StepStatus.COMPLETE, page.gaps_label.text()
        assert not page.gaps_label.isVisible()
    assert view.is_dirty()
    assert view.step_status("checks") == StepStatus.COMPLETE
    assert view.step_status("summary") == StepStatus.COMPLETE
    summary = view.go_to("summary")
    assert summary.headline.text().startswith("No rule makes refusal mandatory")
    assert "Approve with conditions" in summary.explanation.text()

    _record(qtbot, view, Outcome.APPROVE_WITH_CONDITIONS,
            "Negligible risk on every criterion; police end user with a clean record.",
            "End-use monitoring visit within 12 months")
    assert dialogs.errors == []
    assert view.decision is not None
    assert view.decision.outcome is Outcome.APPROVE_WITH_CONDITIONS
    assert view.decision.conditions == ["End-use monitoring visit within 12 months"]
    assert _status(demo_ctx, RECEIVED_CASE) == CaseStatus.APPROVED_WITH_CONDITIONS
    assert _decision_rows(demo_ctx, RECEIVED_CASE) == 1
    with demo_ctx.uow() as uow:
        stored = assessments.get_assessment(uow, RECEIVED_CASE, "golden-rule")
    assert stored is not None
    assert {cid: f.level for cid, f in stored.data.findings.items()} == {
        c: GOLDEN_RULE.criterion(c).level_ids[0] for c in GOLDEN_RULE.criterion_ids}
    # the view is now read-only and says so
    assert view.read_only
    assert not view.save_button.isVisible()
    assert not summary.decision_box.isVisible()
    assert summary.decided.isVisible() and "Approve with conditions" in summary.decided.text()
    assert "read-only" in view.banner.text()
    page = view.criterion_pages["ihrl"]
    assert not page.level_buttons["substantial"].isEnabled()
    assert page.rationale.isReadOnly()
    assert view.stack.currentWidget() is summary
    assert view.step_status("summary") == StepStatus.COMPLETE


def test_forbidden_approval_is_refused_and_a_refusal_recorded(qtbot, demo_ctx, make_window,
                                                              monkeypatch, dialogs) -> None:
    window = make_window(demo_ctx)
    view = _open(window, monkeypatch)
    _rate(qtbot, view, "ihrl", "substantial")
    page = view.criterion_pages["ihrl"]
    qtbot.keyClicks(page.rationale, "Security forces fired on protesters in 2024 and 2025.")
    _cite(qtbot, page, "UN OHCHR report A/HRC/58/12, 2025, para 41")
    _choose(page.legal_test, "met")
    assert page.legal_test.currentData() == "met"
    assert [c.reference for c in view.data.finding("ihrl").citations] == [
        "UN OHCHR report A/HRC/58/12, 2025, para 41"]
    assert not page.gaps_label.isVisible(), page.gaps_label.text()
    assert view.step_status("ihrl") == StepStatus.BLOCKS_APPROVAL
    assert view.step_status("summary") == StepStatus.BLOCKS_APPROVAL

    summary = view.go_to("summary")
    assert summary.headline.text() == "Refusal is mandatory."
    assert "criterion ihrl" in summary.explanation.text().lower()
    assert "substantial risk" in summary.explanation.text()

    _record(qtbot, view, Outcome.APPROVE, "The end user gave firm assurances.")
    assert summary.problems.isVisible() and "forbidden" in summary.problems.text()
    assert len(dialogs.errors) == 1
    title, exc = dialogs.errors[0]
    assert "do not allow" in title
    assert "Approval is forbidden" in str(exc) and "ihrl" in str(exc)
    assert _status(demo_ctx, RECEIVED_CASE) == CaseStatus.IN_ASSESSMENT
    assert _decision_rows(demo_ctx, RECEIVED_CASE) == 0
    assert view.decision is None and not view.read_only
    # the findings were saved before the decision was tried
    with demo_ctx.uow() as uow:
        stored = assessments.get_assessment(uow, RECEIVED_CASE, "golden-rule")
    assert stored is not None and stored.data.finding("ihrl").level == "substantial"

    summary.outcome_buttons[Outcome.REFUSE].click()
    assert summary.criteria.isVisible()
    cited = {summary.criteria.item(i).data(Qt.ItemDataRole.UserRole):
             summary.criteria.item(i).checkState() for i in range(summary.criteria.count())}
    assert cited == {"ihrl": Qt.CheckState.Checked}
    type_into(qtbot, summary.rationale, "Substantial risk of serious IHRL violations.")
    assert not summary.problems.isVisible(), summary.problems.text()
    qtbot.mouseClick(summary.record_button, Qt.MouseButton.LeftButton)
    assert len(dialogs.errors) == 1
    # the default rules send every refusal to a supervisor for countersignature
    assert _status(demo_ctx, RECEIVED_CASE) == CaseStatus.AWAITING_COUNTERSIGNATURE
    assert view.decision is not None and view.decision.criteria_cited == ["ihrl"]
    assert view.read_only


def test_rating_above_lowest_needs_rationale_and_citation(qtbot, demo_ctx, make_window,
                                                          monkeypatch) -> None:
    window = make_window(demo_ctx)
    view = _open(window, monkeypatch)
    _rate(qtbot, view, "ihl", "moderate")
    page = view.criterion_pages["ihl"]
    assert page.legal_test.currentData() == "not_met"  # stated the way the rating reads
    assert page.gaps_label.isVisible()
    gaps = page.gaps_label.text()
    assert "write the rationale" in gaps
    assert "cite at least one evidence item" in gaps
    assert view.step_status("ihl") == StepStatus.IN_PROGRESS

    qtbot.keyClicks(page.rationale, "Credible reports of indiscriminate shelling in 2024.")
    assert "write the rationale" not in page.gaps_label.text()
    assert view.step_status("ihl") == StepStatus.IN_PROGRESS
    _cite(qtbot, page, "UN Panel of Experts S/2025/100, para 12")
    assert not page.gaps_label.isVisible()
    assert view.step_status("ihl") == StepStatus.COMPLETE
    judgements = view.evaluation.judgements
    assert [j.criterion_id for j in judgements] == ["ihl"]


# --- hard stops --------------------------------------------------------------------------

def test_embargoed_destination_blocks_approval(qtbot, ctx, officer, make_window, monkeypatch,
                                               dialogs, sample_case_data) -> None:
    data = replace(sample_case_data, destination="KP",
                   parties=[replace(p, country="KP") if p.role != "freight_forwarder" else p
                            for p in sample_case_data.parties],
                   euc_issuer="Ministry of People's Armed Forces")
    with ctx.uow() as uow:
        record = cases.create_case(uow, officer, data, status=CaseStatus.RECEIVED)
    window = make_window(ctx)
    view = _open(window, monkeypatch, record.id)
    assert any(r.status is CheckStatus.APPLIES for r in view.results)
    assert view.step_status("checks") == StepStatus.BLOCKS_APPROVAL
    assert view.step_status("prohibitions") == StepStatus.BLOCKS_APPROVAL
    card = view.checks_page.cards[0]
    assert card.result.status is CheckStatus.APPLIES
    summary = view.go_to("summary")
    assert summary.headline.text() == "Refusal is mandatory."
    assert "Hard stop" in summary.explanation.text()
    assert "Hard stop: UN arms embargo on North Korea" in summary.explanation.text()
    assert "Outcomes the rules allow:</b> Refuse, Refer to a supervisor" in \
        summary.explanation.text()

    _record(qtbot, view, Outcome.APPROVE, "Approve regardless.")
    assert len(dialogs.errors) == 1
    assert "Approval is forbidden" in str(dialogs.errors[0][1])
    assert _status(ctx, record.id) == CaseStatus.IN_ASSESSMENT
    assert _decision_rows(ctx, record.id) == 0

    # a refusal must cite the hard stop: it is ticked already
    summary.outcome_buttons[Outcome.REFUSE].click()
    items = [summary.criteria.item(i) for i in range(summary.criteria.count())]
    assert [(i.data(Qt.ItemDataRole.UserRole), i.checkState()) for i in items] == [
        ("prohibitions", Qt.CheckState.Checked)]
    qtbot.mouseClick(summary.record_button, Qt.MouseButton.LeftButton)
    assert len(dialogs.errors) == 1
    assert _status(ctx, record.id) == CaseStatus.AWAITING_COUNTERSIGNATURE


class _FakeCheck:
    name = "embargo"

    def __init__(self, status: CheckStatus) -> None:
        self.status = status

    def run(self, context: CheckContext) -> list[CheckResult]:
        return [CheckResult("embargo", "embargo:test-region", self.status,
                            "Regional embargo on the north", "Covers the northern provinces.",
                            "Test Regulation 1/2026")]


def test_officer_reviews_a_check_that_needs_review(qtbot, demo_ctx, make_window,
                                                   monkeypatch) -> None:
    monkeypatch.setattr("app.hardstops._REGISTRY", CheckRegistry([_FakeCheck(CheckStatus.REVIEW)]))
    window = make_window(demo_ctx)
    view = _open(window, monkeypatch)
    page = view.checks_page
    assert view.stack.currentWidget() is page
    assert [c.result.key for c in page.cards] == ["embargo:test-region"]
    card = page.cards[0]
    assert card.answer.isVisible() and card.reason.isVisible()
    assert page.gaps_label.isVisible()
    assert "Say whether Regional embargo on the north applies" in page.gaps_label.text()
    assert view.step_status("checks") == StepStatus.IN_PROGRESS

    _choose(card.answer, "no")
    assert "Give the reason Regional embargo on the north does not apply" in \
        page.gaps_label.text()
    assert view.step_status("checks") == StepStatus.IN_PROGRESS
    qtbot.keyClicks(card.reason, "The end user is in Nairobi, outside the region.")
    assert not page.gaps_label.isVisible(), page.gaps_label.text()
    assert view.step_status("checks") == StepStatus.COMPLETE
    assert "does not apply" in view.go_to("summary").explanation.text()

    # the review is part of the saved assessment and shown again on reopening
    assert view.save()
    again = AssessmentView(demo_ctx, RECEIVED_CASE, "golden-rule")
    qtbot.addWidget(again)
    reopened = again.checks_page.cards[0]
    assert reopened.answer.currentData() == "no"
    assert reopened.reason.text() == "The end user is in Nairobi, outside the region."
    assert again.step_status("checks") == StepStatus.COMPLETE

    # a check the officer confirms makes refusal mandatory
    _choose(card.answer, "yes")
    assert view.step_status("checks") == StepStatus.BLOCKS_APPROVAL
    assert view.evaluation.mandatory_refusal


# --- drafts and saving -------------------------------------------------------------------

def test_unsaved_work_is_restored_after_a_crash(qtbot, demo_ctx, make_window,
                                                monkeypatch) -> None:
    window = make_window(demo_ctx)
    view = _open(window, monkeypatch)
    page = view.go_to("ihl")
    qtbot.keyClicks(page.rationale, "Half-written rationale")
    assert view.is_dirty()
    assert view.title().endswith("•")
    qtbot.waitUntil(lambda: view.save_state.text() == "Draft autosaved", timeout=5000)

    # the tab disappears without maybe_close, as in a crash
    window.case_tabs.removeTab(window.case_tabs.indexOf(view))
    view._autosave.stop()
    view.deleteLater()
    qtbot.waitUntil(lambda: window.assessment_views() == [], timeout=2000)
    QApplication.processEvents()
    with demo_ctx.uow() as uow:
        stored = assessments.get_assessment(uow, RECEIVED_CASE, "golden-rule")
    assert stored is not None and stored.data.finding("ihl").rationale == ""

    restored = window.open_assessment(RECEIVED_CASE)
    assert restored is not None and restored is not view
    assert restored.criterion_pages["ihl"].rationale.toPlainText() == "Half-written rationale"
    assert restored.banner.isVisible()
    assert "Restored work autosaved at" in restored.banner.text()
    assert restored.discard_button.isVisible()
    assert restored.is_dirty()
    assert restored.step_keys()[restored.steps.currentRow()] == "ihl"
    assert restored.stack.currentWidget() is restored.criterion_pages["ihl"]
    assert restored.step_status("ihl") == StepStatus.IN_PROGRESS

    # moving to another step saves the assessment and drops the draft
    qtbot.mouseClick(restored.next_button, Qt.MouseButton.LeftButton)
    assert restored.step_keys()[restored.steps.currentRow()] == "gbv"
    assert not restored.is_dirty()
    assert not restored.discard_button.isVisible()
    with demo_ctx.uow() as uow:
        stored = assessments.get_assessment(uow, RECEIVED_CASE, "golden-rule")
        draft = assessments.load_draft(uow, demo_ctx.actor, RECEIVED_CASE, "golden-rule")
    assert stored is not None and stored.data.finding("ihl").rationale == "Half-written rationale"
    assert draft is None
    fresh = AssessmentView(demo_ctx, RECEIVED_CASE, "golden-rule")
    qtbot.addWidget(fresh)
    assert fresh.criterion_pages["ihl"].rationale.toPlainText() == "Half-written rationale"
    assert fresh.restored_at is None and "Restored" not in fresh.banner.text()
    assert not fresh.is_dirty()
    assert fresh.step_keys()[fresh.steps.currentRow()] == "gbv"


def test_discarding_restored_work_goes_back_to_the_saved_assessment(qtbot, demo_ctx,
                                                                     make_window,
                                                                     monkeypatch) -> None:
    window = make_window(demo_ctx)
    view = _open(window, monkeypatch)
    page = view.go_to("gbv")
    qtbot.keyClicks(page.rationale, "Not wanted")
    view.autosave_now()
    window.case_tabs.removeTab(window.case_tabs.indexOf(view))
    view._autosave.stop()
    view.deleteLater()
    QApplication.processEvents()

    restored = window.open_assessment(RECEIVED_CASE)
    assert restored.criterion_pages["gbv"].rationale.toPlainText() == "Not wanted"
    qtbot.mouseClick(restored.discard_button, Qt.MouseButton.LeftButton)
    assert restored.criterion_pages["gbv"].rationale.toPlainText() == ""
    assert not restored.is_dirty()
    assert not restored.discard_button.isVisible()
    assert "Restored" not in restored.banner.text()
    with demo_ctx.uow() as uow:
        assert assessments.load_draft(uow, demo_ctx.actor, RECEIVED_CASE, "golden-rule") is None


def test_past_incidents_are_saved_and_bad_dates_refused(qtbot, demo_ctx, make_window,
                                                        monkeypatch, dialogs) -> None:
    window = make_window(demo_ctx)
    view = _open(window, monkeypatch)
    page = view.go_to("incidents")
    assert view.step_status("incidents") == StepStatus.NOT_STARTED
    qtbot.mouseClick(page.table.add_button, Qt.MouseButton.LeftButton)
    table = page.table.table
    type_in_cell(qtbot, table, 0, 0, "2023-05")
    type_in_cell(qtbot, table, 0, 1, "Rapid-response police unit")
    type_in_cell(qtbot, table, 0, 2, "Live fire on protesters; 12 killed")
    type_in_cell(qtbot, table, 0, 4, "Amnesty International report AFR 32/1234/2023")
    _choose(table.cellWidget(0, 5), "ongoing")
    assert view.step_status("incidents") == StepStatus.COMPLETE
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    assert dialogs.errors == []
    assert not view.is_dirty()

    window._close_editor(view)
    assert window.assessment_views() == []
    reopened = window.open_assessment(RECEIVED_CASE)
    assert reopened is not None
    rows = reopened.incidents_page.table.rows()
    assert rows == [["2023-05", "Rapid-response police unit",
                     "Live fire on protesters; 12 killed", "",
                     "Amnesty International report AFR 32/1234/2023", "ongoing"]]
    assert reopened.step_status("incidents") == StepStatus.COMPLETE

    page = reopened.go_to("incidents")
    type_in_cell(qtbot, page.table.table, 0, 0, "2024-13")
    qtbot.mouseClick(reopened.save_button, Qt.MouseButton.LeftButton)
    assert page.problems_label.isVisible()
    assert "2024-13" in page.problems_label.text()
    assert "YYYY-MM" in page.problems_label.text()
    assert "Incident 1, date" in page.problems_label.text()
    assert len(dialogs.errors) == 1
    assert reopened.is_dirty()
    with demo_ctx.uow() as uow:
        stored = assessments.list_incidents(uow, RECEIVED_CASE)
    assert [i.occurred for i in stored] == ["2023-05"]

    # corrected, it saves and the problem goes away
    type_in_cell(qtbot, page.table.table, 0, 0, "2024-12")
    assert reopened.save(), dialogs.errors[1:]
    assert not page.problems_label.isVisible()
    with demo_ctx.uow() as uow:
        assert [i.occurred for i in assessments.list_incidents(uow, RECEIVED_CASE)] == [
            "2024-12"]


def test_closing_the_window_saves_the_assessment(qtbot, demo_ctx, make_window,
                                                 monkeypatch, dialogs) -> None:
    window = make_window(demo_ctx)
    view = _open(window, monkeypatch)
    page = view.go_to("diversion")
    _click_radio(qtbot, page.level_buttons["low"])
    qtbot.keyClicks(page.rationale, "One resale in 2019, since addressed.")
    assert view.is_dirty()
    assert window.close()
    assert dialogs.errors == []
    with demo_ctx.uow() as uow:
        stored = assessments.get_assessment(uow, RECEIVED_CASE, "golden-rule")
        draft = assessments.load_draft(uow, demo_ctx.actor, RECEIVED_CASE, "golden-rule")
    assert stored is not None
    finding = stored.data.finding("diversion")
    assert (finding.level, finding.rationale) == ("low", "One resale in 2019, since addressed.")
    assert stored.data.current_step == "diversion"
    assert draft is None


# --- keyboard ----------------------------------------------------------------------------

def _tab_to(qtbot, window, target, limit: int = 20) -> None:
    for _ in range(limit):
        if QApplication.focusWidget() is target:
            return
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is target, QApplication.focusWidget()


def test_keyboard_only_assessment(qtbot, demo_ctx, make_window, monkeypatch) -> None:
    window = make_window(demo_ctx)
    monkeypatch.setattr(window, "ask_framework", lambda default: "golden-rule")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    window.register.select_case(RECEIVED_CASE)
    window.register.table.setFocus()
    assert window.register.current_case_id() == RECEIVED_CASE
    qtbot.keyClick(window.register.table, Qt.Key.Key_A,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    view = window.case_tabs.currentWidget()
    assert isinstance(view, AssessmentView) and view.case_id == RECEIVED_CASE
    assert _status(demo_ctx, RECEIVED_CASE) == CaseStatus.IN_ASSESSMENT

    view.next_button.setFocus()
    qtbot.keyClick(view.next_button, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert view.steps.hasFocus()
    assert view.steps.currentRow() == 0
    qtbot.keyClick(view.steps, Qt.Key.Key_Down)
    assert view.step_keys()[view.steps.currentRow()] == "incidents"
    assert view.stack.currentWidget() is view.incidents_page
    qtbot.keyClick(view.steps, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: view.steps.currentRow() == 2, timeout=2000)  # an animated click
    assert view.step_keys()[view.steps.currentRow()] == "prohibitions"
    view.steps.setFocus()
    qtbot.keyClick(view.steps, Qt.Key.Key_Down)
    assert view.step_keys()[view.steps.currentRow()] == "ihrl"
    page = view.criterion_pages["ihrl"]
    assert view.stack.currentWidget() is page

    first_question = GOLDEN_RULE.criterion("ihrl").questions[0].id
    _tab_to(qtbot, window, page.answer_boxes[first_question], limit=4)
    qtbot.keyClick(page.answer_boxes[first_question], Qt.Key.Key_Down)
    assert page.answer_boxes[first_question].currentData() == "yes"
    assert view.data.finding("ihrl").answers == {first_question: "yes"}

    negligible = page.level_buttons["negligible"]
    _tab_to(qtbot, window, negligible, limit=len(page.answer_boxes) + 2)
    qtbot.keyClick(negligible, Qt.Key.Key_Space)
    assert negligible.isChecked()
    assert view.data.finding("ihrl").level == "negligible"
    qtbot.keyClick(negligible, Qt.Key.Key_Down)
    focused = QApplication.focusWidget()
    assert focused is page.level_buttons["low"]
    qtbot.keyClick(focused, Qt.Key.Key_Space)
    assert page.level_buttons["low"].isChecked()
    assert view.data.finding("ihrl").level == "low"
    assert view.is_dirty()

    qtbot.keyClick(focused, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not view.is_dirty()
    with demo_ctx.uow() as uow:
        stored = assessments.get_assessment(uow, RECEIVED_CASE, "golden-rule")
    assert stored is not None
    assert stored.data.finding("ihrl").level == "low"
    assert stored.data.finding("ihrl").answers == {first_question: "yes"}


# --- historical frameworks ---------------------------------------------------------------

def test_historical_framework_is_for_reference_only(qtbot, demo_ctx, make_window, monkeypatch,
                                                    dialogs) -> None:
    window = make_window(demo_ctx)
    view = _open(window, monkeypatch, framework="us-nsm18")
    assert view.framework.is_historical
    assert view.banner.isVisible()
    assert "Historical framework, withdrawn on 2025-03-14" in view.banner.text()
    summary = view.go_to("summary")
    assert summary.headline.text().startswith("Historical framework")
    assert view.evaluation.allowed == frozenset()
    assert "Outcomes the rules allow:</b> none" in summary.explanation.text()
    for c in view.framework.criterion_ids:
        _rate(qtbot, view, c, view.framework.criterion(c).level_ids[0])
    assert view.evaluation.allowed == frozenset()
    assert view.go_to("summary").headline.text().startswith("Historical framework")

    for outcome in (Outcome.APPROVE, Outcome.REFER):
        _record(qtbot, view, outcome, "Reference only.")
        assert "historical" in str(dialogs.errors[-1][1])
    assert len(dialogs.errors) == 2
    assert _decision_rows(demo_ctx, RECEIVED_CASE) == 0
    assert view.decision is None


def test_the_incidents_log_is_summed_up_beside_the_pattern_questions(
        qtbot, demo_ctx, make_window) -> None:
    window = make_window(demo_ctx)
    view = window.open_assessment(2, "golden-rule")
    page = view.criterion_pages["ihrl"]
    assert "empty" in page.incidents_note.text()
    incidents = view.go_to("incidents")
    incidents.table.add_row(["2024-06", "Unit 7", "Shots fired at a crowd", "Rifles",
                             "Report", "no"])
    incidents.table.add_row(["2022", "Unit 7", "Detainee ill-treated", "", "Report", "yes"])
    assert "2 incident" in page.incidents_note.text()
    assert "2022 to 2024-06" in page.incidents_note.text()
    assert "1 not investigated" in page.incidents_note.text()
    view._autosave.stop()


def test_one_click_cites_suggested_evidence_and_fills_the_incidents_log(
        qtbot, demo_ctx, make_window) -> None:
    from datetime import date as _date

    from app import evidence
    from app.evidence import EvidenceData, NewEvidence

    with demo_ctx.uow() as uow:
        police, _other = evidence.store_batch(uow, demo_ctx.actor, [
            NewEvidence(EvidenceData(
                "Policing of protests in Nairobi", "ngo", "B", "2", countries=["KE"],
                actors=["National Police Service"], violations=["excessive_force_protest"],
                item_categories=["ML13"], events_from=_date(2024, 6, 18),
                summary="Live fire on marchers.")),
            NewEvidence(EvidenceData("Coastal fisheries review", "media", "C", "3",
                                     countries=["NO"]))]).added
    window = make_window(demo_ctx)
    view = window.open_assessment(2, "eu-cp")
    page = view.go_to("2a")
    tree = page.evidence.tree
    rows = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    ids = [int(r.data(0, Qt.ItemDataRole.UserRole)) for r in rows]
    assert police in ids and _other not in ids  # only what concerns the case
    ours = rows[ids.index(police)]
    assert "names the end user" in ours.text(3)
    tree.setCurrentItem(ours)
    qtbot.mouseClick(page.evidence.cite_button, Qt.MouseButton.LeftButton)
    cited = view.data.finding("2a").citations
    assert len(cited) == 1 and cited[0].evidence_id == police and cited[0].grade == "B2"
    with demo_ctx.uow() as uow:
        assert cited[0].content_sha256 == evidence.get_evidence(uow, police).content_sha256
    qtbot.mouseClick(page.evidence.cite_button, Qt.MouseButton.LeftButton)
    assert len(view.data.finding("2a").citations) == 1  # cited once

    type_into(qtbot, page.evidence.search_box, "fisheries")
    qtbot.waitUntil(lambda: tree.topLevelItemCount() == 1
                    and "Coastal" in tree.topLevelItem(0).text(3), timeout=3000)

    incidents = view.go_to("incidents")
    before = len(view.incidents)
    qtbot.mouseClick(incidents.from_evidence_button, Qt.MouseButton.LeftButton)
    assert [i.occurred for i in view.incidents[before:]] == ["2024-06-18"]
    qtbot.mouseClick(incidents.from_evidence_button, Qt.MouseButton.LeftButton)
    assert len(view.incidents) == before + 1  # not added twice
    assert view.save()
    with demo_ctx.uow() as uow:
        stored = assessments.get_assessment(uow, 2, "eu-cp")
        assert stored is not None
        assert stored.data.finding("2a").citations[0].content_sha256 == cited[0].content_sha256
        assert assessments.list_incidents(uow, 2)[-1].description == "Live fire on marchers."
