"""oaimg: image generation, inpainting and variations through the OpenAI Images API (and servers
that speak it), on liboaimg, the engine of the oaimg GIMP plug-in and command line.

    import oaimg
    client = oaimg.Client()                 # OPENAI_API_KEY / OPENAI_BASE_URL from the environment
    result = client.generate(prompt="a lighthouse at dusk", n=2)
    for i, image in enumerate(result.images):
        open(f"result-{i + 1}.{result.formats[i]}", "wb").write(image)

Edits with a selection plan the region, meet the model's limits and put each result back
(``result.layers``); see ``Client.edit``. Images may be paths, encoded bytes, PIL images or numpy
arrays; neither Pillow nor numpy is required.

The C library is found through OAIMG_LIBRARY (a path), a copy next to this package, the one a
CMake install put with it, or the system's library search path (liboaimg.so.1).
``__version__`` is the loaded library's version.
"""
from __future__ import annotations

from typing import List

from ._client import STAGES, AsyncClient, Client
from ._errors import (APIConnectionError, APIError, APIResponseValidationError, APIStatusError,
                      APITimeoutError, AuthenticationError, BadRequestError, ConflictError, Error,
                      InternalServerError, NotFoundError, PermissionDeniedError, RateLimitError,
                      RequestCancelled, UnprocessableEntityError, ValidationError)
from ._fields import RequestFields
from ._inputs import ImageInput
from ._library import LIBRARY_PATH, LIBRARY_VERSION, lib as _lib
from ._results import ImagesResult, Layer, Usage

__version__: str = LIBRARY_VERSION
"""The version of the loaded liboaimg ("1.0.0")."""

library_path: str = LIBRARY_PATH
"""The liboaimg file (or name) that was loaded."""


def models() -> List[str]:
    """The model names the library knows (a name it does not know is sent as it is)."""
    library = _lib()
    return [library.oaimg_model_name(i).decode() for i in range(library.oaimg_model_count())]


__all__ = [
    "__version__", "library_path", "models", "STAGES", "Client", "AsyncClient", "ImagesResult",
    "Layer", "Usage", "RequestFields", "ImageInput", "Error", "ValidationError",
    "RequestCancelled", "APIError", "APIStatusError", "BadRequestError", "AuthenticationError",
    "PermissionDeniedError", "NotFoundError", "ConflictError", "UnprocessableEntityError",
    "RateLimitError", "InternalServerError", "APIConnectionError", "APITimeoutError",
    "APIResponseValidationError",
]
