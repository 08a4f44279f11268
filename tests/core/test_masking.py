"""Tests for meixian_desktop.core.masking: what stays visible and that nothing raises."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meixian_desktop.core.errors import ValidationError
from meixian_desktop.core.masking import (
    MASK_KINDS,
    mask_id_number,
    mask_name,
    mask_phone,
    mask_text,
)
from meixian_desktop.core.validation import check_phone

no_db = settings(database=None)


def revealed(masked: str) -> int:
    return sum(1 for ch in masked if ch != "*")


# --- ID numbers --------------------------------------------------------------------------


def test_id_number_keeps_first_six_and_last_four() -> None:
    assert mask_id_number("430626199001011234") == "430626********1234"
    assert mask_id_number("43062619900101123X") == "430626********123X"
    assert mask_id_number(" 43062619900101123x ") == "430626********123x"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", ""),
        ("1", "*"),
        ("123", "***"),
        ("1234", "1**4"),
        ("43062619", "43****19"),
        ("430626199001011", "430*********011"),  # old 15-digit number: at most a quarter each end
        ("4306261990010112345", "4306***********2345"),
        ("43062619900101123A", "4306**********123A"),  # 18 but not ID-shaped
    ],
)
def test_short_or_malformed_id_numbers_reveal_at_most_half(value: str, expected: str) -> None:
    assert mask_id_number(value) == expected
    assert len(expected) == len(value)
    assert revealed(expected) <= len(value) // 2


def test_id_number_none_is_empty() -> None:
    assert mask_id_number(None) == ""


@no_db
@given(st.text(alphabet=st.characters(exclude_characters="*"), max_size=40))
def test_id_number_masking_never_raises_or_shows_more_than_half(value: str) -> None:
    masked = mask_id_number(value)
    assert len(masked) == len(value.strip())
    assert revealed(masked) <= len(value.strip()) // 2 or revealed(masked) == 10


@no_db
@given(st.from_regex(r"[0-9]{17}[0-9X]", fullmatch=True))
def test_any_id_number_keeps_exactly_ten(value: str) -> None:
    masked = mask_id_number(value)
    assert masked == value[:6] + "*" * 8 + value[14:]


# --- phones ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13812345678", "138****5678"),
        ("+86 138-1234-5678", "138****5678"),
        ("0730-1234567", "0730-*****67"),
        ("07301234567", "0730-*****67"),
        ("0730-12345678", "0730-******78"),
        ("010 12345678", "010-******78"),
        ("0730-1234567-123", "0730-*****67-***"),
    ],
)
def test_phone_masks(value: str, expected: str) -> None:
    assert mask_phone(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", ""),
        ("12", "**"),
        ("12345", "1***5"),
        ("12345678", "12****78"),
        ("abcdefghijkl", "abc*******kl"),
    ],
)
def test_unrecognised_phones_reveal_at_most_half(value: str, expected: str) -> None:
    assert mask_phone(value) == expected
    assert revealed(expected) <= len(value) // 2


def test_phone_none_is_empty() -> None:
    assert mask_phone(None) == ""


def _is_phone(value: str) -> bool:
    try:
        check_phone(value)
    except ValidationError:
        return False
    return True


@no_db
@given(st.text(alphabet=st.characters(exclude_characters="*"), max_size=30))
def test_phone_masking_never_raises(value: str) -> None:
    masked = mask_phone(value)
    if not _is_phone(value):
        assert len(masked) == len(value.strip())
        assert revealed(masked) <= len(value.strip()) // 2


@no_db
@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_any_mobile_keeps_first_three_and_last_four(value: str) -> None:
    assert mask_phone(value) == value[:3] + "****" + value[7:]


# --- names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("张三丰", "张**"),
        ("张三", "张*"),
        (" 欧阳娜娜 ", "欧***"),
        ("𠮷田", "𠮷*"),  # outside the BMP: one character, kept whole
        ("张𠮷", "张*"),
        ("𠮷𠮷𠮷", "𠮷**"),
        ("葛\U000e0100飾", "葛\U000e0100*"),  # ideographic variation selector stays with 葛
        ("阿依古丽·买买提", "阿*******"),
        ("张", "*"),
        ("𠮷", "*"),
        ("", ""),
    ],
)
def test_name_masks(value: str, expected: str) -> None:
    assert mask_name(value) == expected


def test_name_none_is_empty() -> None:
    assert mask_name(None) == ""


def test_surrogates_and_odd_text_do_not_raise() -> None:
    for value in ("\ud842", "\u0301张", "\u200d", "a\u200db", "\x00\x01"):
        for kind in MASK_KINDS:
            assert isinstance(mask_text(value, kind), str)


@no_db
@given(st.text(max_size=20))
def test_name_masking_never_raises_and_keeps_the_first_character(value: str) -> None:
    masked = mask_name(value)
    stripped = value.strip()
    if len(stripped) >= 2 and masked != "*":
        assert masked[0] == stripped[0]
    assert "*" in masked or not stripped


# --- mask_text ---------------------------------------------------------------------------


def test_mask_text_dispatches() -> None:
    assert mask_text("430626199001011234", "id_number") == "430626********1234"
    assert mask_text("13812345678", "phone") == "138****5678"
    assert mask_text("张三丰", "name") == "张**"
    assert mask_text(None, "name") == ""


def test_mask_text_unknown_kind() -> None:
    with pytest.raises(ValueError):
        mask_text("张三丰", "address")
