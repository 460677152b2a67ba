"""The PDF rationale document of a signed licensing decision.

Rendered with reportlab from a ``RationaleInput`` only: the document shows what was signed,
never the live database. The layout reserves three empty signature boxes (the decision and
up to two countersignatures) and reports where they landed, so the signing step can put its
visible PAdES signature fields exactly there, whatever the length of the document.

The bytes are deterministic for a given input (reportlab's invariant mode, a creation date
taken from the input), so a re-render can be compared with the signed file byte for byte.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
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
    Table,
    TableStyle,
)
from reportlab.platypus.tableofcontents import TableOfContents

from reports.fonts import MONO, SANS, SANS_BOLD, SANS_ITALIC, register_fonts
from reports.rationale_model import (
    CheckView,
    CitedEvidence,
    CriterionView,
    PartyView,
    RationaleInput,
    SignatureView,
)

__all__ = ["RenderedPdf", "SignatureBox", "render_rationale_pdf"]


@dataclass(frozen=True)
class SignatureBox:
    """Where a visible signature field goes: an empty, labelled box on one page."""

    page: int                                   # 0-based page index
    box: tuple[float, float, float, float]      # (x1, y1, x2, y2) in points, origin bottom-left


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    signature_boxes: tuple[SignatureBox, ...]   # slot 0: the deciding officer; 1, 2: countersigners


# --- Page geometry and palette ----------------------------------------------------------------

PAGE_W, PAGE_H = A4
MARGIN = 20 * mm
FRAME_W = PAGE_W - 2 * MARGIN
FRAME_H = PAGE_H - 2 * MARGIN

SIG_BOX_W = 240.0
SIG_BOX_H = 60.0
SIG_SLOTS = 3

INK = colors.HexColor("#1B1F24")
MUTED = colors.HexColor("#5B636D")
NAVY = colors.HexColor("#1F3A5F")
RULE = colors.HexColor("#8C949E")
GRID = colors.HexColor("#C5CBD2")
HEAD_BG = colors.HexColor("#E4E8ED")
ZEBRA = colors.HexColor("#F5F7F9")
SHADE = colors.HexColor("#EEF1F5")
BLOCK_BG = colors.HexColor("#F6E1E1")
DARK_RED = colors.HexColor("#8B1C1C")
DARK_GREEN = colors.HexColor("#1F5A32")
DARK_AMBER = colors.HexColor("#8A5800")
DEMO_RED = colors.HexColor("#B3261E")

TITLE = "Licence decision rationale"
DEMO_TEXT = "DEMONSTRATION — NOT A REAL DECISION"


# --- Text helpers -----------------------------------------------------------------------------

# Control characters would print as missing-glyph boxes; a tab as a space.
_CONTROLS = {c: None for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F]}
_CONTROLS[0x09] = " "


def _esc(text: object) -> str:
    """Paragraph markup for user text: escaped, line breaks kept."""
    text = str(text).replace("\r\n", "\n").replace("\r", "\n").translate(_CONTROLS)
    return escape(text).replace("\n", "<br/>")


def _as_utc(moment: datetime) -> datetime:
    """Naive times in the model are UTC (the app stores UTC throughout)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def _utc(moment: datetime) -> str:
    """ISO 8601 in UTC: signed times are compared across offices, never read as local."""
    return _as_utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def _hash_lines(digest: str) -> str:
    """A SHA-256 in two fixed halves: wraps the same way in every column, never mid-guess."""
    digest = _esc(digest)
    return digest if len(digest) <= 32 else f"{digest[:32]}<br/>{digest[32:]}"


