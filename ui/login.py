"""Signing in, and the first run: create the administrator and, if wanted, the demo cases."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app import users
from app.database import Database
from app.demo import seed_demo
from app.errors import GoldenRuleError
from app.uow import UnitOfWork
from app.users import Actor
from ui.widgets.forms import error_label, error_text, password_field


class LoginDialog(QDialog):
    def __init__(self, db: Database, parent: QWidget | None = None,
                 username: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("loginDialog")
        self.db = db
        self.actor: Actor | None = None
        self.setWindowTitle(self.tr("Golden Rule — sign in"))
        self.setMinimumWidth(420)
        title = QLabel(self.tr("Golden Rule"))
        title.setObjectName("pageTitle")
        sub = QLabel(self.tr("Arms-export licence assessment. Sign in to continue."))
        sub.setObjectName("muted")
        where = QLabel(self.tr("Database: %1").replace("%1", db.display_name))
        where.setObjectName("muted")
        where.setWordWrap(True)
        self.username = QLineEdit(username)
        self.password = password_field()
        self.error = error_label()
        form = QFormLayout()
        form.addRow(self.tr("Username"), self.username)
        form.addRow(self.tr("Password"), self.password)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Sign in"))
        self.buttons.accepted.connect(self.try_sign_in)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(sub)
        layout.addSpacing(8)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(where)
        layout.addWidget(self.buttons)
        (self.password if username else self.username).setFocus(Qt.FocusReason.OtherFocusReason)

    def try_sign_in(self) -> None:
        try:
            with UnitOfWork(self.db.session_factory) as uow:
                self.actor = users.authenticate(uow, self.username.text(), self.password.text())
        except GoldenRuleError as exc:
            self.error.setText(str(exc))
            self.password.selectAll()
            self.password.setFocus()
            return
        self.password.clear()
        self.accept()


class FirstRunDialog(QDialog):
    """Shown when the database has no accounts: the first one is the administrator."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("firstRunDialog")
        self.db = db
        self.actor: Actor | None = None
        self.setWindowTitle(self.tr("Golden Rule — first start"))
        self.setMinimumWidth(480)
        title = QLabel(self.tr("Welcome to Golden Rule"))
        title.setObjectName("pageTitle")
        intro = QLabel(self.tr(
            "This database has no accounts yet. Create the administrator account; it can then "
            "add the officers and supervisors of your authority."))
        intro.setWordWrap(True)
        self.username = QLineEdit("admin")
        self.full_name = QLineEdit()
        self.password = password_field()
        self.password.setPlaceholderText(
            self.tr("at least %1 characters").replace("%1", str(users.MIN_PASSWORD_LENGTH)))
        self.repeat = password_field()
        self.demo = QCheckBox(self.tr("Load demonstration applications (clearly marked as demo)"))
        self.demo.setChecked(True)
        self.error = error_label()
        form = QFormLayout()
        form.addRow(self.tr("Username"), self.username)
        form.addRow(self.tr("Full name"), self.full_name)
        form.addRow(self.tr("Password"), self.password)
        form.addRow(self.tr("Repeat password"), self.repeat)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Create and start"))
        buttons.accepted.connect(self.try_create)
        buttons.rejected.connect(self.reject)
        where = QLabel(self.tr("Database: %1").replace("%1", db.display_name))
        where.setObjectName("muted")
        where.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.demo)
        layout.addWidget(self.error)
        layout.addWidget(where)
        layout.addWidget(buttons)

    def try_create(self) -> None:
        if self.password.text() != self.repeat.text():
            self.error.setText(self.tr("The two passwords differ."))
            return
        try:
            with UnitOfWork(self.db.session_factory) as uow:
                self.actor = users.create_first_administrator(
                    uow, self.username.text().strip(), self.full_name.text(),
                    self.password.text())
                if self.demo.isChecked():
                    seed_demo(uow, self.actor)
        except GoldenRuleError as exc:
            self.error.setText(error_text(exc))
            return
        self.password.clear()
        self.repeat.clear()
        self.accept()
