"""The town's side of a batch: check who sent it, hold a new device's batches for approval,
apply the records in one transaction, and remember the batch so a second import changes nothing."""

from __future__ import annotations

import base64
import binascii
import json
import re
import shutil
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from meixian_desktop.core import clock
from meixian_desktop.core.progress import Progress
from meixian_desktop.store import devices
from meixian_desktop.store.database import Store, now_iso
from meixian_desktop.store.devices import APPROVED, PENDING, REVOKED, Device
from meixian_desktop.sync.container import open_batch, unpack_payload
from meixian_desktop.sync.keys import DeviceKeys, fingerprint
from meixian_desktop.sync.merge import APPLIED, CONFLICT, DUPLICATE, QUARANTINED, Merger, Outcome
from meixian_desktop.sync.sealing import SyncFileError
from meixian_desktop.sync.validate import TOWN_OWNED, check_envelope

_BATCH_ID = re.compile(r"[0-9A-Za-z-]{8,80}")  # it names the held copy's folder: no paths

# What became of a file.
IMPORTED, ALREADY, HELD, REFUSED = "imported", "duplicate", "held", "refused"
FILE_LABELS = {IMPORTED: "已导入", ALREADY: "重复（以前已导入）", HELD: "等待批准新设备",
               REFUSED: "拒收"}


@dataclass
class FileResult:
    """One imported file: what happened, why, and per record what became of it."""

    path: Path
    status: str
    message: str = ""
    batch_id: str = ""
    device_id: str = ""
    worker: str = ""
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for o in self.outcomes if o.outcome == outcome)

    @property
    def line(self) -> str:
        """The one-line summary the CLI prints and the 同步 page lists."""
        head = f"{self.path.name}：{FILE_LABELS[self.status]}"
        if self.status in (IMPORTED, ALREADY) and self.outcomes:
            head += (f"（{self.worker}，共 {len(self.outcomes)} 条：导入 {self.count(APPLIED)}，"
                     f"重复 {self.count(DUPLICATE)}，冲突 {self.count(CONFLICT)}，"
                     f"隔离 {self.count(QUARANTINED)}）")
        return head + (f" — {self.message}" if self.message else "")


def _refused(path: Path, message: str, known: tuple[str, str, str] = ("", "", "")
             ) -> FileResult:
    return FileResult(path, REFUSED, message, known[0], known[1], known[2])


def import_batch(store: Store, town: DeviceKeys, path: Path, held_dir: Path,
                 attachments_dir: Path, *, approve_new: bool = False, today: date | None = None,
                 progress: Progress | None = None) -> FileResult:
    """Import one ``.mxsync`` file. A refused file leaves the database as it was."""
    try:
        opened = open_batch(path, town=town)
    except SyncFileError as exc:
        return _refused(path, exc.message)
    manifest = opened.manifest
    try:
        batch_id, device_id = str(manifest["batch_id"]), str(manifest["device_id"])
        if not _BATCH_ID.fullmatch(batch_id):
            raise ValueError("batch id is not an id")
        worker = str(manifest.get("worker", ""))[:40]
        signing = base64.b64decode(str(manifest["sender_signing_public"]), validate=True)
        encryption = base64.b64decode(str(manifest["sender_encryption_public"]), validate=True)
        seq_from, seq_to = int(manifest["seq_from"]), int(manifest["seq_to"])
        if not (0 <= seq_from < 2**62 and 0 <= seq_to < 2**62):
            raise ValueError("journal range out of bounds")
        villages = tuple(str(v) for v in manifest.get("villages", []))[:60]
    except (KeyError, TypeError, ValueError, binascii.Error):
        return _refused(path, "批次文件的说明部分不完整，可能来自其他程序。"
                              "请让网格员用梅仙网格通重新导出一次。")
    known = (batch_id, device_id, worker)
    stored = _imported(store, batch_id)
    if stored is not None:
        return FileResult(path, ALREADY, "", batch_id, device_id, worker, stored)
    device = devices.get(store, device_id)
    if device is not None and device.signing_public != signing.hex():
        return _refused(path, "这台设备的签名密钥和镇里登记的不一致，文件可能是伪造的。"
                              "请核对设备后再导入。", known)
    if device is not None and device.status == REVOKED:
        return _refused(path, f"设备（{worker}，指纹 {device.fingerprint}）已被停用，"
                              "它的批次不再接收。", known)
    # Checked before a new device is noted: a refused file leaves no trace.
    try:
        envelopes, files = unpack_payload(opened.body)
        checked = [check_envelope(item) for item in envelopes]
    except SyncFileError as exc:
        return _refused(path, exc.message, known)
    except ValueError:
        return _refused(path, "批次文件内容格式不对，可能来自其他程序或已损坏。"
                              "请让网格员用梅仙网格通重新导出一次。", known)
    if device is None:
        with store.transaction():
            devices.register(store, Device(
                device_id, worker, str(manifest.get("phone", ""))[:30], villages,
                signing.hex(), encryption.hex(), fingerprint(signing),
                APPROVED if approve_new else PENDING, now_iso(),
                now_iso() if approve_new else None, "导入时批准" if approve_new else ""))
        device = devices.get(store, device_id)
        assert device is not None
    if device.status == PENDING:
        _hold(store, path, held_dir, batch_id, device_id)
        return FileResult(path, HELD, f"新设备：{worker}，密钥指纹 {device.fingerprint}。"
                                      "请核对后在“同步”页批准，这一批会随即导入。",
                          batch_id, device_id, worker)
    _save_files(files, attachments_dir)
    outcomes: list[Outcome] = []
    with store.transaction() as tx:
        merger = Merger(tx, sender=device_id, batch_id=batch_id, today=today or clock.today(),
                        refused=TOWN_OWNED, has_file=lambda sha: _has_file(attachments_dir, sha))
        for number, (table, row, base) in enumerate(checked):
            if progress is not None and number % 200 == 0:
                progress.step(number, len(checked), path.name)
            outcomes.append(merger.apply(table, row, base))
        devices.update_worker(store, device_id, worker, str(manifest.get("phone", ""))[:30],
                              villages)
        tx.conn.execute(
            "INSERT INTO imported_batches(batch_id, device_id, seq_from, seq_to, imported_at, "
            "file_name, records, applied, duplicates, conflicts, quarantined, results) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (batch_id, device_id, seq_from, seq_to, now_iso(), path.name, len(outcomes),
             *(sum(1 for o in outcomes if o.outcome == kind)
               for kind in (APPLIED, DUPLICATE, CONFLICT, QUARANTINED)),
             json.dumps([o.as_json() for o in outcomes], ensure_ascii=False)))
        tx.conn.execute("DELETE FROM held_batches WHERE batch_id = ?", (batch_id,))
    return FileResult(path, IMPORTED, "", batch_id, device_id, worker, outcomes)


