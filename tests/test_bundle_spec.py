"""build.spec's decisions, checked in seconds without building (scripts/build_bundle.sh builds).

The spec is run with PyInstaller's build steps (Analysis, PYZ, EXE, COLLECT) replaced by stand-ins
that hand it a made-up list of collected files and record what it passes on.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path

import PyInstaller.compat
import PyInstaller.depend.bindepend
import PyInstaller.utils.hooks

from meixian_desktop import APP_NAME, __version__

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "build.spec"

# Link-time dependencies of the made-up files (by file name), as bindepend.get_imports reports.
LINUX_LINKS = {
    "libpython3.11.so.1.0": [],  # loaded by the bootloader with dlopen: nothing links it
    "_ctypes.cpython-311-x86_64-linux-gnu.so": ["libffi.so.8"],
    "QtGui.abi3.so": ["libQt6Gui.so.6", "libQt6Core.so.6"],
    "libQt6Gui.so.6": ["libQt6Core.so.6", "libQt6DBus.so.6"],
    "libQt6DBus.so.6": ["libQt6Core.so.6"],
    "libQt6Core.so.6": [],
    "libQt6XcbQpa.so.6": ["libQt6Gui.so.6"],
    "libQt6WaylandClient.so.6": ["libQt6Gui.so.6", "libwayland-client.so.0"],
    "libwayland-client.so.0": ["libffi.so.8"],
    "libffi.so.8": [],
    "libcairo.so.2": [],
    "libQt6Svg.so.6": ["libQt6Gui.so.6"],
    "libqxcb.so": ["libQt6XcbQpa.so.6", "libQt6Gui.so.6"],
    "libqoffscreen.so": ["libQt6Gui.so.6"],
    "libqminimal.so": ["libQt6Gui.so.6"],
    "libqwayland.so": ["libQt6WaylandClient.so.6", "libQt6Gui.so.6"],
    "libqeglfs.so": ["libQt6Gui.so.6"],
    "libqgtk3.so": ["libcairo.so.2", "libQt6Gui.so.6"],
    "libqxdgdesktopportal.so": ["libQt6DBus.so.6"],
    "libqjpeg.so": ["libQt6Gui.so.6"],
    "libqsvg.so": ["libQt6Svg.so.6"],
    "libqxcb-glx-integration.so": ["libQt6XcbQpa.so.6"],
    "libcupsprintersupport.so": ["libQt6Gui.so.6"],
}
LINUX_BINARIES = [
    "libpython3.11.so.1.0",
    "python3.11/lib-dynload/_ctypes.cpython-311-x86_64-linux-gnu.so",
    "PySide6/QtGui.abi3.so",
    "PySide6/Qt/lib/libQt6Gui.so.6",
    "PySide6/Qt/lib/libQt6DBus.so.6",
    "PySide6/Qt/lib/libQt6Core.so.6",
    "PySide6/Qt/lib/libQt6XcbQpa.so.6",
    "PySide6/Qt/lib/libQt6WaylandClient.so.6",
    "PySide6/Qt/lib/libQt6Svg.so.6",
    "libwayland-client.so.0",
    "libffi.so.8",
    "libcairo.so.2",
    "PySide6/Qt/plugins/platforms/libqxcb.so",
    "PySide6/Qt/plugins/platforms/libqoffscreen.so",
    "PySide6/Qt/plugins/platforms/libqminimal.so",
    "PySide6/Qt/plugins/platforms/libqwayland.so",
    "PySide6/Qt/plugins/platforms/libqeglfs.so",
    "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
    "PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so",
    "PySide6/Qt/plugins/imageformats/libqjpeg.so",
    "PySide6/Qt/plugins/imageformats/libqsvg.so",
    "PySide6/Qt/plugins/xcbglintegrations/libqxcb-glx-integration.so",
    "PySide6/Qt/plugins/printsupport/libcupsprintersupport.so",
]
LINUX_DATAS = [
    ("resources/reference/meixian_villages.csv", "/src/villages.csv", "DATA"),
    ("PySide6/Qt/translations/qtbase_zh_CN.qm", "/src/qtbase_zh_CN.qm", "DATA"),
    ("PySide6/Qt/translations/qt_zh_CN.qm", "/src/qt_zh_CN.qm", "DATA"),
    ("PySide6/Qt/translations/qtbase_de.qm", "/src/qtbase_de.qm", "DATA"),
    ("PySide6/Qt/translations/qt_zh_TW.qm", "/src/qt_zh_TW.qm", "DATA"),
    ("libQt6Gui.so.6", "PySide6/Qt/lib/libQt6Gui.so.6", "SYMLINK"),
    ("libQt6WaylandClient.so.6", "PySide6/Qt/lib/libQt6WaylandClient.so.6", "SYMLINK"),
]

WINDOWS_LINKS = {
    "python311.dll": [],
    "QtGui.pyd": ["Qt6Gui.dll"],
    "Qt6Gui.dll": ["Qt6Core.dll", "KERNEL32.dll"],
    "Qt6Core.dll": [],
    "Qt6Svg.dll": ["Qt6Gui.dll"],
    "opengl32sw.dll": [],
    "qwindows.dll": ["Qt6Gui.dll"],
    "qoffscreen.dll": ["Qt6Gui.dll"],
    "qminimal.dll": ["Qt6Gui.dll"],
    "qdirect2d.dll": ["Qt6Gui.dll"],
    "qmodernwindowsstyle.dll": ["Qt6Gui.dll"],
    "qsvg.dll": ["QT6SVG.DLL"],
    "qjpeg.dll": ["Qt6Gui.dll"],
}
WINDOWS_BINARIES = [
    "python311.dll",
    "PySide6\\QtGui.pyd",
    "PySide6\\Qt6Gui.dll",
    "PySide6\\Qt6Core.dll",
    "PySide6\\Qt6Svg.dll",
    "PySide6\\opengl32sw.dll",
    "PySide6\\plugins\\platforms\\qwindows.dll",
    "PySide6\\plugins\\platforms\\qoffscreen.dll",
    "PySide6\\plugins\\platforms\\qminimal.dll",
    "PySide6\\plugins\\platforms\\qdirect2d.dll",
    "PySide6\\plugins\\styles\\qmodernwindowsstyle.dll",
    "PySide6\\plugins\\imageformats\\qsvg.dll",
    "PySide6\\plugins\\imageformats\\qjpeg.dll",
]


class Built:
    """What the spec handed to PyInstaller's build steps."""

    analysis: dict
    exe: dict
    executables: list
    collect_binaries: list
    collect_datas: list
    namespace: dict


