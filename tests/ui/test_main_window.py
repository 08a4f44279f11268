"""The main window: navigation, lazy pages, status bar, about, remembered geometry, backups."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QMessageBox

from meixian_desktop.store import profile as profile_store
from meixian_desktop.store.backup import backups
from meixian_desktop.store.due import DueItem
from meixian_desktop.ui.main_window import MainWindow
from meixian_desktop.ui.pages.placeholder import PlaceholderPage
from meixian_desktop.ui.pages.today import TodayPage
from meixian_desktop.ui.tasks import run_now
from meixian_desktop.ui.widgets.sections import SECTIONS


def make_window(qtbot, session, **kwargs) -> MainWindow:
    window = MainWindow(session, profile_store.load(session.store), runner=run_now, **kwargs)
    qtbot.addWidget(window)
    window.show()
    return window


def test_navigation_lists_every_section_and_builds_pages_on_demand(qtbot, session) -> None:
    window = make_window(qtbot, session)
    labels = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert labels == [s.label for s in SECTIONS]
    assert labels[:3] == ["今日待办", "巡查", "矛盾纠纷"]
    assert set(window.pages) == {"today"}
    stats = window.show_section("stats")
    assert isinstance(stats, PlaceholderPage)
    assert "统计" in stats.body.text() and "建设中" in stats.body.text()
    assert window.stack.currentWidget() is stats


def test_status_bar_and_title_name_the_worker(qtbot, session) -> None:
    window = make_window(qtbot, session, demo=True)
    assert "李梅（网格员）" in window.windowTitle() and "演示数据" in window.windowTitle()
    assert window.status_worker.text() == "李梅（网格员）"
    assert str(session.paths.data_dir) in window.status_folder.text()
    assert "同步" in window.status_sync.text()


def test_about_names_version_and_data_folder(qtbot, session) -> None:
    window = make_window(qtbot, session)
    text = window.about_text()
    assert "0." in text and str(session.paths.data_dir) in text
    assert session.store.device_id() in text


def test_geometry_is_remembered(qtbot, session) -> None:
    window = make_window(qtbot, session)
    window.setGeometry(QRect(40, 50, 700, 500))
    window.close()
    again = make_window(qtbot, session)
    assert (again.width(), again.height()) == (700, 500)


def test_daily_backup_runs_once(qtbot, session) -> None:
    window = make_window(qtbot, session)
    window.start_daily_backup()
    window.start_daily_backup()
    assert len(backups(session.paths.backup_dir)) == 1


def test_backup_now_reports_where(qtbot, session, monkeypatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a: shown.append(a[2]))
    window = make_window(qtbot, session)
    window.backup_now()
    assert shown and str(session.paths.backup_dir) in shown[0]


def test_today_page_sorts_due_items_and_badges_the_count(qtbot, session) -> None:
    today = date(2026, 11, 29)

    def source(store, profile, day, horizon):
        return [
            DueItem("patrols", "p1", "巡查问题", "整改：乱堆", date(2026, 12, 3)),
            DueItem("cases", "c1", "纠纷", "邻里纠纷", date(2026, 12, 5), urgent=True),
            DueItem("visits", "v1", "走访", "张家", date(2026, 11, 20)),
        ]

    page = TodayPage(session.store, profile_store.load(session.store), today=today,
                     sources=[source])
    qtbot.addWidget(page)
    rows = [page.list.item(i).text() for i in range(page.list.count())]
    assert rows[0].startswith("【紧急】纠纷")
    assert "已逾期 9 天" in rows[1]
    assert "还有 4 天（2026年12月3日）" in rows[2]
    assert "共 3 项" in page.heading.text()
    with qtbot.waitSignal(page.open_record) as opened:
        page.list.itemActivated.emit(page.list.item(1))
    assert opened.args == ["visits", "v1"]


def test_empty_today_page_says_so(qtbot, session) -> None:
    window = make_window(qtbot, session)
    page = window.pages["today"]
    assert page.empty.isVisibleTo(window) and "没有到期" in page.empty.text()
    assert window.nav.item(0).text() == "今日待办"


def test_menu_shortcuts_switch_sections(qtbot, session) -> None:
    window = make_window(qtbot, session)
    go_menu = window.menuBar().actions()[1].menu()
    shortcuts = [a.shortcut().toString() for a in go_menu.actions()]
    assert shortcuts[:3] == ["Ctrl+1", "Ctrl+2", "Ctrl+3"]
    go_menu.actions()[8].trigger()
    assert window.nav.currentRow() == 8 and "settings" in window.pages


def test_open_record_opens_an_order_and_audits_it(qtbot, session) -> None:
    from meixian_desktop.store import orders as order_store
    from meixian_desktop.ui.pages.orders import OrderPage
    from tests.ui.test_orders_page import fill_order

    window = make_window(qtbot, session)
    page = window.show_section("order")
    assert isinstance(page, OrderPage)
    editor = page.new_order()
    fill_order(editor)
    assert editor.save()
    editor.close()
    opened = window.open_record("orders", editor.saved_id)
    assert opened is not None and opened.minor_name.text() == "𠮷小明"
    trail = order_store.audit_trail(session.store, editor.saved_id)
    assert [(e.actor, e.action) for e in trail] == [("李梅", "change"), ("李梅", "view")]


def test_todays_list_is_gathered_again_after_a_save_not_at_each_search(qtbot, session,
                                                                        monkeypatch) -> None:
    from meixian_desktop.ui.pages.today import TodayPage

    window = make_window(qtbot, session)
    gathered: list[int] = []
    monkeypatch.setattr(TodayPage, "refresh", lambda self: gathered.append(1))
    visits = window.show_section("visit")
    for text in ("王", "王建", "王建国"):  # the search box settling after each keystroke
        visits.search.setText(text)
        visits.apply_filter()
    visits.debounce.stop()  # settled by hand above: no timer left to fire after the test
    assert gathered == []
    visits.records_changed.emit()  # what a saved household or visit sends
    assert gathered == [1]
    window.show_section("today")  # and coming back to 今日待办
    assert gathered == [1, 1]
