"""The patrol list, search and save on the benchmark home, against plain SQLite (the floor).

All run in this process on a scratch copy of the benchmark home (saving adds records, and the
cached home must stay as built), through the store the app uses, with a warm connection: the
app keeps its connection open, so the first list or search after start-up pays for loading
pages from disk once, which these figures do not include.

``patrol_search`` / ``patrol_search_2ch``: what the patrol page does when the search box
settles — ``filter_condition`` with a query of 3+ characters (trigram index) or 2 characters
(LIKE), set on the real ``PatrolTableModel`` (which counts the matches), then every cell of the
first screen read; floor: ``SELECT id FROM patrols WHERE <each searchable patrol column> LIKE
'%word%' OR ...`` on a raw sqlite3 connection (the patrols table only, no order, no findings).

``patrol_list``: the real ``PatrolTableModel`` opened on every patrol, every cell of its first
screen read, then of the last screen (the user jumping to the end); floor: ``SELECT id FROM
patrols``. The view's painting is not included.

``patrol_save``: ``parse_patrol`` + ``save_patrol`` of a patrol with 5 findings in one
transaction; floor: the same 6 rows inserted with raw sqlite3 in one transaction
(synchronous=FULL, the same database file, the same triggers).
"""

from __future__ import annotations

import os
import shutil
import statistics
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from time import perf_counter
from typing import Any

from sqlcipher3 import dbapi2 as sqlite3

from meixian_desktop.core import clock
from meixian_desktop.core.patrols import parse_patrol
from meixian_desktop.paths import under_home
from meixian_desktop.store.database import Store, now_iso
from meixian_desktop.store.patrols import (
    PatrolFilter,
    _finding_row,  # the rows save_patrol writes, so the floor writes the same
    _patrol_row,
    filter_condition,
    save_patrol,
)
from meixian_desktop.store.search import searchable_columns
from meixian_desktop.store.session import open_session
from tests.benchmarks.fixture import FIXTURE_ROOT
from tests.benchmarks.startup import Result
from tests.databases import raw_connection

SEARCH_WORD = "三里港"  # a tributary: in the area, route, river and notes of its patrols
SEARCH_WORD_2CH = "石勇"  # a two-character name, as people search for cadres
BUDGET = 15.0  # seconds one benchmark may take before it stops early
Timed = Callable[[], float]  # does one run, returns the seconds its measured part took


def interleaved(app: Timed, floor: Timed, runs: int, warmup: int, *, name: str,
                log: Callable[[str], None] | None) -> tuple[float, float]:
    """Median milliseconds of ``app`` and of ``floor``, runs alternating which goes first.

    A benchmark slower than BUDGET seconds in all stops early (after at least one measured
    run), so a pathological case still reports its figure without stalling the whole runner.
    """
    started = perf_counter()
    for _ in range(warmup):
        app()
        floor()
    app_times: list[float] = []
    floor_times: list[float] = []
    for number in range(runs):
        pairs = ((app, app_times), (floor, floor_times))
        for measure, times in pairs if number % 2 == 0 else reversed(pairs):
            times.append(measure())
        if perf_counter() - started > BUDGET and number + 1 < runs:
            if log is not None:
                log(f"{name}: stopped after {number + 1} of {runs} runs ({BUDGET:.0f} s budget)")
            break
    return statistics.median(app_times) * 1000, statistics.median(floor_times) * 1000


def scratch_copy(home: Path) -> Path:
    """A copy of the benchmark home next to it (same file system, so the same fsync cost)."""
    target = FIXTURE_ROOT / f"scratch-{os.getpid()}"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(home, target, ignore=shutil.ignore_patterns("*.lock"))
    return target


def run_patrols(home: Path, runs: int, *, warmup: int = 1,
                log: Callable[[str], None] | None = None) -> list[Result]:
    """Measure search, list and save on a scratch copy of ``home``; the copy is removed."""
    scratch = scratch_copy(home)
    try:
        with open_session(under_home(scratch)) as session:
            raw = raw_connection(session.paths.database, isolation_level=None)
            try:
                raw.execute("PRAGMA synchronous = FULL")
                store = session.store
                return [
                    measure_search("patrol_search", store, raw, SEARCH_WORD, runs, warmup, log),
                    measure_search("patrol_search_2ch", store, raw, SEARCH_WORD_2CH, runs,
                                   warmup, log),
                    measure_list(store, raw, runs, warmup, log),
                    measure_save(store, raw, runs, warmup, log),
                ]
            finally:
                raw.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def measure_search(name: str, store: Store, raw: sqlite3.Connection, word: str, runs: int,
                   warmup: int, log: Callable[[str], None] | None) -> Result:
    today = clock.today()
    found: dict[str, int] = {}

    from meixian_desktop.ui.models.patrols import PatrolTableModel

    model = PatrolTableModel(store)

    def app() -> float:
        """What the page does when the search box settles: filter, count, first screen."""
        start = perf_counter()
        condition, params = filter_condition(store, PatrolFilter(query=word), today)
        model.set_filter(condition, params)
        screen(model, 0)
        seconds = perf_counter() - start
        found["app"] = model.rowCount()
        return seconds

    columns = searchable_columns(store, "patrols")
    scan = "SELECT id FROM patrols WHERE " + " OR ".join(f"{c} LIKE ?" for c in columns)

    def floor() -> float:
        start = perf_counter()
        ids = raw.execute(scan, [f"%{word}%"] * len(columns)).fetchall()
        seconds = perf_counter() - start
        found["floor"] = len(ids)
        return seconds

    value, floor_ms = interleaved(app, floor, runs, warmup, name=name, log=log)
    if log is not None:
        log(f"{name}: “{word}” finds {found['app']} patrols (the LIKE scan {found['floor']})")
    return Result(name, "ms", value, floor_ms)


