"""The Reports area with real widgets over real decision records: the EU COARM table and the
register previewed and redacted, the unredacted form kept for supervisors, a preview
cancelled, signed exports checked like anyone handed them would, CSV, and the charts."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget
from sqlalchemy import insert, select

from app.canonical import canonical_bytes, sha256_hex
from app.changes import now_utc
from app.database import Database
from app.document_check import check_file
from app.errors import AuthenticationError
from app.frameworks import catalogue
from app.oversight import service
from app.oversight.service import ReportRequest
from app.roles import Permission
from app.uow import UnitOfWork
from app.users import Actor
from db.models import (
    Assessment,
    Case,
    ChangeEvent,
    DecisionRow,
    FrameworkText,
    GoodsLine,
    Party,
)
from reports.oversight_model import Chart, Column, Table, Withheld
from tests.conftest import SUPERVISOR_PASSWORD
from ui.context import UiContext
from ui.main_window import MainWindow
from ui.reports import page as page_module
from ui.reports.chart_widget import PALETTE, ChartWidget, compact, nice_scale
from ui.reports.page import ReportsPage, file_stem, preset_period, tab_text
from ui.reports.report_model import RAW_ROLE, ReportTableModel, format_cell, money_text
from ui.settings.common import needs_role_text
from ui.tasks import TaskRunner


@dataclass(frozen=True)
class Spec:
    """One decision: destination, outcome, decision date, goods lines (entry, EUR value)."""

    dest: str
    refused: bool
    decided: date
    lines: tuple[tuple[str, str], ...]
    exporter: str = "Société Générale d'Armement"
    criteria: tuple[str, ...] = ()


#: Period 2025: Côte d'Ivoire three rifle licences (600,000), Kenya one ammunition licence
#: (fewer than three: its value is withheld for parliament) and one refusal, Japan three
#: licences of parts (3,000,000); one Côte d'Ivoire licence of 2024 lies outside the period.
SPECS = [
    Spec("CI", False, date(2025, 2, 10), (("ML1.a", "100000.00"),)),
    Spec("CI", False, date(2025, 5, 3), (("ML1.a", "200000.00"),), "Nordwerk Defence GmbH"),
    Spec("CI", False, date(2025, 9, 21), (("ML1.a", "300000.00"),)),
    Spec("KE", False, date(2025, 3, 14), (("ML3.a", "50000.00"),), "Acme Munitions Ltd"),
    Spec("KE", True, date(2025, 6, 30), (("ML1.a", "75000.00"),), "Acme Munitions Ltd",
         ("2c", "7")),
    Spec("JP", False, date(2025, 4, 1), (("ML10.h", "1000000.00"),), "Nordwerk Defence GmbH"),
    Spec("JP", False, date(2025, 7, 15), (("ML10.h", "1000000.00"),), "Nordwerk Defence GmbH"),
    Spec("JP", False, date(2025, 11, 2), (("ML10.h", "1000000.00"),), "Nordwerk Defence GmbH"),
    Spec("CI", False, date(2024, 12, 1), (("ML1.a", "999000.00"),)),
]


def seed_decisions(database: Database, decided_by: Actor, specs: list[Spec],
                   first_id: int = 1) -> None:
    """Cases with one decision record each, inserted as a previous system's records are
    imported (as benchmarks/oversight.py does): quick, and what the reports count."""
    fw = catalogue().get("eu-cp")
    now = now_utc()
    with UnitOfWork(database.session_factory) as uow:
        s = uow.session
        if s.get(FrameworkText, fw.sha256) is None:
            s.add(FrameworkText(sha256=fw.sha256, framework_id=fw.id, version=fw.version,
                                title=fw.title, file_name=fw.path.name, text=fw.text,
                                stored_at=now))
            s.flush()
        for n, spec in enumerate(specs, start=first_id):
            status = "refused" if spec.refused else "approved"
            s.execute(insert(Case), [dict(
                id=n, reference=f"GR-T-{n:05d}", status=status, licence_type="SIEL",
                exporter_name=spec.exporter, destination=spec.dest,
                received_date=spec.decided.replace(day=1), created_at=now,
                created_by_id=decided_by.id, updated_at=now, updated_by_id=decided_by.id,
                row_version=1, is_demo=False)])
            s.execute(insert(Party), [dict(case_id=n, position=0, role="end_user",
                                           name=f"Ministry of Defence {spec.dest}",
                                           country=spec.dest, kind="armed_forces")])
            s.execute(insert(GoodsLine), [dict(
                case_id=n, position=p, description=f"Items {entry}", control_entry=entry,
                att_category="VIII", quantity="10", unit="pcs", value=value, currency="EUR")
                for p, (entry, value) in enumerate(spec.lines)])
            s.execute(insert(Assessment), [dict(
                id=n, case_id=n, framework_id=fw.id, framework_sha256=fw.sha256,
                check_reviews={}, current_step="summary", created_at=now,
                created_by_id=decided_by.id, updated_at=now, updated_by_id=decided_by.id,
                row_version=1)])
            snapshot = canonical_bytes({"format": "goldenrule.legacy-record/1", "case": n})
            s.execute(insert(DecisionRow), [dict(
                case_id=n, sequence=1, kind="decision", assessment_id=n, framework_id=fw.id,
                framework_version=fw.version, framework_sha256=fw.sha256,
                outcome="refuse" if spec.refused else "approve",
                rationale="Imported decision.", conditions=[],
                criteria_cited=list(spec.criteria), as_of=spec.decided, checks=[],
                evaluation={}, findings={}, status_before="in_assessment",
                status_after=status, countersignatures_required=0,
                decided_at=datetime(spec.decided.year, spec.decided.month, spec.decided.day,
                                    12, tzinfo=UTC),
                decided_by_id=decided_by.id, origin="import:test",
                snapshot=snapshot.decode(), snapshot_sha256=sha256_hex(snapshot))])
        uow.commit()


YEAR_2025 = (date(2025, 1, 1), date(2025, 12, 31))
MakeWindow = Callable[..., MainWindow]


@pytest.fixture
def seeded(database: Database, supervisor: Actor) -> None:
    seed_decisions(database, supervisor, SPECS)


def open_reports(make_window: MakeWindow, database: Database, actor: Actor) -> ReportsPage:
    window = make_window(UiContext(database, actor))
    window.show_area("reports")
    page = window.reports_page
    assert isinstance(page, ReportsPage)
    assert window.stack.currentWidget() is page
    return page


def choose(page: ReportsPage, profile: str, redaction: str = "parliament",
           period: tuple[date, date] = YEAR_2025) -> None:
    """Fill the form the way a user does: the combos and the date fields."""
    page.profile_combo.setCurrentIndex(page.profile_combo.findData(profile))
    page.date_from.setDate(QDate(period[0].year, period[0].month, period[0].day))
    page.date_to.setDate(QDate(period[1].year, period[1].month, period[1].day))
    page.redaction_combo.setCurrentIndex(page.redaction_combo.findData(redaction))


def preview(qtbot, page: ReportsPage) -> None:
    """Ctrl+Enter from the form, as the user previews."""
    page.window().activateWindow()
    page.profile_combo.setFocus()
    qtbot.waitUntil(page.profile_combo.hasFocus)
    with qtbot.waitSignal(page.sig_previewed, timeout=20000):
        qtbot.keyClick(page.profile_combo, Qt.Key.Key_Return,
                       Qt.KeyboardModifier.ControlModifier)


def coarm_row(page: ReportsPage, destination: str, row_label: str) -> int:
    """Where a destination's row "(a)".."(e)" is in the COARM table."""
    panel = page.table_panel("coarm")
    assert panel is not None
    model = panel.model
    for r in range(model.rowCount()):
        if model.cell(r, 0) == destination and str(model.cell(r, 2)).startswith(row_label):
            return r
    raise AssertionError(f"no row {row_label} for {destination}")


