"""Chinese text for printed forms: dates (core.chinese), money in figures and capitals, 〔〕
numbers."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from meixian_desktop.core.chinese import chinese_date

__all__ = ["chinese_date", "chinese_datetime", "money_capitals", "money_figures",
           "bracket_number"]

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_BIG_UNITS = ("", "万", "亿", "兆")
_BRACKETED_YEAR = re.compile(r"[\[［(（【〔]\s*(\d{4})\s*[\]］)）】〕]")


def chinese_datetime(moment: datetime | None) -> str:
    """2025年3月5日 9时05分."""
    if moment is None:
        return ""
    return f"{chinese_date(moment.date())} {moment.hour}时{moment.minute:02d}分"


def _four_digits(number: int) -> str:
    """0–9999 in capitals, with 零 where a gap needs one (1001 → 壹仟零壹)."""
    text = ""
    zero = False
    for position in range(3, -1, -1):
        digit = number // 10**position % 10
        if digit == 0:
            zero = bool(text)
            continue
        if zero:
            text += "零"
            zero = False
        text += _DIGITS[digit] + _SMALL_UNITS[position]
    return text


def _integer_capitals(number: int) -> str:
    if number == 0:
        return "零"
    groups = []
    while number:
        groups.append(number % 10000)
        number //= 10000
    text = ""
    need_zero = False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            need_zero = bool(text)
            continue
        if text and (need_zero or group < 1000):
            text += "零"
        text += _four_digits(group) + _BIG_UNITS[index]
        need_zero = False
    return text


def _cents(amount: Decimal | int | float | str) -> int:
    value = Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if value < 0:
        raise ValueError("金额不能为负数。")
    return int(value * 100)


def money_capitals(amount: Decimal | int | float | str) -> str:
    """170000 → 壹拾柒万元整; 1234.56 → 壹仟贰佰叁拾肆元伍角陆分; 0.5 → 零元伍角."""
    cents = _cents(amount)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    text = _integer_capitals(yuan) + "元"
    if jiao == 0 and fen == 0:
        return text + "整"
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif yuan:
        text += "零"
    if fen:
        text += _DIGITS[fen] + "分"
    return text


def money_figures(amount: Decimal | int | float | str) -> str:
    """170000 → ¥170,000.00."""
    cents = _cents(amount)
    return f"¥{cents // 100:,}.{cents % 100:02d}"


def bracket_number(text: str) -> str:
    """A 文号 with its year in 〔〕 whatever brackets were typed (平检未督[2025]3号)."""
    folded = unicodedata.normalize("NFKC", text.strip()).replace(" ", "")
    return _BRACKETED_YEAR.sub(lambda m: f"〔{m[1]}〕", folded)
