"""Contexts of the 人民调解 forms: 申请书, 受理登记表, 调查记录, 调解记录, 协议书, 回访记录 and
结案报告表, built from a stored case with the form's privacy settings applied."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from meixian_desktop.core.lifecycle import StatusChange
from meixian_desktop.core.mediation import (
    CATEGORIES,
    MEDIATOR_ROLES,
    PERFORMANCE,
    RISK_TAGS,
    ROUTES,
    SATISFACTION,
    SOURCES,
    STATUSES,
    Agreement,
    Investigation,
    MediationCase,
    Mediator,
    Meeting,
    Party,
    ReturnVisit,
    mediation_deadline,
)
from meixian_desktop.core.mediation import CATEGORIES as CASE_CATEGORIES
from meixian_desktop.core.mediation import GENDERS as PARTY_GENDERS
from meixian_desktop.core.validation import age_on
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
from meixian_desktop.printing.text import chinese_date, money_capitals, money_figures
from meixian_desktop.store import mediation as mediation_store
from meixian_desktop.store.database import Store

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
                 f"联系电话：{phone_shown(party.phone, privacy)}" if party.phone else ""]
    else:
        age = party.age
        if age is None and party.birth_date is not None:
            born = party.birth_date
            age = age_on(born, on)
        parts = [party.name, code_label(PARTY_GENDERS, party.gender), party.ethnicity,
                 f"{age}岁" if age is not None else "",
                 f"身份证号码：{id_shown(party.id_number, privacy)}" if party.id_number else "",
                 f"职业：{party.occupation}" if party.occupation else "",
                 f"住址：{party.address}" if party.address else "",
                 f"联系电话：{phone_shown(party.phone, privacy)}" if party.phone else ""]
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
            "number": case.number, "category": code_label(CASE_CATEGORIES, case.category),
            "village": villages.get(case.village_id, ""), "summary": case.summary,
            "registered_on": chinese_date(case.registered_on),
            "mediators": _mediators(tuple(mediators)),
            "panel": "、".join(m.name for m in case.mediators if m not in mediators),
            "roles": "、".join(f"{m.name}（{code_label(MEDIATOR_ROLES, m.role)}）"
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


SAMPLE_VILLAGES = {"v": "张韩村"}


def _step_day(step: StatusChange) -> date | None:
    try:
        return datetime.fromisoformat(step.at).date()
    except ValueError:
        return None


def _reached(case: MediationCase, status: str) -> StatusChange | None:
    """The last step that brought the case to ``status``."""
    return next((s for s in reversed(case.history) if s.to_status == status), None)


def case_fields(case: MediationCase, villages: Mapping[str, str]) -> dict[str, str]:
    """The case's own fields as printed (dates written 2025年3月5日)."""
    mediators = [m for m in case.mediators if m.role == "mediator"] or list(case.mediators)
    accepted, closed = _reached(case, "accepted"), _reached(case, "closed")
    closed_on = _step_day(closed) if closed else None
    days = (f"{(closed_on - case.accepted_on).days}天"
            if closed_on and case.accepted_on and closed_on >= case.accepted_on else "")
    return {
        "number": case.number, "category": code_label(CATEGORIES, case.category),
        "source": code_label(SOURCES, case.source), "village": villages.get(case.village_id, ""),
        "summary": case.summary, "status": case.status_label,
        "risk_tags": "、".join(RISK_TAGS.label_of(t) for t in case.risk_tags),
        "registered_on": chinese_date(case.registered_on),
        "accepted_on": chinese_date(case.accepted_on),
        "accepted_by": accepted.by if accepted else "",
        "deadline": chinese_date(mediation_deadline(case.accepted_on)),
        "closed_on": chinese_date(closed_on), "closed_by": closed.by if closed else "",
        "closing_note": closed.note if closed else "",
        "days": days,
        "mediators": "、".join(m.name for m in mediators),
        "panel": "、".join(m.name for m in case.mediators if m not in mediators),
        "roles": "、".join(f"{m.name}（{code_label(MEDIATOR_ROLES, m.role)}"
                          + (f"，{m.note}" if m.note else "") + "）" for m in case.mediators),
        "parties": "、".join(p.name for p in case.parties),
        "parties_count": f"{len(case.parties)}方" if case.parties else "",
    }


def _parties(case: MediationCase, privacy: Privacy) -> list[dict[str, str]]:
    """Every party with its particulars; the first is taken as the applicant (申请人)."""
    rows = []
    for number, party in enumerate(case.parties, start=1):
        row = _party(party, number, case.registered_on, privacy)
        person = party.kind != "organisation"
        age = party.age
        if age is None and party.birth_date is not None:
            born, on = party.birth_date, case.registered_on
            age = age_on(born, on)
        row.update({
            "role": "申请人" if number == 1 else "被申请人",
            "gender": code_label(PARTY_GENDERS, party.gender) if person else "",
            "ethnicity": party.ethnicity if person else "",
            "age": f"{age}岁" if person and age is not None else "",
            "identity": (id_shown(party.id_number, privacy) if person else party.credit_code),
            "occupation": (party.occupation if person
                           else f"法定代表人：{party.legal_representative}"
                           if party.legal_representative else ""),
            "phone": phone_shown(party.phone, privacy), "address": party.address,
        })
        row["contact"] = "\n".join(p for p in (row["address"], row["phone"]) if p)
        row["about"] = "，".join(p for p in (row["gender"], row["ethnicity"], row["age"],
                                            row["occupation"]) if p)
        rows.append(row)
    return rows


