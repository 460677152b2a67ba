"""The oversight report writers: Excel, PDF and CSV show the same figures and statements."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from reports import oversight_pdf
from reports.oversight_csv import render_oversight_csv
from reports.oversight_model import Cell, Chart, Column, OversightReport, Table, Withheld
from reports.oversight_pdf import render_oversight_pdf
from reports.oversight_xlsx import render_oversight_xlsx

GENERATED = datetime(2025, 2, 3, 9, 30, 0)
DESTINATIONS = ["Australia", "Brazil", "Canada", "Côte d'Ivoire", "Egypt", "India",
                "Indonesia", "Japan", "Kazakhstan", "Morocco", "Norway", "Qatar",
                "Republic of Korea", "Saudi Arabia", "Singapore", "Switzerland",
                "Türkiye", "United Arab Emirates", "United States", "Україна (Ukraine)"]
SMALL = Withheld("fewer than 3 licences")
CONFIDENTIAL = Withheld("commercially confidential")
LICENSED = [412, 96, 288, 645, 131, 224, 58, 17, 302, 880, 743, 69, 35, 12, 41, 27, 9, 3,
            5, 21, 2, 64]
EXPORTED = [301, 80, 210, 512, 97, 180, 31, 9, 244, 655, 520, 44, 18, 6, 30, 19, 4, 1,
            3, 12, 1, 40]
INJECTIONS = ["=HYPERLINK(\"http://evil\",\"x\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"]


def coarm_table() -> Table:
    """Destination × ML1..ML22 + Total, values in whole euros, some cells withheld."""
    columns = [Column("destination", "Destination"),
               *(Column(f"ml{i}", f"ML{i}", "money", "EUR") for i in range(1, 23)),
               Column("total", "Total", "money", "EUR")]
    rows: list[tuple[Cell, ...]] = []
    sums = [Decimal(0)] * 23
    for d, name in enumerate(DESTINATIONS):
        values: list[Cell] = []
        total = Decimal(0)
        for i in range(22):
            seed = (d * 31 + i * 17) % 23
            if seed < 9:
                values.append(None)
            elif seed == 10 and d % 3 == 0:
                values.append(SMALL)
            else:
                amount = Decimal((seed * 7919 * (d + 3) * (i + 5)) % 98_765_432 + 1000)
                values.append(amount)
                total += amount
                sums[i] += amount
        sums[22] += total
        rows.append((name, *values, total))
    totals: tuple[Cell, ...] = ("Total", *sums)
    return Table("coarm", "Export licences issued by destination and ML category (EUR)",
                 columns, rows, totals,
                 notes=["Values of licences issued, in euros at the ECB annual average rate."])


REGISTER_COLUMNS = [
    Column("licence", "Licence"), Column("decided", "Decided", "date"),
    Column("outcome", "Outcome"), Column("exporter", "Exporter"),
    Column("destination", "Destination"), Column("end_user", "End user"),
    Column("entry", "Control entry"), Column("description", "Description of goods"),
    Column("criteria", "Criteria cited"), Column("quantity", "Quantity", "int"),
    Column("value", "Value", "money", "EUR"), Column("share", "Share of value", "percent"),
]


def register_table(n: int = 60) -> Table:
    rows: list[tuple[Cell, ...]] = []
    total_value = Decimal(0)
    for i in range(n):
        value = Decimal(10_000 + (i * 7_777) % 2_500_000) + Decimal("0.50")
        total_value += value
        exporter: str = ["Nordwerk Defence GmbH", "Société Générale d'Armement",
                         "Acme Optics Ltd", "Завод Прибор"][i % 4]
        if i < len(INJECTIONS):
            exporter = INJECTIONS[i]
        rows.append((
            f"GR-2024-{i + 1:05d}", date(2024, 1 + i % 12, 1 + i % 28),
            "Refused" if i % 9 == 0 else "Issued", exporter, DESTINATIONS[i % len(DESTINATIONS)],
            CONFIDENTIAL if i % 5 == 0 else f"Ministry of Defence of {DESTINATIONS[i % 7]}",
            f"ML{1 + i % 22}.a", "Thermal imaging sights for armoured vehicles, with spares "
            "and training" if i % 3 == 0 else "Small arms ammunition 5.56 mm",
            "Criterion 2, Criterion 7" if i % 9 == 0 else "",
            (i * 13) % 5000 + 1, value, 0.0,
        ))
    rows = [(*r[:11], float(r[10]) / float(total_value)) for r in rows]  # type: ignore[arg-type]
    totals: tuple[Cell, ...] = ("Total", None, None, None, None, None, None, None, None,
                                sum(int(r[9]) for r in rows), total_value, 1.0)  # type: ignore[arg-type]
    return Table("register", "Register of licensing decisions", REGISTER_COLUMNS, rows, totals)


def summary_table() -> Table:
    columns = [Column("destination", "Destination"), Column("issued", "Licences issued", "int"),
               Column("refused", "Refusals", "int"),
               Column("value", "Value", "money", "EUR"), Column("share", "Share", "percent")]
    rows: list[tuple[Cell, ...]] = [
        ("Australia", 41, 0, Decimal("12500000.00"), 0.312),
        ("Brazil", 7, 2, Decimal("980000.50"), 0.024),
        ("Egypt", SMALL, SMALL, SMALL, SMALL),
        ("Norway", 55, 1, Decimal("27500000.00"), 0.664),
    ]
    return Table("destinations", "Licences by destination", columns, rows,
                 ("Total", 103, 3, Decimal("40980000.50"), 1.0))


def sample_report(register_rows: int = 60, **changes: Any) -> OversightReport:
    report = OversightReport(
        profile="eu-coarm", title="EU annual report (COARM) table",
        period_from=date(2024, 1, 1), period_to=date(2024, 12, 31),
        authority="Export Control Agency of Ruritania", redaction="oversight",
        redaction_title="Parliamentary oversight", generated_at=GENERATED,
        generated_by="Sam Supervisor (supervisor)", classification="OFFICIAL-SENSITIVE",
        tables=[coarm_table(), register_table(register_rows), summary_table()],
        charts=[
            Chart("by-ml", "Value of licences issued by ML category", "bar",
                  [f"ML{i}" for i in range(1, 23)],
                  [("Licensed", [float(v) * 100_000 for v in LICENSED]),
                   ("Exported", [float(v) * 100_000 for v in EXPORTED])],
                  y_title="EUR"),
            Chart("by-month", "Decisions by month", "line",
                  ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                   "Nov", "Dec"],
                  [("Issued", [40, 38, 51, 47, 60, 58, 44, 30, 55, 61, 49, 52]),
                   ("Refused", [3, 2, 4, 1, 5, 2, 3, 0, 2, 4, 3, 1])],
                  y_title="Decisions"),
        ],
        method=["A licence counts in the year its decision took effect.",
                "Values are converted to euros at the ECB annual average rate of the year."],
        withheld=["End users of commercially confidential contracts are withheld.",
                  "Cells counting fewer than 3 licences are withheld."],
        counted=1234,
    )
    for key, value in changes.items():
        setattr(report, key, value)
    return report


@pytest.fixture(scope="module")
def report() -> OversightReport:
    return sample_report()


def _csv_text(value: Any) -> str:
    """What the CSV must hold for a model value (the test's own statement of the rules)."""
    if value is None:
        return ""
    if isinstance(value, Withheld):
        return "[withheld]"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float):
        return repr(value).removesuffix(".0")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(("=", "+", "-", "@")) else text


