"""Patrols: reading typed fields, every rule with its Chinese message, the finding lifecycle."""

from __future__ import annotations

import itertools
import re
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meixian_desktop.core import clock
from meixian_desktop.core.categories import Category
from meixian_desktop.core.errors import RecordInvalid, ValidationError
from meixian_desktop.core.geo import REGION, Waypoint
from meixian_desktop.core.patrols import (
    FINDING_CATEGORIES,
    KINDS,
    STATUSES,
    TRANSITIONS,
    Finding,
    Patrol,
    StatusChange,
    check_transition,
    finding_to_raw,
    like_last,
    parse_patrol,
    patrol_to_raw,
    transition,
)

TODAY = date(2025, 3, 10)
PATROL_DAY = "2025-03-05"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def chinese(message: str) -> bool:
    return bool(CHINESE.search(message))


def forest_raw(**changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "kind": "forest", "patrol_date": PATROL_DAY, "start_time": "8:05", "end_time": "11:30",
        "weather": "sunny", "leader": " 李梅 ", "companions": "张三、𠮷四",
        "village_ids": ["v-zhanghan", "v-sanli"], "area": "大坪山林区",
        "route_start": "村部", "route_end": "大坪山顶",
        "waypoints": [{"lat": "28.7012", "lon": "113.5893", "name": "起点"},
                      {"lat": "28.7100", "lon": "113.6001", "name": ""}],
        "distance_km": "6.5", "notes": "清明前重点巡查", "signature": "李梅",
        "fire_danger": "4", "forest_entrants": "12",
        # fields of other kinds are dropped for a forest patrol
        "river_name": "汨罗江", "plot_number": "T-001",
        "findings": [{
            "category": "field_fire", "description": "有人在坟前烧纸", "place": "大坪山脚",
            "lat": "28.7050", "lon": "113.5950", "persons": "王某", "action": "stopped",
            "deadline": "2025-03-12", "recheck_date": "", "area_mu": "3",
        }],
    }
    raw.update(changes)
    return raw


def river_raw(**changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "kind": "river", "patrol_date": PATROL_DAY, "start_time": "14:00", "end_time": "16:00",
        "weather": "overcast", "leader": "李梅", "village_ids": ["v-sanli"],
        "river_name": "汨罗江", "river_section": "三里村段", "river_chief_level": "village",
        "fire_danger": "5", "forest_entrants": "3",
        "findings": [
            {"category": "illegal_fishing", "description": "有人电鱼", "action": "stopped"},
            {"category": "floating_waste", "description": "河面漂浮垃圾",
             "deadline": "2025-03-20", "recheck_date": "2025-03-21", "action": "assigned"},
        ],
    }
    raw.update(changes)
    return raw


def farmland_raw(**changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "kind": "farmland", "patrol_date": PATROL_DAY, "leader": "李梅",
        "village_ids": ["v-zhanghan"], "plot_number": "图斑 430626-0012",
        "river_name": "不该保留",
        "findings": [{"category": "house_building", "description": "耕地上打地基",
                      "area_mu": "0.35", "action": "reported"}],
    }
    raw.update(changes)
    return raw


def problems_of(raw: dict[str, Any], **kwargs: Any) -> dict[str, str]:
    with pytest.raises(RecordInvalid) as caught:
        parse_patrol(raw, today=kwargs.pop("today", TODAY), **kwargs)
    for message in caught.value.problems.values():
        assert chinese(message), message
    return caught.value.problems


def finding(**changes: Any) -> dict[str, Any]:
    item = {"category": "field_fire", "description": "烧荒"}
    item.update(changes)
    return item


# -- happy paths --------------------------------------------------------------------------------


