"""Composition root: arguments and paths, then either a headless command or the GUI."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from meixian_desktop import APP_NAME, __version__
from meixian_desktop.paths import Paths, default_paths


def build_parser(*, commands: bool = True) -> argparse.ArgumentParser:
    """The whole command line; ``commands`` False: only the window's own options (opening the
    window does not build, or import, the parsers of some forty commands)."""
    parser = argparse.ArgumentParser(
        prog="meixian-desktop", add_help=commands,
        description=f"{APP_NAME}：梅仙镇网格员与镇级的离线工作软件。不带命令时打开窗口。",
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument(
        "--home", default=None, metavar="DIR",
        help="把数据、设置、日志和备份都放在这个文件夹（也可用环境变量 MEIXIAN_HOME）",
    )
    parser.add_argument("--demo", action="store_true",
                        help="使用单独的演示数据，不碰真实数据")
    parser.add_argument("--smoke", action="store_true",
                        help="打开主窗口后立即退出（用于自检）")
    if commands:
        from meixian_desktop.cli import add_commands

        add_commands(parser)
    return parser


def resolve_paths(args: argparse.Namespace) -> Paths:
    paths = default_paths(args.home)
    return paths.demo() if args.demo else paths


def main(argv: Sequence[str] | None = None) -> int:
    window, rest = build_parser(commands=False).parse_known_args(argv)
    if rest:  # a command, --help, or something only the whole command line knows
        args = build_parser().parse_args(argv)
    else:
        args = argparse.Namespace(**vars(window), command=None)
    paths = resolve_paths(args)
    if args.command:
        from meixian_desktop.cli import run

        return run(paths, args)
    from meixian_desktop.ui.application import run_gui

    return run_gui(paths, demo=args.demo, smoke=args.smoke)


if __name__ == "__main__":
    sys.exit(main())
