# The GIMP side of the end-to-end tests: runs inside gimp-console-3.0's python-fu-eval batch
# interpreter (in the Debian 13 chroot), builds an image, calls the oaimg procedures
# non-interactively against the stand-in server, and checks the pixels GIMP ends up with.
#
# Environment (set by run_case.py): OAIMG_E2E_CASE, OAIMG_E2E_REPORT, OAIMG_E2E_SERVER (the
# stand-in's root URL, for its control API), and OPENAI_BASE_URL and OPENAI_API_KEY, which only
# the plug-in reads. The report is JSON: {"case",
# "failures": [...], "facts": {...}}; run_case.py fails the test on any failure or a missing report.
import json
import os
import time
import traceback
import urllib.request

import gi

gi.require_version("Gimp", "3.0")
gi.require_version("Gegl", "0.4")
from gi.repository import Gegl, Gimp  # noqa: E402

RED, GREEN, BLUE, WHITE = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)
MODEL = "dall-e-2"
PROMPT = "a red ball"
# How far the put-back mask may feather outwards from the selection's edge.
FEATHER_LIMIT = 24

failures = []
facts = {}


def check(condition, message):
    if not condition:
        failures.append(message)
    return condition


def control(path, payload=None):
    base = os.environ["OAIMG_E2E_SERVER"]
    data = None if payload is None else json.dumps(payload).encode()
    req = urllib.request.Request(base + path, data=data, method="GET" if data is None else "POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read() or b"null")


def image_requests(expected=None, wait_s=3.0):
    """The image API requests the server logged. The server logs a request once its answer is
    sent, so the client may see the answer first: wait (bounded) for the expected count."""
    deadline = time.monotonic() + wait_s
    while True:
        log = [r for r in control("/_control/log")["requests"]
               if r["path"].startswith("/v1/images/")]
        if expected is None or len(log) >= expected or time.monotonic() >= deadline:
            return log
        time.sleep(0.05)


# ---- images and pixels ---------------------------------------------------------------------------

def colour(rgb):
    c = Gegl.Color.new("black")
    c.set_rgba(rgb[0] / 255.0, rgb[1] / 255.0, rgb[2] / 255.0, 1.0)
    return c


def new_image(width, height, base=Gimp.ImageBaseType.RGB,
              precision=Gimp.Precision.U8_NON_LINEAR, fill=BLUE, alpha=False):
    image = Gimp.Image.new_with_precision(width, height, base, precision)
    types = {Gimp.ImageBaseType.RGB: (Gimp.ImageType.RGB_IMAGE, Gimp.ImageType.RGBA_IMAGE),
             Gimp.ImageBaseType.GRAY: (Gimp.ImageType.GRAY_IMAGE, Gimp.ImageType.GRAYA_IMAGE)}
    layer = Gimp.Layer.new(image, "Background", width, height, types[base][1 if alpha else 0],
                           100.0, Gimp.LayerMode.NORMAL)
    image.insert_layer(layer, None, 0)
    fill_rect(layer, 0, 0, width, height, fill)
    return image, layer


def fill_rect(drawable, x, y, w, h, rgb):
    buf = drawable.get_buffer()
    buf.set(Gegl.Rectangle.new(x, y, w, h), "R'G'B'A u8", bytes(list(rgb) + [255]) * (w * h))
    buf.flush()
    drawable.update(x, y, w, h)


def read(drawable, fmt="R'G'B'A u8", rect=None):
    """(bytes, width, height) of a drawable (or a rectangle of it) in a babl format."""
    if rect is None:
        rect = (0, 0, drawable.get_width(), drawable.get_height())
    buf = drawable.get_buffer()
    data = buf.get(Gegl.Rectangle.new(*rect), 1.0, fmt, Gegl.AbyssPolicy.NONE)
    return bytes(data), rect[2], rect[3]


def composite(image):
    """The image as GIMP shows it, in 8-bit sRGB: a temporary layer from the visible projection."""
    layer = Gimp.Layer.new_from_visible(image, image, "composite")
    data, w, h = read(layer)
    layer.delete()
    return data, w, h


def pixel(data, width, x, y, channels=4):
    i = (y * width + x) * channels
    return tuple(data[i:i + channels])


def near(a, b, tolerance=2):
    return all(abs(p - q) <= tolerance for p, q in zip(a, b))


def selection_mask(image):
    sel = image.get_selection()
    data, w, h = read(sel, "Y u8", (0, 0, image.get_width(), image.get_height()))
    return data, w, h


def layer_tree(image):
    return [(l.get_name(), l.is_group()) for l in image.get_layers()]


def run(proc_name, image, drawables, run_mode=Gimp.RunMode.NONINTERACTIVE, **args):
    pdb = Gimp.get_pdb()
    proc = pdb.lookup_procedure(proc_name)
    check(proc is not None, "%s is not registered" % proc_name)
    config = proc.create_config()
    config.set_property("run-mode", run_mode)
    config.set_property("image", image)
    config.set_core_object_array("drawables", drawables)
    for key, value in args.items():
        config.set_property(key, value)
    result = proc.run(config)
    status = result.index(0)
    if status == Gimp.PDBStatusType.SUCCESS:
        return status, list(result.get_core_object_array(1) or []), None
    # Errors carry their message as the second value; a cancelled run carries none.
    message = None
    if status in (Gimp.PDBStatusType.EXECUTION_ERROR, Gimp.PDBStatusType.CALLING_ERROR) and \
            result.length() > 1 and isinstance(result.index(1), str):
        message = result.index(1)
    return status, [], message


# ---- shared checks -------------------------------------------------------------------------------

def check_group(image, layers, n, group_name, anchor_index=0, model=MODEL):
    """The results are one group right above the active layer, n layers, the first visible."""
    top = image.get_layers()
    check(len(layers) == n, "returned %d layers, wanted %d" % (len(layers), n))
    if not layers:
        return None
    group = layers[0].get_parent()
    check(group is not None and group.is_group(), "result layers are not in a layer group")
    if group is None:
        return None
    check(top[anchor_index].get_id() == group.get_id(),
          "the group is not right above the active layer: %s" % layer_tree(image))
    check(group.get_name() == group_name,
          "group named %r, wanted %r" % (group.get_name(), group_name))
    children = group.get_children()
    check([c.get_id() for c in children] == [l.get_id() for l in layers],
          "the group holds %d layers, not exactly the returned ones" % len(children))
    for i, layer in enumerate(layers):
        check(layer.get_visible() == (i == 0), "layer %d visible=%s" % (i, layer.get_visible()))
        check(layer.get_mask() is not None, "layer %d has no layer mask" % i)
        parasite = layer.get_parasite("oaimg-provenance")
        check(parasite is not None, "layer %d has no provenance parasite" % i)
        if parasite is not None:
            text = bytes(parasite.get_data()).rstrip(b"\0").decode()
            prov = json.loads(text)
            facts.setdefault("provenance", []).append(prov)
            check(prov.get("model") == model, "provenance model %r" % prov.get("model"))
            check(prov.get("request_id"), "provenance without request id")
            check(prov.get("created"), "provenance without time")
            check(prov.get("size"), "provenance without size")
            if group_name == PROMPT:
                check(prov.get("prompt") == PROMPT, "provenance prompt %r" % prov.get("prompt"))
            check("sk-" not in text, "provenance holds something like a key")
    return group


def check_mask_matches_selection(image, layer, sel_data):
    """The layer mask, put in image coordinates, is opaque wherever the selection is full, empty
    far from it, and its extent is centred on the selection's (an offset error breaks that)."""
    mask = layer.get_mask()
    mdata, mw, mh = read(mask, "Y u8")
    ox, oy = layer.get_offsets()[1:]
    iw, ih = image.get_width(), image.get_height()
    full_missed = 0
    mxs, mys = [], []
    for y in range(ih):
        for x in range(iw):
            s = sel_data[y * iw + x]
            lx, ly = x - ox, y - oy
            m = mdata[ly * mw + lx] if 0 <= lx < mw and 0 <= ly < mh else 0
            if s == 255 and m != 255:
                full_missed += 1
            if m > 0:
                mxs.append(x)
                mys.append(y)
    sxs = [x for y in range(ih) for x in range(iw) if sel_data[y * iw + x] > 0]
    sys_ = [y for y in range(ih) for x in range(iw) if sel_data[y * iw + x] > 0]
    check(full_missed == 0, "%d fully selected pixels are not fully opaque in the mask" % full_missed)
    if mxs and sxs:
        sb = (min(sxs), min(sys_), max(sxs), max(sys_))
        mb = (min(mxs), min(mys), max(mxs), max(mys))
        facts["selection_bounds"], facts["mask_bounds"] = sb, mb
        # Feathering grows the mask by the same amount on every side the image does not clip.
        left, top, right, bottom = sb[0] - mb[0], sb[1] - mb[1], mb[2] - sb[2], mb[3] - sb[3]
        for name, grow in (("left", left), ("top", top), ("right", right), ("bottom", bottom)):
            check(0 <= grow <= FEATHER_LIMIT, "mask extends %d px beyond the selection (%s)"
                  % (grow, name))
        if sb[0] > FEATHER_LIMIT and sb[2] < iw - 1 - FEATHER_LIMIT:
            check(left == right, "mask not centred horizontally on the selection: %d vs %d"
                  % (left, right))
        if sb[1] > FEATHER_LIMIT and sb[3] < ih - 1 - FEATHER_LIMIT:
            check(top == bottom, "mask not centred vertically on the selection: %d vs %d"
                  % (top, bottom))
    else:
        check(False, "empty mask or selection")


def check_composite(image, sel_data, inside, outside_of, tolerance=2, channels=4, fmt=None):
    """Every fully selected pixel shows `inside`; every pixel that is far from the selection shows
    what outside_of(x, y) says it showed before."""
    data, w, h = composite(image) if fmt is None else read_visible(image, fmt)
    wrong_in = wrong_out = 0
    first = []
    for y in range(h):
        for x in range(w):
            s = sel_data[y * w + x]
            p = pixel(data, w, x, y, channels)[:3 if channels >= 3 else 1]
            if s == 255:
                if not near(p, inside, tolerance):
                    wrong_in += 1
                    first.append(("in", x, y, p))
            elif s == 0 and far_from_selection(sel_data, w, h, x, y):
                want = outside_of(x, y)
                if not near(p, want, tolerance):
                    wrong_out += 1
                    first.append(("out", x, y, p, want))
    check(wrong_in == 0, "%d selected pixels are not %s, e.g. %s" % (wrong_in, inside, first[:3]))
    check(wrong_out == 0, "%d pixels outside changed, e.g. %s" % (wrong_out, first[:3]))


_far_cache = {}


def far_from_selection(sel_data, w, h, x, y):
    key = id(sel_data)
    if key not in _far_cache:
        xs = [i % w for i, s in enumerate(sel_data) if s]
        ys = [i // w for i, s in enumerate(sel_data) if s]
        _far_cache.clear()
        _far_cache[key] = (min(xs) - FEATHER_LIMIT, min(ys) - FEATHER_LIMIT,
                           max(xs) + FEATHER_LIMIT, max(ys) + FEATHER_LIMIT)
    x0, y0, x1, y1 = _far_cache[key]
    return not (x0 <= x <= x1 and y0 <= y <= y1)


def read_visible(image, fmt):
    layer = Gimp.Layer.new_from_visible(image, image, "composite")
    data, w, h = read(layer, fmt)
    layer.delete()
    return data, w, h


def pixels_of(drawable):
    return read(drawable)[0]


# ---- cases ---------------------------------------------------------------------------------------

def edit_case(image, layer, n=1, inside=RED, fmt=None, channels=4, outside=BLUE, tolerance=2):
    sel, _, _ = selection_mask(image)
    before = pixels_of(layer)
    count_before = len(image.get_layers())
    status, layers, message = run("plug-in-oaimg-edit", image, [layer], prompt=PROMPT, n=n,
                                  model=MODEL, size="auto")
    if not check(status == Gimp.PDBStatusType.SUCCESS, "edit failed: %s %s" % (status, message)):
        return []
    check(len(image.get_layers()) == count_before + 1, "not exactly one new top-level item")
    check(pixels_of(layer) == before, "the source layer's pixels changed")
    check_group(image, layers, n, PROMPT, anchor_index=0)
    for l in layers:
        check_mask_matches_selection(image, l, sel)
    outside_of = outside if callable(outside) else (lambda x, y: outside)
    check_composite(image, sel, inside, outside_of, tolerance, channels, fmt)
    log = image_requests(1)
    check(len(log) == 1 and log[0]["path"] == "/v1/images/edits",
          "server saw %s" % [(r["path"], r["status"]) for r in log])
    if log:
        files = {f["field"]: f for f in log[0]["files"]}
        check("image" in files and "mask" in files, "edit without image or mask: %s" % files)
        if "image" in files:
            check(files["image"]["width"] == files["image"]["height"],
                  "DALL·E 2 edits need a square image, sent %sx%s"
                  % (files["image"]["width"], files["image"]["height"]))
    return layers


def case_edit_ellipse():
    """Elliptic selection on a non-square RGB image without alpha; two results."""
    image, layer = new_image(200, 120)
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 60, 30, 80, 50)
    layers = edit_case(image, layer, n=2)
    if len(layers) == 2:
        # The second result is hidden; shown instead of the first, its own colour appears.
        layers[0].set_visible(False)
        layers[1].set_visible(True)
        sel, _, _ = selection_mask(image)
        check_composite(image, sel, GREEN, lambda x, y: BLUE)


def case_edit_offset_layer():
    """The active layer is smaller than the canvas and offset: results land in image space."""
    image, background = new_image(200, 120, fill=WHITE)
    layer = Gimp.Layer.new(image, "offset", 120, 80, Gimp.ImageType.RGBA_IMAGE, 100.0,
                           Gimp.LayerMode.NORMAL)
    image.insert_layer(layer, None, 0)
    layer.set_offsets(50, 30)
    fill_rect(layer, 0, 0, 120, 80, BLUE)
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 80, 50, 50, 36)
    sel, _, _ = selection_mask(image)
    status, layers, message = run("plug-in-oaimg-edit", image, [layer], prompt=PROMPT, n=1,
                                  model=MODEL, size="auto")
    if not check(status == Gimp.PDBStatusType.SUCCESS, "edit failed: %s" % message):
        return
    check_group(image, layers, 1, PROMPT, anchor_index=0)
    result = layers[0]
    ox, oy = result.get_offsets()[1:]
    check(ox >= 50 and oy >= 30 and ox + result.get_width() <= 170 and
          oy + result.get_height() <= 110,
          "result (%d,%d %dx%d) is not inside the source layer" %
          (ox, oy, result.get_width(), result.get_height()))
    check_mask_matches_selection(image, result, sel)

    def before(x, y):
        return BLUE if 50 <= x < 170 and 30 <= y < 110 else WHITE
    check_composite(image, sel, RED, before)


