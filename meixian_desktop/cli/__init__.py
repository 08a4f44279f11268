"""Headless commands: the GUI's operations for scripts and support (setup, demo, info, …)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

from meixian_desktop import APP_NAME, __version__
from meixian_desktop.core import clock
from meixian_desktop.core.errors import ValidationError
from meixian_desktop.core.fields import printable
from meixian_desktop.core.passwords import password_problem
from meixian_desktop.paths import Paths
from meixian_desktop.store import vault
from meixian_desktop.store.errors import StoreError
from meixian_desktop.store.session import Session, open_session


def make_console_safe() -> None:
    """Never crash on a console that cannot show a character (a GBK console and 𠮷)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")


def add_commands(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--password-file", type=Path, default=None, metavar="FILE",
                        help="数据的密码存在这个文件的第一行（不用窗口运行命令时；"
                        "首次设置时是要设的密码）")
    parser.add_argument("--key-from-stdin", action="store_true", help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="命令")
    setup = sub.add_parser("setup", help="首次设置（不用图形界面）")
    setup.add_argument("--role", required=True, choices=["worker", "town"],
                       help="worker = 网格员，town = 镇级")
    setup.add_argument("--name", required=True, help="网格员姓名或镇级单位名称")
    setup.add_argument("--phone", default="", help="手机或座机号码")
    setup.add_argument("--villages", default="",
                       help="负责的村：统计代码或村名，用逗号分隔（网格员必填）")
    setup.add_argument("--town-name", default="", help="镇名称（默认：梅仙镇人民政府）")
    setup.add_argument("--town-package", type=Path, default=None,
                       help="（网格员）同时导入镇里发的资料包（.mxref）")
    setup.add_argument("--town-fingerprint", default="",
                       help="镇里念给你的密钥指纹（至少前 8 位）；不填时会显示指纹并问你")
    sub.add_parser("demo", help="在当前数据文件夹里生成演示数据")
    info = sub.add_parser("info", help="显示版本、数据文件夹和记录数")
    info.add_argument("--json", action="store_true", help="以 JSON 输出")
    sub.add_parser("check", help="检查数据库完整性")
    today = sub.add_parser("today", help="列出今日待办（到期和逾期的事项）")
    today.add_argument("--days", type=int, default=7, help="包括今后几天内到期的（默认 7）")
    today.add_argument("--json", action="store_true", help="以 JSON 输出")
    from meixian_desktop.cli.keys import add_key_commands
    from meixian_desktop.cli.lists import add_list_commands
    from meixian_desktop.cli.printing import add_print_commands
    from meixian_desktop.cli.sync import add_sync_commands

    add_list_commands(sub)
    add_print_commands(sub)
    add_sync_commands(sub)
    add_key_commands(sub)
    backup = sub.add_parser("backup", help="立即备份数据库")
    backup.add_argument("--to", type=Path, default=None,
                        help="备份到这个文件夹（默认：备份文件夹）")


def _village_codes(text: str) -> list[str]:
    from meixian_desktop.firstrun import shipped_villages

    by_name = {seed.name: seed.code for seed in shipped_villages()}
    items = [part.strip() for part in text.replace("，", ",").split(",") if part.strip()]
    return [by_name.get(item, item) for item in items]


def cmd_setup(paths: Paths, args: argparse.Namespace) -> int:
    from meixian_desktop.core.profile import make_profile
    from meixian_desktop.firstrun import set_up

    profile = make_profile(args.role, args.name, args.phone, _village_codes(args.villages),
                           args.town_name)
    password = vault.given_password(args.password_file, prompt="为这台电脑设置密码：")
    if password is None:
        print("首次设置要给数据设密码：请用 --password-file 指定存放密码的文件。", file=sys.stderr)
        return 1
    weak = password_problem(password, phone=args.phone, name=args.name)
    if weak:
        print(weak, file=sys.stderr)
        return 1
    with open_session(paths) as session:
        result = set_up(session.store, paths, profile)
        vault.set_password(paths.data_dir, password)
        print(f"设置完成：{profile.role_label} {profile.name}")
        print(f"设备编号：{result.device_id}")
        print(f"签名密钥指纹：{result.fingerprint}")
        if args.town_package is not None:
            if profile.is_town:
                print("镇级不需要导入资料包；资料包是镇里发给网格员的。", file=sys.stderr)
                return 1
            from meixian_desktop.cli.sync import take_town_package

            return take_town_package(session, paths, args.town_package,
                                     args.town_fingerprint)
    return 0


