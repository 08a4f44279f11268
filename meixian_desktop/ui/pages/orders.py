"""监护令: the order list with filters and search, drafts to recover; opens the editor."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QWidget,
)

from meixian_desktop.core import clock
from meixian_desktop.core.orders import STATUSES, order_to_raw
from meixian_desktop.core.profile import Profile
from meixian_desktop.paths import Paths
from meixian_desktop.store import orders as order_store
from meixian_desktop.store import villages
from meixian_desktop.store.database import Store
from meixian_desktop.store.errors import StoreError
from meixian_desktop.ui.editors.order import DRAFT_KIND, OrderEditor, new_order_raw
from meixian_desktop.ui.models.orders import OrderTableModel
from meixian_desktop.ui.pages.record_list import RecordListPage
from meixian_desktop.ui.widgets.fields import table_view

FOLLOWUP_FILTERS = (("", "全部回访"), ("due", "回访到期（7天内）"), ("overdue", "回访逾期"))


class OrderPage(RecordListPage):
    """The 监护令 section: every order, narrowed by status, village, follow-up and search."""

    def __init__(self, store: Store, paths: Paths, profile: Profile, *,
                 today: date | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.paths = paths
        self.profile = profile
        self._today = today
        self.setup_list(self.tr("搜索：文号、化名、姓名、监护人…（Ctrl+F）"), self.new_order)
        self.model = OrderTableModel(store, self, today=self.today())
        self.view = table_view(self.model)
        self.view.setSortingEnabled(True)
        self.view.horizontalHeader().setSortIndicator(1, Qt.SortOrder.DescendingOrder)
        self.view.doubleClicked.connect(
            lambda index: self.open_order(self.model.record_id(index.row())))
        self.status = self.combo([("", self.tr("全部状态"))] +
                                 [(item.code, item.label) for item in STATUSES])
        self.village = self.combo([("", self.tr("全部村（社区）"))] + [
            (v.id, v.name) for v in villages.list_villages(store, include_retired=True)])
        self.followup = self.combo([(code, self.tr(label)) for code, label in FOLLOWUP_FILTERS])

        self.drafts = self.banner(DRAFT_KIND, self.tr("监护令"), self.open_editor)
        self.lay_out(self.tr("督促监护令"), [(self.tr("新建监护令"), self.new_order),
                                         (self.tr("打开"), self.open_selected)],
                     [self.status, self.village, self.followup])

    def today(self) -> date:
        return self._today or clock.today()

    # -- the list ---------------------------------------------------------------------------
    def current_filter(self) -> order_store.OrderFilter:
        return order_store.OrderFilter(
            status=str(self.status.currentData() or ""),
            village_id=str(self.village.currentData() or ""),
            followup=str(self.followup.currentData() or ""), query=self.search.text())

    def apply_filter(self) -> None:
        where, params = order_store.filter_condition(self.store, self.current_filter(),
                                                     self.today())
        self.model.set_filter(where, params)
        self.show_count(self.tr("份监护令"))

    # -- editors ----------------------------------------------------------------------------
    def open_editor(self, raw: dict[str, Any]) -> OrderEditor:
        editor = OrderEditor(self.store, self.paths, self.profile, raw, today=self.today(),
                             parent=self)
        self.track(editor)
        return editor

    def new_order(self) -> OrderEditor:
        return self.open_editor(new_order_raw(self.profile, self.store, self.today()))

    def open_order(self, order_id: str) -> OrderEditor | None:
        """Open a stored order; the audit log notes who looked at it."""
        order = order_store.load_order(self.store, order_id)
        if order is None:
            self.message.setText(self.tr("这份监护令已被删除。"))
            return None
        try:
            order_store.record_view(self.store, self.profile.name, order_id)
        except StoreError as exc:
            self.message.setText(exc.message)
            return None
        return self.open_editor(order_to_raw(order))

    def open_selected(self) -> OrderEditor | None:
        order_id = self.selected_id(self.tr("请先选中一份监护令。"))
        return self.open_order(order_id) if order_id else None
