// The whole pixel job: source and selection in, uploads out; fake results back under the
// selection. The models' caps are built by hand, as the geometry tests do.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "hand_built_caps.h"
#include "oaimg/core/pipeline.h"
#include "oaimg/core/png_codec.h"

namespace oaimg {
namespace {

// A smooth opaque picture, so that results and sources are told apart by colour alone.
Image picture(uint32_t w, uint32_t h) {
  Image image;
  image.width = w;
  image.height = h;
  image.format = PixelFormat::Rgba8;
  image.pixels.resize(image.stride() * h);
  for (uint32_t y = 0; y < h; ++y) {
    for (uint32_t x = 0; x < w; ++x) {
      uint8_t* p = image.pixels.data() + (size_t(y) * w + x) * 4;
      p[0] = uint8_t(x * 255 / std::max(1u, w - 1));
      p[1] = uint8_t(y * 255 / std::max(1u, h - 1));
      p[2] = 60;
      p[3] = 255;
    }
  }
  return image;
}

struct Ellipse {
  double cx, cy, rx, ry;  // source coordinates
  // > 0 inside; roughly the distance to the edge in pixels.
  double depth(double x, double y) const {
    const double dx = (x - cx) / rx, dy = (y - cy) / ry;
    return (1.0 - std::sqrt(dx * dx + dy * dy)) * std::min(rx, ry);
  }
};

// A hard-edged elliptic selection sampled at pixel centres, in a buffer at (x, y).
Selection select(const Ellipse& e, int32_t x, int32_t y, uint32_t w, uint32_t h) {
  Selection s;
  s.x = x;
  s.y = y;
  s.width = w;
  s.height = h;
  s.coverage.resize(size_t(w) * h);
  for (uint32_t yy = 0; yy < h; ++yy) {
    for (uint32_t xx = 0; xx < w; ++xx) {
      s.coverage[size_t(yy) * w + xx] = e.depth(x + xx + 0.5, y + yy + 0.5) > 0 ? 255 : 0;
    }
  }
  return s;
}

ImageRequest edit_request(Image source, Selection selection) {
  ImageRequest req;
  req.op = Operation::Edit;
  req.prompt = "a lake";
  req.source = std::move(source);
  req.selection = std::move(selection);
  return req;
}

// What a model would return: the target grid painted `inside` where the pixel's centre maps
// into the ellipse and `outside` elsewhere.
Image fake_result(const RegionPlan& plan, uint32_t w, uint32_t h, const Ellipse& e,
                  const uint8_t inside[3], const uint8_t outside[3]) {
  Image image;
  image.width = w;
  image.height = h;
  image.format = PixelFormat::Rgba8;
  image.pixels.resize(image.stride() * h);
  for (uint32_t y = 0; y < h; ++y) {
    for (uint32_t x = 0; x < w; ++x) {
      const double sx = plan.padded.x + (x + 0.5) * plan.padded.width / w;
      const double sy = plan.padded.y + (y + 0.5) * plan.padded.height / h;
      const uint8_t* c = e.depth(sx, sy) > 0 ? inside : outside;
      uint8_t* p = image.pixels.data() + (size_t(y) * w + x) * 4;
      p[0] = c[0];
      p[1] = c[1];
      p[2] = c[2];
      p[3] = 255;
    }
  }
  return image;
}

const uint8_t kRed[3] = {230, 20, 10};
const uint8_t kBlue[3] = {10, 30, 220};

// Places a fake result and checks that it lands under the selection: pixels well inside carry
// the result's inside colour exactly, pixels well outside its outside colour, the layer's mask is
// 255 inside and 0 far outside, and along the middle row the colour changes within a pixel of
// where the ellipse's edge is.
void expect_lands_under_selection(const PreparedJob& job, const ImageRequest& req,
                                  const Ellipse& e, uint32_t result_w, uint32_t result_h) {
  const Image result = fake_result(job.plan, result_w, result_h, e, kRed, kBlue);
  auto placed = place_result(job, req, result);
  ASSERT_TRUE(placed.ok()) << placed.error().message;
  const PlacedLayer& layer = *placed;
  ASSERT_EQ(layer.x, job.plan.region.x);
  ASSERT_EQ(layer.y, job.plan.region.y);
  ASSERT_EQ(layer.rgba.width, uint32_t(job.plan.region.width));
  ASSERT_EQ(layer.rgba.height, uint32_t(job.plan.region.height));
  ASSERT_EQ(layer.mask->size(), size_t(layer.rgba.width) * layer.rgba.height);
  // Lanczos reaches three result pixels; beyond that the colour is exact.
  const double reach = 3.5 * std::max(1.0, double(job.plan.padded.width) / result_w) + 1;
  size_t inside_checked = 0, outside_checked = 0;
  for (uint32_t y = 0; y < layer.rgba.height; ++y) {
    for (uint32_t x = 0; x < layer.rgba.width; ++x) {
      const double depth = e.depth(layer.x + x + 0.5, layer.y + y + 0.5);
      const uint8_t* p = layer.rgba.pixels.data() + (size_t(y) * layer.rgba.width + x) * 4;
      const uint8_t m = (*layer.mask)[size_t(y) * layer.rgba.width + x];
      if (depth > reach) {
        ASSERT_EQ(p[0], kRed[0]) << x << "," << y;
        ASSERT_EQ(p[1], kRed[1]);
        ASSERT_EQ(p[2], kRed[2]);
        ASSERT_EQ(m, 255) << x << "," << y;
        ++inside_checked;
      } else if (depth < -reach) {
        ASSERT_EQ(p[2], kBlue[2]) << x << "," << y;
        ++outside_checked;
      }
      if (depth > 0.5) ASSERT_EQ(m, 255) << "inside the selection at " << x << "," << y;
      if (depth < -reach * 4 - 4) ASSERT_EQ(m, 0) << "far outside at " << x << "," << y;
    }
  }
  EXPECT_GT(inside_checked, 0u);
  // Along the middle row, the red channel crosses half-way within half a pixel of where the
  // result's own edge (between two of its pixels) lies in source coordinates.
  const int32_t row = int32_t(std::lround(e.cy - 0.5)) - layer.y;
  if (row >= 0 && row < int32_t(layer.rgba.height)) {
    const RegionPlan& p = job.plan;
    const uint32_t result_row =
        uint32_t((layer.y + row + 0.5 - p.padded.y) * result_h / p.padded.height);
    const uint8_t* r = result.pixels.data() + size_t(result_row) * result_w * 4;
    uint32_t first_outside = 0;
    for (uint32_t u = 1; u < result_w; ++u) {
      if (r[(u - 1) * 4] == kRed[0] && r[u * 4] != kRed[0]) first_outside = u;
    }
    ASSERT_GT(first_outside, 0u);
    const double result_edge =
        p.padded.x + double(first_outside) * p.padded.width / result_w - layer.x;
    const double half = (kRed[0] + kBlue[0]) / 2.0;
    bool crossed = false;
    for (uint32_t x = uint32_t(std::max(1.0, result_edge - 20)); x < layer.rgba.width; ++x) {
      const double a = layer.rgba.pixels[(size_t(row) * layer.rgba.width + x - 1) * 4];
      const double b = layer.rgba.pixels[(size_t(row) * layer.rgba.width + x) * 4];
      if (a >= half && b < half) {
        // Pixel centres at x - 0.5 and x + 0.5: interpolate where the half level falls.
        const double crossing = x - 0.5 + (a - half) / (a - b);
        EXPECT_NEAR(crossing, result_edge, 0.5);
        crossed = true;
        break;
      }
    }
    // (Selection-only regions may end right at the edge, leaving nothing to cross into.)
    if (result_edge < layer.rgba.width - 1.0) EXPECT_TRUE(crossed);
  }
  (void)outside_checked;
}

TEST(PrepareJob, AnEditNeedsASelection) {
  ImageRequest req;
  req.op = Operation::Edit;
  req.source = picture(64, 64);
  auto none = prepare_job(req, test_caps::dalle2());
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().status, Status::NoSelection);
  EXPECT_EQ(none.error().message, "select the area to repaint");
  req.selection = select(Ellipse{300, 300, 10, 10}, 0, 0, 64, 64);  // all zero on the source
  EXPECT_EQ(prepare_job(req, test_caps::dalle2()).error().status, Status::NoSelection);
  ImageRequest no_source;
  no_source.op = Operation::Variation;
  EXPECT_EQ(prepare_job(no_source, test_caps::dalle2()).error().status, Status::InvalidArgument);
}

TEST(PrepareJob, GenerationsGetAPlanAndNoUploads) {
  ImageRequest req;
  req.op = Operation::Generate;
  req.source = picture(900, 300);
  auto job = prepare_job(req, test_caps::gpt_custom());
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->plan.region, (Rect{0, 0, 900, 300}));
  EXPECT_EQ(job->plan.size_param, "912x304");
  EXPECT_TRUE(job->image.bytes.empty());
  EXPECT_FALSE(job->mask);
}

