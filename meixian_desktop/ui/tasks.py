"""Running long work off the GUI thread and getting the result back on it."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from meixian_desktop.core.progress import Progress
from meixian_desktop.store.database import Store

Runner = Callable[[Callable[[], Any], Callable[[Any], None], Callable[[str], None]], None]


UNEXPECTED = ("程序遇到了一个意外的问题，这一步没有完成；已经保存的数据不受影响。"
              "详细情况已记入日志，请告诉镇里技术人员。")


def user_message(exc: BaseException) -> str | None:
    """The calm sentence of a failure the user can act on (storage, a refused file, a rule),
    which carry one as ``message``; None for anything else: a bug."""
    message = getattr(exc, "message", None)
    return message if isinstance(message, str) and message else None


def settle(exc: BaseException, on_error: Callable[[str], None]) -> None:
    """On the GUI thread: tell ``on_error`` what went wrong. A bug also goes through the crash
    reporter (its traceback logged, the calm dialog) like one on the GUI thread."""
    message = user_message(exc)
    if message is None:
        sys.excepthook(type(exc), exc, exc.__traceback__)
        message = UNEXPECTED
    on_error(message)


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, work: Callable[[], Any]) -> None:
        super().__init__()
        self.work = work
        self.signals = _Signals()

    def run(self) -> None:
        try:
            result = self.work()
        except Exception as exc:  # the object itself, to the GUI thread: never swallowed
            self.signals.failed.emit(exc)
        else:
            self.signals.done.emit(result)


_running: set[_Job] = set()


def run_in_background(
    work: Callable[[], Any], on_done: Callable[[Any], None], on_error: Callable[[str], None]
) -> None:
    """Run ``work`` on the thread pool; its own database connection is its business."""
    job = _Job(work)
    _running.add(job)

    def finish_ok(result: Any) -> None:
        _running.discard(job)
        on_done(result)

    def finish_error(exc: BaseException) -> None:
        _running.discard(job)
        settle(exc, on_error)

    job.signals.done.connect(finish_ok)
    job.signals.failed.connect(finish_error)
    job.setAutoDelete(False)
    QThreadPool.globalInstance().start(job)


def run_now(
    work: Callable[[], Any], on_done: Callable[[Any], None], on_error: Callable[[str], None]
) -> None:
    """The synchronous runner tests inject: same contract, no thread."""
    try:
        result = work()
    except Exception as exc:
        settle(exc, on_error)
    else:
        on_done(result)


class _Relay(QObject):
    """Carries progress from the worker thread to the dialog on the GUI thread."""

    stepped = Signal(int, int, str)


def run_with_progress(parent: QWidget, runner: Runner, database: Any, title: str,
                      work: Callable[[Store, Progress], Any], done: Callable[[Any], None],
                      failed: Callable[[str], None], progress: Progress, *,
                      cancellable: bool = True,
                      describe: Callable[[int, int, str], str] | None = None) -> None:
    """Run ``work`` on its own connection to ``database`` through ``runner`` (off the GUI
    thread), with a progress dialog that can cancel it through ``progress``; ``done`` or
    ``failed`` get the outcome on the GUI thread, after the dialog is gone."""
    relay = _Relay(parent)
    dialog = QProgressDialog(title + "…", parent.tr("取消") if cancellable else "", 0, 0, parent)
    if not cancellable:
        dialog.setCancelButton(None)
    dialog.setWindowTitle(title)
    dialog.setMinimumDuration(300)
    progress.report_to(relay.stepped.emit)
    dialog.canceled.connect(progress.cancel)

    def show_step(done_count: int, total: int, text: str) -> None:
        dialog.setMaximum(max(total, 1))
        dialog.setValue(min(done_count, max(total, 1)))
        dialog.setLabelText(describe(done_count, total, text) if describe is not None
                            else f"{title}：{text}" if text else title)

    relay.stepped.connect(show_step)

    def in_background() -> Any:
        with Store.open(database) as own:
            return work(own, progress)

    def finish() -> None:
        dialog.reset()
        dialog.deleteLater()
        relay.deleteLater()

    def succeeded(result: Any) -> None:
        finish()
        done(result)

    def went_wrong(message: str) -> None:
        finish()
        failed(message)

    runner(in_background, succeeded, went_wrong)
