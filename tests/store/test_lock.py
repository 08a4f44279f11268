"""Only one running instance may write a data folder."""

from __future__ import annotations

import subprocess
import sys

import pytest

from meixian_desktop.store.errors import AlreadyRunning
from meixian_desktop.store.session import open_session


def test_second_writer_in_process_gets_a_clear_message(session) -> None:
    with pytest.raises(AlreadyRunning) as caught:
        open_session(session.paths)
    assert "已经在使用" in caught.value.message
    assert str(session.paths.data_dir) in caught.value.message


def test_second_process_is_refused_then_allowed_after_close(session) -> None:
    home = session.paths.data_dir.parent
    command = [sys.executable, "-m", "meixian_desktop", "--home", str(home), "demo"]
    refused = subprocess.run(command, capture_output=True, text=True, encoding="utf-8",
                             timeout=60)
    assert refused.returncode == 1
    assert "已经在使用" in refused.stderr
    session.close()
    allowed = subprocess.run(command, capture_output=True, text=True, encoding="utf-8",
                             timeout=60)
    assert allowed.returncode == 0, allowed.stderr


def test_readers_are_not_blocked_by_the_writer(session) -> None:
    with open_session(session.paths, readonly=True) as reader:
        assert reader.store.meta("device_id") == session.store.device_id()
