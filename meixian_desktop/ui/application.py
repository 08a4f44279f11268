"""Starting the GUI: QApplication, opening the home, first-run wizard, then the main window."""

from __future__ import annotations

import sys

from PySide6.QtCore import QThreadPool, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from meixian_desktop import APP_ID, APP_NAME, __version__
from meixian_desktop.core.errors import ValidationError
from meixian_desktop.paths import Paths
from meixian_desktop.store import profile as profile_store
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


def run_gui(paths: Paths, *, demo: bool = False, smoke: bool = False) -> int:
    """Open the window on ``paths``; with ``smoke``, show it, let it paint, and exit 0."""
    app = make_application()
    if not smoke:
        from meixian_desktop.logs import configure
        from meixian_desktop.ui.crash import install

        install(configure(paths.log_dir))
    try:
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
