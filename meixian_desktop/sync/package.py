"""The town package (资料包, ``.mxref``): the town's keys and reference data for every worker,
and for each approved device, sealed to its own key, the households, 督促监护令 and cases of
its villages."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlcipher3 import dbapi2 as sqlite3

from meixian_desktop.core import clock
from meixian_desktop.core.errors import ValidationError
from meixian_desktop.core.profile import Profile
from meixian_desktop.store import devices, settings
from meixian_desktop.store.database import Store, now_iso
from meixian_desktop.store.devices import APPROVED
from meixian_desktop.sync.container import PACKAGE_SUFFIX, open_signed, write_signed
from meixian_desktop.sync.errors import SyncError
from meixian_desktop.sync.keys import DeviceKeys, fingerprint
from meixian_desktop.sync.merge import APPLIED, CONFLICT, Merger
from meixian_desktop.sync.outbox import _base
from meixian_desktop.sync.recovery import seal_for_town
from meixian_desktop.sync.sealing import SyncFileError, seal, unseal
from meixian_desktop.sync.validate import TOWN_OWNED, check_envelope

_IN_VILLAGES = "village_id IN ({v})"
_OF_HOUSEHOLDS = "household_id IN (SELECT id FROM households WHERE village_id IN ({v}))"
_OF_ORDERS = "order_id IN (SELECT id FROM orders WHERE village_id IN ({v}))"
_OF_CASES = "case_id IN (SELECT id FROM cases WHERE village_id IN ({v}))"
# What the town hands each worker: the records of the worker's villages, parents first.
ASSIGNED: dict[str, str] = {
    "households": _IN_VILLAGES, "members": _OF_HOUSEHOLDS, "measures": _OF_HOUSEHOLDS,
    "visits": _OF_HOUSEHOLDS, "orders": _IN_VILLAGES, "order_services": _OF_ORDERS,
    "order_followups": _OF_ORDERS, "order_events": _OF_ORDERS, "cases": _IN_VILLAGES,
    "case_parties": _OF_CASES, "case_events": _OF_CASES,
}


class DeviceRevoked(SyncError):
    """The town's package says this laptop is revoked: its data key is to be destroyed."""


def _revoked(roster: Any, device_id: str) -> bool:
    return isinstance(roster, list) and any(
        isinstance(entry, dict) and entry.get("device_id") == device_id
        and entry.get("status") == devices.REVOKED for entry in roster)


def _take_policy(store: Store, policy: Any) -> None:
    """The town's rules for every laptop (the idle lock); a value out of range is ignored."""
    if not isinstance(policy, dict):
        return
    for key in ("lock_minutes",):
        if key in policy:
            try:
                settings.put(store, key, policy[key])
            except ValidationError:
                pass


@dataclass(frozen=True)
class PackageApplied:
    """A town package taken in."""

    version: str
    town_name: str
    reference: int
    assigned: int
    conflicts: int
    newer_already: bool = False

    @property
    def line(self) -> str:
        if self.newer_already:
            return "本机已有同样新或更新的镇里资料包，没有变化。"
        text = (f"已导入{self.town_name}的资料包：基础资料 {self.reference} 条，"
                f"分给本机的记录 {self.assigned} 条")
        return text + (f"，其中 {self.conflicts} 条与本机的修改冲突，已保留待核对。"
                       if self.conflicts else "。")


