"""Case › Shipments and File › Import decision history with real widgets over a real
database: licences made by importing a tiny previous-system CSV (quick, and approved),
shipments recorded through the form and from CSV, the application's refusals shown where
the user looks, the read-only and refused roles, and an administrator's history import
with its counts, its problems and its cancel."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QWidget
from sqlalchemy import func, select

from app import cases, legacy_import, shipments
from app.database import Database
from app.errors import ValidationError
from app.roles import Permission
from app.uow import UnitOfWork
from app.users import Actor
from db.models import Case, Shipment
from tests.ui.helpers import type_into
from tests.ui.test_audit_view import APPROVE, new_case, sign
from tests.unit.test_assessments_service import assessed, clean
from ui.context import UiContext
from ui.history_import_dialog import HistoryImportDialog
from ui.main_window import MainWindow
from ui.reports.page import ReportsPage
from ui.settings.common import needs_role_text
from ui.shipments_dialog import ShipmentsDialog, number_text, value_text
from ui.tasks import Progress

MakeWindow = Callable[..., MainWindow]
HEADER = ("reference,decision_date,destination,licence_type,outcome,criteria,control_entry,"
          "description,quantity,unit,value,currency,revoked_date\n")
#: One issued licence with two goods lines, one refusal, one revoked licence.
HISTORY = HEADER + (
    "SIEL/2019/001,2019-03-04,KE,SIEL,issued,,ML1.a,Assault rifles,250,pcs,412500.00,EUR,\n"
    "SIEL/2019/001,2019-03-04,KE,SIEL,issued,,ML3.a,Ammunition,100000,rounds,38000.50,EUR,\n"
    "SIEL/2019/002,2019-05-20,Indonesia,SIEL,refused,1;2a;7,ML13.d,Body armour,300,,95000,"
    "USD,\n"
    "OIEL-7,2018-11-30,Côte d'Ivoire,OIEL,revoked,2,PL5017,,12,sets,0,GBP,2019-06-01\n")
ISSUED = "LEGACY-OLD-SIEL-2019-001"
REFUSED = "LEGACY-OLD-SIEL-2019-002"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def licences(database: Database, admin: Actor, tmp_path: Path) -> None:
    """The three past decisions, imported as an administrator does (0.1 s)."""
    with UnitOfWork(database.session_factory) as uow:
        legacy_import.import_legacy(uow, admin, [write(tmp_path / "old.csv", HISTORY)],
                                    "generic", "old")


def case_id(database: Database, reference: str) -> int:
    with UnitOfWork(database.session_factory) as uow:
        return cases.find_case_id(uow, reference)


def stored_shipments(database: Database) -> int:
    with UnitOfWork(database.session_factory) as uow:
        return int(uow.session.scalar(select(func.count()).select_from(Shipment)) or 0)


def stored_cases(database: Database) -> int:
    with UnitOfWork(database.session_factory) as uow:
        return int(uow.session.scalar(select(func.count()).select_from(Case)) or 0)


def history(database: Database) -> list[str]:
    """The case list with the imported history (``case list --history``)."""
    with UnitOfWork(database.session_factory) as uow:
        return [c.reference for c in cases.list_cases(uow, include_history=True)]


def open_dialog(make_window: MakeWindow, database: Database, actor: Actor,
                reference: str = ISSUED) -> ShipmentsDialog:
    """The main window's shipments dialog for an imported licence (the register leaves
    imported history out, so it is named; the Case menu's own test selects a case)."""
    window = make_window(UiContext(database, actor))
    dialog = window.open_shipments(case_id(database, reference))
    assert isinstance(dialog, ShipmentsDialog) and dialog.isVisible()
    assert window.findChild(ShipmentsDialog) is dialog
    return dialog


def fill(qtbot, dialog: ShipmentsDialog, shipped_on: date, entry: str, quantity: str,
         value: str, note: str = "") -> None:
    dialog.date_edit.setDate(QDate(shipped_on.year, shipped_on.month, shipped_on.day))
    dialog.entry_combo.setCurrentIndex(dialog.entry_combo.findData(entry))
    type_into(qtbot, dialog.quantity_edit, quantity)
    type_into(qtbot, dialog.value_edit, value)
    type_into(qtbot, dialog.note_edit, note)


