"""Settings: who is signed in, where the data lives, reference table versions, accounts."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import users
from app.errors import GoldenRuleError
from app.users import Actor, Permission
from app.vocab import Role
from ui.context import UiContext
from ui.dialogs import show_error
from ui.table_model import RowsTableModel
from ui.widgets.forms import error_label, error_text, password_field


class AccountsModel(RowsTableModel[tuple[Actor, bool]]):
    def headers(self) -> tuple[str, ...]:
        return self.tr("Username"), self.tr("Full name"), self.tr("Role"), self.tr("State")

    def cells(self, row: tuple[Actor, bool]) -> tuple[str, ...]:
        actor, active = row
        return (actor.username, actor.full_name, actor.role.label,
                self.tr("active") if active else self.tr("disabled"))


class AddAccountDialog(QDialog):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("addAccountDialog")
        self.ctx = ctx
        self.setWindowTitle(self.tr("Add account"))
        self.username = QLineEdit()
        self.full_name = QLineEdit()
        self.role = QComboBox()
        for role in Role:
            self.role.addItem(role.label, role.value)
        self.password = password_field()
        self.error = error_label()
        form = QFormLayout()
        form.addRow(self.tr("Username"), self.username)
        form.addRow(self.tr("Full name"), self.full_name)
        form.addRow(self.tr("Role"), self.role)
        form.addRow(self.tr("Initial password"), self.password)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.try_create)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def try_create(self) -> None:
        try:
            with self.ctx.uow() as uow:
                users.create_user(uow, self.ctx.actor, self.username.text().strip(),
                                  self.full_name.text(), Role(self.role.currentData()),
                                  self.password.text())
        except GoldenRuleError as exc:
            self.error.setText(error_text(exc))
            return
        self.ctx.signals.sig_users_changed.emit()
        self.accept()


class SettingsPage(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsPage")
        self.ctx = ctx
        title = QLabel(self.tr("Settings"))
        title.setObjectName("pageTitle")

        you = QGroupBox(self.tr("Your account"))
        form = QFormLayout(you)
        form.addRow(self.tr("Signed in as"),
                    QLabel(f"{ctx.actor.full_name} ({ctx.actor.username})"))
        form.addRow(self.tr("Role"), QLabel(ctx.actor.role.label))
        self.new_password = password_field()
        self.change_password_button = QPushButton(self.tr("Change password"))
        self.change_password_button.clicked.connect(self._on_change_password_clicked)
        self.password_note = QLabel()
        self.password_note.setObjectName("muted")
        row = QHBoxLayout()
        row.addWidget(self.new_password)
        row.addWidget(self.change_password_button)
        form.addRow(self.tr("New password"), row)
        form.addRow("", self.password_note)

        storage = QGroupBox(self.tr("Database"))
        form = QFormLayout(storage)
        location = QLabel(ctx.db.display_name)
        location.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(self.tr("Location"), location)
        form.addRow(self.tr("Schema version"), QLabel(ctx.db.migration.after))
        if ctx.db.migration.backup:
            form.addRow(self.tr("Backup before last upgrade"),
                        QLabel(str(ctx.db.migration.backup)))

        tables = QGroupBox(self.tr("Reference tables"))
        form = QFormLayout(tables)
        today = date.today()
        for name, info in sorted(ctx.ref.tables.items()):
            stale = ""
            try:
                if (today - date.fromisoformat(info.as_of)).days > 365:
                    stale = self.tr("  — older than a year: check for an update")
            except ValueError:
                pass
            label = QLabel(f"{info.version} (as of {info.as_of}){stale}")
            label.setToolTip(info.source)
            titles = {"att_categories": self.tr("ATT categories"),
                      "control_list": self.tr("Common Military List"),
                      "countries": self.tr("Countries"), "currencies": self.tr("Currencies"),
                      "licence_types": self.tr("Licence types"), "units": self.tr("Units")}
            form.addRow(titles.get(name, name), label)

        self.accounts = QGroupBox(self.tr("Accounts"))
        self.accounts_model = AccountsModel(self)
        self.accounts_table = QTableView()
        self.accounts_table.setModel(self.accounts_model)
        self.accounts_table.verticalHeader().setVisible(False)
        self.accounts_table.horizontalHeader().setStretchLastSection(True)
        self.accounts_table.setColumnWidth(1, 220)
        self.accounts_table.setColumnWidth(2, 160)
        self.accounts_table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.accounts_table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.add_account_button = QPushButton(self.tr("Add account…"))
        self.add_account_button.clicked.connect(self._on_add_account_clicked)
        self.toggle_account_button = QPushButton(self.tr("Disable"))
        self.toggle_account_button.clicked.connect(self._on_toggle_account_clicked)
        self.reset_password_button = QPushButton(self.tr("Set password…"))
        self.reset_password_button.clicked.connect(self._on_reset_password_clicked)
        self.accounts_table.selectionModel().currentRowChanged.connect(
            lambda *_a: self._update_account_buttons())
        buttons = QHBoxLayout()
        for button in (self.add_account_button, self.toggle_account_button,
                       self.reset_password_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        box = QVBoxLayout(self.accounts)
        box.addWidget(self.accounts_table)
        box.addLayout(buttons)
        self.accounts.setVisible(ctx.actor.can(Permission.MANAGE_USERS))

        columns = QHBoxLayout()
        left, right = QVBoxLayout(), QVBoxLayout()
        left.addWidget(you)
        left.addWidget(storage)
        left.addWidget(tables)
        left.addStretch(1)
        right.addWidget(self.accounts)
        right.addStretch(1)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addWidget(title)
        layout.addLayout(columns, 1)
        ctx.signals.sig_users_changed.connect(self.reload_accounts)
        self.reload_accounts()

    def reload_accounts(self) -> None:
        if not self.ctx.actor.can(Permission.MANAGE_USERS):
            return
        selected = self.selected_account()
        with self.ctx.uow() as uow:
            self.accounts_model.set_rows(users.list_users(uow))
        if selected is not None:  # keep the same account selected across the reload
            for position in range(self.accounts_model.rowCount()):
                if self.accounts_model.row(position)[0].id == selected[0].id:
                    self.accounts_table.setCurrentIndex(self.accounts_model.index(position, 0))
        self._update_account_buttons()

    def selected_account(self) -> tuple[Actor, bool] | None:
        index = self.accounts_table.currentIndex()
        return self.accounts_model.row(index.row()) if index.isValid() else None

    def _update_account_buttons(self) -> None:
        selected = self.selected_account()
        self.toggle_account_button.setEnabled(
            selected is not None and selected[0].id != self.ctx.actor.id)
        self.reset_password_button.setEnabled(selected is not None)
        self.toggle_account_button.setText(
            self.tr("Enable") if selected and not selected[1] else self.tr("Disable"))

    def _on_toggle_account_clicked(self) -> None:
        selected = self.selected_account()
        if selected is None:
            return
        account, active = selected
        try:
            with self.ctx.uow() as uow:
                users.set_active(uow, self.ctx.actor, account.username, not active)
        except GoldenRuleError as exc:
            show_error(self, self.tr("Account not changed"), exc)
            return
        self.ctx.signals.sig_users_changed.emit()

    def _on_reset_password_clicked(self) -> None:
        selected = self.selected_account()
        if selected is None:
            return
        password = self.ask_new_password(selected[0].username)
        if password is None:
            return
        try:
            with self.ctx.uow() as uow:
                users.change_password(uow, self.ctx.actor, selected[0].username, password)
        except GoldenRuleError as exc:
            show_error(self, self.tr("Password not changed"), exc)

    def ask_new_password(self, username: str) -> str | None:
        """Overridable in tests."""
        text, ok = QInputDialog.getText(
            self, self.tr("Set password"), self.tr("New password for %1:").replace(
                "%1", username), QLineEdit.EchoMode.Password)
        return text if ok else None

    def _on_add_account_clicked(self) -> None:
        AddAccountDialog(self.ctx, self).exec()

    def _on_change_password_clicked(self) -> None:
        try:
            with self.ctx.uow() as uow:
                users.change_password(uow, self.ctx.actor, self.ctx.actor.username,
                                      self.new_password.text())
        except GoldenRuleError as exc:
            show_error(self, self.tr("Password not changed"), exc)
            return
        self.new_password.clear()
        self.password_note.setText(self.tr("Password changed."))
