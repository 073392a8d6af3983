"""Python binding of liboaimg through ctypes: the same engine as the GIMP plug-in and the CLI.

    import oaimg
    client = oaimg.Client()                      # key and URL from the environment
    result = client.run(oaimg.Request("generate", prompt="a lighthouse", n=2))
    for i, png in enumerate(result.images()):
        open(f"result-{i + 1}.png", "wb").write(png)

Errors raise oaimg.Error with .status, .http_status, .code, .request_id and a readable message.
The library is found through OAIMG_LIBRARY (a path), else the system's liboaimg.so.1.
"""
import ctypes
import ctypes.util
import json
import os

__all__ = ["Client", "Request", "Result", "Error", "version"]

_OPERATIONS = {"generate": 1, "edit": 2, "variation": 3}
_FORMATS = {"RGBA": 1, "RGB": 2, "L": 3, "LA": 4}
_CONTEXTS = {"auto": 0, "selection": 1, "image": 2}
_CHANNELS = {"RGBA": 4, "RGB": 3, "L": 1, "LA": 2}
# The request's text fields: each has a setter oaimg_request_set_<name>(request, const char *).
_TEXT_FIELDS = ("prompt", "model", "size", "quality", "background", "output_format",
                "moderation", "input_fidelity", "style", "response_format", "user")


def _load():
    path = os.environ.get("OAIMG_LIBRARY") or ctypes.util.find_library("oaimg") or "liboaimg.so.1"
    lib = ctypes.CDLL(path)
    P, S, U8P = ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_uint8)
    sigs = {
        "oaimg_status_str": (S, [ctypes.c_int]),
        "oaimg_version_string": (S, []),
        "oaimg_client_new": (ctypes.c_int, [ctypes.POINTER(P)]),
        "oaimg_client_free": (None, [P]),
        "oaimg_client_set_api_key": (ctypes.c_int, [P, S]),
        "oaimg_client_set_base_url": (ctypes.c_int, [P, S]),
        "oaimg_client_set_default_model": (ctypes.c_int, [P, S]),
        "oaimg_client_set_timeout_ms": (ctypes.c_int, [P, ctypes.c_long]),
        "oaimg_client_set_max_retries": (ctypes.c_int, [P, ctypes.c_int]),
        "oaimg_client_error_message": (S, [P]),
        "oaimg_client_error_http_status": (ctypes.c_int, [P]),
        "oaimg_client_error_code": (S, [P]),
        "oaimg_client_error_request_id": (S, [P]),
        "oaimg_request_new": (ctypes.c_int, [ctypes.c_int, ctypes.POINTER(P)]),
        "oaimg_request_free": (None, [P]),
        "oaimg_request_error_message": (S, [P]),
        "oaimg_request_set_n": (ctypes.c_int, [P, ctypes.c_int]),
        "oaimg_request_set_stream": (ctypes.c_int, [P, ctypes.c_int]),
        "oaimg_request_set_output_compression": (ctypes.c_int, [P, ctypes.c_int]),
        "oaimg_request_add_image": (ctypes.c_int, [P, U8P, ctypes.c_size_t]),
        "oaimg_request_set_mask": (ctypes.c_int, [P, U8P, ctypes.c_size_t]),
        "oaimg_request_set_source": (ctypes.c_int, [P, U8P, ctypes.c_uint32, ctypes.c_uint32,
                                                    ctypes.c_size_t, ctypes.c_int]),
        "oaimg_request_set_selection": (ctypes.c_int, [P, U8P, ctypes.c_uint32, ctypes.c_uint32,
                                                       ctypes.c_size_t, ctypes.c_int32, ctypes.c_int32]),
        "oaimg_request_set_context_mode": (ctypes.c_int, [P, ctypes.c_int]),
        "oaimg_client_run": (ctypes.c_int, [P, P, ctypes.POINTER(P)]),
        "oaimg_result_free": (None, [P]),
        "oaimg_result_count": (ctypes.c_size_t, [P]),
        "oaimg_result_image": (ctypes.c_int, [P, ctypes.c_size_t, ctypes.POINTER(U8P),
                                              ctypes.POINTER(ctypes.c_size_t)]),
        "oaimg_result_json": (S, [P]),
        "oaimg_result_layer": (ctypes.c_int, [P, ctypes.c_size_t, ctypes.POINTER(U8P),
                                              ctypes.POINTER(ctypes.c_uint32), ctypes.POINTER(ctypes.c_uint32),
                                              ctypes.POINTER(ctypes.c_int32), ctypes.POINTER(ctypes.c_int32)]),
        "oaimg_result_layer_mask": (ctypes.c_int, [P, ctypes.c_size_t, ctypes.POINTER(U8P),
                                                   ctypes.POINTER(ctypes.c_uint32), ctypes.POINTER(ctypes.c_uint32)]),
    }
    for text_field in _TEXT_FIELDS:
        sigs[f"oaimg_request_set_{text_field}"] = (ctypes.c_int, [P, S])
    for name, (restype, argtypes) in sigs.items():
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = restype, argtypes
    return lib