def run_spec(monkeypatch, platform: str, binaries: list[str], datas: list, links: dict) -> Built:
    built = Built()

    class Analysis:
        def __init__(self, scripts, **options):
            built.analysis = dict(options, scripts=scripts)
            self.binaries = [(dest, f"/src/{dest}", "BINARY") for dest in binaries]
            self.datas = list(datas)
            self.pure = []
            self.scripts = []

    def pyz(pure):
        return "pyz"

    def exe(*args, **options):
        built.exe = built.__dict__.get("exe", options)  # the first one is the GUI
        return options

    def collect(*args, **options):
        *executables, binaries, datas = args
        built.executables = executables
        built.collect_binaries = [dest for dest, _src, _type in binaries]
        built.collect_datas = [dest for dest, _src, _type in datas]

    def get_imports(src, search_paths=None):
        name = src.replace("\\", "/").rsplit("/", 1)[-1]
        return {(linked, f"/lib/{linked}") for linked in links[name]}

    monkeypatch.setattr(PyInstaller.depend.bindepend, "get_imports", get_imports)
    monkeypatch.setattr(PyInstaller.utils.hooks, "collect_submodules",
                        lambda package: [package, f"{package}.app", f"{package}.__main__"])
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.setattr(sys, "platform", platform)
    namespace = {"SPECPATH": str(ROOT), "Analysis": Analysis, "PYZ": pyz, "EXE": exe,
                 "COLLECT": collect, "__name__": "__main__", "__file__": str(SPEC)}
    exec(compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec"), namespace)
    built.namespace = namespace
    return built


def test_linux_build(monkeypatch) -> None:
    built = run_spec(monkeypatch, "linux", LINUX_BINARIES, LINUX_DATAS, LINUX_LINKS)

    assert len(built.executables) == 1  # Linux: the GUI has a console already
    assert built.exe["name"] == "meixian-desktop"
    assert built.exe["console"] is True  # --smoke output must be visible
    assert built.exe["strip"] is True and built.exe["upx"] is False
    assert built.exe["version"] is None
    assert built.analysis["pathex"] == [str(ROOT)]
    assert built.analysis["scripts"] == [str(ROOT / "meixian_desktop" / "__main__.py")]
    assert built.analysis["datas"] == [(str(ROOT / "resources"), "resources"),
                                       (str(ROOT / "forms"), "forms")]
    assert "meixian_desktop.app" in built.analysis["hiddenimports"]
    assert "meixian_desktop.__main__" not in built.analysis["hiddenimports"]
    excludes = set(built.analysis["excludes"])
    assert {"PySide6.QtNetwork", "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtSvg",
            "PySide6.QtWebEngineCore", "tkinter", "numpy", "pandas", "pytest"} <= excludes
    assert not {"PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets", "PySide6.QtPrintSupport",
                "PySide6.QtPdf", "sqlite_utils", "pluggy", "cryptography", "filelock",
                "platformdirs", "reportlab"} & excludes

    kept = {name.rsplit("/", 1)[-1] for name in built.collect_binaries}
    assert kept == {
        "libpython3.11.so.1.0", "_ctypes.cpython-311-x86_64-linux-gnu.so", "libffi.so.8",
        "QtGui.abi3.so", "libQt6Gui.so.6", "libQt6DBus.so.6", "libQt6Core.so.6",
        "libQt6XcbQpa.so.6", "libqxcb.so", "libqoffscreen.so", "libqminimal.so",
        "libqxdgdesktopportal.so", "libqjpeg.so", "libqxcb-glx-integration.so",
        "libcupsprintersupport.so",
    }  # gone: wayland, eglfs, gtk3, svg and what only they linked (libQt6WaylandClient, ...)
    assert built.collect_datas == [
        "resources/reference/meixian_villages.csv",
        "PySide6/Qt/translations/qtbase_zh_CN.qm",
        "PySide6/Qt/translations/qt_zh_CN.qm",
        "libQt6Gui.so.6",
    ]


def test_windows_build(monkeypatch) -> None:
    # PyInstaller's version-resource module needs pefile and win32api only to read/write files.
    monkeypatch.setitem(sys.modules, "pefile", types.ModuleType("pefile"))
    monkeypatch.setattr(PyInstaller.compat, "win32api", None, raising=False)
    monkeypatch.delitem(sys.modules, "PyInstaller.utils.win32.versioninfo", raising=False)
    try:
        built = run_spec(monkeypatch, "win32", WINDOWS_BINARIES, [], WINDOWS_LINKS)
    finally:
        sys.modules.pop("PyInstaller.utils.win32.versioninfo", None)

    assert built.exe["console"] is False  # windowed
    assert built.exe["strip"] is False
    assert [(e["name"], e["console"]) for e in built.executables] == [
        ("meixian-desktop", False), ("meixian-desktop-cli", True)]  # a console twin for commands
    kept = {name.rsplit("\\", 1)[-1] for name in built.collect_binaries}
    assert kept == {"python311.dll", "QtGui.pyd", "Qt6Gui.dll", "Qt6Core.dll", "qwindows.dll",
                    "qoffscreen.dll", "qminimal.dll", "qmodernwindowsstyle.dll", "qjpeg.dll"}
    version = built.exe["version"]
    text = str(version)
    assert APP_NAME in text and __version__ in text and "meixian-desktop.exe" in text
    numbers = tuple(int(n) for n in __version__.split(".")[:3])
    assert version.ffi.fileVersionMS == (numbers[0] << 16) | numbers[1]
    assert version.toRaw()  # serialisable into the .exe


def test_the_app_imports_nothing_the_spec_excludes(monkeypatch, tmp_path) -> None:
    built = run_spec(monkeypatch, "linux", [], [], {})
    find = built.namespace["excluded_imports"]
    assert find(ROOT / "meixian_desktop") == []

    package = tmp_path / "meixian_desktop"
    package.mkdir()
    (package / "hub.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "from PySide6 import QtCore, QtNetwork\n"
        "if TYPE_CHECKING:\n    import numpy\n"
        "def later():\n    import PySide6.QtSvg\n",
        encoding="utf-8",
    )
    assert find(package) == [("meixian_desktop/hub.py", "PySide6.QtNetwork"),
                             ("meixian_desktop/hub.py", "PySide6.QtSvg")]
