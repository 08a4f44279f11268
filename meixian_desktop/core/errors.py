"""Errors the domain raises, each carrying a Chinese sentence for the user."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class ValidationError(ValueError):
    """A value breaks a domain rule; ``message`` says what is wrong and what to do."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class RecordInvalid(ValidationError):
    """Several fields of one record break rules; ``problems`` maps each field to its message."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = dict(problems)
        first = next(iter(self.problems.values()), "记录有错误。")
        more = f"（另有 {len(self.problems) - 1} 处需要修改）" if len(self.problems) > 1 else ""
        super().__init__(first + more, field=next(iter(self.problems), None))


class Problems:
    """Collects field problems while a record is checked, then raises them all at once."""

    def __init__(self) -> None:
        self.found: dict[str, str] = {}

    def add(self, field: str, message: str) -> None:
        self.found.setdefault(field, message)

    def check(self, field: str, rule: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Call ``rule(*args, **kwargs)``; a ValidationError becomes a problem at ``field``."""
        try:
            return rule(*args, **kwargs)
        except ValidationError as exc:
            self.add(field, exc.message)
            return None

    def raise_if_any(self) -> None:
        if self.found:
            raise RecordInvalid(self.found)
