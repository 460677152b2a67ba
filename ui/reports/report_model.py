"""One table of an oversight report as a Qt model: cells formatted on demand, so a register of
50,000 decisions costs a list of tuples and nothing per cell until the view paints it.

Numbers are right-aligned with thousands separators, money carries its currency, a withheld
cell reads "[withheld]" in grey italics with the reason as its tooltip. The totals row is a
model of its own (``totals=True``) so the page can pin it under the table, where sorting and
scrolling never move it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from reports.oversight_model import Cell, Column, Table, Withheld

Index = QModelIndex | QPersistentModelIndex

#: The cell as the report holds it (Decimal, date, Withheld, ...), for tests and copying.
RAW_ROLE = Qt.ItemDataRole.UserRole + 1

NUMERIC_KINDS = frozenset({"int", "money", "percent", "number"})
CURRENCY_SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$"}
WITHHELD_COLOUR = "#6b7280"
#: Every other block of a grouped table (COARM's five rows per destination) is shaded.
BAND_COLOUR = "#f4f6fa"
#: Rows sampled to choose column widths: measuring every row of a register would freeze.
WIDTH_SAMPLE = 300


@dataclass(frozen=True)
class ColumnFormat:
    kind: str
    unit: str
    #: Money with cents anywhere in the column shows cents everywhere in it, so digits align.
    decimals: int = 0


def column_formats(table: Table) -> list[ColumnFormat]:
    """How each column is shown, decided once per table from its kind and its values."""
    formats = []
    rows = [*table.rows, *([table.totals] if table.totals else [])]
    for n, column in enumerate(table.columns):
        decimals = 0
        if column.kind in ("money", "number"):
            decimals = 2 if any(_fractional(r[n]) for r in rows if n < len(r)) else 0
        formats.append(ColumnFormat(column.kind, column.unit, decimals))
    return formats


def _fractional(value: Cell) -> bool:
    if isinstance(value, Decimal):
        return value.is_finite() and value != value.to_integral_value()
    if isinstance(value, float):
        return value == value and value != int(value) if abs(value) < 1e15 else False
    return False


def money_text(amount: Decimal | float | int, unit: str, decimals: int = 0) -> str:
    """12500000 EUR -> "€12,500,000"; a currency without a symbol -> "12,500,000 CHF"."""
    negative = amount < 0
    digits = f"{abs(amount):,.{decimals}f}"
    symbol = CURRENCY_SYMBOLS.get(unit)
    text = f"{symbol}{digits}" if symbol else f"{digits} {unit}".rstrip()
    return f"−{text}" if negative else text


def format_cell(value: Cell, fmt: ColumnFormat) -> str:
    """The text a cell shows; the view never sees a raw Decimal or date."""
    if value is None:
        return ""
    if isinstance(value, Withheld):
        return str(value)
    if isinstance(value, str):
        return value  # a band ("EUR 100k–1M") or a label ("Total") in any column
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value != value:
        return ""
    kind = fmt.kind
    if kind == "money" and isinstance(value, Decimal | float | int):
        return money_text(value, fmt.unit, fmt.decimals)
    if kind == "percent" and isinstance(value, Decimal | float | int):
        return f"{float(value) * 100:.1f} %"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, Decimal | float):
        if kind == "int" or (value == int(value) and fmt.decimals == 0):
            return f"{value:,.0f}"
        return f"{value:,.{max(fmt.decimals, 2)}f}"
    return str(value)


def exact_text(value: Cell, fmt: ColumnFormat) -> str:
    """The tooltip of a number: money to the cent with its currency code."""
    if isinstance(value, Decimal | float | int) and fmt.kind == "money":
        return f"{value:,.2f} {fmt.unit}".rstrip()
    return ""


def _leading_text_columns(table: Table) -> int:
    """How many text columns open the table (COARM: destination, code, row label)."""
    count = 0
    for column in table.columns:
        if column.kind != "text":
            break
        count += 1
    return count


def _is_grouped(table: Table) -> bool:
    """Whether the rows come in blocks: the first cell repeats in the next row."""
    rows = table.rows
    return (len(rows) > 1 and _leading_text_columns(table) > 1
            and rows[0][0] is not None and rows[0][0] == rows[1][0])


def _group_ids(rows: list[tuple[Cell, ...]]) -> list[int]:
    ids, group, previous = [], -1, object()
    for row in rows:
        first = row[0] if row else None
        if first != previous:
            group += 1
            previous = first
        ids.append(group)
    return ids


def _sort_key(value: Cell) -> tuple[int, Any]:
    if isinstance(value, bool):
        return (0, int(value))
    if isinstance(value, int | float | Decimal):
        return (0, float(value))
    if isinstance(value, datetime):
        return (1, value.timestamp())
    if isinstance(value, date):
        return (1, value.toordinal())
    return (2, str(value).casefold())


class ReportTableModel(QAbstractTableModel):
    """The rows of a ``Table`` (or, with ``totals=True``, its totals row alone), read-only and
    sortable; the order is a list of row positions, the rows themselves are never copied."""

    def __init__(self, table: Table, parent: QObject | None = None, *, totals: bool = False,
                 formats: list[ColumnFormat] | None = None) -> None:
        super().__init__(parent)
        self.table = table
        self.is_totals = totals
        self._rows: list[tuple[Cell, ...]] = (
            [table.totals] if totals and table.totals else [] if totals else table.rows)
        self._order: list[int] | None = None  # None: the report's own order
        self.formats = formats or column_formats(table)
        #: Blocks of rows sharing their leading cells (a destination and its rows (a) to
        #: (e)): shaded in turn, the repeated names left blank, and not sortable.
        self.grouped = not totals and _is_grouped(table)
        self._group_of: list[int] = _group_ids(table.rows) if self.grouped else []
        self._leading = _leading_text_columns(table) if self.grouped else 0
        self._band = QBrush(QColor(BAND_COLOUR))
        self._bold = QFont()
        self._bold.setBold(True)
        self._italic = QFont()
        self._italic.setItalic(True)
        self._bold_italic = QFont(self._italic)
        self._bold_italic.setBold(True)
        self._grey = QBrush(QColor(WITHHELD_COLOUR))

    # shape --------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.table.columns)

    def column(self, n: int) -> Column:
        return self.table.columns[n]

    def cell(self, row: int, column: int) -> Cell:
        """The raw cell shown at ``row`` (in the current sort order)."""
        position = self._order[row] if self._order is not None else row
        values = self._rows[position]
        return values[column] if column < len(values) else None

    def text(self, row: int, column: int) -> str:
        return format_cell(self.cell(row, column), self.formats[column])

    def text_of(self, value: Cell, column: int) -> str:
        return format_cell(value, self.formats[column])

    def _repeated(self, row: int, column: int) -> bool:
        """A leading cell of a block's later row, same as the row above: shown blank."""
        if not self.grouped or self._order is not None or row == 0 or column >= self._leading:
            return False
        return (self._group_of[row] == self._group_of[row - 1]
                and self.cell(row, column) == self.cell(row - 1, column))

    def column_texts(self, column: int) -> list[str]:
        """Every text of a column, in the order shown (for tests; reads every row)."""
        return [self.text(r, column) for r in range(self.rowCount())]

    # data ---------------------------------------------------------------------------------
    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.formats):
            return None
        column = self.table.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.title
        if role == Qt.ItemDataRole.ToolTipRole:
            if column.kind == "money" and column.unit:
                return self.tr("%1, in %2").replace("%1", column.title).replace(
                    "%2", column.unit)
            return column.title
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int((Qt.AlignmentFlag.AlignRight if column.kind in NUMERIC_KINDS
                        else Qt.AlignmentFlag.AlignLeft) | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        value = self.cell(index.row(), index.column())
        fmt = self.formats[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return "" if self._repeated(index.row(), index.column()) else format_cell(value, fmt)
        if role == Qt.ItemDataRole.BackgroundRole:
            if self.grouped and self._order is None and self._group_of[index.row()] % 2:
                return self._band
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            numeric = fmt.kind in NUMERIC_KINDS and not (
                self.is_totals and index.column() == 0 and isinstance(value, str))
            return int((Qt.AlignmentFlag.AlignRight if numeric else Qt.AlignmentFlag.AlignLeft)
                       | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole:
            if isinstance(value, Withheld):
                return self._bold_italic if self.is_totals else self._italic
            return self._bold if self.is_totals else None
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._grey if isinstance(value, Withheld) else None
        if role == Qt.ItemDataRole.ToolTipRole:
            if isinstance(value, Withheld):
                return self.tr("Withheld: %1").replace("%1", value.reason)
            exact = exact_text(value, fmt)
            if exact:
                return exact
            text = format_cell(value, fmt)
            return text if len(text) > 40 else None
        if role == RAW_ROLE:
            return value
        return None

    # sorting ------------------------------------------------------------------------------
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """By a column's values (numbers as numbers); blank and withheld cells stay last in
        either direction. Column -1 restores the report's own order."""
        if self.is_totals:
            return
        self.layoutAboutToBeChanged.emit()
        if column < 0 or column >= len(self.table.columns):
            self._order = None
        else:
            valued, withheld, blank = [], [], []
            for n, row in enumerate(self._rows):
                value = row[column] if column < len(row) else None
                if value is None or value == "":
                    blank.append(n)
                elif isinstance(value, Withheld):
                    withheld.append(n)
                else:
                    valued.append(n)
            valued.sort(key=lambda n: _sort_key(self._rows[n][column]),
                        reverse=order == Qt.SortOrder.DescendingOrder)
            self._order = valued + withheld + blank
        self.layoutChanged.emit()

    # layout -------------------------------------------------------------------------------
    def sample_texts(self, column: int) -> list[str]:
        """Texts of a spread of rows, to size a column without reading 50,000 of them."""
        count = len(self._rows)
        if count <= WIDTH_SAMPLE:
            positions: range | list[int] = range(count)
        else:
            step = count / WIDTH_SAMPLE
            positions = sorted({int(i * step) for i in range(WIDTH_SAMPLE)})
        fmt = self.formats[column]
        return [format_cell(self._rows[p][column] if column < len(self._rows[p]) else None, fmt)
                for p in positions]
