"""同步: what both roles' pages share (long work off the GUI thread with progress and cancel,
folder choosers that never block, results), and the page for this computer's role."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from meixian_desktop.core import clock
from meixian_desktop.core.profile import Profile
from meixian_desktop.core.progress import Cancelled, Progress
from meixian_desktop.paths import Paths
from meixian_desktop.store.database import Store
from meixian_desktop.ui.tasks import Runner, run_in_background, run_with_progress

OK, INFO, ERROR = "ok", "info", "error"
TONES = {OK: "#1b5e20", INFO: "#0d47a1", ERROR: "#b00020"}
BANNER_STYLE = ("QLabel { background: #fff4ce; border: 1px solid #e0b000; border-radius: 4px;"
                " padding: 8px; }")
HIGHLIGHT = QBrush(QColor("#fff4ce"))


@dataclass
class Report:
    """What a background step has to say: lines for the results list, one summary."""

    lines: list[tuple[str, str]] = field(default_factory=list)  # (text, tone)
    summary: str = ""
    tone: str = OK
    revoked: str = ""  # the town revoked this laptop: why, before its data key is destroyed

    def add(self, text: str, tone: str = OK) -> None:
        self.lines.append((text, tone))
        if tone == ERROR:
            self.tone = ERROR


def short_time(iso: str | None) -> str:
    """'2025-03-20T10:05:33+08:00' → '2025-03-20 10:05'."""
    return (iso or "")[:16].replace("T", " ")


def kind_labels(store: Store) -> dict[str, str]:
    """Each record kind's Chinese label (重点户, 巡查 …) from the record_kinds table."""
    return {str(r[0]): str(r[1]) for r in store.conn.execute("SELECT name, label FROM record_kinds")}


class SyncPageBase(QWidget):
    """What both roles' 同步 pages share: a message line, a results list, folder and file
    choosers that never block, and long work run off the GUI thread with a progress dialog."""

    changed = Signal()  # some sync work finished: the window's status bar looks again

    def __init__(self, store: Store, paths: Paths, profile: Profile, runner: Runner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store, self.paths, self.profile, self.runner = store, paths, profile, runner
        self.progress: Progress | None = None
        self.file_dialog: QFileDialog | None = None
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.results = QListWidget()
        self.results.setWordWrap(True)
        self.results.setAlternatingRowColors(True)

    # -- telling the user ---------------------------------------------------------------------
    def say(self, text: str, tone: str = OK) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {TONES[tone]};")

    def add_result(self, text: str, tone: str = OK, data: Any = None) -> QListWidgetItem:
        item = QListWidgetItem(f"{clock.now():%H:%M}  {text}")
        item.setForeground(QBrush(QColor(TONES[tone])))
        item.setData(Qt.ItemDataRole.UserRole, data)
        self.results.addItem(item)
        self.results.scrollToBottom()
        return item

    def show_report(self, report: Report) -> None:
        for text, tone in report.lines:
            self.add_result(text, tone)
        self.say(report.summary or (report.lines[-1][0] if report.lines else ""), report.tone)

    # -- choosing files, never blocking --------------------------------------------------------
    def _dialog(self, title: str, mode: QFileDialog.FileMode, name_filter: str = ""
                ) -> QFileDialog:
        if self.file_dialog is not None:
            self.file_dialog.deleteLater()
        dialog = self.file_dialog = QFileDialog(self, title)
        dialog.setFileMode(mode)
        if mode == QFileDialog.FileMode.Directory:
            dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        if name_filter:
            dialog.setNameFilter(name_filter)
        return dialog

    def ask_folder(self, title: str, handler: Callable[[Path], object]) -> QFileDialog:
        dialog = self._dialog(title, QFileDialog.FileMode.Directory)
        dialog.fileSelected.connect(lambda name: handler(Path(name)))
        dialog.open()
        return dialog

    def ask_files(self, title: str, name_filter: str, handler: Callable[[list[Path]], object],
                  *, many: bool = True) -> QFileDialog:
        mode = QFileDialog.FileMode.ExistingFiles if many else QFileDialog.FileMode.ExistingFile
        dialog = self._dialog(title, mode, name_filter)
        dialog.filesSelected.connect(lambda names: handler([Path(n) for n in names]))
        dialog.open()
        return dialog

    # -- long work ------------------------------------------------------------------------------
    def run(self, title: str, work: Callable[[Store, Progress], Any],
            done: Callable[[Any], None], *, cancellable: bool = True) -> None:
        """Run ``work`` on its own connection off the GUI thread, with a progress dialog;
        ``done`` gets its result on the GUI thread. Failures become a message on the page."""
        progress = self.progress = Progress()

        def succeeded(result: Any) -> None:
            done(result)
            self.refresh()
            self.changed.emit()

        def failed(message: str) -> None:
            if progress.cancelled:
                self.say(Cancelled().message + self.tr("没有写入任何东西。"), INFO)
            else:
                self.say(self.tr("没有完成：") + message, ERROR)
                self.add_result(self.tr("没有完成：") + message, ERROR)
            self.refresh()
            self.changed.emit()

        run_with_progress(self, self.runner, self.store.path, title, work, succeeded, failed,
                          progress, cancellable=cancellable)

    def shown(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        raise NotImplementedError


def plain_table(headers: list[str]) -> QTableWidget:
    """A read-only table with whole-row selection and sensible column widths."""
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def set_row(table: QTableWidget, row: int, values: list[Any], *, data: Any = None,
            highlight: bool = False) -> None:
    for column, value in enumerate(values):
        item = QTableWidgetItem("" if value is None else str(value))
        if column == 0:
            item.setData(Qt.ItemDataRole.UserRole, data)
        if highlight:
            item.setBackground(HIGHLIGHT)
        if isinstance(value, int):
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        table.setItem(row, column, item)


def make_sync_page(store: Store, paths: Paths, profile: Profile, *,
                   runner: Runner = run_in_background) -> SyncPageBase:
    """The 同步 page for this computer's role."""
    if profile.is_town:
        from meixian_desktop.ui.pages.sync_town import TownSyncPage

        return TownSyncPage(store, paths, profile, runner=runner)
    from meixian_desktop.ui.pages.sync_worker import WorkerSyncPage

    return WorkerSyncPage(store, paths, profile, runner=runner)
