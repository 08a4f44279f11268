"""督促监护令 in the database: saved whole, services and follow-ups, refusals, filters, 今日待办."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest

from meixian_desktop.core.errors import RecordInvalid
from meixian_desktop.core.order_followups import (
    parse_followup,
    parse_service,
)
from meixian_desktop.core.orders import (
    SupervisionOrder,
    parse_order,
    transition,
)
from meixian_desktop.core.patrols import StatusChange
from meixian_desktop.core.profile import make_profile
from meixian_desktop.store import audit, records
from meixian_desktop.store.database import Store
from meixian_desktop.store.due import due_items
from meixian_desktop.store.integrity import check
from meixian_desktop.store.orders import (
    OrderFilter,
    audit_trail,
    filter_condition,
    followups,
    load_order,
    orders_due,
    record_view,
    save_followup,
    save_order,
    save_service,
    served_on,
    services,
)
from meixian_desktop.store.villages import list_villages, village_by_code
from tests.conftest import SANLI, ZHANGHAN
from tests.core.test_orders import FATHER_ID, MINOR_ID, followup_raw, id_for, service_raw

TODAY = date(2025, 3, 10)
NOW = datetime(2025, 3, 10, 15, 0)
CST = timezone(timedelta(hours=8))
WORKER = "李梅"


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2025, 3, day, hour, 0, tzinfo=CST)


@pytest.fixture
def vids(store) -> dict[str, str]:
    zhanghan = village_by_code(store, ZHANGHAN).id
    sanli = village_by_code(store, SANLI).id
    other = next(v.id for v in list_villages(store) if v.code not in (ZHANGHAN, SANLI))
    return {"张韩村": zhanghan, "三里村": sanli, "other": other}


def raw_of(vids: dict[str, str], **changes: Any) -> dict[str, Any]:
    """A typed order with rare characters outside the BMP in its names."""
    raw: dict[str, Any] = {
        "number": "平检未督〔2025〕3号", "issue_date": "2025-03-03", "village_id": vids["张韩村"],
        "guardians": [
            {"name": "𠮷建国", "relation": "父亲", "id_number": FATHER_ID,
             "address": "张韩村第三组𠮷家冲", "phone": "13907301234"},
            {"name": "李芳", "relation": "祖母", "id_number": "", "address": "", "phone": ""},
        ],
        "minor_name": "𠮷小明", "minor_id_number": MINOR_ID,
        "facts": ["absent_migrant", "other"], "facts_detail": "父母在外务工，孩子常去网吧𠮷",
        "legal_basis": ["civil_code_34", "minor_protection_15_17_118"],
        "duties": [{"content": "每周视频通话两次", "measure": "每周", "deadline": ""},
                   {"content": "督促按时上学", "measure": "每天", "deadline": "2025-06-30"}],
        "observation_start": "2025-03-10", "observation_end": "2025-09-09",
        "feedback_method": "每月电话反馈", "contact": "张检察官 0730-5201234",
        "consequences": "拒不履行的，依法训诫。", "copies_to": "梅仙镇人民政府",
    }
    raw.update(changes)
    return raw


def make(vids, **changes: Any) -> SupervisionOrder:
    return parse_order(raw_of(vids, **changes), today=TODAY)


def save(store: Store, order: SupervisionOrder, actor: str = WORKER) -> str:
    with store.transaction() as tx:
        return save_order(tx, order, actor)


def reload(store: Store, order_id: str) -> SupervisionOrder:
    loaded = load_order(store, order_id)
    assert loaded is not None
    return loaded


def serve(store: Store, order_id: str, actor: str = WORKER, **changes: Any) -> str:
    service = parse_service(service_raw(**changes), order=reload(store, order_id), now=NOW)
    with store.transaction() as tx:
        return save_service(tx, order_id, service, actor, at=at(4, 11))


def follow_up(store: Store, order_id: str, **changes: Any) -> str:
    order = reload(store, order_id)
    followup = parse_followup(followup_raw(**changes), order=order,
                              served_on=served_on(store, order_id), today=TODAY)
    with store.transaction() as tx:
        return save_followup(tx, order_id, followup, WORKER)


def counts(store: Store) -> dict[str, int]:
    tables = [*records.record_kinds(store), "journal", "audit_log"]
    return {t: store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


def refused(store: Store, action) -> dict[str, str]:
    """Run ``action`` expecting RecordInvalid; nothing at all may have been written."""
    before = counts(store)
    with pytest.raises(RecordInvalid) as caught:
        action()
    assert counts(store) == before
    assert not store.conn.in_transaction
    return caught.value.problems


# -- save and load whole ------------------------------------------------------------------------


def test_every_field_round_trips_with_rare_characters(store, vids) -> None:
    order = make(vids)
    order_id = save(store, order)
    loaded = reload(store, order_id)
    assert loaded.id == order_id
    assert replace(loaded, id=None) == order
    for name in order.__dataclass_fields__:
        if name != "id":
            assert getattr(loaded, name) == getattr(order, name), name
    assert loaded.guardians[0].name == "𠮷建国" and loaded.minor_name == "𠮷小明"
    assert loaded.minor_pseudonym == "小𠮷"
    assert loaded.guardians[0].id_number == FATHER_ID
    row = records.get(store, "orders", order_id)
    assert row["status"] == "pending" and row["next_followup_date"] is None
    assert "𠮷建国" in row["guardians"]  # stored as text, not \\u escapes, so search finds it
    assert check(store) == []


def test_a_given_id_is_kept_and_an_edit_updates_in_place(store, vids) -> None:
    order = replace(make(vids), id="0190f0c0-0000-7000-8000-0000000000aa")
    assert save(store, order) == order.id
    edited = replace(reload(store, order.id), facts_detail="改过 𠮷", copies_to="")
    assert save(store, edited) == order.id
    assert reload(store, order.id) == edited
    assert records.get(store, "orders", order.id)["rev"] == 2
    assert store.conn.execute("SELECT count(*) FROM orders").fetchone()[0] == 1


def test_missing_order(store) -> None:
    assert load_order(store, "no-such-id") is None
    assert services(store, "no-such-id") == [] and followups(store, "no-such-id") == []
    assert served_on(store, "no-such-id") is None


def test_a_number_used_twice_is_refused(store, vids) -> None:
    save(store, make(vids))
    problems = refused(store, lambda: save(store, make(vids, minor_name="王小红")))
    assert problems == {"number": "文号“平检未督〔2025〕3号”已经登记过了，请核对。"}


def test_unknown_village_and_household_are_refused(store, vids) -> None:
    problems = refused(store, lambda: save(store, make(vids, village_id="nowhere",
                                                       household_id="no-household")))
    assert set(problems) == {"village_id", "household_id"}


# -- status steps through save_order ------------------------------------------------------------


def test_observation_and_end_are_stamped_steps(store, vids) -> None:
    order_id = save(store, make(vids))
    serve(store, order_id)
    loaded = reload(store, order_id)
    observing = replace(loaded, status="observing", history=(
        *loaded.history, transition("served", "observing", "张检察官", "开始考察", at=at(10))))
    save(store, observing)
    loaded = reload(store, order_id)
    assert loaded.status == "observing" and loaded.history == observing.history
    step = transition("observing", "ended", WORKER, at=at(10, 16), outcome="unfulfilled",
                      referral="已移送公安机关")
    ended = replace(loaded, status="ended", outcome="unfulfilled", referral="已移送公安机关",
                    history=(*loaded.history, step))
    save(store, ended)
    loaded = reload(store, order_id)
    assert [(c.from_status, c.to_status, c.by) for c in loaded.history] == [
        ("pending", "served", WORKER), ("served", "observing", "张检察官"),
        ("observing", "ended", WORKER)]
    assert loaded.history[2].note == "结果：未履行" and loaded.referral == "已移送公安机关"
    save(store, loaded)  # saving again adds no step
    assert len(reload(store, order_id).history) == 3


def test_a_status_without_its_step_saves_nothing(store, vids) -> None:
    order_id = save(store, make(vids))
    serve(store, order_id)
    loaded = reload(store, order_id)
    row_before = records.get(store, "orders", order_id)
    sneaky = replace(loaded, status="observing", facts_detail="不该保存")
    problems = refused(store, lambda: save(store, sneaky))
    assert "状态按钮" in problems["status"]
    assert records.get(store, "orders", order_id) == row_before


def test_skipping_a_step_saves_nothing(store, vids) -> None:
    order_id = save(store, make(vids))
    loaded = reload(store, order_id)
    forged = replace(loaded, status="observing", history=(
        StatusChange("2025-03-05T09:00:00+08:00", WORKER, "pending", "observing"),))
    problems = refused(store, lambda: save(store, forged))
    assert "不能直接改为“考察期”" in problems["status"]


def test_serving_only_through_a_service_record(store, vids) -> None:
    order_id = save(store, make(vids))
    loaded = reload(store, order_id)
    bare = replace(loaded, status="served",
                   history=(transition("pending", "served", WORKER, at=at(4)),))
    problems = refused(store, lambda: save(store, bare))
    assert "送达回证" in problems["status"]
    new_order = replace(make(vids, number="平检未督〔2025〕9号"), status="served",
                        history=(transition("pending", "served", WORKER, at=at(4)),))
    refused(store, lambda: save(store, new_order))


def test_a_stale_editor_cannot_undo_a_service(store, vids) -> None:
    order_id = save(store, make(vids))
    stale = reload(store, order_id)
    serve(store, order_id)
    problems = refused(store, lambda: save(store, replace(stale, contact="旧窗口里的修改")))
    assert "状态按钮" in problems["status"]


# -- service ------------------------------------------------------------------------------------


def test_service_moves_pending_to_served_in_the_same_transaction(store, vids) -> None:
    order_id = save(store, make(vids))
    service_id = serve(store, order_id, method="left", recipient_signed=False,
                       refusal_reason="拒绝签字", witnesses="𠮷大勇、韩秋莲")
    loaded = reload(store, order_id)
    assert loaded.status == "served"
    assert [(c.from_status, c.to_status, c.by, c.at, c.note) for c in loaded.history] == [
        ("pending", "served", WORKER, "2025-03-04T11:00:00+08:00", "留置送达")]
    [stored] = services(store, order_id)
    typed = parse_service(service_raw(method="left", recipient_signed=False,
                                      refusal_reason="拒绝签字", witnesses="𠮷大勇、韩秋莲"),
                          order=make(vids), now=NOW)
    assert stored == replace(typed, id=service_id)
    assert stored.witnesses == ("𠮷大勇", "韩秋莲") and stored.servers == ("张检察官", "李梅")
    assert stored.document == "督促监护令" and stored.document_number == "平检未督〔2025〕3号"
    assert stored.served_at == datetime(2025, 3, 4, 10, 30) and not stored.recipient_signed
    assert served_on(store, order_id) == date(2025, 3, 4)
    # the first follow-up falls due a month after service
    assert loaded.next_followup_date == date(2025, 4, 3)
    assert check(store) == []


def test_a_second_service_adds_no_step(store, vids) -> None:
    order_id = save(store, make(vids))
    serve(store, order_id)
    serve(store, order_id, recipient="李芳", recipient_relation="祖母",
          served_at="2025-03-05 08:00")
    loaded = reload(store, order_id)
    assert len(loaded.history) == 1 and len(services(store, order_id)) == 2
    assert served_on(store, order_id) == date(2025, 3, 4)


@pytest.mark.parametrize("status", ["observing", "ended"])
def test_no_service_once_observing_or_ended(store, vids, status: str) -> None:
    order_id = save(store, make(vids))
    serve(store, order_id)
    loaded = reload(store, order_id)
    steps = [transition("served", "observing", WORKER, at=at(10))]
    if status == "ended":
        steps.append(transition("observing", "ended", WORKER, at=at(10, 10), outcome="fulfilled"))
    save(store, replace(loaded, status=status, outcome="fulfilled" if status == "ended" else "",
                        history=(*loaded.history, *steps)))
    service = services(store, order_id)[0]
    problems = refused(store, lambda: _save_service(store, order_id, service))
    assert "不能再登记送达" in problems["status"]


def _save_service(store, order_id, service) -> str:
    with store.transaction() as tx:
        return save_service(tx, order_id, replace(service, id=None), WORKER)


def test_service_before_the_issue_date_is_refused_by_the_store(store, vids) -> None:
    order_id = save(store, make(vids))
    good = parse_service(service_raw(), order=reload(store, order_id), now=NOW)
    early = replace(good, served_at=datetime(2025, 3, 1, 9, 0))
    problems = refused(store, lambda: _save_service(store, order_id, early))
    assert "不能早于签发日期" in problems["served_at"]
    assert reload(store, order_id).status == "pending"


def test_service_without_a_worker_name_is_refused(store, vids) -> None:
    order_id = save(store, make(vids))
    good = parse_service(service_raw(), order=reload(store, order_id), now=NOW)
    with pytest.raises(RecordInvalid) as caught:
        with store.transaction() as tx:
            save_service(tx, order_id, good, "  ")
    assert "是谁" in caught.value.problems["status"]
    assert services(store, order_id) == [] and reload(store, order_id).status == "pending"


def test_service_of_an_unsaved_order_is_refused(store, vids) -> None:
    good = parse_service(service_raw(), order=make(vids), now=NOW)
    problems = refused(store, lambda: _save_service(store, "no-such-order", good))
    assert "先保存监护令" in problems["status"]


# -- follow-ups ---------------------------------------------------------------------------------


def test_follow_up_on_an_order_never_served_saves_nothing(store, vids) -> None:
    order_id = save(store, make(vids))
    served_order = replace(reload(store, order_id), status="served")
    followup = parse_followup(followup_raw(), order=served_order, served_on=date(2025, 3, 4),
                              today=TODAY)
    problems = refused(store, lambda: _save_followup(store, order_id, followup))
    assert problems["followup_date"].startswith("还没有送达，不能登记回访")


def _save_followup(store, order_id, followup) -> str:
    with store.transaction() as tx:
        return save_followup(tx, order_id, followup, WORKER)


def test_follow_ups_keep_the_next_date(store, vids) -> None:
    order_id = save(store, make(vids))
    serve(store, order_id)
    first = follow_up(store, order_id)
    loaded = reload(store, order_id)
    assert loaded.next_followup_date == date(2025, 4, 9)
    [stored] = followups(store, order_id)
    assert stored.id == first
    assert stored == replace(parse_followup(followup_raw(), order=loaded,
                                            served_on=date(2025, 3, 4), today=TODAY), id=first)
    follow_up(store, order_id, followup_date="2025-03-10", next_date="2025-03-24",
              visitors="𠮷大勇")
    assert reload(store, order_id).next_followup_date == date(2025, 3, 24)
    # an older visit entered late does not move the date back
    follow_up(store, order_id, followup_date="2025-03-05", next_date="2025-03-06")
    assert reload(store, order_id).next_followup_date == date(2025, 3, 24)
    assert [f.followup_date.day for f in followups(store, order_id)] == [5, 9, 10]
    assert followups(store, order_id)[2].visitors == ("𠮷大勇",)
    assert check(store) == []


def test_follow_up_before_the_service_and_after_the_end_are_refused(store, vids) -> None:
    order_id = save(store, make(vids))
    serve(store, order_id)
    loaded = reload(store, order_id)
    good = parse_followup(followup_raw(), order=loaded, served_on=date(2025, 3, 4), today=TODAY)
    problems = refused(store, lambda: _save_followup(
        store, order_id, replace(good, followup_date=date(2025, 3, 3))))
    assert "不能早于送达日期" in problems["followup_date"]
    problems = refused(store, lambda: _save_followup(store, order_id,
                                                     replace(good, compliance=good.compliance[:1])))
    assert "共 2 项" in problems["compliance"]
    steps = (transition("served", "observing", WORKER, at=at(10)),
             transition("observing", "ended", WORKER, at=at(10, 10), outcome="fulfilled"))
    save(store, replace(loaded, status="ended", outcome="fulfilled",
                        history=(*loaded.history, *steps)))
    problems = refused(store, lambda: _save_followup(store, order_id, good))
    assert "不能再登记回访" in problems["followup_date"]


def test_duties_cannot_be_added_or_removed_after_a_follow_up(store, vids) -> None:
    order_id = save(store, make(vids))
    serve(store, order_id)
    follow_up(store, order_id)
    loaded = reload(store, order_id)
    problems = refused(store, lambda: save(store, replace(loaded, duties=loaded.duties[:1])))
    assert "不能再增删职责" in problems["duties"]
    reworded = replace(loaded, duties=(replace(loaded.duties[0], content="每周视频通话三次"),
                                       loaded.duties[1]))
    save(store, reworded)
    assert reload(store, order_id).duties[0].content == "每周视频通话三次"


# -- audit --------------------------------------------------------------------------------------


def test_audit_notes_who_viewed_and_changed_the_order(store, vids) -> None:
    order_id = save(store, make(vids))
    record_view(store, "王检察官", order_id)
    serve(store, order_id)
    follow_up(store, order_id)
    trail = audit_trail(store, order_id)
    assert [(e.actor, e.action, e.detail) for e in trail] == [
        (WORKER, "change", "保存监护令"), ("王检察官", "view", "打开监护令"),
        (WORKER, "change", "登记送达回证"), (WORKER, "change", "登记回访")]
    assert all(e.record_table == "orders" and e.record_id == order_id for e in trail)
    assert audit.recent(store, 1)[0].detail == "登记回访"
    assert audit_trail(store, "another-order") == []


# -- listing ------------------------------------------------------------------------------------


@pytest.fixture
def listed(store, vids) -> dict[str, str]:
    """Four orders: pending, served with a follow-up due soon, observing and overdue, other village."""
    ids = {}
    ids["pending"] = save(store, make(vids, number="平检未督〔2025〕1号", minor_name="张小红",
                                      minor_id_number=id_for("2012-01-01", "142")))
    ids["served"] = save(store, make(vids, number="平检未督〔2025〕2号"))
    serve(store, ids["served"])
    follow_up(store, ids["served"], next_date="2025-03-15")
    ids["overdue"] = save(store, make(vids, number="平检未督〔2025〕3号", minor_name="欧阳娜娜",
                                      village_id=vids["三里村"],
                                      minor_id_number=id_for("2010-10-10", "222")))
    serve(store, ids["overdue"])
    follow_up(store, ids["overdue"], next_date="2025-03-09", followup_date="2025-03-08")
    loaded = reload(store, ids["overdue"])
    save(store, replace(loaded, status="observing", history=(
        *loaded.history, transition("served", "observing", WORKER, at=at(9)))))
    ids["other"] = save(store, make(vids, number="平检未督〔2025〕4号", minor_name="黄𠮷",
                                    village_id=vids["other"],
                                    minor_id_number=id_for("2013-05-05", "311")))
    return ids


def listed_ids(store: Store, chosen: OrderFilter) -> set[str]:
    where, params = filter_condition(store, chosen, TODAY)
    sql = "SELECT t.id FROM orders t WHERE t.deleted = 0" + (f" AND {where}" if where else "")
    return {row[0] for row in store.conn.execute(sql, params)}


def by_name(listed: dict[str, str], *names: str) -> set[str]:
    return {listed[name] for name in names}


def test_filters(store, listed, vids) -> None:
    assert listed_ids(store, OrderFilter()) == set(listed.values())
    assert listed_ids(store, OrderFilter(status="pending")) == by_name(listed, "pending", "other")
    assert listed_ids(store, OrderFilter(status="observing")) == by_name(listed, "overdue")
    assert listed_ids(store, OrderFilter(village_id=vids["三里村"])) == by_name(listed, "overdue")
    assert listed_ids(store, OrderFilter(followup="due")) == by_name(listed, "served", "overdue")
    assert listed_ids(store, OrderFilter(followup="overdue")) == by_name(listed, "overdue")
    assert listed_ids(store, OrderFilter(followup="due", village_id=vids["张韩村"])) == by_name(
        listed, "served")


@pytest.mark.parametrize(("query", "names"), [
    ("小红", {"pending"}),  # two characters: LIKE
    ("欧阳娜娜", {"overdue"}),  # four: trigram index
    ("𠮷", {"served", "overdue", "pending", "other"}),  # in every guardian's name
    ("黄𠮷", {"other"}),
    ("〔2025〕2号", {"served"}),
    ("𠮷建国 2号", {"served"}),
    ("网吧%", set()),
    ("没有这个人", set()),
])
def test_search(store, listed, query: str, names: set[str]) -> None:
    assert listed_ids(store, OrderFilter(query=query)) == by_name(listed, *names)


# -- 今日待办 ------------------------------------------------------------------------------------


def test_worker_sees_the_orders_of_their_villages(store, listed) -> None:
    worker = make_profile("worker", WORKER, "", [ZHANGHAN, SANLI])
    items = orders_due(store, worker, TODAY, 7)
    found = sorted((i.kind_label, i.record_id, i.due, i.urgent) for i in items)
    assert found == sorted([
        ("监护令回访", listed["served"], date(2025, 3, 15), False),
        ("监护令回访", listed["overdue"], date(2025, 3, 9), False),
        ("监护令待送达", listed["pending"], date(2025, 3, 6), True),
    ])
    sanli_only = make_profile("worker", "王五", "", [SANLI])
    assert {i.record_id for i in orders_due(store, sanli_only, TODAY, 7)} == {listed["overdue"]}


def test_town_sees_every_order(store, listed) -> None:
    town = make_profile("town", "梅仙镇人民政府")
    items = orders_due(store, town, TODAY, 7)
    assert {i.record_id for i in items} == set(listed.values())
    other = next(i for i in items if i.record_id == listed["other"])
    assert other.urgent and other.kind_label == "监护令待送达"


def test_titles_carry_the_pseudonym_never_the_real_name(store, listed) -> None:
    town = make_profile("town", "梅仙镇人民政府")
    items = orders_due(store, town, TODAY, 400)
    titles = {i.record_id: i.title for i in items}
    assert titles[listed["pending"]] == "小张（平检未督〔2025〕1号）"
    assert titles[listed["overdue"]] == "小欧阳（平检未督〔2025〕3号）"
    for title in titles.values():
        for real in ("张小红", "欧阳娜娜", "𠮷小明", "黄𠮷", "𠮷建国"):
            assert real not in title


def test_observation_ending_and_the_horizon(store, listed) -> None:
    worker = make_profile("worker", WORKER, "", [SANLI])
    assert "监护令考察期届满" not in {i.kind_label for i in orders_due(store, worker, TODAY, 7)}
    far = orders_due(store, worker, TODAY, 183)  # observation ends 2025-09-09
    ending = [i for i in far if i.kind_label == "监护令考察期届满"]
    assert [(i.record_id, i.due) for i in ending] == [(listed["overdue"], date(2025, 9, 9))]
    late = orders_due(store, worker, date(2025, 9, 20), 0)
    assert {i.kind_label for i in late} == {"监护令回访", "监护令考察期届满"}


def test_pending_is_urgent_only_after_three_days(store, vids) -> None:
    order_id = save(store, make(vids))  # issued 2025-03-03
    worker = make_profile("worker", WORKER, "", [ZHANGHAN])
    assert orders_due(store, worker, date(2025, 3, 6), 7) == []
    [item] = orders_due(store, worker, date(2025, 3, 7), 7)
    assert (item.record_id, item.urgent, item.due) == (order_id, True, date(2025, 3, 6))
    serve(store, order_id)
    assert all(i.kind_label != "监护令待送达" for i in orders_due(store, worker, TODAY, 7))


def test_due_items_put_urgent_orders_first(store, listed) -> None:
    worker = make_profile("worker", WORKER, "", [ZHANGHAN, SANLI])
    items = due_items(store, worker, TODAY, sources=[orders_due])
    assert [i.record_id for i in items] == [listed["pending"], listed["overdue"],
                                            listed["served"]]
    assert all(i.table == "orders" for i in items)
