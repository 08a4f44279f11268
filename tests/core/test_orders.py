"""督促监护令 in the core: reading typed orders, services and follow-ups, every rule, the lifecycle."""

from __future__ import annotations

import itertools
import re
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest

from meixian_desktop.core import clock
from meixian_desktop.core.errors import RecordInvalid, ValidationError
from meixian_desktop.core.order_followups import (
    COMPLIANCE,
    FOLLOWUP_METHODS,
    SERVICE_METHODS,
    Compliance,
    OrderFollowUp,
    ServiceRecord,
    check_followup,
    compliance_summary,
    followup_to_raw,
    parse_datetime,
    parse_followup,
    parse_service,
    service_step,
    service_to_raw,
    split_names,
    timeline,
)
from meixian_desktop.core.orders import (
    FACTS,
    LEGAL_BASIS,
    OUTCOMES,
    STATUSES,
    TRANSITIONS,
    Duty,
    Guardian,
    check_transition,
    normalise_number,
    order_to_raw,
    parse_order,
    pseudonym_of,
    transition,
)
from meixian_desktop.core.patrols import StatusChange
from meixian_desktop.core.validation import id_number_check_char

TODAY = date(2025, 3, 10)
NOW = datetime(2025, 3, 10, 15, 0)
CST = timezone(timedelta(hours=8))
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def id_for(birth: str, seq: str = "123", area: str = "430626") -> str:
    """A valid 居民身份证号码 for a birth date (YYYY-MM-DD); odd ``seq`` = male."""
    first17 = area + birth.replace("-", "") + seq
    return first17 + id_number_check_char(first17)


def id_ending_in_x(birth: str) -> str:
    for seq in range(100, 1000):
        number = id_for(birth, str(seq))
        if number.endswith("X"):
            return number
    raise AssertionError("no sequence gives X")


MINOR_ID = id_for("2011-06-15", "131")  # a boy, 13 on the issue date
FATHER_ID = id_ending_in_x("1985-02-03")
MOTHER_ID = id_for("1987-09-30", "246")


def order_raw(**changes: Any) -> dict[str, Any]:
    """A typed order with every field filled."""
    raw: dict[str, Any] = {
        "number": "平检未督[2025]3号", "issuer": "", "issue_date": "2025-03-03",
        "village_id": "v-zhanghan", "household_id": "",
        "guardians": [
            {"name": " 王建国 ", "relation": "父亲", "id_number": FATHER_ID.lower(),
             "address": "张韩村第三组", "phone": "139 0730 1234"},
            {"name": "李𠮷芳", "relation": "母亲", "id_number": MOTHER_ID, "address": "",
             "phone": "0730-1234567"},
            {"name": "", "relation": "", "id_number": "", "address": "", "phone": ""},
        ],
        "minor_name": "王小明", "minor_pseudonym": "", "minor_id_number": MINOR_ID,
        "minor_birth_date": "", "minor_gender": "",
        "facts": ["absent_migrant", "indulged_misconduct"], "facts_detail": "长期外出务工",
        "legal_basis": ["civil_code_34", "family_education_49"],
        "duties": [
            {"content": "每周与孩子视频通话不少于两次", "measure": "每周", "deadline": ""},
            {"content": "督促按时上学", "measure": "每天", "deadline": "2025-06-30"},
            {"content": "", "measure": "", "deadline": ""},
        ],
        "observation_start": "2025-03-10", "observation_end": "2025-09-09",
        "feedback_method": "每月书面反馈", "contact": "张检察官 0730-5201234",
        "consequences": "拒不履行的，依法训诫。", "copies_to": "梅仙镇人民政府",
        "status": "pending", "outcome": "", "referral": "",
    }
    raw.update(changes)
    return raw


def problems_of(raw: dict[str, Any], today: date = TODAY) -> dict[str, str]:
    with pytest.raises(RecordInvalid) as caught:
        parse_order(raw, today=today)
    for message in caught.value.problems.values():
        assert CHINESE.search(message), message
    return caught.value.problems


def order(**changes: Any):
    return parse_order(order_raw(**changes), today=TODAY)


