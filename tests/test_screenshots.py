"""scripts/screenshots.py runs on a fresh home and writes every page and form as a PNG, with a
font that has Chinese (so the pictures show text, not boxes)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_screenshot_script_writes_every_page_and_form(qtbot, tmp_path) -> None:
    from PySide6.QtGui import QFontDatabase, QImage

    chinese = QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
    assert chinese, "no Chinese font: apt-get install fonts-wqy-microhei"
    out = tmp_path / "shots"
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "screenshots.py"), "--out",
                           str(out)], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    names = {p.name for p in out.glob("*.png")}
    assert {"worker-today.png", "worker-sync.png", "town-sync.png", "town-patrol.png",
            "form-supervision_order.png", "form-ledger.png"} <= names
    from meixian_desktop.printing.forms import FORMS

    assert {f"form-{name}.png" for name in FORMS} <= names  # a demo record for every form
    image = QImage(str(out / "worker-today.png"))
    assert (image.width(), image.height()) == (1366, 768)
