"""监护令: the order list with filters and search, drafts to recover; opens the editor."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from meixian_desktop.core.orders import STATUSES, order_to_raw
from meixian_desktop.core.profile import Profile
from meixian_desktop.paths import Paths
from meixian_desktop.store import drafts, villages
from meixian_desktop.store import orders as order_store
from meixian_desktop.store.database import Store
from meixian_desktop.store.errors import StoreError
from meixian_desktop.ui.models.orders import OrderTableModel
from meixian_desktop.ui.order_editor import DRAFT_KIND, OrderEditor, draft_payload, new_order_raw

FOLLOWUP_FILTERS = (("", "全部回访"), ("due", "回访到期（7天内）"), ("overdue", "回访逾期"))


class OrderPage(QWidget):
    """The 监护令 section: every order, narrowed by status, village, follow-up and search."""

    def __init__(self, store: Store, paths: Paths, profile: Profile, *,
                 today: date | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.paths = paths
        self.profile = profile
        self._today = today
        self.editors: list[OrderEditor] = []
        self.model = OrderTableModel(store, self, today=self.today())
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.verticalHeader().setVisible(False)
        self.view.setSortingEnabled(True)
        self.view.horizontalHeader().setSortIndicator(1, Qt.SortOrder.DescendingOrder)
        self.view.doubleClicked.connect(
            lambda index: self.open_order(self.model.record_id(index.row())))
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("搜索：文号、化名、姓名、监护人…（Ctrl+F）"))
        self.search.setClearButtonEnabled(True)
        QShortcut(QKeySequence("Ctrl+F"), self, self.search.setFocus)
        QShortcut(QKeySequence("Ctrl+N"), self, self.new_order)
        self.status = QComboBox()
        self.status.addItem(self.tr("全部状态"), "")
        for item in STATUSES:
            self.status.addItem(item.label, item.code)
        self.village = QComboBox()
        self.village.addItem(self.tr("全部村（社区）"), "")
        for village in villages.list_villages(store, include_retired=True):
            self.village.addItem(village.name, village.id)
        self.followup = QComboBox()
        for code, label in FOLLOWUP_FILTERS:
            self.followup.addItem(self.tr(label), code)
        self.count = QLabel()
        self.message = QLabel()
        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(250)
        self.debounce.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(self.debounce.start)
        for combo in (self.status, self.village, self.followup):
            combo.currentIndexChanged.connect(self.apply_filter)

        new_button = QPushButton(self.tr("新建监护令"))
        new_button.clicked.connect(self.new_order)
        open_button = QPushButton(self.tr("打开"))
        open_button.clicked.connect(self.open_selected)
        self.drafts_label = QLabel()
        self.drafts_restore = QPushButton(self.tr("恢复草稿"))
        self.drafts_restore.clicked.connect(self.restore_drafts)
        self.drafts_discard = QPushButton(self.tr("放弃草稿"))
        self.drafts_discard.clicked.connect(self.discard_drafts)

        top = QHBoxLayout()
        top.addWidget(new_button)
        top.addWidget(open_button)
        top.addWidget(self.search, 1)
        filters = QHBoxLayout()
        for widget in (self.status, self.village, self.followup):
            filters.addWidget(widget)
        filters.addStretch()
        banner = QHBoxLayout()
        for part in (self.drafts_label, self.drafts_restore, self.drafts_discard):
            banner.addWidget(part)
        banner.addStretch()
        bottom = QHBoxLayout()
        bottom.addWidget(self.count)
        bottom.addWidget(self.message, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("<h2>督促监护令</h2>")))
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addLayout(banner)
        layout.addWidget(self.view, 1)
        layout.addLayout(bottom)
        self.apply_filter()
        self.show_drafts()

    def today(self) -> date:
        return self._today or date.today()

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
        self.count.setText(self.tr("共 %1 份监护令").replace("%1", str(self.model.rowCount())))

    def refresh(self) -> None:
        self.apply_filter()
        self.show_drafts()

    # -- editors ----------------------------------------------------------------------------
    def open_editor(self, raw: dict[str, Any]) -> OrderEditor:
        editor = OrderEditor(self.store, self.paths, self.profile, raw, today=self.today(),
                             parent=self)
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.saved.connect(lambda _id: self.refresh())
        editor.finished.connect(lambda _code, e=editor: self._closed(e))
        self.editors.append(editor)
        editor.show()
        return editor

    def _closed(self, editor: OrderEditor) -> None:
        if editor in self.editors:
            self.editors.remove(editor)
        self.show_drafts()

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
        index = self.view.currentIndex()
        if not index.isValid():
            self.message.setText(self.tr("请先选中一份监护令。"))
            return None
        return self.open_order(self.model.record_id(index.row()))

    # -- drafts -----------------------------------------------------------------------------
    def waiting_drafts(self) -> list[drafts.Draft]:
        open_keys = {f"{DRAFT_KIND}:{e.raw_in['id']}" for e in self.editors}
        return [d for d in drafts.pending(self.store, DRAFT_KIND) if d.key not in open_keys]

    def show_drafts(self) -> None:
        waiting = self.waiting_drafts()
        text = ""
        if waiting:
            titles = "、".join(d.title for d in waiting[:3])
            text = self.tr("有 %1 份没有保存的监护令草稿（%2）。").replace(
                "%1", str(len(waiting))).replace("%2", titles)
        self.drafts_label.setText(text)
        for widget in (self.drafts_label, self.drafts_restore, self.drafts_discard):
            widget.setVisible(bool(waiting))

    def restore_drafts(self) -> list[OrderEditor]:
        """Open an editor on every unsaved draft, with what was typed."""
        opened = [self.open_editor(draft_payload(d.payload)) for d in self.waiting_drafts()]
        self.show_drafts()
        return opened

    def discard_drafts(self) -> None:
        answer = QMessageBox.question(self, self.tr("放弃草稿"),
                                      self.tr("确定放弃这些没有保存的草稿吗？放弃后无法找回。"))
        if answer != QMessageBox.StandardButton.Yes:
            return
        for draft in self.waiting_drafts():
            drafts.discard(self.store, draft.key)
        self.show_drafts()