def service_raw(**changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "document": "", "document_number": "", "recipient": "王建国", "recipient_relation": "父亲",
        "address": "张韩村第三组", "method": "direct", "served_at": "2025-03-04 10:30",
        "place": "张韩村村部", "recipient_signed": True, "substitute_name": "",
        "substitute_reason": "", "refusal_reason": "", "witnesses": "",
        "servers": "张检察官、李梅",
    }
    raw.update(changes)
    return raw


def service_problems_of(raw: dict[str, Any], target=None) -> dict[str, str]:
    with pytest.raises(RecordInvalid) as caught:
        parse_service(raw, order=target or order(), now=NOW)
    for message in caught.value.problems.values():
        assert CHINESE.search(message), message
    return caught.value.problems


def followup_raw(**changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "followup_date": "2025-03-09", "method": "home", "visitors": "李梅 张检察官",
        "person_met": "王建国", "schooling": "按时上学", "behaviour": "不再去网吧",
        "health": "良好",
        "compliance": [{"level": "done", "evidence": "看了通话记录"},
                       {"level": "partial", "evidence": "班主任说迟到两次"}],
        "guidance_attended": True, "problems": "", "next_steps": "继续关注",
        "next_date": "2025-04-09",
    }
    raw.update(changes)
    return raw


def served(**changes: Any):
    return replace(order(**changes), status="served")


def followup_problems_of(raw: dict[str, Any], target=None,
                         served_on: date | None = date(2025, 3, 4)) -> dict[str, str]:
    with pytest.raises(RecordInvalid) as caught:
        parse_followup(raw, order=target or served(), served_on=served_on, today=TODAY)
    for message in caught.value.problems.values():
        assert CHINESE.search(message), message
    return caught.value.problems


# -- categories ---------------------------------------------------------------------------------


def test_categories_are_the_domain_lists() -> None:
    assert [c.label for c in FACTS] == ["外出务工疏于陪伴", "放任不良行为", "未尽安全教育",
                                        "委托照护不当", "家庭暴力", "其他"]
    assert [c.label for c in LEGAL_BASIS] == [
        "民法典第三十四条", "未成年人保护法第十五至十七条、第一百一十八条",
        "家庭教育促进法第四十九条", "预防未成年人犯罪法"]
    assert [c.label for c in SERVICE_METHODS] == ["直接送达", "现场宣告", "留置送达", "委托送达"]
    assert [c.label for c in FOLLOWUP_METHODS] == ["入户", "电话", "视频", "学校了解"]
    assert [c.label for c in COMPLIANCE] == ["已落实", "部分落实", "未落实"]
    assert [(c.code, c.label) for c in STATUSES] == [
        ("pending", "待送达"), ("served", "已送达"), ("observing", "考察期"), ("ended", "结束")]
    assert [(c.code, c.label) for c in OUTCOMES] == [("fulfilled", "已履行"),
                                                     ("unfulfilled", "未履行")]


# -- a good order -------------------------------------------------------------------------------


def test_every_field_is_read_and_tidied() -> None:
    parsed = order()
    assert parsed.number == "平检未督〔2025〕3号"
    assert parsed.issuer == "平江县人民检察院"
    assert parsed.issue_date == date(2025, 3, 3)
    assert parsed.village_id == "v-zhanghan" and parsed.household_id is None
    assert parsed.guardians == (
        Guardian("王建国", "父亲", FATHER_ID, "张韩村第三组", "13907301234"),
        Guardian("李𠮷芳", "母亲", MOTHER_ID, "", "0730-1234567"),
    )  # the empty row is dropped, x upper-cased, the phone tidied
    assert FATHER_ID.endswith("X")
    assert parsed.minor_name == "王小明" and parsed.minor_pseudonym == "小王"
    assert parsed.minor_id_number == MINOR_ID
    assert parsed.minor_birth_date == date(2011, 6, 15) and parsed.minor_gender == "male"
    assert parsed.minor_age_on(parsed.issue_date) == 13
    assert parsed.facts == ("absent_migrant", "indulged_misconduct")
    assert parsed.legal_basis == ("civil_code_34", "family_education_49")
    assert parsed.duties == (Duty("每周与孩子视频通话不少于两次", "每周", None),
                             Duty("督促按时上学", "每天", date(2025, 6, 30)))
    assert (parsed.observation_start, parsed.observation_end) == (date(2025, 3, 10),
                                                                  date(2025, 9, 9))
    assert parsed.status == "pending" and parsed.status_label == "待送达"
    assert parsed.outcome == "" and parsed.history == () and parsed.id is None


