"""巡查: the patrol list with filters and search, drafts to recover, and the fire-team roster."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from meixian_desktop.core import clock
from meixian_desktop.core.errors import RecordInvalid
from meixian_desktop.core.patrols import KINDS, like_last, patrol_to_raw
from meixian_desktop.core.profile import Profile
from meixian_desktop.paths import Paths
from meixian_desktop.store import fire_team, villages
from meixian_desktop.store import patrols as patrol_store
from meixian_desktop.store.database import Store
from meixian_desktop.store.errors import StoreError
from meixian_desktop.ui.editors.patrol import DRAFT_KIND, PatrolEditor, new_patrol_raw
from meixian_desktop.ui.models.patrols import FireTeamModel, PatrolTableModel
from meixian_desktop.ui.pages.record_list import RecordListPage
from meixian_desktop.ui.widgets.fields import FieldForm, line, table_view

ANY_DATE = QDate(2000, 1, 1)


def optional_date_box() -> QDateEdit:
    """A date filter whose lowest value reads 不限 (no limit)."""
    box = QDateEdit()
    box.setCalendarPopup(True)
    box.setDisplayFormat("yyyy-MM-dd")
    box.setMinimumDate(ANY_DATE)
    box.setSpecialValueText("不限")
    box.setDate(ANY_DATE)
    return box


def optional_date(box: QDateEdit) -> date | None:
    return None if box.date() == ANY_DATE else date.fromisoformat(box.date().toString(Qt.DateFormat.ISODate))


class PatrolList(RecordListPage):
    """The patrol records: filters, search, count, table; opens editors."""

    def __init__(self, store: Store, paths: Paths, profile: Profile,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.paths = paths
        self.profile = profile
        self.setup_list(self.tr("搜索：人员、地点、问题描述…（Ctrl+F）"),
                        lambda: self.new_patrol("forest"))
        self.model = PatrolTableModel(store, self)
        self.view = table_view(self.model)
        self.view.setSortingEnabled(True)
        self.view.horizontalHeader().setSortIndicator(0, Qt.SortOrder.DescendingOrder)
        self.view.doubleClicked.connect(lambda index: self.open_patrol(self.model.record_id(
            index.row())))
        self.kind = QComboBox()
        self.kind.addItem(self.tr("全部类型"), "")
        for item in KINDS:
            self.kind.addItem(item.label, item.code)
        self.village = QComboBox()
        self.village.addItem(self.tr("全部村（社区）"), "")
        for village in villages.list_villages(store, include_retired=True):
            self.village.addItem(village.name, village.id)
        self.date_from = optional_date_box()
        self.date_to = optional_date_box()
        self.leader = QComboBox()
        self.open_only = QCheckBox(self.tr("有未整改问题"))
        self.overdue_only = QCheckBox(self.tr("有逾期问题"))
        self.refresh_leaders()
        for combo in (self.kind, self.village, self.leader):
            combo.currentIndexChanged.connect(self.apply_filter)
        for box in (self.date_from, self.date_to):
            box.dateChanged.connect(self.apply_filter)
        for check in (self.open_only, self.overdue_only):
            check.toggled.connect(self.apply_filter)

        new_button = QPushButton(self.tr("新建巡查"))
        new_menu = QMenu(new_button)
        like_button = QPushButton(self.tr("照上次新建"))
        like_menu = QMenu(like_button)
        for item in KINDS:
            new_menu.addAction(item.label).triggered.connect(
                lambda _=False, k=item.code: self.new_patrol(k))
            like_menu.addAction(item.label).triggered.connect(
                lambda _=False, k=item.code: self.new_like_last(k))
        new_button.setMenu(new_menu)
        like_button.setMenu(like_menu)
        delete = QPushButton(self.tr("删除"))
        delete.clicked.connect(self.delete_selected)
        self.drafts = self.banner(DRAFT_KIND, self.tr("巡查"), self.open_editor)

        top = QHBoxLayout()
        top.addWidget(new_button)
        top.addWidget(like_button)
        top.addWidget(delete)
        top.addWidget(self.search, 1)
        filters = QHBoxLayout()
        for widget in (self.kind, self.village, QLabel(self.tr("从")), self.date_from,
                       QLabel(self.tr("到")), self.date_to, self.leader, self.open_only,
                       self.overdue_only, *self.sync_filters()):
            filters.addWidget(widget)
        filters.addStretch()
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.drafts)
        layout.addWidget(self.view, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count)
        bottom.addWidget(self.message, 1)
        layout.addLayout(bottom)
        self.apply_filter()

    # -- the list ---------------------------------------------------------------------------
    def refresh_leaders(self) -> None:
        current = self.leader.currentData()
        self.leader.blockSignals(True)
        self.leader.clear()
        self.leader.addItem(self.tr("全部负责人"), "")
        for name in patrol_store.leaders(self.store):
            self.leader.addItem(name, name)
        self.leader.setCurrentIndex(max(self.leader.findData(current), 0))
        self.leader.blockSignals(False)

    def current_filter(self) -> patrol_store.PatrolFilter:
        return patrol_store.PatrolFilter(
            kind=str(self.kind.currentData() or ""),
            village_id=str(self.village.currentData() or ""),
            date_from=optional_date(self.date_from), date_to=optional_date(self.date_to),
            leader=str(self.leader.currentData() or ""),
            open_findings=self.open_only.isChecked(),
            overdue_findings=self.overdue_only.isChecked(), query=self.search.text(),
        )

    def apply_filter(self) -> None:
        where, params = patrol_store.filter_condition(self.store, self.current_filter(),
                                                      clock.today())
        self.model.set_filter(where, params)
        self.show_count(self.tr("条巡查记录"))

    def refresh(self) -> None:
        self.refresh_leaders()
        super().refresh()

    # -- editors ----------------------------------------------------------------------------
    def open_editor(self, raw: dict[str, Any]) -> PatrolEditor:
        editor = PatrolEditor(self.store, self.paths, self.profile, raw, parent=self)
        self.track(editor)
        return editor

    def new_patrol(self, kind: str) -> PatrolEditor:
        return self.open_editor(new_patrol_raw(kind, self.profile, self.store, clock.today()))

    def new_like_last(self, kind: str) -> PatrolEditor:
        """Same kind, route, area and companions as the worker's previous patrol, dated today."""
        leader = None if self.profile.is_town else self.profile.name
        previous = patrol_store.last_patrol(self.store, kind, leader)
        if previous is None:
            self.message.setText(self.tr("还没有这类巡查记录，已新建一份空白的。"))
            return self.new_patrol(kind)
        return self.open_editor(like_last(previous, clock.today()))

    def open_patrol(self, patrol_id: str, finding_id: str | None = None) -> PatrolEditor | None:
        patrol = patrol_store.load_patrol(self.store, patrol_id)
        if patrol is None:
            self.message.setText(self.tr("这条巡查记录已被删除。"))
            return None
        editor = self.open_editor(patrol_to_raw(patrol))
        if finding_id:
            number = next((i for i, f in enumerate(patrol.findings) if f.id == finding_id), None)
            if number is not None:
                editor.findings.view.selectRow(number)
                QTimer.singleShot(0, editor, lambda: editor.edit_finding(number))
        return editor

    def delete_selected(self) -> None:
        index = self.view.currentIndex()
        if not index.isValid():
            self.message.setText(self.tr("请先选中要删除的巡查记录。"))
            return
        answer = QMessageBox.question(self, self.tr("删除巡查记录"),
                                      self.tr("确定删除选中的巡查记录及其发现的问题吗？"))
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            with self.store.transaction() as tx:
                patrol_store.delete_patrol(tx, self.model.record_id(index.row()))
        except StoreError as exc:
            self.message.setText(exc.message)
            return
        self.refresh()
        self.records_changed.emit()


