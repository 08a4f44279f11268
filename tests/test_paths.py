"""Paths: platform folders by default, one home folder when asked."""

from __future__ import annotations

from pathlib import Path

import pytest

from meixian_desktop.paths import default_paths, resource, under_home


def test_home_puts_every_folder_under_it(tmp_path) -> None:
    paths = default_paths(tmp_path / "h")
    for folder in (paths.data_dir, paths.config_dir, paths.log_dir, paths.backup_dir):
        assert folder.is_relative_to(tmp_path / "h")
    assert paths.database.name == "meixian.db"


def test_environment_variable_and_explicit_home(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("MEIXIAN_HOME", str(tmp_path / "env"))
    assert default_paths().data_dir == tmp_path / "env" / "data"
    assert default_paths(tmp_path / "arg").data_dir == tmp_path / "arg" / "data"


def test_platform_folders_without_override(monkeypatch) -> None:
    monkeypatch.delenv("MEIXIAN_HOME", raising=False)
    paths = default_paths()
    assert "meixian_desktop" in str(paths.data_dir)
    assert paths.backup_dir.parent == paths.data_dir


def test_demo_is_a_separate_home(tmp_path) -> None:
    paths = under_home(tmp_path)
    demo = paths.demo()
    assert demo.database != paths.database
    assert demo.data_dir.is_relative_to(paths.data_dir)


def test_frozen_bundle_resources_come_first(tmp_path, monkeypatch) -> None:
    (tmp_path / "resources" / "reference").mkdir(parents=True)
    (tmp_path / "resources" / "reference" / "meixian_villages.csv").write_text("bundled")
    monkeypatch.setattr("sys._MEIPASS", str(tmp_path), raising=False)
    assert resource("reference", "meixian_villages.csv").read_text() == "bundled"


def test_missing_resource_says_reinstall() -> None:
    with pytest.raises(FileNotFoundError) as caught:
        resource("no-such-file.txt")
    assert "重新安装" in str(caught.value)
    assert isinstance(Path(__file__), Path)
