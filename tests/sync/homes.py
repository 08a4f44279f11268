"""Two real homes for sync tests: the town office and a worker's laptop, each with its own
database and keys, set up as first run does, and a folder standing in for the USB stick."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from meixian_desktop.core.patrols import Finding, Patrol
from meixian_desktop.core.profile import Profile, make_profile
from meixian_desktop.firstrun import set_up
from meixian_desktop.paths import Paths, under_home
from meixian_desktop.store import patrols as patrol_store
from meixian_desktop.store.session import Session, open_session
from meixian_desktop.store.villages import village_by_code
from meixian_desktop.sync.inbox import FileResult, import_batch
from meixian_desktop.sync.keys import DeviceKeys, load_keys
from meixian_desktop.sync.outbox import Exported, export_batch
from meixian_desktop.sync.package import export_package, import_package

ZHANGHAN, SANLI = "430626108210", "430626108208"
TODAY = date(2025, 3, 20)


@dataclass
class Home:
    """One installation: paths, open session, profile, keys."""

    paths: Paths
    session: Session
    profile: Profile
    keys: DeviceKeys

    @property
    def store(self) -> Any:
        return self.session.store

    def count(self, table: str, where: str = "deleted = 0") -> int:
        return int(self.store.conn.execute(
            f"SELECT count(*) FROM {table} WHERE {where}").fetchone()[0])

    def village(self, code: str = ZHANGHAN) -> str:
        found = village_by_code(self.store, code)
        assert found is not None
        return found.id

    def export(self, stick: Path, **options: Any) -> Exported:
        return export_batch(self.store, self.keys, self.profile, self.paths.attachments_dir,
                            stick, **options)

    def take(self, path: Path, **options: Any) -> FileResult:
        return import_batch(self.store, self.keys, path, self.paths.held_batches_dir,
                            self.paths.attachments_dir, today=TODAY, **options)


def make_home(root: Path, role: str, name: str, villages: list[str]) -> Home:
    paths = under_home(root)
    session = open_session(paths)
    profile = make_profile(role, name, "13907301234" if role == "worker" else "", villages)
    set_up(session.store, paths, profile)
    return Home(paths, session, profile, load_keys(paths.keys_dir))


def trust_town(fingerprint: str) -> bool:
    """The worker compared the town's fingerprint with the one read out: the same."""
    return bool(fingerprint)


def connect(town: Home, worker: Home, stick: Path) -> None:
    """The worker takes the town's package: it now knows whom to encrypt for."""
    stick.mkdir(parents=True, exist_ok=True)
    package = export_package(town.store, town.keys, town.profile, stick)
    import_package(worker.store, worker.keys, package, today=TODAY, confirm=trust_town)


def patrol(home: Home, notes: str = "巡河", findings: int = 1) -> str:
    found = tuple(Finding("floating_waste", f"漂浮物{n}", place=f"{n}号桩", action="registered")
                  for n in range(findings))
    with home.store.transaction() as tx:
        return patrol_store.save_patrol(tx, Patrol(
            "river", date(2025, 3, 5), home.profile.name, (home.village(),), notes=notes,
            river_name="汨罗江", findings=found))
