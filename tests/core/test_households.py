"""Households: month arithmetic, when a visit is due, and every rule of the typed forms."""

from __future__ import annotations

import calendar
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from meixian_desktop.core.errors import Problems, RecordInvalid, ValidationError
from meixian_desktop.core.households import (
    TAGS,
    Household,
    Measure,
    Member,
    Referral,
    Visit,
    add_months,
    check_member_id,
    household_to_raw,
    member_to_raw,
    next_visit_due,
    parse_household,
    parse_member,
    parse_visit,
    visit_to_raw,
)
from meixian_desktop.core.validation import id_number_check_char

TODAY = date(2025, 3, 10)
VILLAGE = "village-zhanghan"


def id_number(birth: str, sequence: str = "011", area: str = "430626") -> str:
    """A valid 18-character ID number (the 3rd sequence digit odd = male, even = female)."""
    first17 = area + birth + sequence
    return first17 + id_number_check_char(first17)


def id_ending_in_x(birth: str) -> str:
    """A valid ID number whose check character is X."""
    for n in range(1000):
        number = id_number(birth, f"{n:03d}")
        if number.endswith("X"):
            return number
    raise AssertionError("no sequence gives X")  # pragma: no cover


MALE_ID = id_number("19800515", "011")
FEMALE_ID = id_number("19830220", "022")
CHILD_ID = id_number("20150601", "035")


def invalid(call: Any, *args: Any, **kwargs: Any) -> dict[str, str]:
    """The problems a parse raises (it must raise RecordInvalid)."""
    with pytest.raises(RecordInvalid) as caught:
        call(*args, **kwargs)
    return caught.value.problems


def member(**changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {"name": "张建国", "id_number": MALE_ID, "relation": "head"}
    raw.update(changes)
    return raw


def household(**changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "village_id": VILLAGE, "head_name": "张建国", "number": "ZH-001",
        "address": "张韩村一组枫树湾18号", "phone": "13907301234", "members": [member()],
    }
    raw.update(changes)
    return raw


def visit(**changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {"household_id": "h1", "visit_date": "2025-03-05", "visitors": "李梅"}
    raw.update(changes)
    return raw


# -- add_months ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("start", "months", "expected"), [
    (date(2025, 1, 31), 1, date(2025, 2, 28)),
    (date(2024, 1, 31), 1, date(2024, 2, 29)),
    (date(2024, 2, 29), 12, date(2025, 2, 28)),
    (date(2024, 2, 29), 48, date(2028, 2, 29)),
    (date(2025, 8, 31), 6, date(2026, 2, 28)),
    (date(2023, 8, 31), 6, date(2024, 2, 29)),
    (date(1900, 1, 31), 1, date(1900, 2, 28)),  # 1900 is not a leap year
    (date(2000, 1, 31), 1, date(2000, 2, 29)),  # 2000 is
    (date(2025, 3, 31), 1, date(2025, 4, 30)),
    (date(2025, 5, 31), 1, date(2025, 6, 30)),
    (date(2025, 1, 30), 1, date(2025, 2, 28)),
    (date(2025, 1, 28), 1, date(2025, 2, 28)),
    (date(2025, 12, 15), 1, date(2026, 1, 15)),
    (date(2025, 12, 31), 1, date(2026, 1, 31)),
    (date(2025, 12, 31), 2, date(2026, 2, 28)),
    (date(2025, 11, 30), 3, date(2026, 2, 28)),
    (date(2025, 7, 1), 6, date(2026, 1, 1)),
    (date(2025, 6, 30), 6, date(2025, 12, 30)),
    (date(2025, 1, 31), 12, date(2026, 1, 31)),
    (date(2025, 1, 31), 24, date(2027, 1, 31)),
    (date(2025, 1, 15), 0, date(2025, 1, 15)),
    (date(2025, 3, 31), -1, date(2025, 2, 28)),
    (date(2025, 1, 15), -1, date(2024, 12, 15)),
])
def test_add_months(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_add_months_does_not_carry_a_clamped_day_forward() -> None:
    # each step starts from the clamped day: 1月31日 → 2月28日 → 3月28日, not 3月31日
    assert add_months(add_months(date(2025, 1, 31), 1), 1) == date(2025, 3, 28)
    assert add_months(date(2025, 1, 31), 2) == date(2025, 3, 31)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)),
       st.integers(min_value=-1200, max_value=1200))
