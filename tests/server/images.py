"""Image bytes for the stand-in server and the Python tests: PNG validation, decoding and encoding
(stdlib zlib/struct only), and the header sniffing needed to size JPEG and WebP uploads.

Validation is as strict as a real decoder: a PNG whose chunk CRCs, IHDR or compressed data do not
add up is refused, because the real API answers such uploads with a 400 and a client that sends
them has a bug the tests must see.
"""

import struct
import zlib

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# Channels per PNG colour type (palette images have one index channel).
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
_ALLOWED_DEPTHS = {0: (1, 2, 4, 8, 16), 2: (8, 16), 3: (1, 2, 4, 8), 4: (8, 16), 6: (8, 16)}


class ImageError(ValueError):
    """An upload that is not the image it claims to be."""


class PngInfo:
    def __init__(self, width, height, bit_depth, color_type, interlace, has_trns, chunks):
        self.width = width
        self.height = height
        self.bit_depth = bit_depth
        self.color_type = color_type
        self.interlace = interlace
        self.has_trns = has_trns
        self.chunks = chunks  # [(type, data)] in file order

    @property
    def has_alpha(self):
        return self.color_type in (4, 6) or self.has_trns


def _chunks(data):
    if not data.startswith(PNG_SIGNATURE):
        raise ImageError("not a PNG file (bad signature)")
    pos = len(PNG_SIGNATURE)
    chunks = []
    while True:
        if pos + 8 > len(data):
            raise ImageError("PNG file is truncated (no IEND chunk)")
        length, ctype = struct.unpack(">I4s", data[pos:pos + 8])
        if length > 0x7FFFFFFF or pos + 12 + length > len(data):
            raise ImageError("PNG chunk %r runs past the end of the file" % ctype)
        body = data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        if zlib.crc32(ctype + body) & 0xFFFFFFFF != crc:
            raise ImageError("PNG chunk %s has a bad CRC" % ctype.decode("latin-1"))
        chunks.append((ctype, body))
        pos += 12 + length
        if ctype == b"IEND":
            return chunks


def png_info(data):
    """Checks signature, IHDR, every CRC, IEND and that IDAT inflates to the right size."""
    chunks = _chunks(data)
    if chunks[0][0] != b"IHDR" or len(chunks[0][1]) != 13:
        raise ImageError("PNG file does not start with a valid IHDR chunk")
    width, height, depth, ctype, comp, filt, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    if width == 0 or height == 0 or width > 0x7FFFFFFF or height > 0x7FFFFFFF:
        raise ImageError("PNG has invalid dimensions %dx%d" % (width, height))
    if ctype not in _ALLOWED_DEPTHS or depth not in _ALLOWED_DEPTHS[ctype]:
        raise ImageError("PNG has invalid colour type %d / bit depth %d" % (ctype, depth))
    if comp != 0 or filt != 0 or interlace not in (0, 1):
        raise ImageError("PNG has an invalid compression, filter or interlace method")
    idat = b"".join(body for t, body in chunks if t == b"IDAT")
    if not idat:
        raise ImageError("PNG has no IDAT chunk")
    if ctype == 3 and not any(t == b"PLTE" for t, _ in chunks):
        raise ImageError("palette PNG without PLTE chunk")
    try:
        raw = zlib.decompress(idat)
    except zlib.error as e:
        raise ImageError("PNG image data is corrupt (%s)" % e)
    if interlace == 0:
        expected = height * (1 + _row_bytes(width, depth, ctype))
        if len(raw) != expected:
            raise ImageError("PNG image data has %d bytes, expected %d" % (len(raw), expected))
    has_trns = any(t == b"tRNS" for t, _ in chunks)
    return PngInfo(width, height, depth, ctype, interlace, has_trns, chunks)


def _row_bytes(width, depth, ctype):
    return (width * _CHANNELS[ctype] * depth + 7) // 8


def _unfilter(raw, width, height, bpp, stride):
    out = bytearray(height * stride)
    prev = bytearray(stride)
    pos = 0
    for y in range(height):
        ftype = raw[pos]
        line = bytearray(raw[pos + 1:pos + 1 + stride])
        pos += 1 + stride
        if ftype == 0:
            pass
        elif ftype == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif ftype == 2:
            for i in range(stride):
                line[i] = (line[i] + prev[i]) & 0xFF
        elif ftype == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif ftype == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if (pa <= pb and pa <= pc) else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        else:
            raise ImageError("PNG row %d has invalid filter type %d" % (y, ftype))
        out[y * stride:(y + 1) * stride] = line
        prev = line
    return out


class Rgba:
    """A decoded image as 8-bit RGBA rows, enough for the tests to check colours and placement."""

    def __init__(self, width, height, pixels):
        self.width = width
        self.height = height
        self.pixels = pixels  # bytearray, 4 bytes per pixel, row-major

    def at(self, x, y):
        i = 4 * (y * self.width + x)
        return tuple(self.pixels[i:i + 4])


