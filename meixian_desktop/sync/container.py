"""Sync files on disk: the ZIP layout of batches, receipts and town packages, read safely."""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import re
import shutil
import stat
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from meixian_desktop.sync.keys import DeviceKeys, fingerprint
from meixian_desktop.sync.sealing import (
    FORMAT_VERSION,
    SIGNATURE_BYTES,
    SyncFileError,
    b64,
    seal,
    sign,
    signature_refused,
    unb64,
    unseal,
    verify,
)

BATCH_SUFFIX, RECEIPT_SUFFIX, PACKAGE_SUFFIX = ".mxsync", ".mxack", ".mxref"
PART_SUFFIX = ".part"  # a file being written; never importable
SUFFIXES = {"batch": BATCH_SUFFIX, "receipt": RECEIPT_SUFFIX, "package": PACKAGE_SUFFIX}
LABELS = {"batch": "同步文件", "receipt": "回执", "package": "镇级数据包"}

MANIFEST, PAYLOAD, BODY, SIGNATURE = "manifest.json", "payload.bin", "body.bin", "signature"
RECORDS, FILES_PREFIX = "records.jsonl", "files/"

MAX_MANIFEST_BYTES = 1024 * 1024
MAX_PAYLOAD_BYTES = 2 * 1024**3
MAX_OUTER_MEMBERS = 8
ZIP_OVERHEAD = 1024 * 1024  # headers and directory allowed on top of the members
# A member that inflates past RATIO_CHECKED_FROM at more than MAX_RATIO times its packed
# size is a ZIP bomb: real records deflate 5-20 times, photos and ciphertext not at all.
MAX_RATIO = 200
RATIO_CHECKED_FROM = 1024 * 1024
FREE_SPACE_MARGIN = 1024 * 1024
MAX_NAME_LENGTH = 120  # UTF-16 units: room for the folder within old Windows' 260
CHUNK = 1024 * 1024

_ATTACHMENT_NAME = re.compile(r"files/([0-9a-f]{64})")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_FORBIDDEN_IN_NAMES = set('<>:"/\\|?*')
_RESERVED_NAMES = re.compile(r"(CON|PRN|AUX|NUL|CONIN\$|CONOUT\$|COM[0-9]|LPT[0-9])(\..*)?", re.I)
_BATCH_FIELDS = ("format", "kind", "sender_signing_public", "sender_encryption_public",
                 "payload_sha256", "payload_size", "sealing", "recipient_fingerprint")
_SIGNED_FIELDS = ("format", "kind", "signer_signing_public", "body_sha256", "body_size")
# What a hostile ZIP can make zipfile, zlib or json raise; each means "damaged" here.
_DAMAGE = (zipfile.BadZipFile, zlib.error, EOFError, ValueError, struct.error,
           RuntimeError, OverflowError, IndexError, KeyError)


@dataclass(frozen=True)
class Opened:
    """A sync file that passed every check: its manifest and its (decrypted) body."""

    manifest: dict[str, Any]
    body: bytes


# ---- file names -------------------------------------------------------------------------------


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


def kind_of_file(path: Path) -> str | None:
    """"batch", "receipt" or "package" by the file's suffix; None for anything else (.part too)."""
    name = path.name.lower()
    return next((kind for kind, suffix in SUFFIXES.items() if name.endswith(suffix)), None)


def _final_name(name: str, suffix: str) -> str:
    if not name.lower().endswith(suffix):
        name += suffix
    check_file_name(name)
    return name


