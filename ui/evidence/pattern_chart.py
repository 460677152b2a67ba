"""A stacked bar chart drawn with QPainter: incidents per year by violation category.

Qt Charts is not part of PySide6-Essentials, and the chart needs little: bars, an axis, a
legend, hover and click. Clicking a segment selects it and reports the items behind it;
the arrow keys move the selection for those who do not use a mouse.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from app import evidence
from app.evidence_vocab import vocabulary
from app.uow import UnitOfWork
from ui.context import UiContext
from ui.tasks import Progress, TaskRunner
from ui.widgets.country_picker import CountryPicker

Pattern = dict[int, dict[str, list[int]]]

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
           "#17becf", "#bcbd22", "#7f7f7f", "#393b79", "#ad494a", "#637939", "#8c6d31",
           "#7b4173", "#3182bd", "#e6550d", "#31a354", "#756bb1", "#636363")


@dataclass(frozen=True)
class Segment:
    year: int
    violation: str
    item_ids: tuple[int, ...]
    rect: QRectF


def nice_step(maximum: int, ticks: int = 5) -> int:
    """A round step (1, 2, 5 × 10ⁿ) giving about ``ticks`` gridlines up to ``maximum``."""
    if maximum <= ticks:
        return 1
    raw = maximum / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return int(factor * power)
    return int(10 * power)


class PatternChart(QWidget):
    sig_segment_selected = Signal(int, str, object)  # year, violation id, list of item ids

    MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP = 44, 16, 14
    LEGEND_COLUMN = 270

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("patternChart")
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(420, 260)
        self._data: Pattern = {}
        self._titles: dict[str, str] = {}
        self._order: list[str] = []
        self._colours: dict[str, QColor] = {}
        self._segments: list[Segment] = []
        self._selected: tuple[int, str] | None = None
        self._hover: tuple[int, str] | None = None
        self.empty_text = self.tr("No incidents recorded.")

    # data ---------------------------------------------------------------------------------
    def set_data(self, data: Pattern, titles: dict[str, str]) -> None:
        """``titles`` gives the violation categories in stacking (and colour) order."""
        self._data = {year: {v: ids for v, ids in per.items() if ids}
                      for year, per in data.items()}
        self._titles = dict(titles)
        present = {v for per in self._data.values() for v in per}
        known = [v for v in titles if v in present]
        self._order = known + sorted(present - set(known))
        self._colours = {v: QColor(PALETTE[list(titles).index(v) % len(PALETTE)]
                                   if v in titles else PALETTE[-1]) for v in self._order}
        self._selected = None
        self._hover = None
        self._layout()
        self.update()

    def years(self) -> list[int]:
        if not self._data:
            return []
        return list(range(min(self._data), max(self._data) + 1))

    def totals(self) -> dict[int, int]:
        return {y: sum(len(ids) for ids in self._data.get(y, {}).values()) for y in self.years()}

    def segments(self) -> list[Segment]:
        return list(self._segments)

    def segment_rect(self, year: int, violation: str) -> QRectF | None:
        for s in self._segments:
            if (s.year, s.violation) == (year, violation):
                return s.rect
        return None

    def selected(self) -> tuple[int, str] | None:
        return self._selected

    def colour_of(self, violation: str) -> QColor:
        return self._colours.get(violation, QColor(PALETTE[-1]))

    def select(self, year: int, violation: str) -> None:
        ids = self._data.get(year, {}).get(violation)
        if not ids:
            return
        self._selected = (year, violation)
        self.update()
        self.sig_segment_selected.emit(year, violation, list(ids))

    # geometry -----------------------------------------------------------------------------
    def sizeHint(self) -> QSize:
        return QSize(720, 380)

    def _legend_rows(self) -> int:
        columns = max(1, (self.width() - self.MARGIN_LEFT) // self.LEGEND_COLUMN)
        return math.ceil(len(self._order) / columns) if self._order else 0

    def _plot_rect(self) -> QRectF:
        fm = QFontMetrics(self.font())
        legend_height = self._legend_rows() * (fm.height() + 6) + (10 if self._order else 0)
        bottom = fm.height() + 10 + legend_height
        return QRectF(self.MARGIN_LEFT, self.MARGIN_TOP,
                      max(10, self.width() - self.MARGIN_LEFT - self.MARGIN_RIGHT),
                      max(10, self.height() - self.MARGIN_TOP - bottom))

    def _scale(self) -> tuple[int, int]:
        top = max(self.totals().values(), default=0)
        step = nice_step(top)
        return step, max(step, math.ceil(top / step) * step)

    def _layout(self) -> None:
        self._segments = []
        years = self.years()
        if not years:
            return
        plot = self._plot_rect()
        _step, top = self._scale()
        slot = plot.width() / len(years)
        bar = min(56.0, slot * 0.68)
        for n, year in enumerate(years):
            x = plot.left() + n * slot + (slot - bar) / 2
            y = plot.bottom()
            per = self._data.get(year, {})
            for violation in self._order:
                ids = per.get(violation)
                if not ids:
                    continue
                h = plot.height() * len(ids) / top
                rect = QRectF(x, y - h, bar, h)
                self._segments.append(Segment(year, violation, tuple(ids), rect))
                y -= h

    def resizeEvent(self, event: object) -> None:
        self._layout()
        super().resizeEvent(event)  # type: ignore[arg-type]

    def _segment_at(self, pos: QPointF) -> Segment | None:
        for s in self._segments:
            if s.rect.adjusted(-1, -1, 1, 1).contains(pos):
                return s
        return None

    # painting -----------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        p.fillRect(self.rect(), QColor("white"))
        fm = QFontMetrics(self.font())
        if not self._segments:
            p.setPen(QColor("#6b7280"))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.empty_text)
            p.end()
            return
        plot = self._plot_rect()
        step, top = self._scale()
        # gridlines and the count axis
        for value in range(0, top + 1, step):
            y = plot.bottom() - plot.height() * value / top
            p.setPen(QPen(QColor("#e5e7eb" if value else "#9ca3af"), 1))
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            p.setPen(QColor("#6b7280"))
            p.drawText(QRectF(0, y - fm.height() / 2, self.MARGIN_LEFT - 8, fm.height()),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, str(value))
        # bars
        for s in self._segments:
            colour = QColor(self.colour_of(s.violation))
            key = (s.year, s.violation)
            if self._selected is not None and key != self._selected:
                colour.setAlpha(110)
            elif key == self._hover:
                colour = colour.lighter(115)
            p.fillRect(s.rect, colour)
            p.setPen(QPen(QColor("white"), 1))
            p.drawLine(s.rect.topLeft(), s.rect.topRight())
        if self._selected is not None and (rect := self.segment_rect(*self._selected)):
            p.setPen(QPen(QColor("#111827"), 2))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(rect.adjusted(0.5, 0.5, -0.5, -0.5))
        # year labels and totals
        years = self.years()
        slot = plot.width() / len(years)
        label_every = max(1, math.ceil((fm.horizontalAdvance("2000") + 8) / slot))
        totals = self.totals()
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, self.font().pointSizeF() * 0.85))
        for n, year in enumerate(years):
            centre = plot.left() + (n + 0.5) * slot
            if n % label_every == 0:
                p.setPen(QColor("#374151"))
                p.drawText(QRectF(centre - slot * label_every / 2, plot.bottom() + 4,
                                  slot * label_every, fm.height()),
                           Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, str(year))
            if totals.get(year) and slot >= 22:
                height = plot.height() * totals[year] / top
                p.setFont(small)
                p.setPen(QColor("#4b5563"))
                p.drawText(QRectF(centre - slot / 2, plot.bottom() - height - fm.height() - 1,
                                  slot, fm.height()),
                           Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                           str(totals[year]))
                p.setFont(self.font())
        # legend
        y0 = plot.bottom() + fm.height() + 14
        columns = max(1, (self.width() - self.MARGIN_LEFT) // self.LEGEND_COLUMN)
        counts = {v: sum(len(per.get(v, ())) for per in self._data.values())
                  for v in self._order}
        for n, violation in enumerate(self._order):
            row, column = divmod(n, columns)
            x = self.MARGIN_LEFT + column * self.LEGEND_COLUMN
            y = y0 + row * (fm.height() + 6)
            swatch = QRectF(x, y + (fm.height() - 10) / 2, 10, 10)
            p.fillRect(swatch, self.colour_of(violation))
            text = f"{counts[violation]} · {self._titles.get(violation, violation)}"
            p.setPen(QColor("#111827" if self._selected is None
                            or self._selected[1] == violation else "#6b7280"))
            p.drawText(QRectF(x + 16, y, self.LEGEND_COLUMN - 24, fm.height()),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                       fm.elidedText(text, Qt.TextElideMode.ElideRight,
                                     self.LEGEND_COLUMN - 24))
        if self.hasFocus():
            p.setPen(QPen(QColor("#9aa6bf"), 1, Qt.PenStyle.DotLine))
            p.drawRect(self.rect().adjusted(0, 0, -1, -1))
        p.end()

    # interaction --------------------------------------------------------------------------
    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        segment = self._segment_at(event.position())
        key = (segment.year, segment.violation) if segment else None
        if key != self._hover:
            self._hover = key
            self.update()
        if segment is not None:
            title = self._titles.get(segment.violation, segment.violation)
            QToolTip.showText(event.globalPosition().toPoint(), self.tr(
                "%1 · %2: %n item(s)", "", len(segment.item_ids))
                .replace("%1", str(segment.year)).replace("%2", title), self)
            self.setCursor(Qt.CursorShape.PointingHandCursor)
        else:
            QToolTip.hideText()
            self.unsetCursor()
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: object) -> None:
        self._hover = None
        self.update()
        super().leaveEvent(event)  # type: ignore[arg-type]

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            segment = self._segment_at(event.position())
            if segment is not None:
                self.select(segment.year, segment.violation)
        super().mousePressEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Left and Right: the previous or next year with incidents (same category where it
        has one); Up and Down: along the stack."""
        key = event.key()
        arrows = (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down)
        if not self._segments or key not in arrows:
            super().keyPressEvent(event)
            return
        if self._selected is None:
            first = self._segments[0]
            self.select(first.year, first.violation)
            return
        year, violation = self._selected
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            stack = [s.violation for s in self._segments if s.year == year]
            n = stack.index(violation) + (1 if key == Qt.Key.Key_Up else -1)
            if 0 <= n < len(stack):
                self.select(year, stack[n])
            return
        years = sorted({s.year for s in self._segments})
        n = years.index(year) + (1 if key == Qt.Key.Key_Right else -1)
        if 0 <= n < len(years):
            stack = [s.violation for s in self._segments if s.year == years[n]]
            self.select(years[n], violation if violation in stack else stack[0])

