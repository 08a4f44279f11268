"""A worker's laptop and a real meixian-hub process over real sockets: batches in, receipts
back, the same batch counted once, new devices held, refusals as over a USB stick, and the
town package to a device that signs its request."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from meixian_desktop.core import clock
from meixian_desktop.store import devices
from meixian_desktop.sync.http import outbox_dir, push, reachable
from meixian_desktop.sync.inbox import approve_device
from meixian_desktop.sync.keys import create_keys
from meixian_desktop.sync.outbox import ACKNOWLEDGED, EXPORTED, record_state
from meixian_desktop.sync.package import import_package
from meixian_desktop.sync.receipts import apply_receipt
from meixian_desktop.sync.signed_requests import signed_headers
from tests.hub.conftest import (
    BATCHES,
    PACKAGE,
    Hub,
    approve,
    error_of,
    post,
    queue,
    request,
    town_state,
)
from tests.sync.homes import Home, patrol, trust_town


def _pushed(worker: Home, hub: Hub):  # type: ignore[no-untyped-def]
    return push(worker.store, worker.keys, worker.profile, worker.paths, hub.url, timeout=20)


def _records(worker: Home, patrol_id: str) -> list[tuple[str, str]]:
    """The patrol and its findings, as (table, id)."""
    findings = worker.store.conn.execute("SELECT id FROM findings WHERE patrol_id = ?",
                                         (patrol_id,)).fetchall()
    return [("patrols", patrol_id), *(("findings", r[0]) for r in findings)]


def _at_town(town: Home, records: list[tuple[str, str]]) -> list[int]:
    return [int(town.store.conn.execute(f"SELECT count(*) FROM {table} WHERE id = ?",
                                        (row_id,)).fetchone()[0]) for table, row_id in records]


def test_health_answers_and_a_closed_port_is_not_reachable(hub: Hub) -> None:
    assert reachable(hub.url, timeout=5)
    hub.stop()
    assert not reachable(hub.url, timeout=2)


def test_a_push_puts_the_records_at_the_town_and_brings_the_receipt_back(
        town: Home, worker: Home, hub: Hub) -> None:
    approve(town, worker)
    sent = _records(worker, patrol(worker, "巡河，张汉村王某家门口", findings=2))
    sent += _records(worker, patrol(worker, "第二次", findings=1))
    before = town_state(town.paths)

    result = _pushed(worker, hub)

    assert result.reachable and result.failed == 0, result.lines
    assert result.sent == 1 and result.acknowledged == 5, result.lines
    assert _at_town(town, sent) == [1] * 5
    after = town_state(town.paths)
    assert after["patrols"] == before["patrols"] + 2
    assert after["findings"] == before["findings"] + 3
    assert after["imported_batches"] == before["imported_batches"] + 1
    assert {record_state(worker.store, t, i) for t, i in sent} == {ACKNOWLEDGED}
    assert list(outbox_dir(worker.paths).glob("*.mxsync")) == []
    assert "已同步 1 批" in result.summary
    # One log line per request, with no personal data in it.
    log = hub.log_text()
    assert "POST /v1/batches 200" in log and "GET /v1/town-package 200" in log
    for private in ("李梅", "王某", "13907301234", worker.store.device_id()):
        assert private not in log


def test_the_same_batch_twice_is_counted_once(town: Home, worker: Home, hub: Hub,
                                              tmp_path: Path) -> None:
    approve(town, worker)
    sent = _records(worker, patrol(worker, findings=3))
    batch = queue(worker)
    kept = tmp_path / batch.name
    shutil.copyfile(batch, kept)
    assert _pushed(worker, hub).sent == 1
    settled = town_state(town.paths)

    status, headers, body = post(hub.url + BATCHES, kept.read_bytes())
    assert status == 200 and headers["x-meixian-result"] == "duplicate"
    receipt = tmp_path / "again.mxack"
    receipt.write_bytes(body)
    again = apply_receipt(worker.store, receipt)
    assert again.already and again.acknowledged == 4
    assert town_state(town.paths) == settled

    shutil.copyfile(kept, outbox_dir(worker.paths) / kept.name)  # as if the answer was lost
    result = _pushed(worker, hub)
    assert result.sent == 1 and result.failed == 0, result.lines
    assert town_state(town.paths) == settled
    assert _at_town(town, sent) == [1] * 4
    assert list(outbox_dir(worker.paths).glob("*.mxsync")) == []


def test_a_new_device_is_held_until_the_town_approves_it(town: Home, worker: Home,
                                                          hub: Hub) -> None:
    sent = _records(worker, patrol(worker, findings=2))
    before = town_state(town.paths)
    batch = queue(worker)

    status, _headers, body = post(hub.url + BATCHES, batch.read_bytes())
    assert status == 202
    answer = json.loads(body)
    assert answer["status"] == "held" and "批准" in answer["message"]
    result = _pushed(worker, hub)
    assert result.sent == 0 and "等镇里批准" in result.lines[0]
    assert batch.exists()  # kept for the next try
    assert len(list(town.paths.held_batches_dir.rglob("*.mxsync"))) == 1  # arrived twice
    held = town_state(town.paths)
    assert held["held_batches"] == before["held_batches"] + 1
    assert (held["patrols"], held["findings"]) == (before["patrols"], before["findings"])
    assert devices.get(town.store, worker.store.device_id()).status == devices.PENDING
    assert {record_state(worker.store, t, i) for t, i in sent} == {EXPORTED}

    # The town checks the fingerprint and approves, on a connection of its own.
    approved = approve_device(town.store, town.keys, worker.store.device_id(), "镇综治办",
                              town.paths.held_batches_dir, town.paths.attachments_dir)
    assert [r.status for r in approved] == ["imported"]
    assert list(town.paths.held_batches_dir.rglob("*.mxsync")) == []
    result = _pushed(worker, hub)
    assert result.sent == 1 and result.failed == 0, result.lines
    assert _at_town(town, sent) == [1] * 3
    assert {record_state(worker.store, t, i) for t, i in sent} == {ACKNOWLEDGED}
    assert list(outbox_dir(worker.paths).glob("*.mxsync")) == []


def _truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _flipped(data: bytes) -> bytes:
    """One bit changed inside the sealed payload."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo("payload.bin")
    header = info.header_offset
    name_len = int.from_bytes(data[header + 26:header + 28], "little")
    extra_len = int.from_bytes(data[header + 28:header + 30], "little")
    at = header + 30 + name_len + extra_len + info.compress_size // 2
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]


