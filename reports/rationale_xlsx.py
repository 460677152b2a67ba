"""The analysts' Excel workbook of a signed licensing decision.

Written with openpyxl from the resolved ``RationaleInput`` alone, so the workbook shows exactly
what was signed. Every list is a real Excel table (filterable, referable by name from Power
Query or pandas); the summary is a readable key/value sheet. The bytes are signed later with a
detached CMS signature, so the record and snapshot hash also travel as custom document
properties that ``read_identity`` reads back without opening the sheets.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from xml.etree import ElementTree

from openpyxl import Workbook
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from reports.rationale_model import RationaleInput

__all__ = ["RECORD_PROPERTY", "SNAPSHOT_PROPERTY", "read_identity", "render_rationale_xlsx"]

SNAPSHOT_PROPERTY = "GoldenRule.SnapshotSHA256"
RECORD_PROPERTY = "GoldenRule.Record"

TABLE_STYLE = "TableStyleMedium2"
_MAX_CELL = 32767            # characters in one Excel cell: Excel cuts or repairs longer text
_TRUNCATED = " … [truncated: the full text is in the signed PDF]"
# Characters XML 1.0 (and so lxml) refuses; openpyxl only catches some of them.
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# A cell starting with these is a formula to Excel when a user edits it, or to a CSV export.
_FORMULA_START = frozenset("=+-@\t\r")
_MAX_PROPS_PART = 1 << 20    # read_identity refuses a larger custom-properties part

_STATUS_STYLES = {           # outcome fill: Excel's own Bad / Good / Neutral colours
    "refuse": ("9C0006", "FFC7CE"),
    "approve": ("006100", "C6EFCE"),
    "other": ("9C5700", "FFEB9C"),
}


# --- cell values ----------------------------------------------------------------------------

def _clean(text: str) -> str:
    """Text Excel accepts as is: no XML-illegal characters, within the cell length limit."""
    text = _BAD_CHARS.sub("\ufffd", text)
    if len(text) > _MAX_CELL:
        text = text[:_MAX_CELL - len(_TRUNCATED)] + _TRUNCATED
    return text


def _utc_naive(value: datetime) -> datetime:
    """Excel has no time zones: cells hold UTC wall time, and the headers say so."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def _iso_date(text: str) -> date | str:
    """A real date cell for an ISO date, the text unchanged for anything else ("2021", "",
    or a date before 1900, which Excel cannot show)."""
    if len(text) == 10:
        try:
            parsed = date.fromisoformat(text)
        except ValueError:
            return text
        if parsed.year >= 1900:
            return parsed
    return text


@dataclass(frozen=True)
class _Number:
    """A signed decimal as an Excel number, with a format showing its signed decimal places."""

    value: int | float
    number_format: str


def _number(text: str) -> _Number | str:
    """The decimal text as a number; text it stays when it is not a finite decimal."""
    try:
        exact = Decimal(text.strip())
    except InvalidOperation:
        return text
    if not exact.is_finite() or abs(exact) >= Decimal("1e300"):
        return text
    exponent = exact.as_tuple().exponent
    places = min(-exponent, 10) if isinstance(exponent, int) and exponent < 0 else 0
    fmt = "#,##0." + "0" * places if places else "#,##0"
    if exact == exact.to_integral_value() and abs(exact) < 10 ** 15:
        return _Number(int(exact), fmt)
    return _Number(float(exact), fmt)


def _yes_no(flag: bool | None) -> str:
    return "" if flag is None else ("Yes" if flag else "No")


def _lines(items: Iterable[str], numbered: bool = False) -> str:
    items = list(items)
    if not items:
        return "None"
    if numbered:
        return "\n".join(f"{i}. {item}" for i, item in enumerate(items, 1))
    return "\n".join(items)