def _has_file(attachments_dir: Path, sha256: str) -> bool:
    from meixian_desktop.store.attachments import stored_path

    return stored_path(attachments_dir, sha256).is_file()


def _imported(store: Store, batch_id: str) -> list[Outcome] | None:
    row = store.conn.execute("SELECT results FROM imported_batches WHERE batch_id = ?",
                             (batch_id,)).fetchone()
    return [Outcome.from_json(item) for item in json.loads(row[0])] if row else None


def _hold(store: Store, path: Path, held_dir: Path, batch_id: str, device_id: str) -> None:
    """Keep a copy of a new device's batch until the town approves the device."""
    copy = held_dir / batch_id / path.name  # the name the town imported it by, kept
    if not copy.exists():
        copy.parent.mkdir(parents=True, exist_ok=True)
        partial = copy.with_name(copy.name + ".part")
        shutil.copyfile(path, partial)
        partial.replace(copy)
    with store.transaction():
        store.conn.execute(
            "INSERT INTO held_batches(batch_id, device_id, file_path, received_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT(batch_id) DO NOTHING",
            (batch_id, device_id, str(copy), now_iso()))


def _save_files(files: dict[str, bytes], attachments_dir: Path) -> None:
    """Attachment files (already checked against their hashes) into the data folder."""
    from meixian_desktop.store.attachments import save_file

    for sha256, data in files.items():
        save_file(attachments_dir, sha256, data)


def approve_device(store: Store, town: DeviceKeys, device_id: str, by: str, held_dir: Path,
                   attachments_dir: Path, *, today: date | None = None) -> list[FileResult]:
    """Approve a device and import the batches held for it, oldest first."""
    devices.decide(store, device_id, APPROVED, by)
    held = store.conn.execute("SELECT file_path FROM held_batches WHERE device_id = ? "
                              "ORDER BY received_at", (device_id,)).fetchall()
    results = []
    for (file_path,) in held:
        result = import_batch(store, town, Path(file_path), held_dir, attachments_dir,
                              today=today)
        results.append(result)
        if result.status in (IMPORTED, ALREADY):
            Path(file_path).unlink(missing_ok=True)
            with suppress(OSError):
                Path(file_path).parent.rmdir()
    return results


def missing_ranges(store: Store, device_id: str) -> list[tuple[int, int]]:
    """Journal ranges of a device that no imported batch covers: a batch was lost."""
    rows = store.conn.execute("SELECT seq_from, seq_to FROM imported_batches WHERE device_id = ? "
                              "ORDER BY seq_from", (device_id,)).fetchall()
    gaps, covered = [], 0
    for start, end in rows:
        if start > covered + 1:
            gaps.append((covered + 1, start - 1))
        covered = max(covered, end)
    return gaps
