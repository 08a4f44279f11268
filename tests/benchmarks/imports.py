"""python -m tests.benchmarks.imports: which imports cost the app's start-up most.

Runs ``python -X importtime -m meixian_desktop --home H --smoke`` on the benchmark home a few
times and prints, per group (our package, third-party), the modules with the largest median
cumulative import time. ``via`` names the top-level import that pulled a module in: ``site``
means interpreter start-up (a .pth file), paid by every Python process, the floor's included.
Times under -X importtime are inflated by its own bookkeeping; compare them with each other.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.benchmarks.fixture import ensure_home
from tests.benchmarks.startup import APP_EXPECT, ROOT, app_argv, child_env

OURS = "meixian_desktop"


@dataclass(frozen=True)
class Import:
    """One line of -X importtime: microseconds, dotted name, nesting depth, top-level import."""

    self_us: int
    cumulative_us: int
    name: str
    depth: int
    via: str


def parse_importtime(text: str) -> list[Import]:
    """The ``import time:`` lines of stderr, each with the depth-0 import that contains it."""
    raw = []
    for line in text.splitlines():
        if not line.startswith("import time:") or "imported package" in line:
            continue
        self_part, cumulative_part, name_part = line[len("import time:"):].split("|")
        name = name_part.rstrip()
        depth = (len(name) - len(name.lstrip(" ")) - 1) // 2
        raw.append((int(self_part), int(cumulative_part), name.strip(), depth))
    found: list[Import] = []
    root = ""
    for self_us, cumulative_us, name, depth in reversed(raw):  # a parent follows its children
        if depth == 0:
            root = name
        found.append(Import(self_us, cumulative_us, name, depth, root))
    found.reverse()
    return found


def group_of(name: str) -> str:
    top = name.split(".")[0]
    if top == OURS:
        return "ours"
    if top in sys.stdlib_module_names or top in sys.builtin_module_names:
        return "stdlib"
    return "third-party"


def run_importtime(home: Path, save: Path | None = None) -> list[Import]:
    argv = app_argv(home)
    argv[1:1] = ["-X", "importtime"]
    done = subprocess.run(argv, env=child_env(), cwd=ROOT, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, encoding="utf-8", check=False)
    if done.returncode != 0 or APP_EXPECT not in done.stdout:
        raise RuntimeError(f"smoke run failed ({done.returncode}):\n{done.stderr[-2000:]}")
    if save is not None:
        save.write_text(done.stderr, encoding="utf-8")
    return parse_importtime(done.stderr)


@dataclass(frozen=True)
class Row:
    name: str
    via: str
    depth: int
    cumulative_ms: float
    self_ms: float


def median_rows(runs: list[list[Import]]) -> list[Row]:
    """Per module, the median over the runs that imported it, largest cumulative first."""
    by_name: dict[str, list[Import]] = {}
    for imports in runs:
        for item in imports:
            by_name.setdefault(item.name, []).append(item)
    rows = [
        Row(name, items[0].via, items[0].depth,
            statistics.median(i.cumulative_us for i in items) / 1000,
            statistics.median(i.self_us for i in items) / 1000)
        for name, items in by_name.items()
    ]
    return sorted(rows, key=lambda r: r.cumulative_ms, reverse=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.imports",
                                     description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--save", type=Path, default=None,
                        help="also write the last run's raw -X importtime output here")
    args = parser.parse_args(argv)
    fixture = ensure_home(args.records)
    runs = [run_importtime(fixture.home, args.save) for _ in range(max(1, args.runs))]
    rows = median_rows(runs)
    whole = sum(r.cumulative_ms for r in rows if r.depth == 0)
    print(f"imports  median of {len(runs)} runs, -X importtime, home of {fixture.total} records;"
          f" all top-level imports {whole:.1f} ms")
    for group in ("ours", "third-party"):
        print(f"{group}: top {args.top} by cumulative ms")
        print(f"  {'cumul':>7}  {'self':>6}  module (via)")
        for row in [r for r in rows if group_of(r.name) == group][: args.top]:
            via = "" if row.via == row.name else f"  (via {row.via})"
            print(f"  {row.cumulative_ms:7.1f}  {row.self_ms:6.1f}  {row.name}{via}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
