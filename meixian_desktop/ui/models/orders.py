"""Table models of the 监护令 section: the order list and one order's timeline."""

from __future__ import annotations

from datetime import date
from typing import Any

from meixian_desktop.core import clock
from meixian_desktop.store.database import Store
from meixian_desktop.store.lists import order_list
from meixian_desktop.ui.models.records import RecordTableModel


class OrderTableModel(RecordTableModel):
    """Every live order matching the page's filter, newest first; a late follow-up in red
    (store/lists.py)."""

    def __init__(self, store: Store, parent: Any = None, *, today: date | None = None) -> None:
        self.today = today or clock.today()
        super().__init__(store, parent, spec=order_list(store, self.today))
