"""设置 → 巡查问题类别 (town role): add finding categories, retire or restore them."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from meixian_desktop.core.errors import ValidationError
from meixian_desktop.core.ids import uuid7
from meixian_desktop.core.patrols import KINDS
from meixian_desktop.store import patrols as patrol_store
from meixian_desktop.store.database import Store
from meixian_desktop.store.errors import StoreError
from meixian_desktop.ui.widgets.fields import ERROR_STYLE


class CategoryPanel(QWidget):
    """The finding categories of one patrol kind, as the town wants them offered."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.kind = QComboBox()
        for item in KINDS:
            self.kind.addItem(item.label, item.code)
        self.kind.currentIndexChanged.connect(self.refresh)
        self.list = QListWidget()
        self.message = QLabel()
        self.message.setStyleSheet(ERROR_STYLE)
        add = QPushButton(self.tr("新增类别…"))
        add.clicked.connect(self.ask_new)
        toggle = QPushButton(self.tr("停用/恢复"))
        toggle.clicked.connect(self.toggle_selected)
        row = QHBoxLayout()
        row.addWidget(self.kind)
        row.addWidget(add)
        row.addWidget(toggle)
        row.addStretch()
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("镇里可以为每类巡查增加问题类别；停用的类别不再供新记录选择，"
                                         "旧记录不受影响。新增的类别随镇里下发的资料包发给网格员。")))
        layout.addLayout(row)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.message)
        self.refresh()

    def current_kind(self) -> str:
        return str(self.kind.currentData())

    def refresh(self) -> None:
        self.list.clear()
        for item in patrol_store.finding_categories(self.store)[self.current_kind()]:
            row = QListWidgetItem(item.label + (self.tr("（已停用）") if item.retired else ""))
            row.setData(Qt.ItemDataRole.UserRole, (item.code, item.retired))
            self.list.addItem(row)

    def add(self, label: str) -> bool:
        try:
            with self.store.transaction() as tx:
                patrol_store.add_category(tx, self.current_kind(), f"town-{uuid7()[-12:]}", label)
        except (ValidationError, StoreError) as exc:
            self.message.setText(exc.message)
            return False
        self.message.setText("")
        self.refresh()
        return True

    def ask_new(self) -> None:
        label, ok = QInputDialog.getText(self, self.tr("新增类别"), self.tr("类别名称："))
        if ok:
            self.add(label)

    def toggle_selected(self) -> None:
        row = self.list.currentItem()
        if row is None:
            self.message.setText(self.tr("请先选中一个类别。"))
            return
        code, retired = row.data(Qt.ItemDataRole.UserRole)
        with self.store.transaction() as tx:
            patrol_store.set_category_retired(tx, self.current_kind(), code, not retired)
        self.refresh()
