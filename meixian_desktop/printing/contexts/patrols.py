"""Contexts of the three patrol sheets (森林防火, 河道, 耕地保护巡查记录表), built from a stored
patrol with its findings."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

from meixian_desktop.core.categories import CategorySet
from meixian_desktop.core.patrols import (
    ACTIONS,
    FINDING_CATEGORIES,
    FIRE_DANGER,
    KINDS,
    RIVER_CHIEF_LEVELS,
    STATUSES,
    WEATHER,
    Finding,
    Patrol,
)
from meixian_desktop.printing.contexts.common import (
    Context,
    FormKind,
    Privacy,
    RecordNotFound,
    number_with_unit,
    village_names,
)
from meixian_desktop.printing.text import chinese_date
from meixian_desktop.store import patrols as patrol_store
from meixian_desktop.store.database import Store


def _finding(finding: Finding, kind: str,
             categories_by_kind: Mapping[str, CategorySet] = FINDING_CATEGORIES
             ) -> dict[str, str]:
    categories = categories_by_kind.get(kind)
    category = categories.label_of(finding.category) if categories else finding.category
    recheck = "，".join(p for p in (chinese_date(finding.recheck_date), finding.recheck_result)
                       if p)
    return {
        "category": category, "place": finding.place, "description": finding.description,
        "persons": finding.persons, "action": ACTIONS.label_of(finding.action),
        "deadline": chinese_date(finding.deadline), "recheck": recheck,
        "status": STATUSES.label_of(finding.status), "area": number_with_unit(finding.area_mu, "亩"),
        "mu": number_with_unit(finding.area_mu, ""),
    }


def patrol_context(patrol: Patrol, villages: Mapping[str, str], privacy: Privacy,
                   categories_by_kind: Mapping[str, CategorySet] = FINDING_CATEGORIES
                   ) -> Context:
    """A patrol sheet's fields; ``categories_by_kind`` with the town's own finding categories
    (store.patrols.finding_categories) so they print by name."""
    times = "—".join(t for t in (patrol.start_time, patrol.end_time) if t)
    route = "→".join(p for p in (patrol.route_start, patrol.route_end) if p)
    return {
        "patrol": {
            "kind": KINDS.label_of(patrol.kind), "date": chinese_date(patrol.patrol_date),
            "time": times, "weather": WEATHER.label_of(patrol.weather) if patrol.weather else "",
            "leader": patrol.leader, "companions": patrol.companions, "area": patrol.area,
            "villages": "、".join(villages.get(v, v) for v in patrol.village_ids),
            "route": route, "distance": number_with_unit(patrol.distance_km, "公里"),
            "river": "".join(p for p in (patrol.river_name, patrol.river_section) if p),
            "river_name": patrol.river_name, "river_section": patrol.river_section,
            "river_chief_level": (RIVER_CHIEF_LEVELS.label_of(patrol.river_chief_level)
                                  if patrol.river_chief_level else ""),
            "fire_danger": FIRE_DANGER.label_of(patrol.fire_danger) if patrol.fire_danger else "",
            "forest_entrants": (f"{patrol.forest_entrants}人"
                                if patrol.forest_entrants is not None else ""),
            "plot_number": patrol.plot_number,
            "total_area": number_with_unit(sum(f.area_mu for f in patrol.findings
                                      if f.area_mu is not None) or None, "亩"),
            "notes": patrol.notes, "signature": patrol.signature or patrol.leader,
            "findings_count": f"{len(patrol.findings)}处" if patrol.findings else "未发现问题",
        },
        "findings": [_finding(f, patrol.kind, categories_by_kind) for f in patrol.findings],
    }


def sample_patrol() -> Patrol:
    finding = Finding("illegal_fishing", "电鱼", place="汨罗江", persons="某人",
                      deadline=date(2025, 3, 8), recheck_date=date(2025, 3, 9),
                      recheck_result="合格", area_mu=1.5)
    return Patrol("river", date(2025, 3, 5), "李梅", ("v",), start_time="08:00",
                  end_time="11:30", weather="sunny", companions="张三", area="张韩段",
                  route_start="桥头", route_end="渡口", distance_km=6.5, notes="备注",
                  signature="李梅", river_name="汨罗江", river_section="梅仙段",
                  river_chief_level="village", fire_danger="3", forest_entrants=12,
                  plot_number="430626-0012", findings=(finding,))


def _patrol_builder(kind: str) -> Callable[[Store, str, Privacy], Context]:
    """Build the context of a patrol of ``kind``; a patrol of another kind is not found."""

    def build(store: Store, record_id: str, privacy: Privacy) -> Context:
        patrol = patrol_store.load_patrol(store, record_id)
        if patrol is None:
            raise RecordNotFound(f"找不到编号为“{record_id}”的巡查记录（可能已被删除）。")
        if patrol.kind != kind:
            raise RecordNotFound(f"找不到编号为“{record_id}”的{KINDS.label_of(kind)}记录："
                                 f"这是一条{patrol.kind_label}记录。")
        return patrol_context(patrol, village_names(store), privacy,
                              patrol_store.finding_categories(store))

    return build


build_patrol = _patrol_builder("river")


PATROL_FORMS: dict[str, FormKind] = {
    "river_patrol": FormKind(
        "river_patrol", "patrols", "巡查记录", build_patrol,
        lambda p: patrol_context(sample_patrol(), {"v": "张韩村"}, p)),
    "forest_patrol": FormKind(
        "forest_patrol", "patrols", "巡查记录", _patrol_builder("forest"),
        lambda p: patrol_context(sample_patrol(), {"v": "张韩村"}, p)),
    "farmland_patrol": FormKind(
        "farmland_patrol", "patrols", "巡查记录", _patrol_builder("farmland"),
        lambda p: patrol_context(sample_patrol(), {"v": "张韩村"}, p)),
}
