// The streaming reader as the request uses it (issue 13): a source given as PNG bytes and read
// for the planned region only gives the same request files as the decoded source, wherever the
// region lies; and what the reader allocates is bounded by the region, not by the image, counted
// by this binary's own operator new.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <new>
#include <random>
#include <zlib.h>

#include "hand_built_caps.h"
#include "oaimg/core/pipeline.h"
#include "oaimg/core/png_codec.h"

namespace {
std::atomic<size_t> live_bytes{0}, peak_bytes{0};

void* counted(size_t size) {
  // The size ahead of the block, so that delete knows what it gives back.
  auto* block = static_cast<size_t*>(std::malloc(size + 16));
  if (!block) throw std::bad_alloc();
  *block = size;
  const size_t now = live_bytes += size;
  size_t peak = peak_bytes.load();
  while (now > peak && !peak_bytes.compare_exchange_weak(peak, now)) {}
  return reinterpret_cast<char*>(block) + 16;
}

void uncounted(void* p) {
  if (!p) return;
  auto* block = reinterpret_cast<size_t*>(static_cast<char*>(p) - 16);
  live_bytes -= *block;
  std::free(block);
}
}  // namespace

void* operator new(size_t size) { return counted(size); }
void* operator new[](size_t size) { return counted(size); }
void operator delete(void* p) noexcept { uncounted(p); }
void operator delete[](void* p) noexcept { uncounted(p); }
void operator delete(void* p, size_t) noexcept { uncounted(p); }
void operator delete[](void* p, size_t) noexcept { uncounted(p); }