_lib = _load()


def version():
    return _lib.oaimg_version_string().decode()


class Error(Exception):
    def __init__(self, status, message, http_status=0, code=None, request_id=None):
        super().__init__(message)
        self.status = status
        self.status_text = _lib.oaimg_status_str(status).decode()
        self.http_status = http_status
        self.code = code
        self.request_id = request_id


def _check_length(what, data, width, height, channels):
    # The library reads width * height * channels bytes: a shorter buffer would be over-read.
    need = width * height * channels
    if width <= 0 or height <= 0 or len(data) < need:
        raise ValueError(f"{what}: {width}x{height} needs {need} bytes, got {len(data)}")


def _bytes_arg(data):
    buffer = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
    return buffer, len(data)


class Request:
    """What to ask for. Keyword arguments are the API's fields (prompt, model, size, n, ...)."""

    def __init__(self, operation, **fields):
        if operation not in _OPERATIONS:
            raise ValueError(f"operation {operation!r}: use one of {', '.join(_OPERATIONS)}")
        handle = ctypes.c_void_p()
        self._check(_lib.oaimg_request_new(_OPERATIONS[operation], ctypes.byref(handle)))
        self._handle = handle
        for name, value in fields.items():
            self.set(name, value)

    def _check(self, status):
        if status != 0:
            message = _lib.oaimg_request_error_message(self._handle).decode() if getattr(self, "_handle", None) else ""
            raise Error(status, message or _lib.oaimg_status_str(status).decode())

    def set(self, name, value):
        if name in ("n", "output_compression"):
            self._check(getattr(_lib, f"oaimg_request_set_{name}")(self._handle, int(value)))
        elif name == "stream":
            self._check(_lib.oaimg_request_set_stream(self._handle, -1 if value is None else int(value)))
        elif name in _TEXT_FIELDS:
            # Only these take a C string: any other setter (markup, context_mode, ...) would be
            # handed a char * where it reads a buffer and its size.
            encoded = None if value is None else str(value).encode()
            self._check(getattr(_lib, f"oaimg_request_set_{name}")(self._handle, encoded))
        else:
            raise ValueError(f"unknown request field {name!r}")
        return self

    def add_image(self, data):
        buffer, size = _bytes_arg(data)
        self._check(_lib.oaimg_request_add_image(self._handle, buffer, size))
        return self

    def set_mask(self, png):
        buffer, size = _bytes_arg(png)
        self._check(_lib.oaimg_request_set_mask(self._handle, buffer, size))
        return self

    def set_source(self, pixels, width, height, mode="RGBA"):
        """Raw 8-bit pixels, rows packed, mode RGBA, RGB, L or LA."""
        if mode not in _FORMATS:
            raise ValueError(f"mode {mode!r}: use one of {', '.join(_FORMATS)}")
        _check_length("source", pixels, width, height, _CHANNELS[mode])
        buffer, _ = _bytes_arg(pixels)
        self._check(_lib.oaimg_request_set_source(self._handle, buffer, width, height, 0, _FORMATS[mode]))
        return self

    def set_selection(self, coverage, width, height, x=0, y=0, context="auto"):
        _check_length("selection", coverage, width, height, 1)
        buffer, _ = _bytes_arg(coverage)
        self._check(_lib.oaimg_request_set_selection(self._handle, buffer, width, height, 0, x, y))
        self._check(_lib.oaimg_request_set_context_mode(self._handle, _CONTEXTS[context]))
        return self

    def __del__(self):
        if getattr(self, "_handle", None):
            _lib.oaimg_request_free(self._handle)
            self._handle = None


