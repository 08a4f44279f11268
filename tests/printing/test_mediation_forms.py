"""人民调解 forms besides the agreement: 申请书, 受理登记表, 调查记录, 调解记录, 回访记录 and
结案报告表 — every value printed, ID numbers masked, required values named, long cases paged."""

from __future__ import annotations

import argparse
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from meixian_desktop.cli.printing import add_print_commands, cmd_forms, cmd_print
from meixian_desktop.core.mediation import (
    Agreement,
    Failure,
    Investigation,
    MediationCase,
    Mediator,
    Meeting,
    Party,
    ReturnVisit,
)
from meixian_desktop.core.patrols import StatusChange
from meixian_desktop.printing.forms import PrintError, print_record
from meixian_desktop.printing.render import Rendered
from meixian_desktop.store import mediation as mediation_store
from meixian_desktop.store.database import Store
from tests.printing.helpers import pdf_pages, pdf_text, village_id

FORMS = ("mediation_application", "mediation_register", "mediation_investigation",
         "mediation_meeting", "mediation_return_visit", "mediation_closing")
FULL_ID = "11010519491231002X"


def _print(store: Store, form: str, record_id: str, tmp_path: Path) -> tuple[Path, Rendered]:
    out = tmp_path / f"{form}.pdf"
    return out, print_record(store, form, record_id, out, actor="李梅")


def _save(store: Store, case: MediationCase) -> str:
    with store.transaction() as tx:
        return mediation_store.save_case(tx, case, "李梅")


def _step(day: str, by: str, before: str, after: str, note: str = "") -> StatusChange:
    return StatusChange(f"{day}T09:00:00+08:00", by, before, after, note)


PARTIES = (
    Party("person", "张三", "male", "汉族", None, date(1949, 12, 31), FULL_ID, "13907301234", "张韩村三组",
          "农民"),
    Party("person", "李四", "female", "苗族", 52, None, "", "0730-5220600", "张韩村四组", "个体户"),
    Party("organisation", "平江县某建材公司", address="平江县城关镇", legal_representative="王五",
          credit_code="91430626MA4L000000", phone="0730-1234567"),
)


def _full_case(store: Store, **changes: object) -> MediationCase:
    """A closed case with every part filled in."""
    case = MediationCase(
        date(2025, 3, 1), "application", "neighbour", village_id(store),
        "两家因排水沟堵塞发生争执，张三要求赔偿菜地损失。", PARTIES, risk_tags=("volatile",),
        mediators=(Mediator("彭建新", "mediator", "村调委会主任"), Mediator("赵评理", "panel", "老党员")),
        investigations=(
            Investigation(date(2025, 3, 2), "彭建新", "走访邻居韩某，证实排水沟系李四堵塞。",
                          "韩某家中", "韩某"),
            Investigation(date(2025, 3, 3), "赵评理", "查看现场，菜地约半亩被淹。", "张三菜地",
                          "张三")),
        meetings=(
            Meeting(date(2025, 3, 4), "村部调解室", "张三、李四、彭建新", "张三称损失三千元。",
                    "排水沟系李四堵塞", "双方分歧较大，约定再谈", "14:30"),
            Meeting(date(2025, 3, 8), "张韩村村部", "双方当事人及群英断是非评理员",
                    "李四同意赔偿。", "菜地损失属实", "达成协议", "09:00")),
        agreement=Agreement(("李四于2025年3月20日前赔偿张三菜地损失5000元", "双方共同疏通排水沟"),
                            date(2025, 3, 10), "现金当面交付", "张韩村村部", date(2025, 3, 20), 4),
        return_visits=(ReturnVisit(date(2025, 3, 25), "彭建新", "performed", "satisfied",
                                   "未发现新矛盾", "继续关注双方关系"),),
        accepted_on=date(2025, 3, 2), status="closed",
        history=(_step("2025-03-02", "彭建新", "registered", "accepted"),
                 _step("2025-03-04", "彭建新", "accepted", "mediating"),
                 _step("2025-03-10", "彭建新", "mediating", "agreed"),
                 _step("2025-03-11", "彭建新", "agreed", "performing"),
                 _step("2025-03-25", "彭建新", "performing", "visited"),
                 _step("2025-03-28", "周敏", "visited", "closed", "协议已履行完毕")))
    return replace(case, **changes)  # type: ignore[arg-type]


