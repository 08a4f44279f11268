"""Batch, receipt and town-package files: layout, round trips, and every bad file refused."""

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
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from meixian_desktop.sync import container, safezip, stick
from meixian_desktop.sync.container import (
    BATCH_SUFFIX,
    PACKAGE_SUFFIX,
    RECEIPT_SUFFIX,
    atomic_write,
    check_file_name,
    clean_name_part,
    kind_of_file,
    open_batch,
    open_signed,
    pack_payload,
    read_manifest,
    unpack_payload,
    write_batch,
    write_signed,
)
from meixian_desktop.sync.keys import DeviceKeys, fingerprint
from meixian_desktop.sync.sealing import SyncFileError, b64, sign

CHINESE = re.compile(r"[\u4e00-\u9fff]{4}")
NAME = "李梅-20250305-1432-0001.mxsync"
RECORDS = [
    {"table": "patrols", "id": "0195f2c4-0000-7000-8000-000000000001", "village": "张韩村",
     "notes": "巡查𠮷村后山，发现野外用火\u2028已劝离", "rev": 3, "deleted": False},
    {"table": "findings", "id": "0195f2c4-0000-7000-8000-000000000002", "photos": [],
     "place": {"lat": 27.1, "lon": 111.2}, "action": None},
]
CALLER_MANIFEST = {"batch_id": "0195f2c4-b000-7000-8000-00000000000b", "device_id": "dev-1",
                   "worker": "李梅", "seq": [1, 2], "counts": {"patrols": 1, "findings": 1}}


def new_keys() -> DeviceKeys:
    return DeviceKeys(X25519PrivateKey.generate(), Ed25519PrivateKey.generate())


@pytest.fixture
def worker() -> DeviceKeys:
    return new_keys()


@pytest.fixture
def town() -> DeviceKeys:
    return new_keys()


def refused(excinfo: pytest.ExceptionInfo[SyncFileError], reason: str) -> None:
    assert excinfo.value.reason == reason, excinfo.value.message
    assert CHINESE.search(excinfo.value.message), excinfo.value.message


def attachments(folder: Path) -> dict[str, Path]:
    folder.mkdir(exist_ok=True)
    found = {}
    for content in (b"\x89PNG\r\n\x1a\n" + os.urandom(3000), b"\xff\xd8\xff" + os.urandom(500)):
        digest = hashlib.sha256(content).hexdigest()
        (folder / digest).write_bytes(content)
        found[digest] = folder / digest
    return found


def batch(folder: Path, worker: DeviceKeys, town: DeviceKeys, payload: bytes | None = None,
          name: str = NAME) -> Path:
    data = pack_payload(RECORDS, {}) if payload is None else payload
    return write_batch(folder, dict(CALLER_MANIFEST), data, sender=worker,
                       town_encryption_public=town.encryption_public, name=name)


