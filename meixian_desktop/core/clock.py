"""The one clock the app reads for "now" and "today"; the composition root or a test sets it.

Every place that needs the current moment calls ``clock.now()`` / ``clock.today()`` /
``clock.now_ms()`` here instead of ``datetime.now()`` or ``date.today()``, so a test can fix the
day and the hour for the whole program, and a suite passes at 00:20 as it does at 15:00.

``MEIXIAN_NOW`` (``2026-06-17T14:30``, a local wall time) starts a :class:`SteppingClock` at that
moment when the process starts: the tests set it, so the programs they start as subprocesses
share the tests' day and hour. It is for tests and demonstrations, never for a real laptop.
"""

from __future__ import annotations

import os
import threading
import time
from datetime import date, datetime, timedelta
from typing import Protocol

__all__ = ["Clock", "SystemClock", "SteppingClock", "now", "today", "now_ms", "use", "current",
           "from_environment", "ENV_NAME"]

ENV_NAME = "MEIXIAN_NOW"


class Clock(Protocol):
    """Something that says what time it is now (timezone-aware, local)."""

    def now(self) -> datetime: ...


class SystemClock:
    """The machine's own clock."""

    def now(self) -> datetime:
        return datetime.now().astimezone()


class SteppingClock:
    """A clock that starts at a fixed local wall time and moves on with real elapsed time.

    Moving on keeps ids and hybrid clocks strictly increasing the way a real clock does; starting
    at a fixed local wall time (whatever ``TZ`` says) fixes the day and the hour. ``advance``
    jumps it forward (a test that needs "tomorrow").
    """

    def __init__(self, start: datetime) -> None:
        self._start = start.replace(tzinfo=None)
        self._began = time.monotonic()
        self._offset = timedelta()
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            elapsed = timedelta(seconds=time.monotonic() - self._began)
            return (self._start + self._offset + elapsed).astimezone()

    def advance(self, by: timedelta) -> None:
        """Move this clock forward by ``by``."""
        with self._lock:
            self._offset += by


def from_environment(environ: dict[str, str] | os._Environ[str] = os.environ) -> Clock:
    """The clock ``MEIXIAN_NOW`` asks for, else the system clock."""
    text = environ.get(ENV_NAME, "").strip()
    if not text:
        return SystemClock()
    try:
        return SteppingClock(datetime.fromisoformat(text))
    except ValueError:
        raise SystemExit(f"{ENV_NAME}={text!r} 不是 2026-06-17T14:30 这样的时间。") from None


_current: Clock = from_environment()


def use(clock: Clock) -> Clock:
    """Make ``clock`` the one everything reads; return the one it replaces."""
    global _current
    previous, _current = _current, clock
    return previous


def current() -> Clock:
    """The clock in use."""
    return _current


def now() -> datetime:
    """This moment, timezone-aware in local time."""
    return _current.now()


def today() -> date:
    """Today's local date."""
    return _current.now().date()


def now_ms() -> int:
    """Milliseconds since the unix epoch."""
    return int(_current.now().timestamp() * 1000)
