"""Patrols (巡查) of forests, rivers and farmland, their findings (发现问题) and follow-up."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from meixian_desktop.core import clock
from meixian_desktop.core.categories import CategorySet, categories
from meixian_desktop.core.errors import Problems, ValidationError
from meixian_desktop.core.fields import parse_date, parse_number, parse_time
from meixian_desktop.core.fields import text_of as _text
from meixian_desktop.core.geo import Waypoint, check_coordinate
from meixian_desktop.core.lifecycle import StatusChange, check_step, stamp

KINDS = categories("patrol_kind", "巡查类型", [
    ("forest", "森林防火巡查"),
    ("river", "河道巡查"),
    ("farmland", "耕地保护巡查"),
])

FINDING_CATEGORIES: dict[str, CategorySet] = {
    "forest": categories("forest_finding", "森林防火问题类别", [
        ("field_fire", "野外用火（烧荒/祭祀用火/秸秆焚烧）"),
        ("fire_hazard", "火情或火险隐患"),
        ("entrant_registration", "进山人员登记"),
        ("illegal_logging", "盗伐滥伐/毁林开垦"),
        ("poaching", "乱捕滥猎"),
        ("forest_pests", "林业有害生物"),
        ("facility_damage", "防火设施/标牌损坏"),
        ("other", "其他"),
    ]),
    "river": categories("river_finding", "河道问题类别", [
        ("illegal_sand", "非法采砂"),
        ("occupation", "乱占"),
        ("extraction", "乱采"),
        ("dumping_piles", "乱堆"),
        ("illegal_building", "乱建"),
        ("illegal_fishing", "非法捕捞（电鱼/网鱼/药鱼）"),
        ("outfall", "入河排污口异常"),
        ("black_odorous", "黑臭水体"),
        ("floating_waste", "垃圾漂浮物"),
        ("waste_dumping", "倾倒废弃物"),
        ("flood_hazard", "防洪隐患"),
        ("sign_damage", "河长公示牌损坏"),
        ("other", "其他"),
    ]),
    "farmland": categories("farmland_finding", "耕地问题类别", [
        ("house_building", "乱占耕地建房"),
        ("fish_pond", "挖塘养鱼"),
        ("soil_taking", "非法取土/山砂盗采"),
        ("abandonment", "撂荒"),
        ("non_grain", "非粮化"),
        ("straw_burning", "秸秆焚烧"),
        ("piling_hardening", "堆放/硬化"),
        ("other", "其他"),
    ]),
}

ACTIONS = categories("finding_action", "处置方式", [
    ("stopped", "当场制止"),
    ("dissuaded", "劝阻"),
    ("registered", "登记"),
    ("reported", "上报镇级"),
    ("assigned", "交办部门"),
])

WEATHER = categories("weather", "天气", [
    ("sunny", "晴"), ("cloudy", "多云"), ("overcast", "阴"), ("light_rain", "小雨"),
    ("rain", "中到大雨"), ("snow", "雪"), ("fog", "雾"), ("windy", "大风"),
])

FIRE_DANGER = categories("fire_danger", "森林火险等级", [
    ("1", "一级（低）"), ("2", "二级（较低）"), ("3", "三级（较高）"),
    ("4", "四级（高）"), ("5", "五级（极高）"),
])

RIVER_CHIEF_LEVELS = categories("river_chief_level", "河长级别", [
    ("town", "镇级"), ("village", "村级"),
])

# -- the finding lifecycle ----------------------------------------------------------------------

STATUSES = categories("finding_status", "问题状态", [
    ("open", "待整改"),
    ("rectified", "已整改待复查"),
    ("closed", "已销号"),
    ("escalated", "已上报"),
])

# From each status, the statuses a finding may move to, and the verb shown on the button.
TRANSITIONS: dict[str, dict[str, str]] = {
    "open": {"rectified": "标记已整改", "escalated": "上报镇级"},
    "escalated": {"rectified": "标记已整改"},
    "rectified": {"closed": "复查合格，销号", "open": "复查不合格，重新整改"},
    "closed": {},
}


def check_transition(current: str, target: str) -> None:
    """Raise ValidationError unless a finding may move from ``current`` to ``target``."""
    check_step(STATUSES, TRANSITIONS, "问题", current, target, allowed_intro="可以改为")


def transition(status: str, target: str, by: str, note: str = "",
               at: datetime | None = None) -> StatusChange:
    """Check and stamp a status change, attributed to the worker ``by``."""
    check_transition(status, target)
    return stamp(status, target, by, note, at, nobody="请写明是谁做的这次处理。")


# -- records ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """A problem found on a patrol (发现问题)."""

    category: str
    description: str
    place: str = ""
    lat: float | None = None
    lon: float | None = None
    persons: str = ""
    action: str = "registered"
    deadline: date | None = None
    recheck_date: date | None = None
    recheck_result: str = ""
    area_mu: float | None = None
    status: str = "open"
    photos: tuple[str, ...] = ()
    history: tuple[StatusChange, ...] = ()
    id: str | None = None


@dataclass(frozen=True)
class Patrol:
    """One patrol (巡查记录): the common header, the kind's own fields, and its findings."""

    kind: str
    patrol_date: date
    leader: str
    village_ids: tuple[str, ...]
    start_time: str = ""
    end_time: str = ""
    weather: str = ""
    companions: str = ""
    area: str = ""
    route_start: str = ""
    route_end: str = ""
    waypoints: tuple[Waypoint, ...] = ()
    distance_km: float | None = None
    notes: str = ""
    signature: str = ""
    fire_danger: str = ""
    forest_entrants: int | None = None
    river_name: str = ""
    river_section: str = ""
    river_chief_level: str = ""
    plot_number: str = ""
    findings: tuple[Finding, ...] = field(default_factory=tuple)
    id: str | None = None

    @property
    def kind_label(self) -> str:
        return KINDS.label_of(self.kind)

    def open_findings(self) -> list[Finding]:
        return [f for f in self.findings if f.status in ("open", "escalated")]


