"""Faults between a laptop and the hub: a connection dropped mid-upload, the hub killed -9
mid-import and restarted, a hub that never answers or answers garbage, an oversized body, too
many requests, the town's database busy. Nothing is lost or applied twice; the retry lands."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlcipher3 import dbapi2 as sqlite3

from meixian_desktop.hub.app import UPLOAD_NAME
from meixian_desktop.sync.http import outbox_dir, push, reachable
from meixian_desktop.sync.outbox import ACKNOWLEDGED, EXPORTED, record_state
from tests.databases import raw_connection
from tests.hub.conftest import (
    BATCHES,
    Hub,
    approve,
    error_of,
    integrity,
    post,
    queue,
    town_records,
    town_state,
)
from tests.hub.test_hub import _at_town, _records
from tests.sync.homes import Home, patrol


def _push(worker: Home, url: str, timeout: float = 20.0):  # type: ignore[no-untyped-def]
    return push(worker.store, worker.keys, worker.profile, worker.paths, url, timeout=timeout)


def _until(check, seconds: float = 15.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.01)
    return bool(check())


def _leftovers(hub: Hub) -> list[Path]:
    return list(hub.incoming.rglob("*"))


def _head(port: int, length: int, extra: str = "") -> bytes:
    return (f"POST {BATCHES} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Content-Type: application/octet-stream\r\nContent-Length: {length}\r\n{extra}"
            "\r\n").encode("ascii")


def test_a_connection_dropped_mid_upload_applies_nothing_and_the_retry_counts_exactly(
        town: Home, worker: Home, hub: Hub) -> None:
    approve(town, worker)
    sent = [record for _ in range(100)  # notes that do not compress: a body of some size
            for record in _records(worker, patrol(worker, os.urandom(150).hex(), findings=4))]
    data = queue(worker).read_bytes()
    assert len(data) > 30_000, len(data)
    before = town_state(town.paths)

    def receiving() -> bool:  # the hub has written part of the body to its temp file
        return any(p.stat().st_size >= 8_192 for p in hub.incoming.rglob(UPLOAD_NAME + ".part"))

    with socket.create_connection(("127.0.0.1", hub.port)) as raw:
        raw.sendall(_head(hub.port, len(data)) + data[: len(data) // 2])
        assert _until(receiving), _leftovers(hub)
    # Closed with half the body sent.
    assert _until(lambda: not _leftovers(hub)), _leftovers(hub)
    assert town_state(town.paths) == before
    assert {record_state(worker.store, t, i) for t, i in sent} == {EXPORTED}

    result = _push(worker, hub.url)
    assert result.sent == 1 and result.acknowledged == 500 and result.failed == 0, result.lines
    assert _at_town(town, sent) == [1] * 500
    after = town_state(town.paths)
    assert (after["patrols"], after["findings"], after["imported_batches"]) == (
        before["patrols"] + 100, before["findings"] + 400, before["imported_batches"] + 1)
    assert {record_state(worker.store, t, i) for t, i in sent} == {ACKNOWLEDGED}


PATROLS, FINDINGS = 150, 19  # 3,000 records: an import long enough to be killed inside


def _kill_inside_the_import(hub: Hub, database: Path, fired: list[str]) -> None:
    """Wait for the whole upload, then for the import's write transaction, then SIGKILL."""
    if not _until(lambda: any(hub.incoming.rglob(UPLOAD_NAME)), 60):
        fired.append("the upload never arrived")
        return
    probe = raw_connection(database, timeout=0, isolation_level=None)
    try:
        def writing() -> bool:
            try:
                probe.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:
                return True  # the hub holds the write lock: mid-import
            probe.execute("ROLLBACK")
            return False
        if not _until(writing, 60):
            fired.append("the import never started")
            return
        hub.kill()
        fired.append("killed")
    finally:
        probe.close()


