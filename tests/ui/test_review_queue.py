"""The supervisor's countersignature queue with real widgets and real signing: who may act,
countersigning and returning through the buttons (the signing dialog stood in for), a wrong
password or too short a reason signing nothing, and the queue following app-wide changes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from PySide6.QtCore import Qt

from app import cases, decisions, settings
from app.assessment import DecisionInput, Outcome
from app.casedata import CaseData
from app.database import Database
from app.errors import AuthenticationError, InputError
from app.status import CaseStatus
from app.uow import UnitOfWork
from app.users import Actor
from tests.conftest import SUPERVISOR2_PASSWORD, SUPERVISOR_PASSWORD
from tests.unit.test_assessments_service import assessed, mandatory
from tests.unit.test_decisions import decide, refusal
from ui.context import UiContext
from ui.review.page import ReviewPage
from ui.review.table_model import QueueTableModel

UowFactory = Callable[[], UnitOfWork]
REASON = "The IHRL rationale cites no recent evidence from 2026."


@dataclass
class SignatureStandIn:
    """Answers the signing dialog as the user would, and remembers what it was shown."""

    answer: tuple[str, str] | None = None
    calls: list[dict[str, object]] = field(default_factory=list)

    def __call__(self, parent: object, title: str, summary: str, *, reason_label: str = "",
                 sign_text: str = "") -> tuple[str, str] | None:
        self.calls.append({"title": title, "summary": summary, "reason_label": reason_label,
                           "sign_text": sign_text})
        return self.answer


@pytest.fixture
def signature(monkeypatch: pytest.MonkeyPatch) -> SignatureStandIn:
    stand_in = SignatureStandIn()
    monkeypatch.setattr("ui.sign_dialog.ask_signature", stand_in)
    return stand_in


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch, dialogs) -> list[tuple[str, BaseException]]:
    for module in ("ui.review.page", "ui.audit.record_view"):
        monkeypatch.setattr(f"{module}.show_error", lambda _p, title, exc: dialogs.errors.append(
            (title, exc)))
    return dialogs.errors


@pytest.fixture
def case_id(uow: UowFactory, officer: Actor, sample_case_data: CaseData) -> int:
    with uow() as u:
        return cases.create_case(u, officer, sample_case_data, status=CaseStatus.RECEIVED).id


@pytest.fixture
def open_queue(qtbot, database: Database, qapp_style: object, errors
               ) -> Callable[[Actor], ReviewPage]:
    def open_(actor: Actor) -> ReviewPage:
        page = ReviewPage(UiContext(database, actor))
        qtbot.addWidget(page)
        page.resize(1280, 800)
        page.show()
        qtbot.waitExposed(page)
        return page

    return open_


def cell(page: ReviewPage, row: int, column: str) -> str:
    model = page.model
    return model.index(row, QueueTableModel.COLUMNS.index(column)).data()


def status(uow: UowFactory, case_id: int) -> CaseStatus:
    with uow() as u:
        return cases.get_case(u, case_id).status


def records(uow: UowFactory, case_id: int) -> list[decisions.DecisionRecord]:
    with uow() as u:
        return decisions.list_decisions(u, case_id)


def test_the_queue_shows_the_refusal_with_its_signed_record(
        uow: UowFactory, officer: Actor, supervisor: Actor, case_id: int, open_queue) -> None:
    decision = refusal(uow, officer, case_id)
    page = open_queue(supervisor)
    assert [i.reference for i in page.items()] == [decision.case_reference]
    assert cell(page, 0, "reference") == decision.case_reference
    assert cell(page, 0, "destination") == "Côte d'Ivoire (CI)"
    assert cell(page, 0, "outcome") == "Refuse"
    assert cell(page, 0, "decided_by") == "Olga Øfficer"
    assert cell(page, 0, "countersigned") == "0 of 1"
    assert cell(page, 0, "you") == "You may act"
    assert "1 case(s) waiting" in page.count_label.text()
    assert page.countersign_button.isEnabled() and page.return_button.isEnabled()
    # the decision is shown beneath, exactly as signed
    assert page.record_view.record is not None
    assert page.record_view.record.ref == decision.ref
    text = page.record_view.document_text()
    assert decision.ref in text and "Refuse" in text and "Signature valid" in text
    assert "Substantial risk under the IHRL criterion." in text


def test_the_officer_sees_the_case_but_may_not_act(
        uow: UowFactory, officer: Actor, case_id: int, open_queue) -> None:
    refusal(uow, officer, case_id)
    page = open_queue(officer)
    assert len(page.items()) == 1
    assert cell(page, 0, "you") == "Not you: needs a supervisor"
    assert not page.countersign_button.isEnabled()
    assert not page.return_button.isEnabled()
    assert "needs a supervisor" in page.countersign_button.toolTip()
    assert page.countersign() is None  # the slot itself refuses too


def test_a_supervisor_who_assessed_may_not_countersign_their_own_decision(
        uow: UowFactory, supervisor: Actor, case_id: int, open_queue) -> None:
    assessed(uow, supervisor, case_id, mandatory())
    decide(uow, supervisor, case_id, DecisionInput(
        Outcome.REFUSE, "Substantial risk under the IHRL criterion.", [], ["ihrl"]),
        password=SUPERVISOR_PASSWORD)
    page = open_queue(supervisor)
    assert cell(page, 0, "you") == "Not you: you assessed it"
    assert not page.countersign_button.isEnabled()


def test_countersigning_through_the_button_empties_the_queue_and_refuses_the_case(
        qtbot, uow: UowFactory, officer: Actor, supervisor: Actor, case_id: int, open_queue,
        signature: SignatureStandIn, errors) -> None:
    decision = refusal(uow, officer, case_id)
    page = open_queue(supervisor)
    signature.answer = (SUPERVISOR_PASSWORD, "Agreed: the evidence is recent and credible.")
    with qtbot.waitSignal(page.ctx.signals.sig_cases_changed, timeout=3000), \
            qtbot.waitSignal(page.sig_countersigned, timeout=3000) as signed:
        qtbot.mouseClick(page.countersign_button, Qt.MouseButton.LeftButton)
    assert errors == []
    assert signed.args == [case_id]
    call = signature.calls[0]
    assert call["sign_text"] == "Countersign"
    assert decision.case_reference in str(call["summary"])
    assert "1 of 1" in str(call["summary"])
    assert status(uow, case_id) is CaseStatus.REFUSED
    chain = records(uow, case_id)
    assert [r.kind.value for r in chain] == ["decision", "countersignature"]
    assert chain[1].rationale == "Agreed: the evidence is recent and credible."
    assert chain[1].decided_by == "sven"
    # the queue refreshed itself on the app-wide signal
    assert page.items() == []
    assert page.queue.currentWidget() is page.empty
    assert "Nothing awaits your countersignature" in page.empty.text()
    assert not page.countersign_button.isEnabled()
    assert page.message.isVisible() and "takes effect" in page.message.text()
    assert page.record_view.record is None


def test_returning_with_reasons_sends_the_case_back_into_assessment(
        qtbot, uow: UowFactory, officer: Actor, supervisor: Actor, case_id: int, open_queue,
        signature: SignatureStandIn, errors) -> None:
    refusal(uow, officer, case_id)
    page = open_queue(supervisor)
    signature.answer = (SUPERVISOR_PASSWORD, REASON)
    with qtbot.waitSignal(page.sig_returned, timeout=3000):
        qtbot.mouseClick(page.return_button, Qt.MouseButton.LeftButton)
    assert errors == []
    assert signature.calls[0]["reason_label"]  # the dialog asked for the reasons
    assert status(uow, case_id) is CaseStatus.IN_ASSESSMENT
    chain = records(uow, case_id)
    assert [r.kind.value for r in chain] == ["decision", "return"]
    assert chain[1].rationale == REASON
    assert page.items() == []
    assert "returned to Olga Øfficer" in page.message.text()


def test_a_wrong_password_shows_the_error_and_signs_nothing(
        uow: UowFactory, officer: Actor, supervisor: Actor, case_id: int, open_queue,
        signature: SignatureStandIn, errors) -> None:
    refusal(uow, officer, case_id)
    page = open_queue(supervisor)
    signature.answer = ("not-my-password", "")
    assert page.countersign() is None
    assert len(errors) == 1
    title, exc = errors[0]
    assert isinstance(exc, AuthenticationError) and "nothing was signed" in str(exc)
    assert title == "The decision was not countersigned"
    assert status(uow, case_id) is CaseStatus.AWAITING_COUNTERSIGNATURE
    assert len(records(uow, case_id)) == 1
    assert len(page.items()) == 1 and page.countersign_button.isEnabled()


def test_too_short_a_reason_returns_nothing(
        uow: UowFactory, officer: Actor, supervisor: Actor, case_id: int, open_queue,
        signature: SignatureStandIn, errors) -> None:
    refusal(uow, officer, case_id)
    page = open_queue(supervisor)
    signature.answer = (SUPERVISOR_PASSWORD, "No.")
    assert page.return_to_officer() is None
    assert isinstance(errors[0][1], InputError)
    assert status(uow, case_id) is CaseStatus.AWAITING_COUNTERSIGNATURE
    assert len(records(uow, case_id)) == 1


def test_cancelling_the_dialog_signs_nothing(
        uow: UowFactory, officer: Actor, supervisor: Actor, case_id: int, open_queue,
        signature: SignatureStandIn, errors) -> None:
    refusal(uow, officer, case_id)
    page = open_queue(supervisor)
    signature.answer = None
    assert page.countersign() is None and page.return_to_officer() is None
    assert errors == [] and len(signature.calls) == 2
    assert len(records(uow, case_id)) == 1


def test_two_countersignatures_two_supervisors(
        uow: UowFactory, officer: Actor, supervisor: Actor, supervisor2: Actor, admin: Actor,
        case_id: int, database: Database, open_queue, signature: SignatureStandIn,
        errors) -> None:
    with uow() as u:
        settings.set_value(u, admin, "countersign.rules", [
            {"name": "All refusals twice", "outcomes": ["refuse"], "destinations": "any",
             "categories": [], "count": 2}])
    refusal(uow, officer, case_id)
    first = open_queue(supervisor)
    assert cell(first, 0, "countersigned") == "0 of 2"
    signature.answer = (SUPERVISOR_PASSWORD, "")
    assert first.countersign() is not None
    assert "awaits another countersignature" in first.message.text()
    assert cell(first, 0, "countersigned") == "1 of 2"
    assert cell(first, 0, "you") == "Not you: you countersigned it"
    assert not first.countersign_button.isEnabled()
    assert status(uow, case_id) is CaseStatus.AWAITING_COUNTERSIGNATURE

    second = open_queue(supervisor2)
    assert cell(second, 0, "you") == "You may act"
    assert "2 of 2" in signature_summary_after(second, signature, SUPERVISOR2_PASSWORD)
    assert status(uow, case_id) is CaseStatus.REFUSED
    assert second.items() == []


def signature_summary_after(page: ReviewPage, signature: SignatureStandIn,
                            password: str) -> str:
    signature.answer = (password, "")
    assert page.countersign() is not None
    return str(signature.calls[-1]["summary"])


def test_the_queue_follows_app_wide_changes(
        uow: UowFactory, officer: Actor, supervisor: Actor, case_id: int, open_queue) -> None:
    page = open_queue(supervisor)
    assert page.items() == []
    assert page.empty.isVisible()
    refusal(uow, officer, case_id)
    page.ctx.signals.sig_cases_changed.emit()
    assert len(page.items()) == 1 and page.table.isVisible()
    assert page.record_view.record is not None
