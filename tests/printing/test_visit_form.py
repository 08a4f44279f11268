"""入户走访记录表: the visit, its household and members (ID numbers masked), referrals."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from meixian_desktop.core.households import Household, Member, Referral, Visit
from meixian_desktop.printing.forms import PrintError, print_record
from meixian_desktop.store import households as household_store
from meixian_desktop.store.database import Store
from tests.printing.helpers import pdf_text, village_id


def _print(store: Store, record_id: str, tmp_path: Path) -> tuple[Path, int]:
    out = tmp_path / "visit.pdf"
    return out, print_record(store, "household_visit", record_id, out, actor="李梅").pages


def _household(store: Store, **extra: object) -> str:
    household = Household(village_id(store), "张德元", **extra)  # type: ignore[arg-type]
    with store.transaction() as tx:
        return household_store.save_household(tx, household)


def _visit(store: Store, visit: Visit) -> str:
    with store.transaction() as tx:
        return household_store.save_visit(tx, visit)


def test_full_visit_prints_every_value_with_ids_masked(store, tmp_path) -> None:
    members = (Member("张德元", "11010519491231002X", "male", date(1949, 12, 31), "head",
                      health="chronic", work_status="farming"),
               Member("吴冬梅", "", "female", date(1953, 5, 1), "spouse", health="healthy"))
    household_id = _household(store, number="210-02-040", address="张韩村第二组40号",
                              phone="0730-5220600", cadre="韩志明", tags=("empty_nest",),
                              monitoring_type="marginal", members=members)
    visit_id = _visit(store, Visit(
        household_id, date(2025, 3, 5), "李梅、韩志明", "key_group", "09:10", "吴冬梅", "邻居王某",
        "种菜养鸡自给", "长期吃降压药", "屋顶瓦片松动", "已通集中供水", "无在校子女",
        ("health", "housing"), "想办理门诊特病", "讲解办理流程",
        (Referral("镇医保服务站", "协助办理门诊特病认定", date(2025, 3, 20)),), "satisfied",
        next_visit_date=date(2025, 4, 5)))
    out, _ = _print(store, visit_id, tmp_path)
    text = pdf_text(out)
    for value in ("入户走访记录表", "2025年3月5日", "09:10", "重点人群走访", "李梅、韩志明",
                  "210-02-040", "张德元", "张韩村", "张韩村第二组40号", "0730-5220600", "韩志明",
                  "空巢老人", "边缘易致贫户", "2人", "吴冬梅", "邻居王某", "户主", "配偶", "男", "女",
                  "75岁", "110105********002X", "长期慢性病", "务农", "种菜养鸡自给", "长期吃降压药",
                  "屋顶瓦片松动", "已通集中供水", "无在校子女", "医疗、住房", "想办理门诊特病",
                  "讲解办理流程", "镇医保服务站", "协助办理门诊特病认定", "2025年3月20日", "满意",
                  "2025年4月5日", "被访人（签名或捺印）"):
        assert value in text, value
    assert "11010519491231002X" not in text


def test_minimal_visit_prints(store, tmp_path) -> None:
    visit_id = _visit(store, Visit(_household(store), date(2025, 3, 6), "周敏"))
    out, pages = _print(store, visit_id, tmp_path)
    text = pdf_text(out)
    for value in ("入户走访记录表", "2025年3月6日", "周敏", "张德元", "常规走访", "未登记家庭成员。"):
        assert value in text, value
    assert "转交事项" not in text and pages >= 1


def test_unknown_visit(store, tmp_path) -> None:
    with pytest.raises(PrintError, match="找不到"):
        _print(store, "no-such-id", tmp_path)


def test_demo_visit_prints(session, tmp_path) -> None:
    from meixian_desktop.demo import fill_demo

    fill_demo(session)
    visit_id = session.store.conn.execute(
        "SELECT id FROM visits WHERE deleted = 0 LIMIT 1").fetchone()[0]
    out, pages = _print(session.store, visit_id, tmp_path)
    assert pages >= 1 and out.stat().st_size > 1000
