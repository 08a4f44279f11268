"""core/lifecycle.py: the replay of unsaved steps, with no database."""

from __future__ import annotations

import pytest

from meixian_desktop.core.errors import ValidationError
from meixian_desktop.core.lifecycle import Lifecycle, StatusChange, unsaved_steps
from meixian_desktop.core.patrols import STATUSES, check_transition

CYCLE = Lifecycle(STATUSES, check_transition, "对不上", "要通过处理按钮。", "问题")


def step(source: str, target: str) -> StatusChange:
    return StatusChange("2026-06-17T10:00:00+08:00", "李梅", source, target)


def test_only_the_steps_past_those_stored_are_returned() -> None:
    history = [step("open", "rectified"), step("rectified", "closed")]
    assert unsaved_steps(CYCLE, history, "rectified", 1, "closed") == history[1:]
    assert unsaved_steps(CYCLE, history, "closed", 2, "closed") == []


def test_a_step_that_does_not_start_where_the_stored_status_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        unsaved_steps(CYCLE, [step("rectified", "closed")], "open", 0, "closed")
    assert caught.value.message == "对不上" and caught.value.field == "status"


def test_a_step_the_lifecycle_does_not_allow_is_refused() -> None:
    with pytest.raises(ValidationError):
        unsaved_steps(CYCLE, [step("open", "closed")], "open", 0, "closed")


def test_a_status_changed_by_hand_is_refused_with_its_labels() -> None:
    with pytest.raises(ValidationError) as caught:
        unsaved_steps(CYCLE, [], "open", 0, "rectified")
    assert STATUSES.label_of("open") in caught.value.message
    assert caught.value.message.endswith("要通过处理按钮。")
