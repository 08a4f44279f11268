"""Categories as data: a stable code stored, a Chinese label shown, extensible by the town."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from meixian_desktop.core.errors import ValidationError


@dataclass(frozen=True)
class Category:
    """One choice in a list: ``code`` is stored and synced, ``label`` is what people read."""

    code: str
    label: str
    retired: bool = False


class CategorySet:
    """An ordered set of categories with lookup by code; retired ones still resolve."""

    def __init__(self, name: str, label: str, items: Iterable[Category]) -> None:
        self.name = name
        self.label = label
        self._items: dict[str, Category] = {}
        for item in items:
            if item.code in self._items:
                raise ValueError(f"{name}: duplicate code {item.code}")
            self._items[item.code] = item

    def __iter__(self) -> Iterator[Category]:
        return iter(self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, code: object) -> bool:
        return code in self._items

    def active(self) -> list[Category]:
        """The categories a user may pick for a new record."""
        return [item for item in self._items.values() if not item.retired]

    def label_of(self, code: str) -> str:
        """The Chinese label; an unknown code is shown as itself rather than hidden."""
        item = self._items.get(code)
        return item.label if item else code

    def check(self, code: str) -> str:
        """Return ``code`` if it names a current category, else a ValidationError."""
        item = self._items.get(code)
        if item is None:
            raise ValidationError(
                f"“{code}”不是{self.label}里的类别，请从列表中选择。", field=self.name
            )
        if item.retired:
            raise ValidationError(
                f"“{item.label}”已经停用，请选择其他{self.label}。", field=self.name
            )
        return code

    def extended(self, extra: Iterable[Category]) -> CategorySet:
        """This set plus (or overriding labels with) categories the town added."""
        merged = dict(self._items)
        for item in extra:
            merged[item.code] = item
        return CategorySet(self.name, self.label, merged.values())


def categories(name: str, label: str, pairs: Iterable[tuple[str, str]]) -> CategorySet:
    """Build a category set from (code, label) pairs."""
    return CategorySet(name, label, (Category(code, text) for code, text in pairs))


ROLES = categories("role", "角色", [("worker", "网格员"), ("town", "镇级")])
VILLAGE_KINDS = categories(
    "village_kind", "村（社区）类型", [("village", "村"), ("community", "社区")]
)