SCREEN = 30  # rows a list shows at once


def screen(model: Any, first_row: int) -> int:
    """Read every cell of one screenful of rows, as the view does when it paints."""
    rows = min(SCREEN, model.rowCount() - first_row)
    for row in range(first_row, first_row + rows):
        for column in range(model.columnCount()):
            model.data(model.index(row, column))
    return rows


def measure_list(store: Store, raw: sqlite3.Connection, runs: int, warmup: int,
                 log: Callable[[str], None] | None) -> Result:
    shown: dict[str, int] = {}

    from meixian_desktop.ui.models.patrols import PatrolTableModel

    def app() -> float:
        """The real list model: open it, show the first screen, jump to the last row."""
        start = perf_counter()
        model = PatrolTableModel(store)
        first = screen(model, 0)
        last = screen(model, max(model.rowCount() - SCREEN, 0))
        seconds = perf_counter() - start
        shown.update(ids=model.rowCount(), rows=first + last)
        return seconds

    def floor() -> float:
        start = perf_counter()
        raw.execute("SELECT id FROM patrols").fetchall()
        return perf_counter() - start

    value, floor_ms = interleaved(app, floor, runs, warmup, name="patrol_list", log=log)
    if log is not None:
        log(f"patrol_list: {shown['ids']} patrols, {shown['rows']} rows shown "
            "(PatrolTableModel: first screen and last screen)")
    return Result("patrol_list", "ms", value, floor_ms)


def patrol_with_findings(village_id: str, number: int) -> dict[str, Any]:
    """A forest patrol with 5 findings, as typed (what the editor hands to parse_patrol)."""
    day = (clock.today() - timedelta(days=1)).isoformat()  # today's would need its end time past
    findings = [
        {"category": category, "description": description, "place": place,
         "lat": f"{28.74 + i / 1000:.5f}", "lon": f"{113.47 + i / 1000:.5f}",
         "persons": persons, "action": action, "deadline": clock.today().isoformat()}
        for i, (category, description, place, persons, action) in enumerate((
            ("field_fire", "村民在田边烧秸秆，已当场劝阻并扑灭", "后山林区三岔路口",
             "张国华（第三组村民）", "dissuaded"),
            ("fire_hazard", "防火通道内枯枝落叶堆积约50米", "后山防火通道2号弯道", "", "registered"),
            ("entrant_registration", "外地游客3人进山未登记，已补登记", "后山进山路口", "",
             "registered"),
            ("facility_damage", "森林防火宣传牌被风刮倒", "瞭望台东侧山坳", "", "registered"),
            ("illegal_logging", "发现新伐杉木桩5根，疑似无证采伐", "张家祖山坟山片",
             "", "reported"),
        ))
    ]
    return {
        "kind": "forest", "patrol_date": day, "start_time": "08:30", "end_time": "11:20",
        "weather": "sunny", "leader": "李梅", "companions": "张建国、张德胜",
        "village_ids": [village_id], "area": "张韩村后山林区", "route_start": "张韩村村部",
        "route_end": "后山防火瞭望台", "distance_km": "8.5", "signature": "李梅",
        "notes": f"基准测试第{number}次保存：沿防火通道巡查，宣传森林防火“十不准”。",
        "fire_danger": "4", "forest_entrants": "6", "findings": findings,
    }


def measure_save(store: Store, raw: sqlite3.Connection, runs: int, warmup: int,
                 log: Callable[[str], None] | None) -> Result:
    village_id = store.conn.execute(
        "SELECT id FROM villages WHERE deleted = 0 ORDER BY sort LIMIT 1").fetchone()[0]
    device = store.device_id()
    today = clock.today()
    saved = {"app": 0, "floor": 0}

    def typed() -> dict[str, Any]:
        return patrol_with_findings(village_id, saved["app"] + saved["floor"])

    def app() -> float:
        patrol = typed()
        start = perf_counter()
        parsed = parse_patrol(patrol, today=today)
        with store.transaction() as tx:
            save_patrol(tx, parsed)
        seconds = perf_counter() - start
        saved["app"] += 1
        return seconds

    def convention(counter: int) -> dict[str, Any]:
        stamp = now_iso()
        wall = store.now_ms()
        return {"id": str(uuid.uuid4()), "created_at": stamp, "updated_at": stamp,
                "hlc": f"{wall:013d}-{counter:05d}-{device}", "origin": device, "rev": 1,
                "deleted": 0}

    def insert(table: str, row: dict[str, Any]) -> None:
        names = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        raw.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", list(row.values()))

    def floor() -> float:
        patrol = parse_patrol(typed(), today=today)  # rows prepared outside the timing
        patrol_row = {**convention(0), **_patrol_row(patrol)}
        finding_rows = [{**convention(n + 1), **_finding_row(f, patrol_row["id"], n)}
                        for n, f in enumerate(patrol.findings)]
        start = perf_counter()
        raw.execute("BEGIN IMMEDIATE")
        insert("patrols", patrol_row)
        for row in finding_rows:
            insert("findings", row)
        raw.execute("COMMIT")
        seconds = perf_counter() - start
        saved["floor"] += 1
        return seconds

    value, floor_ms = interleaved(app, floor, runs, warmup, name="patrol_save", log=log)
    if log is not None:
        log(f"patrol_save: {saved['app']} patrols saved by the store, {saved['floor']} by the "
            "floor, 5 findings each")
    return Result("patrol_save", "ms", value, floor_ms)
