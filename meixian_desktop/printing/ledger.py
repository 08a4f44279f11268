"""工作台账: a worker's month (or, in the town role, the whole town's month by village) of
patrols, findings, mediation cases, family visits and 督促监护令 services and follow-ups."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import BinaryIO

from meixian_desktop.core import clock
from meixian_desktop.core.households import NEEDS, SATISFACTION, VISIT_TYPES
from meixian_desktop.core.mediation import CATEGORIES as CASE_CATEGORIES
from meixian_desktop.core.mediation import STATUSES as CASE_STATUSES
from meixian_desktop.core.order_followups import FOLLOWUP_METHODS, SERVICE_METHODS
from meixian_desktop.core.orders import STATUSES as ORDER_STATUSES
from meixian_desktop.core.patrols import KINDS
from meixian_desktop.core.patrols import STATUSES as FINDING_STATUSES
from meixian_desktop.core.profile import Profile
from meixian_desktop.printing.contexts.common import Context, Privacy
from meixian_desktop.printing.fonts import FontSet
from meixian_desktop.printing.forms import PrintError, fonts_for
from meixian_desktop.printing.render import Rendered, render
from meixian_desktop.printing.templates import Template, load
from meixian_desktop.printing.text import chinese_date
from meixian_desktop.store import audit
from meixian_desktop.store import profile as profile_store
from meixian_desktop.store.database import Store
from meixian_desktop.store.patrols import finding_categories
from meixian_desktop.store.villages import list_villages

__all__ = ["COUNTS", "LEDGER", "MonthLike", "ledger_context", "load_ledger", "parse_month",
           "print_ledger"]

LEDGER = "ledger"
MonthLike = date | tuple[int, int]

# What the ledger counts: key, label in the totals, unit.
COUNTS: tuple[tuple[str, str, str], ...] = (
    ("patrols", "巡查", "次"),
    ("findings", "发现问题", "处"),
    ("findings_closed", "其中已销号", "处"),
    ("cases_registered", "调解案件登记", "件"),
    ("cases_closed", "调解案件结案", "件"),
    ("visits", "入户走访", "户次"),
    ("services", "督促监护令送达", "次"),
    ("followups", "督促监护令回访", "次"),
)
SECTIONS = ("patrols", "findings", "cases", "visits", "orders")
UNITS_NOTE = "巡查、送达、回访单位为次，问题为处，调解案件为件，走访为户次。"
SHARED_NOTE = "跨村巡查及其发现的问题计入所涉各村，各村之和可能大于合计。"
SHORT = 40
_MONTH = re.compile(r"^\s*(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*月?\s*$")


@dataclass(frozen=True)
class Entry:
    """One line of the ledger: when, in which villages, by whom, what, how it stands, the
    COUNTS keys it adds to, and a group for the totals' notes (patrol kind, household)."""

    day: date
    village_ids: tuple[str, ...]
    worker: str
    text: str
    status: str
    counts: tuple[str, ...]
    group: str = ""


@dataclass(frozen=True)
class LedgerMonth:
    """The month's entries per section, as gathered for one profile."""

    first: date
    profile: Profile
    villages: tuple[tuple[str, str], ...]  # (id, name) of the villages shown, in order
    sections: Mapping[str, list[Entry]]


# -- the month --------------------------------------------------------------------------------


def parse_month(text: str) -> date:
    """``2025-03`` (also 2025-3, 2025/03, 2025年3月) as the month's first day; PrintError with
    a Chinese message for anything else."""
    found = _MONTH.match(text or "")
    if not found:
        raise PrintError(f"月份“{text}”看不懂，请写成“年-月”的样子，例如 2025-03。")
    year, month = int(found[1]), int(found[2])
    if not 1 <= month <= 12:
        raise PrintError(f"月份“{text}”不对：月份应在 1 到 12 之间，例如 2025-03。")
    if not 2000 <= year <= 2100:
        raise PrintError(f"月份“{text}”的年份不对：应在 2000 年到 2100 年之间。")
    return date(year, month, 1)


def month_start(month: MonthLike) -> date:
    if isinstance(month, date):
        return month.replace(day=1)
    return date(month[0], month[1], 1)


def _next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def _short(text: str, limit: int = SHORT) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _names(raw: str | None) -> str:
    return "、".join(json.loads(raw or "[]"))


# -- reading the store: live rows of the month ------------------------------------------------


