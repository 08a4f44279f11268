"""Journeys through the real windows: the town office and a worker's laptop as two real homes,
each opened in its own main window, a folder standing in for the USB stick, and the steps of a
grid worker's day typed into the same editors a worker uses."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialog, QWidget

from meixian_desktop.app import main
from meixian_desktop.core import clock
from meixian_desktop.core.validation import id_number_check_char
from meixian_desktop.paths import under_home
from meixian_desktop.store import profile as profile_store
from meixian_desktop.store.session import Session, open_session
from meixian_desktop.sync.outbox import sendable_tables
from meixian_desktop.ui.main_window import MainWindow
from meixian_desktop.ui.tasks import run_now
from tests.conftest import close_windows
from tests.ui.helpers import make_photo

T = TypeVar("T")
TODAY = clock.today()
TOWN_NAME = "梅仙镇人民政府"
WORKER = "李梅"
WORKER_PHONE = "13907301234"
RIVER_SECTION = "三里港至石塘段"
FINDING_TEXT = "有人在河边电鱼，已当场制止"
ORDER_NUMBER = f"平检未督〔{TODAY.year}〕3号"
MINOR_NAME = "𠮷小明"
PARTIES = ("欧阳建华", "王秋菊")
HEAD = "王建国"


def id_number(birth: str, sequence: str) -> str:
    """A valid 18-digit ID number of 平江县 for someone born on ``birth`` (yyyymmdd)."""
    first17 = f"430626{birth}{sequence}"
    return first17 + id_number_check_char(first17)


FATHER_ID = id_number("19780812", "011")
MINOR_ID = id_number("20150601", "031")
PARTY_IDS = (id_number("19650304", "051"), id_number("19700719", "062"))


# -- two homes, each in its own main window -----------------------------------------------------


@dataclass
class Desk:
    """One installation opened as the app opens it: its session and its main window."""

    session: Session
    window: MainWindow
    misled: list[str] = field(default_factory=list)  # what a page showed that was not so

    @property
    def store(self) -> Any:
        return self.session.store

    @property
    def paths(self) -> Any:
        return self.session.paths

    @property
    def profile(self) -> Any:
        return self.window.profile

    @property
    def device_id(self) -> str:
        return str(self.store.device_id())

    def page(self, key: str) -> Any:
        """Click the section in the navigation and return its page."""
        return self.window.show_section(key)

    def count(self, table: str, where: str = "deleted = 0") -> int:
        return int(self.store.conn.execute(
            f"SELECT count(*) FROM {table} WHERE {where}").fetchone()[0])


@dataclass
class Desks:
    """Sets homes up with the command line and opens them in main windows; closes them all."""

    qtbot: Any
    opened: list[Desk] = field(default_factory=list)

    def set_up(self, root: Path, *args: str) -> None:
        """`meixian-desktop --home ROOT setup ARGS…`, as the installer's first run does."""
        assert main(["--home", str(root), "setup", *args]) == 0

    def open(self, root: Path) -> Desk:
        session = open_session(under_home(root))
        profile = profile_store.load(session.store)
        assert profile is not None
        window = MainWindow(session, profile, runner=run_now)
        self.qtbot.addWidget(window)
        window.show()
        desk = Desk(session, window)
        self.opened.append(desk)
        return desk

    def close(self, desk: Desk) -> None:
        """Quit the app: the window closes its editors (each keeps a draft), then the data."""
        desk.window.close()
        desk.session.close()
        self.opened.remove(desk)


@pytest.fixture
def desks(qtbot) -> Iterator[Desks]:
    made = Desks(qtbot)
    yield made
    close_windows()  # while the databases are open: editors keep drafts on close
    for desk in list(made.opened):
        desk.session.close()


@pytest.fixture
def stick(tmp_path: Path) -> Path:
    folder = tmp_path / "U盘"
    folder.mkdir()
    return folder


def set_up_town(desks: Desks, root: Path) -> Desk:
    desks.set_up(root, "--role", "town", "--name", TOWN_NAME)
    return desks.open(root)


# -- the worker's day, typed into the editors -------------------------------------------------


@dataclass
class Day:
    """What a worker recorded: the ids, by table."""

    ids: dict[str, list[str]] = field(default_factory=dict)

    def add(self, table: str, record_id: str | None) -> str:
        assert record_id, table
        self.ids.setdefault(table, []).append(record_id)
        return record_id

    def one(self, table: str) -> str:
        [record_id] = self.ids[table]
        return record_id


