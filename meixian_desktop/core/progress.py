"""Progress and cancellation for long work (batch printing, sync): plain objects, no threads."""

from __future__ import annotations

import threading
from collections.abc import Callable


class Cancelled(Exception):
    """The user cancelled the work; nothing was written."""

    def __init__(self, message: str = "已取消。") -> None:
        super().__init__(message)
        self.message = message


class Progress:
    """What long work reports to, and asks whether to stop.

    ``step(done, total, text)`` is called from the working thread; ``on_step`` is whatever the
    caller wants done with it (a Qt signal emit, a CLI line). ``cancel()`` may be called from
    any thread; the work calls ``check()`` between items and stops with ``Cancelled``.
    """

    def __init__(self, on_step: Callable[[int, int, str], None] | None = None) -> None:
        self._on_step = on_step
        self._cancel = threading.Event()

    def report_to(self, on_step: Callable[[int, int, str], None]) -> None:
        """Where steps go from now on (a dialog made after the work was handed this object)."""
        self._on_step = on_step

    def step(self, done: int, total: int, text: str = "") -> None:
        self.check()
        if self._on_step is not None:
            self._on_step(done, total, text)

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled()
