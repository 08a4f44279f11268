"""The 走访 page through real widgets: a household with three members, a visit, 今日待办."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import QDate

from meixian_desktop.core import clock
from meixian_desktop.core.validation import id_number_check_char
from meixian_desktop.store import audit, drafts
from meixian_desktop.store import households as household_store
from meixian_desktop.store import profile as profile_store
from meixian_desktop.ui.models.households import (
    HouseholdTableModel,
    MeasureListModel,
    MemberListModel,
    VisitTableModel,
)
from meixian_desktop.ui.pages.today import TodayPage
from meixian_desktop.ui.pages.visits import VisitPage


def id_number(birth: str, sequence: str = "123") -> str:
    first17 = f"430626{birth}{sequence}"
    return first17 + id_number_check_char(first17)


GRANDMOTHER = id_number("19460305", "022")  # even 17th digit: female
FATHER = id_number("19780812", "011")
CHILD = id_number("20150601", "031")


@pytest.fixture
def page(qtbot, session) -> VisitPage:
    widget = VisitPage(session.store, session.paths, profile_store.load(session.store))
    qtbot.addWidget(widget)
    widget.show()
    return widget


def add_member(editor, name: str, id_text: str, relation: str, tags=()) -> None:
    dialog = editor.members.edit(None)
    dialog.name.setText(name)
    dialog.id_number.setText(id_text)
    dialog.combos["relation"].setCurrentIndex(dialog.combos["relation"].findData(relation))
    for row in range(dialog.tags.count()):
        item = dialog.tags.item(row)
        if item.data(0x0100) in tags:
            item.setCheckState(item.checkState().Checked)
    assert dialog.check() == {}, dialog.check()
    dialog.accept()


def three_member_household(page) -> object:
    editor = page.new_household()
    editor.head_name.setText("王建国")
    editor.address.setText("张韩村第三组𠮷家湾12号")
    editor.phone.setText("13907301234")
    add_member(editor, "王建国", FATHER, "head")
    add_member(editor, "刘桂英", GRANDMOTHER, "mother", tags=("left_behind_elderly",))
    add_member(editor, "王小明", CHILD, "son", tags=("left_behind_child",))
    return editor


def test_models_pass_the_model_tester(qtmodeltester, store) -> None:
    qtmodeltester.check(HouseholdTableModel(store))
    qtmodeltester.check(VisitTableModel(store))
    members = MemberListModel()
    members.set_rows([{"name": "甲", "id_number": FATHER, "relation": "head"}])
    qtmodeltester.check(members)
    measures = MeasureListModel()
    measures.set_rows([{"measure_type": "health", "content": "家庭医生签约"}])
    qtmodeltester.check(measures)


def test_member_dialog_derives_gender_and_birth_as_typed(qtbot, page) -> None:
    editor = page.new_household()
    dialog = editor.members.edit(None)
    dialog.name.setText("刘桂英")
    dialog.id_number.setText(GRANDMOTHER)
    assert dialog.id_hint.text() == "女，1946-03-05 出生"
    dialog.id_number.setText(GRANDMOTHER[:-1] + ("0" if GRANDMOTHER[-1] != "0" else "1"))
    assert "校验码" in dialog.id_hint.text()
    assert "id_number" in dialog.check()
    future = id_number((clock.today() + timedelta(days=40)).strftime("%Y%m%d"))
    dialog.id_number.setText(future)
    assert "id_number" in dialog.check()
    dialog.reject()


def test_create_household_with_three_members_then_visit(qtbot, page) -> None:
    editor = three_member_household(page)
    assert editor.members.model.rowCount() == 3
    assert editor.members.model.index(1, 2).data() == GRANDMOTHER  # whole on its own page
    assert editor.save()
    household_id = editor.saved_id
    saved = household_store.load_household(page.store, household_id)
    assert [m.name for m in saved.members] == ["王建国", "刘桂英", "王小明"]
    assert saved.members[1].gender == "female" and saved.members[1].birth_date == date(1946, 3, 5)
    assert saved.is_key_group()
    # The list masks the phone number.
    assert page.model.rowCount() == 1
    shown = [page.model.index(0, c).data() for c in range(page.model.columnCount())]
    assert "13907301234" not in shown and "139****1234" in shown
    assert "留守老人" in shown[4] and "留守儿童" in shown[4]
    # Record a visit ten days ago: a key-group household is next due one month later.
    visit_day = clock.today() - timedelta(days=10)
    visit = page.new_visit(household_id)
    visit.visit_date.setDate(QDate(visit_day))
    visit.person_met.setText("刘桂英")
    visit.health_note.setText("高血压，按时服药")
    visit.done_on_spot.setPlainText("帮助预约家庭医生上门")
    assert visit.save()
    from meixian_desktop.core.households import add_months

    due_on = add_months(visit_day, 1)
    assert household_store.next_due(page.store, household_id) == due_on
    editor.refresh_history()
    assert editor.visits_model.rowCount() == 1
    assert due_on.isoformat() in editor.next_due_label.text()
    assert "走访" in editor.timeline.item(0).text()
    # 今日待办, with the clock set two days before the due date, lists it "还有 2 天".
    today_page = TodayPage(page.store, page.profile, today=due_on - timedelta(days=2))
    qtbot.addWidget(today_page)
    rows = [today_page.list.item(i).text() for i in range(today_page.list.count())]
    assert any("王建国户" in r and "还有 2 天" in r for r in rows)
    later = TodayPage(page.store, page.profile, today=due_on - timedelta(days=9))
    qtbot.addWidget(later)
    assert not any("王建国户" in later.list.item(i).text() for i in range(later.list.count()))


def test_duplicate_id_in_household_refused_and_other_household_warned(qtbot, page) -> None:
    first = three_member_household(page)
    assert first.save()
    second = page.new_household()
    second.head_name.setText("李四")
    add_member(second, "刘桂英", GRANDMOTHER, "head")
    second.check()
    assert "王建国户" in second.warning.text() and GRANDMOTHER in second.warning.text()
    assert second.save()  # a warning, not a refusal
    add_member(second, "刘桂英", GRANDMOTHER, "mother")
    problems = second.check()
    assert "members.1.id_number" in problems
    assert "重复" in second.members.error.text()
    before = page.store.conn.execute("SELECT count(*) FROM members").fetchone()[0]
    assert not second.save()
    assert page.store.conn.execute("SELECT count(*) FROM members").fetchone()[0] == before


def test_search_by_name_and_id_number(qtbot, page) -> None:
    assert three_member_household(page).save()
    other = page.new_household()
    other.head_name.setText("张三")
    assert other.save()
    page.search.setText("小明")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert page.model.index(0, 1).data() == "王建国"
    page.search.setText(CHILD)
    qtbot.waitUntil(lambda: page.model.index(0, 1).data() == "王建国")
    assert page.model.rowCount() == 1
    page.search.clear()
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    page.tag.setCurrentIndex(page.tag.findData("left_behind_child"))
    assert page.model.rowCount() == 1


def test_visit_draft_survives_close(qtbot, page) -> None:
    editor = three_member_household(page)
    assert editor.save()
    visit = page.new_visit(editor.saved_id)
    visit.needs_detail.setPlainText("孙子上学路远，希望有校车")
    visit.close()
    assert page.visit_drafts.isVisibleTo(page)
    [restored] = page.visit_drafts.restore()
    assert restored.needs_detail.toPlainText() == "孙子上学路远，希望有校车"
    restored.discard()
    assert drafts.pending(page.store, "visit") == []


def test_bad_visit_is_refused_at_its_fields(qtbot, page) -> None:
    editor = three_member_household(page)
    assert editor.save()
    visit = page.new_visit(editor.saved_id)
    visit.visitors.clear()
    visit.visit_date.setDate(QDate(clock.today() + timedelta(days=3)))
    visit.next_visit_date.setText(clock.today().isoformat())
    problems = visit.check()
    assert {"visitors", "visit_date"} <= set(problems)
    assert "还没到" in visit.form.error_text("visit_date")
    assert not visit.save()
    visit.visit_date.setDate(QDate(clock.today()))
    assert "next_visit_date" in visit.check()
    assert "晚于" in visit.form.error_text("next_visit_date")
    assert page.store.conn.execute("SELECT count(*) FROM visits").fetchone()[0] == 0


def test_household_on_today_opens_its_visits(qtbot, session) -> None:
    from meixian_desktop.ui.main_window import MainWindow
    from meixian_desktop.ui.tasks import run_now

    window = MainWindow(session, profile_store.load(session.store), runner=run_now)
    qtbot.addWidget(window)
    window.show()
    page = window.show_section("visit")
    editor = three_member_household(page)
    assert editor.save()
    editor.close()
    window.refresh_today()
    today_page = window.pages["today"]
    item = next(i for i in today_page.items if i.table == "households")
    assert item.due == clock.today()  # never visited: due from the day it was registered
    opened = window.open_record("households", item.record_id)
    assert opened.tabs.currentIndex() == 3 and opened.head_name.text() == "王建国"
    assert audit.recent(session.store)  # setup at least; the page works on the real store


def test_visit_round_trips_through_its_form_and_photos_mark_it_unsaved(qtbot, page,
                                                                       tmp_path) -> None:
    from meixian_desktop.core.households import visit_to_raw
    from tests.ui.helpers import make_photo

    editor = three_member_household(page)
    assert editor.save()
    visit = page.new_visit(editor.saved_id)
    visit.person_met.setText("刘桂英")
    visit.form.set_values({"needs": ["health", "schooling"]}, skip=(
        key for key in visit.form.fields if key != "needs"))
    visit.referrals.set_rows([{"department": "镇卫生院", "item": "上门体检",
                               "deadline": "2026-06-30"}, {}])
    assert visit.check() == {}
    assert visit.save()
    assert not visit.dirty
    assert visit.photos.add_files([make_photo(tmp_path / "门口.png")]) == 1
    assert visit.dirty  # a photo added is a change like any other: drafted, asked on close
    assert visit.save()
    stored = household_store.load_visit(page.store, visit.saved_id)
    assert list(stored.needs) == ["health", "schooling"]
    assert len(stored.photos) == 1
    reopened = page.open_visit_editor(visit_to_raw(stored))
    assert reopened.raw() == {**visit.raw()}
    assert reopened.referrals.value() == [{"department": "镇卫生院", "item": "上门体检",
                                           "deadline": "2026-06-30"}]  # the empty row dropped
