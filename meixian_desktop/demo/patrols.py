"""Demo patrols of all three kinds with findings at every stage, and the fire team."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from meixian_desktop.core import clock
from meixian_desktop.core.lifecycle import StatusChange
from meixian_desktop.core.patrols import parse_patrol, transition
from meixian_desktop.demo.places import (
    DEMO_VILLAGES,
    DEMO_WORKER,
    GROUP_NAMES,
    PLACES,
    Block,
    DemoVillage,
    at,
)
from meixian_desktop.store import fire_team, villages
from meixian_desktop.store.patrols import save_patrol
from meixian_desktop.store.session import Session

DEMO_DAYS = 153  # about five months of patrols, up to yesterday
KIND_WEIGHTS = (("forest", 45), ("river", 35), ("farmland", 20))
FIRE_SEASON = (10, 11, 12, 1, 2, 3, 4)  # 森林防火期
FLOOD_SEASON = (4, 5, 6, 7, 8, 9)  # 汛期
GIVEN_NAMES = ("国华", "春梅", "建平", "秋生", "满英", "志刚", "德元", "桂兰", "卫东", "小军")

NOTES = {
    "forest": (
        "沿防火通道步行巡查，向沿途村民宣传森林防火“十不准”，发放宣传资料{many}份。",
        "重点检查坟山、林农交界处和上山路口，劝导进山人员不带火种进山。",
        "检查防火隔离带和林区蓄水池，蓄水池水位正常。",
        "查看村级扑火物资储备点，风力灭火机、二号工具、灭火水袋齐全。",
        "在进山路口张贴森林防火宣传标语{few}处，提醒村民不烧田埂草、不烧荒。",
        "与护林员一起巡护，林下可燃物较多，提醒加密巡护频次。",
    ),
    "river": (
        "沿河堤步行巡查，查看水质、岸线和涉河设施情况，河面基本清洁，水体无异味。",
        "向沿河群众宣传十年禁渔和汨罗江禁渔规定，劝离违规垂钓人员{few}人。",
        "督促河道保洁员打捞河面漂浮物，岸边垃圾已清理。",
        "检查河长公示牌和入河排口，公示内容清晰完整，排口无异常排放。",
        "查看河滩和岸线，未发现乱占、乱采、乱堆、乱建问题。",
    ),
    "farmland": (
        "对照图斑逐丘查看耕地利用情况，未发现新增违法占用耕地。",
        "向农户宣传耕地保护“八不准”和秸秆禁烧要求，发放告知书{many}份。",
        "查看高标准农田设施，机耕道、灌溉渠完好。",
        "走访种粮大户，了解晚稻、油菜种植安排，防止耕地撂荒。",
    ),
}
SEASON_NOTES = {
    "forest": {m: "当前处于森林防火期，火险等级较高，重点防范祭祀用火和烧荒。"
               for m in FIRE_SEASON},
    "river": {m: "汛期加强巡查，重点查看堤防、涵闸和险工险段。" for m in FLOOD_SEASON},
    "farmland": {
        7: "早稻收割、晚稻插秧期间，查看有无抛荒田块。",
        8: "晚稻长势良好，查看田间有无违规堆放。",
        9: "查看晚稻长势和灌溉情况。",
        10: "晚稻陆续收割，重点防范田间焚烧秸秆。",
        11: "晚稻收割完毕，督促农户冬种油菜，防止冬闲田撂荒。",
        12: "督促冬种油菜田管，查看冬闲田情况。",
    },
}
CLEAN = {
    "forest": "本次巡查未发现野外用火和毁林行为。",
    "river": "本次巡查未发现非法采砂、非法捕捞等问题。",
    "farmland": "本次巡查未发现乱占耕地建房、挖塘养鱼等问题。",
}


@dataclass(frozen=True)
class FindingTemplate:
    """A kind of problem found on patrol: what is written, what was done, how long it takes."""

    category: str
    description: str
    action: str
    days: tuple[int, int]  # rectification deadline, days after the patrol
    quick: bool = False  # settled on the spot: closed soon after
    person: bool = False  # names the person involved
    mu: tuple[float, float] | None = None  # 亩, for farmland findings
    fixed: str = "已按要求整改到位"  # the note when marked rectified
    months: tuple[int, ...] = ()  # only found in these months (empty: any month)


FINDINGS: dict[str, tuple[FindingTemplate, ...]] = {
    "forest": (
        FindingTemplate("field_fire", "村民在田边烧秸秆，已当场劝阻并扑灭", "dissuaded", (1, 3),
                        quick=True, person=True, fixed="火已扑灭，余烬清理干净",
                        months=(9, 10, 11, 12, 1, 2, 3)),
        FindingTemplate("field_fire", "村民在山边烧荒准备种油茶，火势未蔓延，已当场扑灭并批评教育",
                        "stopped", (1, 3), quick=True, person=True, fixed="过火点已清理，无复燃",
                        months=FIRE_SEASON),
        FindingTemplate("field_fire", "有村民上坟焚烧纸钱、燃放鞭炮，已劝阻并收缴鞭炮，告知文明祭祀",
                        "dissuaded", (1, 2), quick=True, person=True, fixed="现场无火源残留"),
        FindingTemplate("fire_hazard", "防火通道内枯枝落叶堆积约50米，火险隐患较大", "registered",
                        (5, 10), fixed="已组织护林员清理可燃物"),
        FindingTemplate("fire_hazard", "高压线下杂灌未清理，与导线距离不足", "reported", (7, 15),
                        fixed="供电所已安排清障"),
        FindingTemplate("entrant_registration", "外地游客3人进山未登记，已补登记并宣传防火要求",
                        "registered", (1, 2), quick=True, fixed="已补登记，告知不带火种进山"),
        FindingTemplate("entrant_registration", "进山路口登记本缺页，部分进山人员未登记",
                        "registered", (3, 7), fixed="已更换登记本，护林员每日核对"),
        FindingTemplate("illegal_logging", "发现新伐杉木桩5根，疑似无证采伐，已拍照上报镇林业站",
                        "reported", (10, 20), fixed="林业站已查处，责令补种"),
        FindingTemplate("illegal_logging", "林边有人开挖山地约0.5亩准备种菜，已制止",
                        "stopped", (7, 15), person=True, fixed="已恢复植被，补栽树苗"),
        FindingTemplate("poaching", "林中发现捕鸟网2张、铁夹4个，已拆除收缴", "stopped", (1, 3),
                        quick=True, fixed="网具已销毁"),
        FindingTemplate("forest_pests", "马尾松林约3亩出现针叶变红，疑似松材线虫病，已上报",
                        "reported", (15, 30), fixed="林业站已取样检测并清理病死木"),
        FindingTemplate("facility_damage", "森林防火宣传牌被风刮倒，需重新固定", "registered",
                        (5, 10), fixed="宣传牌已重新固定"),
        FindingTemplate("facility_damage", "防火瞭望台扶梯松动，存在安全隐患", "registered",
                        (7, 15), fixed="扶梯已加固"),
    ),
    "river": (
        FindingTemplate("illegal_sand", "河道内发现采砂作业痕迹和挖机履带印，疑似夜间非法采砂",
                        "reported", (7, 20), fixed="水利站、派出所联合执法，已恢复河床"),
        FindingTemplate("illegal_fishing", "发现2人在河中电鱼，已当场制止，收缴电鱼器具1套并登记",
                        "stopped", (1, 3), quick=True, person=True, fixed="器具已移交农业执法"),
        FindingTemplate("illegal_fishing", "河中发现地笼网3条，已收缴销毁", "stopped", (1, 3),
                        quick=True, fixed="网具已销毁"),
        FindingTemplate("floating_waste", "河湾处漂浮生活垃圾约20平方米，已通知保洁员打捞",
                        "assigned", (1, 3), quick=True, fixed="保洁员已打捞干净"),
        FindingTemplate("waste_dumping", "河岸边倾倒建筑垃圾约5立方米", "assigned", (5, 10),
                        person=True, fixed="倾倒人已自行清运"),
        FindingTemplate("outfall", "养猪场排污口有污水直排入河，水体发黑", "reported", (10, 20),
                        person=True, fixed="养殖场已封堵排口，建好沉淀池"),
        FindingTemplate("black_odorous", "第六组河湾水体发黑发臭，疑似生活污水汇入", "reported",
                        (15, 30), fixed="已截污并清淤"),
        FindingTemplate("flood_hazard", "堤岸有一处长约8米的塌方，汛期存在隐患", "reported",
                        (10, 20), fixed="已用砂袋加固并上报水毁修复", months=FLOOD_SEASON),
        FindingTemplate("sign_damage", "河长公示牌字迹褪色，监督电话看不清", "registered",
                        (7, 15), fixed="公示牌已更新"),
        FindingTemplate("dumping_piles", "河滩上堆放木材和杂物，影响行洪", "dissuaded", (5, 10),
                        person=True, fixed="杂物已清走"),
        FindingTemplate("occupation", "村民在河滩开荒种菜约0.3亩", "dissuaded", (7, 15),
                        person=True, fixed="已复绿"),
        FindingTemplate("illegal_building", "河道管理范围内新搭简易棚屋1处", "reported", (10, 20),
                        person=True, fixed="棚屋已拆除"),
    ),
    "farmland": (
        FindingTemplate("house_building", "村民在基本农田上打地基准备建房，已当场制止并上报",
                        "reported", (7, 15), person=True, mu=(0.2, 0.4),
                        fixed="地基已拆除，恢复耕作层"),
        FindingTemplate("fish_pond", "承包户将水田挖塘养鱼", "reported", (15, 30), person=True,
                        mu=(1.0, 3.0), fixed="已回填复耕"),
        FindingTemplate("soil_taking", "有挖机在田边取土，已当场制止", "stopped", (3, 7),
                        person=True, mu=(0.1, 0.5), fixed="取土坑已回填平整"),
        FindingTemplate("abandonment", "连片水田撂荒，杂草丛生", "registered", (20, 30),
                        mu=(2.0, 8.0), fixed="已流转给种粮大户复耕"),
        FindingTemplate("non_grain", "基本农田种植苗木", "registered", (20, 30), person=True,
                        mu=(0.5, 2.0), fixed="苗木已移栽，恢复种粮"),
        FindingTemplate("straw_burning", "村民在田里焚烧稻草，已当场扑灭并劝阻", "dissuaded",
                        (1, 2), quick=True, person=True, mu=(0.5, 1.5), fixed="现场已清理",
                        months=(9, 10, 11, 12)),
        FindingTemplate("piling_hardening", "田边堆放建材并硬化地面", "dissuaded", (7, 15),
                        person=True, mu=(0.1, 0.3), fixed="建材已清走，硬化层已破除"),
    ),
}

# The findings' lifecycles, with the youngest and oldest patrol (age in days) each fits.
SCENARIOS = {
    "open_due": (1, 25), "open_later": (1, 10), "open_overdue": (4, 999), "escalated": (1, 999),
    "recheck_due": (1, 30), "recheck_later": (1, 14), "closed": (2, 999), "reopened": (4, 999),
    "reopened_closed": (6, 999), "escalated_closed": (5, 999),
}
# How many of each the demo needs at least, so the lists, filters and 今日待办 show them all.
REQUIRED = {"open_overdue": 2, "open_due": 2, "escalated": 1, "recheck_due": 2, "closed": 1}


def _scenario_weights(age: int, template: FindingTemplate) -> dict[str, float]:
    if template.quick:  # settled on the spot, checked again within days
        return {"closed": 0.85, "recheck_due": 0.15} if 3 <= age <= 14 else (
            {"recheck_due": 1.0} if age < 3 else {"closed": 1.0})
    serious = template.action == "reported"
    if age <= 4:
        weights = {"open_due": 0.35, "open_later": 0.15, "recheck_due": 0.15,
                   "recheck_later": 0.1, "escalated": 0.1, "closed": 0.15}
    elif age <= 14:
        weights = {"open_due": 0.2, "open_overdue": 0.1, "recheck_due": 0.2, "recheck_later": 0.05,
                   "escalated": 0.1, "closed": 0.3, "reopened": 0.05}
    elif age <= 40:
        weights = {"open_due": 0.05, "open_overdue": 0.15, "recheck_due": 0.1, "escalated": 0.1,
                   "closed": 0.5, "reopened": 0.05, "reopened_closed": 0.05}
    else:
        weights = {"open_overdue": 0.02, "escalated": 0.03, "recheck_due": 0.02, "closed": 0.83,
                   "reopened_closed": 0.1}
    if serious:  # reported to the town: handled there, which takes a while
        weights["escalated"] = weights.get("escalated", 0) + (0.25 if age <= 40 else 0.04)
        if _fits("escalated_closed", age):
            weights["escalated_closed"] = 0.4 if age > 14 else 0.1
    return {name: w for name, w in weights.items() if _fits(name, age)}


def _fits(scenario: str, age: int) -> bool:
    youngest, oldest = SCENARIOS[scenario]
    return youngest <= age <= oldest


@dataclass
class _Plan:
    """One finding while the demo is being made: its template, patrol date and lifecycle."""

    template: FindingTemplate
    patrol_date: date
    raw: dict[str, Any]
    scenario: str = ""


def _lifecycle(plan: _Plan, leader: str, ended: str, today: date, rng: random.Random) -> None:
    """Fill the plan's deadline, re-check fields, status and history for its scenario."""
    t, d, raw, scenario = plan.template, plan.patrol_date, plan.raw, plan.scenario
    last = today - timedelta(days=1)  # every step happened by yesterday
    deadline = d + timedelta(days=rng.randint(*t.days))
    steps: list[tuple[int, str, str, str]] = []  # day offset from d, target, by, note

    def offset(day: date) -> int:
        return max(0, min((day - d).days, (last - d).days))

    if scenario == "open_due":
        deadline = max(today + timedelta(days=rng.randint(0, 6)), d)
    elif scenario == "open_later":
        deadline = today + timedelta(days=rng.randint(8, 25))
    elif scenario == "open_overdue":
        if deadline >= today:
            deadline = today - timedelta(days=rng.randint(1, max(1, (today - d).days - 2)))
        deadline = max(deadline, d + timedelta(days=1))
    elif scenario == "escalated":
        deadline = d + timedelta(days=rng.randint(15, 30))
        steps.append((offset(d + timedelta(days=rng.randint(0, 1))), "escalated", DEMO_WORKER,
                      "已报镇综治中心，请相关站所处理"))
    else:
        fixed_on = min(deadline - timedelta(days=rng.randint(0, 2)), last)
        if t.quick:
            fixed_on = d
        if scenario == "escalated_closed":
            steps.append((0, "escalated", DEMO_WORKER, "已报镇综治中心，请相关站所处理"))
        steps.append((offset(fixed_on), "rectified", leader, t.fixed))
        if scenario in ("recheck_due", "recheck_later"):
            later = (-2, 5) if scenario == "recheck_due" else (8, 15)
            recheck = today + timedelta(days=rng.randint(*later))
            raw["recheck_date"] = max(recheck, d + timedelta(days=steps[-1][0] + 1)).isoformat()
        else:
            checked = d + timedelta(days=steps[-1][0] + rng.randint(1, 7))
            if scenario in ("reopened", "reopened_closed"):
                steps.append((offset(checked), "open", DEMO_WORKER, "复查发现仍未整改到位"))
                raw["recheck_result"] = "复查不合格：仍未整改到位，已责令限期重新整改"
                deadline = d + timedelta(days=steps[-1][0] + rng.randint(5, 15))
            if scenario == "reopened_closed":
                fixed_again = d + timedelta(days=steps[-1][0] + rng.randint(1, 4))
                steps.append((offset(fixed_again), "rectified", leader, t.fixed))
                checked = d + timedelta(days=steps[-1][0] + rng.randint(1, 4))
            if scenario != "reopened":
                steps.append((offset(checked), "closed", DEMO_WORKER, "复查合格，同意销号"))
                raw["recheck_result"] = "复查合格，已整改到位"
            raw["recheck_date"] = (d + timedelta(days=steps[-1][0])).isoformat()
    history: list[StatusChange] = []
    status, minutes, previous = "open", 0, -1
    for days, target, by, note in steps:
        if days == previous:  # the same day: a little later
            minutes += rng.randint(10, 90)
        elif days == 0:  # the patrol's day: after it ended
            minutes = int(ended[:2]) * 60 + int(ended[3:]) + rng.randint(5, 60)
        else:
            minutes = 8 * 60 + rng.randint(0, 9 * 60)
        minutes, previous = min(minutes, 23 * 60 + 59), days
        history.append(transition(status, target, by, note,
                                  at=at(d + timedelta(days=days), minutes)))
        status = target
    raw["deadline"] = deadline.isoformat()
    raw["status"] = status
    raw["history"] = [vars(change) for change in history]


