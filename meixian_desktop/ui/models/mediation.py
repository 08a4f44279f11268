"""Table models of the 矛盾纠纷 section: the case list and the child rows of one case."""

from __future__ import annotations

from datetime import date
from typing import Any

from meixian_desktop.core import clock
from meixian_desktop.core.mediation import (
    MEDIATOR_ROLES,
    PARTY_KINDS,
    PERFORMANCE,
)
from meixian_desktop.store.database import Store
from meixian_desktop.store.lists import case_list
from meixian_desktop.ui.models.records import RawListModel, RecordTableModel


class CaseTableModel(RecordTableModel):
    """Every live case matching the page's filter: risk-tagged first, then newest; a deadline
    within 5 days or past shown in red (store/lists.py)."""

    def __init__(self, store: Store, parent: Any = None, *, today: date | None = None) -> None:
        self.today = today or clock.today()
        super().__init__(store, parent, spec=case_list(store, self.today))


class PartyListModel(RawListModel):
    headers = ("类型", "姓名/名称", "身份证号/信用代码", "电话", "住址")

    def cell(self, row: dict[str, Any], column: int) -> str:
        kind = str(row.get("kind") or "person")
        values = (PARTY_KINDS.label_of(kind), row.get("name"),
                  row.get("credit_code") if kind == "organisation" else row.get("id_number"),
                  row.get("phone"), row.get("address"))
        return str(values[column] or "")


class MediatorListModel(RawListModel):
    headers = ("姓名", "身份", "说明")

    def cell(self, row: dict[str, Any], column: int) -> str:
        values = (row.get("name"), MEDIATOR_ROLES.label_of(str(row.get("role") or "mediator")),
                  row.get("note"))
        return str(values[column] or "")


class InvestigationListModel(RawListModel):
    headers = ("日期", "调查人", "被调查人", "内容")

    def cell(self, row: dict[str, Any], column: int) -> str:
        key = ("investigation_date", "investigators", "interviewee", "content")[column]
        return str(row.get(key) or "")


class MeetingListModel(RawListModel):
    headers = ("日期", "时间", "地点", "参加人员", "结果")

    def cell(self, row: dict[str, Any], column: int) -> str:
        key = ("meeting_date", "time", "place", "present", "result")[column]
        return str(row.get(key) or "")


class VisitListModel(RawListModel):
    headers = ("回访日期", "回访人", "履行情况", "新的风险")

    def cell(self, row: dict[str, Any], column: int) -> str:
        if column == 2:
            return PERFORMANCE.label_of(str(row.get("performance") or ""))
        key = ("visit_date", "visitor", "performance", "new_risks")[column]
        return str(row.get(key) or "")
