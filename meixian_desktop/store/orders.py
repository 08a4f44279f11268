"""督促监护令 in the database: orders saved whole, services, follow-ups, list filters, 今日待办."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from meixian_desktop.core.errors import RecordInvalid, ValidationError
from meixian_desktop.core.lifecycle import Lifecycle
from meixian_desktop.core.order_followups import (
    SERVICE_OVERDUE_DAYS,
    Compliance,
    OrderFollowUp,
    ServiceRecord,
    check_followup,
    first_followup_due,
    service_problems,
    service_step,
)
from meixian_desktop.core.orders import (
    LIVE_STATUSES,
    STATUSES,
    Duty,
    Guardian,
    SupervisionOrder,
    check_transition,
)
from meixian_desktop.core.profile import Profile
from meixian_desktop.store import audit, due, records
from meixian_desktop.store.audit import AuditEntry
from meixian_desktop.store.columns import date_text, json_text, text_date
from meixian_desktop.store.database import Store, Transaction
from meixian_desktop.store.lifecycle import Steps, history, insert_steps, replay
from meixian_desktop.store.search import match_condition
from meixian_desktop.store.villages import scope_condition

TABLE = "orders"








# -- saving an order --------------------------------------------------------------------------


def _order_row(order: SupervisionOrder) -> dict[str, Any]:
    """The columns an editor owns (next_followup_date is kept from the follow-ups)."""
    return {
        "number": order.number, "issuer": order.issuer,
        "issue_date": order.issue_date.isoformat(), "village_id": order.village_id,
        "household_id": order.household_id or None, "minor_name": order.minor_name,
        "minor_pseudonym": order.minor_pseudonym,
        "minor_id_number": order.minor_id_number or None,
        "minor_gender": order.minor_gender or None,
        "minor_birth_date": date_text(order.minor_birth_date),
        "guardians": json_text([[g.name, g.relation, g.id_number, g.address, g.phone]
                            for g in order.guardians]),
        "facts": json_text(list(order.facts)), "facts_detail": order.facts_detail,
        "legal_basis": json_text(list(order.legal_basis)),
        "duties": json_text([[d.content, d.measure, date_text(d.deadline)] for d in order.duties]),
        "observation_start": date_text(order.observation_start),
        "observation_end": date_text(order.observation_end),
        "feedback_method": order.feedback_method, "contact": order.contact,
        "consequences": order.consequences, "copies_to": order.copies_to,
        "status": order.status, "outcome": order.outcome or None,
        "referral": order.referral or None,
    }


ORDER_STEPS = Steps(TABLE, "order_events", "order_id", "pending")


def _order_step(current: str, target: str) -> None:
    """Serving happens only through save_service, with its 送达回证."""
    check_transition(current, target)
    if target == "served":
        raise ValidationError("送达要通过“登记送达”填写送达回证，不能直接改状态。", field="status")


ORDER_CYCLE = Lifecycle(STATUSES, _order_step, "监护令的状态记录与保存的对不上，请关闭后重新打开再改。",
                        "要通过状态按钮，并写明经办人。", "监护令")


def _check_references(tx: Transaction, order: SupervisionOrder) -> None:
    found: dict[str, str] = {}
    if not tx.conn.execute("SELECT 1 FROM villages WHERE id = ? AND deleted = 0",
                           (order.village_id,)).fetchone():
        found["village_id"] = "找不到这个村（社区），请重新选择。"
    if order.household_id and not tx.conn.execute(
            "SELECT 1 FROM households WHERE id = ? AND deleted = 0",
            (order.household_id,)).fetchone():
        found["household_id"] = "找不到这一户，请重新选择或不填。"
    taken = tx.conn.execute(
        "SELECT 1 FROM orders WHERE number = ? AND deleted = 0 AND id IS NOT ?",
        (order.number, order.id)).fetchone()
    if taken:
        found["number"] = f"文号“{order.number}”已经登记过了，请核对。"
    if order.id:
        followups = tx.conn.execute(
            "SELECT count(*) FROM order_followups WHERE order_id = ? AND deleted = 0",
            (order.id,)).fetchone()[0]
        row = tx.conn.execute("SELECT duties FROM orders WHERE id = ?", (order.id,)).fetchone()
        if followups and row and len(json.loads(row[0])) != len(order.duties):
            found["duties"] = ("已经有回访按这些职责登记了落实情况，不能再增删职责，"
                               "只能修改内容。")
    if found:
        raise RecordInvalid(found)


def save_order(tx: Transaction, order: SupervisionOrder, actor: str) -> str:
    """Insert or update an order with its guardians, duties and new status steps, atomically,
    and note the change in the audit log."""
    stored, steps = replay(tx, ORDER_STEPS, ORDER_CYCLE, order.id, order.history, order.status)
    _check_references(tx, order)
    row = _order_row(order)
    if stored is not None:
        order_id = str(order.id)
        records.update(tx, TABLE, order_id, row)
    else:
        if order.id and records.get(tx.store, TABLE, order.id):
            raise RecordInvalid({"number": "这份监护令已经被删除，不能再保存。"})
        order_id = records.insert(tx, TABLE, row, record_id=order.id)
    insert_steps(tx, ORDER_STEPS, order_id, steps)
    audit.record(tx.store, actor, "change", table=TABLE, record_id=order_id,
                 detail="保存监护令")
    return order_id


# -- loading ----------------------------------------------------------------------------------


def load_order(store: Store, order_id: str) -> SupervisionOrder | None:
    """A live order with its status history, or None."""
    row = store.conn.execute("SELECT * FROM orders WHERE id = ? AND deleted = 0",
                             (order_id,)).fetchone()
    if row is None:
        return None
    steps = history(store, ORDER_STEPS, order_id)
    return SupervisionOrder(
        id=row["id"], number=row["number"], issuer=row["issuer"],
        issue_date=date.fromisoformat(row["issue_date"]), village_id=row["village_id"] or "",
        household_id=row["household_id"] or None,
        guardians=tuple(Guardian(*g) for g in json.loads(row["guardians"])),
        minor_name=row["minor_name"], minor_pseudonym=row["minor_pseudonym"],
        minor_id_number=row["minor_id_number"] or "",
        minor_birth_date=text_date(row["minor_birth_date"]), minor_gender=row["minor_gender"] or "",
        facts=tuple(json.loads(row["facts"])), facts_detail=row["facts_detail"] or "",
        legal_basis=tuple(json.loads(row["legal_basis"])),
        duties=tuple(Duty(d[0], d[1], text_date(d[2])) for d in json.loads(row["duties"])),
        observation_start=text_date(row["observation_start"]),
        observation_end=text_date(row["observation_end"]),
        feedback_method=row["feedback_method"] or "", contact=row["contact"] or "",
        consequences=row["consequences"] or "", copies_to=row["copies_to"] or "",
        status=row["status"], outcome=row["outcome"] or "", referral=row["referral"] or "",
        history=steps, next_followup_date=text_date(row["next_followup_date"]),
    )


def services(store: Store, order_id: str) -> list[ServiceRecord]:
    """The order's 送达回证, earliest first."""
    rows = store.conn.execute(
        "SELECT * FROM order_services WHERE order_id = ? AND deleted = 0 "
        "ORDER BY served_at, rowid", (order_id,)).fetchall()
    result = []
    for r in rows:
        document, number = json.loads(r["document"] or "[\"\", \"\"]")
        result.append(ServiceRecord(
            id=r["id"], method=r["method"], served_at=datetime.fromisoformat(r["served_at"]),
            recipient=r["recipient"] or "", servers=tuple(json.loads(r["servers"])),
            document=document, document_number=number,
            recipient_relation=r["recipient_relation"] or "", address=r["address"] or "",
            place=r["place"] or "", recipient_signed=bool(r["recipient_signed"]),
            substitute_name=r["substitute_name"] or "",
            substitute_reason=r["substitute_reason"] or "",
            refusal_reason=r["refusal_reason"] or "",
            witnesses=tuple(json.loads(r["witnesses"] or "[]"))))
    return result