def test_add_months_properties(start: date, months: int) -> None:
    result = add_months(start, months)  # never raises
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    assert result.day <= start.day
    last = calendar.monthrange(result.year, result.month)[1]
    assert result.day == min(start.day, last)
    if start.day <= 28:
        assert result.day == start.day
    if months > 0:
        assert result > start
    elif months == 0:
        assert result == start


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
       st.integers(min_value=0, max_value=240), st.integers(min_value=0, max_value=240))
def test_add_months_is_monotonic(start: date, a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert add_months(start, low) <= add_months(start, high)


# -- next_visit_due -----------------------------------------------------------------------------

FREQUENCY = {"months_key_group": 1, "months_other": 6}


@pytest.mark.parametrize("key_group", [True, False])
def test_the_planned_date_wins(key_group: bool) -> None:
    planned = date(2025, 2, 10)
    assert next_visit_due(key_group, date(2025, 1, 31), planned, date(2024, 5, 1),
                          **FREQUENCY) == planned
    # even a plan further out than the frequency rule
    later = date(2025, 12, 1)
    assert next_visit_due(key_group, date(2025, 1, 31), later, date(2024, 5, 1),
                          **FREQUENCY) == later


@pytest.mark.parametrize("key_group", [True, False])
def test_never_visited_is_due_the_day_it_was_registered(key_group: bool) -> None:
    assert next_visit_due(key_group, None, None, date(2025, 1, 10), **FREQUENCY) == date(2025, 1, 10)


def test_key_group_monthly_others_six_monthly() -> None:
    assert next_visit_due(True, date(2025, 1, 31), None, date(2024, 5, 1),
                          **FREQUENCY) == date(2025, 2, 28)
    assert next_visit_due(False, date(2025, 1, 31), None, date(2024, 5, 1),
                          **FREQUENCY) == date(2025, 7, 31)
    assert next_visit_due(False, date(2025, 8, 31), None, date(2024, 5, 1),
                          **FREQUENCY) == date(2026, 2, 28)
    assert next_visit_due(True, date(2025, 12, 20), None, date(2024, 5, 1),
                          **FREQUENCY) == date(2026, 1, 20)


def test_custom_frequencies() -> None:
    custom = {"months_key_group": 3, "months_other": 12}
    assert next_visit_due(True, date(2025, 1, 31), None, date(2024, 5, 1),
                          **custom) == date(2025, 4, 30)
    assert next_visit_due(False, date(2024, 2, 29), None, date(2023, 5, 1),
                          **custom) == date(2025, 2, 28)
    assert next_visit_due(False, date(2025, 1, 31), None, date(2024, 5, 1),
                          months_key_group=1, months_other=24) == date(2027, 1, 31)


# -- parse_member -------------------------------------------------------------------------------


def parsed_member(raw: dict[str, Any], today: date = TODAY) -> tuple[Member | None, dict[str, str]]:
    problems = Problems()
    result = parse_member(raw, today=today, problems=problems)
    return result, problems.found


def test_member_gender_and_birth_date_come_from_the_id_number() -> None:
    man, found = parsed_member(member(gender="female", birth_date="1999-01-01"))
    assert found == {}
    assert man is not None
    assert (man.id_number, man.gender, man.birth_date) == (MALE_ID, "male", date(1980, 5, 15))
    woman, found = parsed_member(member(name="李秀英", id_number=FEMALE_ID, relation="spouse"))
    assert found == {}
    assert woman is not None
    assert (woman.gender, woman.birth_date, woman.relation) == ("female", date(1983, 2, 20),
                                                                 "spouse")


def test_member_id_number_keeps_the_holder_known_good_examples() -> None:
    first, found = parsed_member(member(id_number="11010519491231002X"))
    assert found == {} and first is not None
    assert (first.gender, first.birth_date) == ("female", date(1949, 12, 31))
    second, found = parsed_member(member(id_number="440524188001010014"))
    assert found == {} and second is not None
    assert (second.gender, second.birth_date) == ("male", date(1880, 1, 1))


def test_member_with_a_wrong_check_digit() -> None:
    wrong = MALE_ID[:17] + ("0" if MALE_ID[17] != "0" else "1")
    result, found = parsed_member(member(id_number=wrong))
    assert result is None
    assert set(found) == {"id_number"}
    assert "校验码" in found["id_number"]


def test_member_problems_carry_the_prefix() -> None:
    problems = Problems()
    wrong = MALE_ID[:17] + ("0" if MALE_ID[17] != "0" else "1")
    assert parse_member(member(name="", id_number=wrong), today=TODAY, problems=problems,
                        prefix="members.2.") is None
    assert set(problems.found) == {"members.2.name", "members.2.id_number"}
    assert problems.found["members.2.name"] == "请填写成员姓名。"


def test_member_born_in_the_future_by_id_number() -> None:
    tomorrow = TODAY + timedelta(days=1)
    result, found = parsed_member(member(id_number=id_number(tomorrow.strftime("%Y%m%d"))))
    assert result is None
    assert set(found) == {"id_number"}
    assert "在今天之后" in found["id_number"]
    # born today is fine
    newborn, found = parsed_member(member(id_number=id_number(TODAY.strftime("%Y%m%d"))))
    assert found == {} and newborn is not None
    assert newborn.birth_date == TODAY and newborn.age_on(TODAY) == 0


def test_member_born_in_the_future_by_typed_birth_date() -> None:
    result, found = parsed_member({"name": "张小宝", "birth_date": "2025-03-11"})
    assert result is None
    assert set(found) == {"birth_date"}
    assert "不能填将来的日期" in found["birth_date"]


def test_member_typed_birth_date_without_id_number() -> None:
    child, found = parsed_member({"name": "张小宝", "birth_date": "2015-06-01", "gender": "male"})
    assert found == {} and child is not None
    assert (child.id_number, child.gender, child.birth_date) == ("", "male", date(2015, 6, 1))
    bad, found = parsed_member({"name": "张小宝", "birth_date": "2015-02-30"})
    assert bad is None and set(found) == {"birth_date"}
    assert "不是有效日期" in found["birth_date"]


def test_member_without_id_number_born_before_2000() -> None:
    """An elderly member (留守老人) with no ID number to hand, birth date typed: accepted.

    Fails while parse_member reads the birth date with patrols.parse_date, whose earliest
    allowed date is 2000-01-01 (meant for patrol dates), so anyone born before 2000 is refused
    with "出生日期太早了".
    """
    elder, found = parsed_member({"name": "张奶奶", "birth_date": "1948-05-01",
                                  "gender": "female", "tags": ["left_behind_elderly"]})
    assert found == {}
    assert elder is not None and elder.birth_date == date(1948, 5, 1)
    assert elder.age_on(TODAY) == 76


def test_member_lower_case_x_is_accepted_as_upper_case() -> None:
    with_x = id_ending_in_x("19551001")
    result, found = parsed_member(member(id_number=with_x[:17] + "x"))
    assert found == {} and result is not None
    assert result.id_number == with_x
    assert result.birth_date == date(1955, 10, 1)


def test_member_full_width_id_number_is_folded() -> None:
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in MALE_ID)
    result, found = parsed_member(member(id_number=f" {full_width} "))
    assert found == {} and result is not None
    assert result.id_number == MALE_ID


