"""Keys and settings in the Settings area, the Verify-integrity dialog, the start-up banner,
and what each role may do from the main window."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from app import keys, settings, users
from app.database import Database
from app.uow import UnitOfWork
from app.users import Actor
from app.vocab import Role
from tests.conftest import ADMIN_PASSWORD, CA_PASSWORD, OFFICER_PASSWORD
from tests.ui.helpers import type_into
from ui.context import UiContext
from ui.login import FirstRunDialog
from ui.settings.authority import AuthorityTab, RulesModel
from ui.settings.keys import ImportCaDialog, KeysTab
from ui.settings.users import AddAccountDialog, IssueKeyDialog, UsersTab
from ui.verify_dialog import VerifyDialog


def _tamper(database: Database) -> None:
    """Edit an audit event behind the application's back, as someone with sqlite3 could."""
    path = database.path
    assert path is not None
    database.engine.dispose()  # no pooled connection keeps an old view of the file
    connection = sqlite3.connect(path)
    try:
        connection.execute("DROP TRIGGER change_events_no_update")
        connection.execute("UPDATE change_events SET action='x' WHERE id=2")
        connection.commit()
    finally:
        connection.close()


def _certificates(database: Database) -> list[keys.CertificateInfo]:
    with UnitOfWork(database.session_factory) as uow:
        return keys.list_certificates(uow)


# --- first run ---------------------------------------------------------------------------

def test_first_run_creates_the_office_ca_and_the_administrators_key(qtbot, database,
                                                                    qapp_style) -> None:
    dialog = FirstRunDialog(database)
    qtbot.addWidget(dialog)
    type_into(qtbot, dialog.full_name, "Ana Administradora")
    type_into(qtbot, dialog.organisation, "Autorité nationale de contrôle")
    for field_ in (dialog.password, dialog.repeat):
        type_into(qtbot, field_, ADMIN_PASSWORD)
    for field_ in (dialog.ca_password, dialog.ca_repeat):
        type_into(qtbot, field_, CA_PASSWORD)
    dialog.demo.setChecked(False)
    dialog.try_create()
    assert dialog.error.text() == ""
    assert dialog.result() == QDialog.DialogCode.Accepted  # no demo: no accounts page
    certificates = _certificates(database)
    assert [(c.kind, c.username, c.status) for c in certificates] == [
        ("ca", None, "active"), ("user", "admin", "active")]
    assert "O=Autorité nationale de contrôle" in certificates[0].subject
    with UnitOfWork(database.session_factory) as uow:
        assert settings.get(uow, "authority.name") == "Autorité nationale de contrôle"
        assert dialog.actor is not None
        with keys.unlocked(uow.session, dialog.actor.id, ADMIN_PASSWORD) as signer:
            assert signer.certificate_id == certificates[1].id


# --- users and keys ----------------------------------------------------------------------

@pytest.fixture
def admin_ctx(database: Database, admin: Actor, qapp_style) -> UiContext:
    return UiContext(database, admin)


def test_creating_a_user_in_settings_issues_a_key(qtbot, admin_ctx, database) -> None:
    tab = UsersTab(admin_ctx)
    qtbot.addWidget(tab)

    def fill(dialog: QDialog) -> int:
        assert isinstance(dialog, AddAccountDialog)
        qtbot.addWidget(dialog)
        type_into(qtbot, dialog.username, "jiri")
        type_into(qtbot, dialog.full_name, "Jiří Černý")
        dialog.role.setCurrentIndex(dialog.role.findData(Role.OFFICER.value))
        type_into(qtbot, dialog.password, "jiri-password-1")
        type_into(qtbot, dialog.repeat, "jiri-password-1")
        type_into(qtbot, dialog.ca_password, "not-the-ca-passphrase")
        dialog.submit()
        assert "Wrong CA passphrase" in dialog.error.text()
        assert dialog.ca_password.text() == ""  # never left lying in the field
        type_into(qtbot, dialog.ca_password, CA_PASSWORD)
        dialog.submit()
        return dialog.result()

    tab.exec_dialog = fill  # type: ignore[method-assign]
    qtbot.mouseClick(tab.add_account_button, Qt.MouseButton.LeftButton)
    selected = tab.selected_account()
    assert selected is not None and selected.actor.username == "jiri"
    assert selected.certificate is not None and selected.certificate.status == "active"
    column = tab.accounts_model.index(tab.accounts_table.currentIndex().row(), 4)
    assert column.data().startswith("active · ")
    with UnitOfWork(database.session_factory) as uow, \
            keys.unlocked(uow.session, selected.actor.id, "jiri-password-1") as signer:
        assert signer.certificate_id == selected.certificate.id


