// PNG encoding and bounded decoding through libpng.
#pragma once

#include <cstdint>
#include <vector>

#include "oaimg/core/error.h"
#include "oaimg/core/image.h"

namespace oaimg {

struct PngDecodeLimits {
  uint64_t max_pixels = 100'000'000;   // refuse larger images before allocating
  uint32_t max_side = 65535;
};

// Decodes any PNG (palette, gray, 16-bit, interlaced) to RGBA8. Never allocates more than the
// limits allow; a truncated or corrupt file is an Error (Status::Image), never a crash.
Result<Image> decode_png(const uint8_t* data, size_t size, const PngDecodeLimits& limits = {});

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

// Encodes RGBA8/RGB8/Gray8/GrayA8 pixels.
Result<std::vector<uint8_t>> encode_png(const Image& image, const PngEncodeOptions& options = {});

}  // namespace oaimg
