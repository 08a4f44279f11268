"""The 同步 pages: a worker exports to a stick, the town imports, approves the device and writes
receipts, the worker takes the receipt; refused files, conflicts, quarantine, packages, cancel."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog

from meixian_desktop.store import devices
from meixian_desktop.sync.inbox import HELD, IMPORTED, REFUSED, FileResult
from meixian_desktop.sync.outbox import record_state
from meixian_desktop.ui.pages import sync_town
from meixian_desktop.ui.pages.sync_page import make_sync_page
from meixian_desktop.ui.pages.sync_town import TownSyncPage
from meixian_desktop.ui.pages.sync_worker import WorkerSyncPage
from meixian_desktop.ui.tasks import run_now
from tests.sync.homes import TODAY, ZHANGHAN, Home, connect, make_home, patrol, trust_town


@pytest.fixture
def stick(tmp_path: Path) -> Path:
    folder = tmp_path / "stick"
    folder.mkdir()
    return folder


@pytest.fixture
def connected(town: Home, worker: Home, stick: Path) -> Path:
    connect(town, worker, stick)
    return stick


def page_of(qtbot, home: Home):
    page = make_sync_page(home.store, home.paths, home.profile, runner=run_now)
    qtbot.addWidget(page)
    return page


def states(page: WorkerSyncPage) -> dict[str, list[str]]:
    """The worker's table: kind label → counts per state column."""
    table = page.states
    return {table.item(r, 0).text(): [table.item(r, c).text() for c in range(1, 5)]
            for r in range(table.rowCount())}


def lines(page) -> list[str]:
    return [page.results.item(i).text() for i in range(page.results.count())]


def content(home: Home) -> list[tuple]:
    """Every row of every table (but the clock's last reading): the database's content."""
    conn = home.store.conn
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name NOT LIKE '%_fts%' ORDER BY name")]
    rows = []
    for table in tables:
        rows += [(table, *tuple(r)) for r in conn.execute(f"SELECT * FROM {table}")
                 if not (table == "meta" and r[0] == "hlc_last")]
    return sorted(rows, key=repr)


def select_device(page: TownSyncPage, worker: str) -> None:
    row = next(r for r in range(page.devices.rowCount())
               if page.devices.item(r, 0).text() == worker)
    page.devices.setCurrentCell(row, 0)


def test_a_worker_without_the_town_package_is_told_to_import_it_first(qtbot, worker) -> None:
    page = page_of(qtbot, worker)
    assert isinstance(page, WorkerSyncPage)
    assert not page.banner.isHidden() and "资料包" in page.banner.text()
    assert not page.export_button.isEnabled()
    assert "只导出新记录" in page.new_only.text() and not page.new_only.isChecked()
    assert "U盘" in page.new_only.toolTip() and "丢" in page.new_only.toolTip()