def _finding(kind: str, block: Block, village: DemoVillage, day: date, rng: random.Random
             ) -> _Plan:
    choices = [t for t in FINDINGS[kind] if not t.months or day.month in t.months]
    template = rng.choice(choices)
    raw: dict[str, Any] = {
        "category": template.category, "description": template.description,
        "place": rng.choice(block.spots), "action": template.action,
    }
    if template.person:
        group = rng.choice(GROUP_NAMES[:8])
        raw["persons"] = f"{rng.choice(village.surnames)}{rng.choice(GIVEN_NAMES)}（{group}村民）"
    if template.mu:
        raw["area_mu"] = f"{rng.uniform(*template.mu):.1f}"
    if rng.random() < 0.6:
        lat, lon = village.center
        raw["lat"] = f"{lat + rng.uniform(-0.012, 0.012):.5f}"
        raw["lon"] = f"{lon + rng.uniform(-0.012, 0.012):.5f}"
    return _Plan(template, day, raw)


def _weather(day: date, rng: random.Random) -> str:
    if day.month in (7, 8):
        table = {"sunny": 50, "cloudy": 25, "overcast": 5, "light_rain": 10, "rain": 5,
                 "windy": 5}
    elif day.month in (3, 4, 5, 6):
        table = {"sunny": 20, "cloudy": 25, "overcast": 20, "light_rain": 25, "rain": 10}
    elif day.month in (12, 1, 2):
        table = {"sunny": 20, "cloudy": 20, "overcast": 35, "light_rain": 12, "fog": 8, "snow": 5}
    else:
        table = {"sunny": 45, "cloudy": 30, "overcast": 12, "light_rain": 8, "fog": 5}
    return rng.choices(list(table), weights=list(table.values()))[0]


