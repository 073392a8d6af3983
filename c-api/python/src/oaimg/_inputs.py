"""Turning what a caller hands over into what the C library takes, with every value checked so
that ctypes never truncates or wraps it: paths, encoded bytes, PIL images and numpy arrays (the
last two recognised by their interfaces, so neither Pillow nor numpy is needed)."""
from __future__ import annotations

import ctypes
import math
import operator
import os
from typing import TYPE_CHECKING, Any, Optional, Tuple, Union

from . import _errors
from ._library import lib

if TYPE_CHECKING:  # only for type checkers: neither is imported at run time
    import numpy
    import PIL.Image

# What image arguments accept: a path, the encoded file's bytes, a PIL image, a numpy array.
ImageInput = Union[str, "os.PathLike[str]", bytes, bytearray, memoryview, "PIL.Image.Image",
                   "numpy.ndarray"]

INT32_MIN, INT32_MAX = -(2 ** 31), 2 ** 31 - 1
UINT32_MAX = 2 ** 32 - 1
LONG_MAX = 2 ** (8 * ctypes.sizeof(ctypes.c_long) - 1) - 1

# oaimg_pixel_format by channel count, and by PIL mode.
_FORMAT_BY_CHANNELS = {4: 1, 3: 2, 1: 3, 2: 4}
_PIL_MODES = {"RGBA": 4, "RGB": 3, "L": 1, "LA": 2}


def invalid(param: str, message: str) -> _errors.ValidationError:
    return _errors.ValidationError("%s: %s" % (param, message), param=param)


def integer(param: str, value: Any, low: int, high: int) -> int:
    """An int in [low, high]; bools and floats are refused rather than converted."""
    if isinstance(value, bool):
        raise invalid(param, "expected an integer, got %r" % value)
    try:
        number = operator.index(value)  # ints and numpy integers, not 2.5 or "3"
    except TypeError:
        raise invalid(param, "expected an integer, got %s" % type(value).__name__) from None
    if not low <= number <= high:
        raise invalid(param, "%d is out of range; use %d to %d" % (number, low, high))
    return number