def _patrols(store: Store, first: str, after: str) -> list[Entry]:
    rows = store.conn.execute(
        "SELECT p.kind, p.patrol_date, p.leader, p.village_ids, p.area, p.river_name, "
        "p.river_section, p.route_start, p.route_end, (SELECT count(*) FROM findings f "
        "WHERE f.patrol_id = p.id AND f.deleted = 0) FROM patrols p WHERE p.deleted = 0 "
        "AND p.patrol_date >= ? AND p.patrol_date < ? "
        "ORDER BY p.patrol_date, p.start_time, p.rowid", (first, after))
    entries = []
    for kind, day, leader, villages, area, river, section, start, end, found in rows:
        route = "→".join(p for p in (start, end) if p)
        where = area or "".join(p for p in (river, section) if p) or route
        label = KINDS.label_of(kind)
        entries.append(Entry(
            date.fromisoformat(day), tuple(json.loads(villages)), leader,
            f"{label}：{_short(where)}" if where else label,
            f"发现问题{found}处" if found else "未发现问题", ("patrols",), label))
    return entries


def _findings(store: Store, first: str, after: str) -> list[Entry]:
    sets = finding_categories(store)
    rows = store.conn.execute(
        "SELECT f.category, f.description, f.place, f.status, p.kind, p.patrol_date, p.leader, "
        "p.village_ids FROM findings f JOIN patrols p ON p.id = f.patrol_id "
        "WHERE f.deleted = 0 AND p.deleted = 0 AND p.patrol_date >= ? AND p.patrol_date < ? "
        "ORDER BY p.patrol_date, p.rowid, f.sort", (first, after))
    entries = []
    for category, description, place, status, kind, day, leader, villages in rows:
        label = sets[kind].label_of(category) if kind in sets else category
        where = f"（{place}）" if place else ""
        counts = ("findings", "findings_closed") if status == "closed" else ("findings",)
        entries.append(Entry(date.fromisoformat(day), tuple(json.loads(villages)), leader,
                             f"{label}：{_short(description)}{where}",
                             FINDING_STATUSES.label_of(status), counts))
    return entries


def _cases(store: Store, first: str, after: str) -> list[Entry]:
    rows = store.conn.execute(
        "SELECT * FROM (SELECT c.number, c.category, c.summary, c.registered_on, c.village_id, "
        "c.mediators, c.status, (SELECT min(e.at) FROM case_events e WHERE e.case_id = c.id "
        "AND e.deleted = 0 AND e.to_status = 'closed') AS closed_at FROM cases c "
        "WHERE c.deleted = 0) WHERE (registered_on >= ? AND registered_on < ?) "
        "OR (closed_at >= ? AND closed_at < ?) ORDER BY registered_on, number",
        (first, after, first, after))
    entries = []
    for number, category, summary, registered, village, mediators, status, closed_at in rows:
        counts = []
        if first <= registered < after:
            counts.append("cases_registered")
        shown = CASE_STATUSES.label_of(status)
        if closed_at and first <= closed_at < after:
            counts.append("cases_closed")
            closed = date.fromisoformat(closed_at[:10])
            shown = f"本月结案（{closed.month}月{closed.day}日）"
        people = json.loads(mediators or "[]")
        worker = "、".join(m[0] for m in people if m[1] == "mediator") or "、".join(
            m[0] for m in people)
        day = date.fromisoformat(registered if "cases_registered" in counts
                                 else str(closed_at)[:10])
        label = CASE_CATEGORIES.label_of(category)
        entries.append(Entry(day, (village,) if village else (), worker,
                             f"{number} {label}：{_short(summary)}", shown, tuple(counts),
                             label if "cases_registered" in counts else ""))
    return sorted(entries, key=lambda e: e.day)


def _visits(store: Store, first: str, after: str) -> list[Entry]:
    rows = store.conn.execute(
        "SELECT v.visit_date, v.visitors, v.visit_type, v.needs, v.satisfaction, h.id, "
        "h.head_name, h.village_id FROM visits v JOIN households h ON h.id = v.household_id "
        "WHERE v.deleted = 0 AND h.deleted = 0 AND v.visit_date >= ? AND v.visit_date < ? "
        "ORDER BY v.visit_date, v.visit_time, v.rowid", (first, after))
    entries = []
    for day, visitors, kind, needs, satisfaction, household, head, village in rows:
        wanted = "、".join(NEEDS.label_of(n) for n in json.loads(needs or "[]"))
        text = f"{head}户（{VISIT_TYPES.label_of(kind)}）" + (f"：需求{wanted}" if wanted else "")
        entries.append(Entry(date.fromisoformat(day), (village,), visitors, text,
                             SATISFACTION.label_of(satisfaction) if satisfaction else "已走访",
                             ("visits",), household))
    return entries


