// The streaming PNG reader (decode_png_region, decode_png_coverage) on any bytes: a rectangle and
// the way of reading taken from the input's last bytes, the rest as the file. Either it decodes
// within the limits, to the rectangle it was asked for clipped to the image, or fails with a
// message; never a crash or a read outside the buffers (ASan). Streamed, the rectangle is also
// resampled as it is inflated (resample_png_region, two threads), to a size and offset from the
// tail: it must fail when the decode fails and give the decoded rectangle's resampling otherwise.
#include <cstdint>
#include <algorithm>
#include <cstdlib>

#include "oaimg/core/png_codec.h"
#include "resample.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 5) return 0;
  const uint8_t* tail = data + size - 5;
  size -= 5;
  oaimg::PngDecodeLimits limits;
  limits.max_pixels = 1u << 20;  // small, so each run is quick; the check before allocation holds
  // Streamed, or inflated whole as small files are: both ways are fuzzed.
  limits.max_whole_inflate_bytes = (tail[4] & 1) ? 0 : limits.max_whole_inflate_bytes;
  const oaimg::Rect area{int32_t(tail[0]) - 16, int32_t(tail[1]) - 16, int32_t(tail[2]),
                         int32_t(tail[3])};
  size_t consumed = 0;
  auto region = oaimg::decode_png_region(data, size, area, limits,
                                         [&](size_t done) { consumed = done; });
  if (region.ok()) {
    if (region->empty() || region->width > uint32_t(area.width) ||
        region->height > uint32_t(area.height) ||
        region->pixels.size() != region->stride() * region->height || consumed > size)
      std::abort();
    volatile uint8_t sum = 0;
    for (uint8_t v : region->pixels) sum = uint8_t(sum + v);
  } else if (region.error().message.empty()) {
    std::abort();
  }
  if (tail[4] & 1) {
    // Output size from 1 to 256 a side (shrinking and enlarging), the padded span shifted by up
    // to 7 pixels: the maps prepare_job() makes, relative to the clipped rectangle.
    const uint32_t out_w = uint32_t(tail[0] ^ tail[3]) + 1, out_h = uint32_t(tail[1] ^ tail[2]) + 1;
    const int shift = int(tail[4] >> 1 & 7);
    const int32_t rw = region.ok() ? int32_t(region->width) : std::max<int32_t>(1, area.width);
    const int32_t rh = region.ok() ? int32_t(region->height) : std::max<int32_t>(1, area.height);
    const oaimg::AxisMap x = oaimg::map_span(-shift, rw + 2 * shift, out_w, 0, rw);
    const oaimg::AxisMap y = oaimg::map_span(-shift, rh + shift, out_h, 0, rh);
    auto streamed = oaimg::resample_png_region(data, size, area, limits, {}, x, y);
    if (streamed.ok() != region.ok()) std::abort();
    if (streamed.ok() && *streamed) {
      auto decoded = oaimg::resample_to_rgba(*region, x, y);
      if (!decoded.ok() || decoded->pixels != (*streamed)->pixels) std::abort();
    } else if (!streamed.ok() && streamed.error().message.empty()) {
      std::abort();
    }
  }
  auto coverage = oaimg::decode_png_coverage(data, size, limits);
  if (coverage.ok()) {
    if (coverage->coverage.size() != size_t(coverage->width) * coverage->height) std::abort();
  } else if (coverage.error().message.empty()) {
    std::abort();
  }
  return 0;
}
