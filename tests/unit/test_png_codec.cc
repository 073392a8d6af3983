// PNG codec: round trips for every pixel format, foreign PNG kinds, limits and corrupt input.
#include <gtest/gtest.h>
#include <png.h>
#include <zlib.h>

#include <cstring>
#include <random>

#include "oaimg/core/png_codec.h"

namespace oaimg {
namespace {

Image make_image(uint32_t w, uint32_t h, PixelFormat format, uint32_t seed = 1) {
  Image image;
  image.width = w;
  image.height = h;
  image.format = format;
  image.pixels.resize(image.stride() * h);
  std::mt19937 rng(seed);
  for (auto& byte : image.pixels) byte = uint8_t(rng());
  return image;
}

// Writes a PNG with libpng's simplified writer, which the codec under test does not use.
std::vector<uint8_t> write_with_simplified_api(uint32_t w, uint32_t h, uint32_t format,
                                               const void* pixels, const void* colormap = nullptr,
                                               int colormap_entries = 0) {
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  image.width = w;
  image.height = h;
  image.format = format;
  image.colormap_entries = colormap_entries;
  png_alloc_size_t size = 0;
  EXPECT_TRUE(png_image_write_to_memory(&image, nullptr, &size, 0, pixels, 0, colormap));
  std::vector<uint8_t> bytes(size);
  EXPECT_TRUE(png_image_write_to_memory(&image, bytes.data(), &size, 0, pixels, 0, colormap));
  bytes.resize(size);
  return bytes;
}

TEST(PngCodec, RoundTripsEveryFormatToRgba) {
  for (PixelFormat format :
       {PixelFormat::Rgba8, PixelFormat::Rgb8, PixelFormat::Gray8, PixelFormat::GrayA8}) {
    const Image image = make_image(37, 23, format, uint32_t(format));
    auto png = encode_png(image);
    ASSERT_TRUE(png.ok()) << png.error().message;
    auto decoded = decode_png(png->data(), png->size());
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    ASSERT_EQ(decoded->width, 37u);
    ASSERT_EQ(decoded->height, 23u);
    ASSERT_EQ(decoded->format, PixelFormat::Rgba8);
    const int n = channels(format);
    for (size_t i = 0; i < size_t(37) * 23; ++i) {
      const uint8_t* in = image.pixels.data() + i * n;
      const uint8_t* out = decoded->pixels.data() + i * 4;
      const bool gray = format == PixelFormat::Gray8 || format == PixelFormat::GrayA8;
      for (int c = 0; c < 3; ++c) ASSERT_EQ(out[c], gray ? in[0] : in[c]) << "pixel " << i;
      const bool alpha = format == PixelFormat::Rgba8 || format == PixelFormat::GrayA8;
      ASSERT_EQ(out[3], alpha ? in[n - 1] : 255) << "pixel " << i;
    }
  }
}

void append_bytes(png_structp png, png_bytep data, png_size_t length) {
  auto* out = static_cast<std::vector<uint8_t>*>(png_get_io_ptr(png));
  out->insert(out->end(), data, data + length);
}

// An Adam7-interlaced RGB PNG through raw libpng (which the simplified writer cannot make). No
// object with a destructor lives between setjmp and return.
bool write_interlaced_rgb(const uint8_t* rgb, uint32_t w, uint32_t h, std::vector<uint8_t>* out) {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return false;
  }
  png_set_write_fn(png, out, append_bytes, nullptr);
  png_set_IHDR(png, info, w, h, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_ADAM7,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  const int passes = png_set_interlace_handling(png);
  for (int pass = 0; pass < passes; ++pass) {
    for (uint32_t y = 0; y < h; ++y) png_write_row(png, const_cast<png_bytep>(rgb + y * w * 3));
  }
  png_write_end(png, info);
  png_destroy_write_struct(&png, &info);
  return true;
}

TEST(PngCodec, DecodesInterlacedImages) {
  const Image rgb = make_image(29, 17, PixelFormat::Rgb8, 9);
  std::vector<uint8_t> bytes;
  ASSERT_TRUE(write_interlaced_rgb(rgb.pixels.data(), 29, 17, &bytes));
  ASSERT_EQ(bytes.at(28), 1);  // IHDR's interlace method: Adam7
  auto decoded = decode_png(bytes.data(), bytes.size());
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  for (size_t i = 0; i < size_t(29) * 17; ++i) {
    for (int c = 0; c < 3; ++c) ASSERT_EQ(decoded->pixels[i * 4 + c], rgb.pixels[i * 3 + c]) << i;
    ASSERT_EQ(decoded->pixels[i * 4 + 3], 255);
  }
}

TEST(PngCodec, HeaderReportsAlphaOfPaletteWithTransparency) {
  const uint8_t colormap[8] = {0, 0, 0, 0, 255, 255, 255, 255};  // RGBA entries
  const uint8_t indexes[4] = {0, 1, 1, 0};
  auto bytes = write_with_simplified_api(2, 2, PNG_FORMAT_RGBA_COLORMAP, indexes, colormap, 2);
  auto header = read_png_header(bytes.data(), bytes.size());
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->color_type, PNG_COLOR_TYPE_PALETTE);
  EXPECT_TRUE(header->has_alpha);
  auto decoded = decode_png(bytes.data(), bytes.size());
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->pixels[3], 0);
  EXPECT_EQ(decoded->pixels[4], 255);
  EXPECT_EQ(decoded->pixels[7], 255);