def cmd_demo(paths: Paths, args: argparse.Namespace) -> int:
    from meixian_desktop.demo import fill_demo

    with open_session(paths) as session:
        made = fill_demo(session)
    print(f"演示数据已生成：共 {sum(made.values())} 条记录。数据文件夹：{paths.data_dir}")
    return 0


def gather_info(paths: Paths) -> dict[str, object]:
    """What `info` reports; readable while the GUI has the folder open."""
    from meixian_desktop.store import profile as profile_store
    from meixian_desktop.store import records

    info: dict[str, object] = {"version": __version__, "home": str(paths.data_dir)}
    if not paths.database.exists():
        info.update(role=None, device_id=None, schema_version=0, records={})
        return info
    from meixian_desktop.sync.keys import fingerprint
    from meixian_desktop.sync.package import town_fingerprint

    with open_session(paths, readonly=True) as session:
        store = session.store
        profile = profile_store.load(store)
        signing = store.meta("signing_public")
        info.update(
            role=profile.role if profile else None,
            name=profile.name if profile else None,
            device_id=store.meta("device_id"),
            fingerprint=fingerprint(bytes.fromhex(signing)) if signing else None,
            town_fingerprint=town_fingerprint(store) or None,
            schema_version=store.schema_version(),
            records=records.live_counts(store),
        )
    return info


def cmd_info(paths: Paths, args: argparse.Namespace) -> int:
    info = gather_info(paths)
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=2))
        return 0
    print(f"{APP_NAME} {info['version']}")
    print(f"数据文件夹：{info['home']}")
    if info["role"] is None:
        print("尚未完成首次设置。")
    else:
        print(f"角色：{info['role']}  设备编号：{info['device_id']}")
        print(f"本机密钥指纹：{info['fingerprint']}")
        if info["town_fingerprint"]:
            print(f"镇里密钥指纹：{info['town_fingerprint']}")
    print(f"数据版本：{info['schema_version']}")
    counts = info["records"]
    assert isinstance(counts, dict)
    for name, count in counts.items():
        print(f"  {name}: {count}")
    return 0


