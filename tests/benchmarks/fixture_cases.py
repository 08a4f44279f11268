"""Row makers for 纠纷案件, their parties, status changes and case-number blocks.

``records_wanted / 2`` cases (``fixture.SHARES``) registered oldest first over ``CASE_YEARS``
years up to the day the home is built, numbered in order within each year from one block per
year of the worker's device (``case_number_blocks``). A case's status follows from its age and
its generator: the old ones are nearly all 结案 (through an agreement and its return visit, or
through 调解不成), recent ones are spread over 登记, 受理, 调解中, 达成协议, 履行中 and 回访 (a few
past their 30-day deadline). Its investigation, meetings, agreement or failure and return visit
are those its status needs, and its row is made by the store's own ``_case_row`` from a
``MediationCase``, so ``store.mediation.load_case`` loads every case and the derived columns
(``deadline``, ``visit_due``, ``risk``) are what a save would write. Each case has 2 or 3 parties
(persons with Chinese names and valid ID numbers, unique in the home) and one status change per
step of its path. Every value comes from a generator seeded by the case's index, so a party or
status change works out its case without a query (ID numbers excepted: a drawn number already
taken moves to the next free sequence, as in ``fixture_households``).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from meixian_desktop.core.case_numbers import DEFAULT_PATTERN, format_number
from meixian_desktop.core.mediation import (
    CATEGORIES,
    Agreement,
    Failure,
    Investigation,
    MediationCase,
    Mediator,
    Meeting,
    ReturnVisit,
)
from meixian_desktop.core.validation import id_number_check_char
from meixian_desktop.demo.places import DEMO_WORKER
from meixian_desktop.store.case_numbers import CaseNumber, number_columns
from meixian_desktop.store.mediation import _case_row  # the row save_case writes
from tests.benchmarks.fixture_households import SURNAMES, name

if TYPE_CHECKING:
    from tests.benchmarks.fixture import TablePlan

CASE_YEARS = 6
PATHS = {
    "registered": (), "accepted": ("accepted",), "mediating": ("accepted", "mediating"),
    "agreed": ("accepted", "mediating", "agreed"),
    "failed": ("accepted", "mediating", "failed"),
    "performing": ("accepted", "mediating", "agreed", "performing"),
    "visited": ("accepted", "mediating", "agreed", "performing", "visited"),
    "closed": ("accepted", "mediating", "agreed", "performing", "visited", "closed"),
    "closed_failed": ("accepted", "mediating", "failed", "closed"),
}
# (oldest age in days, [(status, weight)]): the status of a case registered that long ago.
BY_AGE = (
    (3, (("registered", 60), ("accepted", 40))),
    (30, (("accepted", 20), ("mediating", 60), ("agreed", 10), ("failed", 10))),
    (60, (("mediating", 10), ("agreed", 15), ("performing", 40), ("failed", 15),
          ("closed", 15), ("closed_failed", 5))),
    (180, (("performing", 15), ("visited", 25), ("failed", 5), ("closed", 45),
           ("closed_failed", 10))),
    (10**6, (("visited", 3), ("failed", 4), ("closed", 80), ("closed_failed", 13))),
)
CATEGORY_WEIGHTS = {"neighbour": 18, "marriage_family": 14, "homestead": 12, "support": 8,
                    "forest_land": 8, "land_contract": 7, "damages": 7, "contract": 5,
                    "inheritance": 4, "traffic": 4, "labour": 3, "village_affairs": 3,
                    "business": 2, "expropriation": 1, "pollution": 1, "medical": 1,
                    "consumer": 1, "other": 1}
SOURCES = (("grid", 35), ("application", 30), ("screening", 20), ("police", 8),
           ("government", 4), ("court", 3))
SUMMARY = {
    "neighbour": "{a}与{b}两家因屋后排水沟堵塞、雨水倒灌发生争执。",
    "marriage_family": "{a}与{b}夫妻因外出务工收入分配长期争吵，一方要求分开居住。",
    "homestead": "{a}与{b}两家对老屋宅基地界址有争议，一方已开始砌墙。",
    "support": "{a}诉子女{b}等不履行赡养义务，赡养费分担不一。",
    "forest_land": "{a}与{b}所在村民小组对交界山林权属有争议。",
    "land_contract": "{a}与{b}对承包地互换后的界址和补偿说法不一。",
    "damages": "{b}家耕牛闯入{a}家稻田吃毁秧苗，损失赔偿未谈拢。",
    "contract": "{a}与{b}运输合同运费结算纠纷，双方对拖欠金额说法不一。",
    "inheritance": "{a}与{b}兄妹对父母遗留房屋的继承份额有争议。",
    "traffic": "{a}的摩托车与{b}的三轮车刮擦，医疗费用分担纠纷。",
    "labour": "{a}在{b}处务工受伤，工钱和医药费未结清。",
    "village_affairs": "{a}对村里道路硬化占地补偿分配有意见，与{b}发生争执。",
    "business": "{a}与{b}合伙养殖分红纠纷。",
    "expropriation": "{a}对征地青苗补偿标准有异议，与{b}协商未果。",
    "pollution": "{a}反映{b}家养猪场污水流入稻田。",
    "medical": "{a}对村卫生室{b}的诊疗有异议，要求赔偿。",
    "consumer": "{a}在{b}处购买的化肥质量有问题，要求退赔。",
    "other": "{a}与{b}因琐事发生口角，双方互不相让。",
}
MEDIATORS = (("彭卫民", "老党员"), ("吴德明", "退休教师"), ("张国华", "村调委会主任"),
             ("李桂香", "妇联执委"), ("韩春生", "村民小组长"))
PLACES = ("村委会调解室", "镇人民调解委员会", "当事人家中", "纠纷现场")
PARTY_ADDRESS = "平江县梅仙镇"


def _seeded(index: int, salt: int) -> random.Random:
    return random.Random(index * 1_000_003 + salt)


@dataclass(frozen=True)
class Docket:
    """What the makers need to know: the day, the worker's device and how many cases."""

    today: date
    device: str
    cases: int

    def day(self, index: int) -> date:
        """Registration day of case ``index``: oldest first, spread over CASE_YEARS."""
        span = CASE_YEARS * 365
        back = (self.cases - 1 - index) * span // max(self.cases - 1, 1)
        return self.today - timedelta(days=back)

    def years(self) -> Counter[int]:
        return Counter(self.day(index).year for index in range(self.cases))


