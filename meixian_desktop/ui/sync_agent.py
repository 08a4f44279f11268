"""The worker's background sending: when the town's hub answers, queued batches go out by
themselves, with retry and growing back-off, never on the GUI thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from meixian_desktop.core import clock
from meixian_desktop.core.profile import Profile
from meixian_desktop.paths import Paths
from meixian_desktop.store import settings as settings_store
from meixian_desktop.store.database import Store
from meixian_desktop.ui.tasks import Runner, run_in_background

CHECK_EVERY_MS = 5 * 60 * 1000  # while all is well
FIRST_RETRY_MS = 30 * 1000  # after a failure, doubling up to MAX_RETRY_MS
MAX_RETRY_MS = 30 * 60 * 1000


def batch_status(store: Store, *, town: bool) -> str:
    """The status bar's sync sentence from the database: the town's last import, or where the
    worker's last batch stands."""
    if town:
        last = store.conn.execute("SELECT max(imported_at) FROM imported_batches").fetchone()[0]
        return f"同步：最近导入 {str(last)[:16].replace('T', ' ')}" if last else "同步：还没有导入过批次"
    row = store.conn.execute("SELECT created_at, acknowledged_at FROM sync_batches "
                             "ORDER BY created_at DESC LIMIT 1").fetchone()
    if row is None:
        return "同步：尚未同步"
    state = "镇里已确认" if row[1] else "等镇里回执"
    return f"同步：上次导出 {str(row[0])[5:16].replace('T', ' ')}，{state}"


class SyncAgent(QObject):
    """Checks the hub at start, every few minutes and on 立即同步; pushes when it answers."""

    status = Signal(str)  # the status bar's sentence
    finished = Signal(object)  # the Pushed of each attempt (the 同步 page refreshes on it)
    revoked = Signal(str)  # the town's package says this laptop is revoked: why

    def __init__(self, store: Store, paths: Paths, profile: Profile, *,
                 runner: Runner = run_in_background,
                 make_timer: Callable[[QObject], Any] = QTimer,
                 push: Callable[..., Any] | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store, self.paths, self.profile, self.runner = store, paths, profile, runner
        self._push = push
        self.timer = make_timer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.sync_now)
        self.delay = FIRST_RETRY_MS
        self.busy = False

    @property
    def url(self) -> str:
        return str(settings_store.get(self.store, "hub_url") or "")

    def start(self) -> None:
        """The first check, right after start-up."""
        self.timer.start(0)

    def sync_now(self) -> None:
        """Try now (the timer, or the user's 立即同步); one attempt at a time."""
        url = self.url
        if not url:  # USB sticks only: say where the last batch stands
            self.status.emit(batch_status(self.store, town=False) + "（用U盘）")
            return
        if self.busy:
            return
        self.busy = True
        self.status.emit("同步：正在连接镇里服务器…")
        database, paths, profile, push = self.store.path, self.paths, self.profile, self._push

        def attempt() -> Any:
            from meixian_desktop.sync.http import push as real_push
            from meixian_desktop.sync.keys import load_keys

            with Store.open(database) as own:
                return (push or real_push)(own, load_keys(paths.keys_dir), profile, paths, url)

        self.runner(attempt, self._done, self._failed)

    def _done(self, result: Any) -> None:
        self.busy = False
        if getattr(result, "revoked", ""):
            self.timer.stop()
            self.status.emit("同步：这台电脑已被镇里停用")
            self.revoked.emit(result.revoked)
            return
        now = clock.now().strftime("%H:%M")
        if not result.reachable:
            self.status.emit("同步：镇里服务器不可达，将自动重试")
            self._retry(result.retry_after)
        elif result.failed:
            self.status.emit(f"同步出错：{result.lines[-1] if result.lines else ''}")
            self._retry(result.retry_after)
        elif getattr(result, "held", False):  # waiting for the town to approve this laptop
            self.status.emit("同步：已送到镇里，等镇里批准本机")
            self.timer.start(FIRST_RETRY_MS)
        elif result.retry_after:
            self.status.emit(f"同步：镇里服务器忙，{result.retry_after} 秒后重试")
            self._retry(result.retry_after)
        else:
            sent = f"已同步 {result.sent} 批，" if result.sent else "已是最新，"
            self.status.emit(f"同步：{sent}{now}")
            self.delay = FIRST_RETRY_MS
            self.timer.start(CHECK_EVERY_MS)
        self.finished.emit(result)

    def _failed(self, message: str) -> None:
        self.busy = False
        self.status.emit(f"同步出错：{message}")
        self._retry(None)

    def _retry(self, after_seconds: int | None) -> None:
        wait = after_seconds * 1000 if after_seconds else self.delay
        self.delay = min(self.delay * 2, MAX_RETRY_MS)
        self.timer.start(wait)