TEST(PrepareJob, DallE2EditUploadsAnOpaqueImageAndATinyAlphaMask) {
  const Ellipse e{300, 200, 80, 50};
  ImageRequest req = edit_request(picture(600, 400), select(e, 0, 0, 600, 400));
  auto job = prepare_job(req, test_caps::dalle2());
  ASSERT_TRUE(job.ok()) << job.error().message;
  ASSERT_TRUE(job->mask);
  auto image_header = read_png_header(job->image.bytes.data(), job->image.bytes.size());
  auto mask_header = read_png_header(job->mask->bytes.data(), job->mask->bytes.size());
  ASSERT_TRUE(image_header.ok() && mask_header.ok());
  EXPECT_EQ(image_header->width, job->plan.target_width);
  EXPECT_EQ(image_header->width, image_header->height);
  EXPECT_FALSE(image_header->has_alpha);  // opaque source: RGB
  EXPECT_TRUE(mask_header->has_alpha);
  EXPECT_EQ(mask_header->width, image_header->width);
  // Mostly one value: a hundredth of its raw size is plenty of margin.
  EXPECT_LT(job->mask->bytes.size(), size_t(mask_header->width) * mask_header->height * 2 / 100);

  auto mask = decode_png(job->mask->bytes.data(), job->mask->bytes.size());
  ASSERT_TRUE(mask.ok());
  const RegionPlan& p = job->plan;
  auto alpha_at_source = [&](double sx, double sy) {
    const uint32_t x = uint32_t((sx - p.padded.x) * p.target_width / p.padded.width);
    const uint32_t y = uint32_t((sy - p.padded.y) * p.target_height / p.padded.height);
    return mask->pixels[(size_t(y) * mask->width + x) * 4 + 3];
  };
  EXPECT_EQ(alpha_at_source(300, 200), 0);
  EXPECT_EQ(alpha_at_source(300 + 80 + 1, 200), 0);  // grown across the edge
  EXPECT_EQ(alpha_at_source(300 + 80 + 30, 200), 255);
  EXPECT_EQ(alpha_at_source(p.region.x + 1, p.region.y + 1), 255);
}