# -- reading what the user typed ----------------------------------------------------------------

FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def _waypoints(raw: Any, problems: Problems) -> tuple[Waypoint, ...]:
    points = []
    for number, item in enumerate(raw or (), start=1):
        try:
            lat = parse_number(item.get("lat"), "纬度", "waypoints")
            lon = parse_number(item.get("lon"), "经度", "waypoints")
            check_coordinate(lat, lon, "waypoints")
        except ValidationError as exc:
            problems.add("waypoints", f"路线第 {number} 个点：{exc.message}")
            continue
        if lat is not None and lon is not None:
            points.append(Waypoint(lat, lon, str(item.get("name") or "").strip()))
    return tuple(points)


def parse_finding(raw: dict[str, Any], kind: str, patrol_date: date | None, *, today: date,
                  problems: Problems, prefix: str,
                  categories_by_kind: dict[str, CategorySet] | None = None) -> Finding | None:
    """Turn one finding's typed fields into a Finding, noting problems under ``prefix``."""
    sets = categories_by_kind or FINDING_CATEGORIES
    category = _text(raw, "category")
    if kind in sets:
        problems.check(f"{prefix}category", sets[kind].check, category)
    description = _text(raw, "description")
    if not description:
        problems.add(f"{prefix}description", "请写明发现的问题是什么。")
    action = _text(raw, "action") or "registered"
    problems.check(f"{prefix}action", ACTIONS.check, action)
    lat = problems.check(f"{prefix}lat", parse_number, raw.get("lat"), "纬度", f"{prefix}lat")
    lon = problems.check(f"{prefix}lon", parse_number, raw.get("lon"), "经度", f"{prefix}lon")
    if f"{prefix}lat" not in problems.found and f"{prefix}lon" not in problems.found:
        problems.check(f"{prefix}lat", check_coordinate, lat, lon, f"{prefix}lat")
    deadline = problems.check(f"{prefix}deadline", parse_date, raw.get("deadline"), "整改期限",
                              f"{prefix}deadline", today=today, allow_future=True)
    recheck = problems.check(f"{prefix}recheck_date", parse_date, raw.get("recheck_date"),
                             "复查日期", f"{prefix}recheck_date", today=today, allow_future=True)
    for value, key, label in ((deadline, "deadline", "整改期限"), (recheck, "recheck_date", "复查日期")):
        if isinstance(value, date) and patrol_date and value < patrol_date:
            problems.add(f"{prefix}{key}", f"{label}不能早于巡查日期（{patrol_date}）。")
    area = problems.check(f"{prefix}area_mu", parse_number, raw.get("area_mu"), "面积",
                          f"{prefix}area_mu")
    if isinstance(area, float) and not 0 <= area <= 100_000:
        problems.add(f"{prefix}area_mu", "面积（亩）要在 0 到 100000 之间。")
    status = _text(raw, "status") or "open"
    if status not in STATUSES:
        problems.add(f"{prefix}status", f"未知的问题状态“{status}”。")
    if problems.found:
        return None
    return Finding(
        category=category, description=description, place=_text(raw, "place"),
        lat=lat if isinstance(lat, float) else None, lon=lon if isinstance(lon, float) else None,
        persons=_text(raw, "persons"), action=action,
        deadline=deadline if isinstance(deadline, date) else None,
        recheck_date=recheck if isinstance(recheck, date) else None,
        recheck_result=_text(raw, "recheck_result"),
        area_mu=area if isinstance(area, float) and kind == "farmland" else None,
        status=status, photos=tuple(raw.get("photos") or ()),
        history=tuple(StatusChange(**h) for h in raw.get("history") or ()),
        id=raw.get("id") or None,
    )


