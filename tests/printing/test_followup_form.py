"""督促监护令回访记录: the order, one follow-up and the per-duty compliance table."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from meixian_desktop.core.order_followups import Compliance, OrderFollowUp
from meixian_desktop.printing.forms import PrintError, print_record
from meixian_desktop.store import orders as order_store
from meixian_desktop.store.database import Store
from tests.printing.helpers import full_order, minimal_order, pdf_text, serve


def _print(store: Store, record_id: str, tmp_path: Path) -> tuple[Path, int]:
    out = tmp_path / "followup.pdf"
    return out, print_record(store, "order_followup", record_id, out, actor="李梅").pages


def _follow(store: Store, order_id: str, followup: OrderFollowUp) -> str:
    with store.transaction() as tx:
        return order_store.save_followup(tx, order_id, followup, "李梅")


def _served(store: Store, order_id: str) -> str:
    serve(store, order_id)
    return order_id


def test_followup_prints_the_visit_and_each_duty(store, tmp_path) -> None:
    order_id = _served(store, full_order(store))
    _follow(store, order_id, OrderFollowUp(
        date(2025, 4, 10), "home", ("李梅", "周检察官"),
        (Compliance("done", "手机通话记录截图"), Compliance("partial", "只参加了一次课程")),
        person_met="王大明", schooling="按时到校", behaviour="不再深夜上网",
        health="健康", guidance_attended=True, problems="课程参加不够",
        next_steps="督促按月参加课程", next_date=date(2025, 5, 10)))
    out, pages = _print(store, order_id, tmp_path)
    text = pdf_text(out)
    for value in ("督促监护令回访记录", "平检未督〔2025〕7号", "平江县人民检察院", "王大明、李秀英", "小王",
                  "张韩村", "自2025年3月10日起至2025年9月10日止", "第1次", "2025年4月10日", "入户",
                  "李梅、周检察官", "按时到校", "不再深夜上网", "健康", "家庭教育指导课程已参加",
                  "每周与孩子视频通话", "每周不少于两次", "2025年4月5日", "已落实", "手机通话记录截图",
                  "参加家庭教育指导课程", "部分落实", "只参加了一次课程", "课程参加不够",
                  "督促按月参加课程", "2025年5月10日", "监护人（签名或捺印）"):
        assert value in text, value
    assert "王小明" not in text and pages >= 1


def test_an_earlier_followup_prints_by_its_own_id(store, tmp_path) -> None:
    order_id = _served(store, full_order(store))
    first = _follow(store, order_id, OrderFollowUp(
        date(2025, 4, 10), "phone", ("李梅",),
        (Compliance("not_done", "未通话"), Compliance("not_done", "未参加"))))
    _follow(store, order_id, OrderFollowUp(
        date(2025, 5, 10), "video", ("周敏",),
        (Compliance("done", "视频"), Compliance("done", "结业证"))))
    latest, _ = _print(store, order_id, tmp_path)
    assert "第2次" in pdf_text(latest) and "结业证" in pdf_text(latest)
    earlier, _ = _print(store, first, tmp_path)
    text = pdf_text(earlier)
    assert "第1次" in text and "未落实" in text and "电话" in text and "结业证" not in text


def test_minimal_followup_prints(store, tmp_path) -> None:
    order_id = _served(store, minimal_order(store))
    _follow(store, order_id, OrderFollowUp(date(2025, 4, 1), "phone", ("周敏",),
                                           (Compliance("done", ""),)))
    out, pages = _print(store, order_id, tmp_path)
    text = pdf_text(out)
    for value in ("平检未督〔2025〕8号", "赵四", "小赵", "2025年4月1日", "周敏", "加强安全教育", "已落实"):
        assert value in text, value
    assert "赵小五" not in text and pages >= 1


def test_an_order_without_followups_cannot_print_one(store, tmp_path) -> None:
    with pytest.raises(PrintError, match="还没有登记回访"):
        _print(store, minimal_order(store), tmp_path)
    with pytest.raises(PrintError, match="找不到"):
        _print(store, "no-such-id", tmp_path)


def test_demo_followup_prints(session, tmp_path) -> None:
    from meixian_desktop.demo import fill_demo

    fill_demo(session)
    order_id = session.store.conn.execute(
        "SELECT order_id FROM order_followups WHERE deleted = 0 LIMIT 1").fetchone()[0]
    out, pages = _print(session.store, order_id, tmp_path)
    assert pages >= 1 and out.stat().st_size > 1000