def _fire_danger(day: date, weather: str, rng: random.Random) -> str:
    if weather in ("light_rain", "rain", "snow"):
        return "1"
    dry = day.month in FIRE_SEASON or day.month in (7, 8)  # autumn-winter and the 伏旱
    if weather == "sunny" and dry:
        return rng.choice("3344" if day.month not in (10, 11) else "34445")
    if weather in ("sunny", "cloudy", "windy"):
        return rng.choice("233" if dry else "122")
    return rng.choice("12")


def _times(kind: str, day: date, rng: random.Random) -> tuple[str, str]:
    if kind == "forest":
        start = rng.choice((8 * 60, 8 * 60 + 30, 9 * 60, 14 * 60, 14 * 60 + 30))
        length = rng.randint(120, 210)
    elif kind == "river":
        start = rng.choice((7 * 60 + 30, 8 * 60, 15 * 60, 15 * 60 + 30))
        length = rng.randint(90, 150)
    else:
        start = rng.choice((9 * 60, 9 * 60 + 30, 10 * 60, 15 * 60))
        length = rng.randint(60, 120)
    if day.month in (7, 8) and start < 12 * 60:  # summer: out before the heat
        start -= 90
    start += rng.choice((0, 5, 10, 15, 20))
    end = start + length
    return f"{start // 60:02d}:{start % 60:02d}", f"{end // 60:02d}:{end % 60:02d}"


