"""The town's 网络同步 panel starts a real meixian-hub on its data folder, and stops it."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from meixian_desktop.sync.http import push, reachable
from tests.sync.homes import SANLI, ZHANGHAN, connect, make_home, patrol


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def homes(tmp_path: Path):
    town = make_home(tmp_path / "town", "town", "梅仙镇人民政府", [])
    worker = make_home(tmp_path / "worker", "worker", "李梅", [ZHANGHAN, SANLI])
    connect(town, worker, tmp_path / "stick")
    yield town, worker
    worker.session.close()
    town.session.close()


def test_the_town_starts_the_hub_sees_uploads_and_stops_it(qtbot, homes) -> None:
    from meixian_desktop.ui.hub_panel import HubPanel

    town, worker = homes
    panel = HubPanel(town.store, town.paths)
    qtbot.addWidget(panel)
    assert "还没有收到过批次" in panel.uploads.item(0).text()
    port = _free_port()
    panel.port.setValue(port)
    panel.start()
    url = f"http://127.0.0.1:{port}"
    try:
        qtbot.waitUntil(lambda: "运行中" in panel.state.text(), timeout=20_000)
        qtbot.waitUntil(lambda: reachable(url, timeout=1), timeout=10_000)
        patrol(worker, "通过网络交的巡查")
        first = push(worker.store, worker.keys, worker.profile, worker.paths, url)
        assert "等镇里批准" in first.lines[0]  # a new device: held, as on a USB stick
        from meixian_desktop.sync.inbox import approve_device

        approve_device(town.store, town.keys, worker.store.device_id(), "镇管理员",
                       town.paths.held_batches_dir, town.paths.attachments_dir)
        assert town.count("patrols") == 1
        panel.refresh()
        assert "李梅" in panel.uploads.item(0).text()
    finally:
        panel.stop()
    assert not panel.running and "已停止" in panel.state.text()
    assert not reachable(url, timeout=1)
