"""The column each record list adds for sync: the record's state, or (town) its 网格员."""

from __future__ import annotations

from meixian_desktop.sync.outbox import CONFLICT, QUARANTINED, STATE_LABELS, state_sql
from meixian_desktop.ui.models.records import Column

WORKER_OF_RECORD = ("coalesce((SELECT d.worker FROM devices d WHERE d.device_id = t.origin), "
                    "'镇里')")


def sync_column(table: str, *, town: bool, device_id: str) -> Column:
    if town:
        return Column("网格员", WORKER_OF_RECORD)
    return Column("同步", state_sql(table, device_id),
                  lambda code: STATE_LABELS.get(str(code), ""),
                  alert=lambda code: code in (CONFLICT, QUARANTINED))