# ---- writing ----------------------------------------------------------------------------------


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` so that ``path`` only ever holds the old file or the whole new one."""
    _write_atomically(path, len(data), lambda handle: handle.write(data))


def _write_atomically(path: Path, size: int, write: Callable[[IO[bytes]], object]) -> None:
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
            f"U盘（或磁盘）空间不够：这个文件需要约 {_megabytes(needed)}，“{folder}”只剩 "
            f"{_megabytes(free)}。文件没有写入。请删除U盘上不需要的文件，或换一个U盘后再导出。",
        )


def _megabytes(size: int) -> str:
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


def write_batch(
    folder: Path,
    manifest: dict[str, Any],
    payload: bytes,
    *,
    sender: DeviceKeys,
    town_encryption_public: bytes,
    name: str,
) -> Path:
    """Seal the payload to the town, sign the manifest and write the .mxsync file atomically."""
    final = _final_name(name, BATCH_SUFFIX)
    batch_id = manifest.get("batch_id")
    if not isinstance(batch_id, str) or not batch_id:
        raise ValueError("a batch manifest needs a batch_id (text)")
    _refuse_our_fields(manifest, _BATCH_FIELDS)
    aad = _batch_aad(batch_id, sender.signing_public)
    header, ciphertext = seal(payload, town_encryption_public, aad)
    full = {
        **manifest,
        "format": FORMAT_VERSION,
        "kind": "batch",
        "sender_signing_public": b64(sender.signing_public),
        "sender_encryption_public": b64(sender.encryption_public),
        "payload_sha256": hashlib.sha256(ciphertext).hexdigest(),
        "payload_size": len(ciphertext),
        "sealing": header,
        "recipient_fingerprint": fingerprint(town_encryption_public),
    }
    return _write_signed_zip(folder / final, full, PAYLOAD, ciphertext, sender)


def write_signed(
    folder: Path,
    kind: str,
    manifest: dict[str, Any],
    body: bytes,
    *,
    signer: DeviceKeys,
    name: str,
    suffix: str,
) -> Path:
    """Write a receipt (.mxack) or town package (.mxref): manifest, clear body, signature."""
    if kind not in ("receipt", "package") or SUFFIXES[kind] != suffix:
        raise ValueError(f"unknown signed file kind {kind!r} with suffix {suffix!r}")
    final = _final_name(name, suffix)
    _refuse_our_fields(manifest, _SIGNED_FIELDS)
    full = {
        **manifest,
        "format": FORMAT_VERSION,
        "kind": kind,
        "signer_signing_public": b64(signer.signing_public),
        "body_sha256": hashlib.sha256(body).hexdigest(),
        "body_size": len(body),
    }
    return _write_signed_zip(folder / final, full, BODY, body, signer)


def _batch_aad(batch_id: str, sender_signing_public: bytes) -> bytes:
    """The payload is bound to its batch and its sender: it cannot be moved under another."""
    return batch_id.encode("utf-8") + b"\n" + sender_signing_public


def _refuse_our_fields(manifest: dict[str, Any], ours: tuple[str, ...]) -> None:
    taken = sorted(set(manifest) & set(ours))
    if taken:
        raise ValueError(f"manifest fields {taken} are set by the container, not the caller")


def _write_signed_zip(
    path: Path, manifest: dict[str, Any], member: str, data: bytes, signer: DeviceKeys
) -> Path:
    manifest_bytes = json.dumps(
        manifest, ensure_ascii=False, sort_keys=True, indent=1, allow_nan=False
    ).encode("utf-8")
    if len(manifest_bytes) > MAX_MANIFEST_BYTES:
        raise ValueError(f"manifest of {len(manifest_bytes)} bytes is over the 1 MB limit")
    signature = sign(manifest_bytes, signer.signing)

    def write(handle: IO[bytes]) -> None:
        with zipfile.ZipFile(handle, "w") as archive:
            archive.writestr(_member_info(MANIFEST, zipfile.ZIP_STORED), manifest_bytes)
            packing = zipfile.ZIP_STORED if member == PAYLOAD else zipfile.ZIP_DEFLATED
            archive.writestr(_member_info(member, packing), data)
            archive.writestr(_member_info(SIGNATURE, zipfile.ZIP_STORED), signature)

    _write_atomically(path, len(manifest_bytes) + len(data) + len(signature) + 4096, write)
    return path


def _member_info(name: str, packing: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)  # fixed 1980 date: the same content gives the same bytes
    info.compress_type = packing
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    return info


# ---- the inner payload ------------------------------------------------------------------------


def pack_payload(records: list[dict[str, Any]], attachments: dict[str, Path]) -> bytes:
    """The batch's plaintext: records.jsonl (deflated) and files/<sha256> for each attachment."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        lines = "".join(
            json.dumps(record, ensure_ascii=False, allow_nan=False, separators=(",", ":")) + "\n"
            for record in records
        )
        archive.writestr(_member_info(RECORDS, zipfile.ZIP_DEFLATED), lines.encode("utf-8"))
        for digest in sorted(attachments):
            _pack_attachment(archive, digest, attachments[digest])
    return buffer.getvalue()


def _pack_attachment(archive: zipfile.ZipFile, digest: str, path: Path) -> None:
    """Copy one photo or scan in (stored: they are compressed already), checking its hash."""
    if not _SHA256.fullmatch(digest):
        raise ValueError(f"attachment key {digest!r} is not a lowercase SHA-256")
    info = _member_info(FILES_PREFIX + digest, zipfile.ZIP_STORED)
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
    with _refusing_damage(where):
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile as exc:
            raise _refusal("not_zip", where) from exc
        with archive:
            members = _checked_members(
                archive, where, allowed=_inner_name_allowed,
                max_members=max_files + 1, total_limit=max_bytes,
            )
            if RECORDS not in members:
                raise _refusal("missing_member", where, RECORDS)
            raw = _read_member(archive, members[RECORDS], max_bytes, where)
            records = _parse_records(raw, max_records, where)
            files: dict[str, bytes] = {}
            for name, info in members.items():
                if name == RECORDS:
                    continue
                content = _read_member(archive, info, max_bytes, where)
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
        raise _refusal("too_many_records", where, str(max_records))
    try:
        lines = raw.decode("utf-8").split("\n")  # only "\n": U+2028 may sit inside a string
    except UnicodeDecodeError as exc:
        raise _bad_payload(where, "记录不是 UTF-8 文本") from exc
    if lines[-1] == "":
        lines.pop()
    if len(lines) > max_records:
        raise _refusal("too_many_records", where, str(max_records))
    records: list[dict[str, Any]] = []
    for number, line in enumerate(lines, 1):
        try:
            record = json.loads(line, parse_constant=_no_constant)
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


# ---- reading ----------------------------------------------------------------------------------


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest of any sync file, NOT verified: only for showing the file before import."""
    kind = kind_of_file(path)
    with _outer(path, kind or "", MAX_PAYLOAD_BYTES) as outer:
        return outer.manifest


def open_batch(path: Path, *, town: DeviceKeys, max_payload: int = MAX_PAYLOAD_BYTES) -> Opened:
    """Check and decrypt a batch; the caller then checks the sender's key is an approved device."""
    with _outer(path, "batch", max_payload) as outer:
        return _BATCH_READERS[outer.format](outer, town, max_payload)


def open_signed(
    path: Path, kind: str, *, signer_public: bytes | None, max_body: int = MAX_PAYLOAD_BYTES
) -> Opened:
    """Check a receipt or town package; ``signer_public`` None trusts the key inside (set-up)."""
    if kind not in ("receipt", "package"):
        raise ValueError(f"unknown signed file kind {kind!r}")
    with _outer(path, kind, max_body) as outer:
        return _SIGNED_READERS[outer.format](outer, signer_public, max_body)


@dataclass(frozen=True)
class _Outer:
    """An outer archive with its names and sizes checked and its manifest parsed."""

    where: str
    archive: zipfile.ZipFile
    members: dict[str, zipfile.ZipInfo]
    manifest_bytes: bytes
    manifest: dict[str, Any]
    format: int

    def expect(self, names: set[str]) -> None:
        for name in sorted(names - set(self.members)):
            raise _refusal("missing_member", self.where, name)
        for name in sorted(set(self.members) - names):
            raise _refusal("extra_member", self.where, name)

    def read(self, name: str, limit: int) -> bytes:
        return _read_member(self.archive, self.members[name], limit, self.where)


@contextmanager
def _outer(path: Path, kind: str, max_member: int) -> Iterator[_Outer]:
    where = f"文件“{path.name}”"
    _check_suffix(path, kind, where)
    with _refusing_damage(where), open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size == 0:
            raise _refusal("empty", where)
        if size > MAX_MANIFEST_BYTES + SIGNATURE_BYTES + max_member + ZIP_OVERHEAD:
            raise SyncFileError(
                "too_large",
                f"{where}有 {_megabytes(size)}，比任何同步文件都大得多，不是梅仙网格通写的。"
                "程序没有打开它。",
            )
        try:
            archive = zipfile.ZipFile(handle)
        except zipfile.BadZipFile as exc:
            raise _not_a_zip(handle, size, where) from exc
        with archive:
            members = _checked_members(
                archive, where, allowed=None, max_members=MAX_OUTER_MEMBERS,
                total_limit=MAX_MANIFEST_BYTES + SIGNATURE_BYTES + max_member,
            )
            if MANIFEST not in members:
                raise _refusal("missing_member", where, MANIFEST)
            manifest_bytes = _read_member(archive, members[MANIFEST], MAX_MANIFEST_BYTES, where)
            manifest = _parse_manifest(manifest_bytes, where)
            found = _format_of(manifest, where)
            _check_kind(manifest, kind, where)
            yield _Outer(where, archive, members, manifest_bytes, manifest, found)


def _check_suffix(path: Path, kind: str, where: str) -> None:
    name = path.name.lower()
    if name.endswith(PART_SUFFIX):
        raise SyncFileError(
            "wrong_suffix",
            f"{where}是没有写完的临时文件（导出时被中断了），不能导入。请在原来的电脑上重新导出一次。",
        )
    found = kind_of_file(path)
    if found is None:
        raise SyncFileError(
            "wrong_suffix",
            f"{where}不是梅仙网格通的同步文件、回执或镇级数据包（扩展名应为 .mxsync、.mxack 或 .mxref）。",
        )
    if kind and found != kind:
        raise SyncFileError(
            "wrong_kind", f"{where}是{LABELS[found]}，不是{LABELS[kind]}。请选择{LABELS[kind]}"
            f"（扩展名 {SUFFIXES[kind]}）。",
        )


def _check_kind(manifest: dict[str, Any], kind: str, where: str) -> None:
    found = manifest.get("kind")
    if kind and found != kind:
        inside = LABELS.get(found, "别的内容") if isinstance(found, str) else "别的内容"
        raise SyncFileError(
            "wrong_kind",
            f"{where}的扩展名表示{LABELS[kind]}，里面装的却是{inside}。程序没有导入它。"
            "请确认选对了文件，或让发送方重新导出。",
        )


def _format_of(manifest: dict[str, Any], where: str) -> int:
    found = manifest.get("format")
    if not isinstance(found, int) or isinstance(found, bool) or found < 1:
        raise _bad_manifest(where, "缺少文件格式版本")
    if found > FORMAT_VERSION:
        raise SyncFileError(
            "newer_format",
            f"{where}是新版本的梅仙网格通写的（文件格式 {found}，本程序只认识到 {FORMAT_VERSION}）。"
            "程序没有导入它。请先把本机的梅仙网格通更新到最新版本，再导入这个文件。",
        )
    return found


def _parse_manifest(data: bytes, where: str) -> dict[str, Any]:
    try:
        value = json.loads(
            data.decode("utf-8"), object_pairs_hook=_unique_keys, parse_constant=_no_constant
        )
    except (ValueError, RecursionError) as exc:
        raise _bad_manifest(where, "不是合法的 JSON") from exc
    if not isinstance(value, dict):
        raise _bad_manifest(where, "不是一个 JSON 对象")
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(pairs)
    if len(value) != len(pairs):
        raise ValueError("duplicate key")
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def _checked_members(
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
        raise _refusal("extra_member", where, f"{len(infos)} 个成员")
    members: dict[str, zipfile.ZipInfo] = {}
    declared = 0
    for info in infos:
        if _unsafe(info):
            raise _refusal("unsafe_name", where, info.orig_filename)
        if info.filename in members:
            raise _refusal("duplicate_member", where, info.filename)
        if allowed is not None and not allowed(info.filename):
            raise _refusal("extra_member", where, info.filename)
        if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED,
                                                               zipfile.ZIP_DEFLATED):
            raise _refusal("damaged", where)
        packed = max(info.compress_size, 1)
        if info.file_size > RATIO_CHECKED_FROM and info.file_size > MAX_RATIO * packed:
            raise _refusal("too_large", where, info.filename)
        declared += info.file_size
        if declared > total_limit:
            raise _refusal("too_large", where, info.filename)
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


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, where: str) -> bytes:
    """Inflate one member, never more than ``limit`` + 1 bytes whatever its header says."""
    if info.file_size > limit:
        raise _refusal("too_large", where, info.filename)
    buffer = io.BytesIO()
    total = 0
    with archive.open(info) as stream:
        while chunk := stream.read(min(CHUNK, limit + 1 - total)):
            total += len(chunk)
            if total > limit:
                raise _refusal("too_large", where, info.filename)
            buffer.write(chunk)
    if total != info.file_size:
        raise _refusal("damaged", where)
    return buffer.getvalue()


def _not_a_zip(handle: IO[bytes], size: int, where: str) -> SyncFileError:
    """Tell a file cut short (no end record) from one that never was a ZIP."""
    handle.seek(0)
    head = handle.read(4)
    handle.seek(max(size - (1 << 16) - 22, 0))
    tail = handle.read()
    end = tail.rfind(b"PK\x05\x06")
    if not (head.startswith(b"PK\x03\x04") or b"PK\x03\x04".startswith(head)):
        return _refusal("not_zip", where)
    if end < 0 or len(tail) - end < 22:
        return _refusal("truncated", where)
    return _refusal("damaged", where)


@contextmanager
def _refusing_damage(where: str) -> Iterator[None]:
    """Whatever a hostile or broken file makes the readers raise becomes a SyncFileError."""
    try:
        yield
    except OSError as exc:
        if exc.errno == errno.EINVAL:  # a seek to a nonsense offset from a damaged header
            raise _refusal("damaged", where) from exc
        raise SyncFileError(
            "unreadable",
            f"无法读取{where}（{exc.strerror or exc}）。请确认U盘已插好、文件还在，然后再试。",
        ) from exc
    except _DAMAGE as exc:
        raise _refusal("damaged", where) from exc


@contextmanager
def _naming(where: str) -> Iterator[None]:
    """Put the file's name in front of a refusal from the crypto layer."""
    try:
        yield
    except SyncFileError as exc:
        raise SyncFileError(exc.reason, f"{where}：{exc.message}") from exc


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


def _refusal(reason: str, where: str, detail: str = "") -> SyncFileError:
    shown = "".join(c if c.isprintable() else "?" for c in detail)[:80]
    return SyncFileError(reason, _MESSAGES[reason].format(where=where, detail=shown))


def _bad_manifest(where: str, why: str) -> SyncFileError:
    return SyncFileError(
        "bad_manifest",
        f"{where}的清单（manifest.json）不对：{why}。程序没有导入它。"
        "请让发送方用梅仙网格通重新导出。",
    )


# ---- one reader per format version ------------------------------------------------------------


def _text(manifest: dict[str, Any], name: str, where: str) -> str:
    value = manifest.get(name)
    if not isinstance(value, str) or not value:
        raise _bad_manifest(where, f"缺少“{name}”")
    return value


def _size(manifest: dict[str, Any], name: str, where: str) -> int:
    value = manifest.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise _bad_manifest(where, f"缺少“{name}”")
    return value


def _key(manifest: dict[str, Any], name: str, where: str) -> bytes:
    try:
        return unb64(manifest.get(name), 32)
    except ValueError as exc:
        raise _bad_manifest(where, f"“{name}”不是一把公钥") from exc


def _signature(outer: _Outer) -> bytes:
    if outer.members[SIGNATURE].file_size != SIGNATURE_BYTES:
        with _naming(outer.where):
            raise signature_refused()
    return outer.read(SIGNATURE, SIGNATURE_BYTES)


def _checked_body(outer: _Outer, member: str, size: int, digest: str, limit: int) -> bytes:
    if outer.members[member].file_size != size:
        raise _tampered(outer.where)
    data = outer.read(member, limit)
    if hashlib.sha256(data).hexdigest() != digest:
        raise _tampered(outer.where)
    return data


def _tampered(where: str) -> SyncFileError:
    return SyncFileError(
        "tampered",
        f"{where}的内容和签名时的校验值不符：它被改动过或已损坏。程序没有导入它。"
        "请让发送方重新导出一次。",
    )


def _open_batch_v1(outer: _Outer, town: DeviceKeys, max_payload: int) -> Opened:
    outer.expect({MANIFEST, PAYLOAD, SIGNATURE})
    manifest, where = outer.manifest, outer.where
    signature = _signature(outer)
    sender = _key(manifest, "sender_signing_public", where)
    with _naming(where):
        verify(outer.manifest_bytes, signature, sender)
    batch_id = _text(manifest, "batch_id", where)
    _key(manifest, "sender_encryption_public", where)
    header = manifest.get("sealing")
    if not isinstance(header, dict):
        raise _bad_manifest(where, "缺少“sealing”")
    if _text(manifest, "recipient_fingerprint", where) != fingerprint(town.encryption_public):
        raise SyncFileError(
            "wrong_recipient",
            f"{where}是加密发给另一个镇（另一把密钥）的，本机无法解密。程序没有导入它。"
            "请确认网格员电脑导入的是本镇最新的镇级数据包，然后让他重新导出。",
        )
    size = _size(manifest, "payload_size", where)
    ciphertext = _checked_body(
        outer, PAYLOAD, size, _text(manifest, "payload_sha256", where), max_payload
    )
    with _naming(where):
        body = unseal(header, ciphertext, town.encryption, _batch_aad(batch_id, sender))
    return Opened(manifest, body)


def _open_signed_v1(outer: _Outer, signer_public: bytes | None, max_body: int) -> Opened:
    outer.expect({MANIFEST, BODY, SIGNATURE})
    manifest, where = outer.manifest, outer.where
    signature = _signature(outer)
    inside = _key(manifest, "signer_signing_public", where)
    if signer_public is not None and inside != signer_public:
        raise SyncFileError(
            "wrong_signer",
            f"{where}不是由应有的一方签发的（签名密钥和本机记录的不一致），"
            "可能是伪造的，或是发给别处的。程序没有导入它。请向镇里确认。",
        )
    with _naming(where):
        verify(outer.manifest_bytes, signature, inside)
    size = _size(manifest, "body_size", where)
    body = _checked_body(outer, BODY, size, _text(manifest, "body_sha256", where), max_body)
    return Opened(manifest, body)


_BATCH_READERS: dict[int, Callable[[_Outer, DeviceKeys, int], Opened]] = {1: _open_batch_v1}
_SIGNED_READERS: dict[int, Callable[[_Outer, bytes | None, int], Opened]] = {1: _open_signed_v1}
