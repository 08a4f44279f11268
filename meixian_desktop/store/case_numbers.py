"""Case numbers in the database: blocks the town grants, the next free number, provisional
numbers a worker uses when its blocks run out, and the town confirming them."""

from __future__ import annotations

from dataclasses import dataclass

from meixian_desktop.core.case_numbers import (
    BLOCK_SIZE,
    NumberBlock,
    format_number,
    lowest_free,
    next_block_start,
    provisional_number,
)
from meixian_desktop.core.errors import RecordInvalid, ValidationError
from meixian_desktop.store import audit, records
from meixian_desktop.store import profile as profile_store
from meixian_desktop.store import settings as settings_store
from meixian_desktop.store.database import Store, Transaction

TABLE = "case_number_blocks"


@dataclass(frozen=True)
class CaseNumber:
    """A number given to a case: its text, and either its sequence or its provisional count."""

    text: str
    year: int
    seq: int | None
    provisional: bool
    provisional_seq: int | None
    device_id: str


def _is_town(store: Store) -> bool:
    profile = profile_store.load(store)
    return profile is not None and profile.is_town


def pattern(store: Store) -> str:
    return str(settings_store.get(store, "case_number_pattern"))


def blocks(store: Store, year: int, device_id: str | None = None) -> list[NumberBlock]:
    """The blocks of ``year`` (of one device when given), lowest first."""
    sql = ('SELECT device_id, year, "first", "last", id FROM case_number_blocks '
           "WHERE year = ? AND deleted = 0")
    params: list[object] = [year]
    if device_id is not None:
        sql += " AND device_id = ?"
        params.append(device_id)
    return [NumberBlock(*row) for row in store.conn.execute(sql + ' ORDER BY "first"', params)]


def grant_block(tx: Transaction, device_id: str, year: int, size: int = BLOCK_SIZE
                ) -> NumberBlock:
    """The town hands the next free block of ``size`` numbers of ``year`` to a device."""
    store = tx.store
    if not _is_town(store):
        raise ValidationError("只有镇级可以分配调解案号号段。", field="case_number_blocks")
    if size < 1 or not device_id.strip():
        raise ValueError("a block needs a device and at least one number")
    existing = blocks(store, year)
    first = next_block_start(existing)
    last = first + size - 1
    if any(block.overlaps(first, last) for block in existing):  # never, unless data is bad
        raise RecordInvalid({"case_number_blocks": f"{year}年的号段 {first}–{last} 与已分配的重叠。"})
    block_id = records.insert(tx, TABLE, {"device_id": device_id, "year": year,
                                          "first": first, "last": last})
    audit.record(store, "镇级", "change", table=TABLE, record_id=block_id,
                 detail=f"分配{year}年调解案号 {first}–{last}")
    return NumberBlock(device_id, year, first, last, block_id)


def used_numbers(store: Store, year: int) -> set[int]:
    """Every sequence number of ``year`` a case holds, live or deleted."""
    rows = store.conn.execute(
        "SELECT number_seq FROM cases WHERE number_year = ? AND number_seq IS NOT NULL",
        (year,))
    return {row[0] for row in rows}


def _from_blocks(tx: Transaction, year: int, device_id: str) -> int | None:
    return lowest_free(blocks(tx.store, year, device_id), used_numbers(tx.store, year))


def final_number(tx: Transaction, year: int) -> CaseNumber | None:
    """The lowest free number of this device's blocks for ``year``; the town grants itself a
    new block when its own are used up. None for a worker with no free number."""
    store = tx.store
    device = store.device_id()
    n = _from_blocks(tx, year, device)
    if n is None and _is_town(store):
        grant_block(tx, device, year)
        n = _from_blocks(tx, year, device)
    if n is None:
        return None
    return CaseNumber(format_number(pattern(store), year, n), year, n, False, None, device)


def next_number(tx: Transaction, year: int) -> CaseNumber:
    """A number for a new case of ``year``: from the blocks, else provisional."""
    found = final_number(tx, year)
    if found is not None:
        return found
    device = tx.store.device_id()
    last = tx.conn.execute(
        "SELECT max(provisional_seq) FROM cases WHERE number_year = ? AND number_device = ? "
        "AND provisional_seq IS NOT NULL", (year, device)).fetchone()[0]
    k = (last or 0) + 1
    return CaseNumber(provisional_number(pattern(tx.store), year, device, k), year, None, True,
                      k, device)


def number_columns(number: CaseNumber) -> dict[str, object]:
    """The case columns a number fills."""
    return {"number": number.text, "number_year": number.year, "number_seq": number.seq,
            "number_provisional": int(number.provisional),
            "provisional_seq": number.provisional_seq, "number_device": number.device_id}


def confirm_provisional(tx: Transaction, case_id: str, actor: str = "镇级") -> str:
    """The town replaces a merged case's provisional number by one of its own blocks; the
    provisional number is kept in ``provisional_number`` (still searchable). Returns it."""
    store = tx.store
    if not _is_town(store):
        raise ValidationError("只有镇级可以确认临时案号。", field="number")
    row = tx.conn.execute(
        "SELECT number, number_year, number_provisional FROM cases WHERE id = ? AND deleted = 0",
        (case_id,)).fetchone()
    if row is None:
        raise RecordInvalid({"number": "找不到这个案件。"})
    if not row[2]:
        raise RecordInvalid({"number": f"案号“{row[0]}”已经是正式案号。"})
    number = final_number(tx, int(row[1]))
    assert number is not None  # the town always grants itself a block
    records.update(tx, "cases", case_id, {
        "number": number.text, "number_seq": number.seq, "number_provisional": 0,
        "provisional_number": row[0]})
    audit.record(store, actor, "change", table="cases", record_id=case_id,
                 detail=f"临时案号 {row[0]} 确认为 {number.text}")
    return number.text


def provisional_cases(store: Store) -> list[str]:
    """Ids of live cases still carrying a provisional number, oldest first."""
    rows = store.conn.execute(
        "SELECT id FROM cases WHERE number_provisional = 1 AND deleted = 0 "
        "ORDER BY registered_on, rowid")
    return [row[0] for row in rows]
