"""The benchmark home: a worker set up headless, then N records spread over the record tables.

The home is built once per (record count, schema version) under the temp dir and reused;
``rebuild=True`` forces a fresh one. Set-up goes through ``firstrun.set_up`` like the ``setup``
command; every record goes through ``store.records.insert`` inside ONE ``store.transaction()``,
so ids (uuid7), timestamps, clock stamps, origin, rev, tombstone flag, the change journal and the
trigram search indexes are exactly as in real use.

Record tables are read from ``record_kinds``, so tables added by later migrations are filled
too. Reference tables (``villages``, seeded at set-up) get no extra rows. A table gets values for
its foreign keys (the worker's own villages, or rows already made in the parent table), its
required columns and its searchable columns; everything else keeps its default. A table whose
generated row is refused (a CHECK constraint, say) is skipped with a warning: give it an entry in
``ROW_MAKERS``.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from meixian_desktop.core.profile import make_profile
from meixian_desktop.firstrun import set_up, shipped_villages
from meixian_desktop.paths import under_home
from meixian_desktop.store import records, schema
from meixian_desktop.store.database import Transaction, now_iso
from meixian_desktop.store.session import open_session

FIXTURE_ROOT = Path(tempfile.gettempdir()) / "meixian-bench"
MARKER = "bench-fixture.json"
WORKER_NAME = "测试"
WORKER_VILLAGES = ("张韩村",)
REFERENCE_TABLES = frozenset({"villages"})

RowMaker = Callable[[int, "TablePlan"], dict[str, Any]]


@dataclass(frozen=True)
class Fixture:
    """A ready home: where it is, how many records each table got, how long the build took."""

    home: Path
    counts: dict[str, int]
    build_seconds: float
    reused: bool

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class TablePlan:
    """What to put in one record table: column kinds and the ids its foreign keys may take."""

    table: str
    label: str
    columns: dict[str, str]  # column -> "text" | "int" | "real" | "blob" | "date" | "datetime"
    parents: dict[str, str] = field(default_factory=dict)  # column -> parent table
    parent_column: dict[str, str] = field(default_factory=dict)  # column -> referenced column
    choices: dict[str, list[Any]] = field(default_factory=dict)  # column -> allowed values


def fixture_home(records_wanted: int) -> Path:
    """The cached home for this record count and the current schema version."""
    return FIXTURE_ROOT / f"home-n{records_wanted}-v{schema.VERSION}"


def ensure_home(records_wanted: int, *, rebuild: bool = False) -> Fixture:
    """Return the cached home for ``records_wanted`` records, building it first if needed."""
    home = fixture_home(records_wanted)
    marker = home / MARKER
    if not rebuild and marker.is_file():
        data = json.loads(marker.read_text(encoding="utf-8"))
        return Fixture(home, data["counts"], data["build_seconds"], reused=True)
    FIXTURE_ROOT.mkdir(parents=True, exist_ok=True)
    staging = home.with_name(f"{home.name}.building-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    start = time.perf_counter()
    try:
        counts = build(staging, records_wanted)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    seconds = time.perf_counter() - start
    (staging / MARKER).write_text(
        json.dumps({"counts": counts, "build_seconds": round(seconds, 2),
                    "schema_version": schema.VERSION}, ensure_ascii=False),
        encoding="utf-8",
    )
    shutil.rmtree(home, ignore_errors=True)
    staging.rename(home)
    return Fixture(home, counts, seconds, reused=False)


def build(home: Path, records_wanted: int) -> dict[str, int]:
    """Set up a worker in ``home`` and add ``records_wanted`` records; returns counts per table."""
    paths = under_home(home)
    by_name = {seed.name: seed.code for seed in shipped_villages()}
    profile = make_profile("worker", WORKER_NAME, "", [by_name[n] for n in WORKER_VILLAGES])
    with open_session(paths) as session:
        set_up(session.store, paths, profile)
        with session.store.transaction() as tx:
            return fill(tx, records_wanted, worker_villages=profile.villages)


def fill(tx: Transaction, total: int, *, worker_villages: tuple[str, ...]) -> dict[str, int]:
    """Spread ``total`` records evenly over the non-reference record tables, parents first.

    First one probe row per table (kept), so a table whose generated rows are refused drops out
    before the records are shared out; then the rest, each table's foreign keys spread over all
    rows of its parents.
    """
    conn = tx.conn
    kinds = records.record_kinds(tx.store)
    plans = {
        name: plan_table(conn, name, label)
        for name, label in kinds.items()
        if name not in REFERENCE_TABLES
    }
    village_ids = [
        row[0]
        for row in conn.execute(
            f"SELECT id FROM villages WHERE code IN ({', '.join('?' for _ in worker_villages)})",
            worker_villages,
        )
    ]
    counts: dict[str, int] = {}
    for table in parents_first(plans):
        if len(counts) >= total:
            break
        if not resolve_parents(conn, plans[table], village_ids, set(kinds)):
            warn(f"{table}: a required foreign key has no parent rows; skipped")
        elif probe_row(tx, plans[table]):
            counts[table] = 1
    left = total - len(counts)
    for position, table in enumerate(counts):
        quota = left // (len(counts) - position)
        resolve_parents(conn, plans[table], village_ids, set(kinds))
        make = ROW_MAKERS.get(table, generic_row)
        for index in range(1, quota + 1):
            records.insert(tx, table, make(index, plans[table]))
        counts[table] += quota
        left -= quota
    if sum(counts.values()) < total:
        warn(f"only {sum(counts.values())} of {total} records could be placed")
    return counts


def plan_table(conn: sqlite3.Connection, table: str, label: str) -> TablePlan:
    """Read the columns to fill: foreign keys, required ones without default, searchable ones."""
    searchable = {row[1] for row in conn.execute(f"PRAGMA table_info({table}_fts)")}
    foreign = {
        row[3]: (row[2], row[4]) for row in conn.execute(f"PRAGMA foreign_key_list({table})")
    }
    plan = TablePlan(table, label, {})
    for _cid, name, decl, notnull, default, pk in conn.execute(f"PRAGMA table_info({table})"):
        if name in schema.CONVENTION_COLUMNS or pk:
            continue
        if name in foreign:
            parent, column = foreign[name]
            plan.parents[name] = parent
            plan.parent_column[name] = column or "id"
            plan.columns[name] = "text"
            continue
        required = notnull and default is None
        if required or name in searchable:
            plan.columns[name] = column_kind(name, decl or "")
    return plan


def column_kind(name: str, declared: str) -> str:
    declared = declared.upper()
    if "INT" in declared:
        return "int"
    if any(word in declared for word in ("REAL", "FLOA", "DOUB")):
        return "real"
    if "BLOB" in declared:
        return "blob"
    if name.endswith("_at"):
        return "datetime"
    if name == "date" or name.endswith(("_on", "_date")):
        return "date"
    return "text"


def parents_first(plans: dict[str, TablePlan]) -> list[str]:
    """Tables in creation order, each after the record tables its foreign keys point to."""
    done: list[str] = []

    def visit(table: str, path: tuple[str, ...]) -> None:
        if table in done or table in path:
            return
        for parent in plans[table].parents.values():
            if parent in plans and parent != table:
                visit(parent, (*path, table))
        done.append(table)

    for table in plans:
        visit(table, ())
    return done


def resolve_parents(
    conn: sqlite3.Connection, plan: TablePlan, village_ids: list[str], record_tables: set[str]
) -> bool:
    """Load the values each foreign key may take; False if a required one has none."""
    required = {
        row[1] for row in conn.execute(f"PRAGMA table_info({plan.table})") if row[3]
    }
    for column, parent in plan.parents.items():
        if parent == "villages" and plan.parent_column[column] == "id":
            values: list[Any] = list(village_ids)
        elif parent == plan.table:
            values = []  # a link to a record of the same kind: left empty
        else:
            live = " WHERE deleted = 0" if parent in record_tables else ""
            values = [
                row[0]
                for row in conn.execute(f"SELECT {plan.parent_column[column]} FROM {parent}{live}")
            ]
        if not values and column in required:
            return False
        if values:
            plan.choices[column] = values
        else:
            plan.columns.pop(column, None)
    return True


def generic_row(index: int, plan: TablePlan) -> dict[str, Any]:
    """A plausible row: numbered text, zeros, dates spread over two years, round-robin parents."""
    row: dict[str, Any] = {}
    for column, kind in plan.columns.items():
        choices = plan.choices.get(column)
        if choices:
            row[column] = choices[index % len(choices)]
        elif kind == "int":
            row[column] = 0
        elif kind == "real":
            row[column] = 0.0
        elif kind == "blob":
            row[column] = b""
        elif kind == "date":
            row[column] = (date.today() - timedelta(days=index % 730)).isoformat()
        elif kind == "datetime":
            row[column] = now_iso()
        else:
            row[column] = f"{plan.label}{index + 1:06d}"
    return row


def village_group_row(index: int, plan: TablePlan) -> dict[str, Any]:
    villages = plan.choices["village_id"]
    number = index // len(villages) + 1
    return {"village_id": villages[index % len(villages)], "name": f"第{number}组", "sort": number}


# Tables whose rows need more than the generic guess (CHECK constraints, codes, realism).
ROW_MAKERS: dict[str, RowMaker] = {"village_groups": village_group_row}


def probe_row(tx: Transaction, plan: TablePlan) -> bool:
    """Insert the table's first row through records.insert; False (and undone) if refused."""
    make = ROW_MAKERS.get(plan.table, generic_row)
    tx.conn.execute("SAVEPOINT bench_probe")
    try:
        records.insert(tx, plan.table, make(0, plan))
    except sqlite3.Error as exc:
        tx.conn.execute("ROLLBACK TO bench_probe")
        tx.conn.execute("RELEASE bench_probe")
        warn(f"{plan.table}: generated row refused ({exc}); skipped — add it to ROW_MAKERS")
        return False
    tx.conn.execute("RELEASE bench_probe")
    return True


def warn(message: str) -> None:
    print(f"fixture: {message}", file=sys.stderr)