def _entrants(day: date, rng: random.Random) -> int:
    """People registered entering the forest: many more at 清明, 国庆 and 冬至."""
    festive = ((day.month == 4 and day.day <= 6) or (day.month == 10 and day.day <= 7)
               or (day.month == 12 and 20 <= day.day <= 23))
    return rng.randint(12, 40) if festive else rng.randint(0, 9)


def _waypoints(block: Block, village: DemoVillage, rng: random.Random) -> list[dict[str, str]]:
    lat, lon = village.center
    names = [block.start, *rng.sample(block.spots, min(2, len(block.spots))), block.end]
    step_lat, step_lon = rng.uniform(-0.004, 0.004), rng.uniform(-0.004, 0.004)
    return [
        {"lat": f"{lat + step_lat * i + rng.uniform(-0.001, 0.001):.5f}",
         "lon": f"{lon + step_lon * i + rng.uniform(-0.001, 0.001):.5f}", "name": name}
        for i, name in enumerate(names)
    ]


@dataclass
class _PatrolPlan:
    """One patrol while the demo is being made: its typed fields, place and findings."""

    raw: dict[str, Any]
    kind: str
    block: Block
    village: DemoVillage
    notes: list[str]
    findings: list[_Plan]

    @property
    def day(self) -> date:
        return date.fromisoformat(self.raw["patrol_date"])

    def finished(self) -> dict[str, Any]:
        """The typed fields with the closing note and the findings."""
        count = len(self.findings)
        closing = (f"发现问题{count}处，已现场处置并登记，详见问题清单。" if count
                   else CLEAN[self.kind])
        return {**self.raw, "notes": "".join([*self.notes, closing]),
                "findings": [plan.raw for plan in self.findings]}


