"""Record ids: RFC 9562 UUID version 7, made on the device and sortable by creation time."""

from __future__ import annotations

import re
import secrets
import threading
import uuid
from collections.abc import Callable

from meixian_desktop.core import clock

__all__ = ["Uuid7Generator", "uuid7", "uuid7_time_ms", "is_uuid7", "wall_clock_ms"]

_MAX_MS = (1 << 48) - 1
_COUNTER_MAX = (1 << 12) - 1
# A fresh millisecond starts the 12-bit counter at a random value whose leftmost bit is 0
# (RFC 9562 §6.2, method 1: "counter rollover guard"), so at least 2048 more ids fit in it.
_COUNTER_SEED_BITS = 11
_CANONICAL = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)


def wall_clock_ms() -> int:
    """Milliseconds since the unix epoch from the system clock."""
    return clock.now_ms()


def _check_ms(ms: int) -> None:
    if not 0 <= ms <= _MAX_MS:
        raise ValueError(f"UUIDv7 timestamp out of range (0..2**48-1 ms): {ms}")


def _build(ms: int, rand_a: int, rand_b: int) -> str:
    value = (
        (ms << 80)
        | (0x7 << 76)  # version 7
        | ((rand_a & _COUNTER_MAX) << 64)
        | (0b10 << 62)  # variant 10xx (RFC 9562)
        | (rand_b & ((1 << 62) - 1))
    )
    return str(uuid.UUID(int=value))


class Uuid7Generator:
    """Makes UUIDv7 strings that strictly increase within this generator (and so this process).

    Layout (RFC 9562 §5.7): 48-bit unix ms timestamp, version 7, ``rand_a`` used as a 12-bit
    counter (§6.2 method 1, seeded randomly with its top bit clear at each new millisecond),
    variant ``10``, 62 random bits. Within one millisecond the counter counts up; if it runs
    out, or the wall clock goes backwards, the timestamp stays at (or borrows the next
    millisecond after) the last one used, so ids never go backwards.
    """

    def __init__(
        self,
        now_ms: Callable[[], int] = wall_clock_ms,
        randbits: Callable[[int], int] = secrets.randbits,
    ) -> None:
        self._now_ms = now_ms
        self._randbits = randbits
        self._last_ms = -1
        self._counter = 0
        self._lock = threading.Lock()

    def __call__(self) -> str:
        with self._lock:
            ms = self._now_ms()
            _check_ms(ms)
            if ms > self._last_ms:
                self._last_ms = ms
                self._counter = self._randbits(_COUNTER_SEED_BITS)
            else:
                # Same millisecond, or the clock stepped back: keep counting on the last one.
                self._counter += 1
                if self._counter > _COUNTER_MAX:
                    _check_ms(self._last_ms + 1)
                    self._last_ms += 1
                    self._counter = self._randbits(_COUNTER_SEED_BITS)
            return _build(self._last_ms, self._counter, self._randbits(62))


_default_generator = Uuid7Generator()


def uuid7(now_ms: int | None = None) -> str:
    """Return a new UUIDv7 as lower-case canonical text (36 characters).

    Without ``now_ms`` the id comes from the process-wide generator: ids made one after another
    sort in the order they were made. With ``now_ms`` (tests, demo data) the id carries exactly
    that timestamp with random remaining bits and does not touch the process-wide state; use a
    ``Uuid7Generator(now_ms=...)`` to get ordered ids under a fake clock.
    """
    if now_ms is None:
        return _default_generator()
    _check_ms(now_ms)
    return _build(now_ms, secrets.randbits(12), secrets.randbits(62))


def _parse(id: str) -> uuid.UUID:
    if not isinstance(id, str) or not _CANONICAL.fullmatch(id):
        raise ValueError(f"not a canonical UUID string: {id!r}")
    parsed = uuid.UUID(id)
    if parsed.version != 7 or parsed.variant != uuid.RFC_4122:
        raise ValueError(f"not a UUID version 7: {id!r}")
    return parsed


def uuid7_time_ms(id: str) -> int:
    """Return the unix millisecond timestamp stored in a UUIDv7; ValueError if it is not one."""
    return _parse(id).int >> 80


def is_uuid7(id: str) -> bool:
    """True if ``id`` is canonical UUID text with version 7 and the RFC 9562 variant."""
    try:
        _parse(id)
    except ValueError:
        return False
    return True
