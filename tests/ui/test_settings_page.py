"""The 设置 page: declared settings and village management through real widgets."""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog

from meixian_desktop.store import profile as profile_store
from meixian_desktop.store import settings, villages
from meixian_desktop.ui.models.villages import GroupTableModel, VillageTableModel
from meixian_desktop.ui.pages.settings import SettingsPage


def make_page(qtbot, store) -> SettingsPage:
    page = SettingsPage(store, profile_store.load(store))
    qtbot.addWidget(page)
    page.show()
    return page


def answer(monkeypatch, text: str, ok: bool = True) -> None:
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (text, ok))


def test_models_pass_the_model_tester(qtmodeltester, store) -> None:
    qtmodeltester.check(VillageTableModel(store))
    groups = GroupTableModel(store)
    groups.show_village(villages.list_villages(store)[0].id)
    qtmodeltester.check(groups)


def test_settings_form_saves_and_refuses(qtbot, store) -> None:
    page = make_page(qtbot, store)
    page.form.editors["backup_keep_days"].setValue(7)
    page.form.editors["case_number_pattern"].setText("（{year}）梅仙调字第{n}号")
    assert page.form.save()
    assert settings.get(store, "backup_keep_days") == 7
    assert settings.get(store, "case_number_pattern") == "（{year}）梅仙调字第{n}号"
    assert page.form.message.text() == "已保存。"
    not_a_font = store.path.parent / "仿宋.ttf"
    not_a_font.write_bytes(b"no font here" * 50)
    page.form.editors["print_font_file"].setText(str(not_a_font))
    assert not page.form.save()
    assert "不是可用的 TrueType 字体文件" in page.form.message.text()
    assert settings.get(store, "print_font_file") == ""


def test_add_rename_and_retire_a_village_and_group(qtbot, store, monkeypatch) -> None:
    page = make_page(qtbot, store)
    panel = page.villages
    answer(monkeypatch, "梅仙新村")
    panel.add_village()
    row = next(r for r in range(panel.village_model.rowCount())
               if panel.village_model.index(r, 0).data() == "梅仙新村")
    panel.village_view.selectRow(row)
    answer(monkeypatch, "第一组")
    panel.add_group()
    assert panel.group_model.rowCount() == 1
    assert panel.village_model.index(row, 3).data() == "1"
    panel.group_view.selectRow(0)
    answer(monkeypatch, "王家组")
    panel.rename_group()
    assert panel.group_model.index(0, 0).data() == "王家组"
    panel.toggle_village()
    assert panel.village_model.index(row, 4).data() == "已停用"
    assert "梅仙新村" not in [v.name for v in villages.list_villages(store)]


def test_duplicate_village_shows_the_reason(qtbot, store, monkeypatch) -> None:
    page = make_page(qtbot, store)
    count = page.villages.village_model.rowCount()
    answer(monkeypatch, "张韩村")
    page.villages.add_village()
    assert "已经有" in page.villages.message.text()
    assert page.villages.village_model.rowCount() == count


def test_buttons_without_a_selection_explain(qtbot, store) -> None:
    page = make_page(qtbot, store)
    page.villages.rename_group()
    assert "请先" in page.villages.message.text()


def test_changing_visit_frequency_moves_due_visits(qtbot, store) -> None:
    from datetime import date

    from meixian_desktop.core.households import Household, Visit, add_months
    from meixian_desktop.store import households

    village = villages.list_villages(store)[0]
    with store.transaction() as tx:
        plain = households.save_household(tx, Household(village.id, "张三"))
        households.save_visit(tx, Visit(plain, date(2025, 1, 31), "李梅"))
    assert households.next_due(store, plain) == date(2025, 7, 31)
    page = make_page(qtbot, store)
    page.form.editors["visit_months_other"].setValue(3)
    assert page.form.save()
    assert households.next_due(store, plain) == add_months(date(2025, 1, 31), 3)


def test_the_towns_limits_show_in_the_town_role_only(qtbot, store, town) -> None:
    worker_page = make_page(qtbot, store)
    assert "sync_max_held_devices" not in worker_page.form.editors
    assert "还没有导入镇里的资料包" in worker_page.town_fingerprint.text()
    town_page = make_page(qtbot, town.store)
    town_page.form.editors["sync_max_held_devices"].setValue(5)
    assert town_page.form.save()
    assert settings.get(town.store, "sync_max_held_devices") == 5
    assert town.keys.fingerprint in " ".join(
        label.text() for label in town_page.findChildren(type(town_page.form.message)))
