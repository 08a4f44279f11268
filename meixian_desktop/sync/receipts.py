"""Receipts (回执, ``.mxack``): the town's signed answer to a batch, and the worker marking its
records 已确认 (or 冲突) from it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from meixian_desktop.store.database import Store, now_iso
from meixian_desktop.sync.container import (
    RECEIPT_SUFFIX,
    clean_name_part,
    open_signed,
    write_signed,
)
from meixian_desktop.sync.errors import SyncError
from meixian_desktop.sync.keys import DeviceKeys
from meixian_desktop.sync.merge import CONFLICT, QUARANTINED, Outcome, record_tables
from meixian_desktop.sync.outbox import ACKNOWLEDGED, town_keys
from meixian_desktop.sync.outbox import CONFLICT as STATE_CONFLICT
from meixian_desktop.sync.outbox import QUARANTINED as STATE_QUARANTINED
from meixian_desktop.sync.outcomes import batch_outcomes
from meixian_desktop.sync.sealing import SyncFileError


@dataclass(frozen=True)
class ReceiptApplied:
    """A receipt taken in: the batch, and how many records it settled."""

    batch_id: str
    acknowledged: int
    conflicts: int
    already: bool

    @property
    def line(self) -> str:
        if self.already:
            return "这张回执以前已经导入过。"
        text = f"镇里已确认 {self.acknowledged} 条记录"
        return text + (f"，{self.conflicts} 条有冲突，请查看同步页。" if self.conflicts else "。")


def write_receipt(store: Store, town: DeviceKeys, batch_id: str, folder: Path) -> Path:
    """The signed receipt for an imported batch, written into ``folder``."""
    row = store.conn.execute(
        "SELECT b.device_id, b.imported_at, b.records, d.worker FROM imported_batches b "
        "JOIN devices d ON d.device_id = b.device_id WHERE b.batch_id = ?",
        (batch_id,)).fetchone()
    if row is None:
        raise SyncError("这一批还没有导入，不能出回执。")
    device_id, imported_at, count, worker = row
    results = json.dumps([o.as_json() for o in batch_outcomes(store.conn, batch_id)],
                         ensure_ascii=False)
    manifest = {"batch_id": batch_id, "device_id": device_id, "worker": worker,
                "town_device_id": store.device_id(), "imported_at": imported_at,
                "records": count}
    safe = clean_name_part(worker)[:12]
    name = f"回执-{safe}-{batch_id[-6:]}{RECEIPT_SUFFIX}"
    return write_signed(folder, "receipt", manifest, results.encode("utf-8"), signer=town,
                        name=name, suffix=RECEIPT_SUFFIX)


def apply_receipt(store: Store, path: Path) -> ReceiptApplied:
    """Mark this device's records as the town's receipt says; a SyncError if it is not ours.

    A receipt for a batch this device has no note of (the laptop lost power after the file was
    on the stick but before its records were marked) still counts: the town signed that it
    holds those versions, and each record whose current version is the one named is settled."""
    town_signing, _encryption = town_keys(store)
    try:
        opened = open_signed(path, "receipt", signer_public=town_signing)
    except SyncFileError as exc:
        raise SyncError(exc.message) from exc
    manifest = opened.manifest
    if manifest.get("device_id") != store.device_id():
        raise SyncError("这张回执是给另一台电脑的，不是本机的。请找到本机的回执再导入。")
    batch_id = str(manifest.get("batch_id", ""))
    batch = store.conn.execute("SELECT acknowledged_at FROM sync_batches WHERE batch_id = ?",
                               (batch_id,)).fetchone()
    try:
        outcomes = [Outcome.from_json(item) for item in json.loads(opened.body)]
    except (ValueError, TypeError) as exc:
        raise SyncError("回执内容格式不对，可能已损坏。请让镇里重新出回执。") from exc
    tables = set(record_tables(store.conn))
    settled = [o for o in outcomes if o.table in tables]
    with store.transaction():
        for outcome in settled:  # only where the version named is still the current one
            store.conn.execute(
                f"INSERT INTO sync_state(tbl, row_id, hlc, state, batch_id, note) "
                f"SELECT ?, id, hlc, ?, ?, ? FROM {outcome.table} WHERE id = ? AND hlc = ? "
                "ON CONFLICT(tbl, row_id) DO UPDATE SET hlc = excluded.hlc, "
                "state = excluded.state, batch_id = excluded.batch_id, note = excluded.note",
                (outcome.table, _state(outcome), batch_id, outcome.note, outcome.row_id,
                 outcome.hlc))
        store.conn.execute("UPDATE sync_batches SET acknowledged_at = ? WHERE batch_id = ? "
                           "AND acknowledged_at IS NULL", (now_iso(), batch_id))
    conflicts = sum(1 for o in settled if _state(o) != ACKNOWLEDGED)
    already = batch is not None and batch[0] is not None
    return ReceiptApplied(batch_id, len(settled) - conflicts, conflicts, already)


def _state(outcome: Outcome) -> str:
    if outcome.outcome == QUARANTINED:
        return STATE_QUARANTINED
    if outcome.outcome == CONFLICT and not outcome.kept:
        return STATE_CONFLICT
    return ACKNOWLEDGED