def case_edit_edge():
    """A selection touching the image's corner and edges."""
    image, layer = new_image(180, 100)
    image.select_ellipse(Gimp.ChannelOps.REPLACE, -40, -30, 120, 90)
    layers = edit_case(image, layer)
    for l in layers:
        ox, oy = l.get_offsets()[1:]
        check(ox >= 0 and oy >= 0, "result placed outside the canvas at (%d, %d)" % (ox, oy))


def case_edit_soft_selection():
    """A feathered selection: full coverage repainted, the soft edge carried into the mask."""
    image, layer = new_image(200, 140)
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 50, 30, 100, 80)
    Gimp.Selection.feather(image, 24.0)
    sel, _, _ = selection_mask(image)
    check(any(0 < v < 255 for v in sel), "the selection is not soft")
    layers = edit_case(image, layer)
    for l in layers:
        mdata, mw, _ = read(l.get_mask(), "Y u8")
        ox, oy = l.get_offsets()[1:]
        # Where the selection is partial, the mask keeps at least that coverage: a soft edge is
        # not cut off to a hard one.
        cut = sum(1 for y in range(oy, oy + l.get_height()) for x in range(ox, ox + mw)
                  if 0 < sel[y * 200 + x] < 255 and mdata[(y - oy) * mw + (x - ox)] + 2 <
                  sel[y * 200 + x])
        check(cut == 0, "%d softly selected pixels lost coverage in the mask" % cut)


def case_edit_float_alpha():
    """A 32-bit float linear RGBA image, the layer half transparent outside a square."""
    image, layer = new_image(140, 100, precision=Gimp.Precision.FLOAT_LINEAR, alpha=True)
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 30, 20, 60, 50)
    layers = edit_case(image, layer)
    for l in layers:
        check(l.get_bpp() == 16, "result layer has %d bytes a pixel, not float RGBA" % l.get_bpp())


def case_interactive_edit():
    """The dialog path under Xvfb: interactive.sh presses Send once the dialog is up; the run
    goes through the progress window and ends like a non-interactive one."""
    image, layer = new_image(200, 120)
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 60, 30, 80, 50)
    sel, _, _ = selection_mask(image)
    status, layers, message = run("plug-in-oaimg-edit", image, [layer],
                                  run_mode=Gimp.RunMode.INTERACTIVE, prompt=PROMPT, n=1,
                                  model=MODEL, size="auto")
    if not check(status == Gimp.PDBStatusType.SUCCESS, "interactive edit: %s %s"
                 % (status, message)):
        return
    check_group(image, layers, 1, PROMPT, anchor_index=0)
    check_composite(image, sel, RED, lambda x, y: BLUE)
    check(len(image_requests(1)) == 1, "not exactly one request")


def case_interactive_undo():
    """The whole insertion is one undo step: one Ctrl+Z in the image window removes the group
    and its layers, and leaves the image as it was before the run."""
    image, layer = new_image(200, 120)
    Gimp.Display.new(image)
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 60, 30, 80, 50)
    before_tree, before_pixels = layer_tree(image), pixels_of(layer)
    before_view = composite(image)[0]
    status, layers, message = run("plug-in-oaimg-edit", image, [layer],
                                  run_mode=Gimp.RunMode.INTERACTIVE, prompt=PROMPT, n=2,
                                  model=MODEL, size="auto")
    if not check(status == Gimp.PDBStatusType.SUCCESS, "edit: %s %s" % (status, message)):
        return
    check(layer_tree(image) != before_tree, "the run added nothing")
    Gimp.displays_flush()
    open(os.path.join(os.environ["OAIMG_E2E_DIR"], "ran"), "w").close()
    deadline = time.monotonic() + 60
    while layer_tree(image) != before_tree and time.monotonic() < deadline:
        time.sleep(0.2)
    check(layer_tree(image) == before_tree, "one undo left %s" % layer_tree(image))
    check(pixels_of(layer) == before_pixels, "the layer differs after the undo")
    check(composite(image)[0] == before_view, "the image looks different after the undo")


def case_interactive_cancel():
    """Cancel in the progress window while the server is slow: the run stops with CANCEL and the
    image is exactly as it was."""
    control("/_control/config", {"delay": 20})
    image, layer = new_image(200, 120)
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 60, 30, 80, 50)
    before_tree, before_pixels = layer_tree(image), pixels_of(layer)
    status, layers, message = run("plug-in-oaimg-edit", image, [layer],
                                  run_mode=Gimp.RunMode.INTERACTIVE, prompt=PROMPT, n=1,
                                  model=MODEL, size="auto")
    check(status == Gimp.PDBStatusType.CANCEL, "status %s %s after Cancel" % (status, message))
    check(layer_tree(image) == before_tree and pixels_of(layer) == before_pixels,
          "the image changed after Cancel")
    check(len(image_requests()) <= 1, "more than one request was sent")


def case_interactive_settings(in_keyring=False):
    """The Settings dialog stores a typed key; a run without OPENAI_API_KEY then uses it."""
    check("OPENAI_API_KEY" not in os.environ, "the environment was meant to have no key")
    pdb = Gimp.get_pdb()
    proc = pdb.lookup_procedure("plug-in-oaimg-settings")
    config = proc.create_config()
    config.set_property("run-mode", Gimp.RunMode.INTERACTIVE)
    result = proc.run(config)
    check(result.index(0) == Gimp.PDBStatusType.SUCCESS, "settings dialog: %s" % result.index(0))
    key_file = os.path.join(Gimp.directory(), "oaimg", "api-key")
    if in_keyring:
        check(not os.path.exists(key_file), "a key file is in the profile beside the keyring")
    else:
        check(os.path.exists(key_file) and os.stat(key_file).st_mode & 0o777 == 0o600,
              "the key file is missing or not 0600")
    check(os.path.exists(os.path.join(Gimp.directory(), "oaimg", "settings.ini")),
          "settings.ini was not written")
    image, layer = new_image(120, 80)
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 30, 20, 50, 40)
    status, layers, message = run("plug-in-oaimg-edit", image, [layer], prompt=PROMPT, n=1,
                                  model=MODEL, size="auto")
    check(status == Gimp.PDBStatusType.SUCCESS, "edit with the stored key failed: %s" % message)
    log = image_requests(1)
    check(len(log) == 1 and log[0]["auth_ok"], "the stored key was not sent")


def case_interactive_settings_keyring():
    """Under a session with a Secret Service (keyring.sh): the typed key goes to the keyring,
    not the profile, and a later non-interactive edit sends it (run_case.py checks the keyring
    itself with secret-tool)."""
    check(os.environ.get("DBUS_SESSION_BUS_ADDRESS"), "no D-Bus session: the keyring is missing")
    case_interactive_settings(in_keyring=True)


def case_stored_settings():
    """No OPENAI_* variables: the key file and settings.ini in the profile are used."""
    check("OPENAI_API_KEY" not in os.environ and "OPENAI_BASE_URL" not in os.environ,
          "the environment was meant to be clean")
    image, layer = new_image(120, 80)
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 30, 20, 50, 40)
    status, layers, message = run("plug-in-oaimg-edit", image, [layer], prompt=PROMPT, n=1,
                                  model=MODEL, size="auto")
    check(status == Gimp.PDBStatusType.SUCCESS, "edit with stored settings failed: %s" % message)
    log = image_requests(1)
    check(len(log) == 1 and log[0]["auth_ok"], "the stored key was not sent")


