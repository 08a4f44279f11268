"""ui/tasks.py: background work keeps its exception; a bug reaches the crash reporter."""

from __future__ import annotations

import logging
import sys

import pytest

from meixian_desktop.logs import configure
from meixian_desktop.store.errors import StorageUnavailable
from meixian_desktop.ui import crash
from meixian_desktop.ui.tasks import UNEXPECTED, run_in_background, run_now


@pytest.fixture
def logged(tmp_path, monkeypatch):
    """The log file, and the crash reporter's hook without its dialog."""
    log_file = configure(tmp_path / "logs")
    reported: list[str] = []
    monkeypatch.setattr(sys, "excepthook", lambda kind, value, tb: reported.append(
        crash.report(kind, value, tb, log_file)))
    yield log_file, reported
    logger = logging.getLogger("meixian_desktop")
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()


def _bug() -> None:
    return {}["x"]  # type: ignore[return-value]


def _refused() -> None:
    raise StorageUnavailable("磁盘已满，无法保存。请腾出空间后再试。")


@pytest.mark.parametrize("runner", [run_now, run_in_background], ids=["now", "background"])
def test_a_bug_is_logged_with_its_traceback_and_told_calmly(qtbot, logged, runner) -> None:
    log_file, reported = logged
    said: list[str] = []
    runner(_bug, lambda _result: None, said.append)
    qtbot.waitUntil(lambda: bool(said), timeout=5000)
    assert said == [UNEXPECTED] and len(reported) == 1
    for handler in logging.getLogger("meixian_desktop").handlers:
        handler.flush()
    text = log_file.read_text("utf-8")
    assert "KeyError" in text and "_bug" in text  # the traceback, for whoever fixes it


@pytest.mark.parametrize("runner", [run_now, run_in_background], ids=["now", "background"])
def test_a_failure_the_user_can_fix_keeps_its_sentence(qtbot, logged, runner) -> None:
    _log_file, reported = logged
    said: list[str] = []
    runner(_refused, lambda _result: None, said.append)
    qtbot.waitUntil(lambda: bool(said), timeout=5000)
    assert said == ["磁盘已满，无法保存。请腾出空间后再试。"] and reported == []
