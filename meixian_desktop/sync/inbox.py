"""The town's side of a batch: check who sent it, hold a new device's batches for approval,
apply the records in one transaction, and remember the batch so a second import changes nothing."""

from __future__ import annotations

import base64
import binascii
import json
import re
import shutil
import tempfile
from contextlib import nullcontext, suppress
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from itertools import islice
from pathlib import Path

from meixian_desktop.core import clock
from meixian_desktop.core.fields import printable
from meixian_desktop.core.progress import Progress
from meixian_desktop.store import devices
from meixian_desktop.store import settings as settings_store
from meixian_desktop.store.database import Store, now_iso
from meixian_desktop.store.devices import APPROVED, PENDING, REVOKED, Device
from meixian_desktop.store.villages import names_of
from meixian_desktop.sync.container import check_batch, decrypt_batch
from meixian_desktop.sync.errors import SyncError
from meixian_desktop.sync.keys import DeviceKeys, fingerprint
from meixian_desktop.sync.merge import APPLIED, CONFLICT, DUPLICATE, QUARANTINED, Merger, Outcome
from meixian_desktop.sync.outcomes import KINDS, MAX_KEPT, Tally, batch_outcomes, stored_counts
from meixian_desktop.sync.payload import Payload
from meixian_desktop.sync.scope import WorkerScope
from meixian_desktop.sync.sealing import SyncFileError
from meixian_desktop.sync.validate import check_envelope

_BATCH_ID = re.compile(r"[0-9A-Za-z-]{8,80}")  # it names the held copy's folder: no paths

# A journal range may run this far past the device's last one (a laptop that saved a great
# deal between two hand-ins); further is a forged range that would hide every later gap.
MAX_SEQ_JUMP = 50_000_000

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
    outcomes: list[Outcome] = field(default_factory=list)  # the first MAX_KEPT of them
    counts: dict[str, int] = field(default_factory=dict)  # all of them, by outcome

    def count(self, outcome: str) -> int:
        if self.counts:
            return self.counts.get(outcome, 0)
        return sum(1 for o in self.outcomes if o.outcome == outcome)

    @property
    def total(self) -> int:
        return sum(self.counts.values()) if self.counts else len(self.outcomes)

    @property
    def line(self) -> str:
        """The one-line summary the CLI prints and the 同步 page lists."""
        head = f"{self.path.name}：{FILE_LABELS[self.status]}"
        if self.status in (IMPORTED, ALREADY) and self.total:
            head += (f"（{self.worker}，共 {self.total} 条：导入 {self.count(APPLIED)}，"
                     f"重复 {self.count(DUPLICATE)}，冲突 {self.count(CONFLICT)}，"
                     f"隔离 {self.count(QUARANTINED)}）")
        return head + (f" — {self.message}" if self.message else "")


@dataclass(frozen=True)
class Limits:
    """The town's limits on what it takes in (core/settings.py, 设置 page)."""

    batch_bytes: int
    records: int
    held_devices: int
    held_bytes: int
    held_days: int

    @classmethod
    def of(cls, store: Store) -> Limits:
        value = partial(settings_store.get, store)
        return cls(value("sync_max_batch_mb") * 1024**2, value("sync_max_records"),
                   value("sync_max_held_devices"), value("sync_max_held_mb") * 1024**2,
                   value("sync_held_days"))


def _too_many_waiting(store: Store, limits: Limits) -> str:
    """Why one more new device cannot be noted (too many wait for approval), or ""."""
    waiting = store.conn.execute(
        "SELECT count(*) FROM devices WHERE status = ?", (PENDING,)).fetchone()[0]
    if waiting >= limits.held_devices:
        return (f"已经有 {waiting} 台新电脑在等待批准，达到了上限。请先在“同步”页批准或停用"
                "它们，再接收新电脑的批次。")
    return ""


def _too_much_held(store: Store, limits: Limits, adding: int) -> str:
    """Why a file of ``adding`` bytes cannot be held (held files would pass the limit), or ""."""
    held = sum(_size_of(Path(p)) for (p,) in store.conn.execute(
        "SELECT file_path FROM held_batches"))
    if held + adding > limits.held_bytes:
        return (f"等待批准的批次已占用 {held / 1024**2:.0f} MB，再收这一个就超过上限"
                f"（{limits.held_bytes // 1024**2} MB）。请先在“同步”页处理等待批准的电脑。")
    return ""


