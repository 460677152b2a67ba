"""Settings: your account, the database, reference tables (General); accounts and their keys
(Users); the office CA and certificates (Keys); the authority's settings (Authority).

Everyone sees every tab; what a role may not change is read-only, with a note naming the
role that may.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app import keys, users
from app.errors import FieldProblem, GoldenRuleError, ValidationError
from ui.context import UiContext
from ui.settings.authority import AuthorityTab
from ui.settings.common import hint, key_status_text
from ui.settings.keys import KeysTab
from ui.settings.users import UsersTab
from ui.widgets.forms import error_label, error_text, password_field


class GeneralTab(QWidget):
    """Your account (password, signing key), where the data lives, reference tables."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("generalTab")
        self.ctx = ctx

        you = QGroupBox(self.tr("Your account"))
        form = QFormLayout(you)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow(self.tr("Signed in as"),
                    QLabel(f"{ctx.actor.full_name} ({ctx.actor.username})"))
        form.addRow(self.tr("Role"), QLabel(ctx.actor.role.label))
        self.key_label = QLabel()
        form.addRow(self.tr("Signing key"), self.key_label)
        self.current_password = password_field(self.tr("your current password"))
        self.new_password = password_field(
            self.tr("at least %1 characters").replace("%1", str(users.MIN_PASSWORD_LENGTH)))
        self.repeat_password = password_field()
        self.change_password_button = QPushButton(self.tr("Change password"))
        self.change_password_button.clicked.connect(self.change_password)
        self.password_error = error_label()
        self.password_note = QLabel()
        self.password_note.setObjectName("muted")
        self.password_note.setWordWrap(True)
        form.addRow(self.tr("Current password"), self.current_password)
        form.addRow(self.tr("New password"), self.new_password)
        form.addRow(self.tr("Repeat new password"), self.repeat_password)
        row = QHBoxLayout()
        row.addWidget(self.change_password_button)
        row.addStretch(1)
        form.addRow("", row)
        form.addRow("", self.password_error)
        form.addRow("", self.password_note)

        storage = QGroupBox(self.tr("Database"))
        form = QFormLayout(storage)
        location = QLabel(ctx.db.display_name)
        location.setWordWrap(True)
        location.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(self.tr("Location"), location)
        form.addRow(self.tr("Schema version"), QLabel(ctx.db.migration.after))
        if ctx.db.migration.backup:
            backup = QLabel(str(ctx.db.migration.backup))
            backup.setWordWrap(True)
            backup.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(self.tr("Backup before last upgrade"), backup)

        tables = QGroupBox(self.tr("Reference tables"))
        form = QFormLayout(tables)
        today = date.today()
        titles = {"att_categories": self.tr("ATT categories"),
                  "control_list": self.tr("Common Military List"),
                  "countries": self.tr("Countries"), "currencies": self.tr("Currencies"),
                  "licence_types": self.tr("Licence types"), "units": self.tr("Units")}
        for name, info in sorted(ctx.ref.tables.items()):
            stale = ""
            try:
                if (today - date.fromisoformat(info.as_of)).days > 365:
                    stale = self.tr("  — older than a year: check for an update")
            except ValueError:
                pass
            label = QLabel(self.tr("%1 (as of %2)").replace("%1", info.version)
                           .replace("%2", info.as_of) + stale)
            label.setToolTip(info.source)
            label.setWordWrap(True)
            form.addRow(titles.get(name, name), label)

        columns = QHBoxLayout()
        left, right = QVBoxLayout(), QVBoxLayout()
        left.addWidget(you)
        left.addStretch(1)
        right.addWidget(storage)
        right.addWidget(tables)
        right.addStretch(1)
        columns.addLayout(left, 1)
        columns.addSpacing(8)
        columns.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(columns, 1)
        ctx.signals.sig_users_changed.connect(self.reload_key)
        self.reload_key()

    def reload_key(self) -> None:
        with self.ctx.uow() as uow:
            cert = keys.user_certificate(uow, self.ctx.actor.id)
        self.has_key = cert is not None
        if cert is None:
            self.key_label.setText(self.tr("none: ask an administrator to issue one"))
        else:
            self.key_label.setText(key_status_text(cert))
            self.key_label.setToolTip(cert.subject)

    def change_password(self) -> bool:
        """Your own password: the current one proves it is you and re-protects your key."""
        self.password_error.setText("")
        self.password_note.setText("")
        if self.new_password.text() != self.repeat_password.text():
            self.password_error.setText(self.tr("The two new passwords differ."))
            return False
        me = self.ctx.actor.username
        try:
            with self.ctx.uow() as uow:
                try:
                    users.authenticate(uow, me, self.current_password.text())
                except users.AuthenticationError:
                    raise ValidationError([FieldProblem(
                        self.tr("current password"),
                        self.tr("this is not your current password"))]) from None
            with self.ctx.uow() as uow:
                users.change_password(uow, self.ctx.actor, me, self.new_password.text(),
                                      old_password=self.current_password.text())
        except GoldenRuleError as exc:
            self.password_error.setText(error_text(exc))
            return False
        finally:
            self.current_password.clear()
        self.new_password.clear()
        self.repeat_password.clear()
        self.password_note.setText(
            self.tr("Password changed. Your signing key is now protected by the new password.")
            if self.has_key else self.tr("Password changed."))
        self.ctx.signals.sig_users_changed.emit()
        return True


class SettingsPage(QWidget):
    TABS = ("general", "users", "keys", "authority")

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsPage")
        self.ctx = ctx
        title = QLabel(self.tr("Settings"))
        title.setObjectName("pageTitle")
        self.general = GeneralTab(ctx)
        self.users = UsersTab(ctx)
        self.keys = KeysTab(ctx)
        self.authority = AuthorityTab(ctx)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("settingsTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.general, self.tr("General"))
        self.tabs.addTab(self.users, self.tr("Users"))
        self.tabs.addTab(self.keys, self.tr("Keys"))
        self.tabs.addTab(self.authority, self.tr("Authority"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addWidget(title)
        layout.addWidget(hint(self.tr(
            "Settings under Authority apply on every workstation; window sizes and filters "
            "are remembered on this computer only.")))
        layout.addWidget(self.tabs, 1)

    def show_tab(self, name: str) -> QWidget:
        self.tabs.setCurrentIndex(self.TABS.index(name))
        return self.tabs.currentWidget()
