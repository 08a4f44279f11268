"""Worker → town → receipt → worker, by files on a stick, with each record's state checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from meixian_desktop.demo import fill_demo
from meixian_desktop.store import devices
from meixian_desktop.sync.errors import NothingToSend, SyncError
from meixian_desktop.sync.inbox import (
    ALREADY,
    HELD,
    IMPORTED,
    REFUSED,
    approve_device,
    missing_ranges,
)
from meixian_desktop.sync.merge import APPLIED, CONFLICT, QUARANTINED
from meixian_desktop.sync.outbox import record_state, sendable_tables, waiting_counts
from meixian_desktop.sync.receipts import apply_receipt, write_receipt
from tests.sync.homes import TODAY, ZHANGHAN, Home, connect, make_home, patrol, trust_town


@pytest.fixture
def stick(tmp_path: Path, town: Home, worker: Home) -> Path:
    folder = tmp_path / "stick"
    connect(town, worker, folder)
    return folder


def _rows(home: Home, table: str) -> dict[str, tuple]:
    columns = "id, hlc, rev, deleted, origin"
    return {r[0]: tuple(r) for r in home.store.conn.execute(f"SELECT {columns} FROM {table}")}


def test_every_record_kind_goes_to_the_town_and_comes_back_acknowledged(
        town: Home, worker: Home, stick: Path) -> None:
    fill_demo(worker.session)
    sendable = sendable_tables(worker.store.conn)
    waiting = waiting_counts(worker.store)
    assert {"patrols", "findings", "households", "members", "visits", "orders",
            "order_followups", "cases", "case_parties"} <= set(waiting)
    some_patrol = next(iter(_rows(worker, "patrols")))
    assert record_state(worker.store, "patrols", some_patrol) == "pending"

    made = worker.export(stick)
    assert made.records == sum(waiting.values()) and made.counts == waiting
    assert record_state(worker.store, "patrols", some_patrol) == "exported"

    first = town.take(made.path)
    assert first.status == HELD and "指纹" in first.message
    assert "张韩村" in first.message  # the villages it claims, for the town to check
    assert town.count("patrols") == 0  # nothing applied before the device is approved
    # The demo fills every village of the town: the town assigns them all before approving.
    devices.assign(town.store, first.device_id, tuple(
        code for (code,) in town.store.conn.execute("SELECT code FROM villages")))
    results = approve_device(town.store, town.keys, first.device_id, "镇管理员",
                             town.paths.held_batches_dir, town.paths.attachments_dir,
                             today=TODAY)
    assert [r.status for r in results] == [IMPORTED]
    assert results[0].count(APPLIED) == made.records
    for table in sendable:
        assert _rows(town, table) == _rows(worker, table) or table not in waiting, table

    receipt = write_receipt(town.store, town.keys, made.batch_id, stick)
    applied = apply_receipt(worker.store, receipt)
    assert applied.acknowledged == made.records and applied.conflicts == 0
    assert record_state(worker.store, "patrols", some_patrol) == "acknowledged"
    assert waiting_counts(worker.store) == {}
    with pytest.raises(NothingToSend):
        worker.export(stick)

    again = town.take(made.path)  # the same file twice: nothing changes
    assert again.status == ALREADY and again.outcomes == results[0].outcomes
    assert apply_receipt(worker.store, receipt).already


def test_an_edit_after_export_is_pending_again_and_sent_again(
        town: Home, worker: Home, stick: Path) -> None:
    patrol_id = patrol(worker)
    made = worker.export(stick)
    town.take(made.path, approve_new=True)
    apply_receipt(worker.store, write_receipt(town.store, town.keys, made.batch_id, stick))
    with worker.store.transaction() as tx:
        tx.conn.execute("UPDATE patrols SET notes = '改过了', hlc = ?, rev = rev + 1 "
                        "WHERE id = ?", (tx.hlc(), patrol_id))
    assert record_state(worker.store, "patrols", patrol_id) == "pending"
    second = worker.export(stick, new_only=True)
    assert second.counts == {"patrols": 1}
    result = town.take(second.path)
    assert [o.outcome for o in result.outcomes] == [APPLIED]
    notes = town.store.conn.execute("SELECT notes FROM patrols WHERE id = ?",
                                    (patrol_id,)).fetchone()[0]
    assert notes == "改过了"
    assert missing_ranges(town.store, worker.store.device_id()) == []


def test_a_lost_batch_is_reported_as_a_gap_and_everything_unacknowledged_fills_it(
        town: Home, worker: Home, stick: Path) -> None:
    patrol(worker, "第一次")
    first = worker.export(stick)
    patrol(worker, "第二次")
    lost = worker.export(stick, new_only=True)
    lost.path.unlink()  # the stick with the second batch fell in the river
    patrol(worker, "第三次")
    third = worker.export(stick, new_only=True)
    town.take(first.path, approve_new=True)
    town.take(third.path)
    device = worker.store.device_id()
    assert missing_ranges(town.store, device) == [(lost_start(lost, worker), third_start(third,
                                                                                        worker))]
    everything = worker.export(stick)  # default: all not yet acknowledged
    town.take(everything.path)
    assert missing_ranges(town.store, device) == []
    assert town.count("patrols") == 3


def lost_start(lost, worker: Home) -> int:
    return int(worker.store.conn.execute("SELECT seq_from FROM sync_batches WHERE batch_id = ?",
                                         (lost.batch_id,)).fetchone()[0])


def third_start(third, worker: Home) -> int:
    return int(worker.store.conn.execute("SELECT seq_from FROM sync_batches WHERE batch_id = ?",
                                         (third.batch_id,)).fetchone()[0]) - 1


def test_two_workers_edit_the_same_household_the_later_clock_wins_the_loser_is_kept(
        tmp_path: Path, town: Home, worker: Home, stick: Path) -> None:
    from meixian_desktop.core.households import Household
    from meixian_desktop.store import households as household_store
    from meixian_desktop.sync.package import export_package, import_package

    other = make_home(tmp_path / "other", "worker", "周敏", [ZHANGHAN])
    try:
        connect(town, other, stick)
        with town.store.transaction() as tx:  # the town registers a household in 张韩村
            household_id = household_store.save_household(tx, Household(
                village_id=town.village(), head_name="王建国", address="张韩村三组"))
        # both workers are approved and get the household in their package
        for home in (worker, other):
            town.take(home.export(stick).path if waiting_counts(home.store) else
                      _first_batch(home, stick), approve_new=True)
        package = export_package(town.store, town.keys, town.profile, stick)
        for home in (worker, other):
            import_package(home.store, home.keys, package, today=TODAY, confirm=trust_town)
            assert home.count("households") == 1
        for home, address in ((worker, "张韩村三组18号"), (other, "张韩村三组20号")):
            with home.store.transaction() as tx:  # offline, the same day, both correct it
                tx.conn.execute("UPDATE households SET address = ?, hlc = ?, rev = rev + 1 "
                                "WHERE id = ?", (address, tx.hlc(), household_id))
        early, late = worker.export(stick), other.export(stick)
        first = next(o for o in town.take(early.path).outcomes if o.table == "households")
        assert first.outcome == APPLIED  # made on the town's version: a plain update
        result = town.take(late.path)
        outcome = next(o for o in result.outcomes if o.table == "households")
        later = max((worker, other), key=lambda h: _hlc(h, household_id))
        assert outcome.outcome == CONFLICT
        kept = town.store.conn.execute("SELECT address FROM households WHERE id = ?",
                                       (household_id,)).fetchone()[0]
        assert kept == _address(later, household_id)
        lost = town.store.conn.execute("SELECT lost_row FROM conflicts WHERE row_id = ?",
                                       (household_id,)).fetchone()[0]
        loser = other if later is worker else worker
        assert json.loads(lost)["address"] == _address(loser, household_id)

        from meixian_desktop.sync.review import conflicts, restore_losing

        [review] = conflicts(town.store)
        assert review.worker == loser.profile.name or review.worker == later.profile.name
        assert ("address", kept, _address(loser, household_id)) in review.differences()
        restore_losing(town.store, review.id, "镇管理员")  # the town decides the loser was right
        assert _address(town, household_id) == _address(loser, household_id)
        assert conflicts(town.store) == []
        assert "恢复" in conflicts(town.store, open_only=False)[0].resolved
    finally:
        other.session.close()


def _first_batch(home: Home, stick: Path) -> Path:
    patrol(home, f"{home.profile.name}的巡查")
    return home.export(stick).path


def _hlc(home: Home, household_id: str) -> str:
    return str(home.store.conn.execute("SELECT hlc FROM households WHERE id = ?",
                                       (household_id,)).fetchone()[0])


def _address(home: Home, household_id: str) -> str:
    return str(home.store.conn.execute("SELECT address FROM households WHERE id = ?",
                                       (household_id,)).fetchone()[0])


def test_a_record_that_fails_the_rules_is_quarantined_and_the_rest_applied(
        town: Home, worker: Home, stick: Path) -> None:
    good = patrol(worker, "好的")
    bad = patrol(worker, "坏的")
    with worker.store.transaction() as tx:  # e.g. written by an older, buggier version
        tx.conn.execute("UPDATE patrols SET kind = 'volcano', hlc = ? WHERE id = ?",
                        (tx.hlc(), bad))
    made = worker.export(stick)
    result = town.take(made.path, approve_new=True)
    by_id = {o.row_id: o for o in result.outcomes}
    assert by_id[good].outcome == APPLIED and by_id[bad].outcome == QUARANTINED
    assert "类别" in by_id[bad].note
    assert town.count("patrols") == 1
    reason = town.store.conn.execute("SELECT reason FROM quarantine WHERE row_id = ?",
                                     (bad,)).fetchone()[0]
    assert reason == by_id[bad].note
    applied = apply_receipt(worker.store, write_receipt(town.store, town.keys, made.batch_id,
                                                        stick))
    assert applied.conflicts >= 1
    assert record_state(worker.store, "patrols", bad) == "quarantined"
    assert record_state(worker.store, "patrols", good) == "acknowledged"


def test_revoked_or_impostor_devices_and_foreign_receipts_are_refused(
        tmp_path: Path, town: Home, worker: Home, stick: Path) -> None:
    patrol(worker)
    made = worker.export(stick)
    town.take(made.path, approve_new=True)
    devices.decide(town.store, worker.store.device_id(), devices.REVOKED, "镇管理员")
    patrol(worker, "又一次")
    refused = town.take(worker.export(stick, new_only=True).path)
    assert refused.status == REFUSED and "停用" in refused.message

    impostor = make_home(tmp_path / "impostor", "worker", "冒名", [ZHANGHAN])
    try:
        connect(town, impostor, stick)
        receipt = write_receipt(town.store, town.keys, made.batch_id, stick)
        with pytest.raises(SyncError, match="另一台电脑"):
            apply_receipt(impostor.store, receipt)
    finally:
        impostor.session.close()


def test_a_tombstone_without_its_parent_and_a_duplicate_photo_are_quarantined_not_a_crash(
        town: Home, worker: Home, stick: Path) -> None:
    import hashlib

    from meixian_desktop.sync.container import pack_payload, write_batch
    from meixian_desktop.sync.outbox import collect

    patrol(worker, findings=1)
    photo = stick / "p.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0" + b"photo" * 100)
    from meixian_desktop.store.attachments import add_photo

    with worker.store.transaction() as tx:
        add_photo(tx, worker.paths.attachments_dir, photo)
    outgoing = collect(worker.store, worker.paths.attachments_dir)
    envelopes = [e for e in outgoing.envelopes if e["table"] != "patrols"]  # the parent lost
    finding = next(e for e in envelopes if e["table"] == "findings")
    finding["row"]["deleted"] = 1
    twin = next(e for e in envelopes if e["table"] == "attachments")
    clone = {"table": "attachments", "row": {**twin["row"], "id": hashlib.sha256(b"x").hexdigest()},
             "base": None}  # a second row claiming the same photo under another id
    manifest = {"batch_id": "01a2b3c4-0000-7000-8000-000000000001",
                "device_id": worker.store.device_id(), "worker": "李梅", "phone": "",
                "villages": [], "created_at": "2025-03-20T10:00:00+08:00", "seq_from": 1,
                "seq_to": 99, "new_only": False, "records": 3, "attachments": 1, "counts": {}}
    from meixian_desktop.store.attachments import read_stored
    from meixian_desktop.sync.outbox import town_keys

    payload = pack_payload([*envelopes, clone], outgoing.attachments,
                           read=lambda kept: read_stored(kept, worker.store.key))
    path = write_batch(stick, manifest, payload,
                       sender=worker.keys, town_encryption_public=town_keys(worker.store)[1],
                       name="hand-made.mxsync")
    result = town.take(path, approve_new=True)
    by_table = {o.table: o for o in result.outcomes}
    assert by_table["findings"].outcome == QUARANTINED and "上级记录" in by_table["findings"].note
    outcomes = [o.outcome for o in result.outcomes if o.table == "attachments"]
    assert sorted(outcomes) == [APPLIED, QUARANTINED]
    assert town.count("attachments") == 1 and town.count("findings", "1 = 1") == 0


def test_an_export_clears_half_files_an_old_interrupted_export_left(worker: Home,
                                                                    stick: Path) -> None:
    import os
    import time

    old = stick / "李梅-20250301-0900-aaaaaa.mxsync.part"
    old.write_bytes(b"PK half a batch")
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    fresh = stick / "李梅-20250320-0900-bbbbbb.mxsync.part"  # maybe still being written
    fresh.write_bytes(b"PK")
    patrol(worker)
    worker.export(stick)
    assert not old.exists() and fresh.exists()
