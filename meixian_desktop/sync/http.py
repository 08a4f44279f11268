"""Sending batches to the town's hub when it can be reached: the same files as on a USB stick,
over HTTP; receipts applied as they come back; a newer town package fetched."""

from __future__ import annotations

import http.client
import json
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from meixian_desktop.core.profile import Profile
from meixian_desktop.core.progress import Progress
from meixian_desktop.paths import Paths
from meixian_desktop.store.database import Store
from meixian_desktop.sync.errors import NothingToSend, SyncError
from meixian_desktop.sync.keys import DeviceKeys
from meixian_desktop.sync.outbox import export_batch, waiting_counts
from meixian_desktop.sync.receipts import ReceiptApplied, apply_receipt
from meixian_desktop.sync.signed_requests import signed_headers

TIMEOUT = 30.0


@dataclass
class Pushed:
    """What one push did: a line per batch, and whether the hub could be reached at all."""

    reachable: bool = True
    lines: list[str] = field(default_factory=list)
    sent: int = 0
    acknowledged: int = 0
    failed: int = 0
    retry_after: int | None = None
    held: bool = False  # the hub keeps this laptop's batches until the town approves it
    revoked: str = ""  # the town revoked this laptop (its package says so): why

    @property
    def summary(self) -> str:
        if not self.reachable:
            return "镇里服务器不可达，将自动重试。"
        if self.held:
            return "已送到镇里，等镇里批准本机后导入。"
        if self.failed:
            return f"同步时有 {self.failed} 批没有成功：{self.lines[-1] if self.lines else ''}"
        return f"已同步 {self.sent} 批" if self.sent else "没有需要同步的新记录"


class HubUnreachable(Exception):
    """No answer from the hub (no network, wrong address, hub down, half-open connection)."""


def outbox_dir(paths: Paths) -> Path:
    return paths.data_dir / "sync" / "outbox"


def _request(url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None,
             timeout: float = TIMEOUT) -> tuple[int, dict[str, str], bytes]:
    method = "POST" if data is not None else "GET"
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        try:
            body = exc.read()
        except (OSError, http.client.HTTPException):  # an error page cut short
            body = b""
        return exc.code, dict(exc.headers or {}), body
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as exc:
        # HTTPException: an answer that is not HTTP at all, or cut short.
        raise HubUnreachable(str(exc)) from exc


def _message(body: bytes) -> str:
    try:
        return str(json.loads(body)["error"])
    except (ValueError, KeyError, TypeError):
        return "镇里服务器的回答看不懂（可能地址填错了，连到了别的网站）。"


def _from_hub(body: bytes) -> bool:
    """Whether an error answer is the hub's own (JSON with an ``error``)."""
    try:
        return isinstance(json.loads(body).get("error"), str)
    except (ValueError, AttributeError):
        return False


def reachable(url: str, timeout: float = 5.0) -> bool:
    """Whether the hub answers its health check."""
    return _health(url.rstrip("/"), timeout) is not None


def _health(base: str, timeout: float) -> dict[str, object] | None:
    """The hub's health answer (with the largest batch it takes), or None if no hub answers."""
    try:
        status, _headers, body = _request(base + "/v1/health", timeout=timeout)
        answer = json.loads(body)
    except (HubUnreachable, ValueError):
        return None
    return answer if status == 200 and isinstance(answer, dict) and answer.get("ok") is True \
        else None


def push(store: Store, keys: DeviceKeys, profile: Profile, paths: Paths, url: str, *,
         progress: Progress | None = None, timeout: float = TIMEOUT) -> Pushed:
    """Send what is queued (a new batch for new records first), apply the receipts, then fetch
    a newer town package. An interrupted upload is simply sent again next time: the town
    counts a batch once however often it arrives."""
    base = url.rstrip("/")
    result = Pushed()
    folder = outbox_dir(paths)
    folder.mkdir(parents=True, exist_ok=True)
    _queue(store, keys, profile, paths, folder, new_only=True)
    if not _send_outbox(store, base, folder, result, progress, timeout):
        return result
    # Records still unconfirmed with nothing queued (their batch went on a lost USB stick):
    # send everything not yet confirmed, once. Not after a batch was set aside: the same
    # records would only be set aside again.
    if (not result.failed and waiting_counts(store)
            and _queue(store, keys, profile, paths, folder, new_only=False)):
        if not _send_outbox(store, base, folder, result, progress, timeout):
            return result
    _fetch_package(store, keys, base, result, timeout)
    return result


