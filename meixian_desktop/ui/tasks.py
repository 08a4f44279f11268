"""Running long work off the GUI thread and getting the result back on it."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

Runner = Callable[[Callable[[], Any], Callable[[Any], None], Callable[[str], None]], None]


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(str)


class _Job(QRunnable):
    def __init__(self, work: Callable[[], Any]) -> None:
        super().__init__()
        self.work = work
        self.signals = _Signals()

    def run(self) -> None:
        try:
            result = self.work()
        except Exception as exc:  # reported on the GUI thread, never swallowed
            message = getattr(exc, "message", None) or "".join(
                traceback.format_exception_only(type(exc), exc)
            ).strip()
            self.signals.failed.emit(message)
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

    def finish_error(message: str) -> None:
        _running.discard(job)
        on_error(message)

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
        on_error(getattr(exc, "message", None) or str(exc))
    else:
        on_done(result)
