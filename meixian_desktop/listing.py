"""The `patrols`, `households`, `orders` and `cases` commands: the GUI's lists, for scripts.

Each list uses its page's own filter (the store's filter_condition) and shows what the GUI
list shows: phone numbers masked, minors by pseudonym, no ID numbers.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from meixian_desktop.core.masking import mask_phone
from meixian_desktop.store.database import Store

VILLAGE = "(SELECT v.name FROM villages v WHERE v.id = t.village_id)"


@dataclass(frozen=True)
class Listing:
    """One list: its table and order, the columns shown (key, SQL), how the filter is made."""

    table: str
    order: str
    columns: tuple[tuple[str, str], ...]
    condition: Callable[[Store, argparse.Namespace, date], tuple[str, list[Any]]]
    noun: str
    shown: Callable[[dict[str, Any]], dict[str, Any]] = lambda row: row


def _patrols(store: Store, args: argparse.Namespace, today: date) -> tuple[str, list[Any]]:
    from meixian_desktop.store.patrols import PatrolFilter, filter_condition

    return filter_condition(store, PatrolFilter(
        kind=args.kind or "", query=args.search, open_findings=args.open,
        overdue_findings=args.overdue), today)


def _households(store: Store, args: argparse.Namespace, today: date) -> tuple[str, list[Any]]:
    from meixian_desktop.store.households import HouseholdFilter, filter_condition

    due = "overdue" if args.overdue else ("due" if args.due else "")
    return filter_condition(store, HouseholdFilter(tag=args.tag or "", due=due,
                                                   query=args.search), today)


def _orders(store: Store, args: argparse.Namespace, today: date) -> tuple[str, list[Any]]:
    from meixian_desktop.store.orders import OrderFilter, filter_condition

    followup = "overdue" if args.overdue else ""
    return filter_condition(store, OrderFilter(status=args.status or "", followup=followup,
                                               query=args.search), today)


def _cases(store: Store, args: argparse.Namespace, today: date) -> tuple[str, list[Any]]:
    from meixian_desktop.store.mediation import CaseFilter, filter_condition

    return filter_condition(store, CaseFilter(status=args.status or "", overdue=args.overdue,
                                              query=args.search), today)


def _mask_phone(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "phone": mask_phone(row["phone"]) if row.get("phone") else ""}


LISTINGS: dict[str, Listing] = {
    "patrols": Listing(
        "patrols", "t.patrol_date DESC, t.rowid DESC",
        (("date", "t.patrol_date"), ("kind", "t.kind"), ("leader", "t.leader"),
         ("area", "coalesce(nullif(t.area, ''), t.river_name, t.plot_number, '')"),
         ("findings", "(SELECT count(*) FROM findings f WHERE f.patrol_id = t.id "
                      "AND f.deleted = 0)")),
        _patrols, "条巡查记录"),
    "households": Listing(
        "households", "t.next_visit_due, t.rowid",
        (("number", "t.number"), ("head", "t.head_name"), ("village", VILLAGE),
         ("tags", "t.tags"), ("phone", "t.phone"), ("next_visit", "t.next_visit_due")),
        _households, "户", _mask_phone),
    "orders": Listing(
        "orders", "t.issue_date DESC, t.rowid DESC",
        (("number", "t.number"), ("issued", "t.issue_date"), ("minor", "t.minor_pseudonym"),
         ("village", VILLAGE), ("status", "t.status"),
         ("next_followup", "t.next_followup_date")),
        _orders, "份监护令"),
    "cases": Listing(
        "cases", "t.risk DESC, t.registered_on DESC, t.rowid DESC",
        (("number", "t.number"), ("registered", "t.registered_on"),
         ("category", "t.category"), ("village", VILLAGE), ("status", "t.status"),
         ("deadline", "t.deadline")),
        _cases, "件纠纷"),
}


def add_list_commands(sub: Any) -> None:
    """The four list commands and their options."""
    helps = {"patrols": "列出巡查记录", "households": "列出重点户",
             "orders": "列出督促监护令（只显示化名）", "cases": "列出纠纷案件"}
    for name, text in helps.items():
        command = sub.add_parser(name, help=text)
        command.add_argument("--search", default="", help="搜索（姓名、地点、描述、案号…）")
        command.add_argument("--overdue", action="store_true", help="只列逾期的")
        command.add_argument("--limit", type=int, default=50, help="最多列出几条（默认 50）")
        command.add_argument("--json", action="store_true", help="以 JSON 输出")
        if name == "patrols":
            command.add_argument("--kind", choices=["forest", "river", "farmland"])
            command.add_argument("--open", action="store_true", help="只列有未整改问题的")
        if name == "households":
            command.add_argument("--tag", default="", help="重点人群代码，如 dibao")
            command.add_argument("--due", action="store_true", help="本周应走访（含逾期）")
        if name in ("orders", "cases"):
            command.add_argument("--status", default="", help="状态代码")


def list_rows(store: Store, name: str, args: argparse.Namespace, today: date
              ) -> list[dict[str, Any]]:
    """The rows the command prints, as the GUI list would show them."""
    listing = LISTINGS[name]
    where, params = listing.condition(store, args, today)
    exprs = ", ".join(sql for _key, sql in listing.columns)
    rows = store.conn.execute(
        f"SELECT t.id, {exprs} FROM {listing.table} t WHERE t.deleted = 0 "
        f"{'AND (' + where + ')' if where else ''} ORDER BY {listing.order} LIMIT ?",
        [*params, args.limit],
    ).fetchall()
    keys = ["id", *(key for key, _sql in listing.columns)]
    return [listing.shown(dict(zip(keys, tuple(row), strict=True))) for row in rows]


def print_rows(name: str, rows: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        print("  ".join(str(value) for key, value in row.items() if key != "id" and value))
    print(f"共列出 {len(rows)} {LISTINGS[name].noun}。")