def test_birth_date_and_gender_may_be_typed_without_an_id_number() -> None:
    parsed = order(minor_id_number="", minor_birth_date="2014-02-28", minor_gender="female")
    assert parsed.minor_birth_date == date(2014, 2, 28) and parsed.minor_gender == "female"
    assert parsed.minor_id_number == ""


def test_the_id_number_wins_over_typed_birth_date_and_gender() -> None:
    parsed = order(minor_birth_date="2014-02-28", minor_gender="female")
    assert parsed.minor_birth_date == date(2011, 6, 15) and parsed.minor_gender == "male"


def test_a_typed_pseudonym_is_kept() -> None:
    assert order(minor_pseudonym="小明同学").minor_pseudonym == "小明同学"


@pytest.mark.parametrize(("name", "pseudonym"), [
    ("王小明", "小王"), (" 李四 ", "小李"), ("欧阳娜娜", "小欧阳"), ("司马光", "小司马"),
    ("诸葛亮", "小诸葛"), ("欧阳", "小欧"), ("𠮷大勇", "小𠮷"), ("张", "小张"), ("", ""),
])
def test_pseudonym_derivation(name: str, pseudonym: str) -> None:
    assert pseudonym_of(name) == pseudonym


@pytest.mark.parametrize("typed", ["王小明", "小王小明"])
def test_a_pseudonym_may_not_hold_the_real_name(typed: str) -> None:
    problems = problems_of(order_raw(minor_pseudonym=typed))
    assert set(problems) == {"minor_pseudonym"}
    assert "化名不能用真实姓名" in problems["minor_pseudonym"]


@pytest.mark.parametrize(("typed", "stored"), [
    ("平检未督[2025]3号", "平检未督〔2025〕3号"), ("平检未督（2025）12号", "平检未督〔2025〕12号"),
    ("平检未督【2025】3号", "平检未督〔2025〕3号"), ("平检未督 ［2025］ 3号", "平检未督〔2025〕3号"),
    ("平检未督〔2025〕3号", "平检未督〔2025〕3号"),
])
def test_number_brackets_become_the_official_ones(typed: str, stored: str) -> None:
    assert normalise_number(typed) == stored
    assert order(number=typed).number == stored


# -- the minor's age ----------------------------------------------------------------------------


def test_seventeen_on_the_issue_date_is_a_minor() -> None:
    parsed = order(minor_id_number=id_for("2007-03-04"), issue_date="2025-03-03")
    assert parsed.minor_age_on(date(2025, 3, 3)) == 17


def test_eighteen_on_the_issue_date_is_refused() -> None:
    problems = problems_of(order_raw(minor_id_number=id_for("2007-03-03"),
                                     issue_date="2025-03-03"))
    assert set(problems) == {"minor_id_number"}
    assert "已满18周岁" in problems["minor_id_number"]


def test_eighteen_by_a_typed_birth_date_is_refused_at_that_field() -> None:
    problems = problems_of(order_raw(minor_id_number="", minor_birth_date="2006-01-01"))
    assert set(problems) == {"minor_birth_date"} and "已满18周岁" in problems["minor_birth_date"]


def test_born_after_the_issue_date_is_refused() -> None:
    problems = problems_of(order_raw(minor_id_number=id_for("2025-03-05"),
                                     issue_date="2025-03-03", observation_start="",
                                     observation_end=""))
    assert "在签发日期之后" in problems["minor_id_number"]


def test_no_id_and_no_birth_date_is_refused() -> None:
    problems = problems_of(order_raw(minor_id_number="", minor_birth_date=""))
    assert set(problems) == {"minor_birth_date"}
    assert "身份证号码或出生日期" in problems["minor_birth_date"]


def test_a_bad_minor_id_number_and_gender() -> None:
    assert "校验码" in problems_of(order_raw(minor_id_number=MINOR_ID[:-1] + "0"))[
        "minor_id_number"]
    problems = problems_of(order_raw(minor_id_number="", minor_birth_date="2014-01-01",
                                     minor_gender="boy"))
    assert set(problems) == {"minor_gender"}


# -- each bad-input rule, at its field ----------------------------------------------------------


def guardian(number: int, **changes: str) -> list[dict[str, str]]:
    rows = order_raw()["guardians"]
    rows[number] = {**rows[number], **changes}
    return rows