def _patrol(day: date, leader: str, codes: list[str], ids: dict[str, str],
            rng: random.Random, chance: float) -> _PatrolPlan:
    """A patrol's typed fields on ``day``; with ``chance``, 1–3 findings (no lifecycle yet)."""
    kind = rng.choices([k for k, _ in KIND_WEIGHTS], weights=[w for _, w in KIND_WEIGHTS])[0]
    village = PLACES[codes[0]]
    block = rng.choice({"forest": village.forests, "river": village.rivers,
                        "farmland": village.fields}[kind])
    if kind == "river" and block.town_level and leader == DEMO_WORKER and rng.random() < 0.5:
        codes = list(dict.fromkeys([*codes, "430626108210", "430626108208"]))  # the shared reach
    weather = _weather(day, rng)
    others = [c for c in (village.secretary, *village.cadres) if c != leader]
    companions = rng.sample(others, rng.randint(1, 3 if kind == "forest" else 2))
    start, end = _times(kind, day, rng)
    distance = {"forest": (4.0, 12.0), "river": (3.0, 9.0), "farmland": (2.0, 6.0)}[kind]
    raw: dict[str, Any] = {
        "kind": kind, "patrol_date": day.isoformat(), "start_time": start, "end_time": end,
        "weather": weather, "leader": leader, "companions": "、".join(companions),
        "village_ids": [ids[c] for c in codes if c in ids], "area": block.area,
        "route_start": block.start, "route_end": block.end,
        "distance_km": f"{rng.uniform(*distance):.1f}", "signature": leader,
    }
    if rng.random() < 0.4:
        raw["waypoints"] = _waypoints(block, village, rng)
    notes = [n.format(few=rng.randint(1, 5), many=rng.randint(10, 40))
             for n in rng.sample(NOTES[kind], 2)]
    season = SEASON_NOTES[kind].get(day.month)
    if season and rng.random() < 0.5:
        notes.insert(0, season)
    if kind == "forest":
        raw["fire_danger"] = _fire_danger(day, weather, rng)
        raw["forest_entrants"] = str(_entrants(day, rng))
    elif kind == "river":
        raw["river_name"] = block.river or block.area
        raw["river_section"] = (f"{village.name}段（{block.start}至{block.end}）"
                                if block.river else f"全段（{block.start}至{block.end}）")
        town = block.town_level and rng.random() < 0.3
        raw["river_chief_level"] = "town" if town else "village"
        if town:
            raw["companions"] += "、钟志强（镇级河长）"
    else:
        raw["plot_number"] = block.plot
    plan = _PatrolPlan(raw, kind, block, village, notes, [])
    if rng.random() < chance:
        count = rng.choices((1, 2, 3), weights=(6, 3, 1))[0]
        plan.findings = [_finding(kind, block, village, day, rng) for _ in range(count)]
    return plan


