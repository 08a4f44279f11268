"""Errors the domain raises, each carrying a Chinese sentence for the user."""


class ValidationError(ValueError):
    """A value breaks a domain rule; ``message`` says what is wrong and what to do."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
