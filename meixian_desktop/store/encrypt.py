"""Converting a clear database (from before encryption) to SQLCipher, safely.

The order keeps the clear original until its encrypted copy is verified:

1. export the clear file into ``meixian.db.encrypting`` under the data key;
2. verify the copy: SQLite's integrity check, and every table with the same number of rows;
3. rename the original to ``meixian.db.clear``, then the copy to ``meixian.db``;
4. overwrite the clear file with zeros and delete it; likewise its WAL and the clear backups
   (each backup is first converted the same way).

A power cut at any point is mended by ``finish_interrupted`` on the next start: a half-made copy
is deleted and the conversion starts again; a clear file left beside an encrypted database is
wiped.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from contextlib import suppress
from pathlib import Path

from sqlcipher3 import dbapi2 as sqlite3

from meixian_desktop.store import vault
from meixian_desktop.store.errors import StoreError, storage_problem
from meixian_desktop.store.files import fsync_dir, write_atomic

ENCRYPTING = ".encrypting"
CLEAR = ".clear"
WIPE_CHUNK = 1 << 20


def convert_home(database: Path) -> None:
    """Encrypt the clear database at ``database`` with the home's data key, making the key
    first if the home has none; the rest of the upgrade (``finish_upgrade``) is then due."""
    home = vault.home_of(database)
    key = vault.data_key(home, create=not vault.exists(home))
    vault.update(home, upgrade_done=False)
    finish_interrupted(database)
    convert_file(database, key)


def upgrade_pending(data_dir: Path) -> bool:
    return (vault.read_vault(data_dir) or {}).get("upgrade_done") is False


def finish_upgrade(data_dir: Path, backup_dir: Path | None, prints_dir: Path | None) -> None:
    """What else the version before encryption left in clear: backups (converted), the device's
    private keys (sealed), printed PDFs (wiped). Safe to run again after a power cut."""
    key = vault.data_key(data_dir)
    for backup in clear_backups(backup_dir):
        convert_file(backup, key)
    for path in sorted((data_dir / "keys").glob("*.key")):
        data = path.read_bytes()
        if data.startswith(b"-----BEGIN"):
            _replace(path, vault.seal(key, vault.DEVICE_KEYS, data))
    if prints_dir is not None and prints_dir.is_dir():
        wipe(*(path for path in prints_dir.iterdir() if path.is_file()))
    vault.update(data_dir, upgrade_done=True)


def _replace(path: Path, data: bytes) -> None:
    """Write ``data`` in place of ``path`` atomically: a key file must never go missing."""
    write_atomic(path, data, private=True)


def convert_file(path: Path, key: bytes) -> None:
    """Replace the clear SQLite file ``path`` by an encrypted copy, verified before the
    original is wiped."""
    partial = path.with_name(path.name + ENCRYPTING)
    aside = path.with_name(path.name + CLEAR)
    partial.unlink(missing_ok=True)
    try:
        counts = export(path, partial, key)
        verify(partial, key, counts)
        os.replace(path, aside)
        os.replace(partial, path)
        fsync_dir(path.parent)
    except (sqlite3.Error, OSError) as exc:
        partial.unlink(missing_ok=True)
        raise storage_problem(exc, path) from exc
    except StoreError:
        partial.unlink(missing_ok=True)
        raise
    wipe(aside, *_sidecars(aside), *_sidecars(path))


def export(clear: Path, target: Path, key: bytes) -> dict[str, int]:
    """Write an encrypted copy of ``clear`` to ``target``; returns the rows of each table."""
    conn = sqlite3.connect(str(clear), isolation_level=None)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        counts = table_counts(conn, "main")
        conn.execute("ATTACH DATABASE ? AS encrypted KEY ?", (str(target), _key_text(key)))
        conn.execute("SELECT sqlcipher_export('encrypted')")
        conn.execute(f"PRAGMA encrypted.user_version = {int(version)}")
        conn.execute(f"PRAGMA encrypted.application_id = {int(app_id)}")
        conn.execute("DETACH DATABASE encrypted")
    finally:
        conn.close()
    with open(target, "rb+") as handle:
        os.fsync(handle.fileno())
    return counts


def verify(target: Path, key: bytes, counts: dict[str, int]) -> None:
    """The encrypted copy opens with the key, is sound, and has every row of the original."""
    conn = sqlite3.connect(str(target), isolation_level=None)
    try:
        conn.execute(f"PRAGMA key = {vault.sqlcipher_key(key)}")
        if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise StoreError("加密后的数据文件没有通过完整性检查，原来的文件没有改动。", target)
        copied = table_counts(conn, "main")
    finally:
        conn.close()
    if copied != counts:
        raise StoreError("加密后的数据文件和原来的行数不一致，原来的文件没有改动。"
                         "请把数据文件夹交给镇里技术人员。", target)


def table_counts(conn: sqlite3.Connection, schema: str) -> dict[str, int]:
    names = [row[0] for row in conn.execute(
        f"SELECT name FROM {schema}.sqlite_schema WHERE type = 'table' "
        "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {name: conn.execute(f'SELECT count(*) FROM {schema}."{name}"').fetchone()[0]
            for name in names}


def finish_interrupted(database: Path) -> None:
    """Mend a conversion cut short: drop a half-made copy; put a clear original back when the
    encrypted one never took its place; wipe a clear original that was already replaced."""
    partial = database.with_name(database.name + ENCRYPTING)
    aside = database.with_name(database.name + CLEAR)
    partial.unlink(missing_ok=True)
    if aside.exists():
        if database.exists():
            wipe(aside, *_sidecars(aside))
        else:
            os.replace(aside, database)


def clear_backups(backup_dir: Path | None) -> list[Path]:
    from meixian_desktop.store.backup import backups
    from meixian_desktop.store.database import is_clear_database

    if backup_dir is None:
        return []
    for _moment, _reason, path in backups(backup_dir):
        finish_interrupted(path)
    return [path for _moment, _reason, path in backups(backup_dir) if is_clear_database(path)]


def wipe(*paths: Path) -> None:
    """Overwrite each file with zeros, flush, then delete it (a clear copy leaves no trace in
    the file system's free space on the usual disks; SSDs may still keep old blocks)."""
    for path in paths:
        with suppress(FileNotFoundError):
            size = path.stat().st_size
            with open(path, "rb+") as handle:
                left = size
                while left > 0:
                    step = min(left, WIPE_CHUNK)
                    handle.write(b"\0" * step)
                    left -= step
                handle.flush()
                os.fsync(handle.fileno())
            path.unlink()


def _sidecars(path: Path) -> Iterable[Path]:
    return (path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal"))


def _key_text(key: bytes) -> str:
    return f"x'{key.hex()}'"
