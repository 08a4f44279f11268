"""Tests for meixian_desktop.core.hlc: text form, ordering, tick and observe."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meixian_desktop.core.hlc import (
    MAX_AHEAD_MS,
    MAX_COUNTER,
    MAX_WALL_MS,
    ClockError,
    Hlc,
    HybridClock,
    ahead_of,
)
from meixian_desktop.core.ids import uuid7

no_db = settings(database=None)
DEVICE = "0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b"

devices = st.one_of(
    st.just(DEVICE),
    st.builds(lambda ms: uuid7(now_ms=ms), st.integers(min_value=0, max_value=(1 << 48) - 1)),
    st.text(
        alphabet=st.characters(codec="utf-8").filter(lambda c: c.isprintable() and not c.isspace()),
        min_size=1,
        max_size=12,
    ),
)
hlcs = st.builds(
    Hlc,
    wall_ms=st.integers(min_value=0, max_value=MAX_WALL_MS),
    counter=st.integers(min_value=0, max_value=MAX_COUNTER),
    device=devices,
)
wall_times = st.integers(min_value=0, max_value=10**13 - 10**6)


class ListClock:
    """A fake wall clock that reads its values from a list, repeating the last one."""

    def __init__(self, values: list[int]) -> None:
        self.values = list(values)
        self.index = 0

    def __call__(self) -> int:
        value = self.values[min(self.index, len(self.values) - 1)]
        self.index += 1
        return value


# --- Hlc -------------------------------------------------------------------------------


def test_text_form_is_fixed_width() -> None:
    stamp = Hlc(1_700_000_000_123, 7, DEVICE)
    text = str(stamp)
    assert text == f"1700000000123-00007-{DEVICE}"
    assert text[20:] == DEVICE
    assert str(Hlc(0, 0, "d")) == "0000000000000-00000-d"


def test_order_is_wall_then_counter_then_device() -> None:
    assert Hlc(1, 99, "z") < Hlc(2, 0, "a")
    assert Hlc(2, 0, "z") < Hlc(2, 1, "a")
    assert Hlc(2, 1, "a") < Hlc(2, 1, "b")
    assert Hlc(2, 1, "a") == Hlc(2, 1, "a")
    assert max([Hlc(5, 0, "b"), Hlc(5, 0, "a"), Hlc(4, 9, "c")]) == Hlc(5, 0, "b")


def test_hlc_is_frozen_and_hashable() -> None:
    stamp = Hlc(1, 2, "d")
    with pytest.raises(AttributeError):
        stamp.counter = 3  # type: ignore[misc]
    assert {stamp, Hlc(1, 2, "d")} == {stamp}


@no_db
@given(hlcs)
def test_text_round_trips(stamp: Hlc) -> None:
    assert Hlc.parse(str(stamp)) == stamp


@no_db
@given(hlcs, hlcs)
def test_text_sorts_like_the_tuple(a: Hlc, b: Hlc) -> None:
    assert (str(a) < str(b)) == (a < b)
    assert (str(a) == str(b)) == (a == b)
    # SQLite compares TEXT as UTF-8 bytes: that order must agree too.
    assert (str(a).encode() < str(b).encode()) == (a < b)


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "garbage",
        "0000000000001-00002-",  # no device
        "000000000001-00002-dev",  # 12-digit wall
        "0000000000001-0002-dev",  # 4-digit counter
        "0000000000001_00002_dev",
        "000000000000a-00002-dev",
        "0000000000001-00002-de v",  # space in device
        " 0000000000001-00002-dev",
        "0000000000001-00002-dev\n",
        "-000000000001-00002-dev",
        "０000000000001-00002-dev",  # full-width digit
    ],
)
def test_parse_rejects_bad_text(bad: str) -> None:
    with pytest.raises(ValueError):
        Hlc.parse(bad)


def test_parse_rejects_non_text() -> None:
    with pytest.raises(ValueError):
        Hlc.parse(12345)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("wall_ms", "counter", "device"),
    [
        (-1, 0, "d"),
        (MAX_WALL_MS + 1, 0, "d"),
        (0, -1, "d"),
        (0, MAX_COUNTER + 1, "d"),
        (0, 0, ""),
        (0, 0, "a b"),
        (True, 0, "d"),
        (1.5, 0, "d"),
    ],
)
def test_hlc_rejects_bad_fields(wall_ms: int, counter: int, device: str) -> None:
    with pytest.raises(ValueError):
        Hlc(wall_ms, counter, device)


# --- HybridClock: tick -------------------------------------------------------------------


def test_first_tick_uses_the_wall_clock() -> None:
    clock = HybridClock(DEVICE, now_ms=lambda: 1_000)
    assert clock.last is None
    stamp = clock.tick()
    assert stamp == Hlc(1_000, 0, DEVICE)
    assert clock.last == stamp
    assert clock.device == DEVICE


def test_tick_counts_while_the_wall_clock_stands_or_goes_back() -> None:
    clock = HybridClock(DEVICE, now_ms=ListClock([1_000, 1_000, 900, 1_001, 1_001]))
    assert [clock.tick() for _ in range(5)] == [
        Hlc(1_000, 0, DEVICE),
        Hlc(1_000, 1, DEVICE),
        Hlc(1_000, 2, DEVICE),
        Hlc(1_001, 0, DEVICE),
        Hlc(1_001, 1, DEVICE),
    ]


def test_restart_from_a_saved_last_stays_ahead_of_it() -> None:
    saved = Hlc(5_000, 3, DEVICE)
    clock = HybridClock(DEVICE, now_ms=lambda: 4_000, last=saved)
    assert clock.last == saved
    assert clock.tick() == Hlc(5_000, 4, DEVICE)


def test_counter_overflow_moves_wall_ms_on_by_one() -> None:
    clock = HybridClock(DEVICE, now_ms=lambda: 1_000, last=Hlc(1_000, MAX_COUNTER, DEVICE))
    assert clock.tick() == Hlc(1_001, 0, DEVICE)
    assert clock.tick() == Hlc(1_001, 1, DEVICE)


def test_wall_clock_catching_up_after_overflow_resets_the_counter() -> None:
    clock = HybridClock(
        DEVICE, now_ms=ListClock([1_000, 1_002]), last=Hlc(1_000, MAX_COUNTER, DEVICE)
    )
    assert clock.tick() == Hlc(1_001, 0, DEVICE)
    assert clock.tick() == Hlc(1_002, 0, DEVICE)


@no_db
@given(st.lists(wall_times, min_size=1, max_size=300))
def test_tick_strictly_increases_under_any_wall_clock(values: list[int]) -> None:
    clock = HybridClock(DEVICE, now_ms=ListClock(values))
    stamps = [clock.tick() for _ in values]
    assert all(a < b for a, b in zip(stamps, stamps[1:], strict=False))
    texts = [str(stamp) for stamp in stamps]
    assert texts == sorted(texts)
    for index, stamp in enumerate(stamps):
        assert stamp.wall_ms >= values[index]  # never behind the wall clock
        assert stamp.device == DEVICE


def test_tick_strictly_increases_through_many_counter_overflows() -> None:
    clock = HybridClock(DEVICE, now_ms=lambda: 0)
    previous = clock.tick()
    for _ in range(3 * (MAX_COUNTER + 1)):
        current = clock.tick()
        assert current > previous
        previous = current
    assert previous.wall_ms == 3


# --- HybridClock: observe ----------------------------------------------------------------


def test_observe_a_clock_from_the_future_moves_past_it() -> None:
    clock = HybridClock(DEVICE, now_ms=lambda: 1_000)
    clock.tick()
    remote = Hlc(2_000, 5, "other")
    merged = clock.observe(remote)
    assert merged == Hlc(2_000, 6, DEVICE)
    assert clock.tick() == Hlc(2_000, 7, DEVICE)


def test_observe_an_older_clock_keeps_counting_locally() -> None:
    clock = HybridClock(DEVICE, now_ms=ListClock([1_000, 1_000]))
    first = clock.tick()
    merged = clock.observe(Hlc(10, 50, "other"))
    assert merged == Hlc(1_000, first.counter + 1, DEVICE)


def test_observe_equal_walls_takes_the_larger_counter() -> None:
    clock = HybridClock(DEVICE, now_ms=lambda: 500, last=Hlc(1_000, 3, DEVICE))
    assert clock.observe(Hlc(1_000, 9, "other")) == Hlc(1_000, 10, DEVICE)


def test_observe_with_the_wall_clock_ahead_resets_the_counter() -> None:
    clock = HybridClock(DEVICE, now_ms=lambda: 3_000, last=Hlc(1_000, 3, DEVICE))
    assert clock.observe(Hlc(2_000, 9, "other")) == Hlc(3_000, 0, DEVICE)


def test_observe_on_a_fresh_clock() -> None:
    clock = HybridClock(DEVICE, now_ms=lambda: 100)
    assert clock.observe(Hlc(100, 4, "other")) == Hlc(100, 5, DEVICE)


def test_observe_counter_overflow() -> None:
    clock = HybridClock(DEVICE, now_ms=lambda: 0)
    assert clock.observe(Hlc(7_000, MAX_COUNTER, "other")) == Hlc(7_001, 0, DEVICE)


@no_db
@given(
    st.lists(
        st.one_of(
            st.tuples(st.just("tick"), wall_times),
            st.tuples(
                st.just("observe"), wall_times, hlcs.filter(lambda h: h.wall_ms < 10**13 - 2)
            ),
        ),
        min_size=1,
        max_size=200,
    )
)
def test_every_stamp_exceeds_all_earlier_ones_and_every_observed_clock(
    steps: list[tuple[Any, ...]],
) -> None:
    values = [step[1] for step in steps]
    clock = HybridClock(DEVICE, now_ms=ListClock(values))
    seen: Hlc | None = None
    for step in steps:
        if step[0] == "tick":
            stamp = clock.tick()
        else:
            remote = step[2]
            if ahead_of(remote, step[1]):  # evidence of a wrong clock: refused, nothing moves
                with pytest.raises(ClockError):
                    clock.observe(remote)
                assert clock.last == seen
                continue
            stamp = clock.observe(remote)
            assert stamp > remote
            assert (stamp.wall_ms, stamp.counter) > (remote.wall_ms, remote.counter)
        assert stamp.wall_ms >= step[1]
        if seen is not None:
            assert stamp > seen
            assert str(stamp) > str(seen)
        assert clock.last == stamp
        seen = stamp


def test_a_remote_stamp_more_than_a_day_ahead_is_refused_and_changes_nothing() -> None:
    clock = HybridClock(DEVICE, now_ms=lambda: 5_000, last=Hlc(4_000, 2, DEVICE))
    assert clock.observe(Hlc(5_000 + MAX_AHEAD_MS, 0, "other")).wall_ms == 5_000 + MAX_AHEAD_MS
    clock = HybridClock(DEVICE, now_ms=lambda: 5_000, last=Hlc(4_000, 2, DEVICE))
    with pytest.raises(ClockError) as caught:
        clock.observe(Hlc(MAX_WALL_MS, MAX_COUNTER - 1, "other"))
    assert "时间不对" in caught.value.message and clock.last == Hlc(4_000, 2, DEVICE)
    assert clock.tick() == Hlc(5_000, 0, DEVICE)


def test_a_clock_at_its_maximum_refuses_with_a_message_instead_of_overflowing() -> None:
    clock = HybridClock(DEVICE, now_ms=lambda: 0, last=Hlc(MAX_WALL_MS, MAX_COUNTER, DEVICE))
    with pytest.raises(ClockError) as caught:
        clock.tick()
    assert "上限" in caught.value.message and clock.last == Hlc(MAX_WALL_MS, MAX_COUNTER, DEVICE)


@pytest.mark.parametrize("bad", ["", "a b", "tab\there"])
def test_clock_refuses_bad_device_ids(bad: str) -> None:
    with pytest.raises(ValueError):
        HybridClock(bad)


def test_default_wall_clock_is_now() -> None:
    from meixian_desktop.core.ids import wall_clock_ms

    before = wall_clock_ms()
    stamp = HybridClock(DEVICE).tick()
    assert before <= stamp.wall_ms <= wall_clock_ms()
