"""The record list model reads windows of rows from both ends and agrees with a full query."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from meixian_desktop.store import villages
from meixian_desktop.ui.models import records as record_models
from meixian_desktop.ui.models.records import reverse_order
from meixian_desktop.ui.models.villages import GroupTableModel


def full_order(store, model) -> list[str]:
    return [r[0] for r in store.conn.execute(
        f"SELECT t.id FROM village_groups t WHERE {model._where} ORDER BY {model._order}",
        model._params)]


@pytest.mark.parametrize("filtered", [True, False])
def test_windows_from_both_ends_match_the_full_order(qtmodeltester, store, monkeypatch,
                                                     filtered) -> None:
    """Filtered lists read their rows' positions once; the whole table is read in windows
    from the nearer end. Both must give the full query's order."""
    monkeypatch.setattr(record_models, "BLOCK", 7)  # many windows from a modest list
    village = villages.list_villages(store)[0]
    with store.transaction() as tx:
        for number in range(60):
            villages.add_group(tx, village.id, f"{number % 9}号组{number:02d}")
    model = GroupTableModel(store)
    if filtered:
        model.show_village(village.id)
    else:
        model.set_filter("", [])
    assert model.rowCount() == 60
    assert [model.record_id(r) for r in range(59, -1, -1)][::-1] == full_order(store, model)
    model.sort(0, Qt.SortOrder.DescendingOrder)
    expected = full_order(store, model)
    assert [model.record_id(r) for r in (59, 0, 31, 30, 58)] == [
        expected[59], expected[0], expected[31], expected[30], expected[58]]
    assert model.index(59, 0).data() == min(g.name for g in villages.list_groups(store,
                                                                                  village.id))
    qtmodeltester.check(model)


def test_reverse_order() -> None:
    assert reverse_order("t.a DESC, t.b") == "t.a ASC, t.b DESC"
    assert reverse_order("t.next_visit_due, t.rowid") == "t.next_visit_due DESC, t.rowid DESC"