def _fit(text: str, font: str, size: float, width: float) -> str:
    """Shorten one-line page furniture with an ellipsis so left and right texts never collide."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _outcome_colour(outcome: str) -> colors.Color:
    if outcome == "refuse":
        return DARK_RED
    if outcome.startswith("approve"):
        return DARK_GREEN
    return DARK_AMBER


def _destination(doc: RationaleInput) -> str:
    if doc.destination:
        return doc.destination
    end_user = _end_user(doc)
    return end_user.country if end_user else "—"


def _end_user(doc: RationaleInput) -> PartyView | None:
    for party in doc.parties:
        if party.role_code == "end_user":
            return party
    return None


# --- Styles -----------------------------------------------------------------------------------

@cache
def _styles() -> dict[str, ParagraphStyle]:
    """Built once per process: building styles per cell was a measurable part of a render."""
    register_fonts()
    body = ParagraphStyle("body", fontName=SANS, fontSize=9, leading=12.5, textColor=INK,
                          spaceAfter=4)
    cell = ParagraphStyle("cell", fontName=SANS, fontSize=7.5, leading=9.6, textColor=INK)
    s: dict[str, ParagraphStyle] = {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10.5, textColor=MUTED),
        "bullet": ParagraphStyle("bullet", parent=body, leftIndent=14, bulletIndent=3,
                                 spaceAfter=2.5, bulletFontName=SANS),
        "h1": ParagraphStyle("h1", fontName=SANS_BOLD, fontSize=14, leading=18, textColor=NAVY,
                             spaceBefore=16, spaceAfter=8),
        "h2": ParagraphStyle("h2", fontName=SANS_BOLD, fontSize=11, leading=14, textColor=NAVY,
                             spaceBefore=12, spaceAfter=2),
        "h3": ParagraphStyle("h3", fontName=SANS_BOLD, fontSize=9, leading=12, textColor=INK,
                             spaceBefore=9, spaceAfter=4),
        "citation": ParagraphStyle("citation", fontName=SANS_ITALIC, fontSize=8.5, leading=11,
                                   textColor=MUTED, spaceAfter=6),
        "label": ParagraphStyle("label", fontName=SANS_BOLD, fontSize=6.5, leading=8.5,
                                textColor=MUTED),
        "quote": ParagraphStyle("quote", fontName=SANS, fontSize=8.5, leading=11.5,
                                textColor=INK),
        "value": ParagraphStyle("value", fontName=SANS_BOLD, fontSize=9, leading=11.5,
                                textColor=INK),
        "kv_label": ParagraphStyle("kv_label", parent=cell, fontSize=8, leading=10.5,
                                   textColor=MUTED),
        "kv_value": ParagraphStyle("kv_value", parent=cell, fontSize=8.5, leading=11),
        "cell": cell,
        "cell_r": ParagraphStyle("cell_r", parent=cell, alignment=TA_RIGHT),
        "cell_muted": ParagraphStyle("cell_muted", parent=cell, textColor=MUTED),
        "cell_mono": ParagraphStyle("cell_mono", parent=cell, fontName=MONO, fontSize=6.5,
                                    leading=8.6),
        "th": ParagraphStyle("th", parent=cell, fontName=SANS_BOLD, fontSize=7.5),
        "th_r": ParagraphStyle("th_r", parent=cell, fontName=SANS_BOLD, alignment=TA_RIGHT),
        "mono": ParagraphStyle("mono", fontName=MONO, fontSize=7.5, leading=10, textColor=INK),
        # Cover
        "authority": ParagraphStyle("authority", fontName=SANS_BOLD, fontSize=11, leading=14,
                                    textColor=NAVY, spaceAfter=6),
        "title": ParagraphStyle("title", fontName=SANS_BOLD, fontSize=25, leading=30,
                                textColor=INK, spaceBefore=18, spaceAfter=6),
        "subtitle": ParagraphStyle("subtitle", fontName=SANS, fontSize=15, leading=19,
                                   textColor=MUTED, spaceAfter=22),
        "outcome_label": ParagraphStyle("outcome_label", fontName=SANS_BOLD, fontSize=7.5,
                                        leading=10, textColor=MUTED),
        "outcome": ParagraphStyle("outcome", fontName=SANS_BOLD, fontSize=21, leading=26),
        "headline": ParagraphStyle("headline", fontName=SANS, fontSize=10, leading=13,
                                   textColor=INK),
        "demo": ParagraphStyle("demo", fontName=SANS_BOLD, fontSize=11, leading=14,
                               textColor=DEMO_RED, alignment=TA_CENTER),
        "toc_title": ParagraphStyle("toc_title", fontName=SANS_BOLD, fontSize=14, leading=18,
                                    textColor=NAVY, spaceAfter=14),
        "toc0": ParagraphStyle("toc0", fontName=SANS_BOLD, fontSize=9.5, leading=13,
                               textColor=INK, spaceBefore=3, leftIndent=0, rightIndent=30),
        "toc1": ParagraphStyle("toc1", fontName=SANS, fontSize=8.5, leading=11.5,
                               textColor=INK, leftIndent=22, rightIndent=30),
        "sig_title": ParagraphStyle("sig_title", fontName=SANS_BOLD, fontSize=9, leading=12,
                                    textColor=INK),
        "sig_detail": ParagraphStyle("sig_detail", fontName=SANS, fontSize=7.5, leading=10,
                                     textColor=MUTED),
    }
    return s


def _style(*commands: tuple[Any, ...]) -> TableStyle:
    """A TableStyle whose default cell font is ours: reportlab's is Helvetica, not embedded."""
    return TableStyle([("FONT", (0, 0), (-1, -1), SANS, 8), *commands])


def _table_style(extra: Iterable[tuple[Any, ...]] = ()) -> TableStyle:
    return _style(
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3.5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3.5),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [None, ZEBRA]),
        ("GRID", (0, 0), (-1, -1), 0.3, GRID),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, RULE),
        *extra,
    )


def _widths(*parts: float) -> list[float]:
    """Column widths in proportion, always summing to the frame width."""
    total = sum(parts)
    return [FRAME_W * p / total for p in parts]


# --- Custom flowables -------------------------------------------------------------------------

