"""Which category set each coded column of a stored record holds: the one table the editors'
sets and the town's import check share, so a code added to core is accepted by both at once."""

from __future__ import annotations

import json
from dataclasses import dataclass

from meixian_desktop.core import households, mediation, order_followups, orders, patrols
from meixian_desktop.core.categories import CategorySet

ONE, MANY, PAIRS = "one", "many", "pairs"  # a code; a JSON list of codes; of [code, note] pairs


@dataclass(frozen=True)
class CodedColumn:
    """A column holding codes of ``sets`` (any of them), in the ``shape`` stored."""

    sets: tuple[CategorySet, ...]
    shape: str = ONE
    required: bool = False


def _one(*sets: CategorySet, required: bool = False) -> CodedColumn:
    return CodedColumn(sets, ONE, required)


_FINDING_CATEGORIES = tuple(patrols.FINDING_CATEGORIES.values())

CODED_COLUMNS: dict[tuple[str, str], CodedColumn] = {
    ("patrols", "kind"): _one(patrols.KINDS, required=True),
    ("patrols", "weather"): _one(patrols.WEATHER),
    ("patrols", "fire_danger"): _one(patrols.FIRE_DANGER),
    ("patrols", "river_chief_level"): _one(patrols.RIVER_CHIEF_LEVELS),
    ("findings", "category"): _one(*_FINDING_CATEGORIES, required=True),
    ("findings", "action"): _one(patrols.ACTIONS),
    ("findings", "status"): _one(patrols.STATUSES, required=True),
    ("finding_events", "from_status"): _one(patrols.STATUSES),
    ("finding_events", "to_status"): _one(patrols.STATUSES, required=True),
    ("households", "tags"): CodedColumn((households.TAGS,), MANY),
    ("households", "monitoring_type"): _one(households.MONITORING_TYPES),
    ("households", "risk_types"): CodedColumn((households.RISK_TYPES,), MANY),
    ("members", "gender"): _one(mediation.GENDERS),
    ("members", "relation"): _one(households.RELATIONS),
    ("members", "education"): _one(households.EDUCATION),
    ("members", "school_status"): _one(households.SCHOOL_STATUS),
    ("members", "health"): _one(households.HEALTH),
    ("members", "work_status"): _one(households.WORK_STATUS),
    ("members", "assistance_status"): _one(households.ASSISTANCE),
    ("members", "tags"): CodedColumn((households.TAGS,), MANY),
    ("measures", "measure_type"): _one(households.MEASURE_TYPES, required=True),
    ("visits", "visit_type"): _one(households.VISIT_TYPES, required=True),
    ("visits", "needs"): CodedColumn((households.NEEDS,), MANY),
    ("visits", "satisfaction"): _one(households.SATISFACTION),
    ("orders", "status"): _one(orders.STATUSES, required=True),
    ("orders", "minor_gender"): _one(orders.GENDERS),
    ("orders", "facts"): CodedColumn((orders.FACTS,), MANY),
    ("orders", "legal_basis"): CodedColumn((orders.LEGAL_BASIS,), MANY),
    ("orders", "outcome"): _one(orders.OUTCOMES),
    ("order_services", "method"): _one(order_followups.SERVICE_METHODS, required=True),
    ("order_followups", "method"): _one(order_followups.FOLLOWUP_METHODS, required=True),
    ("order_followups", "compliance"): CodedColumn((order_followups.COMPLIANCE,), PAIRS),
    ("order_events", "from_status"): _one(orders.STATUSES),
    ("order_events", "to_status"): _one(orders.STATUSES, required=True),
    ("cases", "status"): _one(mediation.STATUSES, required=True),
    ("cases", "category"): _one(mediation.CATEGORIES, required=True),
    ("cases", "source"): _one(mediation.SOURCES),
    ("cases", "risk_tags"): CodedColumn((mediation.RISK_TAGS,), MANY),
    ("case_parties", "kind"): _one(mediation.PARTY_KINDS, required=True),
    ("case_parties", "gender"): _one(mediation.GENDERS),
    ("case_events", "from_status"): _one(mediation.STATUSES),
    ("case_events", "to_status"): _one(mediation.STATUSES, required=True),
}


def codes_in(column: CodedColumn, value: object) -> list[object] | None:
    """The codes a stored value holds, or None when it is not of the column's shape."""
    if column.shape == ONE:
        return [] if value in (None, "") and not column.required else [value]
    try:
        items = json.loads(value) if isinstance(value, str) else None
    except ValueError:
        return None
    if not isinstance(items, list):
        return None
    if column.shape == MANY:
        return items
    if not all(isinstance(item, list) and item for item in items):
        return None
    return [item[0] for item in items]
