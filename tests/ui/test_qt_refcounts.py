"""The Qt binding keeps Python's reference counts: a broken release (PySide6 6.12.0 on Python
3.11) dropped a reference to None on every call of a method returning nothing, and the app died
("deallocating None") after a few thousand calls. pyproject.toml excludes it; this proves it."""

from __future__ import annotations

import sys


def test_calls_returning_nothing_or_a_bool_keep_none_true_and_false(qtbot) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QCheckBox, QLabel

    label, timer, box = QLabel(), QTimer(), QCheckBox()
    qtbot.addWidget(label)
    qtbot.addWidget(box)
    before = [sys.getrefcount(v) for v in (None, True, False)]
    for _ in range(2000):
        label.setText("梅仙")
        timer.setSingleShot(True)
        box.setChecked(not box.isChecked())
        label.isVisible()
    after = [sys.getrefcount(v) for v in (None, True, False)]
    changes = [a - b for a, b in zip(after, before, strict=True)]
    assert all(abs(change) < 50 for change in changes), changes  # the bug: -2000 or worse
