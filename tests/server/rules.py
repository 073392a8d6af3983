"""What each model accepts, and the check of one request against it (API-FACTS.md, the OpenAPI
spec and openai@7.59.0 `src/resources/images.ts`). The errors carry the messages, params and codes
the real API uses, so a client's error reporting is exercised on realistic bodies."""

import re

from api_errors import ApiError, invalid
import images

MB = 1000 * 1000  # "less than 4MB" read as decimal megabytes: the stricter reading
DALLE_MAX_BYTES = 4 * MB
GPT_MAX_BYTES = 50 * MB
MASK_MAX_BYTES = 4 * MB
MAX_GPT_IMAGES = 16

STANDARD_GPT_SIZES = ["auto", "1024x1024", "1536x1024", "1024x1536"]
GPT_QUALITIES = ["auto", "low", "medium", "high"]
EXTENDED_QUALITIES = GPT_QUALITIES + ["xhigh", "max"]


class Model:
    def __init__(self, name, family, ops, sizes, prompt_max, n_max=10, qualities=(), styles=(),
                 custom_sizes=False, input_fidelities=(), markup=False, shutdown_date=None):
        self.name = name
        self.family = family  # "dall-e-2", "dall-e-3" or "gpt"
        self.ops = ops
        self.sizes = sizes
        self.prompt_max = prompt_max
        self.n_max = n_max
        self.qualities = list(qualities)
        self.styles = list(styles)
        self.custom_sizes = custom_sizes
        self.input_fidelities = list(input_fidelities)
        self.markup = markup
        self.shutdown_date = shutdown_date

    @property
    def gpt(self):
        return self.family == "gpt"


def _gpt(name, **kw):
    kw.setdefault("qualities", GPT_QUALITIES)
    # 7.59.0 documents input_fidelity for gpt-image-1.5 (high, low) and 1-mini (low) only.
    kw.setdefault("input_fidelities", ())
    return Model(name, "gpt", {"generate", "edit"}, STANDARD_GPT_SIZES, 32000, **kw)


def _table():
    dalle2 = Model("dall-e-2", "dall-e-2", {"generate", "edit", "variation"},
                   ["256x256", "512x512", "1024x1024"], 1000, qualities=("standard",),
                   shutdown_date="2026-05-12")
    dalle3 = Model("dall-e-3", "dall-e-3", {"generate"}, ["1024x1024", "1792x1024", "1024x1792"],
                   4000, n_max=1, qualities=("standard", "hd"), styles=("vivid", "natural"),
                   shutdown_date="2026-05-12")
    models = [dalle2, dalle3,
              _gpt("gpt-image-1.5", input_fidelities=("high", "low")),
              _gpt("gpt-image-1-mini", input_fidelities=("low",)),
              _gpt("chatgpt-image-latest")]
    # "For gpt-image-2, omit this parameter" (input_fidelity); free WxH sizes.
    for name in ("gpt-image-2", "gpt-image-2-2026-04-21"):
        models.append(_gpt(name, custom_sizes=True))
    for base in ("gpt-image-2.5-sunburst", "gpt-image-2.5-flare"):
        for name in (base, base + "-2026-09-08"):
            models.append(_gpt(name, custom_sizes=True, qualities=EXTENDED_QUALITIES,
                               markup=True))
    for name in ("gpt-image-2.6-sunburst", "gpt-image-2.6-flare"):
        models.append(_gpt(name))
    return {m.name: m for m in models}


MODELS = _table()

DEFAULT_MODEL = {"generate": "dall-e-2", "edit": "gpt-image-1.5", "variation": "dall-e-2"}

ALLOWED_FIELDS = {
    "generate": {"prompt", "model", "n", "quality", "response_format", "output_format",
                 "output_compression", "stream", "partial_images", "size", "moderation",
                 "background", "style", "user", "safety_identifier", "complexity"},
    "edit": {"image", "image[]", "mask", "markup", "prompt", "model", "n", "size", "quality",
             "response_format", "output_format", "output_compression", "background",
             "input_fidelity", "stream", "partial_images", "user", "safety_identifier",
             "complexity"},
    "variation": {"image", "model", "n", "response_format", "size", "user"},
}
FILE_FIELDS = {"image", "image[]", "mask", "markup"}
GPT_ONLY = ("output_format", "output_compression", "stream", "partial_images", "moderation",
            "background", "input_fidelity", "markup", "complexity")


def _bad_value(param, value, allowed):
    return invalid(param, "Invalid value: '%s'. Supported values are: %s." % (
        value, ", ".join("'%s'" % a for a in allowed)), "invalid_value")


