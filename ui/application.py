"""Starting the desktop app: open the database, sign in (or first run), show the window."""

from __future__ import annotations

import logging
import sys
import time

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from app.database import Database, open_database
from app.errors import GoldenRuleError
from app.uow import UnitOfWork
from app.users import Actor, has_users
from ui.context import UiContext
from ui.i18n import install_translators
from ui.login import FirstRunDialog, LoginDialog
from ui.main_window import MainWindow
from ui.style import apply_style

log = logging.getLogger(__name__)
STARTED = time.perf_counter()


def make_qapplication() -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    app.setApplicationName("Golden Rule")
    app.setOrganizationName("GoldenRule")
    app.setApplicationDisplayName("Golden Rule")
    apply_style(app)
    for catalogue in install_translators(app):
        log.info("translation loaded: %s", catalogue)
    return app


def sign_in(db: Database) -> Actor | None:
    with UnitOfWork(db.session_factory) as uow:
        first_run = not has_users(uow)
    dialog: FirstRunDialog | LoginDialog = FirstRunDialog(db) if first_run else LoginDialog(db)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.actor


def run_gui(db_arg: str | None = None) -> int:
    logging.basicConfig(level=logging.INFO)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    app = make_qapplication()
    try:
        db = open_database(db_arg)
    except GoldenRuleError as exc:
        QMessageBox.critical(None, "Golden Rule", str(exc))
        return 2
    if db.migration.backup:
        log.info("database upgraded from %s; backup at %s", db.migration.before,
                 db.migration.backup)
    settings = QSettings()
    status = 0
    while True:
        actor = sign_in(db)
        if actor is None:
            break
        window = MainWindow(UiContext(db, actor), settings)
        window.show()
        window.raise_()
        window.activateWindow()
        log.info("window shown %.2f s after start", time.perf_counter() - STARTED)
        window.offer_unsaved_drafts()
        status = app.exec()
        window.deleteLater()
        if not window.signed_out:
            break
    db.dispose()
    return status
