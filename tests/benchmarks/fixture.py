"""The benchmark home: a worker set up headless, then records sized by ``records_wanted``.

``records_wanted`` (``--records``) is the number of patrols, the table the heaviest benchmarks
work on; every other record table gets its share of it (``SHARES``, ``CAPS``: about one finding
per two patrols, their status changes, a small roster and a town's 村民小组). The home is built
once per (record count, schema version, fixture version) under the temp dir and reused;
``rebuild=True`` forces a fresh one. Set-up goes through ``firstrun.set_up`` like the ``setup``
command; every record goes through ``store.records.insert`` inside ONE ``store.transaction()``,
so ids (uuid7), timestamps, clock stamps, origin, rev, tombstone flag, the change journal and the
trigram search indexes are exactly as in real use.

Record tables are read from ``record_kinds``, so tables added by later migrations are filled
too (``DEFAULT_SHARE`` of the count unless ``SHARES`` says otherwise). Reference tables
(``villages``, seeded at set-up) get no extra rows. Tables are filled parents first. A table
without a row maker gets values for its foreign keys (the worker's own villages, or rows already
made in the parent table), its required columns and its searchable columns; everything else
keeps its default. A table whose generated row is refused (a CHECK constraint, say) is skipped
with a warning: give it an entry in ``ROW_MAKERS``. Patrols, findings, their status changes and
the fire team have makers that write realistic Chinese text (from the demo's phrases), so the
search benchmarks have something to find; every maker is a pure function of the row's index.

Households, members, measures, visits and 督促监护令 with their services, follow-ups and status
steps have makers in ``fixture_households.py``: ``records_wanted / 5`` households spread over
every village of the town, 3 members each with valid unique ID numbers, 10 visits each, and
``records_wanted / 50`` orders at every stage (the child tables' counts follow from their
parents). Their dates are spread around the day the home is built, which the marker records
(``built_on``) so the 今日待办 benchmark can use that day on a reused home. After the rows are in,
``store.households.refresh_all_due`` sets every household's ``next_visit_due`` exactly as the
store does after each save (the frequency settings, the last visit, its planned return visit).

纠纷案件 with their parties, status changes and case-number blocks have makers in
``fixture_cases.py``: ``records_wanted / 2`` cases over six years, at every status, each with 2
or 3 parties (valid unique ID numbers) and one status change per step, loadable by
``store.mediation.load_case``.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from time import perf_counter
from typing import Any

from sqlcipher3 import dbapi2 as sqlite3

from meixian_desktop.core import clock
from meixian_desktop.core.patrols import FINDING_CATEGORIES
from meixian_desktop.core.profile import make_profile
from meixian_desktop.demo import patrols as demo  # the demo's phrases, places and people
from meixian_desktop.firstrun import set_up, shipped_villages
from meixian_desktop.paths import under_home
from meixian_desktop.store import records, schema
from meixian_desktop.store import settings as settings_store
from meixian_desktop.store.database import Transaction, now_iso
from meixian_desktop.store.households import refresh_all_due
from meixian_desktop.store.session import open_session
from tests.benchmarks import fixture_cases as docket_makers
from tests.benchmarks import fixture_households as people

FIXTURE_ROOT = Path(tempfile.gettempdir()) / "meixian-bench"
MARKER = "bench-fixture.json"
FIXTURE_VERSION = 6  # bump when the rows made change, so cached homes are rebuilt
WORKER_NAME = "测试"
WORKER_VILLAGES = ("张韩村", "三里村", "石塘村")
REFERENCE_TABLES = frozenset({"villages"})

# Rows per table as a share of ``records_wanted`` (the patrols), and the most a table gets.
SHARES = {"patrols": 1.0, "findings": 0.5, "finding_events": 1.0, "attachments": 0.01,
          "households": 0.2, "orders": 0.02, "cases": 0.5}
DEFAULT_SHARE = 0.1
CAPS = {"village_groups": 36, "category_items": 12, "fire_team_members": 60,
        "attachments": 1000}
PATROL_YEARS = 6  # patrol dates spread over this many years up to today

RowMaker = Callable[[int, "TablePlan"], dict[str, Any]]


@dataclass(frozen=True)
class Fixture:
    """A ready home: where it is, how many records each table got, how long the build took."""

    home: Path
    counts: dict[str, int]
    build_seconds: float
    reused: bool
    built_on: date  # the day the dated rows were spread around (due visits, deadlines)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class TablePlan:
    """What to put in one record table: column kinds and the ids its foreign keys may take."""

    table: str
    label: str
    columns: dict[str, str]  # column -> "text" | "int" | "real" | "blob" | "date" | "datetime"
    parents: dict[str, str] = field(default_factory=dict)  # column -> parent table
    parent_column: dict[str, str] = field(default_factory=dict)  # column -> referenced column
    choices: dict[str, list[Any]] = field(default_factory=dict)  # column -> allowed values
    count: int = 0  # rows to make in this table
    villages: list[tuple[str, str]] = field(default_factory=list)  # the worker's (id, name)
    sizes: dict[str, int] = field(default_factory=dict)  # rows made so far, per table
    cache: dict[str, Any] = field(default_factory=dict)  # for a row maker's own use


def quota(table: str, records_wanted: int) -> int:
    """How many rows ``table`` gets in a home of ``records_wanted`` patrols (at least one)."""
    share = round(records_wanted * SHARES.get(table, DEFAULT_SHARE))
    return max(1, min(share, CAPS.get(table, share)))


def fixture_home(records_wanted: int) -> Path:
    """The cached home for this record count, the schema version and the fixture version."""
    return FIXTURE_ROOT / f"home-n{records_wanted}-v{schema.VERSION}-f{FIXTURE_VERSION}"


def ensure_home(records_wanted: int, *, rebuild: bool = False) -> Fixture:
    """Return the cached home for ``records_wanted`` patrols, building it first if needed."""
    home = fixture_home(records_wanted)
    marker = home / MARKER
    if not rebuild and marker.is_file():
        data = json.loads(marker.read_text(encoding="utf-8"))
        return Fixture(home, data["counts"], data["build_seconds"], reused=True,
                       built_on=date.fromisoformat(data["built_on"]))
    FIXTURE_ROOT.mkdir(parents=True, exist_ok=True)
    staging = home.with_name(f"{home.name}.building-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    start = perf_counter()
    built_on = clock.today()
    try:
        counts = build(staging, records_wanted)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    seconds = perf_counter() - start
    (staging / MARKER).write_text(
        json.dumps({"counts": counts, "build_seconds": round(seconds, 2),
                    "schema_version": schema.VERSION, "fixture_version": FIXTURE_VERSION,
                    "built_on": built_on.isoformat()},
                   ensure_ascii=False),
        encoding="utf-8",
    )
    shutil.rmtree(home, ignore_errors=True)
    staging.rename(home)
    return Fixture(home, counts, seconds, reused=False, built_on=built_on)


def build(home: Path, records_wanted: int) -> dict[str, int]:
    """Set up a worker in ``home`` and fill it for ``records_wanted`` patrols; counts per table."""
    paths = under_home(home)
    by_name = {seed.name: seed.code for seed in shipped_villages()}
    profile = make_profile("worker", WORKER_NAME, "", [by_name[n] for n in WORKER_VILLAGES])
    with open_session(paths) as session:
        set_up(session.store, paths, profile)
        with session.store.transaction() as tx:
            return fill(tx, records_wanted, worker_villages=profile.villages)


def fill(tx: Transaction, total: int, *, worker_villages: tuple[str, ...]) -> dict[str, int]:
    """Fill the non-reference record tables for a home of ``total`` patrols, parents first.

    Each table's first row is a probe: if it is refused the table is skipped (with a warning)
    and its children find no parent rows. Foreign keys spread over all rows of their parents.
    """
    if total <= 0:
        return {}
    conn = tx.conn
    kinds = records.record_kinds(tx.store)
    plans = {
        name: plan_table(conn, name, label)
        for name, label in kinds.items()
        if name not in REFERENCE_TABLES
    }
    marks = ", ".join("?" for _ in worker_villages)
    villages = [
        (row[0], row[1])
        for row in conn.execute(
            f"SELECT id, name FROM villages WHERE code IN ({marks}) ORDER BY sort", worker_villages
        )
    ]
    village_ids = [village_id for village_id, _ in villages]
    counts: dict[str, int] = {}
    town: people.Town | None = None
    docket: docket_makers.Docket | None = None
    for table in parents_first(plans):
        plan = plans[table]
        plan.villages, plan.sizes, plan.count = villages, counts, quota(table, total)
        if not resolve_parents(conn, plan, village_ids, set(kinds)):
            warn(f"{table}: a required foreign key has no parent rows; skipped")
            continue
        if table in people.ROW_MAKERS:
            town = town or make_town(tx, total)
            plan.cache["town"] = town
            derived = people.derived_count(table, town)
            if derived is not None:
                plan.count = derived
            if plan.count == 0:
                continue
        elif table in docket_makers.ROW_MAKERS:
            docket = docket or docket_makers.Docket(clock.today(), tx.store.device_id(),
                                                    quota("cases", total))
            plan.cache["docket"] = docket
            derived = docket_makers.derived_count(table, docket)
            if derived is not None:
                plan.count = derived
            if plan.count == 0:
                continue
        if not probe_row(tx, plan):
            continue
        make = ROW_MAKERS.get(table, generic_row)
        for index in range(1, plan.count):
            records.insert(tx, table, make(index, plan))
        counts[table] = plan.count
    if counts.get("households"):
        refresh_all_due(tx)  # next_visit_due exactly as the store sets it after each save
    return counts


def make_town(tx: Transaction, total: int) -> people.Town:
    """Every live village with its groups (groups are filled before households), the day,
    the visit frequencies, and how many households and orders the home gets."""
    conn = tx.conn
    villages = tuple(
        (row[0], row[1], row[2] or "") for row in conn.execute(
            "SELECT id, name, code FROM villages WHERE deleted = 0 AND retired = 0 ORDER BY sort")
    )
    groups: dict[str, list[tuple[str, str]]] = {}
    for group_id, village_id, name in conn.execute(
        "SELECT id, village_id, name FROM village_groups WHERE deleted = 0 ORDER BY sort, rowid"
    ):
        groups.setdefault(village_id, []).append((group_id, name))
    return people.Town(
        villages=villages, groups=tuple((v, tuple(g)) for v, g in groups.items()),
        today=clock.today(),
        months_key=settings_store.get(tx.store, "visit_months_key_group"),
        months_other=settings_store.get(tx.store, "visit_months_other"),
        households=quota("households", total), orders=quota("orders", total),
    )


def plan_table(conn: sqlite3.Connection, table: str, label: str) -> TablePlan:
    """Read the columns to fill: foreign keys, required ones without default, searchable ones."""
    searchable = {row[1] for row in conn.execute(f"PRAGMA table_info({table}_fts)")}
    foreign = {
        row[3]: (row[2], row[4]) for row in conn.execute(f"PRAGMA foreign_key_list({table})")
    }
    plan = TablePlan(table, label, {})
    for _cid, name, decl, notnull, default, pk in conn.execute(f"PRAGMA table_info({table})"):
        if name in schema.CONVENTION_COLUMNS or pk:
            continue
        if name in foreign:
            parent, column = foreign[name]
            plan.parents[name] = parent
            plan.parent_column[name] = column or "id"
            plan.columns[name] = "text"
            continue
        required = notnull and default is None
        if required or name in searchable:
            plan.columns[name] = column_kind(name, decl or "")
    return plan


def column_kind(name: str, declared: str) -> str:
    declared = declared.upper()
    if "INT" in declared:
        return "int"
    if any(word in declared for word in ("REAL", "FLOA", "DOUB")):
        return "real"
    if "BLOB" in declared:
        return "blob"
    if name.endswith("_at"):
        return "datetime"
    if name == "date" or name.endswith(("_on", "_date")):
        return "date"
    return "text"


def parents_first(plans: dict[str, TablePlan]) -> list[str]:
    """Tables in creation order, each after the record tables its foreign keys point to."""
    done: list[str] = []

    def visit(table: str, path: tuple[str, ...]) -> None:
        if table in done or table in path:
            return
        for parent in plans[table].parents.values():
            if parent in plans and parent != table:
                visit(parent, (*path, table))
        done.append(table)

    for table in plans:
        visit(table, ())
    return done


def resolve_parents(
    conn: sqlite3.Connection, plan: TablePlan, village_ids: list[str], record_tables: set[str]
) -> bool:
    """Load the values each foreign key may take; False if a required one has none."""
    required = {
        row[1] for row in conn.execute(f"PRAGMA table_info({plan.table})") if row[3]
    }
    for column, parent in plan.parents.items():
        if parent == "villages" and plan.parent_column[column] == "id":
            values: list[Any] = list(village_ids)
        elif parent == plan.table:
            values = []  # a link to a record of the same kind: left empty
        else:
            live = " WHERE deleted = 0" if parent in record_tables else ""
            values = [
                row[0]
                for row in conn.execute(
                    f"SELECT {plan.parent_column[column]} FROM {parent}{live} ORDER BY rowid"
                )
            ]
        if not values and column in required:
            return False
        if values:
            plan.choices[column] = values
        else:
            plan.columns.pop(column, None)
    return True


def generic_row(index: int, plan: TablePlan) -> dict[str, Any]:
    """A plausible row: numbered text, zeros, dates spread over two years, round-robin parents."""
    row: dict[str, Any] = {}
    for column, kind in plan.columns.items():
        choices = plan.choices.get(column)
        if choices:
            row[column] = choices[index % len(choices)]
        elif kind == "int":
            row[column] = 0
        elif kind == "real":
            row[column] = 0.0
        elif kind == "blob":
            row[column] = b""
        elif kind == "date":
            row[column] = (clock.today() - timedelta(days=index % 730)).isoformat()
        elif kind == "datetime":
            row[column] = now_iso()
        else:
            row[column] = f"{plan.label}{index + 1:06d}"
    return row


def village_group_row(index: int, plan: TablePlan) -> dict[str, Any]:
    villages = plan.choices["village_id"]
    number = index // len(villages) + 1
    return {"village_id": villages[index % len(villages)], "name": f"第{number}组", "sort": number}


# -- patrols, findings, their status changes, the fire team ----------------------------------
# Every value comes from a generator seeded by the row's index, so a finding can work out the
# kind and date of its patrol (and a status change those of its finding) without a query.

KIND_WEIGHTS = ([kind for kind, _ in demo.KIND_WEIGHTS], [w for _, w in demo.KIND_WEIGHTS])
LEADERS = (demo.DEMO_WORKER, demo.DEMO_WORKER, demo.DEMO_WORKER,
           *(village.secretary for village in demo.PLACES.values()),
           *(village.cadres[0] for village in demo.PLACES.values()))
WEATHER = ("sunny", "sunny", "cloudy", "cloudy", "overcast", "light_rain", "rain", "fog")
# Findings per patrol, in blocks of 12 patrols: a third of them have 1–3 findings (0.5 each).
FINDING_SLOTS = ((0, 0), (3, 0), (3, 1), (3, 2), (6, 0), (9, 0))  # (patrol in block, sort)
STILL_OPEN_DAYS = 60  # findings of older patrols are all closed
EQUIPMENT = ("风力灭火机、二号工具、灭火水袋", "二号工具、灭火水袋、对讲机", "风力灭火机、油锯",
             "灭火水袋、砍刀、头灯", "高压细水雾灭火机、对讲机")


def _seeded(index: int, salt: int) -> random.Random:
    return random.Random(index * 1_000_003 + salt)


def _demo_village(villages: list[tuple[str, str]], rng: random.Random
                  ) -> tuple[str, demo.DemoVillage]:
    by_name = {place.name: place for place in demo.PLACES.values()}
    village_id, name = villages[rng.randrange(len(villages))]
    return village_id, by_name.get(name, next(iter(demo.PLACES.values())))


def _patrol_shape(index: int, villages: list[tuple[str, str]]
                  ) -> tuple[random.Random, str, str, demo.DemoVillage, demo.Block]:
    """The generator of patrol ``index`` and what findings need: kind, village, block."""
    rng = _seeded(index, 1)
    kind = rng.choices(*KIND_WEIGHTS)[0]
    village_id, village = _demo_village(villages, rng)
    blocks = {"forest": village.forests, "river": village.rivers, "farmland": village.fields}
    return rng, kind, village_id, village, rng.choice(blocks[kind])


def _patrol_day(index: int, count: int) -> date:
    """Oldest first, spread over PATROL_YEARS up to today, a few days' jitter."""
    span = PATROL_YEARS * 365
    back = (count - 1 - index) * span // max(count - 1, 1) + (index * 2_654_435_761 >> 7) % 5 - 2
    return clock.today() - timedelta(days=max(0, back))