def _minimal_case(store: Store, **changes: object) -> MediationCase:
    case = MediationCase(date(2025, 3, 6), "grid", "other", village_id(store), "土地界址争议。",
                         (Party("person", "甲某"), Party("person", "乙某")))
    return replace(case, **changes)  # type: ignore[arg-type]


def _number(store: Store, case_id: str) -> str:
    case = mediation_store.load_case(store, case_id)
    assert case is not None
    return case.number.replace("（", "〔").replace("）", "〕")


def _assert_all(text: str, values: tuple[str, ...]) -> None:
    for value in values:
        assert value in text, value


# -- 人民调解申请书 -----------------------------------------------------------------------------


def test_application_prints_applicant_respondents_and_facts(store, tmp_path) -> None:
    case_id = _save(store, _full_case(store))
    out, result = _print(store, "mediation_application", case_id, tmp_path)
    text = pdf_text(out)
    _assert_all(text, (
        "人民调解申请书", _number(store, case_id),
        "申请人张三男，汉族，75岁，农民110105********002X张韩村三组13907301234",
        "被申请人李四女，苗族，52岁，个体户张韩村四组0730-5220600",
        "被申请人平江县某建材公司法定代表人：王五91430626MA4L000000平江县城关镇0730-1234567",
        "两家因排水沟堵塞发生争执", "当事人申请事项",
        "自愿申请梅仙镇人民调解委员会进行调解", "申请人（签名、盖章或按指印）", "2025年3月1日"))
    assert FULL_ID not in text
    assert result.missing_values == [] and result.problems == []


def test_minimal_application_prints_and_an_empty_summary_is_named(store, tmp_path) -> None:
    out, result = _print(store, "mediation_application", _save(store, _minimal_case(store)),
                         tmp_path)
    _assert_all(pdf_text(out), ("人民调解申请书", "甲某", "乙某", "土地界址争议", "2025年3月6日"))
    assert result.missing_values == [] and result.pages == 1
    _out, result = _print(store, "mediation_application",
                          _save(store, _minimal_case(store, summary="")), tmp_path)
    assert result.missing_values == ["纠纷简要情况"]


# -- 人民调解受理登记表 --------------------------------------------------------------------------


def test_register_prints_sources_parties_and_acceptance(store, tmp_path) -> None:
    case_id = _save(store, _full_case(store))
    out, result = _print(store, "mediation_register", case_id, tmp_path)
    text = pdf_text(out)
    _assert_all(text, (
        "人民调解受理登记表", _number(store, case_id), "2025年3月1日", "邻里", "张韩村",
        "易激化", "☑当事人申请", "☐公安移交", "☐网格员排查", "张三", "男", "汉族", "75岁",
        "110105********002X", "农民", "张韩村三组", "13907301234", "李四", "女", "苗族", "52岁",
        "个体户", "平江县某建材公司", "法定代表人：王五", "91430626MA4L000000", "平江县城关镇",
        "两家因排水沟堵塞发生争执", "2025年3月2日", "彭建新", "2025年4月1日",
        "彭建新（人民调解员，村调委会主任）", "赵评理（群英断是非评理员，老党员）",
        "梅仙镇人民调解委员会", "（盖章）"))
    assert FULL_ID not in text and result.missing_values == []


def test_minimal_register_prints_blank_acceptance(store, tmp_path) -> None:
    out, result = _print(store, "mediation_register", _save(store, _minimal_case(store)),
                         tmp_path)
    text = pdf_text(out)
    _assert_all(text, ("人民调解受理登记表", "☑网格员排查", "其他", "甲某", "乙某", "土地界址争议"))
    assert "2025年4月" not in text and result.missing_values == []