def test_rotating_a_key_retires_the_old_certificate(qtbot, admin_ctx, officer,
                                                    database) -> None:
    tab = UsersTab(admin_ctx)
    qtbot.addWidget(tab)
    tab.select_username("olga")
    old = tab.selected_account().certificate
    assert old is not None
    assert tab.issue_key_button.isEnabled()

    def rotate(dialog: QDialog) -> int:
        assert isinstance(dialog, IssueKeyDialog)
        qtbot.addWidget(dialog)
        assert dialog.keep_mode.isChecked() and not dialog.new_password.isEnabled()
        type_into(qtbot, dialog.current_password, "a-guess-at-her-password")
        type_into(qtbot, dialog.ca_password, CA_PASSWORD)
        dialog.submit()
        assert "not olga's password" in dialog.error.text()  # the key must open for her
        type_into(qtbot, dialog.current_password, OFFICER_PASSWORD)
        type_into(qtbot, dialog.ca_password, CA_PASSWORD)
        dialog.submit()
        return dialog.result()

    tab.exec_dialog = rotate  # type: ignore[method-assign]
    qtbot.mouseClick(tab.issue_key_button, Qt.MouseButton.LeftButton)
    new = tab.selected_account().certificate
    assert new is not None and new.serial != old.serial
    by_serial = {c.serial: c for c in _certificates(database)}
    assert by_serial[old.serial].status == "retired"
    assert by_serial[new.serial].status == "active"
    with UnitOfWork(database.session_factory) as uow, \
            keys.unlocked(uow.session, officer.id, OFFICER_PASSWORD) as signer:
        assert signer.certificate_id == new.id


def test_keys_tab_shows_the_ca_and_exports_its_certificate(qtbot, admin_ctx, officer,
                                                           tmp_path: Path) -> None:
    tab = KeysTab(admin_ctx)
    qtbot.addWidget(tab)
    assert tab.ca is not None and not tab.import_button.isVisibleTo(tab)
    kinds = [(tab.model.row(r).kind, tab.model.row(r).status)
             for r in range(tab.model.rowCount())]
    assert kinds == [("ca", "active"), ("user", "active"), ("user", "active")]
    assert tab.ca_fingerprint.text().replace("\n", ":").count(":") == 31  # 32 bytes
    target = tmp_path / "ca.pem"
    tab.ask_save_path = lambda: str(target)  # type: ignore[method-assign]
    qtbot.mouseClick(tab.export_button, Qt.MouseButton.LeftButton)
    with admin_ctx.uow() as uow:
        assert target.read_text(encoding="ascii") == keys.ca_certificate_pem(uow)


def test_a_ca_is_imported_only_where_there_is_none(qtbot, tmp_path: Path, qapp_style) -> None:
    from cryptography.hazmat.primitives.serialization import pkcs12

    from app.database import open_database

    # the CA of another database, exported as PKCS#12 under its own password
    source = open_database(tmp_path / "source.sqlite3")
    target_db = open_database(tmp_path / "target.sqlite3")
    try:
        with UnitOfWork(source.session_factory) as uow:
            users.create_first_administrator(uow, "admin", "Ada", ADMIN_PASSWORD,
                                             ca_password=CA_PASSWORD)
            key, cert = keys._unlock_ca(uow.session, CA_PASSWORD)
        p12 = pkcs12.serialize_key_and_certificates(
            b"ca", key, cert, None, keys._encryption("file-password"))  # type: ignore[arg-type]
        (tmp_path / "ca.p12").write_bytes(p12)
        with UnitOfWork(target_db.session_factory) as uow:
            admin = users.create_first_administrator(uow, "admin", "Ada", ADMIN_PASSWORD)
        ctx = UiContext(target_db, admin)
        tab = KeysTab(ctx)
        qtbot.addWidget(tab)
        assert tab.ca is None and tab.import_button.isVisibleTo(tab)

        def fill(dialog: QDialog) -> int:
            assert isinstance(dialog, ImportCaDialog)
            qtbot.addWidget(dialog)
            dialog.file.setText(str(tmp_path / "ca.p12"))
            dialog.file_password.setText("wrong")
            dialog.ca_password.setText("a-new-ca-passphrase")
            dialog.ca_repeat.setText("a-new-ca-passphrase")
            dialog.try_import()
            assert "could not be read" in dialog.error.text()
            dialog.file_password.setText("file-password")
            dialog.ca_password.setText("a-new-ca-passphrase")
            dialog.ca_repeat.setText("a-new-ca-passphrase")
            dialog.try_import()
            return dialog.result()

        tab.exec_dialog = fill  # type: ignore[method-assign]
        qtbot.mouseClick(tab.import_button, Qt.MouseButton.LeftButton)
        assert tab.ca is not None and tab.ca.fingerprint == keys.fingerprint(cert)
        assert not tab.import_button.isVisibleTo(tab)
        with UnitOfWork(target_db.session_factory) as uow:  # the new passphrase issues keys
            info = keys.issue_user_key(uow, admin, "admin", ADMIN_PASSWORD,
                                       "a-new-ca-passphrase")
        assert info.status == "active"
    finally:
        source.dispose()
        target_db.dispose()


