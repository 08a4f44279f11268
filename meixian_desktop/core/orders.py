"""督促监护令 (supervision orders urging guardianship): the order, its service, its follow-ups."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from meixian_desktop.core.categories import categories
from meixian_desktop.core.errors import Problems, RecordInvalid, ValidationError
from meixian_desktop.core.patrols import StatusChange, parse_date
from meixian_desktop.core.validation import check_id_number, check_phone

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

SERVICE_METHODS = categories("service_method", "送达方式", [
    ("direct", "直接送达"),
    ("announced", "现场宣告"),
    ("left", "留置送达"),
    ("entrusted", "委托送达"),
])

FOLLOWUP_METHODS = categories("followup_method", "回访方式", [
    ("home", "入户"),
    ("phone", "电话"),
    ("video", "视频"),
    ("school", "学校了解"),
])

COMPLIANCE = categories("compliance", "落实情况", [
    ("done", "已落实"),
    ("partial", "部分落实"),
    ("not_done", "未落实"),
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
# recorded through a 送达回证 (see service_step), never by a bare button.
TRANSITIONS: dict[str, dict[str, str]] = {
    "pending": {"served": "登记送达"},
    "served": {"observing": "开始考察期"},
    "observing": {"ended": "结束考察"},
    "ended": {},
}
LIVE_STATUSES = ("served", "observing")  # the statuses in which follow-ups are made

DEFAULT_ISSUER = "平江县人民检察院"
DEFAULT_DOCUMENT = "督促监护令"
DEFAULT_CONSEQUENCES = (
    "如拒不履行或者怠于履行监护职责，本院将依法督促有关部门对你予以训诫、责令接受家庭教育指导；"
    "情节严重的，依法申请撤销监护人资格；构成犯罪的，依法追究刑事责任。"
)
SERVICE_OVERDUE_DAYS = 3  # an order still 待送达 this many days after issue is urgent
FIRST_FOLLOWUP_DAYS = 30  # after service, the first follow-up falls due this many days later

COMPOUND_SURNAMES = frozenset({
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "长孙",
    "宇文", "司徒", "司空", "夏侯", "轩辕", "端木", "独孤", "南宫", "西门", "百里", "呼延",
    "澹台", "公冶", "太史", "申屠", "闻人", "万俟", "钟离", "宗政", "濮阳", "淳于", "单于",
    "左丘", "东郭", "拓跋", "赫连", "第五", "梁丘", "公羊", "谷梁", "羊舌", "段干", "巫马",
})

_NAME_SEPARATORS = re.compile(r"[、,，;；/\s]+")
_BRACKETED_YEAR = re.compile(r"[\[［(（【〔]\s*(\d{4})\s*[\]］)）】〕]")
_NUMBER = re.compile(r"^\S+〔\d{4}〕\d+号$")
_DATETIME = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


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
        return _age(self.minor_birth_date, day)


@dataclass(frozen=True)
class ServiceRecord:
    """送达回证: how, when and to whom the order was delivered, and by whom."""

    method: str
    served_at: datetime
    recipient: str
    servers: tuple[str, ...]
    document: str = DEFAULT_DOCUMENT
    document_number: str = ""
    recipient_relation: str = ""
    address: str = ""
    place: str = ""
    recipient_signed: bool = False
    substitute_name: str = ""
    substitute_reason: str = ""
    refusal_reason: str = ""
    witnesses: tuple[str, ...] = ()
    id: str | None = None


@dataclass(frozen=True)
class Compliance:
    """How far one duty has been carried out, and what shows it."""

    level: str
    evidence: str


@dataclass(frozen=True)
class OrderFollowUp:
    """回访/跟踪: one visit or call during the order's life, with per-duty compliance."""

    followup_date: date
    method: str
    visitors: tuple[str, ...]
    compliance: tuple[Compliance, ...]
    person_met: str = ""
    schooling: str = ""
    behaviour: str = ""
    health: str = ""
    guidance_attended: bool = False
    problems: str = ""
    next_steps: str = ""
    next_date: date | None = None
    id: str | None = None


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened to an order; ``at`` is an ISO date or date-time."""

    at: str
    kind: str  # issued | served | status | followup
    title: str
    detail: str = ""


# -- the lifecycle ----------------------------------------------------------------------------


def check_transition(current: str, target: str) -> None:
    """Raise ValidationError unless an order may move from ``current`` to ``target``."""
    if target not in TRANSITIONS.get(current, {}):
        allowed = "、".join(STATUSES.label_of(s) for s in TRANSITIONS.get(current, {})) or "无"
        raise ValidationError(
            f"监护令现在是“{STATUSES.label_of(current)}”，不能直接改为“{STATUSES.label_of(target)}”。"
            f"下一步只能是：{allowed}。",
            field="status",
        )


def transition(status: str, target: str, by: str, note: str = "", at: datetime | None = None,
               *, outcome: str = "", referral: str = "") -> StatusChange:
    """Check and stamp a lifecycle step, attributed to ``by``. Ending needs an ``outcome``,
    and 未履行 needs a ``referral`` note saying where the case went."""
    check_transition(status, target)
    if not by.strip():
        raise ValidationError("请写明是谁做的这一步。", field="status")
    note = note.strip()
    if target == "ended":
        if outcome not in OUTCOMES:
            raise ValidationError("结束前请选择履行结果：已履行或未履行。", field="outcome")
        if outcome == "unfulfilled" and not referral.strip():
            raise ValidationError("未履行的，请写明移送或后续处理情况。", field="referral")
        note = "；".join(p for p in (f"结果：{OUTCOMES.label_of(outcome)}", note) if p)
    moment = (at or datetime.now().astimezone()).isoformat(timespec="seconds")
    return StatusChange(moment, by.strip(), status, target, note)


def service_step(status: str, method: str, by: str, at: datetime | None = None
                 ) -> StatusChange | None:
    """The step a recorded service makes: pending → served, or none when already served."""
    if status == "served":
        return None
    if status != "pending":
        raise ValidationError(_service_refusal(status), field="status")
    return transition(status, "served", by, f"{SERVICE_METHODS.label_of(method)}", at)


def _service_refusal(status: str) -> str:
    return f"监护令已经是“{STATUSES.label_of(status)}”，不能再登记送达。"


# -- small readers ----------------------------------------------------------------------------


def _text(raw: dict[str, Any], key: str) -> str:
    value = raw.get(key)
    return "" if value is None else str(value).strip()


def _age(birth: date, day: date) -> int:
    years = day.year - birth.year
    if (day.month, day.day) < (birth.month, birth.day):
        years -= 1
    return years


def split_names(value: Any) -> tuple[str, ...]:
    """Names typed as 张三、李四 (or with commas or spaces), or given as a list."""
    if isinstance(value, (list, tuple)):
        parts: Iterable[str] = (str(v) for v in value)
    else:
        parts = _NAME_SEPARATORS.split(str(value or ""))
    return tuple(dict.fromkeys(p.strip() for p in parts if p and p.strip()))


def names_text(names: Iterable[str]) -> str:
    return "、".join(names)


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


def parse_datetime(value: Any, label: str, field_name: str, *, now: datetime
                   ) -> datetime | None:
    """"2025-03-06 10:30" (or with a T, or full-width) as a naive local time; not in the future."""
    if isinstance(value, datetime):
        moment = value.replace(tzinfo=None, second=0, microsecond=0)
    else:
        cleaned = unicodedata.normalize("NFKC", str(value or "")).strip().replace("：", ":")
        if not cleaned:
            return None
        match = _DATETIME.match(cleaned.replace("/", "-").replace(".", "-"))
        try:
            if not match or match[4] is None:
                raise ValueError(cleaned)
            moment = datetime(int(match[1]), int(match[2]), int(match[3]), int(match[4]),
                              int(match[5]))
        except ValueError:
            raise ValidationError(
                f"{label}“{cleaned}”不是有效的日期时间，请按 2025-03-06 10:30 的格式填写。",
                field_name) from None
    if moment > now.replace(tzinfo=None):
        raise ValidationError(f"{label}（{moment:%Y-%m-%d %H:%M}）还没到，不能填将来的时间。",
                              field_name)
    if moment.year < 2000:
        raise ValidationError(f"{label}太早了（{moment:%Y-%m-%d}），请核对年份。", field_name)
    return moment


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "是")
    return bool(value)


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
        elif _age(birth, issue_date) >= 18:
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


# -- reading a typed service ------------------------------------------------------------------


def service_problems(order: SupervisionOrder, service: ServiceRecord) -> dict[str, str]:
    """The rules that tie a service to its order: its status and its issue date."""
    found: dict[str, str] = {}
    if order.status not in ("pending", "served"):
        found["status"] = _service_refusal(order.status)
    if service.served_at.date() < order.issue_date:
        found["served_at"] = f"送达时间不能早于签发日期（{order.issue_date}）。"
    return found


def parse_service(raw: dict[str, Any], *, order: SupervisionOrder,
                  now: datetime | None = None) -> ServiceRecord:
    """Check a typed 送达回证 for ``order``; raise RecordInvalid with every problem by field."""
    problems = Problems()
    moment = now or datetime.now()
    method = _text(raw, "method")
    problems.check("method", SERVICE_METHODS.check, method)
    served_at = problems.check("served_at", parse_datetime, raw.get("served_at"), "送达时间",
                               "served_at", now=moment)
    if served_at is None and "served_at" not in problems.found:
        problems.add("served_at", "请填写送达时间。")
    recipient = _text(raw, "recipient")
    if not recipient:
        problems.add("recipient", "请填写受送达人。")
    signed = _flag(raw.get("recipient_signed"))
    substitute, substitute_reason = _text(raw, "substitute_name"), _text(raw, "substitute_reason")
    refusal, witnesses = _text(raw, "refusal_reason"), split_names(raw.get("witnesses"))
    servers = split_names(raw.get("servers"))
    if not servers:
        problems.add("servers", "请填写送达人（检察官和参与送达的干部）。")
    if method == "direct" and not signed:
        problems.add("recipient_signed", "直接送达要由受送达人签名或捺印；拒绝签收的请选“留置送达”。")
    if method == "left":
        if not refusal:
            problems.add("refusal_reason", "留置送达要写明受送达人拒收的理由。")
        if not witnesses:
            problems.add("witnesses", "留置送达要有至少一名见证人。")
    if method == "entrusted":
        if not substitute:
            problems.add("substitute_name", "委托送达请填写代收人。")
        if not substitute_reason:
            problems.add("substitute_reason", "委托送达请写明由他人代收的原因。")
    if isinstance(served_at, datetime):
        probe = ServiceRecord(method, served_at, recipient, servers)
        for key, message in service_problems(order, probe).items():
            problems.add(key, message)
    problems.raise_if_any()
    assert isinstance(served_at, datetime)
    return ServiceRecord(
        method=method, served_at=served_at, recipient=recipient, servers=servers,
        document=_text(raw, "document") or DEFAULT_DOCUMENT,
        document_number=normalise_number(_text(raw, "document_number")) or order.number,
        recipient_relation=_text(raw, "recipient_relation"), address=_text(raw, "address"),
        place=_text(raw, "place"), recipient_signed=signed, substitute_name=substitute,
        substitute_reason=substitute_reason, refusal_reason=refusal, witnesses=witnesses,
        id=raw.get("id") or None,
    )


# -- reading a typed follow-up ----------------------------------------------------------------


def followup_problems(order: SupervisionOrder, served_on: date | None,
                      followup_date: date | None) -> dict[str, str]:
    """The rules that tie a follow-up to its order: served, live, not before the service."""
    if order.status == "pending" or served_on is None:
        return {"followup_date": "还没有送达，不能登记回访。请先登记送达回证。"}
    if order.status not in LIVE_STATUSES:
        return {"followup_date": f"监护令已经是“{order.status_label}”，不能再登记回访。"}
    if followup_date is not None and followup_date < served_on:
        return {"followup_date": f"回访日期不能早于送达日期（{served_on}）。"}
    return {}


def parse_followup(raw: dict[str, Any], *, order: SupervisionOrder, served_on: date | None,
                   today: date) -> OrderFollowUp:
    """Check a typed follow-up of ``order`` (served on ``served_on``): one compliance entry
    per duty, each with a level and its evidence."""
    problems = Problems()
    day = problems.check("followup_date", parse_date, raw.get("followup_date"), "回访日期",
                         "followup_date", today=today)
    if day is None and "followup_date" not in problems.found:
        problems.add("followup_date", "请填写回访日期。")
    followup_date = day if isinstance(day, date) else None
    for key, message in followup_problems(order, served_on, followup_date).items():
        problems.add(key, message)
    method = _text(raw, "method")
    problems.check("method", FOLLOWUP_METHODS.check, method)
    visitors = split_names(raw.get("visitors"))
    if not visitors:
        problems.add("visitors", "请填写回访人员。")
    entries = list(raw.get("compliance") or ())
    compliance = []
    for number in range(len(order.duties)):
        item = entries[number] if number < len(entries) else {}
        prefix = f"compliance.{number}."
        level, evidence = _text(item, "level"), _text(item, "evidence")
        if not level:
            problems.add(prefix + "level", "请选择这项职责的落实情况。")
        else:
            problems.check(prefix + "level", COMPLIANCE.check, level)
        if not evidence:
            problems.add(prefix + "evidence", "请写明依据，如看到了什么、谁说的。")
        compliance.append(Compliance(level, evidence))
    if len(entries) > len(order.duties):
        problems.add("compliance", f"落实情况有 {len(entries)} 项，监护令只有 "
                                   f"{len(order.duties)} 项职责，请关闭后重新登记。")
    next_day = problems.check("next_date", parse_date, raw.get("next_date"), "下次回访日期",
                              "next_date", today=today, allow_future=True)
    if isinstance(next_day, date) and followup_date and next_day <= followup_date:
        problems.add("next_date", "下次回访日期要在本次回访之后。")
    problems.raise_if_any()
    assert followup_date is not None
    return OrderFollowUp(
        followup_date=followup_date, method=method, visitors=visitors,
        compliance=tuple(compliance), person_met=_text(raw, "person_met"),
        schooling=_text(raw, "schooling"), behaviour=_text(raw, "behaviour"),
        health=_text(raw, "health"), guidance_attended=_flag(raw.get("guidance_attended")),
        problems=_text(raw, "problems"), next_steps=_text(raw, "next_steps"),
        next_date=next_day if isinstance(next_day, date) else None, id=raw.get("id") or None,
    )


def check_followup(order: SupervisionOrder, served_on: date | None,
                   followup: OrderFollowUp) -> None:
    """The store's last word before a follow-up is written; RecordInvalid if it may not be."""
    found = followup_problems(order, served_on, followup.followup_date)
    if len(followup.compliance) != len(order.duties):
        found.setdefault("compliance", f"回访要对每一项监护职责填写落实情况（共 "
                                       f"{len(order.duties)} 项）。")
    if found:
        raise RecordInvalid(found)


