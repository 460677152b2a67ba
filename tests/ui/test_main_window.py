"""The main window: areas, menus and shortcuts, import and export, remembered settings."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from app import cases
from app.casefile import dumps, to_document


def test_sidebar_has_every_area_and_shortcuts_switch_them(qtbot, ctx, make_window) -> None:
    window = make_window(ctx)
    names = [window.sidebar.item(i).text() for i in range(window.sidebar.count())]
    assert names == ["Cases", "Review queue", "To reassess", "Evidence", "Audit", "Screening",
                     "Reports", "Settings"]
    window.findChild(type(window.new_action), "area_settings").trigger()
    assert window.stack.currentWidget() is window.settings_page
    qtbot.mouseClick(window.sidebar.viewport(), Qt.MouseButton.LeftButton,
                     pos=window.sidebar.visualItemRect(window.sidebar.item(0)).center())
    assert window.stack.currentIndex() == 0


def test_standard_shortcuts(qtbot, ctx, make_window) -> None:
    window = make_window(ctx)
    assert window.new_action.shortcut() == QKeySequence(QKeySequence.StandardKey.New)
    assert window.find_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Find)
    assert window.save_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Save)
    window.new_action.trigger()
    assert window.current_editor() is not None
    window.find_action.trigger()
    assert window.case_tabs.currentIndex() == 0
    assert window.register.search.hasFocus() or window.focusWidget() is window.register.search


def test_import_and_export_through_the_window(qtbot, ctx, make_window, tmp_path: Path,
                                              sample_case_data) -> None:
    from dataclasses import replace
    from datetime import timedelta

    window = make_window(ctx)
    sample_case_data = replace(sample_case_data,
                               deadline=sample_case_data.received_date + timedelta(days=30))
    source = tmp_path / "application.json"
    source.write_text(dumps(to_document(sample_case_data)), encoding="utf-8")
    reference = window.import_case_file(str(source))
    assert reference is not None
    assert window.register.model.rowCount() == 1
    editor = window.current_editor()
    assert editor is not None and editor.record.reference == reference

    target = tmp_path / "exported.json"
    assert window.export_case_file(str(target))
    exported = json.loads(target.read_text(encoding="utf-8"))
    assert exported["record"]["reference"] == reference
    exported.pop("record")
    assert exported == json.loads(dumps(to_document(sample_case_data)))


def test_a_bad_case_file_is_refused_whole(qtbot, ctx, make_window, dialogs,
                                          tmp_path: Path, sample_case_data) -> None:
    window = make_window(ctx)
    document = to_document(sample_case_data)
    document["goods"][0]["control_entry"] = "ML99"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document), encoding="utf-8")
    assert window.import_case_file(str(bad)) is None
    assert dialogs.errors
    assert "goods[0].control_entry" in str(dialogs.errors[0][1])
    with ctx.uow() as uow:
        assert cases.list_cases(uow) == []


def test_window_remembers_geometry_and_last_area(qtbot, ctx, make_window) -> None:
    first = make_window(ctx)
    first.resize(780, 600)
    first.show_area("settings")
    first.register.status_filter.setCurrentIndex(1)
    first.close()

    second = make_window(ctx)
    assert second.stack.currentWidget() is second.settings_page
    # the offscreen screen is 800 px wide, narrower than the window allows; height tells
    assert second.size().height() == 600
    assert second.register.status_filter.currentIndex() == 1


def test_unsaved_new_application_is_offered_after_restart(qtbot, ctx, make_window,
                                                          dialogs) -> None:
    from tests.ui.helpers import type_into

    window = make_window(ctx)
    editor = window.new_case()
    type_into(qtbot, editor.exporter_name, "Draft Exporter GmbH")
    editor.autosave_now()
    editor._autosave.stop()

    second = make_window(ctx)
    dialogs.answer = dialogs.answer.Yes
    from ui.cases.editor import CaseEditor

    CaseEditor.ask_restore_draft = lambda self, draft: True  # type: ignore[method-assign]
    try:
        second.offer_unsaved_drafts()
    finally:
        del CaseEditor.ask_restore_draft
    assert dialogs.questions and "autosaved" in dialogs.questions[0]
    restored = second.current_editor()
    assert restored is not None and restored.exporter_name.text() == "Draft Exporter GmbH"


def test_ctrl_s_saves_the_open_case(qtbot, demo_ctx, make_window) -> None:
    from tests.ui.helpers import type_into

    window = make_window(demo_ctx)
    editor = window.open_case(3)
    window.activateWindow()  # shortcuts only reach the active window
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    type_into(qtbot, editor.applicant_reference, "SKY-OIEL-2026-04-R1")
    qtbot.keyClick(editor.applicant_reference, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not editor.is_dirty()
    with demo_ctx.uow() as uow:
        assert cases.get_case(uow, 3).data.applicant_reference == "SKY-OIEL-2026-04-R1"


def test_optional_date_field_can_be_cleared(qtbot, demo_ctx, make_window) -> None:
    window = make_window(demo_ctx)
    editor = window.open_case(2)
    field = editor.euc_date
    assert field.value() is not None
    field.lineEdit().selectAll()
    qtbot.keyClick(field, Qt.Key.Key_Delete)
    assert field.value() is None
    assert editor.is_dirty()
