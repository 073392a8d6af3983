"""Client and AsyncClient: openai-python-style calls on liboaimg.

Every call gets C handles of its own, so one Client serves any number of threads at once
without a lock (the C library asks for no more: a handle is used by one thread at a time).
The blocking oaimg_client_run() runs on a worker thread; the calling thread (or the event loop)
waits for it, handles progress and partial images, and stays free to take Ctrl-C or a task
cancellation, which the worker's progress callback turns into a C-level cancel: libcurl aborts
the transfers at its next progress tick (at most ~100 ms).
"""
from __future__ import annotations

import asyncio
import ctypes
import inspect
import os
import queue
import threading
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from . import _errors, _inputs
from ._fields import RequestFields, apply, check_request
from ._inputs import ImageInput
from ._library import PARTIAL_IMAGE_FN, PROGRESS_FN, lib, text
from ._results import ImagesResult, read_result

if TYPE_CHECKING:  # Unpack is typing-only here (typing has it from Python 3.11)
    from typing_extensions import Unpack

__all__ = ["Client", "AsyncClient", "STAGES"]

_GENERATE, _EDIT, _VARIATION = 1, 2, 3
_CONTEXT_MODES = {"auto": 0, "selection": 1, "image": 2}
# oaimg_stage values, by name, as on_progress receives them.
STAGES = {1: "preparing", 2: "sending", 3: "waiting", 4: "receiving", 5: "retrying",
          6: "placing", 7: "done"}

ProgressCallback = Callable[[str, Optional[float]], Optional[bool]]
PartialImageCallback = Callable[[int, int, bytes], None]
Images = Union[ImageInput, Sequence[ImageInput]]
_DONE = object()


class _Settings:
    """Connection settings, checked once when the client is made and applied to each call's handle."""

    __slots__ = ("api_key", "base_url", "organization", "project", "default_model", "ca_bundle",
                 "timeout_ms", "connect_timeout_ms", "max_retries")

    def __init__(self, api_key: Optional[str], base_url: Optional[str],
                 organization: Optional[str], project: Optional[str],
                 default_model: Optional[str], ca_bundle: Optional[str], timeout: float,
                 connect_timeout: float, max_retries: int) -> None:
        if api_key is None:
            api_key = os.environ.get("OPENAI_API_KEY") or None
        if api_key is None:
            raise _errors.Error(
                "The api_key client option must be set either by passing api_key to the client "
                "or by setting the OPENAI_API_KEY environment variable", param="api_key")
        self.api_key = _inputs.c_string("api_key", api_key)
        self.base_url = _optional_text("base_url", base_url)
        self.organization = _optional_text("organization", organization)
        self.project = _optional_text("project", project)
        self.default_model = _optional_text("default_model", default_model)
        self.ca_bundle = _optional_text("ca_bundle", ca_bundle)
        self.timeout_ms = _inputs.seconds_to_ms("timeout", timeout)
        self.connect_timeout_ms = _inputs.seconds_to_ms("connect_timeout", connect_timeout)
        self.max_retries = _inputs.integer("max_retries", max_retries, 0, _inputs.INT32_MAX)

    def new_handle(self) -> ctypes.c_void_p:
        """A C client with these settings (the environment fills what is None)."""
        library = lib()
        handle = ctypes.c_void_p()
        status = library.oaimg_client_new(ctypes.byref(handle))
        if status != _errors.OK:
            raise _errors.Error("cannot create a client: %s"
                                % library.oaimg_status_str(status).decode(), status=status)
        try:
            steps: List[Tuple[str, Callable[[], int]]] = [
                ("api_key", lambda: library.oaimg_client_set_api_key(handle, self.api_key)),
                ("timeout", lambda: library.oaimg_client_set_timeout_ms(handle, self.timeout_ms)),
                ("connect_timeout", lambda: library.oaimg_client_set_connect_timeout_ms(
                    handle, self.connect_timeout_ms)),
                ("max_retries", lambda: library.oaimg_client_set_max_retries(
                    handle, self.max_retries)),
            ]
            for name in ("base_url", "organization", "project", "default_model", "ca_bundle"):
                value = getattr(self, name)
                if value is not None:
                    function = getattr(library, "oaimg_client_set_" + name)
                    steps.append((name, lambda f=function, v=value: f(handle, v)))
            for name, step in steps:
                status = step()
                if status != _errors.OK:
                    raise client_error(handle, status, param=name)
        except BaseException:
            library.oaimg_client_free(handle)
            raise
        return handle


