"""督促监护令 (supervision orders urging guardianship): the order itself, its lifecycle, parsing."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from meixian_desktop.core.categories import categories
from meixian_desktop.core.errors import Problems, ValidationError
from meixian_desktop.core.fields import day_text as _day_text
from meixian_desktop.core.fields import parse_date
from meixian_desktop.core.fields import text_of as _text
from meixian_desktop.core.lifecycle import StatusChange, check_step, stamp
from meixian_desktop.core.validation import age_on, check_id_number, check_phone

FACTS = categories("order_fact", "监护失职情形", [
    ("absent_migrant", "外出务工疏于陪伴"),
    ("indulged_misconduct", "放任不良行为"),
    ("no_safety_education", "未尽安全教育"),
    ("improper_entrusting", "委托照护不当"),
    ("domestic_violence", "家庭暴力"),
    ("other", "其他"),
])

LEGAL_BASIS = categories("order_legal_basis", "法律依据", [
    ("civil_code_34", "民法典第三十四条"),
    ("minor_protection_15_17_118", "未成年人保护法第十五至十七条、第一百一十八条"),
    ("family_education_49", "家庭教育促进法第四十九条"),
    ("delinquency_prevention", "预防未成年人犯罪法"),
])

GENDERS = categories("gender", "性别", [("male", "男"), ("female", "女")])

STATUSES = categories("order_status", "监护令状态", [
    ("pending", "待送达"),
    ("served", "已送达"),
    ("observing", "考察期"),
    ("ended", "结束"),
])

OUTCOMES = categories("order_outcome", "履行结果", [
    ("fulfilled", "已履行"),
    ("unfulfilled", "未履行"),
])

# From each status, the one status it may move to, and the verb on the button. Serving is
# recorded through a 送达回证 (see order_followups.service_step), never by a bare button.
TRANSITIONS: dict[str, dict[str, str]] = {
    "pending": {"served": "登记送达"},
    "served": {"observing": "开始考察期"},
    "observing": {"ended": "结束考察"},
    "ended": {},
}
LIVE_STATUSES = ("served", "observing")  # the statuses in which follow-ups are made

DEFAULT_ISSUER = "平江县人民检察院"
DEFAULT_CONSEQUENCES = (
    "如拒不履行或者怠于履行监护职责，本院将依法督促有关部门对你予以训诫、责令接受家庭教育指导；"
    "情节严重的，依法申请撤销监护人资格；构成犯罪的，依法追究刑事责任。"
)

COMPOUND_SURNAMES = frozenset({
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "长孙",
    "宇文", "司徒", "司空", "夏侯", "轩辕", "端木", "独孤", "南宫", "西门", "百里", "呼延",
    "澹台", "公冶", "太史", "申屠", "闻人", "万俟", "钟离", "宗政", "濮阳", "淳于", "单于",
    "左丘", "东郭", "拓跋", "赫连", "第五", "梁丘", "公羊", "谷梁", "羊舌", "段干", "巫马",
})

_BRACKETED_YEAR = re.compile(r"[\[［(（【〔]\s*(\d{4})\s*[\]］)）】〕]")
_NUMBER = re.compile(r"^\S+〔\d{4}〕\d+号$")


# -- records ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Guardian:
    """A guardian the order is addressed to (监护人)."""

    name: str
    relation: str
    id_number: str = ""
    address: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Duty:
    """A duty the order requires (监护职责): what, how or how often, by when."""

    content: str
    measure: str = ""
    deadline: date | None = None


@dataclass(frozen=True)
class SupervisionOrder:
    """One 督促监护令: who it is addressed to, about which minor, why, what they must do."""

    number: str
    issue_date: date
    village_id: str
    guardians: tuple[Guardian, ...]
    minor_name: str
    minor_pseudonym: str
    facts: tuple[str, ...]
    legal_basis: tuple[str, ...]
    duties: tuple[Duty, ...]
    issuer: str = DEFAULT_ISSUER
    household_id: str | None = None
    minor_id_number: str = ""
    minor_birth_date: date | None = None
    minor_gender: str = ""
    facts_detail: str = ""
    observation_start: date | None = None
    observation_end: date | None = None
    feedback_method: str = ""
    contact: str = ""
    consequences: str = ""
    copies_to: str = ""
    status: str = "pending"
    outcome: str = ""
    referral: str = ""
    history: tuple[StatusChange, ...] = ()
    next_followup_date: date | None = None  # kept by the store from the follow-ups
    id: str | None = None

    @property
    def status_label(self) -> str:
        return STATUSES.label_of(self.status)

    def minor_age_on(self, day: date) -> int | None:
        if self.minor_birth_date is None:
            return None
        return age_on(self.minor_birth_date, day)


# -- the lifecycle ----------------------------------------------------------------------------


def check_transition(current: str, target: str) -> None:
    """Raise ValidationError unless an order may move from ``current`` to ``target``."""
    check_step(STATUSES, TRANSITIONS, "监护令", current, target)


def transition(status: str, target: str, by: str, note: str = "", at: datetime | None = None,
               *, outcome: str = "", referral: str = "") -> StatusChange:
    """Check and stamp a lifecycle step, attributed to ``by``. Ending needs an ``outcome``,
    and 未履行 needs a ``referral`` note saying where the case went."""
    check_transition(status, target)
    change = stamp(status, target, by, note, at)
    note = change.note
    if target == "ended":
        if outcome not in OUTCOMES:
            raise ValidationError("结束前请选择履行结果：已履行或未履行。", field="outcome")
        if outcome == "unfulfilled" and not referral.strip():
            raise ValidationError("未履行的，请写明移送或后续处理情况。", field="referral")
        note = "；".join(p for p in (f"结果：{OUTCOMES.label_of(outcome)}", note) if p)
    return replace(change, note=note)


# -- small readers ----------------------------------------------------------------------------


def pseudonym_of(name: str) -> str:
    """The printed pseudonym: 小 and the surname (王小明 → 小王, 欧阳娜娜 → 小欧阳)."""
    name = name.strip()
    if not name:
        return ""
    surname = name[:2] if len(name) > 2 and name[:2] in COMPOUND_SURNAMES else name[0]
    return "小" + surname


def normalise_number(text: str) -> str:
    """A 文号 as typed, with the year's brackets made 〔〕 (平检未督[2025]3号 → 〔2025〕)."""
    folded = unicodedata.normalize("NFKC", text.strip()).replace(" ", "")
    return _BRACKETED_YEAR.sub(lambda m: f"〔{m[1]}〕", folded)


