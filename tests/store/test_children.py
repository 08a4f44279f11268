"""store/children.py: one policy for child rows, and unchanged children left alone."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from meixian_desktop.core.households import Household, Member
from meixian_desktop.core.patrols import Finding, Patrol
from meixian_desktop.store import households as household_store
from meixian_desktop.store import patrols as patrol_store
from meixian_desktop.store import records
from meixian_desktop.sync.outbox import collect
from tests.conftest import ZHANGHAN


def _village(store) -> str:
    return store.conn.execute("SELECT id FROM villages WHERE code = ?", (ZHANGHAN,)).fetchone()[0]


def _patrol(store) -> Patrol:
    findings = tuple(Finding("floating_waste", f"漂浮物{n}", place=f"{n}号桩",
                             action="registered") for n in range(3))
    with store.transaction() as tx:
        patrol_id = patrol_store.save_patrol(tx, Patrol(
            "river", date(2025, 3, 5), "李梅", (_village(store),), notes="巡河",
            river_name="汨罗江", findings=findings))
    return patrol_store.load_patrol(store, patrol_id)


def _journal(store, table: str) -> int:
    return store.conn.execute("SELECT count(*) FROM journal WHERE tbl = ?", (table,)).fetchone()[0]


def test_editing_only_a_patrols_notes_leaves_its_findings_untouched(
        store, paths, tmp_path: Path) -> None:
    patrol = _patrol(store)
    revs = [r[0] for r in store.conn.execute("SELECT rev FROM findings ORDER BY sort")]
    journal = _journal(store, "findings")
    sent = collect(store, paths.attachments_dir)
    store.conn.execute("INSERT INTO sync_batches(batch_id, created_at, seq_from, seq_to, records,"
                       " attachments, file_name, new_only) VALUES ('b1', 'x', ?, ?, 4, 0, 'f', 0)",
                       (sent.seq_from, sent.seq_to))
    store.conn.commit()
    with store.transaction() as tx:
        patrol_store.save_patrol(tx, replace(patrol, notes="巡河，补记：水位正常"))
    assert [r[0] for r in store.conn.execute("SELECT rev FROM findings ORDER BY sort")] == revs
    assert _journal(store, "findings") == journal
    after = collect(store, paths.attachments_dir, new_only=True)
    assert [e["table"] for e in after.envelopes] == ["patrols"]  # 1 record, not 4


def test_a_child_deleted_elsewhere_but_still_on_the_form_is_restored(store) -> None:
    patrol = _patrol(store)
    gone = patrol.findings[1]
    with store.transaction() as tx:  # a town package tombstoned it meanwhile
        records.tombstone(tx, "findings", str(gone.id))
    edited = replace(patrol, findings=(patrol.findings[0],
                                       replace(gone, description="还在，已复查"),
                                       patrol.findings[2]))
    with store.transaction() as tx:
        patrol_store.save_patrol(tx, edited)
    again = patrol_store.load_patrol(store, str(patrol.id))
    assert [f.description for f in again.findings] == ["漂浮物0", "还在，已复查", "漂浮物2"]
    assert again.findings[1].id == gone.id


def test_another_parents_child_id_is_saved_as_a_new_child(store) -> None:
    village = _village(store)
    with store.transaction() as tx:
        first = household_store.save_household(tx, Household(
            village, "张三", members=(Member("张三", relation="self"),)))
    theirs = household_store.load_household(store, first).members[0]
    with store.transaction() as tx:
        second = household_store.save_household(tx, Household(
            village, "李四", members=(replace(theirs, name="李四"),)))
    mine = household_store.load_household(store, second).members[0]
    assert mine.id != theirs.id and mine.name == "李四"
    assert household_store.load_household(store, first).members[0].name == "张三"


def test_a_child_removed_from_the_form_is_tombstoned(store) -> None:
    patrol = _patrol(store)
    with store.transaction() as tx:
        patrol_store.save_patrol(tx, replace(patrol, findings=patrol.findings[:1]))
    deleted = store.conn.execute("SELECT count(*) FROM findings WHERE deleted = 1").fetchone()[0]
    assert deleted == 2