def seconds_to_ms(param: str, value: Any) -> int:
    """A timeout in seconds as whole milliseconds for a C long, > 0."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise invalid(param, "expected seconds as a number, got %r" % (value,))
    if not math.isfinite(value) or value <= 0:
        raise invalid(param, "%r seconds: must be a finite number greater than 0" % value)
    milliseconds = max(1, int(math.ceil(value * 1000)))
    if milliseconds > LONG_MAX:
        raise invalid(param, "%r seconds is too long" % value)
    return milliseconds


def c_string(param: str, value: Any) -> bytes:
    """UTF-8 bytes for a char * argument; a NUL inside would cut the string short in C."""
    if not isinstance(value, str):
        raise invalid(param, "expected a str, got %s" % type(value).__name__)
    if "\0" in value:
        raise invalid(param, "contains a NUL character at index %d" % value.index("\0"))
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise invalid(param, "is not valid Unicode text (%s)" % error.reason) from None


def c_bytes(data: bytes) -> Any:
    """A ctypes uint8 array over a copy of data (the library copies again; this keeps the Python
    object immutable and alive for the call)."""
    return (ctypes.c_uint8 * max(1, len(data))).from_buffer_copy(data or b"\0")


def _is_pil(value: Any) -> bool:
    return type(value).__module__.startswith("PIL.") and hasattr(value, "tobytes") and \
        hasattr(value, "mode")


def _is_array(value: Any) -> bool:
    return hasattr(value, "__array_interface__") and hasattr(value, "shape") and \
        not isinstance(value, (bytes, bytearray, memoryview))


def _is_path(value: Any) -> bool:
    return isinstance(value, (str, os.PathLike))


def _read_file(param: str, path: Any) -> bytes:
    try:
        with open(path, "rb") as file:
            return file.read()
    except OSError as error:
        raise invalid(param, "cannot read %r: %s" % (os.fspath(path), error.strerror)) from None


def _array_pixels(param: str, array: Any, allowed_channels: Tuple[int, ...]) -> Tuple[bytes, int, int, int]:
    """(bytes, width, height, channels) of an H x W [x C] uint8 (or bool, for selections) array."""
    interface = array.__array_interface__
    typestr = interface.get("typestr", "")
    shape = tuple(array.shape)
    if typestr not in ("|u1", "|b1"):
        raise invalid(param, "numpy array of dtype %s; convert it to uint8 (0-255)"
                      % getattr(array, "dtype", typestr))
    if typestr == "|b1" and allowed_channels != (1,):
        raise invalid(param, "a boolean array works only as a selection")
    if len(shape) == 2:
        channels = 1
    elif len(shape) == 3:
        channels = shape[2]
    else:
        channels = 0
    if channels not in allowed_channels:
        wanted = " or ".join("H x W" if c == 1 else "H x W x %d" % c for c in allowed_channels)
        raise invalid(param, "numpy array of shape %s; expected %s" % (shape, wanted))
    height, width = shape[0], shape[1]
    data = memoryview(array).tobytes()  # C order, whatever the array's strides
    if typestr == "|b1":
        data = data.translate(bytes([0, 255]) + bytes(254))
    return data, width, height, channels


def _pil_pixels(param: str, image: Any, as_selection: bool) -> Tuple[bytes, int, int, int]:
    mode = image.mode
    if as_selection:
        if mode != "L":
            image = image.convert("L")  # "1", "LA", "RGB"...: luminance, as a mask is read
        mode = "L"
    elif mode not in _PIL_MODES:
        image = image.convert("RGBA")  # palette, CMYK, 16-bit...: RGBA8 keeps everything visible
        mode = "RGBA"
    width, height = image.size
    return image.tobytes(), width, height, _PIL_MODES[mode]


def _decode_png(param: str, data: bytes) -> Tuple[bytes, int, int]:
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise invalid(param, "with a selection the image must be a PNG file, a PIL image or a "
                             "numpy array (these bytes are no PNG)")
    pixels, width, height = ctypes.POINTER(ctypes.c_uint8)(), ctypes.c_uint32(), ctypes.c_uint32()
    status = lib().oaimg_png_decode(c_bytes(data), len(data), 0, ctypes.byref(pixels),
                                    ctypes.byref(width), ctypes.byref(height))
    if status != _errors.OK:
        raise invalid(param, "not a PNG the library can decode (%s)"
                      % lib().oaimg_status_str(status).decode())
    try:
        return ctypes.string_at(pixels, 4 * width.value * height.value), width.value, height.value
    finally:
        lib().oaimg_free(pixels)


def pixels(param: str, value: ImageInput) -> Tuple[bytes, int, int, int]:
    """Raw 8-bit pixels for set_source: (bytes, width, height, oaimg_pixel_format)."""
    if _is_pil(value):
        data, width, height, channels = _pil_pixels(param, value, as_selection=False)
    elif _is_array(value):
        data, width, height, channels = _array_pixels(param, value, (1, 2, 3, 4))
    else:
        data, width, height = _decode_png(param, encoded(param, value))
        channels = 4
    return data, width, height, _FORMAT_BY_CHANNELS[channels]


def coverage(param: str, value: ImageInput) -> Tuple[bytes, int, int]:
    """8-bit selection coverage (255 = selected): H x W uint8 or bool arrays, PIL images (as
    luminance), or a PNG whose luminance times alpha is the coverage, as the command line reads it."""
    if _is_pil(value):
        data, width, height, _ = _pil_pixels(param, value, as_selection=True)
        return data, width, height
    if _is_array(value):
        data, width, height, _ = _array_pixels(param, value, (1,))
        return data, width, height
    rgba, width, height = _decode_png(param, encoded(param, value))
    red, green, blue, alpha = rgba[0::4], rgba[1::4], rgba[2::4], rgba[3::4]
    if red == green == blue and alpha.count(255) == len(alpha):
        return red, width, height  # a plain grayscale selection: luminance is the gray value
    return bytes(((r * 77 + g * 150 + b * 29 >> 8) * a + 127) // 255
                 for r, g, b, a in zip(red, green, blue, alpha)), width, height


def encoded(param: str, value: ImageInput) -> bytes:
    """An encoded image file for add_image / set_mask: files and bytes as they are, PIL images and
    arrays encoded as PNG by the library."""
    if _is_path(value):
        return _read_file(param, value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
        if not data:
            raise invalid(param, "empty bytes; expected an encoded PNG, JPEG or WebP file")
        return data
    if _is_pil(value):
        data, width, height, channels = _pil_pixels(param, value, as_selection=False)
    elif _is_array(value):
        data, width, height, channels = _array_pixels(param, value, (1, 2, 3, 4))
    else:
        raise invalid(param, "expected a path, encoded bytes, a PIL image or a numpy array, got %s"
                      % type(value).__name__)
    return encode_png(param, data, width, height, _FORMAT_BY_CHANNELS[channels])


def encode_png(param: str, data: bytes, width: int, height: int, pixel_format: int) -> bytes:
    out, size = ctypes.POINTER(ctypes.c_uint8)(), ctypes.c_size_t()
    check_size(param, width, height)
    status = lib().oaimg_png_encode(c_bytes(data), width, height, 0, pixel_format,
                                    ctypes.byref(out), ctypes.byref(size))
    if status != _errors.OK:
        raise invalid(param, "cannot be encoded as PNG (%s)" % lib().oaimg_status_str(status).decode())
    try:
        return ctypes.string_at(out, size.value)
    finally:
        lib().oaimg_free(out)


def check_size(param: str, width: int, height: int) -> None:
    if not (0 < width <= UINT32_MAX and 0 < height <= UINT32_MAX):
        raise invalid(param, "%d x %d pixels: both sides must be between 1 and %d"
                      % (width, height, UINT32_MAX))


def offset(param: str, value: Optional[Tuple[int, int]]) -> Tuple[int, int]:
    if value is None:
        return 0, 0
    try:
        x, y = value
    except (TypeError, ValueError):
        raise invalid(param, "expected an (x, y) pair, got %r" % (value,)) from None
    return integer(param, x, INT32_MIN, INT32_MAX), integer(param, y, INT32_MIN, INT32_MAX)