# --- authority settings ------------------------------------------------------------------

def _set(model: RulesModel, row: int, column: str, value: object,
         role: Qt.ItemDataRole = Qt.ItemDataRole.EditRole) -> None:
    assert model.setData(model.index(row, model.COLUMNS.index(column)), value, role)


def test_authority_settings_are_saved_and_reloaded(qtbot, admin_ctx, officer, make_window,
                                                   monkeypatch) -> None:
    tab = AuthorityTab(admin_ctx)
    qtbot.addWidget(tab)
    type_into(qtbot, tab.name, "Bundesamt für Ausfuhrkontrolle")
    tab.framework.setCurrentIndex(tab.framework.findData("eu-cp"))
    type_into(qtbot, tab.classification, "VS-NUR FÜR DEN DIENSTGEBRAUCH")
    tab.grade_reliability.setCurrentIndex(tab.grade_reliability.findData("A"))
    tab.grade_credibility.setCurrentIndex(tab.grade_credibility.findData("3"))
    tab.flagged.add_code("sa")
    tab.flagged.add_code("AE")
    tab.flagged.add_code("SA")  # no duplicates
    model = tab.rules_model
    qtbot.mouseClick(tab.add_rule_button, Qt.MouseButton.LeftButton)
    row = model.rowCount() - 1
    _set(model, row, "name", "Small arms to the Gulf")
    # outcome check boxes: the new rule covers refusals; make it cover approvals instead
    _set(model, row, "refuse", Qt.CheckState.Unchecked, Qt.ItemDataRole.CheckStateRole)
    _set(model, row, "approve", Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)
    _set(model, row, "destinations", "sa, ae")
    _set(model, row, "categories", "ml1 ML3")
    _set(model, row, "count", 2)
    assert tab.save(), tab.error.text()
    assert "Saved 6 setting" in tab.state.text()

    expected_rule = {"name": "Small arms to the Gulf", "outcomes": ["approve"],
                     "destinations": ["SA", "AE"], "categories": ["ML1", "ML3"], "count": 2}
    with admin_ctx.uow() as uow:
        stored = settings.all_settings(uow)
    assert stored["authority.name"] == "Bundesamt für Ausfuhrkontrolle"
    assert stored["authority.framework"] == "eu-cp"
    assert stored["documents.classification"] == "VS-NUR FÜR DEN DIENSTGEBRAUCH"
    assert stored["reassessment.min_grade"] == "A3"
    assert stored["countersign.flagged_destinations"] == ["SA", "AE"]
    assert stored["countersign.rules"] == [*settings.DEFAULT_RULES, expected_rule]

    again = AuthorityTab(admin_ctx)  # a fresh tab reads back what was stored
    qtbot.addWidget(again)
    assert again.values() == tab.values() == stored
    assert again.rules_model.index(2, RulesModel.COLUMNS.index("destinations")).data() \
        == "SA, AE"
    assert again.changed() == {}

    # the authority's framework is the one offered first when an assessment is opened
    window = make_window(UiContext(admin_ctx.db, officer))
    assert window.default_framework() == "eu-cp"


