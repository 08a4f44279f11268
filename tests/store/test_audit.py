"""The audit log records who did what to which record."""

from __future__ import annotations

import pytest

from meixian_desktop.store import audit


def test_setup_is_audited_and_entries_read_back_newest_first(store) -> None:
    with store.transaction():
        audit.record(store, "李梅", "print", table="villages", record_id="v1", detail="测试")
    entries = audit.recent(store)
    assert entries[0].action == "print" and entries[0].record_id == "v1"
    assert entries[-1].action == "setup" and entries[-1].actor == "李梅"


def test_unknown_action_is_a_bug(store) -> None:
    with pytest.raises(ValueError):
        audit.record(store, "李梅", "steal")
