"""The town's list of worker devices: first seen with their key fingerprint, approved once,
revokable."""

from __future__ import annotations

import json
from dataclasses import dataclass

from meixian_desktop.store.database import Store, now_iso

PENDING, APPROVED, REVOKED = "pending", "approved", "revoked"
STATUS_LABELS = {PENDING: "待批准", APPROVED: "已批准", REVOKED: "已停用"}


@dataclass(frozen=True)
class Device:
    """A worker's laptop as the town knows it."""

    device_id: str
    worker: str
    phone: str
    villages: tuple[str, ...]
    signing_public: str  # hex
    encryption_public: str  # hex
    fingerprint: str
    status: str
    first_seen: str
    decided_at: str | None = None
    decided_by: str = ""

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)


_COLUMNS = ("device_id, worker, phone, villages, signing_public, encryption_public, "
            "fingerprint, status, first_seen, decided_at, decided_by")


def _device(row: tuple) -> Device:
    return Device(row[0], row[1], row[2], tuple(json.loads(row[3] or "[]")), row[4], row[5],
                  row[6], row[7], row[8], row[9], row[10])


def get(store: Store, device_id: str) -> Device | None:
    row = store.conn.execute(f"SELECT {_COLUMNS} FROM devices WHERE device_id = ?",
                             (device_id,)).fetchone()
    return _device(row) if row else None


def all_devices(store: Store) -> list[Device]:
    rows = store.conn.execute(f"SELECT {_COLUMNS} FROM devices ORDER BY status, worker")
    return [_device(row) for row in rows]


def matches_fingerprint(typed: str, actual: str) -> bool:
    """Whether a fingerprint typed or read out (spaces and case aside, at least its first 8
    characters) is ``actual``'s."""
    wanted = typed.replace(" ", "").upper()
    return len(wanted) >= 8 and actual.replace(" ", "").upper().startswith(wanted)


def by_fingerprint(store: Store, fingerprint: str) -> list[Device]:
    """The devices whose fingerprint is, or begins with (8 characters or more), the one typed:
    the caller acts only when exactly one matches, and names them all when several do."""
    return [d for d in all_devices(store) if matches_fingerprint(fingerprint, d.fingerprint)]


def by_signing_key(store: Store, signing_public: str) -> Device | None:
    """The device registered with this signing key (hex), whatever its id; None if none."""
    row = store.conn.execute(f"SELECT {_COLUMNS} FROM devices WHERE signing_public = ? "
                             "ORDER BY status = 'revoked' DESC LIMIT 1",
                             (signing_public,)).fetchone()
    return _device(row) if row else None


def register(store: Store, device: Device) -> None:
    """Note a device seen for the first time (pending), inside the caller's transaction."""
    store.conn.execute(
        f"INSERT INTO devices ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(device_id) DO NOTHING",
        (device.device_id, device.worker, device.phone,
         json.dumps(list(device.villages), ensure_ascii=False), device.signing_public,
         device.encryption_public, device.fingerprint, device.status, device.first_seen,
         device.decided_at, device.decided_by))


def update_worker(store: Store, device_id: str, worker: str, phone: str) -> None:
    """Keep the worker's name and phone current with the device's latest batch; its villages
    are the town's to set (``assign``), never the batch's."""
    store.conn.execute("UPDATE devices SET worker = ?, phone = ? WHERE device_id = ?",
                       (worker, phone, device_id))


def assign(store: Store, device_id: str, villages: tuple[str, ...]) -> None:
    """Set the villages (codes) a device's worker is responsible for: the town's decision."""
    with store.transaction():
        store.conn.execute("UPDATE devices SET villages = ? WHERE device_id = ?",
                           (json.dumps(list(villages), ensure_ascii=False), device_id))


def decide(store: Store, device_id: str, status: str, by: str) -> None:
    """Approve or revoke a device."""
    if status not in (APPROVED, REVOKED):
        raise ValueError(status)
    with store.transaction():
        store.conn.execute(
            "UPDATE devices SET status = ?, decided_at = ?, decided_by = ? WHERE device_id = ?",
            (status, now_iso(), by, device_id))


def keep_key_copy(store: Store, device_id: str, copy: str) -> None:
    """(Town) Keep the laptop's data key as sealed to the town (JSON), for recovery."""
    store.conn.execute("UPDATE devices SET key_copy = ? WHERE device_id = ?", (copy, device_id))


def key_copy(store: Store, device_id: str) -> str:
    row = store.conn.execute("SELECT key_copy FROM devices WHERE device_id = ?",
                             (device_id,)).fetchone()
    return str(row[0]) if row else ""
