"""Sign-in, lock and first password: the windows that stand between a found laptop and the data."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from meixian_desktop import APP_NAME
from meixian_desktop.core.passwords import DEMO_PASSWORD, password_problem
from meixian_desktop.store import vault
from meixian_desktop.store.errors import StoreError

ERROR_STYLE = "color: #b00020;"

FORGOT = ("忘记密码：本机数据只有镇里能帮助恢复。请带上电脑和身份证到镇综治中心，"
          "由工作人员核对身份后，用镇里的恢复文件重新设置密码。")


def password_line() -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setMinimumWidth(260)
    return edit


class SignInDialog(QDialog):
    """Ask for the password and unlock the home; wrong tries wait as the vault says."""

    def __init__(self, data_dir: Path, *, title: str = "", demo: bool = False,
                 recovery_only: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self.setWindowTitle(title or f"{APP_NAME} — 登录")
        self.password = password_line()
        self.message = QLabel()
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("进入"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("退出"))
        self.buttons.accepted.connect(self.try_password)
        self.buttons.rejected.connect(self.reject)
        self.waiting = QTimer(self)
        self.waiting.setInterval(1000)
        self.waiting.timeout.connect(self._tick)
        self.wait_left = 0
        form = QFormLayout()
        form.addRow(self.tr("密码"), self.password)
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        self.heading = QLabel(self.tr("<b>数据已加密</b>，请输入这台电脑的密码。"))
        layout.addWidget(self.heading)
        if demo:
            layout.addWidget(QLabel(self.tr("演示数据的密码：") + f"<b>{DEMO_PASSWORD}</b>"))
        layout.addLayout(form)
        layout.addWidget(self.message)
        forgot = QLabel(self.tr(FORGOT))
        forgot.setWordWrap(True)
        forgot.setStyleSheet("color: #555;")
        layout.addWidget(forgot)
        self.request_button = self.buttons.addButton(
            self.tr("制作恢复申请…"), QDialogButtonBox.ButtonRole.ActionRole)
        self.request_button.clicked.connect(self.choose_request_folder)
        self.answer_button = self.buttons.addButton(
            self.tr("导入恢复文件…"), QDialogButtonBox.ButtonRole.ActionRole)
        self.answer_button.clicked.connect(self.choose_answer)
        layout.addWidget(self.buttons)
        if recovery_only:  # the key file is damaged or gone: no password can help
            self.setWindowTitle(f"{APP_NAME} — 通过镇里恢复")
            self.heading.setText(self.tr("<b>这台电脑的数据钥匙出了问题</b>"))
            self.password.setEnabled(False)
            self.password.setVisible(False)
            label = form.labelForField(self.password)
            if label is not None:
                label.setVisible(False)
            self.buttons.button(QDialogButtonBox.StandardButton.Ok).setVisible(False)
            self.message.setText(recovery_only + self.tr(
                "请点“制作恢复申请…”，带上电脑、申请文件和身份证到镇综治中心。"))

    def try_password(self) -> bool:
        """Unlock with what is typed; on success the dialog is accepted."""
        try:
            vault.unlock(self.data_dir, self.password.text())
        except vault.WrongPassword as exc:
            self.password.clear()
            self.message.setText(exc.message)
            if exc.wait:
                self._wait(exc.wait)
            return False
        except StoreError as exc:
            self.message.setText(exc.message)
            return False
        self.accept()
        return True

    # -- recovery through the town -----------------------------------------------------------
    def choose_request_folder(self) -> QFileDialog:
        dialog = QFileDialog(self, self.tr("恢复申请写到哪个文件夹（如U盘）"))
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.fileSelected.connect(lambda folder: self.make_request(Path(folder)))
        dialog.open()
        return dialog

    def make_request(self, folder: Path) -> Path | None:
        from meixian_desktop.sync.errors import SyncError
        from meixian_desktop.sync.recovery import write_request

        try:
            made = write_request(self.data_dir, folder)
        except (SyncError, StoreError) as exc:
            self.message.setText(exc.message)
            return None
        except OSError as exc:
            self.message.setText(self.tr("无法写到“%1”：%2。请换一个文件夹或插好U盘。")
                                 .replace("%1", str(folder)).replace("%2", exc.strerror or ""))
            return None
        self.message.setText(self.tr("恢复申请已写到 %1。请带上电脑、这个文件和身份证到镇综治中心；"
                                     "拿到恢复文件后点“导入恢复文件…”。").replace("%1", str(made)))
        return made

    def choose_answer(self) -> QFileDialog:
        dialog = QFileDialog(self, self.tr("选择镇里给的恢复文件"), "",
                             self.tr("恢复文件 (*.mxreca)"))
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(lambda name: self.take_answer(Path(name)))
        dialog.open()
        return dialog

    def take_answer(self, answer: Path) -> bool:
        """Open the town's answer; then a new password must be set before going in."""
        from meixian_desktop.sync.errors import SyncError
        from meixian_desktop.sync.recovery import apply_answer

        try:
            apply_answer(self.data_dir, answer)
        except (SyncError, StoreError) as exc:
            self.message.setText(exc.message)
            return False
        self.new_password = SetPasswordDialog(self.data_dir, parent=self)
        self.new_password.accepted.connect(self.accept)
        self.new_password.open()
        return True

    def _wait(self, seconds: int) -> None:
        self.wait_left = seconds
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        self.waiting.start()

    def _tick(self) -> None:
        self.wait_left -= 1
        if self.wait_left <= 0:
            self.waiting.stop()
            self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(True)
            self.message.setText(self.tr("可以再试了。"))
        else:
            self.message.setText(self.tr("密码错误次数太多，请 %1 秒后再试。")
                                 .replace("%1", str(self.wait_left)))


class SetPasswordDialog(QDialog):
    """Set (or change) the password that guards this laptop's data; checked for strength."""

    def __init__(self, data_dir: Path, *, phone: str = "", name: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self.phone = phone
        self.name = name
        self.setWindowTitle(f"{APP_NAME} — 设置密码")
        self.setMinimumWidth(480)
        self.first = password_line()
        self.second = password_line()
        self.message = QLabel()
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("设置密码"))
        buttons.accepted.connect(self.try_set)
        form = QFormLayout()
        form.addRow(self.tr("新密码"), self.first)
        form.addRow(self.tr("再输一次"), self.second)
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr(
            "这台电脑上的户籍、身份证号码和未成年人的资料都要加密保存。"
            "请设置一个至少 8 位、别人猜不到的密码，每次打开软件时输入。"
            "不要用 123456、生日或手机号码。忘记密码要到镇里恢复。"))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def try_set(self) -> bool:
        password = self.first.text()
        problem = password_problem(password, phone=self.phone, name=self.name)
        if not problem and password != self.second.text():
            problem = "两次输入的密码不一样，请重新输入。"
        if problem:
            self.message.setText(self.tr(problem))
            return False
        try:
            vault.set_password(self.data_dir, password)
        except StoreError as exc:
            self.message.setText(exc.message)
            return False
        self.accept()
        return True

    def reject(self) -> None:  # the password is not optional
        self.message.setText(self.tr("必须先设置密码才能使用。"))
