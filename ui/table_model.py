"""A read-only table model over a list of rows, for the small lists (history, accounts)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

R = TypeVar("R")
Index = QModelIndex | QPersistentModelIndex


class RowsTableModel(QAbstractTableModel, Generic[R]):
    """Subclasses give ``headers()`` and ``cells(row)``; everything else is shared."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[R] = []

    def headers(self) -> tuple[str, ...]:
        raise NotImplementedError

    def cells(self, row: R) -> tuple[str, ...]:
        raise NotImplementedError

    def set_rows(self, rows: Sequence[R]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row(self, position: int) -> R:
        return self._rows[position]

    def rows(self) -> list[R]:
        """A copy of the rows, in the order shown."""
        return list(self._rows)

    def find_row(self, matches: Callable[[R], bool]) -> int:
        """The position of the first row that ``matches``, or -1."""
        return next((n for n, r in enumerate(self._rows) if matches(r)), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers())

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers()[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        return self.cells(self._rows[index.row()])[index.column()]