# Set on the canvas of the first multiBuild pass, which only lays out (for the TOC and the
# page total) and is thrown away: drawing text into it was a third of the render time.
_LAYOUT_ONLY = "_golden_rule_layout_only"


class _P(Paragraph):
    """A Paragraph that keeps its line breaks for a width and skips drawing when layout only.

    Tables wrap each cell to size rows, again to split them across pages and again to draw
    them, and multiBuild repeats it all per pass: line breaking was half the render time.
    """

    _wrapped_for: float | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        # split() may drop blPara (a paragraph pushed whole to the next page): then rewrap.
        if self._wrapped_for == availWidth and "blPara" in self.__dict__:
            return self.width, self.height
        width, height = super().wrap(availWidth, availHeight)
        if width:
            self._wrapped_for = availWidth
        return width, height

    def draw(self) -> None:
        if not getattr(self.canv, _LAYOUT_ONLY, False):
            super().draw()


class _T(Table):
    """A Table that draws nothing (grid, backgrounds or cells) in the layout-only pass."""

    def draw(self) -> None:
        if not getattr(self.canv, _LAYOUT_ONLY, False):
            super().draw()


class _Heading(_P):
    """A numbered heading that feeds the table of contents and the PDF outline."""

    def __init__(self, text: str | None, style: ParagraphStyle, bulletText: str | None = None,
                 frags: Any = None, *, level: int = 0, key: str = "") -> None:
        # The positional signature is Paragraph's: Paragraph.split builds its halves with it.
        super().__init__(_esc(text) if text is not None else None, style, bulletText,
                         frags=frags)
        self.toc_text = text or ""
        self.toc_level = level
        self.toc_key = key

    def draw(self) -> None:
        super().draw()
        if self.toc_key:
            self.canv.bookmarkHorizontal(self.toc_key, 0, self.height + self.style.fontSize)


class _PageTotal(Flowable):
    """Zero-size indexing flowable: multiBuild repeats until the page total is stable.

    The footer prints the total found by the previous pass; the TOC already forces two
    passes, so "Page X of Y" costs no extra pass and needs no deferred canvas (which would
    break bookmarks and TOC links).
    """

    def __init__(self) -> None:
        super().__init__()
        self.width = self.height = 0
        self.previous: int | None = None
        self.current: int | None = None

    def isIndexing(self) -> int:
        return 1

    def beforeBuild(self) -> None:
        self.previous, self.current = self.current, None

    def afterBuild(self) -> None:
        pass

    def notify(self, kind: str, stuff: object) -> None:
        pass

    def isSatisfied(self) -> bool:
        return self.previous is not None and self.previous == self.current

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        pass


class _FillBottom(Flowable):
    """Takes the rest of the frame and draws its paragraph at the bottom (the cover note)."""

    def __init__(self, content: Flowable) -> None:
        super().__init__()
        self.content = content
        self._ch = 0.0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        _, self._ch = self.content.wrap(availWidth, availHeight)
        self.width = availWidth
        self.height = max(availHeight - 1, self._ch)
        return self.width, self.height

    def draw(self) -> None:
        self.content.drawOn(self.canv, 0, 0)


class _SignatureSlot(Flowable):
    """A labelled, empty box for one visible signature; records where it was drawn.

    The position is read from the canvas inside ``draw()``, so it is right whatever the
    flow did; each multiBuild pass overwrites it, so the last (saved) pass wins.
    """

    def __init__(self, slot: int, title: str, detail: str, required: bool,
                 record: Callable[[int, SignatureBox], None]) -> None:
        super().__init__()
        st = _styles()
        self.slot = slot
        self.required = required
        self._record = record
        self._title = Paragraph(title, st["sig_title"])
        self._detail = Paragraph(detail, st["sig_detail"])
        self._th = self._dh = 0.0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        _, self._th = self._title.wrap(availWidth, availHeight)
        _, self._dh = self._detail.wrap(availWidth - SIG_BOX_W - 14, availHeight)
        self.width = availWidth
        self.height = self._th + 5 + max(SIG_BOX_H, self._dh)
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        self._title.drawOn(c, 0, self.height - self._th)
        y = self.height - self._th - 5 - SIG_BOX_H
        c.saveState()
        c.setLineWidth(0.8 if self.required else 0.5)
        c.setStrokeColor(RULE if self.required else GRID)
        if not self.required:
            c.setDash(3, 2)
        c.rect(0, y, SIG_BOX_W, SIG_BOX_H, stroke=1, fill=0)
        c.restoreState()
        self._detail.drawOn(c, SIG_BOX_W + 14, y + SIG_BOX_H - self._dh)
        x1, y1 = c.absolutePosition(0, y)
        x2, y2 = c.absolutePosition(SIG_BOX_W, y + SIG_BOX_H)
        self._record(self.slot, SignatureBox(
            page=c.getPageNumber() - 1,
            box=(round(x1, 3), round(y1, 3), round(x2, 3), round(y2, 3))))


