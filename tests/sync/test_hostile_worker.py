"""A hostile worker: batches correctly signed by an approved laptop whose contents try to reach
beyond what a worker may say (issue 13). The town's database is compared before and after."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from meixian_desktop.core import clock
from meixian_desktop.core.households import Household
from meixian_desktop.core.ids import uuid7
from meixian_desktop.store import devices
from meixian_desktop.store import households as household_store
from meixian_desktop.store.errors import StoreError
from meixian_desktop.sync.container import open_batch, pack_payload, unpack_payload
from meixian_desktop.sync.inbox import HELD, IMPORTED, REFUSED, FileResult
from meixian_desktop.sync.keys import DeviceKeys
from meixian_desktop.sync.merge import APPLIED, CONFLICT, QUARANTINED
from meixian_desktop.sync.package import assigned_records
from tests.sync.homes import SANLI, ZHANGHAN, Home, connect, make_home, patrol
from tests.sync.test_import_refusals import changed_tables, signed_batch, table_rows

DAOTIAN = "430626108203"  # 稻田村: never assigned to 李梅
# What any import writes: the batch noted, quarantined rows kept, the clock, the roster.
BOOKKEEPING = {"imported_batches", "batch_outcomes", "quarantine", "meta", "devices",
               "sqlite_sequence"}


@pytest.fixture
def stick(tmp_path: Path, town: Home, worker: Home) -> Path:
    folder = tmp_path / "stick"
    connect(town, worker, folder)
    patrol(worker, "第一次巡查")
    first = town.take(worker.export(folder).path, approve_new=True)
    assert first.status == IMPORTED
    return folder


def envelopes(town: Home, path: Path) -> list[dict[str, Any]]:
    """What a real batch carries, read back as the town reads it."""
    records, _files = unpack_payload(open_batch(path, town=town.keys).body)
    return records


def forge(stick: Path, town: Home, sender: Home, items: list[dict[str, Any]], **manifest: Any
          ) -> Path:
    """A batch with these envelopes, signed and sealed with ``sender``'s own keys."""
    return signed_batch(stick, sender.keys, town.keys.encryption_public,
                        sender.store.device_id(), pack_payload(items, {}), **manifest)


def stamp(home: Home, wall_ms: int | None = None) -> str:
    """A clock stamp of ``home``'s device (now, or at ``wall_ms``)."""
    with home.store.transaction() as tx:
        fresh = tx.hlc()
    if wall_ms is None:
        return fresh
    return f"{wall_ms:013d}-00000-{home.store.device_id()}"


def outcome(result: FileResult, table: str) -> tuple[str, str]:
    found = [o for o in result.outcomes if o.table == table]
    assert found, (table, result.line)
    return found[0].outcome, found[0].note


def household_in(home: Home, code: str, name: str) -> str:
    with home.store.transaction() as tx:
        return household_store.save_household(tx, Household(home.village(code), name))


def row_of(home: Home, table: str, record_id: str) -> dict[str, Any]:
    cursor = home.store.conn.execute(f"SELECT * FROM {table} WHERE id = ?", (record_id,))
    found = cursor.fetchone()
    assert found is not None
    return dict(zip([d[0] for d in cursor.description], found, strict=True))


def test_a_claimed_village_list_changes_nothing_and_is_reported(
        town: Home, worker: Home, stick: Path) -> None:
    device = worker.store.device_id()
    every = [code for (code,) in town.store.conn.execute("SELECT code FROM villages")]
    household_in(town, DAOTIAN, "稻田户主")
    result = town.take(forge(stick, town, worker, [], villages=every, seq_from=2, seq_to=2))
    assert result.status == IMPORTED and "以镇里分配的为准" in result.message
    assert set(devices.get(town.store, device).villages) == {ZHANGHAN, SANLI}
    handed = {e["row"]["head_name"] for e in assigned_records(town.store, (ZHANGHAN, SANLI))
              if e["table"] == "households"}
    assert "稻田户主" not in handed


def test_rows_of_unassigned_villages_are_quarantined_and_the_rest_applies(
        town: Home, worker: Home, stick: Path) -> None:
    patrol(worker, "第二次巡查")
    items = envelopes(town, worker.export(stick, new_only=True).path)
    legit = [dict(e, row=dict(e["row"])) for e in items]
    outside = json.loads(json.dumps(items))
    for item in outside:  # the same patrol, moved to 稻田村 under fresh ids
        item["row"]["id"] = uuid7() if item["table"] == "patrols" else item["row"]["id"]
    patrol_row = next(e["row"] for e in outside if e["table"] == "patrols")
    patrol_row["village_ids"] = json.dumps([town.village(DAOTIAN)])
    before = table_rows(town.store)
    result = town.take(forge(stick, town, worker, [e for e in outside if e["table"] == "patrols"]
                             + legit, seq_from=2, seq_to=9))
    assert result.status == IMPORTED
    moved = [o for o in result.outcomes if o.row_id == patrol_row["id"]]
    assert moved[0].outcome == QUARANTINED and "没有分给这台电脑的村" in moved[0].note
    assert result.count(APPLIED) == len(legit)
    assert town.count("patrols", f"id = '{patrol_row['id']}'") == 0
    assert changed_tables(before, table_rows(town.store)) <= BOOKKEEPING | {
        "patrols", "findings", "journal", "patrols_fts", "findings_fts",
        *(f"{t}_fts_{p}" for t in ("patrols", "findings") for p in ("data", "idx", "docsize"))}