def case_edit_16bit():
    """A 16-bit linear RGB image: results keep the image's precision."""
    image, layer = new_image(160, 96, precision=Gimp.Precision.U16_LINEAR)
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 40, 20, 70, 50)
    layers = edit_case(image, layer)
    check(image.get_precision() == Gimp.Precision.U16_LINEAR, "image precision changed")
    for l in layers:
        # RGBA with 16 bits a channel: 8 bytes a pixel.
        check(l.get_bpp() == 8, "result layer has %d bytes a pixel, not 16-bit RGBA" % l.get_bpp())
        data = read(l, "RGBA u16", (l.get_width() // 2, l.get_height() // 2, 1, 1))[0]
        check(data == bytes([255, 255, 0, 0, 0, 0, 255, 255]),
              "result centre in linear u16 is %s, not full red" % list(data))


def case_edit_gray():
    """A grayscale image: the result is converted to gray (red's luminance)."""
    image, layer = new_image(150, 100, base=Gimp.ImageBaseType.GRAY, fill=(200, 200, 200))
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 30, 20, 80, 60)
    # Red in the image's gray, as GEGL converts it (babl's D50-adapted sRGB luminance).
    probe = Gimp.Layer.new(image, "probe", 1, 1, Gimp.ImageType.GRAY_IMAGE, 100.0,
                           Gimp.LayerMode.NORMAL)
    image.insert_layer(probe, None, 0)
    fill_rect(probe, 0, 0, 1, 1, RED)
    red_gray = read(probe, "Y' u8")[0][0]
    image.remove_layer(probe)
    facts["red_as_gray"] = red_gray
    layers = edit_case(image, layer, inside=(red_gray,), fmt="Y' u8", channels=1,
                       outside=(200,), tolerance=1)
    for l in layers:
        check(l.type() == Gimp.ImageType.GRAYA_IMAGE, "result layer type %s" % l.type())


def case_edit_indexed():
    """An indexed image whose palette holds red: results are indexed layers showing red."""
    image, layer = new_image(150, 100)
    fill_rect(layer, 0, 0, 10, 10, RED)
    image.convert_indexed(Gimp.ConvertDitherType.NONE, Gimp.ConvertPaletteType.GENERATE, 16,
                          False, False, "")
    layer = image.get_layers()[0]
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 40, 30, 80, 50)
    layers = edit_case(image, layer,
                       outside=lambda x, y: RED if x < 10 and y < 10 else BLUE)
    for l in layers:
        check(l.type() == Gimp.ImageType.INDEXEDA_IMAGE, "result layer type %s" % l.type())


def case_variation():
    """A variation of the whole layer (no selection) covers the layer exactly."""
    image, layer = new_image(128, 96)
    image.select_none() if hasattr(image, "select_none") else Gimp.Selection.none(image)
    before = pixels_of(layer)
    status, layers, message = run("plug-in-oaimg-variation", image, [layer], prompt="", n=1,
                                  model=MODEL, size="auto")
    if not check(status == Gimp.PDBStatusType.SUCCESS, "variation failed: %s" % message):
        return
    check_group(image, layers, 1, "Variations", anchor_index=0)
    check(pixels_of(layer) == before, "the source layer changed")
    l = layers[0]
    check(l.get_offsets()[1:] == (0, 0) and (l.get_width(), l.get_height()) == (128, 96),
          "variation placed at %s %dx%d, not over the layer" %
          (l.get_offsets()[1:], l.get_width(), l.get_height()))
    data, w, h = composite(image)
    bad = sum(1 for y in range(h) for x in range(w) if not near(pixel(data, w, x, y)[:3], RED))
    check(bad == 0, "%d pixels of the variation are not the result colour" % bad)
    log = image_requests(1)
    check([r["path"] for r in log] == ["/v1/images/variations"],
          "server saw %s" % [r["path"] for r in log])

    # With a selection, the variation works on its region and is masked to it.
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 20, 20, 60, 40)
    sel, _, _ = selection_mask(image)
    layers[0].get_parent().set_visible(False)
    status, layers, message = run("plug-in-oaimg-variation", image, [layer], prompt="", n=1,
                                  model=MODEL, size="auto")
    if check(status == Gimp.PDBStatusType.SUCCESS, "variation of a region: %s" % message):
        check_mask_matches_selection(image, layers[0], sel)
        check_composite(image, sel, RED, lambda x, y: BLUE)


def case_generate():
    """A generation fills the selection's bounds, with a size of the model's nearest shape."""
    image, layer = new_image(200, 120)
    image.select_rectangle(Gimp.ChannelOps.REPLACE, 20, 10, 100, 60)
    before = pixels_of(layer)
    status, layers, message = run("plug-in-oaimg-generate", image, [layer], prompt=PROMPT, n=1,
                                  model=MODEL, size="auto")
    if not check(status == Gimp.PDBStatusType.SUCCESS, "generate failed: %s" % message):
        return
    check_group(image, layers, 1, PROMPT, anchor_index=0)
    check(pixels_of(layer) == before, "the active layer changed")
    l = layers[0]
    check(l.get_offsets()[1:] == (20, 10) and (l.get_width(), l.get_height()) == (100, 60),
          "generated layer at %s %dx%d, not the selection's bounds (20,10) 100x60" %
          (l.get_offsets()[1:], l.get_width(), l.get_height()))
    sel, _, _ = selection_mask(image)
    check_composite(image, sel, RED, lambda x, y: BLUE)
    log = image_requests(1)
    check([r["path"] for r in log] == ["/v1/images/generations"],
          "server saw %s" % [r["path"] for r in log])
    if log:
        facts["generation_size"] = log[0]["fields"].get("size")
        check(log[0]["fields"].get("size") in ("256x256", "512x512", "1024x1024"),
              "size sent: %r" % log[0]["fields"].get("size"))

    # Without a selection, a generation fills the canvas.
    Gimp.Selection.none(image)
    layers[0].get_parent().set_visible(False)
    status, layers, message = run("plug-in-oaimg-generate", image, [layer], prompt=PROMPT, n=1,
                                  model=MODEL, size="auto")
    if check(status == Gimp.PDBStatusType.SUCCESS, "generate on the canvas: %s" % message):
        l = layers[0]
        check(l.get_offsets()[1:] == (0, 0) and (l.get_width(), l.get_height()) == (200, 120),
              "canvas generation at %s %dx%d" % (l.get_offsets()[1:], l.get_width(),
                                                l.get_height()))
        data, w, h = composite(image)
        bad = sum(1 for y in range(h) for x in range(w) if not near(pixel(data, w, x, y)[:3], RED))
        check(bad == 0, "%d canvas pixels are not the generated colour" % bad)


def case_rate_limit_then_success():
    """One 429 with Retry-After: 1, then success: the retry is invisible except for the wait."""
    control("/_control/faults", {"faults": [{"kind": "status", "status": 429,
                                             "headers": {"Retry-After": "1"}, "times": 1}]})
    image, layer = new_image(120, 80)
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 30, 20, 50, 40)
    sel, _, _ = selection_mask(image)
    status, layers, message = run("plug-in-oaimg-edit", image, [layer], prompt=PROMPT, n=1,
                                  model=MODEL, size="auto")
    check(status == Gimp.PDBStatusType.SUCCESS, "edit failed after a 429: %s" % message)
    log = image_requests(2)
    check([r["status"] for r in log] == [429, 200], "server answered %s"
          % [r["status"] for r in log])
    if len(log) == 2:
        gap = log[1]["start"] - log[0]["start"]
        check(gap >= 0.9, "the retry came %.2f s after the 429, before Retry-After" % gap)
    if status == Gimp.PDBStatusType.SUCCESS:
        check_group(image, layers, 1, PROMPT, anchor_index=0)
        check_composite(image, sel, RED, lambda x, y: BLUE)


def case_server_error_leaves_image():
    """A persistent 500: a clear error, and the image exactly as it was."""
    control("/_control/faults", {"faults": [{"kind": "status", "status": 500, "times": 10}]})
    image, layer = new_image(120, 80)
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 30, 20, 50, 40)
    before_pixels = pixels_of(layer)
    before_tree = layer_tree(image)
    before_composite = composite(image)[0]
    status, layers, message = run("plug-in-oaimg-edit", image, [layer], prompt=PROMPT, n=1,
                                  model=MODEL, size="auto")
    facts["error_message"] = message
    check(status == Gimp.PDBStatusType.EXECUTION_ERROR, "status %s after persistent 500" % status)
    check(message and "500" in message, "the message does not name the failure: %r" % message)
    check(layer_tree(image) == before_tree, "layers changed: %s" % layer_tree(image))
    check(pixels_of(layer) == before_pixels, "the layer's pixels changed")
    check(composite(image)[0] == before_composite, "the image looks different")
    log = image_requests(3)
    check(len(log) == 3 and all(r["status"] == 500 for r in log),
          "expected 3 attempts (2 retries), server saw %s" % [r["status"] for r in log])


def failing_edit(fault, expected_words):
    """An edit the server fails with `fault`: a message with the expected words, and the image,
    its layers and its pixels exactly as they were."""
    control("/_control/reset", {})
    if fault:
        control("/_control/faults", {"faults": [fault]})
    image, layer = new_image(120, 80)
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 30, 20, 50, 40)
    before_tree, before_pixels = layer_tree(image), pixels_of(layer)
    status, layers, message = run("plug-in-oaimg-edit", image, [layer], prompt=PROMPT, n=1,
                                  model=MODEL, size="auto")
    facts.setdefault("messages", []).append(message)
    check(status == Gimp.PDBStatusType.EXECUTION_ERROR, "status %s for %s" % (status, fault))
    for words in expected_words:
        check(message is not None and words in message,
              "message %r does not say %r" % (message, words))
    check(layer_tree(image) == before_tree and pixels_of(layer) == before_pixels,
          "the image changed after %s" % fault)
    image.delete()


def case_failure_messages():
    """What a user reads for each kind of failure, each leaving the image as it was."""
    failing_edit({"kind": "status", "status": 429, "headers": {"Retry-After": "1"}, "times": 3},
                 ["rate limit", "Try again in 1 second."])
    failing_edit({"kind": "status", "status": 400, "times": 1,
                  "error": {"message": "Your request was rejected by the safety system.",
                            "type": "invalid_request_error", "code": "content_policy_violation"}},
                 ["content policy", "rejected by the safety system"])
    failing_edit({"kind": "status", "status": 401, "times": 1,
                  "error": {"message": "Incorrect API key provided.",
                            "type": "invalid_request_error", "code": "invalid_api_key"}},
                 ["refused the API key", "OPENAI_API_KEY", "Request ID"])


def case_unreachable_server():
    """Nothing listens at the base URL (run_case.py points it at a closed port)."""
    failing_edit(None, ["could not be reached", os.environ["OPENAI_BASE_URL"].rstrip("/")])


def case_edit_without_selection(expected="select the area to repaint"):
    """Edit with nothing selected says so and changes nothing (no request is sent)."""
    image, layer = new_image(100, 80)
    Gimp.Selection.none(image)
    before_tree = layer_tree(image)
    before_pixels = pixels_of(layer)
    status, layers, message = run("plug-in-oaimg-edit", image, [layer], prompt=PROMPT, n=1,
                                  model=MODEL, size="auto")
    facts["error_message"] = message
    check(status == Gimp.PDBStatusType.EXECUTION_ERROR, "status %s without selection" % status)
    check(message and expected in message.lower(),
          "message %r does not ask for a selection" % message)
    check(layer_tree(image) == before_tree and pixels_of(layer) == before_pixels,
          "the image changed")
    check(image_requests(1, wait_s=0.5) == [], "a request was sent without a selection")


def case_edit_without_selection_zh():
    """The same in Simplified Chinese: the plug-in's catalogue is installed and bound."""
    case_edit_without_selection(expected="请先选择要重绘的区域")


def step_geometry(step):
    """The window geometry interactive.sh saw before the keys of step `step` (1-based)."""
    path = os.path.join(os.environ["OAIMG_E2E_DIR"], "geometry-%d" % step)
    values = {}
    if os.path.exists(path):
        for line in open(path):
            if "=" in line:
                k, v = line.strip().split("=", 1)
                values[k] = int(v) if v.isdigit() else v
    return values


# The old one-line entry grew the dialog to 2079 px with this prompt; the screen is 1280 wide.
DIALOG_MAX_WIDTH = 900


