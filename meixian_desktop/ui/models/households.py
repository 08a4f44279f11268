"""Table models of the 走访 section: households (ID and phone masked), members, measures, visits."""

from __future__ import annotations

from datetime import date
from typing import Any

from meixian_desktop.core import clock
from meixian_desktop.core.households import HEALTH, MEASURE_TYPES, RELATIONS, TAGS, VISIT_TYPES
from meixian_desktop.core.validation import age_on, check_id_number
from meixian_desktop.store.database import Store
from meixian_desktop.store.lists import household_list
from meixian_desktop.ui.models.records import Column, RawListModel, RecordTableModel


class HouseholdTableModel(RecordTableModel):
    """Households matching the page's filter; phone numbers masked (store/lists.py)."""

    def __init__(self, store: Store, parent: Any = None, *, today: date | None = None) -> None:
        super().__init__(store, parent, spec=household_list(store, today or clock.today()))


class VisitTableModel(RecordTableModel):
    """The visits of one household, newest first."""

    table = "visits"
    default_order = "t.visit_date DESC, t.rowid DESC"
    columns = (
        Column("走访日期", "t.visit_date"),
        Column("走访人", "t.visitors"),
        Column("类型", "t.visit_type", lambda code: VISIT_TYPES.label_of(str(code))),
        Column("见到", "t.person_met"),
        Column("当场办理", "t.done_on_spot"),
        Column("下次走访", "t.next_visit_date"),
    )

    def show_household(self, household_id: str) -> None:
        self.set_filter("t.household_id = ?", [household_id])


def member_age(row: dict[str, Any], today: date) -> str:
    """Age from a valid ID number or a typed birth date, for the members table."""
    try:
        born = check_id_number(str(row.get("id_number")), today).birth_date
    except Exception:
        try:
            born = date.fromisoformat(str(row.get("birth_date")))
        except ValueError:
            return ""
    years = age_on(born, today)
    return str(years) if years >= 0 else ""


class MemberListModel(RawListModel):
    """Members of the household being edited (its own page: ID numbers shown whole)."""

    headers = ("姓名", "与户主关系", "身份证号码", "年龄", "健康状况", "重点人群")

    def cell(self, row: dict[str, Any], column: int) -> str:
        if column == 0:
            return str(row.get("name") or "")
        if column == 1:
            return RELATIONS.label_of(str(row.get("relation") or ""))
        if column == 2:
            return str(row.get("id_number") or "")
        if column == 3:
            return member_age(row, clock.today())
        if column == 4:
            return HEALTH.label_of(str(row.get("health") or ""))
        return "、".join(TAGS.label_of(c) for c in row.get("tags") or ())


class MeasureListModel(RawListModel):
    """Assistance measures of the household being edited."""

    headers = ("措施", "内容", "开始", "结束", "责任单位")

    def cell(self, row: dict[str, Any], column: int) -> str:
        if column == 0:
            return MEASURE_TYPES.label_of(str(row.get("measure_type") or ""))
        key = ("", "content", "start_date", "end_date", "unit")[column]
        return str(row.get(key) or "")
