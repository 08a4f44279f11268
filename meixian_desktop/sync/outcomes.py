"""What became of each record of an imported batch: counted as they are applied, written to
``batch_outcomes`` in chunks, only the first few thousand kept in memory for the screen."""

from __future__ import annotations

import json
from collections.abc import Iterator

from sqlcipher3 import dbapi2 as sqlite3

from meixian_desktop.sync.merge import APPLIED, CONFLICT, DUPLICATE, QUARANTINED, Outcome

KINDS = (APPLIED, DUPLICATE, CONFLICT, QUARANTINED)
MAX_KEPT = 20_000  # outcomes a result keeps for the 同步 page; the rest are in the database
_CHUNK = 2_000


class Tally:
    """Counts a batch's outcomes and writes each one, inside the caller's transaction."""

    def __init__(self, conn: sqlite3.Connection, batch_id: str) -> None:
        self.conn, self.batch_id = conn, batch_id
        self.counts = dict.fromkeys(KINDS, 0)
        self.kept: list[Outcome] = []
        self._pending: list[tuple[object, ...]] = []
        self.total = 0

    def add(self, outcome: Outcome) -> None:
        self.counts[outcome.outcome] += 1
        if len(self.kept) < MAX_KEPT:
            self.kept.append(outcome)
        self._pending.append((self.batch_id, self.total, outcome.table, outcome.row_id,
                              outcome.hlc, outcome.outcome, int(outcome.kept), outcome.note))
        self.total += 1
        if len(self._pending) >= _CHUNK:
            self.flush()

    def flush(self) -> None:
        self.conn.executemany(
            "INSERT INTO batch_outcomes(batch_id, seq, tbl, row_id, hlc, outcome, kept, note) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", self._pending)
        self._pending.clear()


def batch_outcomes(conn: sqlite3.Connection, batch_id: str) -> Iterator[Outcome]:
    """Every outcome of an imported batch in order (from before migration 9: its JSON text)."""
    legacy = conn.execute("SELECT results FROM imported_batches WHERE batch_id = ?",
                          (batch_id,)).fetchone()
    if legacy is not None and legacy[0]:
        yield from (Outcome.from_json(item) for item in json.loads(legacy[0]))
        return
    for table, row_id, hlc, outcome, kept, note in conn.execute(
            "SELECT tbl, row_id, hlc, outcome, kept, note FROM batch_outcomes "
            "WHERE batch_id = ? ORDER BY seq", (batch_id,)):
        yield Outcome(table, row_id, hlc, outcome, bool(kept), note)


def stored_counts(conn: sqlite3.Connection, batch_id: str) -> dict[str, int] | None:
    """The counts an imported batch was noted with; None if it was not imported."""
    row = conn.execute("SELECT applied, duplicates, conflicts, quarantined FROM imported_batches "
                       "WHERE batch_id = ?", (batch_id,)).fetchone()
    return dict(zip(KINDS, row, strict=True)) if row else None