def duty(number: int, **changes: str) -> list[dict[str, str]]:
    rows = order_raw()["duties"]
    rows[number] = {**rows[number], **changes}
    return rows


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"guardians": guardian(1, id_number="43062619870930123")}, "guardians.1.id_number", "18位"),
    ({"guardians": guardian(0, id_number=FATHER_ID[:-1] + "1")}, "guardians.0.id_number",
     "校验码"),
    ({"guardians": guardian(0, phone="1390730123")}, "guardians.0.phone", "电话号码格式不对"),
    ({"guardians": guardian(1, name="")}, "guardians.1.name", "监护人姓名"),
    ({"guardians": guardian(0, relation="")}, "guardians.0.relation", "关系"),
    ({"guardians": []}, "guardians", "至少填写一位监护人"),
    ({"duties": duty(1, deadline="2025-03-02")}, "duties.1.deadline", "不能早于签发日期"),
    ({"duties": duty(0, deadline="2025-02-30")}, "duties.0.deadline", "不是有效日期"),
    ({"duties": duty(1, content="")}, "duties.1.content", "职责的内容"),
    ({"duties": [{"content": "", "measure": "", "deadline": ""}]}, "duties", "至少写一项"),
    ({"observation_end": "2025-03-09"}, "observation_end", "早于开始日期"),
    ({"observation_start": "2025-03-01"}, "observation_start", "不能早于签发日期"),
    ({"issue_date": "2025-03-11", "observation_start": "2025-03-11"}, "issue_date", "还没到"),
    ({"issue_date": ""}, "issue_date", "请填写签发日期"),
    ({"number": ""}, "number", "请填写文号"),
    ({"number": "平检未督2025第3号"}, "number", "格式不对"),
    ({"village_id": ""}, "village_id", "村（社区）"),
    ({"minor_name": ""}, "minor_name", "真实姓名"),
    ({"facts": []}, "facts", "监护失职情形"),
    ({"facts": ["gambling"]}, "facts", "不是监护失职情形里的类别"),
    ({"facts": ["other"], "facts_detail": ""}, "facts_detail", "具体情况"),
    ({"legal_basis": []}, "legal_basis", "法律依据"),
    ({"legal_basis": ["criminal_law"]}, "legal_basis", "不是法律依据里的类别"),
    ({"status": "lost"}, "status", "未知的监护令状态"),
    ({"status": "observing", "observation_start": ""}, "observation_start", "考察期开始日期"),
    ({"status": "ended", "outcome": "", "observation_end": ""}, "outcome", "履行结果"),
    ({"status": "ended", "outcome": "unfulfilled"}, "referral", "移送"),
    ({"status": "ended", "outcome": "forgiven"}, "outcome", "履行结果"),
    ({"outcome": "fulfilled"}, "outcome", "考察结束时"),
])
def test_each_rule_has_its_message_at_its_field(changes, field: str, words: str) -> None:
    problems = problems_of(order_raw(**changes))
    assert field in problems, problems
    assert words in problems[field]


def test_an_ended_order_with_outcome_and_referral_is_accepted() -> None:
    parsed = order(status="ended", outcome="unfulfilled", referral="已移送公安机关")
    assert (parsed.outcome, parsed.referral) == ("unfulfilled", "已移送公安机关")


def test_every_problem_is_collected_at_once() -> None:
    problems = problems_of(order_raw(
        number="", issue_date="2025-04-01", village_id="",
        guardians=guardian(0, id_number="123", phone="abc"), minor_name="", facts=[],
        legal_basis=[], duties=duty(0, content=""), observation_start="2025-05-01",
        observation_end="2025-04-01", outcome="fulfilled"))
    assert set(problems) >= {
        "number", "issue_date", "village_id", "guardians.0.id_number", "guardians.0.phone",
        "minor_name", "facts", "legal_basis", "duties.0.content", "observation_end", "outcome"}


# -- the lifecycle ------------------------------------------------------------------------------

ALLOWED = {("pending", "served"), ("served", "observing"), ("observing", "ended")}
PAIRS = list(itertools.product([s.code for s in STATUSES], repeat=2))
AT = datetime(2025, 3, 6, 10, 30, 15, 999, tzinfo=CST)