def members(path: Path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(path) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


def rezip(path: Path, entries: list[tuple[str | zipfile.ZipInfo, bytes]],
          packing: int = zipfile.ZIP_STORED) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", packing) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    path.write_bytes(buffer.getvalue())
    return path


def replace(path: Path, name: str, data: bytes) -> Path:
    return rezip(path, [(n, data if n == name else d) for n, d in members(path)])


def resign(path: Path, signer: DeviceKeys, change: Callable[[dict[str, Any]], object]) -> Path:
    """Change the manifest and sign it again, as a sender's buggy or hostile program would."""
    found = dict(members(path))
    manifest = json.loads(found["manifest.json"])
    change(manifest)
    raw = json.dumps(manifest, ensure_ascii=False).encode()
    found["manifest.json"], found["signature"] = raw, sign(raw, signer.signing)
    return rezip(path, list(found.items()))


def open_refused(path: Path, town: DeviceKeys, reason: str, **kwargs: Any) -> None:
    with pytest.raises(SyncFileError) as excinfo:
        open_batch(path, town=town, **kwargs)
    refused(excinfo, reason)


# ---- round trips ------------------------------------------------------------------------------


def test_batch_round_trip_with_attachments(tmp_path: Path, worker: DeviceKeys,
                                           town: DeviceKeys) -> None:
    files = attachments(tmp_path / "attachments")
    payload = pack_payload(RECORDS, files)
    path = batch(tmp_path, worker, town, payload)
    assert path == tmp_path / NAME
    assert [p.name for p in tmp_path.iterdir() if p.is_file()] == [NAME]
    opened = open_batch(path, town=town)
    assert opened.body == payload
    records, found = unpack_payload(opened.body)
    assert records == RECORDS
    assert found == {digest: p.read_bytes() for digest, p in files.items()}
    manifest = opened.manifest
    assert {k: manifest[k] for k in CALLER_MANIFEST} == CALLER_MANIFEST
    assert manifest["format"] == 1 and manifest["kind"] == "batch"
    assert manifest["sender_signing_public"] == b64(worker.signing_public)
    assert manifest["sender_encryption_public"] == b64(worker.encryption_public)
    assert manifest["recipient_fingerprint"] == fingerprint(town.encryption_public)
    assert set(manifest["sealing"]) == {"ephemeral", "salt", "nonce", "recipient"}
    assert read_manifest(path) == manifest


def test_batch_layout_keeps_the_payload_secret(tmp_path: Path, worker: DeviceKeys,
                                               town: DeviceKeys) -> None:
    path = batch(tmp_path, worker, town)
    found = dict(members(path))
    assert list(found) == ["manifest.json", "payload.bin", "signature"]
    manifest = json.loads(found["manifest.json"])
    assert manifest["payload_size"] == len(found["payload.bin"])
    assert manifest["payload_sha256"] == hashlib.sha256(found["payload.bin"]).hexdigest()
    assert len(found["signature"]) == 64
    raw = path.read_bytes()
    assert "李梅".encode() in raw  # the manifest is in clear
    assert "张韩村".encode() not in raw and "野外用火".encode() not in raw


def test_empty_batch_round_trips(tmp_path: Path, worker: DeviceKeys, town: DeviceKeys) -> None:
    path = batch(tmp_path, worker, town, pack_payload([], {}))
    assert unpack_payload(open_batch(path, town=town).body) == ([], {})


def test_batch_name_gets_its_suffix_and_is_checked(tmp_path: Path, worker: DeviceKeys,
                                                   town: DeviceKeys) -> None:
    assert batch(tmp_path, worker, town, name="李梅-0002").name == "李梅-0002.mxsync"
    with pytest.raises(SyncFileError) as excinfo:
        batch(tmp_path, worker, town, name="李梅 2025-03-05 14:32.mxsync")
    refused(excinfo, "bad_name")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["李梅-0002.mxsync"]


def test_batch_needs_a_batch_id_and_leaves_our_fields_alone(tmp_path: Path, worker: DeviceKeys,
                                                            town: DeviceKeys) -> None:
    payload = pack_payload([], {})
    for manifest in ({"worker": "李梅"}, {**CALLER_MANIFEST, "format": 9}):
        with pytest.raises(ValueError):
            write_batch(tmp_path, manifest, payload, sender=worker,
                        town_encryption_public=town.encryption_public, name=NAME)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("kind", "suffix"), [("receipt", RECEIPT_SUFFIX),
                                              ("package", PACKAGE_SUFFIX)])
def test_signed_round_trip(tmp_path: Path, town: DeviceKeys, kind: str, suffix: str) -> None:
    body = json.dumps({"villages": ["张韩村", "三里村"], "note": "𠮷"}, ensure_ascii=False).encode()
    path = write_signed(tmp_path, kind, {"for_device": "dev-1"}, body, signer=town,
                        name=f"梅仙镇-20250305{suffix}", suffix=suffix)
    assert [n for n, _ in members(path)] == ["manifest.json", "body.bin", "signature"]
    for trusted in (town.signing_public, None):
        opened = open_signed(path, kind, signer_public=trusted)
        assert opened.body == body
        assert opened.manifest["for_device"] == "dev-1"
        assert opened.manifest["kind"] == kind and opened.manifest["format"] == 1
        assert opened.manifest["signer_signing_public"] == b64(town.signing_public)
        assert opened.manifest["body_sha256"] == hashlib.sha256(body).hexdigest()
    assert read_manifest(path) == opened.manifest


def test_write_signed_refuses_unknown_kinds(tmp_path: Path, town: DeviceKeys) -> None:
    for kind, suffix in (("batch", BATCH_SUFFIX), ("receipt", PACKAGE_SUFFIX)):
        with pytest.raises(ValueError):
            write_signed(tmp_path, kind, {}, b"", signer=town, name="x", suffix=suffix)
    with pytest.raises(ValueError):
        open_signed(tmp_path / "x.mxsync", "batch", signer_public=None)


# ---- signatures, keys and tampering -------------------------------------------------------------


