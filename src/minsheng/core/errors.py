"""The errors every service raises, one class per kind of refusal.

Views and the API map them to HTTP statuses (``status``); the message is already in
the user's language because it is built with gettext at the point of refusal.
"""

from typing import Any


class MinshengError(Exception):
    """Base class: a refusal with a user-facing message and a stable code."""

    code = "error"
    status = 400

    def __init__(self, message: Any, *, field_errors: dict[str, list[str]] | None = None):
        super().__init__(str(message))
        self.message = str(message)
        self.field_errors = field_errors or {}


class NotFound(MinshengError):
    code = "not_found"
    status = 404


class PermissionDenied(MinshengError):
    """The actor's roles do not allow this action."""

    code = "forbidden"
    status = 403


class OutOfScope(PermissionDenied):
    """The actor may do this kind of thing, but not to this record."""

    code = "out_of_scope"


class InvalidTransition(MinshengError):
    """The record is not in a state that allows this action."""

    code = "invalid_state"
    status = 409


class VersionConflict(MinshengError):
    """Someone changed the record since the actor loaded it."""

    code = "version_conflict"
    status = 409


class ValidationFailed(MinshengError):
    """Input is missing or malformed; ``field_errors`` says where."""

    code = "invalid_input"
    status = 400

    @classmethod
    def for_field(cls, field: str, message: Any) -> "ValidationFailed":
        """The usual case: one message about one field."""
        return cls(message, field_errors={field: [str(message)]})
