// Pixel buffers shared by the codec, the region pipeline and the C API.
#pragma once

#include <cstdint>
#include <vector>

namespace oaimg {

enum class PixelFormat { Rgba8 = 1, Rgb8 = 2, Gray8 = 3, GrayA8 = 4 };

inline int channels(PixelFormat f) {
  switch (f) {
    case PixelFormat::Rgba8: return 4;
    case PixelFormat::Rgb8: return 3;
    case PixelFormat::Gray8: return 1;
    case PixelFormat::GrayA8: return 2;
  }
  return 4;
}

// Tightly packed 8-bit pixels, rows top to bottom, straight (not premultiplied) alpha.
struct Image {
  uint32_t width = 0, height = 0;
  PixelFormat format = PixelFormat::Rgba8;
  std::vector<uint8_t> pixels;  // width * height * channels(format)

  size_t stride() const { return size_t(width) * channels(format); }
  bool empty() const { return width == 0 || height == 0; }
};

// 8-bit coverage (0 = out, 255 = in) placed at (x, y) in source coordinates.
struct Selection {
  int32_t x = 0, y = 0;
  uint32_t width = 0, height = 0;
  std::vector<uint8_t> coverage;  // width * height
};

// An axis-aligned rectangle in source coordinates.
struct Rect {
  int32_t x = 0, y = 0;
  int32_t width = 0, height = 0;
  bool empty() const { return width <= 0 || height <= 0; }
  bool operator==(const Rect&) const = default;
};

// How many pixels an extend adds on each side of the source.
struct Margins {
  uint32_t left = 0, top = 0, right = 0, bottom = 0;
  bool empty() const { return left == 0 && top == 0 && right == 0 && bottom == 0; }
  bool operator==(const Margins&) const = default;
};

// Pixels placed at (x, y) in source coordinates (a layer aligned with the source, like a
// selection); outside them there is nothing (transparent).
struct PlacedImage {
  Image image;
  int32_t x = 0, y = 0;
};

}  // namespace oaimg
