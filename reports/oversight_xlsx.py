"""The Excel workbook of an oversight report: a sheet per table, charts, and the notes.

Written in openpyxl's write-only mode: a register of 50,000 licences is streamed row by row
to the sheet's XML instead of being held as 600,000 cell objects. Write-only mode fixes the
order of work: column widths, frozen panes and row heights go before the first row, rows go
in order, nothing can be revisited. Widths are therefore measured on the first rows of a
table (``_SAMPLE``), not all of them.

Speed: openpyxl spends ~10 µs on every cell it writes (a cell object, then an XML element
per cell), 6 s for a 50,000 × 12 register on a modest machine before any styling. The rows
are therefore encoded here as XML text, one ``<row>`` at a time, and handed to openpyxl's
own sheet stream (``_RowWriter``); openpyxl still writes everything else (styles, table,
views, page setup). This leans on two hooks of openpyxl 3.1's write-only sheet; if they are
missing (a later openpyxl) the rows go through ``WriteOnlyCell`` as usual: slower, same file.

Each table is a real Excel table (write-only sheets do support ``add_table``, given the
column names explicitly, as openpyxl cannot read header cells back): it brings the filter
buttons, banded rows and a name Power Query can refer to. The totals row sits directly
below the table, outside it, so filtering or sorting never moves it. Title rows above the
table say what it is, for which period, under which redaction profile.

A withheld value is the text "[withheld]" in grey italics, with a legend above the table; the
Notes sheet gives every withholding rule (per-cell comments were left out: thousands of them
make Excel slow to open, and the rules are the same for every cell they hit).
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from lxml.etree import fromstring
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Border, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table as XlTable
from openpyxl.worksheet.table import TableColumn, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from reports.oversight_csv import WITHHELD_TEXT, column_heading
from reports.oversight_model import Chart, Column, OversightReport, Table, Withheld
from reports.rationale_xlsx import (
    _ACCENT1,
    _BAD_CHARS,
    _FORMULA_START,
    _LINE_HEIGHT,
    TABLE_STYLE,
    _clean,
    _FixedTimeZip,
    _font,
    _utc_naive,
)

__all__ = ["render_oversight_xlsx"]

_SAMPLE = 2000            # rows measured for column widths and number formats
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\']")
_RESERVED_SHEETS = {"notes", "charts", "history"}   # ours, and the name Excel reserves
_MAX_WIDTH = {"text": 48, "date": 12, "int": 16, "money": 20, "percent": 10, "number": 18}
_GREY = "595959"
#: Encode rows as XML text (fast). Off, every cell goes through openpyxl's WriteOnlyCell.
FAST_ROWS = True

# A cell as the sheet writers take it: (value, named style), or None for an empty cell.
_XlCell = tuple[Any, str] | None

# --- styles -----------------------------------------------------------------------------------

_FORMATS = {"text": "General", "int": "#,##0", "money": "#,##0.00", "money0": "#,##0",
            "date": "yyyy-mm-dd", "percent": "0.0%", "number": "General", "number0": "#,##0"}
_RIGHT = {"int", "money", "money0", "percent", "number", "number0"}


def _style(kind: str, variant: str = "") -> str:
    """The named style of a kind of cell: "GR int", "GR Total money", "GR Header text"."""
    return f"GR {variant} {kind}" if variant else f"GR {kind}"


def _named_styles() -> list[NamedStyle]:
    """A named style per kind of cell, plain and in the totals row, and for headings."""
    styles: list[NamedStyle] = []
    rule = Border(top=Side("thin", color="000000"), bottom=Side("double", color="000000"))
    for kind, fmt in _FORMATS.items():
        align = Alignment(horizontal="right" if kind in _RIGHT else "left", vertical="top")
        grey = _font(italic=True, color=_GREY)
        styles += [
            NamedStyle(_style(kind), font=_font(), number_format=fmt, alignment=align),
            NamedStyle(_style(kind, "Total"), font=_font(bold=True), number_format=fmt,
                       border=rule, alignment=align),
            NamedStyle(_style(kind, "Withheld"), font=grey, alignment=align),
            NamedStyle(_style(kind, "Total Withheld"), font=_font(bold=True, italic=True,
                                                                  color=_GREY),
                       border=rule, alignment=align),
            # The table style's own header look, also written on the cells: LibreOffice
            # and some viewers ignore table styles, and a plain header would then vanish.
            NamedStyle(_style(kind, "Header"), font=_font(bold=True, color="FFFFFF"),
                       fill=PatternFill("solid", fgColor=_ACCENT1),
                       alignment=Alignment(horizontal=align.horizontal, vertical="top",
                                           wrap_text=True)),
        ]
    styles += [
        NamedStyle("GR Title", font=_font(bold=True, size=14)),
        NamedStyle("GR Subtitle", font=_font(bold=True, size=12, color="1F3864")),
        NamedStyle("GR Info", font=_font(color=_GREY)),
        NamedStyle("GR Marking", font=_font(bold=True, size=12, color="9C0006")),
        NamedStyle("GR Legend", font=_font(italic=True, color=_GREY)),
        NamedStyle("GR Section", font=_font(bold=True, size=12, color="1F3864"),
                   fill=PatternFill("solid", fgColor="D9E1F2")),
        NamedStyle("GR Label", font=_font(bold=True),
                   alignment=Alignment(vertical="top", wrap_text=True)),
        NamedStyle("GR Wrap", font=_font(), alignment=Alignment(vertical="top", wrap_text=True)),
        NamedStyle("GR Nil", font=_font(bold=True, size=12, color="1F3864"),
                   fill=PatternFill("solid", fgColor="FFEB9C")),
    ]
    return styles


# --- cell values ------------------------------------------------------------------------------

def _safe(value: Any) -> Any:
    """A value Excel can hold: clean text, UTC wall time, no NaN, text for a pre-1900 date."""
    if isinstance(value, str):
        return _clean(value)
    if isinstance(value, datetime):
        value = _utc_naive(value)
        return value if value.year >= 1900 else value.isoformat()
    if isinstance(value, date):
        return value if value.year >= 1900 else value.isoformat()
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return None
    if isinstance(value, Decimal) and not value.is_finite():
        return None
    return value


def _number_text(value: int | float | Decimal) -> str:
    """A number as the sheet XML holds it (xsd:double): no grouping, "." for decimals."""
    if isinstance(value, Decimal):
        return format(value, "f")
    return repr(value) if isinstance(value, float) else str(int(value))


_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


class _RowWriter:
    """Rows of one write-only sheet, each cell a ``(value, named style)`` pair.

    With ``FAST_ROWS`` the rows are encoded as XML text and parsed once per row into the
    sheet's stream (openpyxl's ``write_row``), instead of a cell object and an element per
    cell: 2.5 times faster on a large register. Otherwise (or when openpyxl lacks the
    hooks) each cell is a styled ``WriteOnlyCell``.
    """

    def __init__(self, wb: Workbook, ws: Any) -> None:
        self.ws = ws
        self._ids: dict[tuple[str, bool], int] = {}
        self._hooked: bool | None = None
        self._epoch = wb.epoch
        self._letters: list[str] = []
        self.count = 0                    # rows written so far

    # Styles

    def _template(self, style: str, quote: bool) -> Any:
        cell = WriteOnlyCell(self.ws)
        cell.style = style
        if quote:
            cell.quotePrefix = True       # Excel's apostrophe: stays text when edited
        return cell

    def _id(self, style: str, quote: bool) -> int:
        key = (style, quote)
        sid = self._ids.get(key)
        if sid is None:
            sid = self._ids[key] = self._template(style, quote).style_id
        return sid

    # Writing

    def _hook(self) -> bool:
        """Take over the encoding of rows; False when openpyxl has changed its internals."""
        ws = self.ws
        if not FAST_ROWS:
            return False
        try:
            ws._get_writer()              # writes the sheet head: widths, views, panes
            writer = ws._writer
            if not callable(writer.write_row) or not callable(ws._values_to_row):
                return False
        except AttributeError:
            return False
        writer.write_row = self._write_xml
        ws._values_to_row = lambda values, _row: values
        return True

    def append(self, cells: Sequence[_XlCell] = (), height: float | None = None) -> None:
        """Write the next row; ``height`` in points for wrapped text (LibreOffice does not
        grow a row for it, Excel only when the row has no height)."""
        if self._hooked is None:
            self._hooked = self._hook()
        self.count += 1
        if self._hooked:
            self.ws.append((cells, height))
            return
        row: list[Any] = []
        for item in cells:
            if item is None:
                row.append(None)
                continue
            value, style = item
            value = _safe(value)
            text = isinstance(value, str)
            cell = WriteOnlyCell(self.ws, value)
            cell.style = style
            if text and (cell.data_type != "s" or value[:1] in _FORMULA_START):
                cell.data_type = "s"      # "=..." would be a formula, "#N/A" an error
                cell.quotePrefix = True
            row.append(cell)
        if height:
            self.ws.row_dimensions[self.count].height = height   # read as the row is written
        self.ws.append(row)

    def _letter(self, col: int) -> str:
        while len(self._letters) <= col:
            self._letters.append(get_column_letter(len(self._letters) + 1))
        return self._letters[col]

    def _write_xml(self, xf: Any, payload: tuple[Sequence[_XlCell], float | None],
                   row_idx: int) -> None:
        cells, height = payload
        r = str(row_idx)
        ids = self._ids
        parts = [f'<row r="{r}" ht="{height:g}" customHeight="1">' if height
                 else f'<row r="{r}">']
        add = parts.append
        if len(self._letters) < len(cells):
            self._letter(len(cells) - 1)
        for letter, item in zip(self._letters, cells, strict=False):
            if item is None:
                continue
            value, style = item
            kind = type(value)
            if kind is str:                                 # the common cases first
                value = _clean(value)
                quote = value[:1] in _FORMULA_START
                sid = ids.get((style, quote))
                if sid is None:
                    sid = self._id(style, quote)
                if not value:
                    add(f'<c r="{letter}{r}" s="{sid}"/>')
                    continue
                space = ' xml:space="preserve"' if value[0].isspace() or value[-1].isspace() \
                    else ""
                add(f'<c r="{letter}{r}" s="{sid}" t="inlineStr"><is><t{space}>'
                    f"{value.translate(_XML_ESCAPES)}</t></is></c>")
                continue
            sid = ids.get((style, False))
            if sid is None:
                sid = self._id(style, False)
            if kind is int or kind is Decimal:
                if kind is Decimal and not value.is_finite():
                    add(f'<c r="{letter}{r}" s="{sid}"/>')
                else:
                    add(f'<c r="{letter}{r}" s="{sid}"><v>{_number_text(value)}</v></c>')
                continue
            value = _safe(value)
            if value is None:
                add(f'<c r="{letter}{r}" s="{sid}"/>')
            elif isinstance(value, str):                  # a date before 1900, as text
                add(f'<c r="{letter}{r}" s="{sid}" t="inlineStr"><is><t>'
                    f"{value.translate(_XML_ESCAPES)}</t></is></c>")
            elif isinstance(value, bool):
                add(f'<c r="{letter}{r}" s="{sid}" t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, int | float | Decimal):
                add(f'<c r="{letter}{r}" s="{sid}"><v>{_number_text(value)}</v></c>')
            elif isinstance(value, date):
                add(f'<c r="{letter}{r}" s="{sid}"><v>{to_excel(value, self._epoch)}</v></c>')
            else:
                raise TypeError(f"cannot write {type(value).__name__} to a sheet")
        add("</row>")
        xf.write(fromstring("".join(parts)))


# --- names ------------------------------------------------------------------------------------

def _sheet_names(tables: Sequence[Table]) -> list[str]:
    """Unique sheet names from the table ids, within Excel's rules (31 characters, none of
    ``[]:*?/\\'``, not "Notes", "Charts" or "History", unique ignoring case)."""
    used = set(_RESERVED_SHEETS)
    names = []
    for table in tables:
        base = _BAD_CHARS.sub("", _SHEET_NAME_BAD.sub("-", table.id or table.title))
        base = base.strip()[:31].strip() or "Table"
        name, n = base, 2
        while name.lower() in used:
            suffix = f" ({n})"
            name = base[:31 - len(suffix)] + suffix
            n += 1
        used.add(name.lower())
        names.append(name)
    return names