class Fields:
    """Typed access to a body's fields; JSON values keep their type, multipart ones are text."""

    def __init__(self, values, multipart):
        # null means "not set" in the spec (every optional field is nullable).
        self.values = {k: v for k, v in values.items() if v is not None}
        self.multipart = multipart

    def has(self, name):
        return name in self.values

    def _type_error(self, name, expected, value):
        got = {str: "a string", bool: "a boolean", int: "an integer", float: "a number",
               list: "an array", dict: "an object"}.get(type(value), "a value")
        return invalid(name, "Invalid type for '%s': expected %s, but got %s instead." % (
            name, expected, got), "invalid_type")

    def string(self, name):
        v = self.values.get(name)
        if v is not None and not isinstance(v, str):
            raise self._type_error(name, "a string", v)
        return v

    def integer(self, name):
        v = self.values.get(name)
        if v is None:
            return None
        if self.multipart:
            if not re.fullmatch(r"-?[0-9]+", v):
                raise invalid(name, "Invalid type for '%s': expected an integer, but got a "
                                    "string instead." % name, "invalid_type")
            return int(v)
        if isinstance(v, bool) or not isinstance(v, int):
            raise self._type_error(name, "an integer", v)
        return v

    def boolean(self, name):
        v = self.values.get(name)
        if v is None:
            return None
        if self.multipart:
            if v.lower() not in ("true", "false"):
                raise invalid(name, "Invalid type for '%s': expected a boolean, but got a "
                                    "string instead." % name, "invalid_type")
            return v.lower() == "true"
        if not isinstance(v, bool):
            raise self._type_error(name, "a boolean", v)
        return v


class Plan:
    """What a valid request asks for: everything the answer depends on."""

    def __init__(self, **kw):
        self.__dict__.update(kw)


def parse_size(text):
    m = re.fullmatch(r"([1-9][0-9]{0,4})x([1-9][0-9]{0,4})", text)
    return (int(m.group(1)), int(m.group(2))) if m else None


def _check_custom_size(text):
    wh = parse_size(text)
    if not wh:
        return False
    w, h = wh
    why = None
    if w % 16 or h % 16:
        why = "width and height must both be divisible by 16"
    elif max(w, h) > 3 * min(w, h):
        why = "the aspect ratio must be between 1:3 and 3:1"
    elif max(w, h) > 3840 or min(w, h) > 2160:
        why = "the maximum supported resolution is 3840x2160"
    if why:
        raise invalid("size", "Invalid size '%s': %s." % (text, why), "invalid_value")
    return True


def _check_enum(fields, name, allowed, model):
    value = fields.string(name)
    if value is None:
        return None
    if not allowed:
        raise invalid(name, "The '%s' parameter is not supported with the '%s' model." % (
            name, model.name), "unsupported_parameter")
    if value not in allowed:
        raise _bad_value(name, value, allowed)
    return value


def resolve_model(op, fields):
    name = fields.string("model") or DEFAULT_MODEL[op]
    model = MODELS.get(name)
    if model is None:
        raise ApiError(404, "The model `%s` does not exist or you do not have access to it." %
                       name, param="model", code="model_not_found")
    return model


