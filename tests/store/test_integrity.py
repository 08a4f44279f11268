"""The integrity check finds broken references and records missing from the journal."""

from __future__ import annotations

from meixian_desktop.store.integrity import check


def test_sound_database_has_no_problems(store) -> None:
    assert check(store) == []


def test_broken_reference_and_unjournalled_row_are_reported(store) -> None:
    store.conn.execute("PRAGMA foreign_keys = OFF")
    store.conn.execute("DROP TRIGGER village_groups_journal_insert")
    store.conn.execute(
        "INSERT INTO village_groups(id, created_at, updated_at, hlc, origin, village_id, name) "
        "VALUES ('g1', 'x', 'x', 'x', 'x', 'missing-village', '孤儿组')"
    )
    problems = check(store)
    assert any("village_groups" in p and "不存在" in p for p in problems)
    assert any("变更日志" in p for p in problems)


def test_a_clock_far_ahead_of_the_wall_clock_is_reported(store) -> None:
    with store.transaction() as tx:
        tx.conn.execute("UPDATE meta SET value = ? WHERE key = 'hlc_last'",
                        (f"9999999999000-00000-{store.device_id()}",))
    problems = check(store)
    assert any("时间戳比现在晚了" in p and "上限" in p for p in problems), problems
