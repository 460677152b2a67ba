"""Qt test base: a synchronous task runner, settings in a temporary file, no modal surprises.

Any message box a test did not expect fails the test instead of blocking it. The main
window's integrity check at start is off unless a test asks for it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from app.database import Database
from app.demo import seed_demo
from app.uow import UnitOfWork
from app.users import Actor
from ui.application import make_qapplication
from ui.context import UiContext
from ui.main_window import MainWindow
from ui.tasks import TaskRunner


class DialogRecorder:
    """Stands in for modal dialogs: records what would have been shown."""

    def __init__(self) -> None:
        self.errors: list[tuple[str, BaseException]] = []
        self.questions: list[str] = []
        self.answer = QMessageBox.StandardButton.No


#: Every module that shows application errors in a message box.
SHOW_ERROR_MODULES = (
    "ui.main_window", "ui.cases.editor", "ui.cases.register_view", "ui.assessment.view",
    "ui.evidence.page", "ui.evidence.detail", "ui.evidence.form", "ui.settings.page",
    "ui.settings.users", "ui.settings.keys", "ui.settings.authority", "ui.verify_dialog",
    "ui.audit.page", "ui.audit.record_view", "ui.review.page", "ui.reassess.page",
    "ui.document_export", "ui.reports.page", "ui.screening.page", "ui.screening.case_tab",
    "ui.denials.register_dialog", "ui.denials.consult_dialog",
)


@pytest.fixture(autouse=True)
def _no_integrity_check_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    """The start-up check has its own tests; elsewhere it would only slow every window."""
    monkeypatch.setattr(MainWindow, "check_integrity_at_start", False)


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> DialogRecorder:
    recorder = DialogRecorder()

    def fake_error(parent: object, title: str, exc: BaseException) -> None:
        recorder.errors.append((title, exc))

    def fake_question(parent: object, title: str, text: str, *args: object,
                      **kwargs: object) -> QMessageBox.StandardButton:
        recorder.questions.append(text)
        return recorder.answer

    def unexpected(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"unexpected modal dialog: {args!r}")

    for module in SHOW_ERROR_MODULES:
        try:
            imported = importlib.import_module(module)
        except ImportError:  # a page still being written
            continue
        monkeypatch.setattr(imported, "show_error", fake_error, raising=False)
    monkeypatch.setattr(QMessageBox, "question", staticmethod(fake_question))
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(unexpected))
    monkeypatch.setattr(QMessageBox, "exec", unexpected)
    return recorder


@pytest.fixture
def qapp_style(qapp: object) -> object:
    make_qapplication()
    return qapp


@pytest.fixture
def settings_file(tmp_path: Path) -> Path:
    return tmp_path / "settings.ini"


@pytest.fixture
def ctx(database: Database, officer: Actor, qapp_style: object) -> UiContext:
    return UiContext(database, officer)


@pytest.fixture
def demo_ctx(database: Database, admin: Actor, officer: Actor, qapp_style: object) -> UiContext:
    with UnitOfWork(database.session_factory) as uow:
        seed_demo(uow, admin)
    return UiContext(database, officer)


@pytest.fixture
def make_window(qtbot, settings_file: Path, dialogs: DialogRecorder
                ) -> Iterator[Callable[..., MainWindow]]:
    windows: list[MainWindow] = []

    def make(context: UiContext, **options: Any) -> MainWindow:
        settings = QSettings(str(settings_file), QSettings.Format.IniFormat)
        window = MainWindow(context, settings, runner=TaskRunner(synchronous=True), **options)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        return window

    yield make
    for window in windows:
        for editor in window.editors():
            editor._autosave.stop()
