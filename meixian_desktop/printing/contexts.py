"""Contexts for printed forms: the values each form's placeholders draw from, built from
stored records (督促监护令, 送达回证, 河道巡查记录表), with the form's privacy settings applied."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from meixian_desktop.core.categories import CategorySet
from meixian_desktop.core.masking import mask_id_number, mask_phone
from meixian_desktop.core.order_followups import SERVICE_METHODS, ServiceRecord
from meixian_desktop.core.orders import (
    DEFAULT_CONSEQUENCES,
    FACTS,
    GENDERS,
    LEGAL_BASIS,
    Duty,
    Guardian,
    SupervisionOrder,
)
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
from meixian_desktop.printing.text import chinese_date, chinese_datetime
from meixian_desktop.store import orders as order_store
from meixian_desktop.store import patrols as patrol_store
from meixian_desktop.store.database import Store
from meixian_desktop.store.villages import list_villages

Context = dict[str, Any]
Privacy = Mapping[str, str]


class RecordNotFound(Exception):
    """The record to print does not exist (or was deleted)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def village_names(store: Store) -> dict[str, str]:
    return {v.id: v.name for v in list_villages(store, include_retired=True)}


def _id(number: str, privacy: Privacy) -> str:
    return number if privacy.get("id_number", "masked") == "full" else mask_id_number(number)


def _phone(number: str, privacy: Privacy) -> str:
    if not number or privacy.get("phone", "full") == "full":
        return number
    return mask_phone(number)


def _checklist(chosen: tuple[str, ...], labels: CategorySet) -> list[dict[str, Any]]:
    """Every category as a ☑/☐ item: the active ones, and retired ones that were chosen."""
    return [{"label": item.label, "checked": item.code in chosen}
            for item in labels if not item.retired or item.code in chosen]


# -- 督促监护令 ---------------------------------------------------------------------------------


def order_fields(order: SupervisionOrder, villages: Mapping[str, str], privacy: Privacy
                 ) -> dict[str, Any]:
    """The order's own fields as printed; the minor by pseudonym unless the form says real."""
    real = privacy.get("minor_name", "pseudonym") == "real"
    start, end = order.observation_start, order.observation_end
    period = (f"自{chinese_date(start)}起至{chinese_date(end)}止" if start and end else "")
    chosen_facts = [FACTS.label_of(code) for code in order.facts if code != "other"]
    if order.facts_detail:
        chosen_facts.append(order.facts_detail.rstrip("。；;.， "))
    age = order.minor_age_on(order.issue_date)
    gender = GENDERS.label_of(order.minor_gender) if order.minor_gender else ""
    about = "，".join(p for p in (gender, f"{age}周岁" if age is not None else "",
                                 villages.get(order.village_id, "")) if p)
    minor = order.minor_name if real else order.minor_pseudonym
    return {
        "minor_described": f"{minor}（{about}）" if about else minor,
        "number": order.number, "issuer": order.issuer,
        "issue_date": chinese_date(order.issue_date),
        "village": villages.get(order.village_id, ""),
        "addressee": "、".join(g.name for g in order.guardians),
        "minor": order.minor_name if real else order.minor_pseudonym,
        "minor_gender": GENDERS.label_of(order.minor_gender) if order.minor_gender else "",
        "minor_age": f"{age}周岁" if age is not None else "",
        "minor_id_number": _id(order.minor_id_number, privacy),
        "facts_text": "；".join(chosen_facts),
        "facts_detail": order.facts_detail,
        "legal_basis_text": "、".join(f"《中华人民共和国{LEGAL_BASIS.label_of(c).split('第')[0]}》"
                                      + (("第" + LEGAL_BASIS.label_of(c).split("第", 1)[1])
                                         if "第" in LEGAL_BASIS.label_of(c) else "")
                                      for c in order.legal_basis),
        "observation_start": chinese_date(start), "observation_end": chinese_date(end),
        "observation_period": period,
        "feedback_method": order.feedback_method, "contact": order.contact,
        "consequences": order.consequences or DEFAULT_CONSEQUENCES,
        "copies_to": order.copies_to,
        "status": order.status_label,
    }


def _duty(duty: Duty) -> dict[str, str]:
    content, measure_text = duty.content.rstrip("。；;. "), duty.measure.rstrip("。；;. ")
    deadline = f"（{chinese_date(duty.deadline)}前）" if duty.deadline else ""
    measure = f"：{measure_text}" if measure_text else ""
    return {"content": duty.content, "measure": duty.measure,
            "deadline": chinese_date(duty.deadline), "text": f"{content}{measure}{deadline}。"}


def _guardian(g: Guardian, privacy: Privacy) -> dict[str, str]:
    return {"name": g.name, "relation": g.relation, "id_number": _id(g.id_number, privacy),
            "address": g.address, "phone": _phone(g.phone, privacy)}


def order_context(order: SupervisionOrder, villages: Mapping[str, str], privacy: Privacy
                  ) -> Context:
    return {
        "order": order_fields(order, villages, privacy),
        "guardians": [_guardian(g, privacy) for g in order.guardians],
        "facts": _checklist(order.facts, FACTS),
        "legal_basis": _checklist(order.legal_basis, LEGAL_BASIS),
        "duties": [_duty(d) for d in order.duties],
    }


# -- 送达回证 -----------------------------------------------------------------------------------