# --- Excel ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def workbook(report: OversightReport) -> Any:
    return load_workbook(io.BytesIO(render_oversight_xlsx(report)))


def _table_area(ws: Any) -> tuple[int, int, int]:
    """(header row, last body row, columns) of the sheet's one Excel table."""
    (table,) = ws.tables.values()
    start, end = table.ref.split(":")
    header = int(re.sub(r"[A-Z]", "", start))
    last = int(re.sub(r"[A-Z]", "", end))
    return header, last, len(table.tableColumns)


def test_workbook_has_a_sheet_per_table_then_charts_and_notes(workbook: Any) -> None:
    assert workbook.sheetnames == ["coarm", "register", "destinations", "Charts", "Notes"]


def test_headers_name_the_currency_and_match_the_excel_table(workbook: Any,
                                                             report: OversightReport) -> None:
    for name, table in zip(["coarm", "register", "destinations"], report.tables, strict=True):
        ws = workbook[name]
        header, last, width = _table_area(ws)
        assert width == len(table.columns)
        assert last == header + len(table.rows)
        cells = [ws.cell(header, c + 1) for c in range(width)]
        (xl_table,) = ws.tables.values()
        assert [c.value for c in cells] == [t.name for t in xl_table.tableColumns]
        assert all(c.font.b for c in cells)
        assert cells[0].fill.fgColor.rgb.endswith("4F81BD")
    ws = workbook["register"]
    header, _, _ = _table_area(ws)
    assert [ws.cell(header, c).value for c in (1, 10, 11, 12)] == [
        "Licence", "Quantity", "Value (EUR)", "Share of value"]
    ws = workbook["coarm"]
    header, _, width = _table_area(ws)
    assert width == 24
    assert ws.cell(header, 2).value == "ML1 (EUR)"
    assert ws.cell(header, 24).value == "Total (EUR)"


