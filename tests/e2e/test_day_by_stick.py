"""A grid worker's day and the town's day, carried on a USB stick: the town's package out, the
worker's records in, the town's receipt back, through the real windows of two homes."""

from __future__ import annotations

from pathlib import Path

import pytest

from meixian_desktop.paths import under_home
from meixian_desktop.store import orders as order_store
from meixian_desktop.sync.inbox import HELD, FileResult
from meixian_desktop.sync.keys import load_keys
from meixian_desktop.sync.outbox import record_state, waiting_counts
from tests.e2e.conftest import (
    FINDING_TEXT,
    HEAD,
    ORDER_NUMBER,
    PARTIES,
    RIVER_SECTION,
    TOWN_NAME,
    WORKER,
    WORKER_PHONE,
    Day,
    Desks,
    as_seen,
    column,
    flat,
    held_by_origin,
    list_states,
    log_river_patrol,
    pdf_text,
    register_and_agree,
    select_device,
    serve_and_follow_up,
    set_up_town,
    visit_household,
    widget_texts,
)

pytestmark = pytest.mark.slow


def file_results(page) -> list[FileResult]:
    """The per-file results on the town's 同步 page, in order."""
    items = (page.results.item(i).data(256) for i in range(page.results.count()))
    return [item for item in items if isinstance(item, FileResult)]