TEST(PlaceResult, AResultLandsExactlyUnderTheSelection) {
  const Ellipse e{1234.3, 801.7, 420, 260};
  ImageRequest req = edit_request(picture(2500, 1600), select(e, 700, 500, 1100, 620));
  auto job = prepare_job(req, test_caps::dalle2());
  ASSERT_TRUE(job.ok()) << job.error().message;
  EXPECT_EQ(job->plan.target_width, 1024u);
  expect_lands_under_selection(*job, req, e, 1024, 1024);
  // The server's own choice of size is scaled just the same.
  expect_lands_under_selection(*job, req, e, 512, 512);
  expect_lands_under_selection(*job, req, e, 700, 700);
}

TEST(PlaceResult, CustomSizeModelsRoundTripAtTheRegionsResolution) {
  const Ellipse e{200.5, 150, 60, 40};
  ImageRequest req = edit_request(picture(500, 400), select(e, 0, 0, 500, 400));
  req.context_mode = ContextMode::Selection;
  auto job = prepare_job(req, test_caps::gpt_custom());
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->plan.target_width % 16, 0u);
  EXPECT_LT(job->plan.target_width, uint32_t(job->plan.region.width) + 16);
  expect_lands_under_selection(*job, req, e, job->plan.target_width, job->plan.target_height);
}

