"""The inside of a batch (before sealing): records.jsonl and files/<sha256> for each photo."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from meixian_desktop.store.errors import StoreError
from meixian_desktop.sync.safezip import (
    checked_members,
    member_info,
    no_constant,
    read_member,
    refusal,
    refusing_damage,
)
from meixian_desktop.sync.sealing import SyncFileError

RECORDS, FILES_PREFIX = "records.jsonl", "files/"
_ATTACHMENT_NAME = re.compile(r"files/([0-9a-f]{64})")
_SHA256 = re.compile(r"[0-9a-f]{64}")


def pack_payload(records: list[dict[str, Any]], attachments: dict[str, Path],
                 read: Callable[[Path], bytes] = Path.read_bytes) -> bytes:
    """The batch's plaintext: records.jsonl (deflated) and files/<sha256> for each attachment,
    each file's content given by ``read`` (the data folder's are sealed: store.attachments)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        lines = "".join(
            json.dumps(record, ensure_ascii=False, allow_nan=False, separators=(",", ":")) + "\n"
            for record in records
        )
        archive.writestr(member_info(RECORDS, zipfile.ZIP_DEFLATED), lines.encode("utf-8"))
        for digest in sorted(attachments):
            _pack_attachment(archive, digest, attachments[digest], read)
    return buffer.getvalue()


def _pack_attachment(archive: zipfile.ZipFile, digest: str, path: Path,
                     read: Callable[[Path], bytes]) -> None:
    """Copy one photo or scan in (stored: they are compressed already), checking its hash."""
    if not _SHA256.fullmatch(digest):
        raise ValueError(f"attachment key {digest!r} is not a lowercase SHA-256")
    info = member_info(FILES_PREFIX + digest, zipfile.ZIP_STORED)
    try:
        data = read(path)
    except FileNotFoundError as exc:
        raise SyncFileError(
            "missing_attachment",
            f"附件文件“{path}”不见了（可能被移动或删除），无法导出。"
            "请把它放回数据文件夹，或联系镇里技术人员。",
        ) from exc
    except OSError as exc:
        raise SyncFileError(
            "unreadable", f"无法读取附件文件“{path}”（{exc.strerror or exc}），无法导出。"
        ) from exc
    except StoreError as exc:
        raise SyncFileError("unreadable", f"无法读取附件文件“{path}”：{exc.message}"
                            "无法导出。") from exc
    info.file_size = len(data)
    with archive.open(info, "w") as target:
        target.write(data)
    if hashlib.sha256(data).hexdigest() != digest:
        raise SyncFileError(
            "bad_attachment",
            f"附件文件“{path}”的内容和记录里的校验值不符（文件已损坏）。无法导出，"
            "请联系镇里技术人员。",
        )


MAX_LINE_BYTES = 16 * 1024 * 1024  # one record; a line longer than this is not ours


class Payload:
    """A payload (the inner ZIP) opened from a file or bytes, its members checked: records are
    read one line at a time and files one at a time, so memory does not grow with the batch."""

    where = "同步文件里的数据包"

    def __init__(self, source: IO[bytes], *, max_records: int = 1_000_000,
                 max_bytes: int = 2 * 1024**3, max_files: int = 200_000) -> None:
        self.max_records, self.max_bytes = max_records, max_bytes
        with refusing_damage(self.where):
            try:
                self.archive = zipfile.ZipFile(source)
            except zipfile.BadZipFile as exc:
                raise refusal("not_zip", self.where) from exc
            self.members = checked_members(
                self.archive, self.where, allowed=_inner_name_allowed,
                max_members=max_files + 1, total_limit=max_bytes)
        if RECORDS not in self.members:
            raise refusal("missing_member", self.where, RECORDS)

    def __enter__(self) -> Payload:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.archive.close()

    def records(self) -> Iterator[dict[str, Any]]:
        """Each record object in order; SyncFileError at the first that is not one."""
        info = self.members[RECORDS]
        with refusing_damage(self.where), self.archive.open(info) as stream:
            number, total = 0, 0
            while line := stream.readline(MAX_LINE_BYTES + 1):
                total += len(line)
                if len(line) > MAX_LINE_BYTES or total > info.file_size:
                    raise refusal("too_large", self.where, RECORDS)
                number += 1
                if number > self.max_records:
                    raise refusal("too_many_records", self.where, str(self.max_records))
                yield _record(line.rstrip(b"\n"), number, self.where)
            if total != info.file_size:
                raise refusal("damaged", self.where)

    def files(self) -> Iterator[tuple[str, bytes]]:
        """(sha256, content) of each attachment, checked against its hash."""
        for name, info in self.members.items():
            if name == RECORDS:
                continue
            with refusing_damage(self.where):
                content = read_member(self.archive, info, self.max_bytes, self.where)
            digest = name[len(FILES_PREFIX):]
            if hashlib.sha256(content).hexdigest() != digest:
                raise SyncFileError(
                    "bad_attachment",
                    f"{self.where}里的附件“{digest[:12]}…”和它的校验值不符（已损坏）。"
                    "程序没有导入这个文件。请让发送方重新导出一次。",
                )
            yield digest, content


def unpack_payload(
    data: bytes,
    *,
    max_records: int = 1_000_000,
    max_bytes: int = 2 * 1024**3,
    max_files: int = 200_000,
) -> tuple[list[dict[str, Any]], dict[str, bytes]]:
    """Records and attachments (by SHA-256) out of a payload held in memory (small ones)."""
    with Payload(io.BytesIO(data), max_records=max_records, max_bytes=max_bytes,
                 max_files=max_files) as payload:
        return list(payload.records()), dict(payload.files())


def _inner_name_allowed(name: str) -> bool:
    return name == RECORDS or _ATTACHMENT_NAME.fullmatch(name) is not None


def _record(line: bytes, number: int, where: str) -> dict[str, Any]:
    try:
        record = json.loads(line.decode("utf-8"), parse_constant=no_constant)
    except UnicodeDecodeError as exc:
        raise _bad_payload(where, "记录不是 UTF-8 文本") from exc
    except (ValueError, RecursionError) as exc:
        raise _bad_payload(where, f"第 {number} 条记录不是合法的 JSON") from exc
    if not isinstance(record, dict):
        raise _bad_payload(where, f"第 {number} 条记录不是一个对象")
    return record


def _bad_payload(where: str, why: str) -> SyncFileError:
    return SyncFileError(
        "bad_payload",
        f"{where}格式不对：{why}。程序没有导入这个文件。请让发送方用梅仙网格通重新导出。",
    )
