"""The renderer's typography: Chinese punctuation never begins a line."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from meixian_desktop.printing.fonts import find_fonts
from meixian_desktop.printing.render import CANNOT_START_LINE, render
from meixian_desktop.printing.templates import Template, read_template


def _template(folder: Path, text: str) -> Template:
    path = folder / "note.toml"
    path.write_text(f'title = "说明"\n[[blocks]]\ntype = "paragraph"\ntext = "{text}"\n',
                    encoding="utf-8")
    return read_template("note", path)


@pytest.mark.parametrize("mark", list("，；：？！”"))
def test_no_line_starts_with_punctuation(mark: str, tmp_path: Path) -> None:
    fonts = find_fonts(None)
    starts: list[str] = []
    for lead in range(14, 40):  # push the mark across every position at a line's end
        text = "甲" * lead + mark + "乙" * 60 + mark + "丙" * 30
        out = BytesIO()
        render(_template(tmp_path, text), {}, fonts, out)
        lines = (PdfReader(BytesIO(out.getvalue())).pages[0].extract_text() or "").split("\n")
        starts += [line.strip()[0] for line in lines[1:] if line.strip()]
    assert mark in CANNOT_START_LINE
    assert mark not in starts and {"乙", "丙"} & set(starts)  # lines did wrap


def test_a_cell_longer_than_a_page_continues_on_the_next(store, tmp_path: Path) -> None:
    import re
    from datetime import date

    from meixian_desktop.core.patrols import Patrol
    from meixian_desktop.printing.forms import print_record
    from meixian_desktop.store import patrols as patrol_store
    from tests.printing.helpers import pdf_text, village_id

    notes = "".join(f"第{i:03d}句话。" for i in range(600))  # several pages in one cell
    with store.transaction() as tx:
        patrol_id = patrol_store.save_patrol(tx, Patrol(
            "river", date(2025, 3, 5), "李梅", (village_id(store),), notes=notes))
    out = tmp_path / "long.pdf"
    result = print_record(store, "river_patrol", patrol_id, out, actor="李梅")
    # page numbers, and the label repeated on the continued row, can fall mid-sentence
    text = re.sub(r"—\d+—|备注", "", pdf_text(out))
    assert result.pages >= 4
    assert {int(n) for n in re.findall(r"第(\d{3})句", text)} == set(range(600))
