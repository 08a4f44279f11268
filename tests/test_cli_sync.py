"""The sync commands end to end: town package, batches out and in, devices, receipts."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from meixian_desktop.app import main
from meixian_desktop.paths import under_home
from meixian_desktop.store import profile as profile_store
from meixian_desktop.store.session import open_session
from meixian_desktop.sync.keys import load_keys
from tests.sync.homes import Home, patrol

FINGERPRINT = re.compile(r"(?:[0-9A-F]{4} ){4}[0-9A-F]{4}")


def cli(capsys: pytest.CaptureFixture[str], home: Path, *args: str | Path
        ) -> tuple[int, str, str]:
    """Run one command in this process: (exit code, stdout, stderr)."""
    capsys.readouterr()
    code = main(["--home", str(home), *(str(a) for a in args)])
    out, err = capsys.readouterr()
    return code, out, err


def run_cli(home: Path, *args: str | Path, env: dict[str, str] | None = None,
            encoding: str = "utf-8") -> subprocess.CompletedProcess[str]:
    """Run one command in a new process, as a script or a Windows console would."""
    return subprocess.run(
        [sys.executable, "-m", "meixian_desktop", "--home", str(home), *(str(a) for a in args)],
        capture_output=True, text=True, encoding=encoding, errors="replace", timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})})


def add_patrols(home: Path, count: int = 1, findings: int = 1) -> None:
    """Records made in the worker's app between commands."""
    paths = under_home(home)
    with open_session(paths) as session:
        profile = profile_store.load(session.store)
        assert profile is not None
        opened = Home(paths, session, profile, load_keys(paths.keys_dir))
        for number in range(count):
            patrol(opened, f"命令行巡查{number}", findings=findings)


def read_out(capsys: pytest.CaptureFixture[str], town: Path) -> str:
    """The fingerprint the town office reads out to a worker (its `info`)."""
    code, out, _err = cli(capsys, town, "info", "--json")
    assert code == 0
    return str(json.loads(out)["fingerprint"])


def setup_worker(capsys: pytest.CaptureFixture[str], home: Path, name: str, package: Path,
                 town: Path) -> None:
    assert cli(capsys, home, "setup", "--role", "worker", "--name", name, "--phone",
               "13907301234", "--villages", "张韩村")[0] == 0
    code, out, err = cli(capsys, home, "town-package", "import", package)
    assert code == 1 and "核对" in err  # never trusted on first sight
    code, out, err = cli(capsys, home, "town-package", "import", package,
                         "--town-fingerprint", read_out(capsys, town))
    assert code == 0, err
    assert "已导入" in out and "资料包" in out


@pytest.fixture
def homes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Path]:
    """A town and a worker set up with the CLI, the worker holding the town's package."""
    found = {name: tmp_path / name for name in ("town", "worker", "stick", "receipts")}
    found["stick"].mkdir()
    found["receipts"].mkdir()
    assert cli(capsys, found["town"], "setup", "--role", "town", "--name", "梅仙镇综治中心")[0] == 0
    code, out, err = cli(capsys, found["town"], "town-package", "export", "--to", found["stick"])
    assert code == 0, err
    package = Path(out.strip())
    assert package.parent == found["stick"] and package.suffix == ".mxref" and package.is_file()
    found["package"] = package
    setup_worker(capsys, found["worker"], "李梅", package, found["town"])
    return found


def export(capsys: pytest.CaptureFixture[str], worker: Path, stick: Path, *extra: str) -> Path:
    code, out, err = cli(capsys, worker, "sync", "export", "--to", stick, *extra)
    assert code == 0, err
    made = Path(out.strip())
    assert made.parent == stick and made.suffix == ".mxsync" and made.is_file()
    assert "条记录" in err
    return made


def fingerprint_of(home: Path) -> str:
    return load_keys(under_home(home).keys_dir).fingerprint


