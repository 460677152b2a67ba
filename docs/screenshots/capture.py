"""Render the screenshots in docs/screenshots from the real widgets on a demo database.

    QT_QPA_PLATFORM=offscreen python docs/screenshots/capture.py
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app import users  # noqa: E402
from app.database import open_database  # noqa: E402
from app.demo import seed_demo  # noqa: E402
from app.uow import UnitOfWork  # noqa: E402
from app.vocab import Role  # noqa: E402
from ui.application import make_qapplication  # noqa: E402
from ui.context import UiContext  # noqa: E402
from ui.login import FirstRunDialog, LoginDialog  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.tasks import TaskRunner  # noqa: E402


def shot(widget, name: str) -> None:
    QApplication.processEvents()
    widget.grab().save(str(HERE / name))
    print("wrote", HERE / name)


def assessment_shots(window: MainWindow) -> None:
    """The guided assessment: a hard stop, a criterion being rated, a refused approval."""
    from app.assessment import Outcome

    view = window.open_assessment(6, "golden-rule")
    shot(window, "assessment-hard-stop.png")
    view = window.open_assessment(2, "eu-cp")
    page = view.go_to("2a")
    for qid, answer in (("competent_body_findings", 1), ("end_user_implicated", 1),
                        ("items_used_for_repression", 2)):
        page.answer_boxes[qid].setCurrentIndex(answer)
    page.level_buttons["clear"].setChecked(True)
    page.rationale.setPlainText(
        "[DEMO] Tutorial example: the fictitious report describes public-order units using "
        "force against peaceful protesters on several occasions in 2024, with no independent "
        "investigation. Protective equipment would sustain those deployments: a clear risk "
        "that the items might be used for internal repression.")
    page.citations.add_row(["[DEMO] Fictitious tutorial report, 'Policing of protests, 2024', "
                            "paras 12-30", "B2", "Pattern of force against protesters"])
    page._on_citations()
    view.flush()
    QApplication.processEvents()
    page.verticalScrollBar().setValue(page.level_buttons["negligible"].parentWidget().y() + 230)
    shot(window, "assessment-criterion.png")
    tree = page.evidence.tree
    tree.setCurrentItem(tree.topLevelItem(0))
    view.cite(page, tree.currentItem().data(0, 256))
    QApplication.processEvents()
    page.verticalScrollBar().setValue(page.verticalScrollBar().maximum())
    shot(window, "assessment-evidence.png")
    summary = view.go_to("summary")
    summary.outcome_buttons[Outcome.APPROVE].setChecked(True)
    summary.rationale.setPlainText("Approve: the equipment is protective.")
    QApplication.processEvents()
    summary.verticalScrollBar().setValue(summary.verticalScrollBar().maximum())
    shot(window, "assessment-summary.png")
    view.autosave_now()


def evidence_shots(window: MainWindow) -> None:
    """The evidence base: a search with filters and the detail pane; the pattern chart."""
    from ui.evidence.pattern_chart import PatternDialog

    window.show_area(1)
    page = window.evidence_page
    page.search.setText("police force")
    page.search_now()
    QApplication.processEvents()
    page.table.selectRow(0)
    shot(window, "evidence.png")
    dialog = PatternDialog(window.ctx, window.runner, window)
    dialog.resize(900, 640)
    dialog.show_for(country="SS")
    dialog.show()
    shot(dialog, "evidence-pattern.png")
    dialog.close()
    window.show_area(0)


def main() -> None:
    make_qapplication()
    tmp = tempfile.TemporaryDirectory()
    db = open_database(Path(tmp.name) / "demo.sqlite3")
    first = FirstRunDialog(db)
    first.full_name.setText("Amira Haddad")
    first.show()
    shot(first, "first-run.png")
    first.close()
    with UnitOfWork(db.session_factory) as uow:
        admin = users.create_first_administrator(uow, "admin", "Amira Haddad", "demo-password-1")
        officer = users.create_user(uow, admin, "jmercier", "Julien Mercier", Role.OFFICER,
                                    "demo-password-2")
        seed_demo(uow, admin)
    login = LoginDialog(db, username="jmercier")
    login.show()
    shot(login, "login.png")
    login.close()

    settings = QSettings(str(Path(tmp.name) / "s.ini"), QSettings.Format.IniFormat)
    window = MainWindow(UiContext(db, officer), settings, runner=TaskRunner(synchronous=True))
    window.resize(1440, 860)
    window.show()
    shot(window, "register.png")
    editor = window.open_case(2)
    shot(window, "case-editor.png")
    editor.tabs.setCurrentIndex(1)
    shot(window, "case-parties.png")
    editor.tabs.setCurrentIndex(2)
    model = editor.goods_model
    model.setData(model.index(1, 1), "ML31")
    editor._revalidate()
    shot(window, "case-goods-validation.png")
    editor._autosave.stop()
    assessment_shots(window)
    evidence_shots(window)
    window.show_area(5)
    shot(window, "settings.png")
    for e in [*window.editors(), *window.assessment_views()]:
        e._autosave.stop()
    db.dispose()
    tmp.cleanup()


if __name__ == "__main__":
    main()
