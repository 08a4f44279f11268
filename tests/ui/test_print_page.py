"""The 打印 page: a form, a date range, checked records → one PDF in the preview."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from meixian_desktop.store import audit
from meixian_desktop.ui.tasks import run_in_background, run_now
from tests.printing.helpers import full_order, pdf_text, river_patrol
from tests.printing.test_patrol_forms import forest_patrol

MARCH = date(2025, 3, 20)


@pytest.fixture
def make_page(qtbot, session):
    from meixian_desktop.store import profile as profile_store
    from meixian_desktop.ui.pages.print_page import PrintPage

    def make(runner=run_now):
        page = PrintPage(session.store, session.paths, profile_store.load(session.store),
                         runner=runner, today=MARCH)
        qtbot.addWidget(page)
        return page

    return make


def _choose(page, form: str) -> None:
    page.form.setCurrentIndex(page.form.findData(form))


def test_checked_records_print_as_one_pdf(make_page, store) -> None:
    kept = river_patrol(store, findings=1)
    dropped = river_patrol(store, findings=3)
    forest_patrol(store)
    page = make_page()
    _choose(page, "river_patrol")
    assert page.list.count() == 2 and page.summary.text() == "共 2 条，已选 2 条"
    assert page.start.date().toString("yyyy-MM-dd") == "2025-03-01"
    assert page.end.date().toString("yyyy-MM-dd") == "2025-03-31"
    row = next(i for i in range(page.list.count())
               if page.list.item(i).data(256) == dropped)
    page.list.item(row).setCheckState(page.list.item(row).checkState().Unchecked)
    assert page.checked_ids() == [kept] and page.summary.text() == "共 2 条，已选 1 条"
    page.print_button.click()
    out = page.preview.pdf
    assert ":" not in page.preview.file_name
    assert not any(p.suffix == ".pdf" for p in page.paths.data_dir.rglob("*"))
    assert "第1处问题" in pdf_text(out) and "第3处问题" not in pdf_text(out)
    assert page.preview.isVisible() and "已生成 PDF" in page.problem.text()
    assert [e.record_id for e in audit.recent(store) if e.action == "print"] == [kept]


def test_the_list_follows_form_and_dates(make_page, store) -> None:
    order = full_order(store)
    page = make_page()
    _choose(page, "supervision_order")
    assert [page.list.item(i).data(256) for i in range(page.list.count())] == [order]
    assert "小王" in page.list.item(0).text() and "王小明" not in page.list.item(0).text()
    page.set_all(False)
    assert not page.print_button.isEnabled()
    page.set_all(True)
    assert page.print_button.isEnabled()
    page.end.setDate(page.end.date().addMonths(1))
    page.start.setDate(page.start.date().addMonths(1))
    assert page.list.count() == 0 and "没有可以用这张表单打印的记录" in page.problem.text()
    page.start.setDate(page.end.date().addDays(1))
    assert "开始日期晚于结束日期" in page.problem.text()


def test_printing_runs_off_the_gui_thread(qtbot, make_page, store) -> None:
    river_patrol(store)
    page = make_page(run_in_background)
    _choose(page, "river_patrol")
    page.print_button.click()
    qtbot.waitUntil(lambda: page.preview is not None, timeout=20000)
    assert page.preview.page_count >= 1 and "河道巡查记录表" in pdf_text(page.preview.pdf)


def test_cancel_leaves_no_file(make_page, store) -> None:
    for _ in range(3):
        river_patrol(store)
    page = make_page()

    def cancelled_at_once(work, done, failed):
        page.progress.cancel()  # the progress dialog's 取消, pressed before the work starts
        run_now(work, done, failed)

    page.runner = cancelled_at_once
    _choose(page, "river_patrol")
    page.print_button.click()
    assert page.preview is None and page.problem.text() == "已取消。"
    assert not list((page.paths.data_dir / "prints").glob("*.pdf"))


def test_a_broken_template_is_listed_but_cannot_be_chosen(make_page, session) -> None:
    folder = Path(session.paths.config_dir) / "forms"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "river_patrol.toml").write_text('title = "河道巡查记录表"\n[[blocks]\ntype=',
                                              encoding="utf-8")
    page = make_page()
    index = page.form.findData("river_patrol")
    assert index >= 0 and not page.form.model().item(index).isEnabled()
    assert "river_patrol.toml" in page.form.itemData(index, 3)  # the tooltip names the file
    assert page.form.model().item(page.form.findData("forest_patrol")).isEnabled()


def test_the_window_opens_the_print_page(qtbot, session) -> None:
    from meixian_desktop.store import profile as profile_store
    from meixian_desktop.ui.main_window import MainWindow
    from meixian_desktop.ui.pages.print_page import PrintPage

    window = MainWindow(session, profile_store.load(session.store), runner=run_now)
    qtbot.addWidget(window)
    assert isinstance(window.show_section("print"), PrintPage)


def test_the_months_ledger_prints_from_the_page(make_page, store) -> None:
    river_patrol(store)
    page = make_page()
    assert page.month.date().toString("yyyy-MM") == "2025-03"
    page.ledger_button.click()
    out = page.preview.pdf
    text = pdf_text(out)
    assert "工作台账" in text and "2025年3月" in text
    assert page.preview.file_name.startswith("工作台账-202503")
    assert any(e.action == "print" and "台账" in e.detail for e in audit.recent(store))
