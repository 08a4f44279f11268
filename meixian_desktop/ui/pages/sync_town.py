"""The town's 同步 page: import batches (with progress and cancel), write receipts, approve or
revoke worker devices, review conflicts and quarantined records, export the town package."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from meixian_desktop.core.profile import Profile
from meixian_desktop.core.progress import Cancelled, Progress
from meixian_desktop.paths import Paths
from meixian_desktop.store import devices
from meixian_desktop.store.database import Store
from meixian_desktop.store.errors import StoreError
from meixian_desktop.store.villages import names_of
from meixian_desktop.sync.container import files_in
from meixian_desktop.sync.errors import SyncError
from meixian_desktop.sync.inbox import (
    ALREADY,
    HELD,
    IMPORTED,
    REFUSED,
    FileResult,
    approve_device,
    import_batch,
    missing_ranges,
)
from meixian_desktop.sync.keys import DeviceKeys, load_keys
from meixian_desktop.sync.merge import CONFLICT, OUTCOME_LABELS, QUARANTINED, Outcome
from meixian_desktop.sync.receipts import write_receipt
from meixian_desktop.sync.sealing import SyncFileError
from meixian_desktop.ui.pages.sync_page import (
    BANNER_STYLE,
    ERROR,
    INFO,
    OK,
    Report,
    SyncPageBase,
    kind_labels,
    plain_table,
    set_row,
    short_time,
)
from meixian_desktop.ui.pages.sync_review import ConflictPanel, QuarantinePanel, describe
from meixian_desktop.ui.tasks import Runner, run_in_background

RESULT_ROLE = Qt.ItemDataRole.UserRole
TONE_OF = {IMPORTED: OK, ALREADY: OK, HELD: INFO, REFUSED: ERROR}
SHOWN_OUTCOMES = 2000  # a file's per-record list shows problems first, then this many at most

if TYPE_CHECKING:
    from meixian_desktop.ui.assign_villages import AssignVillagesDialog


@dataclass
class Imported:
    """What a run of imports (or an approval) did: per file its result and notes."""

    files: list[tuple[FileResult, list[tuple[str, str]]]] = field(default_factory=list)
    cancelled: bool = False
    left: int = 0


def gap_text(gaps: list[tuple[int, int]]) -> str:
    return "；".join(f"第 {a}–{b} 号变更" if a != b else f"第 {a} 号变更" for a, b in gaps)


class TownSyncPage(SyncPageBase):
    """The town office's 同步 page, in tabs that fit a 1366×768 laptop."""

    def __init__(self, store: Store, paths: Paths, profile: Profile, *,
                 runner: Runner = run_in_background, parent: QWidget | None = None) -> None:
        super().__init__(store, paths, profile, runner, parent)
        self.receipts_folder: Path | None = None
        self.receipts_folder_chosen = False  # else it follows the folder the batches came from
        self.held_names: dict[str, Path] = {}  # batch id → the file it came in, while held
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._import_tab(), self.tr("导入批次"))
        self.tabs.addTab(self._devices_tab(), self.tr("网格员设备"))
        self.conflicts = ConflictPanel(store, profile.name)
        self.quarantine = QuarantinePanel(store)
        for panel in (self.conflicts, self.quarantine):
            panel.changed.connect(self.refresh)
        self.tabs.addTab(self.conflicts, self.tr("冲突"))
        self.tabs.addTab(self.quarantine, self.tr("隔离"))
        self.tabs.addTab(self._package_tab(), self.tr("资料包"))
        from meixian_desktop.ui.hub_panel import HubPanel

        self.hub = HubPanel(store, paths)
        self.hub.poll.timeout.connect(self.refresh_if_new)  # what the hub took in shows here
        self.tabs.addTab(self.hub, self.tr("网络同步"))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>" + self.tr("同步（镇级）") + "</h2>"))
        layout.addWidget(self.banner)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)
        self.refresh()

    # -- the tabs ---------------------------------------------------------------------------
    def _import_tab(self) -> QWidget:
        files_button = QPushButton(self.tr("导入批次文件…"))
        files_button.setToolTip(self.tr("选择一个或几个网格员的批次文件（.mxsync）。"))
        files_button.clicked.connect(self.choose_batch_files)
        folder_button = QPushButton(self.tr("导入文件夹里的全部批次…"))
        folder_button.setToolTip(self.tr("选择U盘或文件夹：里面所有网格员的批次都会导入，"
                                         "以前导入过的自动跳过。"))
        folder_button.clicked.connect(self.choose_batch_folder)
        self.receipts_label = QLabel()
        self.receipts_label.setWordWrap(True)
        receipts_button = QPushButton(self.tr("更改…"))
        receipts_button.setToolTip(self.tr("每导入一批，就在这个文件夹写一张回执（.mxack），"
                                           "交给网格员导入。默认写在批次所在的文件夹（U盘）。"))
        receipts_button.clicked.connect(self.choose_receipts_folder)
        self.outcomes = plain_table([self.tr("记录类别"), self.tr("记录"), self.tr("结果"),
                                     self.tr("说明")])
        self.results.currentItemChanged.connect(lambda item, _old: self.show_outcomes(item))
        self.outcomes_title = QLabel(self.tr("点左边一行，查看那个文件里每条记录的结果。"))
        self.outcomes_title.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(files_button)
        buttons.addWidget(folder_button)
        buttons.addStretch(1)
        receipts = QHBoxLayout()
        receipts.addWidget(QLabel(self.tr("回执写到：")))
        receipts.addWidget(self.receipts_label, 1)
        receipts.addWidget(receipts_button)
        right = QVBoxLayout()
        right.addWidget(self.outcomes_title)
        right.addWidget(self.outcomes, 1)
        columns = QHBoxLayout()
        columns.addWidget(self.results, 1)
        columns.addLayout(right, 1)
        self.history = QListWidget()
        self.history.setMaximumHeight(120)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addLayout(buttons)
        layout.addLayout(receipts)
        layout.addLayout(columns, 1)
        layout.addWidget(QLabel(self.tr("以前导入的批次（最近 20 批，含网络同步收到的）")))
        layout.addWidget(self.history)
        return tab

    def show_history(self) -> None:
        from meixian_desktop.ui.hub_panel import recent_uploads

        self.history.clear()
        self.history.addItems(recent_uploads(self.store) or [self.tr("还没有导入过批次。")])

    def _devices_tab(self) -> QWidget:
        self.devices = plain_table([self.tr("网格员"), self.tr("电话"), self.tr("负责的村"),
                                    self.tr("密钥指纹"), self.tr("状态"), self.tr("缺失的批次"),
                                    self.tr("首次出现")])
        self.approve_button = QPushButton(self.tr("批准"))
        self.approve_button.setToolTip(self.tr("核对密钥指纹一致后批准：这台电脑等待中的批次随即导入。"
                                               "已停用的设备也可以重新批准。"))
        self.approve_button.clicked.connect(self.approve_selected)
        self.revoke_button = QPushButton(self.tr("停用"))
        self.revoke_button.setToolTip(self.tr("电脑丢失、换人或指纹对不上时停用：以后它的批次一律拒收；"
                                              "它导入下一份资料包时会销毁自己的数据钥匙。"))
        self.revoke_button.clicked.connect(self.revoke_selected)
        self.assign_button = QPushButton(self.tr("分配村…"))
        self.assign_button.setToolTip(self.tr("设定这台电脑负责的村：它只能交来这些村的记录，"
                                              "资料包也只带这些村的资料。"))
        self.assign_button.clicked.connect(self.assign_selected)
        self.recovery_button = QPushButton(self.tr("办理密码恢复…"))
        self.recovery_button.setToolTip(self.tr("网格员忘记密码时：选他带来的恢复申请文件，"
                                                "核对本人身份证后办理。"))
        self.recovery_button.clicked.connect(self.choose_recovery_request)
        help_text = QLabel(self.tr(
            "每台网格员电脑第一次交批次时出现在这里，要核对密钥指纹后批准一次。"
            "“缺失的批次”表示这台电脑有一段变更镇里没收到（可能U盘丢了）：请这位网格员"
            "导出时不要勾选“只导出新记录”，再交一次。"))
        help_text.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.recovery_button)
        buttons.addStretch(1)
        buttons.addWidget(self.assign_button)
        buttons.addWidget(self.revoke_button)
        buttons.addWidget(self.approve_button)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addWidget(help_text)
        layout.addWidget(self.devices, 1)
        layout.addLayout(buttons)
        return tab

    def _package_tab(self) -> QWidget:
        text = QLabel(self.tr(
            "资料包（.mxref）里有本镇的密钥、村和村民小组、类别，以及分给每台已批准设备的"
            "重点户、督促监护令和纠纷案件（各自加密，只有那台电脑能打开）。\n"
            "新网格员开始用之前、或镇里改了这些资料之后，导出资料包，复制给网格员，"
            "在他们电脑的“同步”页点“导入镇里资料包…”。"))
        text.setWordWrap(True)
        self.package_note = QLabel()
        self.package_note.setWordWrap(True)
        button = QPushButton(self.tr("导出资料包…"))
        button.clicked.connect(self.choose_package_folder)
        row = QHBoxLayout()
        row.addWidget(self.package_note, 1)
        row.addWidget(button)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addWidget(text)
        layout.addLayout(row)
        layout.addStretch(1)
        return tab

    # -- what is shown --------------------------------------------------------------------------
    def refresh_if_new(self) -> None:
        """While the hub runs: refresh only when a batch came in or a device is waiting."""
        seen = self.store.conn.execute(
            "SELECT (SELECT max(imported_at) FROM imported_batches), "
            "(SELECT count(*) FROM held_batches), (SELECT count(*) FROM devices)").fetchone()
        if tuple(seen) != getattr(self, "_seen", None):
            self._seen = tuple(seen)
            self.refresh()

    def refresh(self) -> None:
        self.show_history()
        known = devices.all_devices(self.store)
        waiting = [d for d in known if d.status == devices.PENDING]
        self.banner.setVisible(bool(waiting))
        if waiting:
            lines = [self.tr("新设备等待批准：%1（%2），密钥指纹 <b>%3</b>")
                     .replace("%1", d.worker).replace("%2", d.phone or self.tr("无电话"))
                     .replace("%3", d.fingerprint) for d in waiting]
            self.banner.setText("<br>".join(lines) + "<br>" + self.tr(
                "请打电话或当面请这位网格员打开本人电脑的“设置”页，念出“本机信息”里的“密钥指纹”，"
                "和上面的逐字核对：完全一样，才在“网格员设备”里选中它点“批准”；"
                "不一样就不要批准，点“停用”，并报告镇里。"))
        self._show_devices(known)
        self.conflicts.refresh()
        self.quarantine.refresh()
        counts = (len(waiting), len(self.conflicts.items), len(self.quarantine.items))
        for index, (label, count) in enumerate(
                zip((self.tr("网格员设备"), self.tr("冲突"), self.tr("隔离")), counts,
                    strict=True), start=1):
            self.tabs.setTabText(index, f"{label}（{count}）" if count else label)
        self.receipts_label.setText(str(self.receipts_folder) if self.receipts_folder else
                                    self.tr("（导入时自动用批次所在的文件夹）"))
        approved = sum(1 for d in known if d.status == devices.APPROVED)
        note = self.tr("已批准的设备 %1 台。").replace("%1", str(approved))
        if waiting:
            note += self.tr("还有 %1 台没批准，拿不到分给它的记录；批准后请再导出一次。").replace(
                "%1", str(len(waiting)))
        self.package_note.setText(note)

    def _village_names(self, codes: tuple[str, ...]) -> str:
        return names_of(self.store, codes)

    def _show_devices(self, known: list[devices.Device]) -> None:
        self.devices.setRowCount(len(known))
        for number, device in enumerate(known):
            gaps = missing_ranges(self.store, device.device_id)
            set_row(self.devices, number,
                    [device.worker, device.phone, self._village_names(device.villages),
                     device.fingerprint, device.status_label,
                     gap_text(gaps) if gaps else self.tr("无"), short_time(device.first_seen)],
                    data=device.device_id, highlight=device.status == devices.PENDING)

    def show_outcomes(self, item: QListWidgetItem | None) -> None:
        """The per-record results of the file on this line of the results list."""
        result = item.data(RESULT_ROLE) if item is not None else None
        if not isinstance(result, FileResult):
            self.outcomes.setRowCount(0)
            return
        labels = kind_labels(self.store)
        ordered = sorted(result.outcomes, key=lambda o: o.outcome == "applied")
        shown = ordered[:SHOWN_OUTCOMES]
        self.outcomes_title.setText(
            self.tr("%1：共 %2 条记录").replace("%1", result.path.name)
            .replace("%2", str(result.total))
            + (self.tr("（只列出前 %1 条，有问题的排在前面）").replace("%1", str(len(shown)))
               if len(shown) < result.total else ""))
        self.outcomes.setRowCount(len(shown))
        for number, outcome in enumerate(shown):
            set_row(self.outcomes, number,
                    [labels.get(outcome.table, outcome.table), self._record_name(outcome, labels),
                     OUTCOME_LABELS[outcome.outcome], outcome.note],
                    highlight=outcome.outcome != "applied")

    def _record_name(self, outcome: Outcome, kinds: dict[str, str]) -> str:
        """A few words naming the record as the town has it (a quarantined one: its id)."""
        if outcome.table not in kinds:  # a name from a file: only known tables are looked in
            return outcome.row_id[-6:]
        cursor = self.store.conn.execute(f"SELECT * FROM {outcome.table} WHERE id = ?",
                                         (outcome.row_id,))
        row = cursor.fetchone()
        if row is None:
            return self.tr("编号尾号 ") + outcome.row_id[-6:]
        return describe(dict(zip([d[0] for d in cursor.description], row, strict=True)))

    def show_imported(self, run: Imported) -> None:
        for result, notes in run.files:
            if result.status == HELD:
                self.held_names[result.batch_id] = result.path
            self.add_result(result.line, TONE_OF[result.status], result)
            for text, tone in notes:
                self.add_result("    " + text, tone, result)
        counts = {status: sum(1 for r, _n in run.files if r.status == status)
                  for status in TONE_OF}
        summary = (self.tr("处理了 %1 个文件：导入 %2，重复 %3，等待批准 %4，拒收 %5。")
                   .replace("%1", str(len(run.files))).replace("%2", str(counts[IMPORTED]))
                   .replace("%3", str(counts[ALREADY])).replace("%4", str(counts[HELD]))
                   .replace("%5", str(counts[REFUSED])))
        if run.cancelled:
            summary = (self.tr("已取消：还有 %1 个文件没有导入，可以再导入一次。")
                       .replace("%1", str(run.left)) + summary)
        if counts[HELD]:
            summary += self.tr("新设备的批次要核对密钥指纹、批准后才导入（见上方黄色提示）。")
        review = sum(r.count(CONFLICT) + r.count(QUARANTINED) for r, _n in run.files
                     if r.status == IMPORTED)
        if review:
            summary += self.tr("有 %1 条冲突或隔离的记录，请到“冲突”“隔离”标签核对。").replace(
                "%1", str(review))
        bad = counts[REFUSED] or any(t == ERROR for _r, n in run.files for _x, t in n)
        calm = not (run.cancelled or counts[HELD] or review)
        self.say(summary, ERROR if bad else OK if calm else INFO)

    # -- importing -------------------------------------------------------------------------------
    def choose_batch_files(self) -> QFileDialog:
        return self.ask_files(self.tr("选择网格员的批次文件"), self.tr("批次 (*.mxsync)"),
                              self.batches_chosen)

    def choose_batch_folder(self) -> QFileDialog:
        return self.ask_folder(self.tr("选择放批次的U盘或文件夹"),
                               lambda folder: self.batches_chosen([folder]))

    def choose_receipts_folder(self) -> QFileDialog:
        return self.ask_folder(self.tr("选择写回执的文件夹"), self.set_receipts_folder)

    def set_receipts_folder(self, folder: Path) -> None:
        self.receipts_folder, self.receipts_folder_chosen = folder, True
        self.refresh()

    def batches_chosen(self, paths: list[Path]) -> None:
        """Import every batch named and every .mxsync in the folders named, in the background;
        one receipt per imported batch goes to the receipts folder."""
        found = files_in(paths, ".mxsync")
        if not found:
            where = "、".join(str(p) for p in paths)
            self.say(self.tr("在 %1 里没有找到批次文件（.mxsync）。请检查U盘或文件夹是否选对。")
                     .replace("%1", where), ERROR)
            return
        if not self.receipts_folder_chosen:
            first = paths[0]
            self.receipts_folder = first if first.is_dir() else first.parent
        receipts = self.receipts_folder
        keys_dir, held, attachments = (self.paths.keys_dir, self.paths.held_batches_dir,
                                       self.paths.attachments_dir)

        def work(store: Store, progress: Progress) -> Imported:
            keys, run = load_keys(keys_dir), Imported()
            for number, path in enumerate(found):
                try:
                    progress.step(number, len(found), path.name)
                except Cancelled:
                    run.cancelled, run.left = True, len(found) - number
                    break
                try:
                    result = import_batch(store, keys, path, held, attachments)
                except StoreError as exc:  # disk full, database locked: stop, say so
                    run.files.append((FileResult(path, REFUSED, exc.message), []))
                    run.left = len(found) - number - 1
                    break
                run.files.append((result, self._after_import(store, keys, result, receipts)))
            return run

        self.run(self.tr("正在导入批次"), work, self.show_imported)

    def _after_import(self, store: Store, keys: DeviceKeys, result: FileResult,
                      receipts: Path | None) -> list[tuple[str, str]]:
        """A receipt for an imported batch, and a warning if a batch of that device is missing."""
        notes: list[tuple[str, str]] = []
        if result.status not in (IMPORTED, ALREADY):
            return notes
        if receipts is not None:
            try:
                written = write_receipt(store, keys, result.batch_id, receipts)
                notes.append((self.tr("回执已写到：") + str(written), OK))
            except (SyncError, SyncFileError) as exc:
                notes.append((self.tr("回执没有写成：") + exc.message, ERROR))
        conflicts, kept_out = result.count(CONFLICT), result.count(QUARANTINED)
        if conflicts or kept_out:
            notes.append((self.tr("其中冲突 %1 条、隔离 %2 条：请到“冲突”“隔离”标签核对。")
                          .replace("%1", str(conflicts)).replace("%2", str(kept_out)), INFO))
        gaps = missing_ranges(store, result.device_id)
        if gaps:
            notes.append((self.tr("注意：%1的%2还没收到，可能有一批丢失了；请他导出时不要勾选"
                                  "“只导出新记录”，再交一次。").replace("%1", result.worker)
                          .replace("%2", gap_text(gaps)), ERROR))
        return notes

    # -- devices ---------------------------------------------------------------------------------
    def selected_device(self) -> str | None:
        chosen = self._chosen_device()
        if not chosen:
            self.say(self.tr("请先在“网格员设备”里选中一台设备。"), ERROR)
            return None
        return chosen

    def _chosen_device(self) -> str:
        row = self.devices.currentRow()
        item = self.devices.item(row, 0) if row >= 0 else None
        return str(item.data(RESULT_ROLE)) if item is not None else ""

    def approve_selected(self) -> None:
        device_id = self.selected_device()
        if device_id is not None:
            self.approve(device_id)

    def approve(self, device_id: str) -> None:
        """Approve a device; its held batches are imported and get their receipts."""
        receipts = self.receipts_folder or self.paths.data_dir / "sync" / "receipts"
        own_folder = self.receipts_folder is None
        keys_dir, held, attachments = (self.paths.keys_dir, self.paths.held_batches_dir,
                                       self.paths.attachments_dir)
        by = self.profile.name

        def work(store: Store, progress: Progress) -> Imported:
            keys = load_keys(keys_dir)
            if own_folder:  # the data folder's own: made on first use
                with suppress(OSError):
                    receipts.mkdir(parents=True, exist_ok=True)
            results = [self._named(r) for r in
                       approve_device(store, keys, device_id, by, held, attachments)]
            return Imported([(r, self._after_import(store, keys, r, receipts))
                             for r in results])

        def done(run: Imported) -> None:
            device = devices.get(self.store, device_id)
            worker = device.worker if device else ""
            self.add_result(self.tr("已批准%1的设备。").replace("%1", worker), OK)
            if run.files:
                self.show_imported(run)
                self.tabs.setCurrentIndex(0)
            else:
                self.say(self.tr("已批准%1的设备，没有等待中的批次。").replace("%1", worker), OK)

        self.run(self.tr("正在批准设备并导入等待中的批次"), work, done, cancellable=False)

    def _named(self, result: FileResult) -> FileResult:
        """A held batch under the name it came in with, not its copy's in the data folder."""
        name = self.held_names.get(result.batch_id) or Path(
            self.tr("%1等待批准的批次-%2.mxsync").replace("%1", result.worker)
            .replace("%2", result.batch_id[-6:]))
        return replace(result, path=name)

    def assign_selected(self) -> AssignVillagesDialog | None:
        """Open 分配负责的村 for the selected device; the list shows the change when saved."""
        from meixian_desktop.ui.assign_villages import AssignVillagesDialog

        device_id = self.selected_device()
        device = devices.get(self.store, device_id) if device_id else None
        if device is None:
            return None
        dialog = self.assign_dialog = AssignVillagesDialog(self.store, device, self)

        def assigned() -> None:
            self.refresh()
            self.say(self.tr("已为%1分配负责的村。下次导出资料包时带给这台电脑。")
                     .replace("%1", device.worker), OK)

        dialog.accepted.connect(assigned)
        dialog.open()
        return dialog

    def revoke_selected(self) -> None:
        device_id = self.selected_device()
        if device_id is None:
            return
        devices.decide(self.store, device_id, devices.REVOKED, self.profile.name)
        device = devices.get(self.store, device_id)
        self.say(self.tr("已停用%1的设备：以后它的批次一律拒收；请导出新的资料包，"
                         "那台电脑导入后会销毁自己的数据钥匙。要恢复，选中它再点“批准”。")
                 .replace("%1", device.worker if device else ""), INFO)
        self.refresh()

    # -- password recovery -----------------------------------------------------------------------
    def choose_recovery_request(self) -> QFileDialog:
        return self.ask_files(self.tr("选择网格员的恢复申请文件"), self.tr("恢复申请 (*.mxrecq)"),
                              lambda chosen: self.check_identity(chosen[0]))

    def check_identity(self, request: Path) -> QMessageBox | None:
        """Show who asks; only after the clerk confirms the identity is the answer written."""
        from meixian_desktop.sync.recovery import requester

        try:
            who = requester(self.store, request, self._chosen_device())
        except SyncError as exc:
            self.say(exc.message, ERROR)
            return None
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("办理密码恢复"), self.tr(
            "恢复申请来自：%1。\n请核对本人身份证，确认是这台电脑的使用人后再办理。"
            "恢复文件只能在提出申请的电脑上用一次。").replace("%1", who), parent=self)
        go = self.identity_checked = box.addButton(self.tr("已核对本人，办理"),
                                                   QMessageBox.ButtonRole.AcceptRole)
        box.addButton(self.tr("取消"), QMessageBox.ButtonRole.RejectRole)
        box.buttonClicked.connect(lambda button: self.ask_folder(
            self.tr("恢复文件写到哪个文件夹（如U盘）"),
            lambda folder: self.answer_recovery(request, folder)) if button is go else None)
        box.open()
        return box

    def answer_recovery(self, request: Path, folder: Path) -> Path | None:
        """Write the answer; a request without its laptop (key file damaged) is answered for
        the laptop selected in the device list, from the copy its last batch brought."""
        from meixian_desktop.sync.recovery import answer_request

        try:
            made = answer_request(self.store, load_keys(self.paths.keys_dir), request, folder,
                                  self.profile.name, device_id=self._chosen_device())
        except SyncError as exc:
            self.say(exc.message, ERROR)
            return None
        self.say(self.tr("恢复文件已写到：%1。请交给网格员在他的电脑上导入。")
                 .replace("%1", str(made)), INFO)
        return made

    # -- the town package ------------------------------------------------------------------------
    def choose_package_folder(self) -> QFileDialog:
        return self.ask_folder(self.tr("选择资料包写到哪个文件夹（如U盘）"), self.export_package_to)

    def export_package_to(self, folder: Path) -> None:
        from meixian_desktop.sync.package import export_package

        keys_dir, profile = self.paths.keys_dir, self.profile

        def work(store: Store, progress: Progress) -> Report:
            report = Report()
            try:
                made = export_package(store, load_keys(keys_dir), profile, folder)
            except (SyncError, SyncFileError) as exc:
                report.add(self.tr("资料包没有导出：") + exc.message, ERROR)
                return report
            report.add(self.tr("已导出资料包：") + str(made))
            report.summary = report.lines[0][0] + self.tr(
                "\n请复制给网格员，在他们电脑的“同步”页点“导入镇里资料包…”。")
            return report

        self.run(self.tr("正在导出资料包"), work, self.show_report, cancellable=False)
