"""The demo data: realistic patrols at every stage, valid by the app's own rules, made once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest

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
    assert (date.today() - date.fromisoformat(first)).days > 120
    assert date.fromisoformat(last) < date.today()


def test_findings_in_every_status_with_their_history(demo) -> None:
    statuses = dict(rows(demo, "SELECT status, count(*) FROM findings GROUP BY status"))
    assert set(statuses) == {status.code for status in STATUSES}
    today = date.today().isoformat()
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
    items = due_items(demo.store, profile, date.today())
    labels = {item.kind_label for item in items}
    assert labels >= {"巡查问题整改", "巡查问题复查", "监护令回访", "监护令考察期届满", "监护令待送达"}
    assert any(item.overdue(date.today()) for item in items)
    assert any(not item.overdue(date.today()) for item in items)


def test_every_patrol_reloads_and_passes_the_typed_rules(demo) -> None:
    today = date.today()
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
        assert date.fromisoformat(trained) <= date.today()


def test_database_is_sound(demo) -> None:
    assert integrity.check(demo.store) == []


def test_second_run_adds_nothing(demo) -> None:
    before = rows(demo, "SELECT (SELECT count(*) FROM patrols), (SELECT count(*) FROM findings), "
                  "(SELECT count(*) FROM fire_team_members), (SELECT count(*) FROM village_groups)")
    made = fill_demo(demo.session)
    assert made == {name: 0 for name in made}
    after = rows(demo, "SELECT (SELECT count(*) FROM patrols), (SELECT count(*) FROM findings), "
                 "(SELECT count(*) FROM fire_team_members), (SELECT count(*) FROM village_groups)")
    assert after == before


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
    today = date.today()
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
