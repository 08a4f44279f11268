"""Patrols in the database: saved and loaded whole, updated, status history, filters, 今日待办."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest

from meixian_desktop.core.errors import RecordInvalid, ValidationError
from meixian_desktop.core.geo import Waypoint
from meixian_desktop.core.patrols import (
    FINDING_CATEGORIES,
    Finding,
    Patrol,
    StatusChange,
    parse_patrol,
    patrol_to_raw,
    transition,
)
from meixian_desktop.core.profile import make_profile
from meixian_desktop.firstrun import set_up
from meixian_desktop.store import records, schema
from meixian_desktop.store.attachments import add_photo
from meixian_desktop.store.database import Store
from meixian_desktop.store.due import DueItem, due_items
from meixian_desktop.store.integrity import check
from meixian_desktop.store.patrols import (
    PatrolFilter,
    add_category,
    delete_patrol,
    filter_condition,
    finding_categories,
    findings_due,
    last_patrol,
    leaders,
    load_patrol,
    patrol_of_finding,
    save_patrol,
)
from meixian_desktop.store.session import open_session
from meixian_desktop.store.villages import list_villages, village_by_code
from tests.conftest import SANLI, ZHANGHAN
from tests.store.test_attachments import jpeg_bytes, png_bytes

TODAY = date(2025, 3, 10)
CST = timezone(timedelta(hours=8))


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2025, 3, day, hour, 0, tzinfo=CST)


@pytest.fixture
def vids(store) -> dict[str, str]:
    """Village ids: 张韩村 and 三里村 (the worker's) and one more village (not theirs)."""
    zhanghan = village_by_code(store, ZHANGHAN).id
    sanli = village_by_code(store, SANLI).id
    other = next(v.id for v in list_villages(store) if v.code not in (ZHANGHAN, SANLI))
    return {"张韩村": zhanghan, "三里村": sanli, "other": other}


@pytest.fixture
def photos(store, paths, tmp_path) -> list[str]:
    """Three photos added the way the editor adds them; their hashes."""
    files = [("火情.png", png_bytes((250, 80, 0))), ("河面.jpg", jpeg_bytes(b"river")),
             ("𠮷家田.png", png_bytes((0, 160, 0)))]
    hashes = []
    with store.transaction() as tx:
        for name, data in files:
            source = tmp_path / name
            source.write_bytes(data)
            hashes.append(add_photo(tx, paths.attachments_dir, source))
    return hashes


def save(store: Store, patrol: Patrol) -> str:
    with store.transaction() as tx:
        return save_patrol(tx, patrol)


def reload(store: Store, patrol_id: str) -> Patrol:
    loaded = load_patrol(store, patrol_id)
    assert loaded is not None
    return loaded


def without_ids(patrol: Patrol) -> Patrol:
    return replace(patrol, id=None, findings=tuple(replace(f, id=None) for f in patrol.findings))


def counts(store: Store) -> dict[str, int]:
    tables = [*records.record_kinds(store), "journal"]
    return {t: store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


def raw_of(kind: str, vids: dict[str, str], photos: list[str], **changes: Any) -> dict[str, Any]:
    """A typed patrol of ``kind`` with two findings, every field filled."""
    common: dict[str, Any] = {
        "kind": kind, "patrol_date": "2025-03-05", "start_time": "08:00", "end_time": "11:45",
        "weather": "cloudy", "leader": "李梅", "companions": "𠮷大勇、张三",
        "village_ids": [vids["张韩村"], vids["三里村"]], "area": "𠮷家冲一带",
        "route_start": "张韩村村部", "route_end": "三里村渡口",
        "waypoints": [{"lat": "28.701234", "lon": "113.5893", "name": "起点𠮷"},
                      {"lat": "28.72", "lon": "113.61", "name": ""}],
        "distance_km": "7.25", "notes": "例行巡查，𠮷字测试", "signature": "李梅",
    }
    first: dict[str, Any] = {
        "description": "𠮷家屋后有人烧荒", "place": "𠮷家冲", "lat": "28.7050",
        "lon": "113.5950", "persons": "𠮷某某", "action": "stopped", "deadline": "2025-03-12",
        "recheck_date": "2025-03-13", "recheck_result": "", "photos": photos[:2],
    }
    second: dict[str, Any] = {"description": "第二个问题", "action": "reported",
                              "photos": photos[2:]}
    if kind == "forest":
        common.update(fire_danger="3", forest_entrants="17")
        first["category"], second["category"] = "field_fire", "facility_damage"
    elif kind == "river":
        common.update(river_name="汨罗江", river_section="𠮷家段", river_chief_level="town")
        first["category"], second["category"] = "illegal_sand", "floating_waste"
    else:
        common.update(plot_number="图斑 430626-𠮷12")
        first.update(category="house_building", area_mu="0.35")
        second.update(category="abandonment", area_mu="12.5")
    common["findings"] = [first, second]
    common.update(changes)
    return common


def make(kind: str, vids, photos, **changes: Any) -> Patrol:
    return parse_patrol(raw_of(kind, vids, photos, **changes), today=TODAY)


# -- save and load whole ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["forest", "river", "farmland"])
def test_every_field_round_trips(store, vids, photos, kind: str) -> None:
    patrol = make(kind, vids, photos)
    patrol_id = save(store, patrol)
    loaded = reload(store, patrol_id)
    assert loaded.id == patrol_id
    assert all(f.id for f in loaded.findings)
    assert len({f.id for f in loaded.findings}) == 2
    assert without_ids(loaded) == patrol
    # field by field, so a failure names the field
    for name in patrol.__dataclass_fields__:
        if name not in ("id", "findings"):
            assert getattr(loaded, name) == getattr(patrol, name), name
    for mine, theirs in zip(loaded.findings, patrol.findings, strict=True):
        for name in theirs.__dataclass_fields__:
            if name != "id":
                assert getattr(mine, name) == getattr(theirs, name), name
    assert loaded.waypoints[0] == Waypoint(28.701234, 113.5893, "起点𠮷")
    assert loaded.findings[0].photos == tuple(photos[:2])
    assert loaded.findings[1].photos == (photos[2],)
    assert [patrol_of_finding(store, f.id) for f in loaded.findings] == [patrol_id] * 2
    # the typed form made from the loaded patrol reads back the same
    assert parse_patrol(patrol_to_raw(loaded), today=TODAY) == loaded


def test_a_patrol_without_findings_or_optional_fields(store, vids) -> None:
    patrol = parse_patrol({"kind": "forest", "patrol_date": "2025-03-05", "leader": "李梅",
                           "village_ids": [vids["张韩村"]]}, today=TODAY)
    loaded = reload(store, save(store, patrol))
    assert without_ids(loaded) == patrol
    assert loaded.distance_km is None and loaded.forest_entrants is None


def test_a_given_id_is_kept(store, vids, photos) -> None:
    patrol = replace(make("river", vids, photos), id="0190f0c0-0000-7000-8000-000000000001")
    assert save(store, patrol) == patrol.id
    assert reload(store, patrol.id).id == patrol.id


def test_unknown_photo_is_refused(store, vids, photos) -> None:
    patrol = make("forest", vids, photos)
    broken = replace(patrol, findings=(replace(patrol.findings[0], photos=("f" * 64,)),))
    before = counts(store)
    with pytest.raises(RecordInvalid) as caught:
        save(store, broken)
    assert "照片" in caught.value.problems["photos"]
    assert counts(store) == before


def test_load_missing_patrol(store) -> None:
    assert load_patrol(store, "no-such-id") is None
    assert patrol_of_finding(store, "no-such-id") is None


# -- updating -----------------------------------------------------------------------------------


def test_edit_remove_and_add_findings(store, vids, photos) -> None:
    patrol_id = save(store, make("forest", vids, photos))
    loaded = reload(store, patrol_id)
    kept, removed = loaded.findings
    edited = replace(kept, description="改过的描述 𠮷", photos=(photos[0],), deadline=None)
    added = Finding(category="poaching", description="下套捕鸟", place="后山")
    changed = replace(loaded, notes="补记", findings=(added, edited))
    assert save(store, changed) == patrol_id

    again = reload(store, patrol_id)
    assert again.notes == "补记"
    assert [f.description for f in again.findings] == ["下套捕鸟", "改过的描述 𠮷"]
    assert again.findings[1].id == kept.id
    assert again.findings[1].photos == (photos[0],) and again.findings[1].deadline is None
    assert again.findings[0].id not in (kept.id, removed.id)
    row = records.get(store, "findings", removed.id)
    assert row["deleted"] == 1 and row["description"] == "第二个问题"
    assert records.get(store, "findings", kept.id)["rev"] == 2
    assert records.get(store, "patrols", patrol_id)["rev"] == 2
    assert store.conn.execute("SELECT count(*) FROM patrols").fetchone()[0] == 1
    assert check(store) == []


def test_removing_every_finding(store, vids, photos) -> None:
    patrol_id = save(store, make("river", vids, photos))
    save(store, replace(reload(store, patrol_id), findings=()))
    assert reload(store, patrol_id).findings == ()
    assert store.conn.execute(
        "SELECT count(*) FROM findings WHERE deleted = 1").fetchone()[0] == 2


# -- status changes ----------------------------------------------------------------------------


def events(store: Store, finding_id: str) -> list[tuple]:
    return [tuple(r) for r in store.conn.execute(
        "SELECT at, by_name, from_status, to_status, note, deleted FROM finding_events "
        "WHERE finding_id = ? ORDER BY at", (finding_id,))]


def step(patrol: Patrol, number: int, target: str, by: str, note: str, when: datetime
         ) -> Patrol:
    """The editor's button: the finding moves on, with one more history step."""
    found = patrol.findings[number]
    change = transition(found.status, target, by, note, at=when)
    moved = replace(found, status=target, history=(*found.history, change))
    findings = list(patrol.findings)
    findings[number] = moved
    return replace(patrol, findings=tuple(findings))


def test_open_rectified_closed(store, vids, photos) -> None:
    patrol_id = save(store, make("forest", vids, photos))
    loaded = reload(store, patrol_id)
    finding_id = loaded.findings[0].id
    assert events(store, finding_id) == []

    rectified = step(loaded, 0, "rectified", "李梅", "已清理火堆", at(6))
    save(store, rectified)
    assert events(store, finding_id) == [
        ("2025-03-06T09:00:00+08:00", "李梅", "open", "rectified", "已清理火堆", 0)]
    loaded = reload(store, patrol_id)
    assert loaded.findings[0].status == "rectified"
    assert loaded.findings[0].history == rectified.findings[0].history
    assert loaded.open_findings() == [loaded.findings[1]]

    closed = step(replace(loaded, findings=(
        replace(loaded.findings[0], recheck_result="复查合格"), loaded.findings[1])),
        0, "closed", "𠮷站长", "", at(8))
    save(store, closed)
    assert [e[2:4] for e in events(store, finding_id)] == [("open", "rectified"),
                                                           ("rectified", "closed")]
    loaded = reload(store, patrol_id)
    assert loaded.findings[0].status == "closed"
    assert loaded.findings[0].recheck_result == "复查合格"
    assert [c.by for c in loaded.findings[0].history] == ["李梅", "𠮷站长"]
    assert loaded.findings[0].history == closed.findings[0].history
    # saving again without a change adds no event
    save(store, loaded)
    assert len(events(store, finding_id)) == 2
    assert check(store) == []


def test_failed_recheck_and_escalation(store, vids, photos) -> None:
    patrol_id = save(store, make("river", vids, photos))
    loaded = reload(store, patrol_id)
    loaded = step(loaded, 0, "rectified", "李梅", "", at(6))
    loaded = step(loaded, 0, "open", "李梅", "复查不合格", at(7))
    loaded = step(loaded, 1, "escalated", "李梅", "上报镇里", at(6))
    save(store, loaded)  # several steps in one save
    again = reload(store, patrol_id)
    assert [f.status for f in again.findings] == ["open", "escalated"]
    assert [(c.from_status, c.to_status) for c in again.findings[0].history] == [
        ("open", "rectified"), ("rectified", "open")]
    assert again.findings[1].history == loaded.findings[1].history


def test_history_keeps_the_order_of_the_steps_when_the_clock_was_set_back(
        store, vids, photos) -> None:
    # The laptop's clock is a day behind when the finding is closed (a flat CMOS battery):
    # the history must still read open → rectified → closed, as the steps were taken.
    patrol_id = save(store, make("forest", vids, photos))
    save(store, step(reload(store, patrol_id), 0, "rectified", "李梅", "", at(7)))
    save(store, step(reload(store, patrol_id), 0, "closed", "李梅", "", at(6)))
    history = reload(store, patrol_id).findings[0].history
    assert [(c.from_status, c.to_status) for c in history] == [
        ("open", "rectified"), ("rectified", "closed")]


def test_a_new_patrol_may_carry_history(store, vids, photos) -> None:
    patrol = step(make("forest", vids, photos), 0, "escalated", "李梅", "", at(5, 12))
    patrol_id = save(store, patrol)
    loaded = reload(store, patrol_id)
    assert loaded.findings[0].status == "escalated"
    assert len(events(store, loaded.findings[0].id)) == 1


def test_status_changed_without_a_history_step_saves_nothing(store, vids, photos) -> None:
    patrol_id = save(store, make("forest", vids, photos))
    loaded = reload(store, patrol_id)
    before = counts(store)
    row_before = records.get(store, "patrols", patrol_id)
    # other edits in the same save must not be kept either
    sneaky = replace(loaded, notes="不该保存", findings=(
        loaded.findings[0], replace(loaded.findings[1], status="closed"),
        Finding(category="other", description="不该保存的新问题")))
    with pytest.raises(RecordInvalid) as caught:
        save(store, sneaky)
    assert set(caught.value.problems) == {"findings.1.status"}
    assert "处理按钮" in caught.value.problems["findings.1.status"]
    assert counts(store) == before
    assert records.get(store, "patrols", patrol_id) == row_before
    assert reload(store, patrol_id) == loaded
    assert not store.conn.in_transaction


def test_a_new_patrol_with_a_status_but_no_history_saves_nothing(store, vids, photos) -> None:
    patrol = make("farmland", vids, photos)
    patrol = replace(patrol, findings=(replace(patrol.findings[0], status="rectified"),))
    before = counts(store)
    with pytest.raises(RecordInvalid) as caught:
        save(store, patrol)
    assert "findings.0.status" in caught.value.problems
    assert counts(store) == before


def test_a_step_from_the_wrong_status_is_refused(store, vids, photos) -> None:
    patrol_id = save(store, make("forest", vids, photos))
    loaded = step(reload(store, patrol_id), 0, "rectified", "李梅", "", at(6))
    save(store, loaded)
    loaded = reload(store, patrol_id)
    before = counts(store)
    # an editor opened before the change still thinks the finding is open
    stale = replace(loaded.findings[0], status="escalated", history=(
        *loaded.findings[0].history, StatusChange(at(7).isoformat(), "王五", "open", "escalated")))
    with pytest.raises(RecordInvalid) as caught:
        save(store, replace(loaded, findings=(stale, loaded.findings[1])))
    assert "对不上" in caught.value.problems["findings.0.status"]
    assert counts(store) == before


def test_a_forbidden_step_is_refused(store, vids, photos) -> None:
    patrol_id = save(store, make("forest", vids, photos))
    loaded = reload(store, patrol_id)
    jump = replace(loaded.findings[0], status="closed", history=(
        StatusChange(at(6).isoformat(), "李梅", "open", "closed"),))
    before = counts(store)
    with pytest.raises(RecordInvalid) as caught:
        save(store, replace(loaded, findings=(jump, loaded.findings[1])))
    assert "不能直接改为" in caught.value.problems["findings.0.status"]
    assert counts(store) == before


def test_a_stale_editor_cannot_undo_a_status(store, vids, photos) -> None:
    patrol_id = save(store, make("forest", vids, photos))
    opened = reload(store, patrol_id)  # editor A opens the patrol
    save(store, step(opened, 0, "rectified", "王五", "", at(6)))  # editor B rectifies
    with pytest.raises(RecordInvalid):
        save(store, replace(opened, notes="A 的修改"))  # A still shows "open", no steps
    assert reload(store, patrol_id).findings[0].status == "rectified"


# -- deleting and the last patrol -------------------------------------------------------------


def test_delete_tombstones_patrol_and_findings(store, vids, photos) -> None:
    patrol_id = save(store, make("forest", vids, photos))
    finding_ids = [f.id for f in reload(store, patrol_id).findings]
    with store.transaction() as tx:
        delete_patrol(tx, patrol_id)
    assert load_patrol(store, patrol_id) is None
    assert records.get(store, "patrols", patrol_id)["deleted"] == 1
    assert [records.get(store, "findings", f)["deleted"] for f in finding_ids] == [1, 1]
    assert last_patrol(store, "forest") is None
    assert leaders(store) == []
    assert check(store) == []


def test_last_patrol(store, vids, photos) -> None:
    assert last_patrol(store, "forest") is None
    old = save(store, make("forest", vids, photos, patrol_date="2025-03-01"))
    newest = save(store, make("forest", vids, photos, patrol_date="2025-03-08",
                              leader="王五"))
    save(store, make("river", vids, photos, patrol_date="2025-03-09"))
    same_day_later = save(store, make("forest", vids, photos, patrol_date="2025-03-01"))
    assert last_patrol(store, "forest").id == newest
    assert last_patrol(store, "forest", leader="李梅").id == same_day_later
    assert last_patrol(store, "forest", leader="𠮷") is None
    assert last_patrol(store, "farmland") is None
    assert last_patrol(store, "river").patrol_date == date(2025, 3, 9)
    with store.transaction() as tx:
        delete_patrol(tx, newest)
    assert last_patrol(store, "forest").id == same_day_later
    assert old != same_day_later
    assert leaders(store) == ["李梅"]


# -- the patrol list filter ---------------------------------------------------------------------


@pytest.fixture
def listed(store, vids) -> dict[str, str]:
    """Four patrols to filter, and a deleted one that never shows."""
    def patrol(kind, day, leader, villages, findings=(), **fields) -> str:
        raw = {"kind": kind, "patrol_date": day, "leader": leader,
               "village_ids": [vids[v] for v in villages], "findings": list(findings),
               **fields}
        return save(store, parse_patrol(raw, today=TODAY))

    made = {
        "forest": patrol("forest", "2025-03-01", "李梅", ["张韩村"], [
            {"category": "field_fire", "description": "坟前烧纸钱", "deadline": "2025-03-05"}],
            notes="大坪山防火检查", companions="𠮷大勇"),
        "river": patrol("river", "2025-03-05", "王五", ["三里村"], [
            {"category": "floating_waste", "description": "河面漂浮垃圾",
             "deadline": "2025-03-06"}], river_name="汨罗江"),
        "farmland": patrol("farmland", "2025-03-08", "李梅", ["张韩村", "三里村"], [
            {"category": "abandonment", "description": "整块田撂荒", "deadline": "2025-03-20"}],
            plot_number="图斑0012"),
        "other": patrol("forest", "2025-03-09", "赵六", ["other"], area="东山林场"),
        "deleted": patrol("forest", "2025-03-02", "李梅", ["张韩村"], [
            {"category": "poaching", "description": "坟前烧纸钱"}], notes="大坪山防火检查"),
    }
    # the river finding has been rectified and closed: not open, not overdue
    river = reload(store, made["river"])
    river = step(step(river, 0, "rectified", "王五", "", at(6)), 0, "closed", "王五", "", at(7))
    save(store, river)
    with store.transaction() as tx:
        delete_patrol(tx, made.pop("deleted"))
    return made


def ids(store: Store, chosen: PatrolFilter, today: date = TODAY) -> set[str]:
    condition, params = filter_condition(store, chosen, today)
    sql = f"SELECT t.id FROM patrols t WHERE t.deleted = 0 AND ({condition or '1'})"
    return {row[0] for row in store.conn.execute(sql, params)}


def names(listed: dict[str, str], found: set[str]) -> set[str]:
    by_id = {v: k for k, v in listed.items()}
    return {by_id[i] for i in found}


def test_no_filter_lists_every_live_patrol(store, listed) -> None:
    assert filter_condition(store, PatrolFilter(), TODAY) == ("", [])
    assert names(listed, ids(store, PatrolFilter())) == {"forest", "river", "farmland", "other"}
    assert names(listed, ids(store, PatrolFilter(query="   "))) == {
        "forest", "river", "farmland", "other"}


def test_filter_by_kind(store, listed) -> None:
    assert names(listed, ids(store, PatrolFilter(kind="forest"))) == {"forest", "other"}
    assert names(listed, ids(store, PatrolFilter(kind="farmland"))) == {"farmland"}


def test_filter_by_village(store, listed, vids) -> None:
    assert names(listed, ids(store, PatrolFilter(village_id=vids["三里村"]))) == {
        "river", "farmland"}
    assert names(listed, ids(store, PatrolFilter(village_id=vids["张韩村"]))) == {
        "forest", "farmland"}
    assert ids(store, PatrolFilter(village_id="no-such-village")) == set()


def test_filter_by_date_range(store, listed) -> None:
    chosen = PatrolFilter(date_from=date(2025, 3, 2), date_to=date(2025, 3, 8))
    assert names(listed, ids(store, chosen)) == {"river", "farmland"}
    assert names(listed, ids(store, PatrolFilter(date_from=date(2025, 3, 8)))) == {
        "farmland", "other"}
    assert names(listed, ids(store, PatrolFilter(date_to=date(2025, 3, 1)))) == {"forest"}


def test_filter_by_leader(store, listed) -> None:
    assert names(listed, ids(store, PatrolFilter(leader="李梅"))) == {"forest", "farmland"}
    assert ids(store, PatrolFilter(leader="李")) == set()  # the exact leader
    assert leaders(store) == sorted(["李梅", "王五", "赵六"])


def test_filter_open_and_overdue_findings(store, listed) -> None:
    assert names(listed, ids(store, PatrolFilter(open_findings=True))) == {"forest", "farmland"}
    assert names(listed, ids(store, PatrolFilter(overdue_findings=True))) == {"forest"}
    later = date(2025, 3, 21)
    assert names(listed, ids(store, PatrolFilter(overdue_findings=True), later)) == {
        "forest", "farmland"}
    assert ids(store, PatrolFilter(overdue_findings=True), date(2025, 3, 5)) == set()


def test_filters_combine(store, listed, vids) -> None:
    chosen = PatrolFilter(kind="forest", village_id=vids["张韩村"], leader="李梅",
                          open_findings=True, query="防火")
    assert names(listed, ids(store, chosen)) == {"forest"}
    assert ids(store, replace(chosen, kind="river")) == set()


def test_query_of_two_characters(store, listed) -> None:
    assert names(listed, ids(store, PatrolFilter(query="汨罗"))) == {"river"}
    assert names(listed, ids(store, PatrolFilter(query="李梅"))) == {"forest", "farmland"}
    assert names(listed, ids(store, PatrolFilter(query="𠮷大"))) == {"forest"}
    assert names(listed, ids(store, PatrolFilter(query="东山"))) == {"other"}


def test_query_of_four_characters(store, listed) -> None:
    assert names(listed, ids(store, PatrolFilter(query="大坪山防"))) == {"forest"}
    assert names(listed, ids(store, PatrolFilter(query="图斑0012"))) == {"farmland"}
    assert ids(store, PatrolFilter(query="大坪山火")) == set()


def test_query_matching_only_a_finding(store, listed) -> None:
    assert names(listed, ids(store, PatrolFilter(query="漂浮垃圾"))) == {"river"}
    assert names(listed, ids(store, PatrolFilter(query="撂荒"))) == {"farmland"}
    # the deleted patrol's finding says the same as the live one's: only the live one
    assert names(listed, ids(store, PatrolFilter(query="坟前烧纸钱"))) == {"forest"}


def test_query_does_not_match_a_removed_finding(store, listed) -> None:
    farmland = reload(store, listed["farmland"])
    save(store, replace(farmland, findings=()))
    assert ids(store, PatrolFilter(query="撂荒")) == set()
    assert ids(store, PatrolFilter(query="整块田撂荒")) == set()


def test_query_with_wildcards_is_literal(store, listed) -> None:
    assert ids(store, PatrolFilter(query="%")) == set()
    assert ids(store, PatrolFilter(query="_")) == set()
    assert ids(store, PatrolFilter(query='"防火"')) == set()


# -- 今日待办 ------------------------------------------------------------------------------------


@pytest.fixture
def due_setup(store, vids) -> dict[str, str]:
    """One patrol in 张韩村 with findings in every state, one in a village not the worker's."""
    def found(description: str, **fields) -> Finding:
        return Finding(category="field_fire", description=description, **fields)

    mine = Patrol(kind="forest", patrol_date=date(2025, 3, 1), leader="李梅",
                  village_ids=(vids["张韩村"],), findings=(
                      found("逾期未整改的火堆" + "𠮷" * 40, deadline=date(2025, 3, 5)),
                      found("本周到期", deadline=date(2025, 3, 17)),
                      found("下周以后到期", deadline=date(2025, 3, 18)),
                      found("没有期限"),
                      found("待复查", deadline=date(2025, 3, 3), recheck_date=date(2025, 3, 12)),
                      found("复查过了", recheck_date=date(2025, 3, 9), recheck_result="合格"),
                      found("已销号", deadline=date(2025, 3, 2), recheck_date=date(2025, 3, 3),
                            recheck_result="合格"),
                      found("已上报", deadline=date(2025, 3, 9)),
                  ))
    patrol_id = save(store, mine)
    loaded = reload(store, patrol_id)
    loaded = step(loaded, 4, "rectified", "李梅", "", at(4))
    loaded = step(loaded, 5, "rectified", "李梅", "", at(4))
    loaded = step(step(loaded, 6, "rectified", "李梅", "", at(3)), 6, "closed", "李梅", "",
                  at(4))
    loaded = step(loaded, 7, "escalated", "李梅", "", at(4))
    save(store, loaded)
    theirs = Patrol(kind="river", patrol_date=date(2025, 3, 2), leader="赵六",
                    village_ids=(vids["other"],), river_name="昌江", findings=(
                        Finding(category="illegal_sand", description="别村的采砂",
                                deadline=date(2025, 3, 4)),))
    other_id = save(store, theirs)
    gone = save(store, replace(theirs, village_ids=(vids["张韩村"],)))
    with store.transaction() as tx:
        delete_patrol(tx, gone)
    by_description = {f.description: f.id for f in reload(store, patrol_id).findings}
    by_description["别村的采砂"] = reload(store, other_id).findings[0].id
    return by_description


def described(items: list[DueItem], setup: dict[str, str]) -> list[str]:
    by_id = {v: k for k, v in setup.items()}
    return [by_id[item.record_id] for item in items]


def test_worker_sees_only_their_villages(store, due_setup) -> None:
    worker = make_profile("worker", "李梅", "", [ZHANGHAN, SANLI])
    items = findings_due(store, worker, TODAY, 7)
    assert sorted(described(items, due_setup)) == sorted([
        "逾期未整改的火堆" + "𠮷" * 40, "本周到期", "待复查", "已上报"])
    sanli_only = make_profile("worker", "王五", "", [SANLI])
    assert findings_due(store, sanli_only, TODAY, 7) == []


def test_town_sees_every_village(store, due_setup) -> None:
    town = make_profile("town", "梅仙镇人民政府")
    items = findings_due(store, town, TODAY, 7)
    assert sorted(described(items, due_setup)) == sorted([
        "逾期未整改的火堆" + "𠮷" * 40, "本周到期", "待复查", "已上报", "别村的采砂"])


def test_due_items_fields_and_order(store, due_setup) -> None:
    worker = make_profile("worker", "李梅", "", [ZHANGHAN])
    items = due_items(store, worker, TODAY)
    assert described(items, due_setup) == [
        "逾期未整改的火堆" + "𠮷" * 40, "已上报", "待复查", "本周到期"]
    first = items[0]
    assert first.table == "findings"
    assert first.kind_label == "巡查问题整改"
    assert first.title == "野外用火（烧荒/祭祀用火/秸秆焚烧）：" + ("逾期未整改的火堆" + "𠮷" * 40)[:30]
    assert first.due == date(2025, 3, 5)
    assert first.overdue(TODAY) and first.days_left(TODAY) == -5 and not first.urgent
    recheck = items[2]
    assert recheck.kind_label == "巡查问题复查" and recheck.due == date(2025, 3, 12)
    assert not recheck.overdue(TODAY)
    # a longer horizon reaches the next deadline
    longer = due_items(store, worker, TODAY, horizon=8)
    assert "下周以后到期" in described(longer, due_setup)


def test_due_items_with_no_sources(store, due_setup) -> None:
    town = make_profile("town", "梅仙镇人民政府")
    assert due_items(store, town, TODAY, sources=[]) == []


# -- categories the town adds -----------------------------------------------------------------


def test_shipped_categories_without_additions(store) -> None:
    sets = finding_categories(store)
    assert set(sets) == {"forest", "river", "farmland"}
    for kind, base in FINDING_CATEGORIES.items():
        assert [c.code for c in sets[kind]] == [c.code for c in base]


def test_a_town_added_category_is_accepted(store, vids) -> None:
    with store.transaction() as tx:
        category_id = add_category(tx, "river", "sand_boat", "采砂船𠮷停靠")
    assert records.get(store, "category_items", category_id)["set_name"] == "river_finding"
    sets = finding_categories(store)
    assert sets["river"].label_of("sand_boat") == "采砂船𠮷停靠"
    assert "sand_boat" not in sets["forest"]
    raw = {"kind": "river", "patrol_date": "2025-03-05", "leader": "李梅", "river_name": "汨罗江",
           "village_ids": [vids["张韩村"]],
           "findings": [{"category": "sand_boat", "description": "采砂船夜间停靠",
                         "deadline": "2025-03-06"}]}
    with pytest.raises(RecordInvalid) as caught:
        parse_patrol(raw, today=TODAY)
    assert "findings.0.category" in caught.value.problems
    patrol = parse_patrol(raw, today=TODAY, categories_by_kind=sets)
    patrol_id = save(store, patrol)
    assert reload(store, patrol_id).findings[0].category == "sand_boat"
    # 今日待办 shows the town's label
    (item,) = findings_due(store, make_profile("town", "镇里"), TODAY, 7)
    assert item.title == "采砂船𠮷停靠：采砂船夜间停靠"
    forest = {**raw, "kind": "forest", "findings": [{**raw["findings"][0]}]}
    with pytest.raises(RecordInvalid):
        parse_patrol(forest, today=TODAY, categories_by_kind=sets)


def test_a_retired_town_category_is_refused(store, vids) -> None:
    with store.transaction() as tx:
        category_id = add_category(tx, "forest", "drone", "无人机巡查发现")
        records.update(tx, "category_items", category_id, {"retired": 1})
    sets = finding_categories(store)
    assert sets["forest"].label_of("drone") == "无人机巡查发现"
    assert "drone" not in [c.code for c in sets["forest"].active()]
    raw = {"kind": "forest", "patrol_date": "2025-03-05", "leader": "李梅",
           "village_ids": [vids["张韩村"]],
           "findings": [{"category": "drone", "description": "无人机看到烟"}]}
    with pytest.raises(RecordInvalid) as caught:
        parse_patrol(raw, today=TODAY, categories_by_kind=sets)
    assert "停用" in caught.value.problems["findings.0.category"]


def test_adding_a_category_twice_is_a_message(store) -> None:
    with store.transaction() as tx:
        add_category(tx, "farmland", "greenhouse", "违规大棚房")
    with pytest.raises(ValidationError) as caught, store.transaction() as tx:
        add_category(tx, "farmland", "greenhouse", "大棚房")
    assert "greenhouse" in caught.value.message or "大棚房" in caught.value.message
    assert finding_categories(store)["farmland"].label_of("greenhouse") == "违规大棚房"


# -- integrity after a migration --------------------------------------------------------------


def test_a_migrated_database_is_sound_after_saving_patrols(paths, worker_profile, tmp_path,
                                                           monkeypatch) -> None:
    # An installation made by the release before patrols (schema version 1) ...
    with monkeypatch.context() as patched:
        patched.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:1])
        patched.setattr(schema, "VERSION", 1)
        with open_session(paths) as old:
            set_up(old.store, paths, worker_profile)
            assert old.store.schema_version() == 1
    # ... is opened by this one: backed up, migrated, then used.
    with open_session(paths) as session:
        store = session.store
        assert store.schema_version() == schema.VERSION
        assert any(paths.backup_dir.iterdir())
        assert check(store) == []
        vids = {"张韩村": village_by_code(store, ZHANGHAN).id,
                "三里村": village_by_code(store, SANLI).id}
        source = tmp_path / "a.png"
        source.write_bytes(png_bytes())
        with store.transaction() as tx:
            sha = add_photo(tx, paths.attachments_dir, source)
            add_category(tx, "forest", "drone", "无人机发现")
        saved = [save(store, make(kind, vids, [sha, sha, sha])) for kind in
                 ("forest", "river", "farmland")]
        save(store, step(reload(store, saved[0]), 0, "rectified", "李梅", "", at(6)))
        save(store, replace(reload(store, saved[1]), findings=()))
        with store.transaction() as tx:
            delete_patrol(tx, saved[2])
        assert check(store) == []
        assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []
        journal = store.conn.execute(
            "SELECT count(DISTINCT row_id) FROM journal WHERE tbl = 'findings'").fetchone()[0]
        assert journal == 6


def test_fresh_database_is_sound_after_saving_patrols(store, vids, photos) -> None:
    for kind in ("forest", "river", "farmland"):
        save(store, make(kind, vids, photos))
    assert check(store) == []