@pytest.mark.parametrize("name", ["𠮷", "𠮷祥", "王𡈼", "䶮", "欧阳𠮷庆"])
def test_member_rare_names_are_kept(name: str) -> None:
    result, found = parsed_member(member(name=f"  {name} "))
    assert found == {} and result is not None
    assert result.name == name


def test_member_defaults_and_choices() -> None:
    result, found = parsed_member({
        "name": "张建国", "id_number": MALE_ID, "relation": "head", "education": "junior",
        "school_status": "not_applicable", "health": "chronic", "work_status": "away_work",
        "assistance_status": "dibao", "disability_category": "肢体", "disability_grade": "三级",
        "insurance": "城乡居民医保", "phone": "139 0730 1234", "tags": ["dibao", "dibao", ""],
        "ethnicity": " ",
    })
    assert found == {} and result is not None
    assert result.ethnicity == "汉族"
    assert result.phone == "13907301234"
    assert result.tags == ("dibao",)
    assert (result.education, result.health, result.work_status) == ("junior", "chronic",
                                                                      "away_work")


@pytest.mark.parametrize(("key", "value"), [
    ("relation", "uncle"), ("education", "phd"), ("school_status", "home"),
    ("health", "bad"), ("work_status", "boss"), ("assistance_status", "rich"),
    ("tags", ["vip"]), ("phone", "12345"), ("gender", "unknown"),
])
def test_member_bad_choices(key: str, value: Any) -> None:
    raw = {"name": "张建国", key: value}
    result, found = parsed_member(raw)
    assert result is None
    assert set(found) == {key}


