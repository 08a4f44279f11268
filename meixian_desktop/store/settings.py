"""Reading and writing the declared settings (core/settings.py) in the database."""

from __future__ import annotations

import json
from typing import Any

from meixian_desktop.core.settings import BY_KEY
from meixian_desktop.store.database import Store


def get(store: Store, key: str) -> Any:
    """The value of a declared setting, or its default when never set."""
    setting = BY_KEY[key]
    row = store.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    if row is None:
        return setting.default
    return setting.parse(json.loads(row[0]))


def put(store: Store, key: str, value: Any) -> Any:
    """Validate and save a setting; returns the stored value."""
    parsed = BY_KEY[key].parse(value)
    store.conn.execute(
        "INSERT INTO settings(key, value) VALUES(?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, json.dumps(parsed, ensure_ascii=False)),
    )
    return parsed


def all_values(store: Store) -> dict[str, Any]:
    return {key: get(store, key) for key in BY_KEY}
