"""Row makers for households, members, measures, visits and 督促监护令 in the benchmark home.

The whole town's households (spread over every live village, so a worker's 今日待办 has to pick
its three villages out of them): a third or so are key groups (低保, 特困, 防返贫监测户, 留守老人,
留守儿童, 困境儿童, 残疾人 …) visited monthly, the rest twice a year. Each household has
``MEMBERS`` members with valid ID numbers (unique in the home) and Chinese names, and ``VISITS``
visits whose last one is placed so that the next due visit falls between a few weeks overdue
and a few months ahead of the day the home is built. ``households.next_visit_due`` is then set
by the store's own ``refresh_all_due`` (see ``fixture.fill``). Orders are spread over every
status with their services, follow-ups and status steps consistent with them, so that
``store.orders.load_order`` and the typed rules accept them.

Every value comes from a generator seeded by the row's index (and the household's or order's
index for child rows), so a member or visit works out its household without a query. ID numbers
are the one exception: a member whose drawn number is taken moves to the next free sequence,
which depends on the rows made before it (always made in index order).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from meixian_desktop.core.households import add_months
from meixian_desktop.core.orders import DEFAULT_CONSEQUENCES, FACTS, pseudonym_of
from meixian_desktop.core.validation import id_number_check_char
from meixian_desktop.demo import households as demo
from meixian_desktop.demo import orders as demo_orders
from meixian_desktop.demo.places import DEMO_WORKER, GROUP_NAMES, PLACES

if TYPE_CHECKING:
    from tests.benchmarks.fixture import TablePlan

MEMBERS = 3  # per household
VISITS = 10  # per household
SURNAMES = "李王张刘陈杨黄周吴彭钟余唐石韩胡何罗邓谢"
SINGLE = {True: "伟勇军刚强平斌波磊涛杰鹏", False: "丽娟艳芳敏静燕霞洋玲红英"}
DOUBLE = {
    True: ("建华", "建国", "国庆", "志明", "德胜", "卫东", "海波", "文斌", "志强", "建平",
           "春生", "秋生", "德元", "国华", "满堂", "长根", "福生", "炳坤", "冬生", "正清",
           "红兵", "立新", "铁军", "小军", "浩然", "子轩", "宇航", "俊杰", "博文", "思远"),
    False: ("桂兰", "满英", "秋菊", "春花", "冬梅", "菊香", "玉兰", "金莲", "细妹", "淑珍",
            "爱莲", "小燕", "红霞", "春梅", "丽华", "秀英", "美玲", "欣怡", "雨萱", "诗涵",
            "梓琪", "思雨", "佳怡", "可馨", "语桐", "若曦", "桂香", "秋莲", "卫红", "满红"),
}
# Household kinds and how common they are (per 100 households).
KINDS = (("plain", 69), ("migrant", 10), ("empty_nest", 6), ("dibao", 6), ("tekun", 2),
         ("monitored", 5), ("child", 1), ("correction", 1))
TAGS = {"dibao": ["dibao"], "tekun": ["tekun"], "monitored": ["monitored"]}
NOTES = {"plain": "家庭情况稳定，无特殊困难。", "migrant": "儿子儿媳在外务工，孩子由爷爷奶奶照看。",
         "empty_nest": "子女在外地成家，老两口在家。", "dibao": "户主残疾，家庭纳入农村低保。",
         "tekun": "无法定赡养能力人，分散供养。", "monitored": "因病因学支出大，纳入防返贫监测。",
         "child": "孩子父母无力抚养，由爷爷奶奶照看。", "correction": "户主为社区矫正对象，定期报到。"}
ORDER_STATUSES = ("pending",) * 2 + ("served",) * 3 + ("observing",) * 9 + ("ended",) * 6


def _seeded(index: int, salt: int) -> random.Random:
    return random.Random(index * 1_000_003 + salt)


@dataclass(frozen=True)
class Town:
    """What the makers need to know about the home: its villages, groups and day."""

    villages: tuple[tuple[str, str, str], ...]  # (id, name, code) of every live village
    groups: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]  # village id -> (id, name)
    today: date
    months_key: int
    months_other: int
    households: int
    orders: int

    def groups_of(self, village_id: str) -> tuple[tuple[str, str], ...]:
        return next((found for vid, found in self.groups if vid == village_id), ())

    def cadres(self, code: str) -> tuple[str, ...]:
        """The village's cadres (帮扶责任人): the demo's where it has them, else made up."""
        if code in PLACES:
            return (PLACES[code].secretary, *PLACES[code].cadres)
        rng = random.Random(code)
        return tuple(rng.choice(SURNAMES[:10]) + rng.choice(DOUBLE[rng.random() < 0.6])
                     for _ in range(4))


def name(rng: random.Random, male: bool, surname: str = "") -> str:
    given = rng.choice(SINGLE[male]) if rng.random() < 0.3 else rng.choice(DOUBLE[male])
    return (surname or rng.choice(SURNAMES)) + given


def mobile(rng: random.Random) -> str:
    return rng.choice(demo.MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def kind_of(index: int) -> str:
    roll = _seeded(index, 11).randrange(100)
    for kind, weight in KINDS:
        if roll < weight:
            return kind
        roll -= weight
    return "plain"


@dataclass(frozen=True)
class Person:
    name: str
    relation: str
    age: int
    male: bool
    tags: tuple[str, ...] = ()
    health: str = "healthy"
    work: str = ""
    school: str = "not_applicable"
    disability: tuple[str, str] | None = None
    assistance: str = ""
    phone: str = ""


@dataclass(frozen=True)
class HouseholdFacts:
    kind: str
    village: tuple[str, str, str]
    group_id: str | None
    address: str
    number: str
    people: tuple[Person, ...]
    tags: tuple[str, ...]
    cadre: str
    phone: str
    visits: tuple[tuple[date, date | None], ...]  # (visit date, planned next), oldest first

    @property
    def key(self) -> bool:
        return bool(self.tags) or any(p.tags for p in self.people)


def _school(age: int) -> str:
    for limit, status in ((3, "not_applicable"), (6, "preschool"), (12, "primary"),
                          (15, "junior"), (18, "senior")):
        if age < limit:
            return status
    return "not_applicable"


def _people(kind: str, rng: random.Random, surname: str) -> tuple[Person, ...]:
    """Head, spouse and a third member, by the kind of household."""
    if kind in ("migrant", "child", "empty_nest", "tekun"):
        old = rng.randint(64, 82)
        elder = {"migrant": ("left_behind_elderly",), "child": ("left_behind_elderly",),
                 "empty_nest": ("empty_nest",)}.get(kind, ())
        assistance = "tekun" if kind == "tekun" else ""
        head = Person(name(rng, True, surname), "head", old, True, elder, "chronic",
                      "unable" if old >= 78 else "farming", assistance=assistance)
        spouse = Person(name(rng, False), "spouse", old - rng.randint(0, 4), False, elder,
                        rng.choice(("healthy", "chronic")), "farming", assistance=assistance)
        if kind == "empty_nest":
            third = Person(name(rng, True, surname), "son", old - 28, True, work="away_work",
                           phone=mobile(rng))
        elif kind == "tekun":
            third = Person(name(rng, True, surname), "son", old - 30, True, (), "disabled",
                           "unable", disability=("智力残疾", "二级"), assistance="tekun")
        else:
            age = rng.randint(5, 15)
            male = rng.random() < 0.5
            tag = "left_behind_child" if kind == "migrant" else rng.choice(
                ("child_unsupported", "child_family", "child_self"))
            third = Person(name(rng, male, surname), "grandson" if male else "granddaughter",
                           age, male, (tag,), work="student", school=_school(age))
        return head, spouse, third
    age = rng.randint(36, 58)
    disabled = kind == "dibao" or (kind == "monitored" and rng.random() < 0.3)
    disability = rng.choice(demo.DISABILITIES) if disabled else None
    head = Person(name(rng, True, surname), "head", age, True,
                  ("disabled",) if disabled else (
                      ("community_correction",) if kind == "correction" else ()),
                  "disabled" if disabled else rng.choice(("healthy", "healthy", "chronic")),
                  "unable" if disabled else rng.choice(("farming", "local_work", "away_work")),
                  disability=disability, assistance="dibao" if kind == "dibao" else "",
                  phone=mobile(rng))
    spouse = Person(name(rng, False), "spouse", age - rng.randint(0, 4), False,
                    work=rng.choice(("farming", "local_work", "away_work")),
                    assistance="dibao" if kind == "dibao" else "",
                    phone=mobile(rng) if rng.random() < 0.5 else "")
    child_age = rng.randint(4, 17) if age < 48 else rng.randint(18, 28)
    male = rng.random() < 0.55
    school = _school(child_age)
    third = Person(name(rng, male, surname), "son" if male else "daughter", child_age, male,
                   work="student" if school != "not_applicable" else "away_work",
                   school=school, phone=mobile(rng) if child_age >= 18 else "")
    return head, spouse, third


def _visit_days(key: bool, rng: random.Random, town: Town) -> tuple[tuple[date, date | None], ...]:
    """Ten visits, the last placed so the next due falls from weeks overdue to one interval
    ahead: most households visited on time, a tail behind (15 % of key groups, 10 % of others)."""
    today, months = town.today, town.months_key if key else town.months_other
    if rng.random() < (0.15 if key else 0.1):
        ahead = -rng.randint(1, 20 if key else 40)
    else:
        ahead = rng.randint(0, 30 if key else 182)
    due = today + timedelta(days=ahead)
    planned = None
    if (due - today).days <= 30 and rng.random() < 0.2:  # a return visit set after a referral
        planned = due
        last = min(due - timedelta(days=rng.randint(14, 30)), today)
    else:
        last = min(add_months(due, -months), today)
    days = [(last, planned)]
    for _ in range(VISITS - 1):
        earlier = add_months(days[-1][0], -months) + timedelta(days=rng.randint(-4, 4))
        days.append((min(earlier, days[-1][0] - timedelta(days=5)), None))
    return tuple(reversed(days))


@lru_cache(maxsize=256)
def household_facts(town: Town, index: int) -> HouseholdFacts:
    rng = _seeded(index, 12)
    kind = kind_of(index)
    village = town.villages[rng.randrange(len(town.villages))]
    groups = town.groups_of(village[0])
    if groups:
        group_number = rng.randrange(len(groups)) + 1
        group_id, group_name = groups[group_number - 1]
    else:
        group_number = rng.randint(1, len(GROUP_NAMES))  # groups not entered: named only
        group_id, group_name = None, GROUP_NAMES[group_number - 1]
    door = rng.randint(1, 80)
    surname = rng.choice(SURNAMES)
    people = _people(kind, rng, surname)
    tags = tuple(TAGS.get(kind, ()))
    if kind == "monitored" and people[0].disability:
        tags = (*tags, "dibao")
    cadres = town.cadres(village[2])
    key = bool(tags) or any(p.tags for p in people)
    cadre = rng.choice((DEMO_WORKER, *cadres)) if key and village[2] in PLACES else \
        rng.choice(cadres)
    phones = [p.phone for p in people if p.phone]
    phone = phones[0] if phones else f"0730-52{rng.randrange(10**5):05d}"
    return HouseholdFacts(
        kind=kind, village=village, group_id=group_id,
        address=f"{village[1]}{group_name}{door}号",
        number=f"{village[2][-3:]}-{group_number:02d}-{index:05d}", people=people, tags=tags,
        cadre=cadre, phone=phone, visits=_visit_days(key, rng, town),
    )


def town_of(plan: TablePlan) -> Town:
    town = plan.cache.get("town")
    assert isinstance(town, Town), "fixture.fill puts the Town in each plan's cache"
    return town


def household_row(index: int, plan: TablePlan) -> dict[str, Any]:
    town = town_of(plan)
    facts = household_facts(town, index)
    rng = _seeded(index, 13)
    row: dict[str, Any] = {
        "number": facts.number, "village_id": facts.village[0], "group_id": facts.group_id,
        "address": facts.address, "head_name": facts.people[0].name, "phone": facts.phone,
        "cadre": facts.cadre, "tags": json.dumps(list(facts.tags)),
        "notes": NOTES[facts.kind], "risk_types": "[]", "risk_eliminated": 0,
    }
    if facts.kind == "monitored":
        story = demo.MONITORED[index % len(demo.MONITORED)]
        included = town.today - timedelta(days=rng.randint(200, 800))
        row.update(monitoring_type=story[1], monitoring_included_on=included.isoformat(),
                   risk_types=json.dumps(list(story[2])),
                   income_per_capita=float(rng.randint(62, 98) * 100),
                   income_year=town.today.year - 1)
    return row


def member_row(index: int, plan: TablePlan) -> dict[str, Any]:
    town = town_of(plan)
    household, position = divmod(index, MEMBERS)
    person = household_facts(town, household).people[position]
    rng = _seeded(index, 14)
    used: set[str] = plan.cache.setdefault("used", set())
    born = add_months(town.today, -12 * person.age) - timedelta(days=rng.randint(1, 360))
    sequence = rng.randrange(500) * 2 + (1 if person.male else 0)
    while True:
        first17 = f"430626{born:%Y%m%d}{sequence:03d}"
        number = first17 + id_number_check_char(first17)
        if number not in used:
            break
        sequence = (sequence + 2) % 1000  # the same birthday drawn twice: next free sequence
    used.add(number)
    education = (person.school if person.school != "not_applicable" else
                 ("none" if person.age >= 75 else "primary" if person.age >= 55 else "junior"))
    tags = list(person.tags)
    return {
        "household_id": plan.choices["household_id"][household % len(plan.choices["household_id"])],
        "name": person.name, "id_number": number, "gender": "male" if person.male else "female",
        "birth_date": born.isoformat(), "relation": person.relation, "ethnicity": "汉族",
        "education": "preschool" if person.age < 6 else education,
        "school_status": person.school, "health": person.health,
        "disability_category": person.disability[0] if person.disability else "",
        "disability_grade": person.disability[1] if person.disability else "",
        "work_status": person.work, "assistance_status": person.assistance,
        "insurance": "城乡居民医保、领取城乡居民养老金" if person.age >= 60 else "城乡居民医保",
        "phone": person.phone, "tags": json.dumps(tags), "sort": position,
    }


def _monitored(town: Town) -> list[tuple[int, int]]:
    """(household, measure number) for every measure: two or three per monitored household."""
    return [(number, k) for number in range(town.households) if kind_of(number) == "monitored"
            for k in range(2 + number % 2)]


def measure_row(index: int, plan: TablePlan) -> dict[str, Any]:
    town = town_of(plan)
    steps = plan.cache.get("steps")
    if steps is None:
        steps = plan.cache["steps"] = _monitored(town) or [(0, 0)]
    household, k = steps[index % len(steps)]
    story = demo.MONITORED[household % len(demo.MONITORED)]
    kind, content, unit = story[3][k % len(story[3])]
    start = town.today - timedelta(days=_seeded(household, 15).randint(100, 700) - 30 * k)
    return {"household_id": plan.choices["household_id"][household % len(
                plan.choices["household_id"])],
            "measure_type": kind, "content": content, "start_date": start.isoformat(),
            "end_date": add_months(start, 12).isoformat(), "unit": unit}


def visit_row(index: int, plan: TablePlan) -> dict[str, Any]:
    town = town_of(plan)
    household, number = divmod(index, VISITS)
    facts = household_facts(town, household)
    day, planned = facts.visits[number]
    rng = _seeded(index, 16)
    at_home = [p.name for p in facts.people if p.work != "away_work" and p.age >= 12]
    met = rng.choice(at_home or [facts.people[0].name])
    partner = facts.cadre if facts.cadre != DEMO_WORKER else rng.choice(town.cadres(facts.village[2]))
    visitors = f"{DEMO_WORKER}、{partner}" if facts.village[2] in PLACES else \
        f"{partner}、{town.cadres(facts.village[2])[0]}"
    need = demo.NEEDS[rng.choice(list(demo.NEEDS))] if planned or rng.random() < 0.3 else None
    done = [rng.choice(demo.GENERAL_DONE)]
    referrals: list[dict[str, str]] = []
    if need is not None:
        done.insert(0, need.done + "。")
        if need.referral and planned:
            department, item, _days = need.referral
            referrals.append({"department": department, "item": item,
                              "deadline": max(day, planned - timedelta(days=3)).isoformat()})
    pool = demo.INCOME[facts.kind if facts.kind in demo.INCOME else "plain"]
    fill = {"n": 3000, "m": 2, "p": 185, "d": 420, "t": 770, "c": 1200, "g": 1000, "i": 8000}
    return {
        "household_id": plan.choices["household_id"][household % len(plan.choices["household_id"])],
        "visit_date": day.isoformat(),
        "visit_time": f"{rng.randint(8, 16):02d}:{rng.choice((0, 15, 30, 45)):02d}",
        "visitors": visitors, "person_met": met, "others_present": "",
        "visit_type": "key_group" if facts.key else "routine",
        "income_note": rng.choice(pool).format(**fill),
        "health_note": rng.choice(demo.HEALTH_NOTES.get(facts.kind, demo.HEALTH_NOTES["plain"])),
        "housing_note": rng.choice(demo.HOUSING["safe"]),
        "water_note": rng.choice(demo.WATER["piped"]), "schooling_note": "",
        "needs": json.dumps(list(need.codes) if need else []),
        "needs_detail": need.detail if need else "", "done_on_spot": "".join(done),
        "referrals": json.dumps(referrals, ensure_ascii=False),
        "satisfaction": rng.choice(("satisfied", "satisfied", "satisfied", "fair")),
        "photos": "[]", "next_visit_date": planned.isoformat() if planned else None,
    }


# -- 督促监护令 ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderFacts:
    status: str
    household: int
    issued: date
    served: datetime | None
    observation: tuple[date, date]
    followups: tuple[date, ...]
    next_followup: date | None
    outcome: str
    facts: tuple[str, ...]


@lru_cache(maxsize=4096)
def order_facts(town: Town, index: int) -> OrderFacts:
    rng = _seeded(index, 21)
    status = ORDER_STATUSES[index % len(ORDER_STATUSES)]
    today = town.today
    back = {"pending": (0, 8), "served": (3, 45), "observing": (40, 185),
            "ended": (200, 900)}[status]
    issued = today - timedelta(days=rng.randint(*back))
    start = issued + timedelta(days=2)
    observation = (start, start + timedelta(days=179))
    served = None if status == "pending" else datetime.combine(
        issued + timedelta(days=1), time(10, rng.randint(0, 59))).astimezone()
    followups: list[date] = []
    next_followup = None
    if served is not None:
        next_followup = served.date() + timedelta(days=30)
    if status in ("observing", "ended"):
        quiet = rng.randint(20, 40) if index % 7 == 0 else 1  # some follow-ups are late
        last = observation[1] if status == "ended" else today - timedelta(days=quiet)
        day = served.date() + timedelta(days=30) if served else start
        while day <= last:
            followups.append(day)
            day += timedelta(days=30)
        if followups:
            next_followup = followups[-1] + timedelta(days=30)
    outcome = "" if status != "ended" else ("unfulfilled" if index % 3 == 0 else "fulfilled")
    codes = [f.code for f in FACTS]
    facts = tuple(rng.sample(codes[:5], rng.randint(1, 2)))
    return OrderFacts(status, (index * 9_973) % max(town.households, 1), issued, served,
                      observation, tuple(followups), next_followup, outcome, facts)


def _id_number(rng: random.Random, born: date, male: bool) -> str:
    sequence = rng.randrange(500) * 2 + (1 if male else 0)
    first17 = f"430626{born:%Y%m%d}{sequence:03d}"
    return first17 + id_number_check_char(first17)


def _duties(facts: OrderFacts) -> list[list[Any]]:
    duties: list[list[Any]] = [[*demo_orders.ORDER_DUTIES[f], None] for f in facts.facts]
    duties.append(["接受家庭教育指导，参加家长学校课程", "每月一次",
                   (facts.issued + timedelta(days=90)).isoformat()])
    return duties


def order_row(index: int, plan: TablePlan) -> dict[str, Any]:
    town = town_of(plan)
    facts = order_facts(town, index)
    household = household_facts(town, facts.household)
    rng = _seeded(index, 22)
    head, spouse = household.people[0], household.people[1]
    surname = head.name[0]
    male = rng.random() < 0.6
    born = facts.issued - timedelta(days=rng.randint(9 * 365, 16 * 365))
    minor = name(rng, male, surname)
    father_born = born - timedelta(days=rng.randint(24 * 365, 34 * 365))
    mother_born = father_born + timedelta(days=rng.randint(0, 4 * 365))
    guardians = [[head.name if head.age < 60 else name(rng, True, surname), "父亲",
                  _id_number(rng, father_born, True), household.address, mobile(rng)],
                 [spouse.name if spouse.age < 60 else name(rng, False), "母亲",
                  _id_number(rng, mother_born, False), household.address, ""]]
    basis = ["civil_code_34", "minor_protection_15_17_118", "family_education_49"]
    if "indulged_misconduct" in facts.facts:
        basis.append("delinquency_prevention")
    case = demo_orders.ORDER_CASES[index % len(demo_orders.ORDER_CASES)]
    unfulfilled = facts.outcome == "unfulfilled"
    observing = facts.status in ("observing", "ended")
    return {
        "number": f"平检未督〔{facts.issued.year}〕{index + 1}号",
        "issuer": "平江县人民检察院", "issue_date": facts.issued.isoformat(),
        "village_id": household.village[0],
        "household_id": plan.choices["household_id"][facts.household % len(
            plan.choices["household_id"])] if "household_id" in plan.choices else None,
        "minor_name": minor, "minor_pseudonym": pseudonym_of(minor),
        "minor_id_number": _id_number(rng, born, male), "minor_gender": "male" if male else "female",
        "minor_birth_date": born.isoformat(),
        "guardians": json.dumps(guardians, ensure_ascii=False),
        "facts": json.dumps(list(facts.facts)), "facts_detail": case.detail,
        "legal_basis": json.dumps(basis),
        "duties": json.dumps(_duties(facts), ensure_ascii=False),
        "observation_start": facts.observation[0].isoformat(),
        "observation_end": facts.observation[1].isoformat(),
        "feedback_method": "每月向检察院和镇综治中心书面反馈一次",
        "contact": "彭卫民（检察官） 0730-5201234", "consequences": DEFAULT_CONSEQUENCES,
        "copies_to": "梅仙镇人民政府、平江县妇女联合会", "status": facts.status,
        "outcome": facts.outcome or None,
        "referral": "已书面通报县妇联和公安机关，依法申请对监护人予以训诫" if unfulfilled else None,
        "next_followup_date": facts.next_followup.isoformat()
        if facts.next_followup and (observing or facts.status == "served") else None,
    }


def _order_steps(town: Town) -> list[tuple[int, str, str]]:
    """Every status step of every order: (order, from, to)."""
    path = ("pending", "served", "observing", "ended")
    return [(number, path[k], path[k + 1]) for number in range(town.orders)
            for k in range(path.index(order_facts(town, number).status))]


def order_event_row(index: int, plan: TablePlan) -> dict[str, Any]:
    town = town_of(plan)
    steps = plan.cache.get("steps")
    if steps is None:
        steps = plan.cache["steps"] = _order_steps(town) or [(0, "pending", "served")]
    number, before, after = steps[index % len(steps)]
    facts = order_facts(town, number)
    served = facts.served or datetime.combine(facts.issued, time(10)).astimezone()
    at = {"served": served,
          "observing": datetime.combine(facts.observation[0], time(9)).astimezone(),
          "ended": datetime.combine(facts.observation[1], time(16)).astimezone()}[after]
    note = {"served": "登记送达回证", "observing": "宣告考察期",
            "ended": "结果：" + ("未履行" if facts.outcome == "unfulfilled" else "已履行")}[after]
    return {"order_id": plan.choices["order_id"][number % len(plan.choices["order_id"])],
            "at": at.isoformat(timespec="seconds"), "by_name": DEMO_WORKER,
            "from_status": before, "to_status": after, "note": note}


def _served(town: Town) -> list[int]:
    return [n for n in range(town.orders) if order_facts(town, n).served is not None]


def order_service_row(index: int, plan: TablePlan) -> dict[str, Any]:
    town = town_of(plan)
    served = plan.cache.get("served")
    if served is None:
        served = plan.cache["served"] = _served(town) or [0]
    number = served[index % len(served)]
    facts = order_facts(town, number)
    household = household_facts(town, facts.household)
    moment = facts.served or datetime.combine(facts.issued, time(10)).astimezone()
    return {
        "order_id": plan.choices["order_id"][number % len(plan.choices["order_id"])],
        "document": json.dumps(["督促监护令", f"平检未督〔{facts.issued.year}〕{number + 1}号"],
                               ensure_ascii=False),
        "recipient": household.people[0].name, "recipient_relation": "父亲",
        "address": household.address, "method": "direct",
        "served_at": moment.isoformat(timespec="minutes"), "place": "村委会",
        "recipient_signed": 1, "substitute_name": "", "substitute_reason": "",
        "refusal_reason": "", "witnesses": "[]",
        "servers": json.dumps(["彭卫民（检察官）", DEMO_WORKER], ensure_ascii=False),
    }


def _followups(town: Town) -> list[tuple[int, int]]:
    return [(n, k) for n in range(town.orders) for k in range(len(order_facts(town, n).followups))]


def order_followup_row(index: int, plan: TablePlan) -> dict[str, Any]:
    town = town_of(plan)
    steps = plan.cache.get("steps")
    if steps is None:
        steps = plan.cache["steps"] = _followups(town) or [(0, 0)]
    number, k = steps[index % len(steps)]
    facts = order_facts(town, number)
    day = facts.followups[k] if facts.followups else facts.issued
    rng = _seeded(index, 23)
    levels = ("not_done", "partial") if facts.outcome == "unfulfilled" else (
        "done", "done", "partial")
    compliance = []
    for _duty in _duties(facts):
        level = rng.choice(levels)
        compliance.append([level, rng.choice(demo_orders.ORDER_EVIDENCE[level])])
    household = household_facts(town, facts.household)
    return {
        "order_id": plan.choices["order_id"][number % len(plan.choices["order_id"])],
        "followup_date": day.isoformat(),
        "method": rng.choice(("home", "home", "phone", "video", "school")),
        "visitors": json.dumps([DEMO_WORKER, town.cadres(household.village[2])[0]],
                               ensure_ascii=False),
        "person_met": household.people[0].name,
        "schooling": rng.choice(("按时上学", "偶有迟到", "已返校就读", "成绩有所提高")),
        "behaviour": rng.choice(("表现平稳", "未再去网吧", "与家人关系有所缓和", "仍较叛逆")),
        "health": "良好", "compliance": json.dumps(compliance, ensure_ascii=False),
        "guidance_attended": int(rng.random() < 0.6), "problems": "",
        "next_steps": "继续跟踪，督促监护人落实监护职责",
        "next_date": (day + timedelta(days=30)).isoformat(),
    }


def derived_count(table: str, town: Town) -> int | None:
    """Rows of a child table that follow from its parents, or None for a share of records."""
    if table == "members":
        return town.households * MEMBERS
    if table == "visits":
        return town.households * VISITS
    if table == "measures":
        return len(_monitored(town))
    if table == "order_events":
        return len(_order_steps(town))
    if table == "order_services":
        return len(_served(town))
    if table == "order_followups":
        return len(_followups(town))
    return None


ROW_MAKERS = {
    "households": household_row, "members": member_row, "measures": measure_row,
    "visits": visit_row, "orders": order_row, "order_events": order_event_row,
    "order_services": order_service_row, "order_followups": order_followup_row,
}
