"""The 'to reassess' page: a licence that new evidence touches is listed with its items and
reasons; the officer signs a confirmation, suspension or revocation and it leaves the list."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt

from app import decisions
from app.casedata import CaseData
from app.database import Database
from app.decisions import RecordKind
from app.errors import AuthenticationError, ConcurrentEditError, InputError
from app.status import CaseStatus
from app.uow import UnitOfWork
from app.users import Actor
from tests.conftest import OFFICER_PASSWORD
from tests.ui.conftest import DialogRecorder
from tests.unit.test_reassessment import add_item, licence
from ui.context import UiContext
from ui.reassess.amend_dialog import AmendDialog
from ui.reassess.page import ReassessPage
from ui.tasks import TaskRunner

UowFactory = Callable[[], UnitOfWork]
REASON = "Reports weighed; the end user is not implicated."


@pytest.fixture
def signatures(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Stands in for the signing dialog: records (title, summary), answers the password."""
    asked: list[tuple[str, str]] = []

    def fake(parent: object, title: str, summary: str, **kwargs: object) -> tuple[str, str]:
        asked.append((title, summary))
        return OFFICER_PASSWORD, REASON

    monkeypatch.setattr("ui.sign_dialog.ask_signature", fake)
    return asked


def make_page(qtbot, context: UiContext) -> ReassessPage:
    page = ReassessPage(context, runner=TaskRunner(synchronous=True))
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    return page


def records(uow: UowFactory, case_id: int) -> list[RecordKind]:
    with uow() as u:
        return [r.kind for r in decisions.list_decisions(u, case_id)]


def test_confirming_takes_the_licence_off_the_list(
        qtbot, uow: UowFactory, officer: Actor, ctx: UiContext, sample_case_data: CaseData,
        signatures: list[tuple[str, str]], dialogs: DialogRecorder) -> None:
    case_id = licence(uow, officer, sample_case_data)
    item = add_item(uow, officer, grade="A2", title="Rapport : exécutions à Abidjan",
                    actors=("Gendarmerie nationale",))
    page = make_page(qtbot, ctx)
    changed: list[bool] = []
    page.sig_changed.connect(lambda: changed.append(True))

    assert page.model.rowCount() == 1
    row = [page.model.index(0, c).data() for c in range(page.model.columnCount())]
    assert row[1:4] == ["Côte d'Ivoire", "Gendarmerie nationale de Côte d'Ivoire", "Approved"]
    assert row[5:] == ["1", "A2"]
    page.table.selectRow(0)
    assert page.items_model.rowCount() == 1
    assert page.items_model.index(0, 1).data() == "Rapport : exécutions à Abidjan"
    why = page.items_model.index(0, 3).data(Qt.ItemDataRole.ToolTipRole)
    assert "destination: Côte d'Ivoire (CI)" in why and "end user named" in why
    assert page.confirm_button.isEnabled() and not page.reinstate_button.isVisible()

    qtbot.mouseClick(page.confirm_button, Qt.MouseButton.LeftButton)

    assert dialogs.errors == []
    [(_title, summary)] = signatures
    assert "Rapport : exécutions à Abidjan" in summary and "A2" in summary
    assert page.model.rowCount() == 0 and page.list_stack.currentWidget() is page.empty
    assert changed == [True]
    assert records(uow, case_id) == [RecordKind.DECISION, RecordKind.CONFIRMATION]
    with uow() as u:
        record = decisions.get_record(u, decisions.list_decisions(u, case_id)[-1].ref)
    assert [e["id"] for e in record.snapshot["evidence"]] == [item]
    assert record.rationale == REASON


