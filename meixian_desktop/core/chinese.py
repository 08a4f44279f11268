"""Chinese renderings of dates and numbers for screens and printed forms."""

from __future__ import annotations

from datetime import date


def chinese_date(day: date | None) -> str:
    """2025年3月5日 (figures, no leading zeros), as official forms write dates; "" for none."""
    if day is None:
        return ""
    return f"{day.year}年{day.month}月{day.day}日"