def test_title_rows_say_what_when_and_under_which_profile(workbook: Any) -> None:
    ws = workbook["register"]
    header, _, _ = _table_area(ws)
    above = [ws.cell(r, 1).value for r in range(1, header)]
    assert above[0] == "OFFICIAL-SENSITIVE"
    assert "EU annual report (COARM) table" in above
    assert "Register of licensing decisions" in above
    assert any("2024-01-01 to 2024-12-31" in str(v) and "Ruritania" in str(v) for v in above)
    assert "Redaction profile applied: Parliamentary oversight" in above
    assert any(str(v).startswith("[withheld]") for v in above)      # the legend


def test_values_are_numbers_and_dates_with_formats(workbook: Any,
                                                   report: OversightReport) -> None:
    ws = workbook["register"]
    header, _, _ = _table_area(ws)
    row = header + 2
    model = report.tables[1].rows[1]
    decided, quantity, value, share = (ws.cell(row, c) for c in (2, 10, 11, 12))
    assert decided.value == datetime(2024, 2, 2) and decided.number_format == "yyyy-mm-dd"
    assert quantity.value == model[9] and quantity.number_format == "#,##0"
    assert value.value == pytest.approx(float(model[10]))           # type: ignore[arg-type]
    assert value.number_format == "#,##0.00"
    assert share.value == pytest.approx(model[11]) and share.number_format == "0.0%"
    # COARM amounts are whole euros: shown without cents.
    coarm = workbook["coarm"]
    header, _, _ = _table_area(coarm)
    amounts = [c for c in coarm[header + 1] if isinstance(c.value, int | float)]
    assert amounts and all(c.number_format == "#,##0" for c in amounts)


def test_withheld_cells_are_grey_italic_text(workbook: Any, report: OversightReport) -> None:
    ws = workbook["register"]
    header, _, _ = _table_area(ws)
    cell = ws.cell(header + 1, 6)                 # row 0: end user withheld
    assert isinstance(report.tables[1].rows[0][5], Withheld)
    assert cell.value == "[withheld]"
    assert cell.font.i and cell.font.color.rgb.endswith("595959")
    dest = workbook["destinations"]
    header, _, _ = _table_area(dest)
    assert [c.value for c in dest[header + 3]][1:] == ["[withheld]"] * 4


