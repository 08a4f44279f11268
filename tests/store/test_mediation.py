"""Mediation cases in the database: saved whole, lifecycle replayed, filters, 今日待办."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest

from meixian_desktop.core.errors import RecordInvalid
from meixian_desktop.core.mediation import parse_case, transition
from meixian_desktop.core.mediation_forms import case_to_raw
from meixian_desktop.store import mediation as case_store
from meixian_desktop.store import profile as profile_store
from meixian_desktop.store.database import Store
from meixian_desktop.store.villages import village_by_code
from tests.conftest import SANLI, ZHANGHAN
from tests.core.test_mediation import AGREEMENT, GOOD_ID

TODAY = date(2025, 6, 15)


def village(store: Store, code: str = ZHANGHAN) -> str:
    found = village_by_code(store, code)
    assert found is not None
    return found.id


def steps(*pairs: tuple[str, str]) -> list[dict[str, Any]]:
    return [vars(transition(a, b, "李梅")) for a, b in pairs]


def save(store: Store, **extra: Any) -> str:
    raw: dict[str, Any] = {
        "registered_on": "2025-06-01", "source": "grid", "category": "neighbour",
        "village_id": village(store), "summary": "两家因排水沟争执",
        "parties": [{"name": "欧阳建华", "id_number": GOOD_ID}, {"name": "李四"}]}
    raw.update(extra)
    with store.transaction() as tx:
        return case_store.save_case(tx, parse_case(raw, today=TODAY), "李梅")


def ids(store: Store, **chosen: Any) -> set[str]:
    where, params = case_store.filter_condition(store, case_store.CaseFilter(**chosen), TODAY)
    sql = "SELECT t.id FROM cases t WHERE t.deleted = 0" + (f" AND {where}" if where else "")
    return {r[0] for r in store.conn.execute(sql, params)}


def test_save_and_load_whole(store) -> None:
    case_id = save(store, outcome="agreement", agreement=AGREEMENT, accepted_on="2025-06-02",
                   risk_tags=["volatile"],
                   mediators=[{"name": "韩德明", "role": "panel", "note": "老支书"}],
                   meetings=[{"meeting_date": "2025-06-08", "place": "村部", "present": "双方"}])
    case = case_store.load_case(store, case_id)
    assert case is not None and case.number == "（2025）梅人调字第临" + \
        store.device_id().replace("-", "")[-4:].upper() + "-1号"
    assert case.number_provisional and case.has_panel
    assert parse_case(case_to_raw(case), today=TODAY) == case
    # a party removed in the editor is tombstoned; the others keep their ids
    kept = case.parties[0]
    with store.transaction() as tx:
        case_store.save_case(tx, replace(case, parties=(kept, replace(
            case.parties[1], name="李小四"))), "李梅")
    again = case_store.load_case(store, case_id)
    assert again is not None and again.parties[0].id == kept.id
    assert [p.name for p in again.parties] == ["欧阳建华", "李小四"]


def test_lifecycle_is_replayed_and_enforced(store) -> None:
    case_id = save(store)
    case = case_store.load_case(store, case_id)
    assert case is not None
    jumped = replace(case, status="closed", history=(transition("registered", "accepted",
                                                                "李梅"),))
    with pytest.raises(RecordInvalid) as caught, store.transaction() as tx:
        case_store.save_case(tx, jumped, "李梅")
    assert "状态按钮" in caught.value.problems["status"]
    accepted = replace(case, status="accepted", accepted_on=TODAY,
                       history=(transition("registered", "accepted", "李梅"),))
    with store.transaction() as tx:
        case_store.save_case(tx, accepted, "李梅")
    loaded = case_store.load_case(store, case_id)
    assert loaded is not None and loaded.status == "accepted" and len(loaded.history) == 1


def test_nothing_half_saved(store) -> None:
    case_id = save(store)
    case = case_store.load_case(store, case_id)
    assert case is not None
    bad = replace(case, village_id="nowhere", parties=(*case.parties, case.parties[1]))
    with pytest.raises(RecordInvalid), store.transaction() as tx:
        case_store.save_case(tx, bad, "李梅")
    assert store.conn.execute("SELECT count(*) FROM case_parties").fetchone()[0] == 2


def test_filters(store) -> None:
    plain = save(store)
    risky = save(store, category="support", village_id=village(store, SANLI),
                 risk_tags=["criminal"], parties=[{"name": "王大山"}, {"name": "王小山"}],
                 registered_on="2025-04-30", summary="赡养老人费用分担",
                 status="accepted", accepted_on="2025-05-01",
                 history=steps(("registered", "accepted")))
    assert ids(store) == {plain, risky}
    assert ids(store, status="accepted") == {risky}
    assert ids(store, category="neighbour") == {plain}
    assert ids(store, village_id=village(store, SANLI)) == {risky}
    assert ids(store, risk_tag="criminal") == ids(store, risk_tag="any") == {risky}
    assert ids(store, overdue=True) == {risky}
    assert ids(store, query="欧阳") == {plain}  # 2 characters
    assert ids(store, query="欧阳建华") == {plain}  # 3+ characters, trigram index
    assert ids(store, query="王小山") == {risky}
    assert ids(store, query=GOOD_ID) == {plain}
    assert ids(store, query="排水沟") == {plain}
    number = store.conn.execute("SELECT number FROM cases WHERE id = ?", (risky,)).fetchone()[0]
    assert ids(store, query=number) == {risky}
    assert ids(store, query="王 欧阳") == set()


def test_cases_due(store) -> None:
    profile = profile_store.load(store)
    assert profile is not None
    near = save(store, status="mediating", accepted_on=(TODAY - timedelta(days=27)).isoformat(),
                registered_on="2025-05-01", risk_tags=["group"],
                history=steps(("registered", "accepted"), ("accepted", "mediating")))
    agreed_steps = steps(("registered", "accepted"), ("accepted", "mediating"),
                         ("mediating", "agreed"), ("agreed", "performing"))
    late = save(store, status="performing", accepted_on="2025-06-02", outcome="agreement",
                agreement={**AGREEMENT, "performance_deadline": "2025-06-12"},
                history=agreed_steps)
    visit = save(store, status="performing", accepted_on="2025-06-02", outcome="agreement",
                 agreement={**AGREEMENT, "performance_deadline": "2025-06-18"},
                 history=agreed_steps)
    save(store)  # registered: nothing due
    items = {i.record_id: i for i in case_store.cases_due(store, profile, TODAY, 7)}
    assert set(items) == {near, late, visit}
    assert items[near].kind_label == "调解期限" and items[near].urgent
    assert items[late].kind_label == "协议履行期限已过" and items[late].overdue(TODAY)
    assert items[visit].kind_label == "调解回访" and not items[visit].urgent
