"""Applying records that arrived from another device: the later clock wins, the losing version
is kept for review, a record that fails the checks is quarantined, the rest go in."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlcipher3 import dbapi2 as sqlite3

from meixian_desktop.core.hlc import ClockError
from meixian_desktop.store.database import Transaction, now_iso
from meixian_desktop.sync.validate import (
    Rejected,
    TableShape,
    check_row,
    hlc_device,
    table_shape,
)

if TYPE_CHECKING:
    from meixian_desktop.sync.scope import WorkerScope

APPLIED, DUPLICATE, CONFLICT, QUARANTINED = "applied", "duplicate", "conflict", "quarantined"
OUTCOME_LABELS = {APPLIED: "已导入", DUPLICATE: "重复（已有）", CONFLICT: "冲突",
                  QUARANTINED: "隔离（未导入）"}


@dataclass(frozen=True)
class Outcome:
    """What became of one arriving record; ``kept`` says whether its version is now current."""

    table: str
    row_id: str
    hlc: str
    outcome: str
    kept: bool
    note: str = ""

    def as_json(self) -> list[Any]:
        return [self.table, self.row_id, self.hlc, self.outcome, int(self.kept), self.note]

    @classmethod
    def from_json(cls, item: Any) -> Outcome:
        table, row_id, hlc, outcome, kept, note = item
        if outcome not in OUTCOME_LABELS:
            raise ValueError(f"unknown outcome {outcome!r}")
        return cls(str(table), str(row_id), str(hlc), str(outcome), bool(kept), str(note))


TableShapes = dict[str, TableShape]


def record_tables(conn: sqlite3.Connection) -> list[str]:
    """Every synced table, parents before children (the order they were created in)."""
    return [row[0] for row in conn.execute("SELECT name FROM record_kinds ORDER BY rowid")]


def shapes(conn: sqlite3.Connection) -> dict[str, TableShape]:
    return {table: table_shape(conn, table) for table in record_tables(conn)}


class Merger:
    """Applies one batch's records inside the caller's transaction."""

    def __init__(self, tx: Transaction, *, sender: str, batch_id: str, today: date,
                 scope: Callable[[TableShapes], WorkerScope] | None = None,
                 authoritative: frozenset[str] = frozenset(), relayed: bool = False,
                 has_file: Callable[[str], bool] | None = None) -> None:
        self.tx, self.conn = tx, tx.conn
        self.sender, self.batch_id, self.today = sender, batch_id, today
        self.shapes = shapes(self.conn)
        # What a worker's device may write (sync/scope.py); None: the town's package.
        self.scope = scope(self.shapes) if scope is not None else None
        self.authoritative = authoritative  # tables where the sender's version stands (town data)
        self.relayed = relayed  # the sender passes on others' edits too (the town's package)
        self.has_file = has_file  # whether an attachment's file arrived or is already here

    def apply(self, table: str, row: dict[str, Any], base: str | None) -> Outcome:
        """Apply one arriving record; what cannot be applied is quarantined with its reason."""
        record_id, hlc = str(row.get("id", ""))[:80], str(row.get("hlc", ""))[:100]
        try:
            return self._apply(table, row, base, record_id, hlc)
        except Rejected as exc:
            self._quarantine(table, record_id, row, exc.reason)
            return Outcome(table, record_id, hlc, QUARANTINED, False, exc.reason)

    def _apply(self, table: str, row: dict[str, Any], base: str | None, record_id: str,
               hlc: str) -> Outcome:
        check_row(self.conn, self.shapes, table, row,
                  sender=None if self.relayed else self.sender, today=self.today)
        if table == "attachments" and self.has_file and not self.has_file(record_id):
            raise Rejected("照片文件没有随批次送到，可能文件已损坏；请网格员重新导出。")
        current = self.conn.execute(f"SELECT * FROM {table} WHERE id = ?",
                                    (record_id,)).fetchone()
        existing = (None if current is None
                    else dict(zip(self.shapes[table].columns, current, strict=True)))
        if self.scope is not None:
            self.scope.check(table, row, existing)
        try:  # a stamp far ahead of this clock is refused, and the clock stays as it was
            self.tx.observe(hlc)
        except ClockError as exc:
            raise Rejected(exc.message) from exc
        if existing is None:
            self._write(table, row)
            return Outcome(table, record_id, hlc, APPLIED, True)
        if existing["hlc"] == hlc:
            return Outcome(table, record_id, hlc, DUPLICATE, True)
        if table in self.authoritative:
            self._write(table, row)
            return Outcome(table, record_id, hlc, APPLIED, True)
        ours = hlc_device(existing["hlc"]) == self.sender or existing["hlc"] == base
        if ours:  # a later (or, out of order, an earlier) version of the sender's own edits
            if hlc > existing["hlc"]:
                self._write(table, row)
                return Outcome(table, record_id, hlc, APPLIED, True)
            return Outcome(table, record_id, hlc, DUPLICATE, False, "已有更新的版本")
        if _same_content(existing, row):
            return Outcome(table, record_id, hlc, DUPLICATE, hlc > existing["hlc"])
        if hlc > existing["hlc"]:  # edited elsewhere too: the later clock wins
            self._write(table, row)
            self._keep_loser(table, record_id, kept=hlc, lost=existing)
            return Outcome(table, record_id, hlc, CONFLICT, True, "与其他人的修改冲突，采用了这一版本")
        self._keep_loser(table, record_id, kept=existing["hlc"], lost=row)
        return Outcome(table, record_id, hlc, CONFLICT, False,
                       "与其他人更晚的修改冲突，这一版本已保留待镇里核对")

    def _write(self, table: str, row: dict[str, Any]) -> None:
        """Upsert the row; a constraint the checks did not foresee (a unique index, say)
        raises Rejected with nothing of the row left behind."""
        names = [name for name in self.shapes[table].columns if name in row]
        updates = ", ".join(f"{name} = excluded.{name}" for name in names if name != "id")
        self.conn.execute("SAVEPOINT arriving_row")
        try:
            self.conn.execute(
                f"INSERT INTO {table} ({', '.join(names)}) VALUES "
                f"({', '.join('?' for _ in names)}) ON CONFLICT(id) DO UPDATE SET {updates}",
                [row[name] for name in names])
        except sqlite3.IntegrityError as exc:
            self.conn.execute("ROLLBACK TO arriving_row")
            self.conn.execute("RELEASE arriving_row")
            raise Rejected(f"与已有的记录重复或不合数据规则，没有保存（{exc}）。") from exc
        self.conn.execute("RELEASE arriving_row")

    def _keep_loser(self, table: str, record_id: str, *, kept: str, lost: dict[str, Any]) -> None:
        self.conn.execute(
            "INSERT INTO conflicts(tbl, row_id, batch_id, device_id, kept_hlc, lost_hlc, "
            "lost_row, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (table, record_id, self.batch_id, self.sender, kept, str(lost.get("hlc")),
             json.dumps(lost, ensure_ascii=False), now_iso()))

    def _quarantine(self, table: str, record_id: str, row: dict[str, Any], reason: str) -> None:
        self.conn.execute(
            "INSERT INTO quarantine(tbl, row_id, batch_id, device_id, row, reason, at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (str(table)[:60], record_id, self.batch_id, self.sender,
             json.dumps(row, ensure_ascii=False, default=str), reason, now_iso()))


def _same_content(existing: dict[str, Any], row: dict[str, Any]) -> bool:
    skip = {"hlc", "updated_at", "rev", "origin", "created_at"}
    return all(existing.get(k) == v for k, v in row.items() if k not in skip)