def _optional_text(param: str, value: Optional[str]) -> Optional[bytes]:
    return None if value is None else _inputs.c_string(param, value)


def client_error(handle: Any, status: int, param: Optional[str] = None) -> _errors.Error:
    """The exception for a failed call on a C client, with the detail the handle keeps."""
    library = lib()
    http_status = library.oaimg_client_error_http_status(handle) or None
    message = text(library.oaimg_client_error_message(handle)) or \
        library.oaimg_status_str(status).decode()
    error = _errors.error_class(status, http_status)(
        message, status=status, status_code=http_status,
        code=text(library.oaimg_client_error_code(handle)),
        param=text(library.oaimg_client_error_param(handle)) or param,
        type=text(library.oaimg_client_error_type(handle)),
        request_id=text(library.oaimg_client_error_request_id(handle)))
    if isinstance(error, _errors.RateLimitError):
        retry_after_ms = library.oaimg_client_error_retry_after_ms(handle)
        error.retry_after = retry_after_ms / 1000.0 if retry_after_ms >= 0 else None
    return error


class _Call:
    """One oaimg_client_run() on a worker thread. Its C callbacks only queue events and read the
    cancel flag: user code never runs on the worker."""

    def __init__(self, settings: _Settings, request: ctypes.c_void_p,
                 notify: Callable[[Any], None], want_progress: bool, want_partials: bool) -> None:
        self.cancelled = threading.Event()
        self._notify = notify
        self._want_progress = want_progress
        self._request = request
        self._result = ctypes.c_void_p()
        self.status: Optional[int] = None
        self._lock = threading.Lock()
        self._finished = self._abandoned = False
        self._client = settings.new_handle()
        # Kept as attributes: the C library holds the pointers for as long as the call runs.
        self._progress_fn = PROGRESS_FN(self._on_progress)
        self._partial_fn = PARTIAL_IMAGE_FN(self._on_partial)
        library = lib()
        library.oaimg_client_set_progress_callback(self._client, self._progress_fn, None)
        if want_partials:
            library.oaimg_client_set_partial_image_callback(self._client, self._partial_fn, None)

    def _on_progress(self, _data: Any, stage: int, fraction: float) -> int:
        if self._want_progress:
            self._notify(("progress", STAGES.get(stage, str(stage)),
                          None if fraction < 0 else fraction))
        return 1 if self.cancelled.is_set() else 0

    def _on_partial(self, _data: Any, index: int, partial_index: int, data: Any, size: int) -> None:
        self._notify(("partial", index, partial_index, ctypes.string_at(data, size)))

    def run(self) -> None:
        try:
            self.status = lib().oaimg_client_run(self._client, self._request,
                                                 ctypes.byref(self._result))
        finally:
            with self._lock:
                self._finished = True
                abandoned = self._abandoned
            if abandoned:  # the caller stopped waiting (a second Ctrl-C): clean up here
                self._free()
            self._notify(_DONE)

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name="oaimg-call", daemon=True)
        thread.start()
        return thread

    def outcome(self) -> ImagesResult:
        """The result, or the error, once run() has returned; frees the C handles."""
        try:
            if self.status != _errors.OK:
                raise client_error(self._client, self.status or _errors.ERR_INTERNAL)
            return read_result(self._result)
        finally:
            self._free()

    def abandon(self) -> None:
        """The caller gives up on the call: the handles are freed now if the worker is done,
        else by the worker when oaimg_client_run() returns (never under it)."""
        with self._lock:
            self._abandoned = True
            finished = self._finished
        if finished:
            self._free()

    def _free(self) -> None:
        library = lib()
        library.oaimg_result_free(self._result)
        library.oaimg_client_free(self._client)
        library.oaimg_request_free(self._request)
        self._result = self._client = self._request = ctypes.c_void_p()


