"""Memory of the town's import, measured in a child process: a batch from a key nobody approved
is kept unread, an approved one is read a line at a time (issue 13). The benchmark measures the
same at a million records (tests/benchmarks/import_memory.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from meixian_desktop.core import clock
from meixian_desktop.core.ids import uuid7
from meixian_desktop.store import devices
from meixian_desktop.store.database import now_iso
from meixian_desktop.store.session import open_session
from meixian_desktop.sync.keys import DeviceKeys, fingerprint
from tests.sync.big_batches import patrol_lines, peak_rss_mb, tiny_lines, write_big_batch
from tests.sync.homes import ZHANGHAN, Home, connect, make_home

RECORDS = 100_000


@pytest.fixture
def homes(tmp_path: Path) -> Iterator[tuple[Home, Home, Path]]:
    """A town that approved 李梅's laptop, both closed again: the child opens the town."""
    town = make_home(tmp_path / "town", "town", "梅仙镇人民政府", [])
    worker = make_home(tmp_path / "worker", "worker", "李梅", [ZHANGHAN])
    stick = tmp_path / "stick"
    connect(town, worker, stick)
    with town.store.transaction():
        devices.register(town.store, devices.Device(
            worker.store.device_id(), "李梅", "", (ZHANGHAN,), worker.keys.signing_public.hex(),
            worker.keys.encryption_public.hex(), fingerprint(worker.keys.signing_public),
            devices.APPROVED, now_iso()))
    town.session.close()
    worker.session.close()
    yield town, worker, stick


@pytest.mark.slow
def test_an_18_mb_batch_from_an_unknown_key_costs_almost_nothing(
        homes: tuple[Home, Home, Path], tmp_path: Path) -> None:
    town, _worker, stick = homes
    stranger = DeviceKeys(X25519PrivateKey.generate(), Ed25519PrivateKey.generate())
    payload = tiny_lines(18 * 1024 * 1024).getvalue()
    path = write_big_batch(stick, stranger, uuid7(), town.keys.encryption_public, payload, 1)
    idle, _ = peak_rss_mb(tmp_path / "town", None)
    peak, said = peak_rss_mb(tmp_path / "town", path)
    assert said.startswith("held")
    assert peak - idle < 40, (idle, peak)  # the target is 100 MB above idle


@pytest.mark.slow
def test_an_approved_batch_is_applied_a_line_at_a_time(
        homes: tuple[Home, Home, Path], tmp_path: Path) -> None:
    town, worker, stick = homes
    with open_session(town.paths) as session:
        village = session.store.conn.execute(
            "SELECT id FROM villages WHERE code = ?", (ZHANGHAN,)).fetchone()[0]
    device = _device(worker)
    payload = patrol_lines(RECORDS, device, village, clock.now_ms() - 3_600_000).getvalue()
    path = write_big_batch(stick, worker.keys, device, town.keys.encryption_public, payload,
                           RECORDS)
    idle, _ = peak_rss_mb(tmp_path / "town", None)
    peak, said = peak_rss_mb(tmp_path / "town", path)
    assert said == f"imported {RECORDS}"
    assert peak - idle < 80, (idle, peak)  # the whole batch would be hundreds of MB
    with open_session(town.paths) as session:
        assert session.store.conn.execute("SELECT count(*) FROM patrols").fetchone()[0] \
            == RECORDS


def _device(home: Home) -> str:
    with open_session(home.paths) as session:
        return session.store.device_id()
