"""python -m tests.benchmarks: the app's start-up, memory, patrol pages, 今日待办, household
search and the 纠纷案件 list against their floors.

Start-up time and memory are measured against a bare PySide6 window (``startup.py``); the patrol
list, search and save (``patrols.py``), 今日待办 and the household search (``households.py``)
and the case list filter and party search (``cases.py``) against plain SQLite on the same data.
``--records N`` sizes the benchmark home: N patrols, the other tables their share of N
(``fixture.py``): N/5 households with 3 members and 10 visits each, N/50 督促监护令, N/2 纠纷案件
with 2–3 parties each.

Prints (stdout, stable format) an ``env`` line, a header, then one line per benchmark:
``name  value  unit  floor  ratio`` where value and floor are medians over ``--runs`` interleaved
runs measured in this same invocation and ratio = value / floor. Targets: startup within 1.5×
the floor; patrol list shown within 50 ms, a 3+ character search within 20 ms, a save within
10 ms (absolute values, on 100,000 patrols); 今日待办 within 100 ms and a household search by
name or ID number within 20 ms (on 20,000 households, 200,000 visits and 2,000 orders); the case
list with a status+category filter within 50 ms and a search by party name within 20 ms (on
50,000 cases); a printed page within 2× a bare reportlab page in the same font, alone and
as one of 500 notices in one PDF (``printing.py``, its own small home); a sync batch of 10,000
records with 200 photos exported and imported within 3× plain json + zlib + executemany
(``sync.py``, its own two homes); the peak memory of importing a 1,000,000-record batch within
300 MB and of receiving an 18 MB batch from an unknown key within 100 MB above the idle process
(``import_memory.py``); with encryption at rest (``encryption.py``), unlocking within 1 s, the
patrol list, search and 今日待办 on the encrypted home within 1.3× the same code on a clear copy,
and start-up to the sign-in window (``startup_sign_in``) within 1.5× a bare window. These are
measurements, not pass/fail tests.
Progress and the fixture's build time go to stderr.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys

from tests.benchmarks.cases import run_cases
from tests.benchmarks.fixture import ensure_home
from tests.benchmarks.households import run_households
from tests.benchmarks.hub import run_hub
from tests.benchmarks.import_memory import run_import_memory
from tests.benchmarks.patrols import run_patrols
from tests.benchmarks.printing import run_printing
from tests.benchmarks.startup import Result, qt_platform, run_startup
from tests.benchmarks.sync import run_sync

COLUMNS = "{name:<25}  {value:>8}  {unit:<4}  {floor:>8}  {ratio:>5}"
DIGITS = {"s": 3, "MB": 1, "ms": 2}
GROUPS = ("startup", "encryption", "patrols", "households", "cases", "printing", "sync",
          "memory", "hub")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks", description=__doc__)
    parser.add_argument("--runs", type=int, default=7, help="measured runs of each (default 7)")
    parser.add_argument("--records", type=int, default=100_000,
                        help="patrols in the benchmark home; the other tables get their share "
                        "(default 100000)")
    parser.add_argument("--import-records", type=int, default=1_000_000,
                        help="records in the batch whose import's peak memory is measured "
                        "(default 1000000)")
    parser.add_argument("--warmup", type=int, default=1,
                        help="unmeasured runs of each first (default 1)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached home")
    parser.add_argument("--only", choices=GROUPS, action="append",
                        help="run only this group (repeatable; default all)")
    parser.add_argument("-v", "--verbose", action="store_true", help="each run on stderr")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.records < 0 or args.warmup < 0:
        parser.error("--runs must be at least 1; --records and --warmup not negative")
    return args


def env_line() -> str:
    import PySide6
    from PySide6.QtCore import qVersion

    cores = os.cpu_count() or 0
    affinity = getattr(os, "sched_getaffinity", None)
    usable = len(affinity(0)) if affinity else cores
    core_text = str(cores) if usable == cores else f"{usable}/{cores}"
    return (
        f"env  python {platform.python_version()}  PySide6 {PySide6.__version__}"
        f"  Qt {qVersion()}  {platform.platform()}  cores {core_text}"
        f"  qpa {qt_platform() or 'native'}"
    )


def _number(value: float | None, digits: int) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def format_result(result: Result) -> str:
    digits = DIGITS.get(result.unit, 3)
    return COLUMNS.format(
        name=result.name,
        value=_number(result.value, digits),
        unit=result.unit,
        floor=_number(result.floor, digits),
        ratio=_number(result.ratio, 2),
    )


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # The real clock, here and in every process started: the suite's fixed day and hour
    # (tests/conftest.py) must not reach the programs measured.
    os.environ.pop("MEIXIAN_NOW", None)
    print(env_line(), flush=True)
    fixture = ensure_home(args.records, rebuild=args.rebuild)
    spread = ", ".join(f"{table} {count}" for table, count in fixture.counts.items())
    how = "reused (built" if fixture.reused else "built"
    log(f"fixture: {fixture.total} records ({spread}) {how} in {fixture.build_seconds:.1f} s"
        f"{')' if fixture.reused else ''}: {fixture.home}")
    print(COLUMNS.format(name="name", value="value", unit="unit", floor="floor", ratio="ratio"),
          flush=True)
    groups = args.only or GROUPS
    if "startup" in groups:
        for result in run_startup(fixture.home, args.runs, warmup=args.warmup,
                                  log=log if args.verbose else None):
            print(format_result(result), flush=True)
    if "startup" in groups:
        from tests.benchmarks.encryption import protected_home
        from tests.benchmarks.startup import run_sign_in

        protected = protected_home()
        try:
            for result in run_sign_in(protected, args.runs, warmup=args.warmup,
                                      log=log if args.verbose else None):
                print(format_result(result), flush=True)
        finally:
            shutil.rmtree(protected, ignore_errors=True)
    if "encryption" in groups:
        from tests.benchmarks.encryption import run_encryption

        for result in run_encryption(fixture.home, args.runs, fixture.built_on,
                                     warmup=args.warmup, log=log):
            print(format_result(result), flush=True)
    if "patrols" in groups:
        for result in run_patrols(fixture.home, args.runs, warmup=args.warmup, log=log):
            print(format_result(result), flush=True)
    if "households" in groups:
        for result in run_households(fixture.home, args.runs, fixture.built_on,
                                     warmup=args.warmup, log=log):
            print(format_result(result), flush=True)
    if "cases" in groups:
        for result in run_cases(fixture.home, args.runs, warmup=args.warmup, log=log):
            print(format_result(result), flush=True)
    if "printing" in groups:
        for result in run_printing(args.runs, warmup=args.warmup, log=log):
            print(format_result(result), flush=True)
    if "sync" in groups:
        for result in run_sync(args.runs, warmup=args.warmup, log=log):
            print(format_result(result), flush=True)
    if "memory" in groups:
        for result in run_import_memory(args.import_records, log=log):
            print(format_result(result), flush=True)
    if "hub" in groups:
        for result in run_hub(args.runs, warmup=args.warmup, log=log):
            print(format_result(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
