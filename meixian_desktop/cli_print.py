"""The `forms` and `print` commands: list printable forms, print one record to a PDF."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from meixian_desktop.paths import Paths


def add_print_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `forms` and `print` to the CLI's subcommands."""
    sub.add_parser("forms", help="列出可打印的表单及模板问题")
    printing = sub.add_parser("print", help="把一条记录打印成 PDF 表单")
    printing.add_argument("form", help="表单名称，见 forms 命令")
    printing.add_argument("record_id", help="记录编号")
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
    return 1 if broken == len(infos) else 0


def cmd_print(paths: Paths, args: argparse.Namespace) -> int:
    from meixian_desktop.printing.fonts import FontFileError
    from meixian_desktop.printing.forms import PrintError, print_record
    from meixian_desktop.printing.templates import TemplateError
    from meixian_desktop.store import profile as profile_store
    from meixian_desktop.store.errors import StoreError
    from meixian_desktop.store.session import open_session

    if not paths.database.exists():
        raise StoreError(f"还没有数据文件：{paths.database}。请先完成首次设置。", paths.database)
    try:
        with open_session(paths) as session:
            profile = profile_store.load(session.store)
            actor = args.actor or (profile.name if profile else "") or "本机用户"
            result = print_record(session.store, args.form, args.record_id, args.output,
                                  actor=actor, config_dir=paths.config_dir, font_file=args.font)
    except (PrintError, TemplateError, FontFileError) as exc:
        print(exc.message, file=sys.stderr)
        return 1
    for message in result.messages():
        print(f"注意：{message}", file=sys.stderr)
    print(f"已打印到：{args.output}（共 {result.pages} 页）")
    return 0
