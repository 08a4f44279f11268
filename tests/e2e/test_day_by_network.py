"""The worker's day over the network: a real meixian-hub on the town's data folder, the worker's
window sending by itself when its timer fires, the town approving the laptop on its 同步 page."""

from __future__ import annotations

from pathlib import Path

import pytest

from meixian_desktop.app import main
from meixian_desktop.sync.http import reachable
from meixian_desktop.sync.outbox import waiting_counts
from tests.e2e.conftest import (
    TOWN_NAME,
    WORKER,
    WORKER_PHONE,
    Day,
    Desks,
    as_seen,
    free_port,
    held_by_origin,
    list_states,
    log_river_patrol,
    register_and_agree,
    select_device,
    start_hub,
    visit_household,
    widget_texts,
)
from tests.ui.test_sync_agent import FakeTimer

pytestmark = pytest.mark.slow


def states(*patrol_case_visit: str) -> dict[str, list[str]]:
    """The 同步 columns of a day with one patrol, one case and one household, no order."""
    return {"patrol": [patrol_case_visit[0]], "mediation": [patrol_case_visit[1]],
            "visit": [patrol_case_visit[2]], "order": []}


def test_the_day_goes_to_the_hub_by_itself(qtbot, desks: Desks, stick: Path, tmp_path: Path,
                                          capsys) -> None:
    # The town sets up and exports its package with the command line; the worker sets up
    # and takes the package on its 同步 page.
    town_root, worker_root = tmp_path / "town", tmp_path / "worker"
    desks.set_up(town_root, "--role", "town", "--name", TOWN_NAME)
    assert main(["--home", str(town_root), "town-package", "export", "--to", str(stick)]) == 0
    [package] = stick.glob("*.mxref")
    desks.set_up(worker_root, "--role", "worker", "--name", WORKER, "--phone", WORKER_PHONE,
                 "--villages", "张韩村,三里村")
    capsys.readouterr()
    town = desks.open(town_root)
    town_sync = town.page("sync")  # the town office keeps its 同步 page open
    assert town_sync.banner.isHidden()
    worker = desks.open(worker_root)
    worker_sync = worker.page("sync")
    assert not worker_sync.export_button.isEnabled()
    worker_sync.package_chosen(package)
    worker_sync.fingerprint_same.click()  # the same as the town office reads out
    assert f"已导入{TOWN_NAME}的资料包" in worker_sync.message.text()

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    hub = start_hub(town_root, port)
    try:
        # 设置 → 镇里服务器地址; the window's background sender runs on a timer we fire.
        settings = worker.page("settings")
        settings.form.editors["hub_url"].setText(url)
        assert settings.form.save()
        network = as_seen(worker, "sync", lambda page: (page.network.text(),
                                                        page.sync_button.isEnabled()), "网络同步")
        assert url in network[0] and network[1]
        agent = worker.window.sync_agent
        timer = FakeTimer(agent)
        timer.timeout.connect(agent.sync_now)
        agent.timer = timer

        # The day: a patrol with a finding and a photo, a family visited, a dispute agreed.
        day = Day()
        log_river_patrol(worker, day, tmp_path / "相机").close()
        visit_household(worker, day).close()
        register_and_agree(worker, day).close()
        made = held_by_origin(worker, worker.device_id)
        records = sum(len(ids) for ids in made.values())
        qtbot.waitUntil(lambda: reachable(url, timeout=1), timeout=20_000)

        # First tick: the hub takes the batch and holds it for the town's approval.
        agent.start()
        assert timer.started == [0]
        timer.fire()
        held_status = worker.window.status_sync.text()
        if "批准" not in held_status or "已是最新" in held_status:
            worker.misled.append(f"状态栏在镇里还没批准本机时说：{held_status}")
        assert list_states(worker) == states("已导出", "已导出", "已导出")
        assert town.count("patrols") == 0 and town.count("visits") == 0

        # The town goes back to its 同步 page: the laptop waits there with its fingerprint.
        assert not as_seen(town, "sync", lambda page: page.banner.isHidden(), "新设备提示")
        assert WORKER in town_sync.banner.text()
        select_device(town_sync, WORKER)
        assert town_sync.devices.item(town_sync.devices.currentRow(), 4).text() == "待批准"
        town_sync.approve_button.click()
        approval = widget_texts(town_sync.results)
        assert any(f"共 {records} 条：导入 {records}，重复 0" in line for line in approval)
        town.misled += [f"镇里批准设备后：{line}" for line in approval if "回执没有写成" in line]
        assert held_by_origin(town, worker.device_id) == made
        assert (town.count("patrols"), town.count("findings"), town.count("attachments"),
                town.count("households"), town.count("members"), town.count("visits"),
                town.count("cases")) == (1, 1, 1, 1, 2, 1, 1)

        # Next tick: the batch goes again, the hub answers with the receipt, all 已确认.
        timer.fire()
        assert worker.window.status_sync.text().startswith("同步：已同步 1 批，")
        assert list_states(worker) == states("已确认", "已确认", "已确认")
        assert waiting_counts(worker.store) == {}
        assert "都已确认" in as_seen(worker, "sync", lambda page: page.waiting.text(), "等待")
        assert held_by_origin(town, worker.device_id) == made  # counted once

        # A further tick has nothing to send and changes nothing at the town.
        timer.fire()
        assert "已是最新" in worker.window.status_sync.text()
        assert held_by_origin(town, worker.device_id) == made
        assert town.count("patrols") == 1 and town.count("findings") == 1
    finally:
        hub.terminate()
        hub.wait(10)

    # Checked last, so that the journey runs whole: nobody was told what was not so.
    misled = worker.misled + town.misled
    assert not misled, "\n".join(misled)
