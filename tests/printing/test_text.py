"""Chinese dates, money in capitals and figures, 〔〕 numbers."""

from __future__ import annotations

from datetime import date

import pytest

from meixian_desktop.printing.text import (
    bracket_number,
    chinese_date,
    money_capitals,
    money_figures,
)


def test_chinese_date() -> None:
    assert chinese_date(date(2025, 3, 5)) == "2025年3月5日" and chinese_date(None) == ""


@pytest.mark.parametrize(("amount", "text"), [
    (170000, "壹拾柒万元整"), (0, "零元整"), (1001, "壹仟零壹元整"), ("1234.56", "壹仟贰佰叁拾肆元伍角陆分"),
    (100001, "壹拾万零壹元整"), (10000000, "壹仟万元整"), ("0.5", "零元伍角"), ("3.07", "叁元零柒分"),
    (120000000, "壹亿贰仟万元整"), (100000100, "壹亿零壹佰元整"),
])
def test_money_capitals(amount, text) -> None:
    assert money_capitals(amount) == text


def test_money_figures_and_numbers() -> None:
    assert money_figures(170000) == "¥170,000.00"
    assert bracket_number("平检未督[2025]3号") == "平检未督〔2025〕3号"
    with pytest.raises(ValueError):
        money_capitals(-1)