@pytest.mark.slow
def test_a_hub_killed_mid_import_restarts_and_the_retry_lands_every_record_once(
        town: Home, worker: Home, hub: Hub) -> None:
    approve(town, worker)
    for number in range(PATROLS):
        patrol(worker, f"第{number}次巡查", findings=FINDINGS)
    queue(worker)
    before = town_state(town.paths)
    fired: list[str] = []
    killer = threading.Thread(target=_kill_inside_the_import,
                              args=(hub, town.paths.database, fired))
    killer.start()
    cut = _push(worker, hub.url, timeout=60)
    killer.join()

    assert fired == ["killed"] and not cut.reachable and cut.sent == 0, (fired, cut)
    assert integrity(town.paths) == "ok"
    now = town_state(town.paths)
    added = PATROLS * (FINDINGS + 1)
    whole = {**before, "patrols": before["patrols"] + PATROLS,
             "findings": before["findings"] + PATROLS * FINDINGS,
             "imported_batches": before["imported_batches"] + 1}
    picked = ("patrols", "findings", "imported_batches")
    assert {k: now[k] for k in picked} in ({k: before[k] for k in picked},
                                           {k: whole[k] for k in picked}), "half a batch"
    assert len(list(outbox_dir(worker.paths).glob("*.mxsync"))) == 1  # kept to send again

    hub.start()  # the same port
    assert not _leftovers(hub)  # the cut-off upload was cleared at start
    result = _push(worker, hub.url, timeout=60)
    assert result.reachable and result.sent == 1 and result.failed == 0, result.lines
    assert result.acknowledged == added
    rows, distinct, _batches = town_records(town.paths)
    assert rows == distinct == whole["patrols"] + whole["findings"]
    assert {k: town_state(town.paths)[k] for k in picked} == {k: whole[k] for k in picked}
    assert integrity(town.paths) == "ok"
    assert list(outbox_dir(worker.paths).glob("*.mxsync")) == []
    assert [tuple(r) for r in worker.store.conn.execute(
        "SELECT DISTINCT state FROM sync_state")] == [(ACKNOWLEDGED,)]


