"""The 纠纷案件 list filtered by status and category, and the case search by party name, on the
benchmark home, against plain SQLite (the floor).

Read-only work, so the cached home is opened read-only (no scratch copy), through the store the
app uses, with a warm connection (see ``patrols.py``). Both drive the real ``CaseTableModel``
(``ui.models.mediation``), made once, as the 矛盾纠纷 page keeps it.

``case_list_filtered``: ``store.mediation.filter_condition`` with a status and a category
(结案 + 邻里, the largest such group of the home) set on the model, which reads the matching
rows' positions in list order, then every cell of the first screen read; floor: ``SELECT id
FROM cases WHERE status = ? AND category = ?`` on a raw sqlite3 connection.

``case_search_party`` / ``case_search_party_2ch``: the page's search box — ``filter_condition``
with a 3-character party name (trigram indexes of cases and parties, UNIONed) or a 2-character
one (LIKE), set on the model, first screen read; floor: ``SELECT case_id FROM case_parties
WHERE name LIKE '%word%'`` on a raw sqlite3 connection (one column of one table, no cases).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from time import perf_counter
from typing import Any

from sqlcipher3 import dbapi2 as sqlite3

from meixian_desktop.core import clock
from meixian_desktop.paths import under_home
from meixian_desktop.store.database import Store
from meixian_desktop.store.mediation import CaseFilter, filter_condition
from meixian_desktop.store.session import open_session
from tests.benchmarks.patrols import interleaved, screen
from tests.benchmarks.startup import Result
from tests.databases import raw_connection

STATUS, CATEGORY = "closed", "neighbour"  # 结案 + 邻里
SEARCH_PARTY = "张建国"  # a common three-character name
SEARCH_PARTY_2CH = "陈静"  # a two-character name

Log = Callable[[str], None] | None


def run_cases(home: Path, runs: int, *, warmup: int = 1, log: Log = None) -> list[Result]:
    """Measure the filtered case list and the party search on ``home`` (opened read-only)."""
    with open_session(under_home(home), readonly=True) as session:
        raw = raw_connection(session.paths.database, readonly=True, isolation_level=None)
        try:
            store = session.store
            return [
                measure_filtered(store, raw, runs, warmup, log),
                measure_search("case_search_party", store, raw, SEARCH_PARTY, runs, warmup,
                               log),
                measure_search("case_search_party_2ch", store, raw, SEARCH_PARTY_2CH, runs,
                               warmup, log),
            ]
        finally:
            raw.close()


def _model(store: Store) -> Any:
    from meixian_desktop.ui.models.mediation import CaseTableModel

    return CaseTableModel(store)


def _timed_filter(store: Store, model: Any, chosen: CaseFilter, found: dict[str, int]
                  ) -> Callable[[], float]:
    def app() -> float:
        """What the page does when a filter changes: the condition, the count, first screen."""
        start = perf_counter()
        condition, params = filter_condition(store, chosen, clock.today())
        model.set_filter(condition, params)
        screen(model, 0)
        seconds = perf_counter() - start
        found["app"] = model.rowCount()
        return seconds

    return app


def measure_filtered(store: Store, raw: sqlite3.Connection, runs: int, warmup: int,
                     log: Log) -> Result:
    found: dict[str, int] = {}
    app = _timed_filter(store, _model(store), CaseFilter(status=STATUS, category=CATEGORY),
                        found)

    def floor() -> float:
        start = perf_counter()
        ids = raw.execute("SELECT id FROM cases WHERE status = ? AND category = ?",
                          (STATUS, CATEGORY)).fetchall()
        seconds = perf_counter() - start
        found["floor"] = len(ids)
        return seconds

    name = "case_list_filtered"
    value, floor_ms = interleaved(app, floor, runs, warmup, name=name, log=log)
    if log is not None:
        total = raw.execute("SELECT count(*) FROM cases").fetchone()[0]
        log(f"{name}: {STATUS} + {CATEGORY} shows {found['app']} of {total} cases "
            f"(the raw select {found['floor']})")
    return Result(name, "ms", value, floor_ms)


def measure_search(name: str, store: Store, raw: sqlite3.Connection, word: str, runs: int,
                   warmup: int, log: Log) -> Result:
    found: dict[str, int] = {}
    app = _timed_filter(store, _model(store), CaseFilter(query=word), found)

    def floor() -> float:
        start = perf_counter()
        ids = raw.execute("SELECT case_id FROM case_parties WHERE name LIKE ?",
                          (f"%{word}%",)).fetchall()
        seconds = perf_counter() - start
        found["floor"] = len(ids)
        return seconds

    value, floor_ms = interleaved(app, floor, runs, warmup, name=name, log=log)
    if log is not None:
        log(f"{name}: “{word}” finds {found['app']} cases (the LIKE scan {found['floor']} "
            "parties)")
    return Result(name, "ms", value, floor_ms)