@pytest.mark.parametrize("spoil", ["truncated", "flipped", "revoked"])
def test_what_the_file_import_refuses_is_refused_over_http(
        town: Home, worker: Home, hub: Hub, spoil: str) -> None:
    approve(town, worker)
    patrol(worker, findings=2)
    data = queue(worker).read_bytes()
    if spoil == "revoked":
        devices.decide(town.store, worker.store.device_id(), devices.REVOKED, "镇综治办")
    else:
        data = _truncated(data) if spoil == "truncated" else _flipped(data)
    before = town_state(town.paths)

    status, _headers, body = post(hub.url + BATCHES, data)

    assert 400 <= status < 500, (status, body)
    message = error_of(body)
    if spoil == "revoked":
        assert "停用" in message
    assert town_state(town.paths) == before
    assert list(hub.incoming.iterdir()) == []


def test_a_revoked_laptop_is_told_why_and_keeps_its_records(town: Home, worker: Home,
                                                            hub: Hub) -> None:
    approve(town, worker)
    sent = _records(worker, patrol(worker, findings=1))
    devices.decide(town.store, worker.store.device_id(), devices.REVOKED, "镇综治办")
    before = town_state(town.paths)

    result = _pushed(worker, hub)

    assert result.reachable and result.sent == 0 and result.failed >= 1
    assert "拒收" in result.lines[0] and "停用" in result.lines[0]
    # The hub still hands it the town's package, whose roster says so: the window then tells
    # the worker and destroys the data key (tests/ui/test_sign_in.py).
    assert "停用" in result.revoked and "销毁" in result.revoked
    assert town_state(town.paths) == before
    assert (outbox_dir(worker.paths) / "refused").is_dir()
    assert ACKNOWLEDGED not in {record_state(worker.store, t, i) for t, i in sent}


def _stranger(tmp_path: Path) -> Callable[[Home], dict[str, str]]:
    def sign(worker: Home) -> dict[str, str]:
        other = create_keys(tmp_path / "stranger-keys")
        return signed_headers(other, worker.store.device_id(), "GET", PACKAGE)
    return sign