def _line_count(text: str, width: float) -> int:
    """Lines a wrapped cell needs, erring tall: a width unit holds about 1.3 characters of
    Calibri text, less the room lost by wrapping at word ends."""
    per_line = max(int(width * 1.1) - 1, 1)
    return sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))


def _fit_height(ws: Worksheet, row: int, lines: int) -> None:
    """Excel grows a row for wrapped text only while it has no height, and LibreOffice does
    not grow it at all: an explicit height shows the whole text in both."""
    if lines > 1:
        ws.row_dimensions[row].height = min(_LINE_HEIGHT * lines, 409.0)   # Excel's maximum


# --- styles -----------------------------------------------------------------------------------

_TOP = dict(vertical="top")
_ACCENT1 = "4F81BD"          # accent 1 of openpyxl's theme, the fill of TableStyleMedium2's header
_LINE_HEIGHT = 15.0          # points per line of 11 pt Calibri
_DATE_FORMAT = "yyyy-mm-dd"
_DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"


def _font(**changes: Any) -> Font:
    """The workbook's body font with changes: a named style's bare ``Font()`` has no name,
    and LibreOffice then shows its own default serif face."""
    base: dict[str, Any] = dict(name="Calibri", size=11, family=2, scheme="minor")
    return Font(**(base | changes))


def _named_styles() -> list[NamedStyle]:
    """One shared style per kind of cell: cheaper than per-cell fonts, and named in Excel."""
    body = _font()
    mono = Font(name="Consolas", family=3, size=9)
    top = Alignment(**_TOP)
    left_top = Alignment(horizontal="left", **_TOP)
    return [
        NamedStyle("GR Text", font=body, alignment=top),
        NamedStyle("GR Wrap", font=body, alignment=Alignment(wrap_text=True, **_TOP)),
        NamedStyle("GR Hash", font=mono, alignment=top),
        NamedStyle("GR Date", font=body, number_format=_DATE_FORMAT, alignment=left_top),
        NamedStyle("GR DateTime", font=body, number_format=_DATETIME_FORMAT,
                   alignment=left_top),
        NamedStyle("GR Integer", font=body, number_format="0", alignment=top),
        NamedStyle("GR Count", font=body, number_format="0", alignment=left_top),
        NamedStyle("GR Number", font=body, number_format="#,##0.##", alignment=top),
        NamedStyle("GR Alert", font=_font(bold=True, color="9C0006"), alignment=top),
        NamedStyle("GR Note", font=_font(italic=True, color="595959"), alignment=top),
        # The table style's own header look, also written on the cells: LibreOffice and
        # some viewers ignore table styles, and a plain header would then vanish.
        NamedStyle("GR Header", font=_font(bold=True, color="FFFFFF"),
                   fill=PatternFill("solid", fgColor=_ACCENT1), alignment=top),
        NamedStyle("GR Header Number", font=_font(bold=True, color="FFFFFF"),
                   fill=PatternFill("solid", fgColor=_ACCENT1),
                   alignment=Alignment(horizontal="right", **_TOP)),
        NamedStyle("GR Label", font=_font(bold=True),
                   alignment=Alignment(wrap_text=True, **_TOP)),
        NamedStyle("GR Section", font=_font(bold=True, size=12, color="1F3864"),
                   fill=PatternFill("solid", fgColor="D9E1F2")),
        NamedStyle("GR Title", font=_font(bold=True, size=14)),
        NamedStyle("GR Marking", font=_font(bold=True, size=12),
                   alignment=Alignment(horizontal="center")),
        NamedStyle("GR Demo", font=_font(bold=True, size=12, color="9C0006"),
                   fill=PatternFill("solid", fgColor="FFC7CE"),
                   alignment=Alignment(horizontal="center")),
    ]


