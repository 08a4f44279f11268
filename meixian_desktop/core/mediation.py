"""人民调解 (dispute mediation): the case, its parties, lifecycle, deadline and parsing.

The typed forms (``*_to_raw``) and the timeline are in ``core/mediation_forms.py``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from meixian_desktop.core.categories import categories
from meixian_desktop.core.errors import Problems, RecordInvalid, ValidationError
from meixian_desktop.core.fields import parse_date, parse_time
from meixian_desktop.core.fields import text_of as _text
from meixian_desktop.core.lifecycle import StatusChange, check_step, stamp
from meixian_desktop.core.validation import check_credit_code, check_id_number, check_phone

SOURCES = categories("case_source", "纠纷来源", [
    ("application", "当事人申请"),
    ("screening", "调委会主动排查"),
    ("police", "公安移交"),
    ("court", "法院委托"),
    ("government", "政府部门指定"),
    ("grid", "网格员排查"),
])

CATEGORIES = categories("case_category", "纠纷类别", [
    ("marriage_family", "婚姻家庭"), ("support", "赡养"), ("inheritance", "继承"),
    ("neighbour", "邻里"), ("homestead", "房屋宅基地"), ("forest_land", "山林土地"),
    ("land_contract", "土地承包"), ("contract", "合同"), ("business", "生产经营"),
    ("damages", "损害赔偿"), ("labour", "劳动争议"), ("expropriation", "征地拆迁"),
    ("pollution", "环境污染"), ("traffic", "道路交通"), ("medical", "医疗"),
    ("consumer", "消费"), ("village_affairs", "村务管理"), ("other", "其他"),
])

RISK_TAGS = categories("case_risk", "风险标签", [
    ("criminal", "民转刑风险"),
    ("group", "群体性"),
    ("litigation", "涉法涉诉"),
    ("volatile", "易激化"),
])

PARTY_KINDS = categories("party_kind", "当事人类型", [("person", "自然人"),
                                                     ("organisation", "单位")])
GENDERS = categories("gender", "性别", [("male", "男"), ("female", "女")])
MEDIATOR_ROLES = categories("mediator_role", "调解人员", [
    ("mediator", "人民调解员"),
    ("panel", "群英断是非评理员"),
])
ROUTES = categories("failure_route", "告知途径", [
    ("litigation", "诉讼"), ("arbitration", "仲裁"), ("administrative", "行政处理"),
])
PERFORMANCE = categories("agreement_performance", "协议履行情况", [
    ("performed", "已履行"), ("partly", "部分履行"), ("not_performed", "未履行"),
])
SATISFACTION = categories("satisfaction", "满意度", [
    ("satisfied", "满意"), ("fair", "基本满意"), ("unsatisfied", "不满意"),
])

STATUSES = categories("case_status", "案件状态", [
    ("registered", "登记"), ("accepted", "受理"), ("mediating", "调解中"),
    ("agreed", "达成协议"), ("failed", "调解不成"), ("performing", "履行中"),
    ("visited", "回访"), ("closed", "结案"),
])

# From each status, the statuses a case may move to, and the verb on the button.
TRANSITIONS: dict[str, dict[str, str]] = {
    "registered": {"accepted": "受理"},
    "accepted": {"mediating": "开始调解"},
    "mediating": {"agreed": "达成协议", "failed": "调解不成"},
    "agreed": {"performing": "开始履行"},
    "failed": {"closed": "结案"},
    "performing": {"visited": "已回访"},
    "visited": {"closed": "结案"},
    "closed": {},
}
DEADLINE_STATUSES = ("accepted", "mediating")  # the 30-day clock runs in these
AGREED_STATUSES = ("agreed", "performing", "visited")
MEDIATION_DAYS = 30
WARNING_DAYS = 5
VISIT_DAYS = 30  # without a performance deadline, the return visit falls due this long after


# -- records ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Party:
    """当事人: a person (自然人) or an organisation (单位)."""

    kind: str
    name: str
    gender: str = ""
    ethnicity: str = ""
    age: int | None = None
    birth_date: date | None = None
    id_number: str = ""
    phone: str = ""
    address: str = ""
    occupation: str = ""
    legal_representative: str = ""
    credit_code: str = ""
    id: str | None = None


@dataclass(frozen=True)
class Mediator:
    """A mediator of the committee, or a member of the 群英断是非 panel."""

    name: str
    role: str = "mediator"
    note: str = ""  # e.g. 老党员、退休教师


@dataclass(frozen=True)
class Investigation:
    """调查记录: who was asked what, where and when."""

    investigation_date: date
    investigators: str
    content: str
    place: str = ""
    interviewee: str = ""


@dataclass(frozen=True)
class Meeting:
    """调解记录: one mediation session."""

    meeting_date: date
    place: str
    present: str
    statements: str = ""
    facts_verified: str = ""
    result: str = ""
    time: str = ""


@dataclass(frozen=True)
class Agreement:
    """人民调解协议: numbered terms, and how, where and by when they are carried out."""

    terms: tuple[str, ...]
    signed_on: date
    performance_method: str = ""
    performance_place: str = ""
    performance_deadline: date | None = None
    copies: int = 3


@dataclass(frozen=True)
class Failure:
    """调解不成: why, and the route the parties were pointed to."""

    reason: str
    route: str


@dataclass(frozen=True)
class ReturnVisit:
    """回访记录."""

    visit_date: date
    visitor: str
    performance: str
    satisfaction: str = ""
    new_risks: str = ""
    measures: str = ""


@dataclass(frozen=True)
class MediationCase:
    """纠纷案件: one dispute from registration to closing."""

    registered_on: date
    source: str
    category: str
    village_id: str
    summary: str
    parties: tuple[Party, ...]
    number: str = ""  # given by the store on first save
    number_provisional: bool = False
    risk_tags: tuple[str, ...] = ()
    mediators: tuple[Mediator, ...] = ()
    investigations: tuple[Investigation, ...] = ()
    meetings: tuple[Meeting, ...] = ()
    agreement: Agreement | None = None
    failure: Failure | None = None
    return_visits: tuple[ReturnVisit, ...] = ()
    accepted_on: date | None = None
    status: str = "registered"
    history: tuple[StatusChange, ...] = ()
    id: str | None = None

    @property
    def status_label(self) -> str:
        return STATUSES.label_of(self.status)

    @property
    def has_panel(self) -> bool:
        """Mediated before a 群英断是非 panel."""
        return any(m.role == "panel" for m in self.mediators)

    @property
    def year(self) -> int:
        return self.registered_on.year


# -- the deadline -----------------------------------------------------------------------------


def mediation_deadline(accepted_on: date | None) -> date | None:
    """Mediation normally ends within 30 days of acceptance."""
    return accepted_on + timedelta(days=MEDIATION_DAYS) if accepted_on else None


def deadline_state(case: MediationCase, today: date) -> str:
    """"overdue" past the deadline, "warning" within 5 days of it, else "" (also once the
    mediation has ended or before acceptance)."""
    deadline = mediation_deadline(case.accepted_on)
    if deadline is None or case.status not in DEADLINE_STATUSES:
        return ""
    if today > deadline:
        return "overdue"
    if today >= deadline - timedelta(days=WARNING_DAYS):
        return "warning"
    return ""


def deadline_message(case: MediationCase, today: date) -> str:
    deadline = mediation_deadline(case.accepted_on)
    state = deadline_state(case, today)
    if state == "overdue" and deadline:
        return f"已超过30天调解期限（{deadline}）{(today - deadline).days} 天。"
    if state == "warning" and deadline:
        return f"距30天调解期限（{deadline}）还有 {(deadline - today).days} 天。"
    return ""


def return_visit_due(case: MediationCase) -> date | None:
    """When the first return visit falls due: at the performance deadline, or 30 days after
    signing; None once visited or while there is no agreement in force."""
    if case.status not in ("agreed", "performing") or case.agreement is None:
        return None
    if case.return_visits:
        return None
    agreement = case.agreement
    return agreement.performance_deadline or agreement.signed_on + timedelta(days=VISIT_DAYS)


# -- the lifecycle ----------------------------------------------------------------------------


def check_transition(current: str, target: str) -> None:
    """Raise ValidationError unless a case may move from ``current`` to ``target``."""
    check_step(STATUSES, TRANSITIONS, "案件", current, target)


def step_problems(case: MediationCase, target: str) -> dict[str, str]:
    """What the case must hold before it may move to ``target`` (besides the order)."""
    found: dict[str, str] = {}
    if target in ("agreed", "performing") and (case.agreement is None or not case.agreement.terms):
        found["agreement.terms"] = "达成协议要写明协议条款（至少一条）和签订日期。"
    if target == "failed" and case.failure is None:
        found["failure.reason"] = "调解不成要写明原因，并选择告知当事人的途径（诉讼、仲裁、行政处理）。"
    if target == "visited" and not case.return_visits:
        found["return_visits"] = "请先登记一次回访。"
    if target == "closed" and case.agreement is None and case.failure is None:
        found["outcome"] = "结案前要有调解结果：达成的协议，或调解不成的原因和告知途径。"
    return found


def transition(status: str, target: str, by: str, note: str = "",
               at: datetime | None = None) -> StatusChange:
    """Check and stamp a lifecycle step, attributed to ``by``."""
    check_transition(status, target)
    return stamp(status, target, by, note, at)


def take_step(case: MediationCase, target: str, by: str, note: str = "",
              at: datetime | None = None) -> StatusChange:
    """The whole check of a step on ``case``: its order and what it needs; RecordInvalid."""
    try:
        change = transition(case.status, target, by, note, at)
    except ValidationError as exc:
        raise RecordInvalid({exc.field or "status": exc.message}) from exc
    found = step_problems(case, target)
    if found:
        raise RecordInvalid(found)
    return change


# -- small readers ----------------------------------------------------------------------------


def _int(raw: dict[str, Any], key: str, label: str, low: int, high: int,
         problems: Problems, field: str) -> int | None:
    text = _text(raw, key)
    if not text:
        return None
    try:
        number = int(text)
    except ValueError:
        problems.add(field, f"{label}要填整数。")
        return None
    if not low <= number <= high:
        problems.add(field, f"{label}要在 {low} 到 {high} 之间。")
        return None
    return number


def _date(raw: dict[str, Any], key: str, label: str, field: str, today: date,
          problems: Problems, *, required: bool = False, future: bool = False) -> date | None:
    value = problems.check(field, parse_date, raw.get(key), label, field, today=today,
                           allow_future=future)
    if value is None and required and field not in problems.found:
        problems.add(field, f"请填写{label}。")
    return value if isinstance(value, date) else None


def _codes(raw: Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys(str(c) for c in raw or () if c))


def _rows(raw: Any) -> list[dict[str, Any]]:
    return [dict(item) for item in raw or () if any(str(v or "").strip()
                                                    for k, v in dict(item).items() if k != "id")]


# -- parties ----------------------------------------------------------------------------------


def parse_party(raw: dict[str, Any], *, today: date, problems: Problems,
                prefix: str = "") -> Party:
    """One party as typed: a person's ID number gives gender and birth date; an
    organisation needs its legal representative and a valid 统一社会信用代码 when given."""
    kind = _text(raw, "kind") or "person"
    problems.check(prefix + "kind", PARTY_KINDS.check, kind)
    name = _text(raw, "name")
    if not name:
        problems.add(prefix + "name", "请填写当事人姓名或单位名称。")
    phone = _text(raw, "phone")
    if phone:
        phone = problems.check(prefix + "phone", check_phone, phone) or phone
    address = _text(raw, "address")
    if kind == "organisation":
        code = _text(raw, "credit_code")
        if code:
            code = problems.check(prefix + "credit_code", check_credit_code, code) or code
        representative = _text(raw, "legal_representative")
        if not representative:
            problems.add(prefix + "legal_representative", "请填写单位的法定代表人或负责人。")
        return Party(kind, name, phone=phone, address=address,
                     legal_representative=representative, credit_code=code,
                     id=raw.get("id") or None)
    id_text, gender = _text(raw, "id_number"), _text(raw, "gender")
    birth = _date(raw, "birth_date", "出生日期", prefix + "birth_date", today, problems)
    if id_text:
        checked = problems.check(prefix + "id_number", check_id_number, id_text, today)
        if checked is not None:
            id_text, gender, birth = checked.number, checked.gender, checked.birth_date
    elif gender:
        problems.check(prefix + "gender", GENDERS.check, gender)
    age = _int(raw, "age", "年龄", 0, 130, problems, prefix + "age")
    if birth is not None:
        age = None  # the birth date says it
    return Party(kind, name, gender=gender, ethnicity=_text(raw, "ethnicity"), age=age,
                 birth_date=birth, id_number=id_text, phone=phone, address=address,
                 occupation=_text(raw, "occupation"), id=raw.get("id") or None)


def party_problems(raw: dict[str, Any], today: date) -> dict[str, str]:
    """The problems of one typed party (for its dialog, as the user types)."""
    problems = Problems()
    parse_party(raw, today=today, problems=problems)
    return problems.found


# -- the parts of a case ----------------------------------------------------------------------


def _mediators(raw: Any, problems: Problems) -> tuple[Mediator, ...]:
    found = []
    for number, item in enumerate(_rows(raw)):
        prefix = f"mediators.{number}."
        name, role = _text(item, "name"), _text(item, "role") or "mediator"
        if not name:
            problems.add(prefix + "name", "请填写调解人员姓名。")
        problems.check(prefix + "role", MEDIATOR_ROLES.check, role)
        found.append(Mediator(name, role, _text(item, "note")))
    return tuple(found)


def parse_investigation(item: dict[str, Any], *, today: date, problems: Problems,
                        prefix: str = "", registered_on: date | None = None
                        ) -> Investigation | None:
    day = _date(item, "investigation_date", "调查日期", prefix + "investigation_date", today,
                problems, required=True)
    if day and registered_on and day < registered_on:
        problems.add(prefix + "investigation_date", f"调查日期不能早于登记日期（{registered_on}）。")
    investigators, content = _text(item, "investigators"), _text(item, "content")
    if not investigators:
        problems.add(prefix + "investigators", "请填写调查人。")
    if not content:
        problems.add(prefix + "content", "请写明调查了解到的情况。")
    if day is None:
        return None
    return Investigation(day, investigators, content, _text(item, "place"),
                         _text(item, "interviewee"))


def parse_meeting(item: dict[str, Any], *, today: date, problems: Problems, prefix: str = "",
                  registered_on: date | None = None) -> Meeting | None:
    day = _date(item, "meeting_date", "调解日期", prefix + "meeting_date", today, problems,
                required=True)
    if day and registered_on and day < registered_on:
        problems.add(prefix + "meeting_date", f"调解日期不能早于登记日期（{registered_on}）。")
    moment = problems.check(prefix + "time", parse_time, item.get("time"), "调解时间",
                            prefix + "time") or ""
    place, present = _text(item, "place"), _text(item, "present")
    if not place:
        problems.add(prefix + "place", "请填写调解地点。")
    if not present:
        problems.add(prefix + "present", "请填写参加人员。")
    if day is None:
        return None
    return Meeting(day, place, present, _text(item, "statements"),
                   _text(item, "facts_verified"), _text(item, "result"), moment)


def parse_return_visit(item: dict[str, Any], *, today: date, problems: Problems,
                       prefix: str = "", agreement: Agreement | None = None
                       ) -> ReturnVisit | None:
    day = _date(item, "visit_date", "回访日期", prefix + "visit_date", today, problems,
                required=True)
    if agreement is None:
        problems.add(prefix + "visit_date", "还没有达成调解协议，不能登记回访。")
    elif day and day < agreement.signed_on:
        problems.add(prefix + "visit_date",
                     f"回访日期不能早于协议签订日期（{agreement.signed_on}）。")
    visitor = _text(item, "visitor")
    if not visitor:
        problems.add(prefix + "visitor", "请填写回访人。")
    performance = _text(item, "performance")
    if not performance:
        problems.add(prefix + "performance", "请选择协议履行情况。")
    else:
        problems.check(prefix + "performance", PERFORMANCE.check, performance)
    satisfaction = _text(item, "satisfaction")
    if satisfaction:
        problems.check(prefix + "satisfaction", SATISFACTION.check, satisfaction)
    if day is None:
        return None
    return ReturnVisit(day, visitor, performance, satisfaction, _text(item, "new_risks"),
                       _text(item, "measures"))


def split_terms(text: Any) -> tuple[str, ...]:
    """Terms typed one a line (a leading 1. 一、 (1) is dropped: numbers are given in print)."""
    if isinstance(text, (list, tuple)):
        lines = [str(t) for t in text]
    else:
        lines = str(text or "").splitlines()
    result = []
    for line in lines:
        cleaned = line.strip().lstrip("0123456789一二三四五六七八九十.、)）(（ ").strip()
        if cleaned:
            result.append(cleaned)
    return tuple(result)


def _outcome(raw: dict[str, Any], registered_on: date | None, today: date,
             problems: Problems) -> tuple[Agreement | None, Failure | None]:
    outcome = _text(raw, "outcome")
    if outcome == "agreement":
        item = dict(raw.get("agreement") or {})
        terms = split_terms(item.get("terms"))
        if not terms:
            problems.add("agreement.terms", "协议至少要有一条条款，每行写一条。")
        signed = _date(item, "signed_on", "协议签订日期", "agreement.signed_on", today, problems,
                       required=True)
        if signed and registered_on and signed < registered_on:
            problems.add("agreement.signed_on", f"协议签订日期不能早于登记日期（{registered_on}）。")
        deadline = _date(item, "performance_deadline", "履行期限",
                         "agreement.performance_deadline", today, problems, future=True)
        if deadline and signed and deadline < signed:
            problems.add("agreement.performance_deadline", "履行期限不能早于协议签订日期。")
        copies = _int(item, "copies", "协议份数", 1, 20, problems, "agreement.copies")
        if signed is None:
            return None, None
        return Agreement(terms, signed, _text(item, "performance_method"),
                         _text(item, "performance_place"), deadline,
                         copies if copies is not None else 3), None
    if outcome == "failure":
        item = dict(raw.get("failure") or {})
        reason, route = _text(item, "reason"), _text(item, "route")
        if not reason:
            problems.add("failure.reason", "请写明调解不成的原因。")
        if not route:
            problems.add("failure.route", "请选择告知当事人的途径：诉讼、仲裁或行政处理。")
        else:
            problems.check("failure.route", ROUTES.check, route)
        return None, Failure(reason, route)
    if outcome:
        problems.add("outcome", f"未知的调解结果“{outcome}”。")
    return None, None


def _lifecycle(raw: dict[str, Any], case_parts: dict[str, Any], problems: Problems) -> str:
    status = _text(raw, "status") or "registered"
    if status not in STATUSES:
        problems.add("status", f"未知的案件状态“{status}”。")
        return status
    agreement, failure = case_parts["agreement"], case_parts["failure"]
    history = [StatusChange(**h) for h in raw.get("history") or ()]
    reached = {h.to_status for h in history} | {status}
    if status != "registered" and case_parts["accepted_on"] is None:
        problems.add("accepted_on", "受理后的案件要有受理日期。")
    if reached & set(AGREED_STATUSES) and agreement is None:
        if not any(k.startswith("agreement.") for k in problems.found):
            problems.add("agreement.terms", "案件已达成协议，请填写协议条款和签订日期。")
    if "failed" in reached and failure is None and "failure.reason" not in problems.found:
        problems.add("failure.reason", "案件调解不成，请写明原因和告知途径。")
    if status == "closed" and agreement is None and failure is None:
        problems.add("outcome", "结案前要有调解结果：达成的协议，或调解不成的原因和告知途径。")
    if status in ("visited", "closed") and "agreed" in reached and not case_parts["visits"]:
        problems.add("return_visits", "达成协议的案件要先回访，才能标记回访或结案。")
    return status


def parse_case(raw: dict[str, Any], *, today: date) -> MediationCase:
    """Check everything typed for a case; raise RecordInvalid listing every problem by field
    (``parties.1.id_number`` for the second party's ID number)."""
    problems = Problems()
    registered = _date(raw, "registered_on", "登记日期", "registered_on", today, problems,
                       required=True)
    source, category = _text(raw, "source"), _text(raw, "category")
    if not source:
        problems.add("source", "请选择纠纷来源。")
    else:
        problems.check("source", SOURCES.check, source)
    if not category:
        problems.add("category", "请选择纠纷类别。")
    else:
        problems.check("category", CATEGORIES.check, category)
    risk_tags = _codes(raw.get("risk_tags"))
    for code in risk_tags:
        problems.check("risk_tags", RISK_TAGS.check, code)
    village_id = _text(raw, "village_id")
    if not village_id:
        problems.add("village_id", "请选择纠纷发生的村（社区）。")
    summary = _text(raw, "summary")
    if not summary:
        problems.add("summary", "请简要写明纠纷事实。")
    parties = tuple(parse_party(item, today=today, problems=problems, prefix=f"parties.{n}.")
                    for n, item in enumerate(_rows(raw.get("parties"))))
    if len(parties) < 2:
        problems.add("parties", "纠纷至少要有两方当事人，请添加当事人。")
    mediators = _mediators(raw.get("mediators"), problems)
    investigations = tuple(
        i for n, item in enumerate(_rows(raw.get("investigations")))
        if (i := parse_investigation(item, today=today, problems=problems,
                                     prefix=f"investigations.{n}.", registered_on=registered)))
    meetings = tuple(
        m for n, item in enumerate(_rows(raw.get("meetings")))
        if (m := parse_meeting(item, today=today, problems=problems, prefix=f"meetings.{n}.",
                               registered_on=registered)))
    accepted = _date(raw, "accepted_on", "受理日期", "accepted_on", today, problems)
    if accepted and registered and accepted < registered:
        problems.add("accepted_on", f"受理日期不能早于登记日期（{registered}）。")
    agreement, failure = _outcome(raw, registered, today, problems)
    visits = tuple(
        v for n, item in enumerate(_rows(raw.get("return_visits")))
        if (v := parse_return_visit(item, today=today, problems=problems,
                                    prefix=f"return_visits.{n}.", agreement=agreement)))
    status = _lifecycle(raw, {"agreement": agreement, "failure": failure,
                              "accepted_on": accepted, "visits": visits}, problems)
    problems.raise_if_any()
    assert registered is not None
    return MediationCase(
        registered_on=registered, source=source, category=category, village_id=village_id,
        summary=summary, parties=parties, number=_text(raw, "number"),
        number_provisional=bool(raw.get("number_provisional")), risk_tags=risk_tags,
        mediators=mediators, investigations=investigations, meetings=meetings,
        agreement=agreement, failure=failure, return_visits=visits, accepted_on=accepted,
        status=status, history=tuple(StatusChange(**h) for h in raw.get("history") or ()),
        id=raw.get("id") or None,
    )
