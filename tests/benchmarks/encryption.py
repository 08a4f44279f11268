"""What encryption at rest costs (docs/keys.md).

``unlock``: seconds to unwrap the data key with the password at the shipped Argon2id cost
(median of the runs; the target is at most 1 s on a weak laptop); no floor.

``*_encrypted``: the app's own code on the benchmark home (SQLCipher) against the very same code
on a clear copy of it (the floor), interleaved, warm connections: ``patrol_list`` (the real
PatrolTableModel, first and last screen), ``patrol_search`` (the search box's filter, first
screen), ``today_worker`` / ``today_town`` (今日待办's due_items). Target: within 1.3×.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from time import perf_counter

from sqlcipher3 import dbapi2 as sqlite3

from meixian_desktop.core.profile import Profile, make_profile
from meixian_desktop.paths import under_home
from meixian_desktop.store import profile as profile_store
from meixian_desktop.store import vault
from meixian_desktop.store.database import CACHE_KIB, Store
from meixian_desktop.store.due import due_items
from meixian_desktop.store.patrols import PatrolFilter, filter_condition
from meixian_desktop.store.session import open_session
from tests.benchmarks.fixture import FIXTURE_ROOT
from tests.benchmarks.patrols import SCREEN, SEARCH_WORD, interleaved, screen
from tests.benchmarks.startup import Result

Log = Callable[[str], None] | None
BENCH_PASSWORD = "bench-pass-2026"


def protected_home() -> Path:
    """A small home with a password at the shipped cost (made once per run, then removed by
    the caller)."""
    home = Path(tempfile.mkdtemp(prefix="protected-", dir=FIXTURE_ROOT))
    paths = under_home(home)
    open_session(paths).close()
    vault.set_password(paths.data_dir, BENCH_PASSWORD, kdf=vault.KdfParams())
    vault.forget(paths.data_dir)
    return home


def measure_unlock(home: Path, runs: int, log: Log) -> Result:
    data_dir = under_home(home).data_dir
    times = []
    for _ in range(max(runs, 3)):
        vault.forget(data_dir)
        start = perf_counter()
        vault.unlock(data_dir, BENCH_PASSWORD)
        times.append(perf_counter() - start)
    if log is not None:
        log(f"unlock: Argon2id {vault.KdfParams()} runs {', '.join(f'{t:.3f}' for t in times)}")
    return Result("unlock", "s", statistics.median(times), None)


def clear_copy(database: Path, key: bytes) -> Path:
    """The benchmark database decrypted into a clear file beside it."""
    target = database.with_name(f"clear-{database.stat().st_ino}.db")
    target.unlink(missing_ok=True)
    conn = sqlite3.connect(str(database), isolation_level=None)
    try:
        conn.execute(f"PRAGMA key = {vault.sqlcipher_key(key)}")
        conn.execute("ATTACH DATABASE ? AS plain KEY ''", (str(target),))
        conn.execute("SELECT sqlcipher_export('plain')")
        conn.execute("DETACH DATABASE plain")
    finally:
        conn.close()
    return target


def clear_store(path: Path) -> Store:
    """A Store on the clear copy: the app's code on an unencrypted file (benchmark only)."""
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")  # the app's own cache, as connect() sets
    return Store(conn, path, b"")


def operations(worker: Profile | None, today: date) -> list[tuple[str, Callable[[Store], int]]]:
    from meixian_desktop.ui.models.patrols import PatrolTableModel

    def patrol_list(store: Store) -> int:
        model = PatrolTableModel(store)
        return screen(model, 0) + screen(model, max(model.rowCount() - SCREEN, 0))

    def patrol_search(store: Store) -> int:
        model = PatrolTableModel(store)
        condition, params = filter_condition(store, PatrolFilter(query=SEARCH_WORD), today)
        model.set_filter(condition, params)
        return screen(model, 0)

    town = make_profile("town", "梅仙镇人民政府")
    chosen = [("patrol_list", patrol_list), ("patrol_search", patrol_search),
              ("today_town", lambda store: len(due_items(store, town, today)))]
    if worker is not None:
        chosen.append(("today_worker", lambda store: len(due_items(store, worker, today))))
    return chosen


def run_encryption(home: Path, runs: int, today: date, *, warmup: int = 1,
                   log: Log = None) -> list[Result]:
    protected = protected_home()
    try:
        results = [measure_unlock(protected, runs, log)]
    finally:
        shutil.rmtree(protected, ignore_errors=True)
    with open_session(under_home(home), readonly=True) as session:
        encrypted = session.store
        copy = clear_copy(session.paths.database, encrypted.key)
        clear = clear_store(copy)
        try:
            worker = profile_store.load(encrypted)
            for name, operation in operations(worker, today):
                def timed(store: Store, run: Callable[[Store], int] = operation) -> float:
                    start = perf_counter()
                    run(store)
                    return perf_counter() - start

                value, floor = interleaved(lambda: timed(encrypted), lambda: timed(clear), runs,
                                           warmup, name=f"{name}_encrypted", log=log)
                results.append(Result(f"{name}_encrypted", "ms", value, floor))
        finally:
            clear.close()
            copy.unlink(missing_ok=True)
    return results
