"""Table models of the 巡查 section: the patrol list, the findings of one patrol, the roster."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from meixian_desktop.core.categories import CategorySet
from meixian_desktop.core.patrols import ACTIONS, KINDS, STATUSES
from meixian_desktop.ui.models.records import Column, RecordTableModel

AnyIndex = QModelIndex | QPersistentModelIndex

VILLAGE_NAMES = (
    "(SELECT group_concat(v.name, '、') FROM json_each(t.village_ids) j "
    "JOIN villages v ON v.id = j.value)"
)
FINDING_COUNT = "(SELECT count(*) FROM findings f WHERE f.patrol_id = t.id AND f.deleted = 0)"
OPEN_COUNT = (
    "(SELECT count(*) FROM findings f WHERE f.patrol_id = t.id AND f.deleted = 0 "
    "AND f.status IN ('open', 'escalated'))"
)


def _count(value: object) -> str:
    return "" if not value else str(value)


class PatrolTableModel(RecordTableModel):
    """Every live patrol matching the page's filter, newest first."""

    table = "patrols"
    default_order = "t.patrol_date DESC, t.rowid DESC"
    columns = (
        Column("日期", "t.patrol_date"),
        Column("类型", "t.kind", lambda code: KINDS.label_of(str(code))),
        Column("村（社区）", VILLAGE_NAMES),
        Column("负责人", "t.leader"),
        Column("区域/河段/地块",
               "coalesce(nullif(t.area, ''), nullif(t.river_name || t.river_section, ''), "
               "t.plot_number)"),
        Column("发现问题", FINDING_COUNT, _count),
        Column("未整改", OPEN_COUNT, _count),
    )


class FireTeamModel(RecordTableModel):
    """The response team roster."""

    table = "fire_team_members"
    default_order = "t.name"
    columns = (
        Column("姓名", "t.name"),
        Column("电话", "t.phone"),
        Column("村（社区）", "(SELECT v.name FROM villages v WHERE v.id = t.village_id)"),
        Column("装备", "t.equipment"),
        Column("最近培训", "t.last_training"),
    )


class FindingListModel(QAbstractTableModel):
    """The findings of the patrol being edited, held as typed (raw) dicts in memory."""

    headers = ("类别", "问题描述", "地点", "处置", "整改期限", "状态", "照片")

    def __init__(self, categories: CategorySet | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[dict[str, Any]] = []
        self.categories = categories

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

    def _cell(self, row: dict[str, Any], column: int) -> str:
        if column == 0:
            code = str(row.get("category", ""))
            return self.categories.label_of(code) if self.categories else code
        if column == 1:
            return str(row.get("description", ""))
        if column == 2:
            return str(row.get("place", ""))
        if column == 3:
            return ACTIONS.label_of(str(row.get("action", "")))
        if column == 4:
            return str(row.get("deadline", "") or "")
        if column == 5:
            return STATUSES.label_of(str(row.get("status", "open")))
        return str(len(row.get("photos") or ())) if row.get("photos") else ""

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._cell(self.rows[index.row()], index.column())
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
