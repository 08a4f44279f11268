"""meixian-hub's web application: batches in (the same import as from a USB stick), receipts
out, the town package to devices that prove who they are, and a health check."""

from __future__ import annotations

import asyncio
import errno
import logging
import shutil
import tempfile
import threading
import time
import uuid
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from meixian_desktop import __version__
from meixian_desktop.paths import Paths
from meixian_desktop.store.database import Store
from meixian_desktop.store.errors import DiskFull, StorageUnavailable
from meixian_desktop.sync.container import read_manifest
from meixian_desktop.sync.inbox import ALREADY, HELD, IMPORTED, import_batch
from meixian_desktop.sync.keys import DeviceKeys, load_keys
from meixian_desktop.sync.sealing import SyncFileError
from meixian_desktop.sync.signed_requests import RequestRefused, check_signed_request

log = logging.getLogger("meixian.hub")
RECEIPT_TYPE = "application/vnd.meixian.receipt"
PACKAGE_TYPE = "application/vnd.meixian.package"
UPLOAD_NAME = "网络上传.mxsync"
PACKAGE_VERSION_HEADER = "x-meixian-package-version"  # the worker's: 304 when it is current


@dataclass(frozen=True)
class Limits:
    """What one hub takes: body size, requests per address and per device per minute, how long
    an upload may stall or last, how long it waits for the one database writer."""

    max_body: int = 512 * 1024 * 1024
    per_minute: int = 30
    per_address: int = 60
    writer_wait: float = 20.0
    retry_after: int = 10
    body_idle: float = 30.0  # seconds without a byte of the body: the upload is dropped
    body_total: float = 30 * 60.0  # an upload slower than this (17 MB at 10 kB/s) is dropped
    connections: int = 64  # uvicorn's limit_concurrency: more get 503 at once


@dataclass
class _Hub:
    paths: Paths
    keys: DeviceKeys
    limits: Limits
    writer: threading.Lock = field(default_factory=threading.Lock)
    calls: dict[str, list[float]] = field(default_factory=dict)
    nonces: dict[str, float] = field(default_factory=dict)
    guard: threading.Lock = field(default_factory=threading.Lock)

    def allowed(self, key: str, per_minute: int | None = None) -> bool:
        """A sliding one-minute window of requests per device (or address)."""
        now = time.monotonic()
        limit = self.limits.per_minute if per_minute is None else per_minute
        with self.guard:
            if len(self.calls) > 10_000:  # forget callers quiet for a minute: bounded memory
                self.calls = {k: v for k, v in self.calls.items() if v and now - v[-1] < 60}
            recent = [t for t in self.calls.get(key, []) if now - t < 60]
            if len(recent) >= limit:
                self.calls[key] = recent
                return False
            self.calls[key] = [*recent, now]
            return True


def _error(status: int, message: str, **headers: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def create_app(paths: Paths, limits: Limits | None = None) -> Starlette:
    """The hub for the town's data folder ``paths``."""
    hub = _Hub(paths, load_keys(paths.keys_dir), limits or Limits())
    incoming = paths.data_dir / "sync" / "incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    for stale in incoming.iterdir():  # uploads cut off when the hub last stopped (a crash)
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
        else:
            stale.unlink(missing_ok=True)

    async def health(request: Request) -> JSONResponse:
        # max_body: a worker does not start an upload the hub would refuse half-way
        return JSONResponse({"ok": True, "version": __version__,
                             "max_body": hub.limits.max_body})

    async def batches(request: Request) -> Response:
        started = time.monotonic()
        # Before a byte of the body is read.
        if not hub.allowed(f"address|{_host(request)}", hub.limits.per_address):
            return _logged(request, started, _error(
                429, "从这个地址来的上传太频繁，请稍后再试。", **{"Retry-After": "60"}))
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > hub.limits.max_body):
            return _logged(request, started, _error(413, "批次文件太大，镇里服务器不收。"
                                                         "请分几次同步，或用U盘交给镇里。"))
        # One folder per upload and always the same file name: a batch re-sent while its
        # device waits for approval is then held once, not once per try.
        path = incoming / uuid.uuid4().hex / UPLOAD_NAME
        path.parent.mkdir()
        try:
            size = await _receive(request, path, hub.limits)
            if size is None:
                return _logged(request, started, _error(413, "批次文件太大，镇里服务器不收。"))
            try:
                device = str(read_manifest(path).get("device_id", ""))[:64]
            except SyncFileError as exc:
                return _logged(request, started, _error(422, exc.message))
            if not hub.allowed(_caller(request, device)):
                return _logged(request, started, _error(
                    429, "这台电脑同步得太频繁，请稍后再试。", **{"Retry-After": "60"}), device)
            response = await run_in_threadpool(_import, hub, path)
            return _logged(request, started, response, device)
        except ClientDisconnect:
            log.info("POST /v1/batches dropped by the client mid-body")
            return Response(status_code=400)
        except TimeoutError:
            return _logged(request, started, _error(
                408, "上传太慢或中途停住了，镇里服务器没有收下。网络好一些时会自动重发。"))
        except OSError as exc:  # the town's disk: full, or the folder cannot be written
            log.warning("POST /v1/batches could not be stored: %s", exc)
            return _logged(request, started, _disk_error(exc))
        finally:
            path.unlink(missing_ok=True)
            path.with_name(path.name + ".part").unlink(missing_ok=True)
            with suppress(OSError):
                path.parent.rmdir()

    async def town_package(request: Request) -> Response:
        started = time.monotonic()
        try:
            device = await run_in_threadpool(_check_device, hub, request)
        except RequestRefused as exc:
            return _logged(request, started, _error(exc.status, exc.message))
        if not hub.allowed(_caller(request, device)):
            return _logged(request, started, _error(429, "请求太频繁，请稍后再试。",
                                                    **{"Retry-After": "60"}), device)
        have = request.headers.get(PACKAGE_VERSION_HEADER, "")
        data = await run_in_threadpool(_package, hub, have)
        if data == b"":  # the device has this package already
            return _logged(request, started, Response(status_code=304), device)
        if data is None:
            return _logged(request, started, _error(
                503, "镇里服务器正忙，稍后会自动重试。",
                **{"Retry-After": str(hub.limits.retry_after)}), device)
        return _logged(request, started, Response(data, media_type=PACKAGE_TYPE), device)

    return Starlette(routes=[
        Route("/v1/health", health, methods=["GET"]),
        Route("/v1/batches", batches, methods=["POST"]),
        Route("/v1/town-package", town_package, methods=["GET"]),
    ])


