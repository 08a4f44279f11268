"""What every form's context shares: the context and privacy types, the form kinds, a record
not found, village names, and an ID number or phone as the form's privacy says."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from meixian_desktop.core.categories import CategorySet
from meixian_desktop.core.masking import mask_id_number, mask_phone
from meixian_desktop.store.database import Store
from meixian_desktop.store.villages import list_villages

Context = dict[str, Any]


Privacy = Mapping[str, str]


class RecordNotFound(Exception):
    """The record to print does not exist (or was deleted)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def village_names(store: Store) -> dict[str, str]:
    return {v.id: v.name for v in list_villages(store, include_retired=True)}


def id_shown(number: str, privacy: Privacy) -> str:
    return number if privacy.get("id_number", "masked") == "full" else mask_id_number(number)


def phone_shown(number: str, privacy: Privacy) -> str:
    if not number or privacy.get("phone", "full") == "full":
        return number
    return mask_phone(number)


def checklist(chosen: tuple[str, ...], labels: CategorySet) -> list[dict[str, Any]]:
    """Every category as a ☑/☐ item: the active ones, and retired ones that were chosen."""
    return [{"label": item.label, "checked": item.code in chosen}
            for item in labels if not item.retired or item.code in chosen]


def number_with_unit(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    return f"{value:g}{unit}"


@dataclass(frozen=True)
class FormKind:
    """A printable form: its template name, the table its records live in, how to build
    its context from a record, and a fully filled sample context."""

    name: str
    table: str
    record_label: str
    build: Callable[[Store, str, Privacy], Context]
    sample: Callable[[Privacy], Context]


def code_label(labels: Any, code: str) -> str:
    return str(labels.label_of(code)) if code else ""
