"""Tests for meixian_desktop.core.ids: UUIDv7 layout, timestamps and creation order."""

from __future__ import annotations

import re
import threading
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meixian_desktop.core.ids import Uuid7Generator, is_uuid7, uuid7, uuid7_time_ms

CANONICAL_V7 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
MAX_MS = (1 << 48) - 1
no_db = settings(database=None)


def test_layout_is_canonical_version_7_rfc_variant() -> None:
    value = uuid7()
    assert CANONICAL_V7.fullmatch(value)
    parsed = uuid.UUID(value)
    assert parsed.version == 7
    assert parsed.variant == uuid.RFC_4122
    assert str(parsed) == value


def test_timestamp_is_now() -> None:
    from meixian_desktop.core.ids import wall_clock_ms

    before = wall_clock_ms()
    value = uuid7()
    after = wall_clock_ms()
    assert before <= uuid7_time_ms(value) <= after


@no_db
@given(st.integers(min_value=0, max_value=MAX_MS))
def test_explicit_time_round_trips(now_ms: int) -> None:
    value = uuid7(now_ms=now_ms)
    assert CANONICAL_V7.fullmatch(value)
    assert uuid7_time_ms(value) == now_ms


def test_explicit_time_examples() -> None:
    assert uuid7(now_ms=0).startswith("00000000-0000-7")
    assert uuid7(now_ms=MAX_MS).startswith("ffffffff-ffff-7")
    # RFC 9562 appendix A.6 example time: 2022-02-22T19:22:22Z = 0x017F22E279B0
    assert uuid7(now_ms=0x017F22E279B0).startswith("017f22e2-79b0-7")


@pytest.mark.parametrize("bad", [-1, MAX_MS + 1])
def test_out_of_range_time_is_refused(bad: int) -> None:
    with pytest.raises(ValueError):
        uuid7(now_ms=bad)
    with pytest.raises(ValueError):
        Uuid7Generator(now_ms=lambda: bad)()


def test_tight_loop_ids_are_unique_and_sorted_by_creation() -> None:
    ids = [uuid7() for _ in range(20_000)]
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids)
    assert all(uuid7_time_ms(a) <= uuid7_time_ms(b) for a, b in zip(ids, ids[1:], strict=False))


def test_ids_from_many_threads_are_unique() -> None:
    results: list[list[str]] = [[] for _ in range(8)]

    def work(out: list[str]) -> None:
        out.extend(uuid7() for _ in range(2_000))

    threads = [threading.Thread(target=work, args=(out,)) for out in results]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    everything = [value for out in results for value in out]
    assert len(set(everything)) == len(everything) == 16_000
    for out in results:
        assert out == sorted(out)


def test_frozen_clock_still_gives_increasing_ids() -> None:
    make = Uuid7Generator(now_ms=lambda: 1_700_000_000_000)
    ids = [make() for _ in range(10_000)]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert uuid7_time_ms(ids[0]) == 1_700_000_000_000


def test_counter_overflow_borrows_the_next_millisecond() -> None:
    # randbits always at its maximum: the counter starts at 0x7FF, so 0x7FF..0xFFF (2049 ids)
    # fit in the millisecond and the next id moves to the following one.
    make = Uuid7Generator(now_ms=lambda: 5_000, randbits=lambda bits: (1 << bits) - 1)
    ids = [make() for _ in range(2_050)]
    assert [uuid7_time_ms(value) for value in ids[:2_049]] == [5_000] * 2_049
    assert uuid7_time_ms(ids[2_049]) == 5_001
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)


@no_db
@given(st.lists(st.integers(min_value=0, max_value=MAX_MS - 1), min_size=1, max_size=200))
def test_ids_never_go_backwards_even_when_the_clock_does(times: list[int]) -> None:
    clock = iter(times)
    make = Uuid7Generator(now_ms=lambda: next(clock))
    ids = [make() for _ in times]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    for index, value in enumerate(ids):
        # at most 200 ids: the counter (seeded below 0x800) cannot overflow here
        assert uuid7_time_ms(value) == max(times[: index + 1])


@no_db
@given(st.integers(min_value=0, max_value=MAX_MS - 1), st.integers(min_value=1, max_value=1000))
def test_later_time_sorts_later(first: int, gap: int) -> None:
    second = min(first + gap, MAX_MS)
    assert uuid7(now_ms=first) < uuid7(now_ms=second)


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "not-a-uuid",
        str(uuid.uuid4()),
        "017f22e279b07cc398c4dc0c0c07398f",  # v7 but not canonical text
        "{017f22e2-79b0-7cc3-98c4-dc0c0c07398f}",
        "017f22e2-79b0-7cc3-08c4-dc0c0c07398f",  # wrong variant
        "017f22e2-79b0-7cc3-98c4-dc0c0c07398",  # one digit short
    ],
)
def test_time_of_something_that_is_not_a_uuid7_raises(bad: str) -> None:
    with pytest.raises(ValueError):
        uuid7_time_ms(bad)
    assert not is_uuid7(bad)


def test_rfc_example_reads_back() -> None:
    example = "017f22e2-79b0-7cc3-98c4-dc0c0c07398f"  # RFC 9562 appendix A.6
    assert is_uuid7(example)
    assert is_uuid7(example.upper())
    assert uuid7_time_ms(example) == 0x017F22E279B0 == 1_645_557_742_000
