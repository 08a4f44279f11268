"""今日待办 and the household search on the benchmark home, against plain SQLite (the floor).

Read-only work, so the cached home is opened read-only (no scratch copy), through the store the
app uses, with a warm connection (see ``patrols.py``). ``today`` is the day the home was built:
its due visits, deadlines and follow-ups are spread around that day, so a home reused a week
later still has the same amount of work due.

``today_list_worker`` / ``today_list_town``: ``store.due.due_items(store, profile, today)`` for
the home's worker (three villages) and for a town profile (all villages): every registered
source (findings to rectify and re-check, household visits, order follow-ups, observation
periods ending, orders not served); floor: the same indexed range queries on a raw sqlite3
connection (same conditions and joins, the worker's village ids looked up beforehand), rows
fetched as tuples, without building the items, labels or the sort.

``household_search_name`` / ``household_search_name_2ch`` / ``household_search_id``: the
household page's search (``store.households.filter_condition`` with a query: a 3-character
name and an 18-digit ID number go through the trigram indexes of households and members, a
2-character name falls back to LIKE), ``SELECT t.id FROM households t WHERE t.deleted = 0 AND
(cond)``, all ids fetched; floor: ``SELECT household_id FROM members WHERE name LIKE '%word%'``
(or ``id_number LIKE``) on a raw sqlite3 connection: one column of one table, no households.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from time import perf_counter
from typing import Any

from sqlcipher3 import dbapi2 as sqlite3

from meixian_desktop.core.profile import Profile, make_profile
from meixian_desktop.paths import under_home
from meixian_desktop.store import orders as order_store  # the rules its orders_due uses
from meixian_desktop.store import profile as profile_store
from meixian_desktop.store.database import Store
from meixian_desktop.store.due import due_items
from meixian_desktop.store.households import HouseholdFilter, filter_condition
from meixian_desktop.store.session import open_session
from tests.benchmarks.patrols import interleaved
from tests.benchmarks.startup import Result
from tests.databases import raw_connection

SEARCH_NAME = "李建华"  # a common three-character name
SEARCH_NAME_2CH = "陈静"  # a two-character name
HORIZON = 7  # 今日待办 looks a week ahead (due_items' default)

Log = Callable[[str], None] | None


def run_households(home: Path, runs: int, today: date, *, warmup: int = 1,
                   log: Log = None) -> list[Result]:
    """Measure 今日待办 and the household search on ``home`` (opened read-only)."""
    with open_session(under_home(home), readonly=True) as session:
        raw = raw_connection(session.paths.database, readonly=True, isolation_level=None)
        try:
            store = session.store
            worker = profile_store.load(store)
            town = make_profile("town", "梅仙镇人民政府")
            id_number = store.conn.execute(
                "SELECT id_number FROM members WHERE deleted = 0 AND id_number != '' "
                "ORDER BY rowid LIMIT 1 OFFSET (SELECT count(*) / 2 FROM members)"
            ).fetchone()
            results = []
            if worker is not None:
                results.append(measure_today("today_list_worker", store, raw, worker, today,
                                             runs, warmup, log))
            results.append(measure_today("today_list_town", store, raw, town, today, runs,
                                         warmup, log))
            results.append(measure_search("household_search_name", store, raw, SEARCH_NAME,
                                          "name", today, runs, warmup, log))
            results.append(measure_search("household_search_name_2ch", store, raw,
                                          SEARCH_NAME_2CH, "name", today, runs, warmup, log))
            if id_number is not None:
                results.append(measure_search("household_search_id", store, raw, id_number[0],
                                              "id_number", today, runs, warmup, log))
            return results
        finally:
            raw.close()


def floor_queries(raw: sqlite3.Connection, profile: Profile, today: date
                  ) -> list[tuple[str, list[Any]]]:
    """The minimal equivalent of every due source: one indexed range query each."""
    until = (today + timedelta(days=HORIZON)).isoformat()
    late_issue = (today - timedelta(days=order_store.SERVICE_OVERDUE_DAYS)).isoformat()
    ids: list[str] = []
    if not profile.is_town and profile.villages:
        marks = ", ".join("?" for _ in profile.villages)
        ids = [row[0] for row in raw.execute(
            f"SELECT id FROM villages WHERE code IN ({marks})", list(profile.villages))]
    marks = ", ".join("?" for _ in ids)
    patrol_scope = (f" AND EXISTS (SELECT 1 FROM json_each(p.village_ids) j "
                    f"WHERE j.value IN ({marks}))") if ids else ""
    village_scope = f" AND village_id IN ({marks})" if ids else ""
    live = ", ".join(f"'{status}'" for status in order_store.LIVE_STATUSES)
    findings = ("SELECT f.id, f.category, f.description, {column}, p.kind FROM findings f "
                "JOIN patrols p ON p.id = f.patrol_id WHERE {condition} AND f.deleted = 0 "
                "AND p.deleted = 0" + patrol_scope)
    orders = "SELECT id, minor_pseudonym, number, {column} FROM orders WHERE {condition} " \
             "AND deleted = 0" + village_scope
    return [
        (findings.format(column="f.deadline", condition="f.status IN ('open', 'escalated') "
                         "AND f.deadline <= ?"), [until, *ids]),
        (findings.format(column="f.recheck_date", condition="f.status = 'rectified' AND "
                         "f.recheck_date <= ? AND coalesce(f.recheck_result, '') = ''"),
         [until, *ids]),
        ("SELECT id, head_name, village_id, next_visit_due FROM households "
         "WHERE next_visit_due <= ? AND deleted = 0" + village_scope, [until, *ids]),
        (orders.format(column="next_followup_date",
                       condition=f"status IN ({live}) AND next_followup_date <= ?"),
         [until, *ids]),
        (orders.format(column="observation_end",
                       condition="status = 'observing' AND observation_end <= ?"), [until, *ids]),
        (orders.format(column="issue_date", condition="status = 'pending' AND issue_date < ?"),
         [late_issue, *ids]),
    ]


def measure_today(name: str, store: Store, raw: sqlite3.Connection, profile: Profile,
                  today: date, runs: int, warmup: int, log: Log) -> Result:
    queries = floor_queries(raw, profile, today)
    found: dict[str, Any] = {}

    def app() -> float:
        start = perf_counter()
        items = due_items(store, profile, today)
        seconds = perf_counter() - start
        found["app"] = items
        return seconds

    def floor() -> float:
        start = perf_counter()
        count = sum(len(raw.execute(sql, params).fetchall()) for sql, params in queries)
        seconds = perf_counter() - start
        found["floor"] = count
        return seconds

    value, floor_ms = interleaved(app, floor, runs, warmup, name=name, log=log)
    if log is not None:
        items = found["app"]
        kinds = Counter(item.kind_label for item in items)
        overdue = sum(item.overdue(today) for item in items)
        spread = ", ".join(f"{label} {count}" for label, count in kinds.most_common())
        log(f"{name}: {len(items)} items ({overdue} overdue; {spread}) on {today}; "
            f"the floor's queries {found['floor']} rows")
    return Result(name, "ms", value, floor_ms)


def measure_search(name: str, store: Store, raw: sqlite3.Connection, word: str, column: str,
                   today: date, runs: int, warmup: int, log: Log) -> Result:
    found: dict[str, int] = {}

    def app() -> float:
        start = perf_counter()
        condition, params = filter_condition(store, HouseholdFilter(query=word), today)
        ids = store.conn.execute(
            f"SELECT t.id FROM households t WHERE t.deleted = 0 AND ({condition})", params
        ).fetchall()
        seconds = perf_counter() - start
        found["app"] = len(ids)
        return seconds

    scan = f"SELECT household_id FROM members WHERE deleted = 0 AND {column} LIKE ?"

    def floor() -> float:
        start = perf_counter()
        ids = raw.execute(scan, [f"%{word}%"]).fetchall()
        seconds = perf_counter() - start
        found["floor"] = len(ids)
        return seconds

    value, floor_ms = interleaved(app, floor, runs, warmup, name=name, log=log)
    if log is not None:
        log(f"{name}: “{word}” finds {found['app']} households "
            f"(the LIKE scan of members.{column} {found['floor']} members)")
    return Result(name, "ms", value, floor_ms)