def _put(ws: Worksheet, row: int, column: int, value: Any, style: str) -> None:
    """Write one cell; text is always stored as text, never as a formula or an error value."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        text = _clean(value)
        cell.value = text
        cell.style = style
        if cell.data_type != "s" or text[:1] in _FORMULA_START:
            cell.data_type = "s"          # "=..." would be a formula, "#N/A" an error
            cell.quotePrefix = True       # Excel's leading apostrophe: stays text when edited
    elif isinstance(value, _Number):
        cell.value = value.value
        cell.style = style
        cell.number_format = value.number_format
    elif isinstance(value, datetime):
        cell.value = _utc_naive(value)
        cell.style = style
    else:
        cell.value = value
        cell.style = style


# --- sheets -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Col:
    header: str
    kind: str = "text"          # text | wrap | hash | date | datetime | int | number
    min_width: int = 8
    max_width: int = 30


_KIND_STYLE = {"text": "GR Text", "wrap": "GR Wrap", "hash": "GR Hash", "date": "GR Date",
               "datetime": "GR DateTime", "int": "GR Integer", "number": "GR Number"}
_FIXED_WIDTH = {"hash": 68, "date": 12, "datetime": 20}


def _header_footer(ws: Worksheet, doc: RationaleInput) -> None:
    """The classification marking on every printed page, with the record and page number."""
    def code(text: str) -> str:     # "&" starts a header/footer code; Excel caps the length
        return _BAD_CHARS.sub("", text)[:80].replace("&", "&&")

    marking = code(doc.classification)
    for hf in (ws.oddHeader, ws.oddFooter):
        hf.center.text = marking
        hf.center.font = "Calibri,Bold"
    if doc.is_demo:
        ws.oddHeader.left.text = "DEMONSTRATION"
    ws.oddHeader.right.text = code(doc.record_ref)
    ws.oddFooter.left.text = "&A"
    ws.oddFooter.right.text = "Page &P of &N"


def _page_setup(ws: Worksheet, landscape: bool) -> None:
    """A4, fit to one page wide: wide tables print shrunk rather than split across pages."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _table_sheet(wb: Workbook, doc: RationaleInput, title: str, table_name: str,
                 columns: Sequence[_Col], rows: Sequence[Sequence[Any]], empty_note: str,
                 alert_column: int | None = None) -> Worksheet:
    """A sheet holding one Excel table at A1, header frozen and repeated on printed pages.

    An empty list keeps its table over the header and one blank row, as Excel itself makes
    one, so a query by table name still works; a note below the table says it is empty.
    """
    ws = wb.create_sheet(title)
    widths = [max(len(c.header) + 4, c.min_width) for c in columns]
    for col, c in enumerate(columns, 1):
        numeric = c.kind in ("int", "number")     # right-aligned over right-aligned numbers
        _put(ws, 1, col, c.header, "GR Header Number" if numeric else "GR Header")
    styles = [_KIND_STYLE[c.kind] for c in columns]
    for r, values in enumerate(rows, 2):
        for col, value in enumerate(values, 1):
            style = styles[col - 1]
            if col - 1 == alert_column and value == "Yes":
                style = "GR Alert"
            _put(ws, r, col, value, style)
            if isinstance(value, str) and len(value) + 2 > widths[col - 1]:
                longest = max(len(line) for line in value.split("\n")) + 2
                widths[col - 1] = max(widths[col - 1], longest)
    for col, c in enumerate(columns, 1):
        width = _FIXED_WIDTH.get(c.kind) or min(widths[col - 1], max(c.max_width, c.min_width))
        widths[col - 1] = max(width, len(c.header) + 4)
        ws.column_dimensions[get_column_letter(col)].width = widths[col - 1]
    wrapped = [i for i, c in enumerate(columns) if c.kind == "wrap"]
    for r, values in enumerate(rows, 2):
        _fit_height(ws, r, max((_line_count(values[i], widths[i]) for i in wrapped
                                if isinstance(values[i], str)), default=1))

    last = 1 + max(len(rows), 1)
    table = Table(displayName=table_name, ref=f"A1:{get_column_letter(len(columns))}{last}")
    table.tableStyleInfo = TableStyleInfo(name=TABLE_STYLE, showRowStripes=True,
                                          showColumnStripes=False, showFirstColumn=False,
                                          showLastColumn=False)
    ws.add_table(table)
    if not rows:
        _put(ws, last + 2, 1, empty_note, "GR Note")
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    _page_setup(ws, landscape=True)
    _header_footer(ws, doc)
    return ws


