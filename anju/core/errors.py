"""Domain errors. Services raise them; views and the API turn them into Chinese messages."""

from django.core.exceptions import ValidationError


class DomainError(Exception):
    """A refused operation with a user-facing (translatable) message."""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def validation_error_messages(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            field: [str(m) for e in errors for m in e.messages]
            for field, errors in error.error_dict.items()
        }
    return {"__all__": [str(m) for m in error.messages]}