def test_check_member_id_for_the_live_hint() -> None:
    assert check_member_id(MALE_ID, TODAY) == ("男", "1980-05-15")
    assert check_member_id(FEMALE_ID, TODAY) == ("女", "1983-02-20")
    with pytest.raises(ValidationError):
        check_member_id(MALE_ID[:17], TODAY)


def test_member_age() -> None:
    someone = Member("张建国", birth_date=date(2000, 2, 29))
    assert someone.age_on(date(2001, 2, 28)) == 0
    assert someone.age_on(date(2001, 3, 1)) == 1
    assert someone.age_on(date(1999, 1, 1)) is None
    assert Member("张建国").age_on(TODAY) is None


# -- parse_household ----------------------------------------------------------------------------


def test_a_good_household() -> None:
    result = parse_household(household(
        members=[member(), member(name="李秀英", id_number=FEMALE_ID, relation="spouse"),
                 {"name": "张小宝", "birth_date": "2015-06-01", "relation": "son",
                  "tags": ["left_behind_child"]}],
        tags=["monitored", "dibao"], monitoring_type="marginal",
        monitoring_included_on="2023-04-01", risk_types=["illness", "labour"],
        income_per_capita="6543.21", income_year="2024",
    ), today=TODAY)
    assert result.village_id == VILLAGE and result.head_name == "张建国"
    assert [m.name for m in result.members] == ["张建国", "李秀英", "张小宝"]
    assert result.tags == ("monitored", "dibao")
    assert result.income_per_capita == 6543.21 and result.income_year == 2024
    assert result.is_key_group()
    assert result.all_tags() == ["monitored", "dibao", "left_behind_child"]


def test_household_key_group_from_a_member_only() -> None:
    result = parse_household(household(members=[member(tags=["disabled"])]), today=TODAY)
    assert result.tags == ()
    assert result.is_key_group() and result.all_tags() == ["disabled"]
    assert not parse_household(household(), today=TODAY).is_key_group()


def test_missing_head_name_and_village() -> None:
    problems = invalid(parse_household, household(head_name=" ", village_id=""), today=TODAY)
    assert set(problems) == {"head_name", "village_id"}
    assert problems["head_name"] == "请填写户主姓名。"
    assert "村" in problems["village_id"]


@pytest.mark.parametrize("phone", ["12345", "1390730123", "23907301234", "电话"])
def test_bad_household_phone(phone: str) -> None:
    assert set(invalid(parse_household, household(phone=phone), today=TODAY)) == {"phone"}


@pytest.mark.parametrize(("typed", "stored"), [
    ("139 0730 1234", "13907301234"), ("+86 13907301234", "13907301234"),
    ("0730-1234567", "0730-1234567"), ("07301234567", "0730-1234567"), ("", ""),
])
def test_household_phone_is_normalised(typed: str, stored: str) -> None:
    assert parse_household(household(phone=typed), today=TODAY).phone == stored