def _summary(ws: Worksheet, doc: RationaleInput) -> None:
    """Key/value summary: what was decided, on what framework, signed by whom, with hashes."""
    ws.title = "Summary"
    label_width, value_width = 32, 100
    ws.column_dimensions["A"].width = label_width
    ws.column_dimensions["B"].width = value_width
    row = 1

    def banner(text: str, style: str) -> None:
        nonlocal row
        _put(ws, row, 1, text, style)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        row += 1

    def section(text: str) -> None:
        nonlocal row
        row += 1
        _put(ws, row, 1, text, "GR Section")
        _put(ws, row, 2, None, "GR Section")
        row += 1

    def item(label: str, value: Any, style: str = "GR Wrap") -> None:
        nonlocal row
        _put(ws, row, 1, label, "GR Label")
        _put(ws, row, 2, value, style)
        lines = _line_count(label, label_width)
        if isinstance(value, str) and style == "GR Wrap":
            lines = max(lines, _line_count(value, value_width))
        _fit_height(ws, row, lines)
        row += 1

    if doc.classification:
        banner(doc.classification, "GR Marking")
    if doc.is_demo:
        banner("DEMONSTRATION: synthetic data, not a licensing decision", "GR Demo")
    _put(ws, row, 1, f"Licensing decision rationale {doc.record_ref}", "GR Title")
    row += 1

    section("Decision")
    item("Authority", doc.authority or "Not set")
    item("Record", doc.record_ref)
    item("Case", doc.case_ref)
    item("Outcome", doc.outcome_label)
    outcome = ("refuse" if doc.outcome == "refuse"
               else "approve" if doc.outcome.startswith("approve") else "other")
    text_colour, fill_colour = _STATUS_STYLES[outcome]
    cell = ws.cell(row=row - 1, column=2)
    cell.font = _font(bold=True, size=12, color=text_colour)
    cell.fill = PatternFill("solid", fgColor=fill_colour)
    item("Headline", doc.headline)
    item("Decision rationale", doc.decision_rationale)
    item("Criteria cited", _lines(doc.criteria_cited))
    item("Conditions", _lines(doc.conditions, numbered=True))
    item("Rule engine explanation", _lines(doc.explanation))

    section("Framework")
    item("Framework", doc.framework_title)
    item("Framework id", doc.framework_id)
    item("Framework version", doc.framework_version)
    item("Framework SHA-256", doc.framework_sha256, "GR Hash")
    item("Evidence as of", _iso_date(doc.as_of), "GR Date")
    item("Evidence items cited", len(doc.evidence), "GR Count")

    section("Application")
    for label, value in doc.application:
        parsed = _iso_date(value)
        item(label, parsed, "GR Date" if isinstance(parsed, date) else "GR Wrap")
    item("Exporter", doc.exporter.name)
    item("End use", doc.end_use)
    item("End-user certificate", doc.end_user_certificate)

    section("Signing")
    if doc.signatures:
        first = doc.signatures[0]
        item("Signed by", f"{first.name} ({first.role}, {first.username})")
        item("Signed at (UTC)", first.signed_at, "GR DateTime")
    else:
        item("Signed by", "Not signed")
    item("Countersignatures required", doc.countersignatures_required, "GR Count")
    item("Countersigning rules", _lines(doc.countersigning_rules))
    item("Signatures in this document", len(doc.signatures), "GR Count")

    section("Integrity")
    item("Snapshot SHA-256", doc.snapshot_sha256, "GR Hash")
    item("Audit chain head", doc.audit_head, "GR Hash")
    item("Generated at (UTC)", doc.generated_at or "", "GR DateTime")

    ws.sheet_properties.tabColor = _STATUS_STYLES[outcome][0]
    _page_setup(ws, landscape=False)
    _header_footer(ws, doc)


