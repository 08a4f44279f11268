"""Tests for meixian_desktop.core.validation: ID numbers, phones and credit codes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from meixian_desktop.core import clock
from meixian_desktop.core.errors import ValidationError
from meixian_desktop.core.validation import (
    ID_BIRTH_EARLIEST,
    IdNumber,
    check_credit_code,
    check_id_number,
    check_landline,
    check_mobile,
    check_phone,
    credit_code_check_char,
    id_number_check_char,
)

no_db = settings(database=None)
TODAY = date(2025, 3, 5)
CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def make_id(address: str, birth: str, sequence: str) -> str:
    first17 = address + birth + sequence
    return first17 + id_number_check_char(first17)


def refused(check: Callable[..., object], text: str, **kwargs: object) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        check(text, **kwargs)
    error = caught.value
    assert error.message == str(error)
    assert "请" in error.message  # every message says what to do
    return error


# --- 身份证号码 ---------------------------------------------------------------------------


def test_known_good_id_numbers() -> None:
    first = check_id_number("11010519491231002X", today=TODAY)
    assert first == IdNumber("11010519491231002X", date(1949, 12, 31), "female", "110105")
    second = check_id_number("440524188001010014", today=TODAY)
    assert second == IdNumber("440524188001010014", date(1880, 1, 1), "male", "440524")


def test_lower_case_x_spaces_and_full_width_are_normalised() -> None:
    assert check_id_number("  11010519491231002x ", today=TODAY).number == "11010519491231002X"
    assert check_id_number("１１０１０５１９４９１２３１００２ｘ", today=TODAY).number == (
        "11010519491231002X"
    )


def test_default_today_is_the_system_date() -> None:
    assert check_id_number("11010519491231002X").birth_date == date(1949, 12, 31)
    tomorrow = clock.today() + timedelta(days=1)
    number = make_id("430626", tomorrow.strftime("%Y%m%d"), "123")
    assert "在今天之后" in refused(check_id_number, number).message


def test_local_address_code_is_not_required() -> None:
    number = make_id("650102", "19900101", "123")
    assert check_id_number(number, today=TODAY).address_code == "650102"


def test_empty_id_number() -> None:
    for text in ("", "   "):
        error = refused(check_id_number, text, today=TODAY)
        assert "没有填写" in error.message
        assert error.field == "id_number"


@pytest.mark.parametrize(
    ("text", "typed"), [("43062619900101123", 17), ("4306261990010112345", 19)]
)
def test_wrong_length_says_how_many_were_typed(text: str, typed: int) -> None:
    error = refused(check_id_number, text, today=TODAY)
    assert "18位" in error.message
    assert f"输入了{typed}位" in error.message


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("43062619900101123A", 18),
        ("4306261990O1011234", 11),
        ("43062619900101X234", 15),
        ("4306261990-1011234", 11),
        ("430626 99001011234", 7),
    ],
)
def test_non_digit_characters_name_the_position(text: str, position: int) -> None:
    error = refused(check_id_number, text, today=TODAY)
    assert f"第{position}位" in error.message
    assert "数字" in error.message or "X" in error.message


def test_impossible_birth_date() -> None:
    error = refused(check_id_number, make_id("430626", "19990230", "123"), today=TODAY)
    assert "1999年2月30日不存在" in error.message
    refused(check_id_number, make_id("430626", "19991301", "123"), today=TODAY)
    refused(check_id_number, make_id("430626", "19990100", "123"), today=TODAY)
    refused(check_id_number, make_id("430626", "00000101", "123"), today=TODAY)


def test_leap_day_is_real_only_in_leap_years() -> None:
    assert check_id_number(make_id("430626", "20000229", "123"), today=TODAY).birth_date == date(
        2000, 2, 29
    )
    refused(check_id_number, make_id("430626", "19000229", "123"), today=TODAY)


def test_future_birth_date() -> None:
    error = refused(check_id_number, make_id("430626", "20250306", "123"), today=TODAY)
    assert "2025年3月6日在今天之后" in error.message
    born_today = check_id_number(make_id("430626", "20250305", "123"), today=TODAY)
    assert born_today.birth_date == TODAY


def test_birth_year_before_the_lower_bound() -> None:
    assert ID_BIRTH_EARLIEST == date(1850, 1, 1)
    assert check_id_number(make_id("430626", "18500101", "123"), today=TODAY)
    error = refused(check_id_number, make_id("430626", "18491231", "123"), today=TODAY)
    assert "1849年" in error.message
    refused(check_id_number, make_id("430626", "10900101", "123"), today=TODAY)


def test_wrong_check_character() -> None:
    error = refused(check_id_number, "110105194912310021", today=TODAY)
    assert error.message == "身份证号码最后一位校验码不对，请核对后重新输入。"
    refused(check_id_number, "440524188001010015", today=TODAY)
    refused(check_id_number, "430626199001011234", today=TODAY)


def test_check_char_helper() -> None:
    assert id_number_check_char("11010519491231002") == "X"
    assert id_number_check_char("44052418800101001") == "4"
    for bad in ("", "1101051949123100", "110105194912310021", "1101051949123100A", "１" * 17):
        with pytest.raises(ValueError):
            id_number_check_char(bad)


birth_dates = st.dates(min_value=ID_BIRTH_EARLIEST, max_value=TODAY)


@no_db
@given(
    address=st.from_regex(r"[0-9]{6}", fullmatch=True),
    birth=birth_dates,
    sequence=st.from_regex(r"[0-9]{3}", fullmatch=True),
)
def test_any_valid_number_checks_and_yields_its_facts(
    address: str, birth: date, sequence: str
) -> None:
    number = make_id(address, birth.strftime("%Y%m%d"), sequence)
    result = check_id_number(number, today=TODAY)
    assert result.number == number
    assert result.birth_date == birth
    assert result.address_code == address
    assert result.gender == ("male" if int(sequence[2]) % 2 else "female")
    assert check_id_number(number.lower(), today=TODAY) == result


@no_db
@given(
    address=st.from_regex(r"[0-9]{6}", fullmatch=True),
    birth=birth_dates,
    sequence=st.from_regex(r"[0-9]{3}", fullmatch=True),
    wrong=st.sampled_from("0123456789X"),
)
def test_any_other_check_character_is_refused(
    address: str, birth: date, sequence: str, wrong: str
) -> None:
    number = make_id(address, birth.strftime("%Y%m%d"), sequence)
    assume(wrong != number[17])
    error = refused(check_id_number, number[:17] + wrong, today=TODAY)
    assert "校验码" in error.message


@no_db
@given(
    birth=birth_dates,
    position=st.integers(min_value=0, max_value=16),
    delta=st.integers(min_value=1, max_value=9),
)
def test_any_single_digit_typo_is_caught(birth: date, position: int, delta: int) -> None:
    number = make_id("430626", birth.strftime("%Y%m%d"), "123")
    typo = str((int(number[position]) + delta) % 10)
    with pytest.raises(ValidationError):
        check_id_number(number[:position] + typo + number[position + 1 :], today=TODAY)


def test_age_on() -> None:
    person = check_id_number("11010519491231002X", today=TODAY)
    assert person.age_on(date(1949, 12, 31)) == 0
    assert person.age_on(date(2024, 12, 30)) == 74
    assert person.age_on(date(2024, 12, 31)) == 75
    assert person.age_on(TODAY) == 75
    with pytest.raises(ValueError):
        person.age_on(date(1949, 12, 30))


def test_age_of_a_leap_day_birth() -> None:
    person = check_id_number(make_id("430626", "20080229", "124"), today=TODAY)
    assert person.gender == "female"
    assert person.age_on(date(2026, 2, 28)) == 17
    assert person.age_on(date(2026, 3, 1)) == 18
    assert person.age_on(date(2028, 2, 29)) == 20


# --- 电话 -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "13812345678",
        " 138 1234 5678 ",
        "138-1234-5678",
        "+8613812345678",
        "+86 138 1234 5678",
        "+86-138-1234-5678",
        "１３８１２３４５６７８",
    ],
)
def test_mobile_forms_normalise(text: str) -> None:
    assert check_mobile(text) == "13812345678"


@pytest.mark.parametrize("prefix", ["13", "14", "15", "16", "17", "18", "19"])
def test_mobile_prefixes(prefix: str) -> None:
    assert check_mobile(prefix + "912345678") == prefix + "912345678"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "没有填写"),
        ("1381234567", "现在是10位"),
        ("138123456789", "现在是12位"),
        ("12812345678", "13到19开头"),
        ("23812345678", "13到19开头"),
        ("1381234567a", "只能包含数字"),
        ("+87 13812345678", "只能包含数字"),
        ("8613812345678", "现在是13位"),
    ],
)
def test_bad_mobiles(text: str, expected: str) -> None:
    error = refused(check_mobile, text)
    assert expected in error.message
    assert error.field == "phone"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0730-1234567", "0730-1234567"),
        ("07301234567", "0730-1234567"),
        ("0730 1234567", "0730-1234567"),
        ("(0730)1234567", "0730-1234567"),
        ("(0730) 1234567", "0730-1234567"),
        ("0730-12345678", "0730-12345678"),
        ("0730-1234567-123", "0730-1234567-123"),
        ("07301234567-8", "0730-1234567-8"),
        ("010-12345678", "010-12345678"),
        ("01012345678", "010-12345678"),
        ("021 6123 4567", "021-61234567"),
        ("０７３０－１２３４５６７", "0730-1234567"),
    ],
)
def test_landline_forms_normalise(text: str, expected: str) -> None:
    assert check_landline(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "1234567",  # no area code
        "730-1234567",  # area code without 0
        "0730-123456",  # local number too short
        "0730-123456789",  # too long
        "0730-0234567",  # local number starting with 0
        "073-1234567",  # not a real area code shape
        "(0730-1234567",  # unbalanced bracket
        "0730-1234567-",
        "0730-1234567-1234567",
        "0730–1234567x",
        "13812345678",
    ],
)
def test_bad_landlines(text: str) -> None:
    error = refused(check_landline, text)
    assert "0730-1234567" in error.message


def test_empty_landline() -> None:
    assert "没有填写" in refused(check_landline, "").message


def test_check_phone_accepts_either() -> None:
    assert check_phone("+86 138-1234-5678") == "13812345678"
    assert check_phone("0730 1234567") == "0730-1234567"


@pytest.mark.parametrize("text", ["12345", "1381234567", "abc", "0730-12", "12812345678"])
def test_check_phone_gives_one_message_when_neither_fits(text: str) -> None:
    error = refused(check_phone, text)
    assert "手机号码" in error.message and "固定电话" in error.message
    assert error.field == "phone"


def test_check_phone_empty() -> None:
    assert "没有填写电话号码" in refused(check_phone, " ").message


@no_db
@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_any_mobile_is_accepted_by_check_phone(number: str) -> None:
    assert check_phone(number) == number
    assert check_phone(f"+86 {number[:3]} {number[3:7]}-{number[7:]}") == number


# --- 统一社会信用代码 --------------------------------------------------------------------


def test_known_good_credit_code() -> None:
    assert check_credit_code("9144030071526726XG") == "9144030071526726XG"
    assert check_credit_code(" 9144030071526726xg ") == "9144030071526726XG"
    assert credit_code_check_char("9144030071526726X") == "G"


def test_credit_code_wrong_check_character() -> None:
    error = refused(check_credit_code, "9144030071526726XH")
    assert "校验码" in error.message
    assert error.field == "credit_code"


@pytest.mark.parametrize(
    ("text", "typed"), [("9144030071526726X", 17), ("9144030071526726XGG", 19)]
)
def test_credit_code_wrong_length(text: str, typed: int) -> None:
    error = refused(check_credit_code, text)
    assert f"输入了{typed}位" in error.message


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("9144030071526726IG", ["I"]),
        ("91440300715267O6ZG", ["O", "Z"]),
        ("914403007152672SVG", ["S", "V"]),
        ("9144030071526726-G", ["-"]),
        ("914403007152672 XG", [" "]),
    ],
)
def test_credit_code_illegal_characters_are_named(text: str, named: list[str]) -> None:
    error = refused(check_credit_code, text)
    for ch in named:
        assert f"“{ch}”" in error.message
    assert "I、O、Z、S、V" in error.message


def test_credit_code_empty() -> None:
    assert "没有填写" in refused(check_credit_code, "").message


def test_credit_check_char_helper_refuses_bad_input() -> None:
    for bad in ("", "914403007152672", "9144030071526726I", "9144030071526726x"):
        with pytest.raises(ValueError):
            credit_code_check_char(bad)


credit_first17 = st.text(alphabet=CREDIT_CHARS, min_size=17, max_size=17)


@no_db
@given(credit_first17)
def test_any_credit_code_with_its_check_char_is_valid(first17: str) -> None:
    code = first17 + credit_code_check_char(first17)
    assert check_credit_code(code) == code
    assert check_credit_code(code.lower()) == code


@no_db
@given(credit_first17, st.sampled_from(CREDIT_CHARS))
def test_any_other_credit_check_char_is_refused(first17: str, wrong: str) -> None:
    assume(wrong != credit_code_check_char(first17))
    assert "校验码" in refused(check_credit_code, first17 + wrong).message


@no_db
@given(credit_first17, st.integers(min_value=0, max_value=16), st.integers(1, 30))
def test_any_single_credit_typo_is_caught(first17: str, position: int, delta: int) -> None:
    code = first17 + credit_code_check_char(first17)
    typo = CREDIT_CHARS[(CREDIT_CHARS.index(code[position]) + delta) % 31]
    with pytest.raises(ValidationError):
        check_credit_code(code[:position] + typo + code[position + 1 :])


@no_db
@given(st.text(max_size=30))
def test_checks_raise_only_validation_errors(text: str) -> None:
    for check in (check_mobile, check_landline, check_phone, check_credit_code):
        try:
            check(text)
        except ValidationError as error:
            assert error.message
    try:
        check_id_number(text, today=TODAY)
    except ValidationError as error:
        assert error.message
