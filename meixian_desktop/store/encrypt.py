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

import logging
import os
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path

from sqlcipher3 import dbapi2 as sqlite3

from meixian_desktop.store import vault
from meixian_desktop.store.errors import StoreError, storage_problem
from meixian_desktop.store.files import (
    finish_replacement,
    fsync_dir,
    replace_wiping,
    wipe,
    zero,
)

log = logging.getLogger(__name__)

ENCRYPTING = ".encrypting"
CLEAR = ".clear"


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


def finish_upgrade(data_dir: Path, backup_dir: Path | None, prints_dir: Path | None
                   ) -> list[str]:
    """What else the version before encryption left in clear: backups (converted), the device's
    private keys and the photos (sealed, the clear bytes zeroed), printed PDFs (wiped). Safe to
    run again after a power cut. A file that cannot be done now (a damaged backup, a PDF open
    in a viewer) never stops the home from opening: it is named in the returned problems and
    tried again at the next start."""
    key = vault.data_key(data_dir)
    problems: list[str] = []

    def attempt(path: Path, step: Callable[[], object]) -> None:
        try:
            step()
        except (OSError, StoreError) as exc:
            problems.append(f"{path}：{getattr(exc, 'message', None) or exc}")
            log.warning("upgrade step failed for %s: %s", path.name, exc)

    for backup in clear_backups(backup_dir):
        attempt(backup, partial(convert_file, backup, key))
    for path in sorted((data_dir / "keys").glob("*.key")):
        attempt(path, partial(seal_file, path, key, vault.DEVICE_KEYS, b"-----BEGIN"))
    photos = data_dir / "attachments"
    for path in sorted(photos.rglob("*")) if photos.is_dir() else []:
        if path.is_file() and not path.name.endswith(".part"):
            attempt(path, partial(seal_file, path, key, vault.ATTACHMENTS))
    if prints_dir is not None and prints_dir.is_dir():
        for path in sorted(prints_dir.iterdir()):
            if path.is_file():
                attempt(path, partial(wipe, path))
    if not problems:
        vault.update(data_dir, upgrade_done=True)
    return problems


def seal_file(path: Path, key: bytes, purpose: str, clear_start: bytes = b"") -> None:
    """Seal a file kept in clear by an earlier version (one starting with ``clear_start``),
    zeroing the clear bytes where they lay; one already sealed is left alone."""
    finish_replacement(path)
    data = path.read_bytes()
    if vault.is_sealed(data) or not data.startswith(clear_start):
        return
    replace_wiping(path, vault.seal(key, purpose, data))


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
    try:
        wipe(aside, *_sidecars(aside), *_sidecars(path))
    except OSError as exc:  # the encrypted file is in place; the next start wipes the rest
        log.warning("could not wipe %s yet: %s", aside.name, exc)


def export(clear: Path, target: Path, key: bytes) -> dict[str, int]:
    """Write an encrypted copy of ``clear`` to ``target``; returns the rows of each table."""
    conn = sqlite3.connect(str(clear), isolation_level=None)
    try:
        conn.execute("PRAGMA wal_checkpoint(FULL)")
        wal = clear.with_name(clear.name + "-wal")
        if wal.exists():
            zero(wal)  # its frames are in the file now; truncating would free them in clear
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

    if backup_dir is None or not backup_dir.is_dir():
        return []
    for leftover in [*backup_dir.glob(f"*.db{CLEAR}"), *backup_dir.glob(f"*.db{ENCRYPTING}")]:
        finish_interrupted(leftover.with_name(leftover.name.rsplit(".", 1)[0]))
    return [path for _moment, _reason, path in backups(backup_dir) if is_clear_database(path)]


def _sidecars(path: Path) -> Iterable[Path]:
    return (path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal"))


def _key_text(key: bytes) -> str:
    return f"x'{key.hex()}'"
