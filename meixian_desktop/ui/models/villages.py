"""The villages and 村民小组 shown on the 设置 page."""

from __future__ import annotations

from meixian_desktop.core.categories import VILLAGE_KINDS
from meixian_desktop.ui.models.records import Column, RecordTableModel


def _retired(value: object) -> str:
    return "已停用" if value else "使用中"


class VillageTableModel(RecordTableModel):
    """Every village and community, retired ones included and marked."""

    table = "villages"
    default_order = "t.sort, t.name"
    columns = (
        Column("名称", "t.name"),
        Column("类型", "t.kind", lambda code: VILLAGE_KINDS.label_of(str(code))),
        Column("统计代码", "t.code"),
        Column(
            "村民小组",
            "(SELECT count(*) FROM village_groups g WHERE g.village_id = t.id "
            "AND g.deleted = 0 AND g.retired = 0)",
        ),
        Column("状态", "t.retired", _retired),
    )


class GroupTableModel(RecordTableModel):
    """The 村民小组 of one village."""

    table = "village_groups"
    default_order = "t.sort, t.name"
    columns = (Column("村民小组", "t.name"), Column("状态", "t.retired", _retired))

    def show_village(self, village_id: str) -> None:
        self.set_filter("t.village_id = ?", [village_id])