def test_forest_patrol_with_its_own_fields() -> None:
    patrol = parse_patrol(forest_raw(), today=TODAY)
    assert patrol.kind == "forest" and patrol.kind_label == "森林防火巡查"
    assert patrol.patrol_date == date(2025, 3, 5)
    assert (patrol.start_time, patrol.end_time) == ("08:05", "11:30")
    assert patrol.leader == "李梅"  # trimmed
    assert patrol.companions == "张三、𠮷四"
    assert patrol.village_ids == ("v-zhanghan", "v-sanli")
    assert patrol.weather == "sunny"
    assert patrol.distance_km == 6.5
    assert patrol.fire_danger == "4"
    assert patrol.forest_entrants == 12
    assert patrol.waypoints == (Waypoint(28.7012, 113.5893, "起点"), Waypoint(28.71, 113.6001))
    # another kind's fields are not kept
    assert patrol.river_name == "" and patrol.plot_number == ""
    assert patrol.id is None
    (found,) = patrol.findings
    assert found == Finding(
        category="field_fire", description="有人在坟前烧纸", place="大坪山脚", lat=28.705,
        lon=113.595, persons="王某", action="stopped", deadline=date(2025, 3, 12),
        area_mu=None,  # only farmland findings have an area
    )
    assert found.status == "open"
    assert patrol.open_findings() == [found]


def test_river_patrol_with_its_own_fields() -> None:
    patrol = parse_patrol(river_raw(), today=TODAY)
    assert patrol.kind == "river"
    assert patrol.river_name == "汨罗江"
    assert patrol.river_section == "三里村段"
    assert patrol.river_chief_level == "village"
    assert patrol.fire_danger == "" and patrol.forest_entrants is None
    assert [f.category for f in patrol.findings] == ["illegal_fishing", "floating_waste"]
    assert patrol.findings[0].action == "stopped"
    assert patrol.findings[1].deadline == date(2025, 3, 20)
    assert patrol.findings[1].recheck_date == date(2025, 3, 21)


def test_farmland_patrol_with_plot_and_area() -> None:
    patrol = parse_patrol(farmland_raw(), today=TODAY)
    assert patrol.kind == "farmland"
    assert patrol.plot_number == "图斑 430626-0012"
    assert patrol.river_name == ""
    assert patrol.findings[0].area_mu == 0.35
    assert patrol.findings[0].action == "reported"


def test_minimal_patrol_without_findings_is_still_a_record() -> None:
    patrol = parse_patrol({"kind": "forest", "patrol_date": PATROL_DAY, "leader": "李梅",
                           "village_ids": ["v1", "", None]}, today=TODAY)
    assert patrol.findings == ()
    assert patrol.village_ids == ("v1",)
    assert patrol.start_time == "" and patrol.distance_km is None
    assert patrol.forest_entrants is None and patrol.waypoints == ()


def test_patrol_date_may_be_today_and_a_date_object() -> None:
    patrol = parse_patrol(forest_raw(patrol_date=TODAY, end_time="", findings=[]),
                          today=TODAY)
    assert patrol.patrol_date == TODAY


def test_full_width_colon_and_slash_date_are_accepted() -> None:
    patrol = parse_patrol(forest_raw(start_time="8：05", patrol_date="2025/03/05"), today=TODAY)
    assert patrol.start_time == "08:05"
    assert patrol.patrol_date == date(2025, 3, 5)


def test_finding_default_action_and_deadline_in_the_future() -> None:
    raw = forest_raw(findings=[finding(deadline="2026-01-01")])
    (found,) = parse_patrol(raw, today=TODAY).findings
    assert found.action == "registered"
    assert found.deadline == date(2026, 1, 1)


def test_every_problem_is_reported_at_once() -> None:
    problems = problems_of({"kind": "forest", "patrol_date": "", "findings": [{}]})
    assert {"patrol_date", "leader", "village_ids"} <= problems.keys()


# -- every rule, with its field and message ----------------------------------------------------


def test_end_before_start() -> None:
    problems = problems_of(forest_raw(start_time="10:00", end_time="09:30"))
    assert "早于开始时间" in problems["end_time"]


def test_patrol_date_in_the_future() -> None:
    problems = problems_of(forest_raw(patrol_date="2025-03-11"))
    assert "将来" in problems["patrol_date"]


def test_patrol_date_missing_or_malformed_or_too_early() -> None:
    assert "请填写巡查日期" in problems_of(forest_raw(patrol_date=""))["patrol_date"]
    assert "不是有效日期" in problems_of(forest_raw(patrol_date="2025-02-30"))["patrol_date"]
    assert "太早" in problems_of(forest_raw(patrol_date="1999-12-31"))["patrol_date"]