def _queue(store: Store, keys: DeviceKeys, profile: Profile, paths: Paths, folder: Path,
           *, new_only: bool) -> bool:
    """Export a batch into the outbox; False when there is nothing to send."""
    try:
        export_batch(store, keys, profile, paths.attachments_dir, folder, new_only=new_only)
    except NothingToSend:
        return False
    return True


def _send_outbox(store: Store, base: str, folder: Path, result: Pushed,
                 progress: Progress | None, timeout: float) -> bool:
    """POST every queued batch, oldest first; False when the rest must wait for later."""
    health = _health(base, timeout)
    if health is None:
        result.reachable = False
        return False
    limit = health.get("max_body")
    files = sorted(folder.glob("*.mxsync"))
    for number, path in enumerate(files):
        if progress is not None:
            progress.step(number, len(files), "发送")
        size = path.stat().st_size
        if isinstance(limit, int) and size > limit:  # the hub would cut the upload off
            result.failed += 1
            result.lines.append(
                f"{path.name}：文件有 {size / 1024**2:.1f} MB，镇里服务器最多收 "
                f"{limit / 1024**2:.1f} MB。这批记录请用U盘交给镇里（同步页“导出到U盘”）。")
            _set_aside(folder, path, "too_large")
            continue
        try:
            status, headers, body = _request(
                f"{base}/v1/batches", data=path.read_bytes(),
                headers={"Content-Type": "application/octet-stream"}, timeout=timeout)
        except HubUnreachable:
            result.reachable = False
            return False
        if status == 200:
            try:
                applied = _apply_receipt_bytes(store, body)
            except SyncError as exc:  # set aside: the batches after it must not wait behind it
                result.failed += 1
                result.lines.append(f"{path.name}：回执有问题 — {exc.message}"
                                    "这一批已放到一边，记录仍未确认，下次会重新交。")
                _set_aside(folder, path, "bad_receipt")
                continue
            result.sent += 1
            result.acknowledged += applied.acknowledged
            result.lines.append(f"{path.name}：{applied.line}")
            path.unlink(missing_ok=True)
        elif status == 202:
            result.held = True
            result.lines.append(f"{path.name}：已送到，等镇里批准本机后导入。")
            return False
        elif status == 429 or status >= 500:  # the hub's trouble, not the batch's: try later
            wait = str(headers.get("Retry-After", ""))
            result.retry_after = int(wait) if wait.isdigit() else 30
            result.lines.append(f"{path.name}：{_message(body)}")
            return False
        elif not _from_hub(body):  # some other web server answered: the address is wrong
            result.failed += 1
            result.lines.append(f"{path.name}：{_message(body)}")
            return False
        else:  # refused for good: set aside so it does not block the batches after it
            result.failed += 1
            result.lines.append(f"{path.name}：拒收 — {_message(body)}")
            _set_aside(folder, path, "refused")
    return True


def _set_aside(folder: Path, path: Path, why: str) -> None:
    """Move a batch out of the queue so it does not block the ones after it; its records stay
    unconfirmed and go by the next USB export."""
    aside = folder / why
    aside.mkdir(exist_ok=True)
    path.replace(aside / path.name)


def _apply_receipt_bytes(store: Store, body: bytes) -> ReceiptApplied:
    with tempfile.TemporaryDirectory() as temp:
        receipt = Path(temp) / "receipt.mxack"
        receipt.write_bytes(body)
        return apply_receipt(store, receipt)


def _fetch_package(store: Store, keys: DeviceKeys, base: str, result: Pushed,
                   timeout: float) -> None:
    from meixian_desktop.sync.package import DeviceRevoked, import_package

    path = "/v1/town-package"
    headers = signed_headers(keys, store.device_id(), "GET", path)
    current = store.meta("town_package_version")
    if current:  # the hub answers 304 when nothing changed: no download, nothing re-applied
        headers["X-Meixian-Package-Version"] = current
    try:
        status, _headers, body = _request(base + path, headers=headers, timeout=timeout)
    except HubUnreachable:
        result.reachable = False
        return
    if status == 304:
        return
    if status != 200:
        if status != 403:  # not approved yet: nothing to say beyond the batch lines
            result.lines.append(f"资料包：{_message(body)}")
        return
    with tempfile.TemporaryDirectory() as temp:
        package = Path(temp) / "town.mxref"
        package.write_bytes(body)
        try:
            applied = import_package(store, keys, package)
        except DeviceRevoked as exc:
            result.revoked = exc.message
            result.lines.append(exc.message)
            return
        except SyncError as exc:
            result.lines.append(f"资料包：{exc.message}")
            return
    if applied.reference or applied.assigned or applied.conflicts:
        result.lines.append(applied.line)