def case_interactive_prompt():
    """A prompt typed straight into the freshly opened dialog (starting with a space) goes into
    the prompt box, Ctrl+Return sends it, and the dialog stays narrow. The server fails that
    run; the next dialog comes back with the prompt, and Ctrl+Return alone sends it again."""
    typed = os.environ["OAIMG_E2E_TYPED_PROMPT"]
    control("/_control/faults", {"faults": [{"kind": "status", "status": 500, "times": 3}]})
    image, layer = new_image(200, 120)
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 60, 30, 80, 50)
    before_tree = layer_tree(image)
    status, layers, message = run("plug-in-oaimg-edit", image, [layer],
                                  run_mode=Gimp.RunMode.INTERACTIVE, prompt="", n=1,
                                  model=MODEL, size="auto")
    check(status == Gimp.PDBStatusType.EXECUTION_ERROR, "first run: %s %s" % (status, message))
    check(layer_tree(image) == before_tree, "the failed run changed the image")
    log = image_requests(3)
    check(len(log) == 3, "the first run sent %d requests, not 3 (2 retries)" % len(log))
    check(all(r["fields"].get("prompt") == typed for r in log),
          "sent %r, not the typed prompt" % [r["fields"].get("prompt") for r in log][:1])
    geometry = step_geometry(1)
    facts["dialog_geometry"] = geometry
    check(0 < geometry.get("WIDTH", 0) <= DIALOG_MAX_WIDTH,
          "the dialog is %s px wide with a %d-character prompt" % (geometry.get("WIDTH"),
                                                                   len(typed)))

    control("/_control/reset", {})
    status, layers, message = run("plug-in-oaimg-edit", image, [layer],
                                  run_mode=Gimp.RunMode.INTERACTIVE, prompt="", n=1,
                                  model=MODEL, size="auto")
    if not check(status == Gimp.PDBStatusType.SUCCESS, "second run: %s %s" % (status, message)):
        return
    log = image_requests(1)
    check(len(log) == 1 and log[0]["fields"].get("prompt") == typed,
          "the second dialog did not come back with the typed prompt: sent %r"
          % (log and log[0]["fields"].get("prompt")))
    history = open(os.path.join(Gimp.directory(), "oaimg", "history.ini")).read()
    check(typed.strip()[:40] in history, "the prompt is not in the history")
    check("sk-" not in history, "the history holds something like a key")


def case_interactive_model_limits():
    """Controls follow the model: DALL·E 2 is not offered Quality High (the dialog shows, and
    sends, Automatic); a DALL·E 2 variation shows its prompt as not sent and sends none; an empty
    prompt leaves Send insensitive, so Ctrl+Return sends nothing."""
    image, layer = new_image(200, 120)
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 60, 30, 80, 50)
    status, layers, message = run("plug-in-oaimg-edit", image, [layer],
                                  run_mode=Gimp.RunMode.INTERACTIVE, prompt=PROMPT, n=1,
                                  model=MODEL, size="auto", quality="high")
    check(status == Gimp.PDBStatusType.SUCCESS, "edit with quality high offered: %s %s"
          % (status, message))
    log = image_requests(1)
    check(len(log) == 1 and "quality" not in log[0]["fields"],
          "DALL·E 2 was sent %s" % (log and log[0]["fields"]))

    control("/_control/reset", {})
    status, layers, message = run("plug-in-oaimg-variation", image, [layer],
                                  run_mode=Gimp.RunMode.INTERACTIVE, prompt="a typed prompt",
                                  n=1, model=MODEL, size="auto")
    check(status == Gimp.PDBStatusType.SUCCESS, "variation: %s %s" % (status, message))
    log = image_requests(1)
    check(len(log) == 1 and log[0]["path"] == "/v1/images/variations" and
          "prompt" not in log[0]["fields"], "variation sent %s" % (log and log[0]["fields"]))

    control("/_control/reset", {})
    before_tree = layer_tree(image)
    status, layers, message = run("plug-in-oaimg-generate", image, [layer],
                                  run_mode=Gimp.RunMode.INTERACTIVE, prompt="", n=1,
                                  model=MODEL, size="auto")
    check(status == Gimp.PDBStatusType.CANCEL, "empty prompt: %s %s" % (status, message))
    check(image_requests(1, wait_s=0.5) == [], "a request was sent without a prompt")
    check(layer_tree(image) == before_tree, "the image changed")


def case_results_choose():
    """After a run the shown result is the active layer (not a mask); a second run's group lands
    above the first; layers are "Result 1" ... n; next/previous wrap round and keep removes the
    others."""
    image, layer = new_image(200, 120)
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 60, 30, 80, 50)
    status, first, message = run("plug-in-oaimg-edit", image, [layer], prompt=PROMPT, n=2,
                                 model=MODEL, size="auto")
    if not check(status == Gimp.PDBStatusType.SUCCESS, "first run: %s" % message):
        return
    check([l.get_name() for l in first] == ["Result 1", "Result 2"],
          "layer names %s" % [l.get_name() for l in first])
    selected = image.get_selected_drawables()
    check(len(selected) == 1 and selected[0].get_id() == first[0].get_id() and
          not selected[0].is_layer_mask(),
          "after the run the active drawable is %s" % [d.get_name() for d in selected])

    status, second, message = run("plug-in-oaimg-edit", image, [layer], prompt="a blue cube",
                                  n=3, model=MODEL, size="auto")
    if not check(status == Gimp.PDBStatusType.SUCCESS, "second run: %s" % message):
        return
    top = image.get_layers()
    group1, group2 = first[0].get_parent(), second[0].get_parent()
    check([l.get_id() for l in top[:3]] == [group2.get_id(), group1.get_id(), layer.get_id()],
          "the second group is not above the first: %s" % layer_tree(image))
    check(group2.get_name() == "a blue cube", "group named %r" % group2.get_name())

    def base_name(item):
        # GIMP keeps item names unique in an image: the second group's "Result 1" becomes
        # "Result 1 #1".
        return item.get_name().split(" #")[0]

    def shown():
        return [i for i, l in enumerate(group2.get_children()) if l.get_visible()]

    for proc, want in (("next", 1), ("next", 2), ("next", 0), ("previous", 2),
                       ("previous", 1)):
        status, _, message = run("plug-in-oaimg-%s-result" % proc, image,
                                 [image.get_selected_drawables()[0]])
        check(status == Gimp.PDBStatusType.SUCCESS, "%s-result: %s" % (proc, message))
        check(shown() == [want], "after %s-result %s shown, wanted [%d]" % (proc, shown(), want))
        sel = image.get_selected_drawables()
        check(len(sel) == 1 and not sel[0].is_layer_mask() and
              base_name(sel[0]) == "Result %d" % (want + 1),
              "after %s-result %s is active" % (proc, [d.get_name() for d in sel]))
    # Run on the group itself, too.
    status, _, message = run("plug-in-oaimg-keep-result", image, [group2])
    check(status == Gimp.PDBStatusType.SUCCESS, "keep-result: %s" % message)
    check([base_name(l) for l in group2.get_children()] == ["Result 2"],
          "kept %s" % [l.get_name() for l in group2.get_children()])
    check(len(group1.get_children()) == 2, "keep changed the other group")
    status, _, message = run("plug-in-oaimg-next-result", image, [layer])
    check(status == Gimp.PDBStatusType.EXECUTION_ERROR and message and "result" in message,
          "next-result on a plain layer: %s %r" % (status, message))


def case_large_region_results():
    """The whole layer as context around a small selection: the result layers cover only the
    selection's bounds plus the seam band, not the whole region the model saw."""
    image, layer = new_image(640, 400)
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 300, 180, 60, 40)
    sel, _, _ = selection_mask(image)
    status, layers, message = run("plug-in-oaimg-edit", image, [layer], prompt=PROMPT, n=2,
                                  model=MODEL, size="auto", context="image")
    if not check(status == Gimp.PDBStatusType.SUCCESS, "edit failed: %s" % message):
        return
    log = image_requests(1)
    if log:
        files = {f["field"]: f for f in log[0]["files"]}
        facts["sent"] = (files["image"]["width"], files["image"]["height"])
    for l in layers:
        ox, oy = l.get_offsets()[1:]
        facts.setdefault("layers", []).append((ox, oy, l.get_width(), l.get_height()))
        check(ox >= 300 - FEATHER_LIMIT and oy >= 180 - FEATHER_LIMIT and
              ox + l.get_width() <= 360 + FEATHER_LIMIT and
              oy + l.get_height() <= 220 + FEATHER_LIMIT,
              "result layer %dx%d at (%d, %d) is larger than the selection and its seam band"
              % (l.get_width(), l.get_height(), ox, oy))
        check_mask_matches_selection(image, l, sel)
    check_composite(image, sel, RED, lambda x, y: BLUE)


# Words that stay as they are in every language: names, formats, keys and keyboard labels.
def english_left(texts):
    """The Latin words in texts that are not names or formats (tests/support/dialog_texts.py,
    copied beside this file by run_case.py)."""
    shared = {}
    exec(open(os.path.join(os.environ["OAIMG_E2E_DIR"], "dialog_texts.py")).read(), shared)
    return shared["english_left"](texts)


def case_interactive_dialogs_zh():
    """The dialogs under LANG=zh_CN.UTF-8 (run_case.py): every text they show (the plug-in
    writes them to OAIMG_DIALOG_TEXTS) is Chinese, apart from names and formats."""
    texts_path = os.environ["OAIMG_DIALOG_TEXTS"]
    image, layer = new_image(200, 120)
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 60, 30, 80, 50)
    status, layers, message = run("plug-in-oaimg-edit", image, [layer],
                                  run_mode=Gimp.RunMode.INTERACTIVE, prompt="一个红色的球", n=2,
                                  model=MODEL, size="auto")
    check(status == Gimp.PDBStatusType.SUCCESS, "edit: %s %s" % (status, message))
    if layers:
        check(layers[0].get_name().startswith("结果 1"), "result named %r" % layers[0].get_name())
    pdb = Gimp.get_pdb()
    proc = pdb.lookup_procedure("plug-in-oaimg-settings")
    config = proc.create_config()
    config.set_property("run-mode", Gimp.RunMode.INTERACTIVE)
    proc.run(config)
    texts = open(texts_path).read() if os.path.exists(texts_path) else ""
    facts["texts"] = texts
    check("重绘选区" in texts and "OpenAI 图像设置" in texts,
          "the dialogs' texts were not all collected")
    english = english_left(texts)
    check(not english, "English in the Chinese dialogs: %s" % english)


def case_interactive_test_connection():
    """Settings ▸ Test Connection: with the key in use it reports the key accepted; with a
    wrong key typed into the key field it reports the server's refusal, and nothing is saved."""
    pdb = Gimp.get_pdb()
    proc = pdb.lookup_procedure("plug-in-oaimg-settings")
    for _ in range(2):
        config = proc.create_config()
        config.set_property("run-mode", Gimp.RunMode.INTERACTIVE)
        proc.run(config)
    texts = open(os.environ["OAIMG_DIALOG_TEXTS"]).read()
    facts["texts"] = texts
    check("the key was accepted" in texts, "the first test did not report success")
    check("refused the key (HTTP 401)" in texts, "the second test did not report the refusal")
    log = [r for r in control("/_control/log")["requests"] if r["path"] == "/v1/models"]
    check([r["auth_ok"] for r in log] == [True, False],
          "the server saw %s" % [(r["path"], r["auth_ok"]) for r in log])
    check(not os.path.exists(os.path.join(Gimp.directory(), "oaimg", "api-key")),
          "a key was stored although Settings was closed without saving")


def case_interactive_reset_defaults():
    """Reset ▸ Reset to Factory Defaults in a dialog opened on gpt-image-1.5 with quality High:
    every widget follows, so the dialog shows the default model (dall-e-2 on this server) and
    Automatic quality, which is what the dialog then holds (and stores)."""
    image, layer = new_image(200, 120)
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 60, 30, 80, 50)
    status, layers, message = run("plug-in-oaimg-edit", image, [layer],
                                  run_mode=Gimp.RunMode.INTERACTIVE, prompt=PROMPT, n=1,
                                  model="gpt-image-1.5", size="auto", quality="high")
    check(status == Gimp.PDBStatusType.CANCEL, "status %s %s after Escape" % (status, message))
    texts = open(os.environ["OAIMG_DIALOG_TEXTS"]).read()
    facts["texts"] = texts
    check("gpt-image-1.5" not in texts, "the dialog still shows gpt-image-1.5 after the reset")
    check("Model dall-e-2" in texts, "the preview does not plan for the default model")
    stored = open(os.path.join(Gimp.directory(), "oaimg", "last-values.ini")).read()
    facts["stored"] = stored
    check("model=\n" in stored and "quality=auto" in stored and "prompt=\n" in stored,
          "the dialog holds other values than it shows: %s" % stored)