Aspect = Union[str, Tuple[int, int]]
# What an extend grows by: the four margins (left, top, right, bottom), or an aspect to reach.
_Extend = Union[Tuple[int, int, int, int], Tuple[int, int]]


def _build_request(operation: int, prompt: Optional[str], image: Optional[Images],
                   mask: Optional[ImageInput], markup: Optional[ImageInput],
                   selection: Optional[ImageInput], selection_offset: Optional[Tuple[int, int]],
                   context: str, stream: bool, partial_images: Optional[int],
                   fields: Dict[str, Any], references: Optional[Sequence[ImageInput]] = None,
                   extend: Optional[Tuple[str, Tuple[int, ...]]] = None) -> ctypes.c_void_p:
    library = lib()
    request = ctypes.c_void_p()
    status = library.oaimg_request_new(operation, ctypes.byref(request))
    if status != _errors.OK:
        raise _errors.Error("cannot create a request: %s"
                            % library.oaimg_status_str(status).decode(), status=status)
    try:
        if prompt is not None:
            check_request(request, library.oaimg_request_set_prompt(
                request, _inputs.c_string("prompt", prompt)), "prompt")
        n = fields.pop("n", None)
        if n is not None:  # a plain int setter, but the one field every caller uses
            check_request(request, library.oaimg_request_set_n(
                request, _inputs.integer("n", n, 1, _inputs.INT32_MAX)), "n")
        apply(request, fields)
        if not isinstance(stream, bool):
            raise _inputs.invalid("stream", "expected True or False, got %r" % (stream,))
        if stream:
            partials = 0 if partial_images is None else \
                _inputs.integer("partial_images", partial_images, 0, 3)
            check_request(request, library.oaimg_request_set_stream(request, partials),
                          "partial_images")
        elif partial_images is not None:
            raise _inputs.invalid("partial_images", "needs stream=True")
        if references is not None and not isinstance(references, (list, tuple)):
            raise _inputs.invalid("references", "expected a list of images, got %s"
                                  % type(references).__name__)
        if image is not None and (selection is not None or references or extend is not None):
            _set_whole_job(request, image, mask, markup, selection, selection_offset, context,
                           list(references or []), extend)
        elif image is not None:
            _set_images(request, image, mask, selection_offset)
            if markup is not None:
                data = _inputs.encoded("markup", markup)
                check_request(request, library.oaimg_request_set_markup(
                    request, _inputs.c_bytes(data), len(data)), "markup")
    except BaseException:
        library.oaimg_request_free(request)
        raise
    return request


def _aspect(value: Aspect) -> Tuple[int, int]:
    """(w, h) of "16:9" or (16, 9), each 1-100."""
    parts: Any = value.split(":") if isinstance(value, str) else value
    try:
        w, h = parts
        w, h = (int(w), int(h)) if isinstance(value, str) else (w, h)
    except (TypeError, ValueError):
        raise _inputs.invalid("aspect", "expected 'W:H' or (W, H), e.g. '16:9', got %r"
                              % (value,)) from None
    return _inputs.integer("aspect", w, 1, 100), _inputs.integer("aspect", h, 1, 100)


def _margins(left: Any, top: Any, right: Any, bottom: Any,
             aspect: Optional[Aspect]) -> Tuple[str, Tuple[int, ...]]:
    """An extend's margins, checked: ("margins", (l, t, r, b)) or ("aspect", (w, h))."""
    given = {"left": left, "top": top, "right": right, "bottom": bottom}
    if aspect is not None:
        if any(v not in (None, 0) for v in given.values()):
            raise _inputs.invalid("aspect", "give either aspect or the margins (left, top, right, "
                                  "bottom), not both")
        return "aspect", _aspect(aspect)
    values = tuple(_inputs.integer(name, 0 if v is None else v, 0, _inputs.UINT32_MAX)
                   for name, v in given.items())
    if not any(values):
        raise _inputs.invalid("left", "an extend needs margins: left, top, right or bottom in "
                              "pixels (at least one above 0), or aspect='W:H'")
    return "margins", values


