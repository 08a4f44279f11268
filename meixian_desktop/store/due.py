"""今日待办: what is due or overdue, gathered from every record kind that registers a source."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from meixian_desktop.core.profile import Profile
from meixian_desktop.store.database import Store


@dataclass(frozen=True)
class DueItem:
    """One thing to do: which record, what, by when; ``urgent`` lifts it above date order."""

    table: str
    record_id: str
    kind_label: str
    title: str
    due: date
    urgent: bool = False

    def days_left(self, today: date) -> int:
        return (self.due - today).days

    def overdue(self, today: date) -> bool:
        return self.due < today


# A source returns the items due within ``horizon`` days (overdue ones included) for the
# profile: its own villages for a worker, the whole town for the town role.
DueSource = Callable[[Store, Profile, date, int], list[DueItem]]


def default_sources() -> list[DueSource]:
    """Every record kind's source of due items; each new kind adds its own here."""
    from meixian_desktop.store import households, mediation, orders, patrols

    return [patrols.findings_due, households.visits_due, orders.orders_due,
            mediation.cases_due]


def due_items(
    store: Store, profile: Profile, today: date, *, horizon: int = 7,
    sources: list[DueSource] | None = None,
) -> list[DueItem]:
    """Everything due this week or overdue, most urgent first."""
    chosen = default_sources() if sources is None else sources
    items = [item for source in chosen for item in source(store, profile, today, horizon)]
    return sorted(items, key=lambda i: (not i.urgent, not i.overdue(today), i.due, i.title))