# -- typed forms (the inverse of the parsers), for editors and drafts -------------------------


def _day_text(value: date | None) -> str:
    return value.isoformat() if value else ""


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


def service_to_raw(service: ServiceRecord) -> dict[str, Any]:
    return {
        "id": service.id, "document": service.document,
        "document_number": service.document_number, "recipient": service.recipient,
        "recipient_relation": service.recipient_relation, "address": service.address,
        "method": service.method, "served_at": f"{service.served_at:%Y-%m-%d %H:%M}",
        "place": service.place, "recipient_signed": service.recipient_signed,
        "substitute_name": service.substitute_name,
        "substitute_reason": service.substitute_reason,
        "refusal_reason": service.refusal_reason, "witnesses": names_text(service.witnesses),
        "servers": names_text(service.servers),
    }


def followup_to_raw(followup: OrderFollowUp) -> dict[str, Any]:
    return {
        "id": followup.id, "followup_date": followup.followup_date.isoformat(),
        "method": followup.method, "visitors": names_text(followup.visitors),
        "person_met": followup.person_met, "schooling": followup.schooling,
        "behaviour": followup.behaviour, "health": followup.health,
        "compliance": [{"level": c.level, "evidence": c.evidence} for c in followup.compliance],
        "guidance_attended": followup.guidance_attended, "problems": followup.problems,
        "next_steps": followup.next_steps, "next_date": _day_text(followup.next_date),
    }