def case_context(case: MediationCase, villages: Mapping[str, str], privacy: Privacy
                 ) -> Context:
    """申请书 and 受理登记表: the case, its parties (ID numbers masked unless the form says
    full), and the sources as ☑/☐."""
    parties = _parties(case, privacy)
    return {
        "case": case_fields(case, villages),
        "parties": parties,
        "applicants": parties[:1],
        "respondents": parties[1:],
        "sources": checklist((case.source,), SOURCES),
    }


def _nth(number: int) -> str:
    return f"第{number}次"


def investigation_context(case: MediationCase, chosen: Investigation,
                          villages: Mapping[str, str], privacy: Privacy) -> Context:
    """One 调查记录 of the case."""
    number = next((n for n, i in enumerate(case.investigations, start=1) if i is chosen), 1)
    return {**case_context(case, villages, privacy), "investigation": {
        "number": _nth(number), "date": chinese_date(chosen.investigation_date),
        "place": chosen.place, "investigators": chosen.investigators,
        "interviewee": chosen.interviewee, "content": chosen.content}}


def meeting_context(case: MediationCase, chosen: Meeting, villages: Mapping[str, str],
                    privacy: Privacy) -> Context:
    """One 调解记录 (a mediation session) of the case."""
    number = next((n for n, m in enumerate(case.meetings, start=1) if m is chosen), 1)
    day = chinese_date(chosen.meeting_date)
    return {**case_context(case, villages, privacy), "meeting": {
        "number": _nth(number), "date": day, "time": chosen.time,
        "when": f"{day} {chosen.time}" if chosen.time else day, "place": chosen.place,
        "present": chosen.present, "statements": chosen.statements,
        "facts_verified": chosen.facts_verified, "result": chosen.result}}


def _agreement(case: MediationCase) -> dict[str, str]:
    agreement = case.agreement
    if agreement is None:
        return {"signed_on": "", "deadline": "", "method": "", "place": "", "terms_count": ""}
    return {"signed_on": chinese_date(agreement.signed_on),
            "deadline": chinese_date(agreement.performance_deadline),
            "method": agreement.performance_method, "place": agreement.performance_place,
            "terms_count": f"{len(agreement.terms)}条"}


def _terms(case: MediationCase) -> list[dict[str, str]]:
    return [{"text": with_capitals(t)} for t in (case.agreement.terms if case.agreement else ())]


def _visit(visit: ReturnVisit, number: int) -> dict[str, str]:
    return {"number": _nth(number), "date": chinese_date(visit.visit_date),
            "visitor": visit.visitor, "performance": code_label(PERFORMANCE, visit.performance),
            "satisfaction": code_label(SATISFACTION, visit.satisfaction),
            "new_risks": visit.new_risks, "measures": visit.measures}


def return_visit_context(case: MediationCase, chosen: ReturnVisit,
                         villages: Mapping[str, str], privacy: Privacy) -> Context:
    """One 回访记录: the agreement's terms and how they were carried out."""
    number = next((n for n, v in enumerate(case.return_visits, start=1) if v is chosen), 1)
    return {**case_context(case, villages, privacy), "agreement": _agreement(case),
            "terms": _terms(case), "visit": _visit(chosen, number)}


def _outcome(case: MediationCase) -> dict[str, str]:
    if case.agreement is not None:
        return {"result": "达成调解协议",
                "text": f"经调解，各方当事人于{chinese_date(case.agreement.signed_on)}自愿达成"
                        f"人民调解协议，协议共{len(case.agreement.terms)}条：",
                "reason": "", "route": ""}
    if case.failure is not None:
        route = code_label(ROUTES, case.failure.route)
        return {"result": "调解不成", "reason": case.failure.reason, "route": route,
                "text": f"经调解，未能达成协议。原因：{case.failure.reason.rstrip('。')}。"
                        + (f"已告知当事人可以通过{route}途径解决。" if route else "")}
    return {"result": "", "text": "", "reason": "", "route": ""}


def _step(step: StatusChange) -> dict[str, str]:
    return {"date": chinese_date(_step_day(step)),
            "step": f"{STATUSES.label_of(step.from_status)}→{STATUSES.label_of(step.to_status)}",
            "by": step.by, "note": step.note}


def closing_context(case: MediationCase, villages: Mapping[str, str], privacy: Privacy
                    ) -> Context:
    """The closing report of a case: parties, facts, every investigation and meeting in
    order, the outcome, the return visits and each step of its lifecycle."""
    return {
        **case_context(case, villages, privacy),
        "outcome": _outcome(case), "agreement": _agreement(case), "terms": _terms(case),
        "investigations": [{"date": chinese_date(i.investigation_date), "place": i.place,
                            "investigators": i.investigators, "interviewee": i.interviewee,
                            "content": i.content} for i in case.investigations],
        "meetings": [{"date": chinese_date(m.meeting_date), "time": m.time, "place": m.place,
                      "present": m.present, "result": m.result} for m in case.meetings],
        "visits": [_visit(v, n) for n, v in enumerate(case.return_visits, start=1)],
        "steps": [_step(s) for s in case.history],
    }


