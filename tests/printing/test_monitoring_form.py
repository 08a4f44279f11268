"""防返贫监测户信息表: monitoring type, risks, income, measures and members (ID numbers masked,
sensitive tags left out), required values named, long households paged in order."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

import pytest

from meixian_desktop.cli.printing import cmd_forms
from meixian_desktop.core import clock
from meixian_desktop.core.households import Household, Measure, Member
from meixian_desktop.paths import Paths, resource
from meixian_desktop.printing.forms import PrintError, print_record
from meixian_desktop.printing.render import Rendered
from meixian_desktop.store import households as household_store
from meixian_desktop.store.database import Store
from meixian_desktop.store.villages import add_group
from tests.printing.helpers import pdf_pages, pdf_text, village_id

FULL_ID = "11010519491231002X"


def _print(store: Store, record_id: str, tmp_path: Path, config_dir: Path | None = None
           ) -> tuple[Path, Rendered]:
    out = tmp_path / "monitoring.pdf"
    return out, print_record(store, "monitoring_household", record_id, out, actor="李梅",
                             config_dir=config_dir)


def _save(store: Store, household: Household) -> str:
    with store.transaction() as tx:
        return household_store.save_household(tx, household)


def _age(born: date) -> str:
    return f"{Member('', birth_date=born).age_on(clock.today())}岁"


def _household(store: Store, *, full: bool) -> str:
    """A monitored household, every part filled in when ``full``."""
    if not full:
        return _save(store, Household(village_id(store), "张德元", monitoring_type="sudden",
                                      monitoring_included_on=date(2025, 2, 1)))
    with store.transaction() as tx:
        group_id = add_group(tx, village_id(store), "第二组")
    members = (
        Member("张德元", FULL_ID, "male", date(1949, 12, 31), "head", education="primary",
               health="disabled", disability_category="肢体", disability_grade="二级",
               work_status="unable", assistance_status="dibao", insurance="城乡居民医保"),
        Member("吴冬梅", "", "female", date(1953, 5, 1), "spouse", education="none",
               health="chronic", work_status="farming"),
        Member("张小雨", "", "female", date(2012, 9, 1), "granddaughter", school_status="junior",
               tags=("left_behind_child", "order_subject")),
    )
    measures = (
        Measure("health", "落实慢性病门诊报销", date(2024, 7, 1), date(2025, 6, 30), "镇卫生院"),
        Measure("social", "纳入农村低保", date(2024, 8, 1), None, "镇民政办"),
    )
    return _save(store, Household(
        village_id(store), "张德元", number="210-02-040", group_id=group_id,
        address="张韩村第二组40号", phone="0730-5220600", cadre="韩志明",
        tags=("monitored", "dibao"), monitoring_type="marginal",
        monitoring_included_on=date(2024, 6, 15), risk_types=("illness", "disability"),
        income_per_capita=6234.5, income_year=2024, risk_eliminated=True,
        risk_eliminated_on=date(2025, 3, 1), notes="老人行动不便，需上门服务",
        members=members, measures=measures))


def test_full_household_prints_every_value(store, tmp_path) -> None:
    out, result = _print(store, _household(store, full=True), tmp_path)
    text = pdf_text(out)
    for value in ("防返贫监测户信息表", "210-02-040", "张德元", "张韩村", "第二组", "张韩村第二组40号",
                  "0730-5220600", "3人", "韩志明", "防返贫监测户、低保、留守儿童", "边缘易致贫户",
                  "2024年6月15日", "6,234.50元", "2024年", "是", "2025年3月1日", "☑因病", "☑因残",
                  "☐因学", "户主", "配偶", "孙女", "男", "女", _age(date(1949, 12, 31)),
                  _age(date(2012, 9, 1)), "110105********002X", "小学", "文盲或半文盲",
                  "残疾（肢体二级）", "长期慢性病", "无劳动能力", "务农", "初中在读", "低保",
                  "健康帮扶", "落实慢性病门诊报销", "2024年7月1日至2025年6月30日", "镇卫生院",
                  "社会保障兜底", "纳入农村低保", "2024年8月1日", "镇民政办", "老人行动不便，需上门服务",
                  "户主（签名或按指印）", "帮扶责任人（签名）", "（盖章）",
                  f"{clock.today().year}年{clock.today().month}月"):
        assert value in text, value
    assert FULL_ID not in text
    assert "督促监护令对象" not in text  # what a monitoring form has no need to tell
    assert result.missing_values == [] and result.problems == []


def test_minimal_household_prints(store, tmp_path) -> None:
    out, result = _print(store, _household(store, full=False), tmp_path)
    text = pdf_text(out)
    for value in ("防返贫监测户信息表", "张德元", "突发严重困难户", "2025年2月1日", "否", "☐因病",
                  "未登记家庭成员。", "未登记帮扶措施。"):
        assert value in text, value
    assert result.missing_values == [] and result.pages == 1


def test_full_id_numbers_and_every_tag_when_the_template_says_so(store, tmp_path,
                                                                paths: Paths) -> None:
    own = paths.config_dir / "forms" / "monitoring_household.toml"
    own.parent.mkdir(parents=True, exist_ok=True)
    shipped = resource("monitoring_household.toml", kind="forms").read_text(encoding="utf-8")
    own.write_text(shipped.replace('id_number = "masked"', 'id_number = "full"')
                   .replace('sensitive_tags = "hidden"', 'sensitive_tags = "shown"'),
                   encoding="utf-8")
    out, _ = _print(store, _household(store, full=True), tmp_path, paths.config_dir)
    text = pdf_text(out)
    assert FULL_ID in text and "督促监护令对象" in text


def test_missing_monitoring_values_are_named(store, tmp_path) -> None:
    household_id = _save(store, Household(village_id(store), "李某", tags=("monitored",),
                                          risk_types=("housing",)))
    out, result = _print(store, household_id, tmp_path)
    assert result.missing_values == ["监测对象类型", "纳入监测日期"]
    assert "缺少必填内容：监测对象类型" in result.messages()
    assert "☑住房安全" in pdf_text(out)


def test_a_household_without_monitoring_has_no_form(store, tmp_path) -> None:
    with pytest.raises(PrintError, match="没有防返贫监测信息"):
        _print(store, _save(store, Household(village_id(store), "王某")), tmp_path)
    with pytest.raises(PrintError, match="找不到"):
        _print(store, "no-such-id", tmp_path)


def test_a_large_household_continues_on_the_next_page_in_order(store, tmp_path) -> None:
    members = tuple(Member(f"成员{n:02d}", relation="other", health="chronic",
                           work_status="away_work") for n in range(1, 26))
    measures = tuple(Measure("employment", f"措施{n:02d}：推荐到县工业园区务工并落实交通补贴",
                             date(2024, 1, n), None, "镇人社服务站") for n in range(1, 16))
    household_id = _save(store, Household(village_id(store), "成员01", monitoring_type="unstable",
                                          monitoring_included_on=date(2024, 1, 1),
                                          members=members, measures=measures))
    out, result = _print(store, household_id, tmp_path)
    pages = pdf_pages(out)
    assert result.pages == len(pages) >= 2
    assert "成员25" not in pages[0] and "措施15" in "".join(pages[1:])
    text = "".join(pages)
    names = [f"成员{n:02d}" for n in range(1, 26)] + [f"措施{n:02d}" for n in range(1, 16)]
    spots = [text.rindex(name) for name in names]
    assert spots == sorted(spots)


def test_demo_household_prints(session, tmp_path) -> None:
    from meixian_desktop.demo import fill_demo

    fill_demo(session)
    household_id = session.store.conn.execute(
        "SELECT id FROM households WHERE deleted = 0 AND monitoring_type IS NOT NULL "
        "AND monitoring_type != '' LIMIT 1").fetchone()[0]
    out, result = _print(session.store, household_id, tmp_path)
    assert result.pages >= 1 and out.stat().st_size > 1000


def test_forms_command_lists_the_monitoring_form(paths, capsys) -> None:
    assert cmd_forms(paths, argparse.Namespace()) == 0
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if line.startswith("monitoring_household "))
    assert "防返贫监测户信息表" in line and "模板有问题" not in out
