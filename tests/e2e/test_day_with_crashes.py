"""The worker's laptop loses power mid-edit and mid-export, and the day still ends with nothing
lost: the draft comes back, no half batch file sits on the stick under a final name, records
are marked exported only once their file is whole, and the town holds each record once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from meixian_desktop.app import main
from meixian_desktop.paths import under_home
from meixian_desktop.store.session import open_session
from meixian_desktop.sync.container import PART_SUFFIX
from meixian_desktop.sync.inbox import REFUSED, import_batch
from meixian_desktop.sync.keys import load_keys
from meixian_desktop.sync.outbox import record_state, waiting_counts
from tests.e2e.conftest import (
    PARTIES,
    PARTY_IDS,
    TOWN_NAME,
    WORKER,
    WORKER_PHONE,
    Day,
    Desks,
    add_party,
    as_seen,
    held_by_origin,
    list_states,
    log_river_patrol,
    select_device,
    widget_texts,
)

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow
SUMMARY = "两家因宅基地边界争执，村里已调解过一次"

# The worker's app in a child process, typing a new dispute into its editor; the power goes
# while the second half of the summary is being typed.
TYPIST = r"""
import sys, time
from pathlib import Path
from PySide6.QtWidgets import QApplication
from meixian_desktop.paths import under_home
from meixian_desktop.store import drafts, profile
from meixian_desktop.store.session import open_session
from meixian_desktop.ui.main_window import MainWindow
from meixian_desktop.ui.tasks import run_now

app = QApplication([])
from meixian_desktop.store import vault
vault.unlock_headless(under_home(Path(sys.argv[1])).data_dir)  # signed in, as the app would be
session = open_session(under_home(Path(sys.argv[1])))
window = MainWindow(session, profile.load(session.store), runner=run_now)
window.show()
editor = window.show_section("mediation").new_case()
editor.autosave.setInterval(100)
editor.category.setCurrentIndex(editor.category.findData("homestead"))
party = editor.parties.edit(None)
party.name.setText(sys.argv[2])
party.id_number.setText(sys.argv[3])
party.accept()
typed = ""
for word in sys.argv[4].split("，"):
    typed = typed + ("，" if typed else "") + word
    editor.summary.setPlainText(typed)
    app.processEvents()
while not any(d.payload.get("summary") == typed for d in drafts.pending(session.store, "case")):
    app.processEvents()
    time.sleep(0.02)
print("draft saved", flush=True)
editor.summary.setPlainText(typed + "。还在打字")  # the power goes mid-edit
while True:
    app.processEvents()
    time.sleep(0.02)
"""

# The worker's app in a child process exporting from its 同步 page, stopped at one point of
# the export (where the power will go): before the file is written, halfway through writing
# it, or once it is renamed into place but before the records are marked as exported.
EXPORTER = r"""
import builtins, os, sys, time, zipfile
from pathlib import Path
from PySide6.QtWidgets import QApplication
from meixian_desktop.paths import under_home
from meixian_desktop.store import profile
from meixian_desktop.store.session import open_session
from meixian_desktop.ui.pages.sync_worker import WorkerSyncPage
from meixian_desktop.ui.tasks import run_now

home, stick, point = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]


def stop_here():
    print("at " + point, flush=True)
    while True:
        time.sleep(1)


if point == "before_write":  # the batch is about to be written
    real_open = builtins.open

    def opening(file, mode="r", *args, **kwargs):
        if str(file).endswith(".mxsync.part") and "w" in mode:
            stop_here()
        return real_open(file, mode, *args, **kwargs)

    builtins.open = opening
elif point == "mid_write":  # manifest and encrypted payload written, signature not yet
    real_writestr = zipfile.ZipFile.writestr

    def writestr(self, info, data, *args, **kwargs):
        real_writestr(self, info, data, *args, **kwargs)
        if getattr(info, "filename", info) == "payload.bin":
            self.fp.flush()
            stop_here()

    zipfile.ZipFile.writestr = writestr
