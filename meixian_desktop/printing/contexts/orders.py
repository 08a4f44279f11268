"""Contexts of the 督促监护令 forms: the order, its 送达回证 and the 回访记录, built from stored
records with the form's privacy settings applied."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from meixian_desktop.core.order_followups import (
    COMPLIANCE,
    FOLLOWUP_METHODS,
    SERVICE_METHODS,
    Compliance,
    OrderFollowUp,
    ServiceRecord,
    compliance_summary,
)
from meixian_desktop.core.orders import (
    DEFAULT_CONSEQUENCES,
    FACTS,
    GENDERS,
    LEGAL_BASIS,
    Duty,
    Guardian,
    SupervisionOrder,
)
from meixian_desktop.printing.contexts.common import (
    Context,
    FormKind,
    Privacy,
    RecordNotFound,
    checklist,
    id_shown,
    phone_shown,
    village_names,
)
from meixian_desktop.printing.text import chinese_date, chinese_datetime
from meixian_desktop.store import orders as order_store
from meixian_desktop.store.database import Store


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
        "minor_id_number": id_shown(order.minor_id_number, privacy),
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
    return {"name": g.name, "relation": g.relation, "id_number": id_shown(g.id_number, privacy),
            "address": g.address, "phone": phone_shown(g.phone, privacy)}


def order_context(order: SupervisionOrder, villages: Mapping[str, str], privacy: Privacy
                  ) -> Context:
    return {
        "order": order_fields(order, villages, privacy),
        "guardians": [_guardian(g, privacy) for g in order.guardians],
        "facts": checklist(order.facts, FACTS),
        "legal_basis": checklist(order.legal_basis, LEGAL_BASIS),
        "duties": [_duty(d) for d in order.duties],
    }


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
    context["methods"] = checklist(methods, SERVICE_METHODS)
    return context


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


ORDER_FORMS: dict[str, FormKind] = {
    "supervision_order": FormKind(
        "supervision_order", "orders", "监护令", build_order,
        lambda p: order_context(sample_order(), {"v": "张韩村"}, p)),
    "service_receipt": FormKind(
        "service_receipt", "orders", "监护令", build_service,
        lambda p: service_context(sample_order(), sample_service(), {"v": "张韩村"}, p)),
    "order_followup": FormKind(
        "order_followup", "orders", "监护令或回访", build_followup,
        lambda p: followup_context(sample_order(), [sample_followup()], sample_followup(),
                                   {"v": "张韩村"}, p)),
}
