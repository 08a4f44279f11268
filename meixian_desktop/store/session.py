"""Opening a home: make its folders, take the single-writer lock, open the database."""

from __future__ import annotations

from dataclasses import dataclass

from meixian_desktop.paths import Paths
from meixian_desktop.store.database import Store
from meixian_desktop.store.errors import storage_problem
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


def open_session(paths: Paths, *, readonly: bool = False) -> Session:
    """Open ``paths`` for use; a second writer gets AlreadyRunning, never a locked database."""
    if readonly:
        return Session(paths, Store.open(paths.database, readonly=True), None)
    try:
        paths.ensure()
    except OSError as exc:
        raise storage_problem(exc, paths.data_dir) from exc
    lock = DataFolderLock(paths.lock_file).acquire()
    try:
        store = Store.open(paths.database, backup_dir=paths.backup_dir)
    except BaseException:
        lock.release()
        raise
    return Session(paths, store, lock)