def test_full_id_numbers_when_the_template_says_full(store, tmp_path, paths) -> None:
    from meixian_desktop.paths import resource

    own = paths.config_dir / "forms" / "mediation_register.toml"
    own.parent.mkdir(parents=True, exist_ok=True)
    shipped = resource("mediation_register.toml", kind="forms").read_text(encoding="utf-8")
    own.write_text(shipped.replace('id_number = "masked"', 'id_number = "full"'),
                   encoding="utf-8")
    out = tmp_path / "full.pdf"
    print_record(store, "mediation_register", _save(store, _full_case(store)), out,
                 actor="李梅", config_dir=paths.config_dir)
    assert FULL_ID in pdf_text(out)


def test_many_parties_continue_on_the_next_page_in_order(store, tmp_path) -> None:
    parties = tuple(Party("person", f"当事人甲{n:02d}", address=f"张韩村{n:02d}号，靠近村部的老屋",
                          occupation="农民") for n in range(1, 41))
    case_id = _save(store, _minimal_case(store, parties=parties))
    out, result = _print(store, "mediation_register", case_id, tmp_path)
    pages = pdf_pages(out)
    assert result.pages == len(pages) >= 2
    assert "当事人甲01" in pages[0] and "当事人甲40" not in pages[0]
    assert "姓名（名称）" in pages[1]  # the header row repeats
    text = "".join(pages)
    assert [text.index(f"当事人甲{n:02d}") for n in range(1, 41)] == sorted(
        text.index(f"当事人甲{n:02d}") for n in range(1, 41))


# -- 调查记录, 调解记录, 回访记录: the latest or the N-th ---------------------------------------


def test_investigation_prints_the_latest_or_the_nth(store, tmp_path) -> None:
    case_id = _save(store, _full_case(store))
    out, result = _print(store, "mediation_investigation", case_id, tmp_path)
    text = pdf_text(out)
    _assert_all(text, (
        "人民调解调查记录", _number(store, case_id), "邻里", "第2次", "张三、李四、平江县某建材公司",
        "2025年3月3日", "张三菜地", "赵评理", "查看现场，菜地约半亩被淹。", "被调查人（签名或按指印）",
        "记录人（签名）"))
    assert "韩某" not in text and result.missing_values == []
    out, _ = _print(store, "mediation_investigation", f"{case_id}:1", tmp_path)
    _assert_all(pdf_text(out), ("第1次", "2025年3月2日", "韩某家中", "韩某", "彭建新",
                                "走访邻居韩某，证实排水沟系李四堵塞。"))


def test_meeting_prints_the_latest_or_the_nth(store, tmp_path) -> None:
    case_id = _save(store, _full_case(store))
    out, result = _print(store, "mediation_meeting", f"{case_id}:1", tmp_path)
    text = pdf_text(out)
    _assert_all(text, (
        "人民调解记录", _number(store, case_id), "第1次", "2025年3月4日14:30", "村部调解室",
        "张三、李四、彭建新", "彭建新", "赵评理", "张三称损失三千元。",
        "排水沟系李四堵塞", "双方分歧较大，约定再谈",
        "当事人一", "当事人三", "签名（盖章或按指印）", "人民调解员（签名）"))
    assert result.missing_values == [] and FULL_ID not in text
    out, _ = _print(store, "mediation_meeting", case_id, tmp_path)
    text = pdf_text(out)
    _assert_all(text, ("第2次", "2025年3月8日09:00", "双方当事人及群英断是非评理员", "李四同意赔偿。",
                       "菜地损失属实", "达成协议"))
    assert "村部调解室" not in text


def test_return_visit_prints_terms_and_performance(store, tmp_path) -> None:
    case_id = _save(store, _full_case(store))
    out, result = _print(store, "mediation_return_visit", case_id, tmp_path)
    text = pdf_text(out)
    _assert_all(text, (
        "人民调解回访记录", _number(store, case_id), "邻里", "张韩村", "张三、李四、平江县某建材公司",
        "2025年3月10日", "2025年3月20日", "第1次", "2025年3月25日", "彭建新",
        "（一）李四于2025年3月20日前赔偿张三菜地损失5000元（¥5,000.00，大写：伍仟元整）",
        "（二）双方共同疏通排水沟", "已履行", "满意", "未发现新矛盾", "继续关注双方关系",
        "被回访人（签名或按指印）"))
    assert result.missing_values == []


