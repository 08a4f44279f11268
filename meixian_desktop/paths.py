"""Every path the app uses: platformdirs folders, the MEIXIAN_HOME override, bundled resources."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from meixian_desktop import APP_ID

HOME_ENV = "MEIXIAN_HOME"
DATABASE_NAME = "meixian.db"
LOCK_NAME = "meixian.lock"


@dataclass(frozen=True)
class Paths:
    """The folders of one installation (or one demo set, or one test)."""

    data_dir: Path
    config_dir: Path
    log_dir: Path
    backup_dir: Path

    @property
    def database(self) -> Path:
        return self.data_dir / DATABASE_NAME

    @property
    def lock_file(self) -> Path:
        return self.data_dir / LOCK_NAME

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    @property
    def attachments_dir(self) -> Path:
        return self.data_dir / "attachments"

    @property
    def prints_dir(self) -> Path:
        """Where versions before encryption left printed PDFs (wiped on upgrade); prints are
        now held in memory until the user saves them somewhere."""
        return self.data_dir / "prints"

    @property
    def held_batches_dir(self) -> Path:
        """Batches from a new device, kept until the town approves it."""
        return self.data_dir / "sync" / "held"

    @property
    def ui_state_file(self) -> Path:
        return self.config_dir / "window.ini"

    def demo(self) -> Paths:
        """The separate folders of the demo data set, never the real data."""
        return under_home(self.data_dir / "demo")

    def ensure(self) -> None:
        """Create every folder; raises OSError when the location is not writable."""
        for folder in (self.data_dir, self.config_dir, self.log_dir, self.backup_dir):
            folder.mkdir(parents=True, exist_ok=True)


def under_home(home: Path) -> Paths:
    """All folders under one home folder (MEIXIAN_HOME, --home, tests, demo)."""
    home = Path(home).expanduser().absolute()
    return Paths(
        data_dir=home / "data",
        config_dir=home / "config",
        log_dir=home / "logs",
        backup_dir=home / "backups",
    )


def default_paths(home: str | os.PathLike[str] | None = None) -> Paths:
    """The folders to use: an explicit home, else MEIXIAN_HOME, else the platform's own."""
    chosen = home if home is not None else os.environ.get(HOME_ENV) or None
    if chosen:
        return under_home(Path(chosen))
    import platformdirs

    dirs = platformdirs.PlatformDirs(APP_ID, appauthor=False, roaming=False)
    data = Path(dirs.user_data_dir)
    return Paths(
        data_dir=data,
        config_dir=Path(dirs.user_config_dir),
        log_dir=Path(dirs.user_log_dir),
        backup_dir=data / "backups",
    )


def _resource_roots() -> list[Path]:
    package = Path(__file__).resolve().parent
    roots = []
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        roots.append(Path(bundle))
    roots.append(package)  # installed: resources/ and forms/ inside the package
    roots.append(package.parent)  # source checkout: beside the package
    return roots


def resource(*parts: str, kind: str = "resources") -> Path:
    """A shipped file under resources/ (or forms/ with kind="forms"), wherever we run from."""
    for root in _resource_roots():
        candidate = root.joinpath(kind, *parts)
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"缺少程序自带的文件：{kind}/{'/'.join(parts)}，请重新安装梅仙网格通。")
