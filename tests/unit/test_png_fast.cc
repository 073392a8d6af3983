// The fast PNG reader (libdeflate, in-place unfilter) and single-filter writer against libpng, on
// every kind of PNG libpng writes, and on damaged files.
#include <gtest/gtest.h>
#include <png.h>
#include <zlib.h>

#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "oaimg/core/png_codec.h"
#include "resample.h"

namespace oaimg {
namespace {

struct Kind {
  int color_type, bit_depth;
  bool interlaced = false;
  int filters = PNG_ALL_FILTERS;
  bool trns = false;
  double gamma = 0;       // 0: no gAMA chunk
  size_t idat_size = 0;   // 0: libpng's default; small values make many IDAT chunks
};

std::string describe(const Kind& k) {
  return "color type " + std::to_string(k.color_type) + ", " + std::to_string(k.bit_depth) +
         " bits" + (k.interlaced ? ", interlaced" : "") + ", filters " +
         std::to_string(k.filters) + (k.trns ? ", tRNS" : "") +
         (k.gamma ? ", gAMA " + std::to_string(k.gamma) : "") +
         (k.idat_size ? ", IDAT of " + std::to_string(k.idat_size) : "");
}

void append(png_structp png, png_bytep data, png_size_t length) {
  auto* out = static_cast<std::vector<uint8_t>*>(png_get_io_ptr(png));
  out->insert(out->end(), data, data + length);
}
void no_flush(png_structp) {}

// libpng's raw writer, destructor-free between setjmp and return. `rows` are in the file layout.
bool write_raw(const Kind& k, uint32_t w, uint32_t h, const std::vector<uint8_t>& rows,
               const png_color* palette, int palette_size, const png_byte* trans_alpha,
               int trans_count, const png_color_16* trans_color, std::vector<uint8_t>* out) {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return false;
  }
  png_set_write_fn(png, out, append, no_flush);
  png_set_IHDR(png, info, w, h, k.bit_depth, k.color_type,
               k.interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_set_filter(png, PNG_FILTER_TYPE_BASE, k.filters);
  if (k.idat_size) png_set_compression_buffer_size(png, k.idat_size);
  if (palette) png_set_PLTE(png, info, palette, palette_size);
  if (trans_alpha || trans_color) png_set_tRNS(png, info, trans_alpha, trans_count, trans_color);
  if (k.gamma) png_set_gAMA(png, info, k.gamma);
  png_write_info(png, info);
  const size_t rowbytes = rows.size() / h;
  const int passes = k.interlaced ? png_set_interlace_handling(png) : 1;
  for (int pass = 0; pass < passes; ++pass) {
    for (uint32_t y = 0; y < h; ++y) {
      png_write_row(png, const_cast<png_bytep>(rows.data() + y * rowbytes));
    }
  }
  png_write_end(png, info);
  png_destroy_write_struct(&png, &info);
  return true;
}

int samples(int color_type) {
  return color_type == 2 ? 3 : color_type == 4 ? 2 : color_type == 6 ? 4 : 1;
}

// A file of the kind with noisy rows, smooth rows and flat rows, so that every filter is chosen.
std::vector<uint8_t> make_png(const Kind& k, uint32_t w, uint32_t h, uint32_t seed) {
  std::mt19937 rng(seed);
  const size_t rowbytes = (size_t(w) * samples(k.color_type) * k.bit_depth + 7) / 8;
  std::vector<uint8_t> rows(rowbytes * h);
  for (uint32_t y = 0; y < h; ++y) {
    for (size_t i = 0; i < rowbytes; ++i) {
      uint8_t v = y % 3 == 0 ? uint8_t(rng()) : y % 3 == 1 ? uint8_t(i * 3 + y) : uint8_t(0x55);
      rows[y * rowbytes + i] = v;
    }
  }
  png_color palette[256];
  png_byte alpha[256];
  const int palette_size = k.color_type == 3 ? 1 << k.bit_depth : 0;
  for (int i = 0; i < palette_size; ++i) {
    palette[i] = {png_byte(rng()), png_byte(rng()), png_byte(rng())};
    alpha[i] = png_byte(rng());
  }
  if (k.color_type == 3 && k.bit_depth == 8) {
    // Indices must name an entry: keep them under the palette's size.
    for (auto& v : rows) v = uint8_t(v % palette_size);
  }
  png_color_16 colour{};
  if (k.trns && k.color_type != 3) {
    // The first pixel's value, so that the transparent colour really occurs.
    const int depth = k.bit_depth;
    auto sample = [&](size_t index) -> uint16_t {
      if (depth == 16) return uint16_t(rows[2 * index] << 8 | rows[2 * index + 1]);
      if (depth == 8) return rows[index];
      return uint16_t((rows[0] >> (8 - depth)) & ((1 << depth) - 1));
    };
    colour.gray = sample(0);
    colour.red = sample(0);
    colour.green = depth >= 8 ? sample(1) : 0;
    colour.blue = depth >= 8 ? sample(2) : 0;
  }
  std::vector<uint8_t> out;
  const bool trns_palette = k.trns && k.color_type == 3;
  const bool trns_colour = k.trns && k.color_type != 3;
  EXPECT_TRUE(write_raw(k, w, h, rows, palette_size ? palette : nullptr, palette_size,
                        trns_palette ? alpha : nullptr, trns_palette ? palette_size : 0,
                        trns_colour ? &colour : nullptr, &out));
  return out;
}

// The fast reader's pixels widened to RGBA, as decode_png() gives them.
std::vector<uint8_t> widened(const Image& image) {
  const int n = channels(image.format);
  std::vector<uint8_t> rgba;
  for (size_t i = 0; i < size_t(image.width) * image.height; ++i) {
    const uint8_t* p = image.pixels.data() + i * n;
    const bool gray = n <= 2;
    const uint8_t pixel[4] = {p[0], gray ? p[0] : p[1], gray ? p[0] : p[2],
                              uint8_t(n == 2 ? p[1] : n == 4 ? p[3] : 255)};
    rgba.insert(rgba.end(), pixel, pixel + 4);
  }
  return rgba;
}

void expect_same_as_libpng(const Kind& k, uint32_t w, uint32_t h) {
  const std::vector<uint8_t> png = make_png(k, w, h, uint32_t(k.color_type * 100 + k.bit_depth));
  auto reference = decode_png(png.data(), png.size());
  ASSERT_TRUE(reference.ok()) << describe(k) << ": " << reference.error().message;
  auto fast = decode_png_pixels(png.data(), png.size());
  ASSERT_TRUE(fast.ok()) << describe(k) << ": " << fast.error().message;
  ASSERT_EQ(fast->width, w);
  ASSERT_EQ(fast->height, h);
  const std::vector<uint8_t> rgba = widened(*fast);
  ASSERT_EQ(rgba.size(), reference->pixels.size()) << describe(k);
  for (size_t i = 0; i < rgba.size(); ++i) {
    ASSERT_EQ(int(rgba[i]), int(reference->pixels[i]))
        << describe(k) << ": pixel " << i / 4 << " channel " << i % 4;
  }
}

// Every kind libpng writes: each colour type at each depth, with and without tRNS, plain and
// interlaced. `check` returns false to stop.
template <typename Check>
void for_every_kind(Check&& check) {
  const struct {
    int color_type;
    std::vector<int> depths;
  } kinds[] = {{0, {1, 2, 4, 8, 16}}, {2, {8, 16}}, {3, {1, 2, 4, 8}}, {4, {8, 16}}, {6, {8, 16}}};
  for (const auto& kind : kinds) {
    for (int depth : kind.depths) {
      for (bool trns : {false, true}) {
        if (trns && (kind.color_type == 4 || kind.color_type == 6)) continue;
        for (bool interlaced : {false, true}) {
          Kind k{kind.color_type, depth, interlaced};
          k.trns = trns;
          if (!check(k)) return;
        }
      }
    }
  }
}

TEST(PngFastDecode, SamePixelsAsLibpngForEveryKind) {
  for_every_kind([&](const Kind& k) {
    expect_same_as_libpng(k, 37, 29);  // odd sizes: partial bytes, SSE tails
    return !HasFatalFailure();
  });
}

TEST(PngFastDecode, SamePixelsForEachFilterTypeAlone) {
  for (int filter : {PNG_FILTER_NONE, PNG_FILTER_SUB, PNG_FILTER_UP, PNG_FILTER_AVG,
                     PNG_FILTER_PAETH}) {
    for (int color_type : {0, 2, 4, 6}) {
      Kind k{color_type, 8};
      k.filters = filter;
      expect_same_as_libpng(k, 53, 17);
      if (HasFatalFailure()) return;
    }
  }
}

TEST(PngFastDecode, ManyIdatChunksAndGammaFilesGiveLibpngsPixels) {
  Kind many{6, 8};
  many.idat_size = 97;
  expect_same_as_libpng(many, 64, 40);
  Kind linear{2, 8};
  linear.gamma = 1.0;  // libpng corrects it; the fast path hands it to libpng
  expect_same_as_libpng(linear, 21, 9);
  Kind srgb{2, 16};
  srgb.gamma = 1 / 2.2;
  expect_same_as_libpng(srgb, 21, 9);
}

TEST(PngFastDecode, EightBitFilesKeepTheirLayout) {
  const struct {
    int color_type;
    bool trns;
    PixelFormat format;
  } cases[] = {{0, false, PixelFormat::Gray8}, {0, true, PixelFormat::GrayA8},
               {2, false, PixelFormat::Rgb8},  {2, true, PixelFormat::Rgba8},
               {3, false, PixelFormat::Rgba8}, {4, false, PixelFormat::GrayA8},
               {6, false, PixelFormat::Rgba8}};
  for (const auto& c : cases) {
    Kind k{c.color_type, 8};
    k.trns = c.trns;
    const auto png = make_png(k, 9, 4, 7);
    auto image = decode_png_pixels(png.data(), png.size());
    ASSERT_TRUE(image.ok()) << describe(k) << ": " << image.error().message;
    EXPECT_EQ(image->format, c.format) << describe(k);
    EXPECT_EQ(image->pixels.size(), image->stride() * 4) << describe(k);
  }
}

size_t find_chunk(const std::vector<uint8_t>& png, const char* type);

// decode_png_region() against the whole decode cropped: every kind (interlaced ones go the
// whole-image way), rectangles touching each edge, the corners, one row, one column, the whole.
// Streamed: what every file larger than max_whole_inflate_bytes gets.
PngDecodeLimits streamed() {
  PngDecodeLimits limits;
  limits.max_whole_inflate_bytes = 0;
  return limits;
}

void expect_region_is_crop(const std::vector<uint8_t>& png, const Kind& k, const Rect& area,
                           const PngDecodeLimits& limits) {
  auto whole = decode_png_pixels(png.data(), png.size());
  ASSERT_TRUE(whole.ok()) << describe(k) << ": " << whole.error().message;
  size_t consumed = 0;
  auto region = decode_png_region(png.data(), png.size(), area, limits,
                                  [&](size_t done) { consumed = std::max(consumed, done); });
  ASSERT_TRUE(region.ok()) << describe(k) << ": " << region.error().message;
  const int64_t x0 = std::max(0, area.x), y0 = std::max(0, area.y);
  const int64_t x1 = std::min<int64_t>(int64_t(area.x) + area.width, whole->width);
  const int64_t y1 = std::min<int64_t>(int64_t(area.y) + area.height, whole->height);
  ASSERT_EQ(region->format, whole->format) << describe(k);
  ASSERT_EQ(int64_t(region->width), x1 - x0) << describe(k);
  ASSERT_EQ(int64_t(region->height), y1 - y0) << describe(k);
  ASSERT_EQ(region->pixels.size(), region->stride() * region->height);
  const int n = channels(whole->format);
  for (int64_t y = y0; y < y1; ++y) {
    for (int64_t i = 0; i < (x1 - x0) * n; ++i) {
      ASSERT_EQ(int(region->pixels[size_t(y - y0) * region->stride() + size_t(i)]),
                int(whole->pixels[size_t(y) * whole->stride() + size_t(x0 * n + i)]))
          << describe(k) << ": area " << area.x << "," << area.y << " " << area.width << "x"
          << area.height << ", row " << y << " byte " << i;
    }
  }
  // The reader went through the image data to its end.
  EXPECT_GE(consumed + 4, size_t(find_chunk(png, "IEND"))) << describe(k);  // all but the CRC
}

void expect_region_is_crop(const std::vector<uint8_t>& png, const Kind& k, const Rect& area) {
  expect_region_is_crop(png, k, area, streamed());
  expect_region_is_crop(png, k, area, PngDecodeLimits{});  // inflated whole: small files
}

TEST(PngStreamDecode, RegionIsTheWholeDecodeCroppedForEveryKindAndEdge) {
  const uint32_t w = 37, h = 29;
  const Rect areas[] = {{0, 0, 10, 7},        {27, 0, 10, 5},    {0, 22, 9, 7},
                        {30, 25, 7, 4},       {11, 9, 13, 8},    {0, 0, 37, 29},
                        {5, 0, 1, 29},        {0, 13, 37, 1},    {36, 28, 1, 1},
                        {-5, -4, 12, 10},     {30, 20, 40, 40}};
  for_every_kind([&](const Kind& k) {
    const auto png = make_png(k, w, h, uint32_t(k.color_type * 100 + k.bit_depth));
    for (const Rect& area : areas) {
      expect_region_is_crop(png, k, area);
      if (HasFatalFailure()) return false;
    }
    return true;
  });
}

TEST(PngStreamDecode, RegionOfManyIdatChunksEachFilterAndGamma) {
  for (int filter : {PNG_FILTER_NONE, PNG_FILTER_SUB, PNG_FILTER_UP, PNG_FILTER_AVG,
                     PNG_FILTER_PAETH, PNG_ALL_FILTERS}) {
    Kind k{6, 8};
    k.filters = filter;
    k.idat_size = 61;  // rows split across chunks
    const auto png = make_png(k, 64, 40, 3);
    for (const Rect& area : {Rect{0, 0, 64, 1}, Rect{3, 17, 20, 9}, Rect{0, 39, 64, 1}}) {
      expect_region_is_crop(png, k, area);
      if (HasFatalFailure()) return;
    }
  }
  Kind linear{2, 8};
  linear.gamma = 1.0;
  expect_region_is_crop(make_png(linear, 21, 9, 1), linear, Rect{4, 2, 9, 5});
}

// Rows taller than the reader's run of rows (about a mebibyte): rows cross run boundaries.
TEST(PngStreamDecode, RegionAcrossManyRunsOfRows) {
  for (int filter : {PNG_FILTER_UP, PNG_FILTER_PAETH, PNG_ALL_FILTERS}) {
    Kind k{2, 16};
    k.filters = filter;  // Up and Paeth read the row above across the runs' boundaries
    const auto png = make_png(k, 3000, 90, 9);  // 18,001 bytes a row: 58 rows a run
    for (const Rect& area : {Rect{0, 55, 3000, 6}, Rect{2990, 57, 10, 33}, Rect{100, 0, 5, 90}}) {
      expect_region_is_crop(png, k, area);
      if (HasFatalFailure()) return;
    }
  }
}

// Shrink on load: the region resampled as it is inflated (two threads, a ring of rows) against
// the decoded region resampled, byte for byte, for every kind, at corners and edges, shrinking by
// boxes, by Lanczos alone, copying at whole pixels (trimmed taps), enlarging, with padding.
void expect_resampled_on_load(const std::vector<uint8_t>& png, const Kind& k, const Rect& area,
                              const AxisMap& x, const AxisMap& y) {
  auto region = decode_png_region(png.data(), png.size(), area, streamed());
  ASSERT_TRUE(region.ok()) << describe(k) << ": " << region.error().message;
  size_t consumed = 0;
  auto loaded = resample_png_region(png.data(), png.size(), area, streamed(),
                                    [&](size_t done) { consumed = std::max(consumed, done); }, x, y);
  ASSERT_TRUE(loaded.ok()) << describe(k) << ": " << loaded.error().message << "; area "
                           << area.x << "," << area.y << " " << area.width << "x" << area.height
                           << " to " << x.out_size << "x" << y.out_size;
  if (k.interlaced) {  // Adam7: read whole by decode_png_region()
    EXPECT_FALSE(*loaded) << describe(k);
    return;
  }
  ASSERT_TRUE(*loaded) << describe(k);
  auto decoded = resample_to_rgba(*region, x, y);
  ASSERT_TRUE(decoded.ok());
  ASSERT_EQ((*loaded)->width, decoded->width);
  ASSERT_EQ((*loaded)->height, decoded->height);
  EXPECT_TRUE((*loaded)->pixels == decoded->pixels)
      << describe(k) << ": area " << area.x << "," << area.y << " " << area.width << "x"
      << area.height << " to " << x.out_size << "x" << y.out_size;
  EXPECT_GE(consumed + 4, size_t(find_chunk(png, "IEND"))) << describe(k);
}

TEST(PngShrinkOnLoad, SamePixelsAsTheDecodedRegionResampledForEveryKindAndEdge) {
  const uint32_t w = 97, h = 83;
  const Rect areas[] = {{0, 0, 60, 50}, {37, 0, 60, 40}, {0, 33, 50, 50}, {40, 30, 57, 53},
                        {0, 0, 97, 83}, {10, 20, 30, 1}};
  for_every_kind([&](const Kind& k) {
    const auto png = make_png(k, w, h, uint32_t(k.color_type * 100 + k.bit_depth + 7));
    for (const Rect& area : areas) {
      const int32_t aw = area.width, ah = area.height;
      const struct {
        double x0, xs;
        uint32_t ow;
        double y0, ys;
        uint32_t oh;
      } maps[] = {
          {0, double(aw), 7, 0, double(ah), 5},              // boxes then Lanczos
          {-3, aw + 6.0, uint32_t(aw * 3 / 5 + 1), -2, ah + 4.0, uint32_t(ah * 3 / 5 + 1)},
          {0, double(aw), uint32_t(aw), 0, double(ah), uint32_t(ah)},  // a copy
          {-4, aw + 8.0, uint32_t(aw + 8), -1, ah + 1.0, uint32_t(ah + 1)},  // padded, whole pixels
          {0, double(aw), uint32_t(aw * 2), 0.25, ah - 0.5, uint32_t(ah * 2 + 1)},  // enlarged
      };
      for (const auto& m : maps) {
        expect_resampled_on_load(png, k, area, map_span(m.x0, m.xs, m.ow, 0, aw),
                                 map_span(m.y0, m.ys, m.oh, 0, ah));
        if (HasFatalFailure()) return false;
      }
    }
    return true;
  });
}

// Rows wider than the ring's two mebibytes hold few of them: the ring grows to what the filter
// needs (a 10x reduction reads about 60 rows at once), rows cross the reader's runs.
TEST(PngShrinkOnLoad, ARingOfFewWideRowsStillHoldsWhatTheFilterReads) {
  Kind k{6, 16};
  const auto png = make_png(k, 20000, 120, 4);  // 160 KB a row as 16-bit RGBA, 80 KB as 8-bit
  for (const Rect& area : {Rect{0, 0, 20000, 120}, Rect{19000, 30, 1000, 90}}) {
    expect_resampled_on_load(png, k, area, map_span(0, area.width, uint32_t(area.width / 10), 0, area.width),
                             map_span(0, area.height, uint32_t(area.height / 10), 0, area.height));
    if (HasFatalFailure()) return;
  }
}

TEST(PngStreamDecode, RegionOutsideTheImageIsRefused) {
  const auto png = make_png(Kind{2, 8}, 20, 10, 1);
  auto region = decode_png_region(png.data(), png.size(), Rect{20, 0, 5, 5});
  ASSERT_FALSE(region.ok());
  EXPECT_EQ(region.error().status, Status::InvalidArgument);
  EXPECT_NE(region.error().message.find("outside the 20x10 image"), std::string::npos)
      << region.error().message;
}

// Coverage as the command line computed it from libpng's RGBA: luma x alpha / 255.
TEST(PngFastDecode, CoverageIsLumaTimesAlphaCroppedToWhatIsCovered) {
  for (int color_type : {0, 2, 4, 6}) {
    Kind k{color_type, 8};
    const uint32_t w = 40, h = 30;
    std::vector<uint8_t> png = make_png(k, w, h, 11);
    auto rgba = decode_png(png.data(), png.size());
    ASSERT_TRUE(rgba.ok());
    // Clear a border of 5 columns and 3 rows through libpng's simplified writer, in RGBA.
    for (uint32_t y = 0; y < h; ++y) {
      for (uint32_t x = 0; x < w; ++x) {
        if (x < 5 || y < 3 || x >= w - 2 || y >= h - 4) {
          std::memset(rgba->pixels.data() + (size_t(y) * w + x) * 4, 0, 4);
        }
      }
    }
    // Also one pixel whose luma or alpha is 0 inside, to show it is kept in the rectangle.
    png_image out;
    std::memset(&out, 0, sizeof out);
    out.version = PNG_IMAGE_VERSION;
    out.width = w;
    out.height = h;
    out.format = color_type == 0   ? PNG_FORMAT_GRAY
                 : color_type == 2 ? PNG_FORMAT_RGB
                 : color_type == 4 ? PNG_FORMAT_GA
                                   : PNG_FORMAT_RGBA;
    // Convert our RGBA to that format by letting libpng read it back in the format wanted.
    png_alloc_size_t size = 0;
    png_image full;
    std::memset(&full, 0, sizeof full);
    full.version = PNG_IMAGE_VERSION;
    full.width = w;
    full.height = h;
    full.format = PNG_FORMAT_RGBA;
    ASSERT_TRUE(png_image_write_get_memory_size(full, size, 0, rgba->pixels.data(), 0, nullptr));
    std::vector<uint8_t> rgba_png(size);
    ASSERT_TRUE(png_image_write_to_memory(&full, rgba_png.data(), &size, 0, rgba->pixels.data(),
                                          0, nullptr));
    png_image back;
    std::memset(&back, 0, sizeof back);
    back.version = PNG_IMAGE_VERSION;
    ASSERT_TRUE(png_image_begin_read_from_memory(&back, rgba_png.data(), size));
    back.format = out.format;
    std::vector<uint8_t> in_format(PNG_IMAGE_SIZE(back));
    ASSERT_TRUE(png_image_finish_read(&back, nullptr, in_format.data(), 0, nullptr));
    png_image_free(&back);
    ASSERT_TRUE(png_image_write_get_memory_size(out, size, 0, in_format.data(), 0, nullptr));
    png.assign(size, 0);
    ASSERT_TRUE(png_image_write_to_memory(&out, png.data(), &size, 0, in_format.data(), 0, nullptr));
    png.resize(size);

    auto reference = decode_png(png.data(), png.size());
    ASSERT_TRUE(reference.ok());
    auto selection = decode_png_coverage(png.data(), png.size());
    ASSERT_TRUE(selection.ok()) << selection.error().message;
    // The streamed reader keeps each row's covered span: the same rectangle, the same values.
    auto spans = decode_png_coverage(png.data(), png.size(), streamed());
    ASSERT_TRUE(spans.ok()) << spans.error().message;
    EXPECT_EQ(spans->x, selection->x);
    EXPECT_EQ(spans->y, selection->y);
    EXPECT_EQ(spans->width, selection->width);
    EXPECT_EQ(spans->height, selection->height);
    EXPECT_EQ(spans->coverage, selection->coverage) << "color type " << color_type;
    uint32_t x0 = w, y0 = h, x1 = 0, y1 = 0;
    std::vector<uint8_t> expected(size_t(w) * h);
    for (size_t i = 0; i < expected.size(); ++i) {
      const uint8_t* p = reference->pixels.data() + 4 * i;
      const unsigned gray = (p[0] * 77u + p[1] * 150u + p[2] * 29u) >> 8;
      expected[i] = uint8_t((gray * p[3] + 127) / 255);
      if (expected[i]) {
        const uint32_t x = uint32_t(i % w), y = uint32_t(i / w);
        x0 = std::min(x0, x), y0 = std::min(y0, y), x1 = std::max(x1, x + 1), y1 = y + 1;
      }
    }
    ASSERT_LT(x0, x1) << "color type " << color_type;
    EXPECT_EQ(selection->x, int32_t(x0)) << "color type " << color_type;
    EXPECT_EQ(selection->y, int32_t(y0));
    ASSERT_EQ(selection->width, x1 - x0);
    ASSERT_EQ(selection->height, y1 - y0);
    for (uint32_t y = y0; y < y1; ++y) {
      for (uint32_t x = x0; x < x1; ++x) {
        ASSERT_EQ(int(selection->coverage[size_t(y - y0) * selection->width + (x - x0)]),
                  int(expected[size_t(y) * w + x]))
            << "color type " << color_type << " at " << x << "," << y;
      }
    }
  }
}

TEST(PngFastDecode, AnEmptySelectionSelectsNothing) {
  std::vector<uint8_t> black(64 * 48, 0);
  Image image{64, 48, PixelFormat::Gray8, black};
  auto png = encode_png(image);
  ASSERT_TRUE(png.ok());
  for (const PngDecodeLimits& limits : {PngDecodeLimits{}, streamed()}) {
    auto selection = decode_png_coverage(png->data(), png->size(), limits);
    ASSERT_TRUE(selection.ok());
    ASSERT_EQ(selection->coverage.size(), 1u);
    EXPECT_EQ(selection->coverage[0], 0);
  }
}

// ---- damaged files ----

uint32_t be32(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}
void put_be32(uint8_t* p, uint32_t v) {
  p[0] = uint8_t(v >> 24), p[1] = uint8_t(v >> 16), p[2] = uint8_t(v >> 8), p[3] = uint8_t(v);
}
size_t find_chunk(const std::vector<uint8_t>& png, const char* type) {
  for (size_t at = 8; at + 12 <= png.size(); at += be32(&png[at]) + 12) {
    if (std::memcmp(&png[at + 4], type, 4) == 0) return at;
  }
  ADD_FAILURE() << "no " << type;
  return 0;
}
void fix_crc(std::vector<uint8_t>& png, size_t at) {
  const uint32_t length = be32(&png[at]);
  put_be32(&png[at + 8 + length], uint32_t(crc32(0, &png[at + 4], length + 4)));
}

std::vector<uint8_t> photo_png() {
  Kind k{2, 8};
  return make_png(k, 64, 48, 5);
}

std::string decode_error(const std::vector<uint8_t>& png) {
  auto image = decode_png_pixels(png.data(), png.size());
  if (image.ok()) return "decoded";
  EXPECT_EQ(image.error().status, Status::Image);
  return image.error().message;
}

// The streaming reader's message for the same file, reading only the top rows: the rows below
// are still checked. Also the selection reader, which streams the whole image.
std::string region_error(const std::vector<uint8_t>& png) {
  auto image = decode_png_region(png.data(), png.size(), Rect{0, 0, 8, 2}, streamed());
  auto coverage = decode_png_coverage(png.data(), png.size(), streamed());
  EXPECT_EQ(image.ok(), coverage.ok());
  if (image.ok()) return "decoded";
  EXPECT_EQ(image.error().status, Status::Image);
  EXPECT_EQ(image.error().message, coverage.error().message);
  return image.error().message;
}

// A damaged file resampled on load fails as decode_png_region() fails, wherever the damage is
// (above, inside or below the rows resampling takes), and never hangs the two threads.
TEST(PngShrinkOnLoad, ADamagedFileIsRefusedAsTheRegionReadRefusesIt) {
  Kind k{2, 8};
  const auto good = make_png(k, 300, 200, 6);
  const size_t idat = find_chunk(good, "IDAT"), length = be32(&good[idat]);
  for (double where : {0.05, 0.5, 0.97}) {
    for (bool truncate : {false, true}) {
      std::vector<uint8_t> png = good;
      const size_t at = idat + 8 + size_t(double(length) * where);
      if (truncate) {
        png.resize(at);
      } else {
        png[at] ^= 0x21;
        fix_crc(png, idat);  // past the chunk's CRC: the damage is in the pixels' stream
      }
      for (const Rect& area : {Rect{0, 0, 300, 40}, Rect{0, 0, 300, 200}}) {
        auto region = decode_png_region(png.data(), png.size(), area, streamed());
        auto loaded = resample_png_region(png.data(), png.size(), area, streamed(), {},
                                          map_span(0, area.width, 50, 0, area.width),
                                          map_span(0, area.height, 30, 0, area.height));
        if (region.ok()) {  // a flipped bit zlib cannot see is pixels like any other
          ASSERT_TRUE(loaded.ok()) << loaded.error().message;
          continue;
        }
        ASSERT_FALSE(loaded.ok()) << where << (truncate ? " truncated" : " flipped");
        EXPECT_EQ(loaded.error().status, region.error().status);
        EXPECT_EQ(loaded.error().message, region.error().message);
      }
    }
  }
}

TEST(PngFastDecode, RefusesTruncatedImageData) {
  std::vector<uint8_t> png = photo_png();
  const size_t idat = find_chunk(png, "IDAT");
  png.resize(idat + 8 + be32(&png[idat]) / 2);
  EXPECT_NE(decode_error(png).find("truncated"), std::string::npos) << decode_error(png);
  EXPECT_NE(region_error(png).find("truncated"), std::string::npos) << region_error(png);
}

TEST(PngFastDecode, RefusesABadChunkCrc) {
  std::vector<uint8_t> png = photo_png();
  png[find_chunk(png, "IDAT") + 20] ^= 0x01;
  EXPECT_NE(decode_error(png).find("IDAT has a bad CRC"), std::string::npos) << decode_error(png);
  EXPECT_NE(region_error(png).find("IDAT has a bad CRC"), std::string::npos) << region_error(png);
}

TEST(PngFastDecode, RefusesABadZlibChecksum) {
  std::vector<uint8_t> png = photo_png();
  const size_t idat = find_chunk(png, "IDAT");
  png[idat + 8 + be32(&png[idat]) - 1] ^= 0x01;  // the adler32's last byte
  fix_crc(png, idat);
  EXPECT_NE(decode_error(png).find("checksum"), std::string::npos) << decode_error(png);
  EXPECT_NE(region_error(png).find("checksum"), std::string::npos) << region_error(png);
}

// photo_png() with its image data replaced by a valid zlib stream of its first `rows` rows, each
// with filter type 0 except row `odd_row`, which gets `odd_filter`.
std::vector<uint8_t> with_image_data(uint32_t rows, uint32_t odd_row, uint8_t odd_filter) {
  const std::vector<uint8_t> png = photo_png();
  auto image = decode_png_pixels(png.data(), png.size());
  EXPECT_TRUE(image.ok());
  const size_t row_bytes = image->stride();
  std::vector<uint8_t> filtered;
  for (uint32_t y = 0; y < rows; ++y) {
    // Rows past the image's height (a stream longer than its header says) repeat the image's
    // rows: reading past the decoded pixels would be the test's own overflow.
    const size_t from = size_t(y % image->height) * row_bytes;
    filtered.push_back(y == odd_row ? odd_filter : 0);
    filtered.insert(filtered.end(), image->pixels.begin() + from,
                    image->pixels.begin() + from + row_bytes);
  }
  uLongf size = compressBound(uLong(filtered.size()));
  std::vector<uint8_t> deflated(size);
  EXPECT_EQ(compress(deflated.data(), &size, filtered.data(), uLong(filtered.size())), Z_OK);
  const size_t idat = find_chunk(png, "IDAT");
  std::vector<uint8_t> damaged(png.begin(), png.begin() + idat);
  uint8_t header[8] = {0, 0, 0, 0, 'I', 'D', 'A', 'T'};
  put_be32(header, uint32_t(size));
  damaged.insert(damaged.end(), header, header + 8);
  damaged.insert(damaged.end(), deflated.begin(), deflated.begin() + size);
  damaged.insert(damaged.end(), 4, 0);
  fix_crc(damaged, idat);
  const size_t iend = find_chunk(png, "IEND");
  damaged.insert(damaged.end(), png.begin() + iend, png.end());
  return damaged;
}

TEST(PngFastDecode, RefusesTooFewRowsInACompleteStream) {
  const std::string message = decode_error(with_image_data(47, 0, 0));
  EXPECT_NE(message.find("truncated image data: 47 of 48 rows"), std::string::npos) << message;
  const std::string streamed = region_error(with_image_data(47, 0, 0));
  EXPECT_NE(streamed.find("truncated image data: 47 of 48 rows"), std::string::npos) << streamed;
}

TEST(PngStreamDecode, RefusesMoreRowsThanTheHeaderSays) {
  const std::string message = decode_error(with_image_data(49, 0, 0));
  EXPECT_NE(message.find("more image data than 64x48"), std::string::npos) << message;
  const std::string streamed = region_error(with_image_data(49, 0, 0));
  EXPECT_NE(streamed.find("more image data than 64x48"), std::string::npos) << streamed;
}

TEST(PngFastDecode, RefusesAnUnknownRowFilter) {
  const std::string message = decode_error(with_image_data(48, 5, 7));
  EXPECT_NE(message.find("row 5 has filter type 7"), std::string::npos) << message;
  const std::string streamed = region_error(with_image_data(48, 40, 7));  // below the region
  EXPECT_NE(streamed.find("row 40 has filter type 7"), std::string::npos) << streamed;
}

TEST(PngFastDecode, RefusesAHugeIhdrBeforeAllocating) {
  std::vector<uint8_t> png = photo_png();
  put_be32(&png[16], 60000);
  put_be32(&png[20], 60000);  // 3.6 G pixels, 10.8 GB of RGB: refused from the header alone
  fix_crc(png, 8);
  const std::string message = decode_error(png);
  // The hardening's limits and wording (check_png_budget), shared by every decoder.
  EXPECT_NE(message.find("PNG is 60000x60000 pixels, too large"), std::string::npos) << message;
  EXPECT_NE(message.find("the limit is 32768 pixels a side"), std::string::npos) << message;
  EXPECT_EQ(region_error(png), message);
  PngDecodeLimits small;
  small.max_pixels = 64 * 47;
  auto image = decode_png_pixels(photo_png().data(), photo_png().size(), small);
  ASSERT_FALSE(image.ok());
  EXPECT_NE(image.error().message.find("the limit is 3008 pixels"), std::string::npos)
      << image.error().message;
}

TEST(PngFastDecode, RefusesAFileWithoutIend) {
  std::vector<uint8_t> png = photo_png();
  png.resize(find_chunk(png, "IEND"));
  EXPECT_NE(decode_error(png).find("no IEND"), std::string::npos) << decode_error(png);
  EXPECT_NE(region_error(png).find("no IEND"), std::string::npos) << region_error(png);
}

// ---- the single-filter writer ----

TEST(PngFastEncode, PaethAndNoneRoundTripThroughLibpngForEveryFormat) {
  std::mt19937 rng(3);
  for (PixelFormat format :
       {PixelFormat::Rgba8, PixelFormat::Rgb8, PixelFormat::Gray8, PixelFormat::GrayA8}) {
    for (uint32_t w : {1u, 3u, 8u, 33u, 200u}) {
      const uint32_t h = 13;
      const size_t row = size_t(w) * channels(format), stride = row + 5;
      std::vector<uint8_t> pixels(stride * h);
      for (size_t i = 0; i < pixels.size(); ++i) {
        pixels[i] = i % 7 ? uint8_t(rng()) : uint8_t(i / 3);  // noise and ramps: every tie
      }
      for (int filter : {PNG_FILTER_PAETH, PNG_FILTER_NONE}) {
        PngEncodeOptions options;
        options.filter = filter;
        options.strategy = Z_RLE;
        auto png = encode_png_rows(pixels.data(), stride, w, h, format, options);
        ASSERT_TRUE(png.ok()) << png.error().message;
        auto back = decode_png_pixels(png->data(), png->size());
        ASSERT_TRUE(back.ok()) << back.error().message;
        ASSERT_EQ(back->format, format);
        for (uint32_t y = 0; y < h; ++y) {
          ASSERT_EQ(0, std::memcmp(back->pixels.data() + y * row, pixels.data() + y * stride, row))
              << "width " << w << " row " << y << " filter " << filter;
        }
        auto reference = decode_png(png->data(), png->size());  // libpng agrees
        ASSERT_TRUE(reference.ok()) << reference.error().message;
        EXPECT_EQ(widened(*back), reference->pixels);
      }
    }
  }
}

// The file is written in place, deflate's output straight into chunk bodies: noise that does
// not compress spans several 1 MiB IDAT chunks, each closed with its length and CRC, and the
// malloc()ed variant holds the same bytes.
TEST(PngFastEncode, OutputOverOneMebibyteIsSplitIntoValidIdatChunks) {
  std::mt19937 rng(11);
  const uint32_t w = 1000, h = 700;  // 2.8 MB of noise
  std::vector<uint8_t> pixels(size_t(w) * h * 4);
  for (auto& p : pixels) p = uint8_t(rng());
  PngEncodeOptions options;
  options.filter = PNG_FILTER_PAETH;
  options.strategy = Z_RLE;
  auto png = encode_png_rows(pixels.data(), w * 4, w, h, PixelFormat::Rgba8, options);
  ASSERT_TRUE(png.ok()) << png.error().message;
  size_t at = 8, idats = 0;
  while (at + 12 <= png->size()) {
    const size_t length = size_t((*png)[at]) << 24 | size_t((*png)[at + 1]) << 16 |
                          size_t((*png)[at + 2]) << 8 | (*png)[at + 3];
    if (std::memcmp(png->data() + at + 4, "IDAT", 4) == 0) {
      ++idats;
      EXPECT_LE(length, size_t(1) << 20);
    }
    at += 12 + length;
  }
  EXPECT_EQ(at, png->size());
  EXPECT_GE(idats, 3u);
  auto reference = decode_png(png->data(), png->size());  // libpng checks every CRC
  ASSERT_TRUE(reference.ok()) << reference.error().message;
  EXPECT_EQ(reference->pixels, pixels);
  auto block = encode_png_rows_malloc(pixels.data(), w * 4, w, h, PixelFormat::Rgba8, options);
  ASSERT_TRUE(block.ok()) << block.error().message;
  EXPECT_EQ(std::vector<uint8_t>(block->data, block->data + block->size), *png);
  std::free(block->data);
}

TEST(PngFastEncode, RefusesRowsShorterThanTheWidth) {
  std::vector<uint8_t> pixels(100);
  PngEncodeOptions options;
  options.filter = PNG_FILTER_PAETH;
  auto png = encode_png_rows(pixels.data(), 9, 4, 2, PixelFormat::Rgb8, options);
  ASSERT_FALSE(png.ok());
  EXPECT_EQ(png.error().status, Status::InvalidArgument);
}

}  // namespace
}  // namespace oaimg
