"""The printing pipeline: list the forms with their template problems, print one record."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from meixian_desktop.printing.contexts.common import FormKind, RecordNotFound
from meixian_desktop.printing.contexts.households import HOUSEHOLD_FORMS
from meixian_desktop.printing.contexts.mediation import MEDIATION_FORMS
from meixian_desktop.printing.contexts.orders import ORDER_FORMS
from meixian_desktop.printing.contexts.patrols import PATROL_FORMS
from meixian_desktop.printing.fonts import FontSet, find_fonts
from meixian_desktop.printing.render import Rendered, render
from meixian_desktop.printing.templates import Template, TemplateError, load
from meixian_desktop.store import audit
from meixian_desktop.store.database import Store

_ALL = {**ORDER_FORMS, **PATROL_FORMS, **HOUSEHOLD_FORMS, **MEDIATION_FORMS}
# The order the forms are listed in (打印 page, `forms` command).
FORMS: dict[str, FormKind] = {name: _ALL[name] for name in (
    "supervision_order", "service_receipt", "river_patrol", "forest_patrol", "farmland_patrol",
    "order_followup", "household_visit", "mediation_agreement", "mediation_application",
    "mediation_register", "mediation_investigation", "mediation_meeting",
    "mediation_return_visit", "mediation_closing", "monitoring_household")}

__all__ = ["FORMS", "FormInfo", "PrintError", "form_infos", "load_form", "print_record"]


class PrintError(Exception):
    """A print that cannot be made, with a message for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class FormInfo:
    """One form as listed: its name, title, and the problem with its template if any."""

    name: str
    title: str
    record_label: str
    template: Path | None
    problem: str = ""


def load_form(name: str, config_dir: Path | None) -> tuple[FormKind, Template]:
    """The form's kind and its checked template; TemplateError names file, line and field."""
    kind = FORMS.get(name)
    if kind is None:
        raise PrintError(f"没有名为“{name}”的表单。可用的表单：{'、'.join(FORMS)}。")
    try:
        return kind, load(name, config_dir, kind.sample)
    except FileNotFoundError as exc:
        raise PrintError(str(exc)) from exc


def form_infos(config_dir: Path | None) -> list[FormInfo]:
    """Every form, each loaded on its own so one broken template spoils no other."""
    infos = []
    for name, kind in FORMS.items():
        try:
            _kind, template = load_form(name, config_dir)
        except TemplateError as exc:
            infos.append(FormInfo(name, name, kind.record_label, exc.path, exc.message))
        except PrintError as exc:
            infos.append(FormInfo(name, name, kind.record_label, None, exc.message))
        else:
            infos.append(FormInfo(name, template.title, kind.record_label, template.path))
    return infos


def fonts_for(store: Store, font_file: Path | None = None) -> FontSet:
    """The fonts a print uses: the file asked for, else the one set in 设置, else the machine's."""
    from meixian_desktop.store import settings as settings_store

    if font_file is None:
        setting = str(settings_store.get(store, "print_font_file") or "").strip()
        font_file = Path(setting) if setting else None
    return find_fonts(font_file)


def print_record(store: Store, name: str, record_id: str, out: Path | BinaryIO, *,
                 actor: str, config_dir: Path | None = None, font_file: Path | None = None,
                 fonts: FontSet | None = None) -> Rendered:
    """Render form ``name`` for one record into ``out`` and note the print in the audit log."""
    kind, template = load_form(name, config_dir)
    try:
        context = kind.build(store, record_id, template.privacy)
    except RecordNotFound as exc:
        raise PrintError(exc.message) from exc
    chosen = fonts if fonts is not None else fonts_for(store, font_file)
    result = render(template, context, chosen, out)
    audit.record(store, actor, "print", table=kind.table, record_id=record_id,
                 detail=f"{template.title}（{name}）")
    return result
