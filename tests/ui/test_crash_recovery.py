"""Killing the app while a patrol is being typed loses nothing: the draft comes back."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from meixian_desktop.store import profile as profile_store
from meixian_desktop.store.session import open_session
from meixian_desktop.ui.pages.patrols import PatrolPage

TYPIST = r"""
import sys, time
from pathlib import Path
from PySide6.QtWidgets import QApplication
from meixian_desktop.paths import under_home
from meixian_desktop.store import drafts, profile
from meixian_desktop.store import settings
from meixian_desktop.store.session import open_session
from meixian_desktop.ui.pages.patrols import PatrolPage

app = QApplication([])
session = open_session(under_home(Path(sys.argv[1])))
with session.store.transaction():
    settings.put(session.store, "autosave_seconds", 2)
page = PatrolPage(session.store, session.paths, profile.load(session.store))
editor = page.list.new_patrol("forest")
for word in ["石塘村", "石塘村杉木林", "石塘村杉木林东坡"]:
    editor.area.setText(word)
    app.processEvents()
editor.notes.setPlainText("发现一处祭祀用火，已劝阻")
while not drafts.pending(session.store, "patrol"):
    app.processEvents()
    time.sleep(0.05)
print("draft saved", flush=True)
editor.notes.setPlainText("发现一处祭祀用火，已劝阻。还在打字")  # the kill comes mid-edit
while True:
    app.processEvents()
    time.sleep(0.05)
"""


def test_killed_while_typing_then_draft_offered_back(qtbot, paths, worker_profile) -> None:
    from meixian_desktop.firstrun import set_up

    with open_session(paths) as session:
        set_up(session.store, paths, worker_profile)
    home = paths.data_dir.parent
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    with subprocess.Popen([sys.executable, "-c", TYPIST, str(home)], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True, env=env,
                          cwd=Path(__file__).resolve().parents[2]) as typist:
        try:
            assert typist.stdout.readline().strip() == "draft saved"
            time.sleep(2.5)  # one more autosave may or may not land before the power goes
        finally:
            typist.send_signal(signal.SIGKILL)
            typist.wait(timeout=30)
    assert typist.returncode == -signal.SIGKILL

    session = open_session(paths)  # the lock died with the process
    try:
        page = PatrolPage(session.store, session.paths, profile_store.load(session.store))
        qtbot.addWidget(page)
        page.show()
        assert "1 份" in page.list.drafts.label.text()
        [editor] = page.list.drafts.restore()
        assert editor.area.text() == "石塘村杉木林东坡"
        assert editor.notes.toPlainText().startswith("发现一处祭祀用火，已劝阻")
        assert editor.dirty
        editor.close()
    finally:
        session.close()
