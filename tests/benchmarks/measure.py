"""Running one child process and measuring its wall time and peak resident memory.

Each child is spawned by a tiny launcher (``python -I -S``) that times it from spawn to exit and
collects its ``ru_maxrss`` with ``os.wait4``. The launcher exists because on Linux a child's
``ru_maxrss`` starts at the RSS high-water mark of the process that spawned it (exec keeps the
old address space's peak): spawned straight from this runner, which has built a 100,000-record
home and imported Qt, every child would report at least the runner's own peak. The launcher's
peak is about 8 MB, far below any Qt process, so the children's figures are their own.

Where ``os.posix_spawn``/``os.wait4`` are missing (Windows), the runner times the child itself
and reports no memory figure.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

LAUNCHER = """\
import os, sys, time
out, err, marker, *argv = sys.argv[1:]
marker = marker.encode()
fe = os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
r, w = os.pipe()
actions = [(os.POSIX_SPAWN_DUP2, w, 1), (os.POSIX_SPAWN_DUP2, fe, 2),
           (os.POSIX_SPAWN_CLOSE, w), (os.POSIX_SPAWN_CLOSE, fe)]
start = time.perf_counter()
pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=actions)
os.close(w)
seen, shown = b"", -1.0
with open(out, "wb") as fo:
    while True:
        chunk = os.read(r, 65536)
        if not chunk:
            break
        fo.write(chunk)
        seen += chunk
        if shown < 0 and marker in seen:
            shown = time.perf_counter() - start
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - start
hwm = -1
try:
    with open("/proc/self/status") as f:
        hwm = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
except (OSError, StopIteration):
    pass
print(repr(seconds), usage.ru_maxrss, os.waitstatus_to_exitcode(status), hwm, repr(shown))
"""

# ru_maxrss is in bytes on macOS and kibibytes elsewhere.
_RSS_UNIT = 1 if sys.platform == "darwin" else 1024


class ChildFailed(RuntimeError):
    """The measured process did not exit 0 or did not print what it should."""


@dataclass(frozen=True)
class Sample:
    """One run: wall seconds from spawn to exit and to the moment the child printed the
    expected line (its window is shown), peak RSS in MiB (None where unknown)."""

    seconds: float
    max_rss_mb: float | None
    stdout: str
    shown_seconds: float | None = None


def can_measure_memory() -> bool:
    return hasattr(os, "posix_spawn") and hasattr(os, "wait4")


def run_child(
    argv: Sequence[str], *, env: Mapping[str, str], cwd: Path, expect: str
) -> Sample:
    """Run ``argv`` to completion; ChildFailed unless it exits 0 and prints ``expect``."""
    with tempfile.TemporaryDirectory(prefix="meixian-bench-") as scratch:
        out, err = Path(scratch, "stdout"), Path(scratch, "stderr")
        shown = None
        if can_measure_memory():
            seconds, rss, code, shown = _launch(argv, env, cwd, out, err, expect)
        else:
            seconds, rss, code = _popen(argv, env, cwd, out, err)
        stdout = out.read_text(encoding="utf-8", errors="replace")
        stderr = err.read_text(encoding="utf-8", errors="replace")
    if code != 0 or expect not in stdout:
        raise ChildFailed(
            f"{' '.join(argv)} exited {code}"
            f"{'' if expect in stdout else f' without printing {expect!r}'}\n"
            f"--- stdout\n{stdout}--- stderr\n{stderr}"
        )
    return Sample(seconds, rss, stdout, shown)


def _launch(
    argv: Sequence[str], env: Mapping[str, str], cwd: Path, out: Path, err: Path, expect: str
) -> tuple[float, float | None, int, float | None]:
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", LAUNCHER, str(out), str(err), expect, *argv],
        env=dict(env), cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
        check=False,
    )
    if done.returncode != 0:
        raise ChildFailed(f"launcher failed ({done.returncode}):\n{done.stderr}")
    seconds, maxrss, code, launcher_hwm_kb, shown = done.stdout.split()
    rss_mb = int(maxrss) * _RSS_UNIT / 2**20
    hwm = int(launcher_hwm_kb)
    if hwm > 0 and rss_mb <= hwm / 1024:
        print(f"measure: {argv[-1]} peak RSS {rss_mb:.1f} MB is not above the launcher's own "
              f"{hwm / 1024:.1f} MB; the memory figure is an upper bound", file=sys.stderr)
    shown_at = float(shown)
    return float(seconds), rss_mb, int(code), shown_at if shown_at >= 0 else None


def _popen(
    argv: Sequence[str], env: Mapping[str, str], cwd: Path, out: Path, err: Path
) -> tuple[float, float | None, int]:
    with out.open("wb") as fo, err.open("wb") as fe:
        start = time.perf_counter()
        code = subprocess.call(list(argv), env=dict(env), cwd=cwd, stdin=subprocess.DEVNULL,
                               stdout=fo, stderr=fe)
        seconds = time.perf_counter() - start
    return seconds, None, code
