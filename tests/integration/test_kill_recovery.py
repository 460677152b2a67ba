"""A real process is killed (SIGKILL) seconds after the officer typed: the work survives.

The child runs the real main window offscreen, types into a new application and keeps
the event loop running; the parent waits until the autosave has reached the database,
kills the child without warning, and then finds the typing in the draft it left.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app import drafts, users
from app.database import open_database
from app.uow import UnitOfWork

ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import sys, time
sys.path.insert(0, {root!r})
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtTest import QTest
from app.database import open_database
from app.uow import UnitOfWork
from app import users
from ui.application import make_qapplication
from ui.context import UiContext
from ui.main_window import MainWindow
app = make_qapplication()
db = open_database({db!r})
with UnitOfWork(db.session_factory) as uow:
    actor = users.authenticate(uow, "olga", {password!r})
window = MainWindow(UiContext(db, actor), QSettings({ini!r}, QSettings.Format.IniFormat))
window.show()
editor = window.new_case()
QTest.keyClicks(editor.exporter_name, "Typed seconds before the kill")
print("typed", flush=True)
app.exec()
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_sigkill_loses_at_most_the_autosave_interval(tmp_path: Path) -> None:
    db_path = tmp_path / "kill.sqlite3"
    db = open_database(db_path)
    with UnitOfWork(db.session_factory) as uow:
        admin = users.create_first_administrator(uow, "admin", "Admin", "admin-password-1")
        users.create_user(uow, admin, "olga", "Olga", users.Role.OFFICER, "officer-password-1")
    with UnitOfWork(db.session_factory) as uow:
        olga = users.authenticate(uow, "olga", "officer-password-1")
    script = CHILD.format(root=str(ROOT), db=str(db_path), password="officer-password-1",
                          ini=str(tmp_path / "s.ini"))
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True,
                             env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "typed"
        typed_at = time.monotonic()
        draft = None
        while draft is None and time.monotonic() - typed_at < 20:
            time.sleep(0.1)
            with UnitOfWork(db.session_factory) as uow:
                draft = drafts.load_draft(uow, olga, None)
        waited = time.monotonic() - typed_at
        assert draft is not None, child.stderr.read() if child.poll() is not None else ""
        assert child.poll() is None, "the app must still be running when it is killed"
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL
    assert waited < 10  # the autosave fires two seconds after the last keystroke
    db.dispose()

    reopened = open_database(db_path)
    with UnitOfWork(reopened.session_factory) as uow:
        survived = drafts.load_draft(uow, olga, None)
    reopened.dispose()
    assert survived is not None
    assert survived.data.exporter_name == "Typed seconds before the kill"