def check(op, fields, files):
    """Validates one request; returns a Plan or raises ApiError. files: [(Part)] in body order."""
    for name in list(fields.values) + [p.name for p in files]:
        if name not in ALLOWED_FIELDS[op]:
            raise invalid(name, "Unrecognized request argument supplied: %s" % name,
                          "unknown_parameter")
    for name in fields.values:
        if name in FILE_FIELDS:
            raise invalid(name, "Invalid type for '%s': expected a file, but got a string "
                                "instead." % name, "invalid_type")
    model = resolve_model(op, fields)
    if op not in model.ops:
        if op == "variation":
            msg = "Invalid value for 'model' = %s. Only dall-e-2 is supported." % model.name
        else:
            msg = "The '%s' model does not support image %s." % (
                model.name, "edits" if op == "edit" else "generation")
        raise invalid("model", msg, "invalid_value")

    prompt = fields.string("prompt")
    if op != "variation":
        if prompt is None:
            raise invalid("prompt", "Missing required parameter: 'prompt'.",
                          "missing_required_parameter")
        if not prompt.strip():
            raise invalid("prompt", "Invalid 'prompt': empty string. Expected a string with "
                                    "minimum length 1, but got an empty string instead.",
                          "empty_string")
        if len(prompt) > model.prompt_max:
            raise invalid("prompt", "Invalid 'prompt': string too long. Expected a string with "
                          "maximum length %d, but got a string with length %d instead." % (
                              model.prompt_max, len(prompt)), "string_above_max_length")

    n = fields.integer("n")
    if n is not None:
        if n < 1:
            raise invalid("n", "Invalid 'n': integer below minimum value. Expected a value >= "
                               "1, but got %d instead." % n, "integer_below_min_value")
        if n > 10:
            raise invalid("n", "Invalid 'n': integer above maximum value. Expected a value <= "
                               "10, but got %d instead." % n, "integer_above_max_value")
        if n > model.n_max:
            raise invalid("n", "You must provide n=1 for this model.", "invalid_value")
    n = n or 1

    for name in GPT_ONLY:
        if not model.gpt and (fields.has(name) or any(p.name == name for p in files)):
            raise invalid(name, "The '%s' parameter is only supported for the GPT image "
                                "models." % name, "unsupported_parameter")
    if model.gpt and fields.has("response_format"):
        raise invalid("response_format", "Unknown parameter: 'response_format'.",
                      "unknown_parameter")
    if model.gpt and fields.has("style"):
        raise invalid("style", "The 'style' parameter is only supported for dall-e-3.",
                      "unsupported_parameter")

    size = fields.string("size")
    if size is None:
        size = "auto" if model.gpt else "1024x1024"
    if size not in model.sizes and not (model.custom_sizes and _check_custom_size(size)):
        raise _bad_value("size", size, model.sizes)
    width, height = parse_size(size) or (1024, 1024)  # "auto" answers at 1024x1024

    response_format = _check_enum(fields, "response_format",
                                  [] if model.gpt else ["url", "b64_json"], model)
    quality = _check_enum(fields, "quality", model.qualities, model)
    style = _check_enum(fields, "style", model.styles, model)
    background = output_format = None
    stream = False
    partial_images = 0
    if model.gpt:
        background = _check_enum(fields, "background", ["transparent", "opaque", "auto"], model)
        output_format = _check_enum(fields, "output_format", ["png", "jpeg", "webp"], model)
        _check_enum(fields, "moderation", ["low", "auto"], model)
        _check_enum(fields, "complexity", ["low", "medium", "high"], model)
        _check_enum(fields, "input_fidelity", model.input_fidelities, model)
        if background == "transparent" and output_format == "jpeg":
            raise invalid("background", "Transparent background is not supported for the jpeg "
                                        "output format; use png or webp.", "invalid_value")
        compression = fields.integer("output_compression")
        if compression is not None:
            if not 0 <= compression <= 100:
                raise invalid("output_compression", "Invalid 'output_compression': expected a "
                              "value between 0 and 100, but got %d instead." % compression,
                              "invalid_value")
            if output_format not in ("jpeg", "webp"):
                raise invalid("output_compression", "The 'output_compression' parameter is only "
                              "supported for the jpeg and webp output formats.",
                              "unsupported_parameter")
        stream = bool(fields.boolean("stream"))
        partial_images = fields.integer("partial_images")
        if partial_images is not None and not 0 <= partial_images <= 3:
            raise invalid("partial_images", "Invalid 'partial_images': expected a value between "
                          "0 and 3, but got %d instead." % partial_images, "invalid_value")
        partial_images = partial_images or 0

    inputs = check_files(op, model, files) if op != "generate" else []

    # 7.59.0: a non-empty safety_identifier wins over the deprecated user.
    safety_identifier = (fields.string("safety_identifier") if op != "variation" else None) \
        or fields.string("user") or None
    return Plan(op=op, model=model, prompt=prompt or "", n=n, size=size, width=width,
                safety_identifier=safety_identifier,
                height=height, response_format=response_format or ("b64_json" if model.gpt
                                                                   else "url"),
                quality=quality, style=style, background=background,
                output_format=output_format or "png", stream=stream,
                partial_images=partial_images, inputs=inputs)


def _has_transparent_pixel(data):
    try:
        rgba = images.decode_png(data)
    except images.ImageError:
        return True  # beyond the stand-in's decoder: let it through
    # Transparent is alpha 0, as clients check it: half-opaque strokes over every pixel leave
    # nothing of the image untouched.
    return 0 in rgba.pixels[3::4]


def _sniff(part, label):
    try:
        return images.sniff(part.data)
    except images.ImageError as e:
        raise invalid(part.name, "Invalid image file or mode for %s, please check your image "
                                 "file (%s)." % (label, e), "invalid_image_file")


