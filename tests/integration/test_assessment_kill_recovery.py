"""SIGKILL mid-assessment: the officer's typing survives in the autosaved draft, and the
window reopened on the same database restores it at the step the officer was on."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app import assessments, users
from app.casedata import CaseData
from app.cases import create_case
from app.database import open_database
from app.status import CaseStatus
from app.uow import UnitOfWork

ROOT = Path(__file__).resolve().parents[2]
TYPED = "Rationale typed seconds before the kill"

CHILD = r"""
import sys
sys.path.insert(0, {root!r})
from PySide6.QtCore import QSettings
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
view = window.open_assessment({case_id}, "golden-rule")
page = view.go_to("ihl")
page.level_buttons["moderate"].click()
QTest.keyClicks(page.rationale, {typed!r})
print("typed", flush=True)
app.exec()
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_sigkill_mid_assessment_keeps_the_typing(tmp_path: Path,
                                                 sample_case_data: CaseData) -> None:
    db_path = tmp_path / "kill.sqlite3"
    db = open_database(db_path)
    with UnitOfWork(db.session_factory) as uow:
        admin = users.create_first_administrator(uow, "admin", "Admin", "admin-password-1")
        officer = users.create_user(uow, admin, "olga", "Olga", users.Role.OFFICER,
                                    "officer-password-1")
        case_id = create_case(uow, officer, sample_case_data, status=CaseStatus.RECEIVED).id
    with UnitOfWork(db.session_factory) as uow:
        olga = users.authenticate(uow, "olga", "officer-password-1")
    script = CHILD.format(root=str(ROOT), db=str(db_path), password="officer-password-1",
                          ini=str(tmp_path / "s.ini"), case_id=case_id, typed=TYPED)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True,
                             env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    try:
        assert child.stdout is not None
        line = child.stdout.readline().strip()
        assert line == "typed", child.stderr.read() if child.poll() is not None else line
        typed_at = time.monotonic()
        draft = None
        while time.monotonic() - typed_at < 20:
            time.sleep(0.1)
            with UnitOfWork(db.session_factory) as uow:
                draft = assessments.load_draft(uow, olga, case_id, "golden-rule")
            if draft is not None and draft.data.finding("ihl").rationale == TYPED:
                break
        waited = time.monotonic() - typed_at
        assert draft is not None
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
        survived = assessments.load_draft(uow, olga, case_id, "golden-rule")
    reopened.dispose()
    assert survived is not None
    finding = survived.data.finding("ihl")
    assert finding.rationale == TYPED and finding.level == "moderate"
    assert survived.data.current_step == "ihl"
