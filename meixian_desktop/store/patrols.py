"""Patrols and findings in the database: save whole, load whole, filter, and feed 今日待办."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from meixian_desktop.core.categories import Category, CategorySet
from meixian_desktop.core.errors import RecordInvalid, ValidationError
from meixian_desktop.core.geo import Waypoint
from meixian_desktop.core.lifecycle import Lifecycle
from meixian_desktop.core.patrols import (
    FINDING_CATEGORIES,
    STATUSES,
    Finding,
    Patrol,
    StatusChange,
    check_transition,
)
from meixian_desktop.core.profile import Profile
from meixian_desktop.store import attachments, due, records
from meixian_desktop.store.children import save_children
from meixian_desktop.store.columns import text_date
from meixian_desktop.store.database import Store, Transaction
from meixian_desktop.store.lifecycle import Steps, history, insert_steps, replay
from meixian_desktop.store.search import matching_rowids


def finding_categories(store: Store) -> dict[str, CategorySet]:
    """Each kind's finding categories: the shipped ones plus those the town added."""
    result = {}
    for kind, base in FINDING_CATEGORIES.items():
        rows = store.conn.execute(
            "SELECT code, label, retired FROM category_items "
            "WHERE set_name = ? AND deleted = 0 ORDER BY sort, code",
            (base.name,),
        )
        result[kind] = base.extended(Category(r[0], r[1], bool(r[2])) for r in rows)
    return result


def add_category(tx: Transaction, kind: str, code: str, label: str) -> str:
    """The town adds a finding category for one patrol kind."""
    if kind not in FINDING_CATEGORIES:
        raise ValidationError(f"没有“{kind}”这种巡查类型。", field="kind")
    code, label = code.strip(), label.strip()
    if not code or not label:
        raise ValidationError("请填写类别代码和名称。", field="code")
    base = FINDING_CATEGORIES[kind]
    taken = code in base or tx.conn.execute(
        "SELECT 1 FROM category_items WHERE set_name = ? AND code = ?", (base.name, code)
    ).fetchone()
    if taken:
        raise ValidationError(f"类别代码“{code}”已经用过了，请换一个。", field="code")
    if any(item.label == label for item in finding_categories(tx.store)[kind]):
        raise ValidationError(f"已经有“{label}”这个类别了。", field="label")
    return records.insert(tx, "category_items",
                          {"set_name": base.name, "code": code, "label": label})


def set_category_retired(tx: Transaction, kind: str, code: str, retired: bool) -> None:
    """Stop offering a category for new findings (old ones keep it), or offer it again."""
    base = FINDING_CATEGORIES[kind]
    row = tx.conn.execute(
        "SELECT id FROM category_items WHERE set_name = ? AND code = ?", (base.name, code)
    ).fetchone()
    if row:
        records.update(tx, "category_items", row[0], {"retired": int(retired)})
    elif code in base:  # a shipped category: an override row carries the town's choice
        records.insert(tx, "category_items", {"set_name": base.name, "code": code,
                                              "label": base.label_of(code),
                                              "retired": int(retired)})
    else:
        raise ValidationError(f"没有类别“{code}”。", field="code")


# -- saving ---------------------------------------------------------------------------------


def _patrol_row(patrol: Patrol) -> dict[str, Any]:
    return {
        "kind": patrol.kind, "patrol_date": patrol.patrol_date.isoformat(),
        "start_time": patrol.start_time, "end_time": patrol.end_time,
        "weather": patrol.weather, "leader": patrol.leader, "companions": patrol.companions,
        "village_ids": json.dumps(list(patrol.village_ids)), "area": patrol.area,
        "route_start": patrol.route_start, "route_end": patrol.route_end,
        "waypoints": json.dumps([[w.lat, w.lon, w.name] for w in patrol.waypoints],
                                ensure_ascii=False),
        "distance_km": patrol.distance_km, "notes": patrol.notes,
        "signature": patrol.signature, "fire_danger": patrol.fire_danger,
        "forest_entrants": patrol.forest_entrants, "river_name": patrol.river_name,
        "river_section": patrol.river_section, "river_chief_level": patrol.river_chief_level,
        "plot_number": patrol.plot_number,
    }


def _finding_row(finding: Finding, patrol_id: str, order: int) -> dict[str, Any]:
    return {
        "patrol_id": patrol_id, "category": finding.category,
        "description": finding.description, "place": finding.place, "lat": finding.lat,
        "lon": finding.lon, "persons": finding.persons, "action": finding.action,
        "deadline": finding.deadline.isoformat() if finding.deadline else None,
        "recheck_date": finding.recheck_date.isoformat() if finding.recheck_date else None,
        "recheck_result": finding.recheck_result, "area_mu": finding.area_mu,
        "status": finding.status, "photos": json.dumps(list(finding.photos)), "sort": order,
    }


