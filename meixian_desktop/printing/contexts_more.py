"""Contexts for the forms added after the first three: 督促监护令回访记录, 入户走访记录表 and
人民调解协议书, built from stored records with the form's privacy settings applied.
(contexts.py holds the shared helpers and the first forms.)"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from meixian_desktop.core.households import (
    HEALTH,
    MONITORING_TYPES,
    NEEDS,
    RELATIONS,
    SATISFACTION,
    SCHOOL_STATUS,
    TAGS,
    VISIT_TYPES,
    WORK_STATUS,
    Household,
    Member,
    Referral,
    Visit,
)
from meixian_desktop.core.mediation import CATEGORIES as CASE_CATEGORIES
from meixian_desktop.core.mediation import GENDERS as PARTY_GENDERS
from meixian_desktop.core.mediation import (
    MEDIATOR_ROLES,
    Agreement,
    MediationCase,
    Mediator,
    Party,
)
from meixian_desktop.core.order_followups import (
    COMPLIANCE,
    FOLLOWUP_METHODS,
    Compliance,
    OrderFollowUp,
    compliance_summary,
)
from meixian_desktop.core.orders import GENDERS, SupervisionOrder
from meixian_desktop.core.validation import age_on
from meixian_desktop.printing.contexts import (
    Context,
    FormKind,
    Privacy,
    RecordNotFound,
    _id,
    _phone,
    order_fields,
    sample_order,
    village_names,
)
from meixian_desktop.printing.text import chinese_date, money_capitals, money_figures
from meixian_desktop.store import households as household_store
from meixian_desktop.store import mediation as mediation_store
from meixian_desktop.store import orders as order_store
from meixian_desktop.store.database import Store
from meixian_desktop.store.villages import list_groups

__all__ = ["MORE_FORMS", "agreement_context", "followup_context", "visit_context"]

# -- 督促监护令回访记录 --------------------------------------------------------------------------


def _compliance(order: SupervisionOrder, followup: OrderFollowUp) -> list[dict[str, str]]:
    """One row per duty of the order, with how far it was carried out at this follow-up."""
    rows = []
    for number, duty in enumerate(order.duties):
        done = (followup.compliance[number] if number < len(followup.compliance)
                else Compliance("", ""))
        rows.append({"duty": duty.content, "measure": duty.measure,
                     "deadline": chinese_date(duty.deadline),
                     "level": COMPLIANCE.label_of(done.level) if done.level else "",
                     "evidence": done.evidence})
    return rows


def _followup_fields(followup: OrderFollowUp, number: int) -> dict[str, str]:
    return {
        "number": f"第{number}次", "date": chinese_date(followup.followup_date),
        "method": FOLLOWUP_METHODS.label_of(followup.method) if followup.method else "",
        "visitors": "、".join(followup.visitors), "person_met": followup.person_met,
        "schooling": followup.schooling, "behaviour": followup.behaviour,
        "health": followup.health,
        "guidance": "已参加" if followup.guidance_attended else "未参加",
        "problems": followup.problems, "next_steps": followup.next_steps,
        "next_date": chinese_date(followup.next_date),
        "summary": compliance_summary(followup.compliance),
    }


def followup_context(order: SupervisionOrder, all_followups: list[OrderFollowUp],
                     chosen: OrderFollowUp, villages: Mapping[str, str], privacy: Privacy
                     ) -> Context:
    """The record of one follow-up (``chosen``) of the order, with the earlier ones listed."""
    number = next((n for n, f in enumerate(all_followups, start=1) if f is chosen), 1)
    return {
        "order": order_fields(order, villages, privacy),
        "followup": _followup_fields(chosen, number),
        "compliance": _compliance(order, chosen),
    }


def sample_followup() -> OrderFollowUp:
    return OrderFollowUp(date(2025, 4, 10), "home", ("李梅", "周检察官"),
                         (Compliance("partial", "通话记录"),), person_met="王大明",
                         schooling="在校", behaviour="良好", health="健康",
                         guidance_attended=True, problems="问题", next_steps="措施",
                         next_date=date(2025, 5, 10))


def build_followup(store: Store, record_id: str, privacy: Privacy) -> Context:
    """``record_id`` is an order (its latest follow-up is printed) or one follow-up."""
    row = store.conn.execute("SELECT order_id FROM order_followups WHERE id = ? AND deleted = 0",
                             (record_id,)).fetchone()
    order_id = row[0] if row else record_id
    order = order_store.load_order(store, order_id)
    if order is None:
        raise RecordNotFound(f"找不到编号为“{record_id}”的监护令或回访记录（可能已被删除）。")
    done = order_store.followups(store, order_id)
    if not done:
        raise RecordNotFound(f"监护令“{order.number}”还没有登记回访，没有回访记录可打印。")
    chosen = next((f for f in done if f.id == record_id), done[-1])
    return followup_context(order, done, chosen, village_names(store), privacy)


# -- 入户走访记录表 ------------------------------------------------------------------------------


def _label(labels: Any, code: str) -> str:
    return str(labels.label_of(code)) if code else ""


def _member(member: Member, on: date, privacy: Privacy) -> dict[str, str]:
    age = member.age_on(on)
    situation = "，".join(p for p in (_label(SCHOOL_STATUS, member.school_status),
                                     _label(WORK_STATUS, member.work_status)) if p)
    health = _label(HEALTH, member.health)
    if member.disability_category or member.disability_grade:
        health += "（" + "".join(p for p in (member.disability_category,
                                             member.disability_grade) if p) + "）"
    return {
        "name": member.name, "relation": _label(RELATIONS, member.relation),
        "gender": _label(GENDERS, member.gender), "age": f"{age}岁" if age is not None else "",
        "id_number": _id(member.id_number, privacy), "health": health,
        "situation": situation, "tags": "、".join(TAGS.label_of(t) for t in member.tags),
    }


def _referral(referral: Referral) -> dict[str, str]:
    return {"department": referral.department, "item": referral.item,
            "deadline": chinese_date(referral.deadline)}


def visit_context(visit: Visit, household: Household, villages: Mapping[str, str],
                  groups: Mapping[str, str], privacy: Privacy) -> Context:
    """One family visit with its household; members' ID numbers masked unless the form says
    full."""
    return {
        "visit": {
            "date": chinese_date(visit.visit_date), "time": visit.visit_time,
            "type": _label(VISIT_TYPES, visit.visit_type), "visitors": visit.visitors,
            "person_met": visit.person_met, "others_present": visit.others_present,
            "income": visit.income_note, "health": visit.health_note,
            "housing": visit.housing_note, "water": visit.water_note,
            "schooling": visit.schooling_note,
            "needs": "、".join(NEEDS.label_of(n) for n in visit.needs),
            "needs_detail": visit.needs_detail, "done_on_spot": visit.done_on_spot,
            "satisfaction": _label(SATISFACTION, visit.satisfaction),
            "next_date": chinese_date(visit.next_visit_date),
        },
        "household": {
            "number": household.number, "village": villages.get(household.village_id, ""),
            "group": groups.get(household.group_id, ""), "address": household.address,
            "head": household.head_name, "phone": _phone(household.phone, privacy),
            "cadre": household.cadre,
            "tags": "、".join(TAGS.label_of(t) for t in household.all_tags()),
            "monitoring_type": _label(MONITORING_TYPES, household.monitoring_type),
            "members_count": f"{len(household.members)}人" if household.members else "",
        },
        "members": [_member(m, visit.visit_date, privacy) for m in household.members],
        "referrals": [_referral(r) for r in visit.referrals],
    }


def sample_visit() -> tuple[Visit, Household]:
    member = Member("王大明", "11010519491231002X", "male", date(1949, 12, 31), "head",
                    health="healthy", school_status="", work_status="", tags=("left_behind_elderly",))
    household = Household("v", "王大明", number="001", group_id="g", address="张韩村三组",
                          phone="13907301234", cadre="李梅", tags=("dibao",),
                          monitoring_type="marginal", members=(member,), id="h")
    visit = Visit("h", date(2025, 3, 5), "李梅", "key_group", "09:30", "王大明", "王奶奶",
                  "收入", "健康", "住房", "饮水", "上学", ("health",), "细节", "当场",
                  (Referral("民政办", "低保", date(2025, 3, 20)),), "satisfied",
                  next_visit_date=date(2025, 4, 5))
    return visit, household


def build_visit(store: Store, record_id: str, privacy: Privacy) -> Context:
    visit = household_store.load_visit(store, record_id)
    if visit is None:
        raise RecordNotFound(f"找不到编号为“{record_id}”的走访记录（可能已被删除）。")
    household = household_store.load_household(store, visit.household_id)
    if household is None:
        raise RecordNotFound(f"走访记录“{record_id}”所属的户已被删除，无法打印。")
    groups = {g.id: g.name for g in list_groups(store, household.village_id,
                                                include_retired=True)}
    return visit_context(visit, household, village_names(store), groups, privacy)


# -- 人民调解协议书 ------------------------------------------------------------------------------

# An amount of money typed in a term: 5000元, 5,000.50元, 1.2万元 (not one already in capitals).
_AMOUNT = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d{1,2})?(万)?元(?!（大写)")


def with_capitals(term: str) -> str:
    """A term with each sum of money written in figures and in capitals: 赔偿5000元 →
    赔偿人民币5000元（¥5,000.00，大写：伍仟元整）."""

    def spell(match: re.Match[str]) -> str:
        figures = match[1].replace(",", "") + (match[2] or "")
        amount = Decimal(figures) * (10000 if match[3] else 1)
        return (f"{match[0]}（{money_figures(amount)}，大写：{money_capitals(amount)}）")

    return _AMOUNT.sub(spell, term)


def _party(party: Party, number: int, on: date, privacy: Privacy) -> dict[str, str]:
    if party.kind == "organisation":
        parts = [party.name, f"住所：{party.address}" if party.address else "",
                 f"法定代表人：{party.legal_representative}" if party.legal_representative else "",
                 f"统一社会信用代码：{party.credit_code}" if party.credit_code else "",
                 f"联系电话：{_phone(party.phone, privacy)}" if party.phone else ""]
    else:
        age = party.age
        if age is None and party.birth_date is not None:
            born = party.birth_date
            age = age_on(born, on)
        parts = [party.name, _label(PARTY_GENDERS, party.gender), party.ethnicity,
                 f"{age}岁" if age is not None else "",
                 f"身份证号码：{_id(party.id_number, privacy)}" if party.id_number else "",
                 f"职业：{party.occupation}" if party.occupation else "",
                 f"住址：{party.address}" if party.address else "",
                 f"联系电话：{_phone(party.phone, privacy)}" if party.phone else ""]
    label = f"当事人{'一二三四五六七八九十'[number - 1] if number <= 10 else number}"
    return {"label": label, "name": party.name,
            "text": "，".join(p for p in parts if p) + "。"}


def _mediators(mediators: tuple[Mediator, ...]) -> str:
    return "、".join(m.name for m in mediators)


def agreement_context(case: MediationCase, agreement: Agreement, villages: Mapping[str, str],
                      privacy: Privacy) -> Context:
    """The written agreement of a mediated case: parties, numbered terms (sums of money in
    figures and capitals), performance, and who signs."""
    signed = agreement.signed_on
    mediators = [m for m in case.mediators if m.role == "mediator"] or list(case.mediators)
    return {
        "case": {
            "number": case.number, "category": _label(CASE_CATEGORIES, case.category),
            "village": villages.get(case.village_id, ""), "summary": case.summary,
            "registered_on": chinese_date(case.registered_on),
            "mediators": _mediators(tuple(mediators)),
            "panel": "、".join(m.name for m in case.mediators if m not in mediators),
            "roles": "、".join(f"{m.name}（{_label(MEDIATOR_ROLES, m.role)}）"
                              for m in case.mediators),
        },
        "agreement": {
            "signed_on": chinese_date(signed),
            "method": agreement.performance_method, "place": agreement.performance_place,
            "deadline": (f"{chinese_date(agreement.performance_deadline)}前"
                         if agreement.performance_deadline else ""),
            "copies": str(agreement.copies) if agreement.copies else "",
            "parties_count": str(len(case.parties)),
        },
        "parties": [_party(p, n, signed, privacy) for n, p in enumerate(case.parties, start=1)],
        "terms": [{"text": with_capitals(t)} for t in agreement.terms],
    }


def sample_case() -> MediationCase:
    parties = (Party("person", "张三", "male", "汉族", 45, None, "11010519491231002X",
                     "13907301234", "张韩村", "农民"),
               Party("organisation", "某公司", address="平江县", legal_representative="李四",
                     credit_code="91430626MA4L000000", phone="0730-1234567"))
    agreement = Agreement(("赔偿5000元",), date(2025, 3, 5), "现金", "村委会", date(2025, 3, 20))
    return MediationCase(date(2025, 3, 1), "application", "neighbour", "v", "事实", parties,
                         number="（2025）梅人调字第12号",
                         mediators=(Mediator("王调解", "mediator"), Mediator("赵评理", "panel")),
                         agreement=agreement)


def build_agreement(store: Store, record_id: str, privacy: Privacy) -> Context:
    case = mediation_store.load_case(store, record_id)
    if case is None:
        raise RecordNotFound(f"找不到编号为“{record_id}”的纠纷案件（可能已被删除）。")
    if case.agreement is None:
        raise RecordNotFound(f"案件“{case.number}”没有达成调解协议，没有协议书可打印。")
    return agreement_context(case, case.agreement, village_names(store), privacy)


MORE_FORMS: dict[str, FormKind] = {
    "order_followup": FormKind(
        "order_followup", "orders", "监护令或回访", build_followup,
        lambda p: followup_context(sample_order(), [sample_followup()], sample_followup(),
                                   {"v": "张韩村"}, p)),
    "household_visit": FormKind(
        "household_visit", "visits", "走访记录", build_visit,
        lambda p: visit_context(*sample_visit(), {"v": "张韩村"}, {"g": "三组"}, p)),
    "mediation_agreement": FormKind(
        "mediation_agreement", "cases", "纠纷案件", build_agreement,
        lambda p: agreement_context(sample_case(), sample_case().agreement or Agreement(
            (), date(2025, 3, 5)), {"v": "张韩村"}, p)),
}