def _parties(doc: RationaleInput) -> list[tuple[Any, ...]]:
    parties = [doc.exporter, *(p for p in doc.parties if p != doc.exporter)]
    return [(p.role, p.name, p.country, p.kind, p.address) for p in parties]


def _goods(doc: RationaleInput) -> list[tuple[Any, ...]]:
    return [(g.control_entry, g.description, _number(g.quantity), g.unit, _number(g.value),
             g.currency, g.att_category, g.quantity, g.value) for g in doc.goods]


def _criteria(doc: RationaleInput) -> list[tuple[Any, ...]]:
    return [(c.id, c.title, c.citation, c.legal_test, c.level, c.residual_level,
             _yes_no(c.legal_test_met), c.met_text, c.rationale, len(c.citations),
             _lines(c.mitigations) if c.mitigations else "") for c in doc.criteria]


def _answers(doc: RationaleInput) -> list[tuple[Any, ...]]:
    return [(c.id, a.question, a.answer, a.note) for c in doc.criteria for a in c.answers]


def _findings_evidence(doc: RationaleInput) -> list[tuple[Any, ...]]:
    return [(c.id, e.reference, e.title, e.grade, e.content_sha256, e.note)
            for c in doc.criteria for e in c.citations]


def _evidence(doc: RationaleInput) -> list[tuple[Any, ...]]:
    return [(e.reference, e.title, e.publisher, e.source_kind, _iso_date(e.published_on),
             e.grade, e.content_sha256, ", ".join(e.criteria), _yes_no(e.has_original))
            for e in doc.evidence]


def _notes(doc: RationaleInput) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for kind, items in (("Condition", doc.conditions), ("Mitigation", doc.mitigations),
                        ("Past incident", doc.past_incidents)):
        rows.extend((kind, i, text) for i, text in enumerate(items, 1))
    return rows


