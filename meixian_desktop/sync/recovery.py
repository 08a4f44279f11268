"""Recovering a worker's forgotten password through the town office, and only there.

1. Whenever the town's public key is known (a town package taken in), the laptop seals its data
   key to it and keeps that copy in its vault (``town``): no one on the laptop can open it. The
   copy also travels in every batch, and the town keeps the latest one per laptop: if the
   laptop's vault is damaged or lost, the town's copy still recovers the data.
2. A worker who forgot the password makes a *recovery request* (a small file, on a stick or on
   the laptop itself): the town-sealed copy plus a fresh one-time X25519 public key; the
   private half stays in the laptop's vault (or, when the vault is damaged, beside it in
   ``keys/recovery.json``; the clerk then picks the laptop from the town's device list).
3. At the town office, after the clerk has checked the worker's identity, the town's app opens
   the request with the town's private key and writes a *recovery answer*: the data key sealed
   to the one-time key. The audit log records who answered for which laptop.
4. The laptop opens the answer with its one-time key (then destroys that key, so the answer
   works once), checks the key opens its database, and the worker sets a new password.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from meixian_desktop.store import vault
from meixian_desktop.store.database import Store, connect
from meixian_desktop.store.errors import StoreError
from meixian_desktop.store.files import write_atomic
from meixian_desktop.sync.errors import SyncError
from meixian_desktop.sync.keys import DeviceKeys
from meixian_desktop.sync.sealing import SyncFileError, seal, unseal

REQUEST_KIND = "meixian recovery request"
ANSWER_KIND = "meixian recovery answer"
REQUEST_SUFFIX = ".mxrecq"
ANSWER_SUFFIX = ".mxreca"
CONTEXT = b"meixian data key"
MAX_FILE_BYTES = 64 * 1024
RAW = serialization.Encoding.Raw


def seal_for_town(store: Store, town_public: bytes) -> None:
    """Keep the data key sealed to the town's key in this laptop's vault (for recovery)."""
    data_dir = vault.home_of(store.path)
    header, sealed = seal(store.key, town_public, CONTEXT + store.device_id().encode())
    found = vault.read_vault(data_dir) or {}
    copy = {"device_id": store.device_id(), "town_public": town_public.hex(),
            "sealing": header, "data": base64.b64encode(sealed).decode("ascii")}
    if found.get("town") == copy or (found.get("town") or {}).get("town_public") == copy[
            "town_public"]:
        return  # already sealed to this town's key
    vault.update(data_dir, town=copy)


RECOVERY_FILE = "recovery.json"  # the one-time key when the vault itself is damaged


def open_town_copy(copy: dict[str, Any], town: DeviceKeys, device_id: str) -> bytes:
    """(Town) The data key inside a copy sealed to this town for this laptop."""
    try:
        return unseal(copy["sealing"], base64.b64decode(copy["data"]), town.encryption,
                      CONTEXT + device_id.encode())
    except SyncFileError as exc:
        raise SyncError("这份钥匙副本不是给本镇的，或者已被改动，不能办理。") from exc
    except (KeyError, TypeError, ValueError) as exc:
        raise SyncError("钥匙副本格式不对。") from exc


def write_request(data_dir: Path, folder: Path, worker: str = "") -> Path:
    """A recovery request for the town office; the one-time private key stays on the laptop.
    Works with a damaged vault too: the town then answers from its own copy."""
    try:
        found = vault.read_vault(data_dir) or {}
        damaged = not found
    except vault.VaultDamaged:
        found, damaged = {}, True
    copy = found.get("town")
    if not copy and not damaged:
        raise SyncError("这台电脑还没有导入过镇里的资料包，镇里无法帮助恢复。"
                        "请联系镇综治中心。")
    one_time = X25519PrivateKey.generate()
    private = one_time.private_bytes(RAW, serialization.PrivateFormat.Raw,
                                     serialization.NoEncryption()).hex()
    public = one_time.public_key().public_bytes(RAW, serialization.PublicFormat.Raw)
    device_id = str((copy or {}).get("device_id") or "")
    if damaged:
        write_atomic(data_dir / "keys" / RECOVERY_FILE,
                     json.dumps({"one_time_private": private}).encode("ascii"), private=True)
    else:
        vault.update(data_dir, recovery={"one_time_private": private})
    request = {"kind": REQUEST_KIND, "device_id": device_id, "worker": worker[:40],
               "town_copy": copy or None, "answer_to": public.hex()}
    path = folder / f"恢复申请-{(device_id or '钥匙损坏')[:8]}{REQUEST_SUFFIX}"
    _write(path, request)
    return path


def requester(store: Store, request_path: Path, chosen_device: str = "") -> str:
    """(Town) Who the answer would be for, as the clerk checks it: the worker the town knows
    for the request's laptop (or, when the request names none, for ``chosen_device``)."""
    from meixian_desktop.store import devices

    request = _read(request_path, REQUEST_KIND)
    known = devices.get(store, str(request.get("device_id") or "") or chosen_device)
    if known is not None:
        return f"{known.worker}（设备指纹 {known.fingerprint}）"
    return f"{str(request.get('worker') or '不明')[:40]}（申请里没有可认的设备，请在设备名单里选中这台电脑）"