def _orders(store: Store, first: str, after: str, privacy: Privacy) -> list[Entry]:
    minor = "o.minor_name" if privacy.get("minor_name", "pseudonym") == "real" \
        else "o.minor_pseudonym"
    served = store.conn.execute(
        f"SELECT substr(s.served_at, 1, 10), s.servers, s.method, o.number, {minor}, "
        "o.village_id, o.status FROM order_services s JOIN orders o ON o.id = s.order_id "
        "WHERE s.deleted = 0 AND o.deleted = 0 AND s.served_at >= ? AND s.served_at < ?",
        (first, after))
    entries = [Entry(date.fromisoformat(day), (village,) if village else (), _names(servers),
                     f"送达{number}（{who}，{SERVICE_METHODS.label_of(method)}）",
                     ORDER_STATUSES.label_of(status), ("services",))
               for day, servers, method, number, who, village, status in served]
    followed = store.conn.execute(
        f"SELECT f.followup_date, f.visitors, f.method, o.number, {minor}, o.village_id, "
        "o.status FROM order_followups f JOIN orders o ON o.id = f.order_id "
        "WHERE f.deleted = 0 AND o.deleted = 0 AND f.followup_date >= ? AND f.followup_date < ?",
        (first, after))
    entries += [Entry(date.fromisoformat(day), (village,) if village else (), _names(visitors),
                      f"回访{number}（{who}，{FOLLOWUP_METHODS.label_of(method)}）",
                      ORDER_STATUSES.label_of(status), ("followups",))
                for day, visitors, method, number, who, village, status in followed]
    return sorted(entries, key=lambda e: e.day)


def gather(store: Store, month: MonthLike, profile: Profile, privacy: Privacy
           ) -> LedgerMonth:
    """The month's live records: the worker's villages, or every village for the town."""
    first = month_start(month)
    start, after = first.isoformat(), _next_month(first).isoformat()
    villages = list_villages(store, include_retired=True)
    mine = {v.id for v in villages if v.code in profile.villages}
    sections = {
        "patrols": _patrols(store, start, after), "findings": _findings(store, start, after),
        "cases": _cases(store, start, after), "visits": _visits(store, start, after),
        "orders": _orders(store, start, after, privacy),
    }
    if not profile.is_town:
        sections = {name: [e for e in entries if mine & set(e.village_ids)]
                    for name, entries in sections.items()}
        shown = tuple((v.id, v.name) for v in villages if v.id in mine)
    else:
        used = {v for entries in sections.values() for e in entries for v in e.village_ids}
        shown = tuple((v.id, v.name) for v in villages if not v.retired or v.id in used)
    return LedgerMonth(first, profile, shown, sections)


# -- the context ------------------------------------------------------------------------------


def _tally(entries: list[Entry], village: str | None = None) -> Counter[str]:
    return Counter(key for e in entries if village is None or village in e.village_ids
                   for key in e.counts)


def _by_kind(entries: list[Entry], unit: str) -> str:
    groups = Counter(e.group for e in entries if e.group)
    return "、".join(f"{name}{count}{unit}" for name, count in groups.items())


