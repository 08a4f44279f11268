"""The worker's side of a batch: which records it carries, writing it, and each record's
place in the sync cycle (待同步, 已导出, 已确认, 冲突)."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlcipher3 import dbapi2 as sqlite3

from meixian_desktop.core import clock
from meixian_desktop.core.ids import uuid7
from meixian_desktop.core.profile import Profile
from meixian_desktop.core.progress import Progress
from meixian_desktop.store.attachments import read_stored, stored_path
from meixian_desktop.store.database import Store, now_iso
from meixian_desktop.store.schema import HLC_DEVICE_START
from meixian_desktop.sync.container import clean_name_part, pack_payload, write_batch
from meixian_desktop.sync.errors import NothingToSend, SyncError
from meixian_desktop.sync.keys import DeviceKeys
from meixian_desktop.sync.merge import record_tables
from meixian_desktop.sync.validate import TOWN_OWNED

# Record states as the lists show them.
PENDING, EXPORTED, ACKNOWLEDGED, CONFLICT, QUARANTINED = (
    "pending", "exported", "acknowledged", "conflict", "quarantined")
STATE_LABELS = {PENDING: "待同步", EXPORTED: "已导出", ACKNOWLEDGED: "已确认",
                CONFLICT: "冲突", QUARANTINED: "冲突", "draft": "草稿"}


@dataclass
class Outgoing:
    """What a batch will carry: record envelopes, attachment files, the journal range."""

    envelopes: list[dict[str, Any]] = field(default_factory=list)
    attachments: dict[str, Path] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    seq_from: int = 1
    seq_to: int = 0


@dataclass(frozen=True)
class Exported:
    """A batch written: where, its id, and what it holds."""

    path: Path
    batch_id: str
    records: int
    attachments: int
    counts: dict[str, int]


def sendable_tables(conn: sqlite3.Connection) -> list[str]:
    return [t for t in record_tables(conn) if t not in TOWN_OWNED]


def _mine(alias: str = "t") -> str:
    return f"substr({alias}.hlc, {HLC_DEVICE_START}) = ?"


def _seq_range(store: Store, new_only: bool) -> tuple[int, int]:
    conn = store.conn
    last = int(conn.execute("SELECT coalesce(max(seq), 0) FROM journal").fetchone()[0])
    if new_only:
        start = conn.execute("SELECT coalesce(max(seq_to), 0) FROM sync_batches").fetchone()[0]
    else:
        start = conn.execute("SELECT coalesce(max(seq_to), 0) FROM sync_batches "
                             "WHERE acknowledged_at IS NOT NULL").fetchone()[0]
    return int(start) + 1, last


def collect(store: Store, attachments_dir: Path, *, new_only: bool = False,
            progress: Progress | None = None) -> Outgoing:
    """Every record this device changed that the town has not acknowledged (or, ``new_only``,
    only what changed since the last batch), parents before children."""
    conn, device = store.conn, store.device_id()
    out = Outgoing()
    out.seq_from, out.seq_to = _seq_range(store, new_only)
    tables = sendable_tables(conn)
    for number, table in enumerate(tables):
        if progress is not None:
            progress.step(number, len(tables), "收集记录")
        if new_only:
            sql = (f"SELECT t.* FROM {table} t WHERE {_mine()} AND t.id IN (SELECT row_id "
                   "FROM journal WHERE tbl = ? AND local = 1 AND seq >= ?)")
            params: list[Any] = [device, table, out.seq_from]
        else:
            sql = f"SELECT t.* FROM {_UNCONFIRMED_JOIN.format(table=table)}"
            params = [table, device]
        cursor = conn.execute(sql, params)
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor]
        for row in rows:
            out.envelopes.append({"table": table, "row": row, "base": _base(conn, table, row)})
            if table == "attachments":
                path = stored_path(attachments_dir, row["id"])
                if path.is_file():
                    out.attachments[row["id"]] = path
        if rows:
            out.counts[table] = len(rows)
    return out


def _base(conn: sqlite3.Connection, table: str, row: dict[str, Any]) -> str | None:
    """The last version of this record that came from elsewhere: the edit was made on it."""
    found = conn.execute("SELECT hlc FROM journal WHERE tbl = ? AND row_id = ? AND local = 0 "
                         "ORDER BY seq DESC LIMIT 1", (table, row["id"])).fetchone()
    return found[0] if found else None


def town_keys(store: Store) -> tuple[bytes, bytes]:
    """The town's (signing, encryption) public keys from its package, or a SyncError."""
    signing, encryption = store.meta("town_signing_public"), store.meta("town_encryption_public")
    if not signing or not encryption:
        raise SyncError("还没有导入镇里的资料包，不知道该加密给谁。请先在“同步”页导入镇里发的"
                        "资料包（.mxref 文件）。")
    return bytes.fromhex(signing), bytes.fromhex(encryption)


def batch_file_name(worker: str, when: datetime, batch_id: str) -> str:
    """A name legal on FAT32/exFAT sticks and old Windows paths: worker, time, short id."""
    safe = clean_name_part(worker)[:12] or "网格员"
    return f"{safe}-{when:%Y%m%d-%H%M}-{batch_id[-6:]}.mxsync"