# --- Document template ------------------------------------------------------------------------

class _RationaleTemplate(BaseDocTemplate):
    """A4 with a cover template and a body template carrying the running header."""

    def __init__(self, buf: io.BytesIO, doc: RationaleInput, page_total: _PageTotal) -> None:
        subject = f"{doc.record_ref} — {doc.outcome_label}"
        super().__init__(
            buf, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
            bottomMargin=MARGIN, title=f"{TITLE} {doc.record_ref}",
            author=doc.authority or "Golden Rule", subject=subject, creator="Golden Rule",
            producer="Golden Rule (ReportLab)", invariant=1, lang="en",
            displayDocTitle=True,
            # reportlab opens every page in Helvetica: a standard font that is not embedded.
            initialFontName=SANS, initialFontSize=9, initialLeading=12)
        self.rationale = doc
        self.page_total = page_total
        frame = Frame(MARGIN, MARGIN, FRAME_W, FRAME_H, leftPadding=0, rightPadding=0,
                      topPadding=0, bottomPadding=0, id="main")
        self.addPageTemplates([
            PageTemplate("cover", [frame], onPage=self._cover_page,
                         onPageEnd=self._watermark),
            PageTemplate("body", [frame], onPage=self._body_page, onPageEnd=self._watermark),
        ])
        # The creation date comes from the input, never the clock: same input, same bytes.
        created = doc.generated_at or (doc.signatures[0].signed_at if doc.signatures else None)
        self._pdf_date = _as_utc(created).strftime("D:%Y%m%d%H%M%S+00'00'") if created else None

    # Hooks

    def beforeDocument(self) -> None:
        # Pass 1 never satisfies _PageTotal, so it is never the saved pass.
        setattr(self.canv, _LAYOUT_ONLY, self.page_total.previous is None)
        if self._pdf_date:
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
        """Classification centred top and bottom, page number, and the demo marking."""
        doc = self.rationale
        canv.setFillColor(INK)
        if doc.classification:
            canv.setFont(SANS_BOLD, 9.5)
            canv.drawCentredString(PAGE_W / 2, PAGE_H - 9 * mm, doc.classification)
            canv.drawCentredString(PAGE_W / 2, 7 * mm, doc.classification)
        total = self.page_total.previous
        canv.setFont(SANS, 7.5)
        canv.setFillColor(MUTED)
        canv.drawRightString(PAGE_W - MARGIN, 12.5 * mm,
                             f"Page {canv.getPageNumber()} of {total if total else '?'}")
        if doc.is_demo:
            canv.setFont(SANS_BOLD, 7.5)
            canv.setFillColor(DEMO_RED)
            canv.drawCentredString(PAGE_W / 2, PAGE_H - 13 * mm, DEMO_TEXT)

    def _watermark(self, canv: Canvas, _doc: BaseDocTemplate) -> None:
        """Drawn over the content, translucent: table backgrounds cannot hide it."""
        if not self.rationale.is_demo:
            return
        canv.saveState()
        canv.translate(PAGE_W / 2, PAGE_H / 2)
        canv.rotate(52)
        canv.setFont(SANS_BOLD, 64)
        canv.setFillColor(DEMO_RED)
        canv.setFillAlpha(0.11)
        canv.drawCentredString(0, -20, "DEMONSTRATION")
        canv.restoreState()

    def _cover_page(self, canv: Canvas, _doc: BaseDocTemplate) -> None:
        canv.saveState()
        self._marking(canv)
        canv.restoreState()

    def _body_page(self, canv: Canvas, _doc: BaseDocTemplate) -> None:
        doc = self.rationale
        canv.saveState()
        self._marking(canv)
        top = PAGE_H - 16.5 * mm
        canv.setFont(SANS, 7.5)
        canv.setFillColor(MUTED)
        left = f"{TITLE} · {doc.record_ref}"
        canv.drawString(MARGIN, top, left)
        if doc.authority:
            room = FRAME_W - stringWidth(left, SANS, 7.5) - 18
            canv.drawRightString(PAGE_W - MARGIN, top, _fit(doc.authority, SANS, 7.5, room))
        canv.drawString(MARGIN, 12.5 * mm, _fit(f"Case {doc.case_ref} · {doc.outcome_label}",
                                                SANS, 7.5, FRAME_W - 90))
        canv.setStrokeColor(GRID)
        canv.setLineWidth(0.5)
        canv.line(MARGIN, top - 2.5 * mm, PAGE_W - MARGIN, top - 2.5 * mm)
        canv.line(MARGIN, 15.5 * mm, PAGE_W - MARGIN, 15.5 * mm)
        canv.restoreState()


# --- Story ------------------------------------------------------------------------------------