def check_files(op, model, files):
    """Checks uploads; returns [(field, format, width, height)] of the input images."""
    image_parts = [p for p in files if p.name in ("image", "image[]")]
    by_name = {}
    for p in files:
        if p.name in ("mask", "markup"):
            if p.name in by_name:
                raise invalid(p.name, "Only one '%s' file may be given." % p.name,
                              "invalid_value")
            by_name[p.name] = p
    if not model.gpt:
        image_parts = [p for p in image_parts if p.name == "image"]
    if not image_parts:
        raise invalid("image", "Missing required parameter: 'image'.",
                      "missing_required_parameter")
    for p in files:
        if p.filename is None:
            raise invalid(p.name, "Invalid type for '%s': expected a file, but got a string "
                                  "instead." % p.name, "invalid_type")

    out = []
    if not model.gpt:
        if len(image_parts) > 1 or any(p.name == "image[]" for p in files):
            raise invalid("image", "%s accepts exactly one image." % model.name, "invalid_value")
        part = image_parts[0]
        if part.content_type not in (None, "image/png", "application/octet-stream"):
            raise invalid("image", "Invalid file 'image': unsupported mimetype ('%s'). Supported "
                          "file formats are 'image/png'." % part.content_type,
                          "unsupported_file_mimetype")
        fmt, w, h, info = _sniff(part, "image")
        if fmt != "png":
            raise invalid("image", "Uploaded image must be a PNG and less than 4 MB.",
                          "invalid_image_format")
        if len(part.data) >= DALLE_MAX_BYTES:
            raise invalid("image", "Uploaded image must be a PNG and less than 4 MB.",
                          "image_too_large")
        if w != h:
            raise invalid("image", "Invalid input image - image must be square, got %dx%d." %
                          (w, h), "invalid_image_dimensions")
        if op == "edit" and "mask" not in by_name and not info.has_alpha:
            # Without a mask, DALL-E 2 reads the edit area from the image's own transparency.
            raise invalid("image", "Invalid input image - format must be in ['RGBA', 'LA', "
                                   "'L'], got RGB.", "invalid_image_format")
        out.append(("image", fmt, w, h))
    else:
        # Several images are an array: repeated "image[]" parts, in order. A form reader keeps
        # one value of a repeated plain field, so repeated or mixed "image" parts would lose images.
        if len(image_parts) > 1 and any(p.name == "image" for p in image_parts):
            raise invalid("image", "Invalid 'image': several images must all be sent as "
                          "'image[]' parts, in order (got %s)." % ", ".join(
                              "'%s'" % p.name for p in image_parts), "invalid_value")
        if len(image_parts) > MAX_GPT_IMAGES:
            raise invalid("image", "Invalid 'image': too many images. Expected at most %d, but "
                          "got %d." % (MAX_GPT_IMAGES, len(image_parts)), "array_above_max_length")
        for i, part in enumerate(image_parts):
            if part.content_type not in ("image/png", "image/jpeg", "image/webp"):
                raise invalid(part.name, "Invalid file '%s': unsupported mimetype ('%s'). "
                              "Supported file formats are 'image/jpeg', 'image/png', and "
                              "'image/webp'." % (part.name, part.content_type),
                              "unsupported_file_mimetype")
            fmt, w, h, _ = _sniff(part, "image %d" % (i + 1))
            if len(part.data) >= GPT_MAX_BYTES:
                raise invalid(part.name, "Invalid 'image': image %d is larger than 50 MB." %
                              (i + 1), "image_too_large")
            out.append((part.name, fmt, w, h))

    first_w, first_h = out[0][2], out[0][3]
    if "mask" in by_name and "markup" in by_name:
        raise invalid("markup", "'markup' cannot be combined with 'mask'.", "invalid_value")
    for name in ("mask", "markup"):
        part = by_name.get(name)
        if part is None:
            continue
        if name == "markup" and not model.markup:
            raise invalid("markup", "The 'markup' parameter is not supported with the '%s' "
                                    "model." % model.name, "unsupported_parameter")
        fmt, w, h, info = _sniff(part, name)
        if fmt != "png":
            raise invalid(name, "Invalid %s image format - %s must be a PNG." % (name, name),
                          "invalid_image_format")
        if len(part.data) >= MASK_MAX_BYTES:
            raise invalid(name, "Invalid %s image - must be less than 4 MB." % name,
                          "image_too_large")
        if not info.has_alpha:
            raise invalid(name, "Invalid %s image format - %s image missing alpha channel." % (
                name, name), "invalid_image_format")
        if name == "markup" and not _has_transparent_pixel(part.data):
            # 7.59.0: the markup "must ... contain transparent pixels".
            raise invalid(name, "Invalid markup image - markup must contain transparent pixels.",
                          "invalid_image_format")
        if (w, h) != (first_w, first_h):
            raise invalid(name, "Invalid %s image - the %s and the image must be the same size "
                          "(image: %dx%d, %s: %dx%d)." % (name, name, first_w, first_h, name, w,
                                                         h), "invalid_image_dimensions")
    return out
