"""Typed text read from editors, and text from elsewhere shown safely on a terminal."""

from __future__ import annotations

from meixian_desktop.core.fields import has_control, printable, text_of


def test_typed_text_loses_nul_and_invisible_controls_but_keeps_lines() -> None:
    assert text_of({"notes": " 前半\x00后半\x1b\n第二行\t完 "}, "notes") == "前半后半\n第二行\t完"
    assert text_of({}, "notes") == "" and text_of({"n": None}, "n") == ""


def test_printable_escapes_terminal_controls_and_direction_overrides() -> None:
    shown = printable("李梅\x1b[2J\u202e反向\x00")
    assert shown == "李梅\\x1b[2J\\u202e反向\\x00"
    assert printable("张韩村 第五组\n") == "张韩村 第五组\n"


def test_has_control_finds_what_no_editor_types() -> None:
    assert has_control("a\x00b") and has_control("\x1b")
    assert not has_control("换行\n制表\t回车\r") and not has_control("")
