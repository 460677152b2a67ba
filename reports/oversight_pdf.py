"""The PDF of an oversight report: cover, contents, the tables, the charts, and the method
and redaction statement.

Rendered with reportlab from an ``OversightReport`` alone, in the style of the rationale PDF
(DejaVu fonts embedded, marking top and bottom, running header, "Page X of Y"), whose helpers
it reuses. Each table starts a page; a table too wide for portrait A4 goes on landscape
pages, in a smaller type, and one too wide even for that (the COARM table: a destination and
23 amounts) is cut into column bands, ML1–ML11 and ML12–ML22 + Total, printed one above the
other for the same rows, page after page, each band with the destination column.

A PDF of a 50,000-licence register would run to a thousand pages nobody reads: a table
longer than ``MAX_PDF_ROWS`` shows its first rows, says so above the table, and points to the
Excel and CSV exports, which always hold every row; its totals row still covers all rows.

The bytes are deterministic for a given report (invariant mode, creation date taken from
``generated_at``).
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, Group, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    HRFlowable,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    TableStyle,
)
from reportlab.platypus.tableofcontents import TableOfContents

from reports.fonts import SANS, SANS_BOLD, SANS_BOLD_ITALIC, SANS_ITALIC, register_fonts
from reports.oversight_csv import WITHHELD_TEXT, column_heading
from reports.oversight_model import Chart, Column, OversightReport, Table, Withheld
from reports.rationale_pdf import (
    _CONTROLS,
    _LAYOUT_ONLY,
    _P,
    _T,
    GRID,
    HEAD_BG,
    INK,
    MUTED,
    NAVY,
    RULE,
    SHADE,
    ZEBRA,
    _as_utc,
    _esc,
    _FillBottom,
    _fit,
    _Heading,
    _PageTotal,
    _style,
)

__all__ = ["MAX_PDF_ROWS", "render_oversight_pdf"]

#: Rows of one table the PDF prints; the Excel and CSV exports always hold them all.
MAX_PDF_ROWS = 2000

# --- Page geometry and palette ----------------------------------------------------------------

PORTRAIT = A4
LANDSCAPE = landscape(A4)
SIDE = 15 * mm
TOP = 22 * mm
BOTTOM = 20 * mm


def _frame_size(page: tuple[float, float]) -> tuple[float, float]:
    return page[0] - 2 * SIDE, page[1] - TOP - BOTTOM


PORTRAIT_W, PORTRAIT_H = _frame_size(PORTRAIT)
LANDSCAPE_W, LANDSCAPE_H = _frame_size(LANDSCAPE)

#: Sober series colours: navy, steel, ochre, sage, slate, brick.
SERIES = [colors.HexColor(c) for c in
          ("#1F3A5F", "#7D98B3", "#B08D57", "#6E8B6B", "#5B636D", "#A0605A")]
TOTAL_BG = SHADE

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def _long_date(day: date) -> str:
    """ "1 January 2024": the cover is read by people, not parsed (and no locale involved)."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _period(report: OversightReport) -> str:
    return f"{_long_date(report.period_from)} – {_long_date(report.period_to)}"


def _utc_text(moment: datetime) -> str:
    return _as_utc(moment).strftime("%Y-%m-%d %H:%M UTC")


def _redaction_text(report: OversightReport) -> str:
    """The redaction line of the cover and footer; a publication says it was published so."""
    if not report.classification:
        return f"Published under redaction profile {report.redaction_title}"
    return f"Redaction profile: {report.redaction_title}"


# --- Styles -----------------------------------------------------------------------------------

@cache
def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    body = ParagraphStyle("ov_body", fontName=SANS, fontSize=9, leading=12.5, textColor=INK,
                          spaceAfter=4)
    return {
        "body": body,
        "small": ParagraphStyle("ov_small", parent=body, fontSize=8, leading=10.5,
                                textColor=MUTED),
        "note": ParagraphStyle("ov_note", parent=body, fontName=SANS_ITALIC, fontSize=7.5,
                               leading=10, textColor=MUTED, spaceAfter=2),
        "caption": ParagraphStyle("ov_caption", fontName=SANS_BOLD, fontSize=7.5, leading=10,
                                  textColor=MUTED, spaceAfter=3),
        "bullet": ParagraphStyle("ov_bullet", parent=body, leftIndent=14, bulletIndent=3,
                                 spaceAfter=2.5, bulletFontName=SANS),
        "h1": ParagraphStyle("ov_h1", fontName=SANS_BOLD, fontSize=14, leading=18,
                             textColor=NAVY, spaceBefore=0, spaceAfter=6),
        "h2": ParagraphStyle("ov_h2", fontName=SANS_BOLD, fontSize=11, leading=14,
                             textColor=NAVY, spaceBefore=10, spaceAfter=4),
        "h3": ParagraphStyle("ov_h3", fontName=SANS_BOLD, fontSize=9.5, leading=12,
                             textColor=INK, spaceBefore=10, spaceAfter=4),
        "kv_label": ParagraphStyle("ov_kv_label", fontName=SANS, fontSize=8.5, leading=11,
                                   textColor=MUTED),
        "kv_value": ParagraphStyle("ov_kv_value", fontName=SANS, fontSize=9, leading=11.5,
                                   textColor=INK),
        "authority": ParagraphStyle("ov_authority", fontName=SANS_BOLD, fontSize=11,
                                    leading=14, textColor=NAVY, spaceAfter=6),
        "title": ParagraphStyle("ov_title", fontName=SANS_BOLD, fontSize=24, leading=29,
                                textColor=INK, spaceBefore=18, spaceAfter=6),
        "subtitle": ParagraphStyle("ov_subtitle", fontName=SANS, fontSize=14, leading=18,
                                   textColor=MUTED, spaceAfter=20),
        "box_label": ParagraphStyle("ov_box_label", fontName=SANS_BOLD, fontSize=7.5,
                                    leading=10, textColor=MUTED),
        "box_value": ParagraphStyle("ov_box_value", fontName=SANS_BOLD, fontSize=15,
                                    leading=19, textColor=NAVY),
        "box_text": ParagraphStyle("ov_box_text", fontName=SANS, fontSize=9.5, leading=12.5,
                                   textColor=INK),
        "toc_title": ParagraphStyle("ov_toc_title", fontName=SANS_BOLD, fontSize=14,
                                    leading=18, textColor=NAVY, spaceAfter=14),
        "toc0": ParagraphStyle("ov_toc0", fontName=SANS_BOLD, fontSize=9.5, leading=13,
                               textColor=INK, spaceBefore=3, rightIndent=30),
        "toc1": ParagraphStyle("ov_toc1", fontName=SANS, fontSize=8.5, leading=11.5,
                               textColor=INK, leftIndent=22, rightIndent=30),
    }


