// Caller pixels with any row stride, copied into the tightly packed rows the core works on.
#pragma once

#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

namespace oaimg_capi {

// False, copying nothing, when stride (0 = packed) is shorter than a row or the packed size does
// not fit in size_t: two uint32 sides of 4-byte pixels reach 2^66, and a wrapped size would
// allocate a small buffer and then copy the full rows into it.
inline bool copy_rows(std::vector<uint8_t>& out, const uint8_t* src, uint32_t width,
                      uint32_t height, size_t stride, size_t bytes_per_pixel) {
  size_t row = size_t(width) * bytes_per_pixel;
  if (stride == 0) stride = row;
  if (stride < row) return false;
  if (height != 0 && row > std::numeric_limits<size_t>::max() / height) return false;
  out.resize(row * height);
  for (uint32_t y = 0; y < height; ++y) std::memcpy(out.data() + row * y, src + stride * y, row);
  return true;
}

}  // namespace oaimg_capi
