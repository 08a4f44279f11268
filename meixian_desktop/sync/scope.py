"""What a worker's batch may write at the town: its town-assigned villages, the tables a worker
writes, and another device's rows only where the town sent them (DESIGN.md "Trust")."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlcipher3 import dbapi2 as sqlite3

from meixian_desktop.sync.validate import TOWN_OWNED, Rejected, TableShape

# Kept and handed out by the town; a worker's batch never writes them.
WORKER_READ_ONLY = TOWN_OWNED | {"case_number_blocks"}

# The tables a town package carries to the worker of their villages (sync/package.py): the only
# ones where a worker may change a row another device made, and then through the conflict path.
SENT_TO_WORKERS = frozenset({
    "households", "members", "measures", "visits", "orders", "order_services",
    "order_followups", "order_events", "cases", "case_parties", "case_events",
})
# Rows that belong to no village: content-addressed photo files, the same bytes for everyone.
VILLAGELESS = frozenset({"attachments"})


def village_ids_for(conn: sqlite3.Connection, codes: Iterable[str]) -> frozenset[str]:
    """The ids of the villages with these codes."""
    wanted = list(codes)
    if not wanted:
        return frozenset()
    marks = ",".join("?" for _ in wanted)
    return frozenset(r[0] for r in conn.execute(
        f"SELECT id FROM villages WHERE code IN ({marks})", wanted))


class WorkerScope:
    """The rows one worker's device may write: checked for each arriving row before it applies."""

    def __init__(self, conn: sqlite3.Connection, shapes: dict[str, TableShape], sender: str,
                 village_codes: Iterable[str]) -> None:
        self.conn, self.shapes, self.sender = conn, shapes, sender
        self.villages = village_ids_for(conn, village_codes)

    def check(self, table: str, row: dict[str, Any], existing: dict[str, Any] | None) -> None:
        """Raise Rejected when this sender may not write ``row``; set its ``origin`` right."""
        if table in WORKER_READ_ONLY:
            raise Rejected("村、村民小组、类别和案号号段由镇里统一管理，网格员的批次不能修改。")
        if existing is not None and existing.get("origin") != self.sender:
            if table not in SENT_TO_WORKERS:
                raise Rejected("这条记录是其他人录入的，镇里没有发给这台电脑，不能由它修改。")
            self._inside(self.villages_of(table, existing), "原记录")
        self._inside(self.villages_of(table, row), "这条记录")
        # The sender is the origin of what it creates; an edit keeps the row's first origin.
        row["origin"] = self.sender if existing is None else existing.get("origin")

    def _inside(self, villages: frozenset[str] | None, which: str) -> None:
        if villages is None or villages <= self.villages:
            return
        raise Rejected(f"{which}属于镇里没有分给这台电脑的村，不能由它修改。"
                       "如需调整负责的村，请在镇里的“同步”页为这台电脑重新分配。")

    def villages_of(self, table: str, row: dict[str, Any]) -> frozenset[str] | None:
        """The villages a row belongs to (through its parent for a child row); None: none."""
        if table in VILLAGELESS:
            return None
        if table == "patrols":
            try:
                listed = json.loads(row.get("village_ids") or "[]")
            except (TypeError, ValueError):
                raise Rejected("巡查的村列表格式不对。") from None
            if not isinstance(listed, list):
                raise Rejected("巡查的村列表格式不对。")
            return frozenset(str(v) for v in listed)
        shape = self.shapes[table]
        if "village_id" in shape.columns:  # None: of the whole town (a 镇级 fire-team member)
            village = row.get("village_id")
            return None if village is None else frozenset({str(village)})
        for column, parent in shape.parents:
            parent_row = self._stored(parent, row.get(column))
            if parent_row is None:
                raise Rejected(f"它所属的上级记录（{parent}）不存在，可能那一批还没有导入。")
            return self.villages_of(parent, parent_row)
        raise Rejected(f"记录类型“{table}”不属于任何村，网格员的批次不能修改它。")

    def _stored(self, table: str, record_id: Any) -> dict[str, Any] | None:
        cursor = self.conn.execute(f"SELECT * FROM {table} WHERE id = ?", (record_id,))
        found = cursor.fetchone()
        if found is None:
            return None
        return dict(zip([d[0] for d in cursor.description], found, strict=True))