@cache
def _cell_styles(size: float) -> dict[str, ParagraphStyle]:
    """Table cell styles for one type size (7.5 pt, or 6.5 pt on the widest tables)."""
    register_fonts()
    cell = ParagraphStyle(f"ov_cell_{size}", fontName=SANS, fontSize=size,
                          leading=_leading(size), textColor=INK)
    return {
        "cell": cell,
        "th": ParagraphStyle(f"ov_th_{size}", parent=cell, fontName=SANS_BOLD),
        "th_r": ParagraphStyle(f"ov_th_r_{size}", parent=cell, fontName=SANS_BOLD,
                               alignment=TA_RIGHT),
        "total": ParagraphStyle(f"ov_total_{size}", parent=cell, fontName=SANS_BOLD),
    }


def _leading(size: float) -> float:
    return round(size * 1.27, 2)


# --- Values -----------------------------------------------------------------------------------

_NUMERIC = {"int", "money", "percent", "number"}


def _finite(value: Any) -> bool:
    if isinstance(value, Decimal):
        return value.is_finite()
    if isinstance(value, float):
        return not (math.isnan(value) or math.isinf(value))
    return True


def _whole_money(table: Table, index: int) -> bool:
    """True when a money column holds whole amounts only: then it shows no cents."""
    rows = [*table.rows[:MAX_PDF_ROWS], *([table.totals] if table.totals else [])]
    for row in rows:
        value = row[index] if index < len(row) else None
        if (isinstance(value, float | Decimal) and _finite(value)
                and value != int(value)):
            return False
    return True


def _text(value: Any, kind: str, whole: bool = False) -> str:
    """A cell as printed: grouped thousands, ISO dates, shares as percentages."""
    if value is None:
        return ""
    if isinstance(value, Withheld):
        return WITHHELD_TEXT
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float | Decimal):
        if not _finite(value):
            return ""
        if kind == "percent":
            return f"{float(value) * 100:.1f}%"
        if isinstance(value, int):
            return f"{value:,}"
        if kind == "money":
            return f"{value:,.0f}" if whole else f"{value:,.2f}"
        if isinstance(value, Decimal):
            return f"{value:,f}"
        if value == int(value):
            return f"{value:,.0f}"
        return f"{value:,.2f}".rstrip("0").rstrip(".") if abs(value) >= 0.01 else f"{value:.2g}"
    if isinstance(value, datetime):
        return _as_utc(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).translate(_CONTROLS)      # no missing-glyph boxes for controls


# --- Table layout -----------------------------------------------------------------------------

_PAD = {7.5: 3.0, 6.5: 2.2}           # left and right cell padding per type size
_TEXT_MAX = 200.0                     # a text column's natural width, at most
_TEXT_MIN = 46.0                      # ... and its narrowest, unless its words are shorter


@dataclass(frozen=True)
class _Layout:
    landscape: bool
    size: float
    bands: list[list[int]]            # column indices, the stub columns first in each band
    band_widths: list[list[float]]    # the widths of each band's columns
    headings: list[str]
    unit_note: str                    # "Amounts in EUR." when the unit left the headers


def _headings(columns: Sequence[Column]) -> tuple[list[str], str]:
    """Column headers; when four or more money columns share a currency, the currency goes
    into a note above the table instead of into every header (the COARM table)."""
    money = [c for c in columns if c.kind == "money"]
    units = {c.unit for c in money}
    if len(money) >= 4 and len(units) == 1 and next(iter(units)):
        return [c.title for c in columns], f"Amounts in {next(iter(units))}."
    return [column_heading(c) for c in columns], ""


def _measure(table: Table, rows: Sequence[Sequence[Any]], headings: Sequence[str],
             size: float, whole: Sequence[bool]) -> tuple[list[float], list[float]]:
    """(natural, narrowest) width of each column at a type size, padding included."""
    pad = 2 * _PAD[size] + 1.0          # and a point for rounding: no word breaks mid-way
    natural, narrowest = [], []
    sample = [*rows[:MAX_PDF_ROWS], *([table.totals] if table.totals else [])]
    for i, (column, heading) in enumerate(zip(table.columns, headings, strict=True)):
        words = heading.split() or [""]
        head_min = max(stringWidth(w, SANS_BOLD, size) for w in words)
        head_nat = _two_lines(words, size)
        texts = [_text(row[i] if i < len(row) else None, column.kind, whole[i])
                 for row in sample]
        widest = max((stringWidth(t, SANS_BOLD, size) for t in texts), default=0.0)
        if column.kind == "text":
            longest_word = max((stringWidth(w, SANS, size) for t in texts for w in t.split()),
                               default=0.0)
            nat = min(widest, _TEXT_MAX)
            low = min(nat, max(min(longest_word, 90.0), _TEXT_MIN))
        else:
            nat = low = widest
        natural.append(max(head_nat, nat) + pad)
        narrowest.append(max(head_min, low) + pad)
    return natural, narrowest


