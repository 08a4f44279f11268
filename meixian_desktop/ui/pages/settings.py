"""设置: this computer's profile, the declared settings, and the villages with their groups."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from meixian_desktop.core.errors import ValidationError
from meixian_desktop.core.profile import Profile
from meixian_desktop.core.settings import SETTINGS, Setting
from meixian_desktop.store import settings as settings_store
from meixian_desktop.store import villages
from meixian_desktop.store.database import Store, Transaction
from meixian_desktop.store.errors import StoreError
from meixian_desktop.sync.keys import fingerprint
from meixian_desktop.ui.models.villages import GroupTableModel, VillageTableModel

VISIT_FREQUENCY = ("visit_months_key_group", "visit_months_other")


def _editor_for(setting: Setting, value: Any) -> QWidget:
    if setting.kind == "bool":
        box = QCheckBox()
        box.setChecked(bool(value))
        return box
    if setting.kind == "int":
        spin = QSpinBox()
        spin.setRange(setting.low or 0, setting.high or 1_000_000)
        spin.setValue(int(value))
        return spin
    line = QLineEdit(str(value))
    return line


def _editor_value(widget: QWidget) -> Any:
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    if isinstance(widget, QSpinBox):
        return widget.value()
    assert isinstance(widget, QLineEdit)
    return widget.text()


class SettingsForm(QWidget):
    """One editor per declared setting, built from core/settings.py."""

    def __init__(self, store: Store, parent: QWidget | None = None, *, town: bool = False
                 ) -> None:
        super().__init__(parent)
        self.store = store
        self.editors: dict[str, QWidget] = {}
        form = QFormLayout(self)
        for setting in SETTINGS:
            if setting.town_only and not town:
                continue
            editor = _editor_for(setting, settings_store.get(store, setting.key))
            editor.setToolTip(setting.help)
            self.editors[setting.key] = editor
            form.addRow(setting.label, editor)
        self.message = QLabel()
        save = QPushButton(self.tr("保存设置"))
        save.clicked.connect(self.save)
        form.addRow(save, self.message)

    def save(self) -> bool:
        """Save every setting at once; a changed visit frequency moves every due visit."""
        from meixian_desktop.printing.fonts import FontFileError, load_font
        from meixian_desktop.store.households import refresh_all_due

        font_file = str(_editor_value(self.editors["print_font_file"]) or "").strip()
        try:
            if font_file:
                load_font(Path(font_file))  # a file that is not a font is refused here, now
        except FontFileError as exc:
            self.message.setText(exc.message)
            return False
        try:
            with self.store.transaction() as tx:
                before = settings_store.all_values(self.store)
                for key, editor in self.editors.items():
                    settings_store.put(self.store, key, _editor_value(editor))
                after = settings_store.all_values(self.store)
                if any(before[k] != after[k] for k in VISIT_FREQUENCY):
                    refresh_all_due(tx)
        except (ValidationError, StoreError) as exc:
            self.message.setText(exc.message)
            return False
        self.message.setText(self.tr("已保存。"))
        return True


class VillagesPanel(QWidget):
    """Add, rename and retire villages and their 村民小组."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.village_model = VillageTableModel(store, self)
        self.group_model = GroupTableModel(store, self)
        self.group_model.set_filter("0", [])
        self.village_view = self._table(self.village_model)
        self.group_view = self._table(self.group_model)
        self.village_view.selectionModel().currentRowChanged.connect(self._village_chosen)
        self.message = QLabel()
        self.message.setStyleSheet("color: #b00020;")
        left = QVBoxLayout()
        left.addWidget(self.village_view)
        left.addLayout(self._buttons([
            (self.tr("新增村（社区）"), self.add_village),
            (self.tr("改名"), self.rename_village),
            (self.tr("停用/恢复"), self.toggle_village),
        ]))
        right = QVBoxLayout()
        right.addWidget(self.group_view)
        right.addLayout(self._buttons([
            (self.tr("新增村民小组"), self.add_group),
            (self.tr("改名"), self.rename_group),
            (self.tr("停用/恢复"), self.toggle_group),
        ]))
        columns = QHBoxLayout()
        columns.addLayout(left, 3)
        columns.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addWidget(self.message)

    def _table(self, model: Any) -> QTableView:
        view = QTableView()
        view.setModel(model)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setSortingEnabled(False)
        view.horizontalHeader().setStretchLastSection(True)
        view.verticalHeader().setVisible(False)
        return view

    def _buttons(self, specs: list[tuple[str, Callable[[], None]]]) -> QHBoxLayout:
        row = QHBoxLayout()
        for text, handler in specs:
            button = QPushButton(text)
            button.clicked.connect(handler)
            row.addWidget(button)
        return row

    def _selected(self, view: QTableView) -> str | None:
        index = view.currentIndex()
        return index.data(Qt.ItemDataRole.UserRole) if index.isValid() else None

    def _village_chosen(self) -> None:
        village_id = self._selected(self.village_view)
        if village_id:
            self.group_model.show_village(village_id)

    def _ask(self, title: str, label: str, text: str = "") -> str | None:
        value, ok = QInputDialog.getText(self, title, label, text=text)
        return value if ok else None

    def _write(self, change: Callable[[Transaction], object]) -> bool:
        """Run one change in a transaction; a rule broken shows its message, nothing half-saved."""
        try:
            with self.store.transaction() as tx:
                change(tx)
        except (ValidationError, StoreError) as exc:
            self.message.setText(exc.message)
            return False
        self.message.setText("")
        village_id = self._selected(self.village_view)
        self.village_model.refresh()
        if village_id:
            self.village_view.selectRow(self.village_model.row_of(village_id))
            self.group_model.show_village(village_id)
        return True

    def add_village(self) -> None:
        name = self._ask(self.tr("新增村（社区）"), self.tr("名称："))
        if name is not None:
            self._write(lambda tx: villages.add_village(tx, name))

    def rename_village(self) -> None:
        village_id = self._selected(self.village_view)
        if village_id is None:
            self.message.setText(self.tr("请先在左边选中一个村（社区）。"))
            return
        name = self._ask(self.tr("改名"), self.tr("新名称："))
        if name is not None:
            self._write(lambda tx: villages.rename_village(tx, village_id, name))

    def toggle_village(self) -> None:
        village_id = self._selected(self.village_view)
        if village_id is None:
            self.message.setText(self.tr("请先在左边选中一个村（社区）。"))
            return
        retired = self.store.conn.execute(
            "SELECT retired FROM villages WHERE id = ?", (village_id,)).fetchone()[0]
        self._write(lambda tx: villages.set_village_retired(tx, village_id, not retired))

    def add_group(self) -> None:
        village_id = self._selected(self.village_view)
        if village_id is None:
            self.message.setText(self.tr("请先在左边选中要加小组的村（社区）。"))
            return
        name = self._ask(self.tr("新增村民小组"), self.tr("小组名称（如 第一组）："))
        if name is not None:
            self._write(lambda tx: villages.add_group(tx, village_id, name))

    def rename_group(self) -> None:
        group_id = self._selected(self.group_view)
        if group_id is None:
            self.message.setText(self.tr("请先在右边选中一个村民小组。"))
            return
        name = self._ask(self.tr("改名"), self.tr("新名称："))
        if name is not None:
            self._write(lambda tx: villages.rename_group(tx, group_id, name))

    def toggle_group(self) -> None:
        group_id = self._selected(self.group_view)
        if group_id is None:
            self.message.setText(self.tr("请先在右边选中一个村民小组。"))
            return
        retired = self.store.conn.execute(
            "SELECT retired FROM village_groups WHERE id = ?", (group_id,)).fetchone()[0]
        self._write(lambda tx: villages.set_group_retired(tx, group_id, not retired))