def test_totals_row_is_bold_below_the_table(workbook: Any, report: OversightReport) -> None:
    ws = workbook["coarm"]
    _, last, _ = _table_area(ws)
    totals = [c for c in ws[last + 1]]
    assert totals[0].value == "Total" and totals[0].font.b
    assert totals[-1].value == int(report.tables[0].totals[-1])      # type: ignore[arg-type,index]
    assert totals[-1].font.b and totals[-1].border.top.style == "thin"


def test_panes_frozen_below_the_header_and_filter_on_the_table(workbook: Any) -> None:
    for name, column in (("coarm", "B"), ("register", "B"), ("destinations", "A")):
        ws = workbook[name]
        header, _, _ = _table_area(ws)
        assert ws.freeze_panes == f"{column}{header + 1}"
        (table,) = ws.tables.values()
        assert table.autoFilter is not None and table.autoFilter.ref == table.ref
        assert table.tableStyleInfo.showRowStripes
        assert ws.print_title_rows.replace("$", "") == f"{header}:{header}"
    assert workbook["coarm"].column_dimensions["B"].width >= 10


def test_formula_injection_is_stored_as_text(report: OversightReport) -> None:
    data = render_oversight_xlsx(report)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert not any(b"<f>" in archive.read(n) or b"<f " in archive.read(n) for n in sheets)
    ws = load_workbook(io.BytesIO(data))["register"]
    header, _, _ = _table_area(ws)
    exporters = [ws.cell(header + 1 + i, 4) for i in range(len(INJECTIONS))]
    assert [c.value for c in exporters] == INJECTIONS
    assert all(c.data_type == "s" and c.quotePrefix for c in exporters)


def test_notes_sheet_states_method_redaction_and_provenance(workbook: Any,
                                                            report: OversightReport) -> None:
    values = [str(c.value) for row in workbook["Notes"].iter_rows() for c in row if c.value]
    text = "\n".join(values)
    for line in [*report.method, *report.withheld, "Sam Supervisor (supervisor)",
                 "2025-02-03 09:30:00", "Parliamentary oversight (oversight)", "1,234",
                 "Register of licensing decisions: 60 rows, and a totals row."]:
        assert line in text
    assert "Nothing was withheld." not in text
    assert "Nil report" in values and "No" in values


def test_charts_sheet_holds_the_figures_and_a_chart_each(report: OversightReport) -> None:
    data = render_oversight_xlsx(report)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        charts = sorted(n for n in archive.namelist() if n.startswith("xl/charts/chart"))
        assert len(charts) == 2
        assert b"<barChart>" in archive.read(charts[0])
        assert b"<lineChart>" in archive.read(charts[1])
    ws = load_workbook(io.BytesIO(data))["Charts"]
    rows = [r for r in ws.iter_rows(values_only=True)]
    assert ("Category", "Licensed", "Exported") in rows
    assert ("ML1", LICENSED[0] * 100_000, EXPORTED[0] * 100_000) in rows


def test_properties_and_deterministic_bytes(report: OversightReport) -> None:
    data = render_oversight_xlsx(report)
    assert data == render_oversight_xlsx(report)
    props = load_workbook(io.BytesIO(data)).properties
    assert props.title == "EU annual report (COARM) table"
    assert props.creator == "Golden Rule"
    assert "eu-coarm" in props.keywords and "oversight" in props.keywords
    assert "2024-01-01/2024-12-31" in props.keywords
    assert props.created == GENERATED


def test_slow_path_writes_the_same_cells(monkeypatch: pytest.MonkeyPatch,
                                         report: OversightReport) -> None:
    """Without the fast row encoder (a later openpyxl) the workbook reads back the same."""
    def cells(data: bytes) -> list[list[tuple[Any, ...]]]:
        def value(v: Any) -> Any:      # openpyxl writes floats to 16 digits, the encoder 17
            return float(f"{v:.12g}") if isinstance(v, float) else (None if v == "" else v)

        wb = load_workbook(io.BytesIO(data))
        return [[(value(c.value), c.number_format, c.style, c.quotePrefix)
                 for row in ws.iter_rows() for c in row] for ws in wb.worksheets]

    fast = cells(render_oversight_xlsx(report))
    import reports.oversight_xlsx as module
    monkeypatch.setattr(module, "FAST_ROWS", False)
    assert cells(render_oversight_xlsx(report)) == fast


