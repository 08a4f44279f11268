"""Helpers for UI tests: real image files made with Qt, a window on a set-up session."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QColor, QImage


def make_photo(path: Path, color: str = "#2e7d32", size: int = 64) -> Path:
    """A real PNG (or JPEG, by suffix) file, as a phone would give."""
    image = QImage(size, size, QImage.Format.Format_RGB32)
    image.fill(QColor(color))
    assert image.save(str(path)), path
    return path