def test_duplicate_id_numbers_within_the_household() -> None:
    problems = invalid(parse_household, household(members=[
        member(), member(name="张建民", id_number=MALE_ID)]), today=TODAY)
    assert set(problems) == {"members.1.id_number"}
    assert "第 1 位" in problems["members.1.id_number"]
    assert "重复" in problems["members.1.id_number"]


def test_duplicate_id_names_the_first_member_with_it() -> None:
    problems = invalid(parse_household, household(members=[
        member(), member(name="李秀英", id_number=FEMALE_ID),
        member(name="李秀兰", id_number=FEMALE_ID), member(name="张建民", id_number=MALE_ID),
    ]), today=TODAY)
    assert set(problems) == {"members.2.id_number", "members.3.id_number"}
    assert "第 2 位" in problems["members.2.id_number"]
    assert "第 1 位" in problems["members.3.id_number"]


def test_duplicate_id_with_lower_case_x() -> None:
    with_x = id_ending_in_x("19551001")
    problems = invalid(parse_household, household(members=[
        member(id_number=with_x), member(name="张建民", id_number=with_x[:17] + "x")]),
        today=TODAY)
    assert set(problems) == {"members.1.id_number"}


def test_members_without_id_numbers_are_not_duplicates() -> None:
    result = parse_household(household(members=[
        {"name": "张大宝"}, {"name": "张小宝"}, member()]), today=TODAY)
    assert len(result.members) == 3


def test_member_problems_are_keyed_by_position() -> None:
    problems = invalid(parse_household, household(members=[
        member(), {"name": "", "birth_date": "2030-01-01"}, member(name="李秀英", id_number="123")]),
        today=TODAY)
    assert set(problems) == {"members.1.name", "members.1.birth_date", "members.2.id_number"}


def test_monitored_household_needs_a_monitoring_type() -> None:
    problems = invalid(parse_household, household(tags=["monitored"]), today=TODAY)
    assert set(problems) == {"monitoring_type"}
    assert "监测对象类型" in problems["monitoring_type"]
    ok = parse_household(household(tags=["monitored"], monitoring_type="sudden"), today=TODAY)
    assert ok.monitoring_type == "sudden"
    problems = invalid(parse_household, household(monitoring_type="rich"), today=TODAY)
    assert set(problems) == {"monitoring_type"}


@pytest.mark.parametrize("income", ["-1", "-0.01", "10000000.01", "20000000", "abc", "nan",
                                    "inf", -5.0])
def test_income_out_of_range(income: Any) -> None:
    assert set(invalid(parse_household, household(income_per_capita=income),
                       today=TODAY)) == {"income_per_capita"}


@pytest.mark.parametrize(("typed", "value"), [
    ("0", 0.0), ("10000000", 10_000_000.0), ("12345.67", 12345.67), (" 8000 ", 8000.0),
    ("8000，5", 8000.5), (4500, 4500.0), ("", None), (None, None),
])
def test_income_in_range(typed: Any, value: float | None) -> None:
    assert parse_household(household(income_per_capita=typed),
                           today=TODAY).income_per_capita == value


@pytest.mark.parametrize("year", ["1999", "2026", "0", "24", "二〇二四", "2024.0", "-2024",
                                  "２０２４"])
def test_income_year_outside_2000_to_this_year(year: str) -> None:
    problems = invalid(parse_household, household(income_year=year), today=TODAY)
    assert set(problems) == {"income_year"}
    assert "2000 到 2025" in problems["income_year"]


@pytest.mark.parametrize(("year", "value"), [("2000", 2000), ("2025", 2025), (2024, 2024),
                                             ("", None)])
def test_income_year_in_range(year: Any, value: int | None) -> None:
    assert parse_household(household(income_year=year), today=TODAY).income_year == value


def test_risk_eliminated_date_without_the_flag() -> None:
    problems = invalid(parse_household, household(risk_eliminated_on="2025-01-01"), today=TODAY)
    assert set(problems) == {"risk_eliminated_on"}
    assert "风险已消除" in problems["risk_eliminated_on"]
    ok = parse_household(household(risk_eliminated=True, risk_eliminated_on="2025-01-01"),
                         today=TODAY)
    assert ok.risk_eliminated and ok.risk_eliminated_on == date(2025, 1, 1)