def _set_whole_job(request: Any, image: Images, mask: Optional[ImageInput],
                   markup: Optional[ImageInput], selection: Optional[ImageInput],
                   selection_offset: Optional[Tuple[int, int]], context: str,
                   references: List[ImageInput],
                   extend: Optional[Tuple[str, Tuple[int, ...]]]) -> None:
    """The source pixels and what shapes the job (selection, extend, references, markup): oaimg
    plans the region, meets the model's limits and places every result back."""
    library = lib()
    if mask is not None:
        raise _inputs.invalid("mask", "a mask is sent as it is; with a selection, references or "
                              "an extend oaimg makes the mask itself (give a selection instead)")
    if isinstance(image, (list, tuple)):
        raise _inputs.invalid("image", "give the one image to edit; further images go in "
                              "references=[...]")
    if context not in _CONTEXT_MODES:
        raise _inputs.invalid("context", "%r is not known; use auto, selection or image"
                              % (context,))
    pixels, width, height, pixel_format = _inputs.pixels("image", image)
    _inputs.check_size("image", width, height)
    check_request(request, library.oaimg_request_set_source(
        request, _inputs.c_bytes(pixels), width, height, 0, pixel_format), "image")
    if selection is not None:
        coverage, cover_width, cover_height = _inputs.coverage("selection", selection)
        _inputs.check_size("selection", cover_width, cover_height)
        x, y = _inputs.offset("selection_offset", selection_offset)
        check_request(request, library.oaimg_request_set_selection(
            request, _inputs.c_bytes(coverage), cover_width, cover_height, 0, x, y), "selection")
    elif selection_offset is not None:
        raise _inputs.invalid("selection_offset", "applies only with a selection")
    check_request(request, library.oaimg_request_set_context_mode(
        request, _CONTEXT_MODES[context]), "context")
    if extend is not None:
        kind, values = extend
        if kind == "aspect":
            out = [ctypes.c_uint32() for _ in range(4)]
            status = library.oaimg_extend_margins_for_aspect(
                width, height, values[0], values[1], *(ctypes.byref(v) for v in out))
            if status != _errors.OK:
                raise _inputs.invalid("aspect", "%d:%d does not fit a %dx%d image"
                                      % (values[0], values[1], width, height))
            values = tuple(v.value for v in out)
            if not any(values):
                raise _inputs.invalid("aspect", "the image (%dx%d) already is %s; nothing to "
                                      "extend" % (width, height, "%d:%d" % extend[1]))
        check_request(request, library.oaimg_request_set_extend(request, *values), "extend")
    for index, reference in enumerate(references):
        param = "references[%d]" % index
        data, ref_width, ref_height, ref_format = _inputs.pixels(param, reference)
        _inputs.check_size(param, ref_width, ref_height)
        check_request(request, library.oaimg_request_add_reference(
            request, _inputs.c_bytes(data), ref_width, ref_height, 0, ref_format), param)
    if markup is not None:
        data, mark_width, mark_height, mark_format = _inputs.pixels("markup", markup)
        channels = {1: 4, 4: 2}.get(mark_format)
        if channels is None:
            raise _inputs.invalid("markup", "has no alpha channel; draw the guide on a "
                                  "transparent (RGBA) layer")
        if 0 not in data[channels - 1::channels]:
            raise _inputs.invalid("markup", "has no fully transparent pixel (alpha 0); draw the "
                                  "guide on a transparent layer so the image shows where nothing "
                                  "is drawn")
        check_request(request, library.oaimg_request_set_markup_layer(
            request, _inputs.c_bytes(data), mark_width, mark_height, 0, mark_format, 0, 0),
            "markup")


def _set_images(request: Any, image: Images, mask: Optional[ImageInput],
                selection_offset: Optional[Tuple[int, int]]) -> None:
    # A selection goes through _set_whole_job: here the files are sent as they are.
    library = lib()
    if selection_offset is not None:
        raise _inputs.invalid("selection_offset", "applies only with a selection")
    images: Iterable[ImageInput] = image if isinstance(image, (list, tuple)) else [image]
    for index, one in enumerate(images):
        param = "image" if not isinstance(image, (list, tuple)) else "image[%d]" % index
        data = _inputs.encoded(param, one)
        check_request(request, library.oaimg_request_add_image(
            request, _inputs.c_bytes(data), len(data)), param)
    if mask is not None:
        data = _inputs.encoded("mask", mask)
        check_request(request, library.oaimg_request_set_mask(
            request, _inputs.c_bytes(data), len(data)), "mask")