def test_suspended_licence_offers_reinstatement_not_suspension(
        qtbot, uow: UowFactory, officer: Actor, ctx: UiContext, sample_case_data: CaseData,
        signatures: list[tuple[str, str]], dialogs: DialogRecorder) -> None:
    case_id = licence(uow, officer, sample_case_data)
    add_item(uow, officer)
    page = make_page(qtbot, ctx)
    page.table.selectRow(0)
    qtbot.mouseClick(page.suspend_button, Qt.MouseButton.LeftButton)
    assert page.model.rowCount() == 1
    alert = page.current_alert()
    assert alert is not None and alert.suspended and alert.items == ()
    assert page.model.index(0, 3).data() == "Suspended"
    assert "The suspension weighed 1 item(s)." in page.detail_note.text()
    assert page.reinstate_button.isVisible() and not page.suspend_button.isEnabled()
    qtbot.mouseClick(page.reinstate_button, Qt.MouseButton.LeftButton)
    assert page.model.rowCount() == 0
    assert records(uow, case_id)[1:] == [RecordKind.SUSPENSION, RecordKind.REINSTATEMENT]
    with uow() as u:
        from app import cases

        assert cases.get_case(u, case_id).status is CaseStatus.APPROVED


def test_wrong_password_signs_nothing_and_shows_the_error(
        qtbot, uow: UowFactory, officer: Actor, ctx: UiContext, sample_case_data: CaseData,
        monkeypatch: pytest.MonkeyPatch, dialogs: DialogRecorder) -> None:
    case_id = licence(uow, officer, sample_case_data)
    add_item(uow, officer)
    monkeypatch.setattr("ui.sign_dialog.ask_signature",
                        lambda *a, **k: ("not-the-password", REASON))
    page = make_page(qtbot, ctx)
    page.table.selectRow(0)
    qtbot.mouseClick(page.revoke_button, Qt.MouseButton.LeftButton)
    [(_title, exc)] = dialogs.errors
    assert isinstance(exc, AuthenticationError)
    assert page.model.rowCount() == 1
    assert records(uow, case_id) == [RecordKind.DECISION]


def test_newer_evidence_while_the_dialog_was_open_refuses_and_refreshes(
        qtbot, uow: UowFactory, officer: Actor, ctx: UiContext, sample_case_data: CaseData,
        monkeypatch: pytest.MonkeyPatch, dialogs: DialogRecorder) -> None:
    case_id = licence(uow, officer, sample_case_data)
    add_item(uow, officer)
    page = make_page(qtbot, ctx)
    page.table.selectRow(0)

    def meanwhile(*args: object, **kwargs: object) -> tuple[str, str]:
        add_item(uow, officer, grade="A1")
        return OFFICER_PASSWORD, REASON

    monkeypatch.setattr("ui.sign_dialog.ask_signature", meanwhile)
    qtbot.mouseClick(page.confirm_button, Qt.MouseButton.LeftButton)
    [(_title, exc)] = dialogs.errors
    assert isinstance(exc, ConcurrentEditError) and str(exc).startswith("New evidence")
    assert records(uow, case_id) == [RecordKind.DECISION]
    assert page.items_model.rowCount() == 2  # the list was refreshed


def test_cancelling_the_dialog_signs_nothing(
        qtbot, uow: UowFactory, officer: Actor, ctx: UiContext, sample_case_data: CaseData,
        monkeypatch: pytest.MonkeyPatch, dialogs: DialogRecorder) -> None:
    case_id = licence(uow, officer, sample_case_data)
    add_item(uow, officer)
    monkeypatch.setattr("ui.sign_dialog.ask_signature", lambda *a, **k: None)
    page = make_page(qtbot, ctx)
    page.table.selectRow(0)
    qtbot.mouseClick(page.confirm_button, Qt.MouseButton.LeftButton)
    assert records(uow, case_id) == [RecordKind.DECISION] and dialogs.errors == []


def test_administrator_sees_the_list_but_may_not_sign(
        qtbot, uow: UowFactory, officer: Actor, admin: Actor, database: Database,
        qapp_style: object, sample_case_data: CaseData, dialogs: DialogRecorder) -> None:
    licence(uow, officer, sample_case_data)
    add_item(uow, officer)
    page = make_page(qtbot, UiContext(database, admin))
    page.table.selectRow(0)
    assert page.model.rowCount() == 1
    for button in (page.confirm_button, page.suspend_button, page.revoke_button):
        assert not button.isEnabled()
        assert "officer" in button.toolTip() and "supervisor" in button.toolTip()


