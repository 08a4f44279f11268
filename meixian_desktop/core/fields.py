"""Reading what was typed into an editor's raw dict, and writing dates back for it."""

from __future__ import annotations

from datetime import date
from typing import Any


def text_of(raw: dict[str, Any], key: str) -> str:
    """The typed text of ``key``, stripped; "" when absent."""
    value = raw.get(key)
    return "" if value is None else str(value).strip()


def day_text(value: date | None) -> str:
    """A date as the editors type it (2025-03-05), or "" for none."""
    return value.isoformat() if value else ""
