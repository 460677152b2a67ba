"""The evidence window with real widgets: search as you type, filters, paging, the detail
pane, the add and edit forms, import (file chooser, drag and drop, cancel), the pattern
chart and saving an original file."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QDialog

from app import evidence
from app.evidence import Attachment, EvidenceData, NewEvidence
from tests.ui.helpers import type_into
from ui.context import UiContext
from ui.evidence.form import EvidenceForm
from ui.evidence.import_dialog import ImportDialog
from ui.evidence.page import EvidencePage
from ui.evidence.table_model import SNIPPET_HTML_ROLE


def item(title: str, **fields: object) -> EvidenceData:
    values: dict[str, object] = {"source_kind": "ngo", "reliability": "B", "credibility": "2",
                                 "publisher": "Rights Watch", "countries": ["SS"],
                                 "published_on": date(2023, 5, 1)}
    values.update(fields)
    return EvidenceData(title=title, **values)  # type: ignore[arg-type]


def seed(ctx: UiContext, *items: EvidenceData | NewEvidence, demo: bool = False) -> list[int]:
    batch = [i if isinstance(i, NewEvidence) else NewEvidence(i, None, i.title) for i in items]
    with ctx.uow() as uow:
        return evidence.store_batch(uow, ctx.actor, batch, is_demo=demo).added


def count_items(ctx: UiContext) -> int:
    with ctx.uow() as uow:
        return evidence.count_items(uow)


@pytest.fixture
def open_page(qtbot, make_window) -> Callable[[UiContext], EvidencePage]:
    def open_(context: UiContext) -> EvidencePage:
        window = make_window(context)
        window.show_area(window.AREAS.index("evidence"))
        page = window.evidence_page
        assert window.stack.currentWidget() is page
        qtbot.waitUntil(lambda: page.count_label.text() not in ("", "Searching…"),
                        timeout=3000)
        return page

    return open_


def visible_ids(page: EvidencePage) -> list[int]:
    return page.model.item_ids()


def wait_for_ids(qtbot, page: EvidencePage, expected: list[int]) -> None:
    qtbot.waitUntil(lambda: visible_ids(page) == expected, timeout=3000)


# --- searching ---------------------------------------------------------------------------

def test_search_as_you_type_ranks_and_bolds_matches(qtbot, ctx, open_page) -> None:
    in_title, in_text, other = seed(
        ctx,
        item("Shelling of the Malakal market", summary="Artillery hit a crowded place."),
        item("Detentions in Juba", summary="Arrests of journalists.",
             full_text="Later that week soldiers looted the market near the river."),
        item("Flooding report", summary="Nothing about violence."))
    page = open_page(ctx)
    assert set(visible_ids(page)) == {in_title, in_text, other}
    assert "3 item" in page.count_label.text()

    page.search.setFocus()
    type_into(qtbot, page.search, "marke")  # prefix search, while typing
    wait_for_ids(qtbot, page, [in_title, in_text])  # the title match ranks first
    assert "best match first" in page.count_label.text()
    match_column = page.model.COLUMNS.index("match")
    snippets = [page.model.index(r, match_column).data(SNIPPET_HTML_ROLE) for r in range(2)]
    assert "<b>market</b>" in snippets[0]
    assert "<b>market</b>" in snippets[1]
    assert "\x02" not in page.model.index(0, match_column).data(Qt.ItemDataRole.DisplayRole)
    page.table.viewport().grab()  # the rich-text delegate paints without error

    type_into(qtbot, page.search, "market looted")  # every word must match
    wait_for_ids(qtbot, page, [in_text])
    type_into(qtbot, page.search, "")
    qtbot.waitUntil(lambda: len(visible_ids(page)) == 3, timeout=3000)


def test_typing_does_not_search_on_every_key(qtbot, ctx, open_page, monkeypatch) -> None:
    seed(ctx, item("Shelling of the Malakal market"))
    page = open_page(ctx)
    calls: list[str] = []
    original = page.search_now
    monkeypatch.setattr(page, "search_now", lambda: (calls.append(page.search.text()),
                                                     original()))
    page._timer.timeout.disconnect()
    page._timer.timeout.connect(page.search_now)
    type_into(qtbot, page.search, "malakal")
    qtbot.waitUntil(lambda: calls == ["malakal"], timeout=3000)


def test_filters_narrow_the_results(qtbot, ctx, open_page) -> None:
    ss, sd, graded_low, media, old, demo_id = (
        *seed(ctx,
              item("Killings in Upper Nile", violations=["unlawful_killing"],
                   actors=["SSPDF 3rd Division"], item_categories=["ML1"]),
              item("Torture in Darfur", countries=["SD"], violations=["torture"],
                   reliability="A", credibility="1"),
              item("Rumoured abuses", reliability="E", credibility="5",
                   violations=["torture"]),
              item("Press report on shelling", source_kind="media",
                   item_categories=["ML4"]),
              item("Old report", published_on=date(2012, 3, 1))),
        *seed(ctx, item("Demo item written for the demo"), demo=True))
    page = open_page(ctx)
    everything = {ss, sd, graded_low, media, old, demo_id}
    assert set(visible_ids(page)) == everything

    page.country.set_code("SD")
    qtbot.waitUntil(lambda: visible_ids(page) == [sd], timeout=3000)
    page.country.set_code("")
    qtbot.waitUntil(lambda: set(visible_ids(page)) == everything, timeout=3000)

    page.violation.setCurrentIndex(page.violation.findData("torture"))
    assert set(visible_ids(page)) == {sd, graded_low}
    page.min_reliability.setCurrentIndex(page.min_reliability.findData("B"))
    assert visible_ids(page) == [sd]
    page.clear_filters()
    assert set(visible_ids(page)) == everything

    page.min_credibility.setCurrentIndex(page.min_credibility.findData("2"))
    assert graded_low not in visible_ids(page)
    page.clear_filters()
    page.source_kind.setCurrentIndex(page.source_kind.findData("media"))
    assert visible_ids(page) == [media]
    page.clear_filters()
    page.category.setCurrentIndex(page.category.findData("ML1"))
    assert visible_ids(page) == [ss]
    page.clear_filters()

    page.date_to.set_value(date(2015, 1, 1))
    assert visible_ids(page) == [old]
    page.date_to.clear_value()
    page.date_from.set_value(date(2020, 1, 1))
    assert old not in visible_ids(page)
    page.clear_filters()

    type_into(qtbot, page.actor, "3rd division")
    qtbot.waitUntil(lambda: visible_ids(page) == [ss], timeout=3000)
    page.clear_filters()
    assert set(visible_ids(page)) == everything

    page.include_demo.setChecked(False)
    assert set(visible_ids(page)) == everything - {demo_id}
    assert "5 item" in page.count_label.text()


def test_results_come_a_hundred_at_a_time(qtbot, ctx, open_page) -> None:
    seed(ctx, *[item(f"Report number {n}", published_on=date(2020, 1, 1 + n % 28),
                     summary=f"Incident {n}") for n in range(150)])
    page = open_page(ctx)
    assert page.model.rowCount() == 100
    assert page.more_button.isVisible()
    assert "first 100" in page.count_label.text()
    qtbot.mouseClick(page.more_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.model.rowCount() == 150, timeout=3000)
    assert len(set(visible_ids(page))) == 150
    assert not page.more_button.isVisible()
    assert "150 item" in page.count_label.text()


def test_detail_pane_and_keyboard(qtbot, ctx, open_page) -> None:
    (item_id,) = seed(ctx, item("Shelling of Malakal", summary="Artillery hit the market.",
                                full_text="The full report text.", actors=["Unit 7"],
                                violations=["indiscriminate_attack"],
                                events_from=date(2023, 2, 1), events_to=date(2023, 2, 3)))
    page = open_page(ctx)
    # the search box has a mnemonic label (Ctrl+F belongs to "find case")
    labels = [w for w in page.findChildren(type(page.count_label)) if w.buddy() is page.search]
    assert labels and labels[0].text() == "&Search"

    page.table.setFocus()
    page.table.setCurrentIndex(page.model.index(0, 0))
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert page.detail.record is not None and page.detail.record.id == item_id
    assert page.window().focusWidget() is page.detail.fields
    html = page.detail.fields.toHtml()
    for text in ("Rights Watch", "South Sudan (SS)", "Unit 7", "Indiscriminate",
                 "2023-02-01 – 2023-02-03", "Artillery hit the market."):
        assert text in html
    assert page.detail.full_text.toPlainText() == "The full report text."
    assert page.detail.history.topLevelItemCount() == 1
    assert not page.detail.attachment_row.isVisible()
    assert page.edit_button.isEnabled()


# --- adding and editing --------------------------------------------------------------------

def test_add_with_a_validation_error_then_fixed(qtbot, ctx, open_page) -> None:
    page = open_page(ctx)
    seen: dict[str, object] = {}

    def drive(form: QDialog) -> int:
        assert isinstance(form, EvidenceForm)
        form.show()
        assert form.windowTitle() == "Add evidence"
        type_into(qtbot, form.title_edit, "Attack on a clinic in Bentiu")
        type_into(qtbot, form.countries, "SS, XX")
        form.reliability.setCurrentIndex(form.reliability.findData("A"))
        form.credibility.setCurrentIndex(form.credibility.findData("2"))
        form.violations.findItems("Attack on medical or humanitarian personnel and objects",
                                  Qt.MatchFlag.MatchExactly)[0].setCheckState(
            Qt.CheckState.Checked)
        form.categories.item(3).setCheckState(Qt.CheckState.Checked)  # ML4
        form.events_from.set_value(date(2024, 3, 2))
        form.events_to.set_value(date(2024, 3, 1))  # before the start
        type_into(qtbot, form.summary, "Shelling hit the clinic.")
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
        assert form.result() != QDialog.DialogCode.Accepted
        seen["problems"] = form.problems_label.text()
        seen["countries_invalid"] = form.countries.property("invalid")
        seen["events_invalid"] = form.events_to.property("invalid")
        assert form.problems_label.isVisible()
        assert count_items(ctx) == 0

        type_into(qtbot, form.countries, "SS")
        form.events_to.set_value(date(2024, 3, 4))
        assert not form.problems_label.isVisible()
        assert not form.countries.property("invalid")
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
        return form.result()

    page.exec_dialog = drive  # type: ignore[method-assign]
    new_id = page.add_item()
    assert "'XX' is not an ISO country code" in str(seen["problems"])
    assert "cannot end before they start" in str(seen["problems"])
    assert seen["countries_invalid"] and seen["events_invalid"]
    assert new_id is not None
    with ctx.uow() as uow:
        record = evidence.get_evidence(uow, new_id)
    assert record.data.countries == ["SS"]
    assert record.grade == "A2"
    assert record.data.violations == ["attack_medical_humanitarian"]
    assert record.data.item_categories == ["ML4"]
    assert record.data.events_to == date(2024, 3, 4)
    qtbot.waitUntil(lambda: new_id in visible_ids(page), timeout=3000)
    assert page.current_item_id() == new_id
    assert page.detail.record is not None and page.detail.record.id == new_id


def test_edit_creates_version_two_and_history_lists_both(qtbot, ctx, open_page) -> None:
    (item_id,) = seed(ctx, item("Arrests in Juba", summary="First account."))
    page = open_page(ctx)
    page.table.selectRow(0)
    assert page.detail.record is not None and page.detail.record.version_no == 1
    first_hash = page.detail.record.content_sha256

    def drive(form: QDialog) -> int:
        assert isinstance(form, EvidenceForm)
        form.show()
        assert "version 2" in form.windowTitle()
        assert form.title_edit.text() == "Arrests in Juba"
        type_into(qtbot, form.summary, "Corrected account: 40 arrests.")
        form.reliability.setCurrentIndex(form.reliability.findData("A"))
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
        return form.result()

    page.exec_dialog = drive  # type: ignore[method-assign]
    qtbot.mouseClick(page.edit_button, Qt.MouseButton.LeftButton)
    record = page.detail.record
    assert record is not None and record.id == item_id and record.version_no == 2
    assert record.data.summary == "Corrected account: 40 arrests."
    assert page.detail.history.topLevelItemCount() == 2
    rows = [page.detail.history.topLevelItem(n) for n in range(2)]
    assert [r.text(0) for r in rows] == ["2", "1"]
    assert rows[1].toolTip(3) == first_hash
    assert all(r.text(1) == ctx.actor.username for r in rows)
    assert "version 2 of 2" in page.detail.version_label.text()
    assert page.detail.tabs.tabText(2) == "Versions (2)"
    assert page.model.row_at(0).grade == "A2"  # the table shows the current version


# --- importing -----------------------------------------------------------------------------

def evidence_json(path: Path, count: int, prefix: str = "Incident") -> Path:
    items = [{"title": f"{prefix} {n}", "source": {"kind": "ngo", "publisher": "Monitor"},
              "grade": {"reliability": "C", "credibility": 3}, "countries": ["SS"],
              "published_on": "2022-06-01", "violations": ["torture"],
              "summary": f"Detainees {n} were beaten.", "full_text": "word " * 50}
             for n in range(count)]
    path.write_text(json.dumps({"format": "golden-rule/evidence", "format_version": 1,
                                "items": items}), encoding="utf-8")
    return path


@pytest.fixture
def reports_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "a-malakal.txt").write_text("Killings in Malakal\n\nSoldiers fired on a crowd.",
                                          encoding="utf-8")
    (folder / "b-bentiu.txt").write_text("Looting in Bentiu\n\nShops were looted.",
                                         encoding="utf-8")
    evidence_json(folder / "incidents.json", 2)
    return folder


def importing(qtbot, kind: str = "ngo", on_progress: Callable[[ImportDialog], None] | None = None
              ) -> tuple[list[ImportDialog], Callable[[QDialog], int]]:
    """An exec_dialog stand-in: set the defaults, press Import, record the dialog."""
    dialogs: list[ImportDialog] = []

    def drive(dialog: QDialog) -> int:
        assert isinstance(dialog, ImportDialog)
        dialog.show()
        dialogs.append(dialog)
        if dialog.documents:
            dialog.source_kind.setCurrentIndex(dialog.source_kind.findData(kind))
            dialog.reliability.setCurrentIndex(dialog.reliability.findData("B"))
            dialog.countries.setText("SS")
        values: list[int] = []
        dialog.progress_bar.valueChanged.connect(values.append)
        if on_progress is not None:
            dialog.progress_bar.valueChanged.connect(lambda _v: on_progress(dialog))
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
        dialog.progress_values = values  # type: ignore[attr-defined]
        return 1

    return dialogs, drive


def test_import_a_folder_then_reimport_finds_duplicates(qtbot, ctx, open_page,
                                                        reports_folder) -> None:
    page = open_page(ctx)
    chosen: list[bool] = []

    def choose(folder: bool = False) -> list[Path]:
        chosen.append(folder)
        return [reports_folder]

    page.choose_import_paths = choose  # type: ignore[method-assign]
    dialogs, drive = importing(qtbot)
    page.exec_dialog = drive  # type: ignore[method-assign]
    page.import_button.menu().actions()[1].trigger()  # "A folder…"
    assert chosen == [True]
    (dialog,) = dialogs
    assert "3 file(s) to import" in dialog.files_label.text()
    assert dialog.outcome == "imported", dialog.problems_label.text()
    assert dialog.report is not None
    assert len(dialog.report.added) == 4 and not dialog.report.duplicates
    assert dialog.progress_values  # type: ignore[attr-defined]
    assert "Added 4" in dialog.status_label.text()
    assert "Killings in Malakal" in dialog.report_view.toPlainText()
    qtbot.waitUntil(lambda: len(visible_ids(page)) == 4, timeout=3000)
    assert "4 added" in page.message.text()

    with ctx.uow() as uow:
        records = [evidence.get_evidence(uow, a.id) for a in dialog.report.added]
    documents = [r for r in records if r.attachment is not None]
    assert len(documents) == 2
    assert all(r.grade == "B6" and r.data.countries == ["SS"] for r in documents)

    qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)  # files this time
    assert chosen == [True, False]
    again = dialogs[-1]
    assert again.outcome == "imported"
    assert again.report is not None
    assert not again.report.added and len(again.report.duplicates) == 4
    assert "already in the evidence base 4" in again.status_label.text()
    assert "Skipped" in again.report_view.toPlainText()
    assert count_items(ctx) == 4


def test_documents_need_a_kind_of_source(qtbot, ctx, open_page, reports_folder) -> None:
    page = open_page(ctx)
    dialogs, drive = importing(qtbot, kind="")
    page.exec_dialog = drive  # type: ignore[method-assign]
    page.run_import([reports_folder])
    assert dialogs[0].outcome == ""
    assert "kind of source" in dialogs[0].problems_label.text()
    assert count_items(ctx) == 0


def test_a_bad_file_stores_nothing_and_says_why(qtbot, ctx, open_page, tmp_path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "golden-rule/evidence", "format_version": 1,
                               "items": [{"title": "x", "source": {"kind": "ngo"},
                                          "grade": {"reliability": "Z", "credibility": 2}}]}),
                   encoding="utf-8")
    page = open_page(ctx)
    dialogs, drive = importing(qtbot)
    page.exec_dialog = drive  # type: ignore[method-assign]
    page.run_import([evidence_json(tmp_path / "good.json", 3), bad])
    dialog = dialogs[0]
    assert dialog.outcome == "failed"
    assert "Nothing was stored" in dialog.problems_label.text()
    assert "bad.json item 1" in dialog.problems_label.text()
    assert dialog.import_button.isEnabled() and dialog.import_button.text() == "Try again"
    assert count_items(ctx) == 0


def test_cancel_during_import_stores_nothing(qtbot, ctx, open_page, tmp_path) -> None:
    big = evidence_json(tmp_path / "big.json", 6000, prefix="Generated incident")
    page = open_page(ctx)
    progress_seen: list[int] = []

    def cancel_once(dialog: ImportDialog) -> None:
        progress_seen.append(dialog.progress_bar.value())
        if len(progress_seen) == 1:
            dialog.cancel()

    dialogs, drive = importing(qtbot, on_progress=cancel_once)
    page.exec_dialog = drive  # type: ignore[method-assign]
    page.run_import([big])
    dialog = dialogs[0]
    assert progress_seen
    assert dialog.outcome == "cancelled"
    assert dialog.status_label.text() == "Import cancelled: nothing was stored."
    assert dialog.cancel_button.text() == "Close"
    assert count_items(ctx) == 0
    assert visible_ids(page) == []


def drag_enter(at: QPointF, mime: QMimeData) -> QDragEnterEvent:
    """Qt 6.12 takes a QPointF (the QPoint form is deprecated); earlier versions a QPoint."""
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier)
    try:
        return QDragEnterEvent(at, *args)
    except TypeError:
        return QDragEnterEvent(at.toPoint(), *args)


def test_dropping_files_and_folders_imports_them(qtbot, ctx, open_page, reports_folder,
                                                 tmp_path) -> None:
    extra = evidence_json(tmp_path / "extra.json", 1, prefix="Dropped")
    page = open_page(ctx)
    dialogs, drive = importing(qtbot)
    page.exec_dialog = drive  # type: ignore[method-assign]
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(reports_folder)), QUrl.fromLocalFile(str(extra))])
    at = QPointF(page.width() / 2, page.height() / 2)
    enter = drag_enter(at, mime)
    QApplication.sendEvent(page, enter)
    assert enter.isAccepted()
    assert page.message.isVisible() and "Drop to import" in page.message.text()
    drop = QDropEvent(at, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(page, drop)
    assert drop.isAccepted()
    qtbot.waitUntil(lambda: bool(dialogs) and dialogs[0].outcome == "imported", timeout=3000)
    assert dialogs[0].paths == [reports_folder, extra]
    assert dialogs[0].report is not None and len(dialogs[0].report.added) == 5
    qtbot.waitUntil(lambda: len(visible_ids(page)) == 5, timeout=3000)

    text_only = QMimeData()
    text_only.setText("not a file")
    refused = drag_enter(at, text_only)
    QApplication.sendEvent(page, refused)
    assert not refused.isAccepted()


# --- the pattern chart ---------------------------------------------------------------------

def test_pattern_chart_paints_bars_and_lists_the_items_behind_a_segment(qtbot, ctx,
                                                                        open_page) -> None:
    t1, t2, k1, t3, _other = seed(
        ctx,
        item("Torture A", events_from=date(2020, 3, 1), violations=["torture"]),
        item("Torture B", events_from=date(2020, 7, 1), violations=["torture"]),
        item("Killing", events_from=date(2020, 8, 1), violations=["unlawful_killing"]),
        item("Torture C", events_from=date(2022, 1, 9), violations=["torture"]),
        item("Elsewhere", countries=["SD"], events_from=date(2021, 1, 1),
             violations=["torture"]))
    page = open_page(ctx)
    page.country.set_code("SS")
    dialog = page.open_pattern()
    qtbot.addWidget(dialog)
    chart = dialog.chart
    qtbot.waitUntil(lambda: len(chart.segments()) == 3, timeout=3000)
    assert chart.years() == [2020, 2021, 2022]
    assert chart.totals() == {2020: 3, 2021: 0, 2022: 1}
    assert "South Sudan (SS): 4 item(s), 2020 to 2022" in dialog.summary.text()

    image = chart.grab().toImage()
    ratio = image.devicePixelRatio()
    for segment in chart.segments():
        centre = segment.rect.center()
        colour = image.pixelColor(int(centre.x() * ratio), int(centre.y() * ratio))
        assert colour.name() == chart.colour_of(segment.violation).name()
    torture_2020 = chart.segment_rect(2020, "torture")
    killing_2020 = chart.segment_rect(2020, "unlawful_killing")
    assert torture_2020 is not None and killing_2020 is not None
    assert abs(torture_2020.height() - 2 * killing_2020.height()) < 1.5  # 2 items vs 1

    qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=torture_2020.center().toPoint())
    assert chart.selected() == (2020, "torture")
    assert dialog.listed_ids() == [t1, t2]
    assert dialog.items_label.text() == "2020 · Torture and ill-treatment: 2 item(s)"
    qtbot.mouseClick(chart, Qt.MouseButton.LeftButton,
                     pos=chart.segment_rect(2022, "torture").center().toPoint())
    assert dialog.listed_ids() == [t3]
    chart.setFocus()
    qtbot.keyClick(chart, Qt.Key.Key_Left)  # the previous year with incidents
    assert chart.selected() == (2020, "torture")
    qtbot.keyClick(chart, Qt.Key.Key_Down)  # down the stack
    assert chart.selected() == (2020, "unlawful_killing")
    assert dialog.listed_ids() == [k1]

    # double-click an item: it opens in the main table and detail pane
    list_item = dialog.items.item(0)
    rect = dialog.items.visualItemRect(list_item)
    qtbot.mouseClick(dialog.items.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(dialog.items.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert page.detail.record is not None and page.detail.record.id == k1
    assert page.current_item_id() == k1

    # by actor, no country
    dialog.show_for("", "nobody at all")
    assert chart.segments() == []
    assert "no dated items" in dialog.summary.text()


# --- the original file -------------------------------------------------------------------

def test_save_original_writes_identical_bytes(qtbot, ctx, open_page, tmp_path) -> None:
    original = bytes(range(256)) * 40 + b"\x00\r\n end"
    (item_id,) = seed(ctx, NewEvidence(item("Report with a PDF"),
                                       Attachment("report.pdf", "application/pdf", original),
                                       "test"))
    page = open_page(ctx)
    page.show_item(item_id)
    detail = page.detail
    assert detail.attachment_row.isVisible()
    assert "report.pdf" in detail.attachment_label.text()
    assert Attachment("x", "y", original).sha256 in detail.attachment_label.text()
    target = tmp_path / "saved.pdf"
    asked: list[str] = []

    def ask(suggested: str) -> str:
        asked.append(suggested)
        return str(target)

    detail.ask_save_path = ask  # type: ignore[method-assign]
    qtbot.mouseClick(detail.save_button, Qt.MouseButton.LeftButton)
    assert asked == ["report.pdf"]
    assert target.read_bytes() == original
    assert str(target) in page.message.text()


def test_adding_content_already_stored_points_to_the_existing_item(qtbot, ctx,
                                                                   open_page) -> None:
    (existing,) = seed(ctx, item("Arrests in Juba"))
    page = open_page(ctx)

    def drive(form: QDialog) -> int:
        assert isinstance(form, EvidenceForm)
        form.show()
        type_into(qtbot, form.title_edit, "Arrests in Juba")
        type_into(qtbot, form.publisher, "Rights Watch")
        type_into(qtbot, form.countries, "ss")
        form.published_on.set_value(date(2023, 5, 1))
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
        return form.result()

    page.exec_dialog = drive  # type: ignore[method-assign]
    assert page.add_item() == existing
    assert count_items(ctx) == 1
    assert f"already stored as item #{existing}" in page.message.text()