def test_sheet_and_table_names_follow_excel_rules() -> None:
    ids = ["a/b:c", "A-B-C", "notes", "x" * 40, "x" * 40, "history"]
    tables = [Table(i, f"Title {n}", [Column("k", "K")], [("v",)]) for n, i in enumerate(ids)]
    report = sample_report(tables=tables, charts=[])
    wb = load_workbook(io.BytesIO(render_oversight_xlsx(report)))
    names = wb.sheetnames[:-1]
    assert wb.sheetnames[-1] == "Notes"
    assert len({n.lower() for n in names}) == len(ids)
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\'") for n in names)
    assert {n.lower() for n in names}.isdisjoint({"notes", "charts", "history"})
    table_names = [next(iter(wb[n].tables)) for n in names]
    assert len({t.lower() for t in table_names}) == len(ids)


def test_empty_table_and_nil_report(report: OversightReport) -> None:
    nil = sample_report(nil=True, tables=[Table("att", "ATT report", report.tables[2].columns,
                                                [])], charts=[])
    wb = load_workbook(io.BytesIO(render_oversight_xlsx(nil)))
    ws = wb["att"]
    header, last, _ = _table_area(ws)
    assert last == header + 1                     # an empty body row keeps the table valid
    text = [str(c.value) for row in ws.iter_rows() for c in row if c.value]
    assert any(t.startswith("Nil report") for t in text)
    notes = [str(c.value) for row in wb["Notes"].iter_rows() for c in row if c.value]
    assert "Nil report" in notes


def test_nothing_withheld_is_said(report: OversightReport) -> None:
    wb = load_workbook(io.BytesIO(render_oversight_xlsx(sample_report(withheld=[]))))
    notes = [str(c.value) for row in wb["Notes"].iter_rows() for c in row if c.value]
    assert "Nothing was withheld." in notes


# --- PDF --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pdf(report: OversightReport) -> PdfReader:
    return PdfReader(io.BytesIO(render_oversight_pdf(report)))


