"""Starting the GUI: QApplication, opening the home, first-run wizard, then the main window."""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QThreadPool, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from meixian_desktop import APP_ID, APP_NAME, __version__
from meixian_desktop.core.errors import ValidationError
from meixian_desktop.paths import Paths
from meixian_desktop.store import profile as profile_store
from meixian_desktop.store import vault
from meixian_desktop.store.errors import StoreError
from meixian_desktop.store.session import Session, open_session


def make_application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_ID)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    return app


def _fail(message: str, smoke: bool) -> int:
    print(message, file=sys.stderr)
    if not smoke:
        QMessageBox.critical(None, APP_NAME, message)
    return 1


def _open(paths: Paths, demo: bool) -> Session:
    session = open_session(paths)
    if demo and profile_store.load(session.store) is None:
        from meixian_desktop.demo import fill_demo

        try:
            fill_demo(session)
        except BaseException:
            session.close()
            raise
    return session


def _signed_in(paths: Paths, demo: bool, smoke: bool) -> bool:
    """The home's key is unlocked, or needs no password yet; else ask (a smoke run shows the
    sign-in window and stops, unless $MEIXIAN_PASSWORD or the demo's password opens it)."""
    from meixian_desktop.ui.sign_in import SignInDialog

    problem = _key_problem(paths)
    if problem:  # the key file is damaged or gone: only the town can help now
        dialog = SignInDialog(paths.data_dir, demo=demo, recovery_only=problem)
        if smoke:
            dialog.show()
            QApplication.processEvents()
            print("smoke: recovery window shown", flush=True)
            return False
        return bool(dialog.exec())
    if vault.held_key(paths.data_dir) is not None or not vault.has_password(paths.data_dir):
        return True
    if smoke:
        from meixian_desktop.core.passwords import DEMO_PASSWORD

        password = os.environ.get(vault.PASSWORD_ENV) or (DEMO_PASSWORD if demo else "")
        if password:
            vault.unlock(paths.data_dir, password)
            return True
    dialog = SignInDialog(paths.data_dir, demo=demo)
    if smoke:
        dialog.show()
        QApplication.processEvents()
        print("smoke: sign-in window shown", flush=True)
        return False
    return bool(dialog.exec())


def _key_problem(paths: Paths) -> str:
    """Why the home's key cannot be had (damaged or missing vault beside a database), or ""."""
    if vault.held_key(paths.data_dir) is not None:
        return ""
    try:
        if vault.exists(paths.data_dir):
            vault.read_vault(paths.data_dir)
            return ""
    except vault.VaultDamaged as exc:
        return exc.message
    from meixian_desktop.store.database import is_clear_database

    size = paths.database.stat().st_size if paths.database.exists() else 0
    # An encrypted database is whole pages of at least 4 KiB; anything else is damaged or not
    # ours, which the opening itself reports.
    if size >= 4096 and size % 1024 == 0 and not is_clear_database(paths.database):
        return (f"找不到数据钥匙文件“{vault.vault_file(paths.data_dir)}”，数据打不开。"
                "如果这台电脑没有被镇里停用，可以通过镇里恢复：")
    return ""


def run_gui(paths: Paths, *, demo: bool = False, smoke: bool = False) -> int:
    """Open the window on ``paths``; with ``smoke``, show it, let it paint, and exit 0."""
    app = make_application()
    if not smoke:
        from meixian_desktop.logs import configure
        from meixian_desktop.ui.crash import install

        install(configure(paths.log_dir))
    try:
        if not _signed_in(paths, demo, smoke):
            return 0
        session = _open(paths, demo)
    except (StoreError, ValidationError) as exc:
        return _fail(exc.message, smoke)
    try:
        profile = profile_store.load(session.store)
        if profile is None:
            from meixian_desktop.firstrun import shipped_villages
            from meixian_desktop.ui.setup_wizard import SetupWizard

            wizard = SetupWizard(session.store, paths, shipped_villages())
            if smoke:
                wizard.show()
                app.processEvents()
                print("smoke: first-run wizard shown")
                return 0
            if not wizard.exec():
                return 0
            profile = profile_store.load(session.store)
            assert profile is not None
        if not vault.has_password(paths.data_dir) and not smoke:
            from meixian_desktop.ui.sign_in import SetPasswordDialog

            if not SetPasswordDialog(paths.data_dir, phone=profile.phone,
                                     name=profile.name).exec():
                return 0
        from meixian_desktop.ui.main_window import MainWindow

        window = MainWindow(session, profile, demo=demo)
        window.show()
        if smoke:
            app.processEvents()
            print(f"smoke: main window shown ({window.windowTitle()})", flush=True)
            window.start_background_work()
            QThreadPool.globalInstance().waitForDone()  # the background work finishes cleanly
            app.processEvents()
            print(f"smoke: {window.nav.item(0).text()}", flush=True)
            window.close()
            return 0
        QTimer.singleShot(0, window.raise_)
        QTimer.singleShot(0, window.start_background_work)  # after the first paint
        return app.exec()
    finally:
        session.close()