def test_transitions_cover_every_status() -> None:
    assert set(TRANSITIONS) == {s.code for s in STATUSES}
    assert {(a, b) for a, targets in TRANSITIONS.items() for b in targets} == ALLOWED
    assert all(CHINESE.search(verb) for t in TRANSITIONS.values() for verb in t.values())


@pytest.mark.parametrize(("current", "target"), PAIRS)
def test_transition_matrix(current: str, target: str) -> None:
    if (current, target) in ALLOWED:
        check_transition(current, target)
        change = transition(current, target, " 李梅 ", " 已核实 ", at=AT, outcome="fulfilled")
        note = "结果：已履行；已核实" if target == "ended" else "已核实"
        assert change == StatusChange("2025-03-06T10:30:15+08:00", "李梅", current, target, note)
    else:
        with pytest.raises(ValidationError) as caught:
            check_transition(current, target)
        assert caught.value.field == "status"
        assert STATUSES.label_of(current) in caught.value.message
        assert STATUSES.label_of(target) in caught.value.message
        with pytest.raises(ValidationError):
            transition(current, target, "李梅", at=AT, outcome="fulfilled", referral="x")


@pytest.mark.parametrize(("skip", "words"), [
    (("pending", "observing"), "不能直接改为“考察期”"),
    (("served", "ended"), "不能直接改为“结束”"),
    (("pending", "ended"), "下一步只能是：已送达"),
    (("ended", "observing"), "下一步只能是：无"),
])
def test_skipping_steps_is_refused_with_the_next_step_named(skip, words: str) -> None:
    with pytest.raises(ValidationError) as caught:
        transition(*skip, "李梅", outcome="fulfilled")
    assert words in caught.value.message


def test_ending_needs_an_outcome() -> None:
    with pytest.raises(ValidationError) as caught:
        transition("observing", "ended", "李梅")
    assert caught.value.field == "outcome" and "已履行或未履行" in caught.value.message
    with pytest.raises(ValidationError) as caught:
        transition("observing", "ended", "李梅", outcome="maybe")
    assert caught.value.field == "outcome"


def test_unfulfilled_needs_a_referral() -> None:
    with pytest.raises(ValidationError) as caught:
        transition("observing", "ended", "李梅", outcome="unfulfilled", referral="  ")
    assert caught.value.field == "referral" and "移送" in caught.value.message
    change = transition("observing", "ended", "李梅", outcome="unfulfilled", referral="移送公安")
    assert change.note == "结果：未履行"


@pytest.mark.parametrize("by", ["", "  "])
def test_a_step_needs_a_person(by: str) -> None:
    with pytest.raises(ValidationError) as caught:
        transition("served", "observing", by)
    assert caught.value.field == "status" and "是谁" in caught.value.message


def test_a_step_is_stamped_now() -> None:
    before = clock.now().replace(microsecond=0)
    change = transition("served", "observing", "李梅")
    assert before <= datetime.fromisoformat(change.at) <= clock.now()


def test_service_moves_pending_to_served_once() -> None:
    step = service_step("pending", "left", "李梅", AT)
    assert step == StatusChange("2025-03-06T10:30:15+08:00", "李梅", "pending", "served",
                                "留置送达")
    assert service_step("served", "direct", "李梅", AT) is None
    for status in ("observing", "ended"):
        with pytest.raises(ValidationError) as caught:
            service_step(status, "direct", "李梅", AT)
        assert "不能再登记送达" in caught.value.message


# -- the service (送达回证) ----------------------------------------------------------------------


def test_a_direct_service() -> None:
    service = parse_service(service_raw(), order=order(), now=NOW)
    assert service == ServiceRecord(
        method="direct", served_at=datetime(2025, 3, 4, 10, 30), recipient="王建国",
        servers=("张检察官", "李梅"), document="督促监护令", document_number="平检未督〔2025〕3号",
        recipient_relation="父亲", address="张韩村第三组", place="张韩村村部",
        recipient_signed=True)


def test_service_left_at_the_home_needs_a_refusal_and_a_witness() -> None:
    problems = service_problems_of(service_raw(method="left", recipient_signed=False))
    assert set(problems) == {"refusal_reason", "witnesses"}
    assert "拒收的理由" in problems["refusal_reason"] and "见证人" in problems["witnesses"]
    left = parse_service(service_raw(method="left", recipient_signed=False,
                                     refusal_reason="不愿签字", witnesses="村支书张建国，村医韩秋莲"),
                         order=order(), now=NOW)
    assert left.witnesses == ("村支书张建国", "村医韩秋莲")


