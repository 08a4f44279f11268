"""The sync commands: batches out and in, receipts, the town package, and the device list."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from meixian_desktop.paths import Paths

if TYPE_CHECKING:
    from meixian_desktop.store.database import Store
    from meixian_desktop.store.devices import Device
    from meixian_desktop.store.session import Session


def add_sync_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `sync`, `town-package` and `devices` to the CLI's subcommands."""
    sync = sub.add_parser("sync", help="用文件同步：导出批次、导入批次、导入回执")
    verbs = sync.add_subparsers(dest="verb", required=True)
    export = verbs.add_parser("export", help="（网格员）把未确认的记录导出成批次文件")
    export.add_argument("--to", type=Path, required=True, help="写到这个文件夹（如U盘）")
    export.add_argument("--new-only", action="store_true",
                        help="只导出上一批之后的新记录（默认：所有镇里还没确认的）")
    take = verbs.add_parser("import", help="（镇级）导入批次文件，或文件夹里所有的批次")
    take.add_argument("paths", type=Path, nargs="+", help="批次文件（.mxsync）或文件夹")
    take.add_argument("--receipts", type=Path, default=None, help="把回执写到这个文件夹")
    take.add_argument("--approve-new-devices", action="store_true",
                      help="新设备直接批准（否则先等待在“同步”页核对密钥指纹）")
    push = verbs.add_parser("push", help="（网格员）通过网络把排队的批次发给镇里服务器")
    push.add_argument("--hub", default="", help="镇里服务器地址，如 http://192.168.1.10:8470"
                      "（默认：设置里填的地址）")
    receipt = verbs.add_parser("receipt", help="（网格员）导入镇里的回执")
    receipt.add_argument("paths", type=Path, nargs="+", help="回执文件（.mxack）或文件夹")
    package = sub.add_parser("town-package", help="镇里的资料包")
    package_verbs = package.add_subparsers(dest="verb", required=True)
    package_export = package_verbs.add_parser("export", help="（镇级）导出资料包")
    package_export.add_argument("--to", type=Path, required=True, help="写到这个文件夹")
    package_import = package_verbs.add_parser("import", help="（网格员）导入资料包")
    package_import.add_argument("path", type=Path, help="资料包文件（.mxref）")
    package_import.add_argument("--town-fingerprint", default="",
                                help="第一次导入时：镇里念给你的密钥指纹（至少前 8 位）")
    from meixian_desktop.hub.__main__ import add_hub_arguments

    add_hub_arguments(sub.add_parser("hub", help="（镇级）运行镇里服务器 meixian-hub"))
    device = sub.add_parser("devices", help="（镇级）网格员设备：列出、批准、停用")
    device_verbs = device.add_subparsers(dest="verb", required=True)
    device_verbs.add_parser("list", help="列出设备和密钥指纹")
    for verb, text in (("approve", "批准设备（并导入等待中的批次）"), ("revoke", "停用设备"),
                       ("assign", "分配设备负责的村（以镇里为准，批次改不了）")):
        chosen = device_verbs.add_parser(verb, help=text)
        chosen.add_argument("fingerprint", help="密钥指纹（空格可省略，至少前 8 位）")
        if verb == "assign":
            chosen.add_argument("--villages", required=True,
                                help="村名或区划代码，逗号分隔，如 张韩村,三里村")


def _files(paths: list[Path], suffix: str) -> list[Path]:
    """The files named, and every file with ``suffix`` in the folders named, in name order."""
    from meixian_desktop.sync.container import files_in
    from meixian_desktop.sync.errors import SyncError

    found = files_in(paths, suffix)
    if not found:
        folders = "、".join(str(p) for p in paths)
        raise SyncError(f"在 {folders} 里没有找到 {suffix} 文件。请检查U盘或文件夹是否选对。")
    return found


def _session(paths: Paths) -> Any:
    from meixian_desktop.store.errors import StoreError
    from meixian_desktop.store.session import open_session

    if not paths.database.exists():
        raise StoreError(f"还没有数据文件：{paths.database}。请先完成首次设置。", paths.database)
    return open_session(paths)


def _context(paths: Paths) -> tuple[Any, Any, Any]:
    from meixian_desktop.store import profile as profile_store
    from meixian_desktop.store.errors import StoreError
    from meixian_desktop.sync.keys import load_keys

    session = _session(paths)
    profile = profile_store.load(session.store)
    if profile is None:
        session.close()
        raise StoreError("还没有完成首次设置。请先运行 setup。", paths.database)
    return session, profile, load_keys(paths.keys_dir)


