"""Commands for the data key: change the password, and recovery through the town office."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from meixian_desktop.paths import Paths

RECOVERY_HELP = ("忘记密码时：网格员用 request 做恢复申请，镇里核对身份后用 answer 办理，"
                 "网格员再用 apply 导入恢复文件并设新密码")


def add_key_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    password = sub.add_parser("password", help="修改这台电脑的密码（新密码由 --new-password-file 给出）")
    password.add_argument("--new-password-file", type=Path, required=True, metavar="FILE",
                          help="新密码存在这个文件的第一行")
    recovery = sub.add_parser("recovery", help=RECOVERY_HELP)
    verbs = recovery.add_subparsers(dest="verb", required=True)
    request = verbs.add_parser("request", help="（网格员）制作恢复申请文件")
    request.add_argument("--to", type=Path, required=True, help="写到这个文件夹（如U盘）")
    answer = verbs.add_parser("answer", help="（镇级）核对身份后，为恢复申请制作恢复文件")
    answer.add_argument("request", type=Path, help="网格员的恢复申请文件（.mxrecq）")
    answer.add_argument("--to", type=Path, required=True, help="写到这个文件夹")
    answer.add_argument("--clerk", required=True, help="办理人姓名（记入操作日志）")
    answer.add_argument("--device", default="", metavar="指纹",
                        help="申请里没有设备时（网格员电脑的钥匙文件损坏）：这台电脑的密钥指纹")
    take = verbs.add_parser("apply", help="（网格员）导入恢复文件并设新密码")
    take.add_argument("answer", type=Path, help="镇里给的恢复文件（.mxreca）")
    take.add_argument("--new-password-file", type=Path, required=True, metavar="FILE",
                      help="新密码存在这个文件的第一行")


def _new_password(paths: Paths, file: Path) -> str | None:
    from meixian_desktop.core.passwords import password_problem
    from meixian_desktop.store import vault

    password = vault.given_password(file) or ""
    weak = password_problem(password)
    if weak:
        print(weak, file=sys.stderr)
        return None
    return password


def cmd_password(paths: Paths, args: argparse.Namespace) -> int:
    from meixian_desktop.store import vault

    password = _new_password(paths, args.new_password_file)
    if password is None:
        return 1
    vault.set_password(paths.data_dir, password)
    print("密码已修改。")
    return 0


def cmd_recovery(paths: Paths, args: argparse.Namespace) -> int:
    from meixian_desktop.store import profile as profile_store
    from meixian_desktop.store import vault
    from meixian_desktop.store.session import open_session
    from meixian_desktop.sync import recovery
    from meixian_desktop.sync.errors import SyncError
    from meixian_desktop.sync.keys import load_keys

    try:
        if args.verb == "request":
            made = recovery.write_request(paths.data_dir, args.to)
            print(f"恢复申请已写到：{made}。请带上电脑（或这个文件）和身份证到镇综治中心。")
        elif args.verb == "answer":
            with open_session(paths) as session:
                profile = profile_store.load(session.store)
                if profile is None or not profile.is_town:
                    print("只有镇级才能办理密码恢复。", file=sys.stderr)
                    return 1
                device_id = ""
                if args.device:
                    from meixian_desktop.store import devices

                    found = devices.by_fingerprint(session.store, args.device)
                    if len(found) != 1:
                        print(f"指纹“{args.device}”对上了 {len(found)} 台电脑，请写得更完整。",
                              file=sys.stderr)
                        return 1
                    device_id = found[0].device_id
                made = recovery.answer_request(session.store, load_keys(paths.keys_dir),
                                               args.request, args.to, args.clerk,
                                               device_id=device_id)
            print(f"恢复文件已写到：{made}。只能在提出申请的那台电脑上用一次。")
        else:
            password = _new_password(paths, args.new_password_file)
            if password is None:
                return 1
            recovery.apply_answer(paths.data_dir, args.answer)
            vault.set_password(paths.data_dir, password)
            print("已恢复，新密码已设好。")
    except SyncError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    return 0
