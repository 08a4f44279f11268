"""Sync files on disk: the ZIP layout of batches, receipts and town packages, read safely.

The pieces: ``stick`` (legal names, atomic writes), ``safezip`` (hostile-archive reading),
``payload`` (records and photos inside a batch), ``sealing`` (the crypto); their public names
are re-exported here, where the rest of the app looks for them."""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

# The pieces' public names, re-exported.
__all__ = [
    "PART_SUFFIX", "Opened", "atomic_write", "check_file_name", "clean_name_part", "files_in",
    "check_batch", "decrypt_batch", "kind_of_file", "open_batch", "open_signed", "pack_payload",
    "read_manifest", "unpack_payload", "write_batch", "write_signed",
]

from meixian_desktop.sync.keys import DeviceKeys, fingerprint
from meixian_desktop.sync.payload import pack_payload, unpack_payload
from meixian_desktop.sync.safezip import (
    checked_members,
    member_info,
    no_constant,
    not_a_zip,
    read_member,
    refusal,
    refusing_damage,
)
from meixian_desktop.sync.sealing import (
    FORMAT_VERSION,
    SIGNATURE_BYTES,
    SyncFileError,
    b64,
    seal,
    sign,
    signature_refused,
    unb64,
    unseal_stream,
    verify,
)
from meixian_desktop.sync.stick import (
    PART_SUFFIX,
    atomic_write,
    check_file_name,
    clean_name_part,
    megabytes,
    write_atomically,
)

BATCH_SUFFIX, RECEIPT_SUFFIX, PACKAGE_SUFFIX = ".mxsync", ".mxack", ".mxref"
SUFFIXES = {"batch": BATCH_SUFFIX, "receipt": RECEIPT_SUFFIX, "package": PACKAGE_SUFFIX}
LABELS = {"batch": "同步文件", "receipt": "回执", "package": "镇级数据包"}

MANIFEST, PAYLOAD, BODY, SIGNATURE = "manifest.json", "payload.bin", "body.bin", "signature"

MAX_MANIFEST_BYTES = 1024 * 1024
MAX_PAYLOAD_BYTES = 2 * 1024**3
MAX_OUTER_MEMBERS = 8
ZIP_OVERHEAD = 1024 * 1024  # headers and directory allowed on top of the members

_BATCH_FIELDS = ("format", "kind", "sender_signing_public", "sender_encryption_public",
                 "payload_sha256", "payload_size", "sealing", "recipient_fingerprint")
_SIGNED_FIELDS = ("format", "kind", "signer_signing_public", "body_sha256", "body_size")


@dataclass(frozen=True)
class Opened:
    """A sync file that passed every check: its manifest and its (decrypted) body."""

    manifest: dict[str, Any]
    body: bytes


# ---- file names -------------------------------------------------------------------------------


def files_in(paths: Iterable[Path], suffix: str) -> list[Path]:
    """The files named that exist, and every ``suffix`` file in the folders named (by name,
    whatever the case: FAT sticks may show "X.MXSYNC"), folders' files in name order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.iterdir()
                            if p.name.lower().endswith(suffix) and p.is_file())
        elif path.is_file():
            found.append(path)
    return found


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
            archive.writestr(member_info(MANIFEST, zipfile.ZIP_STORED), manifest_bytes)
            packing = zipfile.ZIP_STORED if member == PAYLOAD else zipfile.ZIP_DEFLATED
            archive.writestr(member_info(member, packing), data)
            archive.writestr(member_info(SIGNATURE, zipfile.ZIP_STORED), signature)

    write_atomically(path, len(manifest_bytes) + len(data) + len(signature) + 4096, write)
    return path


# ---- the inner payload ------------------------------------------------------------------------


# ---- reading ----------------------------------------------------------------------------------


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest of any sync file, NOT verified: only for showing the file before import."""
    kind = kind_of_file(path)
    with _outer(path, kind or "", MAX_PAYLOAD_BYTES) as outer:
        return outer.manifest


def open_batch(path: Path, *, town: DeviceKeys, max_payload: int = MAX_PAYLOAD_BYTES) -> Opened:
    """Check and decrypt a small batch into memory (decrypt_batch streams a large one)."""
    sink = io.BytesIO()
    manifest = decrypt_batch(path, town=town, sink=sink, max_payload=max_payload)
    return Opened(manifest, sink.getvalue())


