"""Checks for ID numbers, phone numbers and credit codes, with Chinese messages for the user."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from meixian_desktop.core import clock
from meixian_desktop.core.errors import ValidationError

__all__ = [
    "IdNumber",
    "ID_BIRTH_EARLIEST",
    "check_id_number",
    "id_number_check_char",
    "check_mobile",
    "check_landline",
    "check_phone",
    "check_credit_code",
    "credit_code_check_char",
]

_DIGITS = frozenset("0123456789")

# --- 居民身份证号码 (GB 11643-1999) -------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
# The lower bound for a birth date. GB 11643-1999 sets none, and its own example
# 440524188001010014 is born in 1880, so 1900 would be wrong. 1850-01-01 still accepts that
# and every real holder, while catching a mistyped century (e.g. 0990 or 1090 for 1990).
ID_BIRTH_EARLIEST = date(1850, 1, 1)


@dataclass(frozen=True)
class IdNumber:
    """A checked 居民身份证号码 and what it says about its holder."""

    number: str
    birth_date: date
    gender: str  # 'male' | 'female'
    address_code: str

    def age_on(self, day: date) -> int:
        """Age in whole years on ``day`` (a 29 February birthday counts from 1 March)."""
        if day < self.birth_date:
            raise ValueError(f"{day.isoformat()} is before the birth date")
        return age_on(self.birth_date, day)


def age_on(birth: date, day: date) -> int:
    """Age in whole years on ``day`` of someone born on ``birth`` (negative before birth)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _normalise(text: str) -> str:
    """Fold full-width characters (as typed with a Chinese IME) to ASCII and trim."""
    return unicodedata.normalize("NFKC", text).strip()