def case_interactive_menu():
    """The submenu as GIMP draws it: interactive.sh opens Filters ▸ OpenAI Images with the
    keyboard (Alt+R, then the submenu's mnemonic O) and keeps the screen (shot-menu) for the
    documentation; here the procedures must be registered under it in their sections."""
    image, layer = new_image(320, 240)
    Gimp.Display.new(image)
    Gimp.displays_flush()
    pdb = Gimp.get_pdb()
    paths = {name: pdb.lookup_procedure(name).get_menu_paths() for name in
             ("plug-in-oaimg-edit", "plug-in-oaimg-next-result", "plug-in-oaimg-settings")}
    facts["menu_paths"] = paths
    # The submenu's segment carries its mnemonic: GIMP 3.0 shows the segment as the label.
    check(paths["plug-in-oaimg-settings"] == ["<Image>/Filters/_OpenAI Images/[Settings]"],
          "Settings is not in its own last section: %s" % paths)
    shot = os.path.join(os.environ["OAIMG_E2E_DIR"], "shot-menu.xwd")
    open(os.path.join(os.environ["OAIMG_E2E_DIR"], "ready"), "w").close()
    deadline = time.monotonic() + 120
    while not os.path.exists(shot) and time.monotonic() < deadline:
        time.sleep(0.5)
    check(os.path.exists(shot), "the menu was never captured")


def dialog_texts(wait_for=None, wait_s=0.0):
    """What the plug-in's windows showed (OAIMG_DIALOG_TEXTS): each dialog's texts as it closed
    and each new line of the progress window. Waits (bounded) for wait_for to appear."""
    path = os.environ["OAIMG_DIALOG_TEXTS"]
    deadline = time.monotonic() + wait_s
    while True:
        texts = open(path).read() if os.path.exists(path) else ""
        if wait_for is None or wait_for in texts or time.monotonic() >= deadline:
            return texts
        time.sleep(0.25)


def screen_region(shot_name, step):
    """The pixels (R'G'B'A u8 bytes, width, height) of the window interactive.sh saw at `step`,
    cut from its screenshot shot-NAME.xwd (Xvfb's frame buffer, loaded with GIMP's XWD loader);
    None when there is no such shot."""
    from gi.repository import Gio
    path = os.path.join(os.environ["OAIMG_E2E_DIR"], "shot-%s.xwd" % shot_name)
    g = step_geometry(step)
    if not os.path.exists(path) or not all(k in g for k in ("X", "Y", "WIDTH", "HEIGHT")):
        return None
    image = Gimp.file_load(Gimp.RunMode.NONINTERACTIVE, Gio.File.new_for_path(path))
    layer = image.get_layers()[0]
    x, y = max(0, g["X"]), max(0, g["Y"])
    w = min(g["WIDTH"], image.get_width() - x)
    h = min(g["HEIGHT"], image.get_height() - y)
    data = read(layer, "R'G'B'A u8", (x, y, w, h))
    image.delete()
    return data


def case_interactive_retry():
    """A 429 with Retry-After while the progress window is up: the window says why it waits and
    counts down to the retry (read from the texts it showed; interactive.sh also keeps its
    screen), with the elapsed time and the results received of n; the run then succeeds."""
    control("/_control/faults", {"faults": [{"kind": "status", "status": 429, "match": "/v1/images/",
                                             "headers": {"Retry-After": "6"}, "times": 1}]})
    image, layer = new_image(200, 120)
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 60, 30, 80, 50)
    status, layers, message = run("plug-in-oaimg-edit", image, [layer],
                                  run_mode=Gimp.RunMode.INTERACTIVE, prompt=PROMPT, n=1,
                                  model=MODEL, size="auto")
    check(status == Gimp.PDBStatusType.SUCCESS, "edit after a 429: %s %s" % (status, message))
    log = image_requests(2)
    check([r["status"] for r in log] == [429, 200], "server answered %s"
          % [r["status"] for r in log])
    import re
    texts = dialog_texts()
    facts["texts"] = texts
    countdown = sorted({int(n) for n in
                        re.findall(r"Rate limited \(HTTP 429\) — trying again in (\d+) s", texts)},
                       reverse=True)
    facts["countdown"] = countdown
    check(countdown and countdown[0] <= 6,
          "the progress window never said why and when it retries: %r" % texts[-600:])
    check(re.search(r"Waiting before trying again · \d+ s\n", texts),
          "the retry's stage without the elapsed time")
    check("0 of 1 result received" in texts and "1 of 1 result received" in texts,
          "the window did not count the results received")


# The stand-in's partial images of the first result are the final colour (RED) darkened: 1/3 and
# 2/3 of it with two partials.
def is_partial_red(px):
    return 40 <= px[0] <= 215 and px[1] <= 40 and px[2] <= 40


def case_interactive_stream():
    """A streaming model in the dialog path: partial images are asked for and shown in the
    progress window while the server streams (seen on the screen: the window interactive.sh
    captured holds the partial's dark red, which nothing else there has); the final image lands
    like any other."""
    control("/_control/config", {"stream_interval": 4})
    image, layer = new_image(200, 120)
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 60, 30, 80, 50)
    sel, _, _ = selection_mask(image)
    status, layers, message = run("plug-in-oaimg-edit", image, [layer],
                                  run_mode=Gimp.RunMode.INTERACTIVE, prompt=PROMPT, n=1,
                                  model="gpt-image-1.5", size="auto")
    if not check(status == Gimp.PDBStatusType.SUCCESS, "streamed edit: %s %s"
                 % (status, message)):
        return
    log = image_requests(1)
    facts["fields"] = log[0]["fields"] if log else None
    check(len(log) == 1 and log[0]["fields"].get("stream") == "true" and
          int(log[0]["fields"].get("partial_images", "0")) > 0,
          "the edit did not ask for partial images: %s" % (log and log[0]["fields"]))
    check(len(layers) == 1 and layers[0].get_mask() is not None, "no masked result layer")
    check_composite(image, sel, RED, lambda x, y: BLUE)
    seen = {}
    for shot in ("2", "partial"):
        region = screen_region(shot, 2)
        if region is not None:
            data, w, h = region
            seen[shot] = sum(1 for i in range(0, len(data), 4) if is_partial_red(data[i:i + 3]))
    facts["partial_pixels_on_screen"] = seen
    check(seen, "the progress window was never captured")
    check(any(n >= 1000 for n in seen.values()),
          "no partial image on the progress window while the server streamed: %s" % seen)


def case_interactive_no_key():
    """No key anywhere: the job dialog's run starts by saying so, with a button that opens
    Settings (interactive.sh presses it, closes Settings, then the job dialog); nothing is sent."""
    check("OPENAI_API_KEY" not in os.environ, "the environment was meant to have no key")
    image, layer = new_image(200, 120)
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 60, 30, 80, 50)
    status, layers, message = run("plug-in-oaimg-edit", image, [layer],
                                  run_mode=Gimp.RunMode.INTERACTIVE, prompt=PROMPT, n=1,
                                  model=MODEL, size="auto")
    check(status == Gimp.PDBStatusType.CANCEL, "status %s %s after Escape" % (status, message))
    texts = dialog_texts()
    facts["texts"] = texts
    order = [texts.find(t) for t in ("No API key\n", "OpenAI Images Settings\n",
                                     "Inpaint Selection\n")]
    facts["order"] = order
    check("No API key is set: nothing can be sent" in texts,
          "no dialog said that there is no key")
    check(all(i >= 0 for i in order) and order == sorted(order),
          "not: the no-key dialog, then Settings from its button, then the job dialog: %s" % order)
    check(image_requests() == [], "something was sent without a key")


def case_interactive_sample_merged():
    """The Sample merged checkbox (toggled in the dialog by its mnemonic, Alt+D) sends the image
    as shown: over the worked-on layer lies a half-covering green layer, so the upload is no
    longer the flat blue the layer alone gives (sent again non-interactively for comparison)."""
    image, layer = new_image(200, 120)
    top = Gimp.Layer.new(image, "top", 200, 120, Gimp.ImageType.RGBA_IMAGE, 100.0,
                         Gimp.LayerMode.NORMAL)
    image.insert_layer(top, None, 0)
    fill_rect(top, 0, 0, 100, 120, GREEN)
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 60, 30, 80, 50)
    status, layers, message = run("plug-in-oaimg-edit", image, [layer],
                                  run_mode=Gimp.RunMode.INTERACTIVE, prompt=PROMPT, n=1,
                                  model=MODEL, size="auto", sample_merged=False)
    check(status == Gimp.PDBStatusType.SUCCESS, "edit: %s %s" % (status, message))
    stored = open(os.path.join(Gimp.directory(), "oaimg", "last-values.ini")).read()
    facts["stored"] = stored
    check("sample_merged=true" in stored, "the dialog did not hold Sample merged: %s" % stored)
    status, _, message = run("plug-in-oaimg-edit", image, [layer], prompt=PROMPT, n=1,
                             model=MODEL, size="auto", sample_merged=False)
    check(status == Gimp.PDBStatusType.SUCCESS, "layer-only edit: %s" % message)
    log = image_requests(2)
    if check(len(log) == 2, "server saw %d requests" % len(log)):
        merged, alone = [next(f["bytes"] for f in r["files"] if f["field"] == "image")
                         for r in log]
        facts["upload_bytes"] = {"sample_merged": merged, "layer_only": alone}
        check(merged > alone, "the checkbox did not send the visible image: %d bytes, the layer "
              "alone %d" % (merged, alone))


def write_settings(**values):
    folder = os.path.join(Gimp.directory(), "oaimg")
    os.makedirs(folder, mode=0o700, exist_ok=True)
    with open(os.path.join(folder, "settings.ini"), "w") as f:
        f.write("[connection]\n" + "".join("%s=%s\n" % kv for kv in values.items()))


def case_safety_identifier():
    """Settings' safety identifier (settings.ini, as the dialog saves it) is sent with the
    request; an empty one is not sent at all."""
    ident = "user-7f3a9c0e"
    write_settings(base_url="", default_model="", timeout_s=120, safety_identifier=ident)
    image, layer = new_image(120, 80)
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 30, 20, 50, 40)
    status, _, message = run("plug-in-oaimg-edit", image, [layer], prompt=PROMPT, n=1,
                             model="gpt-image-1.5", size="auto")
    check(status == Gimp.PDBStatusType.SUCCESS, "edit: %s" % message)
    write_settings(base_url="", default_model="", timeout_s=120, safety_identifier="")
    status, _, message = run("plug-in-oaimg-edit", image, [layer], prompt=PROMPT, n=1,
                             model="gpt-image-1.5", size="auto")
    check(status == Gimp.PDBStatusType.SUCCESS, "edit without an identifier: %s" % message)
    log = image_requests(2)
    sent = [r["fields"].get("safety_identifier") for r in log]
    facts["sent"] = sent
    check(sent == [ident, None], "the server saw safety_identifier %s, not [%r, none]"
          % (sent, ident))
    check(all("user" not in r["fields"] for r in log), "the deprecated user field was sent")


