"""工作台账: a worker's month of every record kind with totals, the town's month by village,
an empty month, a long month over pages, the audit log, and `print ledger` on the CLI."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

import pytest

from meixian_desktop.cli.printing import add_print_commands, cmd_forms, cmd_print
from meixian_desktop.core.households import Household, Visit
from meixian_desktop.core.mediation import Failure, MediationCase, Mediator, Party
from meixian_desktop.core.mediation import transition as case_step
from meixian_desktop.core.order_followups import Compliance, OrderFollowUp
from meixian_desktop.core.patrols import Finding, Patrol
from meixian_desktop.core.patrols import transition as finding_step
from meixian_desktop.core.profile import make_profile
from meixian_desktop.printing.forms import PrintError
from meixian_desktop.printing.ledger import ledger_context, parse_month, print_ledger
from meixian_desktop.store import audit, records
from meixian_desktop.store import households as household_store
from meixian_desktop.store import mediation as mediation_store
from meixian_desktop.store import orders as order_store
from meixian_desktop.store import patrols as patrol_store
from meixian_desktop.store.database import Store
from meixian_desktop.store.villages import village_by_code
from tests.conftest import SANLI, ZHANGHAN
from tests.printing.helpers import full_order, pdf_pages, pdf_text, serve

SHITANG = "430626108214"  # 石塘村: not one of the worker's villages
MARCH = date(2025, 3, 1)


def _village(store: Store, code: str) -> str:
    village = village_by_code(store, code)
    assert village is not None
    return village.id


# -- what the tests put in, and what they expect from it ----------------------------------------


@dataclass(frozen=True)
class PatrolSpec:
    kind: str
    day: date
    code: str
    area: str
    findings: tuple[tuple[str, str], ...] = ()  # (description, final status)
    deleted: bool = False


PATROLS = (
    PatrolSpec("river", date(2025, 3, 5), ZHANGHAN, "张韩村河段",
               (("河面漂浮垃圾一处", "closed"), ("岸边有人电鱼", "open"))),
    PatrolSpec("forest", date(2025, 3, 12), SANLI, "三里村狮子岭林区",
               (("祭祀用火未报备", "rectified"),)),
    PatrolSpec("farmland", date(2025, 3, 20), ZHANGHAN, "张韩村第三组大垅田"),
    PatrolSpec("river", date(2025, 3, 14), SHITANG, "石塘港外村河段", (("石塘港漂浮物", "open"),)),
    PatrolSpec("river", date(2025, 2, 27), ZHANGHAN, "二月份的河段", (("二月份的问题", "open"),)),
    PatrolSpec("forest", date(2025, 3, 9), ZHANGHAN, "已删除的林区", (("已删除的问题", "open"),),
               deleted=True),
)
STEPS = {"open": (), "rectified": ("rectified",), "closed": ("rectified", "closed")}


@dataclass(frozen=True)
class CaseSpec:
    registered: date
    code: str
    summary: str
    closed: date | None = None
    deleted: bool = False


CASES = (
    CaseSpec(date(2025, 3, 2), ZHANGHAN, "两家因排水沟堵塞发生争执"),
    CaseSpec(date(2025, 2, 10), SANLI, "二月登记三月结案的宅基地纠纷", closed=date(2025, 3, 15)),
    CaseSpec(date(2025, 3, 8), ZHANGHAN, "三月登记三月结案的赡养纠纷", closed=date(2025, 3, 25)),
    CaseSpec(date(2025, 3, 3), ZHANGHAN, "已删除的纠纷", deleted=True),
    CaseSpec(date(2025, 4, 2), ZHANGHAN, "四月份的纠纷"),
    CaseSpec(date(2025, 3, 11), SHITANG, "石塘村的山林纠纷"),
)


@dataclass(frozen=True)
class VisitSpec:
    head: str
    code: str
    day: date
    deleted: bool = False


VISITS = (
    VisitSpec("张德元", ZHANGHAN, date(2025, 3, 6)),
    VisitSpec("张德元", ZHANGHAN, date(2025, 3, 18)),
    VisitSpec("吴冬梅", SANLI, date(2025, 3, 10)),
    VisitSpec("吴冬梅", SANLI, date(2025, 4, 1)),
    VisitSpec("吴冬梅", SANLI, date(2025, 3, 21), deleted=True),
    VisitSpec("石外村", SHITANG, date(2025, 3, 22)),
)


def _add_patrol(store: Store, spec: PatrolSpec, leader: str = "李梅") -> str:
    moment = datetime.combine(spec.day, time(17, 0)).astimezone()
    findings = []
    for description, status in spec.findings:
        history, current = [], "open"
        for target in STEPS[status]:
            history.append(finding_step(current, target, leader, at=moment))
            current = target
        findings.append(Finding("other", description, status=status, history=tuple(history)))
    patrol = Patrol(spec.kind, spec.day, leader, (_village(store, spec.code),), area=spec.area,
                    findings=tuple(findings))
    with store.transaction() as tx:
        patrol_id = patrol_store.save_patrol(tx, patrol)
        if spec.deleted:
            patrol_store.delete_patrol(tx, patrol_id)
    return patrol_id


def _add_case(store: Store, spec: CaseSpec) -> None:
    history, status, failure = [], "registered", None
    if spec.closed:
        failure = Failure("双方分歧较大", "litigation")
        for number, target in enumerate(("accepted", "mediating", "failed", "closed")):
            day = spec.closed if target == "closed" else spec.registered
            moment = datetime.combine(day, time(9 + number, 0)).astimezone()
            history.append(case_step(status, target, "李梅", at=moment))
            status = target
    case = MediationCase(spec.registered, "application", "neighbour", _village(store, spec.code),
                         spec.summary, (Party("person", "甲某"), Party("person", "乙某")),
                         mediators=(Mediator("彭建新"),), failure=failure,
                         accepted_on=spec.registered if spec.closed else None, status=status,
                         history=tuple(history))
    with store.transaction() as tx:
        case_id = mediation_store.save_case(tx, case, "李梅")
        if spec.deleted:
            mediation_store.delete_case(tx, case_id, "李梅")


def _add_visits(store: Store) -> None:
    households: dict[str, str] = {}
    for spec in VISITS:
        if spec.head not in households:
            with store.transaction() as tx:
                households[spec.head] = household_store.save_household(
                    tx, Household(_village(store, spec.code), spec.head))
        with store.transaction() as tx:
            visit_id = household_store.save_visit(
                tx, Visit(households[spec.head], spec.day, "李梅", "routine", needs=("health",),
                          satisfaction="satisfied"))
            if spec.deleted:
                records.tombstone(tx, "visits", visit_id)


def _add_order_work(store: Store) -> None:
    """One order in 张韩村: served 3月7日, followed up 3月20日 and again 4月10日."""
    order_id = full_order(store)
    serve(store, order_id)
    for day in (date(2025, 3, 20), date(2025, 4, 10)):
        with store.transaction() as tx:
            order_store.save_followup(tx, order_id, OrderFollowUp(
                day, "home", ("李梅",), (Compliance("done", "通话"), Compliance("partial", "课程"))),
                "李梅")


def _fill(store: Store) -> None:
    for spec in PATROLS:
        _add_patrol(store, spec)
    for case in CASES:
        _add_case(store, case)
    _add_visits(store)
    _add_order_work(store)


def _in_march(day: date | None) -> bool:
    return day is not None and (day.year, day.month) == (2025, 3)


def _expected(codes: set[str] | None) -> dict[str, int]:
    """The month's counts, worked out from the specs above (None: the whole town)."""
    def ours(code: str) -> bool:
        return codes is None or code in codes

    patrols = [p for p in PATROLS if _in_march(p.day) and not p.deleted and ours(p.code)]
    findings = [s for p in patrols for _d, s in p.findings]
    cases = [c for c in CASES if not c.deleted and ours(c.code)]
    visits = [v for v in VISITS if _in_march(v.day) and not v.deleted and ours(v.code)]
    return {
        "patrols": len(patrols), "findings": len(findings),
        "findings_closed": findings.count("closed"),
        "cases_registered": sum(_in_march(c.registered) for c in cases),
        "cases_closed": sum(_in_march(c.closed) for c in cases),
        "visits": len(visits), "households": len({v.head for v in visits}),
        "services": 1 if ours(ZHANGHAN) else 0, "followups": 1 if ours(ZHANGHAN) else 0,
    }


