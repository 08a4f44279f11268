"""Who this installation belongs to: the worker (网格员) or the town office (镇级)."""

from __future__ import annotations

from dataclasses import dataclass, field

from meixian_desktop.core.categories import ROLES
from meixian_desktop.core.errors import ValidationError

TOWN_NAME_DEFAULT = "梅仙镇人民政府"


@dataclass(frozen=True)
class Profile:
    """The first-run answers: role, the person or office, and the villages in their care."""

    role: str
    name: str
    phone: str = ""
    villages: tuple[str, ...] = field(default_factory=tuple)
    town_name: str = TOWN_NAME_DEFAULT

    @property
    def role_label(self) -> str:
        return ROLES.label_of(self.role)

    @property
    def is_town(self) -> bool:
        return self.role == "town"


def make_profile(
    role: str,
    name: str,
    phone: str = "",
    villages: tuple[str, ...] | list[str] = (),
    town_name: str = "",
) -> Profile:
    """Validate first-run answers and return a Profile, or raise ValidationError."""
    from meixian_desktop.core.validation import check_phone

    ROLES.check(role)
    name = name.strip()
    if not name:
        who = "镇级单位名称" if role == "town" else "网格员姓名"
        raise ValidationError(f"请填写{who}。", field="name")
    if len(name) > 40:
        raise ValidationError("名称太长了（最多 40 个字），请简短一些。", field="name")
    phone = check_phone(phone) if phone.strip() else ""
    villages = tuple(dict.fromkeys(v.strip() for v in villages if v.strip()))
    if role == "worker" and not villages:
        raise ValidationError("请至少选择一个负责的村（社区）。", field="villages")
    return Profile(
        role=role,
        name=name,
        phone=phone,
        villages=villages,
        town_name=town_name.strip() or (name if role == "town" else TOWN_NAME_DEFAULT),
    )