async def _receive(request: Request, path: Path, limits: Limits) -> int | None:
    """Stream the body to ``path`` (never all in memory); None when it passes the size limit.
    TimeoutError when a chunk does not come within ``body_idle`` or the whole takes longer
    than ``body_total``: a stalled upload must not hold a connection and a file for ever."""
    partial = path.with_name(path.name + ".part")
    size = 0
    deadline = time.monotonic() + limits.body_total
    chunks = request.stream().__aiter__()
    with open(partial, "wb") as handle:
        while True:
            wait = min(limits.body_idle, deadline - time.monotonic())
            if wait <= 0:
                raise TimeoutError("upload took too long")
            try:
                chunk = await asyncio.wait_for(chunks.__anext__(), wait)
            except StopAsyncIteration:
                break
            size += len(chunk)
            if size > limits.max_body:
                return None
            handle.write(chunk)
    partial.replace(path)
    return size


def _disk_error(exc: OSError) -> JSONResponse:
    """507 for a full disk, 503 for anything else the town's machine refuses to store."""
    if exc.errno == errno.ENOSPC:
        return _error(507, "镇里服务器的磁盘满了，收不下这一批。记录都还在本机，会稍后自动重发；"
                           "请告诉镇里清理磁盘。")
    return _error(503, "镇里服务器暂时存不下这一批，会稍后自动重发。",
                  **{"Retry-After": "60"})


def _import(hub: _Hub, path: Path) -> Response:
    """One import at a time: the others wait for the writer, then are asked to come back."""
    if not hub.writer.acquire(timeout=hub.limits.writer_wait):
        return _error(503, "镇里服务器正在导入别的批次，请稍后自动重试。",
                      **{"Retry-After": str(hub.limits.retry_after)})
    try:
        with Store.open(hub.paths.database) as store:
            result = import_batch(store, hub.keys, path, hub.paths.held_batches_dir,
                                  hub.paths.attachments_dir)
            if result.status == HELD:
                return JSONResponse({"status": "held", "message": result.message},
                                    status_code=202)
            if result.status not in (IMPORTED, ALREADY):
                return _error(422, result.message)
            from meixian_desktop.sync.receipts import write_receipt

            with tempfile.TemporaryDirectory() as folder:
                receipt = write_receipt(store, hub.keys, result.batch_id, Path(folder))
                return Response(receipt.read_bytes(), media_type=RECEIPT_TYPE,
                                headers={"X-Meixian-Result": result.status})
    except DiskFull:
        return _disk_error(OSError(errno.ENOSPC, "disk full"))
    except StorageUnavailable:  # the town's app holds the database
        return _error(503, "镇里的数据文件正忙，这一批稍后会自动重发。",
                      **{"Retry-After": str(hub.limits.retry_after)})
    except OSError as exc:
        log.warning("an import could not write: %s", exc)
        return _disk_error(exc)
    except Exception:  # our bug: logged with its traceback, told as a sentence, never a bare 500
        log.exception("an import failed")
        return _error(500, "镇里服务器导入这一批时出了错（已记入服务器日志）。记录都还在本机；"
                           "请告诉镇里技术人员。")
    finally:
        hub.writer.release()


def _check_device(hub: _Hub, request: Request) -> str:
    """The device asking for the town package; a revoked one gets it too: its roster is how the
    laptop learns it was revoked (and destroys its key), and it holds nothing for that laptop."""
    with Store.open(hub.paths.database, readonly=True) as store:
        return check_signed_request(store, request.method, request.url.path,
                                    dict(request.headers), hub.nonces, hub.guard,
                                    revoked_too=True)


def _package(hub: _Hub, have: str) -> bytes | None:
    """The town package; b"" when ``have`` is already its version, None when the database is
    busy. Made by reading only, so it does not wait for the one writer."""
    from meixian_desktop.store import profile as profile_store
    from meixian_desktop.sync.package import export_package, package_version

    try:
        with Store.open(hub.paths.database, readonly=True) as store:
            if have and have == package_version(store):
                return b""
            profile = profile_store.load(store)
            assert profile is not None and profile.is_town
            with tempfile.TemporaryDirectory() as folder:
                return export_package(store, hub.keys, profile, Path(folder)).read_bytes()
    except StorageUnavailable:
        return None


def _host(request: Request) -> str:
    return request.client.host if request.client is not None else ""


def _caller(request: Request, device: str) -> str:
    """The rate limit's key: the device as its request claims, from this network address, so
    nobody elsewhere can use up a laptop's quota by naming its device."""
    return f"{_host(request)}|{device}"


def _logged(request: Request, started: float, response: Response, device: str = "") -> Response:
    """One log line per request, with no personal data: the device id's first characters."""
    log.info("%s %s %s %.0fms device=%s", request.method, request.url.path,
             response.status_code, (time.monotonic() - started) * 1000, device[:8])
    return response
