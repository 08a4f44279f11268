"""Batch printing: the 打印 page's candidate lists and many copies in one PDF."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from meixian_desktop.core.progress import Cancelled, Progress
from meixian_desktop.printing.batch import candidates, print_records
from meixian_desktop.printing.forms import PrintError
from meixian_desktop.store import audit
from meixian_desktop.store.database import Store
from tests.printing.helpers import full_order, minimal_order, pdf_pages, river_patrol
from tests.printing.test_patrol_forms import forest_patrol


def test_candidates_list_only_the_forms_records_in_the_date_range(store: Store) -> None:
    river = river_patrol(store)
    forest = forest_patrol(store)
    order = full_order(store)
    assert [c.id for c in candidates(store, "river_patrol", "2025-03-01", "2025-03-31")] == [river]
    assert [c.id for c in candidates(store, "forest_patrol", "2025-03-01", "2025-03-31")] == [forest]
    assert candidates(store, "river_patrol", "2025-04-01", "2025-04-30") == []
    listed = candidates(store, "supervision_order", "2025-03-01", "2025-03-31")
    assert [c.id for c in listed] == [order]
    assert "小王" in listed[0].text and "王小明" not in listed[0].text  # pseudonym only
    assert listed[0].status == "待送达"


def test_many_copies_in_one_pdf_each_numbered_from_one(store: Store, tmp_path: Path) -> None:
    first, second = full_order(store), minimal_order(store)
    out = tmp_path / "orders.pdf"
    result = print_records(store, "supervision_order", [second, first], out, actor="李梅")
    pages = pdf_pages(out)
    assert result.pages == len(pages) >= 2
    starts = [i for i, text in enumerate(pages) if "督促监护令平检未督" in text]
    assert starts[0] == 0 and len(starts) == 2
    assert "平检未督〔2025〕8号" in pages[0]            # the order asked first prints first
    assert "平检未督〔2025〕7号" in "".join(pages[starts[1]:])
    assert all("—1—" in pages[i] for i in starts)  # page numbers restart with each copy
    actions = [e for e in audit.recent(store) if e.action == "print"]
    assert {e.record_id for e in actions} == {first, second}


def test_progress_reports_and_cancel_writes_nothing(store: Store, tmp_path: Path) -> None:
    ids = [river_patrol(store) for _ in range(3)]
    seen: list[tuple[int, int, str]] = []
    print_records(store, "river_patrol", ids, tmp_path / "a.pdf", actor="李梅",
                  progress=Progress(lambda done, total, text: seen.append((done, total, text))))
    assert ("准备", 3) in {(t, n) for _d, n, t in seen} and ("排版", 3) in {(t, n) for _d, n, t in seen}
    assert max(d for d, _n, t in seen if t == "排版") == 2

    progress = Progress()
    calls = 0

    def cancel_after_two(done: int, total: int, text: str) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            progress.cancel()

    progress._on_step = cancel_after_two  # the dialog's cancel button, pressed mid-way
    before = len(audit.recent(store))
    with pytest.raises(Cancelled):
        print_records(store, "river_patrol", ids, tmp_path / "b.pdf", actor="李梅",
                      progress=progress)
    assert not (tmp_path / "b.pdf").exists()
    assert not list(tmp_path.glob("b.pdf*"))
    assert len(audit.recent(store)) == before


def test_nothing_selected_or_a_missing_record_is_a_message(store: Store, tmp_path: Path) -> None:
    with pytest.raises(PrintError, match="没有选中"):
        print_records(store, "supervision_order", [], tmp_path / "x.pdf", actor="李梅")
    real = minimal_order(store)
    with pytest.raises(PrintError, match="第 2 份"):
        print_records(store, "supervision_order", [real, "no-such-id"], tmp_path / "x.pdf",
                      actor="李梅")
    assert not (tmp_path / "x.pdf").exists()


def test_a_single_copy_still_renders_through_the_same_path(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "one.pdf"
    print_records(store, "river_patrol", [river_patrol(store, findings=40)], out, actor="李梅")
    pages = pdf_pages(out)
    assert len(pages) == len(PdfReader(out).pages) >= 2
    assert [f"—{n + 1}—" in text for n, text in enumerate(pages)] == [True] * len(pages)
