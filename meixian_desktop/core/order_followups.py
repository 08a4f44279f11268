"""送达回证 and 回访 of a 督促监护令: reading them as typed, their rules, the order's timeline."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from meixian_desktop.core import clock
from meixian_desktop.core.categories import categories
from meixian_desktop.core.errors import Problems, RecordInvalid, ValidationError
from meixian_desktop.core.fields import day_text as _day_text
from meixian_desktop.core.fields import parse_date
from meixian_desktop.core.fields import text_of as _text
from meixian_desktop.core.lifecycle import StatusChange
from meixian_desktop.core.orders import (
    LIVE_STATUSES,
    STATUSES,
    SupervisionOrder,
    normalise_number,
    transition,
)
from meixian_desktop.core.timeline import TimelineEntry

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

DEFAULT_DOCUMENT = "督促监护令"
SERVICE_OVERDUE_DAYS = 3  # an order still 待送达 this many days after issue is urgent
FIRST_FOLLOWUP_DAYS = 30  # after service, the first follow-up falls due this many days later

_NAME_SEPARATORS = re.compile(r"[、,，;；/\s]+")
_DATETIME = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


# -- records ----------------------------------------------------------------------------------


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


# -- serving ----------------------------------------------------------------------------------


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


def split_names(value: Any) -> tuple[str, ...]:
    """Names typed as 张三、李四 (or with commas or spaces), or given as a list."""
    if isinstance(value, (list, tuple)):
        parts: Iterable[str] = (str(v) for v in value)
    else:
        parts = _NAME_SEPARATORS.split(str(value or ""))
    return tuple(dict.fromkeys(p.strip() for p in parts if p and p.strip()))


def names_text(names: Iterable[str]) -> str:
    return "、".join(names)


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
    moment = now or clock.now()
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