def test_minimal_records_print(store, tmp_path) -> None:
    agreement = Agreement(("双方互谅互让",), date(2025, 3, 8))
    case_id = _save(store, _minimal_case(
        store, investigations=(Investigation(date(2025, 3, 6), "周敏", "询问双方"),),
        meetings=(Meeting(date(2025, 3, 7), "村部", "双方"),), agreement=agreement,
        return_visits=(ReturnVisit(date(2025, 3, 20), "周敏", "partly"),)))
    for form, values in (
            ("mediation_investigation", ("第1次", "2025年3月6日", "周敏", "询问双方", "甲某、乙某")),
            ("mediation_meeting", ("第1次", "2025年3月7日", "村部", "双方", "甲某", "乙某")),
            ("mediation_return_visit", ("2025年3月8日", "（一）双方互谅互让", "2025年3月20日",
                                        "部分履行"))):
        out, result = _print(store, form, case_id, tmp_path)
        _assert_all(pdf_text(out), values)
        assert result.missing_values == [] and result.pages == 1, form


def test_a_record_missing_a_required_value_is_named(store, tmp_path) -> None:
    case_id = _save(store, _minimal_case(
        store, investigations=(Investigation(date(2025, 3, 6), "", ""),),
        meetings=(Meeting(date(2025, 3, 7), "", "双方"),),
        agreement=Agreement(("互谅",), date(2025, 3, 8)),
        return_visits=(ReturnVisit(date(2025, 3, 20), "周敏", ""),)))
    expected = {"mediation_investigation": ["调查人", "调查内容"],
                "mediation_meeting": ["调解地点"],
                "mediation_return_visit": ["协议履行情况"],
                "mediation_register": [],
                "mediation_closing": ["结案日期"]}
    for form, missing in expected.items():
        _out, result = _print(store, form, case_id, tmp_path)
        assert result.missing_values == missing, form
        assert all(f"缺少必填内容：{name}" in result.messages() for name in missing)


def test_nothing_recorded_or_no_such_one(store, tmp_path) -> None:
    case_id = _save(store, _minimal_case(store))
    for form, noun in (("mediation_investigation", "调查记录"), ("mediation_meeting", "调解记录"),
                       ("mediation_return_visit", "回访记录")):
        with pytest.raises(PrintError, match=f"还没有登记{noun}"):
            _print(store, form, case_id, tmp_path)
    full_id = _save(store, _full_case(store))
    for which in ("3", "0", "x"):
        with pytest.raises(PrintError, match="只有2次调解记录"):
            _print(store, "mediation_meeting", f"{full_id}:{which}", tmp_path)
    for form in FORMS:
        with pytest.raises(PrintError, match="找不到"):
            _print(store, form, "no-such-id", tmp_path)


# -- 结案报告表 ---------------------------------------------------------------------------------


def test_closing_report_of_an_agreed_case(store, tmp_path) -> None:
    case_id = _save(store, _full_case(store))
    out, result = _print(store, "mediation_closing", case_id, tmp_path)
    text = pdf_text(out)
    _assert_all(text, (
        "人民调解结案报告表", _number(store, case_id), "邻里", "当事人申请", "张韩村", "易激化",
        "2025年3月1日", "2025年3月2日", "2025年3月28日", "26天", "彭建新（人民调解员，村调委会主任）",
        "达成调解协议", "当事人一", "张三，男，汉族，75岁，身份证号码：110105********002X",
        "平江县某建材公司", "两家因排水沟堵塞发生争执", "走访邻居韩某，证实排水沟系李四堵塞。", "韩某",
        "查看现场，菜地约半亩被淹。", "村部调解室", "双方分歧较大，约定再谈", "张韩村村部", "达成协议",
        "各方当事人于2025年3月10日自愿达成人民调解协议，协议共2条",
        "（一）李四于2025年3月20日前赔偿张三菜地损失5000元（¥5,000.00，大写：伍仟元整）",
        "2025年3月25日", "已履行", "满意", "未发现新矛盾", "继续关注双方关系", "协议已履行完毕",
        "承办人民调解员（签名）", "梅仙镇人民调解委员会",
        "（盖章）"))
    assert FULL_ID not in text and result.missing_values == []


