"""走访: the household list (filters, search, due visits), household and visit editors."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QWidget,
)

from meixian_desktop.core import clock
from meixian_desktop.core.households import MONITORING_TYPES, TAGS
from meixian_desktop.core.profile import Profile
from meixian_desktop.paths import Paths
from meixian_desktop.store import households as household_store
from meixian_desktop.store import villages
from meixian_desktop.store.database import Store
from meixian_desktop.ui.editors.household import (
    HouseholdEditor,
    household_raw,
    new_household_raw,
)
from meixian_desktop.ui.editors.visit import VisitEditor, new_visit_raw
from meixian_desktop.ui.models.households import HouseholdTableModel
from meixian_desktop.ui.pages.record_list import RecordListPage
from meixian_desktop.ui.widgets.fields import combo_code, table_view

DUE_CHOICES = (("", "全部"), ("due", "本周应走访（含逾期）"), ("overdue", "走访已逾期"))


class VisitPage(RecordListPage):
    """The 走访 section."""

    def __init__(self, store: Store, paths: Paths, profile: Profile,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.paths = paths
        self.profile = profile
        self.setup_list(self.tr("搜索：户主或成员姓名、身份证号码、住址…（Ctrl+F）"),
                        self.new_household)
        self.model = HouseholdTableModel(store, self)
        self.view = table_view(self.model)
        self.view.setSortingEnabled(True)
        self.view.horizontalHeader().setSortIndicator(6, Qt.SortOrder.AscendingOrder)
        self.view.doubleClicked.connect(
            lambda index: self.open_household(self.model.record_id(index.row())))
        self.village = QComboBox()
        for code, label in [("", "全部村（社区）")] + [
                (v.id, v.name) for v in villages.list_villages(store)]:
            self.village.addItem(label, code)
        self.village.currentIndexChanged.connect(self._village_changed)
        self.group = self.combo([("", "全部小组")])
        self.tag = self.combo([("", "全部重点人群")] + [(c.code, c.label) for c in TAGS])
        self.monitoring = self.combo([("", "全部监测类型")] +
                                     [(c.code, c.label) for c in MONITORING_TYPES])
        self.due = self.combo(list(DUE_CHOICES))
        self.household_drafts = self.banner("household", self.tr("户信息"),
                                            self.open_household_editor)
        self.visit_drafts = self.banner("visit", self.tr("走访"), self.open_visit_editor)

        self.lay_out(self.tr("重点户走访"), [(self.tr("新建户"), self.new_household),
                          (self.tr("打开"), self.open_selected),
                          (self.tr("登记走访"), self.visit_selected)],
                     [self.village, self.group, self.tag, self.monitoring, self.due])

    def _village_changed(self) -> None:
        self.group.blockSignals(True)
        self.group.clear()
        self.group.addItem(self.tr("全部小组"), "")
        village_id = combo_code(self.village)
        if village_id:
            for group in villages.list_groups(self.store, village_id):
                self.group.addItem(group.name, group.id)
        self.group.blockSignals(False)
        self.apply_filter()

    def current_filter(self) -> household_store.HouseholdFilter:
        return household_store.HouseholdFilter(
            village_id=combo_code(self.village), group_id=combo_code(self.group),
            tag=combo_code(self.tag), monitoring_type=combo_code(self.monitoring),
            due=combo_code(self.due), query=self.search.text(),
        )

    def apply_filter(self) -> None:
        where, params = household_store.filter_condition(self.store, self.current_filter(),
                                                         clock.today())
        self.model.set_filter(where, params)
        self.show_count(self.tr("户"))

    # -- editors ----------------------------------------------------------------------------
    def open_household_editor(self, raw: dict[str, Any]) -> HouseholdEditor:
        editor = HouseholdEditor(self.store, self.paths, self.profile, raw, parent=self)
        editor.new_visit_requested = self.new_visit
        editor.saved.connect(lambda _id: self._refresh_open_households())
        self.track(editor)
        return editor

    def open_visit_editor(self, raw: dict[str, Any]) -> VisitEditor:
        editor = VisitEditor(self.store, self.paths, self.profile, raw, parent=self)
        editor.saved.connect(lambda _id: self._refresh_open_households())
        self.track(editor)
        return editor

    def _refresh_open_households(self) -> None:
        for editor in self.editors:
            if isinstance(editor, HouseholdEditor):
                editor.refresh_history()

    def new_household(self) -> HouseholdEditor:
        return self.open_household_editor(new_household_raw(self.profile, self.store))

    def open_household(self, household_id: str, tab: str = "") -> HouseholdEditor | None:
        raw = household_raw(self.store, household_id)
        if raw is None:
            self.message.setText(self.tr("这户已被删除。"))
            return None
        editor = self.open_household_editor(raw)
        if tab == "visits":
            editor.tabs.setCurrentIndex(3)
        return editor

    def new_visit(self, household_id: str) -> VisitEditor:
        return self.open_visit_editor(new_visit_raw(household_id, self.profile, clock.today()))

    def _selected(self) -> str | None:
        return self.selected_id(self.tr("请先在列表中选中一户。"))

    def open_selected(self) -> None:
        household_id = self._selected()
        if household_id:
            self.open_household(household_id)

    def visit_selected(self) -> None:
        household_id = self._selected()
        if household_id:
            self.new_visit(household_id)