def test_refreshes_when_cases_change(
        qtbot, uow: UowFactory, officer: Actor, ctx: UiContext, sample_case_data: CaseData,
        dialogs: DialogRecorder) -> None:
    page = make_page(qtbot, ctx)
    assert page.model.rowCount() == 0 and page.count_label.text() == "Nothing to reassess"
    licence(uow, officer, sample_case_data)
    add_item(uow, officer)
    ctx.signals.sig_cases_changed.emit()
    assert page.model.rowCount() == 1
    assert page.count_label.text() == "1 licence(s) to reassess"


def test_computed_on_a_worker_thread_and_applied_on_the_ui_thread(
        qtbot, uow: UowFactory, officer: Actor, ctx: UiContext, sample_case_data: CaseData,
        dialogs: DialogRecorder) -> None:
    licence(uow, officer, sample_case_data)
    add_item(uow, officer)
    page = ReassessPage(ctx)  # its own runner: a real worker thread
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.sig_loaded, timeout=20000) as loaded:
        page.show()
    assert loaded.args == [1] and page.model.rowCount() == 1 and not page.loading
    page.runner.wait()


# amending the conditions -------------------------------------------------------------------

AMEND_REASON = "Agreed with the exporter after the embassy's advice."


def drive_amend_dialog(monkeypatch: pytest.MonkeyPatch,
                       steps: Callable[[AmendDialog], None]) -> list[list[str]]:
    """Runs ``steps`` on the real amendment dialog in place of its modal loop; returns the
    conditions it was opened with."""
    opened: list[list[str]] = []

    def fake_exec(dialog: AmendDialog) -> int:
        dialog.show()
        opened.append(dialog.conditions())
        steps(dialog)
        return dialog.result()

    monkeypatch.setattr(AmendDialog, "exec", fake_exec)
    return opened


def amendments(uow: UowFactory, case_id: int) -> list[decisions.DecisionRecord]:
    with uow() as u:
        return [r for r in decisions.list_decisions(u, case_id)
                if r.kind is RecordKind.AMENDMENT]


def test_amending_the_conditions_signs_a_new_record(
        qtbot, uow: UowFactory, officer: Actor, ctx: UiContext, sample_case_data: CaseData,
        signatures: list[tuple[str, str]], monkeypatch: pytest.MonkeyPatch,
        dialogs: DialogRecorder) -> None:
    case_id = licence(uow, officer, sample_case_data)
    with uow() as u:
        decisions.amend(u, officer, case_id, ["End-use certificate", "No re-export"],
                        "Conditions set after the interagency meeting.",
                        password=OFFICER_PASSWORD)
    add_item(uow, officer)
    page = make_page(qtbot, ctx)
    changed: list[bool] = []
    page.sig_changed.connect(lambda: changed.append(True))
    page.table.selectRow(0)
    assert page.amend_button.isEnabled()
    still_open: list[bool] = []

    def steps(dialog: AmendDialog) -> None:
        listing = dialog.conditions_list
        listing.setCurrentRow(1)
        qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
        listing.item(0).setText("End-use certificate, verified on delivery")
        assert not dialog.add_button.isEnabled()
        qtbot.keyClicks(dialog.new_condition, "Report each shipment within 30 days")
        qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
        assert dialog.new_condition.text() == ""
        qtbot.keyClicks(dialog.reason_edit, AMEND_REASON)
        qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
        still_open.append(dialog.isVisible())

    opened = drive_amend_dialog(monkeypatch, steps)
    qtbot.mouseClick(page.amend_button, Qt.MouseButton.LeftButton)

    assert opened == [["End-use certificate", "No re-export"]]  # prefilled, in force
    assert dialogs.errors == [] and still_open == [False]
    new = ["End-use certificate, verified on delivery", "Report each shipment within 30 days"]
    [(_title, summary)] = signatures
    assert all(c in summary for c in new) and "No re-export" not in summary
    [_first, record] = amendments(uow, case_id)
    assert record.conditions == new and record.rationale == AMEND_REASON
    assert record.snapshot["conditions"] == {
        "before": ["End-use certificate", "No re-export"], "after": new}
    with uow() as u:
        assert decisions.current_conditions(u, case_id) == new
    assert changed == [True]
    assert page.model.rowCount() == 1  # amending does not weigh the new evidence


