"""Logging to a rotating file in the log folder; never personal data, only what went wrong."""

from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path

LOG_NAME = "meixian.log"
# The log is not encrypted (a technician reads it): whatever an error message carries of a
# record (a name, an ID or phone number, an address) is masked before it is written.
_NUMBERS = re.compile(r"\d{6,}[\dXx]*")
_CHINESE = re.compile(r"[\u3400-\u9fff\U00020000-\U0003134f]+")


def redact(text: str) -> str:
    """``text`` with long numbers and Chinese words masked (the shape stays readable)."""
    return _CHINESE.sub(lambda m: "□" * len(m.group()), _NUMBERS.sub("######", text))


class Redacting(logging.Formatter):
    """The usual line, traceback included, with personal data masked."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def configure(log_dir: Path) -> Path | None:
    """Send warnings and errors to ``log_dir/meixian.log`` (1 MB × 3); None if not writable."""
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            log_dir / LOG_NAME, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
        return None
    handler.setFormatter(Redacting("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("meixian_desktop")
    root.setLevel(logging.INFO)
    root.addHandler(handler)
    return log_dir / LOG_NAME