def data_ranges(path: Path) -> dict[str, tuple[int, int]]:
    """Where each member's bytes, and the central directory, sit in the file."""
    raw = path.read_bytes()
    ranges = {}
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            at = info.header_offset
            name_len, extra_len = struct.unpack("<HH", raw[at + 26:at + 30])
            start = at + 30 + name_len + extra_len
            ranges[info.filename] = (start, start + info.compress_size)
    end = raw.rfind(b"PK\x05\x06")
    ranges["directory"] = (struct.unpack("<I", raw[end + 16:end + 20])[0], end)
    return ranges


def flipped(path: Path, at: int) -> Path:
    raw = bytearray(path.read_bytes())
    raw[at] ^= 0x01
    target = path.with_name("flipped.mxsync")
    target.write_bytes(bytes(raw))
    return target


@pytest.mark.parametrize("member", ["manifest.json", "payload.bin", "signature"])
@pytest.mark.parametrize("where", [0, 0.5, -1])
def test_flipped_byte_in_a_member_is_refused(tmp_path: Path, worker: DeviceKeys,
                                             town: DeviceKeys, member: str, where: float) -> None:
    path = batch(tmp_path, worker, town)
    start, end = data_ranges(path)[member]
    at = end - 1 if where == -1 else start + int((end - start) * where)
    open_refused(flipped(path, at), town, "damaged")  # the ZIP's CRC catches it first


def directory_entry(raw: bytes, member: str) -> int:
    """Where ``member``'s entry in the central directory starts."""
    entry = raw.index(b"PK\x01\x02")
    while raw[entry + 46:entry + 46 + len(member)] != member.encode():
        entry = raw.index(b"PK\x01\x02", entry + 4)
    return entry


# crc, packed size, size, name length, local header offset, name
@pytest.mark.parametrize("field", [16, 20, 24, 28, 42, 46, 47])
def test_flipped_byte_in_the_directory_is_refused(tmp_path: Path, worker: DeviceKeys,
                                                  town: DeviceKeys, field: int) -> None:
    path = batch(tmp_path, worker, town)
    with pytest.raises(SyncFileError) as excinfo:
        open_batch(flipped(path, directory_entry(path.read_bytes(), "payload.bin") + field),
                   town=town)
    assert excinfo.value.reason in {"damaged", "missing_member", "extra_member", "tampered"}
    assert CHINESE.search(excinfo.value.message)


def test_every_single_flipped_byte_is_refused_or_harmless(tmp_path: Path, worker: DeviceKeys,
                                                          town: DeviceKeys) -> None:
    path = batch(tmp_path, worker, town)
    original = open_batch(path, town=town)
    contents = [r for n, r in data_ranges(path).items() if n != "directory"]
    size = path.stat().st_size
    refusals = 0
    for at in range(size):
        try:
            opened = open_batch(flipped(path, at), town=town)
        except SyncFileError as exc:
            assert CHINESE.search(exc.message)
            refusals += 1
            continue
        assert opened == original
        # only header fields nothing reads (dates, "made by", attributes) may change unnoticed
        assert not any(start <= at < end for start, end in contents)
    assert refusals > 0.85 * size


def test_payload_changed_with_a_good_crc_is_tampered(tmp_path: Path, worker: DeviceKeys,
                                                     town: DeviceKeys) -> None:
    path = batch(tmp_path, worker, town)
    payload = dict(members(path))["payload.bin"]
    open_refused(replace(path, "payload.bin", payload[:-1] + bytes([payload[-1] ^ 1])), town,
                 "tampered")
    open_refused(replace(path, "payload.bin", payload + b"\x00"), town, "tampered")


def test_manifest_changed_with_a_good_crc_is_bad_signature(tmp_path: Path, worker: DeviceKeys,
                                                           town: DeviceKeys) -> None:
    path = batch(tmp_path, worker, town)
    raw = dict(members(path))["manifest.json"]
    open_refused(replace(path, "manifest.json", raw.replace(b'"patrols": 1', b'"patrols": 9')),
                 town, "bad_signature")


@pytest.mark.parametrize("signature", [b"", bytes(63), bytes(65), bytes(64)])
def test_signature_of_wrong_size_or_content_is_refused(tmp_path: Path, worker: DeviceKeys,
                                                       town: DeviceKeys, signature: bytes) -> None:
    open_refused(replace(batch(tmp_path, worker, town), "signature", signature), town,
                 "bad_signature")