_SHEETS: tuple[tuple[str, str, tuple[_Col, ...], Any, str], ...] = (
    ("Parties", "tblParties", (
        _Col("Role", min_width=12, max_width=20), _Col("Name", "wrap", 20, 45),
        _Col("Country", min_width=14, max_width=28), _Col("Kind", "wrap", 12, 30),
        _Col("Address", "wrap", 16, 40)), _parties, "No parties were recorded."),
    ("Goods", "tblGoods", (
        _Col("Control entry", min_width=10, max_width=16), _Col("Description", "wrap", 24, 50),
        _Col("Quantity", "number", 10, 16), _Col("Unit", min_width=8, max_width=14),
        _Col("Value", "number", 14, 20), _Col("Currency", min_width=8, max_width=10),
        _Col("ATT category", "wrap", 14, 24), _Col("Quantity as signed", max_width=24),
        _Col("Value as signed", max_width=24)), _goods, "No goods were recorded."),
    ("Criteria", "tblCriteria", (
        _Col("Criterion", min_width=10, max_width=16), _Col("Title", "wrap", 20, 30),
        _Col("Citation", "wrap", 14, 22), _Col("Legal test", "wrap", 30, 40),
        _Col("Level", min_width=10, max_width=16), _Col("Residual level", max_width=18),
        _Col("Test met", max_width=12), _Col("Verdict", "wrap", 12, 22),
        _Col("Rationale", "wrap", 30, 60), _Col("Citations", "int"),
        _Col("Mitigations", "wrap", 16, 30)), _criteria, "No criteria were assessed."),
    ("Answers", "tblAnswers", (
        _Col("Criterion", min_width=10, max_width=16), _Col("Question", "wrap", 30, 60),
        _Col("Answer", "wrap", 10, 30), _Col("Note", "wrap", 20, 50)),
     _answers, "No questions were answered."),
    ("Findings evidence", "tblFindingsEvidence", (
        _Col("Criterion", min_width=10, max_width=16), _Col("Evidence", max_width=20),
        _Col("Title", "wrap", 30, 60), _Col("Grade", max_width=8), _Col("SHA-256", "hash"),
        _Col("Note", "wrap", 16, 50)), _findings_evidence, "No evidence was cited."),
    ("Evidence", "tblEvidence", (
        _Col("Reference", max_width=20), _Col("Title", "wrap", 30, 60),
        _Col("Publisher", "wrap", 12, 28), _Col("Source kind", "wrap", 12, 22),
        _Col("Published", "date"), _Col("Grade", max_width=8), _Col("SHA-256", "hash"),
        _Col("Criteria", "wrap", 10, 24), _Col("Original stored", max_width=18)),
     _evidence, "No evidence was cited."),
    ("Hard-stop checks", "tblChecks", (
        _Col("Check", "wrap", 20, 36), _Col("Status", min_width=10, max_width=18),
        _Col("Blocking", max_width=12), _Col("Basis", "wrap", 16, 40),
        _Col("Detail", "wrap", 24, 60)),
     lambda d: [(c.title, c.status, _yes_no(c.blocking), c.basis, c.detail) for c in d.checks],
     "No hard-stop checks were recorded."),
    ("Conditions", "tblConditions", (
        _Col("Kind", min_width=12, max_width=16), _Col("No.", "int"),
        _Col("Text", "wrap", 40, 90)),
     _notes, "No conditions, mitigations or past incidents were recorded."),
    ("Signatures", "tblSignatures", (
        _Col("Kind", min_width=10, max_width=20), _Col("Record ref", max_width=22),
        _Col("Name", "wrap", 14, 30), _Col("Role", "wrap", 10, 24),
        _Col("Username", max_width=20), _Col("Signed at (UTC)", "datetime"),
        _Col("Certificate SHA-256", "hash"), _Col("Note", "wrap", 12, 40)),
     lambda d: [(s.kind, s.record_ref, s.name, s.role, s.username, s.signed_at,
                 s.certificate_sha256, s.note) for s in d.signatures],
     "No signatures."),
    ("Audit", "tblAudit", (
        _Col("Event ID", "int"), _Col("Time (UTC)", "datetime"),
        _Col("Actor", "wrap", 12, 30), _Col("Action", min_width=12, max_width=24),
        _Col("Summary", "wrap", 30, 70), _Col("Hash", "hash")),
     lambda d: [(e.id, e.at, e.actor, e.action, e.summary, e.hash) for e in d.audit_events],
     "No audit events were recorded."),
)

_ALERT_COLUMNS = {"tblChecks": 2}       # "Blocking" = Yes in dark red


# --- the workbook -----------------------------------------------------------------------------

class _FixedTimeZip(zipfile.ZipFile):
    """A zip whose entries all carry one timestamp and neutral attributes.

    openpyxl stamps each entry with the current time; stamping them with the generation time
    instead makes equal input give equal bytes, so a re-rendered workbook can be compared.
    """

    def __init__(self, file: io.BytesIO, date_time: tuple[int, int, int, int, int, int]):
        super().__init__(file, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        self._date_time = date_time

    def _info(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self._date_time)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.create_system = 0       # not the platform's: same bytes on Windows and Linux
        info.external_attr = 0
        return info

    def writestr(self, zinfo_or_arcname: Any, data: Any, compress_type: Any = None,
                 compresslevel: Any = None) -> None:
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            zinfo_or_arcname = self._info(str(zinfo_or_arcname))
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename: Any, arcname: Any = None, compress_type: Any = None,
              compresslevel: Any = None) -> None:
        # openpyxl writes each sheet to a temporary file first; take its bytes, not its mtime.
        with open(filename, "rb") as fh:
            data = fh.read()
        self.writestr(self._info(str(arcname or filename)), data)


