"""The `patrols`, `households`, `orders` and `cases` commands: the GUI's lists, for scripts.

Each list is the very list spec the window's table model shows (store/lists.py) under its
page's own filter (the store's filter_condition): the same columns, labels, masked phones and
pseudonyms, no ID numbers.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import date
from typing import Any

from meixian_desktop.store.database import Store

Condition = Callable[[Store, argparse.Namespace, date], tuple[str, list[Any]]]


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


CONDITIONS: dict[str, Condition] = {
    "patrols": _patrols, "households": _households, "orders": _orders, "cases": _cases}


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
    """The rows the command prints, as the GUI list shows them (store/lists.py)."""
    from meixian_desktop.store.lists import LISTS, shown_rows  # not at start-up: the parser

    where, params = CONDITIONS[name](store, args, today)
    return shown_rows(store, LISTS[name](store, today), where, params, args.limit)


def print_rows(store: Store, name: str, rows: list[dict[str, Any]], as_json: bool,
               today: date) -> None:
    from meixian_desktop.store.lists import LISTS

    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        print("  ".join(str(value) for key, value in row.items() if key != "id" and value))
    print(f"共列出 {len(rows)} {LISTS[name](store, today).noun}。")
