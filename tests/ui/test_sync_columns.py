"""Sync in the record lists: a worker sees each record's state, the town each record's 网格员
and can filter by worker."""

from __future__ import annotations

from pathlib import Path

import pytest

from meixian_desktop.sync.receipts import apply_receipt, write_receipt
from tests.sync.homes import SANLI, ZHANGHAN, connect, make_home, patrol


@pytest.fixture
def homes(tmp_path: Path):
    town = make_home(tmp_path / "town", "town", "梅仙镇人民政府", [])
    worker = make_home(tmp_path / "worker", "worker", "李梅", [ZHANGHAN, SANLI])
    stick = tmp_path / "stick"
    connect(town, worker, stick)
    yield town, worker, stick
    worker.session.close()
    town.session.close()


def _page(qtbot, home):
    from meixian_desktop.ui.pages.patrols import PatrolList

    page = PatrolList(home.store, home.paths, home.profile)
    qtbot.addWidget(page)
    return page


def _values(model, header: str) -> list[str]:
    from PySide6.QtCore import Qt

    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    column = headers.index(header)
    return [model.data(model.index(r, column)) for r in range(model.rowCount())]


def test_a_workers_list_shows_each_records_state(qtbot, qtmodeltester, homes) -> None:
    town, worker, stick = homes
    patrol_id = patrol(worker)
    page = _page(qtbot, worker)
    assert _values(page.model, "同步") == ["待同步"]
    made = worker.export(stick)
    page.refresh()
    assert _values(page.model, "同步") == ["已导出"]
    town.take(made.path, approve_new=True)
    apply_receipt(worker.store, write_receipt(town.store, town.keys, made.batch_id, stick))
    page.refresh()
    assert _values(page.model, "同步") == ["已确认"]
    with worker.store.transaction() as tx:
        tx.conn.execute("UPDATE patrols SET notes = '再改', hlc = ? WHERE id = ?",
                        (tx.hlc(), patrol_id))
    page.refresh()
    assert _values(page.model, "同步") == ["待同步"]
    qtmodeltester.check(page.model)


def test_the_towns_list_names_the_worker_and_filters_by_worker(qtbot, qtmodeltester,
                                                              homes) -> None:
    town, worker, stick = homes
    patrol(worker, "网格员的巡查")
    town.take(worker.export(stick).path, approve_new=True)
    patrol(town, "镇里自己的巡查")
    page = _page(qtbot, town)
    assert sorted(_values(page.model, "网格员")) == ["李梅", "镇里"]
    page.worker.setCurrentIndex(page.worker.findText("李梅"))
    assert _values(page.model, "网格员") == ["李梅"]
    page.worker.setCurrentIndex(page.worker.findText("镇里录入"))
    assert _values(page.model, "网格员") == ["镇里"]
    page.worker.setCurrentIndex(0)
    assert page.model.rowCount() == 2
    qtmodeltester.check(page.model)


def test_the_status_bar_says_where_the_last_batch_stands(qtbot, homes) -> None:
    from meixian_desktop.ui.main_window import MainWindow
    from meixian_desktop.ui.tasks import run_now

    town, worker, stick = homes

    def status(home) -> str:
        window = MainWindow(home.session, home.profile, runner=run_now)
        qtbot.addWidget(window)
        return window.status_sync.text()

    assert status(worker) == "同步：尚未同步" and status(town) == "同步：还没有导入过批次"
    patrol(worker)
    made = worker.export(stick)
    assert status(worker).startswith("同步：上次导出 ") and status(worker).endswith("等镇里回执")
    town.take(made.path, approve_new=True)
    apply_receipt(worker.store, write_receipt(town.store, town.keys, made.batch_id, stick))
    assert status(worker).endswith("镇里已确认")
    assert status(town).startswith("同步：最近导入 ")


def test_the_status_bar_follows_an_export_made_on_the_sync_page(qtbot, homes) -> None:
    from meixian_desktop.ui.main_window import MainWindow
    from meixian_desktop.ui.tasks import run_now

    _town, worker, stick = homes
    window = MainWindow(worker.session, worker.profile, runner=run_now)
    qtbot.addWidget(window)
    patrol(worker)
    window.show_section("sync").export_to(stick)
    assert window.status_sync.text().endswith("等镇里回执")
    window.sync_agent.sync_now()  # no hub address: it keeps saying where the batch stands
    assert window.status_sync.text().endswith("等镇里回执（用U盘）")