TEST(PlaceResult, SelectionTouchingTheEdgeIsPaddedAndCroppedBack) {
  // An ellipse centred on the top-left corner: a quarter of it lies on the source.
  const Ellipse e{0, 0, 300, 200};
  ImageRequest req = edit_request(picture(1600, 250), select(e, 0, 0, 400, 250));
  auto job = prepare_job(req, test_caps::dalle2());
  ASSERT_TRUE(job.ok());
  const RegionPlan& p = job->plan;
  EXPECT_GE(p.region.x, 0);
  EXPECT_GE(p.region.y, 0);
  EXPECT_LT(p.padded.y, 0);  // the strip is too thin for a square: padded above and below
  expect_lands_under_selection(*job, req, e, 1024, 1024);
}

TEST(PlaceResult, SelectionPartlyOutsideTheSource) {
  const Ellipse e{40, 300, 120, 90};
  // The selection's buffer starts left of the source; that part is ignored.
  ImageRequest req = edit_request(picture(800, 600), select(e, -100, 180, 300, 240));
  auto job = prepare_job(req, test_caps::dalle2());
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->plan.region.x, 0);
  expect_lands_under_selection(*job, req, e, 1024, 1024);
}

TEST(PlaceResult, VariationOfAOnePixelWideImage) {
  ImageRequest req;
  req.op = Operation::Variation;
  req.source = picture(1, 300);
  auto job = prepare_job(req, test_caps::dalle2());
  ASSERT_TRUE(job.ok()) << job.error().message;
  EXPECT_FALSE(job->mask);
  EXPECT_EQ(job->plan.target_width, 512u);
  // A result whose middle column is green and the rest (padding) magenta.
  Image result = picture(512, 512);
  for (uint32_t y = 0; y < 512; ++y) {
    for (uint32_t x = 0; x < 512; ++x) {
      uint8_t* px = result.pixels.data() + (size_t(y) * 512 + x) * 4;
      const bool middle = x >= 250 && x <= 261;
      px[0] = middle ? 0 : 255;
      px[1] = middle ? 255 : 0;
      px[2] = middle ? 0 : 255;
    }
  }
  auto placed = place_result(*job, req, result);
  ASSERT_TRUE(placed.ok());
  EXPECT_EQ(placed->x, 0);
  EXPECT_EQ(placed->y, 0);
  ASSERT_EQ(placed->rgba.width, 1u);
  ASSERT_EQ(placed->rgba.height, 300u);
  for (uint32_t y = 0; y < 300; ++y) {
    ASSERT_EQ(placed->rgba.pixels[y * 4 + 1], 255);
    ASSERT_EQ(placed->rgba.pixels[y * 4 + 0], 0);
    ASSERT_EQ((*placed->mask)[y], 255);  // no selection: the whole region
  }
}

