"""Peak memory of the town's import, each in a fresh child process (VmHWM), against the floor
of the same process standing idle with the same modules and database open:

- ``import_NNNk_peak_rss``: an approved laptop's batch of N river patrols (default 1,000,000;
  target: at most 300 MB in all), decrypted to a file and applied a line at a time;
- ``held_18mb_peak_rss``: an 18 MB batch of tiny records from a key nobody approved (target:
  at most 100 MB above idle), which the town keeps unread until someone approves the key.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from meixian_desktop.core import clock
from meixian_desktop.core.ids import uuid7
from meixian_desktop.store import devices
from meixian_desktop.store.database import now_iso
from meixian_desktop.sync.keys import DeviceKeys, fingerprint
from tests.benchmarks.startup import Result
from tests.sync.big_batches import patrol_lines, peak_rss_mb, tiny_lines, write_big_batch
from tests.sync.homes import ZHANGHAN, connect, make_home

Log = Callable[[str], None] | None


def run_import_memory(records: int, *, log: Log = None) -> list[Result]:
    """The two peak-memory figures, each against the idle process's."""
    with tempfile.TemporaryDirectory(prefix="meixian-bench-memory-") as folder:
        root = Path(folder)
        town = make_home(root / "town", "town", "梅仙镇人民政府", [])
        worker = make_home(root / "worker", "worker", "李梅", [ZHANGHAN])
        stick = root / "stick"
        connect(town, worker, stick)
        device = worker.store.device_id()
        with town.store.transaction():
            devices.register(town.store, devices.Device(
                device, "李梅", "", (ZHANGHAN,), worker.keys.signing_public.hex(),
                worker.keys.encryption_public.hex(), fingerprint(worker.keys.signing_public),
                devices.APPROVED, now_iso()))
        village = town.village()
        town.session.close()
        worker.session.close()
        if log:
            log(f"import memory: making a batch of {records} records")
        payload = patrol_lines(records, device, village, clock.now_ms() - 3_600_000).getvalue()
        approved = write_big_batch(stick, worker.keys, device, town.keys.encryption_public,
                                   payload, records)
        del payload
        stranger = DeviceKeys(X25519PrivateKey.generate(), Ed25519PrivateKey.generate())
        flood = write_big_batch(stick, stranger, uuid7(), town.keys.encryption_public,
                                tiny_lines(18 * 1024 * 1024).getvalue(), 1)
        idle, _ = peak_rss_mb(root / "town", None)
        held, said_held = peak_rss_mb(root / "town", flood)
        peak, said = peak_rss_mb(root / "town", approved)
        if log:
            log(f"import memory: idle {idle} MB; 18 MB unknown-key batch: {said_held}, "
                f"{held} MB; {records} records: {said}, {peak} MB")
        label = f"{records // 1000}k" if records < 1_000_000 else f"{records // 1_000_000}m"
        return [Result(f"import_{label}_peak_rss", "MB", float(peak), float(idle)),
                Result("held_18mb_peak_rss", "MB", float(held), float(idle))]
