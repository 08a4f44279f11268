"""Numbered schema migrations: a backup first, then each step in its own transaction."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlcipher3 import dbapi2 as sqlite3

from meixian_desktop.store import schema
from meixian_desktop.store.errors import newer_database, storage_problem

if TYPE_CHECKING:
    from meixian_desktop.store.database import Store


def ensure_current(store: Store, *, backup_dir: Path | None, readonly: bool = False) -> int:
    """Refuse a newer database, back up an older one, then migrate it; returns the version."""
    from meixian_desktop.store.database import APPLICATION_ID

    current = store.schema_version()
    known = schema.VERSION
    if current > known:
        raise newer_database(store.path, current, known)
    if current == known or readonly:
        return current
    if current > 0 and backup_dir is not None:
        from meixian_desktop.store.backup import make_backup

        make_backup(store.conn, backup_dir, f"before-v{known}", key=store.key)
    import sqlite_utils

    # sqlcipher3's connection is the standard module's, built against SQLCipher.
    db = sqlite_utils.Database(store.conn,  # type: ignore[arg-type]
                               recursive_triggers=False, execute_plugins=False)
    try:
        for number, step in enumerate(schema.MIGRATIONS[current:], start=current + 1):
            with db.atomic():
                if number == 1:
                    store.conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                step(db)
                store.conn.execute(f"PRAGMA user_version = {number}")
    except sqlite3.OperationalError as exc:
        raise storage_problem(exc, store.path) from exc
    return known
