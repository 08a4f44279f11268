"""The windows in front of the data: sign-in, first password, the idle lock, recovery."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from meixian_desktop.store import profile as profile_store
from meixian_desktop.store import vault
from meixian_desktop.ui.sign_in import SetPasswordDialog, SignInDialog

PASSWORD = "mxzh-2026-jia"


@pytest.fixture
def protected(session):
    vault.set_password(session.paths.data_dir, PASSWORD)
    return session


def test_sign_in_refuses_a_wrong_password_and_opens_with_the_right_one(qtbot, protected) -> None:
    data_dir = protected.paths.data_dir
    vault.forget(data_dir)
    dialog = SignInDialog(data_dir)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.password.setText("wrong-one-2026")
    assert not dialog.try_password()
    assert "密码不对" in dialog.message.text() and dialog.password.text() == ""
    assert vault.held_key(data_dir) is None
    dialog.password.setText(PASSWORD)
    with qtbot.waitSignal(dialog.accepted):
        assert dialog.try_password()
    assert vault.held_key(data_dir) == protected.store.key


def test_five_wrong_passwords_hold_the_button_for_thirty_seconds(qtbot, protected,
                                                                  clock_at) -> None:
    stepping = clock_at("2026-06-17T10:00:00")
    data_dir = protected.paths.data_dir
    vault.forget(data_dir)
    dialog = SignInDialog(data_dir)
    qtbot.addWidget(dialog)
    for _ in range(5):
        dialog.password.setText("wrong-one-2026")
        dialog.try_password()
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert not ok.isEnabled() and "30 秒" in dialog.message.text()
    dialog.wait_left = 1
    dialog._tick()
    assert ok.isEnabled()
    stepping.advance(timedelta(seconds=31))
    dialog.password.setText(PASSWORD)
    assert dialog.try_password()


def test_the_first_password_is_checked_for_strength_and_typed_twice(qtbot, session) -> None:
    data_dir = session.paths.data_dir
    dialog = SetPasswordDialog(data_dir, phone="13907301234", name="李梅")
    qtbot.addWidget(dialog)
    for first, second, said in (("123456", "123456", "8 位"), ("13907301234", "13907301234",
                                                                 "手机号码"),
                                ("mxzh-2026-jia", "mxzh-2026-jib", "不一样")):
        dialog.first.setText(first)
        dialog.second.setText(second)
        assert not dialog.try_set()
        assert said in dialog.message.text()
    assert not vault.has_password(data_dir)
    dialog.reject()  # it cannot be skipped
    assert "必须先设置密码" in dialog.message.text()
    dialog.first.setText(PASSWORD)
    dialog.second.setText(PASSWORD)
    assert dialog.try_set() and vault.has_password(data_dir)


def test_the_window_locks_when_left_alone_and_opens_with_the_password(qtbot, protected) -> None:
    from meixian_desktop.ui.main_window import MainWindow
    from meixian_desktop.ui.tasks import run_now

    window = MainWindow(protected, profile_store.load(protected.store), runner=run_now)
    qtbot.addWidget(window)
    window.show()
    lock = window.idle_lock
    lock.start()  # as after the first paint
    assert lock.timer.interval() == 10 * 60 * 1000  # the town's default
    editor = window.show_section("patrol").list.new_patrol("forest")  # a record on screen
    assert editor.isVisible()
    lock.timer.setInterval(50)
    lock.timer.start()
    qtbot.waitUntil(lambda: lock.locked, timeout=3000)
    assert not window.centralWidget().isVisible()
    assert not editor.isVisible()  # every window of the app is hidden, not just the main one
    lock.dialog.password.setText("wrong-one-2026")
    assert not lock.dialog.try_password() and lock.locked
    lock.dialog.password.setText(PASSWORD)
    lock.dialog.try_password()
    assert not lock.locked and window.centralWidget().isVisible() and editor.isVisible()


def test_leaving_the_app_for_a_while_locks_it(qtbot, protected) -> None:
    from PySide6.QtCore import Qt

    from meixian_desktop.ui.main_window import MainWindow
    from meixian_desktop.ui.tasks import run_now

    window = MainWindow(protected, profile_store.load(protected.store), runner=run_now)
    qtbot.addWidget(window)
    window.show()
    lock = window.idle_lock
    lock.away.setInterval(50)
    lock._state_changed(Qt.ApplicationState.ApplicationInactive)  # e.g. Win+L
    lock._state_changed(Qt.ApplicationState.ApplicationActive)  # back at once: nothing
    qtbot.wait(150)
    assert not lock.locked
    lock._state_changed(Qt.ApplicationState.ApplicationInactive)
    qtbot.waitUntil(lambda: lock.locked, timeout=3000)
    assert not window.centralWidget().isVisible()


def test_typing_keeps_the_window_unlocked(qtbot, protected) -> None:
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    from meixian_desktop.ui.main_window import MainWindow
    from meixian_desktop.ui.tasks import run_now

    window = MainWindow(protected, profile_store.load(protected.store), runner=run_now)
    qtbot.addWidget(window)
    window.show()
    lock = window.idle_lock
    lock.start()
    lock.timer.setInterval(400)
    lock.timer.start()
    for _ in range(6):
        qtbot.wait(100)
        QApplication.sendEvent(window.nav, QKeyEvent(QEvent.Type.KeyPress, 0x41,
                                                           Qt.KeyboardModifier.NoModifier))
    assert not lock.locked


def test_recovery_from_the_sign_in_window_and_the_towns_sync_page(qtbot, tmp_path) -> None:
    from meixian_desktop.ui.pages.sync_town import TownSyncPage
    from tests.sync.homes import ZHANGHAN, make_home
    from tests.sync.test_recovery import approved

    town = make_home(tmp_path / "town", "town", "梅仙镇综治中心", [])
    worker = make_home(tmp_path / "worker", "worker", "李梅", [ZHANGHAN])
    stick = tmp_path / "stick"
    approved(town, worker, stick)  # the town knows this laptop
    data_dir = worker.paths.data_dir
    vault.set_password(data_dir, PASSWORD)
    worker.session.close()
    vault.forget(data_dir)
    sign_in = SignInDialog(data_dir)
    qtbot.addWidget(sign_in)
    request = sign_in.make_request(stick)
    assert request is not None and "镇综治中心" in sign_in.message.text()
    page = TownSyncPage(town.store, town.paths, town.profile)
    qtbot.addWidget(page)
    box = page.check_identity(request)
    assert box is not None and "李梅" in box.text() and "身份证" in box.text()
    box.close()
    answer = page.answer_recovery(request, stick)
    assert answer is not None and answer.exists()
    assert sign_in.take_answer(answer)
    sign_in.new_password.first.setText("new-pass-2026x")
    sign_in.new_password.second.setText("new-pass-2026x")
    with qtbot.waitSignal(sign_in.accepted):
        assert sign_in.new_password.try_set()
    vault.forget(data_dir)
    vault.unlock(data_dir, "new-pass-2026x")
    town.session.close()


def test_a_revoked_laptop_is_told_then_its_key_is_destroyed(qtbot, protected) -> None:
    from meixian_desktop.ui.main_window import MainWindow
    from meixian_desktop.ui.tasks import run_now

    window = MainWindow(protected, profile_store.load(protected.store), runner=run_now)
    qtbot.addWidget(window)
    assert window.sync_agent is not None
    window.sync_agent.revoked.emit("梅仙镇已经停用了这台电脑。数据钥匙将被销毁。")
    box = window.revoked_box
    assert box.isVisible() and "停用" in box.text()
    assert vault.exists(protected.paths.data_dir)  # nothing destroyed before the worker reads it
    box.done(0)
    assert not vault.exists(protected.paths.data_dir)


def run_app(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != vault.PASSWORD_ENV}
    env["QT_QPA_PLATFORM"] = "offscreen"
    return subprocess.run([sys.executable, "-m", "meixian_desktop", "--home", str(home), *args],
                          capture_output=True, text=True, timeout=120, env=env,
                          cwd=Path(__file__).resolve().parents[2])


def test_a_protected_home_starts_at_the_sign_in_window(protected) -> None:
    protected.close()
    done = run_app(protected.paths.data_dir.parent, "--smoke")
    assert done.returncode == 0, done.stderr
    assert "sign-in window shown" in done.stdout and "main window" not in done.stdout


def test_a_damaged_key_file_starts_at_the_recovery_window(protected) -> None:
    protected.close()
    vault.vault_file(protected.paths.data_dir).write_bytes(b"\x00" * 64)
    done = run_app(protected.paths.data_dir.parent, "--smoke")
    assert done.returncode == 0, done.stderr
    assert "recovery window shown" in done.stdout


def test_the_recovery_window_offers_only_recovery(qtbot, protected) -> None:
    dialog = SignInDialog(protected.paths.data_dir, recovery_only="钥匙文件已损坏。")
    qtbot.addWidget(dialog)
    dialog.show()
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert not dialog.password.isEnabled() and not ok.isVisible()
    assert dialog.request_button.isVisible() and "镇综治中心" in dialog.message.text()
