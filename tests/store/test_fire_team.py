"""The fire-fighting response team roster (扑火应急队伍): typed lines checked, saved, removed."""

from __future__ import annotations

from datetime import date

import pytest

from meixian_desktop.core.errors import RecordInvalid
from meixian_desktop.store import records
from meixian_desktop.store.fire_team import TeamMember, parse_member, remove_member, save_member
from meixian_desktop.store.integrity import check
from meixian_desktop.store.villages import village_by_code
from tests.conftest import ZHANGHAN

TODAY = date(2025, 3, 10)


def problems_of(raw: dict[str, str]) -> dict[str, str]:
    with pytest.raises(RecordInvalid) as caught:
        parse_member(raw, today=TODAY)
    return caught.value.problems


def test_a_full_line() -> None:
    member = parse_member({"name": " 𠮷大勇 ", "phone": "139 0730 1234", "village_id": "v1",
                           "equipment": " 风力灭火机、二号工具 ", "last_training": "2025-03-01",
                           "id": ""}, today=TODAY)
    assert member == TeamMember(name="𠮷大勇", phone="13907301234", village_id="v1",
                                equipment="风力灭火机、二号工具",
                                last_training=date(2025, 3, 1), id=None)


def test_only_a_name_is_needed() -> None:
    assert parse_member({"name": "王五"}, today=TODAY) == TeamMember("王五")


def test_landline_is_normalised_and_training_may_be_today() -> None:
    member = parse_member({"name": "王五", "phone": "07301234567",
                           "last_training": TODAY.isoformat()}, today=TODAY)
    assert member.phone == "0730-1234567" and member.last_training == TODAY


@pytest.mark.parametrize("name", ["", "   "])
def test_empty_name(name: str) -> None:
    assert "姓名" in problems_of({"name": name})["name"]


@pytest.mark.parametrize("phone", ["12345", "2390730123", "1390730123a", "电话"])
def test_bad_phone(phone: str) -> None:
    assert "电话号码" in problems_of({"name": "王五", "phone": phone})["phone"]


def test_future_training_date() -> None:
    problems = problems_of({"name": "王五", "last_training": "2025-03-11"})
    assert "最近一次培训日期" in problems["last_training"] and "将来" in problems["last_training"]


def test_bad_training_date() -> None:
    assert "不是有效日期" in problems_of({"name": "王五", "last_training": "去年"})["last_training"]


def test_every_problem_at_once() -> None:
    problems = problems_of({"name": "", "phone": "123", "last_training": "2099-01-01"})
    assert set(problems) == {"name", "phone", "last_training"}


def test_save_update_remove(store) -> None:
    village_id = village_by_code(store, ZHANGHAN).id
    member = parse_member({"name": "𠮷大勇", "phone": "13907301234", "village_id": village_id,
                           "equipment": "风力灭火机", "last_training": "2025-03-01"},
                          today=TODAY)
    with store.transaction() as tx:
        member_id = save_member(tx, member)
    row = records.get(store, "fire_team_members", member_id)
    assert (row["name"], row["phone"], row["village_id"], row["equipment"],
            row["last_training"], row["rev"], row["deleted"]) == (
        "𠮷大勇", "13907301234", village_id, "风力灭火机", "2025-03-01", 1, 0)

    changed = parse_member({"name": "𠮷大勇", "phone": "", "equipment": "水枪",
                            "id": member_id}, today=TODAY)
    with store.transaction() as tx:
        assert save_member(tx, changed) == member_id
    row = records.get(store, "fire_team_members", member_id)
    assert (row["phone"], row["village_id"], row["equipment"], row["last_training"],
            row["rev"]) == ("", None, "水枪", None, 2)
    assert store.conn.execute("SELECT count(*) FROM fire_team_members").fetchone()[0] == 1

    with store.transaction() as tx:
        remove_member(tx, member_id)
    row = records.get(store, "fire_team_members", member_id)
    assert row["deleted"] == 1 and row["rev"] == 3
    with pytest.raises(KeyError), store.transaction() as tx:
        remove_member(tx, member_id)
    assert check(store) == []


def test_updating_a_missing_member_fails(store) -> None:
    with pytest.raises(KeyError), store.transaction() as tx:
        save_member(tx, TeamMember("王五", id="no-such-id"))
    assert store.conn.execute("SELECT count(*) FROM fire_team_members").fetchone()[0] == 0
