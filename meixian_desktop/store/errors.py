"""Storage failures, split into what the user can fix and what is our bug."""

from __future__ import annotations

import errno
from pathlib import Path

from sqlcipher3 import dbapi2 as sqlite3


class StoreError(Exception):
    """A storage problem the user can act on; ``message`` says in Chinese what to do."""

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path


class NotOurDatabase(StoreError):
    """The file is damaged, or a database of some other program."""


class ClearDatabase(StoreError):
    """The database is from before encryption: it is converted on opening (store/encrypt.py)."""


class NewerDatabase(StoreError):
    """The database was written by a newer version of the app."""


class StorageUnavailable(StoreError):
    """The folder or file cannot be written: read-only, full, or locked by another program."""


class DiskFull(StorageUnavailable):
    """No room left on the disk that holds the file."""


class AlreadyRunning(StoreError):
    """Another instance of the app holds this data folder."""


def not_our_database(path: Path) -> NotOurDatabase:
    return NotOurDatabase(
        f"数据文件“{path}”已损坏，或者不是梅仙网格通的数据文件，"
        "或者是从别的电脑复制来的（别的电脑的数据用不了这台电脑的钥匙）。程序没有改动它。"
        "请把它复制保存后交给镇里技术人员，或者用“备份”文件夹中的备份恢复。",
        path,
    )


def newer_database(path: Path, found: int, known: int) -> NewerDatabase:
    return NewerDatabase(
        f"数据文件“{path}”是新版本的梅仙网格通写的（数据版本 {found}，本程序只认识到 {known}）。"
        "程序没有改动它。请安装最新版本的梅仙网格通后再打开。",
        path,
    )


def already_running(folder: Path) -> AlreadyRunning:
    return AlreadyRunning(
        f"梅仙网格通已经在使用数据文件夹“{folder}”（可能已经打开了一个窗口）。"
        "请切换到已打开的窗口；如果没有，请稍等片刻再试。",
        folder,
    )


def storage_problem(exc: BaseException, path: Path) -> StoreError:
    """Turn an OS or SQLite error into a calm message, or re-raise it as a bug."""
    text = str(exc).lower()
    code = getattr(exc, "errno", None)
    if code == errno.ENOSPC or "disk is full" in text or "database or disk is full" in text:
        return DiskFull(
            f"磁盘已满，无法保存到“{path}”。刚才的修改没有写进去，已有数据没有受影响。"
            "请删除一些不需要的文件，腾出空间后再保存。",
            path,
        )
    if (
        code in (errno.EACCES, errno.EPERM, errno.EROFS)
        or "readonly" in text
        or "read-only" in text
        or "unable to open" in text
    ):
        return StorageUnavailable(
            f"没有权限写入“{path}”（文件夹只读或被保护）。已有数据没有受影响。"
            "请检查文件夹权限，或用 --home 选择一个可以写入的文件夹。",
            path,
        )
    if "locked" in text or "busy" in text:
        return StorageUnavailable(
            f"数据文件“{path}”正被其他程序占用。请关闭其他打开它的程序后再试。",
            path,
        )
    if isinstance(exc, sqlite3.DatabaseError) and (
        "not a database" in text or "malformed" in text or "encrypted" in text
    ):
        return not_our_database(path)
    raise exc