  const uint8_t rgb[12] = {};
  auto opaque = write_with_simplified_api(2, 2, PNG_FORMAT_RGB, rgb);
  auto opaque_header = read_png_header(opaque.data(), opaque.size());
  ASSERT_TRUE(opaque_header.ok());
  EXPECT_FALSE(opaque_header->has_alpha);
}

TEST(PngCodec, DecodesSixteenBitLinearToEightBitSrgb) {
  const uint16_t gray[3] = {0, 65535, 16384};  // linear 0, 1 and 0.25
  auto bytes = write_with_simplified_api(3, 1, PNG_FORMAT_LINEAR_Y, gray);
  auto header = read_png_header(bytes.data(), bytes.size());
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->bit_depth, 16);
  auto decoded = decode_png(bytes.data(), bytes.size());
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->pixels[0], 0);
  EXPECT_EQ(decoded->pixels[4], 255);
  // Linear 0.25 is about 137 in sRGB; 64 would mean the gamma was dropped.
  EXPECT_NEAR(decoded->pixels[8], 137, 2);
}

TEST(PngCodec, RefusesOversizedImagesFromTheHeaderAlone) {
  // A bare signature + IHDR claiming 60000 x 60000: the limit must trip before any pixel data
  // (there is none) is needed, and certainly before 14 GB are allocated.
  std::vector<uint8_t> bytes = {137, 'P', 'N', 'G', '\r', '\n', 26, '\n', 0, 0, 0, 13,
                                'I', 'H', 'D', 'R', 0, 0, 0xEA, 0x60, 0, 0, 0xEA, 0x60,
                                8, 6, 0, 0, 0};
  const uLong crc = crc32(0, bytes.data() + 12, 17);
  for (int shift : {24, 16, 8, 0}) bytes.push_back(uint8_t(crc >> shift));
  auto decoded = decode_png(bytes.data(), bytes.size());
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().status, Status::Image);
  EXPECT_NE(decoded.error().message.find("too large"), std::string::npos);

  const Image small = make_image(40, 30, PixelFormat::Rgb8);
  auto png = encode_png(small);
  ASSERT_TRUE(png.ok());
  PngDecodeLimits limits;
  limits.max_pixels = 40 * 30 - 1;
  EXPECT_FALSE(decode_png(png->data(), png->size(), limits).ok());
  limits.max_pixels = 40 * 30;
  limits.max_side = 39;
  EXPECT_FALSE(decode_png(png->data(), png->size(), limits).ok());
  limits.max_side = 40;
  EXPECT_TRUE(decode_png(png->data(), png->size(), limits).ok());
}