def _table_names(tables: Sequence[Table]) -> list[str]:
    """Unique Excel table names ("tblUkDestinations"): letters, digits and underscores."""
    used: set[str] = set()
    names = []
    for table in tables:
        words = re.findall(r"[A-Za-z0-9]+", table.id) or ["Table"]
        base = ("tbl" + "".join(w[:1].upper() + w[1:] for w in words))[:200]
        name, n = base, 2
        while name.lower() in used:
            name = f"{base}_{n}"
            n += 1
        used.add(name.lower())
        names.append(name)
    return names


def _headings(columns: Sequence[Column]) -> list[str]:
    """Header texts, unique ignoring case and never empty: an Excel table requires both."""
    used: set[str] = set()
    result = []
    for i, column in enumerate(columns, 1):
        base = _BAD_CHARS.sub("", column_heading(column)).replace("\n", " ").strip()
        base = base[:250] or f"Column {i}"
        name, n = base, 2
        while name.lower() in used:
            name = f"{base} ({n})"
            n += 1
        used.add(name.lower())
        result.append(name)
    return result


# --- one table --------------------------------------------------------------------------------

def _sample(table: Table) -> list[Sequence[Any]]:
    return [*table.rows[:_SAMPLE], *([table.totals] if table.totals is not None else [])]