def log_river_patrol(worker: Desk, day: Day, photos: Path) -> Any:
    """巡查 → 新建 河道巡查, one finding with a photo, saved; returns the editor (still open)."""
    from meixian_desktop.store import patrols as patrol_store

    page = worker.page("patrol")
    editor = page.list.new_patrol("river")
    editor.patrol_date.setDate(QDate(TODAY))
    editor.start_time.setText("08:30")
    editor.end_time.setText("11:00")
    editor.companions.setText("王强、𠮷祥")
    editor.river_name.setText("汨罗江")
    editor.river_section.setText(RIVER_SECTION)
    editor.route_start.setText("三里港码头")
    finding = editor.finding_editor(None)
    finding.category.setCurrentIndex(finding.category.findData("illegal_fishing"))
    finding.description.setPlainText(FINDING_TEXT)
    finding.place.setText("三里港下游")
    finding.lat.setText("28.71")
    finding.lon.setText("113.60")
    finding.deadline.setText((TODAY + timedelta(days=3)).isoformat())
    photos.mkdir(parents=True, exist_ok=True)
    assert finding.photos.add_files([make_photo(photos / "电鱼.jpg", "#2e7d32")]) == 1
    assert finding.check() == {}
    finding.accept()
    editor.apply_finding(None, finding.raw())
    assert editor.check() == {}
    assert editor.save()
    patrol_id = day.add("patrols", editor.saved_id)
    saved = patrol_store.load_patrol(worker.store, patrol_id)
    [found] = saved.findings
    day.add("findings", found.id)
    [(attachment_id,)] = worker.store.conn.execute(
        "SELECT id FROM attachments WHERE sha256 = ?", (found.photos[0],)).fetchall()
    day.add("attachments", attachment_id)
    return editor


def add_party(editor: Any, name: str, **fields: str) -> None:
    dialog = editor.parties.edit(None)
    assert dialog.isVisible()
    dialog.name.setText(name)
    for key, value in fields.items():
        getattr(dialog, key).setText(value)
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted


def register_and_agree(worker: Desk, day: Day) -> Any:
    """矛盾纠纷 → 登记纠纷 with two parties, accepted, mediated, an agreement signed."""
    page = worker.page("mediation")
    editor = page.new_case()
    editor.category.setCurrentIndex(editor.category.findData("neighbour"))
    editor.summary.setPlainText("两家因排水沟堵塞争执，险些动手")
    add_party(editor, PARTIES[0], id_number=PARTY_IDS[0], phone=WORKER_PHONE)
    add_party(editor, PARTIES[1], id_number=PARTY_IDS[1])
    assert editor.save()
    day.add("cases", editor.saved_id)
    assert editor.move_to("accepted") and editor.move_to("mediating")
    mediator = editor.mediators.edit(None)
    mediator.name.setText("韩德明")
    mediator.accept()
    meeting = editor.meetings.edit(None)
    meeting.place.setText("张韩村村部")
    meeting.present.setText("双方当事人、调解员")
    meeting.meeting_result.setText("达成一致")
    meeting.accept()
    editor.outcome.setCurrentIndex(editor.outcome.findData("agreement"))
    editor.agreement["signed_on"].setText(TODAY.isoformat())
    editor.terms.setPlainText("1. 欧阳建华三日内疏通排水沟\n2. 王秋菊不再堵塞水沟")
    editor.agreement["performance_deadline"].setText((TODAY + timedelta(days=10)).isoformat())
    assert editor.move_to("agreed"), editor.check()
    assert editor.save()
    return editor


def add_member(editor: Any, name: str, id_text: str, relation: str, tags: tuple = ()) -> None:
    dialog = editor.members.edit(None)
    dialog.name.setText(name)
    dialog.id_number.setText(id_text)
    dialog.combos["relation"].setCurrentIndex(dialog.combos["relation"].findData(relation))
    for row in range(dialog.tags.count()):
        item = dialog.tags.item(row)
        if item.data(Qt.ItemDataRole.UserRole) in tags:
            item.setCheckState(Qt.CheckState.Checked)
    assert dialog.check() == {}, dialog.check()
    dialog.accept()


def visit_household(worker: Desk, day: Day) -> Any:
    """走访 → 新建户 (a family with a left-behind child), then 登记走访 today."""
    page = worker.page("visit")
    editor = page.new_household()
    editor.head_name.setText(HEAD)
    editor.address.setText("张韩村第三组𠮷家湾12号")
    editor.phone.setText(WORKER_PHONE)
    add_member(editor, HEAD, FATHER_ID, "head")
    add_member(editor, "王小明", MINOR_ID, "son", tags=("left_behind_child",))
    assert editor.save()
    household_id = day.add("households", editor.saved_id)
    for (member_id,) in worker.store.conn.execute(
            "SELECT id FROM members WHERE household_id = ?", (household_id,)):
        day.add("members", member_id)
    visit = page.new_visit(household_id)
    visit.visit_date.setDate(QDate(TODAY))
    visit.person_met.setText(HEAD)
    visit.health_note.setText("身体健康")
    visit.done_on_spot.setPlainText("帮孩子联系了学校的课后服务")
    assert visit.save()
    day.add("visits", visit.saved_id)
    visit.close()
    return editor