def patrol_row(index: int, plan: TablePlan) -> dict[str, Any]:
    rng, kind, village_id, village, block = _patrol_shape(index, plan.villages)
    day = _patrol_day(index, plan.count)
    leader = rng.choice(LEADERS)
    others = [name for name in (village.secretary, *village.cadres) if name != leader]
    start = rng.randint(7 * 60, 15 * 60)
    end = start + rng.randint(60, 210)
    notes = [n.format(few=rng.randint(1, 5), many=rng.randint(10, 40))
             for n in rng.sample(demo.NOTES[kind], 2)]
    season = demo.SEASON_NOTES[kind].get(day.month)
    if season:
        notes.insert(0, season)
    notes.append(demo.CLEAN[kind] if index % 3 else "发现问题已现场处置并登记，详见问题清单。")
    river = kind == "river"
    row: dict[str, Any] = {
        "kind": kind, "patrol_date": day.isoformat(),
        "start_time": f"{start // 60:02d}:{start % 60:02d}",
        "end_time": f"{end // 60:02d}:{end % 60:02d}", "weather": rng.choice(WEATHER),
        "leader": leader, "companions": "、".join(rng.sample(others, rng.randint(1, 3))),
        "village_ids": json.dumps([village_id]), "area": block.area,
        "route_start": block.start, "route_end": block.end, "waypoints": "[]",
        "distance_km": round(rng.uniform(2.0, 12.0), 1), "notes": "".join(notes),
        "signature": leader,
        "fire_danger": str(rng.randint(1, 5)) if kind == "forest" else "",
        "forest_entrants": rng.randint(0, 20) if kind == "forest" else None,
        "river_name": (block.river or block.area) if river else "",
        "river_section": f"{village.name}段（{block.start}至{block.end}）" if river else "",
        "river_chief_level": rng.choice(("village", "village", "town")) if river else "",
        "plot_number": block.plot if kind == "farmland" else "",
    }
    return row


