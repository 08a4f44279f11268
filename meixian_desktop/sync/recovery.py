"""Recovering a worker's forgotten password through the town office, and only there.

1. Whenever the town's public key is known (a town package taken in), the laptop seals its data
   key to it and keeps that copy in its vault (``town``): no one on the laptop can open it.
2. A worker who forgot the password makes a *recovery request* (a small file, on a stick or on
   the laptop itself): the town-sealed copy plus a fresh one-time X25519 public key; the
   private half stays in the laptop's vault.
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


def write_request(data_dir: Path, folder: Path, worker: str = "") -> Path:
    """A recovery request for the town office; the one-time private key stays in the vault."""
    found = vault.read_vault(data_dir)
    copy = (found or {}).get("town")
    if not copy:
        raise SyncError("这台电脑还没有导入过镇里的资料包，镇里无法帮助恢复。"
                        "请联系镇综治中心。")
    one_time = X25519PrivateKey.generate()
    private = one_time.private_bytes(RAW, serialization.PrivateFormat.Raw,
                                     serialization.NoEncryption())
    public = one_time.public_key().public_bytes(RAW, serialization.PublicFormat.Raw)
    vault.update(data_dir, recovery={"one_time_private": private.hex()})
    request = {"kind": REQUEST_KIND, "device_id": copy["device_id"], "worker": worker[:40],
               "town_copy": copy, "answer_to": public.hex()}
    path = folder / f"恢复申请-{copy['device_id'][:8]}{REQUEST_SUFFIX}"
    _write(path, request)
    return path


def requester(store: Store, request_path: Path) -> str:
    """(Town) Who a request says it is from, as the clerk checks it: the worker the town knows
    for that laptop, else the name typed in the request."""
    from meixian_desktop.store import devices

    request = _read(request_path, REQUEST_KIND)
    known = devices.get(store, str(request.get("device_id") or ""))
    if known is not None:
        return f"{known.worker}（设备指纹 {known.fingerprint}）"
    return f"{str(request.get('worker') or '不明')[:40]}（镇里没有这台电脑的记录）"


def answer_request(store: Store, town: DeviceKeys, request_path: Path, folder: Path,
                   clerk: str) -> Path:
    """(Town) Open a request with the town's key and write the one-time answer; the clerk must
    have checked the worker's identity first. Recorded in the audit log."""
    from meixian_desktop.store import audit, devices

    request = _read(request_path, REQUEST_KIND)
    try:
        copy = request["town_copy"]
        device_id = str(request["device_id"])
        answer_to = bytes.fromhex(str(request["answer_to"]))
        data_key = unseal(copy["sealing"], base64.b64decode(copy["data"]), town.encryption,
                          CONTEXT + device_id.encode())
    except SyncFileError as exc:
        raise SyncError("这份恢复申请不是给本镇的，或者已被改动，不能办理。") from exc
    except (KeyError, TypeError, ValueError) as exc:
        raise SyncError("恢复申请文件格式不对，请让网格员重新制作。") from exc
    if len(answer_to) != 32:
        raise SyncError("恢复申请文件格式不对，请让网格员重新制作。")
    known = devices.get(store, device_id)
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
    hold it, and destroy the one-time key. The caller then has the worker set a password."""
    answer = _read(answer_path, ANSWER_KIND)
    found = vault.read_vault(data_dir) or {}
    pending = (found.get("recovery") or {}).get("one_time_private")
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
    vault.update(data_dir, recovery=None)
    vault.remember(data_dir, data_key)
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