def cell(dialog: ShipmentsDialog, table: str, row: int, column: int) -> str:
    item = getattr(dialog, table).item(row, column)
    return item.text() if item is not None else ""


def field_marked(widget: QWidget) -> bool:
    return bool(widget.property("invalid"))


# --- shipments ----------------------------------------------------------------------------

def test_officer_records_shipments_through_the_form(qtbot, make_window, database, officer,
                                                    licences) -> None:
    dialog = open_dialog(make_window, database, officer)
    assert dialog.windowTitle() == f"Shipments under {ISSUED}"
    assert [cell(dialog, "totals_table", r, 0) for r in range(2)] == ["ML1.a", "ML3.a"]
    assert cell(dialog, "totals_table", 0, 2) == "250 pcs"
    assert cell(dialog, "totals_table", 0, 5) == "412,500.00 EUR"
    assert dialog.empty_label.isVisible() and not dialog.shipments_table.isVisible()
    assert dialog.entry_combo.count() == 2
    dialog.entry_combo.setCurrentIndex(1)
    assert dialog.unit_label.text() == "rounds"
    assert dialog.currency_combo.currentData() == "EUR"  # the line's currency

    fill(qtbot, dialog, date(2020, 1, 15), "ML1.a", "100", "165000.00")
    qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)

    assert dialog.last_error is None
    assert dialog.message.isVisible() and "100 pcs of ML1.a" in dialog.message.text()
    assert dialog.shipments_table.rowCount() == 1
    assert [cell(dialog, "shipments_table", 0, c) for c in range(4)] == [
        "2020-01-15", "ML1.a", "100", "165,000.00 EUR"]
    assert cell(dialog, "shipments_table", 0, 6) == "By hand"
    assert cell(dialog, "totals_table", 0, 3) == "100 pcs"
    assert cell(dialog, "totals_table", 0, 4) == "150 pcs"
    assert dialog.quantity_edit.text() == ""  # ready for the next one
    assert stored_shipments(database) == 1

    # more than licensed is recorded (it happened) and shown in red
    fill(qtbot, dialog, date(2020, 2, 1), "ML1.a", "200", "330000.00")
    qtbot.keyClick(dialog.value_edit, Qt.Key.Key_Return)
    assert dialog.shipments_table.rowCount() == 2
    assert dialog.over_banner.isVisible() and "ML1.a" in dialog.over_banner.text()
    assert cell(dialog, "totals_table", 0, 4) == "50 pcs over"
    assert dialog.totals_table.item(0, 3).background().color().name() == "#fde8e8"
    assert dialog.totals_table.item(1, 3).background().style() == Qt.BrushStyle.NoBrush


def test_a_refused_shipment_shows_the_applications_words_and_stores_nothing(
        qtbot, make_window, database, officer, licences) -> None:
    dialog = open_dialog(make_window, database, officer)
    fill(qtbot, dialog, date(2019, 1, 10), "ML3.a", "-5", "-10")  # before the decision
    qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)

    assert isinstance(dialog.last_error, ValidationError)
    text = dialog.form_error.text()
    assert dialog.form_error.isVisible()
    assert "2019-01-10 is outside the time licence" in text and "2019-03-04 onwards" in text
    assert "a correction (negative quantity) must say in its note" in text
    assert field_marked(dialog.date_edit) and field_marked(dialog.note_edit)
    assert not field_marked(dialog.quantity_edit)
    assert dialog.shipments_table.rowCount() == 0
    assert stored_shipments(database) == 0

    # corrected, the marks go and the shipment is stored
    fill(qtbot, dialog, date(2019, 4, 1), "ML3.a", "5000", "1900")
    qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
    assert not dialog.form_error.isVisible() and not field_marked(dialog.date_edit)
    assert stored_shipments(database) == 1


