"""The change journal is filled by triggers, so no write can be missed by a batch."""

from __future__ import annotations

from meixian_desktop.core.hlc import Hlc
from meixian_desktop.store import journal, records
from meixian_desktop.store.villages import list_villages


def test_every_insert_and_update_appends_in_order(store) -> None:
    start = journal.last_seq(store)
    village_id = list_villages(store)[0].id
    with store.transaction() as tx:
        group_id = records.insert(tx, "village_groups", {"village_id": village_id, "name": "甲"})
        records.update(tx, "village_groups", group_id, {"name": "乙"})
        records.tombstone(tx, "village_groups", group_id)
    entries = journal.entries_after(store, start)
    assert [e.row_id for e in entries] == [group_id] * 3
    assert all(e.table == "village_groups" and e.local for e in entries)
    assert [e.seq for e in entries] == sorted(e.seq for e in entries)
    assert entries[-1].hlc == records.get(store, "village_groups", group_id)["hlc"]


def test_a_write_stamped_by_another_device_is_not_local(store) -> None:
    start = journal.last_seq(store)
    village_id = list_villages(store)[0].id
    foreign = str(Hlc(1_700_000_000_000, 0, "0190aaaa-0000-7000-8000-000000000001"))
    store.conn.execute(
        "INSERT INTO village_groups(id, created_at, updated_at, hlc, origin, rev, deleted, "
        "village_id, name, retired, sort) VALUES ('g1', 'x', 'x', ?, 'other', 1, 0, ?, '丙', 0, 0)",
        (foreign, village_id),
    )
    everything = journal.entries_after(store, start, local_only=False)
    assert [(e.row_id, e.local) for e in everything] == [("g1", False)]
    assert journal.entries_after(store, start) == []


def test_first_run_seeding_is_journalled(store) -> None:
    seeded = {e.row_id for e in journal.entries_after(store, 0) if e.table == "villages"}
    assert seeded == {v.id for v in list_villages(store, include_retired=True)}
