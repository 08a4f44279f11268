"""An unexpected error is logged to the log file with a calm sentence for the user."""

from __future__ import annotations

import logging
import sys

from meixian_desktop.logs import configure
from meixian_desktop.ui.crash import report


def test_error_is_logged_and_explained(tmp_path) -> None:
    log_file = configure(tmp_path / "logs")
    try:
        raise ZeroDivisionError("division by zero in a slot")
    except ZeroDivisionError:
        message = report(*sys.exc_info(), log_file)
    for handler in logging.getLogger("meixian_desktop").handlers:
        handler.flush()
    assert "已经保存的数据不受影响" in message and str(log_file) in message
    assert "ZeroDivisionError: division by zero in a slot" in log_file.read_text("utf-8")
    logger = logging.getLogger("meixian_desktop")
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