def test_manifest_replaced_and_signed_by_another_key(tmp_path: Path, worker: DeviceKeys,
                                                     town: DeviceKeys) -> None:
    other = new_keys()
    path = batch(tmp_path, worker, town)
    # signed by another key but still naming the worker's key: the signature fails
    open_refused(resign(path, other, lambda m: m.update(worker="王强")), town, "bad_signature")
    # naming the other key too: the signature holds, but the payload is bound to its sender
    path = batch(tmp_path, worker, town)
    open_refused(resign(path, other, lambda m: m.update(
        sender_signing_public=b64(other.signing_public))), town, "tampered")


def test_a_whole_batch_from_another_device_shows_that_device(tmp_path: Path, worker: DeviceKeys,
                                                             town: DeviceKeys) -> None:
    other = new_keys()
    opened = open_batch(batch(tmp_path, other, town), town=town)
    # the caller compares this key with the approved devices and refuses or asks
    assert opened.manifest["sender_signing_public"] == b64(other.signing_public)
    assert opened.manifest["sender_signing_public"] != b64(worker.signing_public)


def test_payload_sealed_to_another_town(tmp_path: Path, worker: DeviceKeys,
                                        town: DeviceKeys) -> None:
    open_refused(batch(tmp_path, worker, new_keys()), town, "wrong_recipient")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda m: m.pop("batch_id"), "bad_manifest"),
        (lambda m: m.update(batch_id="0195f2c4-b000-7000-8000-00000000000c"), "tampered"),
        (lambda m: m.update(sender_encryption_public="xyz"), "bad_manifest"),
        (lambda m: m.update(sealing="none"), "bad_manifest"),
        (lambda m: m["sealing"].update(nonce=b64(bytes(12))), "tampered"),
        (lambda m: m["sealing"].pop("salt"), "bad_manifest"),
        (lambda m: m.update(payload_size=m["payload_size"] + 1), "tampered"),
        (lambda m: m.update(payload_size="170"), "bad_manifest"),
        (lambda m: m.update(payload_sha256="0" * 64), "tampered"),
        (lambda m: m.update(recipient_fingerprint="0000 0000 0000 0000 0000"), "wrong_recipient"),
        (lambda m: m.update(kind="receipt"), "wrong_kind"),
        (lambda m: m.update(format="1"), "bad_manifest"),
        (lambda m: m.update(format=True), "bad_manifest"),
        (lambda m: m.update(format=0), "bad_manifest"),
        (lambda m: m.pop("format"), "bad_manifest"),
    ],
)
def test_every_manifest_field_is_checked_even_when_signed(
    tmp_path: Path, worker: DeviceKeys, town: DeviceKeys, change: Callable[[dict[str, Any]], object],
    reason: str,
) -> None:
    open_refused(resign(batch(tmp_path, worker, town), worker, change), town, reason)


def test_newer_format_asks_for_an_update(tmp_path: Path, worker: DeviceKeys,
                                         town: DeviceKeys) -> None:
    path = resign(batch(tmp_path, worker, town), worker, lambda m: m.update(format=2))
    with pytest.raises(SyncFileError) as excinfo:
        open_batch(path, town=town)
    refused(excinfo, "newer_format")
    assert "更新" in excinfo.value.message
    with pytest.raises(SyncFileError) as excinfo:
        read_manifest(path)
    refused(excinfo, "newer_format")


@pytest.mark.parametrize("manifest", [b"not json", b"[1, 2]", b'{"format": 1, "format": 1}',
                                      b'{"format": NaN}', b"\xff\xfe{}", b"[" * 100_000])
def test_manifest_that_is_not_a_json_object(tmp_path: Path, worker: DeviceKeys,
                                            town: DeviceKeys, manifest: bytes) -> None:
    path = replace(batch(tmp_path, worker, town), "manifest.json", manifest)
    open_refused(path, town, "bad_manifest")
    with pytest.raises(SyncFileError) as excinfo:
        read_manifest(path)
    refused(excinfo, "bad_manifest")


