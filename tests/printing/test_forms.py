"""Each shipped form renders for a fully filled and a minimal record; the PDF says it all."""

from __future__ import annotations

from pathlib import Path

import pytest

from meixian_desktop.printing.forms import PrintError, form_infos, print_record
from meixian_desktop.store import audit
from tests.printing.helpers import (
    full_order,
    minimal_order,
    minimal_patrol,
    pdf_pages,
    pdf_text,
    river_patrol,
    serve,
)


def _print(store, form: str, record_id: str, tmp_path: Path):
    out = tmp_path / f"{form}.pdf"
    result = print_record(store, form, record_id, out, actor="李梅")
    return out, result


def test_every_shipped_form_loads_without_problems() -> None:
    infos = form_infos(None)
    assert {i.name for i in infos} >= {"supervision_order", "service_receipt", "river_patrol"}
    assert [i.problem for i in infos if i.problem] == []


def test_full_order_prints_every_value_with_the_pseudonym(store, tmp_path) -> None:
    out, result = _print(store, "supervision_order", full_order(store), tmp_path)
    text = pdf_text(out)
    for value in ("平江县人民检察院", "督促监护令", "平检未督〔2025〕7号", "王大明、李秀英：", "小王",
                  "14周岁", "张韩村", "外出务工疏于陪伴", "长期放任孩子深夜上网",
                  "《中华人民共和国民法典》第三十四条",
                  "家庭教育促进法", "（一）每周与孩子视频通话：每周不少于两次（2025年4月5日前）",
                  "（二）参加家庭教育指导课程", "自2025年3月10日起至2025年9月10日止", "电话或书面报告",
                  "0730-5551234", "如拒不履行，本院将依法处理。", "2025年3月5日",
                  "抄送：梅仙镇人民政府、张韩村民委员会", "110105********002X", "13907301234",
                  "张韩村三组18号", "祖母"):
        assert value in text, value
    assert "王小明" not in text  # the real name stays off paper read by others
    assert "11010519491231002X" not in text
    assert result.problems == [] and result.missing_values == []


def test_minimal_order_prints(store, tmp_path) -> None:
    out, result = _print(store, "supervision_order", minimal_order(store), tmp_path)
    text = pdf_text(out)
    for value in ("平检未督〔2025〕8号", "赵四：", "小赵", "未尽安全教育", "（一）加强安全教育。",
                  "2025年3月6日"):
        assert value in text, value
    assert "抄送" not in text and "考察期" not in text
    assert "（，" not in text and result.pages >= 1


def test_service_receipt_filled_from_the_recorded_service(store, tmp_path) -> None:
    order_id = full_order(store)
    serve(store, order_id)
    out, _ = _print(store, "service_receipt", order_id, tmp_path)
    text = pdf_text(out)
    for value in ("送达回证", "《督促监护令》平检未督〔2025〕7号", "王大明", "父亲", "张韩村三组18号",
                  "2025年3月7日9时30分", "受送达人家中", "李梅、周检察官", "☑直接送达",
                  "☐留置送达"):
        assert value in text, value
    # The recipient's signature and its date are left for the recipient's own hand: the
    # service time is printed in its row and by the server's signature, not by theirs.
    assert "已签收" not in text
    assert text.count("2025年3月7日9时30分") == 2


def test_service_receipt_blank_before_service(store, tmp_path) -> None:
    out, _ = _print(store, "service_receipt", minimal_order(store), tmp_path)
    text = pdf_text(out)
    assert "赵四" in text and "平检未督〔2025〕8号" in text and "☑" not in text


def test_river_patrol_prints_header_and_findings(store, tmp_path) -> None:
    out, result = _print(store, "river_patrol", river_patrol(store), tmp_path)
    text = pdf_text(out)
    for value in ("河道巡查记录表", "2025年3月5日", "08:00—11:30", "汨罗江", "梅仙段", "村级", "晴",
                  "张三、王五", "张韩村河段", "张韩桥→梅仙渡口", "6.5公里", "2处", "沿途宣传十年禁渔",
                  "第1处问题：河面发现漂浮物", "梅仙段2号桩", "非法捕捞", "垃圾漂浮物", "2025年3月12日"):
        assert value in text, value
    assert result.pages == 1


def test_minimal_patrol_says_nothing_found(store, tmp_path) -> None:
    out, _ = _print(store, "river_patrol", minimal_patrol(store), tmp_path)
    text = pdf_text(out)
    assert "周敏" in text and "2025年3月6日" in text and "本次巡查未发现问题。" in text


def test_long_patrol_continues_across_pages_in_order(store, tmp_path) -> None:
    out, result = _print(store, "river_patrol", river_patrol(store, findings=40), tmp_path)
    pages = pdf_pages(out)
    assert result.pages == len(pages) >= 2
    positions = []
    for n in range(1, 41):
        needle = f"第{n}处问题"
        page = next(i for i, t in enumerate(pages) if needle in t)
        positions.append((page, pages[page].index(needle)))
    assert positions == sorted(positions)
    assert all("问题描述" in page for page in pages[1:] if "处问题" in page)  # header repeats


def test_demo_records_print(session, tmp_path) -> None:
    from meixian_desktop.demo import fill_demo

    fill_demo(session)
    store = session.store
    order_id = store.conn.execute("SELECT id FROM orders WHERE deleted = 0 LIMIT 1").fetchone()[0]
    patrol_id = store.conn.execute(
        "SELECT id FROM patrols WHERE kind = 'river' AND deleted = 0 LIMIT 1").fetchone()[0]
    for form, record in (("supervision_order", order_id), ("service_receipt", order_id),
                         ("river_patrol", patrol_id)):
        out, result = _print(store, form, record, tmp_path)
        assert result.pages >= 1 and out.stat().st_size > 1000


def test_each_print_is_audited(store, tmp_path) -> None:
    order_id = full_order(store)
    _print(store, "supervision_order", order_id, tmp_path)
    printed = [e for e in audit.recent(store) if e.action == "print"]
    assert printed and printed[0].record_id == order_id and printed[0].record_table == "orders"
    assert "supervision_order" in printed[0].detail


def test_unknown_record_and_form(store, tmp_path) -> None:
    with pytest.raises(PrintError, match="找不到"):
        _print(store, "river_patrol", "no-such-id", tmp_path)
    with pytest.raises(PrintError, match="没有名为"):
        _print(store, "no_such_form", "x", tmp_path)