class _Story:
    """Builds the flowables, section by section."""

    def __init__(self, doc: RationaleInput, record: Callable[[int, SignatureBox], None]) -> None:
        self.doc = doc
        self.st = _styles()
        self.record = record
        self.items: list[Flowable] = []

    # Small builders

    def p(self, text: object, style: str = "body") -> Paragraph:
        return _P(_esc(text), self.st[style])

    def markup(self, markup: str, style: str = "body") -> Paragraph:
        return _P(markup, self.st[style])

    def h1(self, text: str, key: str) -> None:
        self.items += [CondPageBreak(150), _Heading(text, self.st["h1"], level=0, key=key)]

    def h3(self, text: str, room: float = 70) -> None:
        self.items += [CondPageBreak(room), self.p(text, "h3")]

    def bullets(self, lines: Sequence[str], empty: str, numbered: bool = False) -> None:
        if not lines:
            self.items.append(self.p(empty, "small"))
            return
        for i, line in enumerate(lines, 1):
            self.items.append(_P(_esc(line), self.st["bullet"],
                                 bulletText=f"{i}." if numbered else "•"))

    def kv(self, rows: Sequence[tuple[str, str | Paragraph]], label_w: float = 120) -> Table:
        """Label/value pairs: a borderless two-column table with hairlines."""
        data = [[self.p(label, "kv_label"),
                 value if isinstance(value, Paragraph) else self.p(value or "—", "kv_value")]
                for label, value in rows]
        table = _T(data, colWidths=[label_w, FRAME_W - label_w], hAlign="LEFT")
        table.setStyle(_style(
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 6),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
            ("LINEBELOW", (0, 0), (-1, -1), 0.3, GRID),
        ))
        return table

    def grid(self, header: Sequence[str], rows: list[list[Any]], widths: list[float],
             right: Sequence[int] = (), extra: Iterable[tuple[Any, ...]] = ()) -> Table:
        head = [self.p(h, "th_r" if i in right else "th") for i, h in enumerate(header)]
        table = _T([head, *rows], colWidths=widths, repeatRows=1, hAlign="LEFT")
        table.setStyle(_table_style(extra))
        return table

    def outcome_box(self) -> Table:
        doc = self.doc
        colour = _outcome_colour(doc.outcome)
        style = ParagraphStyle("outcome_c", parent=self.st["outcome"], textColor=colour)
        cell = [self.p("OUTCOME", "outcome_label"), _P(_esc(doc.outcome_label), style)]
        if doc.headline:
            cell.append(self.p(doc.headline, "headline"))
        box = _T([[cell]], colWidths=[FRAME_W], hAlign="LEFT")
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
        self.contents()
        self.application()
        self.checks()
        self.assessment()
        self.mitigation()
        self.outcome()
        self.signatures()
        self.appendix_evidence()
        self.appendix_audit()
        return self.items

    def cover(self) -> None:
        doc, add = self.doc, self.items.append
        if doc.is_demo:
            banner = _T([[self.p(DEMO_TEXT, "demo")]], colWidths=[FRAME_W])
            banner.setStyle(_style(
                ("BOX", (0, 0), (-1, -1), 1.2, DEMO_RED),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
            ))
            add(banner)
            add(Spacer(1, 10))
        if doc.authority:
            add(self.p(doc.authority, "authority"))
        add(HRFlowable(width="100%", thickness=1.4, color=NAVY, spaceBefore=0, spaceAfter=0))
        add(self.p(TITLE, "title"))
        add(self.p(doc.record_ref, "subtitle"))
        add(self.outcome_box())
        add(Spacer(1, 18))
        first = doc.signatures[0] if doc.signatures else None
        end_user = _end_user(doc)
        exporter = ", ".join(x for x in (doc.exporter.name, doc.exporter.country) if x)
        rows: list[tuple[str, str | Paragraph]] = [
            ("Case reference", doc.case_ref),
            ("Record reference", doc.record_ref),
            ("Framework", f"{doc.framework_title} — version {doc.framework_version}"),
            ("Exporter", exporter),
            ("Destination", _destination(doc)),
        ]
        if end_user:
            rows.append(("End user", end_user.name))
        rows += [
            ("Signed by", f"{first.name}, {first.role}" if first else "Not signed"),
            ("Signed at", f"{_utc(first.signed_at)} (UTC)" if first else "—"),
            ("Evidence as of", doc.as_of),
            ("Snapshot SHA-256", self.markup(_esc(doc.snapshot_sha256), "mono")),
        ]
        add(self.kv(rows, label_w=110))
        note = self.p(
            "This document sets out the reasons for a licensing decision as recorded and signed "
            "in Golden Rule. It reproduces the signed decision record, whose SHA-256 is given "
            "above; the digital signatures on this file are listed in section 6.", "small")
        add(_FillBottom(note))
        add(NextPageTemplate("body"))
        add(PageBreak())

    def contents(self) -> None:
        st = self.st
        self.items.append(self.p("Contents", "toc_title"))
        toc_style = _style(
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        )
        self.items.append(TableOfContents(levelStyles=[st["toc0"], st["toc1"]], dotsMinLevel=1,
                                          rightColumnWidth=40, tableStyle=toc_style))
        self.items.append(PageBreak())

    def application(self) -> None:
        doc, add = self.doc, self.items.append
        self.h1("1 The application", "s1")
        self.h3("Application")
        rows = [("Case reference", doc.case_ref), *doc.application]
        add(self.kv(rows))
        self.h3("Exporter")
        ex = doc.exporter
        add(self.kv([("Name", ex.name), ("Country", ex.country),
                     *([("Kind", ex.kind)] if ex.kind else []),
                     ("Address", ex.address)]))
        self.h3("Parties")
        if doc.parties:
            rows_p = [[self.p(x.role, "cell"), self.p(x.name, "cell"), self.p(x.country, "cell"),
                       self.p(x.kind or "—", "cell"), self.p(x.address or "—", "cell")]
                      for x in doc.parties]
            add(self.grid(["Role", "Name", "Country", "Kind", "Address"], rows_p,
                          _widths(62, 135, 80, 90, 115)))
        else:
            add(self.p("No parties recorded.", "small"))
        self.h3("Goods")
        if doc.goods:
            rows_g = [[self.p(g.control_entry, "cell"), self.p(g.description, "cell"),
                       self.p(f"{g.quantity} {g.unit}".strip(), "cell_r"),
                       self.p(f"{g.value} {g.currency}".strip(), "cell_r"),
                       self.p(g.att_category or "—", "cell")] for g in doc.goods]
            add(self.grid(["Control entry", "Description", "Quantity", "Value", "ATT category"],
                          rows_g, _widths(66, 166, 72, 84, 80), right=(2, 3)))
        else:
            add(self.p("No goods recorded.", "small"))
        self.h3("End use", room=50)
        add(self.p(doc.end_use or "Not stated."))
        self.h3("End-user certificate", room=50)
        add(self.p(doc.end_user_certificate or "None recorded."))

    def checks(self) -> None:
        doc, add = self.doc, self.items.append
        self.h1("2 Hard-stop checks", "s2")
        add(self.p("Embargoes, treaty prohibitions and other checks that, when they apply, "
                   "prohibit approval whatever the assessment finds. Blocking results are "
                   "highlighted."))
        if not doc.checks:
            add(self.p("No checks recorded.", "small"))
            return
        blocking = [i + 1 for i, c in enumerate(doc.checks) if c.blocking]
        extra = [("BACKGROUND", (0, r), (-1, r), BLOCK_BG) for r in blocking]
        extra += [("LINEBEFORE", (0, r), (0, r), 2.5, DARK_RED) for r in blocking]
        add(self.grid(["Check", "Result", "Basis", "Detail"],
                      [self._check_row(c) for c in doc.checks], _widths(110, 85, 105, 180),
                      extra=extra))
        if not blocking:
            add(Spacer(1, 4))
            add(self.p("No check blocks approval.", "small"))
        if doc.screening:
            self.h3("Sanctions screening", room=60)
            for line in doc.screening:
                add(self.p(line, "small"))

    def _check_row(self, check: CheckView) -> list[Paragraph]:
        status = _esc(check.status)
        if check.blocking:
            status = (f'<font color="{DARK_RED.hexval()}"><b>{status}</b><br/>'
                      f"Blocks approval</font>")
        return [self.p(check.title, "cell"), self.markup(status, "cell"),
                self.p(check.basis or "—", "cell"), self.p(check.detail or "—", "cell")]

    def assessment(self) -> None:
        self.h1("3 Assessment by criterion", "s3")
        if not self.doc.criteria:
            self.items.append(self.p("No criteria were assessed.", "small"))
        for i, criterion in enumerate(self.doc.criteria, 1):
            self.criterion(i, criterion)

    def criterion(self, n: int, c: CriterionView) -> None:
        st, add = self.st, self.items.append
        head: list[Flowable] = [_Heading(f"3.{n} {c.title}", st["h2"], level=1, key=f"c{n}")]
        if c.citation:
            head.append(self.p(c.citation, "citation"))
        if c.legal_test:
            quote = _T([[[self.p("LEGAL TEST", "label"), self.p(c.legal_test, "quote")]]],
                       colWidths=[FRAME_W], hAlign="LEFT")
            quote.setStyle(_style(
                ("BACKGROUND", (0, 0), (-1, -1), SHADE),
                ("LINEBEFORE", (0, 0), (0, -1), 2.5, NAVY),
                ("LEFTPADDING", (0, 0), (-1, -1), 10),
                ("RIGHTPADDING", (0, 0), (-1, -1), 10),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
            ))
            head.append(quote)
        head.append(Spacer(1, 6))
        head.append(self._findings(c))
        self.items += [CondPageBreak(120), KeepTogether(head)]
        self.h3("Rationale", room=50)
        add(self.p(c.rationale or "No rationale recorded."))
        if c.answers:
            self.h3("Answers")
            rows = [[self.p(a.question, "cell"), self.p(a.answer, "cell"),
                     self.p(a.note or "—", "cell")] for a in c.answers]
            add(self.grid(["Question", "Answer", "Note"], rows, _widths(260, 80, 140)))
        if c.mitigations:
            self.h3("Mitigation considered", room=50)
            self.bullets(c.mitigations, "")
        self.h3(f"Cited evidence ({len(c.citations)})")
        if c.citations:
            add(self._citations_table(c.citations))
        else:
            add(self.p("No evidence cited for this criterion.", "small"))
        add(Spacer(1, 8))

    def _findings(self, c: CriterionView) -> Table:
        if c.legal_test_met is True:
            met = (f'<font color="{DARK_RED.hexval()}">'
                   f"{_esc(c.met_text or 'Met')}</font>")
        elif c.legal_test_met is False:
            met = _esc(c.met_text or "Not met")
        else:
            met = f'<font color="{MUTED.hexval()}">{_esc(c.met_text or "Not assessed")}</font>'
        labels = ["RISK LEVEL", "RESIDUAL RISK", "LEGAL TEST"]
        values = [_esc(c.level or "Not assessed"), _esc(c.residual_level or "—"), met]
        table = _T([[self.p(x, "label") for x in labels],
                    [self.markup(v, "value") for v in values]],
                   colWidths=_widths(1, 1, 2), hAlign="LEFT")
        table.setStyle(_style(
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 1),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ("LINEBELOW", (0, -1), (-1, -1), 0.3, GRID),
            ("BOTTOMPADDING", (0, -1), (-1, -1), 6),
        ))
        return table

    def _citations_table(self, items: Sequence[CitedEvidence]) -> Table:
        p = self.p
        rows = [[p(e.reference, "cell"), p(e.title, "cell"), p(e.grade or "—", "cell"),
                 p(e.content_sha256[:16], "cell_mono"), p(e.note or "", "cell")]
                for e in items]
        return self.grid(["Reference", "Title", "Grade", "SHA-256 (prefix)", "Note"], rows,
                         _widths(60, 190, 34, 80, 118))

    def mitigation(self) -> None:
        doc = self.doc
        self.h1("4 Mitigation and conditions", "s4")
        self.h3("Mitigation offered", room=50)
        self.bullets(doc.mitigations, "No mitigation was offered.")
        self.h3("Conditions of the licence", room=50)
        self.bullets(doc.conditions, "No conditions." if doc.outcome.startswith("approve")
                     else "No conditions: the licence is not granted.", numbered=True)
        self.h3("Past incidents", room=50)
        self.bullets(doc.past_incidents, "No past incidents recorded.")

    def outcome(self) -> None:
        doc, add = self.doc, self.items.append
        self.h1("5 Outcome and reasons", "s5")
        add(self.outcome_box())
        self.h3("Decision rationale", room=50)
        add(self.p(doc.decision_rationale or "No reasons recorded."))
        self.h3("Criteria cited", room=50)
        self.bullets(doc.criteria_cited, "None.")
        self.h3("Explanation by the rules", room=50)
        self.bullets(doc.explanation, "None.")
        self.h3("Basis", room=80)
        add(self.kv([
            ("Evidence as of", doc.as_of),
            ("Framework", doc.framework_title),
            ("Framework id and version", f"{doc.framework_id} {doc.framework_version}"),
            ("Framework SHA-256", self.markup(_esc(doc.framework_sha256), "mono")),
        ]))

    def signatures(self) -> None:
        doc, add = self.doc, self.items.append
        self.h1("6 Signatures", "s6")
        self.h3("Signature records")
        if doc.signatures:
            add(self.grid(["Kind and record", "Signed by", "Signed at (UTC)",
                           "Certificate SHA-256"],
                          [self._signature_row(s) for s in doc.signatures],
                          _widths(90, 120, 95, 177)))
        else:
            add(self.p("No signature recorded yet.", "small"))
        self.h3("Countersigning", room=60)
        n = doc.countersignatures_required
        if n == 0:
            add(self.p("No countersignature is required for this decision."))
        else:
            rules = " by the rules below" if doc.countersigning_rules else ""
            add(self.p(f"{n} countersignature{'s' if n != 1 else ''} required{rules}."))
        self.bullets(doc.countersigning_rules, "No countersigning rule applies.")
        self.h3("Record integrity", room=80)
        add(self.kv([
            ("Snapshot SHA-256", self.markup(_esc(doc.snapshot_sha256), "mono")),
            ("Audit chain head", self.markup(_esc(doc.audit_head), "mono")),
        ]))
        block: list[Flowable] = [
            self.p("Signature fields", "h3"),
            self.p("The digital signatures (PAdES) on this file are placed in the boxes below; "
                   "a box marked not required stays empty.", "small"),
            Spacer(1, 8),
        ]
        for slot in range(SIG_SLOTS):
            block.append(self._slot(slot))
            block.append(Spacer(1, 14))
        add(KeepTogether(block))

    def _signature_row(self, s: SignatureView) -> list[Paragraph]:
        who = f"<b>{_esc(s.name)}</b><br/>{_esc(s.role)}<br/>{_esc(s.username)}"
        kind = f"<b>{_esc(s.kind)}</b><br/>{_esc(s.record_ref)}"
        if s.note:
            kind += f'<br/><font color="{MUTED.hexval()}">{_esc(s.note)}</font>'
        return [self.markup(kind, "cell"), self.markup(who, "cell"),
                self.p(_utc(s.signed_at), "cell"),
                self.markup(_hash_lines(s.certificate_sha256), "cell_mono")]

    def _slot(self, slot: int) -> _SignatureSlot:
        doc = self.doc
        signer = doc.signatures[slot] if slot < len(doc.signatures) else None
        if slot == 0:
            who = (f"signed by {_esc(signer.name)}, {_esc(signer.role)}" if signer
                   else "to be signed by the deciding officer")
            return _SignatureSlot(
                0, f"Decision — {who}",
                f"Slot 1 of 3. The deciding officer's signature on record "
                f"{_esc(doc.record_ref)}.", True, self.record)
        required = slot <= doc.countersignatures_required
        title = f"Countersignature {slot} — {'required' if required else 'not required'}"
        if signer:
            title += f" — signed by {_esc(signer.name)}, {_esc(signer.role)}"
        detail = (f"Slot {slot + 1} of 3. "
                  + ("A countersigning officer's signature, added after the decision."
                     if required else "Not required for this decision; leave empty."))
        return _SignatureSlot(slot, title, detail, required, self.record)

    def appendix_evidence(self) -> None:
        doc, add = self.doc, self.items.append
        add(PageBreak())
        self.h1("Appendix A. Evidence list", "a")
        add(self.p(f"Every evidence item cited in the assessment ({len(doc.evidence)}). The "
                   "SHA-256 names the exact version relied on."))
        if not doc.evidence:
            return
        numbers = {c.id: f"3.{n}" for n, c in enumerate(doc.criteria, 1)}
        muted = MUTED.hexval()
        p, markup = self.p, self.markup
        rows = []
        for e in doc.evidence:
            under = ", ".join(numbers.get(c, c) for c in e.criteria)
            byline = _esc(e.publisher or "—") + (f" · cited under {_esc(under)}" if under else "")
            source = _esc(e.source_kind or "—")
            if e.has_original:
                source += f'<br/><font color="{muted}">Original on file</font>'
            rows.append([
                p(e.reference, "cell"),
                markup(f'{_esc(e.title)}<br/><font color="{muted}">{byline}</font>', "cell"),
                markup(source, "cell"), p(e.published_on or "—", "cell"),
                p(e.grade or "—", "cell"), markup(_hash_lines(e.content_sha256), "cell_mono")])
        add(self.grid(["Reference", "Title and publisher", "Source", "Published", "Grade",
                       "SHA-256"], rows, [54, FRAME_W - 342, 64, 54, 36, 134]))

    def appendix_audit(self) -> None:
        doc, add = self.doc, self.items.append
        self.h1("Appendix B. Audit events of the case", "b")
        if doc.audit_events:
            p = self.p
            rows = [[p(str(e.id), "cell_r"), p(_utc(e.at), "cell"), p(e.actor, "cell"),
                     p(e.action, "cell"), p(e.summary, "cell"), p(e.hash[:16], "cell_mono")]
                    for e in doc.audit_events]
            add(self.grid(["ID", "Time (UTC)", "Actor", "Action", "Summary", "Hash (prefix)"],
                          rows, [30, 96, 92, 78, FRAME_W - 370, 74], right=(0,)))
        else:
            add(self.p("No audit events recorded.", "small"))
        add(Spacer(1, 8))
        add(self.kv([("Audit chain head at signing",
                      self.markup(_esc(doc.audit_head), "mono"))], label_w=140))


# --- Entry point ------------------------------------------------------------------------------

def render_rationale_pdf(doc: RationaleInput) -> RenderedPdf:
    """Render the rationale PDF and report where the three signature boxes are."""
    register_fonts()
    boxes: dict[int, SignatureBox] = {}

    def record(slot: int, box: SignatureBox) -> None:
        boxes[slot] = box

    buf = io.BytesIO()
    page_total = _PageTotal()
    template = _RationaleTemplate(buf, doc, page_total)
    story = _Story(doc, record).build(page_total)
    template.multiBuild(story, maxPasses=6)
    if sorted(boxes) != list(range(SIG_SLOTS)):
        raise RuntimeError("signature boxes were not all laid out")
    return RenderedPdf(buf.getvalue(), tuple(boxes[i] for i in range(SIG_SLOTS)))
