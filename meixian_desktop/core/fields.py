"""Reading what was typed into an editor's raw dict, writing dates back for it, and showing
text from elsewhere safely on a terminal."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

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