TEST(PngCodec, CorruptAndTruncatedInputIsAnImageError) {
  const Image image = make_image(64, 64, PixelFormat::Rgba8);
  auto png = encode_png(image);
  ASSERT_TRUE(png.ok());
  const std::vector<uint8_t>& good = *png;

  for (size_t keep : {size_t(0), size_t(7), size_t(20), size_t(40), good.size() / 2,
                      good.size() - 13}) {
    auto decoded = decode_png(good.data(), keep);
    ASSERT_FALSE(decoded.ok()) << "kept " << keep << " bytes";
    EXPECT_EQ(decoded.error().status, Status::Image);
    EXPECT_FALSE(decoded.error().message.empty());
  }
  std::vector<uint8_t> flipped = good;
  flipped[good.size() / 2] ^= 0x5a;  // inside the compressed data: CRC or zlib must notice
  auto decoded = decode_png(flipped.data(), flipped.size());
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().status, Status::Image);

  const char text[] = "GIF89a not a png at all, not at all, not at all";
  EXPECT_EQ(decode_png(reinterpret_cast<const uint8_t*>(text), sizeof text).error().status,
            Status::Image);
}

TEST(PngCodec, FilterAndStrategyOptionsReachZlib) {
  // A smooth gradient: row filters turn it into near-constant bytes, no filter leaves it noisy.
  Image gradient;
  gradient.width = 256;
  gradient.height = 256;
  gradient.format = PixelFormat::Rgb8;
  gradient.pixels.resize(gradient.stride() * 256);
  for (uint32_t y = 0; y < 256; ++y) {
    for (uint32_t x = 0; x < 256; ++x) {
      uint8_t* p = gradient.pixels.data() + (y * 256 + x) * 3;
      p[0] = uint8_t(x * 7 + y * 3);
      p[1] = uint8_t(x * 5 + y * 11);
      p[2] = uint8_t(x * 13 + y);
    }
  }
  PngEncodeOptions unfiltered;
  unfiltered.filter = PNG_FILTER_NONE;
  PngEncodeOptions paeth;
  paeth.filter = PNG_FILTER_PAETH;
  auto a = encode_png(gradient, unfiltered);
  auto b = encode_png(gradient, paeth);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_LT(b->size() * 4, a->size());

  // Random rows repeated: LZ77 finds every repeat, Huffman coding alone cannot.
  Image tiled = make_image(256, 256, PixelFormat::Rgb8);
  for (uint32_t y = 16; y < 256; ++y) {
    std::memcpy(tiled.pixels.data() + y * tiled.stride(),
                tiled.pixels.data() + (y % 16) * tiled.stride(), tiled.stride());
  }
  PngEncodeOptions huffman_only = unfiltered;
  huffman_only.strategy = Z_HUFFMAN_ONLY;
  auto with_matches = encode_png(tiled, unfiltered);
  auto without_matches = encode_png(tiled, huffman_only);
  ASSERT_TRUE(with_matches.ok() && without_matches.ok());
  EXPECT_GT(without_matches->size(), with_matches->size() * 4);
  auto decoded = decode_png(without_matches->data(), without_matches->size());
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->pixels[(200 * 256 + 3) * 4 + 1], tiled.pixels[(200 * 256 + 3) * 3 + 1]);
}

TEST(PngCodec, RejectsInvalidEncodeArguments) {
  Image empty;
  EXPECT_EQ(encode_png(empty).error().status, Status::InvalidArgument);
  Image short_buffer = make_image(8, 8, PixelFormat::Rgba8);
  short_buffer.pixels.resize(10);
  EXPECT_EQ(encode_png(short_buffer).error().status, Status::InvalidArgument);
  PngEncodeOptions bad_level;
  bad_level.compression_level = 10;
  EXPECT_EQ(encode_png(make_image(8, 8, PixelFormat::Rgb8), bad_level).error().status,
            Status::InvalidArgument);
}

}  // namespace
}  // namespace oaimg
