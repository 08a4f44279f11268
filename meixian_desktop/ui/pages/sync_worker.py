"""同步 for a worker: what is waiting by record kind, 导出到U盘, 导入回执, 导入镇里资料包."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from meixian_desktop.core.hlc import Hlc
from meixian_desktop.core.profile import Profile
from meixian_desktop.core.progress import Progress
from meixian_desktop.paths import Paths
from meixian_desktop.store import settings as settings_store
from meixian_desktop.store.database import Store
from meixian_desktop.store.errors import StoreError
from meixian_desktop.store.schema import HLC_DEVICE_START
from meixian_desktop.sync.container import files_in
from meixian_desktop.sync.errors import NothingToSend, SyncError
from meixian_desktop.sync.keys import load_keys
from meixian_desktop.sync.outbox import batches, export_batch, sendable_tables, state_sql
from meixian_desktop.sync.package import town_fingerprint
from meixian_desktop.sync.sealing import SyncFileError
from meixian_desktop.ui.pages.sync_page import (
    BANNER_STYLE,
    ERROR,
    HIGHLIGHT,
    INFO,
    Report,
    SyncPageBase,
    kind_labels,
    plain_table,
    set_row,
    short_time,
)
from meixian_desktop.ui.tasks import Runner, run_in_background

# The worker's table of records: the states of DESIGN.md "Sync", as columns.
STATE_COLUMNS = (("pending", "待同步"), ("exported", "已导出，等回执"),
                 ("conflict", "冲突/隔离"), ("acknowledged", "已确认"))


def package_time(version: str) -> str:
    """When a town package was made, from its version stamp (a hybrid clock reading)."""
    try:
        return f"{datetime.fromtimestamp(Hlc.parse(version).wall_ms / 1000):%Y-%m-%d %H:%M}"
    except (ValueError, OverflowError, OSError):
        return version


def states_by_kind(store: Store) -> list[tuple[str, dict[str, int]]]:
    """For each kind of record this computer wrote: how many are in each sync state."""
    conn, device = store.conn, store.device_id()
    out = []
    for table in sendable_tables(conn):
        rows = conn.execute(
            f"SELECT {state_sql(table, device)}, count(*) FROM {table} t "
            f"WHERE substr(t.hlc, {HLC_DEVICE_START}) = ? GROUP BY 1", (device,))
        counts: dict[str, int] = {}
        for state, count in rows:  # the page shows quarantined ones with the conflicts
            key = "conflict" if state == "quarantined" else str(state)
            counts[key] = counts.get(key, 0) + int(count)
        if counts:
            out.append((table, counts))
    return out


class WorkerSyncPage(SyncPageBase):
    """The worker's 同步 page: what is waiting, 导出到U盘, 导入回执, 导入镇里资料包, and
    立即同步 over the network when a hub address is set."""

    sync_now = Signal()  # the window's background sender does the work

    def __init__(self, store: Store, paths: Paths, profile: Profile, *,
                 runner: Runner = run_in_background, parent: QWidget | None = None) -> None:
        super().__init__(store, paths, profile, runner, parent)
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(BANNER_STYLE)
        self.town = QLabel()
        self.town.setWordWrap(True)
        package_button = QPushButton(self.tr("导入镇里资料包…"))
        package_button.setToolTip(self.tr("选择镇里发来的资料包文件（.mxref）：村、村民小组、"
                                          "类别和分给你的重点户、监护令、纠纷案件。"))
        package_button.clicked.connect(self.choose_package)
        town_box = QGroupBox(self.tr("镇里资料包"))
        town_row = QHBoxLayout(town_box)
        town_row.addWidget(self.town, 1)
        town_row.addWidget(package_button)

        self.states = plain_table([self.tr("记录类别")] + [label for _c, label in STATE_COLUMNS])
        for column, tip in enumerate((
                self.tr("这台电脑上填写、修改过的记录"),
                self.tr("还没导出过，或导出后又修改过：下次导出时会带上"),
                self.tr("已写到U盘，等镇里导入后给回执"),
                self.tr("镇里发现和别人的修改冲突，或不符合填写规则；镇里核对后处理"),
                self.tr("镇里已收到并确认")), start=0):
            header_item = self.states.horizontalHeaderItem(column)
            if header_item is not None:
                header_item.setToolTip(tip)
        header = self.states.horizontalHeader()
        for column in range(1, len(STATE_COLUMNS) + 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        self.waiting = QLabel()
        self.waiting.setWordWrap(True)
        self.new_only = QCheckBox(self.tr("只导出新记录"))
        self.new_only.setToolTip(self.tr(
            "不勾选（推荐）：导出镇里还没确认的全部记录，包括以前导出过的。\n"
            "这样即使上次的U盘丢了或没交到，镇里也不会少收；重复的记录镇里会自动跳过。\n"
            "勾选：只导出上一次导出之后新增或修改的记录，文件更小。"))
        self.export_button = QPushButton(self.tr("导出到U盘…"))
        self.export_button.setDefault(True)
        self.export_button.setToolTip(self.tr("插上U盘，选择U盘（或别的文件夹），"
                                              "把记录加密写成一个批次文件（.mxsync）。"))
        self.export_button.clicked.connect(self.choose_export_folder)
        waiting_box = QGroupBox(self.tr("要交给镇里的记录"))
        waiting_layout = QVBoxLayout(waiting_box)
        waiting_layout.addWidget(self.states, 1)
        waiting_layout.addWidget(self.waiting)
        export_row = QHBoxLayout()
        export_row.addWidget(self.new_only)
        export_row.addStretch(1)
        export_row.addWidget(self.export_button)
        waiting_layout.addLayout(export_row)
        self.network = QLabel()
        self.network.setWordWrap(True)
        self.sync_button = QPushButton(self.tr("立即同步"))
        self.sync_button.setToolTip(self.tr("在镇里网络范围内时，把记录直接发给镇里服务器，"
                                            "并取回回执和新的资料包。"))
        self.sync_button.clicked.connect(self.sync_now.emit)
        network_row = QHBoxLayout()
        network_row.addWidget(self.network, 1)
        network_row.addWidget(self.sync_button)
        waiting_layout.addLayout(network_row)

        self.last_batch = QLabel()
        self.last_batch.setWordWrap(True)
        self.open_batches = plain_table([self.tr("导出时间"), self.tr("记录"), self.tr("照片"),
                                         self.tr("方式"), self.tr("文件名")])
        receipt_button = QPushButton(self.tr("导入回执…"))
        receipt_button.setToolTip(self.tr("镇里导入你的批次后，会给你回执文件（.mxack）。"
                                          "选择回执文件，或选择放回执的文件夹（导入其中全部回执）。"))
        receipt_button.clicked.connect(self.choose_receipts)
        receipt_folder_button = QPushButton(self.tr("导入文件夹里的全部回执…"))
        receipt_folder_button.clicked.connect(self.choose_receipt_folder)
        batch_box = QGroupBox(self.tr("已导出、还没有回执的批次"))
        batch_layout = QVBoxLayout(batch_box)
        batch_layout.addWidget(self.last_batch)
        batch_layout.addWidget(self.open_batches, 1)
        receipt_row = QHBoxLayout()
        receipt_row.addStretch(1)
        receipt_row.addWidget(receipt_button)
        receipt_row.addWidget(receipt_folder_button)
        batch_layout.addLayout(receipt_row)

        columns = QHBoxLayout()
        columns.addWidget(waiting_box, 1)
        columns.addWidget(batch_box, 1)
        results_box = QGroupBox(self.tr("结果"))
        results_layout = QVBoxLayout(results_box)
        results_layout.addWidget(self.message)
        results_layout.addWidget(self.results, 1)
        from meixian_desktop.ui.pages.sync_review import ConflictPanel

        # A town package can meet an edit made here: the later clock won, the other is kept.
        self.conflicts = ConflictPanel(store, profile.name)
        self.conflicts_box = QGroupBox(self.tr("与镇里资料包冲突的记录（请核对）"))
        QVBoxLayout(self.conflicts_box).addWidget(self.conflicts)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>" + self.tr("同步") + "</h2>"))
        layout.addWidget(self.banner)
        layout.addWidget(town_box)
        layout.addLayout(columns, 3)
        layout.addWidget(self.conflicts_box, 2)
        layout.addWidget(results_box, 1)
        self.refresh()

    # -- what is shown --------------------------------------------------------------------------
    def refresh(self) -> None:
        version = self.store.meta("town_package_version")
        town_name = self.store.meta("town_name") or self.tr("镇里")
        if version:
            self.town.setText(self.tr("已导入%1的资料包（%2 发布）。镇里发新资料包时再导入一次。"
                                      "镇里的密钥指纹：%3")
                              .replace("%1", town_name).replace("%2", package_time(version))
                              .replace("%3", town_fingerprint(self.store)))
        else:
            self.town.setText(self.tr("还没有导入镇里的资料包。"))
        self.banner.setText(self.tr(
            "第一步：导入镇里的资料包。向镇里要资料包文件（.mxref，通常拷在U盘里），"
            "点下面的“导入镇里资料包…”选择它。导入之后才能把记录导出给镇里。"))
        self.banner.setVisible(not version)
        self.export_button.setEnabled(bool(version))
        hub = str(settings_store.get(self.store, "hub_url") or "")
        self.network.setText(
            self.tr("网络同步：%1（在镇里网络范围内时自动发送）").replace("%1", hub) if hub else
            self.tr("网络同步：未填写镇里服务器地址（在“设置”里填写后，在镇里网络范围内会自动同步）"))
        self.sync_button.setEnabled(bool(hub and version))
        self.conflicts.refresh()
        self.conflicts_box.setVisible(bool(self.conflicts.items))
        self._show_states()
        self._show_batches()

    def _show_states(self) -> None:
        labels = kind_labels(self.store)
        rows = states_by_kind(self.store)
        self.states.setRowCount(len(rows))
        totals = dict.fromkeys((code for code, _label in STATE_COLUMNS), 0)
        for number, (table, counts) in enumerate(rows):
            values: list[Any] = [labels.get(table, table)]
            for code, _label in STATE_COLUMNS:
                values.append(counts.get(code, 0))
                totals[code] += counts.get(code, 0)
            set_row(self.states, number, values, data=table)
            for column in (1, 3):  # waiting to go, or needing the town's look: marked
                cell = self.states.item(number, column)
                if values[column] and cell is not None:
                    cell.setBackground(HIGHLIGHT)
        unsent = totals["pending"] + totals["exported"] + totals["conflict"]
        if not rows:
            text = self.tr("还没有要交给镇里的记录。")
        elif not unsent:
            text = self.tr("全部 %1 条记录镇里都已确认，没有要交的。").replace(
                "%1", str(totals["acknowledged"]))
        else:
            text = (self.tr("镇里还没确认的记录共 %1 条：待同步 %2 条，已导出等回执 %3 条。")
                    .replace("%1", str(unsent)).replace("%2", str(totals["pending"]))
                    .replace("%3", str(totals["exported"])))
            if totals["conflict"]:
                text += self.tr("有 %1 条冲突或被隔离，镇里会核对处理。").replace(
                    "%1", str(totals["conflict"]))
            if totals["pending"]:
                text += self.tr("插上U盘，点“导出到U盘…”交给镇里。")
            else:
                text += self.tr("等镇里的回执，拿回来后点“导入回执…”。")
        self.waiting.setText(text)

    def _show_batches(self) -> None:
        made = batches(self.store)
        if made:
            last = made[0]
            answer = (self.tr("镇里已确认（%1）").replace("%1", short_time(last["acknowledged_at"]))
                      if last["acknowledged_at"] else self.tr("还没有收到回执"))
            self.last_batch.setText(
                self.tr("上一批：%1 导出，%2 条记录，%3。文件：%4")
                .replace("%1", short_time(last["created_at"])).replace("%2", str(last["records"]))
                .replace("%3", answer).replace("%4", str(last["file_name"])))
        else:
            self.last_batch.setText(self.tr("还没有导出过批次。"))
        waiting = [b for b in made if not b["acknowledged_at"]]
        self.open_batches.setRowCount(len(waiting))
        for number, batch in enumerate(waiting):
            how = self.tr("只新记录") if batch["new_only"] else self.tr("全部未确认")
            set_row(self.open_batches, number,
                    [short_time(batch["created_at"]), int(batch["records"]),
                     int(batch["attachments"]), how, batch["file_name"]],
                    data=batch["batch_id"])

    # -- export ---------------------------------------------------------------------------------
    def choose_export_folder(self) -> QFileDialog:
        return self.ask_folder(self.tr("选择U盘或文件夹"), self.export_to)

    def export_to(self, folder: Path) -> None:
        """Write one batch into ``folder`` (the chosen stick), in the background."""
        new_only, keys_dir = self.new_only.isChecked(), self.paths.keys_dir
        profile, attachments = self.profile, self.paths.attachments_dir

        def work(store: Store, progress: Progress) -> Report:
            report = Report()
            try:
                made = export_batch(store, load_keys(keys_dir), profile, attachments, folder,
                                    new_only=new_only, progress=progress)
            except NothingToSend as exc:
                report.add(exc.message, INFO)
                report.tone = INFO
                return report
            except (SyncError, SyncFileError) as exc:
                report.add(self.tr("导出没有成功：") + exc.message, ERROR)
                return report
            report.add(self.tr("已导出 %1 条记录、%2 张照片：%3")
                       .replace("%1", str(made.records)).replace("%2", str(made.attachments))
                       .replace("%3", str(made.path)))
            report.summary = (report.lines[0][0] + self.tr(
                "\n请把U盘交给镇里。镇里导入后会给你一张回执（.mxack），拿回来在这里点“导入回执…”。"))
            return report

        self.run(self.tr("正在导出记录"), work, self.show_report)

    # -- receipts -------------------------------------------------------------------------------
    def choose_receipts(self) -> QFileDialog:
        return self.ask_files(self.tr("选择镇里的回执文件"), self.tr("回执 (*.mxack)"),
                              self.receipts_chosen)

    def choose_receipt_folder(self) -> QFileDialog:
        return self.ask_folder(self.tr("选择放回执的文件夹（如U盘）"),
                               lambda folder: self.receipts_chosen([folder]))

    def receipts_chosen(self, paths: list[Path]) -> None:
        """Take in every receipt named, and every .mxack in the folders named."""
        from meixian_desktop.sync.receipts import apply_receipt

        found = files_in(paths, ".mxack")
        if not found:
            where = "、".join(str(p) for p in paths)
            self.say(self.tr("在 %1 里没有找到回执文件（.mxack）。请检查U盘或文件夹是否选对。")
                     .replace("%1", where), ERROR)
            return

        def work(store: Store, progress: Progress) -> Report:
            report = Report()
            for number, path in enumerate(found):
                progress.step(number, len(found), path.name)
                try:
                    report.add(f"{path.name}：{apply_receipt(store, path).line}")
                except (SyncError, SyncFileError) as exc:
                    report.add(f"{path.name}：{exc.message}", ERROR)
            return report

        self.run(self.tr("正在导入回执"), work, self.show_report, cancellable=False)

    # -- the town package ---------------------------------------------------------------------
    def choose_package(self) -> QFileDialog:
        return self.ask_files(self.tr("选择镇里的资料包"), self.tr("镇里资料包 (*.mxref)"),
                              lambda paths: self.package_chosen(paths[0]), many=False)

    def package_chosen(self, path: Path) -> None:
        """Take in a town package (.mxref); the first one only once the worker has compared the
        town's key fingerprint with the one the town office read out."""
        from meixian_desktop.sync.package import package_fingerprint

        if town_fingerprint(self.store):
            self.take_package(path, "")
            return
        try:
            found = package_fingerprint(path)
        except SyncError as exc:
            report = Report()
            report.add(self.tr("资料包没有导入：") + exc.message, ERROR)
            self.show_report(report)
            return
        box = self.fingerprint_dialog = QMessageBox(self)
        box.setWindowTitle(self.tr("核对镇里的密钥指纹"))
        box.setIcon(QMessageBox.Icon.Question)
        box.setText(self.tr("第一次导入资料包。请镇里（综治中心）念出他们“设置”页上的密钥指纹，"
                            "和下面这串逐字核对：")
                    + f"<p style='font-size:18pt; white-space:nowrap'><b>{found}</b></p>"
                    + self.tr("一致才点“一致，导入”。不一致请不要导入，并告诉镇里。"))
        same = self.fingerprint_same = box.addButton(self.tr("一致，导入"),
                                                     QMessageBox.ButtonRole.AcceptRole)
        self.fingerprint_differs = box.addButton(self.tr("不一致"),
                                                 QMessageBox.ButtonRole.RejectRole)
        box.buttonClicked.connect(
            lambda button: self.take_package(path, found) if button is same else None)
        box.open()

    def take_package(self, path: Path, confirmed: str) -> None:
        """Take in a town package in the background (``confirmed``: the fingerprint compared)."""
        from meixian_desktop.sync.package import DeviceRevoked, import_package

        keys_dir = self.paths.keys_dir

        def work(store: Store, progress: Progress) -> Report:
            report = Report()
            try:
                report.add(import_package(store, load_keys(keys_dir), path,
                                          confirm=lambda found: found == confirmed).line)
            except DeviceRevoked as exc:
                report.revoked = exc.message
                report.add(exc.message, ERROR)
            except (SyncError, SyncFileError, StoreError) as exc:
                report.add(self.tr("资料包没有导入：") + exc.message, ERROR)
            return report

        self.run(self.tr("正在导入镇里资料包"), work, self.after_package, cancellable=False)

    def after_package(self, report: Report) -> None:
        self.show_report(report)
        if report.revoked:
            self.wipe(report.revoked)

    def wipe(self, why: str) -> None:
        """The laptop is revoked: tell the worker, destroy the data key, close the app."""
        from meixian_desktop.ui.revocation import tell_and_destroy

        self.revoked_box = tell_and_destroy(self, self.paths.data_dir, why)