def _two_lines(words: Sequence[str], size: float) -> float:
    """The width a header needs on at most two lines, broken at the best word."""
    return min(max(stringWidth(" ".join(words[:k]), SANS_BOLD, size),
                   stringWidth(" ".join(words[k:]), SANS_BOLD, size))
               for k in range(1, len(words) + 1))


def _allocate(cols: Sequence[int], kinds: Sequence[str], natural: Sequence[float],
              narrowest: Sequence[float], width: float) -> list[float]:
    """Widths summing to ``width``: figures at their natural width, text sharing the rest.

    Spare room first evens out the columns of a grid of figures (ML1..ML22 read best in
    equal columns), then is spread in proportion.
    """
    nat = [natural[i] for i in cols]
    text = [i for i, c in enumerate(cols) if kinds[c] == "text"]
    if sum(nat) > width:                    # text wraps: squeeze it, figures never
        low = [narrowest[i] if i in text else nat[i] for i in range(len(cols))]
        room = width - sum(low)
        slack = sum(nat[i] - low[i] for i in text)
        if room < 0 or not slack:           # cannot fit: shrink everything in proportion
            return [w * width / sum(low) for w in low]
        return [low[i] + (room * (nat[i] - low[i]) / slack if i in text else 0.0)
                for i in range(len(cols))]
    spare = width - sum(nat)
    numbers = [i for i, c in enumerate(cols) if kinds[c] in _NUMERIC]
    if len(numbers) >= 6:
        level = _fill_level([nat[i] for i in numbers], spare)
        for i in numbers:
            if nat[i] < level:
                spare -= level - nat[i]
                nat[i] = level
    total = sum(nat)
    return [n + spare * n / total for n in nat]


def _fill_level(widths: Sequence[float], budget: float) -> float:
    """The width narrow columns can all be raised to with ``budget`` points, at most the
    widest of them (water filling)."""
    ordered = sorted(widths)
    used = 0.0
    for k, w in enumerate(ordered[1:], 1):
        step = (w - ordered[k - 1]) * k
        if used + step > budget:
            return ordered[k - 1] + (budget - used) / k
        used += step
    return ordered[-1]


def _layout(table: Table, rows: Sequence[Sequence[Any]], whole: Sequence[bool]) -> _Layout:
    """Portrait if the table fits, else landscape, else landscape in a smaller type, else
    landscape cut into column bands that each repeat the leading text columns."""
    headings, unit_note = _headings(table.columns)
    kinds = [c.kind for c in table.columns]
    every = list(range(len(table.columns)))
    # Portrait only when little text has to wrap: a register squeezed into portrait
    # wraps every name onto three lines and takes twice the pages.
    # Landscape in the small type when text would wrap a lot in the regular one.
    trials = ((False, 7.5, 1.25), (True, 7.5, 1.15), (True, 6.5, 99.0))
    for is_landscape, size, slack in trials:
        width = LANDSCAPE_W if is_landscape else PORTRAIT_W
        natural, narrowest = _measure(table, rows, headings, size, whole)
        if sum(narrowest) <= width and sum(natural) <= width * slack:
            widths = _allocate(every, kinds, natural, narrowest, width)
            return _Layout(is_landscape, size, [every], [widths], headings, unit_note)
    # Bands: the leading text columns (at most three: destination, code, row label)
    # repeat; the rest split evenly, the
    # remainder going to the later bands (ML1–ML11, then ML12–ML22 and Total).
    stub = []
    for i, kind in enumerate(kinds[:3]):
        if kind != "text" or i != len(stub):
            break
        stub.append(i)
    rest = every[len(stub):]
    natural, narrowest = _measure(table, rows, headings, 6.5, whole)
    if len(rest) < 2:                       # nothing to cut: squeeze into one landscape band
        widths = _allocate(every, kinds, natural, narrowest, LANDSCAPE_W)
        return _Layout(True, 6.5, [every], [widths], headings, unit_note)
    best: list[list[int]] = [stub + rest]
    for n in range(2, max(len(rest), 2) + 1):
        q, r = divmod(len(rest), n)
        sizes = [q + (1 if k >= n - r else 0) for k in range(n)]
        bands, start = [], 0
        for s in sizes:
            bands.append(stub + rest[start:start + s])
            start += s
        best = bands
        if all(sum(narrowest[i] for i in band) <= LANDSCAPE_W for band in bands):
            break
    band_widths = [_allocate(band, kinds, natural, narrowest, LANDSCAPE_W) for band in best]
    return _Layout(True, 6.5, best, band_widths, headings, unit_note)


# --- Table flowables --------------------------------------------------------------------------