def _tampered(worker: Home) -> dict[str, str]:
    headers = signed_headers(worker.keys, worker.store.device_id(), "GET", PACKAGE)
    return {**headers, "X-Meixian-Nonce": "0" * 32}


def test_a_signed_request_gets_a_town_package_the_worker_can_import_once(
        town: Home, worker: Home, hub: Hub, tmp_path: Path) -> None:
    approve(town, worker)
    old_version = worker.store.meta("town_package_version")
    headers = signed_headers(worker.keys, worker.store.device_id(), "GET", PACKAGE)

    status, answer_headers, body = request(hub.url + PACKAGE, headers=headers)

    assert status == 200 and answer_headers["content-type"].startswith(
        "application/vnd.meixian.package")
    package = tmp_path / "from-hub.mxref"
    package.write_bytes(body)
    applied = import_package(worker.store, worker.keys, package, confirm=trust_town)
    assert not applied.newer_already and applied.version > (old_version or "")
    assert worker.store.meta("town_package_version") == applied.version

    # The very same request recorded and sent again.
    status, _headers, body = request(hub.url + PACKAGE, headers=headers)
    assert status == 401 and "用过" in error_of(body)


@pytest.mark.parametrize("case", ["forged", "tampered", "unknown", "clock", "unsigned"])
def test_a_town_package_request_that_does_not_prove_the_device_is_refused(
        town: Home, worker: Home, hub: Hub, tmp_path: Path, case: str) -> None:
    device = worker.store.device_id()
    if case != "unknown":
        approve(town, worker)
    make: dict[str, Callable[[], dict[str, str]]] = {
        "forged": lambda: _stranger(tmp_path)(worker),
        "tampered": lambda: _tampered(worker),
        "unknown": lambda: signed_headers(worker.keys, device, "GET", PACKAGE),
        "clock": lambda: signed_headers(worker.keys, device, "GET", PACKAGE,
                                        now=clock.now().timestamp() - 600),
        "unsigned": lambda: {},
    }
    # An unknown device gets the very answer a forged signature gets: nothing to enumerate.
    expected = {"forged": (401, "签名"), "tampered": (401, "签名"), "unknown": (401, "签名"),
                "clock": (401, "时间"), "unsigned": (401, "签名")}

    status, _headers, body = request(hub.url + PACKAGE, headers=make[case]())

    assert (status, expected[case][1] in error_of(body)) == (expected[case][0], True), body
    if case in ("forged", "unknown"):
        assert "批准" in error_of(body)  # a worker not yet approved is told what to do


def test_a_revoked_device_gets_the_package_that_says_so(
        town: Home, worker: Home, hub: Hub, tmp_path: Path) -> None:
    approve(town, worker)
    device = worker.store.device_id()
    devices.decide(town.store, device, devices.REVOKED, "镇综治办")
    status, _headers, body = request(hub.url + PACKAGE,
                                     headers=signed_headers(worker.keys, device, "GET", PACKAGE))
    assert status == 200
    package = tmp_path / "revoked.mxref"
    package.write_bytes(body)
    from meixian_desktop.sync.package import DeviceRevoked

    with pytest.raises(DeviceRevoked):
        import_package(worker.store, worker.keys, package, confirm=trust_town)


def test_a_device_with_the_current_package_gets_304_and_downloads_nothing(
        town: Home, worker: Home, hub: Hub, tmp_path: Path) -> None:
    approve(town, worker)
    fresh = signed_headers(worker.keys, worker.store.device_id(), "GET", PACKAGE)
    status, _headers, body = request(hub.url + PACKAGE, headers=fresh)
    package = tmp_path / "first.mxref"
    package.write_bytes(body)
    version = import_package(worker.store, worker.keys, package, confirm=trust_town).version

    again = {**signed_headers(worker.keys, worker.store.device_id(), "GET", PACKAGE),
             "X-Meixian-Package-Version": version}
    status, _headers, body = request(hub.url + PACKAGE, headers=again)
    assert status == 304 and body == b""

    patrol(town, "镇里新登记的巡查")  # the town writes: the package grows a newer version
    newer = {**signed_headers(worker.keys, worker.store.device_id(), "GET", PACKAGE),
             "X-Meixian-Package-Version": version}
    status, _headers, body = request(hub.url + PACKAGE, headers=newer)
    assert status == 200 and body
