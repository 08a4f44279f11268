"""Context for the 防返贫监测户信息表: a monitored household with its members, risks and
assistance measures, built from the stored household with the form's privacy settings."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from meixian_desktop.core import clock
from meixian_desktop.core.households import (
    ASSISTANCE,
    EDUCATION,
    MEASURE_TYPES,
    MONITORING_TYPES,
    RISK_TYPES,
    TAGS,
    Household,
    Measure,
    Member,
)
from meixian_desktop.printing.contexts import (
    Context,
    FormKind,
    Privacy,
    RecordNotFound,
    _checklist,
    _phone,
    village_names,
)
from meixian_desktop.printing.contexts_more import _label, _member, sample_visit
from meixian_desktop.printing.text import chinese_date, money_figures
from meixian_desktop.store import households as household_store
from meixian_desktop.store.database import Store
from meixian_desktop.store.villages import list_groups

__all__ = ["HOUSEHOLD_FORMS", "monitoring_context"]

# Tags that say more than a monitoring form needs to: printed only when the form says so.
SENSITIVE_TAGS = ("order_subject", "community_correction")


def _tags(codes: tuple[str, ...] | list[str], privacy: Privacy) -> str:
    shown = privacy.get("sensitive_tags", "hidden") == "shown"
    return "、".join(TAGS.label_of(t) for t in codes if shown or t not in SENSITIVE_TAGS)


def _monitored_member(member: Member, on: date, privacy: Privacy) -> dict[str, str]:
    """A member as on the visit form, plus education, 低保/特困 and insurance."""
    return {**_member(member, on, privacy), "tags": _tags(member.tags, privacy),
            "education": _label(EDUCATION, member.education),
            "assistance": _label(ASSISTANCE, member.assistance_status),
            "insurance": member.insurance}


def _measure(measure: Measure) -> dict[str, str]:
    period = "至".join(p for p in (chinese_date(measure.start_date),
                                  chinese_date(measure.end_date)) if p)
    return {"type": _label(MEASURE_TYPES, measure.measure_type), "content": measure.content,
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
            "head": household.head_name, "phone": _phone(household.phone, privacy), "cadre": household.cadre,
            "tags": _tags(household.all_tags(), privacy),
            "members_count": f"{len(household.members)}人" if household.members else "",
            "monitoring_type": _label(MONITORING_TYPES, household.monitoring_type),
            "included_on": chinese_date(household.monitoring_included_on),
            "risk_types": "、".join(RISK_TYPES.label_of(r) for r in household.risk_types),
            "income": (f"{money_figures(income).lstrip('¥')}元" if income is not None else ""),
            "income_year": f"{household.income_year}年" if household.income_year else "",
            "risk_eliminated": "是" if household.risk_eliminated else "否",
            "risk_eliminated_on": chinese_date(household.risk_eliminated_on),
            "notes": household.notes, "printed_on": chinese_date(today),
        },
        "risks": _checklist(household.risk_types, RISK_TYPES),
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
    "monitoring_household": FormKind(
        "monitoring_household", "households", "户", build_monitoring,
        lambda p: monitoring_context(sample_household(), {"v": "张韩村"}, {"g": "三组"}, p,
                                     date(2025, 3, 5))),
}