def export_batch(store: Store, keys: DeviceKeys, profile: Profile, attachments_dir: Path,
                 folder: Path, *, new_only: bool = False, progress: Progress | None = None
                 ) -> Exported:
    """Write one batch into ``folder`` and mark its records 已导出; a SyncError says why not."""
    _signing, town_encryption = town_keys(store)
    outgoing = collect(store, attachments_dir, new_only=new_only, progress=progress)
    if not outgoing.envelopes:
        sent_before = store.conn.execute("SELECT 1 FROM sync_batches LIMIT 1").fetchone()
        raise NothingToSend("还没有要交给镇里的记录。" if sent_before is None else
                            "没有需要交给镇里的新记录。" if new_only else
                            "所有记录都已经被镇里确认，没有需要同步的。")
    batch_id = uuid7()
    created = now_iso()
    manifest = {
        "batch_id": batch_id, "device_id": store.device_id(), "worker": profile.name,
        "phone": profile.phone, "villages": list(profile.villages), "created_at": created,
        "seq_from": outgoing.seq_from, "seq_to": outgoing.seq_to, "new_only": new_only,
        "records": len(outgoing.envelopes), "attachments": len(outgoing.attachments),
        "counts": outgoing.counts,
    }
    copy = key_copy(store)
    if copy:  # sealed to the town: the town keeps it for recovery (docs/keys.md)
        manifest["key_copy"] = copy
    if progress is not None:
        progress.step(0, 1, "加密写入")
    payload = pack_payload(outgoing.envelopes, outgoing.attachments,
                           read=lambda path: read_stored(path, store.key))
    name = batch_file_name(profile.name, clock.now(), batch_id)
    path = write_batch(folder, manifest, payload, sender=keys,
                       town_encryption_public=town_encryption, name=name)
    remove_stale_parts(folder)
    with store.transaction():  # only once the file is safely on the stick
        store.conn.execute(
            "INSERT INTO sync_batches(batch_id, created_at, seq_from, seq_to, records, "
            "attachments, file_name, new_only) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (batch_id, created, outgoing.seq_from, outgoing.seq_to, len(outgoing.envelopes),
             len(outgoing.attachments), path.name, int(new_only)))
        store.conn.executemany(
            "INSERT INTO sync_state(tbl, row_id, hlc, state, batch_id) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(tbl, row_id) DO UPDATE SET hlc = excluded.hlc, state = excluded.state, "
            "batch_id = excluded.batch_id, note = ''",
            [(e["table"], e["row"]["id"], e["row"]["hlc"], EXPORTED, batch_id)
             for e in outgoing.envelopes])
    return Exported(path, batch_id, len(outgoing.envelopes), len(outgoing.attachments),
                    outgoing.counts)


def key_copy(store: Store) -> dict[str, Any] | None:
    """This laptop's data key as sealed to the town (made when its package was taken in)."""
    from meixian_desktop.store import vault

    copy = (vault.read_vault(vault.home_of(store.path)) or {}).get("town")
    if not isinstance(copy, dict) or copy.get("device_id") != store.device_id():
        return None
    return {"sealing": copy["sealing"], "data": copy["data"]}


STALE_PART_SECONDS = 600


def remove_stale_parts(folder: Path) -> list[Path]:
    """Half-written batches an interrupted export left on the stick (they never import), once
    they are older than any export still running; returns what was removed."""
    removed = []
    cutoff = time.time() - STALE_PART_SECONDS
    for part in folder.glob("*.mxsync.part"):
        try:
            if part.stat().st_mtime < cutoff:
                part.unlink()
                removed.append(part)
        except OSError:
            continue  # a read-only stick or a file in use: it harms nothing where it is
    return removed


# This device's records the town has not confirmed: never sent, changed since, or not settled.
_UNCONFIRMED_JOIN = ("{table} t LEFT JOIN sync_state s ON s.tbl = ? AND s.row_id = t.id "
                     f"WHERE {_mine()} AND (s.row_id IS NULL OR s.state <> 'acknowledged' "
                     "OR s.hlc <> t.hlc)")


def waiting_counts(store: Store) -> dict[str, int]:
    """Records not yet acknowledged, by table (what the 同步 page shows as waiting)."""
    conn, device = store.conn, store.device_id()
    counts = {}
    for table in sendable_tables(conn):
        count = conn.execute(f"SELECT count(*) FROM {_UNCONFIRMED_JOIN.format(table=table)}",
                             (table, device)).fetchone()[0]
        if count:
            counts[table] = int(count)
    return counts


def state_sql(table: str, device_id: str) -> str:
    """SQL (on alias ``t``) for a record's state code: its sync_state when that is about the
    current version, else 待同步 for this device's edits and 已确认 for what came from the
    town. The one rule for the lists' 同步 column, the 同步 page's counts and record_state."""
    if not re.fullmatch(r"[0-9A-Za-z_-]+", table + device_id):
        raise ValueError("unexpected characters in a table name or device id")
    return (f"coalesce((SELECT s.state FROM sync_state s WHERE s.tbl = '{table}' "
            f"AND s.row_id = t.id AND s.hlc = t.hlc), CASE WHEN substr(t.hlc, "
            f"{HLC_DEVICE_START}) = '{device_id}' THEN 'pending' ELSE 'acknowledged' END)")


def record_state(store: Store, table: str, row_id: str) -> str:
    """One record's state code (see STATE_LABELS); "draft" when it is not saved."""
    row = store.conn.execute(f"SELECT {state_sql(table, store.device_id())} FROM {table} t "
                             "WHERE t.id = ?", (row_id,)).fetchone()
    return str(row[0]) if row is not None else "draft"


def batches(store: Store) -> list[dict[str, Any]]:
    """This device's batches, newest first."""
    cursor = store.conn.execute(
        "SELECT batch_id, created_at, seq_from, seq_to, records, attachments, file_name, "
        "new_only, acknowledged_at FROM sync_batches ORDER BY created_at DESC")
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]
