"""The installation's profile (role, worker or office, villages) kept in the meta table."""

from __future__ import annotations

import json

from meixian_desktop.core.profile import Profile
from meixian_desktop.store.database import Store


def load(store: Store) -> Profile | None:
    """The profile saved at first-run set-up, or None before set-up."""
    raw = store.meta("profile")
    if not raw:
        return None
    data = json.loads(raw)
    data["villages"] = tuple(data.get("villages", ()))
    return Profile(**data)


def save(store: Store, profile: Profile) -> None:
    data = {
        "role": profile.role,
        "name": profile.name,
        "phone": profile.phone,
        "villages": list(profile.villages),
        "town_name": profile.town_name,
    }
    store.set_meta("profile", json.dumps(data, ensure_ascii=False))
