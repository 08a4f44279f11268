"""First-run set-up wizard: role, then the worker's or office's details, then keys are made."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from meixian_desktop.core.errors import ValidationError
from meixian_desktop.core.profile import TOWN_NAME_DEFAULT, Profile, make_profile
from meixian_desktop.core.villages import SeedVillage
from meixian_desktop.firstrun import SetupResult, set_up
from meixian_desktop.paths import Paths
from meixian_desktop.store.database import Store
from meixian_desktop.store.errors import StoreError


class RolePage(QWizardPage):
    """Who will use this computer."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("欢迎使用梅仙网格通"))
        self.setSubTitle(self.tr("第一次打开，需要做一次简单设置。这台电脑由谁使用？"))
        self.worker = QRadioButton(self.tr("网格员：带到村里用的电脑，记录巡查、走访、调解等"))
        self.town = QRadioButton(self.tr("镇级：镇里的电脑，汇总全镇网格员的数据"))
        self.worker.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.worker)
        group.addButton(self.town)
        layout = QVBoxLayout(self)
        layout.addWidget(self.worker)
        layout.addWidget(self.town)
        layout.addStretch()

    def role(self) -> str:
        return "town" if self.town.isChecked() else "worker"


class DetailsPage(QWizardPage):
    """Name, phone and villages (worker) or the office's name (town); checked as typed."""

    def __init__(self, seeds: list[SeedVillage], role_page: RolePage) -> None:
        super().__init__()
        self.role_page = role_page
        self.setTitle(self.tr("填写基本信息"))
        self.name = QLineEdit()
        self.phone = QLineEdit()
        self.phone.setPlaceholderText(self.tr("手机或座机，如 13907301234 或 0730-1234567"))
        self.town_name = QLineEdit(TOWN_NAME_DEFAULT)
        self.villages = QListWidget()
        for seed in seeds:
            item = QListWidgetItem(seed.name)
            item.setData(Qt.ItemDataRole.UserRole, seed.code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.villages.addItem(item)
        self.problem = ""
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        form = QFormLayout(self)
        self.name_label = QLabel()
        form.addRow(self.name_label, self.name)
        form.addRow(self.tr("联系电话"), self.phone)
        self.town_label = QLabel(self.tr("镇名称"))
        form.addRow(self.town_label, self.town_name)
        self.villages_label = QLabel(self.tr("负责的村（社区）"))
        form.addRow(self.villages_label, self.villages)
        form.addRow(self.error)
        self.name.textChanged.connect(self._changed)
        self.phone.textChanged.connect(self._changed)
        self.town_name.textChanged.connect(self._changed)
        self.villages.itemChanged.connect(self._changed)

    def initializePage(self) -> None:
        worker = self.role_page.role() == "worker"
        self.name_label.setText(self.tr("网格员姓名") if worker else self.tr("单位名称"))
        if not worker and not self.name.text():
            self.name.setText(self.tr("梅仙镇综治中心"))
        for shown, widgets in ((worker, (self.villages, self.villages_label)),
                               (not worker, (self.town_name, self.town_label))):
            for widget in widgets:
                widget.setVisible(shown)
        self._changed()

    def checked_villages(self) -> list[str]:
        return [
            self.villages.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.villages.count())
            if self.villages.item(i).checkState() == Qt.CheckState.Checked
        ]

    def profile(self) -> Profile:
        """The typed answers as a Profile, or ValidationError saying what to fix."""
        worker = self.role_page.role() == "worker"
        return make_profile(
            self.role_page.role(),
            self.name.text(),
            self.phone.text(),
            self.checked_villages() if worker else [],
            "" if worker else self.town_name.text(),
        )

    def _changed(self) -> None:
        """Re-check the answers; say what is wrong only once the user has typed something."""
        try:
            self.profile()
        except ValidationError as exc:
            self.problem = exc.message
        else:
            self.problem = ""
        touched = any(w.text() for w in (self.name, self.phone)) or self.checked_villages()
        self.error.setText(self.problem if touched else "")
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return not self.problem


class SetupWizard(QWizard):
    """Runs first-run set-up; on success ``result_info`` holds the device id and fingerprint."""

    def __init__(self, store: Store, paths: Paths, seeds: list[SeedVillage],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.paths = paths
        self.result_info: SetupResult | None = None
        self.setWindowTitle(self.tr("梅仙网格通 · 首次设置"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.role_page = RolePage()
        self.details_page = DetailsPage(seeds, self.role_page)
        self.addPage(self.role_page)
        self.addPage(self.details_page)
        self.setButtonText(QWizard.WizardButton.NextButton, self.tr("下一步"))
        self.setButtonText(QWizard.WizardButton.BackButton, self.tr("上一步"))
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("完成"))
        self.setButtonText(QWizard.WizardButton.CancelButton, self.tr("取消"))
        self.resize(560, 520)

    def accept(self) -> None:
        try:
            self.result_info = set_up(self.store, self.paths, self.details_page.profile())
        except (ValidationError, StoreError) as exc:
            QMessageBox.warning(self, self.tr("无法完成设置"), exc.message)
            return
        super().accept()
