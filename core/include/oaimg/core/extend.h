// Growing the canvas (Extend Canvas…) as pure integer geometry in source coordinates: margins
// for a target aspect, the selection an extend repaints, the largest area one request fills, and
// — when the new area is larger than that — the overlapping parts that fill it one request at a
// time, in order. Nothing here touches pixels, so every case is unit-tested on hand-built caps.
#pragma once

#include <cstdint>
#include <vector>

#include "oaimg/core/error.h"
#include "oaimg/core/image.h"
#include "oaimg/core/models.h"

namespace oaimg {

// Margins that grow width x height to the aspect aspect_w:aspect_h, adding only along the axis
// that is short for that aspect, split evenly (the odd pixel goes right or bottom). An image
// already of that aspect (to the pixel) gets no margins.
Result<Margins> margins_for_aspect(uint32_t width, uint32_t height, uint32_t aspect_w,
                                   uint32_t aspect_h);

// The canvas after growing: (-left, -top, width + left + right, height + top + bottom) in source
// coordinates. Fails when a side would not fit the planner's coordinate range.
Result<Rect> extended_canvas(uint32_t width, uint32_t height, const Margins& margins);

// How far into the old image, along every side that grows, the model repaints and the put-back
// blends (pixels): a quarter of the widest margin, between 8 and 64, and at most half the
// source's shorter side so that the old image keeps a middle of its own.
int extend_blend_width(uint32_t width, uint32_t height, const Margins& margins);

// The selection an extend repaints, over the whole canvas: 255 on the new area, and inside the
// old image a ramp from 255 at the old edge to 0 at `blend` pixels in, along each side that grows.
// Soft coverage counts for the request mask, so the model repaints the ramp, and the put-back
// keeps the ramp, so the old edge fades into the new area instead of showing a seam.
Selection extend_selection(uint32_t width, uint32_t height, const Margins& margins, int blend);

// The largest area one request fills without scaling: DALL·E 2's largest square, the largest
// fixed size, or on custom-size models 2560x1440 (3840x2160 with experimental sizes allowed).
// Landscape; a caller turns it to suit the strip it fills.
struct TargetSize {
  uint32_t width = 0, height = 0;
};
TargetSize largest_target(const ModelCaps& caps, Operation op, bool experimental_sizes);

// One request of an extend filled in parts.
struct ExtendPart {
  Rect window;  // what the model sees: at most the largest target, inside the canvas
  Rect fill;    // the new pixels this part supplies, inside window; neighbours overlap
  int order = 0;  // run in this order: every window's known pixels are old image or earlier fills
};

// The parts that fill the margins with windows of `window` pixels (either orientation), each
// seeing `overlap` pixels of what is known beside it (old image or earlier parts) and
// overlapping its neighbour along the strip by at least `overlap`. Sides in the order left,
// right, top, bottom (top and bottom span the corners, after left and right have filled them),
// rows outward from the old image, and along a row from left to right or top to bottom.
// Empty when the margins are empty; an error when the window is too small for the overlap.
Result<std::vector<ExtendPart>> plan_extend_parts(uint32_t width, uint32_t height,
                                                  const Margins& margins, TargetSize window,
                                                  int overlap);

// What an extend does about its size.
struct ExtendStrategy {
  enum Kind {
    Single,  // one request at the region's own resolution
    Scaled,  // one request, the region scaled down by `scale` (>= kMinExtendScale)
    Parts,   // more than that would be lost: `parts` requests, each at full resolution
  } kind = Single;
  double scale = 1.0;
  std::vector<ExtendPart> parts;
  // What a dialog tells the user before the run: the image sent (Single, Scaled), or the largest
  // window of a part and how far neighbouring parts overlap (Parts).
  TargetSize sent;
  int overlap = 0;
};
// Below this scale a single request loses more detail than overlapping parts would.
inline constexpr double kMinExtendScale = 0.5;
// The overlap between parts, and the known pixels each part sees: an eighth of the window's
// shorter side (128 pixels on a 1024 square).
int extend_part_overlap(TargetSize window);

Result<ExtendStrategy> choose_extend_strategy(const ModelCaps& caps, uint32_t width,
                                              uint32_t height, const Margins& margins,
                                              bool experimental_sizes);

}  // namespace oaimg