class SettingsPage(QWidget):
    """The 设置 section: 本机信息, 常用设置, 村和村民小组."""

    def __init__(self, store: Store, profile: Profile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        about = QGroupBox(self.tr("本机信息"))
        info = QFormLayout(about)
        info.addRow(self.tr("角色"), QLabel(profile.role_label))
        info.addRow(self.tr("姓名/单位"), QLabel(profile.name))
        info.addRow(self.tr("电话"), QLabel(profile.phone or "—"))
        info.addRow(self.tr("镇"), QLabel(profile.town_name))
        info.addRow(self.tr("设备编号"), QLabel(store.meta("device_id") or ""))
        public = store.meta("signing_public")
        shown = fingerprint(bytes.fromhex(public)) if public else ""
        print_fingerprint = QLabel(f"<b style='font-size:16pt'>{shown}</b>")
        print_fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        info.addRow(self.tr("密钥指纹"), print_fingerprint)
        hint = QLabel(self.tr(
            "网格员第一次交记录时，镇里会打电话或当面请你念这串指纹，核对一致才批准这台电脑。"
            if not profile.is_town else
            "网格员的资料包由这台电脑签名；网格员第一次导入时可以核对这串指纹。"))
        hint.setWordWrap(True)
        info.addRow("", hint)
        if not profile.is_town:
            from meixian_desktop.sync.package import town_fingerprint

            self.town_fingerprint = QLabel(town_fingerprint(store) or self.tr(
                "还没有导入镇里的资料包（第一次导入时要核对镇里念给你的指纹）"))
            self.town_fingerprint.setTextInteractionFlags(
                Qt.TextInteractionFlag.TextSelectableByMouse)
            info.addRow(self.tr("镇里密钥指纹"), self.town_fingerprint)
        self.form = SettingsForm(store, town=profile.is_town)
        self.villages = VillagesPanel(store)
        tabs = QTabWidget()
        tabs.addTab(about, self.tr("本机信息"))
        tabs.addTab(self.form, self.tr("常用设置"))
        tabs.addTab(self.villages, self.tr("村和村民小组"))
        if profile.is_town:
            from meixian_desktop.ui.pages.categories import CategoryPanel

            self.categories = CategoryPanel(store)
            tabs.addTab(self.categories, self.tr("巡查问题类别"))
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