def _pdf_text(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def test_pdf_holds_every_table_values_and_the_statements(pdf: PdfReader,
                                                         report: OversightReport) -> None:
    text = _pdf_text(pdf)
    assert 6 <= len(pdf.pages) <= 20
    for table in report.tables:
        assert table.title in text
    for line in [*report.method, *report.withheld, "[withheld]", "Contents",
                 "Method and redaction", "Part 1 of 2: ML1 to ML11", "Part 2 of 2: ML12 to Total",
                 "GR-2024-00060", "Україна (Ukraine)", "14,365,320.00", "40,980,000.50", "31.2%",
                 "Redaction profile: Parliamentary oversight", "Amounts in EUR."]:
        assert line in text, line
    coarm_total = report.tables[0].totals[-1]                       # type: ignore[index]
    assert f"{coarm_total:,}" in text
    assert f"Page 1 of {len(pdf.pages)}" in text
    assert f"Page {len(pdf.pages)} of {len(pdf.pages)}" in text
    first = pdf.pages[0].extract_text()
    assert first.count("OFFICIAL-SENSITIVE") >= 2                    # top and bottom marking


def test_pdf_wide_table_goes_landscape_and_charts_are_drawn(pdf: PdfReader) -> None:
    pages = [(p, p.extract_text() or "") for p in pdf.pages]
    coarm = next(p for p, t in pages if "Part 1 of 2" in t)
    assert coarm.mediabox.width > coarm.mediabox.height
    cover = pages[0][0]
    assert cover.mediabox.width < cover.mediabox.height
    charts = next(p for p, t in pages if "Decisions by month" in t and "Contents" not in t)
    text = charts.extract_text()
    for label in ("Licensed", "Exported", "Issued", "Refused", "ML22", "Dec",
                  "EUR (millions)", "Decisions"):
        assert label in text
    stream = charts.get_contents().get_data()                       # type: ignore[union-attr]
    assert stream.count(b" re") > 30                                # the bars, among others


def test_pdf_caps_long_tables_and_says_where_the_rest_is(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(oversight_pdf, "MAX_PDF_ROWS", 30)
    text = _pdf_text(PdfReader(io.BytesIO(render_oversight_pdf(sample_report()))))
    flat = " ".join(text.split())
    assert "This PDF shows the first 30 of 60 rows." in flat
    assert "The full register (60 rows) is in the Excel and CSV exports" in flat
    assert "GR-2024-00030" in text and "GR-2024-00031" not in text


def test_pdf_publication_has_no_marking_and_says_so() -> None:
    public = sample_report(classification="", redaction="public",
                           redaction_title="Public annual report", withheld=[])
    text = _pdf_text(PdfReader(io.BytesIO(render_oversight_pdf(public))))
    assert "OFFICIAL-SENSITIVE" not in text
    assert "Published under redaction profile Public annual report" in text
    assert "Nothing was withheld under this profile." in text


def test_pdf_nil_report_and_bytes_are_deterministic(report: OversightReport) -> None:
    nil = sample_report(nil=True, tables=[Table("att", "ATT report", report.tables[2].columns,
                                                [])], charts=[])
    data = render_oversight_pdf(nil)
    assert data == render_oversight_pdf(nil)
    reader = PdfReader(io.BytesIO(data))
    text = _pdf_text(reader)
    assert "Nil report" in text and "Contents" not in text       # one table: no contents


# --- CSV --------------------------------------------------------------------------------------

def test_csv_files_parse_back_to_the_same_rows(report: OversightReport) -> None:
    files = render_oversight_csv(report)
    assert list(files) == ["eu-coarm-coarm.csv", "eu-coarm-register.csv",
                           "eu-coarm-destinations.csv", "eu-coarm-notes.txt"]
    for table, name in zip(report.tables, list(files)[:3], strict=True):
        data = files[name]
        assert data.startswith(b"\xef\xbb\xbf")                      # BOM: Excel reads UTF-8
        assert b"\r\n" in data and data.count(b"\n") == data.count(b"\r\n")
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
        headings = [c.title + (f" ({c.unit})" if c.kind == "money" else "")
                    for c in table.columns]
        assert rows[0] == headings
        expected = [[_csv_text(v) for v in row] for row in table.rows]
        assert rows[1:-1] == expected
        assert rows[-1] == [_csv_text(v) for v in table.totals]      # type: ignore[union-attr]


def test_csv_neutralises_formulas_but_not_negative_numbers() -> None:
    table = Table("t", "T", [Column("a", "A"), Column("n", "N", "number")],
                  [(text, -5) for text in INJECTIONS] + [("plain", Decimal("1E+3"))])
    files = render_oversight_csv(sample_report(tables=[table]))
    rows = list(csv.reader(io.StringIO(files["eu-coarm-t.csv"].decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:-1]] == ["'" + t for t in INJECTIONS]
    assert [r[1] for r in rows[1:]] == ["-5"] * 4 + ["1000"]


def test_csv_notes_carry_method_redaction_and_nil() -> None:
    notes = render_oversight_csv(sample_report())["eu-coarm-notes.txt"].decode("utf-8")
    for line in ["Parliamentary oversight (oversight)", "Sam Supervisor (supervisor)",
                 "eu-coarm-register.csv: Register of licensing decisions (60 rows plus a "
                 "totals row)", *sample_report().method, *sample_report().withheld]:
        assert line in notes
    nil = render_oversight_csv(sample_report(nil=True, withheld=[]))["eu-coarm-notes.txt"]
    assert b"Nil report" in nil and b"Nothing was withheld." in nil
