"""Opening a home: make its folders, take the single-writer lock, open the database."""

from __future__ import annotations

from dataclasses import dataclass

from meixian_desktop.paths import Paths
from meixian_desktop.store.database import Store
from meixian_desktop.store.errors import AlreadyRunning, storage_problem
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
        store = Store.open(paths.database, backup_dir=paths.backup_dir)
    except BaseException:
        lock.release()
        raise
    return Session(paths, store, lock)


def _current(paths: Paths) -> bool:
    """The database exists and is at this program's schema version (nothing to migrate)."""
    from meixian_desktop.store.schema import VERSION

    try:
        with Store.open(paths.database, readonly=True) as store:
            return store.schema_version() == VERSION
    except Exception:  # any doubt: refuse the way a second writer always was
        return False
