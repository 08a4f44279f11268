"""Requests a device signs to prove who it is (the town package over HTTP): device id, time and
a one-time nonce under an Ed25519 signature, so a recorded request cannot be replayed."""

from __future__ import annotations

import base64
import os
import threading
from collections.abc import Mapping

from meixian_desktop.core import clock
from meixian_desktop.store import devices
from meixian_desktop.store.database import Store
from meixian_desktop.store.devices import APPROVED
from meixian_desktop.sync.keys import DeviceKeys
from meixian_desktop.sync.sealing import SyncFileError, verify

DEVICE, TIME, NONCE, SIGNATURE = ("x-meixian-device", "x-meixian-time", "x-meixian-nonce",
                                  "x-meixian-signature")
MAX_SKEW = 300  # seconds a request's clock may differ from the hub's


class RequestRefused(Exception):
    """A signed request the hub does not accept: HTTP status and a Chinese message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def message(method: str, path: str, device_id: str, at: str, nonce: str) -> bytes:
    return f"{method.upper()}\n{path}\n{device_id}\n{at}\n{nonce}".encode()


def signed_headers(keys: DeviceKeys, device_id: str, method: str, path: str,
                   now: float | None = None) -> dict[str, str]:
    """The headers that make a request this device's own, once."""
    at, nonce = str(int(now if now is not None else clock.now().timestamp())), os.urandom(16).hex()
    signature = keys.signing.sign(message(method, path, device_id, at, nonce))
    return {DEVICE: device_id, TIME: at, NONCE: nonce,
            SIGNATURE: base64.b64encode(signature).decode("ascii")}


def check_signed_request(store: Store, method: str, path: str, headers: Mapping[str, str],
                         seen: dict[str, float], guard: threading.Lock,
                         now: float | None = None, *, revoked_too: bool = False) -> str:
    """The approved device that signed this request, or RequestRefused; with ``revoked_too`` a
    revoked device is let through too (it fetches the package that tells it so)."""
    lower = {k.lower(): v for k, v in headers.items()}
    device_id, at, nonce = lower.get(DEVICE, ""), lower.get(TIME, ""), lower.get(NONCE, "")
    if not (device_id and at.isdigit() and 16 <= len(nonce) <= 64 and lower.get(SIGNATURE)):
        raise RequestRefused(401, "请求没有本机的签名，镇里服务器不认。")
    current = now if now is not None else clock.now().timestamp()
    if abs(current - int(at)) > MAX_SKEW:
        raise RequestRefused(401, "本机时间和镇里服务器相差超过 5 分钟，请校准电脑时间后再试。")
    device = devices.get(store, device_id)
    # An unknown device id and a known one with a wrong signature get the same answer: the
    # hub does not tell a stranger which device ids exist.
    try:
        if device is None:
            raise ValueError("unknown device")
        signature = base64.b64decode(lower[SIGNATURE], validate=True)
        verify(message(method, path, device_id, at, nonce), signature,
               bytes.fromhex(device.signing_public))
    except (SyncFileError, ValueError) as exc:
        raise RequestRefused(401, "请求的签名不对，或这台电脑还没有在镇里登记，镇里服务器不认。"
                                  "请先用U盘交一批记录，等镇里批准。") from exc
    if device.status != APPROVED and not (revoked_too and device.status == devices.REVOKED):
        raise RequestRefused(403, "这台电脑还没有被镇里批准（或已停用），请先用U盘交一批记录，"
                                  "等镇里批准。")
    with guard:
        for old in [n for n, t in seen.items() if current - t > 2 * MAX_SKEW]:
            del seen[old]
        if nonce in seen:
            raise RequestRefused(401, "这个请求已经用过一次（可能是被截获后重放），镇里服务器不认。")
        seen[nonce] = current
    return device_id
