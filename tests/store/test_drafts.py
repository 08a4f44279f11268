"""Drafts: what an editor held, kept across a crash; newest first; discarded once saved."""

from __future__ import annotations

from datetime import date

import pytest

from meixian_desktop.core.patrols import parse_patrol, patrol_to_raw
from meixian_desktop.store import drafts
from meixian_desktop.store.database import Store

PAYLOAD = {
    "kind": "forest", "leader": "𠮷祥", "companions": "张三、李四", "notes": "第一行\n第二行",
    "findings": [{"description": "烧纸钱 🔥", "photos": []}], "distance_km": "6.5",
    "nested": {"list": [1, 2.5, None, True], "empty": {}},
}


@pytest.fixture
def clock(monkeypatch) -> list[str]:
    """Each save gets the next second, so the order of saves is the order of times."""
    times = [f"2025-03-05T08:00:{n:02d}+08:00" for n in range(60)]
    handed: list[str] = []

    def now() -> str:
        handed.append(times[len(handed)])
        return handed[-1]

    monkeypatch.setattr(drafts, "now_iso", now)
    return handed


def test_save_and_load(store) -> None:
    drafts.save(store, "patrol:new:1", "patrol", "森林防火巡查（未保存）", PAYLOAD)
    draft = drafts.load(store, "patrol:new:1")
    assert draft is not None
    assert (draft.key, draft.kind, draft.title) == ("patrol:new:1", "patrol", "森林防火巡查（未保存）")
    assert draft.payload == PAYLOAD
    assert draft.saved_at[-6] in "+-"
    assert drafts.load(store, "patrol:new:2") is None


def test_saving_is_committed_at_once(store) -> None:
    drafts.save(store, "k", "patrol", "t", PAYLOAD)
    assert not store.conn.in_transaction


def test_overwrite_keeps_one_draft(store, clock) -> None:
    drafts.save(store, "k", "patrol", "第一稿", {"notes": "一"})
    drafts.save(store, "k", "patrol", "第二稿", {"notes": "二"})
    draft = drafts.load(store, "k")
    assert draft.title == "第二稿" and draft.payload == {"notes": "二"}
    assert draft.saved_at == clock[1]
    assert store.conn.execute("SELECT count(*) FROM drafts").fetchone()[0] == 1


def test_pending_is_newest_first_and_by_kind(store, clock) -> None:
    drafts.save(store, "a", "patrol", "甲", {})
    drafts.save(store, "b", "patrol", "乙", {})
    drafts.save(store, "x", "case", "调解", {})
    drafts.save(store, "c", "patrol", "丙", {})
    assert [d.key for d in drafts.pending(store, "patrol")] == ["c", "b", "a"]
    drafts.save(store, "a", "patrol", "甲改", {"n": 1})  # overwriting moves it to the top
    pending = drafts.pending(store, "patrol")
    assert [d.key for d in pending] == ["a", "c", "b"]
    assert pending[0].title == "甲改" and pending[0].payload == {"n": 1}
    assert [d.key for d in drafts.pending(store, "case")] == ["x"]
    assert drafts.pending(store, "visit") == []


def test_pending_is_newest_first_when_saved_within_one_second(store) -> None:
    # Autosave of two editors can happen in the same second; saved_at has whole seconds
    # and pending() has no tie-breaker, so the newest draft must still come first.
    for key in ("a", "b", "c"):
        drafts.save(store, key, "patrol", key, {})
    assert [d.key for d in drafts.pending(store, "patrol")] == ["c", "b", "a"]


def test_discard(store) -> None:
    drafts.save(store, "a", "patrol", "甲", {})
    drafts.save(store, "b", "patrol", "乙", {})
    drafts.discard(store, "a")
    drafts.discard(store, "no-such-key")
    assert drafts.load(store, "a") is None
    assert [d.key for d in drafts.pending(store, "patrol")] == ["b"]


def test_a_patrol_form_survives_a_reopen_from_disk(session) -> None:
    raw = {"kind": "farmland", "patrol_date": "2025-03-05", "leader": "𠮷大妹",
           "village_ids": ["v1"], "plot_number": "图斑𠮷-0012", "notes": "𠮷" * 100,
           "findings": [{"category": "abandonment", "description": "𠮷家撂荒", "area_mu": "1.5"}]}
    payload = patrol_to_raw(parse_patrol(raw, today=date(2025, 3, 10)))
    drafts.save(session.store, "patrol:new:𠮷", "patrol", "耕地保护巡查 𠮷", payload)
    session.store.close()
    reopened = Store.open(session.paths.database)
    session.store = reopened  # the fixture closes it
    draft = drafts.load(reopened, "patrol:new:𠮷")
    assert draft is not None
    assert draft.title == "耕地保护巡查 𠮷"
    assert draft.payload == payload
    assert parse_patrol(draft.payload, today=date(2025, 3, 10)) == parse_patrol(
        raw, today=date(2025, 3, 10))
    stored = reopened.conn.execute("SELECT payload FROM drafts").fetchone()[0]
    assert "𠮷" in stored  # kept as text, not as \\ud842 escapes
    assert [d.key for d in drafts.pending(reopened, "patrol")] == ["patrol:new:𠮷"]
