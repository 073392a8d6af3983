// Size strings shared by planning and preparation ("1024x1024").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace oaimg {

struct PixelSize {
  uint32_t width = 0, height = 0;
};

// "WxH" with positive decimal sides; anything else (including "auto") is nullopt.
std::optional<PixelSize> parse_wxh(std::string_view text);
std::string format_wxh(uint32_t width, uint32_t height);

}  // namespace oaimg