def test_an_invalid_rule_is_refused_and_nothing_is_saved(qtbot, admin_ctx) -> None:
    tab = AuthorityTab(admin_ctx)
    qtbot.addWidget(tab)
    type_into(qtbot, tab.name, "Changed name, never saved")
    model = tab.rules_model
    row = model.add_rule()  # a rule without a name
    _set(model, row, "destinations", "Saudi Arabia")
    assert not tab.save()
    assert "Countersigning rules: rule 3" in tab.error.text()
    assert tab.rules_table.property("invalid") is True
    assert tab.rules_table.currentIndex().row() == 2  # the rule named is selected
    with admin_ctx.uow() as uow:  # all or nothing: the valid name change was not kept
        assert settings.get(uow, "authority.name") == ""
        assert settings.get(uow, "countersign.rules") == settings.DEFAULT_RULES

    _set(model, row, "name", "Everything to Saudi Arabia")
    assert not tab.save()
    assert "destinations must be" in tab.error.text()
    _set(model, row, "destinations", "flagged")
    assert tab.save(), tab.error.text()
    assert tab.error.text() == "" and tab.rules_table.property("invalid") is False


def test_others_read_the_authority_settings_without_changing_them(qtbot, ctx) -> None:
    tab = AuthorityTab(ctx)
    qtbot.addWidget(tab)
    assert tab.name.isReadOnly() and not tab.framework.isEnabled()
    assert not tab.save_button.isVisibleTo(tab)
    index = tab.rules_model.index(0, 0)
    assert not tab.rules_model.flags(index) & Qt.ItemFlag.ItemIsEditable
    assert not tab.rules_model.setData(index, "renamed")
    notes = [w.text() for w in tab.findChildren(type(tab.state)) if "Needs the role" in w.text()]
    assert notes and "administrator" in notes[0]


# --- verifying integrity -----------------------------------------------------------------

def test_verify_dialog_says_intact_on_a_clean_database(qtbot, ctx, make_window) -> None:
    window = make_window(ctx)
    assert window.verify_action.isEnabled()
    window.verify_action.trigger()
    dialog = window.verify_dialog
    assert isinstance(dialog, VerifyDialog)
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=10000)
    assert dialog.report.ok
    text = dialog.result.text()
    assert "Intact:" in text and "events and" in text and "signed records verified in" in text
    assert not dialog.table.isVisibleTo(dialog)
    assert not window.integrity_banner.isVisible()
    dialog.close()


def test_verify_dialog_lists_the_problem_after_tampering(qtbot, ctx, database) -> None:
    _tamper(database)
    dialog = VerifyDialog(ctx, synchronous=True)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.start()
    assert dialog.report is not None and not dialog.report.ok
    assert dialog.table.isVisibleTo(dialog)
    rows = [dialog.model.cells(dialog.model.row(r)) for r in range(dialog.model.rowCount())]
    assert ("edited", "event #2") in [(kind, target) for kind, target, _m in rows]
    assert "changed outside Golden Rule" in dialog.result.text()
    assert "Restore the last good backup" in dialog.advice.text()
    assert "event #2" in dialog.report_text()


@dataclass
class _FakeReport:
    problems: list[object] = field(default_factory=list)
    events_checked: int = 0
    records_checked: int = 0
    seconds: float = 0.0
    cancelled: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems and not self.cancelled


def test_cancelling_the_check_concludes_nothing(qtbot, ctx, monkeypatch) -> None:
    dialog = VerifyDialog(ctx, synchronous=True)
    qtbot.addWidget(dialog)

    def slow_check(uow, actor, progress=None, cancelled=None):
        for done in range(1, 4):
            progress(done, 10)
            if done == 2:
                dialog.cancel()  # the user presses Cancel while it runs
            if cancelled():
                return _FakeReport(cancelled=True, events_checked=done)
        return _FakeReport(events_checked=10)

    monkeypatch.setattr("app.audit.verify_integrity", slow_check)
    dialog.start()
    assert dialog.cancelled and dialog.report is None
    assert "Cancelled" in dialog.status.text()
    assert not dialog.running and dialog.again_button.isEnabled()


