"""Contexts of the household forms: the 入户走访记录表 and the 防返贫监测户信息表, built from a
stored household and visit with the form's privacy settings applied."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from meixian_desktop.core import clock
from meixian_desktop.core.households import (
    ASSISTANCE,
    EDUCATION,
    HEALTH,
    MEASURE_TYPES,
    MONITORING_TYPES,
    NEEDS,
    RELATIONS,
    RISK_TYPES,
    SATISFACTION,
    SCHOOL_STATUS,
    TAGS,
    VISIT_TYPES,
    WORK_STATUS,
    Household,
    Measure,
    Member,
    Referral,
    Visit,
)
from meixian_desktop.core.orders import GENDERS
from meixian_desktop.printing.contexts.common import (
    Context,
    FormKind,
    Privacy,
    RecordNotFound,
    checklist,
    code_label,
    id_shown,
    phone_shown,
    village_names,
)
from meixian_desktop.printing.text import chinese_date, money_figures
from meixian_desktop.store import households as household_store
from meixian_desktop.store.database import Store
from meixian_desktop.store.villages import list_groups


def _member(member: Member, on: date, privacy: Privacy) -> dict[str, str]:
    age = member.age_on(on)
    situation = "，".join(p for p in (code_label(SCHOOL_STATUS, member.school_status),
                                     code_label(WORK_STATUS, member.work_status)) if p)
    health = code_label(HEALTH, member.health)
    if member.disability_category or member.disability_grade:
        health += "（" + "".join(p for p in (member.disability_category,
                                             member.disability_grade) if p) + "）"
    return {
        "name": member.name, "relation": code_label(RELATIONS, member.relation),
        "gender": code_label(GENDERS, member.gender), "age": f"{age}岁" if age is not None else "",
        "id_number": id_shown(member.id_number, privacy), "health": health,
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
            "type": code_label(VISIT_TYPES, visit.visit_type), "visitors": visit.visitors,
            "person_met": visit.person_met, "others_present": visit.others_present,
            "income": visit.income_note, "health": visit.health_note,
            "housing": visit.housing_note, "water": visit.water_note,
            "schooling": visit.schooling_note,
            "needs": "、".join(NEEDS.label_of(n) for n in visit.needs),
            "needs_detail": visit.needs_detail, "done_on_spot": visit.done_on_spot,
            "satisfaction": code_label(SATISFACTION, visit.satisfaction),
            "next_date": chinese_date(visit.next_visit_date),
        },
        "household": {
            "number": household.number, "village": villages.get(household.village_id, ""),
            "group": groups.get(household.group_id, ""), "address": household.address,
            "head": household.head_name, "phone": phone_shown(household.phone, privacy),
            "cadre": household.cadre,
            "tags": "、".join(TAGS.label_of(t) for t in household.all_tags()),
            "monitoring_type": code_label(MONITORING_TYPES, household.monitoring_type),
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


# Tags that say more than a monitoring form needs to: printed only when the form says so.
SENSITIVE_TAGS = ("order_subject", "community_correction")


def _tags(codes: tuple[str, ...] | list[str], privacy: Privacy) -> str:
    shown = privacy.get("sensitive_tags", "hidden") == "shown"
    return "、".join(TAGS.label_of(t) for t in codes if shown or t not in SENSITIVE_TAGS)


def _monitored_member(member: Member, on: date, privacy: Privacy) -> dict[str, str]:
    """A member as on the visit form, plus education, 低保/特困 and insurance."""
    return {**_member(member, on, privacy), "tags": _tags(member.tags, privacy),
            "education": code_label(EDUCATION, member.education),
            "assistance": code_label(ASSISTANCE, member.assistance_status),
            "insurance": member.insurance}


def _measure(measure: Measure) -> dict[str, str]:
    period = "至".join(p for p in (chinese_date(measure.start_date),
                                  chinese_date(measure.end_date)) if p)
    return {"type": code_label(MEASURE_TYPES, measure.measure_type), "content": measure.content,
            "start": chinese_date(measure.start_date), "end": chinese_date(measure.end_date),
            "period": period, "unit": measure.unit}


def monitoring_context(household: Household, villages: Mapping[str, str],
                       groups: Mapping[str, str], privacy: Privacy, today: date) -> Context:
    """The household's monitoring record; members' ID numbers masked unless the form says
    full, and 督促监护令/社区矫正 tags left out unless it says shown."""
    income = household.income_per_capita
    return {
        "household": {
            "number": household.number, "village": villages.get(household.village_id, ""),
            "group": groups.get(household.group_id, ""), "address": household.address,
            "head": household.head_name, "phone": phone_shown(household.phone, privacy),
            "cadre": household.cadre,
            "tags": _tags(household.all_tags(), privacy),
            "members_count": f"{len(household.members)}人" if household.members else "",
            "monitoring_type": code_label(MONITORING_TYPES, household.monitoring_type),
            "included_on": chinese_date(household.monitoring_included_on),
            "risk_types": "、".join(RISK_TYPES.label_of(r) for r in household.risk_types),
            "income": (f"{money_figures(income).lstrip('¥')}元" if income is not None else ""),
            "income_year": f"{household.income_year}年" if household.income_year else "",
            "risk_eliminated": "是" if household.risk_eliminated else "否",
            "risk_eliminated_on": chinese_date(household.risk_eliminated_on),
            "notes": household.notes, "printed_on": chinese_date(today),
        },
        "risks": checklist(household.risk_types, RISK_TYPES),
        "members": [_monitored_member(m, today, privacy) for m in household.members],
        "measures": [_measure(m) for m in household.measures],
    }


def sample_household() -> Household:
    _visit, household = sample_visit()
    return Household(household.village_id, household.head_name, number=household.number,
                     group_id=household.group_id, address=household.address,
                     phone=household.phone, cadre=household.cadre, tags=("monitored",),
                     monitoring_type="marginal", monitoring_included_on=date(2024, 6, 1),
                     risk_types=("illness",), income_per_capita=8500.0, income_year=2024,
                     risk_eliminated=True, risk_eliminated_on=date(2025, 3, 1), notes="备注",
                     members=household.members,
                     measures=(Measure("health", "内容", date(2024, 7, 1), date(2025, 6, 30),
                                       "镇卫生院"),))


def build_monitoring(store: Store, record_id: str, privacy: Privacy) -> Context:
    household = household_store.load_household(store, record_id)
    if household is None:
        raise RecordNotFound(f"找不到编号为“{record_id}”的户（可能已被删除）。")
    if not (household.monitoring_type or "monitored" in household.tags
            or household.risk_types or household.measures):
        raise RecordNotFound(f"户主为“{household.head_name}”的户没有防返贫监测信息，"
                             "没有监测户信息表可打印。")
    groups = {g.id: g.name for g in list_groups(store, household.village_id,
                                                include_retired=True)}
    return monitoring_context(household, village_names(store), groups, privacy, clock.today())


HOUSEHOLD_FORMS: dict[str, FormKind] = {
    "household_visit": FormKind(
        "household_visit", "visits", "走访记录", build_visit,
        lambda p: visit_context(*sample_visit(), {"v": "张韩村"}, {"g": "三组"}, p)),
    "monitoring_household": FormKind(
        "monitoring_household", "households", "户", build_monitoring,
        lambda p: monitoring_context(sample_household(), {"v": "张韩村"}, {"g": "三组"}, p,
                                     date(2025, 3, 5))),
}
