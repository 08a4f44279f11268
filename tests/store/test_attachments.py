"""Photos: checked by their bytes, stored once per content under attachments/ab/<sha>.ext."""

from __future__ import annotations

import hashlib
import struct
import zlib
from pathlib import Path

import pytest

from meixian_desktop.core.errors import ValidationError
from meixian_desktop.store import attachments, records
from meixian_desktop.store.attachments import (
    MAX_PHOTO_BYTES,
    add_photo,
    image_type,
    known,
    read_photo,
    read_stored,
    stored_path,
)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def png_bytes(rgb: tuple[int, int, int] = (200, 30, 30), size: int = 2) -> bytes:
    """A real, valid PNG of ``size`` × ``size`` pixels of one colour."""
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)  # 8-bit RGB
    rows = b"".join(b"\x00" + bytes(rgb) * size for _ in range(size))
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(rows)) + _chunk(b"IEND", b""))


def jpeg_bytes(extra: bytes = b"") -> bytes:
    """A JPEG's real start (SOI + JFIF APP0) and end (EOI) around some bytes."""
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return (b"\xff\xd8\xff\xe0" + struct.pack(">H", len(app0) + 2) + app0 + extra
            + b"\xff\xd9")


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def test_png_maker_makes_a_valid_png() -> None:
    data = png_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    # the IHDR and IDAT checksums and the pixel data are right
    length = struct.unpack(">I", data[8:12])[0]
    ihdr = data[12:16 + length]
    assert struct.unpack(">I", data[16 + length:20 + length])[0] == zlib.crc32(ihdr)
    assert struct.unpack(">II", data[16:24]) == (2, 2)
    idat_at = data.index(b"IDAT")
    idat_len = struct.unpack(">I", data[idat_at - 4:idat_at])[0]
    assert zlib.decompress(data[idat_at + 4:idat_at + 4 + idat_len]) == (
        b"\x00" + bytes((200, 30, 30)) * 2) * 2


@pytest.mark.parametrize(("data", "kind"), [
    (png_bytes(), ("image/png", ".png")),
    (jpeg_bytes(), ("image/jpeg", ".jpg")),
    (b"GIF89a\x01\x00\x01\x00", ("image/gif", ".gif")),
    (b"GIF87a\x01\x00\x01\x00", ("image/gif", ".gif")),
    (b"BM\x3a\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00\x28\x00\x00\x00",
     ("image/bmp", ".bmp")),
    (b"BMW to be serviced on Monday", None),
    (b"RIFF\x24\x00\x00\x00WEBPVP8 ", ("image/webp", ".webp")),
    (b"%PDF-1.7", None),
    (b"PK\x03\x04", None),
    (b"", None),
    (b"RIFF\x24\x00\x00\x00WAVEfmt ", None),
])
def test_image_type(data: bytes, kind) -> None:
    assert image_type(data[:32]) == kind


def test_add_a_png(store, paths, tmp_path) -> None:
    data = png_bytes()
    source = write(tmp_path, "火情照片.png", data)
    with store.transaction() as tx:
        sha = add_photo(tx, paths.attachments_dir, source)
    assert sha == hashlib.sha256(data).hexdigest()
    target = paths.attachments_dir / sha[:2] / f"{sha}.png"
    assert data not in target.read_bytes()  # sealed with the data key
    assert read_stored(target, store.key) == data
    assert stored_path(paths.attachments_dir, sha, "image/png") == target
    assert stored_path(paths.attachments_dir, sha) == target  # found without knowing the type
    assert list(paths.attachments_dir.rglob("*.part")) == []
    assert [p.name for p in paths.attachments_dir.rglob("*") if p.is_file()] == [target.name]
    row = records.get(store, "attachments", sha)
    assert row is not None
    assert (row["sha256"], row["file_name"], row["mime"], row["size_bytes"]) == (
        sha, "火情照片.png", "image/png", len(data))
    assert row["deleted"] == 0 and row["origin"] == store.device_id()
    assert known(store, [sha, "0" * 64]) == {sha}


def test_add_a_jpeg(store, paths, tmp_path) -> None:
    data = jpeg_bytes(b"\x00" * 100)
    with store.transaction() as tx:
        sha = add_photo(tx, paths.attachments_dir, write(tmp_path, "IMG_0001.JPG", data))
    assert read_stored(paths.attachments_dir / sha[:2] / f"{sha}.jpg", store.key) == data
    assert records.get(store, "attachments", sha)["mime"] == "image/jpeg"


