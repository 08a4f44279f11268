"""How values are written to and read from columns: dates as ISO text, lists as JSON."""

from __future__ import annotations

import json
from datetime import date
from typing import Any


def json_text(value: Any) -> str:
    """JSON for a column, keeping Chinese readable in the file."""
    return json.dumps(value, ensure_ascii=False)


def date_text(value: date | None) -> str | None:
    """A date as its ISO text, or NULL."""
    return value.isoformat() if value else None


def text_date(text: str | None) -> date | None:
    """A column's ISO text back to a date; NULL or empty is None."""
    return date.fromisoformat(text) if text else None
