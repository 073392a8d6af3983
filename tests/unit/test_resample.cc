// Lanczos resampling: premultiplied alpha, exact copies, edge padding and half-pixel alignment.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "resample.h"

namespace oaimg {
namespace {

Image rgba(uint32_t w, uint32_t h) {
  Image image;
  image.width = w;
  image.height = h;
  image.format = PixelFormat::Rgba8;
  image.pixels.assign(image.stride() * h, 0);
  return image;
}

void set(Image& image, uint32_t x, uint32_t y, uint8_t r, uint8_t g, uint8_t b, uint8_t a) {
  uint8_t* p = image.pixels.data() + (size_t(y) * image.width + x) * 4;
  p[0] = r;
  p[1] = g;
  p[2] = b;
  p[3] = a;
}

const uint8_t* at(const Image& image, uint32_t x, uint32_t y) {
  return image.pixels.data() + (size_t(y) * image.width + x) * channels(image.format);
}

Image scaled(const Image& source, uint32_t w, uint32_t h) {
  auto out = resample_to_rgba(source, map_span(0, source.width, w, 0, int32_t(source.width)),
                              map_span(0, source.height, h, 0, int32_t(source.height)));
  EXPECT_TRUE(out.ok());
  return out.ok() ? out.value() : Image{};
}

TEST(Resample, TransparentPixelsDoNotBleedTheirColour) {
  // Half-transparent red next to fully transparent green, in stripes and a checkerboard.
  Image image = rgba(64, 64);
  for (uint32_t y = 0; y < 64; ++y) {
    for (uint32_t x = 0; x < 64; ++x) {
      if ((x / 3 + y / 5) % 2) {
        set(image, x, y, 255, 0, 0, 128);
      } else {
        set(image, x, y, 0, 255, 0, 0);
      }
    }
  }
  // 13x9 goes through the block averages of large reductions.
  for (auto [w, h] : {std::pair{23u, 23u}, std::pair{32u, 17u}, std::pair{150u, 90u},
                      std::pair{13u, 9u}}) {
    const Image out = scaled(image, w, h);
    for (uint32_t y = 0; y < h; ++y) {
      for (uint32_t x = 0; x < w; ++x) {
        const uint8_t* p = at(out, x, y);
        if (p[3] == 0) continue;
        // Straight filtering would give green its share here; premultiplied gives none, and
        // red stays red whatever the alpha became.
        ASSERT_LE(p[1], 1) << w << "x" << h << " at " << x << "," << y;
        ASSERT_GE(p[0], 250) << w << "x" << h << " at " << x << "," << y;
      }
    }
  }
}

TEST(Resample, UnscaledWholePixelMapsCopyExactlyFromEveryFormat) {
  for (PixelFormat format :
       {PixelFormat::Rgba8, PixelFormat::Rgb8, PixelFormat::Gray8, PixelFormat::GrayA8}) {
    Image image;
    image.width = 40;
    image.height = 30;
    image.format = format;
    image.pixels.resize(image.stride() * 30);
    for (size_t i = 0; i < image.pixels.size(); ++i) image.pixels[i] = uint8_t(i * 37 % 251);
    // Make alpha opaque so that colour survives exactly (premultiplying is lossy at low alpha).
    const int n = channels(format);
    if (format == PixelFormat::Rgba8 || format == PixelFormat::GrayA8) {
      for (size_t i = 0; i < 40 * 30; ++i) image.pixels[i * n + n - 1] = 255;
    }
    // A window at an offset: 20x10 pixels starting at (7, 11).
    auto out = resample_to_rgba(image, map_span(7, 20, 20, 0, 40), map_span(11, 10, 10, 0, 30));
    ASSERT_TRUE(out.ok());
    for (uint32_t y = 0; y < 10; ++y) {
      for (uint32_t x = 0; x < 20; ++x) {
        const uint8_t* src = at(image, x + 7, y + 11);
        const uint8_t* dst = at(*out, x, y);
        const bool gray = n <= 2;
        for (int c = 0; c < 3; ++c) ASSERT_EQ(dst[c], src[gray ? 0 : c]);
        ASSERT_EQ(dst[3], 255);
      }
    }
  }
}

TEST(Resample, PaddingRepeatsTheEdgeOfTheClampRange) {
  Image image = rgba(10, 10);
  for (uint32_t y = 0; y < 10; ++y) {
    for (uint32_t x = 0; x < 10; ++x) set(image, x, y, uint8_t(x * 20), uint8_t(y * 20), 9, 255);
  }
  // Columns -5..14 over a clamp range of columns 2..7: the outside repeats columns 2 and 7.
  auto out = resample_to_rgba(image, map_span(-5, 20, 20, 2, 8), map_span(0, 10, 10, 0, 10));
  ASSERT_TRUE(out.ok());
  for (uint32_t x = 0; x < 20; ++x) {
    const int source_x = std::clamp(int(x) - 5, 2, 7);
    EXPECT_EQ(at(*out, x, 4)[0], source_x * 20) << x;
  }
}

// Centroid of a channel above a background level along x, in pixel-centre coordinates. The
// background leaves room for Lanczos' negative lobes, which clipping at 0 would bias.
double centroid_x(const Image& image, int channel, double background) {
  double sum = 0, weighted = 0;
  for (uint32_t y = 0; y < image.height; ++y) {
    for (uint32_t x = 0; x < image.width; ++x) {
      const double v = at(image, x, y)[channel] - background;
      sum += v;
      weighted += v * (x + 0.5);
    }
  }
  return weighted / sum;
}

TEST(Resample, KeepsFeaturesWhereTheyWereToAFractionOfAPixel) {
  // A bright bar two pixels wide at columns 40-41 of 120: its centre is x = 41.0.
  Image image = rgba(120, 8);
  for (uint32_t y = 0; y < 8; ++y) {
    for (uint32_t x = 0; x < 120; ++x) {
      set(image, x, y, (x == 40 || x == 41) ? 220 : 100, 0, 0, 255);
    }
  }
  for (uint32_t w : {43u, 60u, 97u, 256u, 333u}) {
    const Image out = scaled(image, w, 8);
    const double expected = 41.0 * w / 120.0;
    EXPECT_NEAR(centroid_x(out, 0, 100), expected, 0.05 * std::max(1.0, w / 120.0)) << w;
  }
  // Reductions of 4 and more first average blocks, which can move a feature narrower than a
  // block by up to half a block: a quarter of an output pixel at most, never more.
  for (uint32_t w : {13u, 23u, 29u}) {
    const Image out = scaled(image, w, 8);
    EXPECT_NEAR(centroid_x(out, 0, 100), 41.0 * w / 120.0, 0.25) << w;
  }
}

TEST(Resample, ConstantStaysConstantAtAnyScale) {
  Image image = rgba(77, 53);
  for (uint32_t y = 0; y < 53; ++y) {
    for (uint32_t x = 0; x < 77; ++x) set(image, x, y, 10, 200, 77, 255);
  }
  for (auto [w, h] : {std::pair{28u, 19u}, std::pair{200u, 301u}, std::pair{1u, 1u}}) {
    const Image out = scaled(image, w, h);
    for (size_t i = 0; i < out.pixels.size(); i += 4) {
      ASSERT_EQ(out.pixels[i], 10);
      ASSERT_EQ(out.pixels[i + 1], 200);
      ASSERT_EQ(out.pixels[i + 2], 77);
      ASSERT_EQ(out.pixels[i + 3], 255);
    }
  }
}

TEST(Resample, FixedPointRowsAgreeWithTheFloatPath) {
  // Opaque RGBA and RGB rows take a fixed-point path; gray takes the float one. The same gray
  // pixels in all three come out the same to within a level of rounding, at reductions,
  // enlargements and with padding.
  const uint32_t w = 301, h = 203;
  Image rgba_image = rgba(w, h), rgb_image, gray_image;
  rgb_image.width = gray_image.width = w;
  rgb_image.height = gray_image.height = h;
  rgb_image.format = PixelFormat::Rgb8;
  gray_image.format = PixelFormat::Gray8;
  rgb_image.pixels.resize(rgb_image.stride() * h);
  gray_image.pixels.resize(gray_image.stride() * h);
  uint32_t state = 12345;
  for (size_t i = 0; i < size_t(w) * h; ++i) {
    state = state * 1103515245u + 12345u;
    const uint8_t v = uint8_t((state >> 16) & 0xff);
    gray_image.pixels[i] = v;
    for (int c = 0; c < 3; ++c) {
      rgba_image.pixels[i * 4 + c] = v;
      rgb_image.pixels[i * 3 + c] = v;
    }
    rgba_image.pixels[i * 4 + 3] = 255;
  }
  const AxisMap maps[][2] = {
      {map_span(0, w, 107, 0, w), map_span(0, h, 72, 0, h)},
      {map_span(-20, 341, 900, 0, w), map_span(10, 150, 400, 0, h)},
      {map_span(50, 120, 120, 40, 200), map_span(0, h, h, 0, h)},
  };
  for (const auto& map : maps) {
    auto reference = resample_to_rgba(gray_image, map[0], map[1]);
    ASSERT_TRUE(reference.ok());
    for (const Image* image : {&rgba_image, &rgb_image}) {
      auto fixed = resample_to_rgba(*image, map[0], map[1]);
      ASSERT_TRUE(fixed.ok());
      ASSERT_EQ(fixed->pixels.size(), reference->pixels.size());
      int worst = 0;
      for (size_t i = 0; i < fixed->pixels.size(); ++i) {
        worst = std::max(worst, std::abs(int(fixed->pixels[i]) - int(reference->pixels[i])));
      }
      EXPECT_LE(worst, 1) << channels(image->format) << " channels";
    }
  }
}

TEST(Resample, RefusesMapsOutsideTheImage) {
  Image image = rgba(10, 10);
  EXPECT_EQ(resample_to_rgba(image, map_span(0, 10, 5, 0, 11), map_span(0, 10, 5, 0, 10))
                .error()
                .status,
            Status::InvalidArgument);
  EXPECT_FALSE(resample_to_rgba(image, map_span(0, 10, 0, 0, 10), map_span(0, 10, 5, 0, 10)).ok());
  EXPECT_FALSE(resample_to_rgba(Image{}, map_span(0, 1, 1, 0, 1), map_span(0, 1, 1, 0, 1)).ok());
}

}  // namespace
}  // namespace oaimg
