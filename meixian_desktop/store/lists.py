"""What each record list shows, with no Qt: its columns (header, SQL, how a value is shown, when
it is shown in red) and order. The window's table models and the command line both read these,
so a list looks the same wherever it is printed."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from meixian_desktop.core.households import TAGS
from meixian_desktop.core.masking import mask_phone
from meixian_desktop.core.mediation import CATEGORIES, DEADLINE_STATUSES, RISK_TAGS, WARNING_DAYS
from meixian_desktop.core.mediation import STATUSES as CASE_STATUSES
from meixian_desktop.core.orders import LIVE_STATUSES
from meixian_desktop.core.orders import STATUSES as ORDER_STATUSES
from meixian_desktop.core.patrols import KINDS
from meixian_desktop.store import settings as settings_store
from meixian_desktop.store.database import Store


def plain(value: Any) -> str:
    return "" if value is None else str(value)


@dataclass(frozen=True)
class Column:
    """A column: its header, the SQL expression that fetches and sorts it (on alias ``t``), how
    a value is shown, when it is shown in red (e.g. overdue), and its key in JSON output."""

    header: str
    sql: str
    show: Callable[[Any], str] = field(default=plain)
    alert: Callable[[Any], bool] | None = None
    key: str = ""


@dataclass(frozen=True)
class ListSpec:
    """One record list: the table, its default order, its columns, and what a row is called."""

    table: str
    order: str
    columns: tuple[Column, ...]
    noun: str = "条记录"


def labels(codes: Any) -> Callable[[Any], str]:
    """Show a code by its label in the category set ``codes``."""
    return lambda code: "" if code is None else codes.label_of(str(code))


def _count(value: Any) -> str:
    return "" if not value else str(value)


def tag_labels(value: Any) -> str:
    return "、".join(TAGS.label_of(code) for code in json.loads(str(value))) if value else ""


def _risks(value: Any) -> str:
    return "、".join(RISK_TAGS.label_of(c) for c in json.loads(value or "[]"))


def masked_phone(value: Any) -> str:
    return mask_phone(str(value)) if value else ""


VILLAGE_NAME = "(SELECT v.name FROM villages v WHERE v.id = t.village_id)"
PATROL_VILLAGES = ("(SELECT group_concat(v.name, '、') FROM json_each(t.village_ids) j "
                   "JOIN villages v ON v.id = j.value)")
FINDING_COUNT = "(SELECT count(*) FROM findings f WHERE f.patrol_id = t.id AND f.deleted = 0)"
OPEN_COUNT = ("(SELECT count(*) FROM findings f WHERE f.patrol_id = t.id AND f.deleted = 0 "
              "AND f.status IN ('open', 'escalated'))")
PATROL_AREA = ("coalesce(nullif(t.area, ''), nullif(t.river_name || t.river_section, ''), "
               "t.plot_number)")
ALL_TAGS = ("(SELECT json_group_array(value) FROM (SELECT value FROM json_each(t.tags) UNION "
            "SELECT j.value FROM members m, json_each(m.tags) j "
            "WHERE m.household_id = t.id AND m.deleted = 0))")
# Names and relations only: ID numbers and phones of guardians never reach a list.
GUARDIAN_NAMES = ("(SELECT group_concat(json_extract(j.value, '$[0]') || '（' || "
                  "json_extract(j.value, '$[1]') || '）', '、') FROM json_each(t.guardians) j)")
PARTY_NAMES = ("(SELECT group_concat(p.name, '、') FROM case_parties p "
               "WHERE p.case_id = t.id AND p.deleted = 0)")


def _only_while(statuses: tuple[str, ...] | frozenset[str], column: str) -> str:
    """``column`` while the record is in one of ``statuses``; nothing once it is closed."""
    live = ", ".join(f"'{status}'" for status in sorted(statuses))
    return f"CASE WHEN t.status IN ({live}) THEN {column} END"


def patrol_list(store: Store, today: date) -> ListSpec:
    """巡查: newest first."""
    return ListSpec("patrols", "t.patrol_date DESC, t.rowid DESC", (
        Column("日期", "t.patrol_date", key="date"),
        Column("类型", "t.kind", labels(KINDS), key="kind"),
        Column("村（社区）", PATROL_VILLAGES, key="villages"),
        Column("负责人", "t.leader", key="leader"),
        Column("区域/河段/地块", PATROL_AREA, key="area"),
        Column("发现问题", FINDING_COUNT, _count, key="findings"),
        Column("未整改", OPEN_COUNT, _count, key="open"),
    ), "条巡查记录")


def household_list(store: Store, today: date) -> ListSpec:
    """走访: the household due first; phones masked (shown whole in the editor)."""
    late = today.isoformat()
    return ListSpec("households", "t.next_visit_due, t.rowid", (
        Column("户号", "t.number", key="number"),
        Column("户主", "t.head_name", key="head"),
        Column("村（社区）", VILLAGE_NAME, key="village"),
        Column("村民小组", "(SELECT g.name FROM village_groups g WHERE g.id = t.group_id)",
               key="group"),
        Column("重点人群", ALL_TAGS, tag_labels, key="tags"),
        Column("联系电话", "t.phone", masked_phone, key="phone"),
        Column("下次走访", "t.next_visit_due",
               alert=lambda day: bool(day) and str(day) < late, key="next_visit"),
    ), "户")


def order_list(store: Store, today: date) -> ListSpec:
    """监护令: newest first; the minor by pseudonym unless 设置 allows names; a late follow-up
    in red, none once the order is closed."""
    names = bool(settings_store.get(store, "show_minor_names_in_lists"))
    late = today.isoformat()
    return ListSpec("orders", "t.issue_date DESC, t.rowid DESC", (
        Column("文号", "t.number", key="number"),
        Column("签发日期", "t.issue_date", key="issued"),
        Column("未成年人", "t.minor_name" if names else "t.minor_pseudonym", key="minor"),
        Column("监护人", GUARDIAN_NAMES, key="guardians"),
        Column("村（社区）", VILLAGE_NAME, key="village"),
        Column("状态", "t.status", labels(ORDER_STATUSES), key="status"),
        Column("下次回访", _only_while(LIVE_STATUSES, "t.next_followup_date"),
               alert=lambda day: bool(day) and str(day) < late, key="next_followup"),
    ), "份监护令")


def case_list(store: Store, today: date) -> ListSpec:
    """矛盾纠纷: risk-tagged first, then newest; a deadline within 5 days or past in red."""
    warn = (today + timedelta(days=WARNING_DAYS)).isoformat()
    return ListSpec("cases", "t.risk DESC, t.registered_on DESC, t.rowid DESC", (
        Column("案号", "t.number", key="number"),
        Column("登记日期", "t.registered_on", key="registered"),
        Column("类别", "t.category", labels(CATEGORIES), key="category"),
        Column("当事人", PARTY_NAMES, key="parties"),
        Column("村（社区）", VILLAGE_NAME, key="village"),
        Column("风险", "t.risk_tags", _risks, alert=lambda v: v not in (None, "[]"),
               key="risks"),
        Column("状态", "t.status", labels(CASE_STATUSES), key="status"),
        Column("调解期限", _only_while(DEADLINE_STATUSES, "t.deadline"),
               alert=lambda day: bool(day) and str(day) <= warn, key="deadline"),
    ), "件纠纷")


LISTS: dict[str, Callable[[Store, date], ListSpec]] = {
    "patrols": patrol_list, "households": household_list, "orders": order_list,
    "cases": case_list,
}


def shown_rows(store: Store, spec: ListSpec, where: str, params: list[Any], limit: int
               ) -> list[dict[str, Any]]:
    """The first ``limit`` live rows matching ``where``, in the list's order, each as its
    columns show it (labels, masked phones), keyed by the columns' keys, with the id."""
    exprs = ", ".join(column.sql for column in spec.columns)
    rows = store.conn.execute(
        f"SELECT t.id, {exprs} FROM {spec.table} t WHERE t.deleted = 0 "
        f"{'AND (' + where + ')' if where else ''} ORDER BY {spec.order}, t.rowid LIMIT ?",
        [*params, limit]).fetchall()
    return [{"id": row[0], **{column.key: column.show(value)
                              for column, value in zip(spec.columns, row[1:], strict=True)}}
            for row in rows]