def _cover_required(patrols: list[_PatrolPlan], today: date, rng: random.Random) -> None:
    """Make sure each status the demo should show appears (REQUIRED times): turn common
    lifecycles of suitable findings into missing ones, or add a finding where none fits."""
    plans = [plan for patrol in patrols for plan in patrol.findings]
    counts: dict[str, int] = {}
    for plan in plans:
        counts[plan.scenario] = counts.get(plan.scenario, 0) + 1

    def fits(needed: str, day: date) -> bool:
        return _fits(needed, (today - day).days)

    for needed, wanted in REQUIRED.items():
        while counts.get(needed, 0) < wanted:
            spare = [p for p in plans if counts[p.scenario] > REQUIRED.get(p.scenario, 0)
                     and fits(needed, p.patrol_date)]
            if spare:
                plan = max(spare, key=lambda p: (not p.template.quick, p.patrol_date))
                counts[plan.scenario] -= 1
            else:
                patrol = max((p for p in patrols if fits(needed, p.day)),
                             key=lambda p: (not p.findings, p.day), default=None)
                if patrol is None:
                    break
                plan = _finding(patrol.kind, patrol.block, patrol.village, patrol.day, rng)
                patrol.findings.append(plan)
                plans.append(plan)
            plan.scenario = needed
            counts[needed] = counts.get(needed, 0) + 1
            if needed == "escalated":
                plan.raw["action"] = "reported"


