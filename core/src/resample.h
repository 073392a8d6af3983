// Separable Lanczos-3 resampling in premultiplied alpha, shared by preparation (crop, pad and
// downscale the region) and placement (scale a result back over the region).
#pragma once

#include <cstdint>
#include <optional>

#include "oaimg/core/error.h"
#include "oaimg/core/image.h"
#include "oaimg/core/png_codec.h"

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

// The rows of a source that come one at a time (a PNG as it is inflated): resampling asks for
// them top to bottom and holds only its filter's rows, never the source whole.
class RowFeed {
 public:
  virtual ~RowFeed() = default;
  // Row y, valid until the next call. Rows are asked for top to bottom, but a row at or after
  // the last release_below() may be asked for again. nullptr: the rows stopped coming (the
  // feed knows why); the resampling then fails.
  virtual const uint8_t* row(uint32_t y) = 0;
  // No row above y will be asked for again.
  virtual void release_below(uint32_t /*y*/) {}
};

struct RowLayout {
  uint32_t width = 0, height = 0;
  PixelFormat format = PixelFormat::Rgba8;
};

// resample_to_rgba() over rows from a feed: the same pixels, bit for bit.
Result<Image> resample_rows_to_rgba(const RowLayout& source, RowFeed& feed, const AxisMap& x,
                                    const AxisMap& y);

// Shrink on load: the rectangle `area` of a PNG resampled (maps relative to the rectangle, as
// clipped) while a second thread inflates it, holding a ring of rows, never the rectangle: the
// pixels of resample_to_rgba(decode_png_region(...)), bit for bit. Every limit and refusal of
// decode_png_region() holds. An empty optional when the file is not streamed (decode_png_region()
// would read it whole: small, interlaced or with a non-sRGB gamma) or no thread can be started:
// then the caller decodes the region.
Result<std::optional<Image>> resample_png_region(const uint8_t* data, size_t size,
                                                 const Rect& area, const PngDecodeLimits& limits,
                                                 const PngConsumed& consumed, const AxisMap& x,
                                                 const AxisMap& y);

}  // namespace oaimg
