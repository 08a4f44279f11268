"""Households (户), their members, monitoring (防返贫监测) and family visits (入户走访)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Any

from meixian_desktop.core.categories import categories
from meixian_desktop.core.errors import Problems
from meixian_desktop.core.fields import day_text as _day
from meixian_desktop.core.fields import parse_date, parse_number, parse_time
from meixian_desktop.core.fields import text_of as _text
from meixian_desktop.core.validation import (
    ID_BIRTH_EARLIEST,
    age_on,
    check_id_number,
    check_phone,
)

TAGS = categories("household_tag", "重点人群", [
    ("dibao", "低保"), ("tekun", "特困"), ("monitored", "防返贫监测户"),
    ("left_behind_elderly", "留守老人"), ("empty_nest", "空巢老人"),
    ("child_orphan", "困境儿童（孤儿）"), ("child_unsupported", "困境儿童（事实无人抚养）"),
    ("child_self", "困境儿童（自身困境）"), ("child_family", "困境儿童（家庭困境）"),
    ("child_safety", "困境儿童（安全困境）"), ("child_temporary", "困境儿童（临时困境）"),
    ("left_behind_child", "留守儿童"), ("disabled", "残疾人"),
    ("order_subject", "督促监护令对象"), ("community_correction", "社区矫正对象"),
])
RELATIONS = categories("relation", "与户主关系", [
    ("head", "户主"), ("spouse", "配偶"), ("son", "儿子"), ("daughter", "女儿"),
    ("daughter_in_law", "儿媳"), ("son_in_law", "女婿"), ("grandson", "孙子"),
    ("granddaughter", "孙女"), ("father", "父亲"), ("mother", "母亲"),
    ("sibling", "兄弟姐妹"), ("other", "其他"),
])
HEALTH = categories("health", "健康状况", [
    ("healthy", "健康"), ("chronic", "长期慢性病"), ("serious", "大病"), ("disabled", "残疾"),
])
EDUCATION = categories("education", "文化程度", [
    ("none", "文盲或半文盲"), ("primary", "小学"), ("junior", "初中"), ("senior", "高中/中专"),
    ("college", "大专及以上"), ("preschool", "学龄前"),
])
SCHOOL_STATUS = categories("school_status", "在校情况", [
    ("not_applicable", "不适用"), ("preschool", "学前"), ("primary", "小学在读"),
    ("junior", "初中在读"), ("senior", "高中/中职在读"), ("college", "大学在读"),
    ("dropped_out", "辍学"),
])
WORK_STATUS = categories("work_status", "务工情况", [
    ("farming", "务农"), ("local_work", "本地务工"), ("away_work", "外出务工"),
    ("unemployed", "无业"), ("unable", "无劳动能力"), ("student", "在校生"),
])
ASSISTANCE = categories("assistance_status", "低保/特困", [
    ("dibao", "低保"), ("tekun", "特困供养"),
])
MONITORING_TYPES = categories("monitoring_type", "监测对象类型", [
    ("unstable", "脱贫不稳定户"), ("marginal", "边缘易致贫户"), ("sudden", "突发严重困难户"),
])
RISK_TYPES = categories("risk_type", "风险类型", [
    ("illness", "因病"), ("disability", "因残"), ("schooling", "因学"),
    ("disaster", "因自然灾害"), ("accident", "因意外事故"), ("industry", "因产业项目失败"),
    ("employment", "因务工就业不稳"), ("labour", "缺劳动力"), ("housing", "住房安全"),
    ("water", "饮水安全"), ("other", "其他"),
])
MEASURE_TYPES = categories("measure_type", "帮扶措施", [
    ("industry", "产业帮扶"), ("employment", "就业帮扶"), ("health", "健康帮扶"),
    ("education", "教育帮扶"), ("social", "社会保障兜底"), ("housing", "住房保障"),
    ("water", "饮水保障"), ("finance", "小额信贷"), ("other", "其他"),
])
VISIT_TYPES = categories("visit_type", "走访类型", [
    ("routine", "常规走访"), ("key_group", "重点人群走访"), ("special", "专项走访"),
    ("return", "回访"),
])
NEEDS = categories("need", "需求和问题", [
    ("income", "收入"), ("health", "医疗"), ("housing", "住房"), ("water", "饮水"),
    ("schooling", "上学"), ("employment", "就业"), ("care", "照料"), ("safety", "安全"),
    ("other", "其他"),
])
SATISFACTION = categories("satisfaction", "满意度", [
    ("satisfied", "满意"), ("fair", "基本满意"), ("unsatisfied", "不满意"),
])


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's end (1月31日 + 1 = 2月28/29日)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Member:
    """A member of a household; gender and birth date come from a valid ID number."""

    name: str
    id_number: str = ""
    gender: str = ""
    birth_date: date | None = None
    relation: str = ""
    ethnicity: str = "汉族"
    education: str = ""
    school_status: str = ""
    health: str = ""
    disability_category: str = ""
    disability_grade: str = ""
    work_status: str = ""
    assistance_status: str = ""
    insurance: str = ""
    phone: str = ""
    tags: tuple[str, ...] = ()
    id: str | None = None

    def age_on(self, day: date) -> int | None:
        if self.birth_date is None or day < self.birth_date:
            return None
        return age_on(self.birth_date, day)


@dataclass(frozen=True)
class Measure:
    """An assistance measure for a monitored household, with its period."""

    measure_type: str
    content: str = ""
    start_date: date | None = None
    end_date: date | None = None
    unit: str = ""
    id: str | None = None


@dataclass(frozen=True)
class Household:
    """A household with its members, key-group tags and monitoring details."""

    village_id: str
    head_name: str
    number: str = ""
    group_id: str = ""
    address: str = ""
    phone: str = ""
    cadre: str = ""
    tags: tuple[str, ...] = ()
    monitoring_type: str = ""
    monitoring_included_on: date | None = None
    risk_types: tuple[str, ...] = ()
    income_per_capita: float | None = None
    income_year: int | None = None
    risk_eliminated: bool = False
    risk_eliminated_on: date | None = None
    notes: str = ""
    members: tuple[Member, ...] = ()
    measures: tuple[Measure, ...] = ()
    id: str | None = None

    def is_key_group(self) -> bool:
        """Any 重点人群 tag on the household or one of its members."""
        return bool(self.tags) or any(member.tags for member in self.members)

    def all_tags(self) -> list[str]:
        tags = list(self.tags)
        for member in self.members:
            tags.extend(t for t in member.tags if t not in tags)
        return tags


@dataclass(frozen=True)
class Referral:
    """An item handed to a department after a visit, with its deadline."""

    department: str
    item: str = ""
    deadline: date | None = None


@dataclass(frozen=True)
class Visit:
    """One family visit (走访记录)."""

    household_id: str
    visit_date: date
    visitors: str
    visit_type: str = "routine"
    visit_time: str = ""
    person_met: str = ""
    others_present: str = ""
    income_note: str = ""
    health_note: str = ""
    housing_note: str = ""
    water_note: str = ""
    schooling_note: str = ""
    needs: tuple[str, ...] = ()
    needs_detail: str = ""
    done_on_spot: str = ""
    referrals: tuple[Referral, ...] = ()
    satisfaction: str = ""
    photos: tuple[str, ...] = ()
    next_visit_date: date | None = None
    id: str | None = None


def next_visit_due(key_group: bool, last_visit: date | None, planned: date | None,
                   registered: date, *, months_key_group: int, months_other: int) -> date:
    """When a household is next due a visit: the date the last visit planned, else the
    frequency rule from the last visit, else (never visited) the day it was registered."""
    if planned is not None:
        return planned
    if last_visit is None:
        return registered
    return add_months(last_visit, months_key_group if key_group else months_other)


# -- reading what the user typed ----------------------------------------------------------------


def _codes(raw: dict[str, Any], key: str, allowed: Any, problems: Problems, field_name: str
           ) -> tuple[str, ...]:
    codes = tuple(dict.fromkeys(str(c) for c in raw.get(key) or () if c))
    for code in codes:
        problems.check(field_name, allowed.check, code)
    return codes


def _choice(raw: dict[str, Any], key: str, allowed: Any, problems: Problems, field_name: str
            ) -> str:
    code = _text(raw, key)
    if code:
        problems.check(field_name, allowed.check, code)
    return code


def parse_member(raw: dict[str, Any], *, today: date, problems: Problems,
                 prefix: str = "") -> Member | None:
    """One member as typed; birth date and gender are taken from a valid ID number."""
    before = len(problems.found)
    name = _text(raw, "name")
    if not name:
        problems.add(f"{prefix}name", "请填写成员姓名。")
    id_text = _text(raw, "id_number")
    gender, birth = _text(raw, "gender"), None
    if id_text:
        checked = problems.check(f"{prefix}id_number", check_id_number, id_text, today)
        if checked is not None:
            id_text, gender, birth = checked.number, checked.gender, checked.birth_date
    else:
        birth = problems.check(f"{prefix}birth_date", parse_date, raw.get("birth_date"),
                               "出生日期", f"{prefix}birth_date", today=today,
                               earliest=ID_BIRTH_EARLIEST)
        if raw.get("birth_date") and f"{prefix}birth_date" not in problems.found and birth is None:
            problems.add(f"{prefix}birth_date", "出生日期不对。")
    if gender and gender not in ("male", "female"):
        problems.add(f"{prefix}gender", "性别只能是男或女。")
    phone = _text(raw, "phone")
    if phone:
        phone = problems.check(f"{prefix}phone", check_phone, phone) or phone
    choices = {}
    for key, allowed in (("relation", RELATIONS), ("education", EDUCATION),
                         ("school_status", SCHOOL_STATUS), ("health", HEALTH),
                         ("work_status", WORK_STATUS), ("assistance_status", ASSISTANCE)):
        choices[key] = _choice(raw, key, allowed, problems, f"{prefix}{key}")
    tags = _codes(raw, "tags", TAGS, problems, f"{prefix}tags")
    if len(problems.found) > before:
        return None
    return Member(
        name=name, id_number=id_text, gender=gender, birth_date=birth,
        ethnicity=_text(raw, "ethnicity") or "汉族",
        disability_category=_text(raw, "disability_category"),
        disability_grade=_text(raw, "disability_grade"), insurance=_text(raw, "insurance"),
        phone=phone, tags=tags, id=raw.get("id") or None, **choices,
    )


def parse_measure(raw: dict[str, Any], *, today: date, problems: Problems, prefix: str
                  ) -> Measure | None:
    before = len(problems.found)
    kind = _text(raw, "measure_type")
    problems.check(f"{prefix}measure_type", MEASURE_TYPES.check, kind)
    start = problems.check(f"{prefix}start_date", parse_date, raw.get("start_date"), "开始日期",
                           f"{prefix}start_date", today=today, allow_future=True)
    end = problems.check(f"{prefix}end_date", parse_date, raw.get("end_date"), "结束日期",
                         f"{prefix}end_date", today=today, allow_future=True)
    if isinstance(start, date) and isinstance(end, date) and end < start:
        problems.add(f"{prefix}end_date", "结束日期早于开始日期，请核对。")
    if len(problems.found) > before:
        return None
    return Measure(kind, _text(raw, "content"), start, end, _text(raw, "unit"),
                   raw.get("id") or None)


def parse_household(raw: dict[str, Any], *, today: date) -> Household:
    """Check a household with its members and measures; RecordInvalid lists every problem
    (``members.1.id_number`` for the second member)."""
    problems = Problems()
    village_id = _text(raw, "village_id")
    if not village_id:
        problems.add("village_id", "请选择所在的村（社区）。")
    head = _text(raw, "head_name")
    if not head:
        problems.add("head_name", "请填写户主姓名。")
    phone = _text(raw, "phone")
    if phone:
        phone = problems.check("phone", check_phone, phone) or phone
    tags = _codes(raw, "tags", TAGS, problems, "tags")
    monitoring = _choice(raw, "monitoring_type", MONITORING_TYPES, problems, "monitoring_type")
    if "monitored" in tags and not monitoring:
        problems.add("monitoring_type", "防返贫监测户请选择监测对象类型。")
    included = problems.check("monitoring_included_on", parse_date,
                              raw.get("monitoring_included_on"), "纳入监测日期",
                              "monitoring_included_on", today=today)
    risks = _codes(raw, "risk_types", RISK_TYPES, problems, "risk_types")
    income = problems.check("income_per_capita", parse_number, raw.get("income_per_capita"),
                            "人均纯收入", "income_per_capita")
    if isinstance(income, float) and not 0 <= income <= 10_000_000:
        problems.add("income_per_capita", "人均纯收入要在 0 到 10000000 元之间。")
    year_text = _text(raw, "income_year")
    income_year = None
    if year_text:
        if year_text.isascii() and year_text.isdigit() and 2000 <= int(year_text) <= today.year:
            income_year = int(year_text)
        else:
            problems.add("income_year", f"收入年度要在 2000 到 {today.year} 之间。")
    eliminated = bool(raw.get("risk_eliminated"))
    eliminated_on = problems.check("risk_eliminated_on", parse_date, raw.get("risk_eliminated_on"),
                                   "风险消除日期", "risk_eliminated_on", today=today)
    if eliminated_on and not eliminated:
        problems.add("risk_eliminated_on", "填了风险消除日期，请同时勾选“风险已消除”。")
    if isinstance(included, date) and isinstance(eliminated_on, date) and eliminated_on < included:
        problems.add("risk_eliminated_on", "风险消除日期早于纳入监测日期，请核对。")
    members = []
    seen: dict[str, int] = {}
    for number, item in enumerate(raw.get("members") or ()):
        member = parse_member(item, today=today, problems=problems, prefix=f"members.{number}.")
        if member is None:
            continue
        if member.id_number:
            if member.id_number in seen:
                problems.add(f"members.{number}.id_number",
                             f"身份证号码与第 {seen[member.id_number] + 1} 位成员重复，请核对。")
            seen.setdefault(member.id_number, number)
        members.append(member)
    measures = []
    for number, item in enumerate(raw.get("measures") or ()):
        measure = parse_measure(item, today=today, problems=problems, prefix=f"measures.{number}.")
        if measure is not None:
            measures.append(measure)
    problems.raise_if_any()
    return Household(
        village_id=village_id, head_name=head, number=_text(raw, "number"),
        group_id=_text(raw, "group_id"), address=_text(raw, "address"), phone=phone,
        cadre=_text(raw, "cadre"), tags=tags, monitoring_type=monitoring,
        monitoring_included_on=included if isinstance(included, date) else None,
        risk_types=risks, income_per_capita=income if isinstance(income, float) else None,
        income_year=income_year, risk_eliminated=eliminated,
        risk_eliminated_on=eliminated_on if isinstance(eliminated_on, date) else None,
        notes=_text(raw, "notes"), members=tuple(members), measures=tuple(measures),
        id=raw.get("id") or None,
    )


def parse_visit(raw: dict[str, Any], *, today: date) -> Visit:
    """Check a visit as typed; RecordInvalid lists every problem."""
    problems = Problems()
    household_id = _text(raw, "household_id")
    if not household_id:
        problems.add("household_id", "请先选择走访的户。")
    visit_date = problems.check("visit_date", parse_date, raw.get("visit_date"), "走访日期",
                                "visit_date", today=today)
    if visit_date is None and "visit_date" not in problems.found:
        problems.add("visit_date", "请填写走访日期。")
    visit_time = problems.check("visit_time", parse_time, raw.get("visit_time"), "走访时间",
                                "visit_time")
    visitors = _text(raw, "visitors")
    if not visitors:
        problems.add("visitors", "请填写走访人。")
    visit_type = _text(raw, "visit_type") or "routine"
    problems.check("visit_type", VISIT_TYPES.check, visit_type)
    needs = _codes(raw, "needs", NEEDS, problems, "needs")
    satisfaction = _choice(raw, "satisfaction", SATISFACTION, problems, "satisfaction")
    next_date = problems.check("next_visit_date", parse_date, raw.get("next_visit_date"),
                               "下次走访日期", "next_visit_date", today=today, allow_future=True)
    if isinstance(next_date, date) and isinstance(visit_date, date) and next_date <= visit_date:
        problems.add("next_visit_date", "下次走访日期要晚于这次走访日期。")
    referrals = []
    for number, item in enumerate(raw.get("referrals") or ()):
        department = _text(item, "department")
        if not department:
            problems.add("referrals", f"第 {number + 1} 项交办事项请填写交办部门。")
            continue
        deadline = problems.check("referrals", parse_date, item.get("deadline"), "办理期限",
                                  "referrals", today=today, allow_future=True)
        if isinstance(deadline, date) and isinstance(visit_date, date) and deadline < visit_date:
            problems.add("referrals", f"第 {number + 1} 项交办事项的办理期限早于走访日期。")
        referrals.append(Referral(department, _text(item, "item"),
                                  deadline if isinstance(deadline, date) else None))
    problems.raise_if_any()
    assert isinstance(visit_date, date)
    return Visit(
        household_id=household_id, visit_date=visit_date, visitors=visitors,
        visit_type=visit_type, visit_time=str(visit_time or ""),
        person_met=_text(raw, "person_met"), others_present=_text(raw, "others_present"),
        income_note=_text(raw, "income_note"), health_note=_text(raw, "health_note"),
        housing_note=_text(raw, "housing_note"), water_note=_text(raw, "water_note"),
        schooling_note=_text(raw, "schooling_note"), needs=needs,
        needs_detail=_text(raw, "needs_detail"), done_on_spot=_text(raw, "done_on_spot"),
        referrals=tuple(referrals), satisfaction=satisfaction,
        photos=tuple(raw.get("photos") or ()),
        next_visit_date=next_date if isinstance(next_date, date) else None,
        id=raw.get("id") or None,
    )


def member_to_raw(member: Member) -> dict[str, Any]:
    return {
        "id": member.id, "name": member.name, "id_number": member.id_number,
        "gender": member.gender, "birth_date": _day(member.birth_date),
        "relation": member.relation, "ethnicity": member.ethnicity,
        "education": member.education, "school_status": member.school_status,
        "health": member.health, "disability_category": member.disability_category,
        "disability_grade": member.disability_grade, "work_status": member.work_status,
        "assistance_status": member.assistance_status, "insurance": member.insurance,
        "phone": member.phone, "tags": list(member.tags),
    }


def household_to_raw(household: Household) -> dict[str, Any]:
    """The typed form of a household, for editors and drafts."""
    return {
        "id": household.id, "village_id": household.village_id,
        "group_id": household.group_id, "number": household.number,
        "head_name": household.head_name, "address": household.address,
        "phone": household.phone, "cadre": household.cadre, "tags": list(household.tags),
        "monitoring_type": household.monitoring_type,
        "monitoring_included_on": _day(household.monitoring_included_on),
        "risk_types": list(household.risk_types),
        "income_per_capita": "" if household.income_per_capita is None
        else repr(household.income_per_capita).removesuffix(".0"),
        "income_year": "" if household.income_year is None else str(household.income_year),
        "risk_eliminated": household.risk_eliminated,
        "risk_eliminated_on": _day(household.risk_eliminated_on), "notes": household.notes,
        "members": [member_to_raw(m) for m in household.members],
        "measures": [{"id": m.id, "measure_type": m.measure_type, "content": m.content,
                      "start_date": _day(m.start_date), "end_date": _day(m.end_date),
                      "unit": m.unit} for m in household.measures],
    }


def visit_to_raw(visit: Visit) -> dict[str, Any]:
    """The typed form of a visit, for editors and drafts."""
    return {
        "id": visit.id, "household_id": visit.household_id,
        "visit_date": _day(visit.visit_date), "visit_time": visit.visit_time,
        "visitors": visit.visitors, "visit_type": visit.visit_type,
        "person_met": visit.person_met, "others_present": visit.others_present,
        "income_note": visit.income_note, "health_note": visit.health_note,
        "housing_note": visit.housing_note, "water_note": visit.water_note,
        "schooling_note": visit.schooling_note, "needs": list(visit.needs),
        "needs_detail": visit.needs_detail, "done_on_spot": visit.done_on_spot,
        "referrals": [{"department": r.department, "item": r.item, "deadline": _day(r.deadline)}
                      for r in visit.referrals],
        "satisfaction": visit.satisfaction, "photos": list(visit.photos),
        "next_visit_date": _day(visit.next_visit_date),
    }


def check_member_id(text: str, today: date) -> tuple[str, str]:
    """For the member editor's live hint: (gender label, birth date) or a ValidationError."""
    checked = check_id_number(text, today)
    return ("男" if checked.gender == "male" else "女"), checked.birth_date.isoformat()