def _summary(counts: dict[str, int], town: bool = False) -> str:
    return (f"本月{'全镇' if town else ''}共巡查{counts['patrols']}次，发现问题{counts['findings']}处"
            f"（已销号{counts['findings_closed']}处），登记调解案件{counts['cases_registered']}件、"
            f"结案{counts['cases_closed']}件，入户走访{counts['visits']}户次，"
            f"督促监护令送达{counts['services']}次、回访{counts['followups']}次。")


# -- the worker's month ------------------------------------------------------------------------


def test_worker_month_lists_every_kind_with_correct_totals(store, tmp_path) -> None:
    _fill(store)
    out = tmp_path / "ledger.pdf"
    result = print_ledger(store, MARCH, out, actor="李梅", today=date(2025, 4, 1))
    text = pdf_text(out)
    expected = _expected({ZHANGHAN, SANLI})
    assert expected == {"patrols": 3, "findings": 3, "findings_closed": 1, "cases_registered": 2,
                        "cases_closed": 2, "visits": 3, "households": 2, "services": 1,
                        "followups": 1}  # the specs themselves: every kind is present
    assert _summary(expected) in text
    for value in ("网格工作台账", "2025年3月", "梅仙镇人民政府", "网格员个人台账", "李梅",
                  "2025年3月1日至3月31日", "三里村、张韩村",
                  # patrols, findings and their status
                  "3月5日", "河道巡查：张韩村河段", "发现问题2处", "森林防火巡查：三里村狮子岭林区",
                  "耕地保护巡查：张韩村第三组大垅田", "未发现问题", "其他：河面漂浮垃圾一处", "已销号",
                  "其他：岸边有人电鱼", "待整改", "其他：祭祀用火未报备", "已整改待复查",
                  # cases: registered this month, closed this month
                  "两家因排水沟堵塞发生争执", "登记", "二月登记三月结案的宅基地纠纷",
                  "本月结案（3月15日）", "三月登记三月结案的赡养纠纷", "本月结案（3月25日）",
                  # visits and the order's service and follow-up (the minor by pseudonym)
                  "张德元户（常规走访）：需求医疗", "吴冬梅户（常规走访）", "满意",
                  "送达平检未督〔2025〕7号（小王，直接送达）", "回访平检未督〔2025〕7号（小王，入户）",
                  "已送达",
                  # totals
                  f"巡查{expected['patrols']}次", f"发现问题{expected['findings']}处",
                  f"其中已销号{expected['findings_closed']}处、未销号"
                  f"{expected['findings'] - expected['findings_closed']}处",
                  f"调解案件登记{expected['cases_registered']}件",
                  f"调解案件结案{expected['cases_closed']}件",
                  f"入户走访{expected['visits']}户次涉及{expected['households']}户",
                  "填表人（签名）", "审核人（签名）", "（盖章）", "2025年4月1日"):
        assert value in text, value
    for gone in ("二月份的河段", "二月份的问题", "已删除的林区", "已删除的问题", "已删除的纠纷",
                 "四月份的纠纷", "石塘", "石外村", "王小明"):
        assert gone not in text, gone
    assert text.count("回访平检未督") == 1  # the April follow-up is not in March
    assert text.count("吴冬梅户") == 1  # April's and the deleted visit are left out
    assert "各村（社区）工作量" not in text and "巡查人" not in text
    assert result.pages >= 2 and not result.missing_values