class _BaseClient:
    def __init__(self, *, api_key: Optional[str] = None, base_url: Optional[str] = None,
                 organization: Optional[str] = None, project: Optional[str] = None,
                 default_model: Optional[str] = None, ca_bundle: Optional[str] = None,
                 timeout: float = 600.0, connect_timeout: float = 30.0,
                 max_retries: int = 2) -> None:
        self._options = dict(api_key=api_key, base_url=base_url, organization=organization,
                             project=project, default_model=default_model, ca_bundle=ca_bundle,
                             timeout=timeout, connect_timeout=connect_timeout,
                             max_retries=max_retries)
        self._settings = _Settings(**self._options)  # type: ignore[arg-type]
        # A bad base URL, timeout or retry count is refused here, not at the first call.
        lib().oaimg_client_free(self._settings.new_handle())

    @property
    def base_url(self) -> str:
        """The base URL calls go to (the argument, OPENAI_BASE_URL, or OpenAI's)."""
        handle = self._settings.new_handle()
        try:
            return text(lib().oaimg_client_base_url(handle)) or ""
        finally:
            lib().oaimg_client_free(handle)

    @property
    def max_retries(self) -> int:
        """Retries after a failed attempt (connection errors, timeouts, 408, 409, 429, >= 500)."""
        return self._settings.max_retries

    @property
    def timeout(self) -> float:
        """Seconds each attempt may take."""
        return self._settings.timeout_ms / 1000.0

    def __repr__(self) -> str:  # never shows the key
        return "%s(base_url=%r)" % (type(self).__name__, self.base_url)

    def _with_options(self, **changes: Any) -> Any:
        options = dict(self._options)
        unknown = set(changes) - set(options)
        if unknown:
            raise TypeError("unknown client option(s): %s" % ", ".join(sorted(unknown)))
        options.update(changes)
        if options["api_key"] is None:
            options["api_key"] = self._settings.api_key.decode()
        return type(self)(**options)


def _edit_args(prompt: Optional[str], image: Images, mask: Optional[ImageInput],
               markup: Optional[ImageInput], selection: Optional[ImageInput],
               selection_offset: Optional[Tuple[int, int]], context: str, stream: bool,
               partial_images: Optional[int], fields: Dict[str, Any],
               references: Optional[Sequence[ImageInput]] = None,
               extend: Optional[Tuple[str, Tuple[int, ...]]] = None) -> Dict[str, Any]:
    return dict(prompt=prompt, image=image, mask=mask, markup=markup, selection=selection,
                selection_offset=selection_offset, context=context, stream=stream,
                partial_images=partial_images, fields=fields, references=references,
                extend=extend)


_EDIT_DOC = """Repaints an image where the selection (or mask) says (POST /images/edits).

        image: a path, encoded bytes, a PIL image or an H x W x 3/4 uint8 numpy array (a list of
        them for models that take several images, sent as they are). With ``selection`` (H x W
        coverage: a numpy array, a PIL image or a grayscale PNG; white = repaint; placed at
        ``selection_offset``) oaimg plans the region (``context``: "auto", "selection" or
        "image"), builds the mask, meets the model's size limits and puts each result back: see
        ``result.layers``. With ``mask`` (an encoded PNG whose transparent pixels are repainted)
        the files are sent as they are.

        ``references``: guide images (an object, a style, a face to keep), sent after the edited
        image as repeated ``image[]`` parts in this order, each scaled within the model's limits;
        up to 15 on GPT image models (a model that takes one image raises ValidationError).
        Without a selection the whole image is edited and kept. ``markup``: a drawing over the
        image (arrows, scribbles; RGBA, of the image's size, fully transparent where nothing is
        drawn) that guides the edit, on the GPT Image 2.5 models only and never with ``mask``;
        with a selection or references it is cropped and scaled exactly like the image.
        """

