"""Hybrid logical clock (wall ms, counter, device) that orders edits across devices."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

from meixian_desktop.core.ids import wall_clock_ms

__all__ = ["Hlc", "HybridClock", "ClockError", "MAX_WALL_MS", "MAX_COUNTER", "MAX_AHEAD_MS",
           "ahead_of", "too_far_ahead"]

MAX_WALL_MS = 9_999_999_999_999  # 13 digits: good until the year 2286
MAX_COUNTER = 99_999  # 5 digits
# A stamp more than a day ahead of the receiver's wall clock is evidence of a wrong clock (or a
# forged stamp), never something to follow: DESIGN.md "Clocks are evidence, not orders".
MAX_AHEAD_MS = 24 * 3600 * 1000
_TEXT = re.compile(r"([0-9]{13})-([0-9]{5})-(.+)", re.ASCII | re.DOTALL)


def _check_device(device: object) -> None:
    if not isinstance(device, str) or not device:
        raise ValueError("HLC device id must be a non-empty string")
    if not device.isprintable() or any(ch.isspace() for ch in device):
        raise ValueError(f"HLC device id must be printable without spaces: {device!r}")


@dataclass(frozen=True, order=True)
class Hlc:
    """One hybrid-clock timestamp, ordered by (wall_ms, counter, device).

    ``str(hlc)`` is ``f"{wall_ms:013d}-{counter:05d}-{device}"``: fixed width, so the text sorts
    exactly like the tuple (the device id starts at index 20) and can be compared in SQL.
    """

    wall_ms: int
    counter: int
    device: str

    def __post_init__(self) -> None:
        if isinstance(self.wall_ms, bool) or not isinstance(self.wall_ms, int):
            raise ValueError(f"HLC wall_ms must be an int: {self.wall_ms!r}")
        if isinstance(self.counter, bool) or not isinstance(self.counter, int):
            raise ValueError(f"HLC counter must be an int: {self.counter!r}")
        if not 0 <= self.wall_ms <= MAX_WALL_MS:
            raise ValueError(f"HLC wall_ms out of range 0..{MAX_WALL_MS}: {self.wall_ms}")
        if not 0 <= self.counter <= MAX_COUNTER:
            raise ValueError(f"HLC counter out of range 0..{MAX_COUNTER}: {self.counter}")
        _check_device(self.device)

    def __str__(self) -> str:
        return f"{self.wall_ms:013d}-{self.counter:05d}-{self.device}"

    @classmethod
    def parse(cls, text: str) -> Hlc:
        """Read the text form made by ``str(hlc)``; ValueError if it is not one."""
        if not isinstance(text, str):
            raise ValueError(f"HLC text must be a string: {text!r}")
        match = _TEXT.fullmatch(text)
        if match is None:
            raise ValueError(f"not an HLC text (0000000000000-00000-device): {text!r}")
        return cls(int(match.group(1)), int(match.group(2)), match.group(3))


class ClockError(ValueError):
    """The clock cannot stamp another event; ``message`` says in Chinese what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def ahead_of(stamp: Hlc, now_ms: int) -> bool:
    """Whether ``stamp`` is further ahead of the wall clock ``now_ms`` than a clock may be."""
    return stamp.wall_ms > now_ms + MAX_AHEAD_MS


class HybridClock:
    """A device's hybrid logical clock (Kulkarni et al., 2014).

    ``tick()`` stamps a local event, ``observe(remote)`` merges a clock received from another
    device; both return a timestamp greater than every one this clock returned or observed, even
    when the wall clock goes backwards. If the counter would pass 99999 (only when the wall clock
    stands still or lags for that many events), the clock moves its wall_ms one millisecond
    ahead and restarts the counter at 0, which keeps the text form fixed-width and ordered.
    """

    def __init__(
        self,
        device: str,
        now_ms: Callable[[], int] = wall_clock_ms,
        last: Hlc | None = None,
    ) -> None:
        _check_device(device)
        self._device = device
        self._now_ms = now_ms
        self._last = last
        self._lock = threading.Lock()

    @property
    def device(self) -> str:
        """The device id stamped into every timestamp this clock makes."""
        return self._device

    @property
    def last(self) -> Hlc | None:
        """The latest timestamp made by this clock (or given at start), None if none yet."""
        return self._last

    def _make(self, wall_ms: int, counter: int) -> Hlc:
        if counter > MAX_COUNTER:
            wall_ms, counter = wall_ms + 1, 0
        if wall_ms > MAX_WALL_MS:
            raise ClockError("本机的时间戳已经到了上限（曾经收到过一个时间严重不对的记录），"
                             "不能再保存。请不要再录入，把电脑交给镇里技术人员处理。")
        stamp = Hlc(wall_ms, counter, self._device)
        self._last = stamp
        return stamp

    def tick(self) -> Hlc:
        """Stamp a local event (a save on this device)."""
        with self._lock:
            physical = self._now_ms()
            last = self._last
            if last is None or physical > last.wall_ms:
                return self._make(physical, 0)
            return self._make(last.wall_ms, last.counter + 1)

    def observe(self, remote: Hlc) -> Hlc:
        """Merge a timestamp received from elsewhere; return a local one later than both.

        A remote stamp more than a day ahead of the wall clock is refused (ClockError) and
        leaves this clock as it was: one forged stamp must not drag every later save along."""
        with self._lock:
            physical = self._now_ms()
            if ahead_of(remote, physical):
                raise ClockError(too_far_ahead(remote, physical))
            last = self._last
            last_wall = last.wall_ms if last is not None else -1
            last_counter = last.counter if last is not None else -1
            wall = max(last_wall, remote.wall_ms, physical)
            if wall == last_wall and wall == remote.wall_ms:
                counter = max(last_counter, remote.counter) + 1
            elif wall == last_wall:
                counter = last_counter + 1
            elif wall == remote.wall_ms:
                counter = remote.counter + 1
            else:
                counter = 0
            return self._make(wall, counter)


def too_far_ahead(remote: Hlc, physical: int) -> str:
    """The refusal of a stamp ahead of the wall clock, in Chinese."""
    days = (remote.wall_ms - physical) / 86_400_000
    return (f"时间不对：这条记录的时间比本机现在晚了约 {days:.0f} 天：发来它的电脑的时钟可能"
            "拨快了，也可能是本机的时钟慢了。请核对两台电脑的日期和时间，改对后重新导出、导入。")