@contextmanager
def _server(answer: bytes | None) -> Iterator[str]:
    """A plain socket server on 127.0.0.1: reads each request whole, then sends ``answer``
    and closes; with None it accepts and never reads or answers (a half-open hub)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def serve(conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                           if line.lower().startswith(b"content-length:")), 0)
            while len(body) < length:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                body += chunk
            assert answer is not None
            conn.sendall(answer)

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            if answer is None:
                held.append(conn)
            else:
                threading.Thread(target=serve, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        listener.close()


GARBAGE = {
    "200 and random bytes": b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + os.urandom(4096),
    "not HTTP at all": os.urandom(64).replace(b"\n", b"x") + b"\r\n\r\n",
    "cut short": b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\nPK\x03\x04",
    "an error cut short": b"HTTP/1.1 500 Oops\r\nContent-Length: 100000\r\n\r\n{",
    "503 saying when in words": b"HTTP/1.1 503 Busy\r\nRetry-After: soon\r\n"
                                b"Content-Length: 3\r\n\r\nbad",
    "a web page": b"HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n"
                  b"Content-Length: 21\r\n\r\n<html>not here</html>",
}


@pytest.mark.parametrize("answer", [None, *GARBAGE], ids=["half-open", *GARBAGE])
def test_a_hub_that_never_answers_or_answers_garbage_loses_nothing(
        worker: Home, answer: str | None) -> None:
    sent = _records(worker, patrol(worker, findings=2))
    with _server(None if answer is None else GARBAGE[answer]) as url:
        assert not reachable(url, timeout=1)
        started = time.monotonic()
        result = _push(worker, url, timeout=1.0)
        took = time.monotonic() - started

    assert took < 5, took
    assert result.sent == 0 and result.acknowledged == 0
    assert not result.reachable or result.failed or result.retry_after, result
    assert result.summary  # something to show in the status bar
    if answer is None:
        assert not result.reachable and "不可达" in result.summary
    waiting = list(outbox_dir(worker.paths).rglob("*.mxsync"))
    assert len(waiting) == 1, waiting  # nothing lost: the batch waits (or is set aside) ...
    assert {record_state(worker.store, t, i) for t, i in sent} == {EXPORTED}  # ... unconfirmed
    if answer in ("200 and random bytes", "503 saying when in words", "an error cut short"):
        assert waiting[0].parent == outbox_dir(worker.paths)  # not the batch's fault


def test_a_body_over_the_limit_is_refused_with_413(town: Home, hub_for) -> None:  # type: ignore[no-untyped-def]
    hub = hub_for("--max-body-mb", "1")
    before = town_state(town.paths)
    with socket.create_connection(("127.0.0.1", hub.port), timeout=10) as raw:
        raw.sendall(_head(hub.port, 2 * 1024 * 1024))
        answer = b""
        while chunk := raw.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413"), head
    assert "太大" in error_of(body)
    assert town_state(town.paths) == before and not _leftovers(hub)


def test_too_many_requests_from_one_laptop_get_429_with_retry_after(
        town: Home, worker: Home, hub_for) -> None:  # type: ignore[no-untyped-def]
    hub = hub_for("--per-minute", "3")
    approve(town, worker)
    sent = _records(worker, patrol(worker, findings=1))
    data = queue(worker).read_bytes()
    answers = [post(hub.url + BATCHES, data) for _ in range(4)]
    assert [a[0] for a in answers] == [200, 200, 200, 429]
    assert [a[1].get("x-meixian-result") for a in answers[:3]] == [
        "imported", "duplicate", "duplicate"]
    status, headers, body = answers[3]
    assert headers["retry-after"].isdigit() and int(headers["retry-after"]) > 0
    assert "频繁" in error_of(body)
    assert _at_town(town, sent) == [1, 1]


@pytest.mark.slow
def test_a_busy_town_database_gets_503_and_the_batch_goes_later(
        town: Home, worker: Home, hub: Hub) -> None:
    approve(town, worker)
    sent = _records(worker, patrol(worker, findings=1))
    before = town_state(town.paths)
    # The town's app writing for longer than SQLite's 5 s wait.
    holder = raw_connection(town.paths.database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        busy = _push(worker, hub.url, timeout=30)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert busy.reachable and busy.sent == 0 and busy.failed == 0, busy.lines
    assert busy.retry_after and busy.retry_after > 0
    assert "正忙" in busy.lines[0]
    assert len(list(outbox_dir(worker.paths).glob("*.mxsync"))) == 1
    assert town_state(town.paths) == before

    result = _push(worker, hub.url)
    assert result.sent == 1 and result.failed == 0, result.lines
    assert _at_town(town, sent) == [1, 1]
    assert json.loads(json.dumps(result.lines))  # plain text lines for the status bar


def test_a_batch_bigger_than_the_hub_takes_is_set_aside_for_the_stick(
        town: Home, worker: Home, hub_for, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from meixian_desktop.store.attachments import add_photo

    hub = hub_for("--max-body-mb", "1")
    approve(town, worker)
    patrol(worker, "带大照片的巡查")
    photo = tmp_path / "big.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0" + os.urandom(1_500_000))  # 1.5 MB: over the limit
    with worker.store.transaction() as tx:
        add_photo(tx, worker.paths.attachments_dir, photo)
    before = town_state(town.paths)
    started = time.monotonic()
    result = _push(worker, hub.url, timeout=5.0)
    assert time.monotonic() - started < 10  # no upload cut off and retried for ever
    assert result.reachable and result.failed == 1
    assert "U盘" in result.lines[0] and "最多收 1.0 MB" in result.lines[0]
    assert not list(outbox_dir(worker.paths).glob("*.mxsync"))
    assert len(list((outbox_dir(worker.paths) / "too_large").glob("*.mxsync"))) == 1
    assert town_state(town.paths) == before
    from meixian_desktop.sync.outbox import waiting_counts

    assert waiting_counts(worker.store)  # still unconfirmed: they go by the next USB export
