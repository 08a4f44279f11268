"""The schema as numbered migrations (never edit a released one; add the next)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlite_utils import Database

# The columns every synced record carries (DESIGN.md "Data").
CONVENTION_COLUMNS: dict[str, Any] = {
    "id": str,
    "created_at": str,
    "updated_at": str,
    "hlc": str,
    "origin": str,
    "rev": int,
    "deleted": int,
}
CONVENTION_NOT_NULL = ("created_at", "updated_at", "hlc", "origin", "rev", "deleted")

# The hlc text is "<13-digit ms>-<5-digit counter>-<device>": the device starts at character 21.
HLC_DEVICE_START = 21


def record_table(
    db: Database,
    name: str,
    label: str,
    columns: dict[str, Any],
    *,
    not_null: Iterable[str] = (),
    defaults: dict[str, Any] | None = None,
    foreign_keys: Iterable[tuple[str, str, str]] = (),
    search: Iterable[str] = (),
) -> None:
    """Create a synced record table with its journal triggers and, if asked, trigram search."""
    table = db.table(name)
    table.create(
        {**CONVENTION_COLUMNS, **columns},
        pk="id",
        not_null=[*CONVENTION_NOT_NULL, *not_null],
        defaults={"rev": 1, "deleted": 0, **(defaults or {})},
        foreign_keys=list(foreign_keys),
    )
    local = (
        f"substr(NEW.hlc, {HLC_DEVICE_START}) = "
        "(SELECT value FROM meta WHERE key = 'device_id')"
    )
    for event in ("INSERT", "UPDATE"):
        db.execute(
            f"CREATE TRIGGER {name}_journal_{event.lower()} AFTER {event} ON {name} BEGIN "
            f"INSERT INTO journal(tbl, row_id, hlc, local) "
            f"VALUES('{name}', NEW.id, NEW.hlc, {local}); END"
        )
    db.execute(f"CREATE INDEX idx_{name}_live ON {name}(deleted)")
    db.execute("INSERT INTO record_kinds(name, label) VALUES(?, ?)", (name, label))
    search = list(search)
    if search:
        table.enable_fts(search, tokenize="trigram", create_triggers=True)


def m001_foundation(db: Database) -> None:
    """Meta, settings, change journal, audit log, and the villages with their groups."""
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute(
        "CREATE TABLE record_kinds (name TEXT PRIMARY KEY, label TEXT NOT NULL)"
    )
    db.execute(
        "CREATE TABLE journal (seq INTEGER PRIMARY KEY AUTOINCREMENT, tbl TEXT NOT NULL, "
        "row_id TEXT NOT NULL, hlc TEXT NOT NULL, local INTEGER NOT NULL)"
    )
    db.execute("CREATE INDEX idx_journal_row ON journal(tbl, row_id)")
    db.execute(
        "CREATE TABLE audit_log (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, "
        "actor TEXT NOT NULL, action TEXT NOT NULL, record_table TEXT, record_id TEXT, "
        "detail TEXT NOT NULL DEFAULT '')"
    )
    db.execute("CREATE INDEX idx_audit_record ON audit_log(record_table, record_id)")
    record_table(
        db,
        "villages",
        "村（社区）",
        {"code": str, "name": str, "kind": str, "retired": int, "sort": int},
        not_null=("name", "kind", "retired", "sort"),
        defaults={"retired": 0, "sort": 0},
        search=("name",),
    )
    db.execute("CREATE UNIQUE INDEX idx_villages_code ON villages(code) WHERE code IS NOT NULL")
    record_table(
        db,
        "village_groups",
        "村民小组",
        {"village_id": str, "name": str, "retired": int, "sort": int},
        not_null=("village_id", "name", "retired", "sort"),
        defaults={"retired": 0, "sort": 0},
        foreign_keys=[("village_id", "villages", "id")],
        search=("name",),
    )
    db.execute("CREATE INDEX idx_village_groups_village ON village_groups(village_id)")


MIGRATIONS: list[Callable[[Database], None]] = [m001_foundation]
VERSION = len(MIGRATIONS)
