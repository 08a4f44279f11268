"""Shared helpers for printing tests: records made through the store, PDF text."""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from pathlib import Path

from pypdf import PdfReader

from meixian_desktop.core.order_followups import ServiceRecord
from meixian_desktop.core.orders import Duty, Guardian, SupervisionOrder
from meixian_desktop.core.patrols import Finding, Patrol
from meixian_desktop.store import orders as order_store
from meixian_desktop.store import patrols as patrol_store
from meixian_desktop.store.database import Store
from meixian_desktop.store.villages import village_by_code

ZHANGHAN = "430626108210"


def pdf_pages(path: Path | bytes) -> list[str]:
    """The text of each page (a file, or a PDF held in memory), with whitespace removed (CJK
    wrapping breaks lines anywhere)."""
    source = io.BytesIO(path) if isinstance(path, bytes) else path
    return [re.sub(r"\s+", "", page.extract_text() or "") for page in PdfReader(source).pages]


def pdf_text(path: Path | bytes) -> str:
    return "".join(pdf_pages(path))


def village_id(store: Store) -> str:
    village = village_by_code(store, ZHANGHAN)
    assert village is not None
    return village.id


def full_order(store: Store, guardian_name: str = "王大明") -> str:
    order = SupervisionOrder(
        number="平检未督〔2025〕7号", issue_date=date(2025, 3, 5), village_id=village_id(store),
        guardians=(Guardian(guardian_name, "父亲", "11010519491231002X", "张韩村三组18号",
                            "13907301234"),
                   Guardian("李秀英", "祖母", "", "张韩村三组18号", "0730-1234567")),
        minor_name="王小明", minor_pseudonym="小王", facts=("absent_migrant", "other"),
        legal_basis=("civil_code_34", "family_education_49"),
        duties=(Duty("每周与孩子视频通话", "每周不少于两次", date(2025, 4, 5)),
                Duty("参加家庭教育指导课程", "每月一次", date(2025, 6, 30))),
        minor_id_number="", minor_birth_date=date(2010, 6, 1), minor_gender="male",
        facts_detail="长期放任孩子深夜上网", observation_start=date(2025, 3, 10),
        observation_end=date(2025, 9, 10), feedback_method="电话或书面报告",
        contact="0730-5551234", consequences="如拒不履行，本院将依法处理。",
        copies_to="梅仙镇人民政府、张韩村民委员会")
    with store.transaction() as tx:
        return order_store.save_order(tx, order, "李梅")


def minimal_order(store: Store) -> str:
    order = SupervisionOrder(
        number="平检未督〔2025〕8号", issue_date=date(2025, 3, 6), village_id=village_id(store),
        guardians=(Guardian("赵四", "母亲"),), minor_name="赵小五", minor_pseudonym="小赵",
        facts=("no_safety_education",), legal_basis=("civil_code_34",),
        duties=(Duty("加强安全教育"),))
    with store.transaction() as tx:
        return order_store.save_order(tx, order, "李梅")


def serve(store: Store, order_id: str) -> None:
    service = ServiceRecord("direct", datetime(2025, 3, 7, 9, 30), "王大明", ("李梅", "周检察官"),
                            document_number="平检未督〔2025〕7号", recipient_relation="父亲",
                            address="张韩村三组18号", place="受送达人家中",
                            recipient_signed=True)
    with store.transaction() as tx:
        order_store.save_service(tx, order_id, service, "李梅", at=service.served_at)


def river_patrol(store: Store, findings: int = 2) -> str:
    found = tuple(
        Finding("illegal_fishing" if n % 2 else "floating_waste", f"第{n + 1}处问题：河面发现漂浮物",
                place=f"梅仙段{n + 1}号桩", persons="", action="registered",
                deadline=date(2025, 3, 12))
        for n in range(findings))
    patrol = Patrol("river", date(2025, 3, 5), "李梅", (village_id(store),), start_time="08:00",
                    end_time="11:30", weather="sunny", companions="张三、王五", area="张韩村河段",
                    route_start="张韩桥", route_end="梅仙渡口", distance_km=6.5,
                    notes="沿途宣传十年禁渔", signature="李梅", river_name="汨罗江",
                    river_section="梅仙段", river_chief_level="village", findings=found)
    with store.transaction() as tx:
        return patrol_store.save_patrol(tx, patrol)


def minimal_patrol(store: Store) -> str:
    patrol = Patrol("river", date(2025, 3, 6), "周敏", (village_id(store),))
    with store.transaction() as tx:
        return patrol_store.save_patrol(tx, patrol)