def sample_full_case() -> MediationCase:
    case = sample_case()
    return MediationCase(
        case.registered_on, case.source, case.category, case.village_id, case.summary,
        case.parties, number=case.number, risk_tags=("volatile",), mediators=case.mediators,
        investigations=(Investigation(date(2025, 3, 2), "王调解", "内容", "村部", "邻居"),),
        meetings=(Meeting(date(2025, 3, 4), "村部", "双方", "陈述", "事实", "结果", "14:30"),),
        agreement=case.agreement,
        return_visits=(ReturnVisit(date(2025, 4, 1), "王调解", "performed", "satisfied",
                                   "无", "措施"),),
        accepted_on=date(2025, 3, 2), status="closed",
        history=(StatusChange("2025-03-02T09:00:00+08:00", "王调解", "registered", "accepted"),
                 StatusChange("2025-04-02T09:00:00+08:00", "王调解", "visited", "closed",
                              "说明")))


def _load(store: Store, case_id: str) -> MediationCase:
    case = mediation_store.load_case(store, case_id)
    if case is None:
        raise RecordNotFound(f"找不到编号为“{case_id}”的纠纷案件（可能已被删除）。")
    return case


def _case_builder(make: Callable[[MediationCase, Mapping[str, str], Privacy], Context]
                  ) -> Callable[[Store, str, Privacy], Context]:
    def build(store: Store, record_id: str, privacy: Privacy) -> Context:
        return make(_load(store, record_id), village_names(store), privacy)

    return build


def _one_of(noun: str, items: Callable[[MediationCase], tuple[Any, ...]],
            make: Callable[[MediationCase, Any, Mapping[str, str], Privacy], Context]
            ) -> Callable[[Store, str, Privacy], Context]:
    """Build the context of one record of the case (``CASE_ID`` for the latest,
    ``CASE_ID:N`` for the N-th)."""

    def build(store: Store, record_id: str, privacy: Privacy) -> Context:
        case_id, colon, which = record_id.rpartition(":")
        if not colon:
            case_id, which = record_id, ""
        case = _load(store, case_id)
        found = items(case)
        if not found:
            raise RecordNotFound(f"案件“{case.number}”还没有登记{noun}，没有{noun}可打印。")
        if not which:
            return make(case, found[-1], village_names(store), privacy)
        if not which.isdigit() or not 1 <= int(which) <= len(found):
            raise RecordNotFound(f"案件“{case.number}”只有{len(found)}次{noun}，"
                                 f"没有“{which}”这一次（在记录编号后写 :1 到 :{len(found)}）。")
        return make(case, found[int(which) - 1], village_names(store), privacy)

    return build


def _sample(make: Callable[[MediationCase, Mapping[str, str], Privacy], Context]
            ) -> Callable[[Privacy], Context]:
    return lambda privacy: make(sample_full_case(), SAMPLE_VILLAGES, privacy)


MEDIATION_FORMS: dict[str, FormKind] = {
    "mediation_agreement": FormKind(
        "mediation_agreement", "cases", "纠纷案件", build_agreement,
        lambda p: agreement_context(sample_case(), sample_case().agreement or Agreement(
            (), date(2025, 3, 5)), {"v": "张韩村"}, p)),
    "mediation_application": FormKind(
        "mediation_application", "cases", "纠纷案件", _case_builder(case_context),
        _sample(case_context)),
    "mediation_register": FormKind(
        "mediation_register", "cases", "纠纷案件", _case_builder(case_context),
        _sample(case_context)),
    "mediation_investigation": FormKind(
        "mediation_investigation", "cases", "纠纷案件，或“记录编号:N”为第N次调查",
        _one_of("调查记录", lambda c: c.investigations, investigation_context),
        lambda p: investigation_context(sample_full_case(), sample_full_case().investigations[0],
                                        SAMPLE_VILLAGES, p)),
    "mediation_meeting": FormKind(
        "mediation_meeting", "cases", "纠纷案件，或“记录编号:N”为第N次调解",
        _one_of("调解记录", lambda c: c.meetings, meeting_context),
        lambda p: meeting_context(sample_full_case(), sample_full_case().meetings[0],
                                  SAMPLE_VILLAGES, p)),
    "mediation_return_visit": FormKind(
        "mediation_return_visit", "cases", "纠纷案件，或“记录编号:N”为第N次回访",
        _one_of("回访记录", lambda c: c.return_visits, return_visit_context),
        lambda p: return_visit_context(sample_full_case(), sample_full_case().return_visits[0],
                                       SAMPLE_VILLAGES, p)),
    "mediation_closing": FormKind(
        "mediation_closing", "cases", "纠纷案件", _case_builder(closing_context),
        _sample(closing_context)),
}
