"""The hub against floods, stalled uploads and fresh keys, with the health check answering all
the while; and the worker showing the hub's own words for a full disk (issue 13)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from meixian_desktop.core.ids import uuid7
from meixian_desktop.store import settings as settings_store
from meixian_desktop.sync.http import outbox_dir, push
from meixian_desktop.sync.keys import DeviceKeys
from meixian_desktop.sync.outbox import EXPORTED, record_state
from tests.hub.conftest import BATCHES, error_of, healthy, post
from tests.hub.test_hub import _records
from tests.hub.test_hub_faults import _head, _leftovers
from tests.sync.homes import Home, connect, patrol
from tests.sync.test_import_refusals import signed_batch


def _answer(raw: socket.socket) -> bytes:
    """One whole answer (head and its Content-Length of body), without waiting for a close."""
    answer = b""
    while b"\r\n\r\n" not in answer and (chunk := raw.recv(65536)):
        answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    while len(body) < length and (chunk := raw.recv(65536)):
        body += chunk
    return head + b"\r\n\r\n" + body


def test_a_flood_from_one_address_is_refused_before_its_body_is_read(
        town: Home, hub_for) -> None:  # type: ignore[no-untyped-def]
    hub = hub_for("--per-address", "5")
    answers = [post(hub.url + BATCHES, b"not a batch")[0] for _ in range(5)]
    assert answers == [422] * 5
    # The sixth announces 100 MB and sends none of it: refused at once, nothing waited for.
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", hub.port), timeout=10) as raw:
        raw.sendall(_head(hub.port, 100 * 1024 * 1024))
        head, _, body = _answer(raw).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 429"), head
    assert "频繁" in error_of(body) and time.monotonic() - started < 5
    assert healthy(hub.url) and not _leftovers(hub)


def test_fresh_keys_from_one_address_hold_at_most_the_set_number_of_devices(
        tmp_path: Path, town: Home, worker: Home, hub_for) -> None:  # type: ignore[no-untyped-def]
    with town.store.transaction():
        settings_store.put(town.store, "sync_max_held_devices", 3)
    hub = hub_for("--per-address", "100", "--per-minute", "100")
    stick = tmp_path / "stick"
    connect(town, worker, stick)
    statuses = []
    for _ in range(8):
        keys = DeviceKeys(X25519PrivateKey.generate(), Ed25519PrivateKey.generate())
        path = signed_batch(stick, keys, town.keys.encryption_public, uuid7(), b"x" * 1000)
        statuses.append(post(hub.url + BATCHES, path.read_bytes()))
        path.unlink()
    assert [s[0] for s in statuses] == [202] * 3 + [422] * 5
    assert "上限" in error_of(statuses[-1][2])
    held = town.store.conn.execute("SELECT count(*) FROM held_batches").fetchone()[0]
    assert held == 3 and healthy(hub.url)


def test_a_stalled_upload_is_dropped_and_the_hub_keeps_answering(
        town: Home, hub_for) -> None:  # type: ignore[no-untyped-def]
    hub = hub_for("--body-idle", "1")
    with socket.create_connection(("127.0.0.1", hub.port), timeout=15) as raw:
        raw.sendall(_head(hub.port, 50_000) + b"PK\x03\x04 only the start")
        assert healthy(hub.url)  # answering while the upload stalls
        started = time.monotonic()
        head, _, body = _answer(raw).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408"), head
    assert "停住" in error_of(body) and time.monotonic() - started < 10
    assert not _leftovers(hub) and healthy(hub.url)


@contextmanager
def _hub_answering(status: int, message: str) -> Iterator[str]:
    """A stand-in hub: healthy, and answering every upload with ``status`` and ``message``."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _send(self, code: int, body: dict[str, object]) -> None:
            data = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            self._send(200, {"ok": True, "version": "x", "max_body": 10**9})

        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers["Content-Length"]))
            self._send(status, {"error": message})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_full_town_disk_is_told_in_the_hubs_words_and_the_batch_waits(worker: Home) -> None:
    sent = _records(worker, patrol(worker, findings=1))
    words = "镇里服务器的磁盘满了，收不下这一批。"
    with _hub_answering(507, words) as url:
        result = push(worker.store, worker.keys, worker.profile, worker.paths, url, timeout=5)
    assert result.sent == 0 and result.retry_after
    assert any(words in line for line in result.lines), result.lines
    assert not any("看不懂" in line for line in result.lines)
    assert len(list(outbox_dir(worker.paths).glob("*.mxsync"))) == 1
    assert {record_state(worker.store, t, i) for t, i in sent} == {EXPORTED}


def test_a_batch_whose_receipt_fails_is_set_aside_and_the_next_goes(worker: Home) -> None:
    patrol(worker, findings=1)
    with _hub_answering(200, "not a receipt") as url:
        first = push(worker.store, worker.keys, worker.profile, worker.paths, url, timeout=5)
    assert first.failed == 1 and "放到一边" in " ".join(first.lines)
    assert list((outbox_dir(worker.paths) / "bad_receipt").glob("*.mxsync"))
    assert not list(outbox_dir(worker.paths).glob("*.mxsync"))  # the queue is not stuck