def _codes(raw: Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys(str(c) for c in raw or () if c))


# -- reading a typed order --------------------------------------------------------------------


def _guardians(raw: Any, problems: Problems) -> tuple[Guardian, ...]:
    found = []
    for number, item in enumerate(raw or ()):
        prefix = f"guardians.{number}."
        name, relation = _text(item, "name"), _text(item, "relation")
        id_text, phone = _text(item, "id_number"), _text(item, "phone")
        address = _text(item, "address")
        if not any((name, relation, id_text, phone, address)):
            continue  # an empty row left in the table
        if not name:
            problems.add(prefix + "name", "请填写监护人姓名。")
        if not relation:
            problems.add(prefix + "relation", "请填写监护人与未成年人的关系，如 父亲、祖母。")
        if id_text:
            checked = problems.check(prefix + "id_number", check_id_number, id_text)
            id_text = checked.number if checked else id_text
        if phone:
            phone = problems.check(prefix + "phone", check_phone, phone) or phone
        found.append(Guardian(name, relation, id_text, address, phone))
    if not found:
        problems.add("guardians", "请至少填写一位监护人。")
    return tuple(found)


def _duties(raw: Any, issue_date: date | None, today: date, problems: Problems
            ) -> tuple[Duty, ...]:
    found = []
    for number, item in enumerate(raw or ()):
        prefix = f"duties.{number}."
        content, measure = _text(item, "content"), _text(item, "measure")
        if not content and not measure and not _text(item, "deadline"):
            continue
        if not content:
            problems.add(prefix + "content", "请写明这项监护职责的内容。")
        deadline = problems.check(prefix + "deadline", parse_date, item.get("deadline"),
                                  "履行期限", prefix + "deadline", today=today,
                                  allow_future=True)
        if isinstance(deadline, date) and issue_date and deadline < issue_date:
            problems.add(prefix + "deadline", f"履行期限不能早于签发日期（{issue_date}）。")
        found.append(Duty(content, measure, deadline if isinstance(deadline, date) else None))
    if not found:
        problems.add("duties", "请至少写一项要求履行的监护职责。")
    return tuple(found)


