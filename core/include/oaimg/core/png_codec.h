// PNG encoding and bounded decoding through libpng.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "oaimg/core/error.h"
#include "oaimg/core/image.h"

namespace oaimg {

struct PngHeader;

struct PngDecodeLimits {
  // Refused before allocating: 100 million pixels (400 MB as RGBA) takes in the 100 MP photos of
  // medium-format cameras and panoramas, which a user may well select a part of to edit; a
  // claim above it is refused from the header, and one below it whose compressed data is too
  // small to hold it (check_png_budget) before anything of its size is allocated.
  uint64_t max_pixels = 100000000;
  uint32_t max_side = 32768;
  // decode_png_region() and decode_png_coverage() inflate a file whole (libdeflate, twice zlib's
  // speed, one buffer of all its rows) when its rows take at most this many bytes, and stream it
  // (zlib, a mebibyte of rows at a time) when they take more: 12 and 24 MP photos keep the fast
  // path, larger ones are read in bounded memory. 0 streams every file.
  uint64_t max_whole_inflate_bytes = uint64_t(96) << 20;
};

// Whether a PNG of this header may be decoded under the limits: its dimensions within them and
// its compressed image data large enough to hold them (deflate shrinks at most ~1032:1, so a tiny
// file claiming a huge image is refused before anything is allocated). The message names the
// limit or the shortfall. Every decoder calls this first.
Outcome check_png_budget(const PngHeader& header, const uint8_t* data, size_t size,
                         const PngDecodeLimits& limits);

// Decodes any PNG (palette, gray, 16-bit, interlaced) to RGBA8. Never allocates more than the
// limits allow; a truncated or corrupt file is an Error (Status::Image), never a crash.
Result<Image> decode_png(const uint8_t* data, size_t size, const PngDecodeLimits& limits = {});

// The reading path for the files a request keeps (libdeflate, rows unfiltered in place): the
// pixels in the file's own layout at 8 bits (Gray8, GrayA8, Rgb8, or Rgba8 for palette and RGB
// with alpha or tRNS), equal to decode_png()'s RGBA in every channel the file has. Same limits,
// checked before any allocation; every chunk's CRC and the zlib checksum are checked.
Result<Image> decode_png_pixels(const uint8_t* data, size_t size, const PngDecodeLimits& limits = {});

// A selection PNG (white = selected) as 8-bit coverage: luma x alpha / 255 with luma =
// (77 R + 150 G + 29 B) / 256, so a gray file's value is its coverage. Only the covered rectangle
// is kept, placed at its offset in the image; an empty selection is one uncovered pixel. Read as a
// stream like decode_png_region(): what it holds is each row's covered span, never the whole
// image (but for the interlaced and gamma files decode_png_region() names).
Result<Selection> decode_png_coverage(const uint8_t* data, size_t size,
                                      const PngDecodeLimits& limits = {});

// Told, as the streaming reader goes, how many of the file's bytes from the start it is done
// with: a caller reading a mapped file may drop those pages. Also told the whole size once the
// chunks are walked, before the image data is read: the pages dropped then are read again.
using PngConsumed = std::function<void(size_t done)>;

// The rectangle `area` of a PNG (clipped to the image; an empty intersection is an error) in
// decode_png_pixels()'s layout and pixels, read as a stream: zlib inflates the image data a
// bounded run of rows at a time, the rows above the rectangle are unfiltered and dropped, the
// rows below it are inflated (their filter bytes, the zlib checksum and the data's length are
// checked as decode_png_pixels() checks them) and dropped. Apart from the rectangle it holds about
// a mebibyte of rows and zlib's state, whatever the image's size (files whose rows fit
// limits.max_whole_inflate_bytes are inflated whole instead, for speed). Same limits, checked before any
// allocation. Interlaced files and a gAMA other than sRGB's go through decode_png_pixels() and are
// cropped (Adam7 puts the rows of a rectangle all over the stream): same pixels, whole-image memory.
Result<Image> decode_png_region(const uint8_t* data, size_t size, const Rect& area,
                                const PngDecodeLimits& limits = {},
                                const PngConsumed& consumed = {});

// What stream_png_region() is about to give: the rectangle (clipped to the image) and the rows'
// format; `streams` is false for a file decode_png_region() reads whole (small, interlaced, a
// non-sRGB gamma), of which no rows are given.
struct PngRegionRows {
  Rect rect;
  PixelFormat format = PixelFormat::Rgba8;
  bool streams = false;
};

// decode_png_region() without the rectangle ever held: once the chunks are checked, `start` is
// told the layout (false stops there), then, for a file that streams, `visit(y, pixels)` gets the
// rectangle's rows top to bottom (y from 0, pixels valid during the call) as they are inflated,
// and the rows below are inflated and checked to the end of the stream. Same limits and the same
// refusals as decode_png_region(); an error may come after rows were given.
Outcome stream_png_region(const uint8_t* data, size_t size, const Rect& area,
                          const PngDecodeLimits& limits, const PngConsumed& consumed,
                          const std::function<bool(const PngRegionRows&)>& start,
                          const std::function<void(uint32_t, const uint8_t*)>& visit);

struct PngHeader {
  uint32_t width = 0, height = 0;
  int bit_depth = 0, color_type = 0;
  bool has_alpha = false;
};
// Reads the IHDR, and the chunks before the image data for a tRNS (so that has_alpha is true for a
// palette or gray PNG with transparency); no pixel data. Fast, for validation.
Result<PngHeader> read_png_header(const uint8_t* data, size_t size);

struct PngEncodeOptions {
  int compression_level = 6;   // zlib 0-9
  int filter = -1;             // -1 = libpng's adaptive choice; else a PNG_FILTER_* mask
  int strategy = -1;           // -1 = libpng's choice; else a zlib strategy (Z_RLE, Z_FILTERED...)
};

// Encodes RGBA8/RGB8/Gray8/GrayA8 pixels. One filter (PNG_FILTER_PAETH or PNG_FILTER_NONE) goes to
// encode_png_rows(), any other choice to libpng.
Result<std::vector<uint8_t>> encode_png(const Image& image, const PngEncodeOptions& options = {});

// The single-filter writer: every row filtered with options.filter (PNG_FILTER_PAETH, with SSE2,
// or PNG_FILTER_NONE), deflated by zlib with the options' level and strategy. Reads the caller's
// rows `stride` bytes apart in place, without a copy.
Result<std::vector<uint8_t>> encode_png_rows(const uint8_t* pixels, size_t stride, uint32_t width,
                                             uint32_t height, PixelFormat format,
                                             const PngEncodeOptions& options);

// The same file in one malloc()ed block (the caller free()s data): written in place, without the
// copy that a vector's bytes need before they cross the C API.
struct MallocPng {
  uint8_t* data = nullptr;
  size_t size = 0;
};
Result<MallocPng> encode_png_rows_malloc(const uint8_t* pixels, size_t stride, uint32_t width,
                                         uint32_t height, PixelFormat format,
                                         const PngEncodeOptions& options);

}  // namespace oaimg