def _finding_facts(index: int, plan: TablePlan) -> dict[str, Any]:
    """Finding ``index``: its patrol (position, kind, date), template, lifecycle and dates."""
    patrols = plan.sizes.get("patrols", 1)
    block, slot = divmod(index, len(FINDING_SLOTS))
    offset, sort = FINDING_SLOTS[slot]
    position = (block * 12 + offset) % patrols
    _, kind, _, village, place = _patrol_shape(position, plan.villages)
    day = _patrol_day(position, patrols)
    rng = _seeded(index, 2)
    template = rng.choice(demo.FINDINGS[kind])
    if (clock.today() - day).days > STILL_OPEN_DAYS or index % 5 >= 3:
        path = ["rectified", "open", "rectified", "closed"] if index % 19 == 0 else [
            "rectified", "closed"]
    else:
        path = {0: [], 1: ["escalated"], 2: ["rectified"]}[index % 5]
    deadline = day + timedelta(days=rng.randint(*template.days))
    return {"position": position, "sort": sort, "kind": kind, "village": village,
            "place": place, "day": day, "template": template, "path": path,
            "deadline": deadline, "rng": rng}


def finding_row(index: int, plan: TablePlan) -> dict[str, Any]:
    facts = _finding_facts(index, plan)
    template, rng, path = facts["template"], facts["rng"], facts["path"]
    status = path[-1] if path else "open"
    checked = facts["deadline"] + timedelta(days=rng.randint(1, 5))
    if status == "closed":
        checked = min(checked, clock.today())
    lat, lon = facts["village"].center
    persons = ""
    if template.person:
        persons = (f"{rng.choice(facts['village'].surnames)}{rng.choice(demo.GIVEN_NAMES)}"
                   f"（{rng.choice(demo.GROUP_NAMES[:8])}村民）")
    return {
        "patrol_id": plan.choices["patrol_id"][facts["position"] % len(plan.choices["patrol_id"])],
        "category": template.category, "description": template.description,
        "place": rng.choice(facts["place"].spots), "lat": round(lat + rng.uniform(-0.01, 0.01), 5),
        "lon": round(lon + rng.uniform(-0.01, 0.01), 5), "persons": persons,
        "action": template.action, "deadline": facts["deadline"].isoformat(),
        "recheck_date": checked.isoformat() if status in ("rectified", "closed") else None,
        "recheck_result": "复查合格，已整改到位" if status == "closed" else "",
        "area_mu": round(rng.uniform(*template.mu), 1) if template.mu else None,
        "status": status, "photos": "[]", "sort": facts["sort"],
    }