def id_number_check_char(first17: str) -> str:
    """The GB 11643-1999 check character ('0'-'9' or 'X') for the first 17 digits."""
    if len(first17) != 17 or not set(first17) <= _DIGITS:
        raise ValueError(f"need exactly 17 ASCII digits, got {first17!r}")
    total = sum(int(ch) * weight for ch, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def check_id_number(text: str, today: date | None = None) -> IdNumber:
    """Check an 18-character 居民身份证号码; raise ValidationError saying what is wrong.

    Lower-case x becomes X and full-width characters are folded to ASCII. The address code is
    not required to be local. The birth date must be a real date, not after ``today`` (default:
    the system date) and not before ``ID_BIRTH_EARLIEST``.
    """
    field = "id_number"
    number = _normalise(text)
    if number[-1:] == "x":
        number = number[:-1] + "X"
    if not number:
        raise ValidationError("还没有填写身份证号码，请输入18位身份证号码。", field)
    if len(number) != 18:
        raise ValidationError(
            f"身份证号码应为18位，现在输入了{len(number)}位，请核对后重新输入。", field
        )
    for position, ch in enumerate(number, start=1):
        if ch in _DIGITS or (position == 18 and ch == "X"):
            continue
        shown = "空格" if ch.isspace() else f"“{ch}”"
        if ch in "Xx":
            hint = "字母X只能出现在最后一位"
        else:
            hint = "身份证号码只能由数字组成，最后一位可以是X"
        raise ValidationError(
            f"身份证号码第{position}位的{shown}不对：{hint}，请核对后重新输入。", field
        )
    year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    try:
        birth = date(year, month, day)
    except ValueError:
        raise ValidationError(
            f"身份证号码中的出生日期{year}年{month}月{day}日不存在，请核对第7到14位后重新输入。",
            field,
        ) from None
    if birth < ID_BIRTH_EARLIEST:
        raise ValidationError(
            f"身份证号码中的出生年份{year}年太早了，请核对第7到10位后重新输入。", field
        )
    if birth > (today if today is not None else clock.today()):
        raise ValidationError(
            f"身份证号码中的出生日期{year}年{month}月{day}日在今天之后，请核对第7到14位后重新输入。",
            field,
        )
    if id_number_check_char(number[:17]) != number[17]:
        raise ValidationError("身份证号码最后一位校验码不对，请核对后重新输入。", field)
    return IdNumber(
        number=number,
        birth_date=birth,
        gender="male" if int(number[16]) % 2 == 1 else "female",
        address_code=number[:6],
    )


# --- 电话 -------------------------------------------------------------------------------

_MOBILE = re.compile(r"1[3-9][0-9]{9}")
# Area codes: 010 and 02x have three digits; every other one (03xx-09xx) has four. Knowing
# this splits a number typed without a dash (07301234567) without guessing.
_LANDLINE = re.compile(
    r"(?P<open>\()?(?P<area>0(?:10|2[0-9])|0[3-9][0-9]{2})(?(open)\))-?"
    r"(?P<local>[1-9][0-9]{6,7})"
    r"(?:-(?P<ext>[0-9]{1,6}))?"
)


def _without_spaces(text: str) -> str:
    return "".join(_normalise(text).split())


def check_mobile(text: str) -> str:
    """Check a mobile number; return its 11 digits (spaces, dashes and +86 are dropped)."""
    field = "phone"
    number = _without_spaces(text).replace("-", "")
    if not number:
        raise ValidationError("还没有填写手机号码，请输入11位手机号码。", field)
    if number.startswith("+86"):
        number = number[3:]
    if not set(number) <= _DIGITS:
        raise ValidationError("手机号码只能包含数字，请检查是否输入了其他字符。", field)
    if len(number) != 11:
        raise ValidationError(f"手机号码应为11位，现在是{len(number)}位，请核对后重新输入。", field)
    if not _MOBILE.fullmatch(number):
        raise ValidationError("手机号码应以13到19开头，请核对后重新输入。", field)
    return number


def check_landline(text: str) -> str:
    """Check a landline number; return it as ``0730-1234567`` (extension as ``-123``)."""
    field = "phone"
    number = _without_spaces(text)
    if not number:
        raise ValidationError("还没有填写固定电话号码，请输入区号和号码，例如0730-1234567。", field)
    match = _LANDLINE.fullmatch(number)
    if match is None:
        raise ValidationError(
            "固定电话号码格式不对，应为区号加7到8位号码（可带分机号），"
            "例如0730-1234567，请核对后重新输入。",
            field,
        )
    result = f"{match['area']}-{match['local']}"
    return f"{result}-{match['ext']}" if match["ext"] else result


def check_phone(text: str) -> str:
    """Check a mobile or landline number; return the normalised form of whichever fits."""
    if not _without_spaces(text):
        raise ValidationError("还没有填写电话号码，请输入手机号码或固定电话号码。", "phone")
    for check in (check_mobile, check_landline):
        try:
            return check(text)
        except ValidationError:
            pass
    raise ValidationError(
        "电话号码格式不对：手机号码是1开头的11位数字，固定电话是区号加号码"
        "（例如0730-1234567），请核对后重新输入。",
        "phone",
    )


# --- 统一社会信用代码 (GB 32100-2015) ----------------------------------------------------

_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_VALUE = {ch: value for value, ch in enumerate(_CREDIT_CHARS)}
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters of a credit code."""
    if len(first17) != 17 or not set(first17) <= _CREDIT_VALUE.keys():
        raise ValueError(f"need exactly 17 characters from {_CREDIT_CHARS}, got {first17!r}")
    total = sum(
        _CREDIT_VALUE[ch] * weight for ch, weight in zip(first17, _CREDIT_WEIGHTS, strict=True)
    )
    return _CREDIT_CHARS[(31 - total % 31) % 31]


def check_credit_code(text: str) -> str:
    """Check a 统一社会信用代码; return it upper-cased."""
    field = "credit_code"
    code = _normalise(text).upper()
    if not code:
        raise ValidationError("还没有填写统一社会信用代码，请输入18位代码。", field)
    if len(code) != 18:
        raise ValidationError(
            f"统一社会信用代码应为18位，现在输入了{len(code)}位，请核对后重新输入。", field
        )
    bad = "".join(dict.fromkeys(ch for ch in code if ch not in _CREDIT_VALUE))
    if bad:
        shown = "、".join(f"“{ch}”" for ch in bad)
        raise ValidationError(
            f"统一社会信用代码里不能有{shown}：代码只用数字和大写字母，"
            "不用I、O、Z、S、V，请核对后重新输入。",
            field,
        )
    if credit_code_check_char(code[:17]) != code[17]:
        raise ValidationError("统一社会信用代码最后一位校验码不对，请核对后重新输入。", field)
    return code
