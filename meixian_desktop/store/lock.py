"""One writer per data folder: an OS-level lock that works on Windows and Linux alike."""

from __future__ import annotations

from pathlib import Path

from filelock import FileLock, Timeout

from meixian_desktop.store.errors import already_running, storage_problem


class DataFolderLock:
    """Held while this process may write the data folder; released on exit or crash."""

    def __init__(self, lock_file: Path) -> None:
        self.lock_file = lock_file
        self._lock = FileLock(str(lock_file), timeout=0)

    def acquire(self) -> DataFolderLock:
        """Take the lock now, or raise AlreadyRunning with a message for the user."""
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            raise already_running(self.lock_file.parent) from None
        except OSError as exc:
            raise storage_problem(exc, self.lock_file.parent) from exc
        return self

    def release(self) -> None:
        if self._lock.is_locked:
            self._lock.release()

    def __enter__(self) -> DataFolderLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