def test_export_import_approve_and_receipt_through_the_pages(
        qtbot, town: Home, worker: Home, connected: Path) -> None:
    stick = connected
    patrol_id = patrol(worker, findings=2)
    worker_page = page_of(qtbot, worker)
    assert worker_page.banner.isHidden() and "梅仙镇人民政府" in worker_page.town.text()
    assert states(worker_page)["巡查"] == ["1", "0", "0", "0"]
    assert states(worker_page)["巡查发现问题"] == ["2", "0", "0", "0"]

    worker_page.export_to(stick)
    [batch] = stick.glob("*.mxsync")
    assert "已导出 3 条记录" in worker_page.message.text() and str(batch) in lines(worker_page)[-1]
    assert states(worker_page)["巡查"] == ["0", "1", "0", "0"]
    assert worker_page.open_batches.rowCount() == 1
    assert "还没有收到回执" in worker_page.last_batch.text()

    town_page = page_of(qtbot, town)
    assert isinstance(town_page, TownSyncPage) and town_page.banner.isHidden()
    town_page.batches_chosen([stick])
    result = town_page.results.item(0).data(256)
    assert isinstance(result, FileResult) and result.status == HELD
    assert town.count("patrols") == 0  # nothing applied before the town approves the device
    fingerprint = worker.keys.fingerprint
    assert fingerprint in town_page.banner.text() and "设置" in town_page.banner.text()
    assert not town_page.banner.isHidden() and town_page.tabs.tabText(1) == "网格员设备（1）"
    select_device(town_page, "李梅")
    row = town_page.devices.currentRow()
    assert town_page.devices.item(row, 3).text() == fingerprint
    assert town_page.devices.item(row, 4).text() == "待批准"
    assert town_page.devices.item(row, 2).text() == "张韩村、三里村"

    town_page.approve_button.click()
    assert town.count("patrols") == 1 and town.count("findings") == 2
    assert town_page.banner.isHidden() and town_page.tabs.tabText(1) == "网格员设备"
    assert any("已导入" in line and "导入 3" in line for line in lines(town_page))
    [receipt] = stick.glob("*.mxack")
    assert any(str(receipt) in line for line in lines(town_page))
    assert town_page.devices.item(row, 4).text() == "已批准"
    assert "李梅：3 条（导入 3" in town_page.history.item(0).text()

    worker_page.receipts_chosen([stick])
    assert "镇里已确认 3 条记录" in worker_page.message.text()
    assert record_state(worker.store, "patrols", patrol_id) == "acknowledged"
    assert states(worker_page)["巡查"] == ["0", "0", "0", "1"]
    assert worker_page.open_batches.rowCount() == 0 and "镇里已确认" in worker_page.last_batch.text()
    assert "都已确认" in worker_page.waiting.text()

    worker_page.export_to(stick)  # nothing left to send: information, not an error
    assert "没有需要同步" in worker_page.message.text()
    assert "#b00020" not in worker_page.message.styleSheet()
    assert len(list(stick.glob("*.mxsync"))) == 1


def test_clicking_a_file_lists_what_became_of_each_record(
        qtbot, town: Home, worker: Home, connected: Path) -> None:
    patrol(worker, findings=1)
    page = page_of(qtbot, worker)
    page.export_to(connected)
    town_page = page_of(qtbot, town)
    devices_before = town_page.devices.rowCount()
    town_page.approve_button.click()  # nothing chosen: a sentence, no crash
    assert "请先" in town_page.message.text() and town_page.devices.rowCount() == devices_before
    town_page.batches_chosen([next(connected.glob("*.mxsync"))])
    select_device(town_page, "李梅")
    town_page.approve_selected()
    imported = next(i for i in range(town_page.results.count())
                    if town_page.results.item(i).text().count("已导入"))
    town_page.results.setCurrentRow(imported)
    kinds = {town_page.outcomes.item(r, 0).text() for r in range(town_page.outcomes.rowCount())}
    assert kinds == {"巡查", "巡查发现问题"}
    assert {town_page.outcomes.item(r, 2).text()
            for r in range(town_page.outcomes.rowCount())} == {"已导入"}


