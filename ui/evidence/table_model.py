"""Search results as a table: one row per hit in rank order, appended a page at a time.

Rows are loaded on the worker thread (``load_rows``) so the model only copies them in; the
snippet column is painted as rich text with the matched words in bold.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QBrush,
    QColor,
    QFont,
    QPainter,
    QPalette,
    QTextDocument,
)
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from app.evidence import MARK_END, MARK_START, EvidenceRow
from app.evidence_vocab import EvidenceVocabulary

ITEM_ID_ROLE = Qt.ItemDataRole.UserRole + 1
SNIPPET_HTML_ROLE = Qt.ItemDataRole.UserRole + 2

_Index = QModelIndex | QPersistentModelIndex

GRADE_COLOURS = {"A": "#03543f", "B": "#03543f", "C": "#8a5a00", "D": "#8a5a00",
                 "E": "#9b1c1c", "F": "#6b7280"}


def snippet_html(snippet: str, lead_words: int | None = None) -> str:
    """The search engine's match markers as bold, everything else escaped. With
    ``lead_words``, the text before the first match is cut to that many words so the match
    shows in a narrow column."""
    text = snippet.replace("\n", " ")
    first = text.find(MARK_START)
    if lead_words is not None and first > 0:
        before = text[:first].split(" ")
        if len(before) > lead_words + 1:
            text = "…" + " ".join(before[-(lead_words + 1):]) + text[first:]
    return html.escape(text).replace(MARK_START, "<b>").replace(MARK_END, "</b>")


def snippet_plain(snippet: str) -> str:
    return snippet.replace(MARK_START, "").replace(MARK_END, "").replace("\n", " ")


class EvidenceTableModel(QAbstractTableModel):
    COLUMNS = ("grade", "date", "title", "match", "publisher", "countries", "kind")

    def __init__(self, vocab: EvidenceVocabulary, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._vocab = vocab
        self._rows: list[EvidenceRow] = []
        self._headers = [self.tr("Grade"), self.tr("Date"), self.tr("Title"), self.tr("Match"),
                         self.tr("Publisher"), self.tr("Countries"), self.tr("Kind")]
        self._bold = QFont()
        self._bold.setBold(True)
        self._demo_brush = QBrush(QColor("#9a4d00"))

    def set_rows(self, rows: list[EvidenceRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def append_rows(self, rows: list[EvidenceRow]) -> None:
        known = {r.item_id for r in self._rows}
        rows = [r for r in rows if r.item_id not in known]
        if not rows:
            return
        start = len(self._rows)
        self.beginInsertRows(QModelIndex(), start, start + len(rows) - 1)
        self._rows.extend(rows)
        self.endInsertRows()

    def row_at(self, row: int) -> EvidenceRow:
        return self._rows[row]

    def item_ids(self) -> list[int]:
        return [r.item_id for r in self._rows]

    def row_of_item(self, item_id: int) -> int:
        for n, r in enumerate(self._rows):
            if r.item_id == item_id:
                return n
        return -1

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self._rows[index.row()]
        column = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(r, column)
        if role == ITEM_ID_ROLE:
            return r.item_id
        if role == SNIPPET_HTML_ROLE:
            return snippet_html(r.snippet, lead_words=4)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(r, column)
        if role == Qt.ItemDataRole.FontRole and column == "grade":
            return self._bold
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == "grade":
                return QBrush(QColor(GRADE_COLOURS.get(r.reliability, "#374151")))
            if column == "title" and r.is_demo:
                return self._demo_brush
        if role == Qt.ItemDataRole.TextAlignmentRole and column == "grade":
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def _display(self, r: EvidenceRow, column: str) -> str:
        match column:
            case "grade":
                return r.grade
            case "date":
                return r.when.isoformat() if r.when else ""
            case "title":
                return r.title
            case "publisher":
                return r.publisher
            case "countries":
                return ", ".join(r.countries)
            case "kind":
                term = self._vocab.source_kinds.get(r.source_kind)
                return term.title if term else r.source_kind
            case "match":
                return snippet_plain(r.snippet)
        return ""

    def _tooltip(self, r: EvidenceRow, column: str) -> str | None:
        match column:
            case "grade":
                rel = self._vocab.reliability.get(r.reliability)
                cred = self._vocab.credibility.get(r.credibility)
                return (f"{r.reliability}: {rel.title if rel else '?'}\n"
                        f"{r.credibility}: {cred.title if cred else '?'}")
            case "date":
                parts = []
                if r.published_on:
                    parts.append(self.tr("Published %1").replace(
                        "%1", r.published_on.isoformat()))
                if r.events_from:
                    events = r.events_from.isoformat()
                    if r.events_to and r.events_to != r.events_from:
                        events += f" – {r.events_to.isoformat()}"
                    parts.append(self.tr("Events %1").replace("%1", events))
                return "\n".join(parts) or None
            case "title":
                text = r.title
                if r.is_demo:
                    text += "\n" + self.tr("Demonstration item (not real evidence)")
                return text
            case "match":
                return f"<p>{snippet_html(r.snippet)}</p>" if r.snippet else None
        return None


class SnippetDelegate(QStyledItemDelegate):
    """Paints the snippet as one line of rich text so matches show in bold."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text_html = index.data(SNIPPET_HTML_ROLE) or ""
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        doc = QTextDocument()
        doc.setDocumentMargin(0)
        doc.setDefaultFont(opt.font)
        doc.setHtml(f"<span style='white-space: nowrap'>{text_html}</span>")
        rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, widget)
        painter.save()
        painter.setClipRect(rect)
        top = rect.top() + max(0, (rect.height() - int(doc.size().height())) // 2)
        painter.translate(rect.left() + 2, top)
        context = QAbstractTextDocumentLayout.PaintContext()
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        role = (QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        context.palette.setColor(QPalette.ColorRole.Text, opt.palette.color(role))
        doc.documentLayout().draw(painter, context)
        painter.restore()
