"""人民调解 in the database: cases saved whole with their parties, list filters, 今日待办."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from meixian_desktop.core.errors import RecordInvalid
from meixian_desktop.core.lifecycle import Lifecycle
from meixian_desktop.core.mediation import (
    AGREED_STATUSES,
    DEADLINE_STATUSES,
    STATUSES,
    Agreement,
    Failure,
    Investigation,
    MediationCase,
    Mediator,
    Meeting,
    Party,
    ReturnVisit,
    check_transition,
    mediation_deadline,
    return_visit_due,
    step_problems,
)
from meixian_desktop.core.profile import Profile
from meixian_desktop.store import audit, case_numbers, due, records
from meixian_desktop.store.children import save_children
from meixian_desktop.store.columns import date_text, json_text, text_date
from meixian_desktop.store.database import Store, Transaction
from meixian_desktop.store.lifecycle import Steps, history, insert_steps, replay
from meixian_desktop.store.search import matching_rowids
from meixian_desktop.store.villages import scope_condition

TABLE = "cases"








# -- saving a case ----------------------------------------------------------------------------


def _case_row(case: MediationCase) -> dict[str, Any]:
    """The columns an editor owns (the number columns are the store's)."""
    agreement = case.agreement
    return {
        "registered_on": case.registered_on.isoformat(), "source": case.source,
        "category": case.category, "risk_tags": json_text(list(case.risk_tags)),
        "risk": int(bool(case.risk_tags)), "village_id": case.village_id,
        "summary": case.summary,
        "mediators": json_text([[m.name, m.role, m.note] for m in case.mediators]),
        "investigations": json_text([[i.investigation_date.isoformat(), i.investigators, i.content,
                                  i.place, i.interviewee] for i in case.investigations]),
        "meetings": json_text([[m.meeting_date.isoformat(), m.place, m.present, m.statements,
                            m.facts_verified, m.result, m.time] for m in case.meetings]),
        "agreement": json_text([list(agreement.terms), agreement.signed_on.isoformat(),
                            agreement.performance_method, agreement.performance_place,
                            date_text(agreement.performance_deadline), agreement.copies])
        if agreement else None,
        "failure": json_text([case.failure.reason, case.failure.route]) if case.failure else None,
        "return_visits": json_text([[v.visit_date.isoformat(), v.visitor, v.performance,
                                 v.satisfaction, v.new_risks, v.measures]
                                for v in case.return_visits]),
        "accepted_on": date_text(case.accepted_on),
        "deadline": date_text(mediation_deadline(case.accepted_on)),
        "performance_deadline": date_text(agreement.performance_deadline) if agreement else None,
        "visit_due": date_text(return_visit_due(case)),
        "status": case.status,
    }


def _party_row(party: Party, case_id: str, sort: int) -> dict[str, Any]:
    return {
        "case_id": case_id, "sort": sort, "kind": party.kind, "name": party.name,
        "gender": party.gender or None, "ethnicity": party.ethnicity or None, "age": party.age,
        "birth_date": date_text(party.birth_date), "id_number": party.id_number or None,
        "phone": party.phone or None, "address": party.address or None,
        "occupation": party.occupation or None,
        "legal_representative": party.legal_representative or None,
        "credit_code": party.credit_code or None,
    }


CASE_STEPS = Steps(TABLE, "case_events", "case_id", "registered")


def _case_cycle(case: MediationCase) -> Lifecycle:
    """A case's lifecycle: an allowed step, and what that step needs of the case itself."""

    def step(current: str, target: str) -> None:
        check_transition(current, target)
        found = step_problems(case, target)
        if found:
            raise RecordInvalid(found)

    return Lifecycle(STATUSES, step, "案件的状态记录与保存的对不上，请关闭后重新打开再改。",
                     "要通过状态按钮，并写明经办人。", "案件")


def save_case(tx: Transaction, case: MediationCase, actor: str) -> str:
    """Insert or update a case with its parties and new status steps, atomically; a new case
    gets its number here (from this device's blocks, else a provisional one)."""
    stored, steps = replay(tx, CASE_STEPS, _case_cycle(case), case.id, case.history,
                           case.status)
    if not tx.conn.execute("SELECT 1 FROM villages WHERE id = ? AND deleted = 0",
                           (case.village_id,)).fetchone():
        raise RecordInvalid({"village_id": "找不到这个村（社区），请重新选择。"})
    row = _case_row(case)
    if stored is not None:
        case_id = str(case.id)
        records.update(tx, TABLE, case_id, row)
    else:
        if case.id and records.get(tx.store, TABLE, case.id):
            raise RecordInvalid({"number": "这个案件已经被删除，不能再保存。"})
        number = case_numbers.next_number(tx, case.registered_on.year)
        case_id = records.insert(tx, TABLE, {**row, **case_numbers.number_columns(number)},
                                 record_id=case.id)
    _save_parties(tx, case_id, case.parties)
    insert_steps(tx, CASE_STEPS, case_id, steps)
    audit.record(tx.store, actor, "change", table=TABLE, record_id=case_id,
                 detail="保存纠纷案件")
    return case_id


def _save_parties(tx: Transaction, case_id: str, parties: tuple[Party, ...]) -> None:
    """Parties keep their ids across saves (store/children.py); one removed is tombstoned."""
    save_children(tx, "case_parties", "case_id", case_id,
                  [(party.id, _party_row(party, case_id, sort))
                   for sort, party in enumerate(parties)])


def delete_case(tx: Transaction, case_id: str, actor: str) -> None:
    """Tombstone a case and its parties; its number stays used."""
    for (party_id,) in tx.conn.execute(
            "SELECT id FROM case_parties WHERE case_id = ? AND deleted = 0", (case_id,)
    ).fetchall():
        records.tombstone(tx, "case_parties", party_id)
    records.tombstone(tx, TABLE, case_id)
    audit.record(tx.store, actor, "change", table=TABLE, record_id=case_id, detail="删除纠纷案件")


# -- loading ----------------------------------------------------------------------------------


def _party(r: Any) -> Party:
    return Party(
        id=r["id"], kind=r["kind"], name=r["name"], gender=r["gender"] or "",
        ethnicity=r["ethnicity"] or "", age=r["age"], birth_date=text_date(r["birth_date"]),
        id_number=r["id_number"] or "", phone=r["phone"] or "", address=r["address"] or "",
        occupation=r["occupation"] or "",
        legal_representative=r["legal_representative"] or "",
        credit_code=r["credit_code"] or "")


def load_case(store: Store, case_id: str) -> MediationCase | None:
    """A live case with its parties and status history, or None."""
    row = store.conn.execute("SELECT * FROM cases WHERE id = ? AND deleted = 0",
                             (case_id,)).fetchone()
    if row is None:
        return None
    parties = tuple(_party(r) for r in store.conn.execute(
        "SELECT * FROM case_parties WHERE case_id = ? AND deleted = 0 ORDER BY sort",
        (case_id,)))
    steps = history(store, CASE_STEPS, case_id)
    agreement = None
    if row["agreement"]:
        a = json.loads(row["agreement"])
        agreement = Agreement(tuple(a[0]), date.fromisoformat(a[1]), a[2], a[3], text_date(a[4]),
                              a[5])
    failure = Failure(*json.loads(row["failure"])) if row["failure"] else None
    return MediationCase(
        id=row["id"], number=row["number"], number_provisional=bool(row["number_provisional"]),
        registered_on=date.fromisoformat(row["registered_on"]), source=row["source"],
        category=row["category"], village_id=row["village_id"] or "", summary=row["summary"],
        risk_tags=tuple(json.loads(row["risk_tags"])), parties=parties,
        mediators=tuple(Mediator(*m) for m in json.loads(row["mediators"] or "[]")),
        investigations=tuple(Investigation(date.fromisoformat(i[0]), *i[1:])
                             for i in json.loads(row["investigations"] or "[]")),
        meetings=tuple(Meeting(date.fromisoformat(m[0]), *m[1:])
                       for m in json.loads(row["meetings"] or "[]")),
        agreement=agreement, failure=failure,
        return_visits=tuple(ReturnVisit(date.fromisoformat(v[0]), *v[1:])
                            for v in json.loads(row["return_visits"] or "[]")),
        accepted_on=text_date(row["accepted_on"]), status=row["status"], history=steps)


def record_view(store: Store, actor: str, case_id: str) -> None:
    audit.record(store, actor, "view", table=TABLE, record_id=case_id, detail="打开纠纷案件")


# -- listing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseFilter:
    """What the case list is narrowed to; every part is optional."""

    status: str = ""
    category: str = ""
    village_id: str = ""
    risk_tag: str = ""  # a code, or "any" for every risk-tagged case
    overdue: bool = False
    query: str = ""


def filter_condition(store: Store, chosen: CaseFilter, today: date) -> tuple[str, list[Any]]:
    """The SQL condition on alias ``t`` (cases) for ``chosen``, with its parameters. The query
    matches case number (also a confirmed case's provisional one), facts, and parties' names
    and ID numbers, through one UNION of the two trigram indexes."""
    parts: list[str] = []
    params: list[Any] = []
    for column, value in (("status", chosen.status), ("category", chosen.category),
                          ("village_id", chosen.village_id)):
        if value:
            parts.append(f"t.{column} = ?")
            params.append(value)
    if chosen.risk_tag == "any":
        parts.append("t.risk = 1")
    elif chosen.risk_tag:
        parts.append("EXISTS (SELECT 1 FROM json_each(t.risk_tags) WHERE value = ?)")
        params.append(chosen.risk_tag)
    if chosen.overdue:
        live = ", ".join(f"'{s}'" for s in DEADLINE_STATUSES)
        parts.append(f"t.status IN ({live}) AND t.deadline < ?")
        params.append(today.isoformat())
    if chosen.query.strip():
        own = matching_rowids(store, TABLE, chosen.query)
        found = matching_rowids(store, "case_parties", chosen.query)
        assert own is not None and found is not None
        parts.append(
            f"t.rowid IN ({own[0]} UNION SELECT c.rowid FROM case_parties p "
            f"JOIN cases c ON c.id = p.case_id WHERE p.deleted = 0 "
            f"AND p.rowid IN ({found[0]}))")
        params.extend([*own[1], *found[1]])
    return " AND ".join(parts), params


# -- 今日待办 ---------------------------------------------------------------------------------


def cases_due(store: Store, profile: Profile, today: date, horizon: int) -> list[due.DueItem]:
    """Mediation deadlines near or past (from 5 days before), agreements whose performance
    deadline has passed without a return visit, and return visits due. Risk-tagged cases
    are urgent."""
    scope, params = scope_condition(profile, "c")
    until = (today + timedelta(days=max(horizon, 5))).isoformat()
    deadline = ", ".join(f"'{s}'" for s in DEADLINE_STATUSES)
    agreed = ", ".join(f"'{s}'" for s in AGREED_STATUSES if s != "visited")
    queries = (
        ("调解期限", "c.deadline", f"c.status IN ({deadline}) AND c.deadline <= ?", until),
        ("协议履行期限已过", "c.performance_deadline",
         f"c.status IN ({agreed}) AND c.visit_due IS NOT NULL "
         "AND c.performance_deadline < ?", today.isoformat()),
        ("调解回访", "c.visit_due",
         f"c.status IN ({agreed}) AND c.visit_due <= ? AND NOT "
         f"coalesce(c.performance_deadline < '{today.isoformat()}', 0)", until),
    )
    items = []
    for kind_label, column, condition, limit in queries:
        rows = store.conn.execute(
            f"SELECT c.id, c.number, c.summary, {column}, c.risk FROM cases c "
            f"WHERE {condition} AND c.deleted = 0" + scope, [limit, *params])
        for case_id, number, summary, day, risk in rows:
            items.append(due.DueItem(TABLE, case_id, kind_label, f"{number} {summary[:24]}",
                                     date.fromisoformat(day), urgent=bool(risk)))
    return items
