"""Sync by file: export and import of a batch of 10,000 records with 200 photos, each against a
floor of the same rows and files written and read with plain json + zlib and executemany.

Export: ``sync.outbox.export_batch`` (collect the unacknowledged rows with their base clocks,
pack records and photos, seal with AES-256-GCM to the town's key, sign, write atomically with
fsync, mark the records 已导出); floor: ``SELECT *`` of the same tables, one JSON line per
row, zlib, the photo bytes appended, written and fsynced.

Import: ``sync.inbox.import_batch`` on a fresh copy of a town home that knows the device
(verify, decrypt, unpack, check every record against the core's rules, merge by clock in one
transaction, store the photos, remember the batch); floor: read the floor's file, unzlib,
``json.loads`` each line, ``executemany`` INSERT into a fresh copy of the same town database in
one transaction (the same triggers and indexes), photos written out.

Both homes are built once per run of the benchmarks, in a temporary folder.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import zlib
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from time import perf_counter

from meixian_desktop.store import devices, records
from meixian_desktop.store.attachments import add_photo
from meixian_desktop.store.database import now_iso
from meixian_desktop.sync.inbox import IMPORTED, import_batch
from meixian_desktop.sync.keys import fingerprint
from meixian_desktop.sync.merge import record_tables
from tests.benchmarks.patrols import interleaved
from tests.benchmarks.startup import Result
from tests.databases import raw_connection
from tests.sync.homes import SANLI, ZHANGHAN, Home, connect, make_home

PATROLS, FINDINGS, PHOTOS = 4_900, 4_900, 200  # 10,000 records
PHOTO_BYTES = 60_000

Log = Callable[[str], None] | None


def _fill(worker: Home, folder: Path) -> None:
    village = worker.village()
    rng = os.urandom
    with worker.store.transaction() as tx:
        day = date(2025, 1, 1)
        patrol_ids = []
        for n in range(PATROLS):
            patrol_ids.append(records.insert(tx, "patrols", {
                "kind": "river", "patrol_date": (day + timedelta(days=n % 300)).isoformat(),
                "leader": "李梅", "village_ids": json.dumps([village]), "river_name": "汨罗江",
                "river_section": f"第{n % 40}段", "notes": f"第{n}次巡河，河面基本清洁。"}))
        for n in range(FINDINGS):
            records.insert(tx, "findings", {
                "patrol_id": patrol_ids[n % PATROLS], "category": "floating_waste",
                "description": f"漂浮垃圾{n}处", "action": "registered", "status": "open",
                "sort": 0, "place": f"{n % 50}号桩"})
        for n in range(PHOTOS):
            photo = folder / f"photo{n}.jpg"
            photo.write_bytes(b"\xff\xd8\xff\xe0" + rng(PHOTO_BYTES))
            add_photo(tx, worker.paths.attachments_dir, photo)


def _floor_export(worker: Home, out: Path) -> None:
    conn = worker.store.conn
    lines = []
    for table in record_tables(conn):
        cursor = conn.execute(f"SELECT * FROM {table} WHERE substr(hlc, 21) = ?",
                              (worker.store.device_id(),))
        names = [d[0] for d in cursor.description]
        lines += [json.dumps({"table": table, "row": dict(zip(names, row, strict=True))},
                             ensure_ascii=False) for row in cursor]
    photos = sorted(p for p in worker.paths.attachments_dir.rglob("*") if p.is_file())
    with open(out, "wb") as handle:
        packed = zlib.compress("\n".join(lines).encode("utf-8"))
        handle.write(len(packed).to_bytes(8, "little") + packed)
        for photo in photos:
            data = photo.read_bytes()
            handle.write(photo.name.encode().ljust(80) + len(data).to_bytes(8, "little") + data)
        handle.flush()
        os.fsync(handle.fileno())


def _floor_import(database: Path, attachments: Path, source: Path) -> None:
    data = source.read_bytes()
    size = int.from_bytes(data[:8], "little")
    items = [json.loads(line) for line in zlib.decompress(data[8:8 + size]).decode().split("\n")]
    conn = raw_connection(database, isolation_level=None)
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("BEGIN IMMEDIATE")
    by_table: dict[str, list[dict]] = {}
    for item in items:
        by_table.setdefault(item["table"], []).append(item["row"])
    for table, rows in by_table.items():
        names = list(rows[0])
        conn.executemany(f"INSERT OR REPLACE INTO {table} ({', '.join(names)}) VALUES "
                         f"({', '.join('?' for _ in names)})",
                         [[row[n] for n in names] for row in rows])
    conn.execute("COMMIT")
    conn.close()
    at = 8 + size
    while at < len(data):
        name = data[at:at + 80].decode().strip()
        length = int.from_bytes(data[at + 80:at + 88], "little")
        target = attachments / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data[at + 88:at + 88 + length])
        at += 88 + length


def run_sync(runs: int, *, warmup: int = 1, log: Log = None) -> list[Result]:
    """Export and import of the 10,000-record batch, each against its floor."""
    with tempfile.TemporaryDirectory(prefix="meixian-bench-sync-") as folder:
        root = Path(folder)
        town = make_home(root / "town", "town", "梅仙镇人民政府", [])
        worker = make_home(root / "worker", "worker", "李梅", [ZHANGHAN, SANLI])
        stick = root / "stick"
        connect(town, worker, stick)
        _fill(worker, root)
        devices.register(town.store, devices.Device(
            worker.store.device_id(), "李梅", "", (), worker.keys.signing_public.hex(),
            worker.keys.encryption_public.hex(), fingerprint(worker.keys.signing_public),
            devices.APPROVED, now_iso()))
        town.store.conn.commit()
        town.session.close()
        made: list[Path] = []

        def export() -> float:
            start = perf_counter()
            made.append(worker.export(stick).path)
            return perf_counter() - start

        def floor_export() -> float:
            start = perf_counter()
            _floor_export(worker, stick / "floor.bin")
            return perf_counter() - start

        out, out_floor = interleaved(export, floor_export, runs, warmup, name="sync_export",
                                     log=log)
        batch = made[-1]
        fresh = root / "town-copy"

        def imported() -> float:
            shutil.rmtree(fresh, ignore_errors=True)
            shutil.copytree(root / "town", fresh, ignore=shutil.ignore_patterns("*.lock"))
            copy = _open(fresh)
            try:
                start = perf_counter()
                result = import_batch(copy.store, copy.keys, batch, copy.paths.held_batches_dir,
                                      copy.paths.attachments_dir)
                seconds = perf_counter() - start
            finally:
                copy.session.close()
            assert result.status == IMPORTED and len(result.outcomes) == 10_000, result.line
            return seconds

        def floor_import() -> float:
            shutil.rmtree(fresh, ignore_errors=True)
            shutil.copytree(root / "town", fresh, ignore=shutil.ignore_patterns("*.lock"))
            start = perf_counter()
            _floor_import(fresh / "data" / "meixian.db", fresh / "data" / "attachments",
                          stick / "floor.bin")
            return perf_counter() - start

        into, into_floor = interleaved(imported, floor_import, runs, warmup,
                                       name="sync_import", log=log)
        worker.session.close()
    return [Result("sync_export_10k", "ms", out, out_floor),
            Result("sync_import_10k", "ms", into, into_floor)]


def _open(home: Path) -> Home:
    from meixian_desktop.paths import under_home
    from meixian_desktop.store import profile as profile_store
    from meixian_desktop.store.session import open_session
    from meixian_desktop.sync.keys import load_keys

    paths = under_home(home)
    session = open_session(paths)
    profile = profile_store.load(session.store)
    assert profile is not None
    return Home(paths, session, profile, load_keys(paths.keys_dir))
