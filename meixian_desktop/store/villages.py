"""Villages and 村民小组 in the database: seeded at first run, then added, renamed, retired."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from meixian_desktop.core.categories import VILLAGE_KINDS
from meixian_desktop.core.errors import ValidationError
from meixian_desktop.core.profile import Profile
from meixian_desktop.core.villages import SeedVillage, check_village_code, check_village_name
from meixian_desktop.store import records
from meixian_desktop.store.database import Store, Transaction

_SEED_NAMESPACE = uuid.UUID("6f1c1a7e-3c55-4f38-9a53-8a1c6b0d4a10")


@dataclass(frozen=True)
class Village:
    """A village or community as stored."""

    id: str
    code: str | None
    name: str
    kind: str
    retired: bool

    @property
    def kind_label(self) -> str:
        return VILLAGE_KINDS.label_of(self.kind)


@dataclass(frozen=True)
class VillageGroup:
    """A 村民小组 of a village."""

    id: str
    village_id: str
    name: str
    retired: bool


def seed_id(code: str) -> str:
    """The same id for a seeded village on every device, so the town and workers agree."""
    return str(uuid.uuid5(_SEED_NAMESPACE, code))


def seed(tx: Transaction, seeds: list[SeedVillage]) -> int:
    """Load the shipped villages into an empty table; returns how many were added."""
    if tx.conn.execute("SELECT count(*) FROM villages").fetchone()[0]:
        return 0
    for order, item in enumerate(seeds):
        records.insert(
            tx,
            "villages",
            {"code": item.code, "name": item.name, "kind": item.kind, "sort": order},
            record_id=seed_id(item.code),
        )
    return len(seeds)


def _village(row: tuple) -> Village:
    return Village(row[0], row[1], row[2], row[3], bool(row[4]))


def list_villages(store: Store, *, include_retired: bool = False) -> list[Village]:
    sql = "SELECT id, code, name, kind, retired FROM villages WHERE deleted = 0"
    if not include_retired:
        sql += " AND retired = 0"
    return [_village(r) for r in store.conn.execute(sql + " ORDER BY sort, name")]


def village_by_code(store: Store, code: str) -> Village | None:
    row = store.conn.execute(
        "SELECT id, code, name, kind, retired FROM villages WHERE code = ? AND deleted = 0",
        (code,),
    ).fetchone()
    return _village(row) if row else None


def _check_unique_name(tx: Transaction, name: str, except_id: str | None = None) -> None:
    row = tx.conn.execute(
        "SELECT 1 FROM villages WHERE name = ? AND deleted = 0 AND id IS NOT ?",
        (name, except_id),
    ).fetchone()
    if row:
        raise ValidationError(f"已经有一个叫“{name}”的村（社区），请换一个名称。", field="name")


def add_village(tx: Transaction, name: str, kind: str = "village", code: str = "") -> str:
    name = check_village_name(name)
    VILLAGE_KINDS.check(kind)
    checked_code = check_village_code(code)
    _check_unique_name(tx, name)
    if checked_code and tx.conn.execute(
        "SELECT 1 FROM villages WHERE code = ?", (checked_code,)
    ).fetchone():
        raise ValidationError(f"统计代码 {checked_code} 已被使用。", field="code")
    order = tx.conn.execute("SELECT coalesce(max(sort), 0) + 1 FROM villages").fetchone()[0]
    return records.insert(
        tx, "villages", {"code": checked_code, "name": name, "kind": kind, "sort": order}
    )


def rename_village(tx: Transaction, village_id: str, name: str) -> None:
    name = check_village_name(name)
    _check_unique_name(tx, name, except_id=village_id)
    records.update(tx, "villages", village_id, {"name": name})


def set_village_retired(tx: Transaction, village_id: str, retired: bool) -> None:
    """Retire a village (kept for old records, hidden from new ones) or bring it back."""
    records.update(tx, "villages", village_id, {"retired": int(retired)})


def list_groups(
    store: Store, village_id: str, *, include_retired: bool = False
) -> list[VillageGroup]:
    sql = (
        "SELECT id, village_id, name, retired FROM village_groups "
        "WHERE village_id = ? AND deleted = 0"
    )
    if not include_retired:
        sql += " AND retired = 0"
    rows = store.conn.execute(sql + " ORDER BY sort, name", (village_id,))
    return [VillageGroup(r[0], r[1], r[2], bool(r[3])) for r in rows]


def _check_unique_group(
    tx: Transaction, village_id: str, name: str, except_id: str | None = None
) -> None:
    row = tx.conn.execute(
        "SELECT 1 FROM village_groups WHERE village_id = ? AND name = ? AND deleted = 0 "
        "AND id IS NOT ?",
        (village_id, name, except_id),
    ).fetchone()
    if row:
        raise ValidationError(f"这个村已经有“{name}”，请换一个名称。", field="name")


def add_group(tx: Transaction, village_id: str, name: str) -> str:
    name = check_village_name(name)
    if not tx.conn.execute(
        "SELECT 1 FROM villages WHERE id = ? AND deleted = 0", (village_id,)
    ).fetchone():
        raise ValidationError("找不到这个村（社区），请刷新后重试。", field="village_id")
    _check_unique_group(tx, village_id, name)
    order = tx.conn.execute(
        "SELECT coalesce(max(sort), 0) + 1 FROM village_groups WHERE village_id = ?",
        (village_id,),
    ).fetchone()[0]
    return records.insert(
        tx, "village_groups", {"village_id": village_id, "name": name, "sort": order}
    )


def rename_group(tx: Transaction, group_id: str, name: str) -> None:
    name = check_village_name(name)
    row = tx.conn.execute(
        "SELECT village_id FROM village_groups WHERE id = ?", (group_id,)
    ).fetchone()
    if row is None:
        raise ValidationError("找不到这个村民小组，请刷新后重试。")
    _check_unique_group(tx, row[0], name, except_id=group_id)
    records.update(tx, "village_groups", group_id, {"name": name})


def set_group_retired(tx: Transaction, group_id: str, retired: bool) -> None:
    records.update(tx, "village_groups", group_id, {"retired": int(retired)})


def own_village_ids(store: Store, codes: tuple[str, ...] | list[str]) -> list[str]:
    """The ids of the villages with these codes (a worker's), in the order given."""
    if not codes:
        return []
    marks = ",".join("?" for _ in codes)
    found = dict(store.conn.execute(
        f"SELECT code, id FROM villages WHERE deleted = 0 AND code IN ({marks})", list(codes)))
    return [found[code] for code in codes if code in found]


def names_of(store: Store, codes: Iterable[str]) -> str:
    """Villages by name (a code the town does not know, as itself), 、-separated."""
    names = []
    for code in codes:
        found = village_by_code(store, code)
        names.append(found.name if found else code)
    return "、".join(names)


def scope_condition(profile: Profile, alias: str = "t") -> tuple[str, list[Any]]:
    """" AND …" keeping a worker to the records of their villages (``alias``.village_id); the
    town sees all."""
    if profile.is_town or not profile.villages:
        return "", []
    marks = ",".join("?" for _ in profile.villages)
    return (f" AND {alias}.village_id IN (SELECT id FROM villages WHERE code IN ({marks}))",
            list(profile.villages))
