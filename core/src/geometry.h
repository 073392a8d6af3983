// Size strings and rectangle helpers shared by planning, masks and preparation.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "oaimg/core/image.h"

namespace oaimg {

struct PixelSize {
  uint32_t width = 0, height = 0;
};

// "WxH" with positive decimal sides; anything else (including "auto") is nullopt.
std::optional<PixelSize> parse_wxh(std::string_view text);
std::string format_wxh(uint32_t width, uint32_t height);

// The overlap of two rectangles; empty (all zero) when they do not overlap.
Rect intersect(const Rect& a, const Rect& b);

}  // namespace oaimg