class _TableBuilder:
    """Turns a model table into reportlab tables: cells, widths, styles and bands."""

    def __init__(self, table: Table, rows: Sequence[Sequence[Any]]) -> None:
        register_fonts()                    # measuring text needs the fonts
        self.table = table
        self.rows = rows
        self.kinds = [c.kind for c in table.columns]
        self.whole = [c.kind == "money" and _whole_money(table, i)
                      for i, c in enumerate(table.columns)]
        self.layout = _layout(table, rows, self.whole)
        self.size = self.layout.size
        self.styles = _cell_styles(self.size)
        self.pad = _PAD[self.size]
        self.leading = _leading(self.size)

    def _clip(self, text: str, width: float) -> str:
        """Text cut to about 30 lines of its column: a row must fit on one page."""
        room = int(30 * (width - 2 * self.pad) / (self.size * 0.5))
        return text if len(text) <= room else text[:max(room - 40, 20)].rstrip() + \
            " … [cut: the full text is in the Excel and CSV exports]"

    def _cell(self, value: Any, col: int, width: float, total: bool) -> Any:
        """Plain text when it fits on one line (fast to lay out), a Paragraph otherwise."""
        text = _text(value, self.kinds[col], self.whole[col])
        if self.kinds[col] != "text" or isinstance(value, Withheld):
            return text
        text = self._clip(text, width)
        font = SANS_BOLD if total else SANS
        if ("\n" not in text and "\r" not in text
                and stringWidth(text, font, self.size) <= width - 2 * self.pad):
            return text
        return _P(_esc(text), self.styles["total" if total else "cell"])

    def _lines(self, value: Any, col: int, width: float) -> int:
        if self.kinds[col] != "text" or value is None or isinstance(value, Withheld):
            return 1
        text = self._clip(_text(value, "text"), width)
        return max(1, len(simpleSplit(text, SANS, self.size, width - 2 * self.pad)))

    def row_height(self, row: Sequence[Any], band: int) -> float:
        cols, widths = self.layout.bands[band], self.layout.band_widths[band]
        lines = max((self._lines(row[c] if c < len(row) else None, c, w)
                     for c, w in zip(cols, widths, strict=True)), default=1)
        return lines * self.leading + 4.5

    def header_height(self, band: int) -> float:
        cols, widths = self.layout.bands[band], self.layout.band_widths[band]
        lines = max(len(simpleSplit(self.layout.headings[c], SANS_BOLD, self.size,
                                    w - 2 * self.pad)) for c, w in zip(cols, widths, strict=True))
        return lines * self.leading + 4.5

    def build(self, rows: Sequence[Sequence[Any]], band: int, totals: bool) -> _T:
        cols, widths = self.layout.bands[band], self.layout.band_widths[band]
        st = self.styles
        head = [_P(_esc(self.layout.headings[c]),
                   st["th_r"] if self.kinds[c] in _NUMERIC else st["th"]) for c in cols]
        data: list[list[Any]] = [head]
        for row in rows:
            data.append([self._cell(row[c] if c < len(row) else None, c, w, False)
                         for c, w in zip(cols, widths, strict=True)])
        totals_row = self.table.totals if totals else None
        if totals_row is not None:
            data.append([self._cell(totals_row[c] if c < len(totals_row) else None, c, w, True)
                         for c, w in zip(cols, widths, strict=True)])
        table = _T(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
        table.setStyle(self._style(cols, rows, totals_row))
        return table

    def _style(self, cols: Sequence[int], rows: Sequence[Sequence[Any]],
               totals: Sequence[Any] | None) -> TableStyle:
        last_body = len(rows)
        commands: list[tuple[Any, ...]] = [
            ("FONT", (0, 1), (-1, -1), SANS, self.size, self.leading),
            ("TEXTCOLOR", (0, 1), (-1, -1), INK),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
            ("LEFTPADDING", (0, 0), (-1, -1), self.pad),
            ("RIGHTPADDING", (0, 0), (-1, -1), self.pad),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, RULE),
            ("LINEBELOW", (0, 1), (-1, -1), 0.25, GRID),
            ("LINEBEFORE", (1, 0), (-1, -1), 0.25, GRID),
            ("BOX", (0, 0), (-1, -1), 0.4, RULE),
        ]
        if last_body:
            commands.append(("ROWBACKGROUNDS", (0, 1), (-1, last_body), [None, ZEBRA]))
        for pos, c in enumerate(cols):
            if self.kinds[c] in _NUMERIC:
                commands.append(("ALIGN", (pos, 1), (pos, -1), "RIGHT"))
        if totals is not None:
            t = last_body + 1
            commands += [("FONT", (0, t), (-1, t), SANS_BOLD, self.size, self.leading),
                         ("BACKGROUND", (0, t), (-1, t), TOTAL_BG),
                         ("LINEABOVE", (0, t), (-1, t), 0.8, INK)]
        # Withheld values in grey italics, as runs down each column (few commands).
        for pos, c in enumerate(cols):
            start: int | None = None
            for r, row in enumerate([*rows, None], 1):
                held = row is not None and c < len(row) and isinstance(row[c], Withheld)
                if held and start is None:
                    start = r
                elif not held and start is not None:
                    commands += [("FONT", (pos, start), (pos, r - 1), SANS_ITALIC, self.size,
                                  self.leading),
                                 ("TEXTCOLOR", (pos, start), (pos, r - 1), MUTED)]
                    start = None
            if totals is not None and c < len(totals) and isinstance(totals[c], Withheld):
                t = last_body + 1
                commands += [("FONT", (pos, t), (pos, t), SANS_BOLD_ITALIC, self.size,
                              self.leading),
                             ("TEXTCOLOR", (pos, t), (pos, t), MUTED)]
        return _style(*commands)

    def caption(self, band: int) -> str:
        cols = self.layout.bands[band]
        stub = [c for c in cols if c in self.layout.bands[-1] and c in self.layout.bands[0]]
        own = [c for c in cols if c not in stub] or cols
        first, last = self.layout.headings[own[0]], self.layout.headings[own[-1]]
        span = first if first == last else f"{first} to {last}"
        return f"Part {band + 1} of {len(self.layout.bands)}: {span}"


# --- Charts -----------------------------------------------------------------------------------