def test_a_workers_day_reaches_the_town_on_a_stick_and_comes_back_confirmed(
        qtbot, desks: Desks, stick: Path, tmp_path: Path, capsys) -> None:
    # The town office sets up and writes its town package to the stick from its 同步 page.
    town = set_up_town(desks, tmp_path / "town")
    town_sync = town.page("sync")
    town_sync.export_package_to(stick)
    [package] = stick.glob("*.mxref")
    assert str(package) in town_sync.message.text()

    # The worker's laptop is set up from the stick with the command line, the town's key
    # fingerprint as the town office reads it out from its 设置 page.
    read_out = load_keys(under_home(tmp_path / "town").keys_dir).fingerprint
    desks.set_up(tmp_path / "worker", "--role", "worker", "--name", WORKER, "--phone",
                 WORKER_PHONE, "--villages", "张韩村,三里村", "--town-package", str(package),
                 "--town-fingerprint", read_out)
    printed = capsys.readouterr().out
    assert TOWN_NAME in printed and read_out in printed
    worker = desks.open(tmp_path / "worker")
    worker_sync = worker.page("sync")
    assert worker_sync.banner.isHidden() and worker_sync.export_button.isEnabled()
    assert TOWN_NAME in worker_sync.town.text()

    # The day: a river patrol with a finding and a photo, a dispute agreed, a family visited,
    # a 督促监护令 served and followed up.
    day = Day()
    log_river_patrol(worker, day, tmp_path / "相机").close()
    register_and_agree(worker, day).close()
    visit_household(worker, day).close()
    order = serve_and_follow_up(worker, day)
    made = held_by_origin(worker, worker.device_id)
    for table, ids in day.ids.items():
        assert {(record_id, 0) for record_id in ids} <= set(made[table]), table
    assert {"order_events", "case_parties", "case_events"} <= set(made)
    today = worker.page("today")
    due = {(item.table, item.record_id) for item in today.items}
    assert due == {("findings", day.one("findings")), ("orders", day.one("orders"))}
    assert worker.window.nav.item(0).text() == "今日待办（2）"
    assert any("还有 3 天" in line and "电鱼" in line for line in widget_texts(today.list))

    # Printing: the notice from the order's editor, the patrol sheet from the 打印 page.
    notice = flat(pdf_text(order.print_form("supervision_order")))
    assert "督促监护令" in notice and ORDER_NUMBER in notice and f"{HEAD}：" in notice
    assert "小明" not in notice  # the minor by pseudonym only
    order.preview.close()
    order.close()
    printing = worker.page("print")
    printing.form.setCurrentIndex(printing.form.findData("river_patrol"))
    assert printing.checked_ids() == day.ids["patrols"]
    printing.print_button.click()
    sheet = flat(pdf_text(printing.preview.pdf))
    assert "河道巡查记录表" in sheet and RIVER_SECTION in sheet and "汨罗江" in sheet
    assert flat(FINDING_TEXT) in sheet and "巡查人李梅" in sheet and "发现问题1处" in sheet
    printing.preview.close()

    # 同步 → 导出到U盘: every list says 已导出.
    assert list_states(worker) == dict.fromkeys(("patrol", "mediation", "visit", "order"),
                                                ["待同步"])
    records = sum(len(ids) for ids in made.values())
    waiting = as_seen(worker, "sync", lambda page: page.waiting.text(), "要交给镇里的记录")
    assert f"镇里还没确认的记录共 {records} 条：待同步 {records} 条" in waiting
    worker_sync = worker.page("sync")
    worker_sync.export_to(stick)
    [batch] = stick.glob("*.mxsync")
    assert f"已导出 {records} 条记录、1 张照片" in worker_sync.message.text()
    assert list_states(worker) == dict.fromkeys(("patrol", "mediation", "visit", "order"),
                                                ["已导出"])

    # The town imports the stick: held until the device is approved, then applied.
    town_sync.batches_chosen([stick])
    [held] = file_results(town_sync)
    assert held.status == HELD and held.path == batch
    assert town.count("patrols") == 0 and town.count("cases") == 0
    assert load_keys(worker.paths.keys_dir).fingerprint in town_sync.banner.text()
    select_device(town_sync, WORKER)
    assert town_sync.devices.item(town_sync.devices.currentRow(), 4).text() == "待批准"
    town_sync.approve_button.click()
    assert town_sync.devices.item(town_sync.devices.currentRow(), 4).text() == "已批准"
    assert f"共 {records} 条：导入 {records}，重复 0，冲突 0，隔离 0" in \
        widget_texts(town_sync.results)[-2]
    [receipt] = stick.glob("*.mxack")
    assert str(receipt) in widget_texts(town_sync.results)[-1]
    assert held_by_origin(town, worker.device_id) == made  # each record exactly once

    # The town's lists name the worker; the photo came along; 今日待办 has what is due.
    def rows(*headers: str):
        return lambda page: [tuple(column(page.model, h)) for h in headers]

    assert as_seen(town, "patrol", rows("网格员", "区域/河段/地块"), "巡查列表") == [
        (WORKER,), ("汨罗江" + RIVER_SECTION,)]
    assert as_seen(town, "mediation", rows("网格员", "当事人", "状态"), "纠纷列表") == [
        (WORKER,), ("、".join(PARTIES),), ("达成协议",)]
    assert as_seen(town, "visit", rows("网格员", "户主"), "重点户列表") == [(WORKER,), (HEAD,)]
    family = town.page("visit").open_household(day.one("households"), tab="visits")
    assert family.visits_model.rowCount() == 1
    family.close()
    assert as_seen(town, "order", rows("网格员", "状态"), "监护令列表") == [
        (WORKER,), ("考察期",)]
    assert len(order_store.services(town.store, day.one("orders"))) == 1
    assert len(order_store.followups(town.store, day.one("orders"))) == 1
    town_due = as_seen(town, "today", lambda page: {(i.table, i.record_id) for i in page.items},
                       "今日待办")
    assert town_due == due
    editor = town.window.open_record("findings", day.one("findings"))
    qtbot.waitUntil(lambda: editor.open_finding_editor is not None)
    finding = editor.open_finding_editor
    assert finding.description.toPlainText() == FINDING_TEXT
    assert len(finding.photos.hashes) == 1 and not finding.photos.list.item(0).icon().isNull()
    finding.reject()
    editor.close()

    # The town prints the month's 工作台账: the worker's work is counted.
    town_printing = town.page("print")
    town_printing.ledger_button.click()
    ledger = flat(pdf_text(town_printing.preview.pdf))
    town_printing.preview.close()
    assert "网格工作台账" in ledger and "全镇汇总台账" in ledger
    assert ("本月全镇共巡查1次，发现问题1处（已销号0处），登记调解案件1件、结案0件，"
            "入户走访1户次，督促监护令送达1次、回访1次。") in ledger
    assert "张韩村11010111" in ledger and "三里村11000000" in ledger
    assert "合计11010111" in ledger
    assert "李梅河道巡查：汨罗江三里港至石塘段" in ledger and "王建国户" in ledger

    # The receipt goes back on the stick: every record 已确认.
    worker_sync.receipts_chosen([stick])
    assert f"镇里已确认 {records} 条记录" in worker_sync.message.text()
    assert list_states(worker) == dict.fromkeys(("patrol", "mediation", "visit", "order"),
                                                ["已确认"])
    assert waiting_counts(worker.store) == {}
    assert all(record_state(worker.store, table, record_id) == "acknowledged"
               for table, ids in made.items() for record_id, _deleted in ids)
    worker_sync = worker.page("sync")
    assert "都已确认" in worker_sync.waiting.text()
    assert worker_sync.open_batches.rowCount() == 0

    # Checked last, so that the journey runs whole: no page showed what was no longer so.
    misled = worker.misled + town.misled
    assert not misled, "\n".join(misled)
