"""Reading what was typed: text, dates, times and numbers (one parser each for every editor and
import), writing dates back for the editors, and showing text from elsewhere safely."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any

from meixian_desktop.core.errors import ValidationError

# C0/C1 controls but tab and newline, and the bidirectional overrides and isolates (RLO, …)
# that can make a name read backwards in a list.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e"
                     "\u2066-\u2069]")
_NUL_AND_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def text_of(raw: dict[str, Any], key: str) -> str:
    """The typed text of ``key``, stripped, without NUL or other invisible control characters
    (a NUL would cut the text short for search); "" when absent."""
    value = raw.get(key)
    return "" if value is None else _NUL_AND_CONTROLS.sub("", str(value)).strip()


def printable(text: str) -> str:
    """``text`` with control and direction-override characters shown as escapes (\\x1b,
    \\u202e), so a name from a file cannot move the cursor or turn a line around."""
    return _UNSAFE.sub(lambda m: _escape(m.group()), text)


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def has_control(text: str) -> bool:
    """Whether ``text`` holds NUL or another control character that no editor would type."""
    return _NUL_AND_CONTROLS.search(text) is not None


def day_text(value: date | None) -> str:
    """A date as the editors type it (2025-03-05), or "" for none."""
    return value.isoformat() if value else ""


_TIME = re.compile(r"^([01]?\d|2[0-3])[:：]([0-5]\d)$")
EARLIEST = date(2000, 1, 1)


def parse_date(text: Any, label: str, field_name: str, *, today: date,
               allow_future: bool = False, earliest: date = EARLIEST) -> date | None:
    """An ISO date (2025-03-05) or None when blank; not in the future unless allowed."""
    if isinstance(text, date):
        value = text
    else:
        cleaned = str(text or "").strip()
        if not cleaned:
            return None
        parts = re.split(r"[-/.年月日]", unicodedata.normalize("NFKC", cleaned).rstrip("日"))
        try:
            if len(parts) != 3 or not all(p.isascii() and p.isdigit() for p in parts):
                raise ValueError(cleaned)
            value = date(int(parts[0]), int(parts[1]), int(parts[2]))
        except ValueError:
            raise ValidationError(f"{label}“{cleaned}”不是有效日期，请按 2025-03-05 的格式填写。",
                                  field_name) from None
    if value < earliest:
        raise ValidationError(f"{label}太早了（{value}），请核对年份。", field_name)
    if not allow_future and value > today:
        raise ValidationError(f"{label}（{value}）还没到，不能填将来的日期。", field_name)
    return value


def parse_time(text: Any, label: str, field_name: str) -> str:
    """"8:05" or "08:05" (full-width colon accepted) as "08:05"; blank stays blank."""
    cleaned = str(text or "").strip()
    if not cleaned:
        return ""
    match = _TIME.match(cleaned)
    if not match:
        raise ValidationError(f"{label}“{cleaned}”不是有效时间，请按 08:30 的格式填写。", field_name)
    return f"{int(match[1]):02d}:{match[2]}"


def parse_number(text: str | float | None, label: str, field: str) -> float | None:
    """A decimal number typed by the user, or None when blank."""
    if text is None:
        return None
    if isinstance(text, (int, float)):
        return float(text)
    cleaned = text.strip().replace("，", ".").replace("。", ".")
    if not cleaned:
        return None
    try:
        return float(cleaned)
    except ValueError:
        raise ValidationError(f"{label}“{text}”不是数字，请用小数填写，如 28.7012。", field) from None