def test_end_time_later_than_now_on_the_same_day(clock_at) -> None:
    clock_at("2025-03-10T09:00")
    raw = forest_raw(patrol_date=TODAY.isoformat(), start_time="08:00", end_time="09:30")
    assert "还没到" in problems_of(raw)["end_time"]
    earlier = forest_raw(patrol_date=TODAY.isoformat(), start_time="08:00", end_time="08:59")
    assert parse_patrol(earlier, today=TODAY).end_time == "08:59"
    # a past day may end at any time
    assert parse_patrol(forest_raw(end_time="23:59"), today=TODAY).end_time == "23:59"


@pytest.mark.parametrize(("wall", "refused"), [("00:20", True), ("14:30", True),
                                              ("23:59", False)])
def test_end_time_today_reads_the_injected_clock(clock_at, wall: str, refused: bool) -> None:
    clock_at(f"2026-06-17T{wall}")
    raw = forest_raw(patrol_date="2026-06-17", start_time="00:00", end_time="23:59",
                     findings=[])
    if refused:
        with pytest.raises(RecordInvalid) as caught:
            parse_patrol(raw, today=clock.today())
        assert "还没到" in caught.value.problems["end_time"]
    else:
        assert parse_patrol(raw, today=clock.today()).end_time == "23:59"


def test_unknown_kind() -> None:
    problems = problems_of(forest_raw(kind="mountain"))
    assert "mountain" in problems["kind"] and "巡查类型" in problems["kind"]
    assert "请填写" not in problems["kind"]
    assert "kind" in problems_of(forest_raw(kind=""))


def test_unknown_finding_category() -> None:
    problems = problems_of(forest_raw(findings=[finding(category="illegal_sand")]))
    assert "illegal_sand" in problems["findings.0.category"]
    assert "森林防火问题类别" in problems["findings.0.category"]


def test_problems_are_keyed_by_the_finding_number() -> None:
    raw = forest_raw(findings=[finding(), finding(), finding(category="nope", description="")])
    problems = problems_of(raw)
    assert {"findings.2.category", "findings.2.description"} <= problems.keys()
    assert not any(key.startswith(("findings.0.", "findings.1.")) for key in problems)


def test_retired_category_is_refused() -> None:
    sets = dict(FINDING_CATEGORIES)
    sets["forest"] = FINDING_CATEGORIES["forest"].extended(
        [Category("field_fire", "野外用火（旧）", retired=True)])
    problems = problems_of(forest_raw(), categories_by_kind=sets)
    assert "停用" in problems["findings.0.category"]


def test_missing_description() -> None:
    problems = problems_of(forest_raw(findings=[finding(description="   ")]))
    assert "请写明" in problems["findings.0.description"]


def test_deadline_and_recheck_before_the_patrol_date() -> None:
    raw = forest_raw(findings=[finding(deadline="2025-03-04", recheck_date="2025-03-01")])
    problems = problems_of(raw)
    assert "不能早于巡查日期" in problems["findings.0.deadline"]
    assert "2025-03-05" in problems["findings.0.deadline"]
    assert "不能早于巡查日期" in problems["findings.0.recheck_date"]


def test_deadline_malformed() -> None:
    problems = problems_of(forest_raw(findings=[finding(deadline="下周")]))
    assert "不是有效日期" in problems["findings.0.deadline"]


def test_swapped_coordinates_say_so() -> None:
    problems = problems_of(forest_raw(findings=[finding(lat="113.59", lon="28.70")]))
    assert "填反" in problems["findings.0.lat"]
    assert "不存在" in problems["findings.0.lat"]


def test_only_one_of_lat_and_lon() -> None:
    problems = problems_of(forest_raw(findings=[finding(lat="28.7", lon="")]))
    assert "一起填" in problems["findings.0.lat"]
    problems = problems_of(forest_raw(findings=[finding(lon="113.6")]))
    assert "一起填" in problems["findings.0.lat"]


def test_coordinates_outside_the_county() -> None:
    problems = problems_of(forest_raw(findings=[finding(lat="39.9", lon="116.4")]))  # 北京
    assert "平江县" in problems["findings.0.lat"]


def test_coordinate_not_a_number() -> None:
    problems = problems_of(forest_raw(findings=[finding(lat="二十八", lon="113.6")]))
    assert "不是数字" in problems["findings.0.lat"]