def test_closing_report_of_a_failed_case(store, tmp_path) -> None:
    case = _minimal_case(
        store, failure=Failure("双方对欠款金额分歧较大", "litigation"), accepted_on=date(2025, 3, 7),
        status="closed", history=(_step("2025-03-07", "周敏", "registered", "accepted"),
                                  _step("2025-03-08", "周敏", "accepted", "mediating"),
                                  _step("2025-03-15", "周敏", "mediating", "failed"),
                                  _step("2025-03-16", "周敏", "failed", "closed")))
    out, result = _print(store, "mediation_closing", _save(store, case), tmp_path)
    text = pdf_text(out)
    _assert_all(text, ("调解不成", "原因：双方对欠款金额分歧较大。已告知当事人可以通过诉讼途径解决。",
                       "2025年3月16日", "9天", "未登记调查。", "未登记调解记录。"))
    assert "协议履行及回访情况" not in text and result.missing_values == []


def test_closing_report_with_many_meetings_continues_in_order(store, tmp_path) -> None:
    meetings = tuple(Meeting(date(2025, 3, 7 + n // 3), "村部调解室", "双方当事人、调解员和评理员",
                             result=f"第{n:02d}轮：双方各自陈述意见，调解员释法说理，约定再次协商")
                     for n in range(1, 31))
    case_id = _save(store, _full_case(store, meetings=meetings))
    out, result = _print(store, "mediation_closing", case_id, tmp_path)
    pages = pdf_pages(out)
    assert result.pages == len(pages) >= 3
    assert "第01轮" in "".join(pages[:3]) and "第30轮" not in pages[0] + pages[1]
    text = "".join(pages)
    spots = [text.index(f"第{n:02d}轮") for n in range(1, 31)]
    assert spots == sorted(spots)
    assert text.index("调解经过") < spots[0] and spots[-1] < text.index("协议履行及回访情况")


def test_demo_cases_print_every_form(session, tmp_path) -> None:
    from meixian_desktop.demo import fill_demo

    fill_demo(session)
    case_id = session.store.conn.execute(
        "SELECT id FROM cases WHERE deleted = 0 AND status = 'closed' "
        "AND agreement IS NOT NULL LIMIT 1").fetchone()[0]
    for form in FORMS:
        out, result = _print(session.store, form, case_id, tmp_path)
        assert result.pages >= 1 and out.stat().st_size > 1000, form


def test_forms_command_lists_the_mediation_forms(paths, capsys) -> None:
    assert cmd_forms(paths, argparse.Namespace()) == 0
    out = capsys.readouterr().out
    for name, title in zip(FORMS, ("人民调解申请书", "人民调解受理登记表", "人民调解调查记录",
                                   "人民调解记录", "人民调解回访记录", "人民调解结案报告表"),
                           strict=True):
        line = next(line for line in out.splitlines() if line.startswith(name + " "))
        assert title in line and "模板有问题" not in out


def test_print_command_takes_the_nth_meeting(session, tmp_path, capsys) -> None:
    case_id = _save(session.store, _full_case(session.store))
    paths = session.paths
    session.close()  # the command opens the folder itself
    parser = argparse.ArgumentParser()
    add_print_commands(parser.add_subparsers(dest="command"))
    out = tmp_path / "meeting.pdf"
    assert cmd_print(paths, parser.parse_args(
        ["print", "mediation_meeting", f"{case_id}:1", "-o", str(out)])) == 0
    assert "村部调解室" in pdf_text(out) and "已打印到" in capsys.readouterr().out