def parse_patrol(raw: dict[str, Any], *, today: date,
                 categories_by_kind: dict[str, CategorySet] | None = None,
                 now: datetime | None = None) -> Patrol:
    """Check everything the user typed for a patrol and its findings; raise RecordInvalid
    listing every problem by field (``findings.2.category`` for the third finding)."""
    problems = Problems()
    kind = _text(raw, "kind")
    problems.check("kind", KINDS.check, kind)
    patrol_date = problems.check("patrol_date", parse_date, raw.get("patrol_date"), "巡查日期",
                                 "patrol_date", today=today)
    if patrol_date is None and "patrol_date" not in problems.found:
        problems.add("patrol_date", "请填写巡查日期。")
    start = problems.check("start_time", parse_time, raw.get("start_time"), "开始时间",
                           "start_time")
    end = problems.check("end_time", parse_time, raw.get("end_time"), "结束时间", "end_time")
    if start and end and str(end) < str(start):
        problems.add("end_time", f"结束时间 {end} 早于开始时间 {start}，请核对。")
    time_now = (now or clock.now()).strftime("%H:%M")
    if patrol_date == today and end and str(end) > time_now:
        problems.add("end_time", f"结束时间 {end} 还没到，请核对。")
    leader = _text(raw, "leader")
    if not leader:
        problems.add("leader", "请填写巡查负责人。")
    village_ids = tuple(v for v in raw.get("village_ids") or () if v)
    if not village_ids:
        problems.add("village_ids", "请至少选择一个巡查的村（社区）。")
    weather = _text(raw, "weather")
    if weather:
        problems.check("weather", WEATHER.check, weather)
    distance = problems.check("distance_km", parse_number, raw.get("distance_km"), "巡查里程",
                              "distance_km")
    if isinstance(distance, float) and not 0 <= distance <= 200:
        problems.add("distance_km", "巡查里程要在 0 到 200 公里之间。")
    fire_danger = _text(raw, "fire_danger") if kind == "forest" else ""
    if fire_danger:
        problems.check("fire_danger", FIRE_DANGER.check, fire_danger)
    entrants = None
    if kind == "forest" and _text(raw, "forest_entrants"):
        text = _text(raw, "forest_entrants").translate(FULL_WIDTH_DIGITS)
        if text.isascii() and text.isdigit() and int(text) <= 10_000:
            entrants = int(text)
        else:
            problems.add("forest_entrants", "登记进山人数要填 0 到 10000 的整数。")
    river_name = _text(raw, "river_name") if kind == "river" else ""
    if kind == "river" and not river_name:
        problems.add("river_name", "河道巡查请填写河流名称。")
    chief = _text(raw, "river_chief_level") if kind == "river" else ""
    if chief:
        problems.check("river_chief_level", RIVER_CHIEF_LEVELS.check, chief)
    waypoints = _waypoints(raw.get("waypoints"), problems)
    findings = []
    for number, item in enumerate(raw.get("findings") or ()):
        found = parse_finding(item, kind, patrol_date if isinstance(patrol_date, date) else None,
                              today=today, problems=problems, prefix=f"findings.{number}.",
                              categories_by_kind=categories_by_kind)
        if found is not None:
            findings.append(found)
    problems.raise_if_any()
    assert isinstance(patrol_date, date)
    return Patrol(
        kind=kind, patrol_date=patrol_date, leader=leader, village_ids=village_ids,
        start_time=str(start or ""), end_time=str(end or ""), weather=weather,
        companions=_text(raw, "companions"), area=_text(raw, "area"),
        route_start=_text(raw, "route_start"), route_end=_text(raw, "route_end"),
        waypoints=waypoints, distance_km=distance if isinstance(distance, float) else None,
        notes=_text(raw, "notes"), signature=_text(raw, "signature"),
        fire_danger=fire_danger, forest_entrants=entrants, river_name=river_name,
        river_section=_text(raw, "river_section") if kind == "river" else "",
        river_chief_level=chief, plot_number=_text(raw, "plot_number") if kind == "farmland"
        else "", findings=tuple(findings), id=raw.get("id") or None,
    )