def decode_png(data):
    """Decodes 8-bit non-interlaced PNGs of every colour type (what the project writes) to RGBA."""
    info = png_info(data)
    if info.interlace or info.bit_depth != 8:
        raise ImageError("decoder handles 8-bit non-interlaced PNGs only")
    channels = _CHANNELS[info.color_type]
    stride = info.width * channels
    raw = zlib.decompress(b"".join(b for t, b in info.chunks if t == b"IDAT"))
    px = _unfilter(raw, info.width, info.height, channels, stride)
    n = info.width * info.height
    out = bytearray(4 * n)
    ct = info.color_type
    if ct == 6:
        out[:] = px
    elif ct == 2:
        out[0::4], out[1::4], out[2::4] = px[0::3], px[1::3], px[2::3]
        out[3::4] = b"\xff" * n
    elif ct == 0:
        out[0::4] = out[1::4] = out[2::4] = px
        out[3::4] = b"\xff" * n
    elif ct == 4:
        out[0::4] = out[1::4] = out[2::4] = px[0::2]
        out[3::4] = px[1::2]
    else:
        plte = next(b for t, b in info.chunks if t == b"PLTE")
        trns = next((b for t, b in info.chunks if t == b"tRNS"), b"")
        for i, idx in enumerate(px):
            out[4 * i:4 * i + 3] = plte[3 * idx:3 * idx + 3]
            out[4 * i + 3] = trns[idx] if idx < len(trns) else 255
    return Rgba(info.width, info.height, out)


def _chunk(ctype, body):
    return struct.pack(">I", len(body)) + ctype + body + struct.pack(
        ">I", zlib.crc32(ctype + body) & 0xFFFFFFFF)


def encode_png(width, height, color_type, pixels):
    """Encodes 8-bit pixels (rows packed, channels per colour type) with filter 0 on every row."""
    stride = width * _CHANNELS[color_type]
    if len(pixels) != stride * height:
        raise ValueError("pixel buffer has the wrong size")
    raw = bytearray()
    for y in range(height):
        raw += b"\x00"
        raw += pixels[y * stride:(y + 1) * stride]
    ihdr = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return (PNG_SIGNATURE + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", zlib.compress(bytes(raw), 6))
            + _chunk(b"IEND", b""))


def solid_png(width, height, rgb, alpha=None):
    """A solid colour image; RGB unless an alpha value is given (then RGBA)."""
    if alpha is None:
        row = bytes(rgb) * width
        ctype = 2
    else:
        row = bytes(tuple(rgb) + (alpha,)) * width
        ctype = 6
    raw = (b"\x00" + row) * height  # built whole: solid rows compress fast even at 3840x2160
    ihdr = struct.pack(">IIBBBBB", width, height, 8, ctype, 0, 0, 0)
    return (PNG_SIGNATURE + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", zlib.compress(raw, 6))
            + _chunk(b"IEND", b""))


def _jpeg_size(data):
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            raise ImageError("JPEG file has a broken marker sequence")
        marker = data[pos + 1]
        if marker == 0xFF:
            pos += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2:pos + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            if pos + 9 > len(data):
                break
            height, width = struct.unpack(">HH", data[pos + 5:pos + 9])
            if width == 0 or height == 0:
                raise ImageError("JPEG file has zero dimensions")
            return width, height
        pos += 2 + length
    raise ImageError("JPEG file has no frame header")


def _webp_size(data):
    if len(data) < 30 or data[12:16] not in (b"VP8 ", b"VP8L", b"VP8X"):
        raise ImageError("WebP file is truncated or has an unknown chunk")
    kind = data[12:16]
    if kind == b"VP8X":
        w = 1 + int.from_bytes(data[24:27], "little")
        h = 1 + int.from_bytes(data[27:30], "little")
    elif kind == b"VP8L":
        if data[20] != 0x2F:
            raise ImageError("WebP lossless header is invalid")
        bits = int.from_bytes(data[21:25], "little")
        w, h = (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    else:
        if data[23:26] != b"\x9d\x01\x2a":
            raise ImageError("WebP lossy header is invalid")
        w = int.from_bytes(data[26:28], "little") & 0x3FFF
        h = int.from_bytes(data[28:30], "little") & 0x3FFF
    return w, h


def sniff(data):
    """(format, width, height, png_info-or-None) for png/jpeg/webp; ImageError otherwise."""
    if data.startswith(PNG_SIGNATURE):
        info = png_info(data)
        return "png", info.width, info.height, info
    if data.startswith(b"\xff\xd8\xff"):
        if not data.rstrip(b"\x00").endswith(b"\xff\xd9"):
            raise ImageError("JPEG file is truncated (no end-of-image marker)")
        w, h = _jpeg_size(data)
        return "jpeg", w, h, None
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        w, h = _webp_size(data)
        return "webp", w, h, None
    raise ImageError("unsupported image format")