FINDING_STEPS = Steps("findings", "finding_events", "finding_id", "open", live_only=False)
FINDING_CYCLE = Lifecycle(STATUSES, check_transition,
                          "问题的处理记录与保存的状态对不上，请关闭后重新打开再改。",
                          "要通过处理按钮，并写明处理人。", "问题")


def _new_steps(tx: Transaction, finding: Finding, prefix: str) -> list[StatusChange]:
    """The status changes not yet stored, checked to lead from the stored status to the new one."""
    return replay(tx, FINDING_STEPS, FINDING_CYCLE, finding.id, finding.history,
                  finding.status, prefix=prefix)[1]


def save_patrol(tx: Transaction, patrol: Patrol) -> str:
    """Insert or update a patrol with all its findings and their status changes, atomically."""
    photos = sorted({sha for finding in patrol.findings for sha in finding.photos})
    missing = set(photos) - attachments.known(tx.store, photos)
    if missing:
        raise RecordInvalid({"photos": "有照片文件没有保存成功，请删除后重新添加。"})
    steps = {
        number: _new_steps(tx, finding, f"findings.{number}.")
        for number, finding in enumerate(patrol.findings)
    }
    row = _patrol_row(patrol)
    if patrol.id and records.get(tx.store, "patrols", patrol.id):
        patrol_id = patrol.id
        records.update(tx, "patrols", patrol_id, row)
    else:
        patrol_id = records.insert(tx, "patrols", row, record_id=patrol.id)
    finding_ids = save_children(
        tx, "findings", "patrol_id", patrol_id,
        [(finding.id, _finding_row(finding, patrol_id, number))
         for number, finding in enumerate(patrol.findings)], tombstone=_tombstone_finding)
    for number, finding_id in enumerate(finding_ids):
        insert_steps(tx, FINDING_STEPS, finding_id, steps[number])
    return patrol_id


def delete_patrol(tx: Transaction, patrol_id: str) -> None:
    """Tombstone a patrol and its findings (nothing is removed, so the deletion syncs)."""
    rows = tx.conn.execute(
        "SELECT id FROM findings WHERE patrol_id = ? AND deleted = 0", (patrol_id,)
    ).fetchall()
    for (finding_id,) in rows:
        _tombstone_finding(tx, finding_id)
    records.tombstone(tx, "patrols", patrol_id)


def _tombstone_finding(tx: Transaction, finding_id: str) -> None:
    """A finding and its status history go together."""
    events = tx.conn.execute(
        "SELECT id FROM finding_events WHERE finding_id = ? AND deleted = 0", (finding_id,)
    ).fetchall()
    for (event_id,) in events:
        records.tombstone(tx, "finding_events", event_id)
    records.tombstone(tx, "findings", finding_id)


# -- loading --------------------------------------------------------------------------------




def _finding(row: Any, history: list[StatusChange]) -> Finding:
    return Finding(
        id=row["id"], category=row["category"], description=row["description"],
        place=row["place"] or "", lat=row["lat"], lon=row["lon"], persons=row["persons"] or "",
        action=row["action"], deadline=text_date(row["deadline"]),
        recheck_date=text_date(row["recheck_date"]), recheck_result=row["recheck_result"] or "",
        area_mu=row["area_mu"], status=row["status"],
        photos=tuple(json.loads(row["photos"] or "[]")), history=tuple(history),
    )


def load_patrol(store: Store, patrol_id: str) -> Patrol | None:
    """A live patrol with its live findings and their histories, or None."""
    row = store.conn.execute(
        "SELECT * FROM patrols WHERE id = ? AND deleted = 0", (patrol_id,)
    ).fetchone()
    if row is None:
        return None
    findings = []
    for found in store.conn.execute(
        "SELECT * FROM findings WHERE patrol_id = ? AND deleted = 0 ORDER BY sort", (patrol_id,)
    ).fetchall():
        findings.append(_finding(found, list(history(store, FINDING_STEPS, found["id"]))))
    return Patrol(
        id=row["id"], kind=row["kind"], patrol_date=date.fromisoformat(row["patrol_date"]),
        leader=row["leader"], village_ids=tuple(json.loads(row["village_ids"])),
        start_time=row["start_time"] or "", end_time=row["end_time"] or "",
        weather=row["weather"] or "", companions=row["companions"] or "",
        area=row["area"] or "", route_start=row["route_start"] or "",
        route_end=row["route_end"] or "",
        waypoints=tuple(Waypoint(p[0], p[1], p[2]) for p in json.loads(row["waypoints"] or "[]")),
        distance_km=row["distance_km"], notes=row["notes"] or "",
        signature=row["signature"] or "", fire_danger=row["fire_danger"] or "",
        forest_entrants=row["forest_entrants"], river_name=row["river_name"] or "",
        river_section=row["river_section"] or "",
        river_chief_level=row["river_chief_level"] or "",
        plot_number=row["plot_number"] or "", findings=tuple(findings),
    )


