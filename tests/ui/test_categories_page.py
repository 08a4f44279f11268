"""The town extends and retires finding categories; the patrol editor offers what is current."""

from __future__ import annotations

from meixian_desktop.core.profile import make_profile
from meixian_desktop.firstrun import set_up
from meixian_desktop.store import patrols as patrol_store
from meixian_desktop.store import profile as profile_store
from meixian_desktop.store.session import open_session
from meixian_desktop.ui.pages.settings import SettingsPage


def test_town_adds_and_retires_categories(qtbot, paths) -> None:
    session = open_session(paths)
    set_up(session.store, paths, make_profile("town", "梅仙镇综治中心"))
    page = SettingsPage(session.store, profile_store.load(session.store))
    qtbot.addWidget(page)
    panel = page.categories
    panel.kind.setCurrentIndex(panel.kind.findData("river"))
    assert panel.add("采砂船违规停靠")
    assert not panel.add("采砂船违规停靠")
    assert "已经有" in panel.message.text()
    labels = [panel.list.item(i).text() for i in range(panel.list.count())]
    assert "采砂船违规停靠" in labels
    panel.list.setCurrentRow(labels.index("非法采砂"))
    panel.toggle_selected()
    river = patrol_store.finding_categories(session.store)["river"]
    assert "非法采砂" not in [c.label for c in river.active()]
    assert "采砂船违规停靠" in [c.label for c in river.active()]
    assert river.label_of("illegal_sand") == "非法采砂"  # old records still show it
    panel.list.setCurrentRow(labels.index("非法采砂"))
    panel.toggle_selected()
    assert "illegal_sand" in [c.code for c in patrol_store.finding_categories(
        session.store)["river"].active()]
    page.close()
    session.close()


def test_workers_do_not_see_the_category_tab(qtbot, store) -> None:
    page = SettingsPage(store, profile_store.load(store))
    qtbot.addWidget(page)
    assert not hasattr(page, "categories")
