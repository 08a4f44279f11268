"""Record conventions: ids, timestamps, clock, origin, rev and tombstones."""

from __future__ import annotations

import pytest

from meixian_desktop.core.hlc import Hlc
from meixian_desktop.core.ids import uuid7_time_ms
from meixian_desktop.store import records
from meixian_desktop.store.villages import list_villages


def _village_id(store) -> str:
    return list_villages(store)[0].id


def test_insert_sets_every_convention(store) -> None:
    with store.transaction() as tx:
        group_id = records.insert(tx, "village_groups",
                                  {"village_id": _village_id(store), "name": "第一组"})
    row = records.get(store, "village_groups", group_id)
    assert row is not None
    assert uuid7_time_ms(group_id) > 0
    assert row["origin"] == store.device_id()
    assert row["rev"] == 1 and row["deleted"] == 0
    assert row["created_at"] == row["updated_at"]
    assert row["created_at"][-6] in "+-"  # ISO-8601 with an offset
    assert Hlc.parse(row["hlc"]).device == store.device_id()


def test_update_bumps_rev_and_clock(store) -> None:
    with store.transaction() as tx:
        group_id = records.insert(tx, "village_groups",
                                  {"village_id": _village_id(store), "name": "第一组"})
    first = records.get(store, "village_groups", group_id)
    with store.transaction() as tx:
        records.update(tx, "village_groups", group_id, {"name": "一组"})
    second = records.get(store, "village_groups", group_id)
    assert second["name"] == "一组"
    assert second["rev"] == 2
    assert Hlc.parse(second["hlc"]) > Hlc.parse(first["hlc"])


def test_clock_survives_restart_and_a_wall_clock_set_back(session) -> None:
    store = session.store
    with store.transaction() as tx:
        records.insert(tx, "village_groups", {"village_id": _village_id(store), "name": "甲"})
    before = store.last_hlc()
    # The laptop's clock is set back a day and the app restarted: stamps still move forward.
    session.store.close()
    from meixian_desktop.store.database import Store

    store = Store.open(session.paths.database)
    session.store = store
    store.now_ms = lambda: before.wall_ms - 86_400_000
    with store.transaction() as tx:
        records.insert(tx, "village_groups", {"village_id": _village_id(store), "name": "乙"})
    assert store.last_hlc() > before


def test_tombstone_keeps_the_row_and_hides_it_from_counts(store) -> None:
    village_id = _village_id(store)
    with store.transaction() as tx:
        group_id = records.insert(tx, "village_groups", {"village_id": village_id, "name": "甲"})
    counted = records.live_counts(store)["village_groups"]
    with store.transaction() as tx:
        records.tombstone(tx, "village_groups", group_id)
    row = records.get(store, "village_groups", group_id)
    assert row["deleted"] == 1 and row["rev"] == 2
    assert records.live_counts(store)["village_groups"] == counted - 1
    with pytest.raises(KeyError), store.transaction() as tx:
        records.tombstone(tx, "village_groups", group_id)


def test_convention_columns_cannot_be_set_by_callers(store) -> None:
    with pytest.raises(ValueError), store.transaction() as tx:
        records.insert(tx, "village_groups", {"village_id": _village_id(store), "name": "甲",
                                              "origin": "forged"})


def test_unknown_table_is_refused(store) -> None:
    with pytest.raises(ValueError), store.transaction() as tx:
        records.insert(tx, "audit_log", {"actor": "x"})


def test_error_inside_a_transaction_rolls_everything_back(store) -> None:
    village_id = _village_id(store)
    before = records.live_counts(store)["village_groups"]
    with pytest.raises(RuntimeError), store.transaction() as tx:
        records.insert(tx, "village_groups", {"village_id": village_id, "name": "甲"})
        raise RuntimeError("power cut")
    assert records.live_counts(store)["village_groups"] == before


def test_rare_characters_survive_storage(store) -> None:
    with store.transaction() as tx:
        group_id = records.insert(tx, "village_groups",
                                  {"village_id": _village_id(store), "name": "𠮷家组"})
    assert records.get(store, "village_groups", group_id)["name"] == "𠮷家组"