def test_csv_import_bad_stores_nothing_and_good_records_every_row(
        qtbot, make_window, database, officer, licences, tmp_path) -> None:
    dialog = open_dialog(make_window, database, officer)
    columns = "reference,shipped_on,control_entry,quantity,value,currency,description,note\n"
    bad = write(tmp_path / "bad.csv", columns
                + f"{ISSUED},2020-03-02,ML1.a,10,1650,EUR,First lot,\n"
                + f"{ISSUED},2020-03-03,ML1.a,lots,1650,EUR,,\n"
                + f"{ISSUED},2020-03-04,ML22.a,1,1,EUR,,\n")
    good = write(tmp_path / "good.csv", columns
                 + f"{ISSUED},2020-03-02,ML1.a,10,16500.00,EUR,First lot,\n"
                 + f"{ISSUED},2020-04-15,ML3.a,5000,1900.00,EUR,Second lot,\n"
                 + f"{ISSUED},2020-04-16,ML1.a,-10,-16500.00,EUR,,Reverses line 2\n")
    chosen = iter([bad, good])
    dialog.choose_csv = lambda: next(chosen)  # type: ignore[method-assign]

    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    problems = dialog.problems_view.toPlainText()
    assert dialog.problems_view.isVisible()
    assert "Nothing was stored: 2 problem(s)" in problems
    assert "bad.csv line 3: quantity: 'lots' is not a decimal number" in problems
    assert f"bad.csv line 4: control_entry: ML22.a is not on licence {ISSUED}" in problems
    assert stored_shipments(database) == 0 and dialog.shipments_table.rowCount() == 0
    assert not dialog.progress_row.isVisible() and dialog.import_button.isEnabled()

    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert not dialog.problems_view.isVisible()
    assert f"Recorded 3 shipment(s) from good.csv against {ISSUED}" in dialog.message.text()
    assert stored_shipments(database) == 3
    assert dialog.shipments_table.rowCount() == 3
    assert cell(dialog, "shipments_table", 2, 2) == "−10"  # the correction, last by date
    assert cell(dialog, "shipments_table", 2, 6) == "Import: good.csv"
    assert cell(dialog, "totals_table", 0, 3) == "0 pcs"


def test_an_administrator_sees_the_shipments_read_only(qtbot, make_window, database, admin,
                                                       officer, licences) -> None:
    with UnitOfWork(database.session_factory) as uow:
        shipments.record_shipment(uow, officer, ISSUED, date(2020, 1, 15), "ML1.a", "100",
                                  "165000", "EUR")
    dialog = open_dialog(make_window, database, admin)
    wording = needs_role_text(Permission.EDIT_CASES)
    assert dialog.role_banner.isVisible() and wording in dialog.role_banner.text()
    assert not dialog.form_box.isVisible()
    assert not dialog.import_button.isEnabled() and dialog.import_button.toolTip() == wording
    assert dialog.shipments_table.rowCount() == 1
    assert cell(dialog, "totals_table", 0, 3) == "100 pcs"
    assert dialog.record() is None and dialog.import_csv(Path("x.csv")) is None
    assert stored_shipments(database) == 1


def test_the_case_menu_opens_the_shipments_of_the_selected_licence(
        qtbot, make_window, database, uow, officer, sample_case_data) -> None:
    """A licence signed in Golden Rule today: in the register, and in force from today."""
    window = make_window(UiContext(database, officer))
    window.shipments_action.trigger()  # nothing selected yet
    assert window.findChild(ShipmentsDialog) is None
    assert "Select or open a licence" in window.statusBar().currentMessage()
    licence = new_case(uow, officer, sample_case_data, "CI")
    assessed(uow, officer, licence, clean())
    sign(uow, officer, licence, APPROVE)
    window.register.reload()
    window.register.select_case(licence)
    window.shipments_action.trigger()
    dialog = window.findChild(ShipmentsDialog)
    assert isinstance(dialog, ShipmentsDialog) and dialog.licence.case_id == licence
    assert dialog.entry_combo.count() == 3
    assert cell(dialog, "totals_table", 2, 5) == "95,000.25 USD"

    fill(qtbot, dialog, date.today() - timedelta(days=1), "ML13.d", "10", "3000")
    qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
    assert "outside the time licence" in dialog.form_error.text()
    fill(qtbot, dialog, date.today(), "ML13.d", "10", "3000")
    assert dialog.currency_combo.currentData() == "USD"
    qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
    assert dialog.last_error is None and dialog.shipments_table.rowCount() == 1
    assert cell(dialog, "totals_table", 2, 3) == "10 pcs"
    assert cell(dialog, "totals_table", 2, 6) == "3,000.00 USD"