def fill_order(editor: Any) -> None:
    """Type a whole 督促监护令 as a user would."""
    editor.number.setText(ORDER_NUMBER)
    editor.issue_date.setDate(QDate(TODAY))
    editor.guardians.add_row({"name": HEAD, "relation": "父亲", "id_number": FATHER_ID,
                              "address": "张韩村第三组", "phone": WORKER_PHONE})
    editor.minor_name.setText(MINOR_NAME)
    editor.minor_id_number.setText(MINOR_ID)
    for widget, codes in ((editor.facts, {"absent_migrant"}),
                          (editor.legal_basis, {"civil_code_34", "family_education_49"})):
        for row in range(widget.count()):
            item = widget.item(row)
            if item.data(Qt.ItemDataRole.UserRole) in codes:
                item.setCheckState(Qt.CheckState.Checked)
    editor.facts_detail.setPlainText("父母在外务工，孩子常在网吧过夜")
    editor.duties.add_row({"content": "每周与孩子视频通话两次", "measure": "每周"})
    editor.observation_start.setText(TODAY.isoformat())
    editor.observation_end.setText((TODAY + timedelta(days=180)).isoformat())
    editor.contact.setText("张检察官 0730-5201234")


def serve_and_follow_up(worker: Desk, day: Day) -> Any:
    """监护令 → 新建, saved, 送达 recorded, 考察期 started, one 回访 recorded."""
    from meixian_desktop.store import orders as order_store

    page = worker.page("order")
    editor = page.new_order()
    fill_order(editor)
    assert editor.check() == {}
    assert editor.save()
    order_id = day.add("orders", editor.saved_id)
    service = editor.record_service()
    service.place.setText("张韩村村部")
    service.recipient_signed.setChecked(True)
    service.servers.setText("张检察官、李梅")
    service.accept()
    assert service.result() == QDialog.DialogCode.Accepted
    day.add("order_services", service.saved_id)
    assert editor.move_to("observing") and editor.save()
    followup = editor.record_followup()
    followup.method.setCurrentIndex(followup.method.findData("home"))
    followup.person_met.setText(HEAD)
    followup.schooling.setText("按时上学")
    followup.levels[0].setCurrentIndex(followup.levels[0].findData("done"))
    followup.evidence[0].setText("看了通话记录")
    followup.next_date.setText((TODAY + timedelta(days=5)).isoformat())
    followup.accept()
    assert followup.result() == QDialog.DialogCode.Accepted
    day.add("order_followups", followup.saved_id)
    assert order_store.load_order(worker.store, order_id).status == "observing"
    return editor


# -- what the windows show ---------------------------------------------------------------------


def column(model: Any, header: str) -> list[str]:
    """The texts of one column of a list, by its header."""
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    at = headers.index(header)
    return [model.index(r, at).data() for r in range(model.rowCount())]


def flat(text: str) -> str:
    """Text without the spaces and line breaks a PDF's layout puts in."""
    return "".join(text.split())


def pdf_text(path: Path | bytes) -> str:
    """The text of a PDF file, or of one held in memory (the print preview's)."""
    import io

    from pypdf import PdfReader

    source = io.BytesIO(path) if isinstance(path, bytes) else path
    return "".join(page.extract_text() for page in PdfReader(source).pages)


def select_device(page: Any, worker: str) -> None:
    row = next(r for r in range(page.devices.rowCount())
               if page.devices.item(r, 0).text() == worker)
    page.devices.setCurrentCell(row, 0)


def held_by_origin(desk: Desk, origin: str) -> dict[str, list[tuple[str, int]]]:
    """Every record made on ``origin`` that this home holds, tombstones too (a saved case
    replaces its parties' rows): table → sorted (id, deleted)."""
    held = {}
    for table in sendable_tables(desk.store.conn):
        ids = sorted(tuple(r) for r in desk.store.conn.execute(
            f"SELECT id, deleted FROM {table} WHERE origin = ?", (origin,)))
        if ids:
            held[table] = ids
    return held


def refreshable(key: str, page: Any) -> Any:
    """The part of a section's page that has the list (巡查 keeps it in a tab)."""
    return page.list if key == "patrol" else page


def as_seen(desk: Desk, key: str, read: Callable[[Any], T], what: str) -> T:
    """Go to a section and read ``what`` off its page as the user sees it on arriving. A page
    that shows something else than it does once refreshed (a stale page) is noted in
    ``desk.misled``, and the journey goes on with the fresh value, so that it runs whole."""
    page = refreshable(key, desk.page(key))
    seen = read(page)
    page.refresh()
    fresh = read(page)
    if seen != fresh:
        desk.misled.append(f"{desk.profile.name}回到“{key}”页，{what}显示 {seen!r}，"
                           f"刷新后才是 {fresh!r}")
    return fresh


def list_states(worker: Desk) -> dict[str, list[str]]:
    """The 同步 column of each of the worker's record lists, as the worker sees it."""
    return {key: as_seen(worker, key, lambda page: column(page.model, "同步"), "同步列")
            for key in ("patrol", "mediation", "visit", "order")}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_hub(town_root: Path, port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "meixian_desktop.hub", "--home", str(town_root),
         "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def widget_texts(widget: QWidget) -> list[str]:
    """Every row of a QListWidget."""
    return [widget.item(i).text() for i in range(widget.count())]  # type: ignore[attr-defined]