def docket_of(plan: TablePlan) -> Docket:
    docket = plan.cache.get("docket")
    assert isinstance(docket, Docket), "fixture.fill puts the Docket in each plan's cache"
    return docket


def parties_of(case: int) -> int:
    return 3 if case % 3 == 0 else 2


def _weighted(rng: random.Random, pairs: Any) -> str:
    return str(rng.choices([p[0] for p in pairs], [p[1] for p in pairs])[0])


@dataclass(frozen=True)
class CaseFacts:
    case: MediationCase
    path: tuple[str, ...]
    steps: tuple[date, ...]  # the day of each step of the path
    names: tuple[tuple[str, bool], ...]  # the parties: (name, male)


def _clamp(day: date, today: date) -> date:
    return min(day, today)


@lru_cache(maxsize=4096)
def case_facts(docket: Docket, index: int) -> CaseFacts:
    rng = _seeded(index, 31)
    today = docket.today
    registered = docket.day(index)
    age = (today - registered).days
    status = next(_weighted(rng, pairs) for oldest, pairs in BY_AGE if age <= oldest)
    path = PATHS[status]
    category = _weighted(rng, CATEGORY_WEIGHTS.items())
    males = [rng.random() < 0.6 for _ in range(parties_of(index))]
    names = tuple((name(rng, male), male) for male in males)
    a, b = names[0][0], names[1][0]
    risks: tuple[str, ...] = ()
    if rng.random() < 0.08:
        risks = tuple(rng.sample(("criminal", "group", "litigation", "volatile"),
                                 rng.randint(1, 2)))
    mediator, note = rng.choice(MEDIATORS)
    mediators = [Mediator(mediator, "mediator", note)]
    if rng.random() < 0.1:
        mediators.append(Mediator("群英断是非评理团", "panel", "老党员、老干部、乡贤"))
    accepted = _clamp(registered + timedelta(days=rng.randint(0, 2)), today) if path else None
    investigations: tuple[Investigation, ...] = ()
    meetings: list[Meeting] = []
    agreement = failure = None
    visits: tuple[ReturnVisit, ...] = ()
    steps: list[date] = []
    if accepted is not None:
        steps.append(accepted)
        investigations = (Investigation(accepted, f"{DEMO_WORKER}、{mediator}",
                                        f"分别走访{a}、{b}及邻居，了解纠纷起因和双方诉求。",
                                        "当事人家中", f"{a}、{b}"),)
    if len(path) >= 2:
        assert accepted is not None
        first = _clamp(accepted + timedelta(days=rng.randint(1, 10)), today)
        steps.append(first)
        meetings.append(Meeting(first, rng.choice(PLACES), f"{a}、{b}、{mediator}",
                                f"{a}陈述了诉求，{b}作了答辩。", "双方对基本事实无异议。",
                                "", f"{rng.randint(8, 16):02d}:30"))
    if len(path) >= 3:
        ended = _clamp(first + timedelta(days=rng.randint(0, 15)), today)
        steps.append(ended)
        if ended > first:
            meetings.append(Meeting(ended, rng.choice(PLACES), f"{a}、{b}、{mediator}",
                                    result="经耐心调解，双方意见趋于一致。"))
        if path[2] == "agreed":
            deadline = ended + timedelta(days=rng.randint(15, 60)) if rng.random() < 0.7 \
                else None
            agreement = Agreement((f"{b}于履行期限内赔偿{a}损失{rng.randint(5, 80) * 100}元。",
                                   "双方今后互谅互让，不再因此事发生争执。"), ended,
                                  "现金一次性支付", "村委会", deadline)
        else:
            failure = Failure("双方分歧较大，经多次调解未能达成一致。",
                              rng.choice(("litigation", "litigation", "administrative")))
    if len(path) >= 4:
        steps.append(_clamp(ended + timedelta(days=1), today) if path[3] == "performing"
                     else _clamp(ended + timedelta(days=rng.randint(1, 5)), today))
    if len(path) >= 5:
        visited = _clamp(max(steps[-1], ended + timedelta(days=rng.randint(20, 45))), today)
        steps.append(visited)
        visits = (ReturnVisit(visited, DEMO_WORKER, "performed", "satisfied", "无",
                              "继续关注双方关系"),)
    if len(path) >= 6:
        steps.append(_clamp(steps[-1] + timedelta(days=rng.randint(1, 10)), today))
    case = MediationCase(
        registered_on=registered, source=_weighted(rng, SOURCES), category=category,
        village_id="", summary=SUMMARY[category].format(a=a, b=b), parties=(),
        risk_tags=risks, mediators=tuple(mediators), investigations=investigations,
        meetings=tuple(meetings), agreement=agreement, failure=failure, return_visits=visits,
        accepted_on=accepted, status=path[-1] if path else "registered")
    return CaseFacts(case, path, tuple(steps), names)