def _finite(value: float | Decimal) -> bool:
    if isinstance(value, Decimal):
        return value.is_finite()
    return value == value and abs(value) < float("inf")     # not NaN, not infinite


def _column_kinds(table: Table) -> list[str]:
    """The style kind of each column; money and numbers show no decimals and group their
    thousands when the sampled values are whole (annual reports give whole euros)."""
    sample = _sample(table)
    kinds = []
    for i, column in enumerate(table.columns):
        kind = column.kind if column.kind in _FORMATS else "text"
        if kind in ("money", "number"):
            amounts = [row[i] for row in sample if i < len(row)
                       and isinstance(row[i], int | float | Decimal)
                       and not isinstance(row[i], bool) and _finite(row[i])]
            if all(a == int(a) for a in amounts):
                kind += "0"
        kinds.append(kind)
    return kinds


def _display_length(value: Any, kind: str) -> int:
    """Characters the value takes on screen, for the column width."""
    if value is None:
        return 0
    if isinstance(value, Withheld):
        return len(WITHHELD_TEXT)
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        if not _finite(value):
            return 0
        if kind == "percent":
            return len(f"{float(value) * 100:.1f}%")
        return len(f"{float(value):,.2f}" if kind in ("money", "number")
                   else f"{float(value):,.0f}")
    if isinstance(value, datetime):
        return 19
    if isinstance(value, date):
        return 10
    return max((len(line) for line in str(value).split("\n")), default=0)