def answer_request(store: Store, town: DeviceKeys, request_path: Path, folder: Path,
                   clerk: str, *, device_id: str = "") -> Path:
    """(Town) Open a request with the town's key (or, when the laptop's own copy is gone, the
    copy its last batch brought: ``device_id`` names the laptop then) and write the one-time
    answer; the clerk must have checked the worker's identity first. Audit-logged."""
    from meixian_desktop.store import audit, devices

    request = _read(request_path, REQUEST_KIND)
    device_id = str(request.get("device_id") or "") or device_id
    try:
        answer_to = bytes.fromhex(str(request["answer_to"]))
    except (KeyError, ValueError) as exc:
        raise SyncError("恢复申请文件格式不对，请让网格员重新制作。") from exc
    if len(answer_to) != 32 or not device_id:
        raise SyncError("恢复申请里没有设备：请在设备名单里选中这位网格员的电脑再办理。"
                        if len(answer_to) == 32 else "恢复申请文件格式不对，请让网格员重新制作。")
    copy = request.get("town_copy")
    if not isinstance(copy, dict):
        kept = devices.key_copy(store, device_id)
        if not kept:
            raise SyncError("镇里没有这台电脑的钥匙副本（它还没有交过批次），无法恢复。")
        copy = json.loads(kept)
    known = devices.get(store, device_id)
    if known is not None and known.status == devices.REVOKED:
        raise SyncError("这台电脑已被停用，不能恢复。如果是误停，请先在设备名单里重新批准它。")
    data_key = open_town_copy(copy, town, device_id)
    worker = known.worker if known is not None else str(request.get("worker") or "")
    header, sealed = seal(data_key, answer_to, CONTEXT + device_id.encode())
    answer = {"kind": ANSWER_KIND, "device_id": device_id, "sealing": header,
              "data": base64.b64encode(sealed).decode("ascii")}
    path = folder / f"恢复文件-{device_id[:8]}{ANSWER_SUFFIX}"
    _write(path, answer)
    with store.transaction():
        audit.record(store, clerk, "recovery", table="devices", record_id=device_id,
                     detail=f"为 {worker or device_id} 办理密码恢复")
    return path


def apply_answer(data_dir: Path, answer_path: Path) -> bytes:
    """Open the town's answer with the one-time key, check the key opens this laptop's data,
    hold it (a damaged vault is rebuilt around it), and destroy the one-time key. The caller
    then has the worker set a password."""
    answer = _read(answer_path, ANSWER_KIND)
    aside = data_dir / "keys" / RECOVERY_FILE
    try:
        found = vault.read_vault(data_dir) or {}
    except vault.VaultDamaged:
        found = {}
    pending = (found.get("recovery") or {}).get("one_time_private")
    if not pending and aside.exists():
        try:
            pending = json.loads(aside.read_text(encoding="ascii"))["one_time_private"]
        except (OSError, ValueError, KeyError):
            pending = None
    if not pending:
        raise SyncError("这台电脑没有待办的恢复申请（恢复文件只能用一次）。请重新制作恢复申请。")
    one_time = X25519PrivateKey.from_private_bytes(bytes.fromhex(pending))
    device_id = str(answer.get("device_id") or "")
    try:
        data_key = unseal(answer["sealing"], base64.b64decode(answer["data"]), one_time,
                          CONTEXT + device_id.encode())
    except (SyncFileError, KeyError, TypeError, ValueError) as exc:
        raise SyncError("这份恢复文件不是给这台电脑的这次申请的，不能使用。") from exc
    database = data_dir / "meixian.db"
    try:
        connect(database, readonly=True, key=data_key).close()
    except StoreError as exc:
        raise SyncError("恢复文件里的钥匙打不开这台电脑的数据，请联系镇综治中心。") from exc
    if found:
        vault.update(data_dir, recovery=None)
        vault.remember(data_dir, data_key)
    else:
        vault.rebuild(data_dir, data_key)
    aside.unlink(missing_ok=True)
    return data_key


def _write(path: Path, content: dict[str, Any]) -> None:
    try:
        path.write_text(json.dumps(content, ensure_ascii=False, indent=1), encoding="utf-8")
    except OSError as exc:
        raise SyncError(f"无法写入“{path}”：{exc.strerror or exc}。") from exc


def _read(path: Path, kind: str) -> dict[str, Any]:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise SyncError(f"“{path.name}”不是恢复用的文件（太大）。")
        content = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SyncError(f"读不到“{path}”：{exc.strerror or exc}。") from exc
    except ValueError as exc:
        raise SyncError(f"“{path.name}”不是恢复用的文件，或已损坏。") from exc
    if not isinstance(content, dict) or content.get("kind") != kind:
        raise SyncError(f"“{path.name}”不是{'恢复申请' if kind == REQUEST_KIND else '恢复文件'}。")
    return content
