"""Households, members, measures and visits in the database; each household's next due visit."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from meixian_desktop.core.errors import RecordInvalid
from meixian_desktop.core.households import (
    MEASURE_TYPES,
    Household,
    Measure,
    Member,
    Referral,
    Visit,
    next_visit_due,
)
from meixian_desktop.core.profile import Profile
from meixian_desktop.store import attachments, due, records
from meixian_desktop.store import settings as settings_store
from meixian_desktop.store.children import save_children
from meixian_desktop.store.columns import date_text, text_date
from meixian_desktop.store.database import Store, Transaction
from meixian_desktop.store.search import matching_rowids
from meixian_desktop.store.villages import scope_condition


@dataclass(frozen=True)
class SameIdElsewhere:
    """Another household already lists this ID number: a warning, not a refusal."""

    id_number: str
    household_id: str
    head_name: str
    village: str


def same_id_elsewhere(store: Store, household: Household) -> list[SameIdElsewhere]:
    """Members whose ID number is also listed in another live household."""
    found: list[SameIdElsewhere] = []
    for member in household.members:
        if not member.id_number:
            continue
        rows = store.conn.execute(
            "SELECT h.id, h.head_name, coalesce(v.name, '') FROM members m "
            "JOIN households h ON h.id = m.household_id LEFT JOIN villages v ON v.id = h.village_id "
            "WHERE m.id_number = ? AND m.deleted = 0 AND h.deleted = 0 AND h.id IS NOT ?",
            (member.id_number, household.id),
        ).fetchall()
        found.extend(SameIdElsewhere(member.id_number, r[0], r[1], r[2]) for r in rows)
    return found


# -- saving ---------------------------------------------------------------------------------


def _household_row(household: Household) -> dict[str, Any]:
    return {
        "number": household.number, "village_id": household.village_id,
        "group_id": household.group_id or None, "address": household.address,
        "head_name": household.head_name, "phone": household.phone, "cadre": household.cadre,
        "tags": json.dumps(list(household.tags)), "monitoring_type": household.monitoring_type,
        "monitoring_included_on": date_text(household.monitoring_included_on),
        "risk_types": json.dumps(list(household.risk_types)),
        "income_per_capita": household.income_per_capita, "income_year": household.income_year,
        "risk_eliminated": int(household.risk_eliminated),
        "risk_eliminated_on": date_text(household.risk_eliminated_on), "notes": household.notes,
    }


def _member_row(member: Member, household_id: str, order: int) -> dict[str, Any]:
    return {
        "household_id": household_id, "name": member.name, "id_number": member.id_number,
        "gender": member.gender, "birth_date": date_text(member.birth_date),
        "relation": member.relation, "ethnicity": member.ethnicity,
        "education": member.education, "school_status": member.school_status,
        "health": member.health, "disability_category": member.disability_category,
        "disability_grade": member.disability_grade, "work_status": member.work_status,
        "assistance_status": member.assistance_status, "insurance": member.insurance,
        "phone": member.phone, "tags": json.dumps(list(member.tags)), "sort": order,
    }


def _measure_row(measure: Measure, household_id: str) -> dict[str, Any]:
    return {"household_id": household_id, "measure_type": measure.measure_type,
            "content": measure.content, "start_date": date_text(measure.start_date),
            "end_date": date_text(measure.end_date), "unit": measure.unit}


def save_household(tx: Transaction, household: Household) -> str:
    """Insert or update a household with its members and measures, then its due visit."""
    row = _household_row(household)
    if household.id and records.get(tx.store, "households", household.id):
        household_id = household.id
        records.update(tx, "households", household_id, row)
    else:
        household_id = records.insert(tx, "households", row, record_id=household.id)
    save_children(tx, "members", "household_id", household_id,
                  [(m.id, _member_row(m, household_id, n))
                   for n, m in enumerate(household.members)])
    save_children(tx, "measures", "household_id", household_id,
                  [(m.id, _measure_row(m, household_id)) for m in household.measures])
    refresh_due(tx, household_id)
    return household_id


def save_visit(tx: Transaction, visit: Visit) -> str:
    """Insert or update a visit and move its household's next due visit."""
    household = records.get(tx.store, "households", visit.household_id)
    if not household or household["deleted"]:
        raise RecordInvalid({"household_id": "这户已经被删除，不能再登记走访。请关闭后刷新列表。"})
    photos = list(visit.photos)
    if set(photos) - attachments.known(tx.store, photos):
        raise RecordInvalid({"photos": "有照片文件没有保存成功，请删除后重新添加。"})
    values = {
        "household_id": visit.household_id, "visit_date": visit.visit_date.isoformat(),
        "visit_time": visit.visit_time, "visitors": visit.visitors,
        "person_met": visit.person_met, "others_present": visit.others_present,
        "visit_type": visit.visit_type, "income_note": visit.income_note,
        "health_note": visit.health_note, "housing_note": visit.housing_note,
        "water_note": visit.water_note, "schooling_note": visit.schooling_note,
        "needs": json.dumps(list(visit.needs)), "needs_detail": visit.needs_detail,
        "done_on_spot": visit.done_on_spot,
        "referrals": json.dumps([{"department": r.department, "item": r.item,
                                  "deadline": date_text(r.deadline)} for r in visit.referrals],
                                ensure_ascii=False),
        "satisfaction": visit.satisfaction, "photos": json.dumps(photos),
        "next_visit_date": date_text(visit.next_visit_date),
    }
    if visit.id and records.get(tx.store, "visits", visit.id):
        visit_id = visit.id
        records.update(tx, "visits", visit_id, values)
    else:
        visit_id = records.insert(tx, "visits", values, record_id=visit.id)
    refresh_due(tx, visit.household_id)
    return visit_id