def test_a_case_that_is_not_a_licence_shows_the_applications_message(
        qtbot, make_window, database, officer, licences, dialogs) -> None:
    window = make_window(UiContext(database, officer))
    assert window.open_shipments(case_id(database, REFUSED)) is None
    assert window.findChild(ShipmentsDialog) is None
    [(title, exc)] = dialogs.errors
    assert title == "No shipments for this case"
    with UnitOfWork(database.session_factory) as uow, \
            pytest.raises(ValidationError) as refused:
        shipments.record_shipment(uow, officer, REFUSED, date(2020, 1, 1), "ML13.d", "1",
                                  "1", "USD")
    assert str(exc) == refused.value.problems[0].message  # the application's own words
    assert f"{REFUSED} is refused" in str(exc)


def test_amounts_are_shown_exactly() -> None:
    from decimal import Decimal

    assert number_text(Decimal("100000")) == "100,000"
    assert number_text(Decimal("12.500")) == "12.5"
    assert number_text(Decimal("-10")) == "−10"
    assert value_text(Decimal("412500")) == "412,500.00"
    assert value_text(Decimal("0.125")) == "0.125"


# --- decision history -----------------------------------------------------------------------

def open_history(make_window: MakeWindow, database: Database, actor: Actor
                 ) -> HistoryImportDialog:
    """File › Import decision history…"""
    window = make_window(UiContext(database, actor))
    window.import_history_action.trigger()
    dialog = window.findChild(HistoryImportDialog)
    assert isinstance(dialog, HistoryImportDialog) and dialog.isVisible()
    return dialog


def test_an_administrator_imports_history_and_the_register_grows(
        qtbot, make_window, database, admin, tmp_path) -> None:
    dialog = open_history(make_window, database, admin)
    assert "docs/formats/legacy-decisions.md" in dialog.findChild(QWidget, "formatDoc").text()
    refreshed: list[bool] = []
    dialog.ctx.signals.sig_cases_changed.connect(lambda: refreshed.append(True))

    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)  # nothing chosen yet
    assert dialog.form_error.isVisible() and "at least one CSV file" in dialog.form_error.text()
    dialog.choose_files = lambda: [write(tmp_path / "old.csv", HISTORY)]  # type: ignore
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert dialog.file_list.count() == 1
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)  # no source yet
    assert "Name the source" in dialog.form_error.text()
    assert field_marked(dialog.source_edit)
    type_into(qtbot, dialog.source_edit, "old-system")
    assert dialog.prefix_edit.placeholderText() == "LEGACY-OLD-SYSTEM"
    type_into(qtbot, dialog.prefix_edit, "OLD")
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)

    assert dialog.outcome == "imported", dialog.result_view.toPlainText()
    assert dialog.status_label.text() == "Imported 3 licence(s) from 'old-system'."
    result = dialog.result_view.toPlainText()
    for line in ("Licences\n3", "Issued\n1", "Refused\n1", "Revoked\n1", "Goods lines\n4",
                 "Cases\nOLD-SIEL-2019-001 … OLD-OIEL-7", "old.csv\n4 row(s)"):
        assert line in result
    assert "Time\n" in result
    assert not dialog.import_button.isVisible() and dialog.close_button.text() == "Close"
    assert history(database) == [f"OLD-{r}" for r in ("OIEL-7", "SIEL-2019-002",
                                                       "SIEL-2019-001")]
    assert refreshed  # the views reload; the working register leaves imported history out


def test_a_bad_history_file_shows_every_problem_and_stores_nothing(
        qtbot, make_window, database, admin, tmp_path) -> None:
    dialog = open_history(make_window, database, admin)
    bad = write(tmp_path / "bad.csv", HEADER
                + "A-1,2019-03-04,Narnia,SIEL,issued,,ML1.a,,1,pcs,1,EUR,\n"
                + "A-2,2019-13-04,KE,SIEL,issued,,ML1.a,,1,pcs,1,EUR,\n")
    dialog.add_files([bad])
    type_into(qtbot, dialog.source_edit, "old")
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)

    assert dialog.outcome == "failed"
    text = dialog.result_view.toPlainText()
    assert "Nothing was stored: 2 problem(s)" in text
    assert "bad.csv line 2: destination: 'Narnia'" in text
    assert "bad.csv line 3: decision_date" in text
    assert dialog.result_view.property("failed") is True
    assert dialog.import_button.text() == "Try again" and dialog.form.isEnabled()
    assert stored_cases(database) == 0 and history(database) == []