def test_worker_context_counts_match_the_records(store) -> None:
    _fill(store)
    context = ledger_context(store, (2025, 3))
    expected = _expected({ZHANGHAN, SANLI})
    assert context["ledger"]["counts"] == {
        "patrols": f"{expected['patrols']}次", "findings": f"{expected['findings']}处",
        "findings_closed": f"{expected['findings_closed']}处",
        "cases_registered": f"{expected['cases_registered']}件",
        "cases_closed": f"{expected['cases_closed']}件", "visits": f"{expected['visits']}户次",
        "services": f"{expected['services']}次", "followups": f"{expected['followups']}次"}
    assert len(context["patrols"]) == expected["patrols"]
    assert len(context["findings"]) == expected["findings"]
    shown = [c for c in CASES if not c.deleted and c.code in (ZHANGHAN, SANLI)
             and (_in_march(c.registered) or _in_march(c.closed))]
    assert len(context["cases"]) == len(shown) == 3  # registered or closed in March, one both
    assert len(context["visits"]) == expected["visits"]
    assert [row["day"] for row in context["orders"]] == ["3月7日", "3月20日"]
    assert context["by_village"] == []


# -- the town's month --------------------------------------------------------------------------


def test_town_month_has_a_row_per_village_and_a_worker_column(store, tmp_path) -> None:
    _fill(store)
    _add_patrol(store, PatrolSpec("forest", date(2025, 3, 28), SHITANG, "石塘村龙王山"), "周建军")
    town = make_profile("town", "梅仙镇综治中心")
    context = ledger_context(store, MARCH, town)
    rows = {row["village"]: row for row in context["by_village"]}
    expected = _expected(None)
    expected["patrols"] += 1
    shitang = _expected({SHITANG})
    shitang["patrols"] += 1
    for name, counts in (("张韩村", _expected({ZHANGHAN})), ("三里村", _expected({SANLI})),
                         ("石塘村", shitang), ("合计", expected)):
        for key in ("patrols", "findings", "findings_closed", "cases_registered", "cases_closed",
                    "visits", "services", "followups"):
            assert rows[name][key] == str(counts[key]), (name, key)
    assert rows["花坪社区"]["patrols"] == "0" and len(rows) == 31  # 30 villages and 合计
    out = tmp_path / "town.pdf"
    print_ledger(store, MARCH, out, actor="镇综治中心", profile=town)
    text = pdf_text(out)
    for value in ("全镇汇总台账", "梅仙镇综治中心", "全镇30个村（社区）", "各村（社区）工作量", "全镇合计",
                  "花坪社区", "石塘村", "合计", "巡查人", "周建军", "石塘村龙王山", "石塘港外村河段",
                  "石塘村的山林纠纷", "石外村户", "调解员", "彭建新", "走访人", "经办人",
                  _summary(expected, town=True)):
        assert value in text, value
    row = "张韩村" + "".join(rows["张韩村"][k] for k in (
        "patrols", "findings", "findings_closed", "cases_registered", "cases_closed", "visits",
        "services", "followups"))
    assert row in text