def _scale(peak: float) -> tuple[float, str]:
    """Axis unit: millions or thousands for large values, so labels stay short."""
    if peak >= 10_000_000:
        return 1_000_000.0, "millions"
    if peak >= 100_000:
        return 1_000.0, "thousands"
    return 1.0, ""


def _nice_axis(low: float, high: float) -> tuple[float, float, float]:
    """(min, max, step) of a value axis: round steps of 1, 2, 2.5 or 5 × 10^n, four to
    eight of them, ending on a labelled gridline just above the largest value."""
    span = (high - low) or abs(high) or 1.0
    raw = span / 5
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    return math.floor(low / step) * step, math.ceil(high / step) * step, step


def _axis_format(scale: float, step: float) -> Callable[[float], str]:
    decimals = 0 if step / scale >= 1 else (1 if step / scale >= 0.1 else 2)

    def label(value: float) -> str:
        return f"{value / scale:,.{decimals}f}"
    return label


def _short(text: str, width: float, size: float) -> str:
    return _fit(text, SANS, size, width)


def chart_drawing(chart: Chart, width: float, height: float = 240.0) -> Drawing:
    """A bar or line chart with value-axis title, gridlines and a legend, in sober colours.

    Category labels turn 45° when they would not fit side by side, and are shortened to
    stay inside the drawing; values of ten thousand and more are shown in thousands or
    millions, said in the axis title.
    """
    register_fonts()
    drawing = Drawing(width, height)
    categories = list(chart.categories) or [""]
    n = len(categories)
    # One value per category; a missing or non-finite one is a gap, never a zero.
    series: list[tuple[str, list[float | None]]] = []
    for name, raw in chart.series:
        points = [float(v) if v is not None and _finite(v) else None for v in raw[:n]]
        points += [None] * (n - len(points))
        if any(v is not None for v in points):
            series.append((name, points))
    values = [v for _, vs in series for v in vs if v is not None]
    # A line needs two points in every series; otherwise bars say the same honestly.
    kind = chart.kind
    if kind == "line" and any(sum(v is not None for v in vs) < 2 for _, vs in series):
        kind = "bar"
    if not series:
        series = [("No data", [None] * n)]
    peak = max([abs(v) for v in values] or [0.0]) or 1.0
    low = min([*values, 0.0])
    scale, unit = _scale(peak)
    axis_min, axis_max, step = _nice_axis(min(low, 0.0), max(max(values or [0.0]), 0.0)
                                          or 1.0)
    label = _axis_format(scale, step)

    tick_size = 7.0
    left = 14 + max(stringWidth(label(x), SANS, tick_size) for x in (axis_max, axis_min)) + 8
    right = 8
    legend_h = 16
    plot_w = width - left - right
    slot = plot_w / max(n, 1)
    widest = max(stringWidth(c, SANS, tick_size) for c in categories)
    rotate = widest > slot - 4
    shown = categories
    cat_size = tick_size
    angle = 0
    if rotate:
        # Turned labels lie a slot × sin(angle) apart and need about 1.25 × their type
        # size: 45° while that fits, then upright (90°), in smaller type, and at the last
        # every other (third, ...) label, rather than labels printed over each other.
        angle = 45 if slot * 0.707 >= tick_size * 1.25 else 90
        room = slot * (0.707 if angle == 45 else 1.0)
        cat_size = max(5.5, min(tick_size, room / 1.25))
        every = max(1, math.ceil(cat_size * 1.25 / room))
        shown = [_short(c, 80.0, cat_size) if i % every == 0 else ""
                 for i, c in enumerate(categories)]
    label_h = (max(stringWidth(c, SANS, cat_size) for c in shown)
               * (0.71 if angle == 45 else 1.0) + 8 if rotate else cat_size + 6)
    bottom = label_h + 6
    plot_h = height - bottom - legend_h - 8

    plot: VerticalBarChart | HorizontalLineChart
    if kind == "line":
        plot = HorizontalLineChart()
        plot.joinedLines = 1
        for i in range(len(series)):
            plot.lines[i].strokeColor = SERIES[i % len(SERIES)]
            plot.lines[i].strokeWidth = 1.6
            plot.lines[i].symbol = makeMarker("FilledCircle", size=3.2,
                                              fillColor=SERIES[i % len(SERIES)],
                                              strokeColor=SERIES[i % len(SERIES)])
        plot.categoryAxis.labelAxisMode = "low"
    else:
        plot = VerticalBarChart()
        plot.barSpacing = 0.5
        # Bars at most 36 pt wide: a chart of two categories is not two slabs.
        plot.groupSpacing = max(2.0, slot * 0.25, slot - 36.0 * len(series))
        for i in range(len(series)):
            plot.bars[i].fillColor = SERIES[i % len(SERIES)]
            plot.bars[i].strokeColor = None
    plot.x, plot.y, plot.width, plot.height = left, bottom, plot_w, plot_h
    plot.data = [vs for _, vs in series]
    axis = plot.categoryAxis
    axis.categoryNames = shown
    axis.labels.fontName = SANS
    axis.labels.fontSize = cat_size
    axis.labels.fillColor = INK
    axis.strokeColor = RULE
    axis.tickDown = 2
    if rotate:
        axis.labels.angle = angle
        axis.labels.boxAnchor = "ne" if angle == 45 else "e"
        axis.labels.dx = 2 if angle == 45 else 0
        axis.labels.dy = -2 if angle == 45 else -3
    else:
        axis.labels.boxAnchor = "n"
        axis.labels.dy = -2
    value_axis = plot.valueAxis
    value_axis.valueMin = axis_min
    value_axis.valueMax = axis_max
    value_axis.valueStep = step
    value_axis.labels.fontName = SANS
    value_axis.labels.fontSize = tick_size
    value_axis.labels.fillColor = INK
    value_axis.labelTextFormat = label
    value_axis.strokeColor = RULE
    value_axis.visibleGrid = 1
    value_axis.gridStrokeColor = colors.HexColor("#E1E5EA")
    value_axis.gridStrokeWidth = 0.4
    drawing.add(plot)

    title = chart.y_title or ""
    if unit:
        title = f"{title} ({unit})" if title else unit.capitalize()
    if title:
        axis_title = Group(String(0, 0, title, fontName=SANS, fontSize=7.5, fillColor=MUTED,
                                  textAnchor="middle"))
        axis_title.transform = (0, 1, -1, 0, 8, bottom + plot_h / 2)
        drawing.add(axis_title)

    if not values:
        drawing.add(String(left + plot_w / 2, bottom + plot_h / 2, "No data for this chart.",
                           fontName=SANS_ITALIC, fontSize=8, fillColor=MUTED,
                           textAnchor="middle"))
        return drawing

    legend = Legend()
    legend.fontName = SANS
    legend.fontSize = 7.5
    legend.fillColor = INK
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.boxAnchor = "nw"
    legend.x = left
    legend.y = height - 2
    legend.dx = legend.dy = 7
    legend.dxTextSpace = 4
    legend.deltax = max(stringWidth(name, SANS, 7.5) for name, _ in series) + 26
    legend.strokeWidth = 0
    legend.strokeColor = None
    legend.colorNamePairs = [(SERIES[i % len(SERIES)], name or "Value")
                             for i, (name, _) in enumerate(series)]
    drawing.add(legend)
    return drawing