namespace oaimg {
namespace {

// Peak bytes allocated through operator new while `run` runs, above what was live before.
template <typename F>
size_t peak_during(F&& run) {
  const size_t before = live_bytes.load();
  peak_bytes = before;
  run();
  return peak_bytes.load() - before;
}

// A noisy opaque RGB picture (noise keeps every filter in use), PNG-encoded by libpng's adaptive
// filtering so the rows are filtered as a user's file would be.
Image photo(uint32_t w, uint32_t h, uint32_t seed) {
  std::mt19937 rng(seed);
  Image image{w, h, PixelFormat::Rgb8, {}};
  image.pixels.resize(image.stride() * h);
  for (uint32_t y = 0; y < h; ++y)
    for (uint32_t x = 0; x < w; ++x) {
      uint8_t* p = image.pixels.data() + (size_t(y) * w + x) * 3;
      p[0] = uint8_t(x * 7 + (rng() & 15));
      p[1] = uint8_t(y * 5 + (rng() & 31));
      p[2] = uint8_t((x ^ y) + (rng() & 7));
    }
  return image;
}

std::vector<uint8_t> png_of(const Image& image) {
  auto png = encode_png(image);
  EXPECT_TRUE(png.ok());
  return png.ok() ? *png : std::vector<uint8_t>{};
}

PngDecodeLimits streamed() {
  PngDecodeLimits limits;
  limits.max_whole_inflate_bytes = 0;
  return limits;
}

TEST(PngStreamMemory, ARegionsReadAllocatesTheRegionNotTheImage) {
  const Image image = photo(2400, 1600, 1);  // 11.5 MB of RGB
  const std::vector<uint8_t> png = png_of(image);
  const size_t whole = peak_during([&] { ASSERT_TRUE(decode_png_pixels(png.data(), png.size()).ok()); });
  EXPECT_GE(whole, image.pixels.size()) << "the counter sees the whole decode";
  for (const Rect& area : {Rect{2300, 1500, 100, 100}, Rect{0, 0, 100, 100}, Rect{1000, 700, 300, 200}}) {
    const size_t region_bytes = size_t(area.width) * area.height * 3;
    const size_t peak = peak_during([&] {
      auto region = decode_png_region(png.data(), png.size(), area, streamed());
      ASSERT_TRUE(region.ok()) << region.error().message;
    });
    // The region, a mebibyte of rows, the row above it: never a whole-image buffer.
    EXPECT_LT(peak, region_bytes + (size_t(5) << 19)) << area.x << "," << area.y;
  }
}

// A file small enough to be inflated whole (libdeflate): the rectangle is moved to the front of
// the buffer it was inflated into, so that buffer is all that is held, not a copy beside it.
TEST(PngStreamMemory, AWholeInflatedRegionIsHeldInItsOwnBuffer) {
  const Image image = photo(2400, 1600, 1);
  const std::vector<uint8_t> png = png_of(image);
  const size_t rows = size_t(2400 * 3 + 1) * 1600;
  const Rect area{300, 200, 1600, 1200};  // 5.8 MB: a copy beside the rows would show
  const size_t peak = peak_during([&] {
    auto region = decode_png_region(png.data(), png.size(), area);
    ASSERT_TRUE(region.ok()) << region.error().message;
    EXPECT_EQ(region->pixels.size(), size_t(1600) * 1200 * 3);
  });
  // The rows, and the IDAT chunks joined into the one stream libdeflate takes (at most the file).
  EXPECT_LT(peak, rows + png.size() + (size_t(1) << 20));
}

TEST(PngStreamMemory, ASelectionsReadAllocatesItsCoveredSpansNotTheImage) {
  Image mask{3000, 2000, PixelFormat::Gray8, std::vector<uint8_t>(size_t(3000) * 2000, 0)};
  for (uint32_t y = 1500; y < 1600; ++y)
    std::fill_n(mask.pixels.begin() + size_t(y) * 3000 + 2000, 150, uint8_t(255));
  const std::vector<uint8_t> png = png_of(mask);
  Selection selection;
  const size_t peak = peak_during([&] {
    auto read = decode_png_coverage(png.data(), png.size(), streamed());
    ASSERT_TRUE(read.ok()) << read.error().message;
    selection = std::move(*read);
  });
  EXPECT_EQ(selection.x, 2000);
  EXPECT_EQ(selection.y, 1500);
  EXPECT_EQ(selection.width, 150u);
  EXPECT_EQ(selection.height, 100u);
  EXPECT_LT(peak, (size_t(5) << 19) + 4 * 15000) << "6 MB of gray image, 15 KB covered";
}

// An EncodedSource over bytes in memory, with the reader's limits.
struct BytesSource : EncodedSource {
  explicit BytesSource(const std::vector<uint8_t>& png, const PngDecodeLimits& l, uint32_t w,
                       uint32_t h) {
    data = png.data();
    size = png.size();
    width = w;
    height = h;
    limits = l;
  }
};

// A disc selection at (cx, cy) of radius r, hard-edged.
Selection disc(uint32_t w, uint32_t h, double cx, double cy, double r) {
  Selection s;
  s.width = w;
  s.height = h;
  s.coverage.resize(size_t(w) * h);
  for (uint32_t y = 0; y < h; ++y)
    for (uint32_t x = 0; x < w; ++x)
      s.coverage[size_t(y) * w + x] = std::hypot(x + 0.5 - cx, y + 0.5 - cy) < r ? 255 : 0;
  return s;
}

void expect_same_request(const Image& image, const std::vector<uint8_t>& png, const Selection& sel,
                         const ModelCaps& caps, const PngDecodeLimits& limits,
                         std::optional<Rect> canvas = std::nullopt) {
  ImageRequest decoded;
  decoded.op = Operation::Edit;
  decoded.prompt = "a lake";
  decoded.selection = sel;
  decoded.canvas = canvas;
  ImageRequest encoded = decoded;
  decoded.source = image;
  encoded.source_png = std::make_shared<BytesSource>(png, limits, image.width, image.height);
  auto a = prepare_job(decoded, caps);
  auto b = prepare_job(encoded, caps);
  ASSERT_TRUE(a.ok()) << a.error().message;
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(a->plan.region, b->plan.region);
  ASSERT_TRUE(a->mask && b->mask);
  EXPECT_TRUE(a->image.bytes == b->image.bytes)
      << "region " << a->plan.region.x << "," << a->plan.region.y << " " << a->plan.region.width
      << "x" << a->plan.region.height;
  EXPECT_TRUE(a->mask->bytes == b->mask->bytes);
  EXPECT_EQ(a->notes, b->notes);
}

TEST(PngStreamRequest, TheRegionReadFromThePngGivesTheSameRequestFilesAnywhere) {
  const uint32_t w = 1900, h = 1300;
  const Image image = photo(w, h, 2);
  const std::vector<uint8_t> png = png_of(image);
  const struct {
    double cx, cy, r;
  } discs[] = {{60, 50, 40},      {w - 70.0, 45, 35},   {50, h - 60.0, 45}, {w - 40.0, h - 40.0, 30},
               {w / 2.0, 40, 30}, {w / 2.0, h / 2.0, 500}, {w / 2.0, h / 2.0, 900}};
  for (const auto& d : discs) {
    const Selection sel = disc(w, h, d.cx, d.cy, d.r);
    for (const ModelCaps& caps : {test_caps::dalle2(), test_caps::gpt_custom()}) {
      expect_same_request(image, png, sel, caps, streamed());
      expect_same_request(image, png, sel, caps, PngDecodeLimits{});
      if (HasFatalFailure()) return;
    }
  }
  // A canvas past the image: the region reaches outside it and is read where it overlaps.
  const Selection sel = disc(w, h, w - 30.0, 30, 60);
  expect_same_request(image, png, sel, test_caps::dalle2(), streamed(),
                      Rect{0, -200, int32_t(w) + 300, int32_t(h) + 200});
}

// An RGB PNG of w x h written a row at a time (zlib level 1, Sub and Up filters), so that a
// 100 MP-class file is made without its pixels ever being held: 4 bits of noise a sample keep
// it from compressing past what check_png_budget allows.
std::vector<uint8_t> big_rgb_png(uint32_t w, uint32_t h) {
  std::vector<uint8_t> out = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  auto chunk = [&](const char* type, const uint8_t* body, size_t length) {
    const uint8_t head[8] = {uint8_t(length >> 24), uint8_t(length >> 16), uint8_t(length >> 8),
                             uint8_t(length), uint8_t(type[0]), uint8_t(type[1]), uint8_t(type[2]),
                             uint8_t(type[3])};
    out.insert(out.end(), head, head + 8);
    out.insert(out.end(), body, body + length);
    uLong crc = crc32(0, head + 4, 4);
    if (length) crc = crc32(crc, body, uInt(length));  // (no body: crc32 would start over)
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(uint8_t(crc >> shift));
  };
  const uint8_t ihdr[13] = {uint8_t(w >> 24), uint8_t(w >> 16), uint8_t(w >> 8), uint8_t(w),
                            uint8_t(h >> 24), uint8_t(h >> 16), uint8_t(h >> 8), uint8_t(h),
                            8, 2, 0, 0, 0};
  chunk("IHDR", ihdr, 13);
  z_stream z{};
  EXPECT_EQ(deflateInit(&z, 1), Z_OK);
  std::vector<uint8_t> row(size_t(w) * 3 + 1), idat(size_t(1) << 20);
  uint32_t noise = 12345;
  auto drain = [&](int flush) {
    int rc;
    do {
      z.next_out = idat.data();
      z.avail_out = uInt(idat.size());
      rc = deflate(&z, flush);
      if (idat.size() > z.avail_out) chunk("IDAT", idat.data(), idat.size() - z.avail_out);
    } while (flush == Z_FINISH ? rc != Z_STREAM_END : z.avail_out == 0);
  };
  for (uint32_t y = 0; y < h; ++y) {
    row[0] = uint8_t(y % 3 == 0 ? 1 : 2);  // Sub or Up: the bytes are residues either way
    for (size_t i = 1; i < row.size(); ++i) {
      noise = noise * 1103515245u + 12345u;
      row[i] = uint8_t(noise >> 28);
    }
    z.next_in = row.data();
    z.avail_in = uInt(row.size());
    drain(Z_NO_FLUSH);
  }
  drain(Z_FINISH);
  deflateEnd(&z);
  chunk("IEND", nullptr, 0);
  return out;
}

// Shrink on load (issue 13): a 100 MP-class region scaled down to DALL·E 2's 1024 x 1024 is
// resampled as it is inflated, so what preparing allocates is the filter's rows and the request,
// not the 150 MB region; the request is the same, byte for byte, as from the decoded source.
TEST(PngShrinkOnLoad, AScaledDownLargeRegionIsNeverHeldWhole) {
  const uint32_t w = 8192, h = 6144;  // 50 MP, 151 MB of RGB: streamed with the default limits
  const std::vector<uint8_t> png = big_rgb_png(w, h);
  ImageRequest req;
  req.op = Operation::Edit;
  req.prompt = "a lake";
  Selection sel;
  sel.x = 1000;
  sel.y = 500;
  sel.width = 6000;
  sel.height = 5200;
  sel.coverage.assign(size_t(sel.width) * sel.height, 255);
  req.selection = std::move(sel);
  req.source_png = std::make_shared<BytesSource>(png, PngDecodeLimits{}, w, h);
  std::optional<PreparedJob> job;
  const size_t peak = peak_during([&] {
    auto prepared = prepare_job(req, test_caps::dalle2());
    ASSERT_TRUE(prepared.ok()) << prepared.error().message;
    job = std::move(*prepared);
  });
  ASSERT_TRUE(job);
  const size_t region_bytes = size_t(job->plan.region.width) * job->plan.region.height * 3;
  EXPECT_GT(region_bytes, size_t(100) << 20) << "the region is large";
  // The 1024 x 1024 request (its RGBA pixels, PNGs and the mask's), the ring of rows, the
  // filter's rows: about 20 MB, an eighth of the region.
  EXPECT_LT(peak, region_bytes / 6) << "peak " << peak << " for a region of " << region_bytes;
}

TEST(PngStreamRequest, ADamagedSourceIsFoundWhenTheRegionIsRead) {
  const Image image = photo(300, 200, 3);
  std::vector<uint8_t> png = png_of(image);
  png[png.size() - 20] ^= 0x40;  // inside the image data, near its end: below any region
  ImageRequest req;
  req.op = Operation::Edit;
  req.prompt = "a lake";
  req.selection = disc(300, 200, 40, 40, 20);
  req.source_png = std::make_shared<BytesSource>(png, streamed(), 300, 200);
  auto job = prepare_job(req, test_caps::dalle2());
  ASSERT_FALSE(job.ok());
  EXPECT_EQ(job.error().status, Status::Image);
  EXPECT_EQ(job.error().message.rfind("source: corrupt PNG: ", 0), 0u) << job.error().message;
}

TEST(PngStreamRequest, ExtendRefusesASourceReadForItsRegionOnly) {
  const Image image = photo(64, 64, 4);
  const std::vector<uint8_t> png = png_of(image);
  ImageRequest req;
  req.op = Operation::Edit;
  req.prompt = "more sky";
  req.extend = Margins{0, 32, 0, 0};
  req.source_png = std::make_shared<BytesSource>(png, PngDecodeLimits{}, 64, 64);
  auto job = prepare_job(req, test_caps::gpt_custom());
  ASSERT_FALSE(job.ok());
  EXPECT_NE(job.error().message.find("extend reads the whole source"), std::string::npos)
      << job.error().message;
}

}  // namespace
}  // namespace oaimg