def followups(store: Store, order_id: str) -> list[OrderFollowUp]:
    """The order's follow-ups, earliest first."""
    rows = store.conn.execute(
        "SELECT * FROM order_followups WHERE order_id = ? AND deleted = 0 "
        "ORDER BY followup_date, rowid", (order_id,)).fetchall()
    return [OrderFollowUp(
        id=r["id"], followup_date=date.fromisoformat(r["followup_date"]), method=r["method"],
        visitors=tuple(json.loads(r["visitors"])),
        compliance=tuple(Compliance(c[0], c[1]) for c in json.loads(r["compliance"])),
        person_met=r["person_met"] or "", schooling=r["schooling"] or "",
        behaviour=r["behaviour"] or "", health=r["health"] or "",
        guidance_attended=bool(r["guidance_attended"]), problems=r["problems"] or "",
        next_steps=r["next_steps"] or "", next_date=text_date(r["next_date"]),
    ) for r in rows]


def served_on(store: Store, order_id: str) -> date | None:
    """The day the order was first served, or None."""
    row = store.conn.execute(
        "SELECT min(served_at) FROM order_services WHERE order_id = ? AND deleted = 0",
        (order_id,)).fetchone()
    return datetime.fromisoformat(row[0]).date() if row and row[0] else None


def _live_order(tx: Transaction, order_id: str) -> SupervisionOrder:
    order = load_order(tx.store, order_id)
    if order is None:
        raise RecordInvalid({"status": "找不到这份监护令（可能已被删除），请先保存监护令。"})
    return order