def test_bad_waypoint_names_its_number() -> None:
    raw = forest_raw(waypoints=[{"lat": "28.7", "lon": "113.6"}, {"lat": "28.7", "lon": ""}])
    assert "第 2 个点" in problems_of(raw)["waypoints"]
    raw = forest_raw(waypoints=[{"lat": "113.6", "lon": "28.7"}])
    assert "填反" in problems_of(raw)["waypoints"]


@pytest.mark.parametrize("text", ["25:00", "8点", "12:60", "8:5", "noon"])
def test_bad_time_text(text: str) -> None:
    problems = problems_of(forest_raw(start_time=text, end_time=""))
    assert "不是有效时间" in problems["start_time"] and text in problems["start_time"]
    problems = problems_of(forest_raw(start_time="", end_time=text))
    assert "不是有效时间" in problems["end_time"]


@pytest.mark.parametrize("text", ["-1", "200.5", "1000", "nan", "inf"])
def test_distance_out_of_range(text: str) -> None:
    assert "0 到 200" in problems_of(forest_raw(distance_km=text))["distance_km"]


def test_distance_bounds_and_not_a_number() -> None:
    assert parse_patrol(forest_raw(distance_km="0"), today=TODAY).distance_km == 0
    assert parse_patrol(forest_raw(distance_km="200"), today=TODAY).distance_km == 200
    assert parse_patrol(forest_raw(distance_km="6，5"), today=TODAY).distance_km == 6.5
    assert "不是数字" in problems_of(forest_raw(distance_km="六公里"))["distance_km"]


def test_river_patrol_without_river_name() -> None:
    problems = problems_of(river_raw(river_name="  "))
    assert "河流名称" in problems["river_name"]


def test_river_chief_level_must_be_known() -> None:
    assert "river_chief_level" in problems_of(river_raw(river_chief_level="county"))


@pytest.mark.parametrize("text", ["十二", "3.5", "-2", "10001", "1e3"])
def test_forest_entrants_not_an_integer(text: str) -> None:
    assert "整数" in problems_of(forest_raw(forest_entrants=text))["forest_entrants"]


def test_forest_entrants_with_a_superscript_digit_is_a_message_not_a_crash() -> None:
    # "²".isdigit() is True but int("²") raises ValueError: the user must get a message.
    problems = problems_of(forest_raw(forest_entrants="²"))
    assert "整数" in problems["forest_entrants"]


def test_fire_danger_and_weather_must_be_known() -> None:
    assert "fire_danger" in problems_of(forest_raw(fire_danger="6"))
    assert "weather" in problems_of(forest_raw(weather="台风"))


def test_no_villages() -> None:
    for villages in ([], None, ["", None]):
        problems = problems_of(forest_raw(village_ids=villages))
        assert "至少选择一个" in problems["village_ids"]


def test_no_leader() -> None:
    assert "负责人" in problems_of(forest_raw(leader=" "))["leader"]
    assert "leader" in problems_of(forest_raw(leader=None))


def test_bad_action_status_and_area() -> None:
    raw = farmland_raw(findings=[{"category": "fish_pond", "description": "挖塘",
                                  "action": "ignored", "status": "lost", "area_mu": "-1"}])
    problems = problems_of(raw)
    assert "findings.0.action" in problems
    assert "lost" in problems["findings.0.status"]
    assert "0 到 100000" in problems["findings.0.area_mu"]


# -- the finding lifecycle ----------------------------------------------------------------------

# The lifecycle of DOMAIN.md §1: open → rectified → closed, or escalated (to the town);
# a failed re-check sends a rectified finding back to open.
ALLOWED = {
    ("open", "rectified"), ("open", "escalated"), ("escalated", "rectified"),
    ("rectified", "closed"), ("rectified", "open"),
}
PAIRS = list(itertools.product([s.code for s in STATUSES], repeat=2))


def test_transitions_cover_every_status() -> None:
    codes = {s.code for s in STATUSES}
    assert set(TRANSITIONS) == codes
    for targets in TRANSITIONS.values():
        assert set(targets) <= codes
        assert all(chinese(verb) for verb in targets.values())
    assert {(a, b) for a, targets in TRANSITIONS.items() for b in targets} == ALLOWED