def test_a_truncated_file_is_refused_with_its_reason_and_changes_nothing(
        qtbot, tmp_path: Path, town: Home, worker: Home, connected: Path) -> None:
    patrol(worker)
    made = worker.export(connected)
    town.take(made.path, approve_new=True)
    patrol(worker, "第二次")
    second = worker.export(connected, new_only=True)
    broken = tmp_path / "broken"
    broken.mkdir()
    data = second.path.read_bytes()
    (broken / second.path.name).write_bytes(data[: len(data) // 2])
    before = content(town)
    page = page_of(qtbot, town)
    page.batches_chosen([broken])
    result = page.results.item(0).data(256)
    assert result.status == REFUSED and result.message
    assert "拒收" in page.results.item(0).text() and result.message in page.results.item(0).text()
    assert "拒收 1" in page.message.text() and "#b00020" in page.message.styleSheet()
    assert content(town) == before and not list(broken.glob("*.mxack"))


def test_a_folder_without_batches_says_so(qtbot, tmp_path: Path, town: Home) -> None:
    page = page_of(qtbot, town)
    page.batches_chosen([tmp_path])
    assert "没有找到批次文件" in page.message.text() and page.results.count() == 0


def test_cancel_stops_between_files(qtbot, monkeypatch, tmp_path: Path, town: Home,
                                    worker: Home, connected: Path) -> None:
    for number in range(3):
        patrol(worker, f"第{number}次")
        worker.export(connected, new_only=True)
    page = page_of(qtbot, town)
    statuses: list[str] = []
    real = sync_town.import_batch

    def import_then_cancel(*args, **kwargs):  # the user presses 取消 during the first file
        result = real(*args, approve_new=True, **kwargs)
        statuses.append(result.status)
        page.progress.cancel()
        return result

    monkeypatch.setattr(sync_town, "import_batch", import_then_cancel)
    page.batches_chosen([connected])
    assert statuses == [IMPORTED]
    assert town.count("patrols") == 1
    assert "已取消" in page.message.text() and "还有 2 个文件没有导入" in page.message.text()
    assert len(list(connected.glob("*.mxack"))) == 1


def test_a_conflict_is_listed_side_by_side_and_restored_from_the_page(
        qtbot, tmp_path: Path, town: Home, worker: Home, connected: Path) -> None:
    from meixian_desktop.core.households import Household
    from meixian_desktop.store import households as household_store
    from meixian_desktop.sync.package import export_package, import_package

    stick = connected
    other = make_home(tmp_path / "other", "worker", "周敏", [ZHANGHAN])
    try:
        connect(town, other, stick)
        with town.store.transaction() as tx:
            household_id = household_store.save_household(tx, Household(
                village_id=town.village(), head_name="王建国", address="张韩村三组"))
        for home in (worker, other):
            patrol(home, f"{home.profile.name}的巡查")
            town.take(home.export(stick).path, approve_new=True)
        package = export_package(town.store, town.keys, town.profile, stick)
        for home in (worker, other):
            import_package(home.store, home.keys, package, today=TODAY, confirm=trust_town)
        for home, address in ((worker, "张韩村三组18号"), (other, "张韩村三组20号")):
            with home.store.transaction() as tx:
                tx.conn.execute("UPDATE households SET address = ?, hlc = ?, rev = rev + 1 "
                                "WHERE id = ?", (address, tx.hlc(), household_id))
        worker.export(stick)
        other.export(stick)
        page = page_of(qtbot, town)
        page.batches_chosen([stick])
        assert page.tabs.tabText(2) == "冲突（1）"
        panel = page.conflicts
        assert panel.list.count() == 1 and "王建国" in panel.list.item(0).text()
        assert "重点户" in panel.list.item(0).text()
        row = next(r for r in range(panel.versions.rowCount())
                   if panel.versions.item(r, 0).text() == "住址")
        now, lost = panel.versions.item(row, 1).text(), panel.versions.item(row, 2).text()
        assert {now, lost} == {"张韩村三组18号", "张韩村三组20号"}
        panel.restore_button.click()
        address = town.store.conn.execute("SELECT address FROM households WHERE id = ?",
                                          (household_id,)).fetchone()[0]
        assert address == lost
        assert panel.list.count() == 0 and page.tabs.tabText(2) == "冲突"
        assert "已恢复" in panel.message.text()
    finally:
        other.session.close()


def test_a_quarantined_record_shows_its_reason_and_can_be_marked_dealt_with(
        qtbot, town: Home, worker: Home, connected: Path) -> None:
    patrol(worker, "好的")
    bad = patrol(worker, "坏的", findings=0)
    with worker.store.transaction() as tx:
        tx.conn.execute("UPDATE patrols SET kind = 'volcano', hlc = ? WHERE id = ?",
                        (tx.hlc(), bad))
    town.take(worker.export(connected).path, approve_new=True)
    page = page_of(qtbot, town)
    panel = page.quarantine
    assert page.tabs.tabText(3) == "隔离（1）" and panel.list.count() == 1
    assert "巡查" in panel.list.item(0).text() and "李梅" in panel.list.item(0).text()
    assert "类别" in panel.reason.text()
    shown = {panel.fields.item(r, 0).text(): panel.fields.item(r, 1).text()
             for r in range(panel.fields.rowCount())}
    assert shown["类别"] == "volcano" and shown["备注"] == "坏的"
    panel.done_button.click()
    assert panel.list.count() == 0 and page.tabs.tabText(3) == "隔离"
    assert "没有被隔离" in panel.reason.text()


def test_the_town_package_goes_from_the_town_page_to_the_worker_page(
        qtbot, tmp_path: Path, town: Home, worker: Home, stick: Path) -> None:
    town_page = page_of(qtbot, town)
    town_page.export_package_to(stick)
    [package] = stick.glob("*.mxref")
    assert str(package) in town_page.message.text() and "导入镇里资料包" in town_page.message.text()
    worker_page = page_of(qtbot, worker)
    assert not worker_page.export_button.isEnabled()
    before = content(worker)
    worker_page.package_chosen(package)  # the first time: the town's fingerprint is compared
    assert town.keys.fingerprint in worker_page.fingerprint_dialog.text()
    worker_page.fingerprint_differs.click()
    assert content(worker) == before and not worker_page.export_button.isEnabled()
    worker_page.package_chosen(package)
    worker_page.fingerprint_same.click()
    assert "已导入梅仙镇人民政府的资料包" in worker_page.message.text()
    assert worker_page.banner.isHidden() and worker_page.export_button.isEnabled()
    assert "梅仙镇人民政府" in worker_page.town.text() and "发布" in worker_page.town.text()
    assert town.keys.fingerprint in worker_page.town.text()
    worker_page.package_chosen(package)  # the same package again: said plainly, no error
    assert "没有变化" in worker_page.message.text()
    not_a_package = tmp_path / "坏的.mxref"
    not_a_package.write_bytes(b"PK\x03\x04 not really")
    before = content(worker)
    worker_page.package_chosen(not_a_package)
    assert "资料包没有导入" in worker_page.message.text()
    assert "#b00020" in worker_page.message.styleSheet() and content(worker) == before


def test_a_foreign_receipt_is_an_error_on_the_page_not_a_crash(
        qtbot, tmp_path: Path, town: Home, worker: Home, connected: Path) -> None:
    patrol(worker)
    made = worker.export(connected)
    town.take(made.path, approve_new=True)
    from meixian_desktop.sync.receipts import write_receipt

    write_receipt(town.store, town.keys, made.batch_id, connected)
    impostor = make_home(tmp_path / "impostor", "worker", "冒名", [ZHANGHAN])
    try:
        connect(town, impostor, connected)
        page = page_of(qtbot, impostor)
        page.receipts_chosen([connected])
        assert "另一台电脑" in lines(page)[-1] and "#b00020" in page.message.styleSheet()
        page.receipts_chosen([tmp_path / "empty"])
        assert "没有找到回执文件" in page.message.text()
    finally:
        impostor.session.close()


def test_revoking_a_device_refuses_its_next_batch(
        qtbot, town: Home, worker: Home, connected: Path) -> None:
    patrol(worker)
    town.take(worker.export(connected).path, approve_new=True)
    page = page_of(qtbot, town)
    select_device(page, "李梅")
    page.revoke_button.click()
    assert devices.get(town.store, worker.store.device_id()).status == devices.REVOKED
    assert "已停用" in page.message.text()
    patrol(worker, "又一次")
    worker.export(connected, new_only=True)
    page.batches_chosen([connected])
    assert any("停用" in line and "拒收" in line for line in lines(page))


def test_the_town_assigns_a_devices_villages_from_the_devices_tab(
        qtbot, town: Home, worker: Home, connected: Path) -> None:
    patrol(worker)
    town.take(worker.export(connected).path, approve_new=True)
    page = page_of(qtbot, town)
    select_device(page, "李梅")
    dialog = page.assign_selected()
    assert dialog is not None and dialog.boxes[ZHANGHAN].isChecked()
    for box in dialog.boxes.values():
        box.setChecked(False)
    dialog.accept()  # none chosen: said, nothing saved
    assert dialog.isVisible() and "至少选一个村" in dialog.message.text()
    dialog.boxes["430626108203"].setChecked(True)  # 稻田村
    dialog.accept()
    assert devices.get(town.store, worker.store.device_id()).villages == ("430626108203",)
    assert "稻田村" in page.devices.item(page.devices.currentRow(), 2).text()
    assert "已为李梅分配负责的村" in page.message.text()


def test_a_lost_batch_is_shown_as_missing(qtbot, town: Home, worker: Home,
                                          connected: Path) -> None:
    patrol(worker, "第一次")
    first = worker.export(connected)
    patrol(worker, "第二次")
    worker.export(connected, new_only=True).path.unlink()  # the stick fell in the river
    patrol(worker, "第三次")
    third = worker.export(connected, new_only=True)
    town.take(first.path, approve_new=True)
    page = page_of(qtbot, town)
    page.batches_chosen([third.path])
    assert any("还没收到" in line and "只导出新记录" in line for line in lines(page))
    assert "号变更" in page.devices.item(0, 5).text()


def test_choosing_folders_opens_a_dialog_that_does_not_block(qtbot, town: Home,
                                                             worker: Home) -> None:
    worker_page = page_of(qtbot, worker)
    town_page = page_of(qtbot, town)
    for page, chooser in ((worker_page, worker_page.choose_receipt_folder),
                          (town_page, town_page.choose_batch_folder),
                          (town_page, town_page.choose_package_folder)):
        dialog = chooser()
        assert isinstance(dialog, QFileDialog) and dialog.isVisible() and dialog.parent() is page
        assert dialog.isModal()  # window-modal via open(), while the event loop keeps running
        assert dialog.fileMode() == QFileDialog.FileMode.Directory
        dialog.reject()
    dialog = town_page.choose_batch_files()
    assert dialog.fileMode() == QFileDialog.FileMode.ExistingFiles
    dialog.reject()


def test_the_window_builds_the_sync_page_for_the_role(qtbot, session) -> None:
    from meixian_desktop.store import profile as profile_store
    from meixian_desktop.ui.main_window import MainWindow

    window = MainWindow(session, profile_store.load(session.store), runner=run_now)
    qtbot.addWidget(window)
    assert isinstance(window.show_section("sync"), WorkerSyncPage)


def test_an_unwritable_receipts_folder_is_reported_per_file(
        qtbot, tmp_path: Path, town: Home, worker: Home, connected: Path) -> None:
    patrol(worker)
    worker.export(connected)
    page = page_of(qtbot, town)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where a folder should be", encoding="utf-8")
    page.set_receipts_folder(blocked)
    assert str(blocked) in page.receipts_label.text()
    page.batches_chosen([connected])
    select_device(page, "李梅")
    page.approve_selected()
    assert town.count("patrols") == 1
    assert any("回执没有写成" in line for line in lines(page))
    assert "#b00020" in page.message.styleSheet()


def test_export_runs_off_the_gui_thread(qtbot, worker: Home, town: Home,
                                        connected: Path) -> None:
    from meixian_desktop.ui.tasks import run_in_background

    patrol(worker)
    page = WorkerSyncPage(worker.store, worker.paths, worker.profile, runner=run_in_background)
    qtbot.addWidget(page)
    page.export_to(connected)
    qtbot.waitUntil(lambda: "已导出" in page.message.text(), timeout=20000)
    assert len(list(connected.glob("*.mxsync"))) == 1 and states(page)["巡查"][1] == "1"


def test_a_package_that_meets_an_edit_made_here_is_shown_to_the_worker_and_restorable(
        qtbot, town: Home, worker: Home, connected: Path) -> None:
    from meixian_desktop.core.households import Household
    from meixian_desktop.store import households as household_store
    from meixian_desktop.sync.package import export_package, import_package

    stick = connected
    patrol(worker)
    town.take(worker.export(stick).path, approve_new=True)  # the laptop is approved
    with town.store.transaction() as tx:
        household_id = household_store.save_household(tx, Household(
            village_id=town.village(ZHANGHAN), head_name="王建国", address="张韩村三组"))
    (stick / "first").mkdir()
    import_package(worker.store, worker.keys,
                   export_package(town.store, town.keys, town.profile, stick / "first"), confirm=trust_town)
    page = page_of(qtbot, worker)
    assert page.conflicts_box.isHidden()

    def edit(home: Home, address: str) -> None:
        with home.store.transaction() as tx:
            tx.conn.execute("UPDATE households SET address = ?, hlc = ?, rev = rev + 1 "
                            "WHERE id = ?", (address, tx.hlc(), household_id))

    edit(worker, "张韩村三组18号")  # the worker corrects it in the village...
    edit(town, "张韩村三组20号")  # ...and the town from its own papers, the same day
    later = max((worker, town), key=lambda home: home.store.conn.execute(
        "SELECT hlc FROM households WHERE id = ?", (household_id,)).fetchone()[0])
    earlier = town if later is worker else worker
    expected = {id(worker): "张韩村三组18号", id(town): "张韩村三组20号"}
    (stick / "second").mkdir()
    page.package_chosen(export_package(town.store, town.keys, town.profile, stick / "second"))
    assert not page.conflicts_box.isHidden() and page.conflicts.list.count() == 1

    def address() -> str:
        return str(worker.store.conn.execute("SELECT address FROM households WHERE id = ?",
                                             (household_id,)).fetchone()[0])

    assert address() == expected[id(later)]  # the later clock won; the other version is kept
    page.conflicts.list.setCurrentRow(0)
    page.conflicts.restore_selected()  # the worker decides the other one was right
    assert address() == expected[id(earlier)]
    assert record_state(worker.store, "households", household_id) == "pending"  # goes to town
    page.refresh()
    assert page.conflicts_box.isHidden()


def test_a_review_list_keeps_the_chosen_entry_when_it_refreshes(qtbot, town: Home) -> None:
    from PySide6.QtWidgets import QListWidget

    from meixian_desktop.ui.pages.sync_review import fill_review_list

    view = QListWidget()
    qtbot.addWidget(view)
    rows = [(n, "patrols", f"第{n}条", "李梅", "2025-03-20T10:00:00+08:00") for n in (1, 2, 3)]
    shown: list[int] = []
    fill_review_list(view, town.store, rows, shown.append)
    assert view.currentRow() == 0 and shown == [0]
    view.setCurrentRow(2)
    fill_review_list(view, town.store, [rows[0], *rows], shown.append)  # one more came in
    assert view.currentItem().text().startswith("巡查：第3条") and shown[-1] == 3
    fill_review_list(view, town.store, rows[:1], shown.append)  # the chosen one was settled
    assert view.currentRow() == 0


def test_the_town_page_refreshes_while_the_hub_runs_only_when_something_came_in(
        qtbot, town: Home, worker: Home, connected: Path, monkeypatch) -> None:
    page = page_of(qtbot, town)
    refreshed: list[int] = []
    monkeypatch.setattr(TownSyncPage, "refresh", lambda self: refreshed.append(1))
    page.refresh_if_new()
    page.refresh_if_new()  # nothing new: no rebuild
    assert refreshed == [1]
    patrol(worker)
    town.take(worker.export(connected).path)  # held for approval, as an upload would be
    page.refresh_if_new()
    assert refreshed == [1, 1]
