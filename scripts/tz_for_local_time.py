"""Print a POSIX TZ value under which the local time now reads HH:MM (CI runs the suite at two).

    TZ=$(python scripts/tz_for_local_time.py 00:20) pytest
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime


def tz_for(target: str, utc_now: datetime) -> str:
    """A TZ string (POSIX sign: local = UTC - offset) whose local time is ``target`` now."""
    hours, minutes = (int(part) for part in target.split(":"))
    now_minutes = utc_now.hour * 60 + utc_now.minute
    east = (hours * 60 + minutes - now_minutes) % (24 * 60)  # minutes east of UTC
    if east > 12 * 60:
        east -= 24 * 60
    west = -east
    sign = "-" if west < 0 else "+"
    return f"LOC{sign}{abs(west) // 60:02d}:{abs(west) % 60:02d}"


if __name__ == "__main__":
    print(tz_for(sys.argv[1], datetime.now(UTC)))
