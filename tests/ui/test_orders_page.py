"""The 监护令 page through real widgets: record, serve, follow up, list by pseudonym, audit."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PySide6.QtCore import QDate, QModelIndex, Qt
from PySide6.QtWidgets import QDialog

from meixian_desktop.core import clock
from meixian_desktop.core.order_followups import timeline
from meixian_desktop.core.validation import check_id_number
from meixian_desktop.store import drafts, records
from meixian_desktop.store import orders as order_store
from meixian_desktop.store import profile as profile_store
from meixian_desktop.store import settings as settings_store
from meixian_desktop.store.due import DueItem
from meixian_desktop.ui.editors.order import OrderEditor
from meixian_desktop.ui.editors.order_dialogs import FollowUpDialog, ServiceDialog
from meixian_desktop.ui.models.orders import OrderTableModel
from meixian_desktop.ui.models.records import TimelineModel
from meixian_desktop.ui.pages.orders import OrderPage
from meixian_desktop.ui.pages.today import TodayPage
from tests.core.test_orders import FATHER_ID, id_for

TODAY = clock.today()
MINOR_NAME = "𠮷小明"
MINOR_ID = id_for("2012-05-01", "131")
PHONE = "13907301234"


@pytest.fixture
def page(qtbot, session) -> OrderPage:
    widget = OrderPage(session.store, session.paths, profile_store.load(session.store))
    qtbot.addWidget(widget)
    widget.show()
    return widget


def fill_order(editor: OrderEditor, number: str = "平检未督〔2025〕3号",
               minor: str = MINOR_NAME) -> None:
    """Type a whole order as a user would."""
    editor.number.setText(number)
    editor.issue_date.setDate(QDate(TODAY - timedelta(days=10)))
    editor.guardians.add_row({"name": "王建国", "relation": "父亲", "id_number": FATHER_ID,
                              "address": "张韩村第三组", "phone": PHONE})
    editor.guardians.add_row({"name": "李芳", "relation": "祖母"})
    editor.minor_name.setText(minor)
    editor.minor_id_number.setText(MINOR_ID)
    for widget, codes in ((editor.facts, {"absent_migrant"}),
                          (editor.legal_basis, {"civil_code_34", "family_education_49"})):
        for row in range(widget.count()):
            item = widget.item(row)
            if item.data(Qt.ItemDataRole.UserRole) in codes:
                item.setCheckState(Qt.CheckState.Checked)
    editor.facts_detail.setPlainText("父母在外务工，孩子常在网吧过夜")
    editor.duties.add_row({"content": "每周与孩子视频通话两次", "measure": "每周"})
    editor.duties.add_row({"content": "督促按时上学", "measure": "每天",
                           "deadline": (TODAY + timedelta(days=90)).isoformat()})
    editor.observation_start.setText((TODAY - timedelta(days=5)).isoformat())
    editor.observation_end.setText((TODAY + timedelta(days=175)).isoformat())
    editor.contact.setText("张检察官 0730-5201234")


def displayed(model) -> list[str]:
    """Every text the model shows (display and tool tip, headers included)."""
    texts = []
    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                value = model.index(row, column).data(role)
                if value:
                    texts.append(str(value))
    texts += [str(model.headerData(c, Qt.Orientation.Horizontal))
              for c in range(model.columnCount())]
    return texts


def saved_order(page: OrderPage) -> tuple[OrderEditor, str]:
    editor = page.new_order()
    fill_order(editor)
    assert editor.check() == {}
    assert editor.save()
    return editor, editor.saved_id


def serve(editor: OrderEditor) -> ServiceDialog:
    dialog = editor.record_service()
    assert isinstance(dialog, ServiceDialog) and dialog.isVisible()
    assert dialog.recipient.text() == "王建国" and dialog.document_number.text() == \
        "平检未督〔2025〕3号"
    dialog.place.setText("张韩村村部")
    dialog.recipient_signed.setChecked(True)
    dialog.servers.setText("张检察官、李梅")
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    return dialog


# -- models ---------------------------------------------------------------------------------------


def test_models_pass_the_model_tester(qtmodeltester, page) -> None:
    qtmodeltester.check(OrderTableModel(page.store))  # empty
    editor, order_id = saved_order(page)
    serve(editor)
    qtmodeltester.check(OrderTableModel(page.store))
    qtmodeltester.check(page.model)
    order = order_store.load_order(page.store, order_id)
    model = TimelineModel()
    qtmodeltester.check(model)
    model.set_entries(timeline(order, order_store.services(page.store, order_id)))
    assert model.rowCount() == 3
    qtmodeltester.check(model)
    qtmodeltester.check(editor.timeline_model)


# -- the whole life of an order --------------------------------------------------------------------


def test_record_serve_and_follow_up_an_order(qtbot, page) -> None:
    editor, order_id = saved_order(page)
    store = page.store
    age = check_id_number(MINOR_ID).age_on(TODAY - timedelta(days=10))
    assert editor.minor_info.text() == f"身份证号码显示：出生于 2012-05-01，男，签发时 {age} 周岁。"
    assert not editor.minor_birth_date.isEnabled()  # the ID number gives it
    assert editor.minor_pseudonym.placeholderText() == "不填则用 小𠮷"
    assert [b.objectName() for b in editor.step_buttons.values() if b.isVisibleTo(editor)] == [
        "step_serve"]

    serve(editor)
    assert editor.status == "served" and editor.status_label.text().startswith("已送达")
    assert [b.objectName() for b in editor.step_buttons.values() if b.isVisibleTo(editor)] == [
        "step_serve", "step_observing", "step_followup"]
    [service] = order_store.services(store, order_id)
    assert service.recipient_signed and service.servers == ("张检察官", "李梅")

    editor.note.setText("宣告考察期")
    assert editor.move_to("observing")
    assert editor.save()
    assert order_store.load_order(store, order_id).status == "observing"

    dialog = editor.record_followup()
    assert isinstance(dialog, FollowUpDialog) and len(dialog.levels) == 2
    assert dialog.form.labels["compliance.0.level"].text().startswith("第 1 项：每周与孩子视频通话")
    dialog.method.setCurrentIndex(dialog.method.findData("video"))
    dialog.person_met.setText("王建国")
    dialog.schooling.setText("按时上学")
    for level, evidence, (code, text) in zip(
            dialog.levels, dialog.evidence,
            [("done", "看了通话记录"), ("partial", "班主任说迟到两次")], strict=True):
        level.setCurrentIndex(level.findData(code))
        evidence.setText(text)
    dialog.guidance_attended.setChecked(True)
    dialog.next_date.setText((TODAY + timedelta(days=14)).isoformat())
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted

    [followup] = order_store.followups(store, order_id)
    assert [(c.level, c.evidence) for c in followup.compliance] == [
        ("done", "看了通话记录"), ("partial", "班主任说迟到两次")]
    assert followup.method == "video" and followup.guidance_attended
    assert order_store.load_order(store, order_id).next_followup_date == TODAY + timedelta(
        days=14)
    kinds = [editor.timeline_model.index(r, 1).data()
             for r in range(editor.timeline_model.rowCount())]
    assert kinds[0] == "签发"
    assert set(kinds) == {"签发", "送达（直接送达）", "待送达 → 已送达", "已送达 → 考察期",
                          "回访（视频）"}
    assert "下次回访" in editor.status_label.text()

    # ending needs an outcome, shown at its field; then it is a stamped step
    assert not editor.move_to("ended")
    assert "已履行或未履行" in editor.status_form.error_text("outcome")
    editor.outcome_combo.setCurrentIndex(editor.outcome_combo.findData("unfulfilled"))
    assert not editor.move_to("ended")
    assert "移送" in editor.status_form.error_text("referral")
    editor.referral.setText("已移送公安机关")
    assert editor.move_to("ended")
    assert editor.save()
    ended = order_store.load_order(store, order_id)
    assert (ended.status, ended.outcome, ended.referral) == ("ended", "unfulfilled",
                                                             "已移送公安机关")
    assert [c.by for c in ended.history] == ["李梅"] * 3
    assert not any(b.isVisibleTo(editor) for b in editor.step_buttons.values())


def test_the_list_shows_the_pseudonym_never_the_name_or_numbers(qtbot, page) -> None:
    editor, order_id = saved_order(page)
    serve(editor)
    assert page.model.rowCount() == 1 and "共 1 份" in page.count.text()
    row = [page.model.index(0, c).data() for c in range(page.model.columnCount())]
    assert row[0] == "平检未督〔2025〕3号"
    assert row[2] == "小𠮷"
    assert row[3] == "王建国（父亲）、李芳（祖母）"
    assert row[4] == "张韩村" and row[5] == "已送达"
    assert row[6] == (TODAY + timedelta(days=30)).isoformat()
    shown = "\n".join(displayed(page.model))
    for secret in (MINOR_NAME, MINOR_ID, FATHER_ID, PHONE, PHONE[3:7], "小明"):
        assert secret not in shown
    # the record itself shows them whole
    assert editor.minor_id_number.text() == MINOR_ID
    assert editor.guardians.rows()[0]["id_number"] == FATHER_ID
    # the setting lets a town show real names in lists, never the numbers
    settings_store.put(page.store, "show_minor_names_in_lists", True)
    named = OrderTableModel(page.store)
    assert named.index(0, 2).data() == MINOR_NAME
    assert FATHER_ID not in "\n".join(displayed(named))


def test_opening_an_order_is_audited(qtbot, page) -> None:
    editor, order_id = saved_order(page)
    editor.close()
    before = order_store.audit_trail(page.store, order_id)
    assert [(e.actor, e.action) for e in before] == [("李梅", "change")]
    page.view.selectRow(0)
    reopened = page.open_selected()
    assert reopened is not None and reopened.minor_name.text() == MINOR_NAME
    trail = order_store.audit_trail(page.store, order_id)
    assert [(e.actor, e.action, e.record_id) for e in trail[1:]] == [("李梅", "view", order_id)]
    assert page.open_order("no-such-order") is None
    assert "已被删除" in page.message.text()


def test_a_late_follow_up_is_red_in_the_list(qtbot, page) -> None:
    _editor, order_id = saved_order(page)
    serve(_editor)
    late = OrderTableModel(page.store, today=TODAY + timedelta(days=31))
    assert late.index(0, 6).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert page.model.index(0, 6).data(Qt.ItemDataRole.ForegroundRole) is None
    assert page.model.index(0, 0).data(Qt.ItemDataRole.ForegroundRole) is None
    assert late.data(QModelIndex(), Qt.ItemDataRole.ForegroundRole) is None


# -- problems at their fields -----------------------------------------------------------------------


def test_problems_are_shown_at_their_fields_and_nothing_is_saved(qtbot, page) -> None:
    editor = page.new_order()
    fill_order(editor)
    editor.guardians.set_cell(0, "id_number", FATHER_ID[:-1] + "1")
    editor.guardians.set_cell(1, "phone", "12345")
    editor.duties.set_cell(1, "deadline", (TODAY - timedelta(days=20)).isoformat())
    editor.observation_end.setText((TODAY - timedelta(days=6)).isoformat())
    problems = editor.check()
    assert set(problems) == {"guardians.0.id_number", "guardians.1.phone", "duties.1.deadline",
                             "observation_end"}
    assert "早于开始日期" in editor.form.error_text("observation_end")
    assert "第 1 位监护人：身份证号码最后一位校验码不对" in editor.guardians.message.text()
    assert "第 2 位监护人：" in editor.guardians.message.text()
    assert "第 2 项职责：履行期限不能早于签发日期" in editor.duties.message.text()
    assert editor.guardians.table.item(0, 2).toolTip() != ""
    assert not editor.save()
    assert page.store.conn.execute("SELECT count(*) FROM orders").fetchone()[0] == 0
    editor.issue_date.setDate(QDate(TODAY + timedelta(days=2)))
    assert "还没到" in editor.check()["issue_date"]
    assert "还没到" in editor.form.error_text("issue_date")
    editor.issue_date.setDate(QDate(TODAY - timedelta(days=10)))
    editor.check()
    assert editor.form.error_text("issue_date") == ""


def test_fields_are_checked_as_they_are_typed(qtbot, page) -> None:
    editor = page.new_order()
    fill_order(editor)
    qtbot.waitUntil(lambda: editor.form.error_text("number") == "")
    editor.number.setText("平检未督2025第3号")
    qtbot.waitUntil(lambda: "格式不对" in editor.form.error_text("number"))
    editor.minor_pseudonym.setText(MINOR_NAME)
    qtbot.waitUntil(lambda: "化名不能用真实姓名" in editor.form.error_text("minor_pseudonym"))
    editor.number.setText("平检未督[2025]3号")
    qtbot.waitUntil(lambda: editor.form.error_text("number") == "")


def test_an_adult_is_refused_and_services_and_follow_ups_wait_for_a_save(qtbot, page) -> None:
    editor = page.new_order()
    fill_order(editor)
    editor.minor_id_number.setText(id_for("2000-01-01", "131"))
    assert "已满18周岁" in editor.check()["minor_id_number"]
    assert editor.record_service() is None
    assert "请先改正红字" in editor.draft_label.text()
    assert page.store.conn.execute("SELECT count(*) FROM order_services").fetchone()[0] == 0


def test_starting_observation_needs_the_period(qtbot, page) -> None:
    editor, order_id = saved_order(page)
    serve(editor)
    editor.observation_start.setText("")
    assert not editor.move_to("observing")
    assert "考察期开始日期" in editor.form.error_text("observation_start")
    assert editor.status == "served"


def test_service_dialog_refuses_at_its_fields_and_saves_nothing(qtbot, page) -> None:
    editor, order_id = saved_order(page)
    dialog = editor.record_service()
    dialog.method.setCurrentIndex(dialog.method.findData("left"))
    dialog.served_at.setText((TODAY - timedelta(days=12)).isoformat() + " 09:00")
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted and dialog.isVisible()
    assert "拒收的理由" in dialog.form.error_text("refusal_reason")
    assert "见证人" in dialog.form.error_text("witnesses")
    assert "不能早于签发日期" in dialog.form.error_text("served_at")
    assert order_store.services(page.store, order_id) == []
    assert order_store.load_order(page.store, order_id).status == "pending"
    dialog.served_at.setText(TODAY.isoformat() + " 08:00")
    dialog.refusal_reason.setText("拒绝签字")
    dialog.witnesses.setText("张建国、韩秋莲")
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert order_store.services(page.store, order_id)[0].witnesses == ("张建国", "韩秋莲")
    assert editor.status == "served"


def test_follow_up_dialog_needs_every_duty(qtbot, page) -> None:
    editor, order_id = saved_order(page)
    serve(editor)
    dialog = editor.record_followup()
    dialog.levels[0].setCurrentIndex(dialog.levels[0].findData("done"))
    dialog.accept()
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert "依据" in dialog.form.error_text("compliance.0.evidence")
    assert "落实情况" in dialog.form.error_text("compliance.1.level")
    assert dialog.form.error_text("compliance.0.level") == ""
    assert order_store.followups(page.store, order_id) == []


def test_follow_up_waits_for_service(qtbot, page) -> None:
    editor, order_id = saved_order(page)
    dialog = editor.record_followup()  # the button is hidden, but the rule holds anyway
    for level, evidence in zip(dialog.levels, dialog.evidence, strict=True):
        level.setCurrentIndex(level.findData("done"))
        evidence.setText("见到了")
    dialog.accept()
    assert dialog.isVisible()
    assert dialog.form.error_text("followup_date").startswith("还没有送达，不能登记回访")
    assert records.live_counts(page.store)["order_followups"] == 0


# -- drafts, filters, 今日待办 ----------------------------------------------------------------------


def test_draft_is_kept_on_close_and_offered_back(qtbot, page) -> None:
    editor = page.new_order()
    editor.number.setText("平检未督〔2025〕7号")
    editor.minor_name.setText("欧阳娜娜")
    editor.contact.setText("村妇联主席")
    editor.close()
    assert page.drafts.restore_button.isVisibleTo(page)
    assert page.drafts.label.text() == "有 1 份没有保存的监护令草稿（监护令 平检未督〔2025〕7号 小欧阳）。"
    assert "娜娜" not in page.drafts.label.text()
    [restored] = page.drafts.restore()
    assert restored.contact.text() == "村妇联主席" and restored.dirty
    assert not page.drafts.restore_button.isVisibleTo(page)
    fill_order(restored, number="平检未督〔2025〕7号", minor="欧阳娜娜")
    assert restored.save()
    assert drafts.pending(page.store, "order") == []
    assert page.model.index(0, 2).data() == "小欧阳"


def test_filters_and_search(qtbot, page) -> None:
    first, first_id = saved_order(page)
    serve(first)
    second = page.new_order()
    fill_order(second, number="平检未督〔2025〕8号", minor="黄小红")
    second.village.setCurrentIndex(second.village.findText("三里村"))
    assert second.save()
    assert page.model.rowCount() == 2
    page.status.setCurrentIndex(page.status.findData("pending"))
    assert page.model.rowCount() == 1 and page.model.index(0, 2).data() == "小黄"
    page.status.setCurrentIndex(0)
    page.village.setCurrentIndex(page.village.findText("张韩村"))
    assert [page.model.record_id(r) for r in range(page.model.rowCount())] == [first_id]
    page.village.setCurrentIndex(0)
    page.followup.setCurrentIndex(page.followup.findData("overdue"))
    assert page.model.rowCount() == 0 and "共 0 份" in page.count.text()
    page.followup.setCurrentIndex(0)
    page.search.setText("小红")  # the real name finds it; the list still shows the pseudonym
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert page.model.index(0, 2).data() == "小黄"
    page.search.setText("〔2025〕3号")
    qtbot.waitUntil(lambda: page.model.index(0, 0).data() == "平检未督〔2025〕3号")
    page.search.clear()
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)


def test_today_page_lists_orders_by_pseudonym(qtbot, page) -> None:
    editor, order_id = saved_order(page)  # issued ten days ago, not yet served: urgent
    today = TodayPage(page.store, page.profile, sources=[order_store.orders_due])
    qtbot.addWidget(today)
    assert today.items == [DueItem("orders", order_id, "监护令待送达",
                                   "小𠮷（平检未督〔2025〕3号）", TODAY - timedelta(days=7),
                                   urgent=True)]
    text = today.list.item(0).text()
    assert text.startswith("【紧急】监护令待送达：小𠮷") and MINOR_NAME not in text
    opened = []
    today.open_record.connect(lambda table, record: opened.append((table, record)))
    today.list.itemActivated.emit(today.list.item(0))
    assert opened == [("orders", order_id)]


def test_print_the_notice_from_the_order_editor(qtbot, session, monkeypatch) -> None:
    from pypdf import PdfReader

    from meixian_desktop.store import profile as profile_store
    from meixian_desktop.ui.pages.orders import OrderPage

    page = OrderPage(session.store, session.paths, profile_store.load(session.store))
    qtbot.addWidget(page)
    editor = page.new_order()
    fill_order(editor)
    assert [name for name, _label in editor.printable_forms()] == [
        "supervision_order", "service_receipt", "order_followup"]
    out = editor.print_form("supervision_order")
    assert out is not None
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(out)).pages)
    assert "督促监护令" in text
    assert editor.minor_name.text() not in text  # the notice names the minor by pseudonym
    editor.close()
