"""Domain errors: services raise these, one handler in ``web/`` turns them into responses."""

from __future__ import annotations


class FirstlineError(Exception):
    """A failure the caller can understand and act on."""

    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(FirstlineError):
    status_code = 404
    code = "not_found"


class PermissionDenied(FirstlineError):
    status_code = 403
    code = "forbidden"


class NotAuthenticated(FirstlineError):
    status_code = 401
    code = "not_authenticated"


class InvalidInput(FirstlineError):
    status_code = 422
    code = "invalid"


class Conflict(FirstlineError):
    status_code = 409
    code = "conflict"


class TooManyAttempts(FirstlineError):
    status_code = 429
    code = "too_many_attempts"