def month_context(data: LedgerMonth, today: date) -> Context:
    """The ledger's context from the gathered month (no store needed: samples use it too)."""
    profile, first = data.profile, data.first
    names = dict(data.villages)
    everything = [e for entries in data.sections.values() for e in entries]
    total = _tally(everything)

    def count(key: str) -> str:
        unit = next(u for k, _label, u in COUNTS if k == key)
        return f"{total[key]}{unit}"

    def row(entry: Entry) -> dict[str, str]:
        return {"day": f"{entry.day.month}月{entry.day.day}日",
                "date": chinese_date(entry.day), "worker": entry.worker,
                "village": "、".join(names.get(v, "") for v in entry.village_ids if v in names)
                or "—", "text": entry.text, "status": entry.status}

    notes = {
        "patrols": _by_kind(data.sections["patrols"], "次"),
        "findings": f"其中已销号{total['findings_closed']}处、未销号"
                    f"{total['findings'] - total['findings_closed']}处" if total["findings"] else "",
        "findings_closed": "本月发现的问题中，至打印时已复查销号的",
        "cases_registered": _by_kind(data.sections["cases"], "件"),
        "visits": (f"涉及{len({e.group for e in data.sections['visits']})}户"
                   if total["visits"] else ""),
    }
    totals = [{"item": label, "count": count(key), "note": notes.get(key, "")}
              for key, label, _unit in COUNTS]
    by_village: list[dict[str, str]] = []
    if profile.is_town:
        for village_id, name in data.villages:
            tally = _tally(everything, village_id)
            by_village.append({"village": name, **{k: str(tally[k]) for k, _l, _u in COUNTS}})
        by_village.append({"village": "合计", **{k: str(total[k]) for k, _l, _u in COUNTS}})
    shared = any(len(e.village_ids) > 1 for e in everything)
    where = (f"全镇{len(data.villages)}个村（社区）" if profile.is_town
             else "、".join(name for _id, name in data.villages) or "—")
    summary = (f"本月{'全镇' if profile.is_town else ''}共巡查{count('patrols')}，"
               f"发现问题{count('findings')}（已销号{count('findings_closed')}），"
               f"登记调解案件{count('cases_registered')}、结案{count('cases_closed')}，"
               f"入户走访{count('visits')}，督促监护令送达{count('services')}、"
               f"回访{count('followups')}。")
    if not everything:
        summary += "本月没有登记任何工作记录，各项均为零。"
    after = _next_month(first)
    last = date.fromordinal(after.toordinal() - 1)
    return {
        "ledger": {
            "month": f"{first.year}年{first.month}月",
            "period": f"{chinese_date(first)}至{last.month}月{last.day}日",
            "unit": profile.town_name, "who": profile.name,
            "who_label": "汇总单位" if profile.is_town else "网格员",
            "scope": "全镇汇总台账" if profile.is_town else "网格员个人台账",
            "villages": where, "made_on": chinese_date(today), "summary": summary,
            "maker": "" if profile.is_town else profile.name,
            "town": "是" if profile.is_town else "", "worker": "" if profile.is_town else "是",
            "empty": "" if everything else "是",
            "village_note": (UNITS_NOTE + (SHARED_NOTE if shared else "")
                             if profile.is_town else ""),
            "counts": {key: count(key) for key, _label, _unit in COUNTS},
        },
        **{name: [row(e) for e in data.sections[name]] for name in SECTIONS},
        "by_village": by_village,
        "totals": totals,
    }


def ledger_context(store: Store, month: MonthLike, profile: Profile | None = None, *,
                   privacy: Privacy | None = None, today: date | None = None) -> Context:
    """The ledger of ``month`` for ``profile`` (default: this installation's profile)."""
    chosen = profile if profile is not None else profile_store.load(store)
    if chosen is None:
        raise PrintError("还没有完成首次设置，不知道是谁的台账。请先完成首次设置。")
    data = gather(store, month, chosen, privacy or {})
    return month_context(data, today or clock.today())


def sample_context(privacy: Privacy) -> Context:
    """A town ledger with one entry in every section, to learn the template's fields."""
    one = Entry(date(2025, 3, 5), ("v",), "李梅", "内容", "情况", ("patrols",), "河道巡查")
    profile = Profile("town", "梅仙镇人民政府", villages=())
    data = LedgerMonth(date(2025, 3, 1), profile, (("v", "张韩村"),),
                       {name: [one] for name in SECTIONS})
    return month_context(data, date(2025, 4, 1))


# -- printing ---------------------------------------------------------------------------------


def load_ledger(config_dir: Path | None) -> Template:
    """The ledger's checked template (the user's own copy first)."""
    try:
        return load(LEDGER, config_dir, sample_context)
    except FileNotFoundError as exc:
        raise PrintError(str(exc)) from exc


def print_ledger(store: Store, month: MonthLike, out: Path | BinaryIO, *, actor: str,
                 profile: Profile | None = None, config_dir: Path | None = None,
                 font_file: Path | None = None, fonts: FontSet | None = None,
                 today: date | None = None) -> Rendered:
    """Render the month's ledger into ``out`` and note the print in the audit log."""
    template = load_ledger(config_dir)
    context = ledger_context(store, month, profile, privacy=template.privacy, today=today)
    chosen = fonts if fonts is not None else fonts_for(store, font_file)
    result = render(template, context, chosen, out)
    ledger = context["ledger"]
    audit.record(store, actor, "print", detail=f"{template.title}（{ledger['month']}，"
                                               f"{ledger['scope']}：{ledger['who']}）")
    return result