def _number_text(value: float | None) -> str:
    """A number as the user would type it back: exact, without a trailing .0."""
    if value is None:
        return ""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def finding_to_raw(finding: Finding) -> dict[str, Any]:
    """The typed form of a finding (the inverse of parse_finding), for editors and drafts."""
    return {
        "id": finding.id, "category": finding.category, "description": finding.description,
        "place": finding.place, "lat": "" if finding.lat is None else str(finding.lat),
        "lon": "" if finding.lon is None else str(finding.lon), "persons": finding.persons,
        "action": finding.action,
        "deadline": finding.deadline.isoformat() if finding.deadline else "",
        "recheck_date": finding.recheck_date.isoformat() if finding.recheck_date else "",
        "recheck_result": finding.recheck_result,
        "area_mu": _number_text(finding.area_mu),
        "status": finding.status, "photos": list(finding.photos),
        "history": [vars(change) for change in finding.history],
    }


def patrol_to_raw(patrol: Patrol) -> dict[str, Any]:
    """The typed form of a patrol, for editors, drafts and "new like the last one"."""
    return {
        "id": patrol.id, "kind": patrol.kind, "patrol_date": patrol.patrol_date.isoformat(),
        "start_time": patrol.start_time, "end_time": patrol.end_time,
        "weather": patrol.weather, "leader": patrol.leader, "companions": patrol.companions,
        "village_ids": list(patrol.village_ids), "area": patrol.area,
        "route_start": patrol.route_start, "route_end": patrol.route_end,
        "waypoints": [{"lat": str(w.lat), "lon": str(w.lon), "name": w.name}
                      for w in patrol.waypoints],
        "distance_km": _number_text(patrol.distance_km),
        "notes": patrol.notes, "signature": patrol.signature,
        "fire_danger": patrol.fire_danger,
        "forest_entrants": "" if patrol.forest_entrants is None else str(patrol.forest_entrants),
        "river_name": patrol.river_name, "river_section": patrol.river_section,
        "river_chief_level": patrol.river_chief_level, "plot_number": patrol.plot_number,
        "findings": [finding_to_raw(f) for f in patrol.findings],
    }


def like_last(previous: Patrol, today: date) -> dict[str, Any]:
    """A new patrol like ``previous``: same kind, route, area and companions, dated today."""
    template = replace(previous, id=None, findings=(), patrol_date=today, start_time="",
                       end_time="", weather="", notes="", signature="", forest_entrants=None)
    raw = patrol_to_raw(template)
    raw["id"] = None
    return raw