class PatternDialog(QDialog):
    """Choose a country or an actor; the chart; the items behind the selected bar."""

    sig_open_item = Signal(int)

    def __init__(self, ctx: UiContext, runner: TaskRunner, parent: QWidget | None = None
                 ) -> None:
        super().__init__(parent)
        self.setObjectName("patternDialog")
        self.setWindowTitle(self.tr("Pattern of incidents"))
        self.ctx = ctx
        self.runner = runner
        self.vocab = vocabulary()
        self.resize(900, 700)

        heading = QLabel(self.tr("Pattern of incidents"))
        heading.setObjectName("pageTitle")
        self.country = CountryPicker(ctx.ref)
        self.country.setMinimumWidth(220)
        self.actor = QLineEdit()
        self.actor.setPlaceholderText(self.tr("Unit, armed group or person"))
        self.actor.setClearButtonEnabled(True)
        self.show_button = QPushButton(self.tr("Show"))
        self.show_button.setObjectName("primary")
        self.show_button.setDefault(True)
        self.show_button.clicked.connect(self.refresh)
        country_label = QLabel(self.tr("&Country"))
        country_label.setBuddy(self.country)
        actor_label = QLabel(self.tr("and/or &actor"))
        actor_label.setBuddy(self.actor)
        choose = QHBoxLayout()
        choose.addWidget(country_label)
        choose.addWidget(self.country)
        choose.addSpacing(8)
        choose.addWidget(actor_label)
        choose.addWidget(self.actor, 1)
        choose.addWidget(self.show_button)

        self.summary = QLabel(self.tr("Choose a country or an actor, then Show."))
        self.summary.setObjectName("muted")
        self.summary.setWordWrap(True)
        self.chart = PatternChart()
        self.chart.empty_text = self.tr("Choose a country or an actor to see incidents per "
                                        "year by violation category.")
        self.chart.sig_segment_selected.connect(self._on_segment_selected)
        self.items_label = QLabel(self.tr("Click a bar segment to list the items behind it."))
        self.items_label.setObjectName("muted")
        self.items = QListWidget()
        self.items.setObjectName("patternItems")
        self.items.setAlternatingRowColors(True)
        self.items.itemActivated.connect(self._on_item_activated)
        self.items.itemDoubleClicked.connect(self._on_item_activated)
        note = QLabel(self.tr("Counted by the year the events began (else the year of "
                              "publication). An item reporting several violations counts once "
                              "in each. Double-click an item to open it."))
        note.setObjectName("muted")
        note.setWordWrap(True)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)

        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.items_label)
        lower_layout.addWidget(self.items, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.chart)
        splitter.addWidget(lower)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(choose)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)
        layout.addWidget(note)
        layout.addWidget(close)
        self.data: Pattern = {}

    def show_for(self, country: str = "", actor: str = "") -> None:
        self.country.set_code(country)
        self.actor.setText(actor)
        self.refresh()

    def refresh(self) -> None:
        country, actor = self.country.code(), self.actor.text().strip()
        if not country and not actor:
            self.summary.setText(self.tr("Choose a country or an actor, then Show."))
            self._on_loaded(("", "", {}))
            return
        if country and country not in self.ctx.ref.countries:
            self.summary.setText(self.tr("'%1' is not a country.").replace("%1", country))
            return
        db = self.ctx.db
        self.summary.setText(self.tr("Counting…"))

        def load(progress: Progress) -> tuple[str, str, Pattern]:
            with UnitOfWork(db.session_factory) as uow:
                return country, actor, evidence.pattern(uow, country=country or None,
                                                        actor=actor or None)

        self.runner.submit(load, self._on_loaded, self._on_failed)

    def _on_failed(self, exc: BaseException) -> None:
        self.summary.setText(self.tr("Could not count the incidents: %1").replace(
            "%1", str(exc)))

    def _on_loaded(self, result: tuple[str, str, Pattern]) -> None:
        country, actor, data = result
        self.data = data
        self.chart.set_data(data, {v: t.title for v, t in self.vocab.violations.items()})
        self.items.clear()
        self.items_label.setText(self.tr("Click a bar segment to list the items behind it."))
        if not country and not actor:
            return
        who = " · ".join(filter(None, [
            f"{self.ctx.ref.country_name(country)} ({country})" if country else "",
            self.tr("actor “%1”").replace("%1", actor) if actor else ""]))
        items = {i for per in data.values() for ids in per.values() for i in ids}
        if not items:
            self.summary.setText(self.tr("%1: no dated items with a violation category.")
                                 .replace("%1", who))
            self.chart.empty_text = self.tr("No incidents recorded for %1.").replace("%1", who)
            self.chart.update()
            return
        self.summary.setText(self.tr("%1: %n item(s), %2 to %3", "", len(items))
                             .replace("%1", who).replace("%2", str(min(data)))
                             .replace("%3", str(max(data))))

    def _on_segment_selected(self, year: int, violation: str, ids: list[int]) -> None:
        term = self.vocab.violations.get(violation)
        self.items_label.setText(self.tr("%1 · %2: %n item(s)", "", len(ids))
                                 .replace("%1", str(year))
                                 .replace("%2", term.title if term else violation))
        with self.ctx.uow() as uow:
            rows = evidence.rows_for(uow, ids)
        self.items.clear()
        for r in sorted(rows, key=lambda r: (r.events_from or r.published_on or date.min,
                                             r.item_id)):
            when = r.events_from or r.published_on
            item = QListWidgetItem(f"{r.grade}   {when.isoformat() if when else '':10}   "
                                   f"{r.title}")
            item.setData(Qt.ItemDataRole.UserRole, r.item_id)
            item.setToolTip(self.tr("Item #%1 — double-click to open").replace(
                "%1", str(r.item_id)))
            self.items.addItem(item)

    def listed_ids(self) -> list[int]:
        return [self.items.item(n).data(Qt.ItemDataRole.UserRole)
                for n in range(self.items.count())]

    def _on_item_activated(self, item: QListWidgetItem) -> None:
        item_id = item.data(Qt.ItemDataRole.UserRole)
        if item_id is not None:
            self.sig_open_item.emit(int(item_id))
