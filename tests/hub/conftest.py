"""A real meixian-hub process on 127.0.0.1 for the hub tests (started, killed -9, restarted on
the same port), plain HTTP and socket helpers, and the many-workers load the load test and the
hub benchmark share."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlcipher3 import dbapi2 as sqlite3

from meixian_desktop.paths import Paths, under_home
from meixian_desktop.store import devices
from meixian_desktop.store.database import now_iso
from meixian_desktop.store.session import open_session
from meixian_desktop.sync.http import outbox_dir
from meixian_desktop.sync.keys import fingerprint
from meixian_desktop.sync.outbox import export_batch
from meixian_desktop.sync.package import export_package, import_package
from meixian_desktop.sync.receipts import apply_receipt
from tests.databases import raw_connection
from tests.sync.homes import SANLI, TODAY, ZHANGHAN, Home, connect, make_home, patrol, trust_town

REPO = Path(__file__).resolve().parents[2]
TOWN = "梅仙镇人民政府"
BATCHES = "/v1/batches"
PACKAGE = "/v1/town-package"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Hub:
    """One meixian-hub process serving a town home; its log goes to a file (a full pipe would
    stall it)."""

    home: Path
    port: int
    options: tuple[str, ...]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self, timeout: float = 30.0) -> None:
        """Start the process and wait until /v1/health answers."""
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "meixian_desktop.hub", "--home", str(self.home),
                 "--host", "127.0.0.1", "--port", str(self.port), *self.options],
                stdout=log, stderr=log, cwd=REPO, env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"meixian-hub exited: {self.log.read_text('utf-8')}")
            if healthy(self.url):
                return
            time.sleep(0.05)
        raise AssertionError(f"meixian-hub did not answer in {timeout} s")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)

    def kill(self) -> None:
        """SIGKILL: no shutdown handler, no finally block runs."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def restart(self) -> None:
        """kill -9, then a new process on the same port."""
        self.kill()
        self.start()

    def rss_mb(self) -> float:
        status = Path(f"/proc/{self.pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+) kB", status)[1]) / 1024  # type: ignore[index]

    @property
    def incoming(self) -> Path:
        return under_home(self.home).data_dir / "sync" / "incoming"

    def log_text(self) -> str:
        return self.log.read_text("utf-8", errors="replace")


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/v1/health", timeout=1) as answer:
            return answer.status == 200 and json.loads(answer.read())["ok"] is True
    except (OSError, ValueError, KeyError):
        return False


def start_hub(home: Path, log: Path, *options: str, port: int | None = None) -> Hub:
    hub = Hub(home, port or free_port(), options, log)
    hub.start()
    return hub


Answer = tuple[int, dict[str, str], bytes]


def post(url: str, data: bytes, headers: dict[str, str] | None = None,
         timeout: float = 30.0) -> Answer:
    """POST and return status, headers (lower-case names) and body, whatever the status."""
    return request(url, data=data, headers=headers, timeout=timeout)


def request(url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None,
            timeout: float = 30.0) -> Answer:
    made = urllib.request.Request(url, data=data, headers=headers or {},
                                  method="POST" if data is not None else "GET")
    try:
        with urllib.request.urlopen(made, timeout=timeout) as answer:
            return answer.status, _lower(answer.headers), answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, _lower(exc.headers), exc.read()


def _lower(headers: object) -> dict[str, str]:
    return {k.lower(): v for k, v in dict(headers or {}).items()}  # type: ignore[call-overload]


def error_of(body: bytes) -> str:
    """The hub's JSON ``error``, which must be a sentence in Chinese."""
    message = str(json.loads(body)["error"])
    assert re.search(r"[\u4e00-\u9fff]{4}", message), message
    return message


def _reader(paths: Paths) -> sqlite3.Connection:
    """A bare SQLCipher connection of our own. Not Store.open: its header check opens and closes
    the database file outside SQLite, which drops this process's POSIX locks on it, and the
    hub (another process) may then take itself for the last user and delete the WAL under
    our town session."""
    return raw_connection(paths.database, readonly=True)


def town_state(paths: Paths) -> dict[str, int]:
    """Rows in every table of the town database, read on a connection of our own."""
    conn = _reader(paths)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        return {t: int(conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0])
                for t in tables}
    finally:
        conn.close()


def approve(town: Home, worker: Home) -> None:
    """The town knows and trusts this worker's laptop (as after a first batch by stick)."""
    keys = worker.keys
    with town.store.transaction():
        devices.register(town.store, devices.Device(
            worker.store.device_id(), worker.profile.name, worker.profile.phone,
            worker.profile.villages, keys.signing_public.hex(), keys.encryption_public.hex(),
            fingerprint(keys.signing_public), devices.APPROVED, now_iso(), now_iso(), "测试"))


def queue(worker: Home, **options: object) -> Path:
    """A batch of the worker's new records written into its outbox, as push does."""
    folder = outbox_dir(worker.paths)
    folder.mkdir(parents=True, exist_ok=True)
    return export_batch(worker.store, worker.keys, worker.profile,
                        worker.paths.attachments_dir, folder,
                        new_only=True, **options).path  # type: ignore[arg-type]