def test_the_towns_rows_in_other_villages_cannot_be_overwritten_even_with_its_base(
        town: Home, worker: Home, stick: Path) -> None:
    target = household_in(town, DAOTIAN, "稻田户主")
    kept = row_of(town, "households", target)
    forged = dict(kept, head_name="被改掉", hlc=stamp(worker), origin="someone-else")
    before = table_rows(town.store)
    result = town.take(forge(stick, town, worker, [
        {"table": "households", "row": forged, "base": kept["hlc"]}], seq_from=2, seq_to=2))
    assert outcome(result, "households")[0] == QUARANTINED
    assert row_of(town, "households", target) == kept
    assert changed_tables(before, table_rows(town.store)) <= BOOKKEEPING


def test_an_assigned_villages_household_changes_only_through_the_conflict_path(
        town: Home, worker: Home, stick: Path) -> None:
    target = household_in(town, ZHANGHAN, "张韩户主")
    kept = row_of(town, "households", target)
    with town.store.transaction() as tx:  # the town edits it after the worker was sent it
        tx.conn.execute("UPDATE households SET notes = '镇里改过', hlc = ?, rev = rev + 1 "
                        "WHERE id = ?", (tx.hlc(), target))
    forged = dict(kept, head_name="网格员改的", hlc=stamp(worker), origin="someone-else",
                  rev=kept["rev"] + 1)
    result = town.take(forge(stick, town, worker, [
        {"table": "households", "row": forged, "base": kept["hlc"]}], seq_from=2, seq_to=2))
    assert outcome(result, "households")[0] == CONFLICT  # a base that is not current: reviewed
    after = row_of(town, "households", target)
    assert after["origin"] == kept["origin"] == town.store.device_id()  # the first origin stays
    assert town.count("conflicts", "1") == 1


def test_another_workers_patrol_town_data_and_number_blocks_are_refused(
        tmp_path: Path, town: Home, worker: Home, stick: Path) -> None:
    other = make_home(tmp_path / "other", "worker", "王强", [ZHANGHAN])
    connect(town, other, stick)
    patrol(other, "王强的巡查")
    assert town.take(other.export(stick).path, approve_new=True).status == IMPORTED
    theirs = town.store.conn.execute(
        "SELECT id FROM patrols WHERE notes = '王强的巡查'").fetchone()[0]
    kept = row_of(town, "patrols", theirs)
    village = row_of(town, "villages", town.village(ZHANGHAN))
    block = {"id": uuid7(), "device_id": worker.store.device_id(), "year": 2026, "first": 1,
             "last": 99999}
    now = stamp(worker)
    common = {"created_at": kept["created_at"], "updated_at": kept["updated_at"], "hlc": now,
              "origin": worker.store.device_id(), "rev": 1, "deleted": 0}
    before = table_rows(town.store)
    result = town.take(forge(stick, town, worker, [
        {"table": "patrols", "row": dict(kept, notes="改掉别人的", hlc=now, rev=kept["rev"] + 1),
         "base": kept["hlc"]},
        {"table": "villages", "row": dict(village, name="改名村", hlc=now), "base": village["hlc"]},
        {"table": "case_number_blocks", "row": {**block, **common}, "base": None},
    ], seq_from=2, seq_to=4))
    assert [o.outcome for o in result.outcomes] == [QUARANTINED] * 3
    assert "其他人录入" in result.outcomes[0].note and "镇里统一管理" in result.outcomes[1].note
    assert row_of(town, "patrols", theirs) == kept
    assert changed_tables(before, table_rows(town.store)) <= BOOKKEEPING


def test_a_new_rows_origin_is_its_sender(town: Home, worker: Home, stick: Path) -> None:
    patrol(worker, "冒名的巡查")
    items = envelopes(town, worker.export(stick, new_only=True).path)
    for item in items:
        item["row"]["origin"] = "someone-else"
    result = town.take(forge(stick, town, worker, items, seq_from=2, seq_to=9))
    assert result.count(APPLIED) == len(items)
    origins = {r[0] for r in town.store.conn.execute(
        "SELECT origin FROM patrols WHERE notes = '冒名的巡查'")}
    assert origins == {worker.store.device_id()}


