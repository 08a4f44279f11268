"""The command line: setup, demo, info, check, backup, and the GUI's --smoke start."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from meixian_desktop.app import main
from meixian_desktop.store.database import key_for
from tests.databases import raw_connection


def run_cli(home: Path, *args: str, env: dict[str, str] | None = None,
            encoding: str = "utf-8") -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "meixian_desktop", "--home", str(home), *args],
        capture_output=True, text=True, encoding=encoding, errors="replace", timeout=120,
        env=environment,
    )


def info(home: Path, capsys) -> dict:
    capsys.readouterr()
    assert main(["--home", str(home), "info", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_setup_then_info(tmp_path, capsys) -> None:
    home = tmp_path / "h"
    assert main(["--home", str(home), "setup", "--role", "worker", "--name", "李梅",
                 "--phone", "139 0730 1234", "--villages", "张韩村,430626108208"]) == 0
    out = capsys.readouterr().out
    assert "设置完成" in out and "指纹" in out
    report = info(home, capsys)
    assert report["role"] == "worker" and report["name"] == "李梅"
    assert len(report["device_id"]) == 36
    assert report["schema_version"] >= 1
    assert report["records"]["villages"] == 30
    assert (home / "data" / "keys" / "ed25519.key").exists()


def test_setup_twice_is_refused(tmp_path, capsys) -> None:
    home = str(tmp_path / "h")
    args = ["--home", home, "setup", "--role", "town", "--name", "梅仙镇综治中心"]
    assert main(args) == 0
    assert main(args) == 1
    assert "已经完成了首次设置" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("extra", "message"),
    [(["--role", "worker", "--name", "李梅"], "至少选择一个"),
     (["--role", "worker", "--name", "李梅", "--villages", "火星村"], "火星村"),
     (["--role", "worker", "--name", "李梅", "--villages", "张韩村", "--phone", "12345"], "电话"),
     (["--role", "worker", "--name", "  ", "--villages", "张韩村"], "姓名")],
)
def test_bad_setup_answers_are_refused_and_nothing_written(tmp_path, capsys, extra,
                                                           message) -> None:
    home = tmp_path / "h"
    assert main(["--home", str(home), "setup", *extra]) == 1
    assert message in capsys.readouterr().err
    assert info(home, capsys)["role"] is None


def test_demo_fills_the_current_home(tmp_path, capsys) -> None:
    home = tmp_path / "h"
    assert main(["--home", str(home), "demo"]) == 0
    report = info(home, capsys)
    assert report["role"] == "worker"
    assert report["records"]["village_groups"] > 100


def test_demo_option_never_touches_real_data(tmp_path, capsys) -> None:
    home = tmp_path / "h"
    assert main(["--home", str(home), "setup", "--role", "town", "--name", "梅仙镇"]) == 0
    real_before = (home / "data" / "meixian.db").read_bytes()
    assert main(["--home", str(home), "--demo", "demo"]) == 0
    demo = info(home / "data" / "demo", capsys)
    assert demo["role"] == "worker"
    assert info(home, capsys)["role"] == "town"
    assert (home / "data" / "meixian.db").read_bytes() == real_before


def test_check_reports_a_damaged_database(tmp_path, capsys) -> None:
    home = tmp_path / "h"
    assert main(["--home", str(home), "demo"]) == 0
    assert main(["--home", str(home), "check"]) == 0
    assert "完好" in capsys.readouterr().out
    conn = raw_connection(home / "data" / "meixian.db")
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("UPDATE village_groups SET village_id = 'gone' WHERE rowid = 1")
    conn.commit()
    conn.close()
    assert main(["--home", str(home), "check"]) == 1
    assert "不存在" in capsys.readouterr().err


def test_check_and_info_on_a_foreign_file(tmp_path, capsys) -> None:
    data = tmp_path / "h" / "data"
    data.mkdir(parents=True)
    (data / "meixian.db").write_bytes(b"PK\x03\x04 a zip file")
    assert main(["--home", str(tmp_path / "h"), "check"]) == 1
    err = capsys.readouterr().err
    assert "不是梅仙网格通的数据文件" in err and str(data / "meixian.db") in err


def test_backup_to_a_folder(tmp_path, capsys) -> None:
    home = tmp_path / "h"
    assert main(["--home", str(home), "demo"]) == 0
    capsys.readouterr()
    assert main(["--home", str(home), "backup", "--to", str(tmp_path / "usb")]) == 0
    [made] = (tmp_path / "usb").glob("meixian-*.db")
    assert str(made) in capsys.readouterr().out
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(made).execute("SELECT count(*) FROM villages").fetchone()
    conn = raw_connection(made, key=key_for(home / "data" / "meixian.db"))
    assert conn.execute("SELECT count(*) FROM villages").fetchone()[0] == 30
    conn.close()


def test_backup_without_data_says_so(tmp_path, capsys) -> None:
    assert main(["--home", str(tmp_path / "empty"), "backup"]) == 1
    assert "还没有数据文件" in capsys.readouterr().err


def test_meixian_home_environment_variable(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("MEIXIAN_HOME", str(tmp_path / "env-home"))
    assert main(["setup", "--role", "town", "--name", "梅仙镇"]) == 0
    assert (tmp_path / "env-home" / "data" / "meixian.db").exists()


def test_gbk_console_and_rare_characters_do_not_crash(tmp_path) -> None:
    home = tmp_path / "h"
    done = run_cli(home, "setup", "--role", "worker", "--name", "𠮷祥", "--villages", "张韩村",
                   env={"PYTHONIOENCODING": "gbk"}, encoding="gbk")
    assert done.returncode == 0, done.stderr
    assert "设置完成" in done.stdout
    shown = run_cli(home, "info", "--json", env={"PYTHONIOENCODING": "gbk"}, encoding="gbk")
    assert shown.returncode == 0, shown.stderr
    assert '"name": "?祥"' in shown.stdout or '"name": "??祥"' in shown.stdout


def test_smoke_start_on_a_fresh_and_a_set_up_home(tmp_path) -> None:
    fresh = run_cli(tmp_path / "fresh", "--smoke")
    assert fresh.returncode == 0, fresh.stderr
    assert "first-run wizard" in fresh.stdout
    demo = run_cli(tmp_path / "demo", "--demo", "--smoke")
    assert demo.returncode == 0, demo.stderr
    assert "main window shown" in demo.stdout and "演示数据" in demo.stdout


def test_smoke_start_with_a_corrupt_database_fails_with_a_message(tmp_path) -> None:
    data = tmp_path / "h" / "data"
    data.mkdir(parents=True)
    (data / "meixian.db").write_bytes(b"\x00garbage" * 50)
    done = run_cli(tmp_path / "h", "--smoke")
    assert done.returncode == 1
    assert "已损坏" in done.stderr
    assert (data / "meixian.db").read_bytes() == b"\x00garbage" * 50


def test_today_and_patrols_commands_on_demo_data(tmp_path, capsys) -> None:
    home = tmp_path / "h"
    assert main(["--home", str(home), "demo"]) == 0
    capsys.readouterr()
    assert main(["--home", str(home), "today", "--json"]) == 0
    due = json.loads(capsys.readouterr().out)
    assert due and {item["table"] for item in due} >= {"findings", "orders"}
    assert any(item["days_left"] < 0 for item in due)
    assert main(["--home", str(home), "patrols", "--kind", "river", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed and all(item["kind"] == "河道巡查" for item in listed)  # labels, as listed
    assert main(["--home", str(home), "patrols", "--overdue"]) == 0
    assert "共列出" in capsys.readouterr().out
    counts = info(home, capsys)["records"]
    assert counts["patrols"] > 50 and counts["findings"] > 10


def test_today_without_data_says_what_to_do(tmp_path, capsys) -> None:
    assert main(["--home", str(tmp_path / "none"), "today"]) == 1
    assert "首次设置" in capsys.readouterr().err


def test_list_commands_show_what_the_gui_lists_show(tmp_path, capsys) -> None:
    home = tmp_path / "h"
    assert main(["--home", str(home), "demo"]) == 0
    listed = {}
    for name in ("households", "orders", "cases"):
        capsys.readouterr()
        assert main(["--home", str(home), name, "--json", "--limit", "500"]) == 0
        listed[name] = json.loads(capsys.readouterr().out)
        assert listed[name], name
    assert all("*" in h["phone"] for h in listed["households"] if h["phone"])
    real_names = {"韩思远", "吴子涵", "唐浩然", "张雨萱"}
    assert not any(o["minor"] in real_names for o in listed["orders"])
    assert all(o["minor"].startswith("小") for o in listed["orders"])
    capsys.readouterr()
    assert main(["--home", str(home), "households", "--overdue"]) == 0
    assert "户" in capsys.readouterr().out
    assert main(["--home", str(home), "cases", "--status", "closed", "--json"]) == 0
    closed = json.loads(capsys.readouterr().out)
    assert closed and all(c["status"] == "结案" for c in closed)
    assert not any(c["deadline"] for c in closed)  # a closed case has no deadline to show
    assert len(closed) < len(listed["cases"])


def test_a_worker_sets_up_from_the_town_package(tmp_path, capsys) -> None:
    town, worker, stick = tmp_path / "town", tmp_path / "worker", tmp_path / "stick"
    stick.mkdir()
    assert main(["--home", str(town), "setup", "--role", "town", "--name", "梅仙镇人民政府"]) == 0
    assert main(["--home", str(town), "town-package", "export", "--to", str(stick)]) == 0
    [package] = stick.glob("*.mxref")
    capsys.readouterr()
    assert main(["--home", str(town), "info", "--json"]) == 0
    read_out = json.loads(capsys.readouterr().out)["fingerprint"]
    assert main(["--home", str(tmp_path / "w2"), "setup", "--role", "worker", "--name", "李梅",
                 "--villages", "张韩村", "--town-package", str(package),
                 "--town-fingerprint", "0000 0000 0000"]) == 1  # not what the town read out
    assert "不一致" in capsys.readouterr().err
    assert main(["--home", str(worker), "setup", "--role", "worker", "--name", "李梅",
                 "--villages", "张韩村", "--town-package", str(package),
                 "--town-fingerprint", read_out[:9]]) == 0
    out = capsys.readouterr().out
    assert "设置完成" in out and "已导入梅仙镇人民政府的资料包" in out and read_out in out
    assert main(["--home", str(worker), "info"]) == 0
    assert f"镇里密钥指纹：{read_out}" in capsys.readouterr().out
    assert main(["--home", str(tmp_path / "t2"), "setup", "--role", "town", "--name", "某镇",
                 "--town-package", str(package)]) == 1
    assert "镇级不需要导入资料包" in capsys.readouterr().err


def test_building_the_command_line_loads_nothing_heavy() -> None:
    """Every start of the window builds the whole parser: the hub's server, the printing and
    sync stacks and even logging stay unloaded until a command needs them."""
    code = ("import sys; from meixian_desktop.app import build_parser; "
            "build_parser().parse_args(['--smoke']); "
            "print(sorted(m for m in ('logging', 'uvicorn', 'starlette', 'reportlab', "
            "'cryptography', 'pypdfium2', 'meixian_desktop.sync.container') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=True)
    assert done.stdout.strip() == "[]"


def test_cli_output_shows_control_characters_as_escapes(tmp_path, capsys) -> None:
    """Text that reached the database from elsewhere cannot drive the terminal."""
    from meixian_desktop.paths import under_home
    from meixian_desktop.store import devices
    from meixian_desktop.store.session import open_session

    home = tmp_path / "h"
    assert main(["--home", str(home), "setup", "--role", "town", "--name", "梅仙镇"]) == 0
    with open_session(under_home(home)) as session, session.store.transaction():
        devices.register(session.store, devices.Device(
            "d-1", "李梅\x1b[2J\u202e反", "", ("430626108210",), "ab" * 32, "cd" * 32,
            "ABCD EF01 2345 6789 ABCD", devices.PENDING, "2026-06-17T14:30:00+08:00"))
    capsys.readouterr()
    assert main(["--home", str(home), "devices", "list"]) == 0
    out = capsys.readouterr().out
    assert "李梅\\x1b[2J\\u202e反" in out and "\x1b" not in out and "\u202e" not in out
    done = run_cli(home, "devices", "assign", "\x1b[31m00000000", "--villages", "x")
    assert done.returncode == 1 and "\\x1b[31m" in done.stderr and "\x1b" not in done.stderr


def test_devices_assign_and_a_prefix_that_names_two_devices(tmp_path, capsys) -> None:
    from meixian_desktop.paths import under_home
    from meixian_desktop.store import devices
    from meixian_desktop.store.session import open_session

    home = tmp_path / "h"
    assert main(["--home", str(home), "setup", "--role", "town", "--name", "梅仙镇"]) == 0
    with open_session(under_home(home)) as session, session.store.transaction():
        for number, print_ in ((1, "ABCD EF01 2345 6789 0000"), (2, "ABCD EF01 9999 0000 1111")):
            devices.register(session.store, devices.Device(
                f"d-{number}", f"网格员{number}", "", ("430626108210",), f"{number:02d}" * 32,
                "cd" * 32, print_, devices.APPROVED, "2026-06-17T14:30:00+08:00"))
    capsys.readouterr()
    assert main(["--home", str(home), "devices", "revoke", "ABCD EF01"]) == 1
    err = capsys.readouterr().err
    assert "网格员1" in err and "网格员2" in err and "什么也没有做" in err
    assert main(["--home", str(home), "devices", "assign", "ABCDEF012345",
                 "--villages", "三里村,张韩"]) == 0
    assert "网格员1" in capsys.readouterr().out
    with open_session(under_home(home)) as session:
        first, second = devices.get(session.store, "d-1"), devices.get(session.store, "d-2")
    assert first is not None and second is not None
    assert set(first.villages) == {"430626108208", "430626108210"}
    assert first.status == second.status == devices.APPROVED  # the ambiguous revoke did nothing
    assert main(["--home", str(home), "devices", "assign", "ABCDEF012345",
                 "--villages", "不存在村"]) == 1
    assert "不认识" in capsys.readouterr().err
