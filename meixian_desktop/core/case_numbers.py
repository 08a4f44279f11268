"""Case numbers (案号) of mediation cases: the pattern, number blocks, provisional numbers."""

from __future__ import annotations

from dataclasses import dataclass

from meixian_desktop.core.errors import ValidationError

DEFAULT_PATTERN = "（{year}）梅人调字第{n}号"
BLOCK_SIZE = 50
PROVISIONAL_MARK = "临"


@dataclass(frozen=True)
class NumberBlock:
    """Numbers ``first`` … ``last`` of ``year`` that the town handed to one device."""

    device_id: str
    year: int
    first: int
    last: int
    id: str | None = None

    def __contains__(self, n: object) -> bool:
        return isinstance(n, int) and self.first <= n <= self.last

    def overlaps(self, first: int, last: int) -> bool:
        return first <= self.last and self.first <= last


def check_pattern(pattern: str) -> str:
    """A number pattern must hold ``{n}`` once and may hold ``{year}``; nothing else."""
    pattern = pattern.strip()
    if pattern.count("{n}") != 1:
        raise ValidationError("案号格式里要有且只有一个 {n}（序号），如 （{year}）梅人调字第{n}号。",
                              field="case_number_pattern")
    try:
        pattern.format(year=2025, n=1)
    except (KeyError, IndexError, ValueError):
        raise ValidationError("案号格式里只能用 {year}（年份）和 {n}（序号）两个占位符。",
                              field="case_number_pattern") from None
    return pattern


def format_number(pattern: str, year: int, n: int | str) -> str:
    """The full printed number: （2025）梅人调字第12号."""
    return check_pattern(pattern or DEFAULT_PATTERN).format(year=year, n=n)


def device_short(device_id: str) -> str:
    """4 hex characters naming a device, upper-case (A1B2). Device ids are uuid7, whose first
    12 characters are a timestamp: every laptop set up within the same ~50 days shares its
    first 4, so the short is taken from the random tail instead (the last 4)."""
    return device_id.replace("-", "")[-4:].upper()


def provisional_number(pattern: str, year: int, device_id: str, k: int) -> str:
    """A worker's stand-in number when it has no block left: （2025）梅人调字第临A1B2-3号."""
    return format_number(pattern, year, f"{PROVISIONAL_MARK}{device_short(device_id)}-{k}")


def lowest_free(blocks: list[NumberBlock], used: set[int]) -> int | None:
    """The lowest number of ``blocks`` not in ``used``, or None when every one is taken."""
    for block in sorted(blocks, key=lambda b: b.first):
        for n in range(block.first, block.last + 1):
            if n not in used:
                return n
    return None


def next_block_start(blocks: list[NumberBlock]) -> int:
    """Where the next block of a year starts: after every block already handed out."""
    return max((b.last for b in blocks), default=0) + 1
