"""The town's review lists on the 同步 page: 冲突 (both versions side by side, restore the losing
one) and 隔离 (records not imported, with the reason)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from meixian_desktop.store.database import Store
from meixian_desktop.store.errors import StoreError
from meixian_desktop.store.schema import CONVENTION_COLUMNS
from meixian_desktop.sync import review
from meixian_desktop.sync.errors import SyncError
from meixian_desktop.ui.pages.sync_page import (
    ERROR,
    OK,
    TONES,
    kind_labels,
    plain_table,
    set_row,
    short_time,
)

ID_ROLE = Qt.ItemDataRole.UserRole
# Column names as a town clerk reads them; a column not listed shows its own name.
FIELD_LABELS = {
    "name": "名称/姓名", "head_name": "户主姓名", "address": "住址", "phone": "电话",
    "notes": "备注", "status": "状态", "kind": "类别", "category": "类别",
    "description": "情况描述", "place": "地点", "village_id": "村（社区）",
    "group_id": "村民小组", "number": "编号", "cadre": "包户干部", "tags": "户类别",
    "monitoring_type": "监测类型", "risk_types": "风险类型", "income_per_capita": "人均纯收入",
    "next_visit_due": "下次走访", "id_number": "身份证号码", "gender": "性别",
    "birth_date": "出生日期", "relation": "与户主关系", "health": "健康状况",
    "patrol_date": "巡查日期", "start_time": "开始时间", "end_time": "结束时间",
    "weather": "天气", "leader": "带队", "companions": "同行人员", "route_start": "起点",
    "route_end": "终点", "river_name": "河流名称", "river_section": "河段", "action": "处理方式",
    "deadline": "整改期限", "recheck_date": "复查日期", "recheck_result": "复查结果",
    "visit_date": "走访日期", "visitors": "走访人", "person_met": "见到的人", "needs": "诉求",
    "needs_detail": "诉求详情", "satisfaction": "满意度", "next_visit_date": "下次走访日期",
    "minor_name": "未成年人姓名", "guardians": "监护人", "facts": "事实", "duties": "监护职责",
    "issue_date": "签发日期", "recipient": "受送达人", "served_at": "送达时间",
    "method": "送达方式", "followup_date": "回访日期", "summary": "纠纷简况",
    "mediators": "调解员", "agreement": "调解协议", "outcome": "结果", "content": "内容",
    "start_date": "开始日期", "end_date": "结束日期", "occupation": "职业", "age": "年龄",
    "deleted": "已删除", "village_ids": "村（社区）", "area": "区域", "waypoints": "轨迹点",
    "distance_km": "里程（公里）", "signature": "签名", "fire_danger": "火险等级",
    "forest_entrants": "进山人员", "plot_number": "地块编号", "lat": "纬度", "lon": "经度",
    "persons": "人员", "area_mu": "面积（亩）", "photos": "照片", "patrol_id": "所属巡查",
    "household_id": "所属户", "case_id": "所属案件", "order_id": "所属监护令",
    "finding_id": "所属问题", "ethnicity": "民族", "education": "文化程度",
}
# Where to look for a few words that name a record in a list.
NAMING_FIELDS = ("head_name", "name", "minor_name", "recipient", "description", "river_name",
                 "summary", "place", "patrol_date", "visit_date", "followup_date", "notes")


def field_label(name: str) -> str:
    return FIELD_LABELS.get(name, name)


def shown(value: Any) -> str:
    if value is None or value == "":
        return "（空）"
    return str(value)


def describe(row: dict[str, Any]) -> str:
    """A few words naming a record: its head of household, name, date or description."""
    for name in NAMING_FIELDS:
        value = row.get(name)
        if value:
            text = str(value)
            return text if len(text) <= 20 else text[:19] + "…"
    return str(row.get("id", ""))[-6:]


def fill_review_list(view: QListWidget, store: Store,
                     rows: list[tuple[int, str, str, str, str]],
                     chosen: Callable[[int], None]) -> None:
    """One line per (id, table, name, worker, at); the entry chosen before stays chosen (a
    refresh while the hub runs must not throw the clerk back to the first one)."""
    before = view.currentItem().data(ID_ROLE) if view.currentItem() is not None else None
    labels = kind_labels(store)
    view.blockSignals(True)
    view.clear()
    keep = 0
    for number, (entry_id, table, name, worker, at) in enumerate(rows):
        item = QListWidgetItem(f"{labels.get(table, table)}：{name}（{worker}的批次，"
                               f"{short_time(at)}）")
        item.setData(ID_ROLE, entry_id)
        view.addItem(item)
        keep = number if entry_id == before else keep
    view.blockSignals(False)
    if rows:
        view.setCurrentRow(keep)
        chosen(keep)
    else:
        chosen(-1)


class ConflictPanel(QWidget):
    """Open conflicts, the two versions side by side, restore or keep."""

    changed = Signal()

    def __init__(self, store: Store, actor: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store, self.actor = store, actor
        self.items: list[review.Conflict] = []
        self.list = QListWidget()
        self.list.currentRowChanged.connect(self._chosen)
        self.versions = plain_table([self.tr("内容"), self.tr("现在采用的版本"),
                                     self.tr("未采用的版本")])
        self.restore_button = QPushButton(self.tr("恢复未采用的版本"))
        self.restore_button.setToolTip(self.tr(
            "把右边“未采用的版本”改回来，作为现在的版本。这一修改会随下次资料包发给网格员。"))
        self.restore_button.clicked.connect(self.restore_selected)
        self.keep_button = QPushButton(self.tr("保留现用版本"))
        self.keep_button.setToolTip(self.tr("现在的版本是对的；未采用的版本仍存档，不会删除。"))
        self.keep_button.clicked.connect(self.keep_selected)
        self.message = QLabel()
        self.message.setWordWrap(True)
        intro = QLabel(self.tr("两台电脑改了同一条记录时，后改的版本被采用，另一个版本保存在这里，"
                               "不会丢。请逐条看一看，哪个对就留哪个。"))
        intro.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addWidget(self.keep_button)
        buttons.addWidget(self.restore_button)
        columns = QHBoxLayout()
        columns.addWidget(self.list, 2)
        columns.addWidget(self.versions, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(columns, 1)
        layout.addLayout(buttons)
        self.refresh()

    def refresh(self) -> None:
        self.items = review.conflicts(self.store)
        fill_review_list(self.list, self.store, [
            (c.id, c.table, describe(c.current or c.lost), c.worker, c.at) for c in self.items],
            self._chosen)

    def _chosen(self, row: int) -> None:
        conflict = self.items[row] if 0 <= row < len(self.items) else None
        differences = conflict.differences() if conflict else []
        self.versions.setRowCount(len(differences))
        for number, (name, now, lost) in enumerate(differences):
            set_row(self.versions, number, [field_label(name), shown(now), shown(lost)])
        for button in (self.restore_button, self.keep_button):
            button.setEnabled(conflict is not None)
        if conflict is None:
            self.message.setText(self.tr("没有待处理的冲突。"))
        elif not differences:
            self.message.setText(self.tr("两个版本的内容一样，点“保留现用版本”即可。"))
        else:
            self.message.clear()

    def selected(self) -> review.Conflict | None:
        row = self.list.currentRow()
        return self.items[row] if 0 <= row < len(self.items) else None

    def restore_selected(self) -> None:
        conflict = self.selected()
        if conflict is not None:
            self._decide(lambda: review.restore_losing(self.store, conflict.id, self.actor),
                         self.tr("已恢复未采用的版本。"))

    def keep_selected(self) -> None:
        conflict = self.selected()
        if conflict is not None:
            self._decide(lambda: review.keep_current(self.store, conflict.id, self.actor),
                         self.tr("已保留现用版本。"))

    def _decide(self, action: Any, done: str) -> None:
        try:
            action()
        except (SyncError, StoreError) as exc:
            self.refresh()
            self.message.setText(exc.message)
            self.message.setStyleSheet(f"color: {TONES[ERROR]};")
            return
        self.refresh()
        self.changed.emit()  # the page updates its tab titles (and refreshes this panel)
        self.message.setText(done + " " + self.message.text())
        self.message.setStyleSheet(f"color: {TONES[OK]};")


class QuarantinePanel(QWidget):
    """Records kept out because they broke a rule, with the reason; mark them dealt with."""

    changed = Signal()

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.items: list[review.Quarantined] = []
        self.list = QListWidget()
        self.list.currentRowChanged.connect(self._chosen)
        self.reason = QLabel()
        self.reason.setWordWrap(True)
        self.reason.setStyleSheet(f"color: {TONES[ERROR]};")
        self.fields = plain_table([self.tr("内容"), self.tr("网格员填的")])
        self.done_button = QPushButton(self.tr("已处理"))
        self.done_button.setToolTip(self.tr(
            "已经告诉网格员改正（改正后他重新导出，这条会正常导入），把它从清单里移走。"))
        self.done_button.clicked.connect(self.dismiss_selected)
        intro = QLabel(self.tr("这些记录不符合填写规则，没有导入（同一批的其他记录已正常导入）。"
                               "请把原因告诉网格员，让他在本人电脑上改正后再导出。"))
        intro.setWordWrap(True)
        right = QVBoxLayout()
        right.addWidget(self.reason)
        right.addWidget(self.fields, 1)
        columns = QHBoxLayout()
        columns.addWidget(self.list, 2)
        columns.addLayout(right, 3)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.done_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(columns, 1)
        layout.addLayout(buttons)
        self.refresh()

    def refresh(self) -> None:
        self.items = review.quarantined(self.store)
        fill_review_list(self.list, self.store, [
            (r.id, r.table, describe(r.row), r.worker, r.at) for r in self.items], self._chosen)

    def _chosen(self, row: int) -> None:
        record = self.items[row] if 0 <= row < len(self.items) else None
        self.done_button.setEnabled(record is not None)
        self.reason.setText(self.tr("原因：") + record.reason if record
                            else self.tr("没有被隔离的记录。"))
        values = ([(k, v) for k, v in record.row.items()  # what was filled in, not the blanks
                   if k not in CONVENTION_COLUMNS and v not in (None, "", "[]", "{}")]
                  if record else [])
        self.fields.setRowCount(len(values))
        for number, (name, value) in enumerate(values):
            set_row(self.fields, number, [field_label(name), shown(value)])

    def dismiss_selected(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self.items):
            review.dismiss_quarantined(self.store, self.items[row].id)
            self.refresh()
            self.changed.emit()
