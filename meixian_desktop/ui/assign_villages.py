"""分配负责的村: the town sets which villages a worker's laptop may write and is sent."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from meixian_desktop.store import devices
from meixian_desktop.store.database import Store
from meixian_desktop.store.villages import list_villages


class AssignVillagesDialog(QDialog):
    """One checkbox per village; OK saves the device's villages (the town's decision)."""

    def __init__(self, store: Store, device: devices.Device, parent: QWidget | None = None
                 ) -> None:
        super().__init__(parent)
        self.store, self.device = store, device
        self.setWindowTitle(self.tr("分配负责的村"))
        layout = QVBoxLayout(self)
        note = QLabel(self.tr("%1（密钥指纹 %2）负责的村。以镇里分配的为准：这台电脑只能交来"
                              "这些村的记录，资料包也只带这些村的户、监护令和案件。")
                      .replace("%1", device.worker).replace("%2", device.fingerprint))
        note.setWordWrap(True)
        layout.addWidget(note)
        grid = QGridLayout()
        self.boxes: dict[str, QCheckBox] = {}
        for number, village in enumerate(v for v in list_villages(self.store) if v.code):
            box = QCheckBox(village.name)
            box.setChecked(village.code in device.villages)
            self.boxes[str(village.code)] = box
            grid.addWidget(box, number // 4, number % 4)
        layout.addLayout(grid)
        self.message = QLabel()
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def chosen(self) -> tuple[str, ...]:
        return tuple(code for code, box in self.boxes.items() if box.isChecked())

    def accept(self) -> None:
        if not self.chosen():
            self.message.setText(self.tr("请至少选一个村。"))
            return
        devices.assign(self.store, self.device.device_id, self.chosen())
        super().accept()
