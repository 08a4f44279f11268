"""Cold start of the app on the benchmark home versus a bare PySide6 window (the floor).

Both are fresh Python processes, timed from spawn to the line each prints once its window is
shown and painted (``startup``), and to their exit (``startup_exit``, which also counts the
app's background work such as filling 今日待办): the app as
``python -m meixian_desktop --home H --smoke``, the floor as ``python -c FLOOR_SCRIPT``
(QApplication + a QMainWindow of the app's default size). One run of each gives both times
and the peak resident memory (``memory``). Runs are interleaved, alternating which goes
first, after one unmeasured warm-up of each (file cache, bytecode, the window geometry the
app saves on its first close).
"""

from __future__ import annotations

import os
import statistics
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.benchmarks.measure import Sample, run_child

ROOT = Path(__file__).resolve().parents[2]
APP_EXPECT = "smoke: main window shown"
SIGN_IN_EXPECT = "smoke: sign-in window shown"
FLOOR_EXPECT = "floor: bare window shown"
FLOOR_SCRIPT = f"""\
import sys
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
window = QMainWindow()
window.resize(1100, 720)
window.show()
app.processEvents()
print({FLOOR_EXPECT!r}, flush=True)
window.close()
sys.exit(0)
"""


@dataclass(frozen=True)
class Result:
    """One benchmark line: median of the app's runs and of the floor's, same unit."""

    name: str
    unit: str
    value: float | None
    floor: float | None

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.floor:
            return None
        return self.value / self.floor


def qt_platform() -> str:
    """The QPA platform for the children: the caller's choice, else offscreen without DISPLAY."""
    chosen = os.environ.get("QT_QPA_PLATFORM")
    if chosen:
        return chosen
    return "" if os.environ.get("DISPLAY") else "offscreen"


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("MEIXIAN_HOME", None)
    env["PYTHONIOENCODING"] = "utf-8"
    platform = qt_platform()
    if platform:
        env["QT_QPA_PLATFORM"] = platform
    return env


def app_argv(home: Path) -> list[str]:
    return [sys.executable, "-m", "meixian_desktop", "--home", str(home), "--smoke"]


def floor_argv() -> list[str]:
    return [sys.executable, "-c", FLOOR_SCRIPT]


def run_startup(
    home: Path, runs: int, *, warmup: int = 1, log: Callable[[str], None] | None = None
) -> list[Result]:
    """Measure app and floor ``runs`` times each, interleaved; return startup and memory."""
    env = child_env()

    def app() -> Sample:
        return run_child(app_argv(home), env=env, cwd=ROOT, expect=APP_EXPECT)

    app_samples, floor_samples = _interleave(app, runs, warmup, log)
    return [
        # To the window shown (the line each prints right after showing it and painting).
        Result("startup", "s", _median([s.shown_seconds for s in app_samples]),
               _median([s.shown_seconds for s in floor_samples])),
        # To the process's exit: includes the app's background work after the window is up.
        Result("startup_exit", "s", _median([s.seconds for s in app_samples]),
               _median([s.seconds for s in floor_samples])),
        Result("memory", "MB", _median([s.max_rss_mb for s in app_samples]),
               _median([s.max_rss_mb for s in floor_samples])),
    ]


def run_sign_in(home: Path, runs: int, *, warmup: int = 1,
                log: Callable[[str], None] | None = None) -> list[Result]:
    """Start-up to the sign-in window of a home with a password (no password given)."""
    env = child_env()
    env.pop("MEIXIAN_PASSWORD", None)

    def app() -> Sample:
        return run_child(app_argv(home), env=env, cwd=ROOT, expect=SIGN_IN_EXPECT)

    app_samples, floor_samples = _interleave(app, runs, warmup, log)
    return [Result("startup_sign_in", "s", _median([s.shown_seconds for s in app_samples]),
                   _median([s.shown_seconds for s in floor_samples]))]


def _interleave(app: Callable[[], Sample], runs: int, warmup: int,
                log: Callable[[str], None] | None) -> tuple[list[Sample], list[Sample]]:
    """``runs`` samples of ``app`` and of the bare window, alternating which goes first."""
    env = child_env()

    def floor() -> Sample:
        return run_child(floor_argv(), env=env, cwd=ROOT, expect=FLOOR_EXPECT)

    for _ in range(warmup):
        app()
        floor()
    app_samples: list[Sample] = []
    floor_samples: list[Sample] = []
    for number in range(runs):
        order = ((app, app_samples), (floor, floor_samples))
        for measure, samples in order if number % 2 == 0 else reversed(order):
            samples.append(measure())
        if log is not None:
            a, f = app_samples[-1], floor_samples[-1]
            log(f"run {number + 1}/{runs}: app {a.seconds:.3f} s {_mb(a)}  "
                f"floor {f.seconds:.3f} s {_mb(f)}")
    return app_samples, floor_samples


def _median(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def _mb(sample: Sample) -> str:
    return "-" if sample.max_rss_mb is None else f"{sample.max_rss_mb:.1f} MB"