_EXTEND_DOC = """Grows the canvas and fills the new area from the image (an edit).

        Either the margins in pixels (``left``, ``top``, ``right``, ``bottom``, each >= 0, at
        least one above 0) or ``aspect`` ("16:9", "3:2", "1:1", "9:16" ..., or (16, 9)): grow
        along the short axis to that aspect, evenly on both sides. The model sees the new area
        together with the image beside it and repaints a strip along each grown side, which each
        layer's mask blends across so no seam shows. Works on the DALL-E 2 contract (square
        requests) and the GPT models (free sizes where the model has them); when the new area is
        larger than the model makes in one request it is sent scaled down to half its resolution
        at most, and beyond that filled in overlapping parts at full resolution, one request
        each in order, each part seeing what the earlier ones filled (n times for n results).

        ``result.canvas`` is the extended image as (x, y, width, height) in source coordinates,
        x = -left and y = -top; each of ``result.layers`` lies on it. With Pillow::

            x0, y0, width, height = result.canvas
            extended = Image.new("RGBA", (width, height))
            extended.paste(source, (-x0, -y0))
            layer = result.layers[0]
            pixels, mask = layer.to_pil()
            extended.paste(pixels, (layer.x - x0, layer.y - y0), mask)
        """


_CALL_DOC = """
    Request fields (keyword arguments, see RequestFields): model, n, size, quality, background,
    output_format, output_compression, moderation, input_fidelity, style, response_format, user.
    stream=True streams the result (partial_images 0-3) and calls on_partial_image(index,
    partial_index, image_bytes) as each partial arrives. on_progress(stage, fraction) is called
    at every stage change and at least every 100 ms (fraction in [0, 1] or None); returning True
    cancels the call, which then raises RequestCancelled. Callbacks run on the calling thread (the
    event loop for AsyncClient). Ctrl-C aborts the transfers and raises KeyboardInterrupt.
    Raises ValidationError (before any traffic) or an APIError subclass."""


