"""Reading ZIP archives that may be hostile: every entry's name, type and size checked before a
byte is inflated, reading bounded, and whatever a broken file makes the readers raise turned
into a SyncFileError with a Chinese message."""

from __future__ import annotations

import errno
import io
import stat
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any

from meixian_desktop.sync.sealing import SyncFileError

CHUNK = 1024 * 1024
# A member that inflates past RATIO_CHECKED_FROM at more than MAX_RATIO times its packed
# size is a ZIP bomb: real records deflate 5-20 times, photos and ciphertext not at all.
MAX_RATIO = 200
RATIO_CHECKED_FROM = 1024 * 1024
# What a hostile ZIP can make zipfile, zlib or json raise; each means "damaged" here.
_DAMAGE = (zipfile.BadZipFile, zlib.error, EOFError, ValueError, struct.error,
           RuntimeError, OverflowError, IndexError, KeyError)


def checked_members(
    archive: zipfile.ZipFile,
    where: str,
    *,
    allowed: Callable[[str], bool] | None,
    max_members: int,
    total_limit: int,
) -> dict[str, zipfile.ZipInfo]:
    """Every entry's name, type, packing and declared size checked before a byte is inflated."""
    infos = archive.infolist()
    if len(infos) > max_members:
        raise refusal("extra_member", where, f"{len(infos)} 个成员")
    members: dict[str, zipfile.ZipInfo] = {}
    declared = 0
    for info in infos:
        if _unsafe(info):
            raise refusal("unsafe_name", where, info.orig_filename)
        if info.filename in members:
            raise refusal("duplicate_member", where, info.filename)
        if allowed is not None and not allowed(info.filename):
            raise refusal("extra_member", where, info.filename)
        if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED,
                                                               zipfile.ZIP_DEFLATED):
            raise refusal("damaged", where)
        packed = max(info.compress_size, 1)
        if info.file_size > RATIO_CHECKED_FROM and info.file_size > MAX_RATIO * packed:
            raise refusal("too_large", where, info.filename)
        declared += info.file_size
        if declared > total_limit:
            raise refusal("too_large", where, info.filename)
        members[info.filename] = info
    return members


def _unsafe(info: zipfile.ZipInfo) -> bool:
    """Absolute, drive, parent or backslash paths, control characters, directories, links."""
    for name in (info.orig_filename, info.filename):
        if not name or name.startswith("/") or any(c in name for c in "\\:") or any(
            ord(c) < 32 for c in name
        ):
            return True
        if any(part in ("", ".", "..") for part in name.split("/")):
            return True
    mode = info.external_attr >> 16
    return stat.S_ISLNK(mode) or stat.S_ISDIR(mode) or bool(info.external_attr & 0x10)


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, where: str) -> bytes:
    """Inflate one member, never more than ``limit`` + 1 bytes whatever its header says."""
    if info.file_size > limit:
        raise refusal("too_large", where, info.filename)
    buffer = io.BytesIO()
    total = 0
    with archive.open(info) as stream:
        while chunk := stream.read(min(CHUNK, limit + 1 - total)):
            total += len(chunk)
            if total > limit:
                raise refusal("too_large", where, info.filename)
            buffer.write(chunk)
    if total != info.file_size:
        raise refusal("damaged", where)
    return buffer.getvalue()


def not_a_zip(handle: IO[bytes], size: int, where: str) -> SyncFileError:
    """Tell a file cut short (no end record) from one that never was a ZIP."""
    handle.seek(0)
    head = handle.read(4)
    handle.seek(max(size - (1 << 16) - 22, 0))
    tail = handle.read()
    end = tail.rfind(b"PK\x05\x06")
    if not (head.startswith(b"PK\x03\x04") or b"PK\x03\x04".startswith(head)):
        return refusal("not_zip", where)
    if end < 0 or len(tail) - end < 22:
        return refusal("truncated", where)
    return refusal("damaged", where)


@contextmanager
def refusing_damage(where: str) -> Iterator[None]:
    """Whatever a hostile or broken file makes the readers raise becomes a SyncFileError."""
    try:
        yield
    except OSError as exc:
        if exc.errno == errno.EINVAL:  # a seek to a nonsense offset from a damaged header
            raise refusal("damaged", where) from exc
        raise SyncFileError(
            "unreadable",
            f"无法读取{where}（{exc.strerror or exc}）。请确认U盘已插好、文件还在，然后再试。",
        ) from exc
    except _DAMAGE as exc:
        raise refusal("damaged", where) from exc


_MESSAGES = {
    "empty": "{where}是空的（0 字节），可能复制时被中断了。程序没有导入它。请从原来的电脑重新导出一次。",
    "truncated": "{where}不完整，末尾缺了一截（可能复制时U盘被拔出，或者还没复制完）。"
                 "程序没有导入它。请从原来的电脑重新复制或重新导出。",
    "not_zip": "{where}不是梅仙网格通写的文件（不是 ZIP 格式），可能选错了文件。程序没有导入它。",
    "damaged": "{where}已损坏或被改动过（文件内部校验没有通过）。程序没有导入它。"
               "请从原来的电脑重新导出一次。",
    "too_large": "{where}里的“{detail}”大得不正常，可能是被人故意做坏的文件（压缩炸弹）。"
                 "程序没有打开它。",
    "too_many_records": "{where}里的记录超过 {detail} 条，太多了。程序没有导入它。请分几次导出。",
    "unsafe_name": "{where}里有不安全的文件名“{detail}”（带路径、目录或链接），"
                   "可能是被人故意做坏的文件。程序没有打开它。",
    "duplicate_member": "{where}里“{detail}”出现了两次，不是梅仙网格通写的。程序没有导入它。",
    "extra_member": "{where}里有多余的内容“{detail}”，不是梅仙网格通写的。程序没有导入它。",
    "missing_member": "{where}里缺少“{detail}”，文件不完整。程序没有导入它。请让发送方重新导出一次。",
}


def refusal(reason: str, where: str, detail: str = "") -> SyncFileError:
    shown = "".join(c if c.isprintable() else "?" for c in detail)[:80]
    return SyncFileError(reason, _MESSAGES[reason].format(where=where, detail=shown))


def member_info(name: str, packing: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)  # fixed 1980 date: the same content gives the same bytes
    info.compress_type = packing
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    return info


def no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")
