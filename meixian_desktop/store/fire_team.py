"""The fire-fighting response team roster (扑火应急队伍) kept under the forest section."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from meixian_desktop.core.errors import Problems
from meixian_desktop.core.fields import parse_date
from meixian_desktop.core.validation import check_phone
from meixian_desktop.store import records
from meixian_desktop.store.database import Transaction


@dataclass(frozen=True)
class TeamMember:
    """One member of the response team."""

    name: str
    phone: str = ""
    village_id: str | None = None
    equipment: str = ""
    last_training: date | None = None
    id: str | None = None


def parse_member(raw: dict[str, str], *, today: date) -> TeamMember:
    """Check a typed roster line; raise RecordInvalid listing every problem by field."""
    problems = Problems()
    name = raw.get("name", "").strip()
    if not name:
        problems.add("name", "请填写队员姓名。")
    phone = raw.get("phone", "").strip()
    if phone:
        phone = problems.check("phone", check_phone, phone) or ""
    trained = problems.check("last_training", parse_date, raw.get("last_training"),
                             "最近一次培训日期", "last_training", today=today)
    problems.raise_if_any()
    return TeamMember(name=name, phone=phone, village_id=raw.get("village_id") or None,
                      equipment=raw.get("equipment", "").strip(), last_training=trained,
                      id=raw.get("id") or None)


def save_member(tx: Transaction, member: TeamMember) -> str:
    values = {
        "name": member.name, "phone": member.phone, "village_id": member.village_id,
        "equipment": member.equipment,
        "last_training": member.last_training.isoformat() if member.last_training else None,
    }
    if member.id:
        records.update(tx, "fire_team_members", member.id, values)
        return member.id
    return records.insert(tx, "fire_team_members", values)


def remove_member(tx: Transaction, member_id: str) -> None:
    records.tombstone(tx, "fire_team_members", member_id)
