"""今日待办: everything due or overdue today and this week, most urgent first."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from meixian_desktop.core import clock
from meixian_desktop.core.chinese import chinese_date
from meixian_desktop.core.profile import Profile
from meixian_desktop.store.database import Store
from meixian_desktop.store.due import DueItem, DueSource, due_items
from meixian_desktop.ui.tasks import Runner, run_now

OVERDUE = QColor("#b00020")


def describe(item: DueItem, today: date) -> str:
    """One line: what, which kind, and how late or how soon."""
    days = item.days_left(today)
    if days < 0:
        when = f"已逾期 {-days} 天"
    elif days == 0:
        when = "今天到期"
    else:
        when = f"还有 {days} 天（{chinese_date(item.due)}）"
    mark = "【紧急】" if item.urgent else ""
    return f"{mark}{item.kind_label}：{item.title} — {when}"


class TodayPage(QWidget):
    """The due list; activating an item asks the window to open its record."""

    open_record = Signal(str, str)  # table, record id
    count_changed = Signal(int)

    def __init__(self, store: Store, profile: Profile, *, today: date | None = None,
                 sources: list[DueSource] | None = None, runner: Runner = run_now,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.profile = profile
        self._today = today
        self._sources = sources
        self.runner = runner
        self.items: list[DueItem] = []
        scope = "全镇" if profile.is_town else "我负责的村"
        self.heading = QLabel()
        self.empty = QLabel(self.tr("今天没有到期或逾期的事项。") + f"（{scope}）")
        self.list = QListWidget()
        self.list.itemActivated.connect(self._activated)
        self._layout = layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.empty)
        layout.addWidget(self.list, 1)
        layout.addStretch(1)  # keeps the headings at the top while the list is hidden
        self.heading.setText(f"<h2>今日待办</h2>{chinese_date(self.today())}")
        if runner is run_now:  # tests and the CLI: filled at once; else by the window, later
            self.refresh()

    def today(self) -> date:
        return self._today or clock.today()

    def shown(self) -> None:
        """Coming back to the page: gather again (records may have come in meanwhile)."""
        self.refresh()

    def refresh(self) -> None:
        """Gather the due items (off the GUI thread, on its own connection, when the runner is
        a background one) and show them when they arrive."""
        today = self.today()
        if self.runner is run_now:
            self.show_items(due_items(self.store, self.profile, today, sources=self._sources))
            return
        self.heading.setText(f"<h2>今日待办</h2>{chinese_date(today)}，正在整理…")
        database, profile, sources = self.store.path, self.profile, self._sources

        def gather() -> list[DueItem]:
            with Store.open(database, readonly=True) as own:
                return due_items(own, profile, today, sources=sources)

        self.runner(gather, self.show_items,
                    lambda message: self.heading.setText("<h2>今日待办</h2>" + message))

    def show_items(self, items: list[DueItem]) -> None:
        today = self.today()
        self.heading.setText(f"<h2>今日待办</h2>{chinese_date(today)}，共 {len(items)} 项")
        self.list.clear()
        self.items = items
        for item in items:
            row = QListWidgetItem(describe(item, today))
            if item.overdue(today) or item.urgent:
                row.setForeground(QBrush(OVERDUE))
            self.list.addItem(row)
        self.empty.setVisible(not items)
        self.list.setVisible(bool(items))
        self._layout.setStretch(3, 0 if items else 1)
        self.count_changed.emit(len(items))

    def _activated(self, row: QListWidgetItem) -> None:
        item = self.items[self.list.row(row)]
        self.open_record.emit(item.table, item.record_id)
