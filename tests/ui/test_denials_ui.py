"""Tools › Denial register and Case › Consult on earlier denials with real widgets over a real
database: a LITE file imported on the worker thread (rows, filter, detail, summary), a bad
file refused whole with its lines and columns, a cancelled import, the read-only role; then a
case whose consignee another state denied, the consultation refused without an outcome and
recorded with one, the denials check clearing, and an open assessment told at once."""

from __future__ import annotations

import csv
import threading
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QFileDialog, QWidget
from sqlalchemy import func, select

from app import cases, denials
from app.casedata import CaseData
from app.database import Database
from app.denial_check import DenialCheck
from app.errors import ValidationError
from app.hardstops import CheckContext, CheckResult, CheckStatus
from app.roles import ROLE_PERMISSIONS, Permission
from app.status import CaseStatus
from app.uow import UnitOfWork
from app.users import Actor
from app.vocab import Role
from db.models import Denial, DenialConsultation
from tests.ui.helpers import type_into
from ui.context import UiContext
from ui.denials import denial_key_of
from ui.denials.consult_dialog import ConsultDialog
from ui.denials.models import DenialsModel
from ui.denials.register_dialog import DenialRegisterDialog, open_denial_register
from ui.main_window import MainWindow
from ui.tasks import Progress, TaskRunner

MakeWindow = Callable[..., MainWindow]
CONSIGNEE = "Société Ivoirienne de Logistique Défense"  # sample_case_data's consignee
DENIED_ON = date(2025, 3, 1)
KEY = "notified:FR-2025-0001"
#: Three notifications: the consignee of sample_case_data (CI, ML1), a Kenyan end user
#: dated by the import, and a lapsed one.
ROWS = [
    ("FR-2025-0001", "WA-ML-0001", CONSIGNEE, "Port autonome d'Abidjan", "France",
     "Côte d'Ivoire", "ML1", "Assault rifles 5.56 mm", "Public order units",
     "Criterion 2: risk of internal repression", "consignee", DENIED_ON.isoformat()),
    ("DE-2025-0002", "", "Nairobi Tactical Supplies Ltd", "Industrial Area, Nairobi",
     "Germany", "KE", "ML3.a", "Ammunition", "Resale", "Criterion 7", "end_user", ""),
    ("NL-2020-0003", "", "Eastern Horizon Trading FZE", "Jebel Ali", "Netherlands",
     "United Arab Emirates", "5A002.a", "Encryption modules", "Unknown", "Criterion 7",
     "consignee", "2020-01-15"),
]