def visit_months(store: Store) -> tuple[int, int]:
    """The visit intervals in months: (key-group households, the others)."""
    return (int(settings_store.get(store, "visit_months_key_group")),
            int(settings_store.get(store, "visit_months_other")))


def refresh_due(tx: Transaction, household_id: str,
                months: tuple[int, int] | None = None) -> None:
    """Recompute when the household is next due a visit, from its tags and latest visit;
    ``months`` (see visit_months) saves reading the settings again for each household."""
    store = tx.store
    months_key_group, months_other = months or visit_months(store)
    row = store.conn.execute(
        "SELECT tags, created_at, next_visit_due FROM households WHERE id = ?", (household_id,)
    ).fetchone()
    member_tags = store.conn.execute(
        "SELECT count(*) FROM members WHERE household_id = ? AND deleted = 0 AND tags != '[]'",
        (household_id,),
    ).fetchone()[0]
    last = store.conn.execute(
        "SELECT visit_date, next_visit_date FROM visits WHERE household_id = ? AND deleted = 0 "
        "ORDER BY visit_date DESC, hlc DESC LIMIT 1",
        (household_id,),
    ).fetchone()
    key_group = row["tags"] != "[]" or member_tags > 0
    due_on = next_visit_due(
        key_group, text_date(last[0]) if last else None, text_date(last[1]) if last else None,
        date.fromisoformat(row["created_at"][:10]),
        months_key_group=months_key_group, months_other=months_other,
    ).isoformat()
    if due_on != row["next_visit_due"]:
        tx.conn.execute("UPDATE households SET next_visit_due = ? WHERE id = ?",
                        (due_on, household_id))


def refresh_all_due(tx: Transaction) -> int:
    """After the visit-frequency settings change: recompute every household's due visit."""
    ids = [r[0] for r in tx.conn.execute("SELECT id FROM households WHERE deleted = 0")]
    months = visit_months(tx.store)
    for household_id in ids:
        refresh_due(tx, household_id, months)
    return len(ids)


def delete_household(tx: Transaction, household_id: str) -> None:
    for table in ("members", "measures", "visits"):
        for (child_id,) in tx.conn.execute(
            f"SELECT id FROM {table} WHERE household_id = ? AND deleted = 0", (household_id,)
        ).fetchall():
            records.tombstone(tx, table, child_id)
    records.tombstone(tx, "households", household_id)


