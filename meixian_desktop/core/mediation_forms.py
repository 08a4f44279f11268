"""人民调解 typed forms and timeline: a case back to what an editor or a draft holds (the
inverse of the parsers in ``core/mediation.py``), and everything that happened to it in order."""

from __future__ import annotations

from typing import Any

from meixian_desktop.core.fields import day_text as _day_text
from meixian_desktop.core.mediation import (
    CATEGORIES,
    PERFORMANCE,
    ROUTES,
    STATUSES,
    Agreement,
    Investigation,
    MediationCase,
    Meeting,
    Party,
    ReturnVisit,
)
from meixian_desktop.core.timeline import TimelineEntry

# -- typed forms (the inverse of the parsers), for editors and drafts -------------------------


def party_to_raw(party: Party) -> dict[str, Any]:
    return {"id": party.id, "kind": party.kind, "name": party.name, "gender": party.gender,
            "ethnicity": party.ethnicity, "age": "" if party.age is None else str(party.age),
            "birth_date": "" if party.id_number else _day_text(party.birth_date),
            "id_number": party.id_number, "phone": party.phone, "address": party.address,
            "occupation": party.occupation,
            "legal_representative": party.legal_representative,
            "credit_code": party.credit_code}


def investigation_to_raw(item: Investigation) -> dict[str, Any]:
    return {"investigation_date": item.investigation_date.isoformat(),
            "investigators": item.investigators, "content": item.content,
            "place": item.place, "interviewee": item.interviewee}


def meeting_to_raw(item: Meeting) -> dict[str, Any]:
    return {"meeting_date": item.meeting_date.isoformat(), "time": item.time,
            "place": item.place, "present": item.present, "statements": item.statements,
            "facts_verified": item.facts_verified, "result": item.result}


def visit_to_raw(item: ReturnVisit) -> dict[str, Any]:
    return {"visit_date": item.visit_date.isoformat(), "visitor": item.visitor,
            "performance": item.performance, "satisfaction": item.satisfaction,
            "new_risks": item.new_risks, "measures": item.measures}


def agreement_to_raw(item: Agreement) -> dict[str, Any]:
    return {"terms": "\n".join(item.terms), "signed_on": item.signed_on.isoformat(),
            "performance_method": item.performance_method,
            "performance_place": item.performance_place,
            "performance_deadline": _day_text(item.performance_deadline),
            "copies": str(item.copies)}


def case_to_raw(case: MediationCase) -> dict[str, Any]:
    outcome = "agreement" if case.agreement else "failure" if case.failure else ""
    return {
        "id": case.id, "number": case.number, "number_provisional": case.number_provisional,
        "registered_on": case.registered_on.isoformat(), "source": case.source,
        "category": case.category, "risk_tags": list(case.risk_tags),
        "village_id": case.village_id, "summary": case.summary,
        "parties": [party_to_raw(p) for p in case.parties],
        "mediators": [{"name": m.name, "role": m.role, "note": m.note} for m in case.mediators],
        "investigations": [investigation_to_raw(i) for i in case.investigations],
        "meetings": [meeting_to_raw(m) for m in case.meetings],
        "outcome": outcome,
        "agreement": agreement_to_raw(case.agreement) if case.agreement else {},
        "failure": ({"reason": case.failure.reason, "route": case.failure.route}
                    if case.failure else {}),
        "return_visits": [visit_to_raw(v) for v in case.return_visits],
        "accepted_on": _day_text(case.accepted_on), "status": case.status,
        "history": [vars(change).copy() for change in case.history],
    }


# -- what happened, in order ------------------------------------------------------------------


def timeline(case: MediationCase) -> list[TimelineEntry]:
    """Everything that happened to the case, earliest first."""
    names = "、".join(p.name for p in case.parties)
    entries = [TimelineEntry(case.registered_on.isoformat(), "registered", "登记",
                             f"{CATEGORIES.label_of(case.category)}纠纷；当事人：{names}")]
    for change in case.history:
        entries.append(TimelineEntry(
            change.at, "status",
            f"{STATUSES.label_of(change.from_status)} → {STATUSES.label_of(change.to_status)}",
            change.by + (f"：{change.note}" if change.note else "")))
    for item in case.investigations:
        entries.append(TimelineEntry(item.investigation_date.isoformat(), "investigation",
                                     "调查", f"{item.investigators}：{item.content[:40]}"))
    for meeting in case.meetings:
        at = meeting.meeting_date.isoformat() + (f"T{meeting.time}" if meeting.time else "")
        entries.append(TimelineEntry(at, "meeting", f"调解（{meeting.place}）",
                                     meeting.result or meeting.present))
    if case.agreement:
        entries.append(TimelineEntry(case.agreement.signed_on.isoformat(), "agreement",
                                     "签订调解协议", f"共 {len(case.agreement.terms)} 条"))
    if case.failure:
        entries.append(TimelineEntry(
            (case.history[-1].at if case.history else case.registered_on.isoformat()),
            "failure", "调解不成",
            f"{case.failure.reason}；告知途径：{ROUTES.label_of(case.failure.route)}"))
    for visit in case.return_visits:
        entries.append(TimelineEntry(visit.visit_date.isoformat(), "visit", "回访",
                                     f"{visit.visitor}：{PERFORMANCE.label_of(visit.performance)}"))
    return sorted(entries, key=lambda e: e.at[:16])
