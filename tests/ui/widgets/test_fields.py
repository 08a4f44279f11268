"""FieldForm drives an editor's loop: every kind of field loads, reads back and signals."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox

from meixian_desktop.core.categories import Category
from meixian_desktop.ui.widgets.fields import (
    FieldForm,
    check_list,
    checked_codes,
    date_box,
    line,
    set_combo_code,
    text_area,
)
from meixian_desktop.ui.widgets.fields import category_combo as combo
from meixian_desktop.ui.widgets.row_table import RowTable

CHOICES = [("a", "甲"), ("b", "乙"), ("c", "丙")]


def form(qtbot, *, chosen_first: bool = True) -> FieldForm:
    f = FieldForm()
    qtbot.addWidget(f)
    f.add("name", "姓名", line())
    f.add("notes", "说明", text_area())
    f.add("kind", "类别", combo([Category("x", "某"), Category("y", "另")], blank="（请选择）"))
    f.add("tags", "标签", check_list(CHOICES, chosen_first=chosen_first))
    f.add("day", "日期", date_box())
    f.add("done", "已办", QCheckBox())
    f.add("rows", "明细", RowTable([("item", "事项")], "添加", blank_rows=False))
    f.add("agreement.terms", "条款", text_area())
    f.add("agreement.copies", "份数", line())
    return f


RAW = {"name": "王建国", "notes": "两行\n说明", "kind": "y", "tags": ["c", "a"],
       "day": "2026-03-05", "done": True, "rows": [{"item": "体检"}],
       "agreement": {"terms": "一次付清", "copies": "3"}}


def test_values_read_back_what_set_values_loaded(qtbot) -> None:
    f = form(qtbot)
    f.set_values(RAW)
    got = f.values()
    assert {**got, "tags": sorted(got["tags"])} == {**RAW, "tags": ["a", "c"]}
    skipped = (key for key in ("agreement.terms", "agreement.copies", "rows"))  # once only
    assert f.values(skip=skipped) == {
        key: value for key, value in got.items() if key not in ("agreement", "rows")}


def test_missing_values_clear_the_fields(qtbot) -> None:
    f = form(qtbot)
    f.set_values(RAW)
    f.set_values({})
    got = f.values()
    assert (got["name"], got["notes"], got["kind"], got["tags"], got["done"], got["rows"]) == (
        "", "", "", [], False, [])
    assert got["agreement"] == {"terms": "", "copies": ""}


def test_chosen_first_moves_ticked_choices_into_sight_only_when_asked(qtbot) -> None:
    moving, keeping = form(qtbot), form(qtbot, chosen_first=False)
    for f in (moving, keeping):
        f.set_values({"tags": ["c"]})
    moved, kept = moving.fields["tags"], keeping.fields["tags"]
    assert [moved.item(row).text() for row in range(3)] == ["丙", "甲", "乙"]
    assert [kept.item(row).text() for row in range(3)] == ["甲", "乙", "丙"]
    assert checked_codes(moved) == checked_codes(kept) == ["c"]


def test_every_field_signals_a_change(qtbot) -> None:
    f = form(qtbot)
    seen: list[str] = []
    for key, signal in zip(f.fields, f.changes(), strict=True):
        signal.connect(lambda *_args, k=key: seen.append(k))
    f.fields["name"].setText("李")
    f.fields["notes"].setPlainText("变")
    set_combo_code(f.fields["kind"], "x")
    f.fields["tags"].item(1).setCheckState(f.fields["tags"].item(1).checkState().Checked)
    f.fields["day"].setDate(f.fields["day"].date().addDays(1))
    f.fields["done"].setChecked(True)
    f.fields["rows"].set_cell(f.fields["rows"].add_row(), "item", "新")
    f.fields["agreement.terms"].setPlainText("新条款")
    f.fields["agreement.copies"].setText("2")
    assert sorted(set(seen)) == sorted(f.fields)
