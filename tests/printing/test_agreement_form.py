"""人民调解协议书: parties (ID numbers masked), numbered terms with sums in capitals,
performance, signature lines for every party and the mediator, the seal, 司法确认."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from meixian_desktop.core.mediation import Agreement, MediationCase, Mediator, Party
from meixian_desktop.printing.contexts.mediation import with_capitals
from meixian_desktop.printing.forms import PrintError, print_record
from meixian_desktop.store import mediation as mediation_store
from meixian_desktop.store.database import Store
from tests.printing.helpers import pdf_text, village_id


def _print(store: Store, record_id: str, tmp_path: Path) -> tuple[Path, int]:
    out = tmp_path / "agreement.pdf"
    return out, print_record(store, "mediation_agreement", record_id, out, actor="李梅").pages


def _case(store: Store, agreement: Agreement | None, parties: tuple[Party, ...]) -> str:
    case = MediationCase(date(2025, 3, 1), "application", "neighbour", village_id(store),
                         "两家因排水沟堵塞发生争执，张三要求赔偿菜地损失。", parties,
                         mediators=(Mediator("彭建新", "mediator"), Mediator("赵评理", "panel")),
                         agreement=agreement)
    with store.transaction() as tx:
        return mediation_store.save_case(tx, case, "李梅")


def test_full_agreement_prints_every_value(store, tmp_path) -> None:
    parties = (Party("person", "张三", "male", "汉族", 45, None, "11010519491231002X",
                     "13907301234", "张韩村三组", "农民"),
               Party("person", "李四", "female", "汉族", 52),
               Party("organisation", "平江县某建材公司", address="平江县城关镇",
                     legal_representative="王五", credit_code="91430626MA4L000000"))
    agreement = Agreement(("李四于2025年3月20日前赔偿张三菜地损失5000元",
                           "双方共同疏通排水沟"), date(2025, 3, 10), "现金当面交付", "张韩村村部",
                          date(2025, 3, 20), 4)
    out, _ = _print(store, _case(store, agreement, parties), tmp_path)
    text = pdf_text(out)
    for value in ("人民调解协议书", "张三，男，汉族，45岁，身份证号码：110105********002X", "农民",
                  "张韩村三组", "13907301234", "李四，女，汉族，52岁", "平江县某建材公司",
                  "法定代表人：王五", "91430626MA4L000000", "两家因排水沟堵塞发生争执",
                  "人民调解员：彭建新", "（一）李四于2025年3月20日前赔偿张三菜地损失5000元"
                  "（¥5,000.00，大写：伍仟元整）", "（二）双方共同疏通排水沟", "现金当面交付",
                  "张韩村村部", "2025年3月20日前", "一式4份", "三十日内共同向人民法院申请司法确认",
                  "当事人一", "当事人二", "当事人三", "签名（盖章或按指印）", "人民调解员（签名）",
                  "梅仙镇人民调解委员会", "2025年3月10日", "（印章）"):
        assert value in text, value
    assert "11010519491231002X" not in text


def test_minimal_agreement_prints(store, tmp_path) -> None:
    agreement = Agreement(("双方互谅互让",), date(2025, 3, 2))
    out, pages = _print(store, _case(store, agreement, (Party("person", "甲某"),
                                                         Party("person", "乙某"))), tmp_path)
    text = pdf_text(out)
    for value in ("人民调解协议书", "甲某", "乙某", "（一）双方互谅互让", "2025年3月2日", "向人民法院申请"):
        assert value in text, value
    assert "大写" not in text and "履行期限前" not in text and pages >= 1


def test_a_case_without_agreement_has_no_agreement_to_print(store, tmp_path) -> None:
    case_id = _case(store, None, (Party("person", "甲某"), Party("person", "乙某")))
    with pytest.raises(PrintError, match="没有达成调解协议"):
        _print(store, case_id, tmp_path)
    with pytest.raises(PrintError, match="找不到"):
        _print(store, "no-such-id", tmp_path)


def test_sums_of_money_get_figures_and_capitals() -> None:
    assert with_capitals("赔偿1,200.50元") == "赔偿1,200.50元（¥1,200.50，大写：壹仟贰佰元伍角）"
    assert with_capitals("共1.2万元").endswith("（¥12,000.00，大写：壹万贰仟元整）")
    assert with_capitals("已付300元（大写：叁佰元整）") == "已付300元（大写：叁佰元整）"
    assert with_capitals("双方和好") == "双方和好"


def test_demo_agreement_prints(session, tmp_path) -> None:
    from meixian_desktop.demo import fill_demo

    fill_demo(session)
    case_id = session.store.conn.execute(
        "SELECT id FROM cases WHERE deleted = 0 AND agreement IS NOT NULL LIMIT 1").fetchone()[0]
    out, pages = _print(session.store, case_id, tmp_path)
    assert pages >= 1 and out.stat().st_size > 1000
