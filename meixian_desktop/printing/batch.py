"""Batch printing: the records a form can print over a date range, and many copies in one PDF."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from meixian_desktop.core.households import VISIT_TYPES
from meixian_desktop.core.mediation import STATUSES as CASE_STATUSES
from meixian_desktop.core.orders import STATUSES as ORDER_STATUSES
from meixian_desktop.core.patrols import KINDS
from meixian_desktop.core.progress import Progress
from meixian_desktop.printing.contexts.common import RecordNotFound
from meixian_desktop.printing.fonts import FontSet
from meixian_desktop.printing.forms import FORMS, PrintError, fonts_for, load_form
from meixian_desktop.printing.render import Rendered, render_many
from meixian_desktop.store import audit
from meixian_desktop.store.database import Store


@dataclass(frozen=True)
class Candidate:
    """A record the form can print, as one line of the 打印 page's list."""

    id: str
    date: str
    text: str
    status: str = ""


@dataclass(frozen=True)
class _Source:
    """How to list one table's records by date: SQL giving id, date, text, status code."""

    sql: str
    describe: Callable[[tuple[Any, ...]], Candidate]
    dated: bool = True


def _patrol(row: tuple[Any, ...]) -> Candidate:
    return Candidate(row[0], row[1], f"{KINDS.label_of(row[2])} {row[3] or ''}（{row[4]}）",
                     "")


def _order(row: tuple[Any, ...]) -> Candidate:
    return Candidate(row[0], row[1], f"{row[2]} {row[3]}", ORDER_STATUSES.label_of(row[4]))


def _case(row: tuple[Any, ...]) -> Candidate:
    summary = str(row[3] or "")
    short = summary if len(summary) <= 24 else summary[:24] + "…"
    return Candidate(row[0], row[1], f"{row[2]} {short}", CASE_STATUSES.label_of(row[4]))


def _visit(row: tuple[Any, ...]) -> Candidate:
    return Candidate(row[0], row[1], f"{row[2]} {row[3]}（{VISIT_TYPES.label_of(row[4])}）")


def _household(row: tuple[Any, ...]) -> Candidate:
    return Candidate(row[0], row[1] or "", f"{row[2] or ''} {row[3]}", "")


_SOURCES: dict[str, _Source] = {
    "patrols": _Source(
        "SELECT id, patrol_date, kind, area, leader FROM patrols WHERE deleted = 0 "
        "AND patrol_date BETWEEN ? AND ? {kind} ORDER BY patrol_date, id", _patrol),
    "orders": _Source(
        "SELECT id, issue_date, number, minor_pseudonym, status FROM orders WHERE deleted = 0 "
        "AND issue_date BETWEEN ? AND ? ORDER BY issue_date, number", _order),
    "order_followups": _Source(
        "SELECT f.id, f.followup_date, o.number, o.minor_pseudonym, o.status "
        "FROM order_followups f JOIN orders o ON o.id = f.order_id WHERE f.deleted = 0 "
        "AND f.followup_date BETWEEN ? AND ? ORDER BY f.followup_date, f.id", _order),
    "cases": _Source(
        "SELECT id, registered_on, number, summary, status FROM cases WHERE deleted = 0 "
        "AND registered_on BETWEEN ? AND ? ORDER BY registered_on, number_seq", _case),
    "visits": _Source(
        "SELECT v.id, v.visit_date, h.head_name, h.address, v.visit_type "
        "FROM visits v JOIN households h ON h.id = v.household_id WHERE v.deleted = 0 "
        "AND v.visit_date BETWEEN ? AND ? ORDER BY v.visit_date, v.id", _visit),
    "households": _Source(
        "SELECT id, monitoring_included_on, number, head_name FROM households "
        "WHERE deleted = 0 AND coalesce(monitoring_type, '') <> '' "
        "ORDER BY number, head_name", _household, dated=False),
}

# Patrol sheets print only their own kind of patrol.
_PATROL_KIND = {"river_patrol": "river", "forest_patrol": "forest",
                "farmland_patrol": "farmland"}


def candidates(store: Store, form: str, start: str, end: str) -> list[Candidate]:
    """The live records form ``form`` can print, dated from ``start`` to ``end`` (ISO dates)."""
    kind = FORMS.get(form)
    if kind is None:
        raise PrintError(f"没有名为“{form}”的表单。")
    source = _SOURCES.get(kind.table)
    if source is None:
        return []
    params: list[Any] = [start, end] if source.dated else []
    extra = ""
    if form in _PATROL_KIND:
        extra = "AND kind = ?"
        params.append(_PATROL_KIND[form])
    rows = store.conn.execute(source.sql.format(kind=extra), params).fetchall()
    return [source.describe(tuple(row)) for row in rows]


def print_records(store: Store, form: str, record_ids: list[str], out: Path | BinaryIO, *,
                  actor: str, config_dir: Path | None = None, font_file: Path | None = None,
                  fonts: FontSet | None = None, progress: Progress | None = None) -> Rendered:
    """Print form ``form`` for every record in ``record_ids`` into one PDF (each copy on its own
    pages, in the order given) and note each print in the audit log. A cancel writes nothing."""
    if not record_ids:
        raise PrintError("没有选中要打印的记录。请先在列表里勾选。")
    kind, template = load_form(form, config_dir)
    chosen = fonts if fonts is not None else fonts_for(store, font_file)
    total = len(record_ids)

    def contexts() -> Iterator[tuple[str, Mapping[str, Any]]]:
        for index, record_id in enumerate(record_ids):
            if progress is not None:
                progress.step(index, total, "准备")
            try:
                context = kind.build(store, record_id, template.privacy)
            except RecordNotFound as exc:
                raise PrintError(f"第 {index + 1} 份：{exc.message}") from exc
            yield f"第 {index + 1} 份", context

    result = render_many(template, contexts(), chosen, out, progress=progress, total=total)
    with store.transaction():
        for record_id in record_ids:
            audit.record(store, actor, "print", table=kind.table, record_id=record_id,
                         detail=f"{template.title}（{form}，批量 {total} 份）")
    return result