@pytest.mark.parametrize("wall_ms", [9_999_999_999_999, int(datetime(2099, 1, 1).timestamp() * 1000)])
def test_a_far_future_clock_is_quarantined_and_the_town_keeps_working(
        town: Home, worker: Home, stick: Path, wall_ms: int) -> None:
    patrol(worker, "时钟拨快")
    items = envelopes(town, worker.export(stick, new_only=True).path)
    for item in items:
        item["row"]["hlc"] = (stamp(worker, wall_ms)[:14] + "99998"
                              + stamp(worker, wall_ms)[19:])
    clock_before = town.store.meta("hlc_last")
    result = town.take(forge(stick, town, worker, items, seq_from=2, seq_to=9))
    assert result.status == IMPORTED
    assert {o.outcome for o in result.outcomes} == {QUARANTINED}
    assert all("时间不对" in o.note for o in result.outcomes if o.table == "patrols")
    assert town.store.meta("hlc_last") == clock_before  # never observed
    household_in(town, ZHANGHAN, "之后照常保存")  # the town saves as before
    patrol(worker, "之后照常交")
    normal = town.take(worker.export(stick, new_only=True).path)
    assert normal.status == IMPORTED and normal.count(APPLIED) == len(normal.outcomes) > 0


def test_a_clock_at_its_maximum_is_a_refusal_not_a_traceback(town: Home) -> None:
    with town.store.transaction() as tx:
        tx.conn.execute("UPDATE meta SET value = ? WHERE key = 'hlc_last'",
                        (f"9999999999999-99999-{town.store.device_id()}",))
    with pytest.raises(StoreError) as caught:
        household_in(town, ZHANGHAN, "存不进去")
    assert "上限" in caught.value.message
    assert town.count("households", "head_name = '存不进去'") == 0


def test_a_revoked_key_stays_revoked_under_a_new_device_id(
        town: Home, worker: Home, stick: Path) -> None:
    devices.decide(town.store, worker.store.device_id(), devices.REVOKED, "镇综治办")
    before = table_rows(town.store)
    path = signed_batch(stick, worker.keys, town.keys.encryption_public, uuid7(),
                        pack_payload([], {}))
    for approve_new in (False, True):
        result = town.take(path, approve_new=approve_new)
        assert result.status == REFUSED and "已停用" in result.message
    assert table_rows(town.store) == before


def test_a_key_already_registered_cannot_come_again_as_another_device(
        town: Home, worker: Home, stick: Path) -> None:
    path = signed_batch(stick, worker.keys, town.keys.encryption_public, uuid7(),
                        pack_payload([], {}))
    result = town.take(path)
    assert result.status == REFUSED and "登记" in result.message


def test_another_devices_batch_id_is_refused(tmp_path: Path, town: Home, worker: Home,
                                             stick: Path) -> None:
    other = make_home(tmp_path / "other", "worker", "王强", [ZHANGHAN])
    connect(town, other, stick)
    patrol(other, "王强的巡查")
    real = other.export(stick)
    squat = forge(stick, town, worker, [], batch_id=real.batch_id, seq_from=2, seq_to=2)
    assert town.take(squat).status == IMPORTED  # first come: the id is now the worker's
    theirs = town.take(real.path, approve_new=True)
    assert theirs.status == REFUSED and "另一台电脑" in theirs.message
    # The real worker's next export carries the same records under a new id and goes in.
    again = town.take(other.export(stick).path, approve_new=True)
    assert again.status == IMPORTED and again.count(APPLIED) > 0


def test_a_journal_range_far_beyond_the_last_is_refused(
        town: Home, worker: Home, stick: Path) -> None:
    before = table_rows(town.store)
    result = town.take(forge(stick, town, worker, [], seq_from=2, seq_to=2**62 - 1))
    assert result.status == REFUSED and "序号范围" in result.message
    assert table_rows(town.store) == before


def test_control_characters_in_a_field_are_quarantined(
        town: Home, worker: Home, stick: Path) -> None:
    patrol(worker, "正常")
    items = envelopes(town, worker.export(stick, new_only=True).path)
    for item in items:
        if item["table"] == "patrols":
            item["row"]["notes"] = "前半\x00后半\x1b[2J"
    result = town.take(forge(stick, town, worker, items, seq_from=2, seq_to=9))
    assert outcome(result, "patrols") [0] == QUARANTINED
    assert "控制字符" in outcome(result, "patrols")[1]