def test_service_by_entrusting_needs_the_substitute_and_the_reason() -> None:
    problems = service_problems_of(service_raw(method="entrusted", recipient_signed=False))
    assert set(problems) == {"substitute_name", "substitute_reason"}
    done = parse_service(service_raw(method="entrusted", substitute_name="王奶奶",
                                     substitute_reason="父亲在广东务工"), order=order(), now=NOW)
    assert done.substitute_name == "王奶奶"


def test_direct_service_needs_the_signature() -> None:
    problems = service_problems_of(service_raw(recipient_signed=False))
    assert set(problems) == {"recipient_signed"} and "留置送达" in problems["recipient_signed"]
    announced = parse_service(service_raw(method="announced", recipient_signed="0"),
                              order=order(), now=NOW)
    assert announced.recipient_signed is False


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"served_at": "2025-03-02 09:00"}, "served_at", "不能早于签发日期"),
    ({"served_at": "2025-03-10 15:01"}, "served_at", "还没到"),
    ({"served_at": "2025-03-04"}, "served_at", "2025-03-06 10:30"),
    ({"served_at": "明天上午"}, "served_at", "不是有效的日期时间"),
    ({"served_at": ""}, "served_at", "请填写送达时间"),
    ({"servers": "  "}, "servers", "送达人"),
    ({"recipient": ""}, "recipient", "受送达人"),
    ({"method": "post"}, "method", "送达方式"),
])
def test_each_service_rule(changes, field: str, words: str) -> None:
    problems = service_problems_of(service_raw(**changes))
    assert field in problems and words in problems[field], problems


@pytest.mark.parametrize("status", ["observing", "ended"])
def test_no_service_once_observing_or_ended(status: str) -> None:
    problems = service_problems_of(service_raw(), target=replace(order(), status=status))
    assert "不能再登记送达" in problems["status"]


@pytest.mark.parametrize("typed", ["2025-03-04 10:30", "2025-03-04T10:30", "2025/3/4 10：30",
                                   "２０２５-03-04 10:30:59"])
def test_service_time_formats(typed: str) -> None:
    assert parse_datetime(typed, "送达时间", "served_at", now=NOW) == datetime(2025, 3, 4, 10, 30)


# -- follow-ups ---------------------------------------------------------------------------------


def test_a_follow_up_with_compliance_for_every_duty() -> None:
    followup = parse_followup(followup_raw(), order=served(), served_on=date(2025, 3, 4),
                              today=TODAY)
    assert followup == OrderFollowUp(
        followup_date=date(2025, 3, 9), method="home", visitors=("李梅", "张检察官"),
        compliance=(Compliance("done", "看了通话记录"), Compliance("partial", "班主任说迟到两次")),
        person_met="王建国", schooling="按时上学", behaviour="不再去网吧", health="良好",
        guidance_attended=True, next_steps="继续关注", next_date=date(2025, 4, 9))
    assert compliance_summary(followup.compliance) == "已落实 1 项、部分落实 1 项"


def test_a_follow_up_on_an_order_never_served() -> None:
    problems = followup_problems_of(followup_raw(), target=order(), served_on=None)
    assert set(problems) == {"followup_date"}
    assert problems["followup_date"].startswith("还没有送达，不能登记回访")


def test_a_follow_up_on_an_ended_order() -> None:
    ended = replace(order(), status="ended", outcome="fulfilled")
    problems = followup_problems_of(followup_raw(), target=ended)
    assert "不能再登记回访" in problems["followup_date"]


def test_a_follow_up_dated_before_the_service() -> None:
    problems = followup_problems_of(followup_raw(followup_date="2025-03-03"))
    assert problems == {"followup_date": "回访日期不能早于送达日期（2025-03-04）。"}


def test_a_follow_up_on_the_day_of_service_is_fine() -> None:
    assert parse_followup(followup_raw(followup_date="2025-03-04"), order=served(),
                          served_on=date(2025, 3, 4), today=TODAY).followup_date == date(2025, 3, 4)


