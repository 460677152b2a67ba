"""Signing in, the first run, and account management from the Settings area."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from app import cases, users
from app.vocab import Role
from tests.conftest import OFFICER_PASSWORD
from tests.ui.helpers import type_into
from ui.login import FirstRunDialog, LoginDialog
from ui.settings.page import AddAccountDialog


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
    type_into(qtbot, dialog.full_name, "Zoë Administratrice")
    type_into(qtbot, dialog.password, "a-long-passphrase")
    type_into(qtbot, dialog.repeat, "a-different-one!!")
    dialog.try_create()
    assert "differ" in dialog.error.text()
    type_into(qtbot, dialog.repeat, "a-long-passphrase")
    dialog.try_create()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.actor is not None and dialog.actor.role == Role.ADMINISTRATOR
    with users.UnitOfWork(database.session_factory) as uow:
        rows = cases.list_cases(uow)
        assert len(rows) == 6 and all(r.is_demo for r in rows)
        assert users.authenticate(uow, "admin", "a-long-passphrase").full_name == (
            "Zoë Administratrice")


def test_first_run_rejects_a_short_password(qtbot, database, qapp_style) -> None:
    dialog = FirstRunDialog(database)
    qtbot.addWidget(dialog)
    dialog.full_name.setText("Admin")
    dialog.password.setText("short")
    dialog.repeat.setText("short")
    dialog.try_create()
    assert "at least" in dialog.error.text()
    with users.UnitOfWork(database.session_factory) as uow:
        assert not users.has_users(uow)


def test_administrator_adds_an_account_in_settings(qtbot, database, admin, make_window,
                                                   qapp_style) -> None:
    from ui.context import UiContext

    window = make_window(UiContext(database, admin))
    page = window.settings_page
    assert page.accounts.isVisibleTo(page)
    assert page.accounts_model.rowCount() == 1
    dialog = AddAccountDialog(page.ctx, page)
    qtbot.addWidget(dialog)
    type_into(qtbot, dialog.username, "sven")
    type_into(qtbot, dialog.full_name, "Sven Supervisor")
    dialog.role.setCurrentIndex(dialog.role.findData(Role.SUPERVISOR.value))
    type_into(qtbot, dialog.password, "supervisor-pass-1")
    dialog.try_create()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert page.accounts_model.rowCount() == 2


def test_officer_sees_no_account_management(qtbot, ctx, make_window) -> None:
    window = make_window(ctx)
    assert not window.settings_page.accounts.isVisibleTo(window.settings_page)


def test_administrator_disables_an_account_and_sets_a_password(qtbot, database, admin, officer,
                                                               make_window, monkeypatch,
                                                               qapp_style) -> None:
    from ui.context import UiContext

    window = make_window(UiContext(database, admin))
    page = window.settings_page
    names = [page.accounts_model.row(r)[0].username for r in range(page.accounts_model.rowCount())]
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

    monkeypatch.setattr(page, "ask_new_password", lambda username: "a-brand-new-pass")
    page.accounts_table.setCurrentIndex(page.accounts_model.index(names.index("olga"), 0))
    assert page.toggle_account_button.text() == "Enable"
    qtbot.mouseClick(page.toggle_account_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.reset_password_button, Qt.MouseButton.LeftButton)
    with users.UnitOfWork(database.session_factory) as uow:
        assert users.authenticate(uow, "olga", "a-brand-new-pass").username == "olga"
