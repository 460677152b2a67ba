"""The Screening window and the case's screening tab with real widgets over a real database:
a list file imported through the page (format detected, progress, the diff, the automatic
re-screening and its new hits), a second version's changes, a case whose party resembles a
listed entity screened and judged (a false positive refused without a reason, then
recorded; a true match a hard stop), a name checked ad hoc, the threshold setting, and what
the roles may do."""

from __future__ import annotations

import csv
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from sqlalchemy import func, select

from app import cases, settings
from app.casedata import CaseData, PartyData
from app.database import Database
from app.errors import InputError
from app.hardstops import CheckResult, CheckStatus
from app.roles import Permission
from app.screening import lists as list_store
from app.screening import parsers, service
from app.status import CaseStatus
from app.uow import UnitOfWork
from app.users import Actor
from db.models import ListVersion, ScreeningDisposition, ScreeningRun
from tests.ui.helpers import type_into
from ui.assessment.checks_page import CheckCard, ChecksPage
from ui.cases.editor import CaseEditor
from ui.context import UiContext
from ui.main_window import MainWindow
from ui.screening.case_tab import CaseScreeningTab
from ui.screening.import_dialog import ImportOptionsDialog, ImportRequest
from ui.screening.page import ScreeningPage
from ui.settings.authority import AuthorityTab
from ui.settings.common import needs_role_text
from ui.style import STYLESHEET
from ui.tasks import TaskRunner

MakeWindow = Callable[..., MainWindow]
COLUMNS = ("id", "name", "kind", "aliases", "birth_dates", "countries", "programmes",
           "reference", "listed_on", "remarks")
V1 = [
    ("E-1", "Abidjan Logistique Défense", "entity", "ALD;~Logistique Ouest", "", "CI",
     "CIV-ARMS", "CIe.001", "2025-01-10", "Supplies armed groups."),
    ("E-2", "Northern Star Shipping", "entity", "", "", "KP", "DPRK", "KPe.070", "2024-05-01",
     ""),
    ("I-1", "Ivan Petrovich Sidorov", "individual", "Иван Петрович Сидоров", "1970-05-01",
     "RU", "RUSSIA", "RUi.002", "2023-03-03", ""),
]
#: E-1 amended (a country added), E-2 removed, I-1 re-issued as I-9, E-3 added.
V2 = [(*V1[0][:5], "CI;LR", *V1[0][6:]),
      ("E-3", "Sahel Arms Brokers", "entity", "", "", "ML", "MALI", "MLe.001", "2026-01-01",
       ""),
      ("I-9", "Ivan Petrovich Sidorov", "individual", "", "1970-05-01", "RU", "RUSSIA",
       "RUi.002", "2023-03-03", "")]
LIST_NAME = "National watch list"


def write_list(path: Path, rows: list[tuple[str, ...]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return path


def new_case(database: Database, officer: Actor, data: CaseData,
             status: CaseStatus = CaseStatus.RECEIVED) -> tuple[int, str]:
    with UnitOfWork(database.session_factory) as uow:
        record = cases.create_case(uow, officer, data, status=status)
    return record.id, record.reference


def resembling(data: CaseData) -> CaseData:
    """The sample case with a consignee that resembles listed entity E-1."""
    return replace(data, parties=[
        replace(p, name="ABIDJAN LOGISTIQUE DEFENSE SARL") if p.role == "consignee" else p
        for p in data.parties])


def sahel(data: CaseData) -> CaseData:
    return replace(data, parties=[PartyData(role="end_user", name="Sahel Arms Brokers Ltd",
                                            country="ML", kind="commercial")])


def import_direct(database: Database, actor: Actor, path: Path) -> None:
    with UnitOfWork(database.session_factory) as uow:
        list_store.import_list(uow, actor, path, list_name=LIST_NAME, fmt="csv")


def screening_page(window: MainWindow) -> ScreeningPage:
    window.show_area("screening")
    page = window.screening_page
    assert isinstance(page, ScreeningPage)
    return page


def import_through_page(page: ScreeningPage, monkeypatch: pytest.MonkeyPatch, path: Path,
                        name: str | None = LIST_NAME) -> list[ImportOptionsDialog]:
    """Import list file… as the officer does it: the file dialog (patched), the options
    dialog built for real and accepted as shown, except the list name typed in."""
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (str(path), "")))
    shown: list[ImportOptionsDialog] = []

    def accept(path: Path, lists: list[list_store.ListInfo]) -> ImportRequest | None:
        dialog = ImportOptionsDialog(path, lists, page)
        shown.append(dialog)
        if name is not None:
            dialog.name_combo.setEditText(name)
        return dialog.request()

    monkeypatch.setattr(page, "ask_import_options", accept)
    page.import_button.click()
    return shown