def test_compliance_is_required_for_every_duty() -> None:
    problems = followup_problems_of(followup_raw(compliance=[{"level": "done", "evidence": ""}]))
    assert set(problems) == {"compliance.0.evidence", "compliance.1.level",
                             "compliance.1.evidence"}
    problems = followup_problems_of(followup_raw(compliance=[
        {"level": "mostly", "evidence": "甲"}, {"level": "done", "evidence": "乙"},
        {"level": "done", "evidence": "多出来的"}]))
    assert set(problems) == {"compliance.0.level", "compliance"}


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"followup_date": "2025-03-11"}, "followup_date", "还没到"),
    ({"followup_date": ""}, "followup_date", "请填写回访日期"),
    ({"method": "letter"}, "method", "回访方式"),
    ({"visitors": ""}, "visitors", "回访人员"),
    ({"next_date": "2025-03-09"}, "next_date", "本次回访之后"),
])
def test_each_follow_up_rule(changes, field: str, words: str) -> None:
    problems = followup_problems_of(followup_raw(**changes))
    assert field in problems and words in problems[field], problems


def test_check_followup_is_the_stores_last_word() -> None:
    good = parse_followup(followup_raw(), order=served(), served_on=date(2025, 3, 4),
                          today=TODAY)
    check_followup(served(), date(2025, 3, 4), good)
    with pytest.raises(RecordInvalid) as caught:
        check_followup(served(), date(2025, 3, 4), replace(good, compliance=()))
    assert "共 2 项" in caught.value.problems["compliance"]
    with pytest.raises(RecordInvalid) as caught:
        check_followup(order(), None, good)
    assert "还没有送达" in caught.value.problems["followup_date"]


# -- typed forms and the timeline ---------------------------------------------------------------


def test_order_round_trips_through_its_typed_form() -> None:
    history = (transition("pending", "served", "李梅", "直接送达", at=AT),
               transition("served", "observing", "李梅", at=AT))
    first = replace(order(status="observing"), history=history, id="o-1",
                    next_followup_date=date(2025, 4, 9), household_id="h-1")
    assert parse_order(order_to_raw(first), today=TODAY) == first
    typed = replace(order(minor_id_number="", minor_birth_date="2013-01-01",
                          minor_gender="female"))
    assert parse_order(order_to_raw(typed), today=TODAY) == typed


def test_service_and_follow_up_round_trip() -> None:
    service = parse_service(service_raw(method="left", recipient_signed=False,
                                        refusal_reason="拒签", witnesses="𠮷大勇"),
                            order=order(), now=NOW)
    assert parse_service(service_to_raw(service), order=order(), now=NOW) == service
    followup = parse_followup(followup_raw(), order=served(), served_on=date(2025, 3, 4),
                              today=TODAY)
    assert parse_followup(followup_to_raw(followup), order=served(),
                          served_on=date(2025, 3, 4), today=TODAY) == followup


def test_split_names() -> None:
    assert split_names("张三、李四,王五， 赵六；张三") == ("张三", "李四", "王五", "赵六")
    assert split_names(["𠮷大勇", " ", "李梅"]) == ("𠮷大勇", "李梅")
    assert split_names(None) == ()


def test_timeline_puts_everything_in_order() -> None:
    history = (transition("pending", "served", "李梅", "直接送达",
                          at=datetime(2025, 3, 4, 11, 0, tzinfo=CST)),
               transition("served", "observing", "张检察官",
                          at=datetime(2025, 3, 10, 9, 0, tzinfo=CST)))
    target = replace(order(status="observing"), history=history)
    service = parse_service(service_raw(), order=order(), now=NOW)
    followup = parse_followup(followup_raw(), order=served(), served_on=date(2025, 3, 4),
                              today=TODAY)
    entries = timeline(target, [service], [followup])
    assert [e.kind for e in entries] == ["issued", "served", "status", "followup", "status"]
    assert entries[0].detail == "平江县人民检察院 签发 平检未督〔2025〕3号"
    assert entries[1].title == "送达（直接送达）" and "王建国（父亲）" in entries[1].detail
    assert entries[2].title == "待送达 → 已送达" and entries[2].detail == "李梅：直接送达"
    assert entries[3].title == "回访（入户）"
    assert "已落实 1 项、部分落实 1 项；下次回访 2025-04-09" in entries[3].detail
    assert entries[4].title == "已送达 → 考察期" and entries[4].detail == "张检察官"