def render_rationale_xlsx(doc: RationaleInput) -> bytes:
    """The rationale workbook's bytes, the same bytes for the same input."""
    generated = _utc_naive(doc.generated_at or datetime.now(UTC))
    wb = Workbook()
    for style in _named_styles():
        wb.add_named_style(style)

    _summary(wb.active, doc)
    for title, name, columns, build, empty_note in _SHEETS:
        _table_sheet(wb, doc, title, name, columns, build(doc), empty_note,
                     _ALERT_COLUMNS.get(name))

    props = wb.properties
    props.title = _clean(f"Licensing decision rationale {doc.record_ref}")
    props.subject = _clean(f"{doc.record_ref}: {doc.outcome_label}")
    props.creator = "Golden Rule"
    props.lastModifiedBy = "Golden Rule"
    props.keywords = _clean(f"{doc.record_ref}; {doc.case_ref}; {doc.outcome}")
    props.identifier = _clean(doc.record_ref)
    props.category = _clean(doc.classification) or None
    props.description = _clean(doc.headline) or None
    props.created = generated
    props.modified = generated
    wb.custom_doc_props.append(StringProperty(name=RECORD_PROPERTY,
                                              value=_clean(doc.record_ref)))
    wb.custom_doc_props.append(StringProperty(name=SNAPSHOT_PROPERTY,
                                              value=_clean(doc.snapshot_sha256)))

    buffer = io.BytesIO()
    stamp = generated.replace(year=max(generated.year, 1980))   # zip dates start in 1980
    archive = _FixedTimeZip(buffer, (stamp.year, stamp.month, stamp.day, stamp.hour,
                                     stamp.minute, stamp.second))
    # ExcelWriter rather than wb.save(): save() overwrites the modified date with "now".
    ExcelWriter(wb, archive).save()
    return buffer.getvalue()


# --- reading the identity back ---------------------------------------------------------------

_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CUSTOM_REL = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
               "custom-properties")
_CUSTOM_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"
_VT_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes}"


def _read_part(archive: zipfile.ZipFile, name: str) -> ElementTree.Element | None:
    info = archive.getinfo(name)
    if info.file_size > _MAX_PROPS_PART:
        return None
    data = archive.read(info)
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:     # no entity expansion from a stranger
        return None
    return ElementTree.fromstring(data)


def read_identity(data: bytes) -> tuple[str, str] | None:
    """(record_ref, snapshot_sha256) from the workbook's custom properties, else None.

    Reads only the package relationships and the custom-properties part, not the sheets: a
    verifier calls it on files it has not yet trusted. A property given twice is ambiguous
    and counts as absent. Never raises.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            part = "docProps/custom.xml"
            if "_rels/.rels" in archive.namelist():
                rels = _read_part(archive, "_rels/.rels")
                if rels is None:
                    return None
                for rel in rels.iter(f"{_REL_NS}Relationship"):
                    if rel.get("Type") == _CUSTOM_REL and rel.get("Target"):
                        part = str(rel.get("Target")).lstrip("/")
                        break
            root = _read_part(archive, part)
        if root is None:
            return None
        found: dict[str, list[str]] = {}
        for prop in root.iter(f"{_CUSTOM_NS}property"):
            value = prop.find(f"{_VT_NS}lpwstr")
            if value is not None:
                found.setdefault(prop.get("name", ""), []).append(value.text or "")
        record = found.get(RECORD_PROPERTY, [])
        snapshot = found.get(SNAPSHOT_PROPERTY, [])
        if len(record) != 1 or len(snapshot) != 1 or not record[0] or not snapshot[0]:
            return None
        return record[0], snapshot[0]
    except Exception:       # corrupt, truncated, encrypted or not a zip at all
        return None