@pytest.mark.parametrize(("current", "target"), PAIRS)
def test_transition_matrix(current: str, target: str) -> None:
    at = datetime(2025, 3, 6, 10, 30, 15, 999, tzinfo=timezone(timedelta(hours=8)))
    if (current, target) in ALLOWED:
        check_transition(current, target)
        change = transition(current, target, " 李梅 ", " 已清理 ", at=at)
        assert change == StatusChange("2025-03-06T10:30:15+08:00", "李梅", current, target,
                                      "已清理")
    else:
        with pytest.raises(ValidationError) as caught:
            check_transition(current, target)
        assert caught.value.field == "status"
        assert STATUSES.label_of(current) in caught.value.message
        assert STATUSES.label_of(target) in caught.value.message
        with pytest.raises(ValidationError):
            transition(current, target, "李梅", at=at)


def test_closed_offers_nothing() -> None:
    with pytest.raises(ValidationError) as caught:
        check_transition("closed", "open")
    assert "可以改为：无" in caught.value.message


@pytest.mark.parametrize("by", ["", "   "])
def test_transition_needs_a_person(by: str) -> None:
    with pytest.raises(ValidationError) as caught:
        transition("open", "rectified", by)
    assert caught.value.field == "status" and "是谁" in caught.value.message


def test_transition_stamps_the_current_time() -> None:
    before = clock.now().replace(microsecond=0)
    change = transition("open", "escalated", "李梅")
    after = clock.now()
    stamped = datetime.fromisoformat(change.at)
    assert stamped.tzinfo is not None
    assert before <= stamped <= after
    assert change.note == ""


# -- round trips --------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [forest_raw, river_raw, farmland_raw])
def test_round_trip_of_each_kind(make) -> None:
    first = parse_patrol(make(), today=TODAY)
    assert parse_patrol(patrol_to_raw(first), today=TODAY) == first


def test_round_trip_keeps_ids_photos_and_history() -> None:
    history = (transition("open", "rectified", "李梅", "清理完毕",
                          at=datetime(2025, 3, 6, 9, 0).astimezone()),)
    raw = farmland_raw(id="p-1", findings=[{
        "id": "f-1", "category": "non_grain", "description": "种苗木", "area_mu": "2.5",
        "status": "rectified", "photos": ["a" * 64], "recheck_result": "",
        "history": [vars(h) for h in history],
    }])
    first = parse_patrol(raw, today=TODAY)
    assert first.id == "p-1" and first.findings[0].id == "f-1"
    assert first.findings[0].history == history
    again = parse_patrol(patrol_to_raw(first), today=TODAY)
    assert again == first
    assert finding_to_raw(first.findings[0])["history"] == [vars(history[0])]


def test_round_trip_keeps_full_precision_of_distance_and_area() -> None:
    # patrol_to_raw / finding_to_raw format numbers with "{:g}" (6 significant digits):
    # reopening a saved patrol in the editor silently changes 12345.67 亩 to 12345.7.
    raw = farmland_raw(distance_km="12.3456789", findings=[
        {"category": "abandonment", "description": "撂荒", "area_mu": "12345.67"}])
    first = parse_patrol(raw, today=TODAY)
    again = parse_patrol(patrol_to_raw(first), today=TODAY)
    assert again.distance_km == 12.3456789
    assert again.findings[0].area_mu == 12345.67


RARE = st.sampled_from(["𠮷", "𡈼", "𨭉", "䶮", "喆", "\u3000", "%", "_", '"', "'", "\\"])
TEXT = st.text(
    alphabet=st.one_of(st.characters(blacklist_categories=("Cs", "Cc")), RARE), max_size=20)
NONBLANK = TEXT.filter(lambda s: s.strip() != "")
LAT = st.floats(min_value=REGION[0], max_value=REGION[1], allow_nan=False)
LON = st.floats(min_value=REGION[2], max_value=REGION[3], allow_nan=False)
HUNDREDTHS = st.integers(0, 20_000).map(lambda n: n / 100)