elif point == "after_rename":  # the whole file renamed into place, records not yet marked
    real_replace = os.replace

    def replacing(source, target, *args, **kwargs):
        real_replace(source, target, *args, **kwargs)
        if str(target).endswith(".mxsync"):
            stop_here()

    os.replace = replacing

app = QApplication([])
from meixian_desktop.store import vault
vault.unlock_headless(under_home(home).data_dir)  # signed in, as the app would be
session = open_session(under_home(home))
page = WorkerSyncPage(session.store, session.paths, profile.load(session.store), runner=run_now)
page.export_to(stick)
print("export finished: " + page.message.text(), flush=True)
"""


def killed(tmp_path: Path, script: str, *args: str, expect: str) -> None:
    """Run the app in a child process until it says ``expect``, then pull the plug."""
    errors = tmp_path / f"child-{len(list(tmp_path.glob('child-*')))}.err"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    with errors.open("w") as err, subprocess.Popen(
            [sys.executable, "-c", script, *args], stdout=subprocess.PIPE, stderr=err,
            text=True, env=env, cwd=REPO) as child:
        assert child.stdout is not None
        try:
            said = child.stdout.readline().strip()
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
    assert said == expect, errors.read_text()
    assert child.returncode == -signal.SIGKILL


def batches_on(stick: Path) -> list[Path]:
    return sorted(stick.glob("*.mxsync"))


def parts_on(stick: Path) -> list[Path]:
    return sorted(stick.glob("*" + PART_SUFFIX))


def worker_rows(root: Path) -> tuple[dict, dict, int]:
    """Reopened after the power came back: records by table, waiting counts, batches made."""
    with open_session(under_home(root)) as session:
        store = session.store
        device = store.device_id()
        rows = {}
        for table, in store.conn.execute("SELECT name FROM record_kinds"):
            ids = [r[0] for r in store.conn.execute(
                f"SELECT id FROM {table} WHERE origin = ?", (device,))]
            if ids:
                rows[table] = {i: record_state(store, table, i) for i in ids}
        batches = store.conn.execute("SELECT count(*) FROM sync_batches").fetchone()[0]
        return rows, waiting_counts(store), int(batches)


def test_power_cuts_mid_edit_and_mid_export_lose_nothing(
        qtbot, desks: Desks, stick: Path, tmp_path: Path, capsys) -> None:
    town_root, worker_root = tmp_path / "town", tmp_path / "worker"
    desks.set_up(town_root, "--role", "town", "--name", TOWN_NAME)
    assert main(["--home", str(town_root), "town-package", "export", "--to", str(stick)]) == 0
    [package] = stick.glob("*.mxref")
    desks.set_up(worker_root, "--role", "worker", "--name", WORKER, "--phone", WORKER_PHONE,
                 "--villages", "张韩村,三里村", "--town-package", str(package),
                 "--town-fingerprint", load_keys(under_home(town_root).keys_dir).fingerprint)
    capsys.readouterr()

    # Killed while typing a new dispute: the next start offers the draft back.
    killed(tmp_path, TYPIST, str(worker_root), PARTIES[0], PARTY_IDS[0], SUMMARY,
           expect="draft saved")
    worker = desks.open(worker_root)
    cases = worker.page("mediation")
    assert cases.drafts.isVisibleTo(cases) and "1 份" in cases.drafts.label.text()
    [editor] = cases.drafts.restore()
    assert editor.summary.toPlainText().startswith(SUMMARY) and editor.dirty
    assert editor.category.currentData() == "homestead"
    assert [row["name"] for row in editor.parties.model.rows] == [PARTIES[0]]
    editor.summary.setPlainText(SUMMARY)
    add_party(editor, PARTIES[1], id_number=PARTY_IDS[1])
    assert editor.save()
    day = Day()
    day.add("cases", editor.saved_id)
    editor.close()
    assert not cases.drafts.isVisibleTo(cases)
    log_river_patrol(worker, day, tmp_path / "相机").close()
    made = held_by_origin(worker, worker.device_id)
    desks.close(worker)  # the laptop goes to sleep; the export runs in the next session

    # Killed at three points of an export to the stick: each time, on the next start, every
    # record is still waiting to be sent and none is marked as exported.
    before, _waiting, _batches = worker_rows(worker_root)
    assert set(before) >= {"cases", "case_parties", "patrols", "findings", "attachments"}
    on_stick = {"before_write": (0, 0), "mid_write": (0, 1), "after_rename": (1, 1)}
    for point, (whole_files, half_files) in on_stick.items():
        killed(tmp_path, EXPORTER, str(worker_root), str(stick), point, expect=f"at {point}")
        rows, waiting, batches = worker_rows(worker_root)
        assert rows.keys() == before.keys() and batches == 0, point
        assert all(state == "pending" for table in rows.values() for state in table.values())
        assert sum(waiting.values()) == sum(len(ids) for ids in made.values())
        assert (len(batches_on(stick)), len(parts_on(stick))) == (whole_files, half_files), point
    [half] = parts_on(stick)  # cut off halfway: never under a batch's name
    [whole] = batches_on(stick)  # whole and in place, but the laptop never knew

    # The half file is refused whole and leaves nothing at the town.
    with open_session(under_home(town_root)) as session:
        keys = load_keys(session.paths.keys_dir)
        refused = import_batch(session.store, keys, half, session.paths.held_batches_dir,
                               session.paths.attachments_dir)
        assert refused.status == REFUSED and refused.message
        assert session.store.conn.execute("SELECT count(*) FROM devices").fetchone()[0] == 0
        assert session.store.conn.execute("SELECT count(*) FROM patrols").fetchone()[0] == 0

    # Back at work: the 同步 page still has everything to send; a new export goes.
    worker = desks.open(worker_root)
    assert list_states(worker) == {"patrol": ["待同步"], "mediation": ["待同步"], "visit": [],
                                   "order": []}
    waiting = as_seen(worker, "sync", lambda page: page.waiting.text(), "要交给镇里的记录")
    records = sum(len(ids) for ids in made.values())
    assert f"待同步 {records} 条" in waiting
    worker_sync = worker.page("sync")
    worker_sync.export_to(stick)
    assert f"已导出 {records} 条记录、1 张照片" in worker_sync.message.text()
    again = next(p for p in batches_on(stick) if p != whole)

    # The town takes the whole stick: the leftover whole file and the new one, once each.
    town = desks.open(town_root)
    town_sync = town.page("sync")
    town_sync.batches_chosen([stick])
    select_device(town_sync, WORKER)
    town_sync.approve_button.click()
    lines = widget_texts(town_sync.results)
    imported = [line for line in lines if "已导入" in line]
    assert len(imported) == 2, lines
    assert sum(f"导入 {records}，重复 0" in line for line in imported) == 1
    assert sum(f"导入 0，重复 {records}" in line for line in imported) == 1
    assert not any(half.name in line for line in lines)  # a half file is not even looked at
    assert held_by_origin(town, worker.device_id) == made  # each record exactly once
    assert town.count("cases") == 1 and town.count("patrols") == 1
    assert len(list(stick.glob("*.mxack"))) == 2

    # The receipts come back: every record 已确认.
    worker_sync.receipts_chosen([stick])
    assert list_states(worker) == {"patrol": ["已确认"], "mediation": ["已确认"], "visit": [],
                                   "order": []}
    assert waiting_counts(worker.store) == {}
    assert all(record_state(worker.store, table, record_id) == "acknowledged"
               for table, ids in made.items() for record_id, _deleted in ids)
    answers = widget_texts(worker_sync.results)
    assert any(f"镇里已确认 {records} 条记录" in line and again.stem[-6:] in line
               for line in answers), answers
    if "#b00020" in worker_sync.message.styleSheet():  # red: the worker is told something failed
        worker.misled += [f"导入回执时：{line}" for line in answers
                          if ".mxack" in line and "镇里已确认" not in line]

    # Checked last, so that the journey runs whole: no page showed what was no longer so.
    misled = worker.misled + town.misled
    assert not misled, "\n".join(misled)
