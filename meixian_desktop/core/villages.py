"""Villages (村), communities (社区) and their 村民小组: the reference data of 梅仙镇."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from meixian_desktop.core.categories import VILLAGE_KINDS
from meixian_desktop.core.errors import ValidationError


@dataclass(frozen=True)
class SeedVillage:
    """One row of the shipped reference list: 12-digit statistical code, name, kind."""

    code: str
    name: str
    kind: str


def parse_village_csv(text: str) -> list[SeedVillage]:
    """Read ``code,name,kind`` rows, rejecting anything malformed with a clear message."""
    rows = list(csv.DictReader(io.StringIO(text)))
    seeds = []
    for number, row in enumerate(rows, start=2):
        code = (row.get("code") or "").strip()
        name = (row.get("name") or "").strip()
        kind = (row.get("kind") or "").strip()
        if not (len(code) == 12 and code.isdigit()):
            raise ValidationError(f"村名单第 {number} 行的统计代码“{code}”不是 12 位数字。")
        if not name or kind not in VILLAGE_KINDS:
            raise ValidationError(f"村名单第 {number} 行缺少名称或类型。")
        seeds.append(SeedVillage(code, name, kind))
    return seeds


def check_village_name(name: str) -> str:
    """A village or group name: 1–20 characters, not blank."""
    name = name.strip()
    if not name:
        raise ValidationError("请填写名称。", field="name")
    if len(name) > 20:
        raise ValidationError("名称太长了（最多 20 个字）。", field="name")
    return name


def check_village_code(code: str) -> str | None:
    """An optional 12-digit statistical code."""
    code = code.strip()
    if not code:
        return None
    if not (len(code) == 12 and code.isdigit()):
        raise ValidationError("统计代码应为 12 位数字，不知道可以不填。", field="code")
    return code
