"""A table model over a record query: holds ids only, fetches rows in blocks as they are shown."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from meixian_desktop.store.database import Store

BLOCK = 200
ALERT = QColor("#b00020")
AnyIndex = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
    """A column: its header, the SQL expression that fetches and sorts it, how it is shown."""

    header: str
    sql: str
    show: Callable[[Any], str] = field(default=lambda value: "" if value is None else str(value))
    alert: Callable[[Any], bool] | None = None  # shown in red when true (e.g. overdue)


class RecordTableModel(QAbstractTableModel):
    """Lists the ids matching ``where`` in SQL order; row contents are read lazily."""

    table = ""
    columns: tuple[Column, ...] = ()
    default_order = "t.rowid"

    def __init__(self, store: Store, parent: Any = None) -> None:
        super().__init__(parent)
        self.store = store
        self.ids: list[str] = []
        self._blocks: dict[int, list[tuple]] = {}
        self._order = self.default_order
        self._where = "t.deleted = 0"
        self._params: list[Any] = []
        self.refresh()

    # -- queries ------------------------------------------------------------------------------
    def set_filter(self, where: str, params: list[Any]) -> None:
        """Restrict the rows with an SQL condition on alias ``t`` (always live records only)."""
        self._where = f"t.deleted = 0 AND ({where})" if where else "t.deleted = 0"
        self._params = list(params)
        self.refresh()

    def refresh(self) -> None:
        self.beginResetModel()
        sql = f"SELECT t.id FROM {self.table} t WHERE {self._where} ORDER BY {self._order}"
        self.ids = [row[0] for row in self.store.conn.execute(sql, self._params)]
        self._blocks.clear()
        self.endResetModel()

    def _row(self, row: int) -> tuple:
        block = row // BLOCK
        if block not in self._blocks:
            ids = self.ids[block * BLOCK : (block + 1) * BLOCK]
            exprs = ", ".join(column.sql for column in self.columns)
            marks = ", ".join("?" for _ in ids)
            fetched = {
                r[0]: tuple(r[1:])
                for r in self.store.conn.execute(
                    f"SELECT t.id, {exprs} FROM {self.table} t WHERE t.id IN ({marks})", ids
                )
            }
            self._blocks[block] = [fetched.get(i, (None,) * len(self.columns)) for i in ids]
        return self._blocks[block][row % BLOCK]

    def record_id(self, row: int) -> str:
        return self.ids[row]

    def row_of(self, record_id: str) -> int:
        return self.ids.index(record_id)

    # -- Qt model interface ------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.ids)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.ids):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            column = self.columns[index.column()]
            return column.show(self._row(index.row())[index.column()])
        if role == Qt.ItemDataRole.UserRole:
            return self.ids[index.row()]
        if role == Qt.ItemDataRole.ForegroundRole:
            column = self.columns[index.column()]
            if column.alert is not None and column.alert(self._row(index.row())[index.column()]):
                return ALERT
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            return self.columns[section].header
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns):
            return
        direction = "DESC" if order == Qt.SortOrder.DescendingOrder else "ASC"
        self._order = f"{self.columns[column].sql} {direction}, t.rowid"
        self.layoutAboutToBeChanged.emit()
        sql = f"SELECT t.id FROM {self.table} t WHERE {self._where} ORDER BY {self._order}"
        self.ids = [row[0] for row in self.store.conn.execute(sql, self._params)]
        self._blocks.clear()
        self.layoutChanged.emit()


class RawListModel(QAbstractTableModel):
    """Child rows of the record being edited (findings, members, …) held in memory as the
    typed dicts core parses; subclasses give ``headers`` and ``cell()``."""

    headers: tuple[str, ...] = ()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[dict[str, Any]] = []

    def cell(self, row: dict[str, Any], column: int) -> str:
        raise NotImplementedError

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.rows = [dict(row) for row in rows]
        self.endResetModel()

    def add(self, row: dict[str, Any]) -> int:
        self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows))
        self.rows.append(dict(row))
        self.endInsertRows()
        return len(self.rows) - 1

    def replace(self, number: int, row: dict[str, Any]) -> None:
        self.rows[number] = dict(row)
        self.dataChanged.emit(self.index(number, 0), self.index(number, len(self.headers) - 1))

    def remove(self, number: int) -> None:
        self.beginRemoveRows(QModelIndex(), number, number)
        del self.rows[number]
        self.endRemoveRows()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.cell(self.rows[index.row()], index.column())
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.headers):
            return self.headers[section]
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        return None
