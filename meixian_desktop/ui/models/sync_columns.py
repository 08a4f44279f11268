"""The column each record list adds for sync: the record's state, or (town) its 网格员."""

from __future__ import annotations

import re

from meixian_desktop.store.schema import HLC_DEVICE_START
from meixian_desktop.sync.outbox import CONFLICT, QUARANTINED, STATE_LABELS
from meixian_desktop.ui.models.records import Column

WORKER_OF_RECORD = ("coalesce((SELECT d.worker FROM devices d WHERE d.device_id = t.origin), "
                    "'镇里')")


def state_sql(table: str, device_id: str) -> str:
    """SQL for a record's state code: its sync_state when it is about the current version,
    else 待同步 for this device's edits and 已确认 for what came from the town."""
    if not re.fullmatch(r"[0-9A-Za-z_-]+", table + device_id):
        raise ValueError("unexpected characters in a table name or device id")
    return (f"coalesce((SELECT s.state FROM sync_state s WHERE s.tbl = '{table}' "
            f"AND s.row_id = t.id AND s.hlc = t.hlc), CASE WHEN substr(t.hlc, "
            f"{HLC_DEVICE_START}) = '{device_id}' THEN 'pending' ELSE 'acknowledged' END)")


def sync_column(table: str, *, town: bool, device_id: str) -> Column:
    if town:
        return Column("网格员", WORKER_OF_RECORD)
    return Column("同步", state_sql(table, device_id),
                  lambda code: STATE_LABELS.get(str(code), ""),
                  alert=lambda code: code in (CONFLICT, QUARANTINED))