@st.composite
def raw_findings(draw, kind: str) -> dict[str, Any]:
    sets = FINDING_CATEGORIES[kind]
    item: dict[str, Any] = {
        "category": draw(st.sampled_from([c.code for c in sets.active()])),
        "description": draw(NONBLANK), "place": draw(TEXT), "persons": draw(TEXT),
        "recheck_result": draw(TEXT),
        "action": draw(st.sampled_from(["stopped", "dissuaded", "registered", "reported",
                                        "assigned"])),
        "deadline": draw(st.sampled_from(["", "2025-03-05", "2025-04-01"])),
    }
    if draw(st.booleans()):
        item["lat"], item["lon"] = str(draw(LAT)), str(draw(LON))
    if kind == "farmland":
        item["area_mu"] = str(draw(HUNDREDTHS))
    return item


@st.composite
def raw_patrols(draw) -> dict[str, Any]:
    kind = draw(st.sampled_from([k.code for k in KINDS]))
    raw: dict[str, Any] = {
        "kind": kind, "patrol_date": PATROL_DAY, "leader": draw(NONBLANK),
        "companions": draw(TEXT), "area": draw(TEXT), "route_start": draw(TEXT),
        "route_end": draw(TEXT), "notes": draw(TEXT), "signature": draw(TEXT),
        "village_ids": draw(st.lists(st.sampled_from(["v1", "v2", "v3"]), min_size=1,
                                     max_size=3, unique=True)),
        "distance_km": str(draw(HUNDREDTHS)),
        "waypoints": [{"lat": str(draw(LAT)), "lon": str(draw(LON)), "name": draw(TEXT)}
                      for _ in range(draw(st.integers(0, 3)))],
        "river_name": draw(NONBLANK), "river_section": draw(TEXT),
        "plot_number": draw(TEXT), "forest_entrants": str(draw(st.integers(0, 10_000))),
        "findings": [draw(raw_findings(kind)) for _ in range(draw(st.integers(0, 3)))],
    }
    return raw


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw_patrols())
def test_round_trip_property(raw: dict[str, Any]) -> None:
    first = parse_patrol(raw, today=TODAY)
    again = parse_patrol(patrol_to_raw(first), today=TODAY)
    assert again == first
    assert patrol_to_raw(again) == patrol_to_raw(first)


@settings(max_examples=100, deadline=None)
@given(LAT, LON)
def test_any_coordinate_in_the_region_is_accepted(lat: float, lon: float) -> None:
    raw = forest_raw(findings=[finding(lat=str(lat), lon=str(lon))])
    (found,) = parse_patrol(raw, today=TODAY).findings
    assert (found.lat, found.lon) == (lat, lon)


# -- a new patrol like the last one --------------------------------------------------------------


@pytest.mark.parametrize("make", [forest_raw, river_raw, farmland_raw])
def test_like_last(make) -> None:
    previous = replace(parse_patrol(make(id="p-old"), today=TODAY), id="p-old")
    new_day = date(2025, 3, 20)
    raw = like_last(previous, new_day)
    assert raw["id"] is None
    assert raw["patrol_date"] == "2025-03-20"
    assert raw["findings"] == []
    assert raw["notes"] == "" and raw["signature"] == ""
    assert raw["start_time"] == "" and raw["end_time"] == "" and raw["weather"] == ""
    assert raw["forest_entrants"] == ""
    for key in ("kind", "leader", "companions", "area", "route_start", "route_end",
                "river_name", "river_section", "river_chief_level", "plot_number"):
        assert raw[key] == getattr(previous, key), key
    assert raw["village_ids"] == list(previous.village_ids)
    made = parse_patrol(raw, today=new_day)
    assert made.waypoints == previous.waypoints
    assert made.distance_km == previous.distance_km
    assert made == replace(previous, id=None, findings=(), patrol_date=new_day, start_time="",
                           end_time="", weather="", notes="", signature="",
                           forest_entrants=None)


def test_like_last_keeps_the_fire_danger_for_forest() -> None:
    previous = parse_patrol(forest_raw(), today=TODAY)
    assert like_last(previous, TODAY)["fire_danger"] == "4"


def test_patrol_dataclass_open_findings() -> None:
    patrol = Patrol(kind="river", patrol_date=TODAY, leader="李梅", village_ids=("v",),
                    findings=tuple(Finding("other", str(s.code), status=s.code)
                                   for s in STATUSES))
    assert [f.status for f in patrol.open_findings()] == ["open", "escalated"]