def test_amendment_without_reasons_is_refused_and_nothing_stored(
        qtbot, uow: UowFactory, officer: Actor, ctx: UiContext, sample_case_data: CaseData,
        signatures: list[tuple[str, str]], monkeypatch: pytest.MonkeyPatch,
        dialogs: DialogRecorder) -> None:
    case_id = licence(uow, officer, sample_case_data)
    add_item(uow, officer)
    page = make_page(qtbot, ctx)
    page.table.selectRow(0)
    state: list[bool] = []

    def steps(dialog: AmendDialog) -> None:
        qtbot.keyClicks(dialog.new_condition, "Delivery verification within 90 days")
        qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
        qtbot.keyClicks(dialog.reason_edit, "   ")
        state.append(dialog.sign_button.isEnabled())
        dialog.accept()  # as Enter would: still refused
        state.append(dialog.isVisible())
        qtbot.keyClicks(dialog.reason_edit, "short")  # the application wants 10 characters
        qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
        state.append(dialog.isVisible())
        dialog.reject()

    opened = drive_amend_dialog(monkeypatch, steps)
    qtbot.mouseClick(page.amend_button, Qt.MouseButton.LeftButton)

    assert opened == [[]]
    assert state == [False, True, True]  # disabled, then refused: the dialog stays open
    assert len(signatures) == 1  # only the short reason reached the signing step
    [(_title, exc)] = dialogs.errors
    assert isinstance(exc, InputError) and "10 characters" in str(exc)
    assert amendments(uow, case_id) == []
    assert records(uow, case_id) == [RecordKind.DECISION]


def test_amendment_with_a_wrong_password_signs_nothing(
        qtbot, uow: UowFactory, officer: Actor, ctx: UiContext, sample_case_data: CaseData,
        monkeypatch: pytest.MonkeyPatch, dialogs: DialogRecorder) -> None:
    case_id = licence(uow, officer, sample_case_data)
    add_item(uow, officer)
    monkeypatch.setattr("ui.sign_dialog.ask_signature",
                        lambda *a, **k: ("not-the-password", ""))
    page = make_page(qtbot, ctx)
    page.table.selectRow(0)
    still_open: list[bool] = []

    def steps(dialog: AmendDialog) -> None:
        qtbot.keyClicks(dialog.new_condition, "Delivery verification within 90 days")
        qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
        qtbot.keyClicks(dialog.reason_edit, AMEND_REASON)
        qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
        still_open.append(dialog.isVisible())
        dialog.reject()

    drive_amend_dialog(monkeypatch, steps)
    assert page.amend() is None
    [(_title, exc)] = dialogs.errors
    assert isinstance(exc, AuthenticationError) and still_open == [True]
    assert records(uow, case_id) == [RecordKind.DECISION]


def test_amend_needs_a_licence_in_force_and_the_permission(
        qtbot, uow: UowFactory, officer: Actor, admin: Actor, database: Database,
        ctx: UiContext, sample_case_data: CaseData, signatures: list[tuple[str, str]],
        dialogs: DialogRecorder) -> None:
    licence(uow, officer, sample_case_data)
    add_item(uow, officer)
    viewer = make_page(qtbot, UiContext(database, admin))
    viewer.table.selectRow(0)
    assert not viewer.amend_button.isEnabled() and "officer" in viewer.amend_button.toolTip()
    page = make_page(qtbot, ctx)
    page.table.selectRow(0)
    qtbot.mouseClick(page.suspend_button, Qt.MouseButton.LeftButton)
    assert page.current_alert() is not None and page.current_alert().suspended
    assert not page.amend_button.isEnabled() and page.amend() is None
