"""森林防火巡查记录表 and 耕地保护巡查记录表: each kind's own header fields and findings."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from meixian_desktop.core.patrols import Finding, Patrol
from meixian_desktop.printing.forms import PrintError, print_record
from meixian_desktop.store import patrols as patrol_store
from meixian_desktop.store.database import Store
from tests.printing.helpers import pdf_pages, pdf_text, river_patrol, village_id


def _save(store: Store, patrol: Patrol) -> str:
    with store.transaction() as tx:
        return patrol_store.save_patrol(tx, patrol)


def _print(store: Store, form: str, record_id: str, tmp_path: Path) -> tuple[Path, int]:
    out = tmp_path / f"{form}.pdf"
    return out, print_record(store, form, record_id, out, actor="李梅").pages


def forest_patrol(store: Store, findings: int = 2) -> str:
    found = tuple(
        Finding("field_fire" if n % 2 else "entrant_registration", f"第{n + 1}处问题：有人烧田埂草",
                place=f"大岭坡{n + 1}号林班", persons="村民张某", action="stopped",
                deadline=date(2025, 3, 12), recheck_date=date(2025, 3, 13),
                recheck_result="已熄灭")
        for n in range(findings))
    return _save(store, Patrol(
        "forest", date(2025, 3, 5), "李梅", (village_id(store),), start_time="08:00",
        end_time="11:30", weather="windy", companions="张三、王五", area="大岭坡松林",
        route_start="林道口", route_end="山顶瞭望台", distance_km=7.5, notes="张贴防火标语",
        signature="李梅", fire_danger="4", forest_entrants=23, findings=found))


def farmland_patrol(store: Store, findings: int = 2) -> str:
    found = tuple(
        Finding("fish_pond" if n % 2 else "house_building", f"第{n + 1}处问题：占用耕地",
                place=f"第三组{n + 1}号田", persons="农户李某", action="reported",
                deadline=date(2025, 4, 1), area_mu=1.5 + n)
        for n in range(findings))
    return _save(store, Patrol(
        "farmland", date(2025, 3, 6), "周敏", (village_id(store),), start_time="09:00",
        end_time="10:45", weather="cloudy", companions="赵六", area="张韩村大垅田",
        route_start="机耕道口", route_end="晒谷坪", distance_km=3.4, notes="宣传八不准",
        signature="周敏", plot_number="图斑2024-0317", findings=found))


def test_forest_patrol_prints_its_own_fields_and_findings(store, tmp_path) -> None:
    out, pages = _print(store, "forest_patrol", forest_patrol(store), tmp_path)
    text = pdf_text(out)
    for value in ("森林防火巡查记录表", "2025年3月5日", "08:00—11:30", "大风", "四级（高）", "23人",
                  "张三、王五", "张韩村", "大岭坡松林", "林道口→山顶瞭望台", "7.5公里", "2处",
                  "张贴防火标语", "第1处问题：有人烧田埂草", "大岭坡2号林班", "村民张某", "当场制止",
                  "野外用火", "进山人员登记", "2025年3月12日", "2025年3月13日，已熄灭",
                  "村级林长（签名）"):
        assert value in text, value
    assert pages == 1


def test_farmland_patrol_prints_plot_and_area_per_finding(store, tmp_path) -> None:
    out, _ = _print(store, "farmland_patrol", farmland_patrol(store), tmp_path)
    text = pdf_text(out)
    for value in ("耕地保护巡查记录表", "2025年3月6日", "09:00—10:45", "多云", "图斑2024-0317",
                  "周敏", "赵六", "张韩村大垅田", "机耕道口→晒谷坪", "3.4公里", "2处", "4亩",
                  "宣传八不准", "第2处问题：占用耕地", "第三组1号田", "农户李某", "上报镇级",
                  "乱占耕地建房", "挖塘养鱼", "面积（亩）", "1.5", "2.5", "2025年4月1日",
                  "村级田长（签名）"):
        assert value in text, value


@pytest.mark.parametrize("form, kind", [("forest_patrol", "forest"),
                                        ("farmland_patrol", "farmland")])
def test_minimal_patrol_of_each_kind_prints(store, tmp_path, form, kind) -> None:
    record = _save(store, Patrol(kind, date(2025, 3, 7), "周敏", (village_id(store),)))
    out, pages = _print(store, form, record, tmp_path)
    text = pdf_text(out)
    assert "周敏" in text and "2025年3月7日" in text and "本次巡查未发现问题。" in text
    assert pages == 1


@pytest.mark.parametrize("form, make", [("forest_patrol", forest_patrol),
                                        ("farmland_patrol", farmland_patrol)])
def test_long_findings_table_continues_across_pages(store, tmp_path, form, make) -> None:
    out, pages = _print(store, form, make(store, findings=30), tmp_path)
    texts = pdf_pages(out)
    assert pages == len(texts) >= 2
    positions = []
    for n in range(1, 31):
        needle = f"第{n}处问题"
        page = next(i for i, t in enumerate(texts) if needle in t)
        positions.append((page, texts[page].index(needle)))
    assert positions == sorted(positions)
    assert all("问题描述" in page for page in texts[1:] if "处问题" in page)


def test_a_patrol_prints_only_on_its_own_kinds_form(store, tmp_path) -> None:
    river = river_patrol(store)
    with pytest.raises(PrintError, match="河道巡查"):
        _print(store, "forest_patrol", river, tmp_path)
    with pytest.raises(PrintError, match="找不到"):
        _print(store, "farmland_patrol", forest_patrol(store), tmp_path)


def test_demo_patrols_of_each_kind_print(session, tmp_path) -> None:
    from meixian_desktop.demo import fill_demo

    fill_demo(session)
    for form, kind in (("forest_patrol", "forest"), ("farmland_patrol", "farmland")):
        record = session.store.conn.execute(
            "SELECT id FROM patrols WHERE kind = ? AND deleted = 0 LIMIT 1", (kind,)).fetchone()[0]
        out, pages = _print(session.store, form, record, tmp_path)
        assert pages >= 1 and out.stat().st_size > 1000


def test_a_category_the_town_added_prints_by_its_name(store: Store, tmp_path: Path) -> None:
    code = "private_dock"
    with store.transaction() as tx:
        patrol_store.add_category(tx, "river", code, "私建码头")
    patrol_id = _save(store, Patrol(
        "river", date(2025, 3, 5), "李梅", (village_id(store),), river_name="汨罗江",
        findings=(Finding(code, "岸边新搭了码头", place="3号桩", action="registered"),)))
    out, _pages = _print(store, "river_patrol", patrol_id, tmp_path)
    text = pdf_text(out)
    assert "私建码头" in text and code not in text
