"""meixian-hub [--home DIR] [--host H] [--port P] [--tls-cert F --tls-key F]: serve the town's
data folder to workers on the network."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from meixian_desktop.paths import Paths, default_paths


def add_hub_arguments(parser: argparse.ArgumentParser) -> None:
    """The hub's options, shared by meixian-hub and `meixian-desktop hub`."""
    parser.add_argument("--host", default="0.0.0.0", help="监听地址（默认：所有网卡）")
    parser.add_argument("--port", type=int, default=8470, help="端口（默认 8470）")
    parser.add_argument("--tls-cert", type=Path, default=None, help="HTTPS 证书文件")
    parser.add_argument("--tls-key", type=Path, default=None, help="HTTPS 私钥文件")
    parser.add_argument("--max-body-mb", type=int, default=512, help="一个批次最大多少 MB")
    parser.add_argument("--per-minute", type=int, default=30,
                        help="每台电脑每分钟最多几次请求（默认 30）")
    parser.add_argument("--per-address", type=int, default=60,
                        help="每个网络地址每分钟最多几次上传（默认 60；在读取内容之前就限制）")
    parser.add_argument("--body-idle", type=float, default=30.0,
                        help="上传中途停住多少秒就断开（默认 30）")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="meixian-hub", description=__doc__)
    parser.add_argument("--home", type=Path, default=None, help="镇级的数据文件夹所在目录")
    parser.add_argument("--password-file", type=Path, default=None, metavar="FILE",
                        help="数据的密码存在这个文件的第一行")
    add_hub_arguments(parser)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    from meixian_desktop.store import vault
    from meixian_desktop.store.errors import StoreError

    args = parse_args(argv)
    paths = default_paths(args.home)
    try:
        vault.unlock_headless(paths.data_dir, args.password_file)
    except StoreError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    return serve(paths, args)


def serve(paths: Paths, args: argparse.Namespace) -> int:
    """Run the hub on ``paths`` until stopped."""
    import logging  # here, not at the top: every start of the app builds the hub's options

    import uvicorn

    from meixian_desktop.hub.app import Limits, create_app
    from meixian_desktop.store import profile as profile_store
    from meixian_desktop.store.database import Store

    if (args.tls_cert is None) != (args.tls_key is None):
        print("--tls-cert 和 --tls-key 要一起给。", file=sys.stderr)
        return 1
    if not paths.database.exists():
        print(f"还没有数据文件：{paths.database}。请先完成镇级的首次设置。", file=sys.stderr)
        return 1
    with Store.open(paths.database, readonly=True) as store:
        profile = profile_store.load(store)
    if profile is None or not profile.is_town:
        print("meixian-hub 只能在镇级的数据文件夹上运行。", file=sys.stderr)
        return 1
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    app = create_app(paths, Limits(max_body=args.max_body_mb * 1024 * 1024,
                                   per_minute=args.per_minute, per_address=args.per_address,
                                   body_idle=args.body_idle))
    scheme = "https" if args.tls_cert else "http"
    print(f"meixian-hub listening on {scheme}://{args.host}:{args.port}", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning",
                ssl_certfile=str(args.tls_cert) if args.tls_cert else None,
                ssl_keyfile=str(args.tls_key) if args.tls_key else None,
                # uvicorn's own guards: idle keep-alive connections close after 5 s, at most
                # `connections` at once (the rest get 503), a request head over 64 kB is refused.
                timeout_keep_alive=5, limit_concurrency=Limits().connections,
                h11_max_incomplete_event_size=64 * 1024)
    return 0


if __name__ == "__main__":
    sys.exit(main())
