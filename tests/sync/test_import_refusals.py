"""Every bad input of issue 7 at the town's import: refused with a clear Chinese message, and
the town's database (or, for receipts and packages, the worker's) unchanged in content."""

from __future__ import annotations

import errno
import io
import json
import os
import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from meixian_desktop.core.ids import uuid7
from meixian_desktop.store import devices
from meixian_desktop.store.database import Store, now_iso
from meixian_desktop.sync import container
from meixian_desktop.sync import stick as stick_files
from meixian_desktop.sync.container import open_batch, pack_payload, write_batch, write_signed
from meixian_desktop.sync.errors import SyncError
from meixian_desktop.sync.inbox import (
    ALREADY,
    HELD,
    IMPORTED,
    REFUSED,
    FileResult,
    approve_device,
    missing_ranges,
)
from meixian_desktop.sync.keys import DeviceKeys
from meixian_desktop.sync.merge import APPLIED, DUPLICATE, QUARANTINED, record_tables
from meixian_desktop.sync.package import export_package, import_package
from meixian_desktop.sync.receipts import apply_receipt, write_receipt
from meixian_desktop.sync.sealing import SyncFileError, sign
from tests.databases import dump
from tests.sync.homes import TODAY, ZHANGHAN, Home, connect, make_home, patrol, trust_town

CJK = re.compile(r"[\u4e00-\u9fff]")


# ---- what "unchanged" means ---------------------------------------------------------------------


def content(store: Store) -> str:
    """The whole database as SQL text: schema and every row of every table, in order."""
    return dump(store.conn)