class MemberDialog(QDialog):
    """Add or edit one member of the fire-fighting response team."""

    def __init__(self, store: Store, raw: dict[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.raw_in = raw
        self.setWindowTitle(self.tr("扑火应急队员"))
        self.form = FieldForm()
        self.name = self.form.add("name", self.tr("姓名"), line(raw.get("name", "")))
        self.phone = self.form.add("phone", self.tr("电话"), line(raw.get("phone", "")))
        self.village = QComboBox()
        self.village.addItem(self.tr("（不填）"), "")
        for village in villages.list_villages(store):
            self.village.addItem(village.name, village.id)
        self.village.setCurrentIndex(max(self.village.findData(raw.get("village_id") or ""), 0))
        self.form.add("village_id", self.tr("村（社区）"), self.village)
        self.equipment = self.form.add("equipment", self.tr("装备"),
                                       line(raw.get("equipment", ""), self.tr("如 风力灭火机、二号工具")))
        self.last_training = self.form.add("last_training", self.tr("最近培训日期"),
                                           line(raw.get("last_training", ""), "如 2025-03-05"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        layout.addWidget(buttons)

    def raw(self) -> dict[str, str]:
        return {"id": self.raw_in.get("id", ""), "name": self.name.text(),
                "phone": self.phone.text(), "village_id": str(self.village.currentData() or ""),
                "equipment": self.equipment.text(), "last_training": self.last_training.text()}

    def member(self) -> fire_team.TeamMember | None:
        try:
            member = fire_team.parse_member(self.raw(), today=clock.today())
        except RecordInvalid as exc:
            self.form.show_problems(exc.problems)
            return None
        self.form.show_problems({})
        return member

    def accept(self) -> None:
        if self.member() is not None:
            super().accept()


class FireTeamPanel(QWidget):
    """扑火应急队伍: the roster under the forest section."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.model = FireTeamModel(store, self)
        self.view = table_view(self.model)
        self.message = QLabel()
        row = QHBoxLayout()
        for text, handler in ((self.tr("添加队员…"), self.add), (self.tr("修改…"), self.edit),
                              (self.tr("移除"), self.remove)):
            button = QPushButton(text)
            button.clicked.connect(handler)
            row.addWidget(button)
        row.addWidget(self.message, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(row)

    def _selected(self) -> str | None:
        index = self.view.currentIndex()
        return self.model.record_id(index.row()) if index.isValid() else None

    def save(self, member: fire_team.TeamMember) -> bool:
        try:
            with self.store.transaction() as tx:
                fire_team.save_member(tx, member)
        except StoreError as exc:
            self.message.setText(exc.message)
            return False
        self.model.refresh()
        return True

    def run_dialog(self, raw: dict[str, str]) -> None:
        dialog = MemberDialog(self.store, raw, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            member = dialog.member()
            if member is not None:
                self.save(member)

    def add(self) -> None:
        self.run_dialog({})

    def edit(self) -> None:
        member_id = self._selected()
        if member_id is None:
            self.message.setText(self.tr("请先选中一名队员。"))
            return
        row = self.store.conn.execute(
            "SELECT id, name, phone, village_id, equipment, last_training "
            "FROM fire_team_members WHERE id = ?", (member_id,)).fetchone()
        self.run_dialog({k: str(row[k] or "") for k in row.keys()})

    def remove(self) -> None:
        member_id = self._selected()
        if member_id is None:
            self.message.setText(self.tr("请先选中一名队员。"))
            return
        with self.store.transaction() as tx:
            fire_team.remove_member(tx, member_id)
        self.model.refresh()


class PatrolPage(QWidget):
    """The 巡查 section: records and, under the forest work, the response team."""

    def __init__(self, store: Store, paths: Paths, profile: Profile,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = PatrolList(store, paths, profile)
        self.team = FireTeamPanel(store)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.list, self.tr("巡查记录"))
        self.tabs.addTab(self.team, self.tr("扑火应急队伍"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)

    def shown(self) -> None:
        self.list.refresh()

    def open_finding(self, finding_id: str) -> PatrolEditor | None:
        patrol_id = patrol_store.patrol_of_finding(self.list.store, finding_id)
        if patrol_id is None:
            return None
        self.tabs.setCurrentWidget(self.list)
        return self.list.open_patrol(patrol_id, finding_id)
