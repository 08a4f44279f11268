"""Table models of the 巡查 section: the patrol list, the findings of one patrol, the roster."""

from __future__ import annotations

from typing import Any

from meixian_desktop.core.categories import CategorySet
from meixian_desktop.core.patrols import ACTIONS, KINDS, STATUSES
from meixian_desktop.ui.models.records import Column, RawListModel, RecordTableModel

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


class FindingListModel(RawListModel):
    """The findings of the patrol being edited, held as typed (raw) dicts in memory."""

    headers = ("类别", "问题描述", "地点", "处置", "整改期限", "状态", "照片")

    def __init__(self, categories: CategorySet | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self.categories = categories

    def cell(self, row: dict[str, Any], column: int) -> str:
        if column == 0:
            code = str(row.get("category", ""))
            return self.categories.label_of(code) if self.categories else code
        if column == 3:
            return ACTIONS.label_of(str(row.get("action", "")))
        if column == 5:
            return STATUSES.label_of(str(row.get("status", "open")))
        if column == 6:
            return str(len(row["photos"])) if row.get("photos") else ""
        key = {1: "description", 2: "place", 4: "deadline"}[column]
        return str(row.get(key) or "")