def test_signed_files_forged_or_from_another_signer(tmp_path: Path, town: DeviceKeys) -> None:
    other = new_keys()
    body = b'{"receipt": "ok"}'
    path = write_signed(tmp_path, "receipt", {}, body, signer=other, name="回执", suffix=".mxack")
    with pytest.raises(SyncFileError) as excinfo:
        open_signed(path, "receipt", signer_public=town.signing_public)
    refused(excinfo, "wrong_signer")
    # trusting the key inside (first town package) opens it and shows whose key it is
    opened = open_signed(path, "receipt", signer_public=None)
    assert opened.manifest["signer_signing_public"] == b64(other.signing_public)
    path = write_signed(tmp_path, "receipt", {}, body, signer=town, name="回执", suffix=".mxack")
    changed = replace(path, "body.bin", body.replace(b"ok", b"no"))
    with pytest.raises(SyncFileError) as excinfo:
        open_signed(changed, "receipt", signer_public=town.signing_public)
    refused(excinfo, "tampered")
    path = write_signed(tmp_path, "receipt", {}, body, signer=town, name="回执", suffix=".mxack")
    forged = resign(path, other, lambda m: m.update(for_device="dev-2"))
    with pytest.raises(SyncFileError) as excinfo:
        open_signed(forged, "receipt", signer_public=None)
    refused(excinfo, "bad_signature")


# ---- files that are not what they claim ---------------------------------------------------------


@pytest.mark.parametrize("cut", [1, 3, 10, 40, "manifest", "payload", "directory", -22, -1])
def test_truncated_file(tmp_path: Path, worker: DeviceKeys, town: DeviceKeys,
                        cut: int | str) -> None:
    path = batch(tmp_path, worker, town)
    raw = path.read_bytes()
    if isinstance(cut, str):
        start, end = data_ranges(path)["payload.bin" if cut == "payload" else
                                       "manifest.json" if cut == "manifest" else cut]
        cut = (start + end) // 2
    path.write_bytes(raw[:cut])
    open_refused(path, town, "truncated")


def test_empty_file(tmp_path: Path, town: DeviceKeys) -> None:
    path = tmp_path / NAME
    path.write_bytes(b"")
    open_refused(path, town, "empty")


@pytest.mark.parametrize("content", [b"hello", "李梅的同步文件".encode(), b"%PDF-1.7\n" + bytes(2000),
                                     b"\x89PNG\r\n\x1a\n" + bytes(100), os.urandom(5000)])
def test_not_a_zip(tmp_path: Path, town: DeviceKeys, content: bytes) -> None:
    path = tmp_path / NAME
    path.write_bytes(content)
    open_refused(path, town, "not_zip")


def test_missing_file_or_a_folder_is_unreadable(tmp_path: Path, town: DeviceKeys) -> None:
    open_refused(tmp_path / NAME, town, "unreadable")
    (tmp_path / "folder.mxsync").mkdir()
    open_refused(tmp_path / "folder.mxsync", town, "unreadable")


def test_wrong_suffix_or_kind(tmp_path: Path, worker: DeviceKeys, town: DeviceKeys) -> None:
    path = batch(tmp_path, worker, town)
    for name, reason, says in (("x.mxsync.part", "wrong_suffix", "没有写完"),
                               ("x.zip", "wrong_suffix", ".mxsync"),
                               ("x.mxack", "wrong_kind", "同步文件")):
        copy = tmp_path / name
        shutil.copyfile(path, copy)
        with pytest.raises(SyncFileError) as excinfo:
            open_signed(copy, "receipt", signer_public=None) if name.endswith(
                ".mxack") else open_batch(copy, town=town)
        refused(excinfo, reason)
        assert says in excinfo.value.message
    with pytest.raises(SyncFileError) as excinfo:
        open_signed(path, "package", signer_public=None)
    refused(excinfo, "wrong_kind")
    receipt = write_signed(tmp_path, "receipt", {}, b"", signer=town, name="r", suffix=".mxack")
    disguised = tmp_path / "r.mxsync"
    receipt.rename(disguised)
    open_refused(disguised, town, "wrong_kind")
    assert kind_of_file(Path("a.MXREF")) == "package"
    assert kind_of_file(Path("a.mxsync.part")) is None


# ---- hostile archives ---------------------------------------------------------------------------


def test_outer_zip_bomb_in_the_manifest(tmp_path: Path, worker: DeviceKeys,
                                        town: DeviceKeys) -> None:
    path = batch(tmp_path, worker, town)
    entries = [(n, b" " * (5 * 1024 * 1024) if n == "manifest.json" else d)
               for n, d in members(path)]
    rezip(path, entries, zipfile.ZIP_DEFLATED)
    assert path.stat().st_size < 50_000
    open_refused(path, town, "too_large")
    with pytest.raises(SyncFileError) as excinfo:
        read_manifest(path)
    refused(excinfo, "too_large")


def test_outer_zip_bomb_in_the_payload(tmp_path: Path, worker: DeviceKeys,
                                       town: DeviceKeys) -> None:
    path = batch(tmp_path, worker, town)
    rezip(path, [(n, bytes(20 * 1024 * 1024) if n == "payload.bin" else d)
                 for n, d in members(path)], zipfile.ZIP_DEFLATED)
    open_refused(path, town, "too_large")


