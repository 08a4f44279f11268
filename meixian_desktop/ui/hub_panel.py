"""The town's 网络同步 panel: start and stop meixian-hub on this data folder, and see the
batches that came in recently."""

from __future__ import annotations

import sys

from PySide6.QtCore import QProcess, QTimer
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from meixian_desktop.paths import Paths, under_home
from meixian_desktop.store import vault
from meixian_desktop.store.database import Store

DEFAULT_PORT = 8470


def hub_command(paths: Paths, port: int) -> list[str]:
    """The command that serves ``paths`` (the frozen app runs its own `hub` subcommand)."""
    frozen = getattr(sys, "frozen", False)
    command = [sys.executable] if frozen else [sys.executable, "-m", "meixian_desktop"]
    home = paths.data_dir.parent
    if under_home(home) == paths:
        command += ["--home", str(home)]
    return [*command, "--key-from-stdin", "hub", "--host", "0.0.0.0", "--port", str(port)]


def recent_uploads(store: Store, limit: int = 20) -> list[str]:
    """The latest imported batches, one line each, newest first."""
    rows = store.conn.execute(
        "SELECT b.imported_at, coalesce(d.worker, '?'), b.records, b.applied, b.conflicts, "
        "b.quarantined FROM imported_batches b LEFT JOIN devices d ON d.device_id = b.device_id "
        "ORDER BY b.imported_at DESC LIMIT ?", (limit,)).fetchall()
    return [f"{at[:16].replace('T', ' ')}  {worker}：{records} 条（导入 {applied}，冲突 "
            f"{conflicts}，隔离 {quarantined}）"
            for at, worker, records, applied, conflicts, quarantined in rows]


class HubPanel(QGroupBox):
    """镇里服务器: a start/stop button, its address and state, and recent uploads."""

    def __init__(self, store: Store, paths: Paths, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("网络同步（镇里服务器）"), parent)
        self.store, self.paths = store, paths
        self.process: QProcess | None = None
        self.stopping = False
        self.port = QSpinBox()
        self.port.setRange(1024, 65535)
        self.port.setValue(DEFAULT_PORT)
        self.button = QPushButton(self.tr("启动服务器"))
        self.button.clicked.connect(self.toggle)
        self.state = QLabel(self.tr("未启动：网格员只能用U盘交记录。"))
        self.state.setWordWrap(True)
        self.uploads = QListWidget()
        self.uploads.setMaximumHeight(140)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("端口")))
        row.addWidget(self.port)
        row.addWidget(self.button)
        row.addWidget(self.state, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(QLabel(self.tr("最近收到的批次")))
        layout.addWidget(self.uploads)
        self.poll = QTimer(self)
        self.poll.setInterval(10_000)
        self.poll.timeout.connect(self.refresh)
        self.refresh()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.state() != QProcess.ProcessState.NotRunning

    def toggle(self) -> None:
        if self.running:
            self.stop()
        else:
            self.start()

    def start(self) -> None:
        self.stopping = False
        command = hub_command(self.paths, self.port.value())
        self.process = QProcess(self)
        self.process.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        self.process.readyReadStandardOutput.connect(self._output)
        self.process.finished.connect(self._stopped)
        self.process.start(command[0], command[1:])
        self.process.write(vault.data_key(self.paths.data_dir).hex().encode("ascii") + b"\n")
        self.process.closeWriteChannel()
        self.button.setText(self.tr("停止服务器"))
        self.state.setText(self.tr("正在启动…"))
        self.poll.start()

    def stop(self) -> None:
        self.stopping = True
        if self.process is not None:
            self.process.terminate()
            if not self.process.waitForFinished(5000):
                self.process.kill()
                self.process.waitForFinished(2000)

    def _output(self) -> None:
        assert self.process is not None
        text = bytes(self.process.readAllStandardOutput().data()).decode("utf-8", "replace")
        for line in text.splitlines():
            if "listening on" in line:
                address = line.split("listening on", 1)[1].strip()
                self.state.setText(self.tr("运行中：网格员在“设置”里填 %1（把 0.0.0.0 换成本机的"
                                           "局域网地址）。").replace("%1", address))
            elif "POST /v1/batches" in line:  # a batch came in (not every health check)
                self.refresh()

    def _stopped(self, code: int, _status: object) -> None:
        self.button.setText(self.tr("启动服务器"))
        self.poll.stop()
        self.state.setText(self.tr("已停止。") if code == 0 or self.stopping else
                           self.tr("服务器退出了（代码 %1），可能端口被占用；换个端口再试。")
                           .replace("%1", str(code)))

    def refresh(self) -> None:
        self.uploads.clear()
        lines = recent_uploads(self.store)
        self.uploads.addItems(lines or [self.tr("还没有收到过批次。")])

    def closeEvent(self, event: object) -> None:  # noqa: N802 (Qt's name)
        self.stop()
        super().closeEvent(event)  # type: ignore[arg-type]

