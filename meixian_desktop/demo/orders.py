"""Demo 督促监护令 at every stage: waiting to be served, served, observed, ended."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from meixian_desktop.core import clock
from meixian_desktop.core import order_followups as followup_rules
from meixian_desktop.core import orders as order_rules
from meixian_desktop.core.orders import DEFAULT_CONSEQUENCES
from meixian_desktop.core.validation import id_number_check_char
from meixian_desktop.demo.places import DEMO_WORKER, GROUP_NAMES, PLACES, at
from meixian_desktop.store import orders as order_store
from meixian_desktop.store import villages
from meixian_desktop.store.session import Session


@dataclass(frozen=True)
class OrderCase:
    """One demo order: the family, what went wrong, and how far along it is."""

    code: str  # the village
    minor: str
    guardian: str
    relation: str
    carer: str  # the second guardian, who looks after the child day to day
    carer_relation: str
    facts: tuple[str, ...]
    detail: str
    days_ago: int  # issued this many days before today
    stage: str  # pending | served | observing | fulfilled | unfulfilled
    service: str = "direct"
    quiet_days: int = 0  # no follow-up in the last this many days (one is overdue)


ORDER_CASES = (
    OrderCase("430626108210", "韩思远", "韩建华", "父亲", "刘桂兰", "祖母",
              ("absent_migrant", "no_safety_education"),
              "父母均在广东务工，孩子由年迈的祖母照看，多次深夜独自外出上网。", 1, "pending"),
    OrderCase("430626108208", "吴子涵", "吴建林", "父亲", "邓小娟", "母亲",
              ("indulged_misconduct",), "孩子多次逃学并参与打架，父亲知情后未加管教。", 6,
              "pending"),
    OrderCase("430626108214", "唐浩然", "唐志勇", "父亲", "黄春花", "母亲",
              ("domestic_violence",), "父亲酒后多次打骂孩子，孩子手臂有明显伤痕。", 25, "served"),
    OrderCase("430626108210", "张雨萱", "张卫国", "父亲", "张秋菊", "祖母",
              ("absent_migrant",), "父母离异后父亲外出务工，半年未与孩子联系。", 50,
              "observing"),
    OrderCase("430626108208", "李俊杰", "李文斌", "父亲", "周满英", "母亲",
              ("indulged_misconduct", "no_safety_education"),
              "孩子常年在镇上网吧过夜，曾驾驶无牌摩托车被查。", 100, "observing", "left", 20),
    OrderCase("430626108214", "石欣怡", "石建平", "父亲", "石桂兰", "祖母",
              ("improper_entrusting",), "父母外出后把孩子托付给患病的祖母，孩子长期无人辅导。",
              185, "observing", "entrusted"),
    OrderCase("430626108210", "韩嘉豪", "韩德元", "父亲", "李春梅", "母亲",
              ("absent_migrant", "indulged_misconduct"), "孩子夜不归宿，与社会闲散人员交往。",
              260, "fulfilled"),
    OrderCase("430626108208", "周梓轩", "周国华", "父亲", "吴秋莲", "祖母",
              ("domestic_violence", "other"), "父亲长期打骂，并让孩子辍学在家帮工。", 230,
              "unfulfilled"),
)
ORDER_DUTIES = {
    "absent_migrant": ("每周与孩子视频或电话联系不少于两次，了解学习和生活情况", "每周两次"),
    "indulged_misconduct": ("督促孩子按时到校，不旷课、不夜不归宿，不进入网吧", "每天"),
    "no_safety_education": ("落实交通、防溺水等安全教育，假期安排专人看护", "每月检查"),
    "improper_entrusting": ("确定有看护能力的委托照护人，并告知学校和村委会", "一个月内"),
    "domestic_violence": ("不得打骂、体罚孩子，改用说服教育", "长期"),
    "other": ("保障孩子接受义务教育，不得让孩子辍学", "立即"),
}
ORDER_EVIDENCE = {
    "done": ("入户查看并询问孩子，情况属实", "班主任反映近期表现良好", "查看了视频通话记录"),
    "partial": ("有时做到，有时没有，已当面再次提醒", "班主任反映仍偶有迟到"),
    "not_done": ("监护人未按要求落实，已当面督促", "多次电话联系不上监护人"),
}
ORDER_SERVERS = "彭卫民（检察官）、" + DEMO_WORKER


def _order_id_number(rng: random.Random, born: date, male: bool) -> str:
    seq = rng.randint(10, 99) * 10 + rng.choice((1, 3, 5, 7, 9) if male else (0, 2, 4, 6, 8))
    first17 = f"430626{born:%Y%m%d}{seq:03d}"
    return first17 + id_number_check_char(first17)


def _order_raw(case: OrderCase, number: str, issued: date, village_id: str,
               rng: random.Random) -> dict[str, Any]:
    born = issued - timedelta(days=rng.randint(9 * 365, 15 * 365))
    parent_born = born - timedelta(days=rng.randint(24 * 365, 34 * 365))
    carer_born = born - timedelta(days=rng.randint(24 * 365, 55 * 365))
    carer_male = case.carer_relation in ("祖父", "外祖父")
    duties = [{"content": ORDER_DUTIES[f][0], "measure": ORDER_DUTIES[f][1], "deadline": ""}
              for f in case.facts]
    duties.append({"content": "接受家庭教育指导，参加家长学校课程", "measure": "每月一次",
                   "deadline": (issued + timedelta(days=90)).isoformat()})
    start = issued + timedelta(days=2)
    basis = ["civil_code_34", "minor_protection_15_17_118", "family_education_49"]
    if "indulged_misconduct" in case.facts:
        basis.append("delinquency_prevention")
    group = rng.choice(GROUP_NAMES[:6])
    return {
        "number": number, "issue_date": issued.isoformat(), "village_id": village_id,
        "guardians": [
            {"name": case.guardian, "relation": case.relation,
             "id_number": _order_id_number(rng, parent_born, True), "address": group,
             "phone": f"139{rng.randint(0, 99_999_999):08d}"},
            {"name": case.carer, "relation": case.carer_relation,
             "id_number": _order_id_number(rng, carer_born, carer_male), "address": group,
             "phone": ""},
        ],
        "minor_name": case.minor,
        "minor_id_number": _order_id_number(rng, born, rng.random() < 0.5),
        "facts": list(case.facts), "facts_detail": case.detail, "legal_basis": basis,
        "duties": duties, "observation_start": start.isoformat(),
        "observation_end": (start + timedelta(days=179)).isoformat(),
        "feedback_method": "每月向检察院和镇综治中心书面反馈一次",
        "contact": "彭卫民（检察官） 0730-5201234", "consequences": DEFAULT_CONSEQUENCES,
        "copies_to": "梅仙镇人民政府、平江县妇女联合会",
    }


def _order_service(case: OrderCase, order: Any, served: datetime) -> dict[str, Any]:
    first, carer = order.guardians[0], order.guardians[1]
    raw = {"recipient": first.name, "recipient_relation": first.relation,
           "address": first.address, "method": case.service,
           "served_at": f"{served:%Y-%m-%d %H:%M}", "place": "村委会", "servers": ORDER_SERVERS,
           "recipient_signed": case.service == "direct"}
    if case.service == "left":
        raw.update(place=first.address, refusal_reason="受送达人认为孩子已经长大，拒绝签收",
                   witnesses=PLACES[case.code].secretary)
    if case.service == "entrusted":
        raw.update(substitute_name=carer.name,
                   substitute_reason="监护人在外务工，由同住的" + carer.relation + "代收并转交")
    return raw


def _order_followup(case: OrderCase, order: Any, day: date, rng: random.Random
                    ) -> dict[str, Any]:
    if case.stage == "unfulfilled":
        levels: tuple[str, ...] = ("not_done", "not_done", "partial")
    elif case.stage == "fulfilled":
        levels = ("done", "done", "partial")
    else:
        levels = ("done", "partial", "not_done", "done")
    compliance = []
    for _duty in order.duties:
        level = rng.choice(levels)
        compliance.append({"level": level, "evidence": rng.choice(ORDER_EVIDENCE[level])})
    return {
        "followup_date": day.isoformat(),
        "method": rng.choice(("home", "home", "phone", "video", "school")),
        "visitors": f"{DEMO_WORKER}、{PLACES[case.code].secretary}",
        "person_met": order.guardians[rng.randint(0, 1)].name,
        "schooling": rng.choice(("按时上学", "偶有迟到", "已返校就读", "成绩有所提高")),
        "behaviour": rng.choice(("表现平稳", "未再去网吧", "与家人关系有所缓和", "仍较叛逆")),
        "health": rng.choice(("良好", "良好", "感冒已愈")), "compliance": compliance,
        "guidance_attended": rng.random() < 0.6,
        "next_steps": "继续跟踪，督促监护人落实监护职责",
        "next_date": (day + timedelta(days=30)).isoformat(),
    }


def demo_orders(session: Session, rng: random.Random, today: date | None = None) -> int:
    """督促监护令 at every stage of their life, in the demo worker's villages: waiting to be
    served (one of them late), served, under observation (one follow-up late, one period
    about to end), ended fulfilled and unfulfilled; nothing when orders already exist."""
    store = session.store
    if store.conn.execute("SELECT 1 FROM orders WHERE deleted = 0 LIMIT 1").fetchone():
        return 0
    today = today or clock.today()
    now = datetime.combine(today, time(23, 59))
    numbers: dict[int, int] = {}
    made = 0
    with store.transaction() as tx:
        for case in sorted(ORDER_CASES, key=lambda c: -c.days_ago):
            village = villages.village_by_code(store, case.code)
            if village is None:
                continue
            issued = today - timedelta(days=case.days_ago)
            numbers[issued.year] = numbers.get(issued.year, 0) + 1
            number = f"平检未督〔{issued.year}〕{numbers[issued.year]}号"
            raw = _order_raw(case, number, issued, village.id, rng)
            order_id = order_store.save_order(
                tx, order_rules.parse_order(raw, today=today), DEMO_WORKER)
            made += 1
            if case.stage == "pending":
                continue
            order = order_store.load_order(store, order_id)
            assert order is not None
            served = at(issued + timedelta(days=1), 10 * 60 + rng.randint(0, 90))
            service = followup_rules.parse_service(_order_service(case, order, served),
                                                   order=order, now=now)
            order_store.save_service(tx, order_id, service, DEMO_WORKER, at=served)
            if case.stage == "served":
                continue
            order = order_store.load_order(store, order_id)
            assert order is not None and order.observation_start and order.observation_end
            step = order_rules.transition("served", "observing", DEMO_WORKER, "宣告考察期",
                                          at=at(order.observation_start, 9 * 60))
            order_store.save_order(tx, replace(order, status="observing",
                                               history=(*order.history, step)), DEMO_WORKER)
            last = order.observation_end if case.stage in ("fulfilled", "unfulfilled") else \
                today - timedelta(days=case.quiet_days)
            day = served.date() + timedelta(days=30)
            while day <= last:
                typed = _order_followup(case, order, day, rng)
                followup = followup_rules.parse_followup(
                    typed, order=order, served_on=order_store.served_on(store, order_id),
                    today=today)
                order_store.save_followup(tx, order_id, followup, DEMO_WORKER)
                day += timedelta(days=30)
            if case.stage in ("fulfilled", "unfulfilled"):
                order = order_store.load_order(store, order_id)
                assert order is not None and order.observation_end
                referral = ("已书面通报县妇联和公安机关，依法申请对监护人予以训诫"
                            if case.stage == "unfulfilled" else "")
                step = order_rules.transition(
                    "observing", "ended", DEMO_WORKER, at=at(order.observation_end, 16 * 60),
                    outcome=case.stage, referral=referral)
                order_store.save_order(tx, replace(
                    order, status="ended", outcome=case.stage, referral=referral,
                    history=(*order.history, step)), DEMO_WORKER)
    return made
