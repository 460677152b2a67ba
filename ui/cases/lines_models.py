"""Editable table models for an application's parties and goods lines.

Cells that fail validation are tinted and carry the problem as their tooltip; the editor
feeds the problems in after each change.
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from app.casedata import GoodsData, PartyData
from app.reference import ReferenceData
from app.vocab import PartyKind, PartyRole

_Index = QModelIndex | QPersistentModelIndex
T = TypeVar("T", PartyData, GoodsData)
VALUE_ROLE = Qt.ItemDataRole.UserRole + 10
_ERROR_BG = QBrush(QColor("#fde8e8"))


def parse_decimal(text: str) -> Decimal:
    """Accepts 1 234,50 or 1,234.50 or 1234.5; anything else becomes NaN (flagged later)."""
    cleaned = re.sub(r"[\s_'\u00a0]", "", text)
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".") if cleaned.count(",") == 1 and len(
            cleaned.split(",")[1]) != 3 else cleaned.replace(",", "")
    else:
        cleaned = cleaned.replace(",", "")
    try:
        return Decimal(cleaned) if cleaned else Decimal("NaN")
    except InvalidOperation:
        return Decimal("NaN")


def format_decimal(value: Decimal) -> str:
    return "" if not value.is_finite() else str(value)


class _LinesModel(QAbstractTableModel, Generic[T]):
    FIELDS: tuple[str, ...] = ()

    def __init__(self, ref: ReferenceData, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ref = ref
        self._rows: list[T] = []
        self._problems: dict[tuple[int, str], str] = {}
        self.read_only = False

    def headers(self) -> list[str]:
        raise NotImplementedError

    def set_rows(self, rows: list[T]) -> None:
        self.beginResetModel()
        self._rows = [replace(r) for r in rows]
        self.endResetModel()

    def rows(self) -> list[T]:
        return [replace(r) for r in self._rows]

    def set_problems(self, problems: dict[tuple[int, str], str]) -> None:
        if problems == self._problems:
            return
        self._problems = problems
        if self._rows:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._rows) - 1, len(self.FIELDS) - 1),
                                  [Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ToolTipRole])

    def new_row(self) -> T:
        raise NotImplementedError

    def append_row(self) -> int:
        row = len(self._rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.append(self.new_row())
        self.endInsertRows()
        return row

    def remove_row(self, row: int) -> None:
        if 0 <= row < len(self._rows):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            self.endRemoveRows()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.FIELDS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.headers()[section]
        return str(section + 1)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return base if self.read_only else base | Qt.ItemFlag.ItemIsEditable

    def display(self, item: T, field: str) -> str:
        return str(getattr(item, field))

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self._rows[index.row()]
        field = self.FIELDS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(item, field)
        if role in (Qt.ItemDataRole.EditRole, VALUE_ROLE):
            value = getattr(item, field)
            return format_decimal(value) if isinstance(value, Decimal) else value
        problem = self._problems.get((index.row(), field))
        if role == Qt.ItemDataRole.BackgroundRole and problem:
            return _ERROR_BG
        if role == Qt.ItemDataRole.ToolTipRole:
            return problem or None
        return None

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole or self.read_only:
            return False
        item = self._rows[index.row()]
        field = self.FIELDS[index.column()]
        current = getattr(item, field)
        new = parse_decimal(str(value)) if isinstance(current, Decimal) else str(value)
        if isinstance(new, str) and field not in ("address", "description", "name"):
            new = new.strip()
        if new == current or (isinstance(new, Decimal) and str(new) == str(current)):
            return False
        setattr(item, field, new)
        self.dataChanged.emit(index, index)
        return True


class PartiesModel(_LinesModel[PartyData]):
    FIELDS = ("role", "name", "address", "country", "kind", "birth_date")
    BIRTH_DATE_COLUMN = FIELDS.index("birth_date")

    def headers(self) -> list[str]:
        return [self.tr("Role"), self.tr("Name"), self.tr("Address"), self.tr("Country"),
                self.tr("Kind"), self.tr("Date of birth")]

    def new_row(self) -> PartyData:
        return PartyData(role=PartyRole.END_USER.value, kind=PartyKind.GOVERNMENT.value)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and index.column() == self.BIRTH_DATE_COLUMN:
            item = self._rows[index.row()]
            # Only an individual has a date of birth; one left on another kind of party stays
            # enabled so that the officer can see the problem and clear it.
            if item.kind != PartyKind.INDIVIDUAL.value and not item.birth_date:
                return flags & ~(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsEditable)
        return flags

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if (index.isValid() and index.column() == self.BIRTH_DATE_COLUMN
                and not self.flags(index) & Qt.ItemFlag.ItemIsEditable):
            return False
        changed = super().setData(index, value, role)
        if changed and self.FIELDS[index.column()] == "kind":
            # the date of birth cell is enabled or not by the kind: repaint it
            cell = self.index(index.row(), self.BIRTH_DATE_COLUMN)
            self.dataChanged.emit(cell, cell)
        return changed

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (role == Qt.ItemDataRole.ToolTipRole and index.isValid()
                and index.column() == self.BIRTH_DATE_COLUMN):
            return super().data(index, role) or self.tr(
                "An individual's date of birth, when known: YYYY, YYYY-MM or YYYY-MM-DD. "
                "Screening weighs it against the dates of birth on the lists.")
        return super().data(index, role)

    def display(self, item: PartyData, field: str) -> str:
        if field == "role":
            try:
                return PartyRole(item.role).label
            except ValueError:
                return item.role
        if field == "kind":
            try:
                return PartyKind(item.kind).label
            except ValueError:
                return item.kind
        if field == "country":
            return f"{self.ref.country_name(item.country)} ({item.country})" if item.country \
                else ""
        if field == "address":
            return item.address.replace("\n", ", ")
        return str(getattr(item, field))


class GoodsModel(_LinesModel[GoodsData]):
    FIELDS = ("description", "control_entry", "att_category", "quantity", "unit", "value",
              "currency")

    def headers(self) -> list[str]:
        return [self.tr("Description"), self.tr("Control entry"), self.tr("ATT category"),
                self.tr("Quantity"), self.tr("Unit"), self.tr("Value"), self.tr("Currency")]

    def new_row(self) -> GoodsData:
        return GoodsData(att_category="NONE")

    def display(self, item: GoodsData, field: str) -> str:
        value = getattr(item, field)
        if field == "value":
            return f"{value:,.2f}" if value.is_finite() else "?"
        if field == "quantity":
            return f"{value:,}" if value.is_finite() else "?"
        return str(value)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (role == Qt.ItemDataRole.TextAlignmentRole and index.isValid()
                and self.FIELDS[index.column()] in ("quantity", "value")):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if (role == Qt.ItemDataRole.ToolTipRole and index.isValid()
                and self.FIELDS[index.column()] == "control_entry"):
            problem = super().data(index, role)
            if problem:
                return problem
            category = self.ref.control_category_of(self._rows[index.row()].control_entry)
            return self.ref.control_categories[category].title if category in \
                self.ref.control_categories else None
        return super().data(index, role)