def _widths(table: Table, headings: Sequence[str], kinds: Sequence[str]) -> list[float]:
    sample = _sample(table)
    widths = []
    for i, (heading, kind) in enumerate(zip(headings, kinds, strict=True)):
        longest = max((_display_length(row[i], kind) for row in sample if i < len(row)),
                      default=0)
        cap = _MAX_WIDTH.get(table.columns[i].kind, 30)
        # A longer header wraps (its style wraps); the filter button takes about 3 more.
        head = min(len(heading), cap) + 3
        widths.append(float(max(min(longest + 2, cap), head, 7)))
    return widths


def _lines(text: str, width: float) -> int:
    """Lines a wrapped cell needs, erring tall (about 1.1 characters per width unit)."""
    per_line = max(int(width * 1.1) - 2, 1)
    return sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))


def _withheld_count(table: Table) -> int:
    """How many cells the redaction withheld in the table, totals included."""
    count = sum(isinstance(v, Withheld) for row in table.rows for v in row)
    return count + sum(isinstance(v, Withheld) for v in table.totals or ())


def _period(report: OversightReport) -> str:
    return f"{report.period_from.isoformat()} to {report.period_to.isoformat()}"


def _redaction_line(report: OversightReport) -> str:
    if not report.classification:
        return f"Published under redaction profile {report.redaction_title}"
    return f"Redaction profile applied: {report.redaction_title}"