def _minor(raw: dict[str, Any], issue_date: date | None, today: date, problems: Problems
           ) -> tuple[str, str, str, date | None, str]:
    name = _text(raw, "minor_name")
    if not name:
        problems.add("minor_name", "请填写未成年人的真实姓名（打印给他人看的文书只用化名）。")
    pseudonym = _text(raw, "minor_pseudonym") or pseudonym_of(name)
    if name and (pseudonym == name or (len(name) >= 2 and name in pseudonym)):
        problems.add("minor_pseudonym", "化名不能用真实姓名，请改为如“小王”的称呼。")
    id_text = _text(raw, "minor_id_number")
    birth: date | None = None
    gender = _text(raw, "minor_gender")
    age_field = "minor_birth_date"
    if id_text:
        checked = problems.check("minor_id_number", check_id_number, id_text, today)
        if checked is not None:
            id_text, birth, gender = checked.number, checked.birth_date, checked.gender
            age_field = "minor_id_number"
    else:
        typed = problems.check("minor_birth_date", parse_date, raw.get("minor_birth_date"),
                               "出生日期", "minor_birth_date", today=today)
        birth = typed if isinstance(typed, date) else None
        if birth is None and "minor_birth_date" not in problems.found:
            problems.add("minor_birth_date",
                         "请填写未成年人的身份证号码或出生日期，用来核对是否未满18周岁。")
        if gender:
            problems.check("minor_gender", GENDERS.check, gender)
    if birth is not None and issue_date is not None:
        if issue_date < birth:
            problems.add(age_field, f"出生日期（{birth}）在签发日期之后，请核对。")
        elif age_on(birth, issue_date) >= 18:
            problems.add(age_field, f"签发时已满18周岁（出生于{birth}），不是未成年人，"
                                    "请核对出生日期或签发日期。")
    return name, pseudonym, id_text, birth, gender


def _lifecycle(raw: dict[str, Any], problems: Problems) -> tuple[str, str, str]:
    status = _text(raw, "status") or "pending"
    if status not in STATUSES:
        problems.add("status", f"未知的监护令状态“{status}”。")
    outcome, referral = _text(raw, "outcome"), _text(raw, "referral")
    if status == "ended":
        if outcome not in OUTCOMES:
            problems.add("outcome", "结束的监护令要选择履行结果：已履行或未履行。")
        elif outcome == "unfulfilled" and not referral:
            problems.add("referral", "未履行的，请写明移送或后续处理情况。")
    elif outcome:
        problems.add("outcome", "考察结束时才填写履行结果。")
    return status, outcome, referral