# -- an empty month, a long month, the audit log -----------------------------------------------


def test_an_empty_month_prints_zeros(store, tmp_path) -> None:
    _fill(store)
    out = tmp_path / "empty.pdf"
    result = print_ledger(store, date(2024, 7, 15), out, actor="李梅")
    text = pdf_text(out)
    zero = dict.fromkeys(_expected(None), 0)
    for value in ("2024年7月", _summary(zero), "本月没有登记任何工作记录，各项均为零。", "巡查0次",
                  "本月无巡查记录。", "本月巡查未发现问题。", "本月无新登记或结案的纠纷案件。",
                  "本月无入户走访记录。", "本月无督促监护令送达或回访。"):
        assert value in text, value
    assert "张韩村河段" not in text and result.pages >= 1


def test_a_long_month_continues_over_numbered_pages(store, tmp_path) -> None:
    village = _village(store, ZHANGHAN)
    with store.transaction() as tx:
        for number in range(120):
            patrol_store.save_patrol(tx, Patrol(
                "river", date(2025, 3, 1 + number % 31), "李梅", (village,),
                area=f"第{number + 1:03d}段"))
    out = tmp_path / "long.pdf"
    result = print_ledger(store, MARCH, out, actor="李梅")
    pages = pdf_pages(out)
    assert result.pages == len(pages) >= 4
    text = "".join(pages)
    assert "巡查120次" in text
    assert all(f"第{n:03d}段" in text for n in range(1, 121))
    for number, page in enumerate(pages, start=1):
        assert f"—{number}—" in page, number
    tables = [page for page in pages if "巡查内容" in page]
    assert len(tables) >= 3  # the header row repeats on every page of the patrol table
    assert "第001段" in pages[0] + pages[1] and "第001段" not in pages[-1]


