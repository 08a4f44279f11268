"""Packaging: every package folder is listed, and shipped resources are found."""

from __future__ import annotations

import tomllib
from pathlib import Path

from meixian_desktop.paths import resource

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_folder_is_listed_in_pyproject() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for path in (ROOT / "meixian_desktop").rglob("__init__.py")
    }
    assert found <= listed, f"add to pyproject packages: {sorted(found - listed)}"


def test_shipped_reference_data_is_found() -> None:
    villages = resource("reference", "meixian_villages.csv")
    assert villages.read_text(encoding="utf-8").startswith("code,name,kind")
    assert resource("README.md", kind="forms").exists()
