"""One line of a record's timeline (an order's, a case's): when, what kind, what."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened to a record; ``at`` is an ISO date or date-time."""

    at: str
    kind: str
    title: str
    detail: str = ""
