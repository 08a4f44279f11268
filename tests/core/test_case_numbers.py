"""Case number patterns, device shorts, provisional numbers and free numbers in blocks."""

from __future__ import annotations

import pytest

from meixian_desktop.core.case_numbers import (
    DEFAULT_PATTERN,
    NumberBlock,
    check_pattern,
    device_short,
    format_number,
    lowest_free,
    next_block_start,
    provisional_number,
)
from meixian_desktop.core.errors import ValidationError


def test_format_and_provisional() -> None:
    assert format_number(DEFAULT_PATTERN, 2025, 12) == "（2025）梅人调字第12号"
    assert device_short("0000-c3d4-a1b2") == "A1B2"
    assert provisional_number(DEFAULT_PATTERN, 2025, "ffff-0a1b", 3) == \
        "（2025）梅人调字第临0A1B-3号"


def test_devices_set_up_the_same_month_get_different_shorts() -> None:
    # two uuid7 device ids made a day apart share their first 4 characters (the timestamp)
    first, second = "01a2b3c4-d5e6-7f01-8a2b-3c4d5e6f7a8b", "01a2b3d9-0000-7123-9fed-cba987654321"
    assert first[:4] == second[:4] and device_short(first) != device_short(second)


@pytest.mark.parametrize("pattern", ["梅人调字第号", "{n}{n}", "{year}{x}{n}"])
def test_bad_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(ValidationError):
        check_pattern(pattern)


def test_lowest_free_and_next_block() -> None:
    blocks = [NumberBlock("d", 2025, 51, 53), NumberBlock("d", 2025, 1, 2)]
    assert lowest_free(blocks, {1, 2, 51}) == 52
    assert lowest_free(blocks, {1, 2, 51, 52, 53}) is None
    assert next_block_start(blocks) == 54 and next_block_start([]) == 1
    assert 52 in blocks[0] and blocks[0].overlaps(53, 60) and not blocks[0].overlaps(54, 60)
