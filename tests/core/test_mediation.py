"""人民调解 cases: parties, the lifecycle matrix, the 30-day deadline, outcomes, timeline."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import product
from typing import Any

import pytest

from meixian_desktop.core.errors import RecordInvalid, ValidationError
from meixian_desktop.core.mediation import (
    STATUSES,
    TRANSITIONS,
    check_transition,
    deadline_message,
    deadline_state,
    parse_case,
    party_problems,
    return_visit_due,
    split_terms,
    take_step,
    transition,
)
from meixian_desktop.core.mediation_forms import case_to_raw, timeline

TODAY = date(2025, 6, 15)
GOOD_ID = "11010519491231002X"
GOOD_CODE = "9144030071526726XG"


def person(name: str = "张三", **extra: Any) -> dict[str, Any]:
    return {"kind": "person", "name": name, "phone": "13907301234", **extra}


def case_raw(**extra: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "registered_on": "2025-06-01", "source": "grid", "category": "neighbour",
        "village_id": "v1", "summary": "两家因排水沟争执", "risk_tags": [],
        "parties": [person("张三", id_number=GOOD_ID), person("李四")],
        "status": "registered", "history": [],
    }
    raw.update(extra)
    return raw


AGREEMENT = {"terms": "1. 张三疏通排水沟\n2、李四赔偿损失500元", "signed_on": "2025-06-10",
             "performance_deadline": "2025-06-30", "performance_method": "现金",
             "performance_place": "村部", "copies": "3"}


# -- parties ----------------------------------------------------------------------------------


def test_a_valid_case_parses_and_the_id_number_gives_gender_and_birth() -> None:
    case = parse_case(case_raw(), today=TODAY)
    first = case.parties[0]
    assert first.gender == "female" and first.birth_date == date(1949, 12, 31)
    assert case.status == "registered" and case.year == 2025


@pytest.mark.parametrize(("field", "value", "key"), [
    ("id_number", "110105194912310021", "parties.0.id_number"),
    ("phone", "12345", "parties.0.phone"),
])
def test_bad_party_fields_are_reported_at_the_field(field: str, value: str, key: str) -> None:
    raw = case_raw(parties=[person(**{field: value}), person("李四")])
    with pytest.raises(RecordInvalid) as caught:
        parse_case(raw, today=TODAY)
    assert key in caught.value.problems


def test_an_organisation_needs_a_valid_credit_code_and_representative() -> None:
    bad = {"kind": "organisation", "name": "梅仙砂石场", "credit_code": "9144030071526726XA"}
    found = party_problems(bad, TODAY)
    assert "校验码" in found["credit_code"] and "legal_representative" in found
    good = {**bad, "credit_code": GOOD_CODE.lower(), "legal_representative": "王五"}
    assert party_problems(good, TODAY) == {}


def test_fewer_than_two_parties_is_refused() -> None:
    with pytest.raises(RecordInvalid) as caught:
        parse_case(case_raw(parties=[person()]), today=TODAY)
    assert "两方" in caught.value.problems["parties"]


def test_missing_basics_are_all_reported() -> None:
    with pytest.raises(RecordInvalid) as caught:
        parse_case({"parties": []}, today=TODAY)
    assert {"registered_on", "source", "category", "village_id", "summary",
            "parties"} <= set(caught.value.problems)


# -- outcomes ---------------------------------------------------------------------------------


def test_an_agreement_needs_terms() -> None:
    raw = case_raw(outcome="agreement", agreement={**AGREEMENT, "terms": "  \n"})
    with pytest.raises(RecordInvalid) as caught:
        parse_case(raw, today=TODAY)
    assert "至少要有一条" in caught.value.problems["agreement.terms"]


def test_terms_are_numbered_by_print_not_by_typing() -> None:
    assert split_terms(AGREEMENT["terms"]) == ("张三疏通排水沟", "李四赔偿损失500元")


def test_a_failure_needs_reason_and_route() -> None:
    with pytest.raises(RecordInvalid) as caught:
        parse_case(case_raw(outcome="failure", failure={}), today=TODAY)
    assert {"failure.reason", "failure.route"} <= set(caught.value.problems)


def test_a_return_visit_before_the_agreement_is_refused() -> None:
    visit = {"visit_date": "2025-06-05", "visitor": "李梅", "performance": "performed"}
    with pytest.raises(RecordInvalid) as caught:
        parse_case(case_raw(outcome="agreement", agreement=AGREEMENT, return_visits=[visit]),
                   today=TODAY)
    assert "早于协议签订日期" in caught.value.problems["return_visits.0.visit_date"]
    with pytest.raises(RecordInvalid) as caught:
        parse_case(case_raw(return_visits=[{**visit, "visit_date": "2025-06-12"}]),
                   today=TODAY)
    assert "还没有达成调解协议" in caught.value.problems["return_visits.0.visit_date"]


def test_closing_with_no_outcome_is_refused() -> None:
    history = [vars(transition(a, b, "李梅")) for a, b in (
        ("registered", "accepted"), ("accepted", "mediating"), ("mediating", "failed"),
        ("failed", "closed"))]
    raw = case_raw(status="closed", history=history, accepted_on="2025-06-02")
    with pytest.raises(RecordInvalid) as caught:
        parse_case(raw, today=TODAY)
    assert "结案前要有调解结果" in caught.value.problems["outcome"]
    case = parse_case({**case_raw(accepted_on="2025-06-02")}, today=TODAY)
    with pytest.raises(RecordInvalid) as caught:
        take_step(case, "closed", "李梅")  # not allowed from 登记 either
    assert "status" in caught.value.problems


# -- the lifecycle ----------------------------------------------------------------------------

ALLOWED = {("registered", "accepted"), ("accepted", "mediating"), ("mediating", "agreed"),
           ("mediating", "failed"), ("agreed", "performing"), ("performing", "visited"),
           ("visited", "closed"), ("failed", "closed")}


@pytest.mark.parametrize(("current", "target"),
                         list(product([s.code for s in STATUSES], repeat=2)))
def test_every_transition_allowed_or_refused(current: str, target: str) -> None:
    if (current, target) in ALLOWED:
        check_transition(current, target)
        step = transition(current, target, " 李梅 ", " 备注 ", at=datetime(2025, 6, 3, 9, 0))
        assert (step.by, step.from_status, step.to_status, step.note) == (
            "李梅", current, target, "备注")
        assert step.at.startswith("2025-06-03T09:00")
    else:
        with pytest.raises(ValidationError) as caught:
            check_transition(current, target)
        assert caught.value.field == "status"


def test_the_matrix_is_the_table() -> None:
    assert {(a, b) for a, targets in TRANSITIONS.items() for b in targets} == ALLOWED


def test_a_step_needs_a_worker() -> None:
    with pytest.raises(ValidationError):
        transition("registered", "accepted", "  ")


def test_steps_check_what_the_case_holds() -> None:
    case = parse_case(case_raw(status="mediating", accepted_on="2025-06-02", history=[
        vars(transition("registered", "accepted", "李梅")),
        vars(transition("accepted", "mediating", "李梅"))]), today=TODAY)
    with pytest.raises(RecordInvalid) as caught:
        take_step(case, "agreed", "李梅")
    assert "agreement.terms" in caught.value.problems
    with pytest.raises(RecordInvalid) as caught:
        take_step(case, "failed", "李梅")
    assert "failure.reason" in caught.value.problems
    agreed = parse_case({**case_to_raw(case), "outcome": "agreement", "agreement": AGREEMENT},
                        today=TODAY)
    assert take_step(agreed, "agreed", "李梅").to_status == "agreed"


# -- the deadline -----------------------------------------------------------------------------


@pytest.mark.parametrize(("today", "state"), [
    (date(2025, 6, 26), ""), (date(2025, 6, 27), "warning"), (date(2025, 7, 2), "warning"),
    (date(2025, 7, 3), "overdue"),
])
def test_deadline_warns_five_days_before_and_is_overdue_after(today: date, state: str) -> None:
    case = parse_case(case_raw(status="accepted", accepted_on="2025-06-02",
                               history=[vars(transition("registered", "accepted", "李梅"))]),
                      today=TODAY)
    assert deadline_state(case, today) == state
    assert bool(deadline_message(case, today)) == bool(state)


def test_no_deadline_before_acceptance_or_after_the_mediation() -> None:
    case = parse_case(case_raw(), today=TODAY)
    assert deadline_state(case, TODAY + timedelta(days=100)) == ""


def test_round_trip_and_timeline() -> None:
    raw = case_raw(outcome="agreement", agreement=AGREEMENT, accepted_on="2025-06-02",
                   mediators=[{"name": "韩德明", "role": "panel", "note": "老支书"}],
                   meetings=[{"meeting_date": "2025-06-08", "time": "9:30", "place": "村部",
                              "present": "双方", "result": "达成一致"}],
                   investigations=[{"investigation_date": "2025-06-03",
                                    "investigators": "李梅", "content": "查看排水沟"}])
    case = parse_case(raw, today=TODAY)
    assert case.has_panel and case.meetings[0].time == "09:30"
    assert parse_case(case_to_raw(case), today=TODAY) == case
    assert [e.kind for e in timeline(case)] == ["registered", "investigation", "meeting",
                                                "agreement"]
    assert return_visit_due(case) is None  # still 登记