def test_export_hold_approve_by_prefix_receipt_and_nothing_new(
        homes: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    town, worker, stick, receipts = (homes[k] for k in ("town", "worker", "stick", "receipts"))
    add_patrols(worker, 3, findings=2)
    made = export(capsys, worker, stick)

    code, out, err = cli(capsys, town, "sync", "import", stick, "--receipts", receipts)
    assert code == 0, err
    [line] = out.splitlines()
    fingerprint = fingerprint_of(worker)
    assert made.name in line and "等待批准" in line and fingerprint in line
    assert list(receipts.iterdir()) == []  # nothing applied, so nothing to acknowledge yet

    code, out, _ = cli(capsys, town, "devices", "list")
    assert code == 0 and fingerprint in out and "待批准" in out and "李梅" in out
    prefix = fingerprint.replace(" ", "")[:8].lower()
    code, out, err = cli(capsys, town, "devices", "approve", prefix)
    assert code == 0, err
    assert "已批准" in out and f"{made.name}：已导入（李梅，共 9 条：导入 9" in out
    assert "已批准" in cli(capsys, town, "devices", "list")[1]

    code, out, err = cli(capsys, town, "sync", "import", stick, "--receipts", receipts)
    assert code == 0, err
    assert "重复" in out.splitlines()[0] and "回执：" in out
    [receipt] = receipts.glob("*.mxack")

    code, out, err = cli(capsys, worker, "sync", "receipt", receipts)
    assert code == 0, err
    assert out.strip() == f"{receipt.name}：镇里已确认 9 条记录。"
    code, out, _ = cli(capsys, worker, "sync", "receipt", receipt)
    assert code == 0 and "以前已经导入过" in out

    for extra in ((), ("--new-only",)):
        code, out, err = cli(capsys, worker, "sync", "export", "--to", stick, *extra)
        assert code == 0 and out == ""
        assert "没有需要" in err
    assert len(list(stick.glob("*.mxsync"))) == 1

    add_patrols(worker, 1, findings=0)
    newer = export(capsys, worker, stick, "--new-only")
    code, out, err = cli(capsys, town, "sync", "import", newer)
    assert code == 0, err
    assert out.strip() == f"{newer.name}：已导入（李梅，共 1 条：导入 1，重复 0，冲突 0，隔离 0）"


def test_a_refused_file_makes_the_exit_code_non_zero(
        homes: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    town, worker, stick = homes["town"], homes["worker"], homes["stick"]
    add_patrols(worker)
    made = export(capsys, worker, stick)
    (stick / "0-坏文件.mxsync").write_bytes(b"this is no batch")
    (stick / "1-截断.mxsync").write_bytes(made.read_bytes()[:500])
    (stick / "2-没写完.mxsync.part").write_bytes(made.read_bytes())  # never looked at
    code, out, err = cli(capsys, town, "sync", "import", stick, "--approve-new-devices")
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 3, out
    assert lines[0].startswith("0-坏文件.mxsync：拒收 — ") and "不是 ZIP" in lines[0]
    assert lines[1].startswith("1-截断.mxsync：拒收 — ") and "不完整" in lines[1]
    assert lines[2].startswith(f"{made.name}：已导入")
    assert "没写完" not in out

    code, out, err = cli(capsys, town, "sync", "import", made)  # only the good one: fine
    assert code == 0 and "重复" in out

    code, out, err = cli(capsys, town, "sync", "import", homes["receipts"])
    assert code == 1 and "没有找到 .mxsync 文件" in err


def test_approve_new_devices_revoke_by_fingerprint_and_refuse_afterwards(
        homes: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    town, stick = homes["town"], homes["stick"]
    other = tmp_path / "other"
    setup_worker(capsys, other, "周敏", homes["package"], homes["town"])
    add_patrols(other, 2)
    made = export(capsys, other, stick)
    code, out, err = cli(capsys, town, "sync", "import", made, "--approve-new-devices")
    assert code == 0, err
    assert out.strip() == f"{made.name}：已导入（周敏，共 4 条：导入 4，重复 0，冲突 0，隔离 0）"

    fingerprint = fingerprint_of(other)
    code, out, err = cli(capsys, town, "devices", "revoke", fingerprint)
    assert code == 0, err
    assert out.strip() == f"已停用：周敏（{fingerprint}）"
    assert "已停用" in cli(capsys, town, "devices", "list")[1]

    add_patrols(other, 1)
    later = export(capsys, other, stick, "--new-only")
    code, out, err = cli(capsys, town, "sync", "import", later, "--approve-new-devices")
    assert code == 1
    assert out.startswith(f"{later.name}：拒收 — ") and "已被停用" in out

    for typed in ("1234", "FFFF FFFF FFFF"):
        code, out, err = cli(capsys, town, "devices", "approve", typed)
        assert code == 1 and "没有指纹为" in err and "devices list" in err


def test_commands_for_the_other_role_or_a_missing_folder_say_so(
        homes: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    town, worker, stick = homes["town"], homes["worker"], homes["stick"]
    code, _, err = cli(capsys, town, "sync", "export", "--to", stick)
    assert code == 1 and "镇级不导出批次" in err
    code, _, err = cli(capsys, town, "town-package", "import", homes["package"])
    assert code == 1 and "镇级不导入资料包" in err
    code, _, err = cli(capsys, worker, "sync", "import", stick)
    assert code == 1 and "只有镇级" in err
    add_patrols(worker)
    code, out, err = cli(capsys, worker, "sync", "export", "--to", tmp_path / "拔掉的U盘")
    assert code == 1 and out == "" and "找不到文件夹" in err and "请" in err
    code, _, err = cli(capsys, tmp_path / "nobody", "sync", "export", "--to", stick)
    assert code == 1 and "首次设置" in err


def test_a_receipt_written_to_a_missing_folder_fails_the_command(
        homes: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_patrols(homes["worker"])
    made = export(capsys, homes["worker"], homes["stick"])
    code, out, err = cli(capsys, homes["town"], "sync", "import", made, "--approve-new-devices",
                         "--receipts", tmp_path / "gone")
    assert code == 1
    assert "已导入" in out and "回执没有写成" in err and "找不到文件夹" in err


def test_a_gbk_console_and_a_name_it_cannot_show(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    town, worker, stick = tmp_path / "town", tmp_path / "worker", tmp_path / "stick"
    stick.mkdir()
    assert cli(capsys, town, "setup", "--role", "town", "--name", "梅仙镇")[0] == 0
    package = Path(cli(capsys, town, "town-package", "export", "--to", stick)[1].strip())
    setup_worker(capsys, worker, "𠮷祥", package, town)
    add_patrols(worker)
    gbk = {"PYTHONIOENCODING": "gbk"}
    exported = run_cli(worker, "sync", "export", "--to", stick, env=gbk, encoding="gbk")
    assert exported.returncode == 0, exported.stderr
    made = Path(exported.stdout.strip().replace("?", "𠮷"))
    assert made.is_file(), exported.stdout
    done = run_cli(town, "sync", "import", stick, "--approve-new-devices", env=gbk,
                   encoding="gbk")
    assert done.returncode == 0, done.stderr
    assert "已导入（?祥，共 2 条" in done.stdout
    listed = run_cli(town, "devices", "list", env=gbk, encoding="gbk")
    assert listed.returncode == 0, listed.stderr
    assert FINGERPRINT.search(listed.stdout) and "?祥" in listed.stdout
