"""Big batch files for the memory measurements (issue 13): a million-record batch from an
approved laptop, an 18 MB one from a key nobody approved; and the peak memory of a child
process that imports one, next to the same process standing idle."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

from meixian_desktop.core.ids import uuid7
from meixian_desktop.store.database import now_iso
from meixian_desktop.sync.container import write_batch
from meixian_desktop.sync.keys import DeviceKeys
from meixian_desktop.sync.payload import RECORDS
from meixian_desktop.sync.safezip import member_info

REPO = Path(__file__).resolve().parents[2]


def patrol_lines(count: int, device: str, village_id: str, start_ms: int) -> io.BytesIO:
    """An inner payload of ``count`` river patrols (one JSON line each), deflated, written a
    line at a time so that making it does not hold the records either."""
    buffer = io.BytesIO()
    stamp = now_iso()
    with zipfile.ZipFile(buffer, "w") as archive, \
            archive.open(member_info(RECORDS, zipfile.ZIP_DEFLATED), "w",
                         force_zip64=True) as out:
        for number in range(count):
            row = {"id": uuid7(), "created_at": stamp, "updated_at": stamp,
                   "hlc": f"{start_ms + number // 50_000:013d}-{number % 50_000:05d}-{device}",
                   "origin": device, "rev": 1, "deleted": 0, "kind": "river",
                   "patrol_date": "2026-06-01", "leader": "李梅",
                   "village_ids": json.dumps([village_id]), "river_name": "汨罗江",
                   "notes": f"第{number}次巡河"}
            out.write((json.dumps({"table": "patrols", "row": row, "base": None},
                                  ensure_ascii=False, separators=(",", ":")) + "\n")
                      .encode("utf-8"))
    return buffer


def tiny_lines(target_bytes: int) -> io.BytesIO:
    """An inner payload of tiny records, deflated to about ``target_bytes``: what a flood from
    a key nobody approved would carry (costly only if someone parsed it)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive, \
            archive.open(member_info(RECORDS, zipfile.ZIP_DEFLATED), "w",
                         force_zip64=True) as out:
        while buffer.tell() < target_bytes:
            out.write(b"".join(b'{"table":"patrols","row":{"id":"%s"}}\n' % uuid7().encode()
                               for _ in range(10_000)))
    return buffer


def write_big_batch(folder: Path, sender: DeviceKeys, device: str, town_public: bytes,
                    payload: bytes, records: int) -> Path:
    """A batch carrying ``payload``, signed and sealed with ``sender``'s keys."""
    batch_id = uuid7()
    manifest = {"batch_id": batch_id, "device_id": device, "worker": "李梅",
                "phone": "13907301234", "villages": [], "created_at": now_iso(),
                "seq_from": 1, "seq_to": records, "new_only": False, "records": records,
                "attachments": 0, "counts": {"patrols": records}}
    return write_batch(folder, manifest, payload, sender=sender,
                       town_encryption_public=town_public, name=f"大批次-{batch_id[-6:]}")


# VmHWM, not getrusage's ru_maxrss: that one survives exec and so counts the parent's memory
# at the fork (the parent holding a 1M-record payload would be measured, not the import).
CHILD = """
import re, sys
from pathlib import Path
from meixian_desktop.paths import under_home
from meixian_desktop.store.session import open_session
from meixian_desktop.sync.inbox import import_batch
from meixian_desktop.sync.keys import load_keys

paths = under_home(Path(sys.argv[1]))
keys = load_keys(paths.keys_dir)
with open_session(paths) as session:
    if sys.argv[2] != "idle":
        result = import_batch(session.store, keys, Path(sys.argv[2]), paths.held_batches_dir,
                              paths.attachments_dir)
        print(result.status, result.total, file=sys.stderr)
status = Path("/proc/self/status").read_text()
print(int(re.search(r"VmHWM:\\s+(\\d+) kB", status)[1]) // 1024)
"""


def peak_rss_mb(town_root: Path, batch: Path | None) -> tuple[int, str]:
    """Peak RSS (MB) of a fresh process importing ``batch`` into the town (None: standing
    idle with the same modules and database open), and what the import said."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(town_root), str(batch) if batch else "idle"],
        capture_output=True, text=True, cwd=REPO, timeout=3600)
    if done.returncode != 0:
        raise AssertionError(done.stderr)
    return int(done.stdout.strip().splitlines()[-1]), done.stderr.strip()
