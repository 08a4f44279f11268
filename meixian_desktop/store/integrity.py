"""Integrity checks of the database: SQLite's own, foreign keys, and our conventions."""

from __future__ import annotations

from meixian_desktop.core import clock
from meixian_desktop.store.database import Store
from meixian_desktop.store.records import record_kinds


def check(store: Store) -> list[str]:
    """Every problem found, as Chinese sentences; an empty list means the file is sound."""
    problems = []
    for (line,) in store.conn.execute("PRAGMA integrity_check"):
        if line != "ok":
            problems.append(f"完整性检查：{line}")
    for table, rowid, parent, _fk in store.conn.execute("PRAGMA foreign_key_check"):
        problems.append(f"表 {table} 第 {rowid} 行引用的 {parent} 记录不存在")
    for table in record_kinds(store):
        missing = store.conn.execute(
            f"SELECT count(*) FROM {table} t WHERE NOT EXISTS "
            "(SELECT 1 FROM journal j WHERE j.tbl = ? AND j.row_id = t.id)",
            (table,),
        ).fetchone()[0]
        if missing:
            problems.append(f"表 {table} 有 {missing} 条记录不在变更日志里，同步时会漏掉")
    ahead = _clock_ahead(store)
    if ahead:
        problems.append(ahead)
    return problems


def _clock_ahead(store: Store) -> str:
    """A saved clock far ahead of the wall clock: a forged or wrong stamp got in once, and
    every save since carries it along (until, at its maximum, saving stops)."""
    from meixian_desktop.core.hlc import MAX_WALL_MS, ahead_of

    last = store.last_hlc()
    now = clock.now_ms()
    if last is None or not ahead_of(last, now):
        return ""
    days = (last.wall_ms - now) / 86_400_000
    near = "，已接近上限，很快就不能再保存" if MAX_WALL_MS - last.wall_ms < 86_400_000 * 365 else ""
    return (f"本机的时间戳比现在晚了约 {days:.0f} 天{near}：曾经收到过时间严重不对的记录。"
            "请把这个数据文件交给镇里技术人员处理。")
