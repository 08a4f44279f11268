"""Unsaved editor contents, kept so that a crash or a closed window never loses typed text."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from meixian_desktop.core import clock
from meixian_desktop.store.database import Store


def now_iso() -> str:
    """To the microsecond, so drafts saved within one second still sort newest first."""
    return clock.now().isoformat(timespec="microseconds")


@dataclass(frozen=True)
class Draft:
    """What an editor held when it was last autosaved."""

    key: str
    kind: str
    title: str
    payload: dict[str, Any]
    saved_at: str


def save(store: Store, key: str, kind: str, title: str, payload: dict[str, Any]) -> None:
    """Write (or overwrite) a draft; committed at once, with synchronous=FULL, so it survives."""
    store.conn.execute(
        "INSERT INTO drafts(key, kind, title, payload, saved_at) VALUES(?, ?, ?, ?, ?) "
        "ON CONFLICT(key) DO UPDATE SET title = excluded.title, payload = excluded.payload, "
        "saved_at = excluded.saved_at",
        (key, kind, title, json.dumps(payload, ensure_ascii=False), now_iso()),
    )


def load(store: Store, key: str) -> Draft | None:
    row = store.conn.execute(
        "SELECT key, kind, title, payload, saved_at FROM drafts WHERE key = ?", (key,)
    ).fetchone()
    return Draft(row[0], row[1], row[2], json.loads(row[3]), row[4]) if row else None


def pending(store: Store, kind: str) -> list[Draft]:
    """Drafts of one kind left by an editor that was not saved, newest first."""
    rows = store.conn.execute(
        "SELECT key, kind, title, payload, saved_at FROM drafts WHERE kind = ? "
        "ORDER BY saved_at DESC",
        (kind,),
    )
    return [Draft(r[0], r[1], r[2], json.loads(r[3]), r[4]) for r in rows]


def discard(store: Store, key: str) -> None:
    store.conn.execute("DELETE FROM drafts WHERE key = ?", (key,))
