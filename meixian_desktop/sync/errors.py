"""Sync failures the user can act on, each with a plain Chinese message."""

from __future__ import annotations


class SyncError(Exception):
    """A sync step that cannot be done now; ``message`` says why and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NothingToSend(SyncError):
    """Every record is already with the town: no batch is written, and that is fine."""
