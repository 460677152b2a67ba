"""The charts of an oversight report, drawn with QPainter: grouped bars or lines, a value axis
with round gridlines, category labels (slanted when they do not fit), a legend.

Qt Charts is not part of PySide6-Essentials, and a report chart needs little. Hovering a bar
or a point shows its exact value, so the chart never has to print numbers it has no room for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QToolTip,
    QWidget,
)

from reports.oversight_model import Chart

#: Navy, gold and four quieter companions: the application's colours first.
PALETTE = ("#2f5597", "#c49a2c", "#3a8f6e", "#b3261e", "#7a5195", "#6b7280", "#1d2840",
           "#d98e04")
AXIS_COLOUR = "#9ca3af"
GRID_COLOUR = "#e5e7eb"
LABEL_COLOUR = "#4b5563"
TITLE_COLOUR = "#1d2840"
MAX_LABEL_CHARS = 18


def nice_scale(top: float, ticks: int = 5, whole: bool = False) -> tuple[float, float]:
    """(step, axis maximum): a round step (1, 2, 2.5, 5 × 10ⁿ) giving about ``ticks``
    gridlines, and the first multiple of it at or above ``top``. Counts (``whole``) get whole
    steps: no axis of licences reads 2.5."""
    if top <= 0 or not math.isfinite(top):
        return 1.0, 1.0
    raw = top / ticks
    power = 10 ** math.floor(math.log10(raw))
    step = 10 * power
    factors = (1, 2, 5, 10) if whole and power < 10 else (1, 2, 2.5, 5, 10)
    for factor in factors:
        if raw <= factor * power:
            step = factor * power
            break
    if (top >= 1 or whole) and step < 1:
        step = 1.0
    return step, step * math.ceil(top / step - 1e-9)


def compact(value: float) -> str:
    """An axis label: 12,500,000 -> "12.5M", 250,000 -> "250k", 7 -> "7"."""
    magnitude = abs(value)
    for limit, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if magnitude >= limit:
            text = f"{value / limit:.1f}".rstrip("0").rstrip(".")
            return f"{text}{suffix}"
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def exact(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"


@dataclass(frozen=True)
class Mark:
    """A drawn bar or point, for hover tooltips."""

    category: str
    series: str
    value: float
    rect: QRectF


class ChartWidget(QWidget):
    """One ``Chart`` of the report."""

    MARGIN = 14

    def __init__(self, chart: Chart, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reportChart")
        self.chart = chart
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(480, 320)
        self.setAccessibleName(chart.title)
        self.setAccessibleDescription(self.describe())
        self._marks: list[Mark] = []
        self._hover: Mark | None = None

    def sizeHint(self) -> QSize:
        return QSize(860, 380)

    def colour(self, n: int) -> QColor:
        return QColor(PALETTE[n % len(PALETTE)])

    def marks(self) -> list[Mark]:
        return list(self._marks)

    def describe(self) -> str:
        """The chart in words, for screen readers: each series' largest values."""
        parts = []
        for name, values in self.chart.series:
            pairs = sorted(zip(self.chart.categories, values, strict=False),
                           key=lambda p: -p[1])[:3]
            parts.append(f"{name}: " + ", ".join(f"{c} {exact(v)}" for c, v in pairs))
        return "; ".join(parts)

    # geometry -----------------------------------------------------------------------------
    def _values(self) -> list[float]:
        return [float(v) for _name, values in self.chart.series for v in values
                if v is not None and math.isfinite(float(v))]

    def _has_data(self) -> bool:
        return bool(self.chart.categories) and any(v != 0 for v in self._values())

    def _label_font(self) -> QFont:
        font = QFont(self.font())
        font.setPointSizeF(max(7.5, self.font().pointSizeF() * 0.9))
        return font

    def _labels(self, fm: QFontMetrics) -> list[str]:
        return [fm.elidedText(c, Qt.TextElideMode.ElideRight,
                              fm.horizontalAdvance("M" * (MAX_LABEL_CHARS // 2) + "n" * 9))
                for c in self.chart.categories]

    # painting -----------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        p.fillRect(self.rect(), QColor("white"))
        p.setPen(QPen(QColor("#d9dee8"), 1))
        p.drawRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5))
        self._marks = []
        top = self._draw_title_and_legend(p)
        if not self._has_data():
            p.setPen(QColor("#6b7280"))
            p.drawText(QRectF(self.rect()).adjusted(0, top, 0, 0), Qt.AlignmentFlag.AlignCenter,
                       self.tr("No figures to chart for this period."))
            p.end()
            return
        small = self._label_font()
        fm = QFontMetrics(small)
        step, maximum = self._scale()
        ticks = [step * n for n in range(round(maximum / step) + 1)]
        tick_width = max(fm.horizontalAdvance(compact(t)) for t in ticks)
        left = self.MARGIN + tick_width + 8 + (fm.height() + 6 if self.chart.y_title else 0)
        labels = self._labels(fm)
        width = self.width() - left - self.MARGIN
        slot = width / max(1, len(labels))
        widest = max((fm.horizontalAdvance(t) for t in labels), default=0)
        slanted = widest + 6 > slot
        label_height = (widest * 0.72 + fm.height() * 0.72 + 4) if slanted else fm.height() + 4
        plot = QRectF(left, top + fm.height() / 2 + 4, width,
                      self.height() - top - self.MARGIN - label_height - 8 - fm.height() / 2)
        if plot.height() < 40 or plot.width() < 40:
            p.end()
            return
        p.setFont(small)
        # value axis: gridlines and labels
        for value in ticks:
            y = plot.bottom() - plot.height() * value / maximum
            p.setPen(QPen(QColor(GRID_COLOUR if value else AXIS_COLOUR), 1))
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            p.setPen(QColor(LABEL_COLOUR))
            p.drawText(QRectF(left - tick_width - 8, y - fm.height() / 2, tick_width,
                              fm.height()),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                       compact(value))
        if self.chart.y_title:
            p.save()
            p.translate(self.MARGIN + fm.height() / 2 + 1, plot.center().y())
            p.rotate(-90)
            p.setPen(QColor(LABEL_COLOUR))
            p.drawText(QRectF(-plot.height() / 2, -fm.height() / 2, plot.height(), fm.height()),
                       Qt.AlignmentFlag.AlignCenter, self.chart.y_title)
            p.restore()
        if self.chart.kind == "line":
            self._draw_lines(p, plot, maximum, slot)
        else:
            self._draw_bars(p, plot, maximum, slot)
        self._draw_value_labels(p, fm)
        # category axis
        p.setPen(QColor(LABEL_COLOUR))
        for n, text in enumerate(labels):
            centre = plot.left() + (n + 0.5) * slot
            if slanted:
                p.save()
                p.translate(centre + fm.height() / 3, plot.bottom() + 6)
                p.rotate(-40)
                p.drawText(QRectF(-widest - 4, -fm.height(), widest + 4, fm.height()),
                           Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, text)
                p.restore()
            else:
                p.drawText(QRectF(centre - slot / 2, plot.bottom() + 4, slot, fm.height()),
                           Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, text)
        p.end()

    def _draw_title_and_legend(self, p: QPainter) -> float:
        """The title at the top left, the legend beside it (or under it when it does not
        fit); returns where the plot may begin."""
        title_font = QFont(self.font())
        title_font.setBold(True)
        title_font.setPointSizeF(self.font().pointSizeF() * 1.1)
        tfm = QFontMetrics(title_font)
        p.setFont(title_font)
        p.setPen(QColor(TITLE_COLOUR))
        title = tfm.elidedText(self.chart.title, Qt.TextElideMode.ElideRight,
                               self.width() - 2 * self.MARGIN)
        p.drawText(QRectF(self.MARGIN, self.MARGIN, self.width() - 2 * self.MARGIN,
                          tfm.height()), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                   title)
        y = self.MARGIN + tfm.height() + 6
        small = self._label_font()
        fm = QFontMetrics(small)
        p.setFont(small)
        entries = [(n, name) for n, (name, _values) in enumerate(self.chart.series)]
        widths = [fm.horizontalAdvance(name) + 30 for _n, name in entries]
        x = float(self.MARGIN)
        for (n, name), w in zip(entries, widths, strict=True):
            if x + w > self.width() - self.MARGIN and x > self.MARGIN:
                x = float(self.MARGIN)
                y += fm.height() + 4
            swatch = QRectF(x, y + (fm.height() - 10) / 2, 10, 10)
            if self.chart.kind == "line":
                p.setPen(QPen(self.colour(n), 2.5))
                p.drawLine(QPointF(x - 2, swatch.center().y()),
                           QPointF(x + 12, swatch.center().y()))
            else:
                p.fillRect(swatch, self.colour(n))
            p.setPen(QColor(LABEL_COLOUR))
            p.drawText(QRectF(x + 16, y, w - 16, fm.height()),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name)
            x += w
        return y + (fm.height() + 8 if entries else 0)

    def _draw_bars(self, p: QPainter, plot: QRectF, maximum: float, slot: float) -> None:
        count = max(1, len(self.chart.series))
        group = slot * 0.74
        bar = min(44.0, group / count)
        start = (slot - bar * count) / 2
        for s, (name, values) in enumerate(self.chart.series):
            colour = self.colour(s)
            for n, category in enumerate(self.chart.categories):
                value = float(values[n]) if n < len(values) and values[n] is not None else 0.0
                if not math.isfinite(value) or value <= 0:
                    continue
                height = plot.height() * value / maximum
                rect = QRectF(plot.left() + n * slot + start + s * bar, plot.bottom() - height,
                              max(1.0, bar - (1.5 if count > 1 else 0)), height)
                fill = QColor(colour)
                if self._hover is not None and (self._hover.category, self._hover.series) \
                        == (category, name):
                    fill = fill.lighter(125)
                path = QPainterPath()
                radius = min(2.5, rect.width() / 3)
                path.addRoundedRect(rect.adjusted(0, 0, 0, radius), radius, radius)
                p.save()
                p.setClipRect(QRectF(rect.left() - 1, rect.top() - 1, rect.width() + 2,
                                     rect.height() + 1))
                p.fillPath(path, fill)
                p.restore()
                self._marks.append(Mark(category, name, value, rect))

    def _draw_lines(self, p: QPainter, plot: QRectF, maximum: float, slot: float) -> None:
        for s, (name, values) in enumerate(self.chart.series):
            colour = self.colour(s)
            points: list[tuple[str, float, QPointF]] = []
            for n, category in enumerate(self.chart.categories):
                if n >= len(values) or values[n] is None or not math.isfinite(float(values[n])):
                    continue
                value = float(values[n])
                points.append((category, value, QPointF(
                    plot.left() + (n + 0.5) * slot,
                    plot.bottom() - plot.height() * max(0.0, value) / maximum)))
            if not points:
                continue
            path = QPainterPath(points[0][2])
            for _c, _v, point in points[1:]:
                path.lineTo(point)
            p.setPen(QPen(colour, 2.2, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                          Qt.PenJoinStyle.RoundJoin))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawPath(path)
            radius = 4.5 if len(points) <= 3 else 3.2 if slot >= 12 else 2.0
            for category, value, point in points:
                hovered = self._hover is not None and (self._hover.category,
                                                       self._hover.series) == (category, name)
                p.setPen(QPen(QColor("white"), 1.5))
                p.setBrush(colour.lighter(120) if hovered else colour)
                r = radius + (1.5 if hovered else 0)
                p.drawEllipse(point, r, r)
                self._marks.append(Mark(category, name, value,
                                        QRectF(point.x() - slot / 2, plot.top(), slot,
                                               plot.height())))

    def _draw_value_labels(self, p: QPainter, fm: QFontMetrics) -> None:
        """Each bar's or point's value above it, where there is room for every one of them
        (otherwise hovering tells)."""
        if not self._marks:
            return
        texts = [compact(m.value) for m in self._marks]
        if self.chart.kind == "line":
            slot = self._marks[0].rect.width()
            if len(self.chart.categories) > 12 or len(self.chart.series) > 2 or any(
                    fm.horizontalAdvance(t) + 4 > slot for t in texts):
                return
        elif any(fm.horizontalAdvance(t) + 2 > m.rect.width() + 8
                 for t, m in zip(texts, self._marks, strict=True)):
            return
        p.setPen(QColor(LABEL_COLOUR))
        for text, mark in zip(texts, self._marks, strict=True):
            top = self._point_y(mark) if self.chart.kind == "line" else mark.rect.top()
            p.drawText(QRectF(mark.rect.center().x() - 60, top - fm.height() - 3, 120,
                              fm.height()),
                       Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom, text)

    # interaction --------------------------------------------------------------------------
    def mark_at(self, pos: QPointF) -> Mark | None:
        if self.chart.kind == "line":
            near = [m for m in self._marks if m.rect.contains(pos)]
            if not near:
                return None
            return min(near, key=lambda m: abs(self._point_y(m) - pos.y()))
        for mark in self._marks:
            if mark.rect.adjusted(-1, -3, 1, 0).contains(pos):
                return mark
        return None

    def _scale(self) -> tuple[float, float]:
        """The value axis, with a little headroom for the value labels."""
        values = self._values()
        whole = all(v == int(v) for v in values)
        return nice_scale(max(values) * 1.08 if values else 1.0, whole=whole)

    def _point_y(self, mark: Mark) -> float:
        _step, maximum = self._scale()
        return mark.rect.bottom() - mark.rect.height() * mark.value / maximum

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        mark = self.mark_at(event.position())
        if mark != self._hover:
            self._hover = mark
            self.update()
        if mark is not None:
            unit = f" {self.chart.y_title}" if self.chart.y_title else ""
            text = f"{mark.category}\n{mark.series}: {exact(mark.value)}{unit}"
            QToolTip.showText(event.globalPosition().toPoint(), text, self)
        else:
            QToolTip.hideText()
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: object) -> None:
        self._hover = None
        self.update()
        super().leaveEvent(event)  # type: ignore[arg-type]


class ChartsPanel(QScrollArea):
    """Every chart of a report, two abreast (an odd last one across both columns), in a
    scrolling area."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reportCharts")
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.charts: list[ChartWidget] = []
        self._holder: QWidget | None = None
        self.set_charts([])

    def set_charts(self, charts: list[Chart]) -> None:
        """A fresh holder each time: the old charts go with the old holder."""
        holder = QWidget()
        holder.setObjectName("reportChartsHolder")
        grid = QGridLayout(holder)
        grid.setContentsMargins(0, 10, 6, 10)
        grid.setSpacing(14)
        self.charts = []
        if not charts:
            empty = QLabel(self.tr("This report has no charts."))
            empty.setObjectName("muted")
            empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
            grid.addWidget(empty, 0, 0)
        for n, chart in enumerate(charts):
            widget = ChartWidget(chart)
            widget.setMinimumHeight(320)
            self.charts.append(widget)
            last_alone = n == len(charts) - 1 and n % 2 == 0
            grid.addWidget(widget, n // 2, n % 2, 1, 2 if last_alone else 1)
        for column in (0, 1):
            grid.setColumnStretch(column, 1)
        self.setWidget(holder)  # deletes the previous holder
        self._holder = holder