class Client(_BaseClient):
    """A client of the OpenAI Images API (or a compatible server), on liboaimg.

    ``Client(api_key=None, base_url=None, organization=None, project=None, default_model=None,
    ca_bundle=None, timeout=600.0, connect_timeout=30.0, max_retries=2)``; None takes
    OPENAI_API_KEY, OPENAI_BASE_URL (default https://api.openai.com/v1), OPENAI_ORG_ID and
    OPENAI_PROJECT_ID from the environment. Safe to share between threads. The key is kept in
    memory only and never shown in a message or repr.
    """

    def with_options(self, **changes: Any) -> "Client":
        """A copy of this client with some options changed, e.g. ``with_options(timeout=30)``."""
        return self._with_options(**changes)  # type: ignore[no-any-return]

    def generate(self, *, prompt: str, stream: bool = False, partial_images: Optional[int] = None,
                 on_progress: Optional[ProgressCallback] = None,
                 on_partial_image: Optional[PartialImageCallback] = None,
                 **fields: "Unpack[RequestFields]") -> ImagesResult:
        """Makes images from a prompt (POST /images/generations)."""
        request = _build_request(_GENERATE, prompt, None, None, None, None, None, "auto",
                                 stream, partial_images, dict(fields))
        return self._run(request, on_progress, on_partial_image)

    def edit(self, image: Images, *, prompt: str, mask: Optional[ImageInput] = None,
             selection: Optional[ImageInput] = None,
             selection_offset: Optional[Tuple[int, int]] = None, context: str = "auto",
             markup: Optional[ImageInput] = None,
             references: Optional[Sequence[ImageInput]] = None, stream: bool = False,
             partial_images: Optional[int] = None,
             on_progress: Optional[ProgressCallback] = None,
             on_partial_image: Optional[PartialImageCallback] = None,
             **fields: "Unpack[RequestFields]") -> ImagesResult:
        request = _build_request(_EDIT, **_edit_args(prompt, image, mask, markup, selection,
                                                     selection_offset, context, stream,
                                                     partial_images, dict(fields), references))
        return self._run(request, on_progress, on_partial_image)

    def extend(self, image: ImageInput, *, prompt: str, left: int = 0, top: int = 0,
               right: int = 0, bottom: int = 0, aspect: Optional[Aspect] = None,
               stream: bool = False, partial_images: Optional[int] = None,
               on_progress: Optional[ProgressCallback] = None,
               on_partial_image: Optional[PartialImageCallback] = None,
               **fields: "Unpack[RequestFields]") -> ImagesResult:
        margins = _margins(left, top, right, bottom, aspect)
        request = _build_request(_EDIT, **_edit_args(prompt, image, None, None, None, None,
                                                     "auto", stream, partial_images,
                                                     dict(fields), None, margins))
        return self._run(request, on_progress, on_partial_image)

    def variation(self, image: ImageInput, *, selection: Optional[ImageInput] = None,
                  selection_offset: Optional[Tuple[int, int]] = None, context: str = "auto",
                  prompt: Optional[str] = None,
                  on_progress: Optional[ProgressCallback] = None,
                  **fields: "Unpack[RequestFields]") -> ImagesResult:
        """Variations of an image, or of the selected part of it (POST /images/variations on the
        DALL-E contract; an edit without mask on GPT models, with ``prompt`` or a default one)."""
        request = _build_request(_VARIATION, **_edit_args(prompt, image, None, None, selection,
                                                          selection_offset, context, False, None,
                                                          dict(fields)))
        return self._run(request, on_progress, None)

    def _run(self, request: ctypes.c_void_p, on_progress: Optional[ProgressCallback],
             on_partial_image: Optional[PartialImageCallback]) -> ImagesResult:
        events: "queue.Queue[Any]" = queue.Queue()
        try:
            call = _Call(self._settings, request, events.put, on_progress is not None,
                         on_partial_image is not None)
        except BaseException:
            lib().oaimg_request_free(request)
            raise
        thread = call.start()
        try:
            while True:
                try:
                    event = events.get(timeout=0.2)  # a timed wait keeps Ctrl-C prompt everywhere
                except queue.Empty:
                    continue
                if event is _DONE:
                    break
                if _dispatch(event, on_progress, on_partial_image):
                    call.cancelled.set()
        except BaseException:
            # Ctrl-C, or an exception from a callback: abort the transfers, then let it through.
            call.cancelled.set()
            try:
                thread.join()
            finally:
                call.abandon()
            raise
        thread.join()
        return call.outcome()

    generate.__doc__ = (generate.__doc__ or "") + _CALL_DOC
    edit.__doc__ = _EDIT_DOC + _CALL_DOC
    extend.__doc__ = _EXTEND_DOC + _CALL_DOC
    variation.__doc__ = (variation.__doc__ or "") + _CALL_DOC


def _dispatch(event: Any, on_progress: Optional[ProgressCallback],
              on_partial_image: Optional[PartialImageCallback]) -> bool:
    """Calls the user's callback for one event; True when it asks to cancel."""
    if event[0] == "progress" and on_progress is not None:
        return bool(on_progress(event[1], event[2]))
    if event[0] == "partial" and on_partial_image is not None:
        on_partial_image(event[1], event[2], event[3])
    return False


async def _dispatch_async(event: Any, on_progress: Optional[Callable[..., Any]],
                          on_partial_image: Optional[Callable[..., Any]]) -> bool:
    """_dispatch for AsyncClient: a callback may also be a coroutine function."""
    callback = on_progress if event[0] == "progress" else on_partial_image
    if callback is None:
        return False
    answer = callback(*event[1:])
    if inspect.isawaitable(answer):
        answer = await answer
    return event[0] == "progress" and bool(answer)


