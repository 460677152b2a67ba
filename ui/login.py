"""Signing in, and the first run: the administrator, the office CA and, if wanted, the demo."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app import keys, users
from app import settings as authority_settings
from app.database import Database
from app.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, seed_demo
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
    """Shown when the database has no accounts: the first one is the administrator, and the
    office certificate authority that will issue everyone's signing key is created with it.

    With the demo, the dialog ends on a page listing the demo accounts and their password."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("firstRunDialog")
        self.db = db
        self.actor: Actor | None = None
        self.setWindowTitle(self.tr("Golden Rule — first start"))
        self.setMinimumWidth(560)
        title = QLabel(self.tr("Welcome to Golden Rule"))
        title.setObjectName("pageTitle")
        intro = QLabel(self.tr(
            "This database has no accounts yet. Create the administrator account; it can then "
            "add the officers and supervisors of your authority."))
        intro.setWordWrap(True)
        self.username = QLineEdit("admin")
        self.full_name = QLineEdit()
        self.organisation = QLineEdit()
        self.organisation.setPlaceholderText(self.tr("optional, e.g. Export Control Joint Unit"))
        self.password = password_field()
        self.password.setPlaceholderText(
            self.tr("at least %1 characters").replace("%1", str(users.MIN_PASSWORD_LENGTH)))
        self.repeat = password_field()
        account = QGroupBox(self.tr("Administrator"))
        form = QFormLayout(account)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow(self.tr("Username"), self.username)
        form.addRow(self.tr("Full name"), self.full_name)
        form.addRow(self.tr("Password"), self.password)
        form.addRow(self.tr("Repeat password"), self.repeat)

        self.ca_password = password_field(self.tr("at least 12 characters"))
        self.ca_password.setObjectName("caPassphrase")
        self.ca_repeat = password_field()
        authority = QGroupBox(self.tr("Office certificate authority"))
        form = QFormLayout(authority)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        explain = QLabel(self.tr(
            "Every decision is signed with the personal key of the officer who takes it. "
            "Golden Rule creates your office's certificate authority (CA), which issues "
            "those keys; the CA passphrase protects it. Keep the passphrase safe and apart "
            "from your password: it is needed to add users and to issue or renew keys, and "
            "it cannot be recovered."))
        explain.setWordWrap(True)
        explain.setObjectName("muted")
        form.addRow(explain)
        form.addRow(self.tr("Authority name"), self.organisation)
        form.addRow(self.tr("CA passphrase"), self.ca_password)
        form.addRow(self.tr("Repeat passphrase"), self.ca_repeat)

        self.demo = QCheckBox(self.tr("Load demonstration accounts and applications (clearly "
                                      "marked as demo)"))
        self.demo.setChecked(True)
        self.error = error_label()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(
            self.tr("Create and start"))
        self.buttons.accepted.connect(self.try_create)
        self.buttons.rejected.connect(self.reject)
        where = QLabel(self.tr("Database: %1").replace("%1", db.display_name))
        where.setObjectName("muted")
        where.setWordWrap(True)
        setup = QWidget()
        layout = QVBoxLayout(setup)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addWidget(account)
        layout.addWidget(authority)
        layout.addWidget(self.demo)
        layout.addWidget(self.error)
        layout.addWidget(where)
        layout.addWidget(self.buttons)

        # shown after the demo was loaded: who can sign in, with which password
        done = QWidget()
        done_title = QLabel(self.tr("Ready"))
        done_title.setObjectName("pageTitle")
        self.demo_note = QLabel()
        self.demo_note.setObjectName("demoAccounts")
        self.demo_note.setWordWrap(True)
        self.demo_note.setTextFormat(Qt.TextFormat.RichText)
        self.demo_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.start_button = QPushButton(self.tr("Start Golden Rule"))
        self.start_button.setObjectName("primary")
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.accept)
        done_layout = QVBoxLayout(done)
        done_layout.setContentsMargins(0, 0, 0, 0)
        done_layout.addWidget(done_title)
        done_layout.addWidget(self.demo_note)
        done_layout.addStretch(1)
        done_layout.addWidget(self.start_button, 0, Qt.AlignmentFlag.AlignRight)

        self.pages = QStackedWidget()
        self.pages.addWidget(setup)
        self.pages.addWidget(done)
        outer = QVBoxLayout(self)
        outer.addWidget(self.pages)

    def showing_demo_accounts(self) -> bool:
        return self.pages.currentIndex() == 1

    def try_create(self) -> None:
        if self.password.text() != self.repeat.text():
            self.error.setText(self.tr("The two passwords differ."))
            return
        if self.ca_password.text() != self.ca_repeat.text():
            self.error.setText(self.tr("The two CA passphrases differ."))
            return
        if not self.ca_password.text():
            self.error.setText(self.tr("Choose a CA passphrase: it protects the office "
                                       "certificate authority that issues signing keys."))
            return
        organisation = self.organisation.text().strip()
        ca_password = self.ca_password.text()
        try:
            keys.check_ca_password(ca_password)
            with UnitOfWork(self.db.session_factory) as uow:
                actor = users.create_first_administrator(
                    uow, self.username.text().strip(), self.full_name.text(),
                    self.password.text(), ca_password=ca_password, organisation=organisation)
                if organisation:
                    authority_settings.set_value(uow, actor, "authority.name", organisation)
                if self.demo.isChecked():
                    seed_demo(uow, actor, ca_password=ca_password)
        except GoldenRuleError as exc:
            self.error.setText(error_text(exc))
            return
        self.actor = actor
        for field in (self.password, self.repeat, self.ca_password, self.ca_repeat):
            field.clear()
        if self.demo.isChecked():
            self._show_demo_accounts()
            return
        self.accept()

    def _show_demo_accounts(self) -> None:
        rows = "".join(
            f"<tr><td style='padding:2px 14px 2px 0'><b>{escape(username)}</b></td>"
            f"<td>{escape(role.label)}</td></tr>" for username, _name, role in DEMO_ACCOUNTS)
        self.demo_note.setText(
            "<p>" + escape(self.tr("The demonstration data is loaded. Besides your "
                                   "administrator account, you can sign in as:")) + "</p>"
            + f"<table>{rows}</table>"
            + "<p>" + escape(self.tr("Password of every demo account:")) + " "
            + f"<code style='font-size:13px'><b>{escape(DEMO_PASSWORD)}</b></code></p>"
            + "<p>" + escape(self.tr(
                "Each demo account has its own signing key. Officers register and assess "
                "applications; supervisors countersign. Disable the demo accounts "
                "(Settings › Users) before real use.")) + "</p>")
        self.pages.setCurrentIndex(1)
        self.start_button.setFocus()