@pytest.fixture
def town(tmp_path: Path) -> Iterator[Home]:
    home = make_home(tmp_path / "town", "town", TOWN, [])
    yield home
    home.session.close()


@pytest.fixture
def worker(tmp_path: Path, town: Home) -> Iterator[Home]:
    home = make_home(tmp_path / "worker", "worker", "李梅", [ZHANGHAN, SANLI])
    connect(town, home, tmp_path / "stick")
    yield home
    home.session.close()


@pytest.fixture
def hubs(tmp_path: Path, town: Home) -> Iterator[list[Hub]]:
    """Hubs started by a test, all stopped after it."""
    started: list[Hub] = []
    yield started
    for hub in started:
        hub.stop()


@pytest.fixture
def hub_for(tmp_path: Path, town: Home, hubs: list[Hub]):  # type: ignore[no-untyped-def]
    """Start a hub on the town home with these command-line options."""
    def start(*options: str) -> Hub:
        hub = start_hub(town.paths.data_dir.parent, tmp_path / f"hub{len(hubs)}.log", *options)
        hubs.append(hub)
        return hub
    return start


@pytest.fixture
def hub(hub_for) -> Hub:  # type: ignore[no-untyped-def]
    started: Hub = hub_for()
    return started


# -- the many-workers load: shared by test_hub_load.py and tests/benchmarks/hub.py ----------


@dataclass
class LoadWorker:
    """One simulated laptop: its home, its queued batches in order, the records they carry."""

    home: Path
    batches: list[Path]
    records: int


@dataclass
class LoadOutcome:
    """What the concurrent pushes saw."""

    seconds: float
    statuses: list[int] = field(default_factory=list)
    unanswered_503: int = 0
    acknowledged: int = 0
    errors: list[str] = field(default_factory=list)

    def count(self, status: int) -> int:
        return self.statuses.count(status)


def make_load(root: Path, town: Home, workers: int, batches: int, findings: int
              ) -> list[LoadWorker]:
    """``workers`` laptops known to the town, each with ``batches`` batches queued of one
    patrol with ``findings`` findings (new records only, so every record goes once)."""
    (root / "stick").mkdir(parents=True, exist_ok=True)
    package = export_package(town.store, town.keys, town.profile, root / "stick")
    made = []
    for number in range(workers):
        home = make_home(root / f"worker{number:02d}", "worker", f"网格员{number:02d}",
                         [ZHANGHAN])
        import_package(home.store, home.keys, package, today=TODAY, confirm=trust_town)
        approve(town, home)
        files, records = [], 0
        for round_ in range(batches):
            patrol(home, f"第{round_}轮巡查", findings=findings)
            files.append(queue(home))
            records += 1 + findings
        home.session.close()
        made.append(LoadWorker(home.paths.data_dir.parent, files, records))
    return made


def push_load(url: str, workers: list[LoadWorker], *, retry_pause: float = 0.2,
              tries: int = 50) -> LoadOutcome:
    """Every worker in its own thread (its own database connection) POSTs its batches in
    order and applies each receipt; a 503 is retried after a pause (the hub's Retry-After is
    checked, but waited out only briefly, so the test stays short)."""
    outcome = LoadOutcome(0.0)
    guard = threading.Lock()

    def run(load: LoadWorker) -> None:
        try:
            with open_session(under_home(load.home)) as session:
                for path in load.batches:
                    data = path.read_bytes()
                    for _ in range(tries):
                        status, headers, body = post(url + BATCHES, data, timeout=60)
                        with guard:
                            outcome.statuses.append(status)
                        if status != 503:
                            break
                        if not headers.get("retry-after", "").isdigit():
                            with guard:
                                outcome.unanswered_503 += 1
                        time.sleep(retry_pause)
                    if status != 200:
                        raise AssertionError(f"{path.name}: {status} {body[:200]!r}")
                    with tempfile.TemporaryDirectory() as folder:
                        receipt = Path(folder) / "receipt.mxack"
                        receipt.write_bytes(body)
                        applied = apply_receipt(session.store, receipt)
                    with guard:
                        outcome.acknowledged += applied.acknowledged
        except BaseException as exc:  # reported by the caller, never lost in a thread
            with guard:
                outcome.errors.append(f"{load.home.name}: {exc!r}")

    threads = [threading.Thread(target=run, args=(load,)) for load in workers]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcome.seconds = time.perf_counter() - started
    return outcome


def town_records(paths: Paths) -> tuple[int, int, int]:
    """Patrols + findings at the town: rows, distinct ids, and batches taken in."""
    conn = _reader(paths)
    try:
        rows, distinct = 0, 0
        for table in ("patrols", "findings"):
            found = conn.execute(f"SELECT count(*), count(DISTINCT id) FROM {table}").fetchone()
            rows, distinct = rows + int(found[0]), distinct + int(found[1])
        batches = int(conn.execute("SELECT count(*) FROM imported_batches").fetchone()[0])
    finally:
        conn.close()
    return rows, distinct, batches


def integrity(paths: Paths) -> str:
    conn = raw_connection(paths.database)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()