# -- service and follow-ups -------------------------------------------------------------------


def save_service(tx: Transaction, order_id: str, service: ServiceRecord, actor: str,
                 at: datetime | None = None) -> str:
    """Record a 送达回证; a pending order becomes served (a stamped step) in the same
    transaction. Refused unless the order is pending or served."""
    order = _live_order(tx, order_id)
    problems = service_problems(order, service)
    if problems:
        raise RecordInvalid(problems)
    try:
        step = service_step(order.status, service.method, actor, at)
    except ValidationError as exc:
        raise RecordInvalid({exc.field or "status": exc.message}) from exc
    service_id = records.insert(tx, "order_services", {
        "order_id": order_id, "document": json_text([service.document, service.document_number]),
        "recipient": service.recipient, "recipient_relation": service.recipient_relation,
        "address": service.address, "method": service.method,
        "served_at": service.served_at.isoformat(timespec="minutes"), "place": service.place,
        "recipient_signed": int(service.recipient_signed),
        "substitute_name": service.substitute_name,
        "substitute_reason": service.substitute_reason,
        "refusal_reason": service.refusal_reason, "witnesses": json_text(list(service.witnesses)),
        "servers": json_text(list(service.servers)),
    }, record_id=service.id)
    changes: dict[str, Any] = {}
    if step is not None:
        insert_steps(tx, ORDER_STEPS, order_id, [step])
        changes["status"] = step.to_status
    if order.next_followup_date is None:
        changes["next_followup_date"] = first_followup_due(service.served_at).isoformat()
    if changes:
        records.update(tx, TABLE, order_id, changes)
    audit.record(tx.store, actor, "change", table=TABLE, record_id=order_id,
                 detail="登记送达回证")
    return service_id


def save_followup(tx: Transaction, order_id: str, followup: OrderFollowUp, actor: str) -> str:
    """Record a follow-up of a served order under observation; the order's next follow-up
    date becomes the one set at its latest follow-up."""
    order = _live_order(tx, order_id)
    check_followup(order, served_on(tx.store, order_id), followup)
    followup_id = records.insert(tx, "order_followups", {
        "order_id": order_id, "followup_date": followup.followup_date.isoformat(),
        "method": followup.method, "visitors": json_text(list(followup.visitors)),
        "person_met": followup.person_met, "schooling": followup.schooling,
        "behaviour": followup.behaviour, "health": followup.health,
        "compliance": json_text([[c.level, c.evidence] for c in followup.compliance]),
        "guidance_attended": int(followup.guidance_attended), "problems": followup.problems,
        "next_steps": followup.next_steps, "next_date": date_text(followup.next_date),
    }, record_id=followup.id)
    latest = tx.conn.execute(
        "SELECT next_date FROM order_followups WHERE order_id = ? AND deleted = 0 "
        "ORDER BY followup_date DESC, rowid DESC LIMIT 1", (order_id,)).fetchone()
    records.update(tx, TABLE, order_id, {"next_followup_date": latest[0]})
    audit.record(tx.store, actor, "change", table=TABLE, record_id=order_id,
                 detail="登记回访")
    return followup_id


