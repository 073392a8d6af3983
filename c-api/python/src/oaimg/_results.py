"""What a call gives back: the images, placed layers, and what the server said about them."""
from __future__ import annotations

import ctypes
import json
from dataclasses import dataclass, field
from typing import Any, List, Optional, Tuple

from . import _errors
from ._library import lib, text


@dataclass(frozen=True)
class Layer:
    """One result put back into the source image (calls given a selection or a source).

    Place ``rgba`` (straight-alpha RGBA8, ``width * 4`` bytes a row) at (``x``, ``y``) in source
    coordinates and use ``mask`` (``width * height`` bytes, 255 inside the selection, feathered
    across its edge, 0 outside) as its layer mask or paste mask.
    """

    x: int
    y: int
    width: int
    height: int
    rgba: bytes = field(repr=False)
    mask: bytes = field(repr=False)

    def to_pil(self) -> Any:
        """(image, mask) as PIL images ("RGBA" and "L"); needs Pillow."""
        from PIL import Image

        size = (self.width, self.height)
        return Image.frombytes("RGBA", size, self.rgba), Image.frombytes("L", size, self.mask)


@dataclass(frozen=True)
class Usage:
    """Token usage summed over the call's requests; None where the server reported none."""

    input_tokens: Optional[int]
    output_tokens: Optional[int]
    total_tokens: Optional[int]
    # usage.input_tokens_details / output_tokens_details
    input_text_tokens: Optional[int] = None
    input_image_tokens: Optional[int] = None
    output_text_tokens: Optional[int] = None
    output_image_tokens: Optional[int] = None


@dataclass(frozen=True)
class ImagesResult:
    """The outcome of generate / edit / variation.

    ``images``: each result's bytes as the server sent them (PNG, JPEG or WebP; url results
    downloaded), ``formats`` their formats. ``layers``: one per result when the call had a
    selection or source, else empty. ``revised_prompts`` (None where the server revised nothing),
    ``request_ids`` (one per HTTP request the call made), ``usage`` (None when not reported),
    ``safety_identifier`` (the one the server reports having used, or None). ``canvas``: with a
    source, the area the layers may cover as (x, y, width, height) in source coordinates; after
    an extend that is the extended image, (-left, -top, width + left + right, height + top +
    bottom).
    """

    images: List[bytes] = field(repr=False)
    formats: List[str]
    layers: List[Layer]
    model: str
    size: Optional[str]
    quality: Optional[str]
    background: Optional[str]
    output_format: Optional[str]
    created: int
    revised_prompts: List[Optional[str]]
    request_ids: List[str]
    usage: Optional[Usage]
    safety_identifier: Optional[str] = None
    canvas: Optional[Tuple[int, int, int, int]] = None


def _layer(handle: Any, index: int) -> Optional[Layer]:
    rgba, mask = ctypes.POINTER(ctypes.c_uint8)(), ctypes.POINTER(ctypes.c_uint8)()
    width, height = ctypes.c_uint32(), ctypes.c_uint32()
    x, y = ctypes.c_int32(), ctypes.c_int32()
    status = lib().oaimg_result_layer(handle, index, ctypes.byref(rgba), ctypes.byref(width),
                                      ctypes.byref(height), ctypes.byref(x), ctypes.byref(y))
    if status == _errors.ERR_UNSUPPORTED:  # the call had no source: nothing was placed
        return None
    if status != _errors.OK or lib().oaimg_result_layer_mask(handle, index, ctypes.byref(mask),
                                                             None, None) != _errors.OK:
        raise _errors.Error("result %d: the library gave no layer (status %d)" % (index, status),
                            status=status)
    pixels = width.value * height.value
    return Layer(x.value, y.value, width.value, height.value,
                 ctypes.string_at(rgba, 4 * pixels), ctypes.string_at(mask, pixels))


def read_result(handle: Any) -> ImagesResult:
    """Copies everything out of a C oaimg_result (the caller frees the handle)."""
    library = lib()
    count = library.oaimg_result_count(handle)
    images, formats, revised, layers = [], [], [], []
    for index in range(count):
        data, size = ctypes.POINTER(ctypes.c_uint8)(), ctypes.c_size_t()
        library.oaimg_result_image(handle, index, ctypes.byref(data), ctypes.byref(size))
        images.append(ctypes.string_at(data, size.value))
        formats.append(text(library.oaimg_result_image_format(handle, index)) or "")
        revised.append(text(library.oaimg_result_revised_prompt(handle, index)))
        layer = _layer(handle, index)
        if layer is not None:
            layers.append(layer)
    tokens = [ctypes.c_int64(), ctypes.c_int64(), ctypes.c_int64()]
    library.oaimg_result_usage(handle, *(ctypes.byref(t) for t in tokens))
    details = [ctypes.c_int64(), ctypes.c_int64(), ctypes.c_int64(), ctypes.c_int64()]
    library.oaimg_result_usage_details(handle, *(ctypes.byref(t) for t in details))
    values = [t.value if t.value >= 0 else None for t in tokens + details]
    summary = json.loads(library.oaimg_result_json(handle).decode())
    area = summary.get("canvas")
    canvas = (int(area["x"]), int(area["y"]), int(area["width"]), int(area["height"])) \
        if isinstance(area, dict) else None
    return ImagesResult(
        images=images, formats=formats, layers=layers,
        model=text(library.oaimg_result_model(handle)) or "",
        size=text(library.oaimg_result_size(handle)),
        quality=text(library.oaimg_result_quality(handle)),
        background=text(library.oaimg_result_background(handle)),
        output_format=text(library.oaimg_result_output_format(handle)),
        created=library.oaimg_result_created(handle),
        revised_prompts=revised,
        request_ids=[str(i) for i in summary.get("request_ids", [])],
        usage=Usage(*values) if any(v is not None for v in values) else None,
        safety_identifier=text(library.oaimg_result_safety_identifier(handle)),
        canvas=canvas)
