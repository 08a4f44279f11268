"""Checking a record that arrived from another device before it is applied: shape, the store's
own constraints, and the core's rules for codes, dates and ID numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlcipher3 import dbapi2 as sqlite3

from meixian_desktop.core.errors import ValidationError
from meixian_desktop.core.fields import has_control
from meixian_desktop.core.record_codes import CODED_COLUMNS, codes_in
from meixian_desktop.core.validation import check_id_number
from meixian_desktop.store.schema import CONVENTION_COLUMNS, HLC_DEVICE_START

# Reference data the town owns and sends out; a worker's batch never carries it.
TOWN_OWNED = frozenset({"villages", "village_groups", "category_items"})

_ID = re.compile(r"^[0-9a-f][0-9a-f-]{15,79}$")
_HLC = re.compile(r"^\d{13}-\d{5}-[0-9A-Za-z-]{1,64}$")
_DATE_COLUMNS = re.compile(r"(_date|_on|_due|deadline|^observation_start|^observation_end)$")

ID_NUMBERS = {("members", "id_number"), ("orders", "minor_id_number"),
              ("case_parties", "id_number")}


class Rejected(Exception):
    """A record that cannot be applied; the reason is a Chinese sentence for the review list."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class TableShape:
    """A record table's columns with their declared types, NOT NULL ones, and foreign keys."""

    columns: dict[str, str]
    not_null: frozenset[str]
    parents: tuple[tuple[str, str], ...]  # (column, parent table)


def table_shape(conn: sqlite3.Connection, table: str) -> TableShape:
    info = conn.execute(f"PRAGMA table_info({table})").fetchall()
    keys = conn.execute(f"PRAGMA foreign_key_list({table})").fetchall()
    return TableShape({row[1]: str(row[2]).upper() for row in info},
                      frozenset(row[1] for row in info if row[3]),
                      tuple((row[3], row[2]) for row in keys))


def hlc_device(hlc: str) -> str:
    return hlc[HLC_DEVICE_START - 1:]


def check_envelope(item: Any) -> tuple[str, dict[str, Any], str | None]:
    """(table, row, base hlc) of one record envelope; a malformed envelope is a broken file."""
    if not isinstance(item, dict):
        raise ValueError("record envelope is not an object")
    table, row, base = item.get("table"), item.get("row"), item.get("base")
    if not isinstance(table, str) or not isinstance(row, dict):
        raise ValueError("record envelope lacks table or row")
    if base is not None and not isinstance(base, str):
        raise ValueError("record envelope base is not text")
    return table, row, base


def check_row(conn: sqlite3.Connection, shapes: dict[str, TableShape], table: str,
              row: dict[str, Any], *, sender: str | None, today: date) -> None:
    """Raise Rejected when ``row`` of ``table`` from device ``sender`` may not be applied;
    ``sender`` None: the rows are relayed, each may carry any device's edit."""
    shape = shapes.get(table)
    if shape is None:
        raise Rejected(f"未知的记录类型“{table[:40]}”，可能来自更新版本的程序。")
    unknown = sorted(set(row) - set(shape.columns))
    if unknown:
        raise Rejected(f"记录含有本程序不认识的字段：{'、'.join(unknown[:5])}。")
    record_id = row.get("id")
    if not isinstance(record_id, str) or not _ID.match(record_id):
        raise Rejected("记录编号格式不对。")
    hlc = row.get("hlc")
    if not isinstance(hlc, str) or not _HLC.match(hlc):
        raise Rejected("记录的时间戳格式不对。")
    if sender is not None and hlc_device(hlc) != sender:
        raise Rejected("记录的修改设备与发送设备不一致，可能被篡改。")
    for name in CONVENTION_COLUMNS:
        if row.get(name) is None:
            raise Rejected(f"记录缺少必需的字段“{name}”。")
    if not isinstance(row["rev"], int) or row["rev"] < 1 or row["deleted"] not in (0, 1):
        raise Rejected("记录的版本号或删除标记不对。")
    for name, declared in shape.columns.items():
        _check_value(conn, table, name, declared, row.get(name), name in shape.not_null, today)
    for column, parent in shape.parents:  # a tombstone too: the foreign key holds for it
        value = row.get(column)
        if value is not None and conn.execute(
                f"SELECT 1 FROM {parent} WHERE id = ?", (value,)).fetchone() is None:
            raise Rejected(f"它所属的上级记录（{parent}）不存在，可能那一批还没有导入。")


def _check_value(conn: sqlite3.Connection, table: str, name: str, declared: str, value: Any,
                 required: bool, today: date) -> None:
    if value is None:
        if required:
            raise Rejected(f"必填字段“{name}”是空的。")
        return
    wanted: dict[str, type | tuple[type, ...]] = {
        "TEXT": str, "INTEGER": int, "FLOAT": (int, float), "REAL": (int, float)}
    kind = wanted.get(declared)
    if kind is not None and (not isinstance(value, kind) or isinstance(value, bool)):
        raise Rejected(f"字段“{name}”的类型不对。")
    if isinstance(value, str) and len(value) > 200_000:
        raise Rejected(f"字段“{name}”太长。")
    if isinstance(value, str) and has_control(value):
        raise Rejected(f"字段“{name}”含有不可见的控制字符（如 NUL），不是在本程序里输入的。")
    coded = CODED_COLUMNS.get((table, name))
    if coded is not None:
        found = codes_in(coded, value)
        if found is None:
            raise Rejected(f"字段“{name}”的格式不对。")
        for code in found:
            if not any(code in codes or _town_code(conn, codes.name, code)
                       for codes in coded.sets):
                raise Rejected(f"字段“{name}”的取值“{str(code)[:20]}”不在规定的类别里。")
    if isinstance(value, str) and value and _DATE_COLUMNS.search(name):
        try:
            date.fromisoformat(value[:10])
        except ValueError:
            raise Rejected(f"字段“{name}”不是有效日期：{value[:20]}。") from None
    if (table, name) in ID_NUMBERS and isinstance(value, str) and value:
        try:
            check_id_number(value, today)
        except ValidationError as exc:
            raise Rejected(f"身份证号码不对：{exc.message}") from None


def _town_code(conn: sqlite3.Connection, set_name: str, code: Any) -> bool:
    """A code the town added to an extendable category set."""
    row = conn.execute("SELECT 1 FROM category_items WHERE set_name = ? AND code = ? "
                       "AND deleted = 0", (set_name, code)).fetchone()
    return row is not None