# -- what happened, in order ------------------------------------------------------------------


def first_followup_due(served: datetime) -> date:
    return served.date() + timedelta(days=FIRST_FOLLOWUP_DAYS)


def compliance_summary(compliance: Iterable[Compliance]) -> str:
    """已落实 2 项、部分落实 1 项."""
    counts: dict[str, int] = {}
    for item in compliance:
        counts[item.level] = counts.get(item.level, 0) + 1
    return "、".join(f"{c.label} {counts[c.code]} 项" for c in COMPLIANCE if c.code in counts)


def timeline(order: SupervisionOrder, services: Iterable[ServiceRecord] = (),
             followups: Iterable[OrderFollowUp] = ()) -> list[TimelineEntry]:
    """Everything that happened to the order, earliest first: issued, served, each status
    step and each follow-up."""
    entries = [TimelineEntry(order.issue_date.isoformat(), "issued", "签发",
                             f"{order.issuer} 签发 {order.number}")]
    for service in services:
        who = service.recipient + (f"（{service.recipient_relation}）"
                                   if service.recipient_relation else "")
        entries.append(TimelineEntry(
            service.served_at.isoformat(timespec="minutes"), "served",
            f"送达（{SERVICE_METHODS.label_of(service.method)}）",
            f"受送达人：{who}；送达人：{names_text(service.servers)}"))
    for change in order.history:
        entries.append(TimelineEntry(
            change.at, "status",
            f"{STATUSES.label_of(change.from_status)} → {STATUSES.label_of(change.to_status)}",
            change.by + (f"：{change.note}" if change.note else "")))
    for followup in followups:
        detail = compliance_summary(followup.compliance)
        if followup.next_date:
            detail += f"；下次回访 {followup.next_date}"
        entries.append(TimelineEntry(
            followup.followup_date.isoformat(), "followup",
            f"回访（{FOLLOWUP_METHODS.label_of(followup.method)}）",
            f"{names_text(followup.visitors)}：{detail}"))
    return sorted(entries, key=lambda e: e.at[:16])