def test_payload_over_the_limit(tmp_path: Path, worker: DeviceKeys, town: DeviceKeys,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    path = batch(tmp_path, worker, town)
    monkeypatch.setattr(container, "ZIP_OVERHEAD", 0)
    monkeypatch.setattr(container, "MAX_MANIFEST_BYTES", 100)
    with pytest.raises(SyncFileError) as excinfo:  # the whole file, before it is opened
        open_batch(path, town=town, max_payload=100)
    refused(excinfo, "too_large")
    assert "比任何同步文件都大" in excinfo.value.message
    monkeypatch.undo()
    open_refused(path, town, "too_large", max_payload=100)
    honest = json.dumps({"format": 1, "pad": "梅" * 400_000}, ensure_ascii=False).encode()  # 1.2 MB, no bomb
    open_refused(replace(path, "manifest.json", honest), town, "too_large")


def patch_sizes(path: Path, member: str, declared: int) -> None:
    """Make both headers of ``member`` lie about its inflated size."""
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
    struct.pack_into("<I", raw, info.header_offset + 22, declared)
    struct.pack_into("<I", raw, directory_entry(bytes(raw), member) + 24, declared)
    path.write_bytes(bytes(raw))


def test_lying_header_cannot_blow_memory(tmp_path: Path, worker: DeviceKeys,
                                         town: DeviceKeys) -> None:
    path = batch(tmp_path, worker, town)
    rezip(path, [(n, b" " * (50 * 1024 * 1024) if n == "manifest.json" else d)
                 for n, d in members(path)], zipfile.ZIP_DEFLATED)
    patch_sizes(path, "manifest.json", 1000)  # says 1000 bytes, inflates to 50 MB
    tracemalloc.start()
    try:
        open_refused(path, town, "damaged")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5 * 1024 * 1024
    patch_sizes(path, "manifest.json", 3 * 1024**3)  # says 3 GB
    open_refused(path, town, "too_large")


class CountingStream(io.BytesIO):
    """A member stream that inflates to more than its header says, counting what was read."""

    taken = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        CountingStream.taken += len(chunk)
        return chunk


class LyingArchive:
    def open(self, info: zipfile.ZipInfo) -> CountingStream:
        return CountingStream(bytes(10 * safezip.CHUNK))


def test_reading_stops_one_byte_past_the_limit() -> None:
    # zipfile itself stops at the declared size; this holds even if it did not
    info = zipfile.ZipInfo("manifest.json")
    info.file_size = 100
    with pytest.raises(SyncFileError) as excinfo:
        safezip.read_member(LyingArchive(), info, 1000, "文件")  # type: ignore[arg-type]
    refused(excinfo, "too_large")
    assert CountingStream.taken == 1001


@pytest.mark.parametrize("name", ["../manifest.json", "/etc/passwd", "..\\..\\evil.exe",
                                  "C:/Windows/evil.dll", "a/../../b", "./signature",
                                  "sub/", "a\nb"])
def test_path_traversal_and_odd_names_in_the_outer_zip(tmp_path: Path, worker: DeviceKeys,
                                                       town: DeviceKeys, name: str) -> None:
    path = batch(tmp_path, worker, town)
    rezip(path, [*members(path), (name, b"x")])
    open_refused(path, town, "unsafe_name")


def test_symlink_member_is_refused(tmp_path: Path, worker: DeviceKeys, town: DeviceKeys) -> None:
    path = batch(tmp_path, worker, town)
    link = zipfile.ZipInfo("signature")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    rezip(path, [(n, d) for n, d in members(path) if n != "signature"] + [(link, b"/etc/passwd")])
    open_refused(path, town, "unsafe_name")


def test_extra_missing_and_duplicate_members(tmp_path: Path, worker: DeviceKeys,
                                             town: DeviceKeys) -> None:
    path = batch(tmp_path, worker, town)
    good = members(path)
    open_refused(rezip(path, [*good, ("readme.txt", b"hi")]), town, "extra_member")
    crowd = [(f"x{i}", b"") for i in range(6)]  # more members than any layout has
    open_refused(rezip(path, [*good, *crowd]), town, "extra_member")
    open_refused(rezip(path, good[:2]), town, "missing_member")
    open_refused(rezip(path, good[1:]), town, "missing_member")
    with pytest.warns(UserWarning, match="Duplicate name"):
        rezip(path, [*good, good[1]])
    open_refused(path, town, "duplicate_member")


def test_unsupported_compression_is_refused(tmp_path: Path, worker: DeviceKeys,
                                            town: DeviceKeys) -> None:
    path = batch(tmp_path, worker, town)
    open_refused(rezip(path, members(path), zipfile.ZIP_BZIP2), town, "damaged")


# ---- the inner payload --------------------------------------------------------------------------


def inner(entries: list[tuple[str, bytes]], packing: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", packing) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


def unpack_refused(data: bytes, reason: str, **limits: int) -> None:
    with pytest.raises(SyncFileError) as excinfo:
        unpack_payload(data, **limits)
    refused(excinfo, reason)


def test_payload_round_trip_keeps_odd_text(tmp_path: Path) -> None:
    files = attachments(tmp_path)
    data = pack_payload(RECORDS, files)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert archive.getinfo("records.jsonl").compress_type == zipfile.ZIP_DEFLATED
    assert names == ["records.jsonl", *(f"files/{d}" for d in sorted(files))]
    assert unpack_payload(data) == (RECORDS, {d: p.read_bytes() for d, p in files.items()})


def test_pack_refuses_a_damaged_or_missing_attachment(tmp_path: Path) -> None:
    files = attachments(tmp_path)
    digest = next(iter(files))
    files[digest].write_bytes(b"changed on disk")
    with pytest.raises(SyncFileError) as excinfo:
        pack_payload(RECORDS, files)
    refused(excinfo, "bad_attachment")
    files[digest].unlink()
    with pytest.raises(SyncFileError) as excinfo:
        pack_payload(RECORDS, files)
    refused(excinfo, "missing_attachment")
    with pytest.raises(ValueError):
        pack_payload(RECORDS, {"ABC": tmp_path})


def test_attachment_that_does_not_match_its_name() -> None:
    unpack_refused(inner([("records.jsonl", b""), ("files/" + "0" * 64, b"photo")]),
                   "bad_attachment")


@pytest.mark.parametrize("lines", [b"[1]\n", b"{\n", b'{"a": NaN}\n', b"\xff\n",
                                   b'{"a": 1}\n\n{"b": 2}\n', b"[" * 100_000 + b"\n"])
def test_records_that_are_not_json_objects(lines: bytes) -> None:
    unpack_refused(inner([("records.jsonl", lines)]), "bad_payload")


@pytest.mark.parametrize("name", ["../records.jsonl", "files/../../x", "/records.jsonl",
                                  "files\\" + "0" * 64, "files/"])
def test_inner_path_traversal(name: str) -> None:
    unpack_refused(inner([("records.jsonl", b""), (name, b"x")]), "unsafe_name")


@pytest.mark.parametrize("name", ["photo.jpg", "files/" + "A" * 64, "files/" + "0" * 63,
                                  "records.json", "files/" + "0" * 64 + "/x"])
def test_inner_extra_member(name: str) -> None:
    unpack_refused(inner([("records.jsonl", b""), (name, b"x")]), "extra_member")


def test_inner_missing_duplicate_and_not_a_zip() -> None:
    unpack_refused(inner([]), "missing_member")
    with pytest.warns(UserWarning, match="Duplicate name"):
        data = inner([("records.jsonl", b""), ("records.jsonl", b'{"a": 1}\n')])
    unpack_refused(data, "duplicate_member")
    unpack_refused(b"", "not_zip")
    unpack_refused(b"records", "not_zip")


def test_inner_zip_bomb() -> None:
    bomb = inner([("records.jsonl", b"{}\n" * (10 * 1024 * 1024))])
    assert len(bomb) < 100_000
    unpack_refused(bomb, "too_large")
    unpack_refused(inner([("records.jsonl", b"{}\n" * 1000)]), "too_large", max_bytes=2000)
    photo = os.urandom(5000)
    unpack_refused(inner([("records.jsonl", b""),
                          ("files/" + hashlib.sha256(photo).hexdigest(), photo)]),
                   "too_large", max_bytes=4000)


def test_inner_limits_on_counts() -> None:
    unpack_refused(inner([("records.jsonl", b"{}\n" * 3)]), "too_many_records", max_records=2)
    assert len(unpack_payload(inner([("records.jsonl", b"{}\n" * 2)]), max_records=2)[0]) == 2
    files = [(f"files/{hashlib.sha256(bytes([i])).hexdigest()}", bytes([i])) for i in range(3)]
    unpack_refused(inner([("records.jsonl", b""), *files]), "extra_member", max_files=2)


# ---- writing atomically -------------------------------------------------------------------------


def test_atomic_write_replaces_whole(tmp_path: Path) -> None:
    target = tmp_path / NAME
    atomic_write(target, b"old")
    atomic_write(target, b"new content")
    assert target.read_bytes() == b"new content"
    assert [p.name for p in tmp_path.iterdir()] == [NAME]


def test_only_the_part_file_exists_while_writing(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / NAME
    seen: list[tuple[bool, bool]] = []
    real_fsync = os.fsync

    def watching_fsync(fd: int) -> None:
        seen.append((target.exists(), target.with_name(NAME + ".part").exists()))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", watching_fsync)
    atomic_write(target, b"data")
    assert seen[0] == (False, True)
    assert [p.name for p in tmp_path.iterdir()] == [NAME]


@pytest.mark.parametrize("broken", ["replace", "fsync"])
def test_crash_mid_write_leaves_the_old_file_or_none(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     broken: str) -> None:
    def stick_pulled(*args: object) -> None:
        raise OSError(errno.EIO, "Input/output error")

    target = tmp_path / NAME
    monkeypatch.setattr(os, broken, stick_pulled)
    with pytest.raises(SyncFileError) as excinfo:
        atomic_write(target, b"new")
    refused(excinfo, "write_failed")
    assert list(tmp_path.iterdir()) == []
    monkeypatch.undo()
    atomic_write(target, b"old")
    monkeypatch.setattr(os, broken, stick_pulled)
    with pytest.raises(SyncFileError):
        atomic_write(target, b"new")
    assert [p.name for p in tmp_path.iterdir()] == [NAME]
    assert target.read_bytes() == b"old"


def test_interrupted_batch_write_leaves_nothing(tmp_path: Path, worker: DeviceKeys,
                                                town: DeviceKeys,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        batch(tmp_path, worker, town)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("code", "reason"), [(errno.ENOSPC, "no_space"),
                                              (errno.EROFS, "read_only"),
                                              (errno.EACCES, "read_only")])
def test_write_errors_become_messages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      code: int, reason: str) -> None:
    def failing(*args: object) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "fsync", failing)
    with pytest.raises(SyncFileError) as excinfo:
        atomic_write(tmp_path / NAME, b"data")
    refused(excinfo, reason)
    assert list(tmp_path.iterdir()) == []


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(SyncFileError) as excinfo:
        atomic_write(tmp_path / "stick" / NAME, b"data")
    refused(excinfo, "no_folder")


def test_free_space_is_checked_first(tmp_path: Path, worker: DeviceKeys, town: DeviceKeys,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    real = shutil.disk_usage(tmp_path)
    monkeypatch.setattr(shutil, "disk_usage",
                        lambda folder: real._replace(free=stick.FREE_SPACE_MARGIN + 10))
    atomic_write(tmp_path / "small.mxsync", b"0123456789")
    with pytest.raises(SyncFileError) as excinfo:
        atomic_write(tmp_path / "big.mxsync", b"0123456789A")
    refused(excinfo, "no_space")
    assert "空间不够" in excinfo.value.message
    with pytest.raises(SyncFileError) as excinfo:
        batch(tmp_path, worker, town)
    refused(excinfo, "no_space")
    assert [p.name for p in tmp_path.iterdir()] == ["small.mxsync"]


# ---- file names ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [NAME, "𠮷-0001.mxack", "梅仙镇 镇级数据包 2025.mxref"])
def test_legal_names(name: str) -> None:
    check_file_name(name)


@pytest.mark.parametrize("name", ["", "a:b.mxsync", "a/b.mxsync", "a\\b.mxsync", "x?.mxsync",
                                  'x".mxack', "a|b", "a*b", "<a>", "a\tb", "name.", "name ",
                                  "CON", "con.mxsync", "LPT1.mxref", "Nul .txt",
                                  "李" * 114 + ".mxsync", "𠮷" * 60 + ".mx"])
def test_illegal_names(name: str) -> None:
    with pytest.raises(SyncFileError) as excinfo:
        check_file_name(name)
    refused(excinfo, "bad_name")


def test_clean_name_part() -> None:
    assert clean_name_part("李:梅/?") == "李_梅__"
    assert clean_name_part(" ..") == "_"
    check_file_name(clean_name_part('a<b>c:"d"/e\\f|g?h*') + ".mxsync")