def write_lite(path: Path, rows: Sequence[Sequence[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(denials.CSV_COLUMNS)
        writer.writerows(rows)
    return path


def stored_denials(database: Database) -> int:
    with UnitOfWork(database.session_factory) as uow:
        return int(uow.session.scalar(select(func.count()).select_from(Denial)) or 0)


def stored_consultations(database: Database) -> int:
    with UnitOfWork(database.session_factory) as uow:
        return int(uow.session.scalar(select(func.count()).select_from(DenialConsultation))
                   or 0)


def pick_file(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    """The officer picks ``path`` in the file dialog."""
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (str(path), "CSV files (*.csv)")))


def register_dialog(qtbot, ctx: UiContext, runner: TaskRunner) -> DenialRegisterDialog:
    dialog = DenialRegisterDialog(ctx, runner)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.loaded)
    return dialog


def shown_cells(dialog: DenialRegisterDialog, column: int) -> list[str]:
    return [dialog.proxy.index(r, column).data() for r in range(dialog.proxy.rowCount())]


# --- the register ---------------------------------------------------------------------------

def test_an_officer_imports_notifications_on_the_worker_and_sees_them(
        qtbot, ctx: UiContext, database: Database, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, dialogs) -> None:
    runner = TaskRunner()  # a real worker thread, as in the application
    dialog = register_dialog(qtbot, ctx, runner)
    assert dialog.isModal() is False and dialog.isSizeGripEnabled()
    assert dialog.empty_label.isVisible() and not dialog.table.isVisible()
    assert "The register is empty" in dialog.empty_label.text()
    assert dialog.import_button.isEnabled() and not dialog.role_banner.isVisible()

    threads: list[threading.Thread] = []
    real_import = denials.import_denials_csv

    def spy(*args: object, **kwargs: object) -> denials.DenialImportReport:
        threads.append(threading.current_thread())
        return real_import(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(denials, "import_denials_csv", spy)
    pick_file(monkeypatch, write_lite(tmp_path / "notifications.csv", ROWS))
    dialog.date_check.setChecked(True)  # the date for the row without one
    dialog.date_edit.setDate(QDate(2025, 6, 30))
    with qtbot.waitSignal(ctx.signals.sig_screening_changed, timeout=10000) as changed:
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
        assert dialog.busy and dialog.progress_row.isVisible()  # the UI thread is free
        assert not dialog.import_button.isEnabled()
    assert changed.args == [None]  # open assessments run their checks again
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 3, timeout=10000)
    runner.wait()
    assert dialog.outcome == "imported" and dialog.last_error is None
    assert threads and threads[0] is not threading.main_thread()  # off the UI thread
    assert not dialog.busy and not dialog.progress_row.isVisible()
    report = dialog.report
    assert report is not None and (report.added, report.updated, report.unchanged) == (3, 0, 0)
    summary = dialog.result_view.toPlainText()
    assert "Imported notifications.csv: 3 row(s)" in summary
    assert "3 added, 0 updated, 0 unchanged." in summary
    assert dialog.result_view.property("failed") is False
    assert stored_denials(database) == 3

    # newest first, the row without a date dated as asked, the lapsed one greyed
    assert shown_cells(dialog, DenialsModel.REFERENCE) == [
        "DE-2025-0002", "FR-2025-0001", "NL-2020-0003"]
    by_ref = {v.reference: v for v in dialog.model.rows()}
    assert by_ref["DE-2025-0002"].date == date(2025, 6, 30)
    fr = dialog.model.cells(by_ref["FR-2025-0001"])
    assert fr[:6] == ("Notified", "FR-2025-0001", "France", "2025-03-01", "2028-03-01",
                      "Côte d'Ivoire")
    assert fr[6:10] == (CONSIGNEE, "Consignee", "ML1", "ML1")
    assert dialog.count_label.text() == "Denied parties: 3 · in force: 2"
    lapsed = dialog.proxy.index(2, DenialsModel.PARTY)
    assert lapsed.data(Qt.ItemDataRole.ForegroundRole) is not None
    # the first denial added is selected and described whole
    assert dialog.current_view() is not None
    assert dialog.current_view().key == KEY
    detail = dialog.detail.toPlainText()
    assert CONSIGNEE in detail and "In force until 2028-02-29" in detail
    assert "Port autonome d'Abidjan" in detail and "Criterion 2" in detail

    # the filter: destination by name or code, accents aside; name; reference
    for text, expected in (("cote d'ivoire", ["FR-2025-0001"]), ("KE", ["DE-2025-0002"]),
                           ("horizon", ["NL-2020-0003"]), ("de-2025", ["DE-2025-0002"]),
                           ("société ivoirienne", ["FR-2025-0001"])):
        type_into(qtbot, dialog.filter_edit, text)
        assert shown_cells(dialog, DenialsModel.REFERENCE) == expected, text
    type_into(qtbot, dialog.filter_edit, "atlantis")
    assert dialog.empty_label.isVisible() and "No denial matches" in dialog.empty_label.text()
    dialog.filter_edit.clear()
    dialog.in_force_check.setChecked(True)
    assert shown_cells(dialog, DenialsModel.REFERENCE) == ["DE-2025-0002", "FR-2025-0001"]
    assert dialog.count_label.text().endswith("shown: 2")
    dialog.in_force_check.setChecked(False)
    # sorting by a header keeps the selected denial selected
    assert dialog.select(KEY)
    dialog.table.sortByColumn(DenialsModel.REFERENCE, Qt.SortOrder.AscendingOrder)
    assert shown_cells(dialog, DenialsModel.REFERENCE) == [
        "DE-2025-0002", "FR-2025-0001", "NL-2020-0003"]
    dialog.table.sortByColumn(DenialsModel.NOTIFYING, Qt.SortOrder.DescendingOrder)
    assert shown_cells(dialog, DenialsModel.NOTIFYING) == ["Netherlands", "Germany", "France"]
    assert dialog.current_view() is not None and dialog.current_view().key == KEY
    dialog.table.sortByColumn(DenialsModel.DATE, Qt.SortOrder.DescendingOrder)

    # importing again: one row changed, the rest unchanged
    changed_rows = [(*ROWS[0][:7], "Sniper rifles", *ROWS[0][8:]), ROWS[1], ROWS[2]]
    pick_file(monkeypatch, write_lite(tmp_path / "again.csv", changed_rows))
    dialog.date_check.setChecked(False)
    dialog.import_notifications()
    qtbot.waitUntil(lambda: dialog.report is not None and dialog.report.updated == 1,
                    timeout=10000)
    runner.wait()
    assert "0 added, 1 updated, 2 unchanged." in dialog.result_view.toPlainText()
    qtbot.waitUntil(lambda: dialog.current_view() is not None
                    and dialog.current_view().item_description == "Sniper rifles")
    assert by_ref["DE-2025-0002"].date == date(2025, 6, 30)  # its date kept
    assert dialogs.errors == []


def test_a_bad_file_shows_every_problem_and_stores_nothing(
        qtbot, ctx: UiContext, database: Database, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    dialog = register_dialog(qtbot, ctx, TaskRunner(synchronous=True))
    bad = [ROWS[0], ("", *ROWS[1][1:]), (*ROWS[2][:10], "broker", "2020-01-15")]
    pick_file(monkeypatch, write_lite(tmp_path / "bad.csv", bad))
    dialog.import_notifications()
    assert dialog.outcome == "failed" and isinstance(dialog.last_error, ValidationError)
    text = dialog.result_view.toPlainText()
    assert "Nothing was stored: 2 problem(s)" in text
    assert "bad.csv line 3: reference: a value is required" in text
    assert "bad.csv line 4: entity_type: 'broker' is not an entity type" in text
    assert dialog.result_view.property("failed") is True
    assert stored_denials(database) == 0 and dialog.model.rowCount() == 0
    assert dialog.import_button.isEnabled()  # ready for the corrected file
    # a file in another layout names the columns it lacks
    old = tmp_path / "old.csv"
    old.write_text("name,country,end_user_flag\nAcme,FR,true\n", encoding="utf-8")
    dialog.import_notifications(old)
    assert "missing column(s)" in dialog.result_view.toPlainText()
    assert stored_denials(database) == 0


def test_a_denial_import_can_be_cancelled(qtbot, ctx: UiContext, database: Database,
                                          tmp_path: Path) -> None:
    dialog = register_dialog(qtbot, ctx, TaskRunner(synchronous=True))
    many = [(f"XX-2025-{n:04d}", "", f"Company {n}", "", "France", "KE", "ML1", "", "", "",
             "end_user", "2025-01-01") for n in range(450)]  # progress every 200 rows
    runner = dialog.runner
    submit = runner.submit

    def cancelling(fn: Callable[[Progress], object], on_done: Callable[[object], None],
                   on_error: Callable[[BaseException], None],
                   on_progress: Callable[[int, int, str], None] | None = None) -> Progress:
        def progress(done: int, total: int, text: str) -> None:
            if on_progress is not None:
                on_progress(done, total, text)
            dialog.cancel()  # Cancel pressed at the first report
        return submit(fn, on_done, on_error, progress)

    runner.submit = cancelling  # type: ignore[method-assign]
    dialog.import_notifications(write_lite(tmp_path / "many.csv", many))
    assert dialog.outcome == "cancelled"
    assert "Import cancelled: nothing was stored." in dialog.result_view.toPlainText()
    assert stored_denials(database) == 0 and not dialog.busy


def test_without_the_lists_permission_the_register_is_read_only(
        qtbot, database: Database, supervisor: Actor, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, qapp_style) -> None:
    monkeypatch.setitem(ROLE_PERMISSIONS, Role.SUPERVISOR,
                        ROLE_PERMISSIONS[Role.SUPERVISOR] - {Permission.MANAGE_LISTS})
    dialog = register_dialog(qtbot, UiContext(database, supervisor),
                             TaskRunner(synchronous=True))
    assert not dialog.import_button.isEnabled() and not dialog.date_check.isEnabled()
    assert "Needs the role of" in dialog.import_button.toolTip()
    assert dialog.role_banner.isVisible()
    assert dialog.import_notifications(write_lite(tmp_path / "n.csv", ROWS)) is None
    assert stored_denials(database) == 0


def test_an_own_refusal_is_listed_and_opens_its_case(
        qtbot, ctx: UiContext, database: Database, admin: Actor, tmp_path: Path) -> None:
    from app import legacy_import

    history = tmp_path / "history.csv"
    history.write_text(
        "reference,decision_date,destination,licence_type,outcome,criteria,control_entry,"
        "description,quantity,unit,value,currency,end_user\n"
        "SIEL/2025/9,2025-10-03,Indonesia,SIEL,refused,2;7,ML13.d,Body armour,300,,95000,USD,"
        "Brigade Mobil Polda Papua\n", encoding="utf-8")
    with UnitOfWork(database.session_factory) as uow:
        legacy_import.import_legacy(uow, admin, [history], "generic", "old")
    parent = QWidget()  # the main window, in the application
    qtbot.addWidget(parent)
    opened: list[int] = []
    dialog = open_denial_register(ctx, TaskRunner(synchronous=True), parent, opened.append)
    assert open_denial_register(ctx, TaskRunner(synchronous=True), parent) is dialog  # one
    [view] = dialog.model.rows()
    cells = dialog.model.cells(view)
    assert cells[0] == "Own refusal" and cells[6:8] == ("Brigade Mobil Polda Papua",
                                                         "End user")
    assert dialog.select(view.key)
    assert "Criteria 2, 7" in dialog.detail.toPlainText()
    dialog.table.doubleClicked.emit(dialog.table.currentIndex())
    assert opened == [view.case_id]
    dialog.source_combo.setCurrentIndex(dialog.source_combo.findData(denials.NOTIFIED))
    assert dialog.proxy.rowCount() == 0
    dialog.close()


# --- consultations --------------------------------------------------------------------------

@pytest.fixture
def denied_case(database: Database, officer: Actor, sample_case_data: CaseData,
                tmp_path: Path) -> int:
    """sample_case_data (CI; the consignee; ML1.a, ML3.a, ML13.d) and France's denial of its
    consignee for ML1: an essentially identical transaction."""
    with UnitOfWork(database.session_factory) as uow:
        case_id = cases.create_case(uow, officer, sample_case_data,
                                    status=CaseStatus.RECEIVED).id
    with UnitOfWork(database.session_factory) as uow:
        denials.import_denials_csv(uow, officer, write_lite(tmp_path / "fr.csv", ROWS[:1]))
    return case_id


def denial_results(database: Database, case_id: int) -> list[CheckResult]:
    with UnitOfWork(database.session_factory) as uow:
        data = cases.get_case(uow, case_id).data
        return DenialCheck().run(CheckContext(data, date.today(), case_id, uow))


def consult_dialog(qtbot, ctx: UiContext, case_id: int, key: str | None = KEY
                   ) -> ConsultDialog:
    dialog = ConsultDialog(ctx, case_id, key)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_recording_a_consultation_clears_the_denials_check(
        qtbot, ctx: UiContext, database: Database, denied_case: int, dialogs) -> None:
    [before] = denial_results(database, denied_case)
    assert before.status is CheckStatus.CONSULT and denial_key_of(before) == KEY
    dialog = consult_dialog(qtbot, ctx, denied_case, denial_key_of(before))
    assert dialog.windowTitle().startswith("Earlier denials: GR-")
    [match] = dialog.model.rows()
    assert dialog.current_match() == match and match.key == KEY
    assert dialog.model.cells(match)[:4] == ("Required", "France", "FR-2025-0001",
                                             "2025-03-01")
    assert "consultations still required: 1" in dialog.list_title.text()
    detail = dialog.detail.toPlainText()
    assert "Consultation required before approval" in detail
    for line in match.explanation:  # the check's own explanation, line by line
        assert line in detail
    assert f"The case's consignee '{CONSIGNEE}'" in detail
    # the form: prefilled with the notifying state, no date after today or before the denial
    assert dialog.consulted_edit.text() == "France"
    assert dialog.date_edit.maximumDate() == QDate.currentDate()
    assert dialog.date_edit.minimumDate() == QDate(2025, 3, 1)

    # no outcome: the application refuses, the error dialog says why, the field is marked
    qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
    [(title, exc)] = dialogs.errors
    assert title == "The consultation was not recorded"
    assert isinstance(exc, ValidationError)
    assert [p.field for p in exc.problems] == ["outcome"]
    assert dialog.outcome_edit.property("invalid") is True
    assert stored_consultations(database) == 0
    assert denial_results(database, denied_case)[0].status is CheckStatus.CONSULT

    # with an outcome it is recorded; the app is told; the match shows it
    consulted_on = date.today() - timedelta(days=3)
    dialog.date_edit.setDate(QDate(consulted_on.year, consulted_on.month, consulted_on.day))
    type_into(qtbot, dialog.outcome_edit, "France confirmed the denial concerned another "
                                          "consignee licence; no objection.")
    recorded: list[object] = []
    dialog.sig_recorded.connect(recorded.append)
    with qtbot.waitSignal(ctx.signals.sig_screening_changed) as changed:
        qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
    assert changed.args == [denied_case]
    assert len(dialogs.errors) == 1 and dialog.last_error is None
    assert stored_consultations(database) == 1 and len(recorded) == 1
    assert not dialog.outcome_edit.property("invalid")
    assert dialog.outcome_edit.toPlainText() == ""
    assert dialog.message.isVisible() and "Recorded the consultation of France" in \
        dialog.message.text()
    [match] = dialog.model.rows()
    assert match.consultation is not None and match.consultation.consulted == "France"
    assert dialog.model.cells(match)[0] == f"Recorded {consulted_on.isoformat()}"
    assert dialog.list_title.text().endswith("all consulted")
    detail = dialog.detail.toPlainText()
    assert "Consultation recorded" in detail and "no objection" in detail
    assert dialog.form_title.text() == "Record a further consultation on FR-2025-0001"

    # the denials check is clear for that denial, with the consultation in its detail
    [after] = denial_results(database, denied_case)
    assert after.key == f"denial:{KEY}" and after.status is CheckStatus.CLEAR
    assert "Consulted France on" in after.detail and "no objection" in after.detail


def test_an_open_assessment_runs_its_checks_again(
        qtbot, make_window: MakeWindow, database: Database, officer: Actor,
        denied_case: int) -> None:
    window = make_window(UiContext(database, officer))
    view = window.open_assessment(denied_case, "golden-rule")
    assert view is not None

    def denial_card_status() -> CheckStatus:
        [card] = [c for c in view.checks_page.cards if denial_key_of(c.result) == KEY]
        return card.result.status

    assert denial_card_status() is CheckStatus.CONSULT
    dialog = ConsultDialog(window.ctx, denied_case, KEY, view)
    dialog.outcome_edit.setPlainText("No objection from France.")
    assert dialog.record() is not None
    assert denial_card_status() is CheckStatus.CLEAR
    dialog.close()


def test_without_assess_the_consultations_are_read_only(
        qtbot, database: Database, admin: Actor, denied_case: int, qapp_style) -> None:
    dialog = consult_dialog(qtbot, UiContext(database, admin), denied_case, None)
    assert dialog.role_banner.isVisible() and not dialog.form_box.isVisible()
    assert "Needs the role of" in dialog.role_banner.text()
    assert dialog.model.rowCount() == 1 and dialog.current_match() is not None  # readable
    dialog.outcome_edit.setPlainText("anything")
    assert dialog.record() is None and stored_consultations(database) == 0


def test_a_case_without_an_identical_denial_needs_no_consultation(
        qtbot, ctx: UiContext, database: Database, officer: Actor,
        sample_case_data: CaseData) -> None:
    with UnitOfWork(database.session_factory) as uow:
        case_id = cases.create_case(uow, officer, sample_case_data).id
    dialog = consult_dialog(qtbot, ctx, case_id, KEY)
    assert dialog.model.rowCount() == 0 and dialog.current_match() is None
    assert dialog.empty_label.isVisible() and not dialog.table.isVisible()
    assert dialog.record() is None


def test_the_check_results_that_name_a_denial() -> None:
    def result(key: str, check: str = "denials") -> CheckResult:
        return CheckResult(check, key, CheckStatus.CONSULT, "t")

    assert denial_key_of(result("denial:notified:FR-1")) == "notified:FR-1"
    assert denial_key_of(result("denial:own:GR-2026-00001")) == "own:GR-2026-00001"
    assert denial_key_of(result("denial:none")) is None
    assert denial_key_of(result("denial:register")) is None
    assert denial_key_of(result("denial:notified:FR-1", check="sanctions")) is None


# --- the main window's wiring (skipped until ui/main_window.py and checks_page.py have it) ---

WIRED = hasattr(MainWindow, "open_denial_register") and hasattr(MainWindow, "open_consultation")


@pytest.mark.skipif(not WIRED, reason="the menus are not wired to the denial dialogs yet")
def test_the_tools_menu_opens_the_register_once(qtbot, make_window: MakeWindow,
                                                database: Database, officer: Actor) -> None:
    window = make_window(UiContext(database, officer))
    window.denial_register_action.trigger()
    dialog = window.findChild(DenialRegisterDialog)
    assert isinstance(dialog, DenialRegisterDialog) and dialog.isVisible()
    assert not dialog.isModal() and dialog.can_open_cases
    window.denial_register_action.trigger()
    assert [d for d in window.findChildren(DenialRegisterDialog) if d.isVisible()] == [dialog]


@pytest.mark.skipif(not WIRED, reason="the check cards are not wired to the dialog yet")
def test_a_consult_card_opens_the_dialog_on_its_denial(
        qtbot, make_window: MakeWindow, database: Database, officer: Actor,
        denied_case: int) -> None:
    window = make_window(UiContext(database, officer))
    view = window.open_assessment(denied_case, "golden-rule")
    assert view is not None
    [card] = [c for c in view.checks_page.cards if denial_key_of(c.result) == KEY]
    assert card.result.status is CheckStatus.CONSULT
    button = card.consult_button
    assert button is not None and button.isVisible()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = window.findChild(ConsultDialog)
    assert isinstance(dialog, ConsultDialog) and dialog.isVisible()
    assert dialog.current_match() is not None and dialog.current_match().key == KEY
    dialog.outcome_edit.setPlainText("No objection from France.")
    assert dialog.record() is not None
    [card] = [c for c in view.checks_page.cards if denial_key_of(c.result) == KEY]
    assert card.result.status is CheckStatus.CLEAR and card.consult_button is None
    dialog.close()
    # Case › Consult on earlier denials: the current case's
    window.case_tabs.setCurrentWidget(view)
    window.consult_action.trigger()
    again = [d for d in window.findChildren(ConsultDialog) if d.isVisible()]
    assert len(again) == 1 and again[0].case_id == denied_case