def case_model_shutdown_warning():
    """A model the server says shuts down in 30 days: the run warns (a GIMP message; run_case.py
    finds it in GIMP's output once) and succeeds; a second run the same day neither asks nor
    warns again; a failing model check (HTTP 500) does not fail the run."""
    import datetime
    soon = (datetime.datetime.now(datetime.timezone.utc).date() +
            datetime.timedelta(days=30)).isoformat()
    control("/_control/config", {"shutdown_dates": {"gpt-image-1.5": soon}})
    image, layer = new_image(120, 80)
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 30, 20, 50, 40)
    for attempt in range(2):
        status, layers, message = run("plug-in-oaimg-edit", image, [layer], prompt=PROMPT, n=1,
                                      model="gpt-image-1.5", size="auto")
        check(status == Gimp.PDBStatusType.SUCCESS and len(layers) == 1,
              "run %d with a model shutting down failed: %s" % (attempt + 1, message))
    control("/_control/faults", {"faults": [{"kind": "status", "status": 500,
                                             "match": "/v1/models/", "times": 5}]})
    status, layers, message = run("plug-in-oaimg-edit", image, [layer], prompt=PROMPT, n=1,
                                  model="gpt-image-1-mini", size="auto")
    check(status == Gimp.PDBStatusType.SUCCESS and len(layers) == 1,
          "a failed model check failed the run: %s" % message)
    checks = [(r["path"], r["status"]) for r in control("/_control/log")["requests"]
              if r["path"].startswith("/v1/models/")]
    facts["model_checks"] = checks
    check(checks == [("/v1/models/gpt-image-1.5", 200), ("/v1/models/gpt-image-1-mini", 500)],
          "the server saw these model checks: %s" % checks)
    check(len(image_requests(3)) == 3, "not three image requests")
    facts["output_once"] = ["This model is being shut down: gpt-image-1.5 shuts down on %s, in "
                            "30 days" % soon]


HELP_PROCEDURES = ("plug-in-oaimg-edit", "plug-in-oaimg-variation", "plug-in-oaimg-generate",
                   "plug-in-oaimg-next-result", "plug-in-oaimg-previous-result",
                   "plug-in-oaimg-keep-result", "plug-in-oaimg-settings")


def case_help_domain():
    """The plug-in registers its own help domain (GIMP keeps it in pluginrc), and in English and
    Simplified Chinese its gimp-help.xml maps every procedure's help id to a page that exists,
    with the section the id points to."""
    import re
    import urllib.parse
    pluginrc = open(os.path.join(Gimp.directory(), "pluginrc"), encoding="utf-8",
                    errors="replace").read()
    domains = re.findall(r'\(help-def "([^"]+)" "([^"]+)"\)', pluginrc)
    facts["help_domains"] = domains
    ours = [uri for name, uri in domains if name == "org.oaimg.help"]
    if not check(len(ours) == 1, "no org.oaimg.help domain registered: %s" % domains):
        return
    root = urllib.parse.urlparse(ours[0])
    folder = urllib.parse.unquote(root.path) if root.scheme == "file" else ours[0]
    pdb = Gimp.get_pdb()
    for locale in ("en", "zh_CN"):
        xml_path = os.path.join(folder, locale, "gimp-help.xml")
        if not check(os.path.exists(xml_path), "no %s" % xml_path):
            continue
        refs = dict(re.findall(r'<help-item id="([^"]+)" ref="([^"]+)"', open(xml_path).read()))
        for name in HELP_PROCEDURES:
            # GIMP 3 gives a plug-in's help ids its domain: "org.oaimg.help?plug-in-oaimg-edit".
            domain, _, help_id = pdb.lookup_procedure(name).get_help_id().rpartition("?")
            check(domain == "org.oaimg.help", "%s: help id in domain %r" % (name, domain))
            ref = refs.get(help_id)
            if not check(ref, "%s: help id %r is not in %s" % (name, help_id, xml_path)):
                continue
            page, _, anchor = ref.partition("#")
            page_path = os.path.join(folder, locale, page)
            if check(os.path.exists(page_path), "%s: %s is missing" % (name, page_path)) and anchor:
                check('id="%s"' % anchor in open(page_path, encoding="utf-8").read(),
                      "%s: %s has no section %s" % (name, page_path, anchor))
    zh = open(os.path.join(folder, "zh_CN", "index.html"), encoding="utf-8").read()
    check("重绘选区" in zh, "the Chinese page is not in Chinese")


def case_interactive_menu_zh():
    """The submenu in GIMP's real menu under LANG=zh_CN.UTF-8: Filters (Alt+R), then the
    submenu by its mnemonic E ("OpenAI 图像(_E)": the Chinese Filters menu has its own O), then Inpaint Selection by its mnemonic I
    open the Chinese job dialog (interactive.sh keeps the open menu's screen)."""
    image, layer = new_image(320, 240)
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 60, 30, 80, 50)
    Gimp.Display.new(image)
    Gimp.displays_flush()
    # GIMP 3.0 draws a plug-in's own submenu from the path segment as the plug-in sent it (it
    # never shows gimp_plug_in_add_menu_branch's label): the segment must come translated.
    paths = Gimp.get_pdb().lookup_procedure("plug-in-oaimg-edit").get_menu_paths()
    facts["menu_paths"] = paths
    check(paths == ["<Image>/Filters/OpenAI 图像(_E)/[Jobs]"],
          "the submenu is not sent in Chinese with its mnemonic: %s" % paths)
    open(os.path.join(os.environ["OAIMG_E2E_DIR"], "ready"), "w").close()
    # The dialog opened from the menu is closed with Escape; its texts arrive as it closes.
    texts = dialog_texts("重绘选区", 180)
    facts["texts"] = texts
    check("重绘选区" in texts, "the menu's keys did not open the Chinese Inpaint dialog")
    check(os.path.exists(os.path.join(os.environ["OAIMG_E2E_DIR"], "shot-menu.xwd")),
          "the menu was never captured")


# ---- Extend Canvas and edits past the layer (issue 12) ------------------------------------------

# How far from the old edge the put-back blends into the old image: past this, old pixels stay.
EXTEND_SEAM_LIMIT = 96


def case_extend_right():
    """Extend Canvas by 256 px on the right: the canvas grows, the old layer keeps its pixels and
    place, the new area shows the result, and old pixels away from the seam are unchanged."""
    image, layer = new_image(160, 120)
    fill_rect(layer, 0, 0, 40, 120, GREEN)
    before = pixels_of(layer)
    before_comp = composite(image)[0]
    status, layers, message = run("plug-in-oaimg-extend", image, [layer], prompt=PROMPT, n=2,
                                  model=MODEL, left=0, top=0, right=256, bottom=0)
    if not check(status == Gimp.PDBStatusType.SUCCESS, "extend failed: %s %s" % (status, message)):
        return
    check((image.get_width(), image.get_height()) == (416, 120),
          "canvas %dx%d, wanted 416x120" % (image.get_width(), image.get_height()))
    check(layer.get_offsets()[1:] == (0, 0), "the old layer moved to %s" % (layer.get_offsets(),))
    check(pixels_of(layer) == before, "the old layer's pixels changed")
    check_group(image, layers, 2, PROMPT, anchor_index=0)
    data, w, h = composite(image)
    wrong_old = wrong_new = 0
    for y in range(h):
        for x in range(w):
            p = pixel(data, w, x, y)
            if x < 160 - EXTEND_SEAM_LIMIT:
                if p != pixel(before_comp, 160, x, y):
                    wrong_old += 1
            elif x >= 160 and not near(p[:3], RED) or (x >= 160 and p[3] != 255):
                wrong_new += 1
    check(wrong_old == 0, "%d old pixels away from the seam changed" % wrong_old)
    check(wrong_new == 0, "%d pixels of the new area are not the result's" % wrong_new)
    log = image_requests(2)
    check(all(r["path"] == "/v1/images/edits" for r in log) and len(log) >= 1,
          "server saw %s" % [(r["path"], r["status"]) for r in log])
    facts["requests"] = len(log)
    # The second result shown instead: next/previous work on the group.
    status, _, message = run("plug-in-oaimg-next-result", image, [layers[0]])
    check(status == Gimp.PDBStatusType.SUCCESS and layers[1].get_visible()
          and not layers[0].get_visible(), "next result did not show result 2: %s" % message)
    data, w, h = composite(image)
    check(near(pixel(data, w, 400, 60)[:3], GREEN), "result 2 does not show its own colour")


def case_extend_failure_restores_canvas():
    """A persistent 500, and bad margins: a clear error, the image and its canvas as they were."""
    control("/_control/faults", {"faults": [{"kind": "status", "status": 500, "times": 10}]})
    image, layer = new_image(160, 120)
    before_tree, before_pixels = layer_tree(image), pixels_of(layer)
    before_comp = composite(image)[0]
    status, layers, message = run("plug-in-oaimg-extend", image, [layer], prompt=PROMPT, n=1,
                                  model=MODEL, left=0, top=0, right=256, bottom=0)
    facts["error_message"] = message
    check(status == Gimp.PDBStatusType.EXECUTION_ERROR, "status %s after persistent 500" % status)
    check(message and "500" in message, "the message does not name the failure: %r" % message)
    check((image.get_width(), image.get_height()) == (160, 120),
          "canvas %dx%d after a failure" % (image.get_width(), image.get_height()))
    check(layer_tree(image) == before_tree and pixels_of(layer) == before_pixels and
          composite(image)[0] == before_comp, "the image changed after a failure")
    control("/_control/reset", {})
    status, _, message = run("plug-in-oaimg-extend", image, [layer], prompt=PROMPT, n=1,
                             model=MODEL, left=0, top=0, right=0, bottom=0)
    facts["nothing_message"] = message
    check(status == Gimp.PDBStatusType.EXECUTION_ERROR and message and "pixels" in message,
          "extending by nothing: %s %r" % (status, message))
    check(not image_requests(), "something was sent for an extension by nothing")
    status, layers, message = run("plug-in-oaimg-extend", image, [layer], prompt=PROMPT, n=1,
                                  model=MODEL, aspect="16:9")
    check(status == Gimp.PDBStatusType.SUCCESS, "extend to 16:9 failed: %s" % message)
    check((image.get_width(), image.get_height()) == (214, 120),
          "16:9 made %dx%d, wanted 214x120" % (image.get_width(), image.get_height()))
    check(layer.get_offsets()[1:] == (27, 0), "16:9: old layer at %s, wanted (27, 0)"
          % (layer.get_offsets()[1:],))


def case_interactive_extend():
    """Extend Canvas from the menu under Xvfb: interactive.sh opens Filters ▸ OpenAI Images ▸
    Extend Canvas, picks To aspect ratio and 16:9 (the dialog opens as it was left: By pixels,
    3:2), chooses the prompt from Used before, and sends. The square image becomes 16:9, the
    stand-in got that prompt, the dialog's plan line said what would be done, and the next dialog keeps it all."""
    typed = os.environ["OAIMG_E2E_TYPED_PROMPT"]
    image, layer = new_image(1024, 1024)
    fill_rect(layer, 0, 0, 200, 1024, GREEN)
    Gimp.Display.new(image)
    Gimp.displays_flush()
    open(os.path.join(os.environ["OAIMG_E2E_DIR"], "ready"), "w").close()
    # The progress window's texts arrive as it closes, once the results are in the image.
    texts = dialog_texts("Working: ", 300)
    facts["texts"] = texts
    w, h = image.get_width(), image.get_height()
    facts["canvas"] = (w, h)
    if not check(h == 1024 and abs(w * 9 - h * 16) <= 9,
                 "the canvas is %dx%d, not 16:9 of the 1024 square" % (w, h)):
        return
    left = (w - 1024) // 2
    check(layer.get_offsets()[1:] == (left, 0),
          "the old layer is at %s, not centred (%d, 0)" % (layer.get_offsets()[1:], left))
    check(len(image.get_layers()) == 2 and image.get_layers()[0].is_group(),
          "no result group above the image: %s" % layer_tree(image))
    log = image_requests(1)
    check(len(log) == 1 and log[0]["path"] == "/v1/images/edits",
          "server saw %s" % [(r["path"], r["status"]) for r in log])
    if log:
        check(log[0]["fields"].get("prompt") == typed,
              "sent %r, not the typed prompt" % log[0]["fields"].get("prompt"))
        check(log[0]["fields"].get("model") == "dall-e-2", "sent model %r"
              % log[0]["fields"].get("model"))
    # What the dialog said before OK: the new canvas and that DALL·E 2 gets it scaled.
    check("New canvas %d × 1024" % w in texts, "the dialog did not show the new canvas")
    check("scaled to 56%" in texts, "the dialog did not say the region is sent scaled")
    stored = open(os.path.join(Gimp.directory(), "oaimg", "last-values.ini")).read()
    facts["stored"] = stored
    check("aspect=16:9" in stored and "mode=1" in stored and typed.strip()[:30] in stored,
          "the next dialog would not open as this one was left: %s" % stored)


