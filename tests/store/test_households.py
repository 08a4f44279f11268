"""Households in the database: saved and loaded whole, members tombstoned, due visits, filters."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from meixian_desktop.core import clock
from meixian_desktop.core.errors import RecordInvalid
from meixian_desktop.core.households import (
    Household,
    Measure,
    Member,
    Referral,
    Visit,
    household_to_raw,
    parse_household,
    parse_visit,
    visit_to_raw,
)
from meixian_desktop.core.profile import make_profile
from meixian_desktop.core.validation import id_number_check_char
from meixian_desktop.store import records
from meixian_desktop.store import settings as settings_store
from meixian_desktop.store.attachments import add_photo
from meixian_desktop.store.database import Store
from meixian_desktop.store.due import due_items
from meixian_desktop.store.households import (
    HouseholdFilter,
    SameIdElsewhere,
    delete_household,
    filter_condition,
    load_household,
    load_visit,
    next_due,
    refresh_all_due,
    refresh_due,
    same_id_elsewhere,
    save_household,
    save_visit,
    timeline,
    visits_due,
)
from meixian_desktop.store.integrity import check
from meixian_desktop.store.villages import add_group, village_by_code
from tests.conftest import SANLI, ZHANGHAN
from tests.store.test_attachments import png_bytes

SHITANG = "430626108214"
TODAY = date(2025, 3, 10)
REGISTERED = date(2025, 1, 10)


def id_number(birth: str, sequence: str = "011", area: str = "430626") -> str:
    first17 = area + birth + sequence
    return first17 + id_number_check_char(first17)


HEAD_ID = id_number("19800515", "011")
SPOUSE_ID = id_number("19830220", "022")
CHILD_ID = id_number("20150601", "035")
ELDER_ID = id_number("19480501", "046")


@pytest.fixture(autouse=True)
def registered_on(monkeypatch) -> date:
    """Records are stamped on REGISTERED (local time, as the store stamps them)."""
    monkeypatch.setattr(records, "now_iso", lambda: "2025-01-10T09:30:00+08:00")
    return REGISTERED


@pytest.fixture
def vids(store) -> dict[str, str]:
    return {name: village_by_code(store, code).id
            for name, code in (("张韩村", ZHANGHAN), ("三里村", SANLI), ("石塘村", SHITANG))}


def save(store: Store, household: Household) -> str:
    with store.transaction() as tx:
        return save_household(tx, household)


def reload(store: Store, household_id: str) -> Household:
    loaded = load_household(store, household_id)
    assert loaded is not None
    return loaded


def visit_on(store: Store, household_id: str, day: date, **changes: Any) -> str:
    with store.transaction() as tx:
        return save_visit(tx, Visit(household_id=household_id, visit_date=day, visitors="李梅",
                                    **changes))


def row(store: Store, table: str, record_id: str) -> dict[str, Any]:
    found = records.get(store, table, record_id)
    assert found is not None
    return found


def member_rows(store: Store, household_id: str) -> list[dict[str, Any]]:
    return [dict(r) for r in store.conn.execute(
        "SELECT * FROM members WHERE household_id = ? ORDER BY rowid", (household_id,))]


def full_raw(vids: dict[str, str], group_id: str) -> dict[str, Any]:
    return {
        "village_id": vids["张韩村"], "group_id": group_id, "number": "ZH-0018",
        "head_name": "张𠮷明", "address": "张韩村一组𠮷家湾18号（䶮家祠堂旁）",
        "phone": "0730-1234567", "cadre": "王𡈼帮", "tags": ["monitored", "dibao"],
        "monitoring_type": "marginal", "monitoring_included_on": "2023-04-01",
        "risk_types": ["illness", "labour"], "income_per_capita": "12345.67",
        "income_year": "2024", "risk_eliminated": True, "risk_eliminated_on": "2025-01-20",
        "notes": "户主患慢性病，需重点关注。𠮷",
        "members": [
            {"name": "张𠮷明", "id_number": HEAD_ID, "relation": "head", "education": "junior",
             "health": "chronic", "work_status": "farming", "assistance_status": "dibao",
             "insurance": "城乡居民医保", "phone": "13907301234"},
            {"name": "李䶮英", "id_number": SPOUSE_ID, "relation": "spouse", "ethnicity": "瑶族",
             "health": "disabled", "disability_category": "肢体", "disability_grade": "三级",
             "tags": ["disabled"]},
            {"name": "张小𡈼", "birth_date": "2015-06-01", "gender": "male", "relation": "son",
             "education": "primary", "school_status": "primary", "work_status": "student",
             "tags": ["left_behind_child", "child_family"]},
        ],
        "measures": [
            {"measure_type": "industry", "content": "发放油茶苗200株，𠮷家湾",
             "start_date": "2024-03-01", "end_date": "2024-12-31", "unit": "镇农业站"},
            {"measure_type": "employment", "content": "公益性岗位", "start_date": "2025-01-01",
             "end_date": "", "unit": "镇人社所"},
        ],
    }


def with_ids(expected: Household, loaded: Household) -> Household:
    """``expected`` with the ids the store gave it and its children."""
    members = zip(expected.members, loaded.members, strict=True)
    measures = zip(expected.measures, loaded.measures, strict=True)
    return replace(expected, id=loaded.id,
                   members=tuple(replace(m, id=n.id) for m, n in members),
                   measures=tuple(replace(m, id=n.id) for m, n in measures))


def plain(vid: str, head: str, **changes: Any) -> Household:
    return Household(village_id=vid, head_name=head, **changes)


# -- save and load whole ------------------------------------------------------------------------


def test_every_field_round_trips(store, vids) -> None:
    with store.transaction() as tx:
        group = add_group(tx, vids["张韩村"], "一组")
    typed = parse_household(full_raw(vids, group), today=TODAY)
    household_id = save(store, typed)
    loaded = reload(store, household_id)
    assert loaded.id == household_id
    assert all(m.id for m in loaded.members) and all(m.id for m in loaded.measures)
    assert len({m.id for m in loaded.members}) == 3
    assert loaded == with_ids(typed, loaded)
    assert loaded.head_name == "张𠮷明" and loaded.address == "张韩村一组𠮷家湾18号（䶮家祠堂旁）"
    assert [m.name for m in loaded.members] == ["张𠮷明", "李䶮英", "张小𡈼"]
    assert loaded.members[0].gender == "male" and loaded.members[0].birth_date == date(1980, 5, 15)
    assert loaded.members[1].gender == "female" and loaded.members[1].ethnicity == "瑶族"
    assert loaded.income_per_capita == 12345.67
    assert loaded.income_year == 2024 and loaded.risk_eliminated is True
    # what the editor gets back reads as the same household again
    assert parse_household(household_to_raw(loaded), today=TODAY) == loaded
    assert check(store) == []


def test_a_bare_household_round_trips(store, vids) -> None:
    bare = plain(vids["三里村"], "韩冬梅")
    household_id = save(store, bare)
    assert reload(store, household_id) == replace(bare, id=household_id)


def test_saving_with_a_chosen_id(store, vids) -> None:
    household_id = save(store, plain(vids["三里村"], "韩冬梅", id="chosen-household-id"))
    assert household_id == "chosen-household-id"
    assert reload(store, household_id).head_name == "韩冬梅"


def test_saving_again_unchanged_keeps_every_row(store, vids) -> None:
    typed = parse_household(full_raw(vids, ""), today=TODAY)
    household_id = save(store, typed)
    loaded = reload(store, household_id)
    before = store.conn.execute("SELECT count(*) FROM members").fetchone()[0]
    assert save(store, loaded) == household_id
    assert reload(store, household_id) == loaded
    assert store.conn.execute("SELECT count(*) FROM members").fetchone()[0] == before
    assert row(store, "households", household_id)["rev"] == 2


def test_update_edits_removes_and_adds_members(store, vids) -> None:
    household_id = save(store, parse_household(full_raw(vids, ""), today=TODAY))
    first = reload(store, household_id)
    head, spouse, child = first.members
    edited_child = replace(child, name="张小𡈼（改名）", tags=("left_behind_child",))
    newcomer = Member("王𠮷奶", ELDER_ID, "female", date(1948, 5, 1), relation="mother",
                      tags=("left_behind_elderly",))
    second = replace(first, members=(head, edited_child, newcomer), address="𠮷家湾20号")
    assert save(store, second) == household_id
    loaded = reload(store, household_id)
    assert [m.name for m in loaded.members] == ["张𠮷明", "张小𡈼（改名）", "王𠮷奶"]
    assert loaded.members[0].id == head.id and loaded.members[1].id == child.id
    assert loaded.members[2].id not in (head.id, spouse.id, child.id, None)
    assert loaded == with_ids(second, loaded)
    assert loaded.address == "𠮷家湾20号"
    # the removed member is tombstoned, not deleted
    removed = row(store, "members", spouse.id)
    assert removed["deleted"] == 1 and removed["name"] == "李䶮英"
    assert removed["rev"] == 2
    assert row(store, "members", child.id)["rev"] == 2
    assert row(store, "members", child.id)["deleted"] == 0
    assert len(member_rows(store, household_id)) == 4
    assert check(store) == []


def test_update_removes_and_adds_measures(store, vids) -> None:
    household_id = save(store, parse_household(full_raw(vids, ""), today=TODAY))
    first = reload(store, household_id)
    old, kept = first.measures
    added = Measure("health", "家庭医生签约", date(2025, 2, 1), date(2025, 12, 31), "镇卫生院")
    save(store, replace(first, measures=(kept, added)))
    loaded = reload(store, household_id)
    assert [m.measure_type for m in loaded.measures] == ["employment", "health"]
    assert loaded.measures[0].id == kept.id
    assert row(store, "measures", old.id)["deleted"] == 1


def test_a_removed_member_saved_again_from_an_old_form_is_live(store, vids) -> None:
    """An editor (or an old draft) still listing a member removed meanwhile: saving it must
    keep that member, not update the tombstoned row and leave the member gone.

    Fails while _save_children updates any row records.get finds, tombstoned or not, without
    setting deleted back to 0, so the member the user sees in the form is silently lost.
    """
    household_id = save(store, parse_household(full_raw(vids, ""), today=TODAY))
    old_form = reload(store, household_id)
    head, spouse, child = old_form.members
    save(store, replace(old_form, members=(head, child)))
    assert row(store, "members", spouse.id)["deleted"] == 1
    save(store, old_form)
    assert [m.name for m in reload(store, household_id).members] == ["张𠮷明", "李䶮英", "张小𡈼"]


def test_load_unknown_household_and_visit(store) -> None:
    assert load_household(store, "no-such-household") is None
    assert load_visit(store, "no-such-visit") is None
    assert next_due(store, "no-such-household") is None


# -- same ID number in another household --------------------------------------------------------


def test_same_id_elsewhere_names_the_other_household(store, vids) -> None:
    first_id = save(store, plain(vids["张韩村"], "张𠮷明", members=(
        Member("张𠮷明", HEAD_ID, "male", date(1980, 5, 15)),
        Member("李秀英", SPOUSE_ID, "female", date(1983, 2, 20)))))
    moving = plain(vids["三里村"], "李秀英", members=(
        Member("李秀英", SPOUSE_ID, "female", date(1983, 2, 20)), Member("李小妹")))
    assert same_id_elsewhere(store, moving) == [
        SameIdElsewhere(SPOUSE_ID, first_id, "张𠮷明", "张韩村")]
    second_id = save(store, moving)
    # the household itself is not "elsewhere"
    assert same_id_elsewhere(store, reload(store, second_id)) == [
        SameIdElsewhere(SPOUSE_ID, first_id, "张𠮷明", "张韩村")]
    assert same_id_elsewhere(store, reload(store, first_id)) == [
        SameIdElsewhere(SPOUSE_ID, second_id, "李秀英", "三里村")]
    assert same_id_elsewhere(store, plain(vids["三里村"], "外人", members=(
        Member("外人", ELDER_ID),))) == []


def test_same_id_elsewhere_ignores_removed_members_and_deleted_households(store, vids) -> None:
    first_id = save(store, plain(vids["张韩村"], "张𠮷明", members=(
        Member("张𠮷明", HEAD_ID), Member("李秀英", SPOUSE_ID))))
    second_id = save(store, plain(vids["三里村"], "王五", members=(Member("王五", CHILD_ID),)))
    first = reload(store, first_id)
    save(store, replace(first, members=first.members[:1]))  # 李秀英 moved out
    probe = plain(vids["石塘村"], "李秀英", members=(Member("李秀英", SPOUSE_ID),
                                                 Member("王五", CHILD_ID)))
    assert same_id_elsewhere(store, probe) == [SameIdElsewhere(CHILD_ID, second_id, "王五", "三里村")]
    with store.transaction() as tx:
        delete_household(tx, second_id)
    assert same_id_elsewhere(store, probe) == []


# -- visits ---------------------------------------------------------------------------------------


def test_visit_round_trip_with_referrals_and_photos(store, vids, paths, tmp_path) -> None:
    household_id = save(store, plain(vids["张韩村"], "张𠮷明", tags=("dibao",)))
    hashes = []
    with store.transaction() as tx:
        for name, colour in (("走访合影.png", (200, 30, 30)), ("𠮷家住房.png", (0, 160, 0))):
            source = tmp_path / name
            source.write_bytes(png_bytes(colour))
            hashes.append(add_photo(tx, paths.attachments_dir, source))
    typed = parse_visit({
        "household_id": household_id, "visit_date": "2025-03-05", "visit_time": "9:30",
        "visitors": "李梅、王𡈼帮", "visit_type": "key_group", "person_met": "张𠮷明",
        "others_present": "李秀英", "income_note": "油茶收入约 8000 元",
        "health_note": "慢性病按时服药", "housing_note": "住房安全", "water_note": "自来水正常",
        "schooling_note": "张小𡈼在读三年级", "needs": ["health", "income"],
        "needs_detail": "希望解决药费报销", "done_on_spot": "讲解医保报销政策",
        "referrals": [{"department": "镇民政办", "item": "临时救助𠮷", "deadline": "2025-03-20"},
                      {"department": "村委会", "item": "修缮屋顶", "deadline": ""}],
        "satisfaction": "satisfied", "photos": hashes, "next_visit_date": "2025-04-05",
    }, today=TODAY)
    assert typed.referrals[1] == Referral("村委会", "修缮屋顶", None)
    with store.transaction() as tx:
        visit_id = save_visit(tx, typed)
    loaded = load_visit(store, visit_id)
    assert loaded == replace(typed, id=visit_id)
    assert loaded is not None and loaded.photos == tuple(hashes)
    assert parse_visit(visit_to_raw(loaded), today=TODAY) == loaded
    # an edit keeps the id
    with store.transaction() as tx:
        assert save_visit(tx, replace(loaded, done_on_spot="已联系民政办", photos=())) == visit_id
    again = load_visit(store, visit_id)
    assert again is not None and again.done_on_spot == "已联系民政办" and again.photos == ()
    assert row(store, "visits", visit_id)["rev"] == 2
    assert check(store) == []


def test_visit_with_an_unknown_photo_is_refused(store, vids) -> None:
    household_id = save(store, plain(vids["张韩村"], "张𠮷明"))
    with pytest.raises(RecordInvalid) as caught, store.transaction() as tx:
        save_visit(tx, Visit(household_id, date(2025, 3, 5), "李梅", photos=("0" * 64,)))
    assert set(caught.value.problems) == {"photos"}
    assert store.conn.execute("SELECT count(*) FROM visits").fetchone()[0] == 0


def test_visit_to_an_unknown_household_is_refused(store) -> None:
    with pytest.raises(RecordInvalid) as caught, store.transaction() as tx:
        save_visit(tx, Visit("no-such-household", date(2025, 3, 5), "李梅"))
    assert "household_id" in caught.value.problems


def test_visit_to_a_deleted_household_is_refused(store, vids) -> None:
    """A visit saved to a household deleted meanwhile (another window, or a stale editor)
    would hang off a tombstone where nobody sees it.

    Fails while save_visit checks the household with records.get, which also returns
    tombstoned rows.
    """
    household_id = save(store, plain(vids["张韩村"], "张𠮷明"))
    with store.transaction() as tx:
        delete_household(tx, household_id)
    with pytest.raises(RecordInvalid) as caught, store.transaction() as tx:
        save_visit(tx, Visit(household_id, date(2025, 3, 5), "李梅"))
    assert "删除" in caught.value.problems["household_id"]


# -- when the next visit is due -----------------------------------------------------------------


def test_a_new_household_is_due_on_its_registration_day(store, vids, registered_on) -> None:
    household_id = save(store, plain(vids["张韩村"], "韩冬梅"))
    assert next_due(store, household_id) == registered_on
    key = save(store, plain(vids["张韩村"], "张𠮷明", tags=("dibao",)))
    assert next_due(store, key) == registered_on


def test_registration_day_is_the_local_day_of_creation(store, vids, monkeypatch) -> None:
    monkeypatch.undo()  # the real clock
    before = clock.today()
    household_id = save(store, plain(vids["张韩村"], "韩冬梅"))
    after = clock.today()
    due = next_due(store, household_id)
    assert due in (before, after)
    assert due == date.fromisoformat(row(store, "households", household_id)["created_at"][:10])


def test_key_group_by_household_tag_is_due_a_month_after_a_visit(store, vids) -> None:
    household_id = save(store, plain(vids["张韩村"], "张𠮷明", tags=("dibao",)))
    visit_on(store, household_id, date(2025, 1, 31))
    assert next_due(store, household_id) == date(2025, 2, 28)


def test_key_group_by_a_member_tag_only(store, vids) -> None:
    household_id = save(store, plain(vids["张韩村"], "韩冬梅", members=(
        Member("韩冬梅"), Member("韩小宝", tags=("left_behind_child",)))))
    assert reload(store, household_id).tags == ()
    visit_on(store, household_id, date(2025, 1, 31))
    assert next_due(store, household_id) == date(2025, 2, 28)
    # the member moves out: no longer a key-group household
    loaded = reload(store, household_id)
    save(store, replace(loaded, members=loaded.members[:1]))
    assert next_due(store, household_id) == date(2025, 7, 31)


def test_other_households_are_due_six_months_later(store, vids) -> None:
    household_id = save(store, plain(vids["三里村"], "李四", members=(Member("李四"),)))
    visit_on(store, household_id, date(2025, 1, 31))
    assert next_due(store, household_id) == date(2025, 7, 31)
    visit_on(store, household_id, date(2025, 2, 28))
    assert next_due(store, household_id) == date(2025, 8, 28)


def test_tagging_a_household_moves_its_due_date(store, vids) -> None:
    household_id = save(store, plain(vids["三里村"], "李四"))
    visit_on(store, household_id, date(2025, 1, 31))
    assert next_due(store, household_id) == date(2025, 7, 31)
    save(store, replace(reload(store, household_id), tags=("tekun",)))
    assert next_due(store, household_id) == date(2025, 2, 28)


def test_an_explicit_next_visit_date_is_used(store, vids) -> None:
    household_id = save(store, plain(vids["张韩村"], "张𠮷明", tags=("dibao",)))
    visit_on(store, household_id, date(2025, 1, 31), next_visit_date=date(2025, 2, 10))
    assert next_due(store, household_id) == date(2025, 2, 10)
    other = save(store, plain(vids["张韩村"], "韩冬梅"))
    visit_on(store, other, date(2025, 1, 31), next_visit_date=date(2025, 12, 1))
    assert next_due(store, other) == date(2025, 12, 1)


def test_the_latest_visit_decides(store, vids) -> None:
    household_id = save(store, plain(vids["张韩村"], "张𠮷明", tags=("dibao",)))
    visit_on(store, household_id, date(2025, 2, 20))
    # an older visit entered afterwards does not move the date back
    visit_on(store, household_id, date(2025, 1, 5), next_visit_date=date(2025, 1, 20))
    assert next_due(store, household_id) == date(2025, 3, 20)
    # a newer one without a plan uses the frequency rule, not the older plan
    visit_on(store, household_id, date(2025, 3, 1))
    assert next_due(store, household_id) == date(2025, 4, 1)


def test_changing_the_frequency_settings_moves_the_dates(store, vids) -> None:
    key = save(store, plain(vids["张韩村"], "张𠮷明", tags=("dibao",)))
    member_key = save(store, plain(vids["张韩村"], "韩冬梅", members=(
        Member("韩小宝", tags=("left_behind_child",)),)))
    other = save(store, plain(vids["三里村"], "李四"))
    planned = save(store, plain(vids["三里村"], "王五"))
    never = save(store, plain(vids["三里村"], "赵六"))
    for household_id in (key, member_key, other):
        visit_on(store, household_id, date(2025, 1, 31))
    visit_on(store, planned, date(2025, 1, 31), next_visit_date=date(2025, 2, 15))
    assert [next_due(store, h) for h in (key, member_key, other, planned, never)] == [
        date(2025, 2, 28), date(2025, 2, 28), date(2025, 7, 31), date(2025, 2, 15), REGISTERED]
    with store.transaction() as tx:
        settings_store.put(store, "visit_months_key_group", 3)
        settings_store.put(store, "visit_months_other", "12")
        assert refresh_all_due(tx) == 5
    assert [next_due(store, h) for h in (key, member_key, other, planned, never)] == [
        date(2025, 4, 30), date(2025, 4, 30), date(2026, 1, 31), date(2025, 2, 15), REGISTERED]
    with store.transaction() as tx:
        delete_household(tx, never)
        settings_store.put(store, "visit_months_key_group", 1)
        assert refresh_all_due(tx) == 4
    assert next_due(store, key) == date(2025, 2, 28)
    assert check(store) == []


def test_refresh_due_is_quiet_when_nothing_changes(store, vids) -> None:
    household_id = save(store, plain(vids["张韩村"], "张𠮷明"))
    before = row(store, "households", household_id)
    with store.transaction() as tx:
        refresh_due(tx, household_id)
    assert row(store, "households", household_id) == before


# -- the household list -------------------------------------------------------------------------


@pytest.fixture
def listed(store, vids) -> dict[str, str]:
    """Four households: A (一组, tagged, monitored), B (二组, tag only on a member),
    C (三里村, plain), D (石塘村, not the worker's)."""
    with store.transaction() as tx:
        group_one = add_group(tx, vids["张韩村"], "一组")
        group_two = add_group(tx, vids["张韩村"], "二组")
    a = save(store, plain(
        vids["张韩村"], "张𠮷明", group_id=group_one, address="张韩村一组枫树湾18号",
        tags=("monitored",), monitoring_type="unstable",
        members=(Member("张𠮷明", HEAD_ID, "male", date(1980, 5, 15)),
                 Member("李秀英", SPOUSE_ID, "female", date(1983, 2, 20)))))
    b = save(store, plain(
        vids["张韩村"], "韩冬梅", group_id=group_two, address="张韩村二组竹山里3号",
        members=(Member("韩冬梅"), Member("韩小宝", CHILD_ID, "male", date(2015, 6, 1),
                                           tags=("left_behind_child",)))))
    c = save(store, plain(vids["三里村"], "李四", address="三里村老屋场5号",
                          monitoring_type="marginal"))
    d = save(store, plain(vids["石塘村"], "石大山", tags=("tekun",)))
    visit_on(store, a, date(2025, 1, 31))                                  # due 2025-02-28
    visit_on(store, b, date(2025, 2, 1), next_visit_date=date(2025, 3, 5))  # due 2025-03-05
    visit_on(store, d, date(2025, 2, 3))                                   # due 2025-03-03
    # C was never visited: due on REGISTERED, 2025-01-10
    return {"A": a, "B": b, "C": c, "D": d, "一组": group_one, "二组": group_two}


def chosen(store: Store, listed: dict[str, str], today: date = TODAY, **parts: str) -> set[str]:
    condition, params = filter_condition(store, HouseholdFilter(**parts), today)
    rows = store.conn.execute(
        f"SELECT t.id FROM households t WHERE t.deleted = 0 AND ({condition or '1'})", params)
    names = {household_id: name for name, household_id in listed.items()}
    return {names[r[0]] for r in rows}


def test_no_filter_lists_every_household(store, listed) -> None:
    assert filter_condition(store, HouseholdFilter(), TODAY) == ("", [])
    assert chosen(store, listed) == {"A", "B", "C", "D"}
    assert chosen(store, listed, query="   ") == {"A", "B", "C", "D"}


def test_filter_by_village_and_group(store, listed, vids) -> None:
    assert chosen(store, listed, village_id=vids["张韩村"]) == {"A", "B"}
    assert chosen(store, listed, village_id=vids["三里村"]) == {"C"}
    assert chosen(store, listed, group_id=listed["一组"]) == {"A"}
    assert chosen(store, listed, village_id=vids["张韩村"], group_id=listed["二组"]) == {"B"}


def test_filter_by_tag_on_the_household_or_a_member(store, listed, vids) -> None:
    assert chosen(store, listed, tag="monitored") == {"A"}
    assert chosen(store, listed, tag="left_behind_child") == {"B"}
    assert chosen(store, listed, tag="tekun") == {"D"}
    assert chosen(store, listed, tag="dibao") == set()
    assert chosen(store, listed, tag="left_behind_child", village_id=vids["三里村"]) == set()
    # the tagged member moves out: the household no longer has the tag
    b = reload(store, listed["B"])
    save(store, replace(b, members=b.members[:1]))
    assert chosen(store, listed, tag="left_behind_child") == set()


def test_filter_by_monitoring_type(store, listed) -> None:
    assert chosen(store, listed, monitoring_type="unstable") == {"A"}
    assert chosen(store, listed, monitoring_type="marginal") == {"C"}
    assert chosen(store, listed, monitoring_type="sudden") == set()


@pytest.mark.parametrize(("today", "due", "overdue"), [
    (date(2025, 1, 2), set(), set()),
    (date(2025, 1, 3), {"C"}, set()),   # due within the week
    (date(2025, 1, 10), {"C"}, set()),  # due today is not overdue
    (date(2025, 1, 11), {"C"}, {"C"}),
    (date(2025, 2, 21), {"A", "C"}, {"C"}),
    (date(2025, 2, 25), {"A", "C", "D"}, {"C"}),
    (date(2025, 2, 28), {"A", "B", "C", "D"}, {"C"}),
    (date(2025, 3, 1), {"A", "B", "C", "D"}, {"A", "C"}),
    (date(2025, 3, 6), {"A", "B", "C", "D"}, {"A", "B", "C", "D"}),
])
def test_filter_due_and_overdue(store, listed, today: date, due: set[str],
                                overdue: set[str]) -> None:
    assert chosen(store, listed, today, due="due") == due
    assert chosen(store, listed, today, due="overdue") == overdue


def test_search_a_two_character_name(store, listed) -> None:
    assert chosen(store, listed, query="冬梅") == {"B"}   # head of household
    assert chosen(store, listed, query="小宝") == {"B"}   # a member only
    assert chosen(store, listed, query="秀英") == {"A"}
    assert chosen(store, listed, query="𠮷明") == {"A"}   # a rare character
    assert chosen(store, listed, query="李") == {"A", "C"}
    assert chosen(store, listed, query="无名") == set()


def test_search_a_full_id_number(store, listed) -> None:
    assert chosen(store, listed, query=SPOUSE_ID) == {"A"}
    assert chosen(store, listed, query=CHILD_ID) == {"B"}
    assert chosen(store, listed, query=ELDER_ID) == set()
    assert chosen(store, listed, query=CHILD_ID, village_id=listed["A"]) == set()
    # once the member is removed the number no longer finds the household
    a = reload(store, listed["A"])
    save(store, replace(a, members=a.members[:1]))
    assert chosen(store, listed, query=SPOUSE_ID) == set()


def test_search_an_address(store, listed) -> None:
    assert chosen(store, listed, query="枫树湾18") == {"A"}
    assert chosen(store, listed, query="老屋场5号") == {"C"}
    assert chosen(store, listed, query="张韩村二组竹山里") == {"B"}
    assert chosen(store, listed, query="竹山里 冬梅") == {"B"}
    assert chosen(store, listed, query="竹山里 秀英") == set()


def test_search_and_filters_together(store, listed, vids) -> None:
    assert chosen(store, listed, TODAY, query="张韩村", due="overdue") == {"A", "B"}
    assert chosen(store, listed, query="张韩村", tag="monitored",
                  village_id=vids["张韩村"]) == {"A"}


# -- 今日待办 ---------------------------------------------------------------------------------------


def test_visits_due_for_the_worker(store, listed, worker_profile) -> None:
    today = date(2025, 2, 25)
    items = visits_due(store, worker_profile, today, 7)
    assert {i.record_id for i in items} == {listed["A"], listed["C"]}
    by_id = {i.record_id: i for i in items}
    a = by_id[listed["A"]]
    assert (a.table, a.kind_label, a.title, a.due, a.urgent) == (
        "households", "入户走访", "张韩村张𠮷明户", date(2025, 2, 28), False)
    assert by_id[listed["C"]].title == "三里村李四户"
    assert by_id[listed["C"]].overdue(today) and not a.overdue(today)
    # 石塘村 is not theirs, though D is due on 2025-03-03
    later = visits_due(store, worker_profile, date(2025, 3, 10), 7)
    assert {i.record_id for i in later} == {listed["A"], listed["B"], listed["C"]}


def test_visits_due_for_the_town(store, listed) -> None:
    town = make_profile("town", "梅仙镇")
    items = visits_due(store, town, date(2025, 2, 25), 7)
    assert {i.record_id for i in items} == {listed["A"], listed["C"], listed["D"]}
    assert {i.title for i in items} == {"张韩村张𠮷明户", "三里村李四户", "石塘村石大山户"}
    wider = visits_due(store, town, date(2025, 2, 25), 8)
    assert {i.record_id for i in wider} == {listed[k] for k in "ABCD"}


def test_due_items_gathers_the_household_visits(store, listed, worker_profile) -> None:
    today = date(2025, 3, 1)
    worker_items = due_items(store, worker_profile, today)
    households = [i for i in worker_items if i.table == "households"]
    assert [i.record_id for i in households] == [listed["C"], listed["A"], listed["B"]]
    assert worker_items == sorted(worker_items, key=lambda i: (not i.urgent, not i.overdue(today),
                                                               i.due, i.title))
    town_items = due_items(store, make_profile("town", "梅仙镇"), today)
    assert [i.record_id for i in town_items if i.table == "households"] == [
        listed["C"], listed["A"], listed["D"], listed["B"]]


def test_deleted_households_are_not_due(store, listed) -> None:
    town = make_profile("town", "梅仙镇")
    with store.transaction() as tx:
        delete_household(tx, listed["C"])
    items = visits_due(store, town, date(2025, 3, 10), 7)
    assert {i.record_id for i in items} == {listed["A"], listed["B"], listed["D"]}


# -- timeline and deleting ----------------------------------------------------------------------


def test_timeline_newest_first(store, vids) -> None:
    household_id = save(store, plain(vids["张韩村"], "张𠮷明", tags=("dibao",), measures=(
        Measure("industry", "发放油茶苗", date(2024, 12, 1), date(2025, 12, 31), "镇农业站"),
        Measure("employment", "公益性岗位", date(2025, 1, 20)),
        Measure("other", "没有开始日期"),
    )))
    first = visit_on(store, household_id, date(2025, 1, 5), done_on_spot="送去慰问金")
    second = visit_on(store, household_id, date(2025, 2, 20))
    measures = {m.measure_type: m.id for m in reload(store, household_id).measures}
    entries = timeline(store, household_id)
    assert [(e.day, e.kind, e.table, e.record_id) for e in entries] == [
        (date(2025, 2, 20), "走访", "visits", second),
        (date(2025, 1, 20), "帮扶措施", "measures", measures["employment"]),
        (date(2025, 1, 5), "走访", "visits", first),
        (date(2024, 12, 1), "帮扶措施", "measures", measures["industry"]),
    ]
    assert entries[0].text == "李梅走访。"
    assert entries[2].text == "李梅走访。送去慰问金"
    assert entries[1].text == "就业帮扶：公益性岗位"
    assert entries[3].text == "产业帮扶：发放油茶苗（至 2025-12-31）"
    assert timeline(store, save(store, plain(vids["张韩村"], "韩冬梅"))) == []


def test_delete_household_tombstones_everything_of_it(store, vids) -> None:
    household_id = save(store, parse_household(full_raw(vids, ""), today=TODAY))
    other_id = save(store, plain(vids["三里村"], "李四", members=(Member("李四"),)))
    loaded = reload(store, household_id)
    # one member already removed before the household goes
    save(store, replace(loaded, members=loaded.members[:2]))
    visits = [visit_on(store, household_id, date(2025, 1, 5)),
              visit_on(store, household_id, date(2025, 2, 5))]
    other_visit = visit_on(store, other_id, date(2025, 2, 5))
    with store.transaction() as tx:
        delete_household(tx, household_id)
    assert load_household(store, household_id) is None
    assert all(load_visit(store, v) is None for v in visits)
    assert row(store, "households", household_id)["deleted"] == 1
    assert [r["deleted"] for r in member_rows(store, household_id)] == [1, 1, 1]
    for table, ids in (("measures", [m.id for m in loaded.measures]), ("visits", visits)):
        assert [row(store, table, i)["deleted"] for i in ids] == [1] * len(ids)
    assert timeline(store, household_id) == []
    # nothing of the other household is touched
    assert reload(store, other_id).members[0].name == "李四"
    assert load_visit(store, other_visit) is not None
    with pytest.raises(KeyError), store.transaction() as tx:
        delete_household(tx, household_id)
    assert check(store) == []


def test_integrity_after_everything(store, listed, vids, paths, tmp_path) -> None:
    source = tmp_path / "走访.png"
    source.write_bytes(png_bytes())
    with store.transaction() as tx:
        sha = add_photo(tx, paths.attachments_dir, source)
        save_visit(tx, Visit(listed["A"], date(2025, 3, 1), "李梅", photos=(sha,),
                             referrals=(Referral("镇民政办", "临时救助"),)))
    b = reload(store, listed["B"])
    save(store, replace(b, members=(*b.members[1:], Member("新成员"))))
    with store.transaction() as tx:
        settings_store.put(store, "visit_months_other", 3)
        refresh_all_due(tx)
        delete_household(tx, listed["D"])
    assert check(store) == []
