"""Create, edit, save and reopen a case through the real widgets."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QMessageBox

from app import cases
from app.status import CaseStatus
from tests.ui.helpers import choose_in_cell, pick_country_in_cell, type_in_cell, type_into


def _fill_new_case(qtbot, editor) -> None:
    type_into(qtbot, editor.exporter_name, "Société Nordique d'Armement SA")
    type_into(qtbot, editor.exporter_country, "Fran")
    editor.exporter_country.set_code("FR")
    type_into(qtbot, editor.destination, "Côte d'Ivoire (CI)")
    type_into(qtbot, editor.end_use, "Équipement de la gendarmerie nationale")
    editor.tabs.setCurrentIndex(1)
    qtbot.mouseClick(editor.add_party_button, Qt.MouseButton.LeftButton)
    table = editor.parties_table
    type_in_cell(qtbot, table, 0, 1, "Gendarmerie nationale de Côte d'Ivoire")
    pick_country_in_cell(qtbot, table, 0, 3, "CI")
    choose_in_cell(qtbot, table, 0, 4, "police_security")
    editor.tabs.setCurrentIndex(2)
    qtbot.mouseClick(editor.add_goods_button, Qt.MouseButton.LeftButton)
    goods = editor.goods_table
    type_in_cell(qtbot, goods, 0, 0, "Gilets pare-balles, niveau IIIA")
    type_in_cell(qtbot, goods, 0, 1, "ML13.d")
    type_in_cell(qtbot, goods, 0, 3, "800")
    type_in_cell(qtbot, goods, 0, 5, "312 000,50")
    choose_in_cell(qtbot, goods, 0, 6, "EUR")


def test_create_save_close_and_reopen_a_case(qtbot, ctx, make_window, dialogs) -> None:
    window = make_window(ctx)
    assert window.register.model.rowCount() == 0
    qtbot.mouseClick(window.register.new_button, Qt.MouseButton.LeftButton)
    editor = window.current_editor()
    assert editor is not None and editor.case_id is None
    assert not editor.is_dirty()

    _fill_new_case(qtbot, editor)
    assert editor.is_dirty()
    qtbot.waitUntil(lambda: editor.save_button.isEnabled(), timeout=2000)
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert dialogs.errors == []
    assert editor.record is not None
    reference = editor.record.reference
    assert reference == f"GR-{date.today().year}-00001"
    assert editor.status_chip.text() == CaseStatus.DRAFT.label
    assert window.register.model.rowCount() == 1

    window.close_current_case()
    assert window.editors() == []

    # reopen from the register, the way a user does: double-click the row
    table = window.register.table
    index = window.register.proxy.index(0, 0)
    rect = table.visualRect(index)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    reopened = window.current_editor()
    assert reopened is not None and reopened.record.reference == reference
    assert reopened.exporter_name.text() == "Société Nordique d'Armement SA"
    assert reopened.destination.code() == "CI"
    data = reopened.current_data()
    assert [(p.role, p.name, p.country, p.kind) for p in data.parties] == [
        ("end_user", "Gendarmerie nationale de Côte d'Ivoire", "CI", "police_security")]
    line = data.goods[0]
    assert (line.control_entry, line.quantity, line.value, line.currency) == (
        "ML13.d", Decimal("800"), Decimal("312000.50"), "EUR")

    # edit the reopened case and save again: the stored case changes, ids are kept
    party_id = data.parties[0].id
    reopened.tabs.setCurrentIndex(1)
    type_in_cell(qtbot, reopened.parties_table, 0, 2, "Abidjan, Plateau")
    qtbot.mouseClick(reopened.save_button, Qt.MouseButton.LeftButton)
    with ctx.uow() as uow:
        stored = cases.get_case(uow, reopened.record.id)
    assert stored.data.parties[0].address == "Abidjan, Plateau"
    assert stored.data.parties[0].id == party_id
    assert stored.row_version == 2
    assert reopened.history_model.rowCount() == 2


def test_inline_validation_blocks_saving(qtbot, demo_ctx, make_window) -> None:
    window = make_window(demo_ctx)
    editor = window.open_case(1)
    assert editor is not None and editor.status == CaseStatus.IN_ASSESSMENT
    editor.tabs.setCurrentIndex(2)
    type_in_cell(qtbot, editor.goods_table, 0, 1, "ML23")
    qtbot.waitUntil(lambda: editor.problems_label.isVisible(), timeout=2000)
    assert not editor.save_button.isEnabled()
    assert "Goods line 1, control entry" in editor.problems_label.text()
    model = editor.goods_model
    assert model.data(model.index(0, 1), Qt.ItemDataRole.BackgroundRole) is not None
    assert "ML1 to ML22" in model.data(model.index(0, 1), Qt.ItemDataRole.ToolTipRole)
    assert "⚠" in editor.tabs.tabText(2)

    type_into(qtbot, editor.exporter_name, "")
    qtbot.waitUntil(lambda: editor.exporter_name.property("invalid") is True, timeout=2000)
    assert editor.save() is False

    type_in_cell(qtbot, editor.goods_table, 0, 1, "ML3.a")
    type_into(qtbot, editor.exporter_name, "Northbridge Munitions Ltd")
    qtbot.waitUntil(lambda: editor.save_button.isEnabled(), timeout=2000)
    assert not editor.problems_label.isVisible()


def test_unsaved_changes_guard(qtbot, demo_ctx, make_window, dialogs, monkeypatch) -> None:
    window = make_window(demo_ctx)
    editor = window.open_case(2)
    type_into(qtbot, editor.applicant_reference, "CHANGED-REF")
    assert editor.is_dirty()

    monkeypatch.setattr(editor, "ask_unsaved", lambda: QMessageBox.StandardButton.Cancel)
    window.close_current_case()
    assert window.editors() == [editor]

    monkeypatch.setattr(editor, "ask_unsaved", lambda: QMessageBox.StandardButton.Discard)
    window.close_current_case()
    assert window.editors() == []
    with demo_ctx.uow() as uow:
        assert cases.get_case(uow, 2).data.applicant_reference == "AEG-26-0093"


def test_unsaved_guard_can_save_on_quit(qtbot, demo_ctx, make_window, monkeypatch) -> None:
    window = make_window(demo_ctx)
    editor = window.open_case(3)
    type_into(qtbot, editor.notes, "Checked against the 2026 end-user certificate.")
    monkeypatch.setattr(editor, "ask_unsaved", lambda: QMessageBox.StandardButton.Save)
    assert window.close()
    with demo_ctx.uow() as uow:
        assert cases.get_case(uow, 3).data.notes == (
            "Checked against the 2026 end-user certificate.")


def test_autosaved_draft_survives_a_crash(qtbot, demo_ctx, make_window, monkeypatch) -> None:
    window = make_window(demo_ctx)
    editor = window.open_case(2)
    editor._autosave.setInterval(20)
    type_into(qtbot, editor.end_use, "Typed just before the power cut")
    qtbot.wait(200)  # the autosave timer fires
    # the crash: the editor disappears without saving or asking
    editor._autosave.stop()
    editor.setParent(None)
    editor.deleteLater()

    second = make_window(demo_ctx)
    restored = []
    from ui.cases.editor import CaseEditor

    def restore(self, draft):
        restored.append(draft)
        return True

    monkeypatch.setattr(CaseEditor, "ask_restore_draft", restore)
    again = second.open_case(2)
    assert restored and restored[0].case_id == 2
    assert again.end_use.toPlainText() == "Typed just before the power cut"
    assert again.is_dirty()
    with demo_ctx.uow() as uow:
        assert "power cut" not in cases.get_case(uow, 2).data.end_use


def test_status_change_through_the_menu(qtbot, demo_ctx, make_window, dialogs) -> None:
    window = make_window(demo_ctx)
    editor = window.open_case(2)
    targets = [a.data() for a in editor.status_menu.actions()]
    assert targets == ["in_assessment", "on_hold", "withdrawn"]  # outcomes need a decision
    assert editor.status_menu.actions()[0].text() == "Start assessment"
    action = next(a for a in editor.status_menu.actions()
                  if a.data() == CaseStatus.IN_ASSESSMENT.value)
    action.trigger()
    assert editor.status_chip.text() == CaseStatus.IN_ASSESSMENT.label
    row = window.register.model.row_of_case(2)
    assert window.register.model.row_at(row).status == CaseStatus.IN_ASSESSMENT

    # the demo draft is incomplete: registering it as received is refused with the reasons
    draft = window.open_case(4)
    draft.change_status(CaseStatus.RECEIVED)
    assert dialogs.errors and "stated end use" in str(dialogs.errors[-1][1])
    assert draft.status == CaseStatus.DRAFT


def test_on_hold_needs_a_reason(qtbot, demo_ctx, make_window, monkeypatch) -> None:
    window = make_window(demo_ctx)
    editor = window.open_case(2)
    monkeypatch.setattr(editor, "ask_reason", lambda target: "Waiting for a new certificate")
    assert editor.change_status(CaseStatus.ON_HOLD)
    assert editor.history_model.rowCount() == 2
    assert "new certificate" in editor.history_model.data(editor.history_model.index(0, 3))


def test_closed_case_is_read_only(qtbot, demo_ctx, make_window, monkeypatch) -> None:
    window = make_window(demo_ctx)
    editor = window.open_case(2)
    monkeypatch.setattr(editor, "ask_reason", lambda target: "Exporter withdrew")
    editor.change_status(CaseStatus.WITHDRAWN)
    assert editor.exporter_name.isReadOnly()
    assert not editor.add_goods_button.isEnabled()
    assert not editor.status_button.isEnabled()


def test_delete_key_removes_the_selected_goods_line(qtbot, demo_ctx, make_window) -> None:
    window = make_window(demo_ctx)
    editor = window.open_case(3)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    editor.tabs.setCurrentIndex(2)
    table = editor.goods_table
    table.setFocus()
    table.setCurrentIndex(editor.goods_model.index(1, 0))
    qtbot.keyClick(table, Qt.Key.Key_Delete)
    assert [g.description[:9] for g in editor.current_data().goods] == ["Hydraulic", "Cockpit d"]
    assert editor.is_dirty()


def test_date_of_birth_of_an_individual_party(qtbot, demo_ctx, make_window, dialogs) -> None:
    window = make_window(demo_ctx)
    editor = window.open_case(1)
    assert editor is not None and editor.editable
    editor.tabs.setCurrentIndex(1)
    model, table = editor.parties_model, editor.parties_table
    column = model.BIRTH_DATE_COLUMN
    assert model.headerData(column, Qt.Orientation.Horizontal) == "Date of birth"

    qtbot.mouseClick(editor.add_party_button, Qt.MouseButton.LeftButton)
    row = model.rowCount() - 1
    type_in_cell(qtbot, table, row, 1, "Ivan Sidorov")
    pick_country_in_cell(qtbot, table, row, 3, "CY")
    choose_in_cell(qtbot, table, row, 0, "broker")
    cell = model.index(row, column)
    # a new party is a government: no date of birth to give
    assert not model.flags(cell) & Qt.ItemFlag.ItemIsEnabled
    assert not model.setData(cell, "1970-05-01")
    choose_in_cell(qtbot, table, row, 4, "individual")
    assert model.flags(cell) & Qt.ItemFlag.ItemIsEditable

    # a wrong date is shown like every other party problem: the cell, the list, the tab
    type_in_cell(qtbot, table, row, column, "1970-13")
    qtbot.waitUntil(lambda: editor.problems_label.isVisible(), timeout=2000)
    assert f"Party {row + 1}, date of birth" in editor.problems_label.text()
    assert "not a calendar date" in editor.problems_label.text()
    assert model.data(cell, Qt.ItemDataRole.BackgroundRole) is not None
    assert "not a calendar date" in model.data(cell, Qt.ItemDataRole.ToolTipRole)
    assert "⚠" in editor.tabs.tabText(1)
    assert not editor.save_button.isEnabled()

    type_in_cell(qtbot, table, row, column, "12/03/1970")
    qtbot.waitUntil(lambda: "YYYY, YYYY-MM or YYYY-MM-DD" in model.data(
        cell, Qt.ItemDataRole.ToolTipRole), timeout=2000)

    # the date is kept when the kind changes, and named as the problem it then is
    type_in_cell(qtbot, table, row, column, "1970-05-01")
    qtbot.waitUntil(lambda: editor.save_button.isEnabled(), timeout=2000)
    assert model.data(cell, Qt.ItemDataRole.BackgroundRole) is None
    choose_in_cell(qtbot, table, row, 4, "commercial")
    qtbot.waitUntil(lambda: not editor.save_button.isEnabled(), timeout=2000)
    assert "only an individual has a date of birth" in editor.problems_label.text()
    assert model.flags(cell) & Qt.ItemFlag.ItemIsEditable  # so that it can be cleared
    choose_in_cell(qtbot, table, row, 4, "individual")
    qtbot.waitUntil(lambda: editor.save_button.isEnabled(), timeout=2000)

    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert dialogs.errors == []
    with demo_ctx.uow() as uow:
        stored = cases.get_case(uow, 1).data.parties[-1]
    assert (stored.name, stored.country, stored.kind, stored.birth_date) == (
        "Ivan Sidorov", "CY", "individual", "1970-05-01")
    assert model.data(cell, Qt.ItemDataRole.DisplayRole) == "1970-05-01"

    # clearing it is allowed: a date of birth is optional
    table.setCurrentIndex(cell)
    table.edit(cell)
    [line] = [w for w in table.viewport().findChildren(QLineEdit) if w.isVisible()]
    assert line.text() == "1970-05-01" and line.placeholderText() == "YYYY-MM-DD"
    line.selectAll()
    qtbot.keyClick(line, Qt.Key.Key_Delete)
    qtbot.keyClick(line, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: editor.save_button.isEnabled(), timeout=2000)
    assert editor.current_data().parties[-1].birth_date == ""
