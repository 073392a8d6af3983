// Separable Lanczos-3 resampling in premultiplied alpha, shared by preparation (crop, pad and
// downscale the region) and placement (scale a result back over the region).
#pragma once

#include <cstdint>

#include "oaimg/core/error.h"
#include "oaimg/core/image.h"

namespace oaimg {

// One axis: output pixel i, whose centre is i + 0.5, samples the input at
// origin + (i + 0.5) * step. Input samples outside [clamp_begin, clamp_end) repeat the nearest
// edge pixel, which is how padding is filled without ever reading outside the region.
struct AxisMap {
  double origin = 0;
  double step = 1;  // input pixels per output pixel: > 1 shrinks
  int32_t clamp_begin = 0, clamp_end = 0;
  uint32_t out_size = 0;
};

// The map that puts `out_size` pixels over the input span [span_begin, span_begin + span_size),
// reading only input pixels in [clamp_begin, clamp_end).
AxisMap map_span(double span_begin, double span_size, uint32_t out_size, int32_t clamp_begin,
                 int32_t clamp_end);

// Resamples any 8-bit format to straight-alpha Rgba8. Filtering runs on premultiplied values so
// that the colour of transparent pixels never bleeds into their neighbours. A map with step 1 at
// whole-pixel offsets copies pixels exactly.
Result<Image> resample_to_rgba(const Image& source, const AxisMap& x, const AxisMap& y);

}  // namespace oaimg
