"""Writing records by the conventions: uuid7 id, times, hybrid clock, origin, rev, tombstone."""

from __future__ import annotations

from typing import Any

from sqlcipher3 import dbapi2 as sqlite3

from meixian_desktop.core.ids import uuid7
from meixian_desktop.store.database import Store, Transaction, now_iso
from meixian_desktop.store.schema import CONVENTION_COLUMNS

_PROTECTED = frozenset(CONVENTION_COLUMNS)


def _check_table(conn: sqlite3.Connection, table: str) -> None:
    row = conn.execute("SELECT 1 FROM record_kinds WHERE name = ?", (table,)).fetchone()
    if row is None:
        raise ValueError(f"not a record table: {table}")


def _check_fields(values: dict[str, Any]) -> None:
    clash = _PROTECTED.intersection(values)
    if clash:
        raise ValueError(f"record convention columns are set by the store: {sorted(clash)}")


def insert(
    tx: Transaction, table: str, values: dict[str, Any], *, record_id: str | None = None
) -> str:
    """Insert a new local record and return its id."""
    _check_table(tx.conn, table)
    _check_fields(values)
    stamp = now_iso()
    row = {
        **values,
        "id": record_id or uuid7(),
        "created_at": stamp,
        "updated_at": stamp,
        "hlc": tx.hlc(),
        "origin": tx.store.device_id(),
        "rev": 1,
        "deleted": 0,
    }
    names = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    tx.conn.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", list(row.values()))
    return str(row["id"])


def update(tx: Transaction, table: str, record_id: str, changes: dict[str, Any]) -> None:
    """Change fields of a record: a new clock stamp, rev + 1, updated_at now."""
    _check_table(tx.conn, table)
    _check_fields(changes)
    assignments = [f"{name} = ?" for name in changes]
    assignments += ["updated_at = ?", "hlc = ?", "rev = rev + 1"]
    params = [*changes.values(), now_iso(), tx.hlc(), record_id]
    cursor = tx.conn.execute(
        f"UPDATE {table} SET {', '.join(assignments)} WHERE id = ?", params
    )
    if cursor.rowcount != 1:
        raise KeyError(f"{table} has no record {record_id}")


def tombstone(tx: Transaction, table: str, record_id: str) -> None:
    """Mark a record deleted; nothing is ever removed, so the deletion can sync."""
    _check_table(tx.conn, table)
    cursor = tx.conn.execute(
        f"UPDATE {table} SET deleted = 1, updated_at = ?, hlc = ?, rev = rev + 1 "
        "WHERE id = ? AND deleted = 0",
        (now_iso(), tx.hlc(), record_id),
    )
    if cursor.rowcount != 1:
        raise KeyError(f"{table} has no live record {record_id}")


def restore(tx: Transaction, table: str, record_id: str) -> None:
    """Bring a tombstoned record back (it was edited again after someone removed it)."""
    _check_table(tx.conn, table)
    tx.conn.execute(
        f"UPDATE {table} SET deleted = 0, updated_at = ?, hlc = ?, rev = rev + 1 "
        "WHERE id = ? AND deleted = 1",
        (now_iso(), tx.hlc(), record_id),
    )


def get(store: Store, table: str, record_id: str) -> dict[str, Any] | None:
    """One record as a dict, tombstoned or not; None when there is no such id."""
    _check_table(store.conn, table)
    row = store.conn.execute(f"SELECT * FROM {table} WHERE id = ?", (record_id,)).fetchone()
    return dict(row) if row else None


def record_kinds(store: Store) -> dict[str, str]:
    """Every synced record table and its Chinese label, in creation order."""
    rows = store.conn.execute("SELECT name, label FROM record_kinds ORDER BY rowid")
    return {name: label for name, label in rows}


def live_counts(store: Store) -> dict[str, int]:
    """How many records of each kind are not tombstoned."""
    return {
        name: store.conn.execute(f"SELECT count(*) FROM {name} WHERE deleted = 0").fetchone()[0]
        for name in record_kinds(store)
    }