def test_risk_eliminated_before_included() -> None:
    problems = invalid(parse_household, household(
        tags=["monitored"], monitoring_type="unstable", monitoring_included_on="2024-06-01",
        risk_eliminated=True, risk_eliminated_on="2024-05-31"), today=TODAY)
    assert set(problems) == {"risk_eliminated_on"}
    assert "早于纳入监测日期" in problems["risk_eliminated_on"]
    same_day = parse_household(household(
        tags=["monitored"], monitoring_type="unstable", monitoring_included_on="2024-06-01",
        risk_eliminated=True, risk_eliminated_on="2024-06-01"), today=TODAY)
    assert same_day.risk_eliminated_on == same_day.monitoring_included_on


def test_monitoring_dates_not_in_the_future() -> None:
    problems = invalid(parse_household, household(
        monitoring_included_on="2025-03-11", risk_eliminated=True,
        risk_eliminated_on="2025-04-01"), today=TODAY)
    assert set(problems) == {"monitoring_included_on", "risk_eliminated_on"}


def test_measure_end_before_start() -> None:
    problems = invalid(parse_household, household(measures=[
        {"measure_type": "industry", "start_date": "2025-03-01", "end_date": "2025-02-28"}]),
        today=TODAY)
    assert set(problems) == {"measures.0.end_date"}
    assert "结束日期早于开始日期" in problems["measures.0.end_date"]


def test_measure_problems_by_position() -> None:
    problems = invalid(parse_household, household(measures=[
        {"measure_type": "industry", "start_date": "2025-01-01", "end_date": "2025-12-31"},
        {"measure_type": "lottery", "start_date": "2025-02-30"},
        {"measure_type": "", "start_date": "2025-05-01", "end_date": "2025-04-30"},
    ]), today=TODAY)
    assert set(problems) == {"measures.1.measure_type", "measures.1.start_date",
                             "measures.2.measure_type", "measures.2.end_date"}


def test_measures_may_end_in_the_future() -> None:
    result = parse_household(household(measures=[
        {"measure_type": "employment", "content": "公益性岗位", "start_date": "2025-03-01",
         "end_date": "2026-02-28", "unit": "镇人社所"}]), today=TODAY)
    assert result.measures == (Measure("employment", "公益性岗位", date(2025, 3, 1),
                                       date(2026, 2, 28), "镇人社所"),)


def test_unknown_tag_and_risk_codes() -> None:
    problems = invalid(parse_household, household(tags=["dibao", "vip"],
                                                  risk_types=["illness", "laziness"]), today=TODAY)
    assert set(problems) == {"tags", "risk_types"}
    assert "vip" in problems["tags"]


def test_every_household_tag_is_accepted() -> None:
    codes = [item.code for item in TAGS]
    result = parse_household(household(tags=codes, monitoring_type="unstable"), today=TODAY)
    assert list(result.tags) == codes


def test_every_problem_at_once() -> None:
    problems = invalid(parse_household, {
        "village_id": "", "head_name": "", "phone": "123", "tags": ["monitored", "x"],
        "income_per_capita": "-1", "income_year": "1999", "risk_eliminated_on": "2025-01-01",
        "members": [member(), member(name="张建民")],
        "measures": [{"measure_type": "industry", "start_date": "2025-03-01",
                      "end_date": "2025-01-01"}],
    }, today=TODAY)
    assert set(problems) == {
        "village_id", "head_name", "phone", "tags", "monitoring_type", "income_per_capita",
        "income_year", "risk_eliminated_on", "members.1.id_number", "measures.0.end_date",
    }


def test_record_invalid_message_counts_the_others() -> None:
    with pytest.raises(RecordInvalid) as caught:
        parse_household(household(head_name="", village_id=""), today=TODAY)
    assert "另有 1 处" in caught.value.message


# -- parse_visit --------------------------------------------------------------------------------