def parse_order(raw: dict[str, Any], *, today: date) -> SupervisionOrder:
    """Check everything typed for an order; raise RecordInvalid listing every problem by
    field (``guardians.1.id_number`` for the second guardian's ID number)."""
    problems = Problems()
    number = normalise_number(_text(raw, "number"))
    if not number:
        problems.add("number", "请填写文号，如 平检未督〔2025〕3号。")
    elif not _NUMBER.match(number):
        problems.add("number", f"文号“{number}”的格式不对，应像 平检未督〔2025〕3号：机关代字、"
                               "〔年份〕、序号和“号”。")
    issuer = _text(raw, "issuer") or DEFAULT_ISSUER
    issue = problems.check("issue_date", parse_date, raw.get("issue_date"), "签发日期",
                           "issue_date", today=today)
    if issue is None and "issue_date" not in problems.found:
        problems.add("issue_date", "请填写签发日期。")
    issue_date = issue if isinstance(issue, date) else None
    village_id = _text(raw, "village_id")
    if not village_id:
        problems.add("village_id", "请选择未成年人所在的村（社区）。")
    guardians = _guardians(raw.get("guardians"), problems)
    name, pseudonym, minor_id, birth, gender = _minor(raw, issue_date, today, problems)
    facts = _codes(raw.get("facts"))
    if not facts:
        problems.add("facts", "请至少选择一项查明的监护失职情形。")
    for code in facts:
        problems.check("facts", FACTS.check, code)
    facts_detail = _text(raw, "facts_detail")
    if "other" in facts and not facts_detail:
        problems.add("facts_detail", "选了“其他”，请写明具体情况。")
    legal_basis = _codes(raw.get("legal_basis"))
    if not legal_basis:
        problems.add("legal_basis", "请至少选择一项法律依据。")
    for code in legal_basis:
        problems.check("legal_basis", LEGAL_BASIS.check, code)
    duties = _duties(raw.get("duties"), issue_date, today, problems)
    start = problems.check("observation_start", parse_date, raw.get("observation_start"),
                           "考察期开始日期", "observation_start", today=today, allow_future=True)
    end = problems.check("observation_end", parse_date, raw.get("observation_end"),
                         "考察期结束日期", "observation_end", today=today, allow_future=True)
    if isinstance(start, date) and issue_date and start < issue_date:
        problems.add("observation_start", f"考察期不能早于签发日期（{issue_date}）开始。")
    if isinstance(start, date) and isinstance(end, date) and end < start:
        problems.add("observation_end", f"考察期结束日期（{end}）早于开始日期（{start}），请核对。")
    status, outcome, referral = _lifecycle(raw, problems)
    if status in ("observing", "ended"):
        for key, value, label in (("observation_start", start, "开始"),
                                  ("observation_end", end, "结束")):
            if value is None and key not in problems.found:
                problems.add(key, f"进入考察期要填写考察期{label}日期。")
    next_followup = problems.check("next_followup_date", parse_date,
                                   raw.get("next_followup_date"), "下次回访日期",
                                   "next_followup_date", today=today, allow_future=True)
    problems.raise_if_any()
    assert issue_date is not None
    return SupervisionOrder(
        number=number, issue_date=issue_date, village_id=village_id, guardians=guardians,
        minor_name=name, minor_pseudonym=pseudonym, facts=facts, legal_basis=legal_basis,
        duties=duties, issuer=issuer, household_id=_text(raw, "household_id") or None,
        minor_id_number=minor_id, minor_birth_date=birth, minor_gender=gender,
        facts_detail=facts_detail,
        observation_start=start if isinstance(start, date) else None,
        observation_end=end if isinstance(end, date) else None,
        feedback_method=_text(raw, "feedback_method"), contact=_text(raw, "contact"),
        consequences=_text(raw, "consequences"), copies_to=_text(raw, "copies_to"),
        status=status, outcome=outcome, referral=referral,
        history=tuple(StatusChange(**h) for h in raw.get("history") or ()),
        next_followup_date=next_followup if isinstance(next_followup, date) else None,
        id=raw.get("id") or None,
    )


# -- typed forms (the inverse of the parsers), for editors and drafts -------------------------


def order_to_raw(order: SupervisionOrder) -> dict[str, Any]:
    return {
        "id": order.id, "number": order.number, "issuer": order.issuer,
        "issue_date": order.issue_date.isoformat(), "village_id": order.village_id,
        "household_id": order.household_id or "",
        "guardians": [vars(g).copy() for g in order.guardians],
        "minor_name": order.minor_name, "minor_pseudonym": order.minor_pseudonym,
        "minor_id_number": order.minor_id_number,
        "minor_birth_date": _day_text(order.minor_birth_date),
        "minor_gender": order.minor_gender, "facts": list(order.facts),
        "facts_detail": order.facts_detail, "legal_basis": list(order.legal_basis),
        "duties": [{"content": d.content, "measure": d.measure,
                    "deadline": _day_text(d.deadline)} for d in order.duties],
        "observation_start": _day_text(order.observation_start),
        "observation_end": _day_text(order.observation_end),
        "feedback_method": order.feedback_method, "contact": order.contact,
        "consequences": order.consequences, "copies_to": order.copies_to,
        "status": order.status, "outcome": order.outcome, "referral": order.referral,
        "history": [vars(change).copy() for change in order.history],
        "next_followup_date": _day_text(order.next_followup_date),
    }