def test_caat_uk_takes_the_values_file_then_the_criteria_file(
        qtbot, make_window, database, admin, tmp_path) -> None:
    dialog = open_history(make_window, database, admin)
    values = write(tmp_path / "values.csv",
                   "licence_group,date,rating,count,value,country,refused\n"
                   "52,2008-01-07,ML1,1,1000,Syria,0\n53,2008-02-01,ML3,10,500,Kenya,0\n")
    criteria = write(tmp_path / "criteria.csv", "licence_group,criteria,description\n"
                     "52,1,UK's international obligations\n")
    qtbot.mouseClick(dialog.caat_radio, Qt.MouseButton.LeftButton)
    assert dialog.fmt() == "caat-uk"
    assert dialog.caat_files.isVisible() and not dialog.generic_files.isVisible()
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert "Choose both files" in dialog.form_error.text()
    chosen = iter([values, criteria])
    dialog.choose_file = lambda title: next(chosen)  # type: ignore[method-assign]
    for button in dialog.caat_buttons:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert dialog.paths() == [values, criteria]
    type_into(qtbot, dialog.source_edit, "caat-uk")
    type_into(qtbot, dialog.prefix_edit, "LEGACY-UK")
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)

    assert dialog.outcome == "imported", dialog.result_view.toPlainText()
    result = dialog.result_view.toPlainText()
    assert "Issued\n1" in result and "Refused\n1" in result
    assert "LEGACY-UK-0000052 … LEGACY-UK-0000053" in result
    assert history(database) == ["LEGACY-UK-0000053", "LEGACY-UK-0000052"]


def test_a_history_import_can_be_cancelled(qtbot, make_window, database, admin,
                                           tmp_path) -> None:
    dialog = open_history(make_window, database, admin)
    dialog.add_files([write(tmp_path / "old.csv", HISTORY)])
    type_into(qtbot, dialog.source_edit, "old")
    # the synchronous runner reports progress inside the run: cancel at the first report
    dialog.runner.submit = _cancelling(dialog.runner.submit, dialog)  # type: ignore
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)

    assert dialog.outcome == "cancelled"
    assert dialog.status_label.text() == "Import cancelled: nothing was stored."
    assert dialog.import_button.isEnabled() and dialog.form.isEnabled()
    assert stored_cases(database) == 0 and history(database) == []


def _cancelling(submit: Callable[..., Progress], dialog: HistoryImportDialog
                ) -> Callable[..., Progress]:
    """The runner's submit, with Cancel pressed when the import first reports progress."""
    def wrapped(fn: Callable[[Progress], object], on_done: Callable[[object], None],
                on_error: Callable[[BaseException], None],
                on_progress: Callable[[int, int, str], None] | None = None) -> Progress:
        def progress(done: int, total: int, text: str) -> None:
            dialog.cancel()
            assert on_progress is not None
            on_progress(done, total, text)

        return submit(fn, on_done, on_error, progress)

    return wrapped


def test_a_supervisor_cannot_import_history(qtbot, make_window, database, supervisor) -> None:
    window = make_window(UiContext(database, supervisor))
    wording = needs_role_text(Permission.MANAGE_SETTINGS)
    assert not window.import_history_action.isEnabled()
    assert window.import_history_action.toolTip() == wording
    assert window.import_history() is None
    assert window.statusBar().currentMessage() == wording
    assert window.findChild(HistoryImportDialog) is None
    window.show_area("reports")
    page = window.reports_page
    assert isinstance(page, ReportsPage) and not page.history_button.isVisible()


def test_the_reports_page_offers_the_history_import_to_administrators(
        qtbot, make_window, database, admin) -> None:
    window = make_window(UiContext(database, admin))
    assert window.import_history_action.isEnabled()
    window.show_area("reports")
    page = window.reports_page
    assert isinstance(page, ReportsPage) and page.history_button.isVisible()
    qtbot.mouseClick(page.history_button, Qt.MouseButton.LeftButton)
    assert isinstance(page.findChild(HistoryImportDialog), HistoryImportDialog)
