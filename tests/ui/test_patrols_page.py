"""The 巡查 page through real widgets: create, reopen, search, follow up, recover drafts."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QMessageBox

from meixian_desktop.core import clock
from meixian_desktop.store import drafts, villages
from meixian_desktop.store import patrols as patrol_store
from meixian_desktop.store import profile as profile_store
from meixian_desktop.ui.models.patrols import FindingListModel, FireTeamModel, PatrolTableModel
from meixian_desktop.ui.pages.patrols import PatrolPage
from tests.ui.helpers import make_photo

YESTERDAY = clock.today() - timedelta(days=1)


@pytest.fixture
def page(qtbot, session) -> PatrolPage:
    widget = PatrolPage(session.store, session.paths, profile_store.load(session.store))
    qtbot.addWidget(widget)
    widget.show()
    return widget


def add_finding(editor, fields: dict, photos=()) -> None:
    """Fill the finding editor as a user would and accept it."""
    finding = editor.finding_editor(None)
    index = finding.category.findData(fields["category"])
    assert index >= 0
    finding.category.setCurrentIndex(index)
    finding.description.setPlainText(fields["description"])
    finding.place.setText(fields.get("place", ""))
    finding.lat.setText(fields.get("lat", ""))
    finding.lon.setText(fields.get("lon", ""))
    finding.deadline.setText(fields.get("deadline", ""))
    if photos:
        assert finding.photos.add_files(list(photos)) == len(photos)
    assert finding.check() == {}
    finding.accept()
    editor.apply_finding(None, finding.raw())


def river_patrol(page, tmp_path):
    editor = page.list.new_patrol("river")
    editor.patrol_date.setDate(QDate(YESTERDAY))
    editor.start_time.setText("08:30")
    editor.end_time.setText("11:00")
    editor.companions.setText("王强、𠮷祥")
    editor.river_name.setText("汨罗江")
    editor.river_section.setText("三里港至石塘段")
    editor.route_start.setText("三里港码头")
    add_finding(editor, {"category": "illegal_fishing", "description": "有人在河边电鱼，已当场制止",
                         "place": "三里港下游", "lat": "28.71", "lon": "113.60",
                         "deadline": (clock.today() + timedelta(days=3)).isoformat()},
                photos=[make_photo(tmp_path / "fish.png")])
    add_finding(editor, {"category": "floating_waste", "description": "河面漂浮生活垃圾约20平方米"})
    return editor


def test_models_pass_the_model_tester(qtmodeltester, store) -> None:
    qtmodeltester.check(PatrolTableModel(store))
    qtmodeltester.check(FireTeamModel(store))
    findings = FindingListModel()
    findings.set_rows([{"category": "other", "description": "甲", "status": "open"}])
    qtmodeltester.check(findings)


def test_create_patrol_with_two_findings_and_a_photo_then_reopen(qtbot, page, tmp_path) -> None:
    editor = river_patrol(page, tmp_path)
    assert editor.check() == {}
    assert editor.save()
    patrol_id = editor.saved_id
    editor.close()
    assert page.list.model.rowCount() == 1
    assert "共 1 条" in page.list.count.text()
    reopened = page.list.open_patrol(patrol_id)
    assert reopened.river_name.text() == "汨罗江"
    assert reopened.companions.text() == "王强、𠮷祥"
    assert reopened.findings_model.rowCount() == 2
    first = reopened.finding_editor(0)
    assert first.lat.text() == "28.71" and len(first.photos.hashes) == 1
    assert first.photos.list.item(0).icon().isNull() is False
    assert drafts.pending(page.list.store, "patrol") == []


def test_search_by_two_and_four_characters(qtbot, page, tmp_path) -> None:
    river_patrol(page, tmp_path).save()
    other = page.list.new_patrol("forest")
    other.area.setText("张韩村后山林区")
    other.patrol_date.setDate(QDate(YESTERDAY))
    assert other.save()
    listed = page.list
    listed.search.setText("电鱼")  # two characters, in a finding's description
    qtbot.waitUntil(lambda: listed.model.rowCount() == 1)
    assert listed.model.index(0, 1).data() == "河道巡查"
    listed.search.setText("后山林区")  # four characters, in the patrol itself
    qtbot.waitUntil(lambda: listed.model.index(0, 1).data() == "森林防火巡查")
    assert listed.model.rowCount() == 1
    listed.search.clear()
    qtbot.waitUntil(lambda: listed.model.rowCount() == 2)
    listed.kind.setCurrentIndex(listed.kind.findData("river"))
    assert listed.model.rowCount() == 1


def test_walk_a_finding_from_open_to_closed(qtbot, page, tmp_path, monkeypatch) -> None:
    editor = river_patrol(page, tmp_path)
    assert editor.save()
    patrol_id = editor.saved_id
    editor.close()
    editor = page.list.open_patrol(patrol_id)
    finding = editor.finding_editor(0)
    assert [b.objectName() for b in finding.findChildren(type(finding.buttons.buttons()[0]))
            if b.objectName().startswith("to_")] == ["to_rectified", "to_escalated"]
    finding.note.setText("已清理电鱼工具")
    finding.move_to("rectified")
    finding.recheck_date.setText(clock.today().isoformat())
    finding.move_to("closed")
    finding.recheck_result.setText("复查合格")
    finding.accept()
    editor.apply_finding(0, finding.raw())
    assert editor.save()
    saved = patrol_store.load_patrol(page.list.store, patrol_id)
    closed = saved.findings[0]
    assert closed.status == "closed"
    assert [(h.from_status, h.to_status) for h in closed.history] == [
        ("open", "rectified"), ("rectified", "closed")]
    assert closed.history[0].by == "李梅" and closed.history[0].note == "已清理电鱼工具"


def test_problems_are_shown_at_their_fields_and_nothing_is_saved(qtbot, page) -> None:
    editor = page.list.new_patrol("river")
    editor.start_time.setText("10:00")
    editor.end_time.setText("09:00")
    editor.patrol_date.setDate(QDate(clock.today() + timedelta(days=2)))
    problems = editor.check()
    assert "早于开始时间" in editor.form.error_text("end_time")
    assert "还没到" in editor.form.error_text("patrol_date")
    assert "河流名称" in editor.form.error_text("river_name")
    assert set(problems) >= {"end_time", "patrol_date", "river_name"}
    assert not editor.save()
    assert page.list.store.conn.execute("SELECT count(*) FROM patrols").fetchone()[0] == 0
    editor.end_time.setText("11:00")
    editor.check()
    assert editor.form.error_text("end_time") == ""


def test_bad_finding_input_is_refused_at_the_field(qtbot, page, tmp_path) -> None:
    editor = page.list.new_patrol("farmland")
    finding = editor.finding_editor(None)
    finding.category.setCurrentIndex(finding.category.findData("fish_pond"))
    finding.description.setPlainText("耕地上新挖鱼塘")
    finding.lat.setText("113.6")
    finding.lon.setText("28.7")
    finding.area_mu.setText("很多")
    problems = finding.check()
    assert "填反" in finding.form.error_text("lat")
    assert "不是数字" in finding.form.error_text("area_mu")
    finding.accept()
    assert finding.result() != finding.DialogCode.Accepted and problems
    (tmp_path / "notes.txt").write_text("not a photo")
    assert finding.photos.add_files([tmp_path / "notes.txt"]) == 0
    assert "不是照片" in finding.photos.message.text()


def test_gpx_import_good_and_bad(qtbot, page, tmp_path) -> None:
    editor = page.list.new_patrol("forest")
    good = tmp_path / "route.gpx"
    good.write_text(
        '<?xml version="1.0"?><gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1">'
        '<trk><trkseg><trkpt lat="28.70" lon="113.60"/><trkpt lat="28.71" lon="113.61">'
        "<name>山顶</name></trkpt></trkseg></trk></gpx>", encoding="utf-8")
    assert editor.waypoints.import_gpx(good)
    assert editor.waypoints.points()[1] == {"lat": "28.71", "lon": "113.61", "name": "山顶"}
    bad = tmp_path / "broken.gpx"
    bad.write_text("<gpx><trk>", encoding="utf-8")
    assert not editor.waypoints.import_gpx(bad)
    assert "不是有效的 GPX" in editor.waypoints.message.text()
    assert len(editor.waypoints.points()) == 2  # the good points stay


def test_draft_is_kept_on_close_and_offered_back(qtbot, page) -> None:
    editor = page.list.new_patrol("forest")
    editor.area.setText("石塘村杉木林")
    editor.notes.setPlainText("巡到一半下雨了")
    editor.close()
    assert page.list.drafts.isVisibleTo(page)
    assert "1 份" in page.list.drafts.label.text()
    [restored] = page.list.drafts.restore()
    assert restored.area.text() == "石塘村杉木林"
    assert restored.notes.toPlainText() == "巡到一半下雨了"
    assert not page.list.drafts.isVisibleTo(page)
    restored.patrol_date.setDate(QDate(YESTERDAY))
    assert restored.save()
    assert drafts.pending(page.list.store, "patrol") == []


def test_autosave_timer_writes_the_draft(qtbot, page) -> None:
    editor = page.list.new_patrol("forest")
    editor.autosave.setInterval(50)
    editor.area.setText("招贤村林场")
    qtbot.waitUntil(lambda: drafts.pending(page.list.store, "patrol") != [], timeout=3000)
    assert drafts.pending(page.list.store, "patrol")[0].payload["area"] == "招贤村林场"


def test_discard_drops_the_draft(qtbot, page) -> None:
    editor = page.list.new_patrol("forest")
    editor.area.setText("不要了")
    editor.discard()
    assert drafts.pending(page.list.store, "patrol") == []


def test_new_patrol_like_the_last_one(qtbot, page, tmp_path) -> None:
    first = river_patrol(page, tmp_path)
    assert first.save()
    first.close()
    like = page.list.new_like_last("river")
    assert like.river_name.text() == "汨罗江" and like.companions.text() == "王强、𠮷祥"
    assert like.route_start.text() == "三里港码头"
    assert like.findings_model.rowCount() == 0
    assert like.patrol_date.date() == QDate(clock.today())
    assert like.raw()["id"] != first.saved_id


def test_delete_patrol(qtbot, page, tmp_path, monkeypatch) -> None:
    assert river_patrol(page, tmp_path).save()
    page.list.view.selectRow(0)
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    page.list.delete_selected()
    assert page.list.model.rowCount() == 0


def test_fire_team_roster(qtbot, page, monkeypatch) -> None:
    from meixian_desktop.ui.pages.patrols import MemberDialog

    dialog = MemberDialog(page.team.store, {})
    dialog.name.setText("刘建国")
    dialog.phone.setText("123")
    assert dialog.member() is None
    assert "电话" in dialog.form.error_text("phone")
    dialog.phone.setText("13907305678")
    dialog.equipment.setText("风力灭火机")
    dialog.last_training.setText("2025-04-01")
    assert page.team.save(dialog.member())
    assert page.team.model.rowCount() == 1
    assert page.team.model.index(0, 3).data() == "风力灭火机"


def test_overdue_finding_on_today_opens_the_finding(qtbot, session, tmp_path) -> None:
    from meixian_desktop.core.patrols import parse_patrol
    from meixian_desktop.ui.main_window import MainWindow
    from meixian_desktop.ui.tasks import run_now

    store = session.store
    village = villages.village_by_code(store, "430626108210")
    patrol = parse_patrol({
        "kind": "farmland", "patrol_date": (clock.today() - timedelta(days=20)).isoformat(),
        "leader": "李梅", "village_ids": [village.id], "plot_number": "2024-0317",
        "findings": [{"category": "house_building", "description": "耕地上打地基建房",
                      "deadline": (clock.today() - timedelta(days=5)).isoformat()}],
    }, today=clock.today())
    with store.transaction() as tx:
        patrol_store.save_patrol(tx, patrol)
    window = MainWindow(session, profile_store.load(store), runner=run_now)
    qtbot.addWidget(window)
    window.show()
    today_page = window.pages["today"]
    assert today_page.list.count() == 1
    assert "已逾期 5 天" in today_page.list.item(0).text()
    assert window.nav.item(0).text() == "今日待办（1）"
    finding_id = today_page.items[0].record_id
    editor = window.open_record("findings", finding_id)
    assert window.stack.currentWidget() is window.pages["patrol"]
    assert editor.plot_number.text() == "2024-0317"
    qtbot.waitUntil(lambda: editor.open_finding_editor is not None)
    finding = editor.open_finding_editor
    assert finding.isVisible() and finding.description.toPlainText() == "耕地上打地基建房"
    finding.move_to("escalated")
    finding.accept()
    assert editor.findings_model.rows[0]["status"] == "escalated"


def test_photos_dropped_on_the_strip_are_added(qtbot, page, tmp_path) -> None:
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    editor = page.list.new_patrol("forest")
    finding = editor.finding_editor(None)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(make_photo(tmp_path / "a.jpg", "#aa0000"))),
                  QUrl.fromLocalFile(str(make_photo(tmp_path / "b.png", "#0000aa")))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    finding.photos.dropEvent(event)
    assert len(finding.photos.hashes) == 2
    assert finding.photos.list.count() == 2
    stored = [p for p in page.list.paths.attachments_dir.rglob("*") if p.is_file()]
    assert sorted(p.suffix for p in stored) == [".jpg", ".png"]


def test_print_a_patrol_from_its_editor(qtbot, page, tmp_path, monkeypatch) -> None:
    from pypdf import PdfReader

    from meixian_desktop.store import audit

    editor = river_patrol(page, tmp_path)  # unsaved: printing saves it first
    out = editor.print_form("river_patrol")
    assert out is not None and editor.preview.pdf == out and editor.preview.isVisible()
    assert editor.preview.page_count == len(PdfReader(io.BytesIO(out)).pages)
    assert ":" not in editor.preview.file_name and editor.preview.file_name.endswith(".pdf")
    data = page.list.paths.data_dir
    assert not any(p.suffix == ".pdf" for p in data.rglob("*"))  # in memory, not on the disk
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(out)).pages)
    assert "河道巡查记录表" in text and "三里港至石塘段" in text and "电鱼" in text
    assert audit.recent(page.list.store)[0].action == "print"
    assert "已生成 PDF" in editor.draft_label.text()


def test_an_editor_prints_with_the_towns_own_template(qtbot, page, tmp_path) -> None:
    from pypdf import PdfReader

    from meixian_desktop.paths import resource

    paths = page.list.paths
    shipped = resource("river_patrol.toml", kind="forms").read_text(encoding="utf-8")
    own = paths.config_dir / "forms" / "river_patrol.toml"
    own.parent.mkdir(parents=True, exist_ok=True)
    own.write_text(shipped.replace('title = "河道巡查记录表"', 'title = "梅仙镇河道巡查记录表"'),
                   encoding="utf-8")
    editor = river_patrol(page, tmp_path)
    out = editor.print_form("river_patrol")
    assert out is not None
    assert "梅仙镇河道巡查记录表" in "".join(p.extract_text()
                                       for p in PdfReader(io.BytesIO(out)).pages)
