"""Files on a USB stick: names FAT32, exFAT and Windows accept, and writes that leave either the
old file or the whole new one, never half a file that imports."""

from __future__ import annotations

import errno
import os
import re
import shutil
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import IO

from meixian_desktop.sync.sealing import SyncFileError

PART_SUFFIX = ".part"  # a file being written; never importable
FREE_SPACE_MARGIN = 1024 * 1024
MAX_NAME_LENGTH = 120  # UTF-16 units: room for the folder within old Windows' 260

_FORBIDDEN_IN_NAMES = set('<>:"/\\|?*')
_RESERVED_NAMES = re.compile(r"(CON|PRN|AUX|NUL|CONIN\$|CONOUT\$|COM[0-9]|LPT[0-9])(\..*)?", re.I)


def check_file_name(name: str) -> None:
    """Refuse a file name that a FAT32/exFAT stick or Windows cannot hold."""
    why = _name_problem(name)
    if why:
        shown = "".join(c if c.isprintable() else "?" for c in name)[:80]
        raise SyncFileError("bad_name", f"文件名“{shown}”不能用在U盘或 Windows 上：{why}。请换一个名字。")


def _name_problem(name: str) -> str:
    if not name.strip(" ."):
        return "名字是空的"
    if any(c in _FORBIDDEN_IN_NAMES or ord(c) < 32 for c in name):
        return '不能含有 < > : " / \\ | ? * 这些字符或控制字符'
    if name.endswith((" ", ".")):
        return "不能以空格或句点结尾"
    if _RESERVED_NAMES.fullmatch(name.split(".")[0].rstrip(" ")) or _RESERVED_NAMES.fullmatch(name):
        return "不能用 CON、PRN、AUX、NUL、COM1、LPT1 这类系统保留名"
    if len(name.encode("utf-16-le")) // 2 > MAX_NAME_LENGTH:
        return f"太长了（最多 {MAX_NAME_LENGTH} 个字符）"
    return ""


def clean_name_part(text: str) -> str:
    """A piece of a file name (a worker's name, say) with characters sticks refuse replaced."""
    cleaned = "".join("_" if c in _FORBIDDEN_IN_NAMES or ord(c) < 32 else c for c in text)
    return cleaned.strip(" .") or "_"


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` so that ``path`` only ever holds the old file or the whole new one."""
    write_atomically(path, len(data), lambda handle: handle.write(data))


def write_atomically(path: Path, size: int, write: Callable[[IO[bytes]], object]) -> None:
    part = path.with_name(path.name + PART_SUFFIX)
    try:
        _check_free_space(path.parent, size)
        with open(part, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(part, path)
    except BaseException as exc:
        with suppress(OSError):
            part.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _write_failure(exc, path) from exc
        raise
    _sync_folder(path.parent)


def _check_free_space(folder: Path, size: int) -> None:
    free = shutil.disk_usage(folder).free
    needed = size + FREE_SPACE_MARGIN
    if free < needed:
        raise SyncFileError(
            "no_space",
            f"U盘（或磁盘）空间不够：这个文件需要约 {megabytes(needed)}，“{folder}”只剩 "
            f"{megabytes(free)}。文件没有写入。请删除U盘上不需要的文件，或换一个U盘后再导出。",
        )


def megabytes(size: int) -> str:
    return f"{size / 1024**2:.1f} MB"


def _write_failure(exc: OSError, path: Path) -> SyncFileError:
    code = exc.errno
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return SyncFileError(
            "no_space",
            f"U盘（或磁盘）空间不够，“{path.name}”没有写成。请删除U盘上不需要的文件，"
            "或换一个U盘后再导出。",
        )
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        return SyncFileError(
            "read_only",
            f"无法写入“{path.parent}”：文件夹只读、U盘有写保护，或文件正被其他程序打开。"
            "文件没有写成。请换一个文件夹或U盘再试。",
        )
    if isinstance(exc, FileNotFoundError):
        return SyncFileError(
            "no_folder",
            f"找不到文件夹“{path.parent}”（U盘可能已经拔出）。文件没有写成。请插好U盘后再导出。",
        )
    return SyncFileError(
        "write_failed",
        f"写入“{path.name}”时出错（{exc.strerror or exc}），U盘可能被拔出或已损坏。"
        "文件没有写成，已有文件没有受影响。请重新插好U盘后再导出一次。",
    )


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable; Windows cannot open a folder to fsync it."""
    if os.name == "nt":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