def _rows(conn: sqlite3.Connection, table: str, where: str = "", params: tuple = ()
          ) -> list[dict[str, Any]]:
    cursor = conn.execute(f"SELECT * FROM {table} {where}", params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def _envelopes(conn: sqlite3.Connection, table: str, rows: list[dict[str, Any]]
               ) -> list[dict[str, Any]]:
    return [{"table": table, "row": row, "base": _base(conn, table, row)} for row in rows]


def assigned_records(store: Store, village_codes: tuple[str, ...]) -> list[dict[str, Any]]:
    """The records of these villages the town hands to their worker."""
    conn = store.conn
    ids = [r[0] for r in conn.execute(
        f"SELECT id FROM villages WHERE code IN ({','.join('?' for _ in village_codes)})",
        village_codes)] if village_codes else []
    if not ids:
        return []
    marks = ",".join("?" for _ in ids)
    out: list[dict[str, Any]] = []
    for table, condition in ASSIGNED.items():
        out += _envelopes(conn, table, _rows(conn, table, "WHERE " + condition.format(v=marks),
                                             tuple(ids)))
    return out


def package_version(store: Store) -> str:
    """What the package would hold, as a version that grows with it, read without writing: the
    town's last clock stamp (any record it wrote or took in) and its last device decision (a
    newly approved laptop gets its own section), then how many laptops are revoked (a laptop
    revoked in the same second as an approval still gets a newer package, which tells it).
    Two exports with nothing between are equal; versions compare as text, so each part is
    followed by a separator that sorts below the digits (a package made before any decision
    stays older than every one after)."""
    decided, revoked = store.conn.execute(
        "SELECT max(decided_at), sum(status = ?) FROM devices", (devices.REVOKED,)).fetchone()
    return f"{store.meta('hlc_last') or ''}|{decided or ''}#{revoked or 0}"


def export_package(store: Store, town: DeviceKeys, profile: Profile, folder: Path) -> Path:
    """Write the town package into ``folder``: one file for every worker."""
    if not profile.is_town:
        raise SyncError("只有镇级才能导出资料包。")
    conn = store.conn
    reference = [e for table in sorted(TOWN_OWNED, key=_creation_order(conn))
                 for e in _envelopes(conn, table, _rows(conn, table))]
    roster, sections = [], {}
    for device in devices.all_devices(store):
        roster.append({"device_id": device.device_id, "worker": device.worker,
                       "fingerprint": device.fingerprint, "villages": list(device.villages),
                       "status": device.status})
        if device.status != APPROVED:
            continue
        plain = json.dumps(assigned_records(store, device.villages),
                           ensure_ascii=False).encode("utf-8")
        header, sealed = seal(plain, bytes.fromhex(device.encryption_public),
                              device.device_id.encode())
        sections[device.device_id] = {"sealing": header,
                                      "data": base64.b64encode(sealed).decode("ascii")}
    version = package_version(store)
    policy = {"lock_minutes": settings.get(store, "lock_minutes")}
    manifest = {"version": version, "town_device_id": store.device_id(),
                "town_name": profile.town_name, "created_at": now_iso(),
                "town_encryption_public_hex": town.encryption_public.hex(),
                "reference": len(reference), "devices": len(sections)}
    body = json.dumps({"reference": reference, "roster": roster, "sections": sections,
                       "policy": policy}, ensure_ascii=False).encode("utf-8")
    name = f"镇资料包-{version[:13]}{PACKAGE_SUFFIX}"
    return write_signed(folder, "package", manifest, body, signer=town, name=name,
                        suffix=PACKAGE_SUFFIX)


def _creation_order(conn: sqlite3.Connection) -> Any:
    order = {row[0]: row[1] for row in conn.execute("SELECT name, rowid FROM record_kinds")}
    return lambda table: order.get(table, 0)


def _signer_fingerprint(manifest: dict[str, Any]) -> str:
    """The fingerprint of the key a signed file's manifest names as its signer."""
    return fingerprint(base64.b64decode(str(manifest.get("signer_signing_public", ""))))


def package_fingerprint(path: Path) -> str:
    """The fingerprint of the key that signed a town package (its signature checked): what the
    worker compares, the first time, with the one the town office reads out."""
    try:
        return _signer_fingerprint(open_signed(path, "package", signer_public=None).manifest)
    except SyncFileError as exc:
        raise SyncError(exc.message) from exc
    except ValueError as exc:
        raise SyncError("资料包内容格式不对，可能来自其他程序或已损坏。") from exc


def town_fingerprint(store: Store) -> str:
    """The fingerprint of the town key this laptop trusts, "" before the first package."""
    stored = store.meta("town_signing_public")
    return fingerprint(bytes.fromhex(stored)) if stored else ""


def import_package(store: Store, keys: DeviceKeys, path: Path, *,
                   today: date | None = None,
                   confirm: Callable[[str], bool] | None = None) -> PackageApplied:
    """Take in a newer town package. The first time, ``confirm`` is shown the signing key's
    fingerprint and must say it is the one the town office read out; afterwards only that key
    is trusted, and a package signed by another is refused with both fingerprints named."""
    stored_key = store.meta("town_signing_public")
    try:
        opened = open_signed(path, "package",
                             signer_public=bytes.fromhex(stored_key) if stored_key else None)
    except SyncFileError as exc:
        if exc.reason == "wrong_signer":
            raise SyncError(
                f"这个资料包是另一把密钥（指纹 {package_fingerprint(path)}）签发的，不是本机认定的"
                f"镇里密钥（指纹 {town_fingerprint(store)}）。可能是伪造的，没有导入。"
                "请向镇里核实。") from exc
        raise SyncError(exc.message) from exc
    manifest = opened.manifest
    if not stored_key:
        found = _signer_fingerprint(manifest)
        if confirm is None or not confirm(found):
            raise SyncError(f"第一次导入资料包，要先核对镇里的密钥指纹（{found}）"
                            "和镇里念给你的是否一致。")
    try:
        version, town_id = str(manifest["version"]), str(manifest["town_device_id"])
        town_name = str(manifest.get("town_name", "镇里"))[:40]
        encryption_hex = str(manifest["town_encryption_public_hex"])
        signing_hex = base64.b64decode(str(manifest["signer_signing_public"])).hex()
        body = json.loads(opened.body)
        reference = [check_envelope(e) for e in body["reference"]]
        section = body["sections"].get(store.device_id())
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise SyncError("资料包内容格式不对，可能来自其他程序或已损坏。") from exc
    if town_id == store.device_id():
        raise SyncError("这是本机自己导出的资料包，网格员的电脑才需要导入。")
    current = store.meta("town_package_version") or ""
    if current and current >= version:  # an older package (re-approved since?) says nothing
        return PackageApplied(version, town_name, 0, 0, 0, newer_already=True)
    if _revoked(body.get("roster"), store.device_id()):
        raise DeviceRevoked(f"{town_name}已经停用了这台电脑（可能报告了丢失）。为保护数据，"
                            "这台电脑上的数据钥匙将被销毁，数据再也打不开。"
                            "如有疑问请联系镇综治中心。")
    assigned: list[tuple[str, dict[str, Any], str | None]] = []
    if section is not None:
        try:
            plain = unseal(section["sealing"], base64.b64decode(section["data"]),
                           keys.encryption, store.device_id().encode())
            assigned = [check_envelope(e) for e in json.loads(plain)]
        except SyncFileError as exc:
            raise SyncError(exc.message) from exc
        except (KeyError, TypeError, ValueError) as exc:
            raise SyncError("资料包里给本机的部分已损坏，请让镇里重新导出。") from exc
    day = today or clock.today()
    with store.transaction() as tx:
        for key, value in (("town_signing_public", signing_hex),
                           ("town_encryption_public", encryption_hex),
                           ("town_device_id", town_id), ("town_name", town_name),
                           ("town_package_version", version),
                           ("town_roster", json.dumps(body.get("roster", []),
                                                      ensure_ascii=False))):
            tx.conn.execute("INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) "
                            "DO UPDATE SET value = excluded.value", (key, value))
        _take_policy(store, body.get("policy"))
        merger = Merger(tx, sender=town_id, batch_id=f"package-{version}", today=day,
                        authoritative=TOWN_OWNED, relayed=True)
        changed = [merger.apply(*item) for item in reference]
        mine = [merger.apply(*item) for item in assigned]
    seal_for_town(store, bytes.fromhex(encryption_hex))  # so the town can help if need be
    return PackageApplied(version, town_name, sum(1 for o in changed if o.outcome == APPLIED),
                          sum(1 for o in mine if o.outcome == APPLIED),
                          sum(1 for o in mine if o.outcome == CONFLICT and not o.kept))
