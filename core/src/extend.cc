#include "oaimg/core/extend.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <new>

#include "geometry.h"
#include "oaimg/core/pipeline.h"

namespace oaimg {
namespace {

// The planner works in int32 with room for padding around the canvas.
constexpr int64_t kMaxCanvasSide = 0x3fffffff / 2;

int64_t max_margin(const Margins& m) {
  return std::max({int64_t(m.left), int64_t(m.top), int64_t(m.right), int64_t(m.bottom)});
}

// [start, start + length) spans of `window` along `length` pixels, overlapping by at least
// `overlap`, evenly spread, first at 0 and last at the end.
std::vector<std::pair<int32_t, int32_t>> spans_along(int32_t length, int32_t window,
                                                     int32_t overlap) {
  if (length <= window) return {{0, length}};
  const int64_t step = window - overlap;
  const int64_t count = (length - overlap + step - 1) / step;
  std::vector<std::pair<int32_t, int32_t>> spans;
  for (int64_t i = 0; i < count; ++i) {
    const int64_t start = i * (length - window) / (count - 1);
    spans.emplace_back(int32_t(start), window);
  }
  return spans;
}

// One strip of new area beside the known pixels: `along` is its extent parallel to the old
// edge, `depth` how far it reaches outward.
struct Strip {
  enum Side { Left, Right, Top, Bottom } side;
  int32_t along_start, along_length;  // source coordinates along the edge
  int32_t edge;                       // the coordinate of the old edge (x or y)
  int32_t depth;
};

// Parts of one strip with windows of window_along x window_depth. Rows go outward; a row's
// windows reach `overlap` back into what the previous row (or the old image) made known.
void strip_parts(const Strip& s, int32_t window_along, int32_t window_depth, int32_t overlap,
                 int32_t known_depth, std::vector<ExtendPart>& out) {
  const int32_t fill_per_row = window_depth - overlap;
  const bool horizontal_edge = s.side == Strip::Top || s.side == Strip::Bottom;
  const int32_t sign = (s.side == Strip::Left || s.side == Strip::Top) ? -1 : 1;
  const auto spans = spans_along(s.along_length, std::min(window_along, s.along_length), overlap);
  for (int32_t filled = 0; filled < s.depth; filled += fill_per_row) {
    const int32_t row_fill = std::min(fill_per_row, s.depth - filled);
    // Depth offsets measured outward from the old edge: the window takes all the known pixels
    // it can (up to its own depth), the fill is this row's new pixels.
    const int32_t known = std::min(window_depth - row_fill, known_depth + filled);
    const int32_t win_from = filled - known, win_to = filled + row_fill;
    for (const auto& span : spans) {
      // Plain copies, not structured bindings: clang 14 cannot capture those in a lambda.
      const int32_t along_offset = span.first, along_len = span.second;
      auto rect = [&](int32_t from, int32_t to) {
        // Outward offsets [from, to) to coordinates on this side.
        const int32_t a = sign > 0 ? s.edge + from : s.edge - to;
        const int32_t depth_len = to - from;
        const int32_t along = s.along_start + along_offset;
        return horizontal_edge ? Rect{along, a, along_len, depth_len}
                               : Rect{a, along, depth_len, along_len};
      };
      ExtendPart part;
      part.window = rect(win_from, win_to);
      part.fill = rect(filled, filled + row_fill);
      part.order = int(out.size());
      out.push_back(part);
    }
  }
}

}  // namespace

Result<Margins> margins_for_aspect(uint32_t width, uint32_t height, uint32_t aspect_w,
                                   uint32_t aspect_h) {
  if (width == 0 || height == 0)
    return Error(Status::InvalidArgument, "extend: the image is empty (" + format_wxh(width, height) + ")");
  if (aspect_w == 0 || aspect_h == 0 || aspect_w > 100 || aspect_h > 100)
    return Error(Status::InvalidArgument,
                 "extend: aspect " + std::to_string(aspect_w) + ":" + std::to_string(aspect_h) +
                     " is not a ratio of two whole numbers from 1 to 100 (e.g. 16:9, 3:2, 1:1)");
  Margins m;
  // Compare width/height with aspect_w/aspect_h exactly, in integers.
  const uint64_t wide = uint64_t(width) * aspect_h, tall = uint64_t(height) * aspect_w;
  if (wide < tall) {
    // Too narrow: widen to ceil(height * aspect_w / aspect_h).
    const uint64_t target = (uint64_t(height) * aspect_w + aspect_h - 1) / aspect_h;
    const uint64_t add = target - width;
    if (target > uint64_t(kMaxCanvasSide)) return Error(Status::InvalidArgument, "extend: the canvas would be over " + std::to_string(kMaxCanvasSide) + " pixels wide");
    m.left = uint32_t(add / 2);
    m.right = uint32_t(add - add / 2);
  } else if (tall < wide) {
    const uint64_t target = (uint64_t(width) * aspect_h + aspect_w - 1) / aspect_w;
    const uint64_t add = target - height;
    if (target > uint64_t(kMaxCanvasSide)) return Error(Status::InvalidArgument, "extend: the canvas would be over " + std::to_string(kMaxCanvasSide) + " pixels high");
    m.top = uint32_t(add / 2);
    m.bottom = uint32_t(add - add / 2);
  }
  return m;
}

Result<Rect> extended_canvas(uint32_t width, uint32_t height, const Margins& m) {
  const int64_t w = int64_t(width) + m.left + m.right;
  const int64_t h = int64_t(height) + m.top + m.bottom;
  if (width == 0 || height == 0 || w > kMaxCanvasSide || h > kMaxCanvasSide)
    return Error(Status::InvalidArgument,
                 "extend: a " + format_wxh(width, height) + " image grown by left " +
                     std::to_string(m.left) + ", top " + std::to_string(m.top) + ", right " +
                     std::to_string(m.right) + ", bottom " + std::to_string(m.bottom) +
                     " is not a canvas of 1 to " + std::to_string(kMaxCanvasSide) +
                     " pixels a side");
  return Rect{-int32_t(m.left), -int32_t(m.top), int32_t(w), int32_t(h)};
}

int extend_blend_width(uint32_t width, uint32_t height, const Margins& m) {
  if (m.empty()) return 0;
  const int64_t wanted = std::clamp<int64_t>(max_margin(m) / 4, 8, 64);
  const int64_t room = std::min(width, height) / 2;
  return int(std::max<int64_t>(0, std::min(wanted, room)));
}

Selection extend_selection(uint32_t width, uint32_t height, const Margins& m, int blend) {
  Selection s;
  s.x = -int32_t(m.left);
  s.y = -int32_t(m.top);
  s.width = width + m.left + m.right;
  s.height = height + m.top + m.bottom;
  s.coverage.assign(size_t(s.width) * s.height, 255);
  blend = std::max(blend, 0);
  // Inside the old image, coverage falls linearly from the edge: pixel d (0 = at the edge)
  // gets 255 * (blend - d) / (blend + 1), so the first old pixel is already partly kept.
  auto ramp = [blend](int64_t d) -> int {
    return d >= blend ? 0 : int(255 * (blend - d) / (blend + 1));
  };
  for (uint32_t y = 0; y < height; ++y) {
    uint8_t* row = s.coverage.data() + size_t(y + m.top) * s.width + m.left;
    const int from_top = m.top ? ramp(y) : 0;
    const int from_bottom = m.bottom ? ramp(int64_t(height) - 1 - y) : 0;
    for (uint32_t x = 0; x < width; ++x) {
      int v = std::max(from_top, from_bottom);
      if (m.left) v = std::max(v, ramp(x));
      if (m.right) v = std::max(v, ramp(int64_t(width) - 1 - x));
      row[x] = uint8_t(v);
    }
  }
  return s;
}

TargetSize largest_target(const ModelCaps& caps, Operation op, bool experimental_sizes) {
  if (caps.custom_size) {
    const CustomSizeRule& r = *caps.custom_size;
    if (experimental_sizes) return {uint32_t(r.max_long_side), uint32_t(r.max_short_side)};
    return {uint32_t(std::min(r.max_long_side, r.standard_long_side)),
            uint32_t(std::min(r.max_short_side, r.standard_short_side))};
  }
  TargetSize best{1024, 1024};  // a compatible server's own model: the DALL·E 2 squares
  uint64_t best_area = 0;
  for (const std::string& text : sizes_for(caps, op)) {
    if (auto size = parse_wxh(text)) {
      const uint64_t area = uint64_t(size->width) * size->height;
      if (area > best_area) {
        best_area = area;
        best = {std::max(size->width, size->height), std::min(size->width, size->height)};
      }
    }
  }
  return best;
}

int extend_part_overlap(TargetSize window) {
  return int(std::max<uint32_t>(8, std::min(window.width, window.height) / 8));
}

Result<std::vector<ExtendPart>> plan_extend_parts(uint32_t width, uint32_t height,
                                                  const Margins& m, TargetSize window,
                                                  int overlap) {
  auto canvas = extended_canvas(width, height, m);
  if (!canvas) return canvas.take_error();
  const int32_t long_side = int32_t(std::max(window.width, window.height));
  const int32_t short_side = int32_t(std::min(window.width, window.height));
  if (overlap < 1 || short_side < 2 * overlap + 1)
    return Error(Status::InvalidArgument,
                 "extend parts: a " + format_wxh(window.width, window.height) +
                     " window cannot overlap its neighbours by " + std::to_string(overlap) +
                     " pixels");
  const int32_t w = int32_t(width), h = int32_t(height);
  const Strip strips[] = {
      {Strip::Left, 0, h, 0, int32_t(m.left)},
      {Strip::Right, 0, h, w, int32_t(m.right)},
      {Strip::Top, canvas->x, canvas->width, 0, int32_t(m.top)},
      {Strip::Bottom, canvas->x, canvas->width, h, int32_t(m.bottom)},
  };
  std::vector<ExtendPart> parts;
  for (const Strip& s : strips) {
    if (s.depth <= 0) continue;
    const bool horizontal_edge = s.side == Strip::Top || s.side == Strip::Bottom;
    const int32_t known_depth = horizontal_edge ? h : w;  // old image behind the edge
    // The window's orientation that needs fewer requests; the long side along the edge on a tie.
    auto count = [&](int32_t along, int32_t depth) {
      const int64_t rows = (s.depth + (depth - overlap) - 1) / (depth - overlap);
      return rows * int64_t(spans_along(s.along_length, std::min(along, s.along_length), overlap).size());
    };
    const bool long_along = count(long_side, short_side) <= count(short_side, long_side);
    strip_parts(s, long_along ? long_side : short_side, long_along ? short_side : long_side,
                overlap, known_depth, parts);
  }
  return parts;
}

Result<ExtendStrategy> choose_extend_strategy(const ModelCaps& caps, uint32_t width,
                                              uint32_t height, const Margins& m,
                                              bool experimental_sizes) {
  auto canvas = extended_canvas(width, height, m);
  if (!canvas) return canvas.take_error();
  ExtendStrategy strategy;
  if (m.empty()) return strategy;
  const Selection selection = extend_selection(width, height, m, extend_blend_width(width, height, m));
  const Rect bounds = selection_bounds_in(selection, *canvas);
  auto plan = plan_region_in(caps, Operation::Edit, *canvas, bounds, ContextMode::Auto,
                             std::nullopt, experimental_sizes);
  if (!plan) return plan.take_error();
  strategy.scale = std::min(1.0, std::min(double(plan->target_width) / plan->padded.width,
                                          double(plan->target_height) / plan->padded.height));
  strategy.sent = TargetSize{plan->target_width, plan->target_height};
  if (strategy.scale >= 1.0 - 1e-9) {
    strategy.scale = 1.0;
    return strategy;
  }
  if (strategy.scale >= kMinExtendScale) {
    strategy.kind = ExtendStrategy::Scaled;
    return strategy;
  }
  const TargetSize window = largest_target(caps, Operation::Edit, experimental_sizes);
  auto parts = plan_extend_parts(width, height, m, window, extend_part_overlap(window));
  if (!parts) return parts.take_error();
  strategy.kind = ExtendStrategy::Parts;
  strategy.parts = std::move(*parts);
  strategy.sent = window;
  strategy.overlap = extend_part_overlap(window);
  return strategy;
}

}  // namespace oaimg
