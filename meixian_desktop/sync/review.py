"""The review lists: conflicts (both versions, restore the losing one) and quarantined records
(with the reason), for the town and, from the town package, for a worker."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from meixian_desktop.store import records
from meixian_desktop.store.database import Store, now_iso
from meixian_desktop.store.schema import CONVENTION_COLUMNS
from meixian_desktop.sync.errors import SyncError


@dataclass(frozen=True)
class Conflict:
    """A record edited in two places: the version in use and the one that lost."""

    id: int
    table: str
    row_id: str
    worker: str
    at: str
    current: dict[str, Any]
    lost: dict[str, Any]
    resolved: str

    def differences(self) -> list[tuple[str, Any, Any]]:
        """(field, value in use, losing value) for each field the two versions disagree on."""
        skip = set(CONVENTION_COLUMNS)
        return [(name, self.current.get(name), value) for name, value in self.lost.items()
                if name not in skip and self.current.get(name) != value]


@dataclass(frozen=True)
class Quarantined:
    """A record that was not applied, and why."""

    id: int
    table: str
    row_id: str
    worker: str
    at: str
    reason: str
    row: dict[str, Any]
    resolved: bool


_WORKER = "coalesce((SELECT worker FROM devices d WHERE d.device_id = x.device_id), '镇里')"


def _current(store: Store, table: str, row_id: str) -> dict[str, Any]:
    return records.get(store, table, row_id) or {}


def conflicts(store: Store, *, open_only: bool = True, conflict_id: int | None = None
              ) -> list[Conflict]:
    """Conflicts newest first (only the open ones, or only ``conflict_id``)."""
    where = ["resolved_at IS NULL"] if open_only else []
    params: list[Any] = []
    if conflict_id is not None:
        where.append("id = ?")
        params.append(conflict_id)
    sql = (f"SELECT id, tbl, row_id, {_WORKER}, at, lost_row, resolution FROM conflicts x"
           + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id DESC")
    return [Conflict(r[0], r[1], r[2], r[3], r[4], _current(store, r[1], r[2]),
                     json.loads(r[5]), r[6]) for r in store.conn.execute(sql, params).fetchall()]


def quarantined(store: Store, *, open_only: bool = True) -> list[Quarantined]:
    sql = (f"SELECT id, tbl, row_id, {_WORKER}, at, reason, row, resolved_at FROM quarantine x"
           + (" WHERE resolved_at IS NULL" if open_only else "") + " ORDER BY id DESC")
    return [Quarantined(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]),
                        r[7] is not None) for r in store.conn.execute(sql).fetchall()]


def restore_losing(store: Store, conflict_id: int, actor: str) -> None:
    """Make the losing version current again, as a new edit made here (it will sync on)."""
    found = conflicts(store, open_only=False, conflict_id=conflict_id)
    if not found:
        raise SyncError("找不到这条冲突记录。")
    conflict = found[0]
    if not conflict.current:
        raise SyncError("这条记录已经不存在，无法恢复。")
    changes = {name: lost for name, _now, lost in conflict.differences()}
    with store.transaction() as tx:
        if changes:
            records.update(tx, conflict.table, conflict.row_id, changes)
        tx.conn.execute("UPDATE conflicts SET resolved_at = ?, resolution = ? WHERE id = ?",
                        (now_iso(), f"{actor}恢复了未被采用的版本", conflict_id))


def keep_current(store: Store, conflict_id: int, actor: str) -> None:
    """Confirm the version in use; the losing one stays on file."""
    with store.transaction() as tx:
        tx.conn.execute("UPDATE conflicts SET resolved_at = ?, resolution = ? WHERE id = ?",
                        (now_iso(), f"{actor}确认保留现用版本", conflict_id))


def dismiss_quarantined(store: Store, quarantine_id: int) -> None:
    """Mark a quarantined record as dealt with (the worker corrected and resent it)."""
    with store.transaction() as tx:
        tx.conn.execute("UPDATE quarantine SET resolved_at = ? WHERE id = ?",
                        (now_iso(), quarantine_id))
