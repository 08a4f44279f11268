"""The demo data: realistic patrols at every stage, valid by the app's own rules, made once."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from meixian_desktop.core import clock
from meixian_desktop.core.patrols import KINDS, STATUSES, parse_patrol, patrol_to_raw
from meixian_desktop.demo import DEMO_WORKER, fill_demo
from meixian_desktop.paths import under_home
from meixian_desktop.store import integrity
from meixian_desktop.store import profile as profile_store
from meixian_desktop.store.database import Store
from meixian_desktop.store.due import due_items
from meixian_desktop.store.patrols import load_patrol
from meixian_desktop.store.session import Session, open_session


@dataclass
class Demo:
    session: Session
    made: dict[str, int]
    seconds: float

    @property
    def store(self) -> Store:
        return self.session.store


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Iterator[Demo]:
    """One demo home for the module (the first fill_demo, timed)."""
    session = open_session(under_home(tmp_path_factory.mktemp("demo")))
    start = time.perf_counter()
    made = fill_demo(session)
    yield Demo(session, made, time.perf_counter() - start)
    session.close()


def rows(demo: Demo, sql: str, *params: object) -> list[tuple]:
    return [tuple(row) for row in demo.store.conn.execute(sql, params)]


def test_demo_is_quick_and_counts_what_it_made(demo) -> None:
    assert demo.seconds < 2
    assert demo.made["demo_patrols"] == rows(demo, "SELECT count(*) FROM patrols")[0][0]
    assert demo.made["demo_fire_team"] >= 5
    assert demo.made["demo_groups"] > 100


def test_patrols_of_every_kind_mostly_led_by_the_worker(demo) -> None:
    kinds = dict(rows(demo, "SELECT kind, count(*) FROM patrols GROUP BY kind"))
    assert set(kinds) == {kind.code for kind in KINDS}
    total = sum(kinds.values())
    assert total >= 60
    assert 0.3 < kinds["forest"] / total < 0.6  # about 45 %, 35 %, 20 %
    assert 0.2 < kinds["river"] / total < 0.5
    assert 0.08 < kinds["farmland"] / total < 0.35
    own = rows(demo, "SELECT count(*) FROM patrols WHERE leader = ?", DEMO_WORKER)[0][0]
    assert own > total / 2
    first, last = rows(demo, "SELECT min(patrol_date), max(patrol_date) FROM patrols")[0]
    assert (clock.today() - date.fromisoformat(first)).days > 120
    assert date.fromisoformat(last) < clock.today()


def test_findings_in_every_status_with_their_history(demo) -> None:
    statuses = dict(rows(demo, "SELECT status, count(*) FROM findings GROUP BY status"))
    assert set(statuses) == {status.code for status in STATUSES}
    today = clock.today().isoformat()
    overdue = rows(demo, "SELECT count(*) FROM findings WHERE status = 'open' AND deadline < ?",
                   today)[0][0]
    recheck = rows(demo, "SELECT count(*) FROM findings WHERE status = 'rectified' "
                   "AND recheck_date <= date(?, '+7 days')", today)[0][0]
    assert overdue >= 1
    assert recheck >= 1
    unhistoried = rows(demo, "SELECT count(*) FROM findings f WHERE status != 'open' AND NOT "
                       "EXISTS (SELECT 1 FROM finding_events e WHERE e.finding_id = f.id)")[0][0]
    assert unhistoried == 0
    with_findings = rows(demo, "SELECT count(DISTINCT patrol_id) FROM findings")[0][0]
    patrols = rows(demo, "SELECT count(*) FROM patrols")[0][0]
    assert 0.2 < with_findings / patrols < 0.6


def test_today_list_shows_overdue_and_due_findings(demo) -> None:
    profile = profile_store.load(demo.store)
    items = due_items(demo.store, profile, clock.today())
    labels = {item.kind_label for item in items}
    assert labels >= {"巡查问题整改", "巡查问题复查", "监护令回访", "监护令考察期届满", "监护令待送达"}
    assert any(item.overdue(clock.today()) for item in items)
    assert any(not item.overdue(clock.today()) for item in items)


def test_every_patrol_reloads_and_passes_the_typed_rules(demo) -> None:
    today = clock.today()
    for (patrol_id,) in rows(demo, "SELECT id FROM patrols"):
        patrol = load_patrol(demo.store, patrol_id)
        assert patrol is not None
        again = parse_patrol(patrol_to_raw(patrol), today=today)
        assert again.findings == patrol.findings
        assert again.village_ids == patrol.village_ids


def test_fire_team_has_valid_phones_and_equipment(demo) -> None:
    for name, phone, equipment, trained in rows(
        demo, "SELECT name, phone, equipment, last_training FROM fire_team_members"
    ):
        assert name and equipment
        assert len(phone) == 11 and phone.startswith("139")
        assert date.fromisoformat(trained) <= clock.today()


def test_database_is_sound(demo) -> None:
    assert integrity.check(demo.store) == []


COUNTS = ("SELECT (SELECT count(*) FROM patrols), (SELECT count(*) FROM findings), "
          "(SELECT count(*) FROM fire_team_members), (SELECT count(*) FROM village_groups), "
          "(SELECT count(*) FROM households), (SELECT count(*) FROM members), "
          "(SELECT count(*) FROM measures), (SELECT count(*) FROM visits), "
          "(SELECT count(*) FROM orders)")


def test_second_run_adds_nothing(demo) -> None:
    before = rows(demo, COUNTS)
    made = fill_demo(demo.session)
    assert made == {name: 0 for name in made}
    assert rows(demo, COUNTS) == before


def test_same_seed_same_patrols(tmp_path) -> None:
    def content(home) -> list[tuple]:
        with open_session(under_home(home)) as session:
            fill_demo(session, seed=7)
            return rows(Demo(session, {}, 0), "SELECT kind, patrol_date, leader, area, notes FROM patrols "
                        "ORDER BY patrol_date, start_time, leader")

    assert content(tmp_path / "a") == content(tmp_path / "b")


def test_orders_at_every_stage_valid_by_the_typed_rules(demo) -> None:
    from meixian_desktop.core.orders import order_to_raw, parse_order
    from meixian_desktop.store import orders as order_store

    statuses = dict(rows(demo, "SELECT status, count(*) FROM orders GROUP BY status"))
    assert set(statuses) == {"pending", "served", "observing", "ended"}
    assert {r[0] for r in rows(demo, "SELECT outcome FROM orders WHERE status = 'ended'")} == {
        "fulfilled", "unfulfilled"}
    today = clock.today()
    for (order_id,) in rows(demo, "SELECT id FROM orders"):
        order = order_store.load_order(demo.store, order_id)
        assert order is not None
        assert parse_order(order_to_raw(order), today=today) == order
        if order.status != "pending":
            assert order_store.services(demo.store, order_id)
            assert order.history[0].to_status == "served"
        for followup in order_store.followups(demo.store, order_id):
            assert len(followup.compliance) == len(order.duties)
    profile = profile_store.load(demo.store)
    items = order_store.orders_due(demo.store, profile, today, 7)
    assert {i.kind_label for i in items} == {"监护令回访", "监护令考察期届满", "监护令待送达"}
    names = {r[0] for r in rows(demo, "SELECT minor_name FROM orders")}
    assert not any(name in item.title for item in items for name in names)


# -- households and visits ---------------------------------------------------------------------


def _all_tags(demo: Demo) -> dict[str, int]:
    """Households carrying each 重点人群 tag, on the household or one of its members."""
    from meixian_desktop.store.households import load_household

    found: dict[str, int] = {}
    for (household_id,) in rows(demo, "SELECT id FROM households"):
        household = load_household(demo.store, household_id)
        assert household is not None
        for tag in household.all_tags():
            found[tag] = found.get(tag, 0) + 1
    return found


def test_households_of_several_kinds_in_the_workers_villages(demo) -> None:
    from meixian_desktop.core.validation import check_phone
    from meixian_desktop.demo.places import DEMO_VILLAGES, PLACES

    count = rows(demo, "SELECT count(*) FROM households")[0][0]
    assert demo.made["demo_households"] == count
    assert 40 <= count <= 60
    codes = dict(rows(demo, "SELECT v.code, count(*) FROM households h "
                      "JOIN villages v ON v.id = h.village_id GROUP BY v.code"))
    assert set(codes) == set(DEMO_VILLAGES)
    tags = _all_tags(demo)
    assert {"dibao", "tekun", "monitored", "left_behind_elderly", "empty_nest",
            "left_behind_child", "disabled"} <= set(tags)
    assert any(tag.startswith("child_") and tag != "left_behind_child" for tag in tags)
    plain = rows(demo, "SELECT count(*) FROM households h WHERE h.tags = '[]' AND NOT EXISTS "
                 "(SELECT 1 FROM members m WHERE m.household_id = h.id AND m.tags != '[]')")[0][0]
    assert plain >= 5
    sizes = [r[0] for r in rows(demo, "SELECT count(*) FROM members GROUP BY household_id")]
    assert len(sizes) == count and min(sizes) >= 2 and max(sizes) <= 6
    cadres = {"李梅"} | {name for place in PLACES.values()
                         for name in (place.secretary, *place.cadres)}
    for address, village, phone, cadre, head, relation in rows(
        demo, "SELECT h.address, v.name, h.phone, h.cadre, h.head_name, m.relation "
        "FROM households h JOIN villages v ON v.id = h.village_id "
        "JOIN members m ON m.household_id = h.id AND m.sort = 0"
    ):
        assert address.startswith(village) and "组" in address and address.endswith("号")
        assert check_phone(phone) == phone
        assert cadre in cadres
        assert relation == "head" and head
    for (phone,) in rows(demo, "SELECT phone FROM members WHERE phone != ''"):
        assert check_phone(phone) == phone and len(phone) == 11


def test_monitored_households_have_risks_income_and_measures(demo) -> None:
    monitored = rows(demo, "SELECT id, monitoring_type, risk_types, income_per_capita, "
                     "income_year, monitoring_included_on FROM households "
                     "WHERE EXISTS (SELECT 1 FROM json_each(tags) WHERE value = 'monitored')")
    assert len(monitored) >= 3
    assert len({r[1] for r in monitored}) >= 2
    for household_id, kind, risks, income, year, included in monitored:
        assert kind and risks != "[]" and income > 0 and year == clock.today().year - 1
        measures = rows(demo, "SELECT measure_type, content, start_date, end_date, unit "
                        "FROM measures WHERE household_id = ?", household_id)
        assert 2 <= len(measures) <= 3
        for _kind, content, start, end, unit in measures:
            assert content and unit and included < start < end
    disabled = rows(demo, "SELECT disability_category, disability_grade FROM members "
                    "WHERE health = 'disabled'")
    assert disabled and all(category and grade for category, grade in disabled)
    pupils = rows(demo, "SELECT count(*) FROM members WHERE school_status IN "
                  "('primary', 'junior', 'senior')")[0][0]
    away = rows(demo, "SELECT count(*) FROM members WHERE work_status = 'away_work'")[0][0]
    assert pupils >= 10 and away >= 6


def test_member_id_numbers_are_valid_unique_and_agree(demo) -> None:
    from meixian_desktop.core.validation import check_id_number

    today = clock.today()
    members = rows(demo, "SELECT id_number, gender, birth_date FROM members")
    assert len({r[0] for r in members}) == len(members)
    for id_number, gender, birth in members:
        checked = check_id_number(id_number, today)
        assert id_number.startswith("430626")
        assert (checked.gender, checked.birth_date.isoformat()) == (gender, birth)


def test_every_household_and_visit_reloads_and_passes_the_typed_rules(demo) -> None:
    from meixian_desktop.core.households import (
        household_to_raw,
        parse_household,
        parse_visit,
        visit_to_raw,
    )
    from meixian_desktop.store.households import load_household, load_visit

    today = clock.today()
    for (household_id,) in rows(demo, "SELECT id FROM households"):
        household = load_household(demo.store, household_id)
        assert household is not None
        assert parse_household(household_to_raw(household), today=today) == household
    visits = rows(demo, "SELECT id FROM visits")
    assert len(visits) >= 100
    for (visit_id,) in visits:
        visit = load_visit(demo.store, visit_id)
        assert visit is not None
        assert parse_visit(visit_to_raw(visit), today=today) == visit


def test_visits_over_months_with_needs_and_referrals(demo) -> None:
    today = clock.today()
    first, last = rows(demo, "SELECT min(visit_date), max(visit_date) FROM visits")[0]
    assert (today - date.fromisoformat(first)).days > 90
    assert date.fromisoformat(last) <= today
    for notes in rows(demo, "SELECT income_note, health_note, housing_note, water_note, "
                      "done_on_spot, visitors FROM visits"):
        assert all(notes)
    referred = rows(demo, "SELECT visit_date, referrals FROM visits WHERE referrals != '[]'")
    assert len(referred) >= 5
    for visit_date, referrals in referred:
        for item in json.loads(referrals):
            assert item["department"] and item["item"] and item["deadline"] >= visit_date
    needs = rows(demo, "SELECT count(*) FROM visits WHERE needs != '[]'")[0][0]
    assert needs >= 10
    schooling = rows(demo, "SELECT count(*) FROM visits WHERE schooling_note != ''")[0][0]
    assert schooling >= 10


def test_visits_due_on_the_today_list(demo) -> None:
    today = clock.today()
    profile = profile_store.load(demo.store)
    items = [item for item in due_items(demo.store, profile, today)
             if item.kind_label == "入户走访"]
    overdue = [item for item in items if item.overdue(today)]
    assert overdue
    assert any(not item.overdue(today) for item in items)
    assert all(item.table == "households" and item.title.endswith("户") for item in items)
    count = rows(demo, "SELECT count(*) FROM households")[0][0]
    assert len(items) < count / 2  # most were visited recently
    recent = rows(demo, "SELECT count(*) FROM households WHERE next_visit_due > ?",
                  (today + timedelta(days=7)).isoformat())[0][0]
    assert recent == count - len(items)


def test_households_step_is_quick_and_valid_on_any_day(tmp_path) -> None:
    import random

    from meixian_desktop.core.profile import make_profile
    from meixian_desktop.demo.households import demo_households
    from meixian_desktop.demo.places import DEMO_VILLAGES, demo_groups
    from meixian_desktop.firstrun import set_up

    for number, today in enumerate((date(2025, 1, 31), date(2024, 2, 29), clock.today())):
        with open_session(under_home(tmp_path / str(number))) as session:
            set_up(session.store, session.paths,
                   make_profile("worker", DEMO_WORKER, "13907301234", DEMO_VILLAGES))
            demo_groups(session, random.Random(number))
            start = time.perf_counter()
            made = demo_households(session, random.Random(number), today=today)
            assert time.perf_counter() - start < 1
            assert made >= 40
            items = [item for item in due_items(session.store, profile_store.load(session.store),
                                                today) if item.kind_label == "入户走访"]
            assert any(item.overdue(today) for item in items)


def test_same_seed_same_households(tmp_path) -> None:
    def content(home) -> list[tuple]:
        with open_session(under_home(home)) as session:
            fill_demo(session, seed=11)
            demo = Demo(session, {}, 0)
            return rows(demo, "SELECT h.number, h.head_name, h.address, h.tags, h.next_visit_due, "
                        "(SELECT group_concat(m.id_number) FROM members m "
                        "WHERE m.household_id = h.id), (SELECT group_concat(v.visit_date || "
                        "v.done_on_spot) FROM visits v WHERE v.household_id = h.id) "
                        "FROM households h ORDER BY h.number")

    assert content(tmp_path / "a") == content(tmp_path / "b")
