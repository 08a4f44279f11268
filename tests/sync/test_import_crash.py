"""The town's import killed (SIGKILL) at random points: the database is before or after the
batch, never in between, passes `PRAGMA integrity_check`, and the batch then goes in whole."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from meixian_desktop.paths import under_home
from meixian_desktop.store.database import Store
from meixian_desktop.store.session import open_session
from meixian_desktop.sync.inbox import ALREADY, IMPORTED, import_batch
from meixian_desktop.sync.keys import load_keys
from meixian_desktop.sync.merge import APPLIED, record_tables
from tests.sync.homes import SANLI, TODAY, ZHANGHAN, connect, make_home, patrol

REPO = Path(__file__).resolve().parents[2]
PATROLS, FINDINGS = 120, 29  # 3,600 records
CHILD = """
import sys
from datetime import date
from pathlib import Path

from meixian_desktop.paths import under_home
from meixian_desktop.store.session import open_session
from meixian_desktop.sync.inbox import import_batch
from meixian_desktop.sync.keys import load_keys

paths = under_home(Path(sys.argv[1]))
session = open_session(paths)
keys = load_keys(paths.keys_dir)
print("ready", flush=True)
result = import_batch(session.store, keys, Path(sys.argv[2]), paths.held_batches_dir,
                      paths.attachments_dir, today=date(2025, 3, 20))
session.close()
print(result.status, flush=True)
"""


def state(store: Store) -> dict[str, Any]:
    """What an import changes, less the clock readings: every record table, the journal,
    the batches taken in, conflicts and quarantine."""
    conn = store.conn
    found: dict[str, Any] = {
        table: sorted(tuple(r) for r in conn.execute(f"SELECT * FROM {table}"))
        for table in record_tables(conn)}
    found["journal"] = [tuple(r) for r in conn.execute("SELECT * FROM journal ORDER BY seq")]
    found["imported_batches"] = [tuple(r) for r in conn.execute(
        "SELECT batch_id, device_id, seq_from, seq_to, file_name, records, applied, "
        "duplicates, conflicts, quarantined, results FROM imported_batches ORDER BY batch_id")]
    for table in ("conflicts", "quarantine", "held_batches"):
        found[table] = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    return found


def run_child(home: Path, batch: Path, *, kill_after: float | None) -> tuple[str, float]:
    """Import ``batch`` into ``home`` in another process; kill it ``kill_after`` seconds after
    it is ready to import. Returns its last line and how long the import ran."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(home), str(batch)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=env, cwd=REPO)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"
    started = time.perf_counter()
    if kill_after is not None:
        time.sleep(kill_after)
        child.kill()  # SIGKILL; TerminateProcess on Windows
    out, err = child.communicate(timeout=60)
    took = time.perf_counter() - started
    if kill_after is None:
        assert child.returncode == 0, err
    return out.strip(), took


@pytest.mark.slow
def test_a_killed_import_leaves_the_database_before_or_after(tmp_path: Path) -> None:
    town = make_home(tmp_path / "town", "town", "梅仙镇人民政府", [])
    worker = make_home(tmp_path / "worker", "worker", "李梅", [ZHANGHAN, SANLI])
    connect(town, worker, tmp_path / "stick")
    patrol(worker, "先认识一下")
    town.take(worker.export(tmp_path / "stick").path, approve_new=True)  # device approved
    for number in range(PATROLS):
        patrol(worker, f"第{number}次巡查", findings=FINDINGS)
    big = worker.export(tmp_path / "stick", new_only=True)
    assert big.records == PATROLS * (FINDINGS + 1)
    worker.session.close()
    before = state(town.store)
    town.session.close()
    pristine = tmp_path / "pristine"
    shutil.copytree(town.paths.data_dir.parent, pristine)

    clean = tmp_path / "clean"
    shutil.copytree(pristine, clean)
    status, duration = run_child(clean, big.path, kill_after=None)
    assert status == IMPORTED
    with open_session(under_home(clean)) as session:
        after = state(session.store)
    assert after != before and len(after["imported_batches"]) == 2

    rng = random.Random(7)
    fractions = [0.0, 0.1, 0.25, 0.4, 0.55, 0.7, 0.85, 0.95, 1.1]
    seen = []
    for run, fraction in enumerate(fractions):
        home = tmp_path / f"run{run}"
        shutil.copytree(pristine, home)
        run_child(home, big.path, kill_after=duration * fraction * rng.uniform(0.9, 1.1))
        paths = under_home(home)
        with open_session(paths) as session:
            store = session.store
            assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            now = state(store)
            assert now in (before, after), f"kill at {fraction:.2f} of the import: half a batch"
            seen.append("before" if now == before else "after")
            again = import_batch(store, load_keys(paths.keys_dir), big.path,
                                 paths.held_batches_dir, paths.attachments_dir, today=TODAY)
            if now == before:
                assert again.status == IMPORTED and again.count(APPLIED) == big.records
            else:
                assert again.status == ALREADY and len(again.outcomes) == big.records
            assert state(store) == after
    assert "before" in seen, seen  # the kills did land inside the import