# --- Document template ------------------------------------------------------------------------

class _OversightTemplate(BaseDocTemplate):
    """A4 portrait cover and body pages, and landscape body pages for wide tables."""

    def __init__(self, buf: io.BytesIO, report: OversightReport,
                 page_total: _PageTotal) -> None:
        super().__init__(
            buf, pagesize=PORTRAIT, leftMargin=SIDE, rightMargin=SIDE, topMargin=TOP,
            bottomMargin=BOTTOM, title=report.title, author=report.authority or "Golden Rule",
            subject=f"{report.title}, {_period(report)}", creator="Golden Rule",
            keywords=f"{report.profile}; redaction {report.redaction}",
            producer="Golden Rule (ReportLab)", invariant=1, lang="en", displayDocTitle=True,
            initialFontName=SANS, initialFontSize=9, initialLeading=12)
        self.report = report
        self.page_total = page_total

        def frame(page: tuple[float, float], name: str) -> Frame:
            w, h = _frame_size(page)
            return Frame(SIDE, BOTTOM, w, h, leftPadding=0, rightPadding=0, topPadding=0,
                         bottomPadding=0, id=name)

        self.addPageTemplates([
            PageTemplate("cover", [frame(PORTRAIT, "cover")], onPage=self._cover_page,
                         pagesize=PORTRAIT),
            PageTemplate("portrait", [frame(PORTRAIT, "p")], onPage=self._body_page,
                         pagesize=PORTRAIT),
            PageTemplate("landscape", [frame(LANDSCAPE, "l")], onPage=self._body_page,
                         pagesize=LANDSCAPE),
        ])
        self._pdf_date = _as_utc(report.generated_at).strftime("D:%Y%m%d%H%M%S+00'00'")

    def beforeDocument(self) -> None:
        # Pass 1 never satisfies _PageTotal, so it is never the saved pass: draw nothing.
        setattr(self.canv, _LAYOUT_ONLY, self.page_total.previous is None)
        pdf_date = self._pdf_date
        self.canv.setDateFormatter(lambda *_: pdf_date)

    def afterPage(self) -> None:
        self.page_total.current = self.page

    def afterFlowable(self, flowable: Flowable) -> None:
        if isinstance(flowable, _Heading) and flowable.toc_key:
            self.canv.addOutlineEntry(flowable.toc_text, flowable.toc_key,
                                      level=flowable.toc_level, closed=flowable.toc_level > 0)
            self.notify("TOCEntry", (flowable.toc_level, _esc(flowable.toc_text), self.page,
                                     flowable.toc_key))

    # Page furniture

    def _marking(self, canv: Canvas) -> None:
        page_w, page_h = canv._pagesize
        report = self.report
        if report.classification:
            canv.setFillColor(INK)
            canv.setFont(SANS_BOLD, 9.5)
            canv.drawCentredString(page_w / 2, page_h - 9 * mm, report.classification)
            canv.drawCentredString(page_w / 2, 6.5 * mm, report.classification)
        total = self.page_total.previous
        canv.setFont(SANS, 7.5)
        canv.setFillColor(MUTED)
        canv.drawRightString(page_w - SIDE, 12 * mm,
                             f"Page {canv.getPageNumber()} of {total if total else '?'}")

    def _cover_page(self, canv: Canvas, _doc: BaseDocTemplate) -> None:
        canv.saveState()
        self._marking(canv)
        canv.restoreState()

    def _body_page(self, canv: Canvas, _doc: BaseDocTemplate) -> None:
        report = self.report
        page_w, page_h = canv._pagesize
        width = page_w - 2 * SIDE
        canv.saveState()
        self._marking(canv)
        top = page_h - 15 * mm
        canv.setFont(SANS, 7.5)
        canv.setFillColor(MUTED)
        left = _fit(f"{report.title} · {_period(report)}", SANS, 7.5, width * 0.62)
        canv.drawString(SIDE, top, left)
        if report.authority:
            room = width - stringWidth(left, SANS, 7.5) - 18
            canv.drawRightString(page_w - SIDE, top, _fit(report.authority, SANS, 7.5, room))
        canv.drawString(SIDE, 12 * mm, _fit(_redaction_text(report), SANS, 7.5, width - 90))
        canv.setStrokeColor(GRID)
        canv.setLineWidth(0.5)
        canv.line(SIDE, top - 2.5 * mm, page_w - SIDE, top - 2.5 * mm)
        canv.line(SIDE, 15 * mm, page_w - SIDE, 15 * mm)
        canv.restoreState()