# -- loading --------------------------------------------------------------------------------


def _member(row: Any) -> Member:
    return Member(
        id=row["id"], name=row["name"], id_number=row["id_number"] or "",
        gender=row["gender"] or "", birth_date=text_date(row["birth_date"]),
        relation=row["relation"] or "", ethnicity=row["ethnicity"] or "",
        education=row["education"] or "", school_status=row["school_status"] or "",
        health=row["health"] or "", disability_category=row["disability_category"] or "",
        disability_grade=row["disability_grade"] or "", work_status=row["work_status"] or "",
        assistance_status=row["assistance_status"] or "", insurance=row["insurance"] or "",
        phone=row["phone"] or "", tags=tuple(json.loads(row["tags"] or "[]")),
    )


def load_household(store: Store, household_id: str) -> Household | None:
    row = store.conn.execute(
        "SELECT * FROM households WHERE id = ? AND deleted = 0", (household_id,)
    ).fetchone()
    if row is None:
        return None
    members = store.conn.execute(
        "SELECT * FROM members WHERE household_id = ? AND deleted = 0 ORDER BY sort",
        (household_id,),
    ).fetchall()
    measures = store.conn.execute(
        "SELECT * FROM measures WHERE household_id = ? AND deleted = 0 "
        "ORDER BY start_date, rowid", (household_id,),
    ).fetchall()
    return Household(
        id=row["id"], village_id=row["village_id"], head_name=row["head_name"],
        number=row["number"] or "", group_id=row["group_id"] or "",
        address=row["address"] or "", phone=row["phone"] or "", cadre=row["cadre"] or "",
        tags=tuple(json.loads(row["tags"])), monitoring_type=row["monitoring_type"] or "",
        monitoring_included_on=text_date(row["monitoring_included_on"]),
        risk_types=tuple(json.loads(row["risk_types"])),
        income_per_capita=row["income_per_capita"], income_year=row["income_year"],
        risk_eliminated=bool(row["risk_eliminated"]),
        risk_eliminated_on=text_date(row["risk_eliminated_on"]), notes=row["notes"] or "",
        members=tuple(_member(m) for m in members),
        measures=tuple(Measure(m["measure_type"], m["content"] or "", text_date(m["start_date"]),
                               text_date(m["end_date"]), m["unit"] or "", m["id"]) for m in measures),
    )


def load_visit(store: Store, visit_id: str) -> Visit | None:
    row = store.conn.execute("SELECT * FROM visits WHERE id = ? AND deleted = 0",
                             (visit_id,)).fetchone()
    if row is None:
        return None
    return Visit(
        id=row["id"], household_id=row["household_id"],
        visit_date=date.fromisoformat(row["visit_date"]), visitors=row["visitors"],
        visit_type=row["visit_type"], visit_time=row["visit_time"] or "",
        person_met=row["person_met"] or "", others_present=row["others_present"] or "",
        income_note=row["income_note"] or "", health_note=row["health_note"] or "",
        housing_note=row["housing_note"] or "", water_note=row["water_note"] or "",
        schooling_note=row["schooling_note"] or "", needs=tuple(json.loads(row["needs"] or "[]")),
        needs_detail=row["needs_detail"] or "", done_on_spot=row["done_on_spot"] or "",
        referrals=tuple(Referral(r["department"], r.get("item", ""), text_date(r.get("deadline")))
                        for r in json.loads(row["referrals"] or "[]")),
        satisfaction=row["satisfaction"] or "", photos=tuple(json.loads(row["photos"] or "[]")),
        next_visit_date=text_date(row["next_visit_date"]),
    )


def next_due(store: Store, household_id: str) -> date | None:
    row = store.conn.execute("SELECT next_visit_due FROM households WHERE id = ?",
                             (household_id,)).fetchone()
    return text_date(row[0]) if row else None


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a household's history: a visit, a measure, or a 督促监护令."""

    day: date
    kind: str
    text: str
    table: str
    record_id: str