def finding_event_row(index: int, plan: TablePlan) -> dict[str, Any]:
    steps = plan.cache.get("steps")
    if steps is None:  # every status change of every finding, in order
        findings = TablePlan("findings", "", {}, villages=plan.villages, sizes=plan.sizes)
        steps = plan.cache["steps"] = [
            (number, step, facts["day"], facts["path"])
            for number in range(plan.sizes.get("findings", 0))
            for facts in (_finding_facts(number, findings),)
            for step in range(len(facts["path"]))
        ] or [(0, 0, clock.today(), ["rectified"])]
    number, step, day, path = steps[index % len(steps)]
    when = min(day + timedelta(days=2 * step + 1), clock.today() - timedelta(days=1))
    at = datetime.combine(max(when, day), time(9 + step, 30)).astimezone()
    return {
        "finding_id": plan.choices["finding_id"][number % len(plan.choices["finding_id"])],
        "at": at.isoformat(timespec="seconds"), "by_name": demo.DEMO_WORKER,
        "from_status": path[step - 1] if step else "open", "to_status": path[step],
        "note": {"rectified": "已按要求整改到位", "closed": "复查合格，同意销号",
                 "open": "复查发现仍未整改到位", "escalated": "已报镇综治中心"}[path[step]],
    }


def fire_team_row(index: int, plan: TablePlan) -> dict[str, Any]:
    rng = _seeded(index, 3)
    village_id, village = _demo_village(plan.villages, rng)
    return {
        "name": f"{rng.choice(village.surnames)}{rng.choice(demo.GIVEN_NAMES)}",
        "phone": f"139{rng.randrange(10**8):08d}", "village_id": village_id,
        "equipment": rng.choice(EQUIPMENT),
        "last_training": (clock.today() - timedelta(days=rng.randint(10, 400))).isoformat(),
    }