def last_patrol(store: Store, kind: str, leader: str | None = None) -> Patrol | None:
    """The most recent live patrol of ``kind`` (by ``leader`` when given)."""
    sql = "SELECT id FROM patrols WHERE kind = ? AND deleted = 0"
    params: list[Any] = [kind]
    if leader:
        sql += " AND leader = ?"
        params.append(leader)
    row = store.conn.execute(sql + " ORDER BY patrol_date DESC, id DESC LIMIT 1",
                             params).fetchone()
    return load_patrol(store, row[0]) if row else None


def patrol_of_finding(store: Store, finding_id: str) -> str | None:
    row = store.conn.execute("SELECT patrol_id FROM findings WHERE id = ?",
                             (finding_id,)).fetchone()
    return row[0] if row else None


# -- listing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PatrolFilter:
    """What the patrol list is narrowed to; every part is optional."""

    kind: str = ""
    village_id: str = ""
    date_from: date | None = None
    date_to: date | None = None
    leader: str = ""
    open_findings: bool = False
    overdue_findings: bool = False
    query: str = ""


def filter_condition(store: Store, chosen: PatrolFilter, today: date
                     ) -> tuple[str, list[Any]]:
    """The SQL condition on alias ``t`` (patrols) for ``chosen``, with its parameters."""
    parts: list[str] = []
    params: list[Any] = []
    if chosen.kind:
        parts.append("t.kind = ?")
        params.append(chosen.kind)
    if chosen.village_id:
        parts.append("EXISTS (SELECT 1 FROM json_each(t.village_ids) WHERE value = ?)")
        params.append(chosen.village_id)
    if chosen.date_from:
        parts.append("t.patrol_date >= ?")
        params.append(chosen.date_from.isoformat())
    if chosen.date_to:
        parts.append("t.patrol_date <= ?")
        params.append(chosen.date_to.isoformat())
    if chosen.leader:
        parts.append("t.leader = ?")
        params.append(chosen.leader)
    if chosen.open_findings or chosen.overdue_findings:
        overdue = " AND f.deadline < ?" if chosen.overdue_findings else ""
        parts.append(
            "EXISTS (SELECT 1 FROM findings f WHERE f.patrol_id = t.id AND f.deleted = 0 "
            f"AND f.status IN ('open', 'escalated'){overdue})"
        )
        if overdue:
            params.append(today.isoformat())
    if chosen.query.strip():
        # One set of rowids from both indexes: an OR across the two would scan every patrol.
        own = matching_rowids(store, "patrols", chosen.query)
        found = matching_rowids(store, "findings", chosen.query)
        assert own is not None and found is not None
        parts.append(
            f"t.rowid IN ({own[0]} UNION SELECT p.rowid FROM findings f "
            f"JOIN patrols p ON p.id = f.patrol_id WHERE f.deleted = 0 "
            f"AND f.rowid IN ({found[0]}))"
        )
        params.extend([*own[1], *found[1]])
    return " AND ".join(parts), params


def leaders(store: Store) -> list[str]:
    """Everyone who has led a patrol, for the filter."""
    rows = store.conn.execute(
        "SELECT DISTINCT leader FROM patrols WHERE deleted = 0 ORDER BY leader"
    )
    return [row[0] for row in rows]


# -- 今日待办 ------------------------------------------------------------------------------


def _scope(profile: Profile) -> tuple[str, list[Any]]:
    """A worker sees findings of patrols in their villages; the town sees them all."""
    if profile.is_town or not profile.villages:
        return "", []
    marks = ",".join("?" for _ in profile.villages)
    return (
        " AND EXISTS (SELECT 1 FROM json_each(p.village_ids) j JOIN villages v "
        f"ON v.id = j.value WHERE v.code IN ({marks}))",
        list(profile.villages),
    )


def findings_due(store: Store, profile: Profile, today: date, horizon: int
                 ) -> list[due.DueItem]:
    """Findings whose rectification deadline has passed or comes this week, and re-checks due."""
    scope, params = _scope(profile)
    until = (today + timedelta(days=horizon)).isoformat()
    sets = finding_categories(store)
    # Two queries, each served by an index on (status, date), so a large store costs nothing.
    queries = (
        ("巡查问题整改", "f.deadline",
         "f.status IN ('open', 'escalated') AND f.deadline <= ?"),
        ("巡查问题复查", "f.recheck_date",
         "f.status = 'rectified' AND f.recheck_date <= ? AND coalesce(f.recheck_result, '') = ''"),
    )
    items = []
    for kind_label, column, condition in queries:
        rows = store.conn.execute(
            f"SELECT f.id, f.category, f.description, {column}, p.kind FROM findings f "
            f"JOIN patrols p ON p.id = f.patrol_id WHERE {condition} "
            "AND f.deleted = 0 AND p.deleted = 0" + scope,
            [until, *params],
        )
        for finding_id, category, description, day, kind in rows:
            label = sets[kind].label_of(category) if kind in sets else category
            items.append(due.DueItem("findings", finding_id, kind_label,
                                     f"{label}：{description[:30]}", date.fromisoformat(day)))
    return items