class Result:
    def __init__(self, handle):
        self._handle = handle

    def __len__(self):
        return _lib.oaimg_result_count(self._handle)

    def images(self):
        """The images as the server sent them (bytes)."""
        out = []
        for i in range(len(self)):
            data, size = ctypes.POINTER(ctypes.c_uint8)(), ctypes.c_size_t()
            _lib.oaimg_result_image(self._handle, i, ctypes.byref(data), ctypes.byref(size))
            out.append(ctypes.string_at(data, size.value))
        return out

    def layers(self):
        """With a source: (rgba bytes, width, height, x, y, mask bytes) per result."""
        out = []
        for i in range(len(self)):
            px, mk = ctypes.POINTER(ctypes.c_uint8)(), ctypes.POINTER(ctypes.c_uint8)()
            w, h, x, y = ctypes.c_uint32(), ctypes.c_uint32(), ctypes.c_int32(), ctypes.c_int32()
            status = _lib.oaimg_result_layer(self._handle, i, ctypes.byref(px), ctypes.byref(w),
                                             ctypes.byref(h), ctypes.byref(x), ctypes.byref(y))
            if status != 0:
                raise Error(status, "this result has no placement (the request had no source)")
            _lib.oaimg_result_layer_mask(self._handle, i, ctypes.byref(mk), None, None)
            n = w.value * h.value
            out.append((ctypes.string_at(px, 4 * n), w.value, h.value, x.value, y.value,
                        ctypes.string_at(mk, n)))
        return out

    def summary(self):
        return json.loads(_lib.oaimg_result_json(self._handle).decode())

    def __del__(self):
        if getattr(self, "_handle", None):
            _lib.oaimg_result_free(self._handle)
            self._handle = None


class Client:
    def __init__(self, api_key=None, base_url=None, default_model=None, timeout=None, max_retries=None):
        handle = ctypes.c_void_p()
        status = _lib.oaimg_client_new(ctypes.byref(handle))
        if status != 0:
            raise Error(status, _lib.oaimg_status_str(status).decode())
        self._handle = handle
        if api_key is not None:
            self._check(_lib.oaimg_client_set_api_key(self._handle, api_key.encode()))
        if base_url is not None:
            self._check(_lib.oaimg_client_set_base_url(self._handle, base_url.encode()))
        if default_model is not None:
            self._check(_lib.oaimg_client_set_default_model(self._handle, default_model.encode()))
        if timeout is not None:
            self._check(_lib.oaimg_client_set_timeout_ms(self._handle, int(timeout * 1000)))
        if max_retries is not None:
            self._check(_lib.oaimg_client_set_max_retries(self._handle, int(max_retries)))

    def _check(self, status):
        if status == 0:
            return
        h = self._handle

        def text(fn):
            value = fn(h)
            return value.decode() if value else None

        raise Error(status, text(_lib.oaimg_client_error_message) or "",
                    _lib.oaimg_client_error_http_status(h), text(_lib.oaimg_client_error_code),
                    text(_lib.oaimg_client_error_request_id))

    def run(self, request):
        result = ctypes.c_void_p()
        self._check(_lib.oaimg_client_run(self._handle, request._handle, ctypes.byref(result)))
        return Result(result)

    def __del__(self):
        if getattr(self, "_handle", None):
            _lib.oaimg_client_free(self._handle)
            self._handle = None
