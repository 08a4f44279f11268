"""Sync over the network: 20 laptops each pushing 20 batches at once to a real meixian-hub
process (the load test's load), against the file import of the same 400 batches.

Hub: a fresh copy of a town home that knows the 20 devices, a hub process started on it, then
20 threads each POSTing its batches in order and applying each receipt (a 503 is retried after
a short pause); the wall time from the first POST to the last receipt, per batch. Floor:
``sync.inbox.import_batch`` of the same 400 files in a loop on another fresh copy of the town
home, per batch. The figure is ms per batch (value: hub, floor: file import); batches/s and
records/s at the hub go to stderr. The batches are made once per run of the benchmarks.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from time import perf_counter

from meixian_desktop.paths import under_home
from meixian_desktop.sync.inbox import IMPORTED, import_batch
from tests.benchmarks.patrols import interleaved
from tests.benchmarks.startup import Result
from tests.benchmarks.sync import _open
from tests.hub.conftest import LoadWorker, make_load, push_load, start_hub, town_records
from tests.sync.homes import make_home

WORKERS, BATCHES, FINDINGS = 20, 20, 2

Log = Callable[[str], None] | None


def run_hub(runs: int, *, warmup: int = 1, log: Log = None) -> list[Result]:
    """The 20×20 load through the hub against the file import of the same batches."""
    with tempfile.TemporaryDirectory(prefix="meixian-bench-hub-") as folder:
        root = Path(folder)
        town = make_home(root / "town", "town", "梅仙镇人民政府", [])
        load = make_load(root / "load", town, WORKERS, BATCHES, FINDINGS)
        town.session.close()
        batches = WORKERS * BATCHES
        records = sum(w.records for w in load)
        fresh = root / "town-copy"
        figures: list[tuple[float, float]] = []

        def copy_town() -> None:
            shutil.rmtree(fresh, ignore_errors=True)
            shutil.copytree(root / "town", fresh, ignore=shutil.ignore_patterns("*.lock"))

        def over_hub() -> float:
            copy_town()
            workers = _fresh_workers(root, load)
            hub = start_hub(fresh, root / "hub.log", "--per-address", "100000")
            try:
                before = hub.rss_mb()
                outcome = push_load(hub.url, workers)
                grown = hub.rss_mb() - before
            finally:
                hub.stop()
            assert not outcome.errors, outcome.errors[:3]
            rows, distinct, taken = town_records(under_home(fresh))
            assert taken == batches and outcome.acknowledged == records, (taken, outcome)
            assert rows == distinct
            figures.append((outcome.seconds, grown))
            if log is not None:
                log(f"hub: {batches} batches, {records} records in {outcome.seconds:.2f} s: "
                    f"{batches / outcome.seconds:.1f} batches/s, "
                    f"{records / outcome.seconds:.0f} records/s; 503s {outcome.count(503)}; "
                    f"hub RSS grew {grown:.1f} MB")
            return outcome.seconds / batches

        def by_file() -> float:
            copy_town()
            town_copy = _open(fresh)
            try:
                start = perf_counter()
                for worker in load:
                    for path in worker.batches:
                        result = import_batch(town_copy.store, town_copy.keys, path,
                                              town_copy.paths.held_batches_dir,
                                              town_copy.paths.attachments_dir)
                        assert result.status == IMPORTED, result.line
                seconds = perf_counter() - start
            finally:
                town_copy.session.close()
            if log is not None:
                log(f"file import: {batches} batches in {seconds:.2f} s: "
                    f"{batches / seconds:.1f} batches/s, {records / seconds:.0f} records/s")
            return seconds / batches

        hub_ms, file_ms = interleaved(over_hub, by_file, runs, warmup, name="hub_push",
                                      log=log)
    return [Result("hub_push_20x20_per_batch", "ms", hub_ms, file_ms)]


def _fresh_workers(root: Path, load: list[LoadWorker]) -> list[LoadWorker]:
    """Copies of the laptops as they were before any push (receipts change them)."""
    made = []
    for worker in load:
        target = root / "load-copy" / worker.home.name
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(worker.home, target, ignore=shutil.ignore_patterns("*.lock"))
        made.append(LoadWorker(target, [target / p.relative_to(worker.home)
                                        for p in worker.batches], worker.records))
    return made
