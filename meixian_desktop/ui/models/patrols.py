"""Table models of the 巡查 section: the patrol list, the findings of one patrol, the roster."""

from __future__ import annotations

from datetime import date
from typing import Any

from meixian_desktop.core import clock
from meixian_desktop.core.categories import CategorySet
from meixian_desktop.core.patrols import ACTIONS, STATUSES
from meixian_desktop.store.database import Store
from meixian_desktop.store.lists import patrol_list
from meixian_desktop.ui.models.records import Column, RawListModel, RecordTableModel


class PatrolTableModel(RecordTableModel):
    """Every live patrol matching the page's filter, newest first (store/lists.py)."""

    def __init__(self, store: Store, parent: Any = None, *, today: date | None = None) -> None:
        super().__init__(store, parent, spec=patrol_list(store, today or clock.today()))


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
