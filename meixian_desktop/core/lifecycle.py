"""Status lifecycles (a finding's, an order's, a case's): which step may follow which, and the
stamped record of each step taken."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from meixian_desktop.core import clock
from meixian_desktop.core.categories import CategorySet
from meixian_desktop.core.errors import ValidationError


@dataclass(frozen=True)
class StatusChange:
    """One step of a lifecycle: when, by whom, from what to what, and why."""

    at: str
    by: str
    from_status: str
    to_status: str
    note: str = ""


def check_step(statuses: CategorySet, transitions: Mapping[str, Mapping[str, str]], noun: str,
               current: str, target: str, *, allowed_intro: str = "下一步只能是") -> None:
    """Raise ValidationError unless ``noun`` (问题, 监护令, 案件) may go from ``current`` to
    ``target``, naming the steps that may."""
    if target not in transitions.get(current, {}):
        allowed = "、".join(statuses.label_of(s) for s in transitions.get(current, {})) or "无"
        raise ValidationError(
            f"{noun}现在是“{statuses.label_of(current)}”，不能直接改为“{statuses.label_of(target)}”。"
            f"{allowed_intro}：{allowed}。",
            field="status",
        )


def stamp(status: str, target: str, by: str, note: str, at: datetime | None, *,
          nobody: str = "请写明是谁做的这一步。") -> StatusChange:
    """The step as done now (or ``at``) by ``by``; ``nobody`` is the message when no one is
    named."""
    if not by.strip():
        raise ValidationError(nobody, field="status")
    moment = (at or clock.now()).isoformat(timespec="seconds")
    return StatusChange(moment, by.strip(), status, target, note.strip())


@dataclass(frozen=True)
class Lifecycle:
    """One kind's lifecycle as the replay needs it: its statuses, the check of one step (raises
    ValidationError, or RecordInvalid naming fields), and the words of its two refusals."""

    statuses: CategorySet
    check: Callable[[str, str], None]
    mismatch: str  # the saved steps do not lead where the record's steps start
    how: str  # how a status is changed instead ("要通过状态按钮，并写明经办人")
    noun: str


def unsaved_steps(cycle: Lifecycle, history: Sequence[StatusChange], stored: str, count: int,
                  target: str) -> list[StatusChange]:
    """The steps of ``history`` past the ``count`` already stored, replayed from the stored
    status ``stored``: each must start where the one before ended and be allowed by
    ``cycle.check``, and the last must reach ``target`` (a status changed by hand is refused)."""
    steps = list(history[count:])
    status = stored
    for step in steps:
        if step.from_status != status:
            raise ValidationError(cycle.mismatch, field="status")
        cycle.check(status, step.to_status)
        status = step.to_status
    if status != target:
        raise ValidationError(
            f"{cycle.noun}状态从“{cycle.statuses.label_of(status)}”改为"
            f"“{cycle.statuses.label_of(target)}”{cycle.how}", field="status")
    return steps
