"""The `forms` and `print` commands: list printable forms, print one record or a month's
工作台账 to a PDF."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from meixian_desktop.paths import Paths


def add_print_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `forms` and `print` to the CLI's subcommands."""
    sub.add_parser("forms", help="列出可打印的表单及模板问题")
    printing = sub.add_parser("print", help="把一条记录（或一个月的工作台账）打印成 PDF 表单")
    printing.add_argument("form", help="表单名称，见 forms 命令；ledger = 工作台账")
    printing.add_argument("record_id", nargs="?", default=None, help="记录编号（工作台账不用写）")
    printing.add_argument("--month", default=None, help="工作台账的月份，例如 2025-03")
    printing.add_argument("-o", "--output", type=Path, required=True, help="输出的 PDF 文件")
    printing.add_argument("--font", type=Path, default=None, help="指定中文字体文件（.ttf/.ttc）")
    printing.add_argument("--actor", default="", help="审计日志里记录的打印人（默认：本机用户）")


def cmd_forms(paths: Paths, args: argparse.Namespace) -> int:
    from meixian_desktop.printing.forms import form_infos

    infos = form_infos(paths.config_dir)
    broken = 0
    for info in infos:
        print(f"{info.name:<20} {info.title}（{info.record_label}）")
        if info.problem:
            broken += 1
            print(f"    模板有问题：{info.problem}")
    print(_ledger_line(paths))
    return 1 if broken == len(infos) else 0


def _ledger_line(paths: Paths) -> str:
    """The 工作台账, which prints a month rather than a record, with its template problem."""
    from meixian_desktop.printing.forms import PrintError
    from meixian_desktop.printing.ledger import LEDGER, load_ledger
    from meixian_desktop.printing.templates import TemplateError

    line = f"{LEDGER:<20} 工作台账（按月：print ledger --month 2025-03 -o 台账.pdf）"
    try:
        load_ledger(paths.config_dir)
    except (TemplateError, PrintError) as exc:
        return f"{line}\n    模板有问题：{exc.message}"
    return line


def _wrong_arguments(args: argparse.Namespace) -> str:
    """What is wrong with the arguments of `print`, or "" when they fit the form."""
    if args.form == "ledger":
        if args.record_id:
            return "工作台账按月打印，不写记录编号。例如：print ledger --month 2025-03 -o 台账.pdf"
        if not args.month:
            return "打印工作台账要用 --month 写明月份。例如：print ledger --month 2025-03 -o 台账.pdf"
        return ""
    if args.month:
        return (f"只有工作台账（ledger）按月打印；打印“{args.form}”请写记录编号，不要用 --month。"
                f"例如：print {args.form} 记录编号 -o 输出.pdf")
    if not args.record_id:
        return f"请写明要打印的记录编号。例如：print {args.form} 记录编号 -o 输出.pdf"
    return ""


def cmd_print(paths: Paths, args: argparse.Namespace) -> int:
    from meixian_desktop.printing.fonts import FontFileError
    from meixian_desktop.printing.forms import PrintError, print_record
    from meixian_desktop.printing.ledger import parse_month, print_ledger
    from meixian_desktop.printing.templates import TemplateError
    from meixian_desktop.store import profile as profile_store
    from meixian_desktop.store.errors import StoreError
    from meixian_desktop.store.session import open_session

    problem = _wrong_arguments(args)
    try:
        month = parse_month(args.month) if args.month and not problem else None
    except PrintError as exc:
        problem = exc.message
    if problem:
        print(problem, file=sys.stderr)
        return 1
    if not paths.database.exists():
        raise StoreError(f"还没有数据文件：{paths.database}。请先完成首次设置。", paths.database)
    try:
        with open_session(paths, beside_app=True) as session:
            profile = profile_store.load(session.store)
            actor = args.actor or (profile.name if profile else "") or "本机用户"
            if month is not None:
                result = print_ledger(session.store, month, args.output, actor=actor,
                                      profile=profile, config_dir=paths.config_dir,
                                      font_file=args.font)
            else:
                result = print_record(session.store, args.form, args.record_id, args.output,
                                      actor=actor, config_dir=paths.config_dir,
                                      font_file=args.font)
    except (PrintError, TemplateError, FontFileError) as exc:
        print(exc.message, file=sys.stderr)
        return 1
    for message in result.messages():
        print(f"注意：{message}", file=sys.stderr)
    print(f"已打印到：{args.output}（共 {result.pages} 页）")
    return 0
