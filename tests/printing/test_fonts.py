"""Fonts: machine fonts found, non-fonts refused clearly, missing characters handled."""

from __future__ import annotations

from pathlib import Path

import pytest

from meixian_desktop.printing.fonts import CID_FONT, FontFileError, find_fonts, load_font
from meixian_desktop.printing.forms import print_record
from tests.printing.helpers import full_order, pdf_text, river_patrol

WQY = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")


def test_a_file_that_is_not_a_font_gets_a_clear_message(tmp_path) -> None:
    fake = tmp_path / "simfang.ttf"
    fake.write_bytes(b"this is not a font at all" * 40)
    with pytest.raises(FontFileError, match="不是可用的 TrueType 字体文件"):
        find_fonts(fake)
    with pytest.raises(FontFileError, match="找不到字体文件"):
        load_font(tmp_path / "none.ttf")


def test_no_machine_font_falls_back_to_the_cid_font_with_a_warning(tmp_path) -> None:
    fonts = find_fonts(dirs=[tmp_path])
    assert fonts.body.name == CID_FONT and not fonts.body.embedded
    assert fonts.warnings and "STSong-Light" in fonts.warnings[0]


def test_configured_font_comes_first_and_is_embedded() -> None:
    # .ci/run installs fonts-wqy-microhei; the README names it as a test requirement.
    assert WQY.exists(), f"{WQY} is missing: apt-get install fonts-wqy-microhei"
    fonts = find_fonts(WQY, dirs=[])
    assert fonts.body.path == WQY and fonts.body.embedded and fonts.warnings == []


def test_rare_character_is_printed_by_a_fallback_or_reported(store, tmp_path) -> None:
    order_id = full_order(store, guardian_name="𠮷大明")
    out = tmp_path / "order.pdf"
    result = print_record(store, "supervision_order", order_id, out, actor="李梅")
    fonts = find_fonts()
    if fonts.font_for("𠮷", fonts.body) is not None:
        assert "𠮷大明" in pdf_text(out)
    else:
        fields = {p.field: p.chars for p in result.problems}
        assert fields.get("guardians.name") == "𠮷" and fields.get("order.addressee") == "𠮷"
        assert any("U+20BB7" in m and "guardians.name" in m for m in result.messages())
    assert "大明" in pdf_text(out)


def test_the_font_set_in_settings_is_used_and_a_broken_one_is_named(store, tmp_path) -> None:
    from pypdf import PdfReader

    from meixian_desktop.printing.forms import fonts_for
    from meixian_desktop.store import settings

    assert fonts_for(store).body.path != tmp_path / "x.ttf"
    settings.put(store, "print_font_file", str(WQY))
    assert fonts_for(store).body.path == WQY
    out = tmp_path / "order.pdf"
    print_record(store, "supervision_order", full_order(store), out, actor="李梅")
    fonts = {str(f.get("/BaseFont")) for page in PdfReader(out).pages
             for f in page["/Resources"]["/Font"].values()}
    assert any("WenQuanYi" in name or "wqy" in name.lower() for name in fonts), fonts
    settings.put(store, "print_font_file", str(tmp_path / "gone.ttf"))
    with pytest.raises(FontFileError, match="gone.ttf"):
        print_record(store, "river_patrol", river_patrol(store), out, actor="李梅")


def test_one_print_says_when_no_font_can_be_embedded(store, tmp_path) -> None:
    from meixian_desktop.printing.fonts import CID_WARNING

    fonts = find_fonts(dirs=[tmp_path], table=[])  # a machine without any Chinese font file
    result = print_record(store, "supervision_order", full_order(store), tmp_path / "o.pdf",
                          actor="李梅", fonts=fonts)
    assert CID_WARNING in result.messages()