def case_edit_past_layer():
    """A selection reaching past the active layer into canvas it does not cover is filled there
    too, not only where the layer is."""
    image, background = new_image(200, 120, fill=WHITE)
    layer = Gimp.Layer.new(image, "small", 100, 80, Gimp.ImageType.RGBA_IMAGE, 100.0,
                           Gimp.LayerMode.NORMAL)
    image.insert_layer(layer, None, 0)
    layer.set_offsets(20, 20)
    fill_rect(layer, 0, 0, 100, 80, BLUE)
    image.select_rectangle(Gimp.ChannelOps.REPLACE, 90, 40, 90, 40)
    sel, _, _ = selection_mask(image)
    status, layers, message = run("plug-in-oaimg-edit", image, [layer], prompt=PROMPT, n=1,
                                  model=MODEL, size="auto")
    if not check(status == Gimp.PDBStatusType.SUCCESS, "edit failed: %s" % message):
        return
    check_group(image, layers, 1, PROMPT, anchor_index=0)

    def before(x, y):
        return BLUE if 20 <= x < 120 and 20 <= y < 100 else WHITE
    check_composite(image, sel, RED, before)


def usage_parasite(image):
    parasite = image.get_parasite("oaimg-usage")
    if parasite is None:
        return None
    return json.loads(bytes(parasite.get_data()).rstrip(b"\0").decode())


def case_usage_total():
    """Two runs on a GPT model, which reports tokens: each result's provenance carries the run's
    tokens, and the image's oaimg-usage parasite sums both runs."""
    image, layer = new_image(120, 80)
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 30, 20, 50, 40)
    runs = []
    for _ in range(2):
        status, layers, message = run("plug-in-oaimg-edit", image, [layer], prompt=PROMPT, n=1,
                                      model="gpt-image-1.5", size="auto")
        if not check(status == Gimp.PDBStatusType.SUCCESS and layers, "edit failed: %s" % message):
            return
        prov = json.loads(bytes(layers[0].get_parasite("oaimg-provenance").get_data())
                          .rstrip(b"\0").decode())
        usage = prov.get("usage") or {}
        check(usage.get("input_text_tokens", 0) > 0 and usage.get("input_image_tokens", 0) > 0
              and usage.get("output_tokens", 0) > 0, "provenance usage %r lacks tokens" % usage)
        total = usage_parasite(image)
        check(total is not None, "no oaimg-usage parasite after a run")
        runs.append((usage, total))
    facts["totals"] = [t for _, t in runs]
    (u1, t1), (u2, t2) = runs
    if t1 and t2:
        check(t1["runs"] == 1 and t2["runs"] == 2, "runs counted %s" % [t1, t2])
        for key in ("input_text_tokens", "input_image_tokens", "output_tokens", "total_tokens"):
            check(t2[key] == u1[key] + u2[key],
                  "%s total %s is not %s + %s" % (key, t2[key], u1[key], u2[key]))


# ---- the guide layer (markup) --------------------------------------------------------------------

GUIDE_MODEL = "gpt-image-2.5-flare"
# Where a 12 x 12 block is painted, in image coordinates: red on the guide layer, and green on the
# edited layer underneath, so that the uploads show whether the two line up.
GUIDE_MARK = (120, 70, 12, 12)


def guide_image():
    """An offset layer (160 x 120 at (40, 20)) to edit, a selection on it, and a guide layer
    (120 x 80 at (90, 50), transparent) above it with a red block painted at GUIDE_MARK."""
    image, _ = new_image(240, 160, fill=WHITE)
    layer = Gimp.Layer.new(image, "photo", 160, 120, Gimp.ImageType.RGBA_IMAGE, 100.0,
                           Gimp.LayerMode.NORMAL)
    image.insert_layer(layer, None, 0)
    layer.set_offsets(40, 20)
    fill_rect(layer, 0, 0, 160, 120, BLUE)
    x, y, w, h = GUIDE_MARK
    fill_rect(layer, x - 40, y - 20, w, h, GREEN)
    guide = Gimp.Layer.new(image, "Arrows", 120, 80, Gimp.ImageType.RGBA_IMAGE, 100.0,
                           Gimp.LayerMode.NORMAL)
    image.insert_layer(guide, None, 0)
    guide.set_offsets(90, 50)
    fill_rect(guide, x - 90, y - 50, w, h, RED)
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 60, 30, 50, 40)
    return image, layer, guide


