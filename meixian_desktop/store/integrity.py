"""Integrity checks of the database: SQLite's own, foreign keys, and our conventions."""

from __future__ import annotations

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
    return problems