def test_held_devices_are_capped_and_their_files_expire(
        town: Home, worker: Home, stick: Path, clock_at) -> None:
    from meixian_desktop.store import settings as settings_store

    with town.store.transaction():
        settings_store.put(town.store, "sync_max_held_devices", 2)
    results = []
    for _ in range(4):
        keys = DeviceKeys(X25519PrivateKey.generate(), Ed25519PrivateKey.generate())
        results.append(town.take(signed_batch(stick, keys, town.keys.encryption_public,
                                              uuid7(), b"never read")))
    assert [r.status for r in results] == [HELD, HELD, REFUSED, REFUSED]
    assert "上限" in results[2].message
    held = [Path(p) for (p,) in town.store.conn.execute("SELECT file_path FROM held_batches")]
    assert len(held) == 2 and all(p.exists() for p in held)
    clock_at("2026-08-01T10:00")  # 45 days on: past the 30 kept
    keys = DeviceKeys(X25519PrivateKey.generate(), Ed25519PrivateKey.generate())
    late = town.take(signed_batch(stick, keys, town.keys.encryption_public, uuid7(), b"x"))
    assert late.status == HELD
    assert not any(p.exists() for p in held)
    assert town.count("held_batches", "1") == 1


def test_a_package_signed_by_another_key_is_refused_naming_both_fingerprints(
        tmp_path: Path, town: Home, worker: Home, stick: Path) -> None:
    from meixian_desktop.sync.errors import SyncError
    from meixian_desktop.sync.package import export_package, import_package

    impostor = make_home(tmp_path / "impostor", "town", "梅仙镇人民政府", [])
    forged = export_package(impostor.store, impostor.keys, impostor.profile, stick)
    before = table_rows(worker.store)
    with pytest.raises(SyncError) as caught:
        import_package(worker.store, worker.keys, forged, confirm=lambda _found: True)
    assert impostor.keys.fingerprint in caught.value.message
    assert town.keys.fingerprint in caught.value.message
    assert table_rows(worker.store) == before


def test_the_first_package_is_taken_only_once_its_fingerprint_is_confirmed(
        tmp_path: Path, town: Home) -> None:
    from meixian_desktop.sync.errors import SyncError
    from meixian_desktop.sync.package import export_package, import_package

    fresh = make_home(tmp_path / "fresh", "worker", "赵云", [ZHANGHAN])
    package = export_package(town.store, town.keys, town.profile, tmp_path)
    shown: list[str] = []
    with pytest.raises(SyncError) as caught:
        import_package(fresh.store, fresh.keys, package,
                       confirm=lambda found: shown.append(found) is not None)
    assert shown == [town.keys.fingerprint] and "核对" in caught.value.message
    assert not fresh.store.meta("town_signing_public")
    with pytest.raises(SyncError):
        import_package(fresh.store, fresh.keys, package)  # no one to ask: not trusted
    applied = import_package(fresh.store, fresh.keys, package, confirm=lambda _found: True)
    assert applied.version and fresh.store.meta("town_signing_public")


@pytest.mark.parametrize(("table", "column", "value"), [
    ("findings", "action", "burn_it_all"),  # a code the editors would never offer
    ("patrols", "weather", "hurricane"),
    ("findings", "status", ""),  # a required code left empty
])
def test_codes_are_checked_by_the_editors_own_category_sets(
        town: Home, worker: Home, stick: Path, table: str, column: str, value: str) -> None:
    patrol(worker, "代码不对")
    items = envelopes(town, worker.export(stick, new_only=True).path)
    for item in items:
        if item["table"] == table:
            item["row"][column] = value
    result = town.take(forge(stick, town, worker, items, seq_from=2, seq_to=9))
    found, note = outcome(result, table)
    assert found == QUARANTINED and column in note


def test_a_town_package_stamp_far_ahead_is_quarantined_on_the_laptop(
        tmp_path: Path, town: Home, worker: Home, stick: Path) -> None:
    from meixian_desktop.sync.package import export_package, import_package

    target = household_in(town, ZHANGHAN, "时间不对的户")
    with town.store.transaction() as tx:  # a stamp from a town clock that ran far ahead
        tx.conn.execute("UPDATE households SET hlc = ? WHERE id = ?",
                        (f"9999999999000-00000-{town.store.device_id()}", target))
    package = export_package(town.store, town.keys, town.profile, tmp_path)
    import_package(worker.store, worker.keys, package)
    assert worker.count("households", f"id = '{target}'") == 0
    reason = worker.store.conn.execute(
        "SELECT reason FROM quarantine WHERE row_id = ?", (target,)).fetchone()[0]
    assert "时间不对" in reason
    assert int(worker.store.meta("hlc_last")[:13]) < clock.now_ms() + 60_000  # not observed
    patrol(worker, "之后照常保存")  # the laptop's own clock was not dragged along