def box_of(data, w, h, test):
    xs = [i % w for i in range(w * h) if test(data[i * 4:i * 4 + 4])]
    ys = [i // w for i in range(w * h) if test(data[i * 4:i * 4 + 4])]
    return (min(xs), min(ys), max(xs), max(ys)) if xs else None


def case_edit_guide():
    """A guide layer sent as markup on a GPT Image 2.5 model: a "markup" part of the image's
    size and no mask, its opaque pixels exactly where the guide was painted over the edited
    layer (the green block the image part shows there), and the results inserted."""
    control("/_control/config", {"keep_uploads": True})
    image, layer, guide = guide_image()
    status, layers, message = run("plug-in-oaimg-edit", image, [layer], prompt=PROMPT, n=1,
                                  model=GUIDE_MODEL, size="auto", context="image", guide=guide)
    if not check(status == Gimp.PDBStatusType.SUCCESS, "guided edit failed: %s" % message):
        return
    check_group(image, layers, 1, PROMPT, anchor_index=1, model=GUIDE_MODEL)
    log = image_requests(1)
    if not check(len(log) == 1, "expected one request, the server saw %d" % len(log)):
        return
    files = {f["field"]: f for f in log[0]["files"]}
    facts["fields"] = sorted(files)
    facts["sizes"] = {k: (f["width"], f["height"]) for k, f in files.items()}
    check("mask" not in files, "a mask was sent with the markup")
    if not check("markup" in files and "image" in files, "uploads %s" % sorted(files)):
        return
    check((files["markup"]["width"], files["markup"]["height"]) ==
          (files["image"]["width"], files["image"]["height"]),
          "markup %s is not the image's size" % facts["sizes"])
    decoded = dict(uploads_of(log[0]))
    img, iw, ih = decoded["image"].pixels, decoded["image"].width, decoded["image"].height
    mk, mw, mh = decoded["markup"].pixels, decoded["markup"].width, decoded["markup"].height
    green = box_of(img, iw, ih, lambda p: p[1] > 200 and p[0] < 60 and p[2] < 60)
    opaque = box_of(mk, mw, mh, lambda p: p[3] > 128)
    facts["green_in_image"], facts["opaque_in_markup"] = green, opaque
    check(opaque is not None and sum(1 for i in range(mw * mh) if mk[i * 4 + 3] == 0) > 0,
          "the markup has no transparent or no opaque pixels")
    check(green is not None and opaque is not None and
          all(abs(a - b) <= 1 for a, b in zip(green, opaque)),
          "the guide's strokes %s are not where they were painted %s" % (opaque, green))
    if opaque:
        x, y = (opaque[0] + opaque[2]) // 2, (opaque[1] + opaque[3]) // 2
        check(near(pixel(mk, mw, x, y)[:3], RED, 8), "the markup's stroke is %s, not red" %
              (pixel(mk, mw, x, y),))


def case_edit_guide_refused():
    """A guide where none can be sent: on gpt-image-1.5 (no markup), a guide without transparent
    pixels, the edited layer itself. Each a message naming what is wrong and what would be right,
    nothing sent, the image exactly as it was."""
    image, layer, guide = guide_image()
    before_tree, before_pixels = layer_tree(image), pixels_of(layer)
    before_composite = composite(image)[0]

    def refused(model, guide_layer, words, what):
        status, layers, message = run("plug-in-oaimg-edit", image, [layer], prompt=PROMPT, n=1,
                                      model=model, size="auto", guide=guide_layer)
        facts.setdefault("messages", []).append(message)
        check(status == Gimp.PDBStatusType.EXECUTION_ERROR, "status %s for %s" % (status, what))
        for w in words:
            check(message is not None and w in message, "%s: %r does not say %r" %
                  (what, message, w))
        check(not layers and layer_tree(image) == before_tree and
              pixels_of(layer) == before_pixels and composite(image)[0] == before_composite,
              "the image changed after %s" % what)

    refused("gpt-image-1.5", guide, ["gpt-image-1.5", "guide", "gpt-image-2.5-flare"],
            "a guide on gpt-image-1.5")
    refused(GUIDE_MODEL, layer, ["guide", "repainted", "None"], "the edited layer as guide")
    fill_rect(guide, 0, 0, guide.get_width(), guide.get_height(), WHITE)
    before_composite = composite(image)[0]
    refused(GUIDE_MODEL, guide, ["Arrows", "transparent"], "an opaque guide")
    check(image_requests(0) == [], "something was sent: %s" % image_requests(0))
    # Without the argument, as every call written before it: an edit as before.
    status, layers, message = run("plug-in-oaimg-edit", image, [layer], prompt=PROMPT, n=1,
                                  model=GUIDE_MODEL, size="auto")
    check(status == Gimp.PDBStatusType.SUCCESS, "an edit without guide failed: %s" % message)
    log = image_requests(1)
    check(len(log) == 1 and {f["field"] for f in log[0]["files"]} == {"image", "mask"},
          "an edit without guide sent %s" % [[f["field"] for f in r["files"]] for r in log])


def case_interactive_guide_reset():
    """Reset ▸ Reset to Factory Defaults in a dialog opened with a guide layer, on a profile whose
    default model takes one: the Guide layer row follows the config back to None, so what is
    sent is the plain masked edit the dialog then shows, not the guide it showed before."""
    write_settings(base_url="", default_model=GUIDE_MODEL, timeout_s=120)
    control("/_control/config", {"keep_uploads": True})
    image, layer, guide = guide_image()
    status, layers, message = run("plug-in-oaimg-edit", image, [layer],
                                  run_mode=Gimp.RunMode.INTERACTIVE, prompt=PROMPT, n=1,
                                  model=GUIDE_MODEL, size="auto", guide=guide)
    check(status == Gimp.PDBStatusType.SUCCESS, "dialog after the reset: %s %s" % (status, message))
    log = image_requests(1)
    fields = [sorted(f["field"] for f in r["files"]) for r in log]
    facts["sent"] = fields
    facts["models"] = [r["fields"].get("model") for r in log]
    check(facts["models"] == [GUIDE_MODEL], "sent to %s" % facts["models"])
    check(fields == [["image", "mask"]],
          "after Reset to Factory Defaults (guide None) the dialog sent %s" % fields)
    # What the dialog showed as it closed: no guide either (it once kept showing the layer and
    # planning its upload while the reset config, which is what is sent, held none).
    texts_path = os.environ["OAIMG_DIALOG_TEXTS"]
    texts = open(texts_path).read() if os.path.exists(texts_path) else ""
    facts["texts"] = texts
    check("Guide layer:" in texts, "the dialog texts were not written: %r" % texts[:200])
    check("Guide: " not in texts and "With a guide" not in texts,
          "after the reset the dialog still showed a guide while sending none")


def case_interactive_guide():
    """The dialog's Guide layer under Xvfb: on gpt-image-2.5-flare it shows the layer passed and
    sends it as markup; with gpt-image-1.5 typed over the model it is greyed out with the line
    naming the models that take one, and what is sent is the plain masked edit it shows."""
    control("/_control/config", {"keep_uploads": True})
    image, layer, guide = guide_image()
    status, layers, message = run("plug-in-oaimg-edit", image, [layer],
                                  run_mode=Gimp.RunMode.INTERACTIVE, prompt=PROMPT, n=1,
                                  model=GUIDE_MODEL, size="auto", guide=guide)
    check(status == Gimp.PDBStatusType.SUCCESS, "guided dialog: %s %s" % (status, message))
    log = image_requests(1)
    fields = [sorted(f["field"] for f in r["files"]) for r in log]
    facts["sent_guided"] = fields
    check(fields == [["image", "markup"]], "the dialog with a guide sent %s" % fields)

    control("/_control/reset", {})
    status, layers, message = run("plug-in-oaimg-edit", image, [layer],
                                  run_mode=Gimp.RunMode.INTERACTIVE, prompt=PROMPT, n=1,
                                  model=GUIDE_MODEL, size="auto", guide=guide)
    check(status == Gimp.PDBStatusType.SUCCESS, "dialog on 1.5: %s %s" % (status, message))
    log = image_requests(1)
    fields = [sorted(f["field"] for f in r["files"]) for r in log]
    facts["sent_greyed"] = fields
    facts["models"] = [r["fields"].get("model") for r in log]
    check(fields == [["image", "mask"]] and facts["models"] == ["gpt-image-1.5"],
          "the dialog with the guide greyed out sent %s to %s" % (fields, facts["models"]))
    texts_path = os.environ["OAIMG_DIALOG_TEXTS"]
    texts = open(texts_path).read() if os.path.exists(texts_path) else ""
    facts["texts"] = texts
    check("Guide layer:" in texts, "the dialog shows no Guide layer choice")
    check("gpt-image-1.5 takes no guide layer" in texts and "gpt-image-2.5-flare" in texts,
          "the greyed-out guide has no line naming the models that take one")
    check("not sent as a mask" in texts, "the dialog does not say what the selection does")


def uploads_of(entry):
    """The files a logged request carried, decoded (the stand-in's keep_uploads): (field, Rgba)."""
    import base64
    import importlib.util
    where = os.path.join(os.path.dirname(os.environ["OAIMG_E2E_REPORT"]), "images.py")
    spec = importlib.util.spec_from_file_location("images", where)
    images = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(images)
    return [(f["field"], images.decode_png(base64.b64decode(f["b64"]))) for f in entry["files"]]


def reference_image():
    """Background (blue, edited) under two reference layers of their own sizes and colours,
    top to bottom: "red ref" (40x30, opaque) and "green ref" (20x10, at 50% opacity)."""
    image, background = new_image(160, 120)
    refs = []
    for name, (w, h), rgb, opacity in (("green ref", (20, 10), GREEN, 50.0),
                                       ("red ref", (40, 30), RED, 100.0)):
        layer = Gimp.Layer.new(image, name, w, h, Gimp.ImageType.RGBA_IMAGE, opacity,
                               Gimp.LayerMode.NORMAL)
        image.insert_layer(layer, None, 0)
        layer.set_offsets(100, 70)
        fill_rect(layer, 0, 0, w, h, rgb)
        refs.append(layer)
    image.select_rectangle(Gimp.ChannelOps.REPLACE, 20, 20, 60, 40)
    return image, background, refs[1], refs[0]


def reference_requests(model, drawables, image):
    control("/_control/reset", {})
    control("/_control/config", {"keep_uploads": True})
    before = len(image.get_layers())
    status, layers, message = run("plug-in-oaimg-edit", image, drawables, prompt=PROMPT, n=1,
                                  model=model, size="auto")
    log = image_requests(1)
    return status, layers, message, log, before


def case_edit_references():
    """Three layers given (the selected ones): the first is edited, the other two go as
    references after it, in stack order (top first), not in the order given; each its own size,
    colour and opacity. dall-e-2 takes one image: then none are sent."""
    # From the menu too: Inpaint Selection stays sensitive with several layers selected. The
    # PDB's proxy does not carry the mask; pluginrc keeps it after the image types ("*").
    import re
    pluginrc = open(os.path.join(Gimp.directory(), "pluginrc"), encoding="utf-8",
                    errors="replace").read()
    found = re.search(r'\(proc-def "plug-in-oaimg-edit" .*?\n\s*"\*"\n\s*(\d+)', pluginrc, re.S)
    mask = int(found.group(1)) if found else 0
    facts["sensitivity_mask"] = mask
    check(mask & int(Gimp.ProcedureSensitivityMask.DRAWABLES),
          "Inpaint Selection is insensitive with several layers selected (mask %s)" % mask)
    image, background, red, green = reference_image()
    # Given edited, green, red: the references go top to bottom, red before green.
    status, layers, message, log, before = reference_requests(
        "gpt-image-1.5", [background, green, red], image)
    if not check(status == Gimp.PDBStatusType.SUCCESS, "edit with references failed: %s" % message):
        return
    check(len(log) == 1, "%d requests, wanted one edit" % len(log))
    if log:
        files = uploads_of(log[0])
        facts["fields"] = [f for f, _ in files]
        facts["sizes"] = [(i.width, i.height) for _, i in files]
        check([f for f, _ in files] == ["image[]", "image[]", "image[]", "mask"],
              "fields sent: %s" % [f for f, _ in files])
        if len(files) == 4:
            edited, first, second = files[0][1], files[1][1], files[2][1]
            facts["first_pixels"] = [edited.at(0, 0), first.at(0, 0), second.at(0, 0)]
            check(near(edited.at(edited.width // 2, edited.height // 2)[:3], BLUE),
                  "the first image is not the edited layer's region: %s" % (edited.at(0, 0),))
            check((first.width, first.height) == (40, 30) and near(first.at(5, 5), RED + (255,)),
                  "the first reference is not the red layer (40x30): %dx%d %s" %
                  (first.width, first.height, first.at(5, 5)))
            check((second.width, second.height) == (20, 10) and
                  near(second.at(5, 5), GREEN + (128,)),
                  "the second reference is not the green layer at 50%% (20x10): %dx%d %s" %
                  (second.width, second.height, second.at(5, 5)))
    check_group(image, layers, 1, PROMPT, anchor_index=len(image.get_layers()) - 2,
                model="gpt-image-1.5")

    # dall-e-2 edits one image: the same three layers send the edited one only.
    image, background, red, green = reference_image()
    status, layers, message, log, before = reference_requests(
        "dall-e-2", [background, red, green], image)
    check(status == Gimp.PDBStatusType.SUCCESS, "dall-e-2 edit failed: %s" % message)
    if check(len(log) == 1, "%d requests on dall-e-2, wanted one" % len(log)):
        fields = [f["field"] for f in log[0]["files"]]
        check(fields == ["image", "mask"], "dall-e-2 was sent %s" % fields)


def case_edit_references_limit():
    """Sixteen reference layers on a model taking fifteen: a message naming the limit, nothing
    sent, the image as it was."""
    image, background, red, green = reference_image()
    extra = []
    for i in range(14):
        layer = Gimp.Layer.new(image, "more %d" % i, 8, 8, Gimp.ImageType.RGBA_IMAGE, 100.0,
                               Gimp.LayerMode.NORMAL)
        image.insert_layer(layer, None, 0)
        fill_rect(layer, 0, 0, 8, 8, WHITE)
        extra.append(layer)
    tree = layer_tree(image)
    status, layers, message, log, before = reference_requests(
        "gpt-image-1.5", [background, red, green] + extra, image)
    facts["message"] = message
    check(status == Gimp.PDBStatusType.EXECUTION_ERROR, "16 references did not fail: %s" % status)
    check(message and "16 reference layers" in message and "at most 15" in message,
          "the message does not name the limit: %r" % message)
    check(not log, "%d requests were sent" % len(log))
    check(layer_tree(image) == tree, "the image changed: %s" % layer_tree(image))


def case_interactive_references():
    """Three selected layers under Xvfb: the dialog shows the two references as thumbnails with
    their names (the screen holds their red and green), Send makes one edit with them; then on
    dall-e-2 the row says it edits one image and the dialog is closed."""
    image, background, red, green = reference_image()
    control("/_control/config", {"keep_uploads": True})
    status, layers, message = run("plug-in-oaimg-edit", image, [background, green, red],
                                  run_mode=Gimp.RunMode.INTERACTIVE, prompt=PROMPT, n=1,
                                  model="gpt-image-1.5", size="auto")
    check(status == Gimp.PDBStatusType.SUCCESS, "interactive edit: %s %s" % (status, message))
    log = image_requests(1)
    if check(len(log) == 1, "%d requests, wanted one" % len(log)):
        fields = [f["field"] for f in log[0]["files"]]
        check(fields == ["image[]", "image[]", "image[]", "mask"], "fields sent: %s" % fields)
    texts = dialog_texts()
    facts["texts"] = texts
    for text in ("Reference layers, sent after the edited one:", "red ref", "green ref"):
        check(text in texts, "the dialog did not show %r" % text)
    check("references are not sent" not in texts, "the GPT dialog said references are not sent")
    shot = screen_region("1", 1)
    if check(shot is not None, "no screenshot of the dialog"):
        data, w, h = shot
        colours = {pixel(data, w, x, y)[:3] for y in range(0, h, 2) for x in range(0, w, 2)}
        check(any(r > 230 and g < 30 and b < 30 for r, g, b in colours),
              "no red thumbnail on the screen")
        # The green reference at 50% over the checkerboard: green, half-mixed with grey.
        check(any(g > 150 and r < 140 and b < 140 and abs(r - b) < 8 for r, g, b in colours),
              "no green thumbnail on the screen")
    # dall-e-2 typed into the model box: the row greyed out with its note; Send sends the
    # edited image alone.
    open(os.environ["OAIMG_DIALOG_TEXTS"], "w").close()
    control("/_control/reset", {})
    status, _, message = run("plug-in-oaimg-edit", image, [background, green, red],
                             run_mode=Gimp.RunMode.INTERACTIVE, prompt=PROMPT, n=1,
                             model="gpt-image-1.5", size="auto")
    check(status == Gimp.PDBStatusType.SUCCESS, "the dall-e-2 edit: %s %s" % (status, message))
    texts = dialog_texts()
    facts["texts_dall_e_2"] = texts
    check("dall-e-2 edits one image; references are not sent" in texts,
          "the dall-e-2 dialog did not say references are not sent")
    log = image_requests(1)
    if check(len(log) == 1, "%d dall-e-2 requests, wanted one" % len(log)):
        fields = [f["field"] for f in log[0]["files"]]
        check(fields == ["image", "mask"], "dall-e-2 was sent %s" % fields)

CASES = {name[len("case_"):]: fn for name, fn in globals().items() if name.startswith("case_")}


def main():
    case = os.environ.get("OAIMG_E2E_CASE", "")
    report_path = os.environ["OAIMG_E2E_REPORT"]
    try:
        control("/_control/reset", {})
        if case not in CASES:
            failures.append("unknown case %r; known: %s" % (case, sorted(CASES)))
        else:
            CASES[case]()
    except Exception:  # a crash in the case is a failure with its traceback, not a silent pass
        failures.append(traceback.format_exc())
    with open(report_path + ".tmp", "w") as f:
        json.dump({"case": case, "failures": [m for m in failures if m], "facts": facts}, f,
                  indent=1, default=str)
    os.rename(report_path + ".tmp", report_path)


main()
