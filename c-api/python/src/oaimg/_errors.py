"""Exceptions, named as openai-python names them, all subclasses of :class:`oaimg.Error`."""
from __future__ import annotations

from typing import Optional, Type

__all__ = [
    "Error", "ValidationError", "RequestCancelled", "APIError", "APIStatusError",
    "BadRequestError", "AuthenticationError", "PermissionDeniedError", "NotFoundError",
    "ConflictError", "UnprocessableEntityError", "RateLimitError", "InternalServerError",
    "APIConnectionError", "APITimeoutError", "APIResponseValidationError",
]

# oaimg_status values (c-api/include/oaimg.h; append-only, never renumbered).
OK = 0
ERR_INVALID_ARGUMENT = 1
ERR_UNSUPPORTED = 2
ERR_MODEL_RETIRED = 3
ERR_NO_API_KEY = 4
ERR_AUTHENTICATION = 5
ERR_PERMISSION = 6
ERR_RATE_LIMITED = 7
ERR_CONTENT_POLICY = 8
ERR_BAD_REQUEST = 9
ERR_SERVER = 10
ERR_CONNECTION = 11
ERR_TIMEOUT = 12
ERR_CANCELLED = 13
ERR_BAD_RESPONSE = 14
ERR_IMAGE = 15
ERR_NO_MEMORY = 16
ERR_IO = 17
ERR_INTERNAL = 18
ERR_NOT_FOUND = 19
ERR_NO_SELECTION = 20


class Error(Exception):
    """Every failure oaimg reports. The message names what is wrong and what would be right.

    Attributes: ``message``; ``status`` (the C library's oaimg_status, 0 for checks made in
    Python); ``status_code`` (HTTP status, or None when there was no answer); ``code``, ``param``,
    ``type`` (the API's error fields, or for a check made before sending, ``param`` names the
    argument); ``request_id`` (the server's x-request-id, or None). The API key never appears.
    """

    def __init__(self, message: str, *, status: int = 0, status_code: Optional[int] = None,
                 code: Optional[str] = None, param: Optional[str] = None,
                 type: Optional[str] = None, request_id: Optional[str] = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.status_code = status_code
        self.code = code
        self.param = param
        self.type = type
        self.request_id = request_id


class ValidationError(Error, ValueError):
    """A value refused before any traffic: out of range for C, wrong for the model, not an image.

    ``param`` names the argument. Also a ValueError, so ``except ValueError`` catches it.
    """


class RequestCancelled(Error):
    """The request was cancelled by ``on_progress`` returning True; nothing was charged after it."""


class APIError(Error):
    """A failure talking to the API (an answer, a broken connection or an unusable response)."""


class APIStatusError(APIError):
    """The server answered with a 4xx or 5xx status (``status_code``)."""


class BadRequestError(APIStatusError):
    """HTTP 400, including a prompt or image blocked by moderation (``code`` says which)."""


class AuthenticationError(APIStatusError):
    """HTTP 401: the key was refused."""


class PermissionDeniedError(APIStatusError):
    """HTTP 403, e.g. the organization must be verified for this model."""


class NotFoundError(APIStatusError):
    """HTTP 404: the model or endpoint does not exist on this server."""


class ConflictError(APIStatusError):
    """HTTP 409, still after the allowed retries."""


class UnprocessableEntityError(APIStatusError):
    """HTTP 422."""


class RateLimitError(APIStatusError):
    """HTTP 429, still after the allowed retries. ``retry_after``: seconds the server asked to
    wait, or None."""

    retry_after: Optional[float] = None


class InternalServerError(APIStatusError):
    """HTTP 5xx, still after the allowed retries."""


class APIConnectionError(APIError):
    """The server could not be reached (DNS, refused connection, TLS)."""


class APITimeoutError(APIConnectionError):
    """A connect or per-attempt timeout, after the allowed retries."""


class APIResponseValidationError(APIError):
    """The server answered 2xx with something that is not an images result."""


_BY_STATUS = {
    ERR_INVALID_ARGUMENT: ValidationError,
    ERR_UNSUPPORTED: ValidationError,
    ERR_MODEL_RETIRED: ValidationError,
    ERR_IMAGE: ValidationError,
    ERR_NO_SELECTION: ValidationError,
    ERR_AUTHENTICATION: AuthenticationError,
    ERR_PERMISSION: PermissionDeniedError,
    ERR_NOT_FOUND: NotFoundError,
    ERR_RATE_LIMITED: RateLimitError,
    ERR_CONTENT_POLICY: BadRequestError,
    ERR_SERVER: InternalServerError,
    ERR_CONNECTION: APIConnectionError,
    ERR_TIMEOUT: APITimeoutError,
    ERR_CANCELLED: RequestCancelled,
    ERR_BAD_RESPONSE: APIResponseValidationError,
}
_BY_HTTP_STATUS = {400: BadRequestError, 401: AuthenticationError, 403: PermissionDeniedError,
                   404: NotFoundError, 409: ConflictError, 422: UnprocessableEntityError,
                   429: RateLimitError}


def error_class(status: int, http_status: Optional[int]) -> Type[Error]:
    """The exception class for a C status and the HTTP status that came with it."""
    if status == ERR_BAD_REQUEST:  # "any other 4xx": the HTTP status says which
        if http_status in _BY_HTTP_STATUS:
            return _BY_HTTP_STATUS[http_status]
        return APIStatusError if http_status else APIError
    return _BY_STATUS.get(status, Error)
