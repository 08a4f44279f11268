"""Shared fixtures: a temporary home, an open set-up session, offscreen Qt."""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# One fixed day and hour for the whole suite and every program it starts (core/clock.py): the
# suite passes at 00:20 as it does at 15:00, whatever TZ says. Set before the package is imported.
SUITE_NOW = "2026-06-17T14:30:00"
os.environ["MEIXIAN_NOW"] = SUITE_NOW
# Homes protected by a password in the suite (the demo's, and `setup` on the command line) use
# the demo's; subprocesses read it from here like CI would (store/vault.py, PASSWORD_ENV).
os.environ["MEIXIAN_PASSWORD"] = "meixian-demo-2026"

from collections.abc import Callable, Iterator  # noqa: E402
from datetime import datetime  # noqa: E402

import pytest  # noqa: E402

from meixian_desktop.core import clock  # noqa: E402
from meixian_desktop.core.profile import Profile, make_profile  # noqa: E402
from meixian_desktop.firstrun import set_up  # noqa: E402
from meixian_desktop.paths import Paths, under_home  # noqa: E402
from meixian_desktop.store import vault  # noqa: E402
from meixian_desktop.store.database import Store  # noqa: E402
from meixian_desktop.store.session import Session, open_session  # noqa: E402

# Argon2id at its cheapest for the suite's hundreds of homes (the real cost: store/vault.py,
# measured by tests/benchmarks); the vault records the cost it was made with.
vault.DEFAULT_KDF = vault.KdfParams(time_cost=1, memory_kib=8, parallelism=1)

ZHANGHAN = "430626108210"
SANLI = "430626108208"


@pytest.fixture
def clock_at() -> Iterator[Callable[[str], clock.SteppingClock]]:
    """Set the one clock to a local wall time (``"2025-03-10T09:00"``) for this test."""
    previous = clock.current()

    def set_to(moment: str) -> clock.SteppingClock:
        stepping = clock.SteppingClock(datetime.fromisoformat(moment))
        clock.use(stepping)
        return stepping

    yield set_to
    clock.use(previous)


@pytest.fixture
def paths(tmp_path) -> Paths:
    return under_home(tmp_path / "home")


@pytest.fixture
def worker_profile() -> Profile:
    return make_profile("worker", "李梅", "13907301234", [ZHANGHAN, SANLI])


@pytest.fixture
def session(paths: Paths, worker_profile: Profile) -> Iterator[Session]:
    opened = open_session(paths)
    set_up(opened.store, paths, worker_profile)
    yield opened
    close_windows()
    opened.close()


def close_windows() -> None:
    """Close open windows while the database is still open: editors keep drafts on close."""
    widgets = sys.modules.get("PySide6.QtWidgets")
    if widgets is not None and widgets.QApplication.instance() is not None:
        for window in widgets.QApplication.topLevelWidgets():
            if window.isVisible():
                window.close()


@pytest.fixture
def store(session: Session) -> Store:
    return session.store


@pytest.fixture
def town(tmp_path) -> Iterator[object]:
    """The town office's home (tests/sync/homes.py), set up, its session open."""
    from tests.sync.homes import make_home

    home = make_home(tmp_path / "town", "town", "梅仙镇人民政府", [])
    yield home
    home.session.close()


@pytest.fixture
def worker(tmp_path) -> Iterator[object]:
    """A grid worker's laptop (李梅, 张韩村 and 三里村), set up, its session open."""
    from tests.sync.homes import make_home

    home = make_home(tmp_path / "worker", "worker", "李梅", [ZHANGHAN, SANLI])
    yield home
    home.session.close()
