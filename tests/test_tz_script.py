"""scripts/tz_for_local_time.py: the TZ under which CI's local time reads 00:20 or 23:40."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"
sys.path.insert(0, str(SCRIPTS))
from tz_for_local_time import tz_for  # noqa: E402


@pytest.mark.parametrize("utc", ["2026-12-06T02:47", "2026-12-06T13:05", "2026-12-06T23:59",
                                 "2026-12-06T00:00"])
@pytest.mark.parametrize("wanted", ["00:20", "23:40", "12:00"])
def test_the_local_time_under_that_tz_reads_as_wanted(utc: str, wanted: str) -> None:
    now = datetime.fromisoformat(utc).replace(tzinfo=UTC)
    text = tz_for(wanted, now)
    sign, hours, minutes = text[3], int(text[4:6]), int(text[7:9])
    west = (hours * 60 + minutes) * (1 if sign == "+" else -1)  # POSIX: local = UTC - west
    assert abs(west) <= 12 * 60
    local = (now.hour * 60 + now.minute - west) % (24 * 60)
    assert f"{local // 60:02d}:{local % 60:02d}" == wanted


def test_the_c_library_reads_it_so() -> None:
    zone = subprocess.run([sys.executable, str(SCRIPTS / "tz_for_local_time.py"), "23:40"],
                          capture_output=True, text=True, check=True).stdout.strip()
    shown = subprocess.run([sys.executable, "-c",
                            "import datetime; print(datetime.datetime.now().strftime('%H:%M'))"],
                           capture_output=True, text=True, check=True,
                           env={**os.environ, "TZ": zone}).stdout.strip()
    assert shown in ("23:40", "23:41")
