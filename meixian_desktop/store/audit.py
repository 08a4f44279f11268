"""The audit log: who viewed, printed, exported or changed sensitive records, and when."""

from __future__ import annotations

from dataclasses import dataclass

from meixian_desktop.store.database import Store, now_iso

ACTIONS = {
    "view": "查看",
    "print": "打印",
    "export": "导出",
    "change": "修改",
    "backup": "备份",
    "setup": "首次设置",
    "recovery": "密码恢复",
}


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log."""

    at: str
    actor: str
    action: str
    record_table: str | None
    record_id: str | None
    detail: str


def record(
    store: Store,
    actor: str,
    action: str,
    *,
    table: str | None = None,
    record_id: str | None = None,
    detail: str = "",
) -> None:
    """Append one entry; commits with the caller's transaction or on its own."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action: {action}")
    store.conn.execute(
        "INSERT INTO audit_log(at, actor, action, record_table, record_id, detail) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (now_iso(), actor, action, table, record_id, detail),
    )


def recent(store: Store, limit: int = 200) -> list[AuditEntry]:
    rows = store.conn.execute(
        "SELECT at, actor, action, record_table, record_id, detail FROM audit_log "
        "ORDER BY id DESC LIMIT ?",
        (limit,),
    )
    return [AuditEntry(*row) for row in rows]