def _title_rows(report: OversightReport, title: str) -> list[tuple[str, str]]:
    """(text, style) rows above a table: what, when, whose, under which profile."""
    rows = [(report.classification, "GR Marking")] if report.classification else []
    rows += [(report.title, "GR Title"), (title, "GR Subtitle"),
             (f"Period {_period(report)} · {report.authority}", "GR Info"),
             (_redaction_line(report), "GR Info")]
    if report.nil:
        rows.append(("Nil report: no reportable transfer took place in the period.",
                     "GR Nil"))
    return rows


def _page_setup(ws: Any, report: OversightReport, landscape: bool) -> None:
    """Printed pages: A4 fit to width, marking top and bottom, sheet name and page number."""
    def code(text: str) -> str:     # "&" starts a header/footer code; Excel caps the length
        return _BAD_CHARS.sub("", text)[:80].replace("&", "&&")

    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if report.classification:
        for hf in (ws.oddHeader, ws.oddFooter):
            hf.center.text = code(report.classification)
            hf.center.font = "Calibri,Bold"
    ws.oddHeader.left.text = code(report.title)
    ws.oddHeader.right.text = code(_period(report))
    ws.oddFooter.left.text = "&A"
    ws.oddFooter.right.text = "Page &P of &N"


def _table_sheet(wb: Workbook, report: OversightReport, table: Table, sheet: str,
                 table_name: str) -> None:
    ws = wb.create_sheet(sheet)
    out = _RowWriter(wb, ws)
    width = len(table.columns)
    headings = _headings(table.columns)
    kinds = _column_kinds(table)
    widths = _widths(table, headings, kinds)
    titles = _title_rows(report, table.title)
    if _withheld_count(table):
        titles.append((f"{WITHHELD_TEXT} (grey italics): a value withheld under the redaction "
                       "profile; the Notes sheet says what was withheld and why.", "GR Legend"))
    header_row = len(titles) + 2
    notes = list(table.notes)
    if not table.rows:
        notes.insert(0, "Nil report: no rows." if report.nil else "No rows.")

    # The sheet's head is written with the first row: widths, panes and print setup first.
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w
    # Wide tables keep their leading text columns (destination, code, row) in view.
    stub = 0
    while width > 6 and stub < min(3, width - 1) and kinds[stub] == "text":
        stub += 1
    ws.freeze_panes = f"{get_column_letter(stub + 1)}{header_row + 1}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    _page_setup(ws, report, landscape=width > 7)

    for text, style in titles:
        out.append([(text, style)])
    out.append()
    header_lines = max(_lines(h, w - 3) for h, w in zip(headings, widths, strict=True))
    out.append([(h, _style(k, "Header")) for h, k in zip(headings, kinds, strict=True)],
               _LINE_HEIGHT * min(header_lines, 4) if header_lines > 1 else None)

    plain = [_style(k) for k in kinds]
    held = [_style(k, "Withheld") for k in kinds]
    for row in table.rows:
        out.append(_cells(row, width, plain, held))
    if not table.rows:
        out.append()                        # an Excel table needs a body row, even empty
    last = header_row + max(len(table.rows), 1)
    if table.totals is not None:
        out.append(_cells(table.totals, width, [_style(k, "Total") for k in kinds],
                          [_style(k, "Total Withheld") for k in kinds], blanks=True))
    if notes:
        out.append()
        for note in notes:
            out.append([(note, "GR Legend")])

    xl = XlTable(displayName=table_name, ref=f"A{header_row}:{get_column_letter(width)}{last}")
    xl.tableColumns = [TableColumn(id=i, name=h) for i, h in enumerate(headings, 1)]
    xl.autoFilter = AutoFilter(ref=xl.ref)
    xl.tableStyleInfo = TableStyleInfo(name=TABLE_STYLE, showRowStripes=True,
                                       showColumnStripes=False, showFirstColumn=False,
                                       showLastColumn=False)
    with warnings.catch_warnings():
        # Warned for every write-only table; naming the columns above is the remedy it asks.
        warnings.filterwarnings("ignore", "In write-only mode you must add table columns")
        ws.add_table(xl)


