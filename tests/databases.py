"""Looking into a home's encrypted database from a test, as another program would."""

from __future__ import annotations

from pathlib import Path

from sqlcipher3 import dbapi2 as sqlite3

from meixian_desktop.store import vault
from meixian_desktop.store.database import key_for


def raw_connection(database: Path, *, readonly: bool = False, key: bytes | None = None,
                   **options) -> sqlite3.Connection:
    """A bare SQLCipher connection (none of the app's pragmas) keyed with the home's data key."""
    key = key or key_for(database, readonly=True)
    target = f"{database.as_uri()}?mode=ro" if readonly else str(database)
    conn = sqlite3.connect(target, uri=readonly, **options)
    conn.execute(f"PRAGMA key = {vault.sqlcipher_key(key)}")
    return conn


def dump(conn: sqlite3.Connection) -> str:
    """Every table's definition and rows, in a stable order (what iterdump gave for SQLite)."""
    lines = []
    tables = conn.execute("SELECT name, sql FROM sqlite_schema WHERE type = 'table' "
                          "AND name NOT LIKE 'sqlite_%' ORDER BY name").fetchall()
    for name, sql in tables:
        lines.append(str(sql))
        if "VIRTUAL TABLE" in str(sql).upper():
            continue  # its shadow tables hold the rows
        rows = sorted(repr(tuple(row)) for row in conn.execute(f'SELECT * FROM "{name}"'))
        lines.extend(f"{name}: {row}" for row in rows)
    return "\n".join(lines)
