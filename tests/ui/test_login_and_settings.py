"""Signing in, the first run, and account management from the Settings area."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel

from app import cases, keys, users
from app.demo import DEMO_PASSWORD
from app.vocab import Role
from tests.conftest import ADMIN_PASSWORD, CA_PASSWORD, OFFICER_PASSWORD
from tests.ui.helpers import type_into
from ui.login import FirstRunDialog, LoginDialog
from ui.settings.users import AddAccountDialog, ResetPasswordDialog


def test_login_refuses_a_wrong_password_then_signs_in(qtbot, database, officer,
                                                      qapp_style) -> None:
    dialog = LoginDialog(database)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    type_into(qtbot, dialog.username, "olga")
    type_into(qtbot, dialog.password, "not-the-password")
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok),
                     Qt.MouseButton.LeftButton)
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "Wrong username or password" in dialog.error.text()
    assert dialog.actor is None

    type_into(qtbot, dialog.password, OFFICER_PASSWORD)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.actor is not None and dialog.actor.role == Role.OFFICER
    assert dialog.password.text() == ""


def test_first_run_creates_the_administrator_and_the_demo(qtbot, database,
                                                          qapp_style) -> None:
    dialog = FirstRunDialog(database)
    qtbot.addWidget(dialog)
    dialog.show()
    type_into(qtbot, dialog.full_name, "Zoë Administratrice")
    type_into(qtbot, dialog.password, "a-long-passphrase")
    type_into(qtbot, dialog.repeat, "a-different-one!!")
    dialog.try_create()
    assert "differ" in dialog.error.text()
    type_into(qtbot, dialog.repeat, "a-long-passphrase")
    type_into(qtbot, dialog.ca_password, CA_PASSWORD)
    type_into(qtbot, dialog.ca_repeat, CA_PASSWORD + "x")
    dialog.try_create()
    assert "CA passphrases differ" in dialog.error.text()
    type_into(qtbot, dialog.ca_repeat, CA_PASSWORD)
    dialog.try_create()
    # the demo accounts and their password are shown before the app starts
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.showing_demo_accounts()
    note = dialog.demo_note.text()
    assert DEMO_PASSWORD in note and "demo.officer" in note and "demo.supervisor2" in note
    assert dialog.ca_password.text() == "" and dialog.password.text() == ""
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.actor is not None and dialog.actor.role == Role.ADMINISTRATOR
    with users.UnitOfWork(database.session_factory) as uow:
        rows = cases.list_cases(uow)
        assert len(rows) == 9 and all(r.is_demo for r in rows)
        assert users.authenticate(uow, "admin", "a-long-passphrase").full_name == (
            "Zoë Administratrice")
        # the demo accounts got their signing keys from the new CA
        officer = users.authenticate(uow, "demo.officer", DEMO_PASSWORD)
        assert keys.user_certificate(uow, officer.id) is not None


def test_first_run_rejects_a_short_password(qtbot, database, qapp_style) -> None:
    dialog = FirstRunDialog(database)
    qtbot.addWidget(dialog)
    dialog.full_name.setText("Admin")
    dialog.password.setText("short")
    dialog.repeat.setText("short")
    dialog.ca_password.setText(CA_PASSWORD)
    dialog.ca_repeat.setText(CA_PASSWORD)
    dialog.try_create()
    assert "at least" in dialog.error.text()
    with users.UnitOfWork(database.session_factory) as uow:
        assert not users.has_users(uow)


def test_first_run_needs_a_long_ca_passphrase(qtbot, database, qapp_style) -> None:
    dialog = FirstRunDialog(database)
    qtbot.addWidget(dialog)
    dialog.full_name.setText("Admin")
    dialog.password.setText(ADMIN_PASSWORD)
    dialog.repeat.setText(ADMIN_PASSWORD)
    dialog.try_create()
    assert "CA passphrase" in dialog.error.text()
    dialog.ca_password.setText("too-short")
    dialog.ca_repeat.setText("too-short")
    dialog.try_create()
    assert "at least 12 characters" in dialog.error.text()
    with users.UnitOfWork(database.session_factory) as uow:
        assert not users.has_users(uow)


def test_administrator_adds_an_account_in_settings(qtbot, database, admin, make_window,
                                                   qapp_style) -> None:
    from ui.context import UiContext

    window = make_window(UiContext(database, admin))
    page = window.settings_page.users
    assert page.accounts.isVisibleTo(page)
    assert page.accounts_model.rowCount() == 1
    dialog = AddAccountDialog(page.ctx, page)
    qtbot.addWidget(dialog)
    type_into(qtbot, dialog.username, "sven")
    type_into(qtbot, dialog.full_name, "Sven Supervisor")
    dialog.role.setCurrentIndex(dialog.role.findData(Role.SUPERVISOR.value))
    type_into(qtbot, dialog.password, "supervisor-pass-1")
    type_into(qtbot, dialog.repeat, "supervisor-pass-1")
    dialog.try_create()
    assert "CA passphrase" in dialog.error.text()  # the new account gets its key at once
    type_into(qtbot, dialog.ca_password, CA_PASSWORD)
    dialog.try_create()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert page.accounts_model.rowCount() == 2


def test_officer_sees_no_account_management(qtbot, ctx, make_window) -> None:
    window = make_window(ctx)
    users_tab = window.settings_page.users
    assert not users_tab.accounts.isVisibleTo(users_tab)
    notes = " ".join(label.text() for label in users_tab.findChildren(QLabel))
    assert "Needs the role of administrator" in notes


def test_administrator_disables_an_account_and_sets_a_password(qtbot, database, admin, officer,
                                                               make_window, monkeypatch,
                                                               qapp_style) -> None:
    from ui.context import UiContext

    window = make_window(UiContext(database, admin))
    page = window.settings_page.users
    names = [page.accounts_model.row(r).actor.username
             for r in range(page.accounts_model.rowCount())]
    page.accounts_table.setCurrentIndex(page.accounts_model.index(names.index("admin"), 0))
    assert not page.toggle_account_button.isEnabled()  # not your own account
    page.accounts_table.setCurrentIndex(page.accounts_model.index(names.index("olga"), 0))
    assert page.toggle_account_button.text() == "Disable"
    qtbot.mouseClick(page.toggle_account_button, Qt.MouseButton.LeftButton)
    with users.UnitOfWork(database.session_factory) as uow:
        try:
            users.authenticate(uow, "olga", OFFICER_PASSWORD)
            raise AssertionError("a disabled account signed in")
        except users.AuthenticationError as exc:
            assert "disabled" in str(exc)

    with users.UnitOfWork(database.session_factory) as uow:
        old_key = keys.user_certificate(uow, officer.id)
    assert old_key is not None

    def reset(dialog: QDialog) -> int:
        assert isinstance(dialog, ResetPasswordDialog)
        qtbot.addWidget(dialog)
        dialog.password.setText("a-brand-new-pass")
        dialog.repeat.setText("a-brand-new-pass")
        dialog.ca_password.setText(CA_PASSWORD)
        dialog.submit()
        assert dialog.error.text() == ""
        return dialog.result()

    monkeypatch.setattr(page, "exec_dialog", reset)
    page.accounts_table.setCurrentIndex(page.accounts_model.index(names.index("olga"), 0))
    assert page.toggle_account_button.text() == "Enable"
    qtbot.mouseClick(page.toggle_account_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.reset_password_button, Qt.MouseButton.LeftButton)
    with users.UnitOfWork(database.session_factory) as uow:
        assert users.authenticate(uow, "olga", "a-brand-new-pass").username == "olga"
        # a reset cannot re-protect the old key: it is retired and a fresh one issued
        new_key = keys.user_certificate(uow, officer.id)
        assert new_key is not None and new_key.serial != old_key.serial
        statuses = {c.serial: c.status for c in keys.list_certificates(uow)}
        assert statuses[old_key.serial] == "retired"
    assert page.selected_account().certificate == new_key


def test_changing_your_own_password_keeps_your_key(qtbot, ctx, officer, make_window) -> None:
    window = make_window(ctx)
    general = window.settings_page.general
    with ctx.uow() as uow:
        before = keys.user_certificate(uow, officer.id)
    type_into(qtbot, general.current_password, "not-my-password")
    type_into(qtbot, general.new_password, "a-new-password-1")
    type_into(qtbot, general.repeat_password, "a-new-password-1")
    assert not general.change_password()
    assert "not your current password" in general.password_error.text()
    with ctx.uow() as uow:  # a wrong current password changed nothing, retired nothing
        assert keys.user_certificate(uow, officer.id) == before

    type_into(qtbot, general.current_password, OFFICER_PASSWORD)
    type_into(qtbot, general.new_password, "a-new-password-1")
    type_into(qtbot, general.repeat_password, "a-new-password-1")
    qtbot.mouseClick(general.change_password_button, Qt.MouseButton.LeftButton)
    assert "signing key is now protected" in general.password_note.text()
    with ctx.uow() as uow:
        assert users.authenticate(uow, "olga", "a-new-password-1").id == officer.id
        assert keys.user_certificate(uow, officer.id) == before  # the same key, re-protected
        with keys.unlocked(uow.session, officer.id, "a-new-password-1") as signer:
            assert signer.sign(b"x")
