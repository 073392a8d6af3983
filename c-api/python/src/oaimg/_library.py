"""Finding and loading liboaimg.so.1, and the ctypes signature of every function the package calls.

Only this module touches ctypes declarations; the rest of the package calls ``lib().oaimg_*``.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
from typing import Dict, List, Optional, Tuple

# The major version this package speaks (SONAME liboaimg.so.1). A library of another major has
# another ABI and is refused at import.
ABI_MAJOR = 1
SONAME = "liboaimg.so.%d" % ABI_MAJOR

_P = ctypes.c_void_p
_S = ctypes.c_char_p
_I = ctypes.c_int
_U8P = ctypes.POINTER(ctypes.c_uint8)
_SIZE = ctypes.c_size_t
_U32 = ctypes.c_uint32
_I32 = ctypes.c_int32
_I64 = ctypes.c_int64


def _out(t: object) -> object:
    return ctypes.POINTER(t)  # type: ignore[arg-type]


PROGRESS_FN = ctypes.CFUNCTYPE(_I, _P, _I, ctypes.c_double)
PARTIAL_IMAGE_FN = ctypes.CFUNCTYPE(None, _P, _SIZE, _I, _U8P, _SIZE)

_SIGNATURES: Dict[str, Tuple[object, List[object]]] = {
    "oaimg_status_str": (_S, [_I]),
    "oaimg_version_string": (_S, []),
    "oaimg_version_number": (_U32, []),
    "oaimg_free": (None, [_P]),
    "oaimg_model_count": (_SIZE, []),
    "oaimg_model_name": (_S, [_SIZE]),
    "oaimg_default_variation_prompt": (_S, []),
    "oaimg_client_new": (_I, [_out(_P)]),
    "oaimg_client_free": (None, [_P]),
    "oaimg_client_set_api_key": (_I, [_P, _S]),
    "oaimg_client_set_base_url": (_I, [_P, _S]),
    "oaimg_client_base_url": (_S, [_P]),
    "oaimg_client_set_organization": (_I, [_P, _S]),
    "oaimg_client_set_project": (_I, [_P, _S]),
    "oaimg_client_set_default_model": (_I, [_P, _S]),
    "oaimg_client_set_ca_bundle": (_I, [_P, _S]),
    "oaimg_client_set_connect_timeout_ms": (_I, [_P, ctypes.c_long]),
    "oaimg_client_set_timeout_ms": (_I, [_P, ctypes.c_long]),
    "oaimg_client_set_max_retries": (_I, [_P, _I]),
    "oaimg_client_set_progress_callback": (None, [_P, PROGRESS_FN, _P]),
    "oaimg_client_set_partial_image_callback": (None, [_P, PARTIAL_IMAGE_FN, _P]),
    "oaimg_client_error_message": (_S, [_P]),
    "oaimg_client_error_http_status": (_I, [_P]),
    "oaimg_client_error_type": (_S, [_P]),
    "oaimg_client_error_code": (_S, [_P]),
    "oaimg_client_error_param": (_S, [_P]),
    "oaimg_client_error_request_id": (_S, [_P]),
    "oaimg_client_error_retry_after_ms": (_I64, [_P]),
    "oaimg_request_new": (_I, [_I, _out(_P)]),
    "oaimg_request_free": (None, [_P]),
    "oaimg_request_error_message": (_S, [_P]),
    "oaimg_request_set_n": (_I, [_P, _I]),
    "oaimg_request_set_stream": (_I, [_P, _I]),
    "oaimg_request_add_image": (_I, [_P, _U8P, _SIZE]),
    "oaimg_request_set_mask": (_I, [_P, _U8P, _SIZE]),
    "oaimg_request_set_markup": (_I, [_P, _U8P, _SIZE]),
    "oaimg_request_set_source": (_I, [_P, _U8P, _U32, _U32, _SIZE, _I]),
    "oaimg_request_set_selection": (_I, [_P, _U8P, _U32, _U32, _SIZE, _I32, _I32]),
    "oaimg_request_set_context_mode": (_I, [_P, _I]),
    "oaimg_request_add_reference": (_I, [_P, _U8P, _U32, _U32, _SIZE, _I]),
    "oaimg_request_set_markup_layer": (_I, [_P, _U8P, _U32, _U32, _SIZE, _I, _I32, _I32]),
    "oaimg_request_set_extend": (_I, [_P, _U32, _U32, _U32, _U32]),
    "oaimg_extend_margins_for_aspect": (_I, [_U32, _U32, _U32, _U32, _out(_U32), _out(_U32),
                                             _out(_U32), _out(_U32)]),
    "oaimg_client_run": (_I, [_P, _P, _out(_P)]),
    "oaimg_result_free": (None, [_P]),
    "oaimg_result_count": (_SIZE, [_P]),
    "oaimg_result_image": (_I, [_P, _SIZE, _out(_U8P), _out(_SIZE)]),
    "oaimg_result_image_format": (_S, [_P, _SIZE]),
    "oaimg_result_revised_prompt": (_S, [_P, _SIZE]),
    "oaimg_result_model": (_S, [_P]),
    "oaimg_result_size": (_S, [_P]),
    "oaimg_result_quality": (_S, [_P]),
    "oaimg_result_background": (_S, [_P]),
    "oaimg_result_output_format": (_S, [_P]),
    "oaimg_result_created": (_I64, [_P]),
    "oaimg_result_usage": (None, [_P, _out(_I64), _out(_I64), _out(_I64)]),
    "oaimg_result_usage_details": (None, [_P, _out(_I64), _out(_I64), _out(_I64), _out(_I64)]),
    "oaimg_result_safety_identifier": (_S, [_P]),
    "oaimg_result_json": (_S, [_P]),
    "oaimg_result_layer": (_I, [_P, _SIZE, _out(_U8P), _out(_U32), _out(_U32), _out(_I32),
                                _out(_I32)]),
    "oaimg_result_layer_mask": (_I, [_P, _SIZE, _out(_U8P), _out(_U32), _out(_U32)]),
    "oaimg_png_decode": (_I, [_U8P, _SIZE, ctypes.c_uint64, _out(_U8P), _out(_U32), _out(_U32)]),
    "oaimg_png_encode": (_I, [_U8P, _U32, _U32, _SIZE, _I, _out(_U8P), _out(_SIZE)]),
}

# Request setters that take one value; which of them the loaded library has is decided at
# load time, so that a field added to the C API later is a one-line change in _fields.py.
TEXT_SETTER = (_I, [_P, _S])
INT_SETTER = (_I, [_P, _I])


def _candidates() -> List[Tuple[str, str]]:
    """(how it was found, path or name) in the order they are tried."""
    found = []
    explicit = os.environ.get("OAIMG_LIBRARY")
    if explicit:
        return [("OAIMG_LIBRARY", explicit)]
    here = os.path.dirname(os.path.abspath(__file__))
    bundled = os.path.join(here, SONAME)
    if os.path.exists(bundled):
        found.append(("next to the package", bundled))
    try:  # written by `cmake --install`: the library installed with this copy of the package
        from ._installed_library import LIBRARY_PATH  # type: ignore[import-not-found]

        if os.path.exists(LIBRARY_PATH):
            found.append(("the CMake install", LIBRARY_PATH))
    except ImportError:
        pass
    found.append(("the library search path", SONAME))
    by_name = ctypes.util.find_library("oaimg")
    if by_name and by_name != SONAME:
        found.append(("the library search path", by_name))
    return found


def _load() -> Tuple[ctypes.CDLL, str]:
    tried = []
    for how, path in _candidates():
        try:
            return ctypes.CDLL(path), path
        except OSError as error:
            tried.append("%s (%s): %s" % (path, how, error))
    raise ImportError(
        "oaimg needs the C library %s and could not load it. Tried: %s. Install liboaimg "
        "(`cmake --install`, see the oaimg README), add its folder to LD_LIBRARY_PATH, or set "
        "OAIMG_LIBRARY to the file." % (SONAME, "; ".join(tried)), name="oaimg")


def _declare(library: ctypes.CDLL, path: str) -> None:
    missing = [name for name in _SIGNATURES if not hasattr(library, name)]
    if missing:
        raise ImportError("%s is not a liboaimg %d.x this package can use: it lacks %s"
                          % (path, ABI_MAJOR, ", ".join(missing)), name="oaimg")
    for name, (restype, argtypes) in _SIGNATURES.items():
        function = getattr(library, name)
        function.restype, function.argtypes = restype, argtypes


def _check_major(library: ctypes.CDLL, path: str) -> str:
    version = library.oaimg_version_string().decode()
    major = library.oaimg_version_number() // 10000
    if major != ABI_MAJOR:
        raise ImportError("%s is liboaimg %s; this package needs major version %d"
                          % (path, version, ABI_MAJOR), name="oaimg")
    return version


_library, LIBRARY_PATH = _load()
_declare(_library, LIBRARY_PATH)
LIBRARY_VERSION = _check_major(_library, LIBRARY_PATH)
_setters: Dict[str, Optional[object]] = {}


def lib() -> ctypes.CDLL:
    """The loaded library, every declared function typed."""
    return _library


def setter(name: str, signature: Tuple[object, List[object]]) -> Optional[object]:
    """oaimg_request_set_<name>, typed; None when the loaded library does not have it."""
    if name not in _setters:
        function = getattr(_library, "oaimg_request_set_" + name, None)
        if function is not None:
            function.restype, function.argtypes = signature
        _setters[name] = function
    return _setters[name]


def text(value: Optional[bytes]) -> Optional[str]:
    """A C string the library returned, as str (None stays None)."""
    return None if value is None else value.decode("utf-8", "replace")