def test_the_same_photo_twice_is_stored_once(store, paths, tmp_path) -> None:
    data = png_bytes((1, 2, 3))
    first = write(tmp_path, "a.png", data)
    second = write(tmp_path, "副本.png", data)
    with store.transaction() as tx:
        sha1 = add_photo(tx, paths.attachments_dir, first)
    with store.transaction() as tx:
        sha2 = add_photo(tx, paths.attachments_dir, second)
        sha3 = add_photo(tx, paths.attachments_dir, first)
    assert sha1 == sha2 == sha3
    assert store.conn.execute("SELECT count(*) FROM attachments").fetchone()[0] == 1
    assert records.get(store, "attachments", sha1)["file_name"] == "a.png"
    assert records.get(store, "attachments", sha1)["rev"] == 1
    assert len([p for p in paths.attachments_dir.rglob("*") if p.is_file()]) == 1


def test_different_photos_are_different_files(store, paths, tmp_path) -> None:
    with store.transaction() as tx:
        shas = {add_photo(tx, paths.attachments_dir, write(tmp_path, f"{n}.png", png_bytes((n, 0, 0))))
                for n in range(5)}
    assert len(shas) == 5
    assert store.conn.execute("SELECT count(*) FROM attachments").fetchone()[0] == 5
    assert known(store, sorted(shas)) == shas
    assert known(store, []) == set()


@pytest.mark.parametrize(("name", "data"), [
    ("巡查记录.docx", b"PK\x03\x04" + b"\x00" * 100),
    ("说明.txt", "这不是照片".encode()),
    ("空文件.jpg", b""),
])
def test_not_an_image_is_refused_by_name(store, paths, tmp_path, name: str, data: bytes) -> None:
    source = write(tmp_path, name, data)
    with pytest.raises(ValidationError) as caught, store.transaction() as tx:
        add_photo(tx, paths.attachments_dir, source)
    assert caught.value.field == "photos"
    assert f"“{name}”不是照片" in caught.value.message
    assert store.conn.execute("SELECT count(*) FROM attachments").fetchone()[0] == 0
    assert not paths.attachments_dir.exists() or not any(paths.attachments_dir.rglob("*.*"))


def test_over_15_mb_is_refused(store, paths, tmp_path) -> None:
    source = tmp_path / "大照片.jpg"
    with source.open("wb") as handle:
        handle.write(jpeg_bytes())
        handle.truncate(16 * 1024 * 1024)
    assert source.stat().st_size > MAX_PHOTO_BYTES
    with pytest.raises(ValidationError) as caught, store.transaction() as tx:
        add_photo(tx, paths.attachments_dir, source)
    assert "大照片.jpg" in caught.value.message
    assert "16.0 MB" in caught.value.message and "15 MB" in caught.value.message
    assert store.conn.execute("SELECT count(*) FROM attachments").fetchone()[0] == 0


def test_exactly_15_mb_is_accepted(tmp_path) -> None:
    source = tmp_path / "刚好.jpg"
    with source.open("wb") as handle:
        handle.write(jpeg_bytes())
        handle.truncate(MAX_PHOTO_BYTES)
    data, mime, extension = read_photo(source)
    assert len(data) == MAX_PHOTO_BYTES and mime == "image/jpeg" and extension == ".jpg"


def test_a_missing_file(tmp_path) -> None:
    with pytest.raises(ValidationError) as caught:
        read_photo(tmp_path / "不见了.png")
    assert "找不到文件" in caught.value.message and "不见了.png" in caught.value.message


def test_a_rolled_back_transaction_leaves_no_row(store, paths, tmp_path) -> None:
    source = write(tmp_path, "a.png", png_bytes())
    with pytest.raises(RuntimeError), store.transaction() as tx:
        sha = add_photo(tx, paths.attachments_dir, source)
        raise RuntimeError("取消")
    assert known(store, [sha]) == set()
    # the file may stay (it is named by its content); adding again lists it
    with store.transaction() as tx:
        assert add_photo(tx, paths.attachments_dir, source) == sha
    assert known(store, [sha]) == {sha}


def test_a_long_file_name_is_cut(store, paths, tmp_path) -> None:
    name = "𠮷" + "a" * 150 + ".png"
    source = write(tmp_path, name, png_bytes())
    with store.transaction() as tx:
        sha = add_photo(tx, paths.attachments_dir, source)
    assert records.get(store, "attachments", sha)["file_name"] == name[:120]


def test_stored_path_for_an_unknown_hash(paths) -> None:
    sha = "ab" + "0" * 62
    assert stored_path(paths.attachments_dir, sha) == paths.attachments_dir / "ab" / sha
    assert stored_path(paths.attachments_dir, sha, "image/webp").name == f"{sha}.webp"
    assert attachments.stored_path(paths.attachments_dir, sha, "image/jpeg").suffix == ".jpg"
