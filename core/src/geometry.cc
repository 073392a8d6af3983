// Which part of the source the model sees, at which size, with how much padding. Pure integer
// geometry: no pixels are touched here, so every case is unit-tested on hand-built ModelCaps.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>
#include <string_view>

#include "geometry.h"
#include "oaimg/core/pipeline.h"

namespace oaimg {

std::optional<PixelSize> parse_wxh(std::string_view text) {
  const size_t x = text.find('x');
  if (x == std::string_view::npos || x == 0 || x + 1 >= text.size()) return std::nullopt;
  PixelSize size;
  auto parse = [](std::string_view digits, uint32_t& out) {
    const char* end = digits.data() + digits.size();
    auto [ptr, ec] = std::from_chars(digits.data(), end, out);
    return ec == std::errc() && ptr == end && out > 0;
  };
  if (!parse(text.substr(0, x), size.width) || !parse(text.substr(x + 1), size.height)) {
    return std::nullopt;
  }
  return size;
}

std::string format_wxh(uint32_t width, uint32_t height) {
  return std::to_string(width) + "x" + std::to_string(height);
}

Rect intersect(const Rect& a, const Rect& b) {
  const int32_t x0 = std::max(a.x, b.x), y0 = std::max(a.y, b.y);
  const int32_t x1 = std::min(a.x + a.width, b.x + b.width);
  const int32_t y1 = std::min(a.y + a.height, b.y + b.height);
  if (x1 <= x0 || y1 <= y0) return Rect{};
  return Rect{x0, y0, x1 - x0, y1 - y0};
}

namespace {

// The smallest DALL·E 2 square covers small regions without the model seeing a blown-up crop, so
// automatic context never goes below it when the image is large enough.
constexpr int32_t kMinAutoContext = 256;
constexpr uint32_t kDefaultSquares[] = {256, 512, 1024};

// How the target's shape is chosen for a model and operation.
struct TargetRule {
  enum Kind { Squares, Fixed, Custom } kind = Squares;
  std::vector<PixelSize> sizes;  // Squares: ascending sides; Fixed: the accepted sizes
  CustomSizeRule custom;
};

const std::vector<std::string>& fixed_sizes(const ModelCaps& caps, Operation op) {
  switch (op) {
    case Operation::Generate: return caps.generate_sizes;
    case Operation::Edit: return caps.edit_sizes;
    case Operation::Variation: return caps.variation_sizes;
  }
  return caps.edit_sizes;
}

TargetRule target_rule(const ModelCaps& caps, Operation op) {
  TargetRule rule;
  if (caps.custom_size) {
    rule.kind = TargetRule::Custom;
    rule.custom = *caps.custom_size;
    return rule;
  }
  bool all_square = true;
  for (const std::string& text : fixed_sizes(caps, op)) {
    if (auto size = parse_wxh(text)) {
      rule.sizes.push_back(*size);
      all_square = all_square && size->width == size->height;
    }
  }
  if (rule.sizes.empty()) {
    // A compatible server's own model: the DALL·E 2 squares are what such servers accept.
    for (uint32_t side : kDefaultSquares) rule.sizes.push_back({side, side});
  }
  rule.kind = all_square ? TargetRule::Squares : TargetRule::Fixed;
  if (rule.kind == TargetRule::Squares) {
    std::sort(rule.sizes.begin(), rule.sizes.end(),
              [](const PixelSize& a, const PixelSize& b) { return a.width < b.width; });
  }
  return rule;
}

bool fits_custom_rule(const CustomSizeRule& rule, int64_t w, int64_t h) {
  if (rule.multiple <= 0) return false;
  const int64_t long_side = std::max(w, h), short_side = std::min(w, h);
  return w % rule.multiple == 0 && h % rule.multiple == 0 && short_side >= rule.min_side &&
         long_side <= rule.max_long_side && short_side <= rule.max_short_side &&
         w * h <= rule.max_pixels && double(long_side) <= rule.max_aspect * double(short_side);
}

std::string allowed_sizes_text(const TargetRule& rule) {
  if (rule.kind == TargetRule::Custom) {
    return "sides divisible by " + std::to_string(rule.custom.multiple) + ", aspect within 1:" +
           std::to_string(int(rule.custom.max_aspect)) + " to " +
           std::to_string(int(rule.custom.max_aspect)) + ":1, at most " +
           format_wxh(rule.custom.max_long_side, rule.custom.max_short_side);
  }
  std::string text = "one of ";
  for (size_t i = 0; i < rule.sizes.size(); ++i) {
    if (i) text += ", ";
    text += format_wxh(rule.sizes[i].width, rule.sizes[i].height);
  }
  return text;
}

// Grows [start, start + length) to new_length around its centre, shifted to stay in [0, limit).
void grow_span_inside(int32_t& start, int32_t& length, int32_t new_length, int32_t limit) {
  new_length = std::min(new_length, limit);
  if (new_length <= length) return;
  int32_t grown_start = start - (new_length - length) / 2;
  grown_start = std::clamp(grown_start, 0, limit - new_length);
  start = grown_start;
  length = new_length;
}

// The selection's bounds with context around them, after krita-ai-diffusion's compute_bounds: a
// margin of half the selection's average side (so the model sees what surrounds it in proportion)
// but at least 1/16 of the image's long side (so tiny selections still get some surroundings).
Rect auto_context(const Rect& selection, int32_t image_w, int32_t image_h) {
  const int32_t margin = std::max(std::max(image_w, image_h) / 16,
                                  (selection.width + selection.height) / 4);
  Rect grown{selection.x - margin, selection.y - margin, selection.width + 2 * margin,
             selection.height + 2 * margin};
  grown = intersect(grown, Rect{0, 0, image_w, image_h});
  grow_span_inside(grown.x, grown.width, kMinAutoContext, image_w);
  grow_span_inside(grown.y, grown.height, kMinAutoContext, image_h);
  return grown;
}

// Region and padded rect for a target aspect aspect_w:aspect_h. With extend, the region first
// takes more of the image (real context beats padding); what still cannot fit becomes padding,
// split evenly around the region.
void fit_aspect(Rect& region, Rect& padded, double aspect_w, double aspect_h, int32_t image_w,
                int32_t image_h, bool extend) {
  const double aspect = aspect_w / aspect_h;
  int64_t need_w = region.width, need_h = region.height;
  if (double(region.width) < double(region.height) * aspect) {
    need_w = int64_t(std::ceil(double(region.height) * aspect - 1e-9));
  } else {
    need_h = int64_t(std::ceil(double(region.width) / aspect - 1e-9));
  }
  if (extend) {
    grow_span_inside(region.x, region.width, int32_t(std::min<int64_t>(need_w, image_w)), image_w);
    grow_span_inside(region.y, region.height, int32_t(std::min<int64_t>(need_h, image_h)),
                     image_h);
  }
  padded.width = int32_t(std::max<int64_t>(need_w, region.width));
  padded.height = int32_t(std::max<int64_t>(need_h, region.height));
  padded.x = region.x - (padded.width - region.width) / 2;
  padded.y = region.y - (padded.height - region.height) / 2;
}

PixelSize closest_aspect(const std::vector<PixelSize>& sizes, const Rect& region) {
  const double want = std::log(double(region.width) / double(region.height));
  PixelSize best = sizes.front();
  double best_distance = 1e300;
  for (const PixelSize& size : sizes) {
    const double distance = std::abs(std::log(double(size.width) / double(size.height)) - want);
    // Among equal shapes the larger keeps more detail.
    if (distance < best_distance - 1e-9 ||
        (distance < best_distance + 1e-9 &&
         uint64_t(size.width) * size.height > uint64_t(best.width) * best.height)) {
      best_distance = distance;
      best = size;
    }
  }
  return best;
}

// The rule limited to its standard size: the planner never picks an experimental size unasked.
CustomSizeRule within_standard_size(CustomSizeRule rule) {
  rule.max_long_side = std::min(rule.max_long_side, rule.standard_long_side);
  rule.max_short_side = std::min(rule.max_short_side, rule.standard_short_side);
  rule.max_pixels =
      std::min(rule.max_pixels, int64_t(rule.standard_long_side) * rule.standard_short_side);
  return rule;
}

uint32_t round_up(double value, int multiple) {
  return uint32_t(std::ceil(value / multiple - 1e-9)) * uint32_t(multiple);
}

// The region at its own resolution when the rule allows; scaled down only over the rule's limits.
// False when no size satisfies the rule (a malformed rule: limits below the minimum side).
bool plan_custom(const CustomSizeRule& rule, Rect& region, Rect& padded, RegionPlan& plan,
                 int32_t image_w, int32_t image_h, bool extend) {
  if (rule.multiple <= 0 || rule.max_aspect < 1.0) return false;
  const double aspect = double(region.width) / double(region.height);
  if (aspect > rule.max_aspect) {
    fit_aspect(region, padded, rule.max_aspect, 1.0, image_w, image_h, extend);
  } else if (aspect < 1.0 / rule.max_aspect) {
    fit_aspect(region, padded, 1.0, rule.max_aspect, image_w, image_h, extend);
  } else {
    padded = region;
  }
  const double w = padded.width, h = padded.height;
  double scale = std::min({1.0, rule.max_long_side / std::max(w, h),
                           rule.max_short_side / std::min(w, h),
                           std::sqrt(double(rule.max_pixels) / (w * h))});
  uint32_t tw = 0, th = 0;
  for (;;) {
    tw = std::max<uint32_t>(round_up(w * scale, rule.multiple), rule.min_side);
    th = std::max<uint32_t>(round_up(h * scale, rule.multiple), rule.min_side);
    if (fits_custom_rule(rule, tw, th)) break;
    if (scale < 1e-6) return false;
    scale *= 0.995;  // rounding up pushed a side over a limit: a hair smaller
  }
  // The target's rounding becomes padding, so the region keeps its resolution exactly when
  // scale is 1 (no resampling at all) and the mapping stays uniform otherwise.
  const int32_t pw = std::max(padded.width, int32_t(std::lround(tw / scale)));
  const int32_t ph = std::max(padded.height, int32_t(std::lround(th / scale)));
  padded.x -= (pw - padded.width) / 2;
  padded.y -= (ph - padded.height) / 2;
  padded.width = pw;
  padded.height = ph;
  plan.target_width = tw;
  plan.target_height = th;
  return true;
}

// The planner proper, for an area whose top-left corner is the origin.
Result<RegionPlan> plan_region_at_origin(const ModelCaps& caps, Operation op,
                                         uint32_t source_width, uint32_t source_height,
                                         const Rect& bounds, ContextMode mode,
                                         const std::optional<std::string>& requested_size,
                                         bool experimental_sizes);

}  // namespace

Rect selection_bounds(const Selection& selection, uint32_t source_width, uint32_t source_height) {
  if (source_width > 0x7fffffffu || source_height > 0x7fffffffu) return Rect{};
  return selection_bounds_in(selection,
                             Rect{0, 0, int32_t(source_width), int32_t(source_height)});
}

Rect selection_bounds_in(const Selection& selection, const Rect& area) {
  if (selection.width == 0 || selection.height == 0 || area.empty() ||
      selection.coverage.size() < size_t(selection.width) * selection.height) {
    return Rect{};
  }
  // Only the part of the selection that lies on the area counts.
  const int64_t x0 = std::max<int64_t>(0, int64_t(area.x) - selection.x);
  const int64_t y0 = std::max<int64_t>(0, int64_t(area.y) - selection.y);
  const int64_t x1 =
      std::min<int64_t>(selection.width, int64_t(area.x) + area.width - selection.x);
  const int64_t y1 =
      std::min<int64_t>(selection.height, int64_t(area.y) + area.height - selection.y);
  if (x1 <= x0 || y1 <= y0) return Rect{};
  int64_t min_x = x1, max_x = -1, min_y = -1, max_y = -1;
  for (int64_t y = y0; y < y1; ++y) {
    const uint8_t* row = selection.coverage.data() + size_t(y) * selection.width;
    int64_t first = x0;
    while (first < x1 && row[first] == 0) ++first;
    if (first == x1) continue;
    int64_t last = x1 - 1;
    while (row[last] == 0) --last;
    if (min_y < 0) min_y = y;
    max_y = y;
    min_x = std::min(min_x, first);
    max_x = std::max(max_x, last);
  }
  if (min_y < 0) return Rect{};
  return Rect{int32_t(selection.x + min_x), int32_t(selection.y + min_y),
              int32_t(max_x - min_x + 1), int32_t(max_y - min_y + 1)};
}

Result<RegionPlan> plan_region(const ModelCaps& caps, Operation op, uint32_t source_width,
                               uint32_t source_height, const Rect& bounds, ContextMode mode,
                               const std::optional<std::string>& requested_size,
                               bool allow_experimental_size) {
  if (source_width == 0 || source_height == 0 || source_width > 0x3fffffffu ||
      source_height > 0x3fffffffu) {
    return Error(Status::InvalidArgument, "the source image is empty or too large");
  }
  return plan_region_in(caps, op, Rect{0, 0, int32_t(source_width), int32_t(source_height)},
                        bounds, mode, requested_size, allow_experimental_size);
}

Result<RegionPlan> plan_region_in(const ModelCaps& caps, Operation op, const Rect& area,
                                  const Rect& bounds, ContextMode mode,
                                  const std::optional<std::string>& requested_size,
                                  bool experimental_sizes) {
  if (area.empty() || area.width > 0x3fffffff || area.height > 0x3fffffff ||
      std::abs(int64_t(area.x)) > 0x3fffffff || std::abs(int64_t(area.y)) > 0x3fffffff) {
    return Error(Status::InvalidArgument, "the source image is empty or too large");
  }
  // Planned with the area's corner at the origin, then moved back.
  Result<RegionPlan> plan =
      plan_region_at_origin(caps, op, uint32_t(area.width), uint32_t(area.height),
                            Rect{bounds.x - area.x, bounds.y - area.y, bounds.width, bounds.height},
                            mode, requested_size, experimental_sizes);
  if (!plan) return plan;
  plan->region.x += area.x;
  plan->region.y += area.y;
  plan->padded.x += area.x;
  plan->padded.y += area.y;
  return plan;
}

namespace {

Result<RegionPlan> plan_region_at_origin(const ModelCaps& caps, Operation op,
                                         uint32_t source_width, uint32_t source_height,
                                         const Rect& bounds, ContextMode mode,
                                         const std::optional<std::string>& requested_size,
                                         bool experimental_sizes) {
  const int32_t image_w = int32_t(source_width), image_h = int32_t(source_height);
  const Rect image{0, 0, image_w, image_h};
  const Rect selected = intersect(bounds, image);

  Rect region = image;
  bool extend = false;
  if (!selected.empty() && mode == ContextMode::Selection) {
    region = selected;
  } else if (!selected.empty() && mode == ContextMode::Auto) {
    region = auto_context(selected, image_w, image_h);
    extend = true;
  }

  TargetRule rule = target_rule(caps, op);
  if (requested_size && !requested_size->empty() && *requested_size != "auto") {
    const auto size = parse_wxh(*requested_size);
    if (!size) {
      return Error(Status::InvalidArgument,
                   "size '" + *requested_size + "' is not WIDTHxHEIGHT or auto");
    }
    const bool any_size = !caps.known && !caps.custom_size && fixed_sizes(caps, op).empty();
    bool allowed = any_size || (rule.kind == TargetRule::Custom &&
                                fits_custom_rule(rule.custom, size->width, size->height));
    for (const std::string& text : fixed_sizes(caps, op)) allowed = allowed || text == *requested_size;
    if (!allowed) {
      return Error(Status::InvalidArgument, "size '" + *requested_size + "' is not accepted by " +
                                                (caps.name.empty() ? "this model" : caps.name) +
                                                "; use " + allowed_sizes_text(rule));
    }
    // An explicit size is a fixed target of its own shape.
    rule.kind = TargetRule::Fixed;
    rule.sizes = {*size};
  }

  RegionPlan plan;
  Rect padded;
  switch (rule.kind) {
    case TargetRule::Squares: {
      fit_aspect(region, padded, 1, 1, image_w, image_h, extend);
      // The smallest square that holds the region without upscaling it, or the largest offered.
      PixelSize chosen = rule.sizes.back();
      for (const PixelSize& size : rule.sizes) {
        if (int64_t(size.width) >= padded.width) {
          chosen = size;
          break;
        }
      }
      plan.target_width = chosen.width;
      plan.target_height = chosen.height;
      break;
    }
    case TargetRule::Fixed: {
      const PixelSize chosen = closest_aspect(rule.sizes, region);
      fit_aspect(region, padded, chosen.width, chosen.height, image_w, image_h, extend);
      plan.target_width = chosen.width;
      plan.target_height = chosen.height;
      break;
    }
    case TargetRule::Custom:
      if (!experimental_sizes) rule.custom = within_standard_size(rule.custom);
      if (!plan_custom(rule.custom, region, padded, plan, image_w, image_h, extend)) {
        return Error(Status::InvalidArgument,
                     "no size satisfies the custom size rule of " + caps.name);
      }
      break;
  }
  plan.region = region;
  plan.padded = padded;
  plan.size_param = format_wxh(plan.target_width, plan.target_height);
  return plan;
}

}  // namespace

}  // namespace oaimg