# --- Story ------------------------------------------------------------------------------------

class _Story:
    def __init__(self, report: OversightReport) -> None:
        self.report = report
        self.st = _styles()
        self.items: list[Flowable] = []
        self.section = 0

    def p(self, text: object, style: str = "body") -> Paragraph:
        return _P(_esc(text), self.st[style])

    def new_page(self, template: str) -> None:
        self.items += [NextPageTemplate(template), PageBreak()]

    def heading(self, text: str, key: str) -> _Heading:
        self.section += 1
        return _Heading(f"{self.section} {text}", self.st["h1"], level=0, key=key)

    def bullets(self, lines: Sequence[str], empty: str) -> None:
        if not lines:
            self.items.append(self.p(empty))
            return
        for line in lines:
            self.items.append(_P(_esc(line), self.st["bullet"], bulletText="•"))

    def kv(self, rows: Sequence[tuple[str, str]], width: float, label_w: float = 130) -> _T:
        data = [[self.p(label, "kv_label"), self.p(value or "—", "kv_value")]
                for label, value in rows]
        table = _T(data, colWidths=[label_w, width - label_w], hAlign="LEFT")
        table.setStyle(_style(
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 6),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ("LINEBELOW", (0, 0), (-1, -1), 0.3, GRID),
        ))
        return table

    def box(self, label: str, value: str, text: str, colour: colors.Color = NAVY) -> _T:
        cell: list[Flowable] = [self.p(label, "box_label"),
                                _P(_esc(value), ParagraphStyle("ov_box_c",
                                                               parent=self.st["box_value"],
                                                               textColor=colour))]
        if text:
            cell.append(self.p(text, "box_text"))
        box = _T([[cell]], colWidths=[PORTRAIT_W], hAlign="LEFT")
        box.setStyle(_style(
            ("BACKGROUND", (0, 0), (-1, -1), SHADE),
            ("LINEBEFORE", (0, 0), (0, -1), 4, colour),
            ("LEFTPADDING", (0, 0), (-1, -1), 12),
            ("TOPPADDING", (0, 0), (-1, -1), 8),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 10),
        ))
        return box

    # Sections

    def build(self, page_total: _PageTotal) -> list[Flowable]:
        self.items = [page_total]
        self.cover()
        if len(self.report.tables) > 1:
            self.contents()
        for i, table in enumerate(self.report.tables):
            self.table(i, table)
        if self.report.charts:
            self.charts()
        self.method()
        return self.items

    def cover(self) -> None:
        report, add = self.report, self.items.append
        if report.authority:
            add(self.p(report.authority, "authority"))
        add(HRFlowable(width="100%", thickness=1.4, color=NAVY, spaceBefore=0, spaceAfter=0))
        add(self.p(report.title, "title"))
        add(self.p(_period(report), "subtitle"))
        if report.nil:
            add(self.box("NIL REPORT", "Nil report",
                         "No reportable transfer took place in the period."))
            add(Spacer(1, 10))
        if report.classification:
            add(self.box("CLASSIFICATION", report.classification,
                         f"Redaction profile applied: {report.redaction_title}."
                         if report.redaction != "none" else
                         "Unredacted: for the authority and its oversight bodies only."))
        else:
            add(self.box("PUBLICATION", f"Published under redaction profile "
                         f"{report.redaction_title}",
                         "Values the profile withholds are shown as [withheld]; the final "
                         "section says what was withheld and why."))
        add(Spacer(1, 18))
        rows = [
            ("Authority", report.authority or "Not set"),
            ("Period", f"{report.period_from.isoformat()} to {report.period_to.isoformat()}"),
            ("Report", f"{report.title} ({report.profile})"),
            ("Redaction profile", f"{report.redaction_title} ({report.redaction})"),
            ("Classification", report.classification or "None: a publication"),
            ("Records counted", f"{report.counted:,}"),
            ("Tables", ", ".join(t.title for t in report.tables) or "None"),
            ("Generated", f"{_utc_text(report.generated_at)} by {report.generated_by}"),
        ]
        add(self.kv(rows, PORTRAIT_W, label_w=120))
        add(_FillBottom(self.p(
            "Figures are counted from the signed decision records of the period. How they were "
            "computed, and what the redaction profile withheld, are set out in the final "
            "section, Method and redaction. The same tables are in the Excel and CSV "
            "exports of this report.", "small")))

    def contents(self) -> None:
        st = self.st
        self.new_page("portrait")
        self.items.append(self.p("Contents", "toc_title"))
        toc_style = _style(
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        )
        self.items.append(TableOfContents(levelStyles=[st["toc0"], st["toc1"]], dotsMinLevel=0,
                                          rightColumnWidth=40, tableStyle=toc_style))

    def table(self, index: int, table: Table) -> None:
        report, add = self.report, self.items.append
        shown = table.rows[:MAX_PDF_ROWS]
        builder = _TableBuilder(table, shown)
        layout = builder.layout
        frame_w, frame_h = ((LANDSCAPE_W, LANDSCAPE_H) if layout.landscape
                            else (PORTRAIT_W, PORTRAIT_H))
        self.new_page("landscape" if layout.landscape else "portrait")
        head: list[Flowable] = [self.heading(table.title, f"t{index}")]
        intro = []
        if len(table.rows) > len(shown):
            n = f"{len(table.rows):,}"
            kind = "register" if "register" in f"{table.id} {report.profile}" else "table"
            intro.append(
                f"This PDF shows the first {len(shown):,} of {n} rows. The full {kind} "
                f"({n} rows) is in the Excel and CSV exports of this report."
                + (f" The totals row covers all {n} rows." if table.totals is not None else ""))
        if layout.unit_note:
            intro.append(layout.unit_note)
        if len(layout.bands) > 1:
            intro.append(f"The table's {len(table.columns)} columns are printed in "
                         f"{len(layout.bands)} parts, one above the other, for the same rows.")
        if any(isinstance(v, Withheld) for row in shown for v in row) or (
                table.totals is not None and any(isinstance(v, Withheld)
                                                 for v in table.totals)):
            intro.append(f"{WITHHELD_TEXT}: a value withheld under the redaction profile "
                         f"({report.redaction_title}); see Method and redaction.")
        head += [self.p(text, "small") for text in intro]
        if not table.rows:
            add(KeepTogether(head))
            add(self.p("Nil report: no rows in this table." if report.nil else "No rows."))
        elif len(layout.bands) == 1:
            # The section starts a page, so the heading cannot be left behind alone.
            self.items += [*head, Spacer(1, 2), builder.build(shown, 0, totals=True)]
        else:
            self._banded(builder, shown, head, frame_w, frame_h)
        if table.notes:
            add(Spacer(1, 4))
            for note in table.notes:
                add(self.p(note, "note"))

    def _banded(self, builder: _TableBuilder, rows: Sequence[Sequence[Any]],
                head: list[Flowable], frame_w: float, frame_h: float) -> None:
        """Row chunks that fit a page, each printed once per column band, stacked."""
        add = self.items.append
        bands = range(len(builder.layout.bands))
        heads = sum(builder.header_height(b) for b in bands)
        caption_h = 13.0 * (len(bands) + 1) + 8.0 * (len(bands) - 1) + 6.0
        used = sum(f.wrap(frame_w, frame_h)[1] + f.getSpaceBefore() + f.getSpaceAfter()
                   for f in head)
        budget = frame_h - used - heads - caption_h - 12
        totals_h = (sum(builder.row_height(builder.table.totals, b) for b in bands)
                    if builder.table.totals is not None else 0.0)
        chunks: list[list[Sequence[Any]]] = [[]]
        room = budget
        for i, row in enumerate(rows):
            need = sum(builder.row_height(row, b) for b in bands)
            if i == len(rows) - 1:
                need += totals_h
            if chunks[-1] and need > room:
                chunks.append([])
                room = frame_h - heads - caption_h - 12
            chunks[-1].append(row)
            room -= need
        for n, chunk in enumerate(chunks):
            last = n == len(chunks) - 1
            block: list[Flowable] = (list(head) if n == 0 else
                                     [self.p(f"{builder.table.title} (continued)", "caption")])
            for b in bands:
                if b:
                    block.append(Spacer(1, 8))
                block.append(self.p(builder.caption(b), "caption"))
                block.append(builder.build(chunk, b, totals=last))
            add(KeepTogether(block))

    def charts(self) -> None:
        add = self.items.append
        self.new_page("portrait")
        add(self.heading("Charts", "charts"))
        for i, chart in enumerate(self.report.charts):
            title = _Heading(chart.title, self.st["h2"], level=1, key=f"c{i}")
            drawing = chart_drawing(chart, PORTRAIT_W, 250)
            add(CondPageBreak(300))
            add(KeepTogether([title, drawing, Spacer(1, 12)]))

    def method(self) -> None:
        report, add = self.report, self.items.append
        self.new_page("portrait")
        add(self.heading("Method and redaction", "method"))
        if report.nil:
            add(self.box("NIL REPORT", "Nil report",
                         "No reportable transfer took place in the period."))
            add(Spacer(1, 8))
        add(self.p("Method", "h3"))
        self.bullets(report.method, "The method was not stated.")
        add(self.p("Redaction", "h3"))
        add(self.p(f"Redaction profile applied: {report.redaction_title} ({report.redaction})."))
        if report.withheld:
            add(self.p("Under this profile the following was withheld:"))
        self.bullets(report.withheld, "Nothing was withheld under this profile.")
        add(self.p(f"In the tables, {WITHHELD_TEXT} in grey italics marks a value withheld "
                   "under the profile.", "small"))
        add(self.p("This report", "h3"))
        capped = [t for t in report.tables if len(t.rows) > MAX_PDF_ROWS]
        rows = [
            ("Generated at", _utc_text(report.generated_at)),
            ("Generated by", report.generated_by),
            ("Records counted", f"{report.counted:,}"),
            ("Classification", report.classification or
             f"None: published under redaction profile {report.redaction_title}"),
        ]
        if capped:
            rows.append(("Rows in this PDF", "; ".join(
                f"{t.title}: the first {MAX_PDF_ROWS:,} of {len(t.rows):,}" for t in capped)
                + ". Every row is in the Excel and CSV exports."))
        add(self.kv(rows, PORTRAIT_W))


# --- Entry point ------------------------------------------------------------------------------

def render_oversight_pdf(report: OversightReport) -> bytes:
    """The report's PDF bytes, the same bytes for the same report."""
    register_fonts()
    buf = io.BytesIO()
    page_total = _PageTotal()
    template = _OversightTemplate(buf, report, page_total)
    story = _Story(report).build(page_total)
    template.multiBuild(story, maxPasses=6)
    return buf.getvalue()
