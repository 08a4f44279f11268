"""The inside of a batch (before sealing): records.jsonl and files/<sha256> for each photo."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import zipfile
from pathlib import Path
from typing import Any

from meixian_desktop.sync.safezip import (
    CHUNK,
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


def pack_payload(records: list[dict[str, Any]], attachments: dict[str, Path]) -> bytes:
    """The batch's plaintext: records.jsonl (deflated) and files/<sha256> for each attachment."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        lines = "".join(
            json.dumps(record, ensure_ascii=False, allow_nan=False, separators=(",", ":")) + "\n"
            for record in records
        )
        archive.writestr(member_info(RECORDS, zipfile.ZIP_DEFLATED), lines.encode("utf-8"))
        for digest in sorted(attachments):
            _pack_attachment(archive, digest, attachments[digest])
    return buffer.getvalue()


def _pack_attachment(archive: zipfile.ZipFile, digest: str, path: Path) -> None:
    """Copy one photo or scan in (stored: they are compressed already), checking its hash."""
    if not _SHA256.fullmatch(digest):
        raise ValueError(f"attachment key {digest!r} is not a lowercase SHA-256")
    info = member_info(FILES_PREFIX + digest, zipfile.ZIP_STORED)
    hasher = hashlib.sha256()
    try:
        with open(path, "rb") as source:
            info.file_size = os.fstat(source.fileno()).st_size
            with archive.open(info, "w") as target:
                while chunk := source.read(CHUNK):
                    hasher.update(chunk)
                    target.write(chunk)
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
    if hasher.hexdigest() != digest:
        raise SyncFileError(
            "bad_attachment",
            f"附件文件“{path}”的内容和记录里的校验值不符（文件已损坏）。无法导出，"
            "请联系镇里技术人员。",
        )


def unpack_payload(
    data: bytes,
    *,
    max_records: int = 1_000_000,
    max_bytes: int = 2 * 1024**3,
    max_files: int = 200_000,
) -> tuple[list[dict[str, Any]], dict[str, bytes]]:
    """Records and attachments (by SHA-256) out of a payload, each file checked by its hash."""
    where = "同步文件里的数据包"
    with refusing_damage(where):
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile as exc:
            raise refusal("not_zip", where) from exc
        with archive:
            members = checked_members(
                archive, where, allowed=_inner_name_allowed,
                max_members=max_files + 1, total_limit=max_bytes,
            )
            if RECORDS not in members:
                raise refusal("missing_member", where, RECORDS)
            raw = read_member(archive, members[RECORDS], max_bytes, where)
            records = _parse_records(raw, max_records, where)
            files: dict[str, bytes] = {}
            for name, info in members.items():
                if name == RECORDS:
                    continue
                content = read_member(archive, info, max_bytes, where)
                digest = name[len(FILES_PREFIX):]
                if hashlib.sha256(content).hexdigest() != digest:
                    raise SyncFileError(
                        "bad_attachment",
                        f"{where}里的附件“{digest[:12]}…”和它的校验值不符（已损坏）。"
                        "程序没有导入这个文件。请让发送方重新导出一次。",
                    )
                files[digest] = content
    return records, files


def _inner_name_allowed(name: str) -> bool:
    return name == RECORDS or _ATTACHMENT_NAME.fullmatch(name) is not None


def _parse_records(raw: bytes, max_records: int, where: str) -> list[dict[str, Any]]:
    if raw.count(b"\n") > max_records + 1:
        raise refusal("too_many_records", where, str(max_records))
    try:
        lines = raw.decode("utf-8").split("\n")  # only "\n": U+2028 may sit inside a string
    except UnicodeDecodeError as exc:
        raise _bad_payload(where, "记录不是 UTF-8 文本") from exc
    if lines[-1] == "":
        lines.pop()
    if len(lines) > max_records:
        raise refusal("too_many_records", where, str(max_records))
    records: list[dict[str, Any]] = []
    for number, line in enumerate(lines, 1):
        try:
            record = json.loads(line, parse_constant=no_constant)
        except (ValueError, RecursionError) as exc:
            raise _bad_payload(where, f"第 {number} 条记录不是合法的 JSON") from exc
        if not isinstance(record, dict):
            raise _bad_payload(where, f"第 {number} 条记录不是一个对象")
        records.append(record)
    return records


def _bad_payload(where: str, why: str) -> SyncFileError:
    return SyncFileError(
        "bad_payload",
        f"{where}格式不对：{why}。程序没有导入这个文件。请让发送方用梅仙网格通重新导出。",
    )