def _cells(values: Sequence[Any], width: int, plain: Sequence[str], held: Sequence[str],
           blanks: bool = False) -> list[_XlCell]:
    """A table row as (value, style) pairs; ``blanks`` styles empty cells too (the totals
    row's rule runs across the whole table)."""
    row: list[_XlCell] = []
    for i in range(width):
        value = values[i] if i < len(values) else None
        if isinstance(value, Withheld):
            row.append((WITHHELD_TEXT, held[i]))
        elif value is None and not blanks:
            row.append(None)
        else:
            row.append((value, plain[i]))
    return row


# --- charts -----------------------------------------------------------------------------------

_CHART_ROWS = 20           # rows a chart covers at 7.5 cm high


def _charts_sheet(wb: Workbook, report: OversightReport) -> None:
    """Each chart's figures as a small table, with an Excel chart drawn from them beside it."""
    ws = wb.create_sheet("Charts")
    out = _RowWriter(wb, ws)
    widest = max(len(c.series) for c in report.charts)
    ws.column_dimensions["A"].width = 28
    for col in range(2, 2 + widest):
        ws.column_dimensions[get_column_letter(col)].width = 16
    _page_setup(ws, report, landscape=True)
    titles = _title_rows(report, "Charts")
    for text, style in titles:
        out.append([(text, style)])
    out.append()
    for chart in report.charts:
        _chart_block(ws, out, chart, 2 + widest)


def _chart_block(ws: Any, out: _RowWriter, chart: Chart, chart_col: int) -> None:
    first = out.count + 1
    out.append([(chart.title, "GR Subtitle")])
    head = out.count + 1
    names = [name for name, _ in chart.series]
    out.append([("Category", _style("text", "Header")),
                *((n, _style("number", "Header")) for n in names)])
    figures = [v for _, vals in chart.series for v in vals if v is not None]
    whole = all(float(v).is_integer() for v in figures)
    number = _style("number0" if whole else "number")
    for i, category in enumerate(chart.categories):
        values = [vals[i] if i < len(vals) else None for _, vals in chart.series]
        out.append([(category, _style("text")), *((v, number) for v in values)])
    end = out.count
    while out.count < first + _CHART_ROWS:
        out.append()
    out.append()
    if not chart.categories or not chart.series:
        return
    xl: BarChart | LineChart
    if chart.kind == "line":
        xl = LineChart()
    else:
        xl = BarChart()
        xl.type = "col"
        xl.grouping = "clustered"
    xl.title = _clean(chart.title)
    xl.y_axis.title = _clean(chart.y_title) or None
    xl.height, xl.width = 7.5, 20.0
    xl.legend.position = "b"
    xl.x_axis.delete = False          # openpyxl 3.1 hides both axes unless told otherwise
    xl.y_axis.delete = False
    xl.y_axis.number_format = "#,##0" if whole else "General"
    if all(v >= 0 for v in figures):
        xl.y_axis.scaling.min = 0
    xl.add_data(Reference(ws, min_col=2, max_col=1 + len(names), min_row=head, max_row=end),
                titles_from_data=True)
    for series in xl.series:
        series.smooth = False             # openpyxl smooths lines by default: figures are not
    xl.set_categories(Reference(ws, min_col=1, min_row=head + 1, max_row=end))
    ws.add_chart(xl, f"{get_column_letter(chart_col + 1)}{first}")


# --- notes ------------------------------------------------------------------------------------

