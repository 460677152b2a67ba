"""Settings › Users: accounts, their roles and their signing keys.

A new account gets its signing key at once (the dialog asks for the office CA passphrase).
An administrator's password reset retires the old key and issues a fresh one; a key can
also be issued or rotated on its own, with the user's current password, which protects it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import keys, users
from app.errors import FieldProblem, GoldenRuleError, ValidationError
from app.keys import CertificateInfo
from app.users import Actor, Permission
from app.vocab import Role
from ui.context import UiContext
from ui.dialogs import show_error
from ui.settings.common import (
    ca_passphrase_field,
    hint,
    key_status_text,
    local_date,
    needs_role_text,
    role_note,
)
from ui.table_model import RowsTableModel
from ui.widgets.forms import error_label, error_text, password_field


@dataclass(frozen=True)
class AccountRow:
    actor: Actor
    active: bool
    certificate: CertificateInfo | None


def load_accounts(ctx: UiContext) -> list[AccountRow]:
    with ctx.uow() as uow:
        return [AccountRow(actor, active, keys.user_certificate(uow, actor.id))
                for actor, active in users.list_users(uow)]


class AccountsModel(RowsTableModel[AccountRow]):
    def headers(self) -> tuple[str, ...]:
        return (self.tr("Username"), self.tr("Full name"), self.tr("Role"), self.tr("State"),
                self.tr("Signing key"))

    def cells(self, row: AccountRow) -> tuple[str, ...]:
        return (row.actor.username, row.actor.full_name, row.actor.role.label,
                self.tr("active") if row.active else self.tr("disabled"),
                key_status_text(row.certificate))

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.row(index.row())
        if role == Qt.ItemDataRole.ForegroundRole:
            if not row.active or (index.column() == 4 and row.certificate is None):
                return QColor("#9b1c1c") if index.column() == 4 and row.active else \
                    QColor("#6b7280")
            return None
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 4:
            cert = row.certificate
            if cert is None:
                return self.tr("No signing key: this account cannot sign decisions. Use "
                               "Issue / rotate key… to give it one.")
            return (self.tr("Serial %1\nValid %2 to %3\nSHA-256 %4")
                    .replace("%1", cert.serial).replace("%2", local_date(cert.not_before))
                    .replace("%3", local_date(cert.not_after)).replace("%4", cert.fingerprint))
        return super().data(index, role)


def _ca_explanation() -> QLabel:
    return hint(QCoreApplication.translate(
        "UsersTab", "The office CA passphrase unlocks the certificate authority that issues "
        "signing keys. It is not stored anywhere."))


class _PasswordDialog(QDialog):
    """Shared layout: a form, an error line and OK/Cancel; subclasses implement ``submit``."""

    def __init__(self, ctx: UiContext, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        with ctx.uow() as uow:
            self.has_ca = keys.has_ca(uow)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.error = error_label()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.layout_ = QVBoxLayout(self)

    def finish_layout(self, intro: str = "") -> None:
        if intro:
            self.layout_.addWidget(hint(intro))
        self.layout_.addLayout(self.form)
        self.layout_.addWidget(self.error)
        self.layout_.addWidget(self.buttons)

    def add_ca_field(self) -> QLineEdit | None:
        if not self.has_ca:
            self.form.addRow("", hint(self.tr(
                "This database has no office CA, so no signing key can be issued now. "
                "Import one under Settings › Keys.")))
            return None
        field = ca_passphrase_field()
        self.form.addRow(self.tr("Office CA passphrase"), field)
        self.form.addRow("", _ca_explanation())
        return field

    def fail(self, exc: GoldenRuleError) -> None:
        self.error.setText(error_text(exc))

    def submit(self) -> None:
        raise NotImplementedError


class _SetPasswordDialog(_PasswordDialog):
    """Sets a password typed twice, with the office CA passphrase when the database has a CA;
    subclasses build ``password``, ``repeat`` and ``ca_password`` and give ``missing_ca``
    and ``save``."""

    password: QLineEdit
    repeat: QLineEdit
    ca_password: QLineEdit | None

    def missing_ca(self) -> str:
        """What to say when the CA passphrase is left empty."""
        raise NotImplementedError

    def save(self, ca: str | None) -> None:
        raise NotImplementedError

    def submit(self) -> None:
        if self.password.text() != self.repeat.text():
            self.error.setText(self.tr("The two passwords differ."))
            return
        ca = self.ca_password.text() if self.ca_password is not None else None
        if self.ca_password is not None and not ca:
            self.error.setText(self.missing_ca())
            return
        try:
            self.save(ca)
        except GoldenRuleError as exc:
            self.fail(exc)
            return
        finally:
            if self.ca_password is not None:
                self.ca_password.clear()
        self.password.clear()
        self.repeat.clear()
        self.ctx.signals.sig_users_changed.emit()
        self.accept()


class AddAccountDialog(_SetPasswordDialog):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, QCoreApplication.translate("UsersTab", "Add account"), parent)
        self.setObjectName("addAccountDialog")
        self.username = QLineEdit()
        self.username.setPlaceholderText(self.tr("e.g. j.smith"))
        self.full_name = QLineEdit()
        self.role = QComboBox()
        for role in Role:
            self.role.addItem(role.label, role.value)
        self.password = password_field(
            self.tr("at least %1 characters").replace("%1", str(users.MIN_PASSWORD_LENGTH)))
        self.repeat = password_field()
        self.form.addRow(self.tr("Username"), self.username)
        self.form.addRow(self.tr("Full name"), self.full_name)
        self.form.addRow(self.tr("Role"), self.role)
        self.form.addRow(self.tr("Initial password"), self.password)
        self.form.addRow(self.tr("Repeat password"), self.repeat)
        self.ca_password = self.add_ca_field()
        self.finish_layout(self.tr(
            "The new account gets its personal signing key at once, protected by the initial "
            "password. Give the password to the person; they should change it after signing "
            "in (their key is then re-protected)."))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Create account"))
        self.created: Actor | None = None

    def try_create(self) -> None:
        self.submit()

    def missing_ca(self) -> str:
        return self.tr("Type the office CA passphrase: it issues the new account's signing key.")

    def save(self, ca: str | None) -> None:
        with self.ctx.uow() as uow:
            self.created = users.create_user(
                uow, self.ctx.actor, self.username.text().strip(), self.full_name.text(),
                Role(self.role.currentData()), self.password.text(), ca_password=ca)


class ResetPasswordDialog(_SetPasswordDialog):
    """An administrator sets a new password; the old key is retired and a new one issued."""

    def __init__(self, ctx: UiContext, account: Actor, parent: QWidget | None = None) -> None:
        super().__init__(ctx, QCoreApplication.translate("UsersTab", "Reset password"), parent)
        self.setObjectName("resetPasswordDialog")
        self.account = account
        self.password = password_field(
            self.tr("at least %1 characters").replace("%1", str(users.MIN_PASSWORD_LENGTH)))
        self.repeat = password_field()
        self.form.addRow(self.tr("Account"), QLabel(f"{account.full_name} ({account.username})"))
        self.form.addRow(self.tr("New password"), self.password)
        self.form.addRow(self.tr("Repeat password"), self.repeat)
        self.ca_password = self.add_ca_field()
        self.finish_layout(self.tr(
            "Without the old password the signing key cannot be re-protected: it is retired "
            "(signatures made with it still verify) and a new key is issued under the new "
            "password."))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Reset"))

    def missing_ca(self) -> str:
        return self.tr("Type the office CA passphrase so that a new key is issued.")

    def save(self, ca: str | None) -> None:
        with self.ctx.uow() as uow:
            users.change_password(uow, self.ctx.actor, self.account.username,
                                  self.password.text(), ca_password=ca)


class IssueKeyDialog(_PasswordDialog):
    """Issue or rotate a key: with the user's current password (the user types it), or by
    resetting the password at the same time."""

    def __init__(self, ctx: UiContext, account: Actor, has_key: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(ctx, QCoreApplication.translate("UsersTab", "Issue / rotate signing key"),
                         parent)
        self.setObjectName("issueKeyDialog")
        self.account = account
        self.keep_mode = QRadioButton(self.tr("Keep the password: the user types it below"))
        self.reset_mode = QRadioButton(self.tr("Set a new password (a reset)"))
        self.keep_mode.setChecked(True)
        modes = QButtonGroup(self)
        modes.addButton(self.keep_mode)
        modes.addButton(self.reset_mode)
        self.current_password = password_field(self.tr("the user's current password"))
        self.new_password = password_field(
            self.tr("at least %1 characters").replace("%1", str(users.MIN_PASSWORD_LENGTH)))
        self.repeat = password_field()
        self.form.addRow(self.tr("Account"), QLabel(f"{account.full_name} ({account.username})"))
        self.form.addRow("", self.keep_mode)
        self.form.addRow(self.tr("Current password"), self.current_password)
        self.form.addRow("", self.reset_mode)
        self.form.addRow(self.tr("New password"), self.new_password)
        self.form.addRow(self.tr("Repeat password"), self.repeat)
        self.ca_password = self.add_ca_field()
        self.finish_layout(
            self.tr("The account has a signing key. A new one replaces it; the old key is "
                    "retired and the signatures made with it still verify.") if has_key else
            self.tr("The account has no signing key yet: it cannot sign decisions until it "
                    "has one."))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(
            self.tr("Rotate key") if has_key else self.tr("Issue key"))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(self.has_ca)
        self.keep_mode.toggled.connect(self._update_mode)
        self._update_mode()
        self.issued: CertificateInfo | None = None

    def _update_mode(self) -> None:
        keep = self.keep_mode.isChecked()
        self.current_password.setEnabled(keep)
        self.new_password.setEnabled(not keep)
        self.repeat.setEnabled(not keep)

    def submit(self) -> None:
        if self.ca_password is None:
            return
        ca = self.ca_password.text()
        if not ca:
            self.error.setText(self.tr("Type the office CA passphrase: it signs the new key's "
                                       "certificate."))
            return
        username = self.account.username
        try:
            if self.keep_mode.isChecked():
                with self.ctx.uow() as uow:
                    # the key is protected by this password: it must be the account's own
                    try:
                        users.authenticate(uow, username, self.current_password.text())
                    except users.AuthenticationError:
                        raise ValidationError([FieldProblem(
                            self.tr("current password"),
                            self.tr("this is not %1's password").replace("%1", username))
                        ]) from None
                with self.ctx.uow() as uow:
                    self.issued = keys.issue_user_key(uow, self.ctx.actor, username,
                                                      self.current_password.text(), ca)
            else:
                if self.new_password.text() != self.repeat.text():
                    self.error.setText(self.tr("The two passwords differ."))
                    return
                with self.ctx.uow() as uow:
                    users.change_password(uow, self.ctx.actor, username,
                                          self.new_password.text(), ca_password=ca)
                    self.issued = keys.user_certificate(uow, self.account.id)
        except GoldenRuleError as exc:
            self.fail(exc)
            return
        finally:
            self.ca_password.clear()
        for field in (self.current_password, self.new_password, self.repeat):
            field.clear()
        self.ctx.signals.sig_users_changed.emit()
        self.accept()


class UsersTab(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("usersTab")
        self.ctx = ctx
        self.may_manage = ctx.actor.can(Permission.MANAGE_USERS)
        self.may_issue_keys = ctx.actor.can(Permission.MANAGE_KEYS)

        self.accounts = QGroupBox(self.tr("Accounts"))
        self.accounts_model = AccountsModel(self)
        self.accounts_table = QTableView()
        self.accounts_table.setObjectName("accountsTable")
        self.accounts_table.setModel(self.accounts_model)
        self.accounts_table.verticalHeader().setVisible(False)
        self.accounts_table.setAlternatingRowColors(True)
        self.accounts_table.setShowGrid(False)
        self.accounts_table.setWordWrap(False)
        header = self.accounts_table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        for column, width in enumerate((150, 230, 130, 90)):
            self.accounts_table.setColumnWidth(column, width)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        self.accounts_table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.accounts_table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.accounts_table.doubleClicked.connect(lambda _i: self._on_issue_key_clicked())

        self.add_account_button = QPushButton(self.tr("Add account…"))
        self.add_account_button.setObjectName("primary")
        self.add_account_button.clicked.connect(self._on_add_account_clicked)
        self.toggle_account_button = QPushButton(self.tr("Disable"))
        self.toggle_account_button.clicked.connect(self._on_toggle_account_clicked)
        self.reset_password_button = QPushButton(self.tr("Reset password…"))
        self.reset_password_button.setToolTip(self.tr(
            "Set a new password for the selected account; its signing key is replaced"))
        self.reset_password_button.clicked.connect(self._on_reset_password_clicked)
        self.issue_key_button = QPushButton(self.tr("Issue / rotate key…"))
        self.issue_key_button.setToolTip(self.tr(
            "Give the selected account a new signing key; an old one is retired"))
        self.issue_key_button.clicked.connect(self._on_issue_key_clicked)
        self.accounts_table.selectionModel().currentRowChanged.connect(
            lambda *_a: self._update_account_buttons())
        buttons = QHBoxLayout()
        for button in (self.toggle_account_button, self.reset_password_button,
                       self.issue_key_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.add_account_button)
        box = QVBoxLayout(self.accounts)
        box.addWidget(self.accounts_table, 1)
        box.addLayout(buttons)
        box.addWidget(hint(self.tr(
            "Officers assess and sign decisions; supervisors also countersign, return and "
            "audit; administrators manage accounts, keys and settings and read cases, but do "
            "not assess or sign.")))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        if not self.may_manage:
            layout.addWidget(role_note(Permission.MANAGE_USERS,
                                       self.tr("Accounts are managed by an administrator.")))
            self.accounts.hide()
            layout.addStretch(1)
        layout.addWidget(self.accounts, 1)
        ctx.signals.sig_users_changed.connect(self.reload_accounts)
        self.reload_accounts()

    def reload_accounts(self) -> None:
        if not self.may_manage:
            return
        selected = self.selected_account()
        self.accounts_model.set_rows(load_accounts(self.ctx))
        if selected is not None:  # keep the same account selected across the reload
            for position in range(self.accounts_model.rowCount()):
                if self.accounts_model.row(position).actor.id == selected.actor.id:
                    self.accounts_table.setCurrentIndex(self.accounts_model.index(position, 0))
        self._update_account_buttons()

    def selected_account(self) -> AccountRow | None:
        index = self.accounts_table.currentIndex()
        return self.accounts_model.row(index.row()) if index.isValid() else None

    def select_username(self, username: str) -> None:
        for position in range(self.accounts_model.rowCount()):
            if self.accounts_model.row(position).actor.username == username:
                self.accounts_table.setCurrentIndex(self.accounts_model.index(position, 0))
                return
        raise KeyError(username)

    def _update_account_buttons(self) -> None:
        selected = self.selected_account()
        self.toggle_account_button.setEnabled(
            selected is not None and selected.actor.id != self.ctx.actor.id)
        self.toggle_account_button.setToolTip(
            self.tr("You cannot disable your own account")
            if selected is not None and selected.actor.id == self.ctx.actor.id else "")
        self.reset_password_button.setEnabled(selected is not None)
        self.issue_key_button.setEnabled(selected is not None and self.may_issue_keys
                                         and selected.active)
        if not self.may_issue_keys:
            self.issue_key_button.setToolTip(needs_role_text(Permission.MANAGE_KEYS))
        self.toggle_account_button.setText(
            self.tr("Enable") if selected and not selected.active else self.tr("Disable"))

    def exec_dialog(self, dialog: QDialog) -> int:
        """Overridable in tests, which drive the dialog themselves."""
        return dialog.exec()

    def _on_add_account_clicked(self) -> None:
        dialog = AddAccountDialog(self.ctx, self)
        if self.exec_dialog(dialog) == QDialog.DialogCode.Accepted and dialog.created:
            self.select_username(dialog.created.username)

    def _on_toggle_account_clicked(self) -> None:
        selected = self.selected_account()
        if selected is None:
            return
        try:
            with self.ctx.uow() as uow:
                users.set_active(uow, self.ctx.actor, selected.actor.username,
                                 not selected.active)
        except GoldenRuleError as exc:
            show_error(self, self.tr("Account not changed"), exc)
            return
        self.ctx.signals.sig_users_changed.emit()

    def _on_reset_password_clicked(self) -> None:
        selected = self.selected_account()
        if selected is not None:
            self.exec_dialog(ResetPasswordDialog(self.ctx, selected.actor, self))

    def _on_issue_key_clicked(self) -> None:
        selected = self.selected_account()
        if selected is None or not self.may_issue_keys:
            return
        self.exec_dialog(IssueKeyDialog(self.ctx, selected.actor,
                                        selected.certificate is not None, self))
