"""Saving a record's child rows (findings, members, measures, parties) one way for every kind.

The policy, the same for every child table:
- a child whose stored values equal the form's is not written at all: no new clock stamp, no
  rev, no journal entry, so an unchanged finding does not travel to the town again (where its
  newer stamp could win over an edit the town made meanwhile);
- a child deleted elsewhere (a town package tombstoned it) that is still on the form is
  restored with the form's values: the user has it in front of them, and nothing typed is lost;
- a child id that belongs to another parent is saved as a new child under a new id;
- a live child no longer on the form is tombstoned (the caller may tombstone its own way).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from meixian_desktop.store import records
from meixian_desktop.store.database import Transaction


def save_children(tx: Transaction, table: str, parent_column: str, parent_id: str,
                  rows: list[tuple[str | None, dict[str, Any]]], *,
                  tombstone: Callable[[Transaction, str], None] | None = None) -> list[str]:
    """Save ``rows`` (child id or None, values) as the children of ``parent_id``; their ids
    in order. See the module's docstring for the policy."""
    ids: list[str] = []
    for child_id, values in rows:
        existing = records.get(tx.store, table, child_id) if child_id else None
        if existing is not None and existing[parent_column] != parent_id:
            existing, child_id = None, None  # another parent's row: this one is new
        if existing is None:
            ids.append(records.insert(tx, table, values, record_id=child_id))
            continue
        assert child_id is not None
        if existing["deleted"]:
            records.restore(tx, table, child_id)
        if any(existing.get(name) != value for name, value in values.items()):
            records.update(tx, table, child_id, values)
        ids.append(child_id)
    kept = set(ids)
    for (stale,) in tx.conn.execute(
            f"SELECT id FROM {table} WHERE {parent_column} = ? AND deleted = 0",
            (parent_id,)).fetchall():
        if stale not in kept:
            (tombstone or _tombstone(table))(tx, stale)
    return ids


def _tombstone(table: str) -> Callable[[Transaction, str], None]:
    return lambda tx, child_id: records.tombstone(tx, table, child_id)