def table_rows(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, sorted, to say which tables an import changed."""
    names = [r[0] for r in store.conn.execute(
        "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")]
    return {name: sorted((tuple(r) for r in store.conn.execute(f'SELECT * FROM "{name}"')),
                         key=repr) for name in names}


def changed_tables(before: dict[str, list[tuple[Any, ...]]],
                   after: dict[str, list[tuple[Any, ...]]]) -> set[str]:
    return {name for name in after if before.get(name) != after[name]}


def rows_by_id(store: Store, table: str) -> dict[str, tuple[Any, ...]]:
    return {r[0]: tuple(r) for r in store.conn.execute(f"SELECT * FROM {table}")}


def says(message: str, *words: str) -> None:
    """A clear message: Chinese, naming what is wrong (``words``)."""
    assert CJK.search(message), message
    for word in words:
        assert word in message, (word, message)


def refused(result: FileResult, *words: str) -> None:
    assert result.status == REFUSED, result.line
    says(result.message, *words)
    assert "拒收" in result.line and result.path.name in result.line


# ---- homes --------------------------------------------------------------------------------------


@pytest.fixture
def stick(tmp_path: Path, town: Home, worker: Home) -> Path:
    folder = tmp_path / "stick"
    connect(town, worker, folder)
    return folder


@pytest.fixture
def approved(town: Home, worker: Home, stick: Path) -> Path:
    """The worker's first batch is in and its device approved; returns its next batch."""
    patrol(worker, "第一次巡查", findings=2)
    first = town.take(worker.export(stick).path, approve_new=True)
    assert first.status == IMPORTED
    patrol(worker, "第二次巡查", findings=3)
    return worker.export(stick, new_only=True).path


def new_keys() -> DeviceKeys:
    return DeviceKeys(X25519PrivateKey.generate(), Ed25519PrivateKey.generate())


# ---- archive surgery ----------------------------------------------------------------------------


def members(path: Path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(path) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


def rezip(path: Path, entries: list[tuple[str, bytes]],
          packing: int = zipfile.ZIP_STORED) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", packing) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    path.write_bytes(buffer.getvalue())
    return path


def copy(path: Path, name: str) -> Path:
    target = path.with_name(name)
    shutil.copyfile(path, target)
    return target


def resign(path: Path, name: str, signer: DeviceKeys,
           change: Callable[[dict[str, Any]], object]) -> Path:
    """A copy with its manifest changed and signed again by ``signer``."""
    found = dict(members(path))
    manifest = json.loads(found["manifest.json"])
    change(manifest)
    raw = json.dumps(manifest, ensure_ascii=False).encode()
    found["manifest.json"], found["signature"] = raw, sign(raw, signer.signing)
    return rezip(path.with_name(name), list(found.items()))


def member_data_offset(path: Path, member: str) -> int:
    """Where ``member``'s bytes start in the file."""
    raw = path.read_bytes()
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
    start = info.header_offset
    name_length = int.from_bytes(raw[start + 26:start + 28], "little")
    extra_length = int.from_bytes(raw[start + 28:start + 30], "little")
    return start + 30 + name_length + extra_length


def signed_batch(folder: Path, sender: DeviceKeys, town_public: bytes, device_id: str,
                 payload: bytes, **extra: Any) -> Path:
    """A batch signed and sealed properly, carrying whatever payload and manifest it is given:
    what a buggy or hostile program holding a device key could write."""
    batch_id = uuid7()
    manifest = {"batch_id": batch_id, "device_id": device_id, "worker": "李梅",
                "phone": "13907301234", "villages": [ZHANGHAN], "created_at": now_iso(),
                "seq_from": 1, "seq_to": 1, "new_only": False, "records": 0,
                "attachments": 0, "counts": {}, **extra}
    return write_batch(folder, manifest, payload, sender=sender,
                       town_encryption_public=town_public, name=f"手工-{batch_id[-6:]}")


def raw_zip(entries: list[tuple[str, bytes]], packing: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", packing) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


# ---- damaged files ------------------------------------------------------------------------------


def test_truncated_files_are_refused_and_change_nothing(town: Home, approved: Path) -> None:
    raw = approved.read_bytes()
    before = content(town.store)
    for keep in (22, 100, len(raw) // 2, len(raw) - 23, len(raw) - 1):
        cut = approved.with_name(f"cut-{keep}.mxsync")
        cut.write_bytes(raw[:keep])
        refused(town.take(cut), "程序没有导入", "请")
        assert content(town.store) == before, keep
    assert town.take(approved).status == IMPORTED  # the whole file still goes in afterwards


def test_a_flipped_byte_anywhere_that_matters_is_refused(town: Home, approved: Path) -> None:
    raw = approved.read_bytes()
    manifest_at = member_data_offset(approved, "manifest.json")
    payload_at = member_data_offset(approved, "payload.bin")
    signature_at = member_data_offset(approved, "signature")
    payload_size = dict(members(approved))["payload.bin"].__len__()
    positions = {
        "zip header": 0,
        "manifest start": manifest_at + 3,
        "manifest middle": manifest_at + 200,
        "payload start": payload_at,
        "payload middle": payload_at + payload_size // 2,
        "payload tag": payload_at + payload_size - 1,
        "signature": signature_at + 10,
        "central directory": raw.rfind(b"PK\x01\x02") + 16,  # the last member's CRC
        "end record": len(raw) - 6,  # where the directory starts
    }
    before = content(town.store)
    for where, at in positions.items():
        flipped = bytearray(raw)
        flipped[at] ^= 0x20
        damaged = approved.with_name(f"flip-{at}.mxsync")
        damaged.write_bytes(bytes(flipped))
        result = town.take(damaged)
        assert result.status == REFUSED, (where, result.line)
        says(result.message, "程序没有导入")
        assert content(town.store) == before, where
    again = town.take(approved)
    assert again.status == IMPORTED and again.count(APPLIED) == 4


def test_a_file_that_is_not_a_zip(town: Home, approved: Path) -> None:
    before = content(town.store)
    for number, data in enumerate((b"hello, this is a note", os.urandom(5000),
                                   b"%PDF-1.7\n" + os.urandom(300), b"\x00" * 64)):
        path = approved.with_name(f"not-a-zip-{number}.mxsync")
        path.write_bytes(data)
        refused(town.take(path), "程序没有导入")
    empty = approved.with_name("empty.mxsync")
    empty.write_bytes(b"")
    refused(town.take(empty), "空的", "请")
    assert content(town.store) == before


def test_a_receipt_renamed_to_a_batch(town: Home, worker: Home, stick: Path,
                                      approved: Path) -> None:
    batch_id = str(town.store.conn.execute("SELECT batch_id FROM imported_batches").fetchone()[0])
    receipt = write_receipt(town.store, town.keys, batch_id, stick)
    before = content(town.store)
    refused(town.take(copy(receipt, "回执改名.mxsync")), "回执")
    assert content(town.store) == before


# ---- signatures, keys and devices ---------------------------------------------------------------


def test_a_replaced_manifest_is_refused(town: Home, worker: Home, stick: Path,
                                        approved: Path) -> None:
    impostor = new_keys()
    stale = rezip(approved.with_name("stale.mxsync"), [
        (name, data.replace("李梅".encode(), "王五".encode()) if name == "manifest.json" else data)
        for name, data in members(approved)])
    resigned = resign(approved, "resigned.mxsync", impostor,
                      lambda m: m.update(worker="王五"))
    rekeyed = resign(approved, "rekeyed.mxsync", impostor, lambda m: m.update(
        sender_signing_public=container.b64(impostor.signing_public)))
    before = content(town.store)
    refused(town.take(stale), "签名", "请")
    refused(town.take(resigned), "签名", "请")
    refused(town.take(rekeyed), "改动", "请")  # the payload is bound to the real key
    assert content(town.store) == before
    assert town.take(approved).status == IMPORTED


def test_a_whole_batch_under_an_approved_device_by_another_key(
        town: Home, worker: Home, stick: Path, approved: Path) -> None:
    """Someone with the batch's plaintext and their own key poses as the approved device."""
    body = open_batch(approved, town=town.keys).body
    impostor = new_keys()
    forged = signed_batch(stick, impostor, town.keys.encryption_public,
                          worker.store.device_id(), body, seq_from=1, seq_to=99)
    before = content(town.store)
    refused(town.take(forged, approve_new=True), "签名密钥", "不一致", "请")
    assert content(town.store) == before


def test_a_payload_sealed_to_another_towns_key(town: Home, worker: Home, stick: Path,
                                               approved: Path) -> None:
    other_town = new_keys()
    body = open_batch(approved, town=town.keys).body
    elsewhere = signed_batch(stick, worker.keys, other_town.encryption_public,
                             worker.store.device_id(), body)
    # the manifest says "for this town" (signed again by the worker), the payload is not
    relabelled = resign(elsewhere, "relabelled.mxsync", worker.keys, lambda m: m.update(
        recipient_fingerprint=container.fingerprint(town.keys.encryption_public)))
    before = content(town.store)
    refused(town.take(elsewhere), "另一个镇", "请")
    refused(town.take(relabelled), "另一个镇", "请")
    assert content(town.store) == before


def test_a_new_device_is_held_and_nothing_applied(town: Home, worker: Home,
                                                  stick: Path) -> None:
    patrol(worker, findings=2)
    made = worker.export(stick)
    before = table_rows(town.store)
    records = set(record_tables(town.store.conn))
    result = town.take(made.path)
    assert result.status == HELD
    says(result.message, worker.keys.fingerprint, "批准")
    after = table_rows(town.store)
    assert changed_tables(before, after) == {"devices", "held_batches"}
    assert not records & changed_tables(before, after)
    [device] = devices.all_devices(town.store)
    assert device.status == devices.PENDING and device.fingerprint == worker.keys.fingerprint
    again = town.take(made.path)  # a second look while it waits: still one hold, no rows
    assert again.status == HELD
    assert table_rows(town.store) == after


def test_a_revoked_device_is_refused(town: Home, worker: Home, approved: Path) -> None:
    devices.decide(town.store, worker.store.device_id(), devices.REVOKED, "镇管理员")
    before = content(town.store)
    refused(town.take(approved), "停用", worker.keys.fingerprint)
    refused(town.take(approved, approve_new=True), "停用")
    assert content(town.store) == before


BROKEN_PAYLOADS = [raw_zip([("records.jsonl", b'{"row": {}}\n')]),
                   raw_zip([("records.jsonl", b"not json\n")]),
                   raw_zip([("records.txt", b"")]),
                   b"not a zip at all"]


def test_a_signed_but_malformed_payload_from_a_new_device_leaves_no_trace(
        town: Home, worker: Home, stick: Path) -> None:
    """"Approve new devices" must not note the device when its file is refused."""
    before = content(town.store)
    for payload in BROKEN_PAYLOADS:
        path = signed_batch(stick, worker.keys, town.keys.encryption_public,
                            worker.store.device_id(), payload)
        refused(town.take(path, approve_new=True))
        assert content(town.store) == before, payload[:20]


def test_a_new_devices_file_is_held_unread_and_judged_once_approved(
        town: Home, worker: Home, stick: Path) -> None:
    """Nothing costly before trust: the payload of an unapproved device is not even opened."""
    paths = [signed_batch(stick, worker.keys, town.keys.encryption_public,
                          worker.store.device_id(), payload) for payload in BROKEN_PAYLOADS]
    assert [town.take(path).status for path in paths] == [HELD] * len(paths)
    before = table_rows(town.store)
    results = approve_device(town.store, town.keys, worker.store.device_id(), "镇管理员",
                             town.paths.held_batches_dir, town.paths.attachments_dir)
    assert [r.status for r in results] == [REFUSED] * len(paths)
    assert changed_tables(before, table_rows(town.store)) <= {"devices"}


def test_signed_manifest_with_nonsense_fields(town: Home, worker: Home, stick: Path) -> None:
    payload = pack_payload([], {})
    before = content(town.store)
    for extra in ({"seq_from": "一"}, {"seq_to": 2**70}, {"seq_from": -5},
                  {"villages": 5}, {"villages": None}, {"batch_id": "../../../escaped-batch"},
                  {"batch_id": "..\\..\\escaped-batch"}, {"batch_id": "short"}):
        path = signed_batch(stick, worker.keys, town.keys.encryption_public,
                            worker.store.device_id(), payload, **extra)
        for approve_new in (False, True):
            refused(town.take(path, approve_new=approve_new), "请")
            assert content(town.store) == before, extra
    assert not list(town.paths.data_dir.parent.parent.rglob("escaped-batch*"))


def test_a_held_batch_keeps_its_name_through_approval(town: Home, worker: Home,
                                                      stick: Path) -> None:
    from meixian_desktop.sync.inbox import approve_device

    patrol(worker)
    made = worker.export(stick)
    assert town.take(made.path).status == HELD
    made.path.unlink()  # the stick went home with the worker; the town kept a copy
    [result] = approve_device(town.store, town.keys, worker.store.device_id(), "镇管理员",
                              town.paths.held_batches_dir, town.paths.attachments_dir,
                              today=TODAY)
    assert result.status == IMPORTED and result.line.startswith(f"{made.path.name}：已导入")
    assert town.store.conn.execute("SELECT file_name FROM imported_batches").fetchone()[0] == \
        made.path.name
    assert not list(town.paths.held_batches_dir.rglob("*"))  # the copy is gone once in


# ---- replays and order --------------------------------------------------------------------------


def test_the_same_batch_replayed_changes_nothing(town: Home, approved: Path) -> None:
    first = town.take(approved)
    assert first.status == IMPORTED
    before = content(town.store)
    renamed = copy(approved, "改了名字的同一批.mxsync")
    for path in (approved, renamed, approved):
        again = town.take(path)
        assert again.status == ALREADY and again.outcomes == first.outcomes
        assert "重复" in again.line
        assert content(town.store) == before


def test_batches_in_the_wrong_order(town: Home, worker: Home, stick: Path,
                                    approved: Path) -> None:
    """The newer batch first: both go in, the newest version stands, no conflict."""
    patrol_id = str(worker.store.conn.execute(
        "SELECT id FROM patrols WHERE notes = '第二次巡查'").fetchone()[0])
    with worker.store.transaction() as tx:
        tx.conn.execute("UPDATE patrols SET notes = '第二次巡查（补记）', hlc = ?, rev = rev + 1 "
                        "WHERE id = ?", (tx.hlc(), patrol_id))
    patrol(worker, "第三次巡查", findings=1)
    newer = worker.export(stick, new_only=True)
    late = town.take(newer.path)
    assert late.status == IMPORTED and late.count(APPLIED) == newer.records
    assert missing_ranges(town.store, worker.store.device_id())  # the older one is missing
    early = town.take(approved)
    assert early.status == IMPORTED
    stale = next(o for o in early.outcomes if o.row_id == patrol_id)
    assert stale.outcome == DUPLICATE and not stale.kept
    assert missing_ranges(town.store, worker.store.device_id()) == []
    for table in ("patrols", "findings"):
        assert rows_by_id(town.store, table) == rows_by_id(worker.store, table), table
    assert town.count("conflicts", "1") == 0 and town.count("quarantine", "1") == 0


# ---- a bad record among good ones ---------------------------------------------------------------


def test_a_record_failing_validation_is_quarantined_and_the_rest_applied(
        town: Home, worker: Home, stick: Path, approved: Path) -> None:
    town.take(approved)
    good = [patrol(worker, "好的一次", findings=2), patrol(worker, "好的两次", findings=0)]
    bad = patrol(worker, "坏的", findings=0)
    with worker.store.transaction() as tx:  # written by an older, buggier version
        tx.conn.execute("UPDATE patrols SET kind = 'volcano', hlc = ? WHERE id = ?",
                        (tx.hlc(), bad))
    made = worker.export(stick, new_only=True)
    before, patrols_before = table_rows(town.store), rows_by_id(town.store, "patrols")
    result = town.take(made.path)
    assert result.status == IMPORTED
    assert result.count(QUARANTINED) == 1 and result.count(APPLIED) == made.records - 1
    assert "隔离 1" in result.line
    after = table_rows(town.store)
    bookkeeping = {"imported_batches", "batch_outcomes", "quarantine", "journal", "meta",
                   "sqlite_sequence"}
    changed = changed_tables(before, after)
    assert changed - bookkeeping <= {"patrols", "findings"} | {
        t for t in changed if t.startswith(("patrols_fts", "findings_fts"))}
    town_patrols, worker_patrols = rows_by_id(town.store, "patrols"), rows_by_id(worker.store,
                                                                                 "patrols")
    assert set(town_patrols) == set(patrols_before) | set(good)
    assert all(town_patrols[i] == worker_patrols[i] for i in good)
    assert rows_by_id(town.store, "findings") == rows_by_id(worker.store, "findings")
    [quarantined] = town.store.conn.execute("SELECT tbl, row_id, reason, row FROM quarantine"
                                            ).fetchall()
    assert quarantined[:2] == ("patrols", bad)
    says(quarantined[2], "类别")
    assert json.loads(quarantined[3])["kind"] == "volcano"
    new_rows = {name: len(after[name]) - len(before[name]) for name in ("quarantine",
                                                                        "imported_batches")}
    assert new_rows == {"quarantine": 1, "imported_batches": 1}


# ---- hostile archives ---------------------------------------------------------------------------


def test_a_zip_bomb_outside_or_inside_is_refused(town: Home, worker: Home, stick: Path,
                                                 approved: Path) -> None:
    outer = rezip(approved.with_name("bomb-outer.mxsync"),
                  [(n, bytes(20 * 1024 * 1024) if n == "payload.bin" else d)
                   for n, d in members(approved)], zipfile.ZIP_DEFLATED)
    assert outer.stat().st_size < 100_000
    inner = signed_batch(stick, worker.keys, town.keys.encryption_public,
                         worker.store.device_id(),
                         raw_zip([("records.jsonl", b" " * (20 * 1024 * 1024))]))
    assert inner.stat().st_size < 100_000
    before = content(town.store)
    refused(town.take(outer), "压缩炸弹")
    refused(town.take(inner), "压缩炸弹")
    assert content(town.store) == before


@pytest.mark.parametrize("name", ["../../evil.txt", "/tmp/evil.txt", "..\\..\\evil.txt",
                                  "files/../../evil.txt", "C:/evil.txt"])
def test_a_path_traversal_name_inside_the_archive(tmp_path: Path, town: Home, worker: Home,
                                                  stick: Path, approved: Path,
                                                  name: str) -> None:
    outer = rezip(approved.with_name("traversal-outer.mxsync"),
                  [*members(approved), (name, b"evil")])
    records = members_of_payload(town, approved)
    inner = signed_batch(stick, worker.keys, town.keys.encryption_public,
                         worker.store.device_id(),
                         raw_zip([("records.jsonl", records), (name, b"evil")]))
    before = content(town.store)
    refused(town.take(outer), "不安全的文件名")
    refused(town.take(inner), "不安全的文件名")
    assert content(town.store) == before
    assert not [p for p in tmp_path.rglob("evil*")]
    assert not Path("/tmp/evil.txt").exists()


def members_of_payload(town: Home, path: Path) -> bytes:
    body = open_batch(path, town=town.keys).body
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return archive.read("records.jsonl")


# ---- the USB stick pulled out while writing -----------------------------------------------------


class Pulled:
    """A file handle on a stick pulled out after ``limit`` bytes."""

    def __init__(self, handle: IO[bytes], limit: int) -> None:
        self.handle, self.left = handle, limit

    def write(self, data: bytes) -> int:
        if len(data) > self.left:
            self.handle.write(data[:self.left])
            self.handle.flush()
            self.left = 0
            raise OSError(errno.EIO, "Input/output error")
        self.left -= len(data)
        return self.handle.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.handle, name)

    def __enter__(self) -> Pulled:
        return self

    def __exit__(self, *exc: object) -> None:
        self.handle.close()


@pytest.mark.parametrize("part_left_behind", [False, True])
def test_a_stick_pulled_mid_write_leaves_nothing_importable(
        tmp_path: Path, town: Home, worker: Home, approved: Path,
        monkeypatch: pytest.MonkeyPatch, part_left_behind: bool) -> None:
    town.take(approved)
    patrol(worker, "拔U盘那天", findings=3)
    stick = tmp_path / "another-stick"
    stick.mkdir()
    worker_before = content(worker.store)

    def pulled_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        handle = open(file, mode, *args, **kwargs)
        return Pulled(handle, 700) if "w" in mode else handle

    monkeypatch.setattr(stick_files, "open", pulled_open, raising=False)
    if part_left_behind:  # the stick is gone: the half file cannot be removed either
        def cannot_unlink(self: Path, missing_ok: bool = False) -> None:
            raise OSError(errno.EIO, "Input/output error")

        monkeypatch.setattr(Path, "unlink", cannot_unlink)
    with pytest.raises(SyncFileError) as excinfo:
        worker.export(stick)
    monkeypatch.undo()
    says(excinfo.value.message, "没有写成", "请")
    assert content(worker.store) == worker_before  # nothing marked 已导出
    assert not list(stick.glob("*.mxsync"))
    leftovers = list(stick.glob("*.part"))
    assert len(leftovers) == int(part_left_behind)
    before = content(town.store)
    for leftover in leftovers:
        assert 0 < leftover.stat().st_size <= 700
        refused(town.take(leftover), "临时文件", "请")
        whole_but_part = copy(approved, approved.name + ".part")  # even a whole one
        refused(town.take(whole_but_part), "临时文件")
    assert content(town.store) == before
    made = worker.export(stick)  # the next try, stick back in, goes through
    assert town.take(made.path).status == IMPORTED


# ---- receipts, on the worker's side -------------------------------------------------------------


def test_forged_or_foreign_receipts_are_refused_by_the_worker(
        tmp_path: Path, town: Home, worker: Home, stick: Path, approved: Path) -> None:
    result = town.take(approved)
    genuine = write_receipt(town.store, town.keys, result.batch_id, stick)
    found = dict(members(genuine))
    manifest = json.loads(found["manifest.json"])
    mine = {k: v for k, v in manifest.items() if k not in container._SIGNED_FIELDS}
    other_key = new_keys()
    forged = write_signed(stick, "receipt", mine, found["body.bin"], signer=other_key,
                          name="伪造的回执", suffix=".mxack")
    flipped = bytearray(genuine.read_bytes())
    flipped[member_data_offset(genuine, "body.bin") + 5] ^= 0x01
    damaged = genuine.with_name("damaged.mxack")
    damaged.write_bytes(bytes(flipped))
    unknown_batch = write_signed(stick, "receipt", {**mine, "batch_id": uuid7()},
                                 found["body.bin"], signer=town.keys, name="别的批次",
                                 suffix=".mxack")

    other = make_home(tmp_path / "other", "worker", "周敏", [ZHANGHAN])
    try:
        connect(town, other, stick)
        patrol(other, "周敏的巡查")
        theirs = town.take(other.export(stick).path, approve_new=True)
        foreign = write_receipt(town.store, town.keys, theirs.batch_id, stick)
    finally:
        other.session.close()

    before = content(worker.store)
    for path, words in ((forged, ("签",)), (damaged, ("改动",)),
                        (foreign, ("另一台电脑", "请")), (approved, ("不是回执",))):
        with pytest.raises(SyncError) as excinfo:
            apply_receipt(worker.store, path)
        says(excinfo.value.message, *words)
        assert content(worker.store) == before, path.name
    # A genuine receipt under a batch id this laptop has no note of (power lost after the file
    # reached the stick, before the records were marked) is the town's signed word all the
    # same: it settles the record versions it names.
    assert apply_receipt(worker.store, unknown_batch).acknowledged == result.count(APPLIED)
    assert apply_receipt(worker.store, genuine).acknowledged == result.count(APPLIED)


# ---- town packages, on the worker's side --------------------------------------------------------


def test_forged_or_stale_town_packages_are_refused_by_the_worker(
        tmp_path: Path, town: Home, worker: Home, stick: Path, approved: Path) -> None:
    town.take(approved)
    for name in ("old", "new", "rival"):
        (stick / name).mkdir()
    older = export_package(town.store, town.keys, town.profile, stick / "old")
    newer = export_package(town.store, town.keys, town.profile, stick / "new")
    rival = make_home(tmp_path / "rival", "town", "别的镇人民政府", [])
    try:
        from_rival = export_package(rival.store, rival.keys, rival.profile, stick / "rival")
    finally:
        rival.session.close()
    found = dict(members(newer))
    manifest = json.loads(found["manifest.json"])
    mine = {k: v for k, v in manifest.items() if k not in container._SIGNED_FIELDS}
    impostor = write_signed(stick, "package", {**mine, "version": "9" * 13 + "-00000-x"},
                            found["body.bin"], signer=new_keys(), name="冒充的资料包",
                            suffix=".mxref")
    flipped = bytearray(newer.read_bytes())
    flipped[member_data_offset(newer, "body.bin") + 50] ^= 0x04
    damaged = newer.with_name("damaged.mxref")
    damaged.write_bytes(bytes(flipped))

    applied = import_package(worker.store, worker.keys, newer, today=TODAY, confirm=trust_town)
    assert not applied.newer_already
    before = content(worker.store)
    for path, words in ((from_rival, ("签",)), (impostor, ("签",)), (damaged, ("改动",)),
                        (approved, ("不是镇级数据包",))):
        with pytest.raises(SyncError) as excinfo:
            import_package(worker.store, worker.keys, path, today=TODAY, confirm=trust_town)
        says(excinfo.value.message, *words)
        assert content(worker.store) == before, path.name
    stale = import_package(worker.store, worker.keys, older, today=TODAY, confirm=trust_town)
    assert stale.newer_already and "没有变化" in stale.line
    assert import_package(worker.store, worker.keys, newer, today=TODAY, confirm=trust_town).newer_already
    assert content(worker.store) == before


def test_the_town_does_not_take_its_own_package(town: Home, stick: Path) -> None:
    package = export_package(town.store, town.keys, town.profile, stick)
    before = content(town.store)
    with pytest.raises(SyncError) as excinfo:
        import_package(town.store, town.keys, package, today=TODAY, confirm=trust_town)
    says(excinfo.value.message, "本机自己导出")
    assert content(town.store) == before