TEST(PrepareJob, FixedSizeGptEditsSendAStandardSizeWithAMatchingMask) {
  ModelCaps caps = test_caps::gpt_custom();
  caps.name = "gpt-image-1.5";
  caps.custom_size.reset();
  const Ellipse e{600, 400, 300, 150};
  ImageRequest req = edit_request(picture(1200, 800), select(e, 0, 0, 1200, 800));
  req.context_mode = ContextMode::Image;
  auto job = prepare_job(req, caps);
  ASSERT_TRUE(job.ok()) << job.error().message;
  EXPECT_EQ(job->plan.size_param, "1536x1024");
  auto image = read_png_header(job->image.bytes.data(), job->image.bytes.size());
  auto mask = read_png_header(job->mask->bytes.data(), job->mask->bytes.size());
  ASSERT_TRUE(image.ok() && mask.ok());
  EXPECT_EQ(image->width, 1536u);
  EXPECT_EQ(image->height, 1024u);
  EXPECT_EQ(mask->width, 1536u);
  EXPECT_EQ(mask->height, 1024u);
}

TEST(PlaceResult, VariationsKeepTheSelectionsPutBackMaskButSendNoMask) {
  const Ellipse e{400, 300, 100, 80};
  ImageRequest req = edit_request(picture(800, 600), select(e, 0, 0, 800, 600));
  req.op = Operation::Variation;
  auto job = prepare_job(req, test_caps::dalle2());
  ASSERT_TRUE(job.ok());
  EXPECT_FALSE(job->mask);
  EXPECT_TRUE(job->plan.region.width < 800);  // the selection's context, not the whole image
  expect_lands_under_selection(*job, req, e, 1024, 1024);
}

Image noise(uint32_t w, uint32_t h, bool random_alpha) {
  Image image;
  image.width = w;
  image.height = h;
  image.format = PixelFormat::Rgba8;
  image.pixels.resize(image.stride() * h);
  std::mt19937 rng(42);
  for (size_t i = 0; i < image.pixels.size(); ++i) {
    image.pixels[i] = (i % 4 == 3 && !random_alpha) ? 255 : uint8_t(rng());
  }
  return image;
}

TEST(PrepareJob, PureNoiseStaysUnderFourMegabytes) {
  // Opaque noise: 1024x1024 RGBA would be 4.2 MB of incompressible bytes; as RGB it fits.
  const Ellipse e{512, 512, 300, 300};
  ImageRequest opaque = edit_request(noise(1024, 1024, false), select(e, 0, 0, 1024, 1024));
  opaque.context_mode = ContextMode::Image;
  auto job = prepare_job(opaque, test_caps::dalle2());
  ASSERT_TRUE(job.ok()) << job.error().message;
  EXPECT_EQ(job->plan.target_width, 1024u);
  EXPECT_LT(job->image.bytes.size(), 4'000'000u);
  EXPECT_GT(job->image.bytes.size(), 3'000'000u);  // really noise, really 1024x1024
  EXPECT_LT(job->mask->bytes.size(), 4'000'000u);
  auto header = read_png_header(job->image.bytes.data(), job->image.bytes.size());
  EXPECT_FALSE(header->has_alpha);

  // Noise with noisy alpha cannot drop alpha: the next smaller size goes, and the notes say so.
  ImageRequest translucent = edit_request(noise(1024, 1024, true), select(e, 0, 0, 1024, 1024));
  translucent.context_mode = ContextMode::Image;
  auto smaller = prepare_job(translucent, test_caps::dalle2());
  ASSERT_TRUE(smaller.ok()) << smaller.error().message;
  EXPECT_EQ(smaller->plan.target_width, 512u);
  EXPECT_EQ(smaller->plan.size_param, "1024x1024");  // the result size asked for is unchanged
  EXPECT_LT(smaller->image.bytes.size(), 4'000'000u);
  EXPECT_LT(smaller->mask->bytes.size(), 4'000'000u);
  auto mask_header = read_png_header(smaller->mask->bytes.data(), smaller->mask->bytes.size());
  EXPECT_EQ(mask_header->width, 512u);
  ASSERT_FALSE(smaller->notes.empty());
  EXPECT_NE(smaller->notes.front().find("over the limit at 1024x1024"), std::string::npos);
}

}  // namespace
}  // namespace oaimg