class AsyncClient(_BaseClient):
    """The asyncio twin of :class:`Client` (same options). Cancelling the task that awaits a call
    aborts its transfers. Callbacks may be plain functions or coroutines."""

    def with_options(self, **changes: Any) -> "AsyncClient":
        """A copy of this client with some options changed, e.g. ``with_options(timeout=30)``."""
        return self._with_options(**changes)  # type: ignore[no-any-return]

    async def generate(self, *, prompt: str, stream: bool = False,
                       partial_images: Optional[int] = None,
                       on_progress: Optional[Callable[..., Any]] = None,
                       on_partial_image: Optional[Callable[..., Any]] = None,
                       **fields: "Unpack[RequestFields]") -> ImagesResult:
        """Makes images from a prompt; see Client.generate."""
        request = _build_request(_GENERATE, prompt, None, None, None, None, None, "auto",
                                 stream, partial_images, dict(fields))
        return await self._run(request, on_progress, on_partial_image)

    async def edit(self, image: Images, *, prompt: str, mask: Optional[ImageInput] = None,
                   selection: Optional[ImageInput] = None,
                   selection_offset: Optional[Tuple[int, int]] = None, context: str = "auto",
                   markup: Optional[ImageInput] = None,
                   references: Optional[Sequence[ImageInput]] = None, stream: bool = False,
                   partial_images: Optional[int] = None,
                   on_progress: Optional[Callable[..., Any]] = None,
                   on_partial_image: Optional[Callable[..., Any]] = None,
                   **fields: "Unpack[RequestFields]") -> ImagesResult:
        """Repaints an image where the selection (or mask) says, guided by ``references`` and
        ``markup``; see Client.edit."""
        request = _build_request(_EDIT, **_edit_args(prompt, image, mask, markup, selection,
                                                     selection_offset, context, stream,
                                                     partial_images, dict(fields), references))
        return await self._run(request, on_progress, on_partial_image)

    async def extend(self, image: ImageInput, *, prompt: str, left: int = 0, top: int = 0,
                     right: int = 0, bottom: int = 0, aspect: Optional[Aspect] = None,
                     stream: bool = False, partial_images: Optional[int] = None,
                     on_progress: Optional[Callable[..., Any]] = None,
                     on_partial_image: Optional[Callable[..., Any]] = None,
                     **fields: "Unpack[RequestFields]") -> ImagesResult:
        """Grows the canvas by the margins (or to ``aspect``) and fills the new area from the
        image; see Client.extend (``result.canvas`` is the extended image)."""
        margins = _margins(left, top, right, bottom, aspect)
        request = _build_request(_EDIT, **_edit_args(prompt, image, None, None, None, None,
                                                     "auto", stream, partial_images,
                                                     dict(fields), None, margins))
        return await self._run(request, on_progress, on_partial_image)

    async def variation(self, image: ImageInput, *, selection: Optional[ImageInput] = None,
                        selection_offset: Optional[Tuple[int, int]] = None,
                        context: str = "auto", prompt: Optional[str] = None,
                        on_progress: Optional[Callable[..., Any]] = None,
                        **fields: "Unpack[RequestFields]") -> ImagesResult:
        """Variations of an image or of its selected part; see Client.variation."""
        request = _build_request(_VARIATION, **_edit_args(prompt, image, None, None, selection,
                                                          selection_offset, context, False, None,
                                                          dict(fields)))
        return await self._run(request, on_progress, None)

    async def _run(self, request: ctypes.c_void_p, on_progress: Optional[Callable[..., Any]],
                   on_partial_image: Optional[Callable[..., Any]]) -> ImagesResult:
        loop = asyncio.get_running_loop()
        events: "asyncio.Queue[Any]" = asyncio.Queue()
        finished = loop.create_future()

        def notify(event: Any) -> None:  # on the worker thread
            try:
                loop.call_soon_threadsafe(events.put_nowait, event)
                if event is _DONE:
                    loop.call_soon_threadsafe(_resolve, finished)
            except RuntimeError:  # the loop is closed: nobody is waiting any more
                pass

        try:
            call = _Call(self._settings, request, notify, on_progress is not None,
                         on_partial_image is not None)
        except BaseException:
            lib().oaimg_request_free(request)
            raise
        call.start()
        try:
            while True:
                event = await events.get()
                if event is _DONE:
                    break
                if await _dispatch_async(event, on_progress, on_partial_image):
                    call.cancelled.set()
        except BaseException:
            # Task cancelled, or a callback raised: abort the transfers and wait for the worker
            # without blocking the loop, so the C handles are not freed under it.
            call.cancelled.set()
            try:
                await asyncio.shield(finished)
            finally:
                call.abandon()
            raise
        return call.outcome()


def _resolve(future: "asyncio.Future[None]") -> None:
    if not future.done():
        future.set_result(None)