def rows(model: object) -> list[tuple[str, ...]]:
    return [model.cells(r) for r in model.rows()]  # type: ignore[attr-defined]


def open_screening_tab(window: MainWindow, case_id: int) -> CaseScreeningTab:
    editor = window.open_case_screening(case_id)
    assert isinstance(editor, CaseEditor)
    tab = editor.screening_tab
    assert editor.tabs.currentWidget() is tab and tab.isVisible()
    return tab


def dispositions(database: Database) -> int:
    with UnitOfWork(database.session_factory) as uow:
        return int(uow.session.scalar(select(func.count()).select_from(ScreeningDisposition)))


# --- the Screening window ---------------------------------------------------------------------

def test_importing_a_list_shows_it_its_changes_and_the_new_hits(
        qtbot, make_window: MakeWindow, database: Database, officer: Actor,
        sample_case_data: CaseData, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _case_id, reference = new_case(database, officer, resembling(sample_case_data))
    sahel_id, sahel_ref = new_case(database, officer, sahel(sample_case_data))
    window = make_window(UiContext(database, officer))
    page = screening_page(window)
    assert page.lists_panel.lists_empty.isVisible()
    assert page.status_label.text() == "No list imported"

    shown = import_through_page(page, monkeypatch, write_list(tmp_path / "watch.csv", V1))
    [dialog] = shown
    assert dialog.detected == "csv" and dialog.fmt() == "csv"
    assert "(detected)" in dialog.format_combo.currentText()
    assert dialog.name_combo.currentText() == LIST_NAME
    assert not page.is_busy() and not page.progress_row.isVisible()
    # the list, its first version, all its entries new
    [info] = page.lists_panel.lists_model.rows()
    assert (info.name, info.active, info.current.entry_count) == (LIST_NAME, True, 3)
    cells = page.lists_panel.lists_model.cells(info)
    assert cells[3] == "3" and cells[4] == "6" and cells[8].endswith("…")
    assert page.lists_panel.versions_model.rowCount() == 1
    assert page.lists_panel.diff_summary.text() == (
        "The first version of the list: all 3 entries are new.")
    assert page.lists_panel.added_model.rowCount() == 3
    assert "Imported" in page.message.text() and "3 entries, 6 names" in page.message.text()
    # the automatic re-screening: the case resembling E-1 has a new hit to review
    report = page.last_rescreen
    assert report is not None and page.lists_panel.rescreen_box.isVisible()
    assert [(ref, h.hit.entry_key) for ref, h in report.new_hits] == [(reference, "E-1")]
    assert rows(page.lists_panel.new_hits_model)[0][:3] == (
        reference, "Consignee: ABIDJAN LOGISTIQUE DEFENSE SARL", "Abidjan Logistique Défense")
    assert "2 open cases and licences in force, 6 parties. Hits: 1, new to review: 1." in \
        page.lists_panel.rescreen_summary.text()

    # a second version: what changed, and the new hit it brings
    import_through_page(page, monkeypatch, write_list(tmp_path / "watch-2.csv", V2))
    panel = page.lists_panel
    assert panel.versions_model.rowCount() == 2
    assert panel.selected_version().id == page.last_import.version.id
    assert {r[0] for r in rows(panel.added_model)} == {"E-3", "I-9"}
    assert {r[0] for r in rows(panel.removed_model)} == {"E-2", "I-1"}
    assert rows(panel.amended_model) == [
        ("E-1", "Abidjan Logistique Défense", "entity", "CIe.001", "CIV-ARMS", "countries")]
    assert "2 added, 2 removed, 1 amended" in panel.diff_summary.text()
    assert "RUi.002" in panel.diff_summary.text()
    assert [panel.diff_tabs.tabText(i) for i in range(3)] == [
        "Added (2)", "Removed (2)", "Amended (1)"]
    new = page.last_rescreen.new_hits
    assert [(ref, h.hit.entry_key) for ref, h in new] == [(sahel_ref, "E-3")]
    # the older version's diff is computed on selection (the first: all added)
    panel.versions_table.selectRow(1)
    assert panel.diff_summary.text().startswith("The first version")
    # double-click a new hit: the case opens on its screening tab
    index = panel.new_hits_model.index(0, 0)
    panel.new_hits_table.doubleClicked.emit(index)
    editor = window.current_editor()
    assert editor is not None and editor.case_id == sahel_id
    assert editor.tabs.currentWidget() is editor.screening_tab
    assert editor.screening_tab.hits_model.rowCount() == 1


def test_the_file_menu_imports_a_list_too(qtbot, make_window: MakeWindow, database: Database,
                                          admin: Actor, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    window = make_window(UiContext(database, admin))
    assert window.import_list_action.isEnabled()  # administrators manage lists
    monkeypatch.setattr(ScreeningPage, "ask_import_options",
                        lambda self, path, lists: ImportRequest(path, "csv", LIST_NAME))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(
        lambda *a, **k: (str(write_list(tmp_path / "w.csv", V1)), "")))
    window.import_list_action.trigger()
    assert window.stack.currentIndex() == window.AREAS.index("screening")
    page = window.screening_page
    assert isinstance(page, ScreeningPage) and page.last_import is not None
    assert page.last_rescreen is not None


def test_an_unreadable_file_is_refused_and_nothing_is_stored(
        qtbot, make_window: MakeWindow, database: Database, officer: Actor, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, dialogs) -> None:
    page = screening_page(make_window(UiContext(database, officer)))
    bad = tmp_path / "notes.txt"
    bad.write_text("just some notes\n", encoding="utf-8")
    [dialog] = import_through_page(page, monkeypatch, bad, name=None)
    assert dialog.detected is None and not dialog.import_button.isEnabled()
    assert "not a list format" in dialog.format_note.text()
    assert dialogs.errors == []  # no format chosen: nothing was attempted
    # chosen anyway as the generic CSV: the reader refuses it, nothing is stored
    monkeypatch.setattr(page, "ask_import_options",
                        lambda path, lists: ImportRequest(path, "csv", "Anything"))
    page.import_list_file(bad)
    [(title, exc)] = dialogs.errors
    assert title == "The list was not imported" and isinstance(exc, InputError)
    with UnitOfWork(database.session_factory) as uow:
        assert uow.session.scalar(select(func.count()).select_from(ListVersion)) == 0
    assert page.lists_panel.lists_model.rowCount() == 0


def test_an_import_can_be_cancelled(qtbot, database: Database, officer: Actor,
                                    tmp_path: Path, qapp_style,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """On a real worker thread: the page stays usable, Cancel stops the import, nothing is
    stored, and the next import runs to the end."""
    runner = TaskRunner()
    page = ScreeningPage(UiContext(database, officer), runner=runner)
    qtbot.addWidget(page)
    page.show()
    reading, release = threading.Event(), threading.Event()
    real = parsers.parse_file

    def slow_parse(*args: object, **kwargs: object) -> object:
        reading.set()
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(parsers, "parse_file", slow_parse)
    request = ImportRequest(write_list(tmp_path / "w.csv", V1), "csv", LIST_NAME)
    page.start_import(request)
    qtbot.waitUntil(reading.is_set)
    assert page.is_busy() and page.progress_row.isVisible()
    assert page.progress_text.text() == "Reading w.csv…"
    assert not page.import_button.isEnabled() and page.cancel_button.isEnabled()
    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    assert page.progress_text.text() == "Cancelling…"
    with qtbot.waitSignal(page.sig_cancelled, timeout=10000) as blocker:
        release.set()
    assert blocker.args == ["import"]
    assert page.message.text() == "Import cancelled: nothing was stored."
    assert not page.is_busy() and page.import_button.isEnabled()
    with UnitOfWork(database.session_factory) as uow:
        assert list_store.lists(uow) == []
    with qtbot.waitSignal(page.sig_rescreened, timeout=20000):
        page.start_import(request)
    assert page.lists_panel.lists_model.rowCount() == 1
    runner.wait()


def test_a_list_can_be_left_out_of_screening(qtbot, make_window: MakeWindow,
                                             database: Database, officer: Actor,
                                             tmp_path: Path) -> None:
    import_direct(database, officer, write_list(tmp_path / "w.csv", V1))
    page = screening_page(make_window(UiContext(database, officer)))
    model = page.lists_panel.lists_model
    index = model.index(0, model.ACTIVE)
    assert index.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    assert model.setData(index, Qt.CheckState.Unchecked, Qt.ItemDataRole.CheckStateRole)
    with UnitOfWork(database.session_factory) as uow:
        [info] = list_store.lists(uow)
    assert not info.active
    assert model.index(0, model.ACTIVE).data(
        Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
    assert page.status_label.text() == "0 of 1 lists in use"


def test_checking_a_name_explains_the_hit_and_stores_nothing(
        qtbot, make_window: MakeWindow, database: Database, officer: Actor,
        tmp_path: Path) -> None:
    import_direct(database, officer, write_list(tmp_path / "w.csv", V1))
    page = screening_page(make_window(UiContext(database, officer)))
    page.tabs.setCurrentIndex(page.CHECK_TAB)
    panel = page.name_panel
    assert panel.threshold_spin.value() == 82
    type_into(qtbot, panel.name_edit, "Sidorov Ivan")
    panel.country.set_code("RU")
    panel.kind_combo.setCurrentIndex(panel.kind_combo.findData("individual"))
    type_into(qtbot, panel.birth_edit, "1970-05-01")
    panel.check_button.click()
    [hit] = panel.hits_model.rows()
    assert hit.hit.entry_key == "I-1"
    assert panel.summary.text() == (
        "Entries resembling “Sidorov Ivan” at threshold 82 against "
        f"{page.name_panel.screening.versions_text()}: 1.")
    text = panel.explanation.toPlainText()
    assert "Closest list name" in text and "Ivan Petrovich Sidorov" in text
    assert "date of birth 1970-05-01 matches 1970-05-01 exactly" in text.lower()
    assert "+8" in text and "Dates of birth" in text and "RUi.002" in text
    with UnitOfWork(database.session_factory) as uow:
        assert uow.session.scalar(select(func.count()).select_from(ScreeningRun)) == 0


# --- the case's screening tab -----------------------------------------------------------------

def test_screening_a_case_judging_its_hit_and_the_hard_stop(
        qtbot, make_window: MakeWindow, database: Database, officer: Actor,
        sample_case_data: CaseData, tmp_path: Path, dialogs) -> None:
    import_direct(database, officer, write_list(tmp_path / "w.csv", V1))
    case_id, reference = new_case(database, officer, resembling(sample_case_data))
    window = make_window(UiContext(database, officer))
    tab = open_screening_tab(window, case_id)
    # before any run: what screening finds now, not yet kept
    assert "Not screened yet" in tab.summary.text()
    assert f"against {LIST_NAME} of" in tab.summary.text()
    assert tab.runs_model.rowCount() == 0
    tab.screen_button.click()
    assert tab.runs_model.rowCount() == 1 and "Last screened" in tab.summary.text()
    assert "at threshold 82 · hits: 1 (1 to judge, 0 judged)" in tab.summary.text()
    [hit] = tab.hits_model.rows()
    assert tab.hits_model.cells(hit)[:3] == (
        "Consignee: ABIDJAN LOGISTIQUE DEFENSE SARL", "Abidjan Logistique Défense (CIe.001)",
        LIST_NAME)
    assert tab.hits_model.cells(hit)[4] == "Open"  # the first screening: nothing is "new"
    # the selected hit is explained
    assert tab.selected_hit() == hit
    text = tab.explanation.toPlainText()
    assert "Why it matched" in text and "Closest list name" in text
    assert "Country CI is" in text and "+5" in text
    assert "Score\n100 (at most 100)" in text  # 100 for the name, +5 for the country
    assert "The listed entry" in text and "Supplies armed groups." in text
    assert "Logistique Ouest (weak)" in text

    # a false positive needs a reason: refused, nothing stored, the field marked
    assert tab.false_button.isEnabled()
    tab.false_button.click()
    [(title, exc)] = dialogs.errors
    assert title == "The judgement was not recorded" and "Say why" in str(exc)
    assert tab.reason_edit.property("invalid") and dispositions(database) == 0
    # with a reason it is recorded; the state and the judgements show it
    changed: list[object] = []
    window.ctx.signals.sig_screening_changed.connect(changed.append)
    tab.reason_edit.setPlainText("Registered in Abidjan in 1998; the listed firm is Liberian.")
    tab.false_button.click()
    assert dispositions(database) == 1 and changed == [case_id]
    [hit] = tab.hits_model.rows()
    assert hit.state == service.FALSE_POSITIVE and tab.reason_edit.toPlainText() == ""
    assert tab.hits_model.cells(hit)[4] == "False positive"
    assert tab.judgements_model.rowCount() == 1
    judged = tab.judgements_model.cells(tab.judgements_model.row(0))
    assert judged[1:3] == (reference, "ABIDJAN LOGISTIQUE DEFENSE SARL")
    assert judged[4] == "False positive" and judged[5].startswith("Registered in Abidjan")
    assert "Judgement" in tab.explanation.toPlainText()
    assert tab.history_tabs.tabText(0) == "Judgements (1)"

    # an assessment's checks: clear now; a true match makes the sanctions check a hard stop
    view = window.open_assessment(case_id, "golden-rule")
    assert view is not None
    [card] = [c for c in view.checks_page.cards if c.result.check == "sanctions"]
    assert card.result.status is CheckStatus.CLEAR
    tab = open_screening_tab(window, case_id)
    tab.select_hit(0)
    tab.reason_edit.setPlainText("Same registration number as the listed firm.")
    tab.match_button.click()
    assert tab.hits_model.row(0).state == service.MATCH
    assert tab.judgements_model.rowCount() == 2
    [card] = [c for c in view.checks_page.cards if c.result.check == "sanctions"]
    assert card.result.status is CheckStatus.APPLIES  # the open assessment was told
    assert card.screening_button is not None
    with UnitOfWork(database.session_factory) as uow:
        from app import assessments
        results = assessments.hard_stops(uow, case_id)
    assert [r.status for r in results if r.check == "sanctions"] == [CheckStatus.APPLIES]
    # the Screening window's judgements list both
    page = screening_page(window)
    page.tabs.setCurrentIndex(page.JUDGEMENTS_TAB)
    assert page.judgements_model.rowCount() == 2
    assert page.tabs.tabText(page.JUDGEMENTS_TAB) == "Judgements (2)"


def test_an_unresolved_check_opens_the_screening_tab(
        qtbot, make_window: MakeWindow, database: Database, officer: Actor,
        sample_case_data: CaseData, tmp_path: Path) -> None:
    import_direct(database, officer, write_list(tmp_path / "w.csv", V1))
    case_id, _ref = new_case(database, officer, resembling(sample_case_data))
    window = make_window(UiContext(database, officer))
    view = window.open_assessment(case_id, "golden-rule")
    assert view is not None
    [card] = [c for c in view.checks_page.cards if c.result.check == "sanctions"]
    assert isinstance(card, CheckCard) and card.result.status is CheckStatus.UNRESOLVED
    assert card.property("status") == "unresolved"
    assert card.screening_button is not None
    card.screening_button.click()
    editor = window.current_editor()
    assert editor is not None and editor.case_id == case_id
    assert editor.tabs.currentWidget() is editor.screening_tab


def test_consultations_and_unresolved_matches_have_their_own_look(qtbot, qapp_style) -> None:
    page = ChecksPage()
    qtbot.addWidget(page)
    page.show_results([
        CheckResult("denials", "denials:1", CheckStatus.CONSULT, "An earlier denial"),
        CheckResult("sanctions", "sanctions:x", CheckStatus.UNRESOLVED, "A possible match"),
        CheckResult("embargo", "embargo:x", CheckStatus.UNRESOLVED, "Something else")],
        {}, date(2026, 3, 1))
    consult, sanctions_card, other = page.cards
    assert consult.property("status") == "consult" and consult.screening_button is None
    assert sanctions_card.screening_button is not None and other.screening_button is None
    assert 'checkChip[status="consult"]' in STYLESHEET
    assert 'checkCard[status="consult"]' in STYLESHEET
    opened: list[bool] = []
    page.sig_open_screening.connect(lambda: opened.append(True))
    sanctions_card.screening_button.click()
    assert opened == [True]


def test_no_list_yet_says_where_to_import_one(qtbot, make_window: MakeWindow,
                                              database: Database, officer: Actor,
                                              sample_case_data: CaseData, dialogs) -> None:
    case_id, _ref = new_case(database, officer, sample_case_data)
    tab = open_screening_tab(make_window(UiContext(database, officer)), case_id)
    assert "No sanctions list is imported" in tab.summary.text()
    tab.screen_button.click()
    [(title, exc)] = dialogs.errors
    assert title == "The case was not screened" and "import a list" in str(exc)


def test_a_decided_case_is_read_only(qtbot, make_window: MakeWindow, database: Database,
                                     officer: Actor, sample_case_data: CaseData,
                                     tmp_path: Path) -> None:
    import_direct(database, officer, write_list(tmp_path / "w.csv", V1))
    case_id, _ref = new_case(database, officer, resembling(sample_case_data))
    with UnitOfWork(database.session_factory) as uow:
        cases.change_status(uow, officer, case_id, CaseStatus.WITHDRAWN, "Applicant withdrew.")
    tab = open_screening_tab(make_window(UiContext(database, officer)), case_id)
    assert tab.hits_model.rowCount() == 1 and tab.selected_hit() is not None
    assert not tab.match_button.isEnabled() and not tab.false_button.isEnabled()
    assert tab.note.isVisible() and "can no longer be judged" in tab.note.text()


def test_an_administrator_manages_lists_but_does_not_judge(
        qtbot, make_window: MakeWindow, database: Database, officer: Actor, admin: Actor,
        sample_case_data: CaseData, tmp_path: Path) -> None:
    import_direct(database, officer, write_list(tmp_path / "w.csv", V1))
    case_id, _ref = new_case(database, officer, resembling(sample_case_data))
    window = make_window(UiContext(database, admin))
    page = screening_page(window)
    assert page.import_button.isEnabled() and page.rescreen_button.isEnabled()
    assert not page.name_panel.form.isEnabled()
    model = page.lists_panel.lists_model
    assert model.flags(model.index(0, model.ACTIVE)) & Qt.ItemFlag.ItemIsUserCheckable
    page.rescreen_button.click()
    assert page.last_rescreen is not None and len(page.last_rescreen.new_hits) == 1
    tab = open_screening_tab(window, case_id)
    assert tab.hits_model.rowCount() == 1
    assert not tab.screen_button.isEnabled() and not tab.judge_box.isVisible()
    assert needs_role_text(Permission.SCREEN) in tab.note.text()


def test_the_threshold_is_an_authority_setting(qtbot, make_window: MakeWindow,
                                               database: Database, admin: Actor) -> None:
    window = make_window(UiContext(database, admin))
    window.show_area("settings")
    tab = window.settings_page.findChild(AuthorityTab)
    assert tab is not None and tab.threshold.value() == 82
    tab.threshold.setValue(75)
    assert tab.changed() == {"screening.threshold": 75}
    assert tab.save() and tab.state.text() == "Saved 1 setting(s)."
    with UnitOfWork(database.session_factory) as uow:
        assert settings.get(uow, "screening.threshold") == 75
    page = screening_page(window)
    assert page.name_panel.threshold_spin.value() == 75


def test_others_see_the_threshold_read_only(qtbot, make_window: MakeWindow,
                                            database: Database, officer: Actor) -> None:
    window = make_window(UiContext(database, officer))
    window.show_area("settings")
    tab = window.settings_page.findChild(AuthorityTab)
    assert tab is not None and tab.threshold.isReadOnly()
