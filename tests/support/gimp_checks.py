"""Pixel checks of the GIMP end-to-end tests on plain data: 8-bit planes as bytes, row by row.
They do not know which GIMP made the pixels, so the GIMP 2.10 cases (and any host that can hand
over a selection, a mask and a composite) check results by the same rules as the GIMP 3 cases."""

RED, GREEN, BLUE, WHITE = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)
# How far the put-back mask may feather outwards from the selection's edge.
FEATHER_LIMIT = 24


def near(a, b, tolerance=2):
    return all(abs(p - q) <= tolerance for p, q in zip(a, b))


def bounds(plane, width, height, test=lambda v: v > 0):
    xs = [i % width for i, v in enumerate(plane) if test(v)]
    ys = [i // width for i, v in enumerate(plane) if test(v)]
    return (min(xs), min(ys), max(xs), max(ys)) if xs else None


def far_from(sel_bounds, x, y):
    x0, y0, x1, y1 = sel_bounds
    return not (x0 - FEATHER_LIMIT <= x <= x1 + FEATHER_LIMIT and
                y0 - FEATHER_LIMIT <= y <= y1 + FEATHER_LIMIT)


def mask_matches_selection(check, sel, iw, ih, mask, mw, mh, ox, oy, facts):
    """The layer mask (mw x mh at ox, oy), put in image coordinates, is opaque wherever the
    selection is full, empty far from it, and centred on the selection where the image does not
    clip it (an offset error breaks that)."""
    full_missed = 0
    placed = bytearray(iw * ih)
    for y in range(ih):
        for x in range(iw):
            lx, ly = x - ox, y - oy
            m = mask[ly * mw + lx] if 0 <= lx < mw and 0 <= ly < mh else 0
            placed[y * iw + x] = m
            if sel[y * iw + x] == 255 and m != 255:
                full_missed += 1
    check(full_missed == 0, "%d fully selected pixels are not fully opaque in the mask"
          % full_missed)
    sb, mb = bounds(sel, iw, ih), bounds(placed, iw, ih)
    if not (sb and mb):
        check(False, "empty mask or selection")
        return
    facts.setdefault("selection_bounds", sb)
    facts.setdefault("mask_bounds", mb)
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


def composite_shows(check, pixels, channels, sel, w, h, inside, outside_of, tolerance=2):
    """Every fully selected pixel shows `inside`; every pixel far from the selection shows what
    outside_of(x, y) says it showed before."""
    sb = bounds(sel, w, h)
    wrong_in = wrong_out = 0
    first = []
    shown = 3 if channels >= 3 else 1
    for y in range(h):
        for x in range(w):
            i = (y * w + x) * channels
            p = tuple(pixels[i:i + shown])
            s = sel[y * w + x]
            if s == 255:
                if not near(p, inside, tolerance):
                    wrong_in += 1
                    first.append(("in", x, y, p))
            elif s == 0 and (sb is None or far_from(sb, x, y)):
                want = outside_of(x, y)
                if not near(p, want, tolerance):
                    wrong_out += 1
                    first.append(("out", x, y, p, want))
    check(wrong_in == 0, "%d selected pixels are not %s, e.g. %s" % (wrong_in, inside, first[:3]))
    check(wrong_out == 0, "%d pixels outside changed, e.g. %s" % (wrong_out, first[:3]))


def all_pixels(check, pixels, channels, w, h, colour, what, tolerance=2):
    shown = 3 if channels >= 3 else 1
    bad = sum(1 for i in range(0, w * h * channels, channels)
              if not near(tuple(pixels[i:i + shown]), colour, tolerance))
    check(bad == 0, "%d pixels of %s are not %s" % (bad, what, colour))


def provenance_ok(check, prov, model, prompt=None):
    check(prov.get("model") == model, "provenance model %r" % prov.get("model"))
    check(prov.get("request_id"), "provenance without request id")
    check(prov.get("created"), "provenance without time")
    check(prov.get("size"), "provenance without size")
    if prompt is not None:
        check(prov.get("prompt") == prompt, "provenance prompt %r" % prov.get("prompt"))


# ---- reading what GIMP exported, with the standard library only ----------------------------------

def read_png(path, mode="RGBA"):
    """(bytes, width, height) of a non-interlaced PNG as 8-bit RGBA or L (the high byte of 16-bit
    samples). Only what GIMP's PNG export writes: gray, RGB, palette, with or without alpha."""
    import struct
    import zlib

    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "%s is not a PNG" % path
    pos, idat, palette, trns = 8, b"", None, None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"PLTE":
            palette = body
        elif kind == b"tRNS":
            trns = body
        elif kind == b"IDAT":
            idat += body
    assert interlace == 0, "%s is interlaced" % path
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour]
    bpp = max(1, channels * depth // 8)
    stride = (width * channels * depth + 7) // 8
    raw = zlib.decompress(idat)
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    out = bytearray()
    for line in rows:
        for x in range(width):
            if depth == 16:
                px = [line[(x * channels + k) * 2] for k in range(channels)]
            elif depth == 8:
                px = list(line[x * channels:(x + 1) * channels])
            else:
                bit = x * depth
                px = [((line[bit // 8] >> (8 - depth - bit % 8)) & ((1 << depth) - 1))]
            if colour == 3:
                i = px[0]
                rgba = list(palette[i * 3:i * 3 + 3]) + [trns[i] if trns and i < len(trns)
                                                         else 255]
            elif colour == 0:
                v = px[0] * (255 // ((1 << depth) - 1)) if depth < 8 else px[0]
                rgba = [v, v, v, 255]
            elif colour == 4:
                rgba = [px[0], px[0], px[0], px[1]]
            elif colour == 2:
                rgba = px + [255]
            else:
                rgba = px
            if mode == "L":
                out.append(rgba[0] if colour in (0, 4) else
                           (rgba[0] * 299 + rgba[1] * 587 + rgba[2] * 114) // 1000)
            else:
                out.extend(rgba)
    return bytes(out), width, height
