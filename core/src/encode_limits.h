// PNG uploads within a byte limit (DALL·E 2: 4 MB for the image and the mask).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "oaimg/core/error.h"
#include "oaimg/core/image.h"

namespace oaimg {

struct EncodedPng {
  std::vector<uint8_t> bytes;
  bool fits = false;  // bytes.size() < max_bytes
  std::string note;   // what was done: "1024x1024 RGB PNG (opaque), 1.93 MB"
};

// Encodes `image` under max_bytes, cheapest first: RGBA becomes RGB when every pixel is opaque
// (gray+alpha, the masks, keeps its alpha), fast row filters and zlib settings, then maximum
// compression. When even that does not fit, the smallest attempt comes back with fits = false;
// making the image smaller is the caller's step.
Result<EncodedPng> encode_png_under(const Image& image, int64_t max_bytes);

// "1.93 MB", "21 KB": sizes as the notes show them (decimal units, as the API's limits).
std::string describe_bytes(size_t bytes);

}  // namespace oaimg
