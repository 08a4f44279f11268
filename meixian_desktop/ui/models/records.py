"""A table model over a record query: holds ids only, fetches rows in blocks as they are shown."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from meixian_desktop.core.timeline import TimelineEntry
from meixian_desktop.store.database import Store
from meixian_desktop.store.lists import Column, ListSpec

__all__ = ["Column", "RecordTableModel", "RawListModel", "TimelineModel", "reverse_order"]

BLOCK = 200
ALERT = QColor("#b00020")
AnyIndex = QModelIndex | QPersistentModelIndex


def reverse_order(order: str) -> str:
    """The opposite of an ORDER BY list of plain terms ("t.a DESC, t.b" → "t.a ASC, t.b DESC")."""
    terms = []
    for term in order.split(","):
        term = term.strip()
        if term.upper().endswith(" DESC"):
            terms.append(term[:-5] + " ASC")
        elif term.upper().endswith(" ASC"):
            terms.append(term[:-4] + " DESC")
        else:
            terms.append(term + " DESC")
    return ", ".join(terms)


class RecordTableModel(QAbstractTableModel):
    """The records matching ``where`` in SQL order, read a window of BLOCK rows at a time:
    opening a list of 100,000 costs a count and one window, jumping to its end one more."""

    table = ""
    columns: tuple[Column, ...] = ()
    default_order = "t.rowid"
    kept_blocks = 50  # windows kept in memory (10,000 rows); older ones are read again

    def __init__(self, store: Store, parent: Any = None, *, spec: ListSpec | None = None
                 ) -> None:
        super().__init__(parent)
        if spec is not None:  # a record list of store/lists.py
            self.table, self.default_order, self.columns = spec.table, spec.order, spec.columns
        self.store = store
        self._count = 0
        self._blocks: dict[int, list[tuple]] = {}
        # A last tie-breaker makes the order total, so reading from either end agrees.
        order = self.default_order
        self._order = order if "rowid" in order else f"{order}, t.rowid"
        self._reverse = reverse_order(self._order)
        self._where = "t.deleted = 0"
        self._params: list[Any] = []
        self._asked: tuple[str, list[Any]] = ("", [])  # the page's own filter
        self._origin = ""  # the town's 网格员 filter: the device that made the record
        self.refresh()

    # -- queries ------------------------------------------------------------------------------
    def set_filter(self, where: str, params: list[Any]) -> None:
        """Restrict the rows with an SQL condition on alias ``t`` (always live records only)."""
        self._asked = (where, list(params))
        clauses, values = ["t.deleted = 0"], list(params)
        if where:
            clauses.append(f"({where})")
        if self._origin:
            clauses.append("t.origin = ?")
            values.append(self._origin)
        self._where = " AND ".join(clauses)
        self._params = values
        self.refresh()

    def set_origin(self, device_id: str) -> None:
        """Only the records made on this device ("" for every device)."""
        self._origin = device_id
        self.set_filter(*self._asked)

    def show_sync(self, *, town: bool) -> None:
        """Add the sync column: for a worker each record's state (待同步, 已导出, 已确认,
        冲突); for the town the 网格员 whose device made the record."""
        from meixian_desktop.ui.models.sync_columns import sync_column

        self.beginResetModel()
        self.columns = (*self.columns, sync_column(self.table, town=town,
                                                   device_id=self.store.device_id()))
        self._blocks.clear()
        self.endResetModel()

    def refresh(self) -> None:
        """Count the rows. A filtered list (a search, a village…) has its rows' positions read
        at once, so the filter runs one time; the whole table is read window by window."""
        self.beginResetModel()
        self._blocks.clear()
        self._load_positions()
        self.endResetModel()

    def _load_positions(self) -> None:
        if self._where == "t.deleted = 0":
            self._rowids: list[int] | None = None
            self._count = self.store.conn.execute(
                f"SELECT count(*) FROM {self.table} t WHERE {self._where}", self._params
            ).fetchone()[0]
        else:
            self._rowids = [r[0] for r in self.store.conn.execute(
                f"SELECT t.rowid FROM {self.table} t WHERE {self._where} ORDER BY {self._order}",
                self._params)]
            self._count = len(self._rowids)

    def _block(self, block: int) -> list[tuple]:
        rows = self._blocks.pop(block, None)
        if rows is None:
            rows = self._read_window(block * BLOCK, min(BLOCK, self._count - block * BLOCK))
            while len(self._blocks) >= self.kept_blocks:
                self._blocks.pop(next(iter(self._blocks)))
        self._blocks[block] = rows  # most recently used last
        return rows

    def _read_window(self, start: int, size: int) -> list[tuple]:
        """Rows start … start+size-1 in order. Past the middle they are read from the other
        end, so jumping to the end of 100,000 rows skips nothing."""
        if size <= 0:
            return []
        exprs = ", ".join(column.sql for column in self.columns)
        if self._rowids is not None:
            chosen = self._rowids[start:start + size]
            marks = ",".join("?" for _ in chosen)
            return self.store.conn.execute(
                f"SELECT t.id, {exprs} FROM {self.table} t WHERE t.rowid IN ({marks}) "
                f"ORDER BY {self._order}", chosen).fetchall()
        forward = start * 2 <= self._count
        order = self._order if forward else self._reverse
        offset = start if forward else max(self._count - start - size, 0)
        # Pick the window's rows by rowid first, then compute the display columns (some are
        # subqueries) for those rows only, not for every row the sort had to look at.
        rows = self.store.conn.execute(
            f"SELECT t.id, {exprs} FROM {self.table} t WHERE t.rowid IN ("
            f"SELECT t.rowid FROM {self.table} t WHERE {self._where} "
            f"ORDER BY {order} LIMIT ? OFFSET ?) ORDER BY {order}",
            [*self._params, size, offset],
        ).fetchall()
        return rows if forward else rows[::-1]

    def _record(self, row: int) -> tuple:
        rows = self._block(row // BLOCK)
        offset = row % BLOCK
        # Rows removed since the count (another window saved): show blanks until refresh.
        return rows[offset] if offset < len(rows) else (None,) * (len(self.columns) + 1)

    def _row(self, row: int) -> tuple:
        return tuple(self._record(row)[1:])

    def record_id(self, row: int) -> str:
        return str(self._record(row)[0])

    def row_of(self, record_id: str) -> int:
        """The row showing a record (reads every id: for short lists such as villages)."""
        ids = [r[0] for r in self.store.conn.execute(
            f"SELECT t.id FROM {self.table} t WHERE {self._where} ORDER BY {self._order}",
            self._params)]
        return ids.index(record_id)

    # -- Qt model interface ------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= self._count:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            column = self.columns[index.column()]
            return column.show(self._row(index.row())[index.column()])
        if role == Qt.ItemDataRole.UserRole:
            return self.record_id(index.row())
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
        back = "ASC" if direction == "DESC" else "DESC"
        self._order = f"{self.columns[column].sql} {direction}, t.rowid {direction}"
        self._reverse = f"{self.columns[column].sql} {back}, t.rowid {back}"
        self.layoutAboutToBeChanged.emit()
        self._blocks.clear()
        self._load_positions()
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


class TimelineModel(RawListModel):
    """What happened to one record (an order, a case), earliest first: when, what, details."""

    headers = ("时间", "事项", "说明")

    def set_entries(self, entries: list[TimelineEntry]) -> None:
        self.set_rows([vars(entry) for entry in entries])

    def cell(self, row: dict[str, Any], column: int) -> str:
        if column == 0:
            return str(row["at"])[:16].replace("T", " ")
        return str(row["title"] if column == 1 else row["detail"])