def case_row(index: int, plan: TablePlan) -> dict[str, Any]:
    docket = docket_of(plan)
    facts = case_facts(docket, index)
    villages = plan.choices["village_id"]
    year = facts.case.registered_on.year
    numbered: Counter[int] = plan.cache.setdefault("numbered", Counter())
    numbered[year] += 1  # cases are made in index order, oldest first
    number = CaseNumber(format_number(DEFAULT_PATTERN, year, numbered[year]), year,
                        numbered[year], False, None, docket.device)
    return {**_case_row(facts.case), "village_id": villages[index % len(villages)],
            **number_columns(number)}


def _party_position(index: int) -> tuple[int, int]:
    """(case, position) of party ``index``: blocks of 3 cases hold 3 + 2 + 2 parties."""
    block, rest = divmod(index, 7)
    case, position = (0, rest) if rest < 3 else divmod(rest - 3, 2)
    return block * 3 + (case if rest < 3 else case + 1), position


def case_party_row(index: int, plan: TablePlan) -> dict[str, Any]:
    docket = docket_of(plan)
    case, position = _party_position(index)
    facts = case_facts(docket, case)
    party_name, male = facts.names[position]
    rng = _seeded(index, 32)
    used: set[str] = plan.cache.setdefault("used", set())
    born = facts.case.registered_on - timedelta(days=rng.randint(22 * 365, 80 * 365))
    sequence = rng.randrange(500) * 2 + (1 if male else 0)
    while True:
        first17 = f"430626{born:%Y%m%d}{sequence:03d}"
        number = first17 + id_number_check_char(first17)
        if number not in used:
            break
        sequence = (sequence + 2) % 1000
    used.add(number)
    case_ids = plan.choices["case_id"]
    return {
        "case_id": case_ids[case % len(case_ids)], "sort": position, "kind": "person",
        "name": party_name, "gender": "male" if male else "female", "ethnicity": "汉族",
        "birth_date": born.isoformat(), "id_number": number,
        "phone": f"139{rng.randrange(10**8):08d}",
        "address": f"{PARTY_ADDRESS}{rng.choice(SURNAMES)}家组{rng.randint(1, 80)}号",
        "occupation": rng.choice(("务农", "务工", "个体经营", "退休")),
    }