def decrypt_batch(path: Path, *, town: DeviceKeys, sink: IO[bytes],
                  max_payload: int = MAX_PAYLOAD_BYTES) -> dict[str, Any]:
    """Check a batch and decrypt its payload into ``sink`` a chunk at a time (a 1 GB batch
    needs no 1 GB of memory); its manifest. ``sink`` holds the payload only when this returns."""
    with _outer(path, "batch", max_payload) as outer:
        manifest, where = outer.manifest, outer.where
        sender, batch_id, header = _BATCH_CHECKERS[outer.format](outer, town)
        size = _size(manifest, "payload_size", where)
        info = outer.members[PAYLOAD]
        if info.file_size != size:
            raise _tampered(where)
        if size > max_payload:
            raise refusal("too_large", where, PAYLOAD)
        digest = hashlib.sha256()

        def chunks() -> Iterator[bytes]:
            with refusing_damage(where), outer.archive.open(info) as stream:
                while chunk := stream.read(1024 * 1024):
                    digest.update(chunk)
                    yield chunk

        with _naming(where):
            unseal_stream(header, chunks(), size, town.encryption,
                          _batch_aad(batch_id, sender), sink)
        if digest.hexdigest() != _text(manifest, "payload_sha256", where):
            raise _tampered(where)
        return manifest


def check_batch(path: Path, *, town: DeviceKeys, max_payload: int = MAX_PAYLOAD_BYTES
                ) -> dict[str, Any]:
    """The manifest of a batch, its signature and recipient checked, its payload NOT read:
    what the town learns of a file from a device it has not approved (nothing costly)."""
    with _outer(path, "batch", max_payload) as outer:
        _BATCH_CHECKERS[outer.format](outer, town)
        return outer.manifest


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
            raise refusal("missing_member", self.where, name)
        for name in sorted(set(self.members) - names):
            raise refusal("extra_member", self.where, name)

    def read(self, name: str, limit: int) -> bytes:
        return read_member(self.archive, self.members[name], limit, self.where)


@contextmanager
def _outer(path: Path, kind: str, max_member: int) -> Iterator[_Outer]:
    where = f"文件“{path.name}”"
    _check_suffix(path, kind, where)
    with refusing_damage(where), open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size == 0:
            raise refusal("empty", where)
        if size > MAX_MANIFEST_BYTES + SIGNATURE_BYTES + max_member + ZIP_OVERHEAD:
            raise SyncFileError(
                "too_large",
                f"{where}有 {megabytes(size)}，比任何同步文件都大得多，不是梅仙网格通写的。"
                "程序没有打开它。",
            )
        try:
            archive = zipfile.ZipFile(handle)
        except zipfile.BadZipFile as exc:
            raise not_a_zip(handle, size, where) from exc
        with archive:
            members = checked_members(
                archive, where, allowed=None, max_members=MAX_OUTER_MEMBERS,
                total_limit=MAX_MANIFEST_BYTES + SIGNATURE_BYTES + max_member,
            )
            if MANIFEST not in members:
                raise refusal("missing_member", where, MANIFEST)
            manifest_bytes = read_member(archive, members[MANIFEST], MAX_MANIFEST_BYTES, where)
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
            data.decode("utf-8"), object_pairs_hook=_unique_keys, parse_constant=no_constant
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


@contextmanager
def _naming(where: str) -> Iterator[None]:
    """Put the file's name in front of a refusal from the crypto layer."""
    try:
        yield
    except SyncFileError as exc:
        raise SyncFileError(exc.reason, f"{where}：{exc.message}") from exc


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


def _check_batch_v1(outer: _Outer, town: DeviceKeys) -> tuple[bytes, str, dict[str, Any]]:
    """The sender's key, batch id and sealing header of a batch whose manifest is signed by
    that key and sealed to this town; the payload is not read."""
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
    return sender, batch_id, header


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


_BATCH_CHECKERS: dict[int, Callable[[_Outer, DeviceKeys], tuple[bytes, str, dict[str, Any]]]] = {
    1: _check_batch_v1}
_SIGNED_READERS: dict[int, Callable[[_Outer, bytes | None, int], Opened]] = {1: _open_signed_v1}