def test_the_print_is_written_to_the_audit_log(store, tmp_path) -> None:
    print_ledger(store, MARCH, tmp_path / "ledger.pdf", actor="李梅")
    entry = audit.recent(store, 1)[0]
    assert entry.action == "print" and entry.actor == "李梅"
    assert "网格工作台账" in entry.detail and "2025年3月" in entry.detail


def test_months_are_read_or_refused_in_chinese() -> None:
    assert parse_month("2025-03") == parse_month("2025-3") == parse_month("2025年3月") == MARCH
    for bad, words in (("2025-13", "1 到 12"), ("march", "看不懂"), ("", "看不懂"),
                       ("1899-01", "年份")):
        with pytest.raises(PrintError, match=words):
            parse_month(bad)


def test_without_setup_there_is_no_ledger(tmp_path) -> None:
    store = Store.open(tmp_path / "fresh.sqlite3")
    try:
        with pytest.raises(PrintError, match="首次设置"):
            ledger_context(store, MARCH)
    finally:
        store.close()


# -- the CLI -----------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    add_print_commands(parser.add_subparsers(dest="command"))
    return parser


def test_print_ledger_on_the_command_line(session, tmp_path, capsys) -> None:
    _fill(session.store)
    paths = session.paths
    session.close()  # the command opens the folder itself
    out = tmp_path / "台账.pdf"
    args = _parser().parse_args(["print", "ledger", "--month", "2025-03", "-o", str(out)])
    assert cmd_print(paths, args) == 0
    assert _summary(_expected({ZHANGHAN, SANLI})) in pdf_text(out)
    assert "已打印到" in capsys.readouterr().out


@pytest.mark.parametrize(("argv", "words"), [
    (["print", "ledger", "--month", "2025-13"], "1 到 12"),
    (["print", "ledger", "--month", "march"], "看不懂"),
    (["print", "ledger"], "--month"),
    (["print", "ledger", "abc", "--month", "2025-03"], "不写记录编号"),
    (["print", "supervision_order"], "记录编号"),
    (["print", "supervision_order", "abc", "--month", "2025-03"], "不要用 --month"),
])
def test_wrong_print_arguments_are_a_chinese_message(session, tmp_path, capsys, argv,
                                                       words) -> None:
    out = tmp_path / "out.pdf"
    args = _parser().parse_args([*argv, "-o", str(out)])
    assert cmd_print(session.paths, args) == 1
    captured = capsys.readouterr()
    assert words in captured.err and "Traceback" not in captured.err + captured.out
    assert not out.exists()


def test_a_bad_month_through_the_app_entry_exits_1(paths, capsys) -> None:
    from meixian_desktop.app import main

    out = paths.data_dir / "out.pdf"
    code = main(["--home", str(paths.data_dir.parent), "print", "ledger", "--month", "2025-13",
                 "-o", str(out)])
    captured = capsys.readouterr()
    assert code == 1 and "月份" in captured.err and "Traceback" not in captured.err


def test_forms_lists_the_ledger(paths, capsys) -> None:
    assert cmd_forms(paths, argparse.Namespace()) == 0
    out = capsys.readouterr().out
    assert "ledger" in out and "工作台账" in out and "模板有问题" not in out


def test_a_record_form_still_prints_with_the_optional_record_id(session, tmp_path) -> None:
    order_id = full_order(session.store)
    paths = session.paths
    session.close()
    out = tmp_path / "notice.pdf"
    args = _parser().parse_args(["print", "supervision_order", order_id, "-o", str(out)])
    assert cmd_print(paths, args) == 0 and Path(out).exists()


def test_a_broken_user_copy_of_the_ledger_is_named_and_other_forms_still_work(
        paths, capsys) -> None:
    from meixian_desktop.paths import resource

    shipped = resource("ledger.toml", kind="forms").read_text(encoding="utf-8")
    own = paths.config_dir / "forms" / "ledger.toml"
    own.parent.mkdir(parents=True, exist_ok=True)
    own.write_text(shipped.replace("{item.status}", "{item.nonsense}", 1), encoding="utf-8")
    assert cmd_forms(paths, argparse.Namespace()) == 0
    out = capsys.readouterr().out
    assert "ledger.toml" in out and "item.nonsense" in out and "督促监护令" in out