def category_item_row(index: int, plan: TablePlan) -> dict[str, Any]:
    sets = list(FINDING_CATEGORIES.values())
    return {"set_name": sets[index % len(sets)].name, "code": f"town_{index:03d}",
            "label": f"其他（镇定第{index + 1}类）", "sort": 100 + index}


# Tables whose rows need more than the generic guess (CHECK constraints, codes, realism).
ROW_MAKERS: dict[str, RowMaker] = {
    "village_groups": village_group_row,
    "category_items": category_item_row,
    "patrols": patrol_row,
    "findings": finding_row,
    "finding_events": finding_event_row,
    "fire_team_members": fire_team_row,
    **people.ROW_MAKERS,
    **docket_makers.ROW_MAKERS,
}


def probe_row(tx: Transaction, plan: TablePlan) -> bool:
    """Insert the table's first row through records.insert; False (and undone) if refused."""
    make = ROW_MAKERS.get(plan.table, generic_row)
    tx.conn.execute("SAVEPOINT bench_probe")
    try:
        records.insert(tx, plan.table, make(0, plan))
    except sqlite3.Error as exc:
        tx.conn.execute("ROLLBACK TO bench_probe")
        tx.conn.execute("RELEASE bench_probe")
        warn(f"{plan.table}: generated row refused ({exc}); skipped — add it to ROW_MAKERS")
        return False
    tx.conn.execute("RELEASE bench_probe")
    return True


def warn(message: str) -> None:
    print(f"fixture: {message}", file=sys.stderr)