def timeline(store: Store, household_id: str) -> list[TimelineEntry]:
    """Everything that happened to a household, newest first."""
    entries = []
    for r in store.conn.execute(
        "SELECT id, visit_date, visitors, visit_type, done_on_spot FROM visits "
        "WHERE household_id = ? AND deleted = 0", (household_id,)
    ):
        entries.append(TimelineEntry(date.fromisoformat(r[1]), "走访",
                                     f"{r[2]}走访。{r[4] or ''}".strip(), "visits", r[0]))
    for r in store.conn.execute(
        "SELECT id, start_date, measure_type, content, end_date FROM measures "
        "WHERE household_id = ? AND deleted = 0 AND start_date IS NOT NULL", (household_id,)
    ):
        until = f"（至 {r[4]}）" if r[4] else ""
        entries.append(TimelineEntry(date.fromisoformat(r[1]), "帮扶措施",
                                     f"{MEASURE_TYPES.label_of(r[2])}：{r[3] or ''}{until}",
                                     "measures", r[0]))
    for r in store.conn.execute(
        "SELECT id, issue_date, number, minor_pseudonym, status FROM orders "
        "WHERE household_id = ? AND deleted = 0", (household_id,)
    ):
        entries.append(TimelineEntry(date.fromisoformat(r[1]), "督促监护令",
                                     f"{r[2]}（{r[3]}）", "orders", r[0]))
    return sorted(entries, key=lambda e: (e.day, e.kind), reverse=True)


# -- listing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class HouseholdFilter:
    """What the household list is narrowed to; every part optional."""

    village_id: str = ""
    group_id: str = ""
    tag: str = ""
    monitoring_type: str = ""
    due: str = ""  # "" | "due" (this week, overdue included) | "overdue"
    query: str = ""


def filter_condition(store: Store, chosen: HouseholdFilter, today: date
                     ) -> tuple[str, list[Any]]:
    """The SQL condition on alias ``t`` (households) for ``chosen``, with its parameters."""
    parts: list[str] = []
    params: list[Any] = []
    for column, value in (("village_id", chosen.village_id), ("group_id", chosen.group_id),
                          ("monitoring_type", chosen.monitoring_type)):
        if value:
            parts.append(f"t.{column} = ?")
            params.append(value)
    if chosen.tag:
        parts.append(
            "(EXISTS (SELECT 1 FROM json_each(t.tags) WHERE value = ?) OR EXISTS (SELECT 1 "
            "FROM members m, json_each(m.tags) j WHERE m.household_id = t.id AND m.deleted = 0 "
            "AND j.value = ?))"
        )
        params.extend([chosen.tag, chosen.tag])
    if chosen.due == "overdue":
        parts.append("t.next_visit_due < ?")
        params.append(today.isoformat())
    elif chosen.due == "due":
        parts.append("t.next_visit_due <= ?")
        params.append((today + timedelta(days=7)).isoformat())
    if chosen.query.strip():
        own = matching_rowids(store, "households", chosen.query)
        person = matching_rowids(store, "members", chosen.query)
        assert own is not None and person is not None
        parts.append(
            f"t.rowid IN ({own[0]} UNION SELECT h.rowid FROM members m "
            f"JOIN households h ON h.id = m.household_id WHERE m.deleted = 0 "
            f"AND m.rowid IN ({person[0]}))"
        )
        params.extend([*own[1], *person[1]])
    return " AND ".join(parts), params


def visits_due(store: Store, profile: Profile, today: date, horizon: int) -> list[due.DueItem]:
    """Households due a visit this week, or overdue (one indexed range query)."""
    scope, params = scope_condition(profile)
    until = (today + timedelta(days=horizon)).isoformat()
    rows = store.conn.execute(
        "SELECT t.id, t.head_name, coalesce(v.name, ''), t.next_visit_due, t.tags "
        "FROM households t LEFT JOIN villages v ON v.id = t.village_id "
        "WHERE t.next_visit_due <= ? AND t.deleted = 0" + scope,
        [until, *params],
    )
    return [
        due.DueItem("households", household_id, "入户走访", f"{village}{head}户",
                    date.fromisoformat(day))
        for household_id, head, village, day, _tags in rows
    ]