def coarm(page: ReportsPage, destination: str, row_label: str, column: str) -> str:
    return page.cell_text("coarm", coarm_row(page, destination, row_label), column)


# --- previewing ---------------------------------------------------------------------------

def test_supervisor_previews_the_eu_coarm_table(qtbot, make_window, database, supervisor,
                                                seeded, qapp_style) -> None:
    page = open_reports(make_window, database, supervisor)
    assert not page.xlsx_button.isEnabled()  # nothing to export before a preview
    choose(page, "eu-coarm", "none")
    preview(qtbot, page)

    report = page.report
    assert report is not None and report.profile == "eu-coarm"
    assert page.tab_titles() == ["EU annual report on arms exports", "Charts (3)",
                                 "Method and redaction"]
    # Côte d'Ivoire: three rifle licences in 2025 (the 2024 one is outside the period)
    assert coarm(page, "Côte d'Ivoire", "(a)", "ml1") == "3"
    assert coarm(page, "Côte d'Ivoire", "(b)", "ml1") == "600,000"
    assert coarm(page, "Japan", "(a)", "ml10") == "3"
    assert coarm(page, "Japan", "(b)", "ml10") == "3,000,000"
    assert coarm(page, "Kenya", "(b)", "ml3") == "50,000"
    assert coarm(page, "Kenya", "(d)", "ml1") == "1"
    assert coarm(page, "Kenya", "(e)", "ml1") == "2c (1), 7 (1)"
    assert coarm(page, "All destinations", "(b)", "total") == "3,650,000"
    # numbers right-aligned; a destination's later rows leave its name blank
    panel = page.table_panel("coarm")
    assert panel is not None
    index = panel.model.index(coarm_row(page, "Japan", "(b)"), 3 + 9)
    assert index.data(Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight
    assert panel.model.index(coarm_row(page, "Japan", "(b)"), 0).data() == ""
    assert page.classification.isVisible()  # the unredacted form carries its marking
    assert xlsx_enabled(page)
    page.show_tab("method")
    text = page.method_view.toPlainText()
    assert "Redaction profile applied: Unredacted (none)." in text
    assert "Nothing was withheld." in text


def xlsx_enabled(page: ReportsPage) -> bool:
    return all(b.isEnabled() for b in (page.xlsx_button, page.pdf_button, page.csv_button))


def test_parliament_withholds_thin_values_and_says_so(qtbot, make_window, database,
                                                     supervisor, seeded, qapp_style) -> None:
    page = open_reports(make_window, database, supervisor)
    choose(page, "eu-coarm", "parliament")
    preview(qtbot, page)
    assert coarm(page, "Japan", "(b)", "ml10") == "3,000,000"
    panel = page.table_panel("coarm")
    assert panel is not None
    index = panel.model.index(coarm_row(page, "Kenya", "(b)"), 3 + 2)  # ML3
    assert index.data() == "[withheld]"
    assert isinstance(index.data(RAW_ROLE), Withheld)
    assert index.data(Qt.ItemDataRole.FontRole).italic()
    assert index.data(Qt.ItemDataRole.ForegroundRole).color() == QColor("#6b7280")
    assert "fewer than 3" in index.data(Qt.ItemDataRole.ToolTipRole)
    assert not page.classification.isVisible()
    page.show_tab("method")
    text = page.method_view.toPlainText()
    assert "Parliamentary release (parliament)" in text
    assert "Withheld" in text and "Nothing was withheld." not in text


def test_register_for_parliament_withholds_exporter_names(qtbot, make_window, database,
                                                          supervisor, seeded,
                                                          qapp_style) -> None:
    page = open_reports(make_window, database, supervisor)
    choose(page, "register", "parliament")
    preview(qtbot, page)
    panel = page.table_panel("register")
    assert panel is not None and panel.model.rowCount() == 8
    exporter = [c.key for c in panel.table.columns].index("exporter")
    assert set(panel.model.column_texts(exporter)) == {"[withheld]"}
    index = panel.model.index(0, exporter)
    assert "commercially confidential" in index.data(Qt.ItemDataRole.ToolTipRole)
    assert panel.model.column_texts(0)[0] == "GR-T-00001"  # sorted by decision date
    # a supervisor may see the names
    choose(page, "register", "none")
    assert page.stale_note.isVisible()  # the form no longer matches the preview
    preview(qtbot, page)
    panel = page.table_panel("register")
    assert panel is not None
    assert "Nordwerk Defence GmbH" in panel.model.column_texts(exporter)
    assert not page.stale_note.isVisible()


def test_unredacted_form_is_for_supervisors_only(qtbot, make_window, database, admin,
                                                 supervisor, seeded, qapp_style) -> None:
    page = open_reports(make_window, database, admin)
    assert page.may_report
    assert not page.redaction_enabled("none")
    assert page.redaction_enabled("parliament") and page.redaction_enabled("public")
    needs = needs_role_text(Permission.REPORT_UNREDACTED)
    assert page.redaction_tooltip("none") == needs
    assert "supervisor" in needs
    assert needs in page.redaction_combo.toolTip()
    page.window().close()
    page = open_reports(make_window, database, supervisor)
    assert page.redaction_enabled("none")
    page.redaction_combo.setCurrentIndex(page.redaction_combo.findData("none"))
    assert page.internal_note.isVisibleTo(page)


def test_an_officer_has_no_reports_area(qtbot, make_window, database, officer,
                                        qapp_style) -> None:
    window = make_window(UiContext(database, officer))
    item = window.sidebar.item(window.AREAS.index("reports"))
    assert not item.flags() & Qt.ItemFlag.ItemIsEnabled
    assert item.toolTip() == needs_role_text(Permission.REPORT)
    assert not window.allowed("reports")


def test_the_service_refusal_shows_in_the_form(qtbot, make_window, database, supervisor,
                                               seeded, qapp_style) -> None:
    page = open_reports(make_window, database, supervisor)
    choose(page, "eu-coarm", period=(date(2025, 12, 31), date(2025, 1, 1)))
    assert page.date_from.property("invalid")
    with qtbot.waitSignal(page.sig_preview_failed):
        page.preview()
    assert page.error_label.isVisibleTo(page)
    assert "ends (2025-01-01) before it starts (2025-12-31)" in page.error_label.text()
    assert page.report is None and not xlsx_enabled(page)


def test_att_basis_and_nil_report(qtbot, make_window, database, supervisor, seeded,
                                  qapp_style) -> None:
    page = open_reports(make_window, database, supervisor)
    choose(page, "eu-coarm")
    assert not page.basis_combo.isVisibleTo(page)
    choose(page, "att", period=(date(2023, 1, 1), date(2023, 12, 31)))
    assert page.basis_combo.isVisibleTo(page)
    page.basis_combo.setCurrentIndex(page.basis_combo.findData("actual"))
    assert page.request().basis == "actual"
    preview(qtbot, page)
    assert page.report is not None and page.report.nil
    assert page.nil_banner.isVisibleTo(page)
    assert page.nil_banner.text().startswith("Nil report")
    page.show_tab("method")
    assert "Nil report" in page.method_view.toPlainText()
    choose(page, "register")
    assert page.request().basis == "authorised"  # the basis belongs to the ATT report


def test_period_presets(qtbot, make_window, database, supervisor, qapp_style,
                        monkeypatch: pytest.MonkeyPatch) -> None:
    today = date(2026, 5, 17)
    assert preset_period("last-year", today) == (date(2025, 1, 1), date(2025, 12, 31))
    assert preset_period("this-year", today) == (date(2026, 1, 1), today)
    assert preset_period("last-quarter", today) == (date(2026, 1, 1), date(2026, 3, 31))
    assert preset_period("last-quarter", date(2026, 2, 1)) == (date(2025, 10, 1),
                                                               date(2025, 12, 31))
    assert preset_period("custom", today) is None
    monkeypatch.setattr(ReportsPage, "today", staticmethod(lambda: today))
    page = open_reports(make_window, database, supervisor)
    assert (page.request().period_from, page.request().period_to) == YEAR_2025
    assert page.preset_combo.currentData() == "last-year"
    page.apply_preset("last-quarter")
    assert page.request().period_to == date(2026, 3, 31)
    assert page.preset_combo.currentData() == "last-quarter"
    page.date_to.setDate(QDate(2026, 3, 30))
    assert page.preset_combo.currentData() == "custom"


def test_the_form_is_tab_navigable(qtbot, make_window, database, supervisor,
                                   qapp_style) -> None:
    page = open_reports(make_window, database, supervisor)
    page.window().activateWindow()
    page.profile_combo.setFocus()
    qtbot.waitUntil(page.profile_combo.hasFocus)
    fields = [page.profile_combo, page.preset_combo, page.date_from, page.date_to,
              page.redaction_combo, page.preview_button]

    def focused_field() -> QWidget | None:
        focused = QApplication.focusWidget()
        return next((f for f in fields if f is focused or f.isAncestorOf(focused)), focused)

    reached: list[QWidget | None] = []
    for _ in range(12):  # a date edit takes a Tab per section (year, month, day), as in Qt
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        if focused_field() not in reached[-1:]:
            reached.append(focused_field())
        if reached[-1] is page.preview_button:
            break
    assert reached == fields[1:]  # the ATT basis is hidden for the EU table


def test_a_preview_can_be_cancelled(qtbot, database, supervisor, seeded, qapp_style,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """On a real worker thread: the window stays usable, Cancel stops the computation."""
    runner = TaskRunner()
    page = ReportsPage(UiContext(database, supervisor), runner=runner)
    qtbot.addWidget(page)
    page.show()
    reading, release = threading.Event(), threading.Event()
    real = service.load_facts

    def slow_load(*args, **kwargs):
        reading.set()
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "load_facts", slow_load)
    choose(page, "eu-coarm")
    page.preview()
    qtbot.waitUntil(reading.is_set)
    assert page.is_busy() and page.progress_row.isVisible()
    assert not page.preview_button.isEnabled() and page.cancel_button.isEnabled()
    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    assert page.progress_text.text() == "Cancelling…"
    with qtbot.waitSignal(page.sig_cancelled, timeout=10000) as blocker:
        release.set()
    assert blocker.args == ["preview"]
    assert page.report is None and not page.is_busy()
    assert not page.progress_row.isVisible() and page.preview_button.isEnabled()
    # and the next preview runs to the end
    with qtbot.waitSignal(page.sig_previewed, timeout=20000):
        page.preview()
    assert page.report is not None
    runner.wait()


# --- exporting ----------------------------------------------------------------------------

def export(qtbot, page: ReportsPage, fmt: str, path: Path, password: str | None) -> list[Path]:
    with qtbot.waitSignal(page.sig_exported, timeout=30000) as blocker:
        page.export_to(fmt, path, password)
    return blocker.args[0]


def test_signed_exports_check_as_signed_by_the_supervisor(qtbot, make_window, database,
                                                          supervisor, seeded, tmp_path: Path,
                                                          qapp_style) -> None:
    page = open_reports(make_window, database, supervisor)
    choose(page, "eu-coarm")
    preview(qtbot, page)
    workbook = tmp_path / "out" / "coarm.xlsx"
    assert export(qtbot, page, "xlsx", workbook, SUPERVISOR_PASSWORD) == [
        workbook, workbook.with_name("coarm.xlsx.p7s")]
    pdf = tmp_path / "out" / "coarm.pdf"
    assert export(qtbot, page, "pdf", pdf, SUPERVISOR_PASSWORD) == [pdf]
    assert page.export_message.isVisibleTo(page)
    assert "coarm.pdf, signed by you," in page.export_message.text()
    with UnitOfWork(database.session_factory) as uow:
        verdict = check_file(workbook, uow=uow)
        assert verdict.ok, verdict.lines()
        assert [(s.username, s.ok) for s in verdict.signatures] == [("sven", True)]
        verdict = check_file(pdf, uow=uow)
        assert [(s.username, s.ok) for s in verdict.signatures] == [("sven", True)], \
            verdict.lines()
        logged = uow.session.scalars(select(ChangeEvent).where(
            ChangeEvent.action == "oversight.export")).all()
        assert [e.after["format"] for e in logged] == ["xlsx", "pdf"]
        assert {e.after["redaction"] for e in logged} == {"parliament"}


def test_document_check_accepts_an_exported_report_pdf(qtbot, make_window, database,
                                                       supervisor, seeded, tmp_path: Path,
                                                       qapp_style) -> None:
    page = open_reports(make_window, database, supervisor)
    choose(page, "eu-coarm")
    preview(qtbot, page)
    pdf = tmp_path / "coarm.pdf"
    export(qtbot, page, "pdf", pdf, SUPERVISOR_PASSWORD)
    with UnitOfWork(database.session_factory) as uow:
        verdict = check_file(pdf, uow=uow)
    assert verdict.ok and verdict.kind == "report", verdict.lines()
    assert verdict.matches_record is True
    assert any("EU annual report" in d for d in verdict.details)
    tampered = tmp_path / "tampered.pdf"
    data = bytearray(pdf.read_bytes())
    data[len(data) // 2] ^= 1
    tampered.write_bytes(bytes(data))
    assert not check_file(tampered).ok


def test_export_buttons_ask_the_password_then_the_file(qtbot, make_window, database,
                                                       supervisor, seeded, tmp_path: Path,
                                                       qapp_style,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    monkeypatch.setattr(page_module, "ask_export_password",
                        lambda parent, summary: asked.append(summary) or SUPERVISOR_PASSWORD)
    offered: list[str] = []

    def save_as(parent, title, suggested, file_filter):
        offered.append(Path(suggested).name)
        return str(tmp_path / "chosen"), file_filter

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_as))
    page = open_reports(make_window, database, supervisor)
    choose(page, "eu-coarm")
    preview(qtbot, page)
    with qtbot.waitSignal(page.sig_exported, timeout=30000):
        qtbot.mouseClick(page.pdf_button, Qt.MouseButton.LeftButton)
    assert asked and "EU annual report on arms exports (COARM), 2025" in asked[0]
    assert offered == ["eu-coarm-2025-parliament.pdf"]
    assert (tmp_path / "chosen.pdf").exists()  # the suffix added
    # cancelling the password asks nothing more and writes nothing
    monkeypatch.setattr(page_module, "ask_export_password", lambda parent, summary: None)
    qtbot.mouseClick(page.xlsx_button, Qt.MouseButton.LeftButton)
    assert offered == ["eu-coarm-2025-parliament.pdf"]
    assert not (tmp_path / "chosen.xlsx").exists()


def test_a_wrong_password_shows_the_application_message(qtbot, make_window, database,
                                                        supervisor, seeded, tmp_path: Path,
                                                        dialogs, qapp_style) -> None:
    page = open_reports(make_window, database, supervisor)
    choose(page, "eu-coarm")
    preview(qtbot, page)
    with qtbot.waitSignal(page.sig_export_failed):
        page.export_to("pdf", tmp_path / "coarm.pdf", "not-my-password")
    assert [title for title, _exc in dialogs.errors] == ["The report was not exported"]
    error = dialogs.errors[0][1]
    assert isinstance(error, AuthenticationError)
    assert "Wrong password" in str(error)
    assert not (tmp_path / "coarm.pdf").exists()
    assert xlsx_enabled(page)  # the page is usable again


def test_csv_export_writes_a_file_per_table(qtbot, make_window, database, supervisor, seeded,
                                            tmp_path: Path, qapp_style) -> None:
    page = open_reports(make_window, database, supervisor)
    choose(page, "uk-stats")
    preview(qtbot, page)
    tables = [t.id for t in page.report.tables] if page.report else []
    stem = tmp_path / f"{file_stem(page.request(), 'csv')}.csv"
    files = export(qtbot, page, "csv", stem, None)
    assert all(p.exists() and p.stat().st_size > 0 for p in files)
    assert len([p for p in files if p.suffix == ".csv"]) == len(tables)
    assert any(p.suffix == ".txt" for p in files)  # the notes
    assert all(p.name.startswith("2025-parliament-uk-stats-") for p in files)
    assert "signed by you" not in page.export_message.text()


# --- charts -------------------------------------------------------------------------------

def test_the_charts_tab_paints_every_chart(qtbot, make_window, database, supervisor, seeded,
                                           qapp_style) -> None:
    page = open_reports(make_window, database, supervisor)
    choose(page, "eu-coarm")
    preview(qtbot, page)
    page.show_tab("charts")
    assert page.tabs.currentWidget() is page.charts
    assert len(page.charts.charts) == 3
    for widget in page.charts.charts:
        qtbot.waitUntil(widget.isVisible)
        image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
        colours = {image.pixelColor(x, y).name() for x in range(0, image.width(), 3)
                   for y in range(0, image.height(), 3)}
        assert len(colours) > 10, widget.chart.title  # not a blank or single-colour box
        assert PALETTE[0] in colours, widget.chart.title  # the first series is drawn
        assert widget.marks(), widget.chart.title
    bars = page.charts.charts[0]
    mark = bars.marks()[0]
    assert bars.mark_at(mark.rect.center()) == mark


def test_chart_helpers() -> None:
    assert nice_scale(4.4) == (1.0, 5.0)
    assert nice_scale(10.8) == (2.5, 12.5)
    assert nice_scale(10.8, whole=True) == (5.0, 15.0)
    assert nice_scale(3_650_000) == (1_000_000.0, 4_000_000.0)
    assert nice_scale(0) == (1.0, 1.0)
    assert compact(12_500_000) == "12.5M" and compact(250_000) == "250k" and compact(7) == "7"
    empty = ChartWidget(Chart("x", "Nothing", "bar", [], []))
    empty.resize(500, 320)
    assert not empty.grab().isNull() and empty.marks() == []


# --- the table model ----------------------------------------------------------------------

def test_money_and_cells_are_formatted_for_reading() -> None:
    assert money_text(Decimal("12500000.00"), "EUR") == "€12,500,000"
    assert money_text(Decimal("412500.5"), "EUR", 2) == "€412,500.50"
    assert money_text(Decimal("1200"), "CHF") == "1,200 CHF"
    table = Table("t", "T", [Column("n", "N", "int"), Column("v", "V", "money", "GBP"),
                             Column("s", "S", "percent"), Column("d", "D", "date")],
                  [(1234, Decimal("10.25"), 0.3125, date(2025, 3, 1))])
    model = ReportTableModel(table)
    assert [model.text(0, c) for c in range(4)] == ["1,234", "£10.25", "31.2 %", "2025-03-01"]
    assert model.index(0, 1).data(Qt.ItemDataRole.ToolTipRole) == "10.25 GBP"
    assert format_cell(Withheld("fewer than 3 licences"), model.formats[1]) == "[withheld]"


def test_a_50000_row_register_is_shown_lazily_with_totals_pinned(qtbot, qapp_style) -> None:
    columns = [Column("ref", "Reference"), Column("exporter", "Exporter"),
               Column("value", "Value", "money", "EUR")]
    rows = [(f"GR-{n:06d}", Withheld("commercially confidential") if n % 2 else f"Firm {n}",
             Decimal(n % 997) * 1000) for n in range(50_000)]
    table = Table("register", "Register", columns, rows,
                  totals=("Total", None, sum((r[2] for r in rows), Decimal(0))))
    started = time.perf_counter()
    panel = page_module.TablePanel(table)
    qtbot.addWidget(panel)
    panel.resize(900, 500)
    panel.show()
    qtbot.waitExposed(panel)
    assert time.perf_counter() - started < 2.0
    assert panel.model.rowCount() == 50_000
    assert panel.footer is not None and panel.footer.model().rowCount() == 1
    totals = panel.footer.model().index(0, 2)
    assert totals.data() == "€" + f"{sum(r[2] for r in rows):,.0f}"
    assert totals.data(Qt.ItemDataRole.FontRole).bold()
    # sorting by value keeps the totals where they are, and withheld cells last
    panel.view.sortByColumn(2, Qt.SortOrder.DescendingOrder)
    assert panel.model.text(0, 2) == "€996,000"
    panel.view.sortByColumn(1, Qt.SortOrder.AscendingOrder)
    assert panel.model.text(49_999, 1) == "[withheld]"
    assert panel.footer.model().index(0, 0).data() == "Total"
    # the totals scroll sideways with the table
    panel.resize(300, 500)
    qtbot.waitUntil(lambda: panel.footer.horizontalScrollBar().maximum() > 0)
    panel.footer.horizontalScrollBar().setValue(40)
    assert panel.view.horizontalScrollBar().value() == 40


def test_file_names_and_tabs() -> None:
    request = ReportRequest("eu-coarm", *YEAR_2025)
    assert file_stem(request) == "eu-coarm-2025-parliament"
    assert file_stem(request, "csv") == "2025-parliament"
    assert file_stem(ReportRequest("att", date(2025, 1, 1), date(2025, 3, 31), "public",
                                   "actual")) == "att-2025-01-01-to-2025-03-31-actual-public"
    assert tab_text("Refusal criteria") == "Refusal criteria"
    assert tab_text("EU annual report on arms exports: exports by destination and Military "
                    "List category") == "EU annual report on arms exports"