def _size_of(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def expire_held(store: Store, days: int) -> int:
    """Delete held files (and the devices that sent nothing else) older than ``days``."""
    cutoff = (clock.now() - timedelta(days=days)).isoformat(timespec="seconds")
    old = store.conn.execute("SELECT batch_id, file_path FROM held_batches WHERE received_at < ?",
                             (cutoff,)).fetchall()
    if not old:
        return 0
    for _batch_id, file_path in old:
        Path(file_path).unlink(missing_ok=True)
        with suppress(OSError):
            Path(file_path).parent.rmdir()
    with store.transaction():
        store.conn.executemany("DELETE FROM held_batches WHERE batch_id = ?",
                               [(batch_id,) for batch_id, _ in old])
        store.conn.execute(
            "DELETE FROM devices WHERE status = ? AND device_id NOT IN "
            "(SELECT device_id FROM held_batches) AND device_id NOT IN "
            "(SELECT device_id FROM imported_batches)", (PENDING,))
    return len(old)


def _refused(path: Path, message: str, known: tuple[str, str, str] = ("", "", "")
             ) -> FileResult:
    return FileResult(path, REFUSED, message, known[0], known[1], known[2])


@dataclass(frozen=True)
class Claimed:
    """What a batch's signed manifest says of itself (who, which journal range)."""

    batch_id: str
    device_id: str
    worker: str
    phone: str
    villages: tuple[str, ...]
    signing: bytes
    encryption: bytes
    seq_from: int
    seq_to: int
    records: int = 0  # as the manifest says: only for showing progress
    key_copy: str = ""  # the laptop's data key sealed to the town (JSON), for recovery

    @property
    def known(self) -> tuple[str, str, str]:
        return self.batch_id, self.device_id, self.worker


def _claimed(manifest: dict) -> Claimed:
    batch_id, device_id = str(manifest["batch_id"]), str(manifest["device_id"])
    if not _BATCH_ID.fullmatch(batch_id) or not _BATCH_ID.fullmatch(device_id):
        raise ValueError("batch or device id is not an id")
    seq_from, seq_to = int(manifest["seq_from"]), int(manifest["seq_to"])
    if not (0 <= seq_from < 2**62 and 0 <= seq_to < 2**62):
        raise ValueError("journal range out of bounds")
    return Claimed(
        batch_id, device_id, printable(str(manifest.get("worker", "")))[:40],
        printable(str(manifest.get("phone", "")))[:30],
        tuple(printable(str(v))[:20] for v in manifest.get("villages", []))[:60],
        base64.b64decode(str(manifest["sender_signing_public"]), validate=True),
        base64.b64decode(str(manifest["sender_encryption_public"]), validate=True),
        seq_from, seq_to, _count(manifest.get("records")), _key_copy(manifest.get("key_copy")))


def _key_copy(value: object) -> str:
    """The sealed key copy as JSON text when it has the shape of one, else ""."""
    if not isinstance(value, dict) or set(value) != {"sealing", "data"}:
        return ""
    text = json.dumps(value, ensure_ascii=True, sort_keys=True)
    return text if len(text) <= 4096 else ""


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def import_batch(store: Store, town: DeviceKeys, path: Path, held_dir: Path,
                 attachments_dir: Path, *, approve_new: bool = False, today: date | None = None,
                 progress: Progress | None = None) -> FileResult:
    """Import one ``.mxsync`` file. A refused file leaves the database as it was.

    The manifest's signature is checked first; a file from a device the town has not approved
    is then kept unread (not decrypted, not parsed) until it is approved."""
    limits = Limits.of(store)
    expire_held(store, limits.held_days)
    try:
        size = path.stat().st_size
        if size > limits.batch_bytes:
            return _refused(path, f"文件有 {size / 1024**2:.0f} MB，超过了镇里设置的"
                                  f"上限（{limits.batch_bytes // 1024**2} MB）。程序没有打开它。"
                                  "如确需接收，请在“设置”里调大“一个批次文件最大”。")
        manifest = check_batch(path, town=town)
        claimed = _claimed(manifest)
    except SyncFileError as exc:
        return _refused(path, exc.message)
    except OSError as exc:
        return _refused(path, f"读不了这个文件：{exc.strerror or exc}。请检查U盘后再试。")
    except (KeyError, TypeError, ValueError, binascii.Error):
        return _refused(path, "批次文件的说明部分不完整，可能来自其他程序。"
                              "请让网格员用梅仙网格通重新导出一次。")
    known = claimed.known
    used = _batch_owner(store, claimed.batch_id)
    if used is not None and used != claimed.device_id:
        return _refused(path, "这个批次编号已经被另一台电脑的批次用过，这个文件可能是伪造或复制的，"
                              "没有导入。请让网格员重新导出一次（会换一个新编号）。", known)
    counts = stored_counts(store.conn, claimed.batch_id)
    if counts is not None:
        return FileResult(path, ALREADY, "", *known, _kept(store, claimed.batch_id), counts)
    device = devices.get(store, claimed.device_id)
    refusal = _device_refusal(store, device, claimed)
    if refusal:
        return _refused(path, refusal, known)
    if device is None and not approve_new:
        full = _too_many_waiting(store, limits)
        if full:
            return _refused(path, full, known)
        _register(store, claimed, approved=False)
        device = devices.get(store, claimed.device_id)
    if device is not None and device.status == PENDING:
        full = _too_much_held(store, limits, size)
        if full:
            return _refused(path, full, known)
        _hold(store, path, held_dir, claimed.batch_id, claimed.device_id)
        return FileResult(path, HELD, f"新设备：{claimed.worker}，密钥指纹 {device.fingerprint}，"
                                      f"自称负责 {names_of(store, device.villages) or '（没有写）'}。"
                                      "请核对指纹和负责的村（可用“分配村…”改）后在“同步”页批准，"
                                      "这一批会随即导入。", *known)
    jump = _seq_jump(store, claimed)
    if jump:
        return _refused(path, jump, known)
    try:
        tally = _apply_file(store, town, path, claimed, device, limits, attachments_dir,
                            today or clock.today(), progress)
    except SyncFileError as exc:
        return _refused(path, exc.message, known)
    except ValueError:
        return _refused(path, "批次文件内容格式不对，可能来自其他程序或已损坏。"
                              "请让网格员用梅仙网格通重新导出一次。", known)
    note = _villages_note(store, device, claimed) if device is not None else ""
    return FileResult(path, IMPORTED, note, *known, tally.kept, tally.counts)


def _apply_file(store: Store, town: DeviceKeys, path: Path, claimed: Claimed,
                device: Device | None, limits: Limits, attachments_dir: Path, today: date,
                progress: Progress | None) -> Tally:
    """Decrypt the batch into a temporary file, then apply its records a line at a time in one
    transaction: all of them or, on a malformed line, none (SyncFileError or ValueError).
    A device approved on import (``device`` None) is noted in that same transaction."""
    with tempfile.TemporaryFile(dir=_scratch(attachments_dir)) as plain:
        decrypt_batch(path, town=town, sink=plain)
        plain.seek(0)
        with Payload(plain, max_records=limits.records) as payload:
            for sha256, data in payload.files():  # photos first: a row checks its file is here
                _save_files({sha256: data}, attachments_dir, store.key)
            with store.transaction() as tx:
                if device is None:
                    _register(store, claimed, approved=True, own_transaction=False)
                    device = devices.get(store, claimed.device_id)
                    assert device is not None
                villages = device.villages
                merger = Merger(tx, sender=claimed.device_id, batch_id=claimed.batch_id,
                                today=today,
                                scope=lambda shapes: WorkerScope(tx.conn, shapes,
                                                                 claimed.device_id, villages),
                                has_file=lambda sha: _has_file(attachments_dir, sha))
                tally = Tally(tx.conn, claimed.batch_id)
                expected = max(int(claimed.records or 0), 1)
                for number, item in enumerate(payload.records()):
                    if progress is not None and number % 200 == 0:
                        progress.step(min(number, expected), expected, path.name)
                    tally.add(merger.apply(*check_envelope(item)))
                tally.flush()
                devices.update_worker(store, claimed.device_id, claimed.worker, claimed.phone)
                if claimed.key_copy and _opens(town, claimed):
                    devices.keep_key_copy(store, claimed.device_id, claimed.key_copy)
                tx.conn.execute(
                    "INSERT INTO imported_batches(batch_id, device_id, seq_from, seq_to, "
                    "imported_at, file_name, records, applied, duplicates, conflicts, "
                    "quarantined, results) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '')",
                    (claimed.batch_id, claimed.device_id, claimed.seq_from, claimed.seq_to,
                     now_iso(), path.name, tally.total,
                     *(tally.counts[kind] for kind in KINDS)))
                tx.conn.execute("DELETE FROM held_batches WHERE batch_id = ?",
                                (claimed.batch_id,))
    return tally


def _opens(town: DeviceKeys, claimed: Claimed) -> bool:
    """The key copy is sealed to this town for this device (nothing else is kept)."""
    from meixian_desktop.sync.recovery import open_town_copy

    try:
        open_town_copy(json.loads(claimed.key_copy), town, claimed.device_id)
    except SyncError:
        return False
    return True


def _scratch(attachments_dir: Path) -> Path:
    """Where a batch is decrypted for its import: the data folder, not a system temp folder."""
    folder = attachments_dir.parent / "sync" / "scratch"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _kept(store: Store, batch_id: str) -> list[Outcome]:
    return list(islice(batch_outcomes(store.conn, batch_id), MAX_KEPT))


def _register(store: Store, claimed: Claimed, *, approved: bool,
              own_transaction: bool = True) -> None:
    """Note a device seen for the first time: pending, or approved on import when asked."""
    with store.transaction() if own_transaction else nullcontext():
        devices.register(store, Device(
            claimed.device_id, claimed.worker, claimed.phone, claimed.villages,
            claimed.signing.hex(), claimed.encryption.hex(), fingerprint(claimed.signing),
            APPROVED if approved else PENDING, now_iso(),
            now_iso() if approved else None, "导入时批准" if approved else ""))


def _device_refusal(store: Store, device: Device | None, claimed: Claimed) -> str:
    """Why a batch's sender is not accepted, or "": a changed key, a revoked device, a key
    that belongs to another (or a revoked) device under a new id."""
    if device is not None and device.signing_public != claimed.signing.hex():
        return "这台设备的签名密钥和镇里登记的不一致，文件可能是伪造或被改动过的。请核对设备后再导入。"
    if device is not None and device.status == REVOKED:
        return f"设备（{device.worker}，指纹 {device.fingerprint}）已被停用，它的批次不再接收。"
    if device is None:
        other = devices.by_signing_key(store, claimed.signing.hex())
        if other is not None and other.status == REVOKED:
            return (f"这把密钥属于已停用的设备（{other.worker}，指纹 {other.fingerprint}），"
                    "换了设备编号也不再接收。")
        if other is not None:
            return (f"这把密钥已经登记在另一台设备（{other.worker}）名下，"
                    "同一把密钥不能登记两次。文件可能是伪造的，没有导入。")
    return ""


def _villages_note(store: Store, device: Device, claimed: Claimed) -> str:
    """A batch that claims villages the town did not assign changes nothing; it is told."""
    if set(claimed.villages) <= set(device.villages):
        return ""
    return ("这台电脑自称负责的村与镇里分配的不一致，以镇里分配的为准"
            f"（{names_of(store, device.villages) or '无'}）；如需调整，请在“同步”页重新分配。")


def _seq_jump(store: Store, claimed: Claimed) -> str:
    """A journal range far beyond the device's last one would hide every later gap: refused."""
    covered = store.conn.execute(
        "SELECT coalesce(max(seq_to), 0) FROM imported_batches WHERE device_id = ?",
        (claimed.device_id,)).fetchone()[0]
    if claimed.seq_from > claimed.seq_to + 1 or claimed.seq_to > covered + MAX_SEQ_JUMP:
        return ("批次的记录序号范围不合理（远远超出这台电脑以前的批次），文件可能被改动过，"
                "没有导入。请让网格员重新导出一次。")
    return ""


def _has_file(attachments_dir: Path, sha256: str) -> bool:
    from meixian_desktop.store.attachments import stored_path

    return stored_path(attachments_dir, sha256).is_file()


def _batch_owner(store: Store, batch_id: str) -> str | None:
    """The device that used this batch id (imported or held), if any did."""
    row = store.conn.execute(
        "SELECT device_id FROM imported_batches WHERE batch_id = ? UNION ALL "
        "SELECT device_id FROM held_batches WHERE batch_id = ?", (batch_id, batch_id)).fetchone()
    return row[0] if row else None


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


def _save_files(files: dict[str, bytes], attachments_dir: Path, key: bytes) -> None:
    """Attachment files (already checked against their hashes) into the data folder, sealed."""
    from meixian_desktop.store.attachments import save_file

    for sha256, data in files.items():
        save_file(attachments_dir, sha256, data, key=key)


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
