"""Trigram search for 3+ characters, LIKE for 1–2, over live records only."""

from __future__ import annotations

import pytest

from meixian_desktop.store import records
from meixian_desktop.store.search import search_ids
from meixian_desktop.store.villages import list_villages


@pytest.fixture
def groups(store) -> dict[str, str]:
    village_id = list_villages(store)[0].id
    names = ["王家塅组", "李家冲组", "王家湾组", "𠮷祥组", "100%组"]
    with store.transaction() as tx:
        return {n: records.insert(tx, "village_groups", {"village_id": village_id, "name": n})
                for n in names}


def test_three_or_more_characters_use_the_trigram_index(store, groups) -> None:
    assert set(search_ids(store, "village_groups", "王家塅")) == {groups["王家塅组"]}
    assert set(search_ids(store, "village_groups", "家湾组")) == {groups["王家湾组"]}


def test_one_or_two_characters_still_match(store, groups) -> None:
    assert set(search_ids(store, "village_groups", "王家")) == {
        groups["王家塅组"], groups["王家湾组"]}
    assert set(search_ids(store, "village_groups", "冲")) == {groups["李家冲组"]}


def test_words_combine_with_and(store, groups) -> None:
    assert search_ids(store, "village_groups", "王 湾") == [groups["王家湾组"]]


def test_rare_characters_and_wildcards_are_literal(store, groups) -> None:
    assert search_ids(store, "village_groups", "𠮷祥") == [groups["𠮷祥组"]]
    assert search_ids(store, "village_groups", "0%") == [groups["100%组"]]
    assert search_ids(store, "village_groups", '"') == []


def test_tombstoned_and_edited_records(store, groups) -> None:
    with store.transaction() as tx:
        records.tombstone(tx, "village_groups", groups["王家塅组"])
        records.update(tx, "village_groups", groups["李家冲组"], {"name": "新屋场组"})
    assert search_ids(store, "village_groups", "王家塅") == []
    assert search_ids(store, "village_groups", "李家冲") == []
    assert search_ids(store, "village_groups", "新屋场") == [groups["李家冲组"]]


def test_blank_query_finds_nothing(store, groups) -> None:
    assert search_ids(store, "village_groups", "   ") == []