def cmd_check(paths: Paths, args: argparse.Namespace) -> int:
    from meixian_desktop.store.integrity import check

    if not paths.database.exists():
        print(f"还没有数据文件：{paths.database}")
        return 0
    with open_session(paths, readonly=True) as session:
        problems = check(session.store)
    if problems:
        print(f"数据文件“{paths.database}”有问题：", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        print("请先用 backup 命令备份，再把数据文件交给镇里技术人员。", file=sys.stderr)
        return 1
    print(f"数据文件完好：{paths.database}")
    print("数据文件已加密（SQLCipher，AES-256）。" + (
        "已设密码。" if vault.has_password(paths.data_dir)
        else "还没有设密码：请打开软件设置密码。"))
    return 0


def _open_existing(paths: Paths) -> Session:
    if not paths.database.exists():
        raise StoreError(f"还没有数据文件：{paths.database}。请先完成首次设置。", paths.database)
    return open_session(paths, readonly=True)


def cmd_today(paths: Paths, args: argparse.Namespace) -> int:

    from meixian_desktop.store import profile as profile_store
    from meixian_desktop.store.due import due_items

    today = clock.today()
    with _open_existing(paths) as session:
        profile = profile_store.load(session.store)
        if profile is None:
            raise StoreError("还没有完成首次设置。", paths.database)
        items = due_items(session.store, profile, today, horizon=args.days)
    if args.json:
        print(json.dumps([{"table": i.table, "id": i.record_id, "kind": i.kind_label,
                           "title": i.title, "due": i.due.isoformat(),
                           "days_left": i.days_left(today), "urgent": i.urgent}
                          for i in items], ensure_ascii=False, indent=2))
        return 0
    print(f"今日待办（{today.isoformat()}）：共 {len(items)} 项")
    for item in items:
        days = item.days_left(today)
        when = f"逾期 {-days} 天" if days < 0 else ("今天到期" if days == 0 else f"{days} 天后到期")
        print(f"  {item.due.isoformat()}  {when:<8} {item.kind_label}：{item.title}")
    return 0


def cmd_list(paths: Paths, args: argparse.Namespace) -> int:
    """patrols / households / orders / cases: the GUI's lists, filtered the same way."""

    from meixian_desktop.cli.lists import list_rows, print_rows

    today = clock.today()
    with _open_existing(paths) as session:
        rows = list_rows(session.store, args.command, args, today)
        print_rows(session.store, args.command, rows, args.json, today)
    return 0


def cmd_backup(paths: Paths, args: argparse.Namespace) -> int:
    from meixian_desktop.store.backup import make_backup

    if not paths.database.exists():
        print(f"还没有数据文件，无需备份：{paths.database}", file=sys.stderr)
        return 1
    with open_session(paths, readonly=True) as session:
        made = make_backup(session.store.conn, args.to or paths.backup_dir, "manual",
                           key=session.store.key)
    print(f"已备份到：{made}")
    return 0


def cmd_forms(paths: Paths, args: argparse.Namespace) -> int:
    from meixian_desktop.cli.printing import cmd_forms as run_forms

    return run_forms(paths, args)


def cmd_print(paths: Paths, args: argparse.Namespace) -> int:
    from meixian_desktop.cli.printing import cmd_print as run_print

    return run_print(paths, args)


def cmd_sync(paths: Paths, args: argparse.Namespace) -> int:
    from meixian_desktop.cli import sync as cli_sync

    handler = {"sync": cli_sync.cmd_sync, "town-package": cli_sync.cmd_town_package,
               "devices": cli_sync.cmd_devices, "hub": cli_sync.cmd_hub}[args.command]
    return handler(paths, args)


def cmd_keys(paths: Paths, args: argparse.Namespace) -> int:
    from meixian_desktop.cli import keys as cli_keys

    return {"password": cli_keys.cmd_password,
            "recovery": cli_keys.cmd_recovery}[args.command](paths, args)


HANDLERS: dict[str, Callable[[Paths, argparse.Namespace], int]] = {
    "setup": cmd_setup,
    "demo": cmd_demo,
    "info": cmd_info,
    "check": cmd_check,
    "backup": cmd_backup,
    "today": cmd_today,
    "patrols": cmd_list,
    "households": cmd_list,
    "orders": cmd_list,
    "cases": cmd_list,
    "forms": cmd_forms,
    "print": cmd_print,
    "sync": cmd_sync,
    "town-package": cmd_sync,
    "devices": cmd_sync,
    "hub": cmd_sync,
    "password": cmd_keys,
    "recovery": cmd_keys,
}


class _Escaping:
    """A console stream that shows control and direction-override characters as escapes: a
    name typed on another laptop cannot clear the screen or turn a line around."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return int(self._stream.write(printable(text)))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _without_key(args: argparse.Namespace) -> bool:
    """Commands for a worker who forgot the password work without it."""
    return args.command == "recovery" and args.verb in ("request", "apply")


def run(paths: Paths, args: argparse.Namespace) -> int:
    """Run one command; user-fixable problems print a Chinese message and exit 1."""
    make_console_safe()
    with redirect_stdout(_Escaping(sys.stdout)), redirect_stderr(_Escaping(sys.stderr)):
        try:
            if args.key_from_stdin:  # the window starting the hub hands over its key by pipe
                vault.remember(paths.data_dir, bytes.fromhex(sys.stdin.readline().strip()))
            elif args.command != "setup" and not _without_key(args):
                vault.unlock_headless(paths.data_dir, args.password_file)
            return HANDLERS[args.command](paths, args)
        except (StoreError, ValidationError) as exc:
            print(exc.message, file=sys.stderr)
            return 1