# -- audit ------------------------------------------------------------------------------------


def record_view(store: Store, actor: str, order_id: str) -> None:
    """Someone opened the order: it is about a minor, so the audit log notes who and when."""
    audit.record(store, actor, "view", table=TABLE, record_id=order_id, detail="打开监护令")


def audit_trail(store: Store, order_id: str) -> list[AuditEntry]:
    """Who viewed, printed, exported or changed this order, earliest first."""
    rows = store.conn.execute(
        "SELECT at, actor, action, record_table, record_id, detail FROM audit_log "
        "WHERE record_table = ? AND record_id = ? ORDER BY id", (TABLE, order_id))
    return [AuditEntry(*row) for row in rows]


# -- listing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderFilter:
    """What the order list is narrowed to; ``followup`` is "", "due" or "overdue"."""

    status: str = ""
    village_id: str = ""
    followup: str = ""
    query: str = ""


def filter_condition(store: Store, chosen: OrderFilter, today: date, horizon: int = 7
                     ) -> tuple[str, list[Any]]:
    """The SQL condition on alias ``t`` (orders) for ``chosen``, with its parameters.
    回访到期 is a follow-up due within ``horizon`` days (or late); 逾期 is one already late."""
    parts: list[str] = []
    params: list[Any] = []
    if chosen.status:
        parts.append("t.status = ?")
        params.append(chosen.status)
    if chosen.village_id:
        parts.append("t.village_id = ?")
        params.append(chosen.village_id)
    if chosen.followup in ("due", "overdue"):
        live = ", ".join(f"'{status}'" for status in LIVE_STATUSES)
        parts.append(f"t.status IN ({live}) AND t.next_followup_date "
                     + ("<= ?" if chosen.followup == "due" else "< ?"))
        limit = today + timedelta(days=horizon) if chosen.followup == "due" else today
        params.append(limit.isoformat())
    condition = match_condition(store, TABLE, chosen.query, "t")
    if condition is not None:
        parts.append(f"({condition[0]})")
        params.extend(condition[1])
    return " AND ".join(parts), params


def households_in(store: Store, village_id: str) -> list[tuple[str, str]]:
    """The households of a village, (id, label), for linking an order to its household."""
    rows = store.conn.execute(
        "SELECT id, coalesce(number, ''), head_name FROM households "
        "WHERE village_id = ? AND deleted = 0 ORDER BY number, head_name", (village_id,))
    return [(r[0], f"{r[1]} {r[2]}（户主）".strip()) for r in rows]


# -- 今日待办 ---------------------------------------------------------------------------------


def orders_due(store: Store, profile: Profile, today: date, horizon: int
               ) -> list[due.DueItem]:
    """Follow-ups due, observation periods ending, and orders not served 3 days after issue.
    Titles carry the minor's pseudonym only, never the real name."""
    scope, params = scope_condition(profile, "o")
    until = (today + timedelta(days=horizon)).isoformat()
    late_issue = (today - timedelta(days=SERVICE_OVERDUE_DAYS)).isoformat()
    live = ", ".join(f"'{status}'" for status in LIVE_STATUSES)
    queries = (
        ("监护令回访", "o.next_followup_date",
         f"o.status IN ({live}) AND o.next_followup_date <= ?", until, 0),
        ("监护令考察期届满", "o.observation_end",
         "o.status = 'observing' AND o.observation_end <= ?", until, 0),
        ("监护令待送达", "o.issue_date", "o.status = 'pending' AND o.issue_date < ?",
         late_issue, SERVICE_OVERDUE_DAYS),
    )
    items = []
    for kind_label, column, condition, limit, later in queries:
        rows = store.conn.execute(
            f"SELECT o.id, o.minor_pseudonym, o.number, {column} FROM orders o "
            f"WHERE {condition} AND o.deleted = 0" + scope, [limit, *params])
        for order_id, pseudonym, number, day in rows:
            items.append(due.DueItem(
                TABLE, order_id, kind_label, f"{pseudonym}（{number}）",
                date.fromisoformat(day) + timedelta(days=later), urgent=bool(later)))
    return items
