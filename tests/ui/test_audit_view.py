"""The audit view with real widgets over real signed records: the filters, a record read
exactly as signed (document and signed JSON), a case's history and the differences between
its decisions, the consistency view, and the role message for officers."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

import pytest
from PySide6.QtCore import QDate, Qt

from app import cases, decisions
from app.assessment import DecisionInput, Outcome
from app.casedata import CaseData
from app.database import Database
from app.status import CaseStatus
from app.uow import UnitOfWork
from app.users import Actor
from tests.conftest import OFFICER_PASSWORD, SUPERVISOR2_PASSWORD, SUPERVISOR_PASSWORD
from tests.ui.helpers import type_into
from tests.unit.test_assessments_service import FW, assessed, clean, mandatory, registry
from ui.audit.page import AuditPage
from ui.audit.table_models import DecisionsTableModel
from ui.context import UiContext
from ui.tasks import TaskRunner

UowFactory = Callable[[], UnitOfWork]
EARLY = date(2025, 6, 1)
LATE = date(2026, 3, 2)
REFUSE = DecisionInput(Outcome.REFUSE, "Substantial risk under the IHRL criterion.", [],
                       ["ihrl"])
REFUSE_AGAIN = DecisionInput(Outcome.REFUSE, "Substantial risk under IHRL, see the 2026 "
                             "report of the commission of inquiry.", [], ["ihrl"])
APPROVE = DecisionInput(Outcome.APPROVE, "No substantial risk on any criterion.", [], [])


@dataclass
class History:
    """Four cases: an approval and a refusal for Côte d'Ivoire, an earlier approval for
    Kenya by another officer, and a refusal returned, decided again and countersigned."""

    approved_ci: decisions.DecisionRecord
    refused_ci: decisions.DecisionRecord
    approved_ke: decisions.DecisionRecord
    chain: list[decisions.DecisionRecord]


def new_case(uow: UowFactory, officer: Actor, data: CaseData, destination: str) -> int:
    with uow() as u:
        return cases.create_case(u, officer, replace(data, destination=destination),
                                 status=CaseStatus.RECEIVED).id


def sign(uow: UowFactory, actor: Actor, case_id: int, decision: DecisionInput,
         password: str = OFFICER_PASSWORD, as_of: date = LATE) -> decisions.DecisionRecord:
    with uow() as u:
        return decisions.record_decision(u, actor, case_id, FW, decision, as_of,
                                         checks=registry(), password=password)


@pytest.fixture
def history(uow: UowFactory, officer: Actor, supervisor: Actor, supervisor2: Actor,
            sample_case_data: CaseData) -> History:
    ke = new_case(uow, officer, sample_case_data, "KE")
    assessed(uow, supervisor2, ke, clean())
    approved_ke = sign(uow, supervisor2, ke, APPROVE, SUPERVISOR2_PASSWORD, as_of=EARLY)
    ci = new_case(uow, officer, sample_case_data, "CI")
    assessed(uow, officer, ci, clean())
    approved_ci = sign(uow, officer, ci, APPROVE)
    refused = new_case(uow, officer, sample_case_data, "CI")
    assessed(uow, officer, refused, mandatory())
    refused_ci = sign(uow, officer, refused, REFUSE)
    chained = new_case(uow, officer, sample_case_data, "CI")
    assessed(uow, officer, chained, mandatory())
    chain = [sign(uow, officer, chained, REFUSE)]
    with uow() as u:
        chain.append(decisions.return_decision(
            u, supervisor, chained, "The IHRL rationale cites no recent evidence.",
            password=SUPERVISOR_PASSWORD))
    chain.append(sign(uow, officer, chained, REFUSE_AGAIN))
    with uow() as u:
        chain.append(decisions.countersign(u, supervisor2, chained, "Agreed.",
                                           password=SUPERVISOR2_PASSWORD))
    return History(approved_ci, refused_ci, approved_ke, chain)


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch, dialogs) -> list[tuple[str, BaseException]]:
    for module in ("ui.audit.page", "ui.audit.record_view"):
        monkeypatch.setattr(f"{module}.show_error", lambda _p, title, exc: dialogs.errors.append(
            (title, exc)))
    return dialogs.errors


@pytest.fixture
def open_audit(qtbot, database: Database, qapp_style: object, errors
               ) -> Callable[[Actor], AuditPage]:
    def open_(actor: Actor) -> AuditPage:
        page = AuditPage(UiContext(database, actor), runner=TaskRunner(synchronous=True))
        qtbot.addWidget(page)
        page.resize(1280, 800)
        page.show()  # the first search runs when the page is first shown
        qtbot.waitExposed(page)
        return page

    return open_


def refs(page: AuditPage) -> list[str]:
    return [r.ref for r in page.rows()]


def wait_for_refs(qtbot, page: AuditPage, expected: set[str]) -> None:
    """Filters search after a short pause, as the user types."""
    qtbot.waitUntil(lambda: set(refs(page)) == expected and not page.is_searching(),
                    timeout=3000)


def choose(combo, value: str) -> None:
    index = combo.findData(value)
    assert index >= 0, f"{value!r} is not offered"
    combo.setCurrentIndex(index)


# --- filters ----------------------------------------------------------------------------

def test_filters_by_destination_outcome_officer_period_and_follow_ups(
        qtbot, history: History, supervisor: Actor, open_audit, errors) -> None:
    page = open_audit(supervisor)
    decisions_only = {history.approved_ke.ref, history.approved_ci.ref, history.refused_ci.ref,
                      history.chain[0].ref, history.chain[2].ref}
    assert set(refs(page)) == decisions_only
    assert refs(page)[0] == history.chain[2].ref  # newest first
    assert page.count_label.text() == "5 record(s)"
    assert page.kind_column_hidden()

    page.destination.set_code("KE")
    wait_for_refs(qtbot, page, {history.approved_ke.ref})
    page.destination.set_code("CI")
    wait_for_refs(qtbot, page, decisions_only - {history.approved_ke.ref})

    choose(page.outcome, Outcome.REFUSE.value)
    wait_for_refs(qtbot, page, {history.refused_ci.ref, history.chain[0].ref,
                                history.chain[2].ref})
    page.clear_filters()
    assert set(refs(page)) == decisions_only

    choose(page.officer, "zoe")
    wait_for_refs(qtbot, page, {history.approved_ke.ref})
    choose(page.officer, "")

    page.date_from.set_value(date(2026, 1, 1))
    wait_for_refs(qtbot, page, decisions_only - {history.approved_ke.ref})
    page.date_from.clear_value()
    page.date_to.setDate(QDate(2025, 12, 31))
    wait_for_refs(qtbot, page, {history.approved_ke.ref})
    page.clear_filters()

    type_into(qtbot, page.end_user, "gendarmerie")
    wait_for_refs(qtbot, page, decisions_only)
    type_into(qtbot, page.end_user, "Nobody at all")
    wait_for_refs(qtbot, page, set())
    assert page.results.currentWidget() is page.results_empty
    assert "No decision matches these filters" in page.results_empty.text()
    page.clear_filters()

    qtbot.mouseClick(page.follow_ups, Qt.MouseButton.LeftButton)
    wait_for_refs(qtbot, page, decisions_only | {history.chain[1].ref, history.chain[3].ref})
    assert not page.kind_column_hidden()
    kinds = {r.ref: r.kind.value for r in page.rows()}
    assert kinds[history.chain[1].ref] == "return"
    assert kinds[history.chain[3].ref] == "countersignature"
    assert errors == []


def test_criterion_and_category_filters(
        qtbot, history: History, supervisor: Actor, open_audit) -> None:
    page = open_audit(supervisor)
    choose(page.framework, FW)
    choose(page.criterion, "ihrl")
    wait_for_refs(qtbot, page, {history.refused_ci.ref, history.chain[0].ref,
                                history.chain[2].ref})
    page.clear_filters()
    choose(page.category, "ML13")
    wait_for_refs(qtbot, page, {r.ref for r in (history.approved_ke, history.approved_ci,
                                                history.refused_ci, history.chain[0],
                                                history.chain[2])})
    choose(page.category, "ML22")
    wait_for_refs(qtbot, page, set())


# --- reading a record -------------------------------------------------------------------

def test_opening_a_record_shows_it_exactly_as_signed(
        qtbot, history: History, supervisor: Actor, open_audit, uow: UowFactory) -> None:
    page = open_audit(supervisor)
    row = page.model.row_of_record(history.refused_ci.id)
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton,
                     pos=page.table.visualRect(page.model.index(row, 0)).center())
    view = page.record_view
    assert view.record is not None and view.record.id == history.refused_ci.id
    text = view.document_text()
    assert history.refused_ci.ref in text
    assert "Refuse" in text and "Olga Øfficer" in text
    assert "Signature valid" in text
    assert "Substantial risk under the IHRL criterion." in text
    assert "Serious violations of international human rights law" in text  # from the framework
    assert "Gendarmerie nationale de Côte d'Ivoire" in text
    assert "Fusils d'assaut 5,56 mm, calibre OTAN" in text
    assert page.tabs.tabText(0) == "Record"

    qtbot.mouseClick(view.json_button, Qt.MouseButton.LeftButton)
    assert view.pages.currentWidget() is view.json_view
    with uow() as u:
        signed = decisions.snapshot_text(u, history.refused_ci.id)
    assert view.json_view.toPlainText() == signed
    view.indent.setChecked(True)
    assert view.json_view.toPlainText() != signed and "\n  " in view.json_view.toPlainText()
    view.indent.setChecked(False)
    assert view.json_view.toPlainText() == signed
    qtbot.mouseClick(view.document_button, Qt.MouseButton.LeftButton)
    assert view.pages.currentWidget() is view.browser


def test_a_follow_up_record_shows_what_it_refers_to(
        qtbot, history: History, supervisor: Actor, open_audit) -> None:
    page = open_audit(supervisor)
    countersignature = history.chain[3]
    page.open_record(countersignature.case_id, countersignature.id)
    text = page.record_view.document_text()
    assert countersignature.ref in text and "Countersignature 1 of 1" in text
    assert "Zoë Zweite" in text and "Agreed." in text
    assert f"{countersignature.case_reference}/3" in text  # the decision it countersigns


def test_history_lists_the_chain_and_compares_two_records(
        qtbot, history: History, supervisor: Actor, open_audit) -> None:
    page = open_audit(supervisor)
    page.open_record(history.chain[2].case_id, history.chain[2].id)
    page.show_tab("history")
    shown = page.history.records()
    assert [r.ref for r in shown] == [r.ref for r in history.chain]
    assert [r.kind.value for r in shown] == ["decision", "return", "decision",
                                             "countersignature"]
    assert page.tabs.tabText(1) == "History (4)"
    model = page.history.model
    assert model.index(1, 3).data() == "Sven Süpervisor"
    assert model.index(1, 6).data() == "The IHRL rationale cites no recent evidence."
    assert model.index(1, 5).data() == "Awaiting countersignature → In assessment"

    page.history.select(history.chain[0].id, history.chain[2].id)
    paths = page.history.diff.visible_paths()
    assert "decision.rationale" in paths
    assert "signed_at" not in paths  # bookkeeping hidden by default
    page.history.diff.hide_bookkeeping.setChecked(False)
    assert "signed_at" in page.history.diff.visible_paths()

    # double-click a record of the chain: it opens in the Record tab
    index = model.index(1, 1)
    page.history.table.activated.emit(index)
    assert page.tabs.currentIndex() == 0
    assert page.record_view.record.id == history.chain[1].id


def test_differences_after_a_return_and_a_new_decision(
        qtbot, history: History, supervisor: Actor, open_audit) -> None:
    page = open_audit(supervisor)
    page.open_record(history.chain[2].case_id, history.chain[2].id)
    page.show_tab("differences")
    diff = page.differences
    assert "decision.rationale" in diff.visible_paths()
    change = next(c for c in diff.changes() if c.path == "decision.rationale")
    assert change.before == REFUSE.rationale and change.after == REFUSE_AGAIN.rationale
    assert page.tabs.tabText(2) == f"Differences ({len(diff.visible_paths())})"
    assert history.chain[0].ref in diff.caption.text()
    diff.table.selectRow(diff.visible_paths().index("decision.rationale"))
    assert diff.after.toPlainText() == REFUSE_AGAIN.rationale

    page.open_record(history.refused_ci.case_id, history.refused_ci.id)
    assert diff.visible_paths() == []
    assert "first decision on this case" in diff.empty.text()


def test_consistency_shows_an_earlier_approval_to_the_same_destination(
        qtbot, history: History, supervisor: Actor, open_audit) -> None:
    page = open_audit(supervisor)
    page.open_record(history.refused_ci.case_id, history.refused_ci.id)
    page.show_tab("consistency")
    found = {d.row.ref: d for d in page.consistency.divergences()}
    assert history.approved_ci.ref in found
    assert "same destination" in found[history.approved_ci.ref].basis
    assert history.approved_ke.ref in found  # same end user and items, other destination
    assert "same destination" not in found[history.approved_ke.ref].basis
    assert history.chain[0].ref not in found  # the same outcome is no divergence
    assert page.tabs.tabText(3) == f"Consistency ({len(found)})"

    row = next(n for n, d in enumerate(page.consistency.divergences())
               if d.row.ref == history.approved_ci.ref)
    index = page.consistency.model.index(row, 1)
    rect = page.consistency.table.visualRect(index)
    viewport = page.consistency.table.viewport()
    # a real double-click starts with a press (QTest's alone skips it)
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
    assert page.tabs.currentIndex() == 0
    assert page.record_view.record.id == history.approved_ci.id
    assert "Approve" in page.record_view.document_text()
    # the table follows: the opened record is selected in the results
    selected = page.table.selectionModel().selectedRows()
    assert [page.model.row_at(i.row()).id for i in selected] == [history.approved_ci.id]


def test_an_approval_has_no_divergence_from_later_refusals(
        qtbot, history: History, supervisor: Actor, open_audit) -> None:
    page = open_audit(supervisor)
    page.open_record(history.approved_ke.case_id, history.approved_ke.id)
    assert page.consistency.divergences() == []
    assert "No earlier decision" in page.consistency.empty.text()


# --- roles and refreshing -----------------------------------------------------------------

def test_an_officer_sees_that_the_audit_view_needs_a_supervisor(
        qtbot, history: History, officer: Actor, open_audit, errors) -> None:
    page = open_audit(officer)
    assert page.denied
    assert page.denied_label.isVisible()
    text = page.denied_label.text()
    assert "needs the supervisor or administrator role" in text
    assert "may not audit past decisions" in text  # the application's own words
    assert not page.splitter.isVisible() and not page.filters.isVisible()
    assert page.rows() == []
    assert errors == []


def test_an_administrator_may_audit(history: History, admin: Actor, open_audit) -> None:
    page = open_audit(admin)
    assert not page.denied and len(page.rows()) == 5


def test_an_empty_register_says_nothing_is_signed_yet(supervisor: Actor, open_audit) -> None:
    page = open_audit(supervisor)
    assert page.rows() == []
    assert "No decision has been signed yet" in page.results_empty.text()
    assert page.detail.currentWidget() is page.detail_empty


def test_the_view_follows_app_wide_changes(
        qtbot, uow: UowFactory, history: History, officer: Actor, supervisor: Actor,
        sample_case_data: CaseData, open_audit) -> None:
    page = open_audit(supervisor)
    page.open_record(history.refused_ci.case_id, history.refused_ci.id)
    assert page.tabs.tabText(1) == "History (1)"
    with uow() as u:
        decisions.countersign(u, supervisor, history.refused_ci.case_id, "",
                              password=SUPERVISOR_PASSWORD)
    extra = new_case(uow, officer, sample_case_data, "TH")
    assessed(uow, officer, extra, clean())
    newest = sign(uow, officer, extra, APPROVE)
    with qtbot.waitSignal(page.sig_searched, timeout=3000):
        page.ctx.signals.sig_cases_changed.emit()
    assert refs(page)[0] == newest.ref
    assert page.record_view.record.id == history.refused_ci.id  # still reading the same one
    assert page.tabs.tabText(1) == "History (2)"  # with its new countersignature
    status_column = DecisionsTableModel.COLUMNS.index("status")
    row = page.model.row_of_record(history.refused_ci.id)
    assert page.model.index(row, status_column).data() == "Refused"


def test_hidden_pages_search_when_next_shown(
        qtbot, uow: UowFactory, officer: Actor, supervisor: Actor, sample_case_data: CaseData,
        open_audit) -> None:
    page = open_audit(supervisor)
    page.hide()
    extra = new_case(uow, officer, sample_case_data, "TH")
    assessed(uow, officer, extra, clean())
    newest = sign(uow, officer, extra, APPROVE)
    page.ctx.signals.sig_cases_changed.emit()
    assert page.rows() == []  # no work while hidden
    page.show()
    assert refs(page) == [newest.ref]


def test_searching_runs_on_the_worker_thread(
        qtbot, monkeypatch: pytest.MonkeyPatch, history: History, supervisor: Actor,
        database: Database, qapp_style: object, errors) -> None:
    threads: list[threading.Thread] = []
    search = decisions.search_decisions

    def spy(*args: object, **kwargs: object) -> list[decisions.DecisionListRow]:
        threads.append(threading.current_thread())
        return search(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("app.decisions.search_decisions", spy)
    runner = TaskRunner()
    page = AuditPage(UiContext(database, supervisor), runner=runner)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.sig_searched, timeout=5000):
        page.show()
    assert threads and threading.main_thread() not in threads
    assert len(page.rows()) == 5
    # the consistency of the first record arrives from the worker too
    qtbot.waitUntil(lambda: page.tabs.tabText(3).startswith("Consistency ("), timeout=5000)
    # a newer search supersedes one still running: only its result is shown
    page.destination.set_code("KE")
    page.search_now()
    page.destination.set_code("")
    with qtbot.waitSignal(page.sig_searched, timeout=5000):
        page.search_now()
    assert runner.wait(5000)
    qtbot.wait(50)
    assert len(page.rows()) == 5 and errors == []
