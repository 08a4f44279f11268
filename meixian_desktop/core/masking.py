"""Masking of ID numbers, phone numbers and names for lists and exports; never raises."""

from __future__ import annotations

import re
import unicodedata

from meixian_desktop.core.errors import ValidationError
from meixian_desktop.core.validation import check_landline, check_mobile

__all__ = ["mask_id_number", "mask_phone", "mask_name", "mask_text", "MASK_KINDS"]

MASK = "*"
MASK_KINDS = ("id_number", "phone", "name")
_ID_SHAPE = re.compile(r"[0-9]{17}[0-9Xx]")


def _mask_middle(chars: list[str], head: int, tail: int) -> str:
    """Keep ``head`` and ``tail`` items, one star for each item between."""
    hidden = len(chars) - head - tail
    return "".join(chars[:head]) + MASK * hidden + "".join(chars[len(chars) - tail :])


def _mask_unknown(chars: list[str], head: int, tail: int) -> str:
    """Mask a value of unexpected shape, showing at most a quarter at each end."""
    quarter = len(chars) // 4
    return _mask_middle(chars, min(head, quarter), min(tail, quarter))


def mask_id_number(value: str | None) -> str:
    """``430626199001011234`` → ``430626********1234``: keep the first 6 and the last 4.

    Anything not shaped like an ID number (17 digits, then a digit or X) is masked keeping at
    most a quarter of it at each end (so never more than half); very short values are fully
    masked.
    """
    if not isinstance(value, str):
        return ""
    chars = list(value.strip())
    if _ID_SHAPE.fullmatch(value.strip()):
        return _mask_middle(chars, 6, 4)
    return _mask_unknown(chars, 6, 4)


def mask_phone(value: str | None) -> str:
    """``13812345678`` → ``138****5678``; ``0730-1234567`` → ``0730-*****67``.

    A landline keeps its area code and the last two digits of the number; an extension is
    masked too. Anything else is masked keeping at most a quarter of it at each end.
    """
    if not isinstance(value, str):
        return ""
    try:
        mobile = check_mobile(value)
    except ValidationError:
        pass
    else:
        return _mask_middle(list(mobile), 3, 4)
    try:
        landline = check_landline(value)
    except ValidationError:
        pass
    else:
        area, local, *extension = landline.split("-")
        parts = [area, _mask_middle(list(local), 0, 2)]
        parts += [MASK * len(part) for part in extension]
        return "-".join(parts)
    return _mask_unknown(list(value.strip()), 3, 2)


def _graphemes(text: str) -> list[str]:
    """Split into user-perceived characters: combining marks, variation selectors and
    zero-width-joined characters stay with the character before them. Characters outside the
    BMP (𠮷) are one code point in Python and so one character here."""
    clusters: list[str] = []
    join_next = False
    for ch in text:
        attach = (
            join_next
            or unicodedata.category(ch) in ("Mn", "Mc", "Me")
            or "\ufe00" <= ch <= "\ufe0f"
            or "\U000e0100" <= ch <= "\U000e01ef"
            or ch == "\u200d"
        )
        if attach and clusters:
            clusters[-1] += ch
        else:
            clusters.append(ch)
        join_next = ch == "\u200d"
    return clusters


def mask_name(value: str | None) -> str:
    """``张三丰`` → ``张**``: keep the first character, one star for each of the others.

    A one-character value is masked whole (``*``), since keeping it would show all of it.
    """
    if not isinstance(value, str):
        return ""
    chars = _graphemes(value.strip())
    if len(chars) <= 1:
        return MASK * len(chars)
    return _mask_middle(chars, 1, 0)


def mask_text(value: str | None, kind: str) -> str:
    """Mask ``value`` as ``kind``: 'id_number', 'phone' or 'name' (ValueError otherwise)."""
    if kind == "id_number":
        return mask_id_number(value)
    if kind == "phone":
        return mask_phone(value)
    if kind == "name":
        return mask_name(value)
    raise ValueError(f"unknown mask kind {kind!r}; expected one of {', '.join(MASK_KINDS)}")
