"""An unexpected error in the GUI: log it, tell the user calmly, keep the window open."""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox

log = logging.getLogger("meixian_desktop.crash")


def report(kind: type[BaseException], value: BaseException, tb: TracebackType | None,
           log_file: Path | None) -> str:
    """Log the error and return the text shown to the user."""
    details = "".join(traceback.format_exception(kind, value, tb))
    log.error("unexpected error\n%s", details)
    where = f"详细情况已记在 {log_file}。" if log_file else ""
    return (
        "程序遇到了一个意外的问题，刚才的操作可能没有完成。已经保存的数据不受影响。"
        f"{where}请把这个文件交给镇里技术人员。"
    )


def install(log_file: Path | None) -> None:
    """Replace sys.excepthook so an error in a slot shows a message instead of vanishing."""

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        message = report(kind, value, tb, log_file)
        if QApplication.instance() is not None:
            box = QMessageBox(QMessageBox.Icon.Critical, "梅仙网格通", message)
            box.setDetailedText("".join(traceback.format_exception(kind, value, tb)))
            box.exec()
        else:
            print(message, file=sys.stderr)

    sys.excepthook = hook
