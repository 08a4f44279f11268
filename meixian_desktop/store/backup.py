"""Rolling backups with the SQLite backup API: daily, before migrations, and on request."""

from __future__ import annotations

import os
import re
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlcipher3 import dbapi2 as sqlite3

from meixian_desktop.core import clock
from meixian_desktop.store.errors import storage_problem
from meixian_desktop.store.files import fsync_dir
from meixian_desktop.store.vault import sqlcipher_key

PREFIX = "meixian-"
_NAME = re.compile(r"^meixian-(\d{8})-(\d{6})-([a-z0-9-]+)\.db$")


def backup_name(moment: datetime, reason: str) -> str:
    """A file name legal on FAT32 sticks and old Windows: no colons, short."""
    return f"{PREFIX}{moment:%Y%m%d-%H%M%S}-{reason}.db"


def make_backup(
    conn: sqlite3.Connection, backup_dir: Path, reason: str, *, key: bytes,
    moment: datetime | None = None,
) -> Path:
    """Copy the live database into ``backup_dir`` atomically, encrypted with the data ``key``
    like the database itself; returns the new file."""
    moment = moment or clock.now()
    target = backup_dir / backup_name(moment, reason)
    partial = target.with_suffix(".part")
    try:
        backup_dir.mkdir(parents=True, exist_ok=True)
        dest = sqlite3.connect(str(partial))
        dest.execute(f"PRAGMA key = {sqlcipher_key(key)}")
        try:
            conn.backup(dest)
        finally:
            dest.close()
        with partial.open("rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, target)
        fsync_dir(backup_dir)
    except (OSError, sqlite3.Error) as exc:
        partial.unlink(missing_ok=True)
        raise storage_problem(exc, backup_dir) from exc
    return target


def backups(backup_dir: Path) -> list[tuple[datetime, str, Path]]:
    """Existing backups, oldest first, as (time, reason, path)."""
    found = []
    if backup_dir.is_dir():
        for path in backup_dir.iterdir():
            match = _NAME.match(path.name)
            if match:
                moment = datetime.strptime(match[1] + match[2], "%Y%m%d%H%M%S")
                found.append((moment, match[3], path))
    return sorted(found)


def prune(backup_dir: Path, keep_days: int, *, today: date | None = None) -> list[Path]:
    """Delete backups older than ``keep_days``, always keeping the newest one."""
    today = today or clock.today()
    limit = today - timedelta(days=keep_days)
    existing = backups(backup_dir)
    removed = []
    for moment, _reason, path in existing[:-1]:
        if moment.date() < limit:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def daily_backup_if_due(
    database: Path, backup_dir: Path, keep_days: int, *, today: date | None = None
) -> Path | None:
    """Back up once a day (on its own connection, so it can run off the GUI thread)."""
    from meixian_desktop.store.database import connect, key_for

    today = today or clock.today()
    if any(moment.date() == today for moment, _, _ in backups(backup_dir)):
        return None
    if not database.exists():
        return None
    key = key_for(database, readonly=True)
    conn = connect(database, readonly=True, key=key)
    try:
        made = make_backup(conn, backup_dir, "daily", key=key)
    finally:
        conn.close()
    prune(backup_dir, keep_days, today=today)
    return made
