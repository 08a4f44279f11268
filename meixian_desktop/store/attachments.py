"""Photos and scans kept as files named by their SHA-256 in the data folder, listed in a table."""

from __future__ import annotations

import hashlib
from pathlib import Path

from meixian_desktop.core.errors import ValidationError
from meixian_desktop.store import records, vault
from meixian_desktop.store.database import Store, Transaction
from meixian_desktop.store.errors import storage_problem
from meixian_desktop.store.files import write_atomic

MAX_PHOTO_BYTES = 15 * 1024 * 1024

_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"GIF87a", "image/gif", ".gif"),
    (b"GIF89a", "image/gif", ".gif"),
)


EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif",
              "image/bmp": ".bmp", "image/webp": ".webp"}


def image_type(head: bytes) -> tuple[str, str] | None:
    """(mime, extension) of an image by its first bytes, or None when it is not one we show."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", ".webp"
    if head.startswith(b"BM"):  # only two letters: also check the DIB header size
        if len(head) >= 16 and int.from_bytes(head[14:16], "little") in (12, 40, 52, 56, 108, 124):
            return "image/bmp", ".bmp"
        return None
    for magic, mime, extension in _SIGNATURES:
        if head.startswith(magic):
            return mime, extension
    return None


def stored_path(attachments_dir: Path, sha256: str, mime: str = "") -> Path:
    """Where a file with this hash lives: attachments/ab/abcdef….jpg."""
    folder = attachments_dir / sha256[:2]
    if mime:
        return folder / f"{sha256}{EXTENSIONS.get(mime, '')}"
    matches = sorted(folder.glob(f"{sha256}.*")) if folder.is_dir() else []
    return matches[0] if matches else folder / sha256


def read_photo(source: Path) -> tuple[bytes, str, str]:
    """Read and check a photo the user picked: (data, mime, extension) or a ValidationError."""
    try:
        size = source.stat().st_size
    except OSError:
        raise ValidationError(f"找不到文件“{source}”，请重新选择。", "photos") from None
    if size > MAX_PHOTO_BYTES:
        raise ValidationError(
            f"照片“{source.name}”有 {size / 1024 / 1024:.1f} MB，超过了 15 MB 的上限。"
            "请用手机重新拍一张较小的，或压缩后再添加。",
            "photos",
        )
    data = source.read_bytes()
    kind = image_type(data[:32])
    if kind is None:
        raise ValidationError(
            f"“{source.name}”不是照片（支持 JPG、PNG、GIF、BMP、WebP），请选择照片文件。", "photos"
        )
    return data, kind[0], kind[1]


PURPOSE = vault.ATTACHMENTS


def read_stored(path: Path, key: bytes) -> bytes:
    """A kept file's content, opened with the data ``key`` (``Store.key``); one kept in clear
    before encryption is read as it is."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise storage_problem(exc, path) from exc
    if not vault.is_sealed(data):
        return data
    return vault.unseal(key, PURPOSE, data, path)


def save_file(attachments_dir: Path, sha256: str, data: bytes, mime: str = "", *,
              key: bytes) -> Path:
    """Keep a file under its hash (once per content), sealed with the data key, written in full
    before it appears."""
    if not mime:
        kind = image_type(data[:32])
        mime = kind[0] if kind else ""
    target = stored_path(attachments_dir, sha256, mime)
    if target.exists():
        return target
    sealed = vault.seal(key, PURPOSE, data)
    try:
        write_atomic(target, sealed)
    except OSError as exc:
        raise storage_problem(exc, attachments_dir) from exc
    return target


def add_photo(tx: Transaction, attachments_dir: Path, source: Path) -> str:
    """Copy a checked photo into the data folder (once per content) and list it; returns its hash."""
    data, mime, _extension = read_photo(source)
    sha256 = hashlib.sha256(data).hexdigest()
    save_file(attachments_dir, sha256, data, mime, key=tx.store.key)
    exists = tx.conn.execute("SELECT 1 FROM attachments WHERE id = ?", (sha256,)).fetchone()
    if not exists:
        records.insert(
            tx, "attachments",
            {"sha256": sha256, "file_name": source.name[:120], "mime": mime,
             "size_bytes": len(data)},
            record_id=sha256,
        )
    return sha256


def known(store: Store, hashes: list[str]) -> set[str]:
    """Which of these hashes are listed attachments."""
    if not hashes:
        return set()
    marks = ",".join("?" for _ in hashes)
    rows = store.conn.execute(f"SELECT id FROM attachments WHERE id IN ({marks})", hashes)
    return {row[0] for row in rows}