def service_context(order: SupervisionOrder, service: ServiceRecord | None,
                    villages: Mapping[str, str], privacy: Privacy) -> Context:
    """The proof of service: filled from a recorded service, or blank lines to fill by hand."""
    context = order_context(order, villages, privacy)
    first = order.guardians[0] if order.guardians else Guardian("", "")
    if service is None:
        served: dict[str, Any] = {
            "document": "督促监护令", "document_number": order.number,
            "recipient": first.name, "recipient_relation": first.relation,
            "address": first.address, "method": "", "served_at": "", "place": "",
            "signed": "", "substitute": "", "refusal": "", "witnesses": "", "servers": "",
        }
        methods: tuple[str, ...] = ()
    else:
        substitute = "，".join(p for p in (service.substitute_name, service.substitute_reason) if p)
        served = {
            "document": service.document, "document_number": service.document_number
            or order.number, "recipient": service.recipient,
            "recipient_relation": service.recipient_relation, "address": service.address,
            "method": SERVICE_METHODS.label_of(service.method),
            "served_at": chinese_datetime(service.served_at), "place": service.place,
            "signed": "已签收" if service.recipient_signed else "",
            "substitute": substitute, "refusal": service.refusal_reason,
            "witnesses": "、".join(service.witnesses), "servers": "、".join(service.servers),
        }
        methods = (service.method,)
    context["service"] = served
    context["methods"] = _checklist(methods, SERVICE_METHODS)
    return context


# -- 巡查记录表 ---------------------------------------------------------------------------------


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    return f"{value:g}{unit}"


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
        "status": STATUSES.label_of(finding.status), "area": _number(finding.area_mu, "亩"),
        "mu": _number(finding.area_mu, ""),
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
            "route": route, "distance": _number(patrol.distance_km, "公里"),
            "river": "".join(p for p in (patrol.river_name, patrol.river_section) if p),
            "river_name": patrol.river_name, "river_section": patrol.river_section,
            "river_chief_level": (RIVER_CHIEF_LEVELS.label_of(patrol.river_chief_level)
                                  if patrol.river_chief_level else ""),
            "fire_danger": FIRE_DANGER.label_of(patrol.fire_danger) if patrol.fire_danger else "",
            "forest_entrants": (f"{patrol.forest_entrants}人"
                                if patrol.forest_entrants is not None else ""),
            "plot_number": patrol.plot_number,
            "total_area": _number(sum(f.area_mu for f in patrol.findings
                                      if f.area_mu is not None) or None, "亩"),
            "notes": patrol.notes, "signature": patrol.signature or patrol.leader,
            "findings_count": f"{len(patrol.findings)}处" if patrol.findings else "未发现问题",
        },
        "findings": [_finding(f, patrol.kind, categories_by_kind) for f in patrol.findings],
    }


# -- samples: fully filled records, used to learn each form's fields --------------------------


def sample_order() -> SupervisionOrder:
    return SupervisionOrder(
        number="平检未督〔2025〕1号", issue_date=date(2025, 3, 5), village_id="v",
        guardians=(Guardian("王大明", "父亲", "11010519491231002X", "张韩村3组", "13907301234"),),
        minor_name="王小明", minor_pseudonym="小王", facts=("absent_migrant", "other"),
        legal_basis=("civil_code_34",), duties=(Duty("每周与孩子视频通话", "每周两次",
                                                     date(2025, 4, 5)),),
        minor_id_number="11010520100101002X", minor_birth_date=date(2010, 1, 1),
        minor_gender="male", facts_detail="细节", observation_start=date(2025, 3, 10),
        observation_end=date(2025, 9, 10), feedback_method="电话", contact="0730-1234567",
        consequences="后果", copies_to="梅仙镇人民政府", id="o")


def sample_service() -> ServiceRecord:
    return ServiceRecord("direct", datetime(2025, 3, 6, 9, 30), "王大明", ("李梅",),
                         document_number="平检未督〔2025〕1号", recipient_relation="父亲",
                         address="张韩村3组", place="家中", recipient_signed=True,
                         substitute_name="王奶奶", substitute_reason="本人外出",
                         refusal_reason="无", witnesses=("张三",))


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


# -- reading records from the store -----------------------------------------------------------


def _load_order(store: Store, record_id: str) -> SupervisionOrder:
    order = order_store.load_order(store, record_id)
    if order is None:
        raise RecordNotFound(f"找不到编号为“{record_id}”的监护令（可能已被删除）。")
    return order


def build_order(store: Store, record_id: str, privacy: Privacy) -> Context:
    return order_context(_load_order(store, record_id), village_names(store), privacy)


def build_service(store: Store, record_id: str, privacy: Privacy) -> Context:
    order = _load_order(store, record_id)
    recorded = order_store.services(store, record_id)
    return service_context(order, recorded[-1] if recorded else None, village_names(store),
                           privacy)


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


@dataclass(frozen=True)
class FormKind:
    """A printable form: its template name, the table its records live in, how to build
    its context from a record, and a fully filled sample context."""

    name: str
    table: str
    record_label: str
    build: Callable[[Store, str, Privacy], Context]
    sample: Callable[[Privacy], Context]


FORMS: dict[str, FormKind] = {
    "supervision_order": FormKind(
        "supervision_order", "orders", "监护令", build_order,
        lambda p: order_context(sample_order(), {"v": "张韩村"}, p)),
    "service_receipt": FormKind(
        "service_receipt", "orders", "监护令", build_service,
        lambda p: service_context(sample_order(), sample_service(), {"v": "张韩村"}, p)),
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
