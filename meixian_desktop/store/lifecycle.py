"""A lifecycle's steps in the database (finding_events, order_events, case_events): the stored
status and step count to replay from, the steps inserted, the history loaded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from meixian_desktop.core.errors import RecordInvalid, ValidationError
from meixian_desktop.core.lifecycle import Lifecycle, StatusChange, unsaved_steps
from meixian_desktop.store import records
from meixian_desktop.store.database import Store, Transaction


@dataclass(frozen=True)
class Steps:
    """Where a record's lifecycle is stored: its table, its events table and their link."""

    table: str
    events: str
    parent_column: str
    initial: str  # the status of a new record
    live_only: bool = True  # False: a tombstoned record's stored status still counts


def replay(tx: Transaction, where: Steps, cycle: Lifecycle, record_id: str | None,
           history: Sequence[StatusChange], target: str, *, prefix: str = ""
           ) -> tuple[tuple[str, int] | None, list[StatusChange]]:
    """The stored (status, step count) of the record (None: new) and its steps not yet stored,
    checked by core.lifecycle.unsaved_steps; a refusal names ``prefix`` + the field."""
    stored = stored_state(tx, where, record_id)
    status, count = stored if stored else (where.initial, 0)
    try:
        return stored, unsaved_steps(cycle, history, status, count, target)
    except RecordInvalid:
        raise
    except ValidationError as exc:
        raise RecordInvalid({f"{prefix}{exc.field or 'status'}": exc.message}) from exc


def stored_state(tx: Transaction, where: Steps, record_id: str | None
                 ) -> tuple[str, int] | None:
    """The stored status of a record and how many live steps it has; None if it is new."""
    if not record_id:
        return None
    table, events, parent_column = where.table, where.events, where.parent_column
    live = " AND deleted = 0" if where.live_only else ""
    row = tx.conn.execute(f"SELECT status FROM {table} WHERE id = ?{live}",
                          (record_id,)).fetchone()
    if row is None:
        return None
    steps = tx.conn.execute(
        f"SELECT count(*) FROM {events} WHERE {parent_column} = ? AND deleted = 0",
        (record_id,)).fetchone()[0]
    return row[0], steps


def insert_steps(tx: Transaction, where: Steps, record_id: str,
                 steps: list[StatusChange]) -> None:
    """Store new steps of a record's lifecycle."""
    for step in steps:
        records.insert(tx, where.events, {
            where.parent_column: record_id, "at": step.at, "by_name": step.by,
            "from_status": step.from_status, "to_status": step.to_status, "note": step.note})


def history(store: Store, where: Steps, record_id: str) -> tuple[StatusChange, ...]:
    """A record's steps in the order they were taken."""
    return tuple(StatusChange(e[0], e[1], e[2], e[3], e[4] or "") for e in store.conn.execute(
        f"SELECT at, by_name, from_status, to_status, note FROM {where.events} "
        f"WHERE {where.parent_column} = ? AND deleted = 0 ORDER BY hlc, rowid", (record_id,)))
