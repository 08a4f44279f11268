"""Table models of the 监护令 section: the order list and one order's timeline."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex
from PySide6.QtGui import QColor

from meixian_desktop.core import clock
from meixian_desktop.core.orders import LIVE_STATUSES, STATUSES
from meixian_desktop.store import settings as settings_store
from meixian_desktop.store.database import Store
from meixian_desktop.ui.models.records import Column, RecordTableModel

AnyIndex = QModelIndex | QPersistentModelIndex
LATE = QColor("#b00020")

# Names and relations only: ID numbers and phones of guardians never reach a list.
GUARDIAN_NAMES = (
    "(SELECT group_concat(json_extract(j.value, '$[0]') || '（' || "
    "json_extract(j.value, '$[1]') || '）', '、') FROM json_each(t.guardians) j)"
)
VILLAGE_NAME = "(SELECT v.name FROM villages v WHERE v.id = t.village_id)"
_LIVE = ", ".join(f"'{status}'" for status in LIVE_STATUSES)
NEXT_FOLLOWUP = f"CASE WHEN t.status IN ({_LIVE}) THEN t.next_followup_date END"
NEXT_COLUMN = 6


def order_columns(show_minor_names: bool) -> tuple[Column, ...]:
    """The list's columns; the minor is shown by pseudonym unless the setting allows names."""
    return (
        Column("文号", "t.number"),
        Column("签发日期", "t.issue_date"),
        Column("未成年人", "t.minor_name" if show_minor_names else "t.minor_pseudonym"),
        Column("监护人", GUARDIAN_NAMES),
        Column("村（社区）", VILLAGE_NAME),
        Column("状态", "t.status", lambda code: STATUSES.label_of(str(code))),
        Column("下次回访", NEXT_FOLLOWUP),
    )


class OrderTableModel(RecordTableModel):
    """Every live order matching the page's filter, newest first; a late follow-up in red."""

    table = "orders"
    default_order = "t.issue_date DESC, t.rowid DESC"

    def __init__(self, store: Store, parent: Any = None, *, today: date | None = None) -> None:
        self.today = today or clock.today()
        columns = list(order_columns(
            bool(settings_store.get(store, "show_minor_names_in_lists"))))
        late = self.today.isoformat()
        columns[NEXT_COLUMN] = replace(columns[NEXT_COLUMN],
                                       alert=lambda day: bool(day) and str(day) < late)
        self.columns = tuple(columns)
        super().__init__(store, parent)
