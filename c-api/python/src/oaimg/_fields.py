"""The request's plain fields and how each reaches the C library.

A field named F with type str is set through ``oaimg_request_set_F(request, const char *)``; one of
type int through ``oaimg_request_set_F(request, int)``. Adding a field the C API gained is the
one line in RequestFields below. A field the loaded library lacks is refused with a message that
says so (an older liboaimg), never silently dropped.
"""
from __future__ import annotations

from typing import Any, Dict, TypedDict

from . import _errors, _inputs
from ._library import INT_SETTER, TEXT_SETTER, lib, setter, text


class RequestFields(TypedDict, total=False):
    """Keyword arguments every call takes; None (or leaving it out) sends nothing, so the model's
    default applies. What each value may be depends on the model; a wrong one raises
    ValidationError naming the field before anything is sent."""

    model: str                # e.g. "gpt-image-1", "dall-e-2"; default: the client's
    n: int                    # images wanted, >= 1 (fanned out on one-image-a-request models)
    size: str                 # "auto", "1024x1024", any "WxH" the model allows
    quality: str              # "auto", "low", "medium", "high", "standard", "hd"
    background: str           # "auto", "transparent", "opaque"
    output_format: str        # "png", "jpeg", "webp"
    output_compression: int   # 0-100, jpeg/webp only
    moderation: str           # "auto", "low"
    input_fidelity: str       # "low", "high" (edits)
    style: str                # "vivid", "natural" (dall-e-3)
    response_format: str      # "url", "b64_json" (DALL-E contract; both give bytes)
    user: str                 # deprecated by the API: use safety_identifier
    safety_identifier: str    # a stable hashed end-user id; a non-empty one wins over user
    complexity: str           # "low", "medium", "high": planning effort (GPT image models)
    allow_experimental_size: int  # 1: planned sizes may exceed 2560x1440 (the API's experimental)


def _kind(annotation: Any) -> type:
    # Annotations are strings here (postponed evaluation), wrapped by TypedDict in ForwardRef.
    name = getattr(annotation, "__forward_arg__", annotation)
    return int if name in ("int", int) else str


FIELD_TYPES: Dict[str, type] = {name: _kind(annotation)
                                for name, annotation in RequestFields.__annotations__.items()}


def apply(request: Any, fields: Dict[str, Any]) -> None:
    """Sets each non-None field on a C request handle; raises ValidationError on refusal."""
    for name, value in fields.items():
        if value is None:
            continue
        kind = FIELD_TYPES.get(name)
        if kind is None:
            raise TypeError("unexpected keyword argument %r; request fields are %s"
                            % (name, ", ".join(sorted(FIELD_TYPES))))
        signature = INT_SETTER if kind is int else TEXT_SETTER
        function = setter(name, signature)
        if function is None:
            raise _errors.ValidationError(
                "%s: the loaded liboaimg %s has no oaimg_request_set_%s; install a newer one"
                % (name, lib().oaimg_version_string().decode(), name), param=name)
        if kind is int:
            argument: Any = _inputs.integer(name, value, _inputs.INT32_MIN, _inputs.INT32_MAX)
        else:
            argument = _inputs.c_string(name, value)
        check_request(request, function(request, argument), name)  # type: ignore[operator]


def check_request(request: Any, status: int, param: str) -> None:
    if status != _errors.OK:
        message = text(lib().oaimg_request_error_message(request)) or \
            lib().oaimg_status_str(status).decode()
        raise _errors.error_class(status, None)(message, status=status, param=param)
