"""Layering: nothing below ui imports Qt, and nothing imports ui."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import meixian_desktop

PACKAGE = Path(meixian_desktop.__file__).parent
BELOW_UI = ("core", "store", "sync", "printing", "hub")


def modules_below_ui() -> list[str]:
    names = []
    for layer in BELOW_UI:
        if (PACKAGE / layer).is_dir():
            names.append(f"meixian_desktop.{layer}")
            for info in pkgutil.walk_packages([str(PACKAGE / layer)], f"meixian_desktop.{layer}."):
                names.append(info.name)
    return names


def test_layers_below_ui_import_without_qt() -> None:
    names = modules_below_ui()
    assert "meixian_desktop.store.database" in names and "meixian_desktop.core.ids" in names
    script = (
        "import importlib, sys\n"
        f"for name in {names!r}: importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.startswith('PySide6'))\n"
        "print('QT:' + ','.join(bad))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, cwd=PACKAGE.parent)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "QT:"


def test_headless_commands_do_not_load_qt() -> None:
    script = (
        "import sys\nfrom meixian_desktop import app, cli, firstrun, demo\n"
        "print('QT:' + ','.join(m for m in sys.modules if m.startswith('PySide6')))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, cwd=PACKAGE.parent)
    assert done.stdout.strip() == "QT:", done.stderr


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


# Every part of the package, ranked: a module imports only from lower ranks or its own part.
# hub serves the sync files over HTTP with the very import the 同步 page uses: above sync. The
# command line (cli/) sits beside the window, never under it.
RANKS = {"paths": 0, "logs": 0, "core": 0, "store": 1, "sync": 2, "printing": 2,
         "firstrun": 3, "hub": 3, "demo": 4, "cli": 5, "ui": 6, "app": 7, "__main__": 8}
GROUPS: dict[str, str] = {}


def _part(name: str) -> str:
    """The ranked part a module of ours belongs to (``meixian_desktop.cli.sync`` → cli)."""
    top = name.split(".")[0]
    return GROUPS.get(top, top)


def test_every_part_of_the_package_is_ranked() -> None:
    parts = {_part(p.relative_to(PACKAGE).with_suffix("").as_posix().split("/")[0])
             for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" or p.parent != PACKAGE}
    assert parts - set(RANKS) == set()


def test_imports_point_down_only() -> None:
    wrong = []
    for path in PACKAGE.rglob("*.py"):
        where = path.relative_to(PACKAGE).with_suffix("").as_posix()
        if where == "__init__":
            continue
        mine = _part(where.split("/")[0])
        for name in _imports(path):
            parts = name.split(".")
            if parts[0] != "meixian_desktop" or len(parts) < 2:
                continue  # the package root: version and names only
            theirs = _part(parts[1])
            if theirs != mine and RANKS[theirs] >= RANKS[mine]:
                wrong.append(f"{where} imports {name}")
    assert wrong == []


def test_core_uses_the_standard_library_only() -> None:
    allowed = set(sys.stdlib_module_names) | {"meixian_desktop", "__future__"}
    outside = sorted(
        f"{path.name}: {name}"
        for path in (PACKAGE / "core").rglob("*.py")
        for name in _imports(path)
        if name.split(".")[0] not in allowed
    )
    assert outside == []


WALL_CLOCK_CALLS = {("date", "today"), ("datetime", "now"), ("datetime", "today"),
                    ("time", "time"), ("time", "time_ns"), ("QDate", "currentDate"),
                    ("QDateTime", "currentDateTime"), ("QTime", "currentTime")}
# Real time on purpose: a file's age on the stick is measured against the file system's clock.
WALL_CLOCK_ALLOWED = {("sync/outbox.py", "time.time")}


def test_now_and_today_come_from_the_one_clock() -> None:
    """Only core/clock.py reads the machine's clock, so a test can fix the day and the hour."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        where = path.relative_to(PACKAGE).as_posix()
        if where == "core/clock.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name)
                    and (node.func.value.id, node.func.attr) in WALL_CLOCK_CALLS):
                call = f"{node.func.value.id}.{node.func.attr}"
                if (where, call) not in WALL_CLOCK_ALLOWED:
                    found.append(f"{where}:{node.lineno} {call}()")
    assert found == []


def test_every_declared_setting_has_a_reader() -> None:
    """A setting offered in 设置 that no code reads would promise what the app does not do."""
    from meixian_desktop.core.settings import SETTINGS

    sources = [path.read_text(encoding="utf-8") for path in PACKAGE.rglob("*.py")
               if path.relative_to(PACKAGE).as_posix() != "core/settings.py"]
    unread = [s.key for s in SETTINGS if not any(f'"{s.key}"' in text for text in sources)]
    assert unread == []