def cmd_sync(paths: Paths, args: argparse.Namespace) -> int:
    from meixian_desktop.sync.errors import SyncError

    session, profile, keys = _context(paths)
    try:
        with session:
            if args.verb == "export":
                return _export(session, profile, keys, args)
            if args.verb == "import":
                return _import(session, profile, keys, args)
            if args.verb == "push":
                return _push(session, profile, keys, args)
            return _receipts(session, args)
    except SyncError as exc:
        print(exc.message, file=sys.stderr)
        return 1


def _export(session: Any, profile: Any, keys: Any, args: argparse.Namespace) -> int:
    from meixian_desktop.sync.errors import NothingToSend, SyncError
    from meixian_desktop.sync.outbox import export_batch
    from meixian_desktop.sync.sealing import SyncFileError

    if profile.is_town:
        raise SyncError("镇级不导出批次；请用 town-package export 导出资料包。")
    try:
        made = export_batch(session.store, keys, profile, session.paths.attachments_dir,
                            args.to, new_only=args.new_only)
    except NothingToSend as exc:
        print(exc.message, file=sys.stderr)
        return 0
    except SyncFileError as exc:
        raise SyncError(exc.message) from exc
    print(made.path)
    print(f"共 {made.records} 条记录、{made.attachments} 张照片。", file=sys.stderr)
    return 0


def _import(session: Any, profile: Any, keys: Any, args: argparse.Namespace) -> int:
    from meixian_desktop.sync.errors import SyncError
    from meixian_desktop.sync.inbox import ALREADY, IMPORTED, REFUSED, import_batch, missing_ranges
    from meixian_desktop.sync.receipts import write_receipt
    from meixian_desktop.sync.sealing import SyncFileError

    if not profile.is_town:
        raise SyncError("只有镇级能导入网格员的批次。")
    refused = 0
    for path in _files(args.paths, ".mxsync"):
        result = import_batch(session.store, keys, path, session.paths.held_batches_dir,
                              session.paths.attachments_dir,
                              approve_new=args.approve_new_devices)
        print(result.line)
        refused += result.status == REFUSED
        if result.status in (IMPORTED, ALREADY):
            for start, end in missing_ranges(session.store, result.device_id):
                print(f"  注意：{result.worker}的第 {start}–{end} 号变更还没收到，"
                      "可能有一批丢失了；请该网格员导出“全部未确认”的记录。")
        if args.receipts and result.total:
            try:
                print(f"  回执：{write_receipt(session.store, keys, result.batch_id, args.receipts)}")
            except SyncFileError as exc:
                print(f"  回执没有写成：{exc.message}", file=sys.stderr)
                refused += 1
    return 1 if refused else 0


def _push(session: Any, profile: Any, keys: Any, args: argparse.Namespace) -> int:
    from meixian_desktop.store import settings as settings_store
    from meixian_desktop.sync.errors import SyncError
    from meixian_desktop.sync.http import push

    if profile.is_town:
        raise SyncError("镇级不推送批次；镇里运行 meixian-hub 接收网格员的批次。")
    url = args.hub or str(settings_store.get(session.store, "hub_url") or "")
    if not url:
        raise SyncError("没有镇里服务器的地址。请用 --hub 给出，或在“设置”里填写。")
    result = push(session.store, keys, profile, session.paths, url)
    for line in result.lines:
        print(line)
    print(result.summary)
    return 0 if result.reachable and not result.failed else 1


def _receipts(session: Any, args: argparse.Namespace) -> int:
    from meixian_desktop.sync.errors import SyncError
    from meixian_desktop.sync.receipts import apply_receipt

    failed = 0
    for path in _files(args.paths, ".mxack"):
        try:
            print(f"{path.name}：{apply_receipt(session.store, path).line}")
        except SyncError as exc:
            print(f"{path.name}：拒收 — {exc.message}")
            failed += 1
    return 1 if failed else 0


