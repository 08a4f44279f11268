"""Logging to a rotating file in the log folder; never personal data, only what went wrong."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

LOG_NAME = "meixian.log"


def configure(log_dir: Path) -> Path | None:
    """Send warnings and errors to ``log_dir/meixian.log`` (1 MB × 3); None if not writable."""
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            log_dir / LOG_NAME, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("meixian_desktop")
    root.setLevel(logging.INFO)
    root.addHandler(handler)
    return log_dir / LOG_NAME
