"""Errors the core raises; each surface maps them to its own error format."""

from __future__ import annotations


class DomainError(Exception):
    """Base class of every error a use case can raise on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """A referenced object does not exist (in this tenant)."""

    def __init__(self, kind: str, ref: str | None = None, message: str | None = None) -> None:
        super().__init__(message or f"{kind.capitalize()} not found")
        self.kind = kind
        self.ref = ref


class InvalidRequest(DomainError):
    """The request is well-formed but asks for something that is not allowed."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class SlotTaken(DomainError):
    """No resource can host the requested appointment at that time."""

    def __init__(
        self, message: str = "No resource is available for the selected date and time"
    ) -> None:
        super().__init__(message)


class NotHeld(DomainError):
    """The appointment is not a live hold (already confirmed, released or expired)."""

    def __init__(
        self, message: str = "Appointment is not in RESERVED state", *, expired: bool = False
    ) -> None:
        super().__init__(message)
        self.expired = expired


class WrongState(DomainError):
    """The appointment's status does not allow this change."""


class NotAllowed(DomainError):
    """The caller may not do this (e.g. book a service that is not bookable online)."""


class CatalogError(DomainError):
    """The catalog is invalid; the message names the place."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class AuthenticationRequired(DomainError):
    """No API key, or an unknown one, where a key is needed."""


class Forbidden(DomainError):
    """The presented key is valid but its scope does not allow this."""


class TooManyRequests(DomainError):
    """A client went past an abuse limit; it may try again after ``retry_after`` seconds."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)


class ForeignKeyUsed(DomainError):
    """A valid API key of another tenant was presented."""