def test_a_good_visit() -> None:
    result = parse_visit(visit(visit_time="8:05", needs=["income", "health"],
                               satisfaction="satisfied", next_visit_date="2025-04-05",
                               referrals=[{"department": "镇民政办", "item": "申请临时救助",
                                           "deadline": "2025-03-20"}]), today=TODAY)
    assert result.visit_date == date(2025, 3, 5) and result.visit_time == "08:05"
    assert result.visit_type == "routine"
    assert result.referrals == (Referral("镇民政办", "申请临时救助", date(2025, 3, 20)),)
    assert result.next_visit_date == date(2025, 4, 5)


def test_visit_in_the_future() -> None:
    problems = invalid(parse_visit, visit(visit_date="2025-03-11"), today=TODAY)
    assert set(problems) == {"visit_date"}
    assert "不能填将来的日期" in problems["visit_date"]
    assert parse_visit(visit(visit_date="2025-03-10"), today=TODAY).visit_date == TODAY


def test_visit_without_date_household_or_visitors() -> None:
    problems = invalid(parse_visit, {"visit_date": "", "visitors": "  "}, today=TODAY)
    assert set(problems) == {"household_id", "visit_date", "visitors"}
    assert problems["visitors"] == "请填写走访人。"
    assert problems["visit_date"] == "请填写走访日期。"


@pytest.mark.parametrize("next_date", ["2025-03-05", "2025-03-04", "2025-01-01"])
def test_next_visit_not_after_the_visit(next_date: str) -> None:
    problems = invalid(parse_visit, visit(next_visit_date=next_date), today=TODAY)
    assert set(problems) == {"next_visit_date"}
    assert "晚于" in problems["next_visit_date"]


def test_next_visit_may_be_in_the_future() -> None:
    assert parse_visit(visit(next_visit_date="2025-03-06"),
                       today=TODAY).next_visit_date == date(2025, 3, 6)


def test_referral_without_department() -> None:
    problems = invalid(parse_visit, visit(referrals=[
        {"department": "镇民政办", "item": "临时救助"}, {"department": " ", "item": "危房改造"}]),
        today=TODAY)
    assert set(problems) == {"referrals"}
    assert "第 2 项" in problems["referrals"] and "交办部门" in problems["referrals"]


def test_referral_deadline_before_the_visit() -> None:
    problems = invalid(parse_visit, visit(referrals=[
        {"department": "镇民政办", "deadline": "2025-03-04"}]), today=TODAY)
    assert set(problems) == {"referrals"}
    assert "第 1 项" in problems["referrals"] and "早于走访日期" in problems["referrals"]
    same_day = parse_visit(visit(referrals=[{"department": "镇民政办", "deadline": "2025-03-05"}]),
                           today=TODAY)
    assert same_day.referrals[0].deadline == date(2025, 3, 5)


def test_referral_bad_deadline() -> None:
    problems = invalid(parse_visit, visit(referrals=[
        {"department": "镇民政办", "deadline": "明天"}]), today=TODAY)
    assert set(problems) == {"referrals"}


@pytest.mark.parametrize("typed", ["25:00", "8点", "08:60", "0830", "8:5", "abc"])
def test_bad_visit_time(typed: str) -> None:
    problems = invalid(parse_visit, visit(visit_time=typed), today=TODAY)
    assert set(problems) == {"visit_time"}


@pytest.mark.parametrize(("typed", "stored"), [("8:05", "08:05"), ("08：30", "08:30"),
                                               ("23:59", "23:59"), ("", "")])
def test_visit_time_is_normalised(typed: str, stored: str) -> None:
    assert parse_visit(visit(visit_time=typed), today=TODAY).visit_time == stored


@pytest.mark.parametrize(("key", "value"), [("visit_type", "party"), ("needs", ["money"]),
                                            ("satisfaction", "angry")])
def test_visit_unknown_codes(key: str, value: Any) -> None:
    assert set(invalid(parse_visit, visit(**{key: value}), today=TODAY)) == {key}


# -- round trips --------------------------------------------------------------------------------