def _notes_sheet(wb: Workbook, report: OversightReport, sheets: Sequence[str]) -> None:
    """What the tables are, how they were computed and what the redaction withheld."""
    ws = wb.create_sheet("Notes")
    out = _RowWriter(wb, ws)
    label_width, value_width = 30.0, 100.0
    ws.column_dimensions["A"].width = label_width
    ws.column_dimensions["B"].width = value_width
    _page_setup(ws, report, landscape=False)

    def item(label: str, value: str) -> None:
        lines = max(_lines(value, value_width), _lines(label, label_width))
        out.append([(label, "GR Label"), (value, "GR Wrap")],
                   _LINE_HEIGHT * min(lines, 27) if lines > 1 else None)

    def section(title: str) -> None:
        out.append()
        out.append([(title, "GR Section"), ("", "GR Section")])

    if report.classification:
        out.append([(report.classification, "GR Marking")])
    out.append([(report.title, "GR Title")])
    if report.nil:
        out.append([("Nil report", "GR Nil"),
                    ("No reportable transfer took place in the period.", "GR Nil")])
    section("Report")
    item("Authority", report.authority or "Not set")
    item("Period", _period(report))
    item("Report profile", report.profile)
    item("Redaction profile applied", f"{report.redaction_title} ({report.redaction})")
    item("Classification", report.classification
         or f"None: published under redaction profile {report.redaction_title}")
    item("Generated at (UTC)", _utc_naive(report.generated_at).strftime("%Y-%m-%d %H:%M:%S"))
    item("Generated by", report.generated_by)
    item("Records counted", f"{report.counted:,}")
    item("Nil report", "Yes: no reportable transfer took place in the period." if report.nil
         else "No")

    section("Tables")
    for sheet, table in zip(sheets, report.tables, strict=True):
        totals = ", and a totals row" if table.totals is not None else ""
        item(f"Sheet {sheet}", "\n".join([f"{table.title}: {len(table.rows):,} rows{totals}.",
                                          *table.notes]))
    if report.charts:
        item("Sheet Charts", "\n".join(c.title for c in report.charts))

    section("Method")
    for i, note in enumerate(report.method or ["Not stated."], 1):
        item(f"{i}.", note)

    section("Redaction")
    item("Profile applied", f"{report.redaction_title} ({report.redaction})")
    for i, statement in enumerate(report.withheld or ["Nothing was withheld."], 1):
        item(f"{i}.", statement)

    section("Legend")
    item(WITHHELD_TEXT, "A value withheld under the redaction profile, in grey italics.")
    item("Totals", "The bold row below a table, outside its filter range: it totals every "
         "row, whatever the filter shows.")
    item("Percent", "Shares are stored as fractions (0.25) and shown as percentages (25.0%).")
    item("Money", "Amounts are in the currency named in the column header.")
    item("Times", "All times are UTC.")


# --- the workbook -----------------------------------------------------------------------------

def render_oversight_xlsx(report: OversightReport) -> bytes:
    """The report's workbook bytes, the same bytes for the same report."""
    wb = Workbook(write_only=True)
    for style in _named_styles():
        wb.add_named_style(style)
    sheets = _sheet_names(report.tables)
    for table, sheet, name in zip(report.tables, sheets, _table_names(report.tables),
                                  strict=True):
        _table_sheet(wb, report, table, sheet, name)
    if report.charts:
        _charts_sheet(wb, report)
    _notes_sheet(wb, report, sheets)

    generated = _utc_naive(report.generated_at)
    props = wb.properties
    props.title = _clean(report.title)
    props.subject = _clean(f"{report.title}, {_period(report)}, {report.authority}")
    props.creator = "Golden Rule"
    props.lastModifiedBy = "Golden Rule"
    props.keywords = _clean(f"{report.profile}; redaction {report.redaction}; "
                            f"{report.period_from.isoformat()}/{report.period_to.isoformat()}")
    props.category = _clean(report.classification) or "Publication"
    props.description = _clean(_redaction_line(report))
    props.created = generated
    props.modified = generated

    buffer = io.BytesIO()
    stamp = generated.replace(year=max(generated.year, 1980))   # zip dates start in 1980
    archive = _FixedTimeZip(buffer, (stamp.year, stamp.month, stamp.day, stamp.hour,
                                     stamp.minute, stamp.second))
    # ExcelWriter rather than wb.save(): save() overwrites the modified date with "now".
    ExcelWriter(wb, archive).save()
    return buffer.getvalue()