def demo_patrols(session: Session, rng: random.Random, today: date | None = None) -> int:
    """About five months of patrols in the demo worker's villages, with findings at every
    stage of their lifecycle; nothing when patrols already exist. Returns the patrols made."""
    store = session.store
    if store.conn.execute("SELECT 1 FROM patrols WHERE deleted = 0 LIMIT 1").fetchone():
        return 0
    today = today or clock.today()
    ids = {}
    for code in DEMO_VILLAGES:
        village = villages.village_by_code(store, code)
        if village is not None:
            ids[code] = village.id
    if not ids:
        return 0
    codes = list(ids)
    day = today - timedelta(days=DEMO_DAYS)
    patrols: list[_PatrolPlan] = []
    while day < today:  # today's patrol is still to be done
        weekday = day.weekday() < 5
        chance = 0.5 if (today - day).days <= 21 else 1 / 3  # recent ones are still being handled
        if rng.random() < (0.55 if weekday else 0.2):
            patrols.append(_patrol(day, DEMO_WORKER, [rng.choice(codes)], ids, rng, chance))
        if weekday and rng.random() < 0.25:
            code = rng.choice(codes)
            patrols.append(_patrol(day, PLACES[code].secretary, [code], ids, rng, chance))
        day += timedelta(days=1)
    for patrol in patrols:
        for plan in patrol.findings:
            weights = _scenario_weights((today - plan.patrol_date).days, plan.template)
            plan.scenario = rng.choices(list(weights), weights=list(weights.values()))[0]
    _cover_required(patrols, today, rng)
    with store.transaction() as tx:
        for patrol in patrols:
            for plan in patrol.findings:
                _lifecycle(plan, patrol.raw["leader"], patrol.raw["end_time"], today, rng)
            save_patrol(tx, parse_patrol(patrol.finished(), today=today))
    return len(patrols)


FIRE_TEAM = (
    ("张德胜", "430626108210", "风力灭火机、二号工具、灭火水袋"),
    ("韩卫东", "430626108210", "灭火水袋、砍刀、头灯"),
    ("吴志强", "430626108208", "风力灭火机、二号工具"),
    ("周小林", "430626108208", "二号工具、灭火水袋、对讲机"),
    ("黄春生", "430626108214", "风力灭火机、油锯、灭火水袋"),
    ("石勇", "430626108214", "二号工具、对讲机、急救包"),
    ("唐志刚", "", "高压细水雾灭火机、对讲机（镇专业扑火队）"),
)


def demo_fire_team(session: Session, rng: random.Random, today: date | None = None) -> int:
    """The response team roster (扑火应急队伍); nothing when it already has members."""
    store = session.store
    if store.conn.execute("SELECT 1 FROM fire_team_members WHERE deleted = 0 LIMIT 1").fetchone():
        return 0
    today = today or clock.today()
    made = 0
    with store.transaction() as tx:
        for name, code, equipment in FIRE_TEAM:
            village = villages.village_by_code(store, code) if code else None
            trained = today - timedelta(days=rng.randint(20, 200))
            member = fire_team.parse_member({
                "name": name, "phone": f"139{rng.randint(0, 99_999_999):08d}",
                "village_id": village.id if village else "", "equipment": equipment,
                "last_training": trained.isoformat(),
            }, today=today)
            fire_team.save_member(tx, member)
            made += 1
    return made
