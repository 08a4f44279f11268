"""Locking the window after the town's idle time, a minute after the user went to another
program or locked the session (Win+L), or on 锁定 (Ctrl+L): the password opens it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

from meixian_desktop.store import vault

INPUT: frozenset[QEvent.Type] | None = None  # the events that count as the user being there
AWAY_MS = 60 * 1000  # the app inactive (session locked, another program in front) this long


class IdleLock(QObject):
    """Watches the keyboard and mouse of the whole app; after ``minutes`` without either, and
    when the session is locked or the app suspended, hides the window behind the sign-in."""

    def __init__(self, window: QMainWindow, data_dir: Path, minutes: int, *, demo: bool = False
                 ) -> None:
        super().__init__(window)
        self.window = window
        self.data_dir = data_dir
        self.demo = demo
        self.locked = False
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(minutes * 60 * 1000)
        self.timer.timeout.connect(self.lock)
        self.away = QTimer(self)
        self.away.setSingleShot(True)
        self.away.setInterval(AWAY_MS)
        self.away.timeout.connect(self.lock)

    def start(self) -> None:
        """Begin watching (after the first paint: an event filter in Python builds Qt's event
        enums, which the start-up budget keeps off the path to the first window)."""
        global INPUT
        if INPUT is None:
            INPUT = frozenset({QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress,
                               QEvent.Type.MouseMove, QEvent.Type.Wheel, QEvent.Type.TouchBegin})
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
            changed = app.applicationStateChanged  # type: ignore[attr-defined]

            def slot(state: object) -> None:
                self._state_changed(state)

            changed.connect(slot)  # a plain function: a method slot cannot take Qt's enum here
            self.destroyed.connect(lambda *_: changed.disconnect(slot))
        self.timer.start()

    @property
    def guarded(self) -> bool:
        """Only a home with a password locks (a test home or one mid-set-up has nothing to
        ask for)."""
        return vault.has_password(self.data_dir)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if not self.locked and INPUT is not None and event.type() in INPUT:
            self.timer.start()
        return False

    def _state_changed(self, state: object) -> None:
        """Suspended: lock now. Inactive or hidden (Windows reports a locked session so): lock
        if the user does not come back within a minute. Active again: nothing to do."""
        from PySide6.QtCore import Qt

        if state == Qt.ApplicationState.ApplicationSuspended:
            self.lock()
        elif state in (Qt.ApplicationState.ApplicationInactive,
                       Qt.ApplicationState.ApplicationHidden):
            self.away.start()
        else:
            self.away.stop()

    def lock(self) -> bool:
        """Hide what is on screen and ask for the password; True once it is given again."""
        if self.locked or not self.guarded:
            return not self.locked
        from meixian_desktop.ui.sign_in import SignInDialog

        self.locked = True
        self._show_contents(False)
        dialog = SignInDialog(self.data_dir, title="已锁定 — 请输入密码", demo=self.demo,
                              parent=self.window)
        self.dialog = dialog
        dialog.rejected.connect(self.window.close)
        dialog.accepted.connect(self._unlocked)
        dialog.open()
        return False

    def _show_contents(self, shown: bool) -> None:
        """Hide the window's contents and every other window of the app (editors, previews:
        they show records too); show again exactly those that were hidden."""
        central = self.window.centralWidget()
        if central is not None:
            central.setVisible(shown)
        if not shown:
            self.hidden = [w for w in QApplication.topLevelWidgets()
                           if w.isVisible() and w is not self.window]
            for widget in self.hidden:
                widget.hide()
        else:
            for widget in getattr(self, "hidden", []):
                widget.show()
            self.hidden = []

    def _unlocked(self) -> None:
        self.locked = False
        self._show_contents(True)
        self.timer.start()