FULL_HOUSEHOLD = Household(
    village_id=VILLAGE, head_name="张𠮷明", number="ZH-0018", group_id="group-1",
    address="张韩村一组𠮷家湾18号", phone="0730-1234567", cadre="王帮扶",
    tags=("monitored", "dibao"), monitoring_type="marginal",
    monitoring_included_on=date(2023, 4, 1), risk_types=("illness", "labour"),
    income_per_capita=12345.67, income_year=2024, risk_eliminated=True,
    risk_eliminated_on=date(2025, 1, 20), notes="户主患慢性病，需重点关注。",
    members=(
        Member("张𠮷明", MALE_ID, "male", date(1980, 5, 15), relation="head", education="junior",
               health="chronic", work_status="farming", assistance_status="dibao",
               insurance="城乡居民医保", phone="13907301234", id="m1"),
        Member("李秀英", FEMALE_ID, "female", date(1983, 2, 20), relation="spouse",
               ethnicity="瑶族", disability_category="肢体", disability_grade="三级",
               health="disabled", tags=("disabled",), id="m2"),
        Member("张小𡈼", "", "male", date(2015, 6, 1), relation="son",
               school_status="primary", education="primary", work_status="student",
               tags=("left_behind_child",)),
    ),
    measures=(
        Measure("industry", "发放油茶苗200株", date(2024, 3, 1), date(2024, 12, 31), "镇农业站",
                id="s1"),
        Measure("employment", "公益性岗位", date(2025, 1, 1), None, "镇人社所"),
        Measure("other", "", None, None, ""),
    ),
    id="h1",
)


def test_household_round_trip() -> None:
    assert parse_household(household_to_raw(FULL_HOUSEHOLD), today=TODAY) == FULL_HOUSEHOLD


def test_household_round_trip_of_a_bare_household() -> None:
    bare = Household(village_id=VILLAGE, head_name="韩冬梅")
    assert parse_household(household_to_raw(bare), today=TODAY) == bare


@pytest.mark.parametrize("income", [0.0, 1.0, 12345.67, 0.1 + 0.2, 9999999.99, 10_000_000.0,
                                    1e-05, 3000.5])
def test_household_income_round_trip(income: float) -> None:
    item = replace(FULL_HOUSEHOLD, income_per_capita=income)
    assert parse_household(household_to_raw(item), today=TODAY).income_per_capita == income


@given(st.floats(min_value=0, max_value=10_000_000, allow_nan=False))
def test_household_any_income_round_trips(income: float) -> None:
    item = Household(village_id=VILLAGE, head_name="韩冬梅", income_per_capita=income)
    assert parse_household(household_to_raw(item), today=TODAY) == item


def test_member_to_raw_shows_the_derived_fields() -> None:
    raw = member_to_raw(FULL_HOUSEHOLD.members[0])
    assert raw["gender"] == "male" and raw["birth_date"] == "1980-05-15"
    assert raw["tags"] == [] and raw["id"] == "m1"


FULL_VISIT = Visit(
    household_id="h1", visit_date=date(2025, 3, 5), visitors="李梅、王帮扶",
    visit_type="key_group", visit_time="09:30", person_met="张𠮷明", others_present="李秀英",
    income_note="油茶收入约 8000 元", health_note="慢性病按时服药", housing_note="住房安全",
    water_note="自来水正常", schooling_note="张小𡈼在读三年级", needs=("health", "income"),
    needs_detail="希望解决药费报销", done_on_spot="讲解医保报销政策",
    referrals=(Referral("镇民政办", "临时救助", date(2025, 3, 20)),
               Referral("村委会", "修缮屋顶", None)),
    satisfaction="satisfied", photos=("a" * 64, "b" * 64), next_visit_date=date(2025, 4, 5),
    id="v1",
)


def test_visit_round_trip() -> None:
    assert parse_visit(visit_to_raw(FULL_VISIT), today=TODAY) == FULL_VISIT


def test_visit_round_trip_of_a_bare_visit() -> None:
    bare = Visit(household_id="h1", visit_date=date(2025, 3, 5), visitors="李梅")
    assert parse_visit(visit_to_raw(bare), today=TODAY) == bare
