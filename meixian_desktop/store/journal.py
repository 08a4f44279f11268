"""The change journal: every write to a record table appends a row here, by trigger."""

from __future__ import annotations

from dataclasses import dataclass

from meixian_desktop.store.database import Store


@dataclass(frozen=True)
class JournalEntry:
    """One change: which row of which table, its clock stamp, and whether it was made here."""

    seq: int
    table: str
    row_id: str
    hlc: str
    local: bool


def entries_after(store: Store, seq: int, *, local_only: bool = True) -> list[JournalEntry]:
    """The journal past ``seq`` in order; by default only changes made on this device."""
    sql = "SELECT seq, tbl, row_id, hlc, local FROM journal WHERE seq > ?"
    if local_only:
        sql += " AND local = 1"
    rows = store.conn.execute(sql + " ORDER BY seq", (seq,))
    return [JournalEntry(r[0], r[1], r[2], r[3], bool(r[4])) for r in rows]


def last_seq(store: Store) -> int:
    row = store.conn.execute("SELECT max(seq) FROM journal").fetchone()
    return int(row[0] or 0)
