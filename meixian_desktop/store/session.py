"""Opening a home: make its folders, take the single-writer lock, open the database."""

from __future__ import annotations

import os
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from meixian_desktop.paths import Paths
from meixian_desktop.store.database import Store
from meixian_desktop.store.errors import AlreadyRunning, ClearDatabase, storage_problem
from meixian_desktop.store.lock import DataFolderLock


@dataclass
class Session:
    """An open home: its paths, its database, and (when writing) the folder lock."""

    paths: Paths
    store: Store
    lock: DataFolderLock | None

    def close(self) -> None:
        self.store.close()
        if self.lock is not None:
            self.lock.release()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_session(paths: Paths, *, readonly: bool = False, beside_app: bool = False
                 ) -> Session:
    """Open ``paths`` for use; a second writer gets AlreadyRunning, never a locked database.

    ``beside_app``: small writes (a print's audit line) may go on while the app holds the
    folder, through SQLite's own locking, provided the database needs no migration.
    """
    if readonly:
        return Session(paths, Store.open(paths.database, readonly=True), None)
    try:
        paths.ensure()
    except OSError as exc:
        raise storage_problem(exc, paths.data_dir) from exc
    try:
        lock = DataFolderLock(paths.lock_file).acquire()
    except AlreadyRunning:
        if not beside_app or not _current(paths):
            raise
        return Session(paths, Store.open(paths.database), None)
    try:
        store = _open_encrypted(paths)
    except BaseException:
        lock.release()
        raise
    return Session(paths, store, lock)


def _open_encrypted(paths: Paths) -> Store:
    """Open the home's database for writing; a clear one from before encryption is converted
    first (store/encrypt.py), and the files are made private to this user."""
    from meixian_desktop.store import encrypt

    encrypt.finish_interrupted(paths.database)
    try:
        store = Store.open(paths.database, backup_dir=paths.backup_dir)
    except ClearDatabase:
        encrypt.convert_home(paths.database)
        store = Store.open(paths.database, backup_dir=paths.backup_dir)
    try:
        if encrypt.upgrade_pending(paths.data_dir):
            encrypt.finish_upgrade(paths.data_dir, paths.backup_dir, paths.prints_dir)
        make_private(paths.data_dir, paths.database)
    except BaseException:
        store.close()
        raise
    return store


def make_private(folder: Path, database: Path) -> None:
    """Only this user may read the data folder and the database (0700 / 0600 on POSIX; on
    Windows the profile folder is already private to the account)."""
    if os.name == "nt":
        return
    with suppress(OSError):
        os.chmod(folder, 0o700)
        os.chmod(database, 0o600)


def _current(paths: Paths) -> bool:
    """The database exists and is at this program's schema version (nothing to migrate)."""
    from meixian_desktop.store.schema import VERSION

    try:
        with Store.open(paths.database, readonly=True) as store:
            return store.schema_version() == VERSION
    except Exception:  # any doubt: refuse the way a second writer always was
        return False
