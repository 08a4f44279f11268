"""Demo 纠纷案件 at every stage, of several categories, one before a 群英断是非 panel and one
high-risk case."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from meixian_desktop.core import clock
from meixian_desktop.core.mediation import parse_case, transition
from meixian_desktop.demo.places import DEMO_WORKER
from meixian_desktop.store import mediation as case_store
from meixian_desktop.store import villages
from meixian_desktop.store.session import Session

PATHS = {
    "registered": (), "accepted": ("accepted",), "mediating": ("accepted", "mediating"),
    "agreed": ("accepted", "mediating", "agreed"),
    "failed": ("accepted", "mediating", "failed"),
    "performing": ("accepted", "mediating", "agreed", "performing"),
    "visited": ("accepted", "mediating", "agreed", "performing", "visited"),
    "closed": ("accepted", "mediating", "agreed", "performing", "visited", "closed"),
}


@dataclass(frozen=True)
class DemoCase:
    code: str
    category: str
    source: str
    parties: tuple[str, str]
    summary: str
    days_ago: int
    stage: str
    risks: tuple[str, ...] = ()
    panel: bool = False


DEMO_CASES = (
    DemoCase("430626108210", "neighbour", "grid", ("韩建军", "韩秋生"),
             "两家因屋后排水沟堵塞、雨水倒灌发生争执。", 2, "registered"),
    DemoCase("430626108208", "homestead", "application", ("吴德明", "吴立新"),
             "兄弟两家对老屋宅基地界址有争议，一方已开始砌墙。", 8, "accepted",
             ("volatile", "criminal")),
    DemoCase("430626108214", "support", "screening", ("石满秀", "石建国"),
             "八旬老人诉三个儿子不履行赡养义务，赡养费分担不一。", 29, "mediating"),
    DemoCase("430626108210", "forest_land", "grid", ("张家组", "李家组"),
             "两个村民小组对交界山林权属有争议，涉及三十余户。", 20, "agreed", ("group",),
             True),
    DemoCase("430626108208", "contract", "application", ("周国华", "平江县梅仙砂石场"),
             "运输合同运费结算纠纷，双方对拖欠金额说法不一。", 40, "failed", ("litigation",)),
    DemoCase("430626108214", "damages", "police", ("唐志强", "刘春生"),
             "耕牛闯入稻田吃毁秧苗，损失赔偿未谈拢。", 45, "performing"),
    DemoCase("430626108210", "marriage_family", "application", ("李春梅", "韩德元"),
             "夫妻因外出务工收入分配长期争吵，女方要求分开居住。", 70, "visited"),
    DemoCase("430626108208", "traffic", "police", ("邓小军", "吴明亮"),
             "摩托车与三轮车刮擦，医疗费用分担纠纷。", 100, "closed"),
)


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 0)).astimezone()


def _raw(case: DemoCase, village_id: str, today: date, rng: random.Random) -> dict[str, Any]:
    registered = today - timedelta(days=case.days_ago)
    path = PATHS[case.stage]
    day = registered
    history = []
    status = "registered"
    for number, target in enumerate(path):
        day = min(registered + timedelta(days=1 + number * 3), today)
        history.append(vars(transition(status, target, DEMO_WORKER, at=_at(day, 9 + number))))
        status = target
    accepted = registered + timedelta(days=1) if path else None
    organisation = case.parties[1].endswith("场")
    parties = [{"kind": "person", "name": case.parties[0], "phone": f"139{rng.randint(10**7, 10**8 - 1)}",
                "ethnicity": "汉族", "age": str(rng.randint(30, 80))},
               {"kind": "organisation", "name": case.parties[1], "legal_representative": "周立平",
                "credit_code": "9144030071526726XG"} if organisation else
               {"kind": "person", "name": case.parties[1], "ethnicity": "汉族",
                "age": str(rng.randint(30, 80))}]
    mediators = [{"name": "彭建新", "role": "mediator", "note": "村调委会主任"}]
    if case.panel:
        mediators += [{"name": name, "role": "panel", "note": note} for name, note in (
            ("韩德明", "老党员"), ("张秋生", "退休教师"), ("李玉英", "妇女代表"))]
    raw: dict[str, Any] = {
        "registered_on": registered.isoformat(), "source": case.source,
        "category": case.category, "risk_tags": list(case.risks), "village_id": village_id,
        "summary": case.summary, "parties": parties, "mediators": mediators,
        "accepted_on": accepted.isoformat() if accepted else "", "status": status,
        "history": history,
    }
    if len(path) >= 2:
        meeting_day = min(registered + timedelta(days=4), today)
        raw["investigations"] = [{"investigation_date": meeting_day.isoformat(),
                                  "investigators": DEMO_WORKER, "content": "走访双方及邻居了解经过"}]
        raw["meetings"] = [{"meeting_date": meeting_day.isoformat(), "time": "14:30",
                            "place": "村部调解室", "present": "双方当事人及调解员",
                            "result": "双方同意调解" if case.stage != "failed" else "分歧较大"}]
    if "agreed" in path:
        signed = min(registered + timedelta(days=7), today)
        raw["outcome"] = "agreement"
        raw["agreement"] = {"terms": "双方按村调委会意见处理\n费用由双方各承担一半",
                            "signed_on": signed.isoformat(), "performance_method": "现金",
                            "performance_place": "村部",
                            "performance_deadline": (signed + timedelta(days=20)).isoformat(),
                            "copies": "3"}
        if case.stage in ("visited", "closed"):
            raw["return_visits"] = [{"visit_date": min(signed + timedelta(days=21),
                                                       today).isoformat(),
                                     "visitor": DEMO_WORKER, "performance": "performed",
                                     "satisfaction": "satisfied"}]
    elif case.stage == "failed":
        raw["outcome"] = "failure"
        raw["failure"] = {"reason": "双方对欠款金额分歧较大，不同意调解方案",
                          "route": "litigation"}
    return raw


def demo_mediation(session: Session, rng: random.Random, today: date | None = None) -> int:
    """Cases at every stage in the demo worker's villages; nothing when cases exist."""
    store = session.store
    if store.conn.execute("SELECT 1 FROM cases WHERE deleted = 0 LIMIT 1").fetchone():
        return 0
    today = today or clock.today()
    made = 0
    with store.transaction() as tx:
        for case in sorted(DEMO_CASES, key=lambda c: -c.days_ago):
            village = villages.village_by_code(store, case.code)
            if village is None:
                continue
            parsed = parse_case(_raw(case, village.id, today, rng), today=today)
            case_store.save_case(tx, parsed, DEMO_WORKER)
            made += 1
    return made