def test_the_start_up_check_shows_a_banner_on_a_tampered_database(qtbot, ctx, database,
                                                                   make_window) -> None:
    clean = make_window(ctx, check_integrity=True)
    qtbot.waitUntil(lambda: clean.integrity_report is not None, timeout=10000)
    assert clean.integrity_report.ok and not clean.integrity_banner.isVisible()

    _tamper(database)
    window = make_window(ctx, check_integrity=True)
    qtbot.waitUntil(window.integrity_banner.isVisible, timeout=10000)
    assert "changed outside Golden Rule" in window.integrity_banner.text()
    assert "problem" in window.integrity_banner.text()
    qtbot.mouseClick(window.integrity_banner.details_button, Qt.MouseButton.LeftButton)
    dialog = window.verify_dialog
    assert dialog is not None and dialog.report is window.integrity_report
    assert dialog.model.rowCount() == len(window.integrity_report.failures)
    dialog.close()


# --- roles in the main window ------------------------------------------------------------

def test_an_administrator_cannot_create_cases_and_is_told_who_can(qtbot, admin_ctx,
                                                                  make_window) -> None:
    window = make_window(admin_ctx)
    button = window.register.new_button
    assert not button.isEnabled()
    assert "Needs the role of licensing officer or supervisor" in button.toolTip()
    assert not window.new_action.isEnabled()
    assert "Needs the role" in window.new_action.toolTip()
    assert not window.assess_action.isEnabled()
    assert window.new_case() is None
    assert "Needs the role" in window.statusBar().currentMessage()
    # evidence buttons stay disabled even when the page enables them for a selection
    edit = window.evidence_page.edit_button
    edit.setEnabled(True)
    assert not edit.isEnabled() and "add and import evidence" in edit.toolTip()
    assert not window.evidence_page.import_button.isEnabled()
    # the areas an administrator has no use for are greyed, saying why
    item = window.sidebar.item(window.AREAS.index("reassess"))
    assert not item.flags() & Qt.ItemFlag.ItemIsEnabled
    assert "Needs the role" in item.toolTip()


def test_the_review_audit_and_reassess_areas_are_mounted(qtbot, ctx, make_window) -> None:
    window = make_window(ctx)
    window.show_area("review")
    from ui.review.page import ReviewPage

    assert isinstance(window.stack.currentWidget(), ReviewPage)
    assert window.review_page is window.stack.currentWidget()
    window.show_area("reassess")
    from ui.reassess.page import ReassessPage

    assert isinstance(window.stack.currentWidget(), ReassessPage)
    # an officer does not audit: the area is greyed and cannot be opened
    window.show_area("audit")
    assert isinstance(window.stack.currentWidget(), ReassessPage)
    audit_item = window.sidebar.item(window.AREAS.index("audit"))
    assert "supervisor or administrator" in audit_item.toolTip()


def test_a_supervisor_opens_the_audit_area(qtbot, database, supervisor, make_window,
                                           qapp_style) -> None:
    window = make_window(UiContext(database, supervisor))
    window.show_area("audit")
    from ui.audit.page import AuditPage

    assert isinstance(window.stack.currentWidget(), AuditPage)
    assert window.sidebar.currentRow() == window.AREAS.index("audit")


def test_missing_area_modules_do_not_break_the_window(qtbot, ctx, make_window,
                                                      monkeypatch) -> None:
    from ui.main_window import MainWindow

    monkeypatch.setitem(MainWindow.LAZY_PAGES, "review", ("ui.no_such_module", "Page"))
    window = make_window(ctx)
    window.show_area("review")
    assert window.stack.currentIndex() == window.AREAS.index("review")
    assert window.stack.currentWidget() is not None


def test_the_review_queue_badge_counts_what_awaits_the_supervisor(
        qtbot, database, officer, supervisor, make_window, sample_case_data,
        qapp_style) -> None:
    from app import cases
    from app.status import CaseStatus
    from tests.unit.test_decisions import refusal

    def uow() -> UnitOfWork:
        return UnitOfWork(database.session_factory)

    with uow() as u:
        case_id = cases.create_case(u, officer, sample_case_data,
                                    status=CaseStatus.RECEIVED).id
    window = make_window(UiContext(database, supervisor))
    assert window.badge("review") == 0
    refusal(uow, officer, case_id)  # every refusal awaits a countersignature
    window.ctx.signals.sig_cases_changed.emit()
    qtbot.waitUntil(lambda: window.badge("review") == 1, timeout=3000)
    item = window.sidebar.item(window.AREAS.index("review"))
    assert item.text() == "Review queue" and "1 waiting" in item.toolTip()
    assert not window.sidebar.grab().isNull()  # the badge paints