def _case_steps(docket: Docket) -> list[tuple[int, int]]:
    return [(case, step) for case in range(docket.cases)
            for step in range(len(case_facts(docket, case).path))]


NOTES = {"accepted": "符合受理条件，予以受理", "mediating": "组织双方面对面调解",
         "agreed": "双方签订人民调解协议", "failed": "调解不成，已告知当事人其他途径",
         "performing": "协议进入履行", "visited": "回访确认协议已履行", "closed": "结案归档"}


def case_event_row(index: int, plan: TablePlan) -> dict[str, Any]:
    docket = docket_of(plan)
    steps = plan.cache.get("steps")
    if steps is None:
        steps = plan.cache["steps"] = _case_steps(docket) or [(0, 0)]
    case, step = steps[index % len(steps)]
    facts = case_facts(docket, case)
    path = facts.path or ("accepted",)
    day = facts.steps[step] if step < len(facts.steps) else facts.case.registered_on
    at = datetime.combine(day, time(9 + step, 30)).astimezone()
    case_ids = plan.choices["case_id"]
    return {"case_id": case_ids[case % len(case_ids)], "at": at.isoformat(timespec="seconds"),
            "by_name": DEMO_WORKER, "from_status": path[step - 1] if step else "registered",
            "to_status": path[step], "note": NOTES[path[step]]}


def case_number_block_row(index: int, plan: TablePlan) -> dict[str, Any]:
    docket = docket_of(plan)
    years = plan.cache.get("years")
    if years is None:
        years = plan.cache["years"] = sorted(docket.years().items()) or [(docket.today.year, 1)]
    year, count = years[index % len(years)]
    return {"device_id": docket.device, "year": year, "first": 1, "last": count}


def derived_count(table: str, docket: Docket) -> int | None:
    """Rows of a child table that follow from the cases."""
    if table == "case_parties":
        return sum(parties_of(case) for case in range(docket.cases))
    if table == "case_events":
        return len(_case_steps(docket))
    if table == "case_number_blocks":
        return len(docket.years())
    return None


ROW_MAKERS = {"cases": case_row, "case_parties": case_party_row, "case_events": case_event_row,
              "case_number_blocks": case_number_block_row}

assert set(CATEGORY_WEIGHTS) == set(SUMMARY) and all(c in CATEGORIES for c in SUMMARY)