def take_town_package(session: Session, paths: Paths, package: Path, typed: str) -> int:
    """Import a town package from the command line; the first time, the town's fingerprint is
    checked against ``typed`` or, on a terminal, confirmed by the worker."""
    from meixian_desktop.store.devices import matches_fingerprint
    from meixian_desktop.sync.errors import SyncError
    from meixian_desktop.sync.keys import load_keys
    from meixian_desktop.sync.package import DeviceRevoked, import_package

    def confirm(found: str) -> bool:
        print(f"镇里的密钥指纹：{found}")
        if typed:
            if matches_fingerprint(typed, found):
                return True
            print(f"和你填的指纹“{typed}”不一致。", file=sys.stderr)
            return False
        if not sys.stdin.isatty():
            print("请向镇里核对这串指纹，再用 --town-fingerprint 填上它重新导入。", file=sys.stderr)
            return False
        answer = input("和镇里念给你的一致吗？一致请输入 y：").strip().lower()
        return answer in ("y", "yes", "是")

    try:
        print(import_package(session.store, load_keys(paths.keys_dir), package,
                             confirm=confirm).line)
    except DeviceRevoked as exc:
        print(exc.message, file=sys.stderr)
        from meixian_desktop.store import vault

        vault.destroy(paths.data_dir)
        print("数据钥匙已销毁。", file=sys.stderr)
        return 1
    except SyncError as exc:
        print(f"资料包没有导入：{exc.message}", file=sys.stderr)
        return 1
    return 0


def cmd_town_package(paths: Paths, args: argparse.Namespace) -> int:
    from meixian_desktop.sync.errors import SyncError
    from meixian_desktop.sync.package import export_package
    from meixian_desktop.sync.sealing import SyncFileError

    session, profile, keys = _context(paths)
    try:
        with session:
            if args.verb == "export":
                print(export_package(session.store, keys, profile, args.to))
            else:
                if profile.is_town:
                    raise SyncError("镇级不导入资料包；资料包是发给网格员的。")
                return take_town_package(session, paths, args.path, args.town_fingerprint)
    except (SyncError, SyncFileError) as exc:
        print(exc.message, file=sys.stderr)
        return 1
    return 0


def cmd_devices(paths: Paths, args: argparse.Namespace) -> int:
    from meixian_desktop.core.fields import printable
    from meixian_desktop.store import devices
    from meixian_desktop.store.villages import names_of
    from meixian_desktop.sync.inbox import approve_device, missing_ranges

    session, profile, keys = _context(paths)
    with session:
        store = session.store
        if args.verb == "list":
            for known in devices.all_devices(store):
                gaps = missing_ranges(store, known.device_id)
                gap_text = f"  缺少变更 {gaps}" if gaps else ""
                print(printable(f"{known.fingerprint}  {known.status_label}  {known.worker}  "
                                f"{names_of(store, known.villages)}{gap_text}"))
            return 0
        found = devices.by_fingerprint(store, args.fingerprint)
        if len(found) != 1:
            if not found:
                print(f"没有指纹为“{printable(args.fingerprint)}”的设备（至少要输入前 8 位）。"
                      "用 devices list 查看。", file=sys.stderr)
            else:
                names = "；".join(printable(f"{d.worker}（{d.fingerprint}）") for d in found)
                print(f"指纹“{printable(args.fingerprint)}”同时对应 {len(found)} 台设备：{names}。"
                      "什么也没有做；请多输入几位指纹。", file=sys.stderr)
            return 1
        device = found[0]
        label = printable(f"{device.worker}（{device.fingerprint}）")
        if args.verb == "revoke":
            devices.decide(store, device.device_id, devices.REVOKED, profile.name)
            print(f"已停用：{label}")
            return 0
        if args.verb == "assign":
            return _assign(store, device, args.villages, label)
        results = approve_device(store, keys, device.device_id, profile.name,
                                 session.paths.held_batches_dir, session.paths.attachments_dir)
        print(f"已批准：{label}，负责 {printable(names_of(store, device.villages)) or '（没有写）'}"
              "（可用 devices assign 改）")
        for result in results:
            print(printable(result.line))
        return 0


def _assign(store: Store, device: Device, text: str, label: str) -> int:
    from meixian_desktop.core.fields import printable
    from meixian_desktop.store import devices
    from meixian_desktop.store.villages import list_villages, names_of

    known = {v.name: v.code for v in list_villages(store) if v.code}
    known.update({v.code: v.code for v in list_villages(store) if v.code})
    wanted = [part.strip() for part in text.replace("，", ",").split(",") if part.strip()]
    unknown = [w for w in wanted if w not in known and w + "村" not in known]
    if unknown or not wanted:
        print(f"不认识这些村：{'、'.join(printable(w) for w in unknown) or '（没有填）'}。"
              "请用“设置”页村列表里的村名或区划代码。", file=sys.stderr)
        return 1
    codes = tuple(dict.fromkeys(known.get(w) or known[w + "村"] for w in wanted))
    devices.assign(store, device.device_id, codes)
    print(f"已分配：{label} 负责 {names_of(store, codes)}。下次导出资料包时带给这台电脑。")
    return 0


def cmd_hub(paths: Paths, args: argparse.Namespace) -> int:
    from meixian_desktop.hub.__main__ import serve

    return serve(paths, args)
