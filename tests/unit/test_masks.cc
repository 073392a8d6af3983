// The request mask (what the model may repaint) and the put-back mask (what the host keeps).
#include <gtest/gtest.h>

#include <algorithm>

#include "masks.h"

namespace oaimg {
namespace {

Selection rectangle(int32_t x, int32_t y, uint32_t w, uint32_t h, int32_t sx, int32_t sy,
                    uint32_t sw, uint32_t sh, uint8_t value = 255) {
  // A selection buffer at (x, y) of w x h with a filled rectangle at (sx, sy) of sw x sh, both in
  // source coordinates.
  Selection s;
  s.x = x;
  s.y = y;
  s.width = w;
  s.height = h;
  s.coverage.assign(size_t(w) * h, 0);
  for (int32_t yy = sy; yy < sy + int32_t(sh); ++yy) {
    for (int32_t xx = sx; xx < sx + int32_t(sw); ++xx) {
      s.coverage[size_t(yy - y) * w + (xx - x)] = value;
    }
  }
  return s;
}

uint8_t alpha_at(const Image& mask, uint32_t x, uint32_t y) {
  return mask.pixels[(size_t(y) * mask.width + x) * 2 + 1];
}

TEST(RequestMask, MarksTheSelectionGrownOnTheTargetGrid) {
  // Source columns/rows 100-199 selected; the padded rect 0-399 maps to 200 cells (2 px each),
  // so cells 50-99 hold the selection and a grow of 3 reaches cells 47-102.
  const Selection sel = rectangle(0, 0, 400, 400, 100, 100, 100, 100);
  auto mask = make_request_mask(sel, Rect{0, 0, 400, 400}, Rect{0, 0, 400, 400}, 200, 200, 3);
  ASSERT_TRUE(mask.ok());
  ASSERT_EQ(mask->format, PixelFormat::GrayA8);
  for (uint32_t c = 0; c < 200; ++c) {
    const bool edited = c >= 47 && c <= 102;
    EXPECT_EQ(alpha_at(*mask, c, 75), edited ? 0 : 255) << "column " << c;
    EXPECT_EQ(alpha_at(*mask, 75, c), edited ? 0 : 255) << "row " << c;
  }
  // Gray equals alpha, so the colour bytes are as uniform as the alpha.
  for (size_t i = 0; i < mask->pixels.size(); i += 2) {
    ASSERT_EQ(mask->pixels[i], mask->pixels[i + 1]);
  }
}

TEST(RequestMask, SoftCoverageCountsAndOutsideTheClipDoesNot) {
  Selection sel = rectangle(0, 0, 100, 100, 0, 0, 0, 0);
  sel.coverage[10 * 100 + 10] = 1;  // the faintest soft edge
  sel.coverage[10 * 100 + 90] = 255;  // outside the clip below
  auto mask = make_request_mask(sel, Rect{0, 0, 50, 100}, Rect{0, 0, 100, 100}, 100, 100, 0);
  ASSERT_TRUE(mask.ok());
  EXPECT_EQ(alpha_at(*mask, 10, 10), 0);
  EXPECT_EQ(alpha_at(*mask, 11, 10), 255);
  EXPECT_EQ(alpha_at(*mask, 90, 10), 255);
}

TEST(RequestMask, FollowsTheSelectionThroughPaddingAndUpscaling) {
  // A 10x10 selection at the source's corner; the padded rect starts 10 px left and above the
  // source and is sampled at 4 cells a source pixel.
  const Selection sel = rectangle(0, 0, 10, 10, 0, 0, 10, 10);
  auto mask = make_request_mask(sel, Rect{0, 0, 30, 30}, Rect{-10, -10, 40, 40}, 160, 160, 0);
  ASSERT_TRUE(mask.ok());
  EXPECT_EQ(alpha_at(*mask, 39, 60), 255);
  EXPECT_EQ(alpha_at(*mask, 40, 40), 0);
  EXPECT_EQ(alpha_at(*mask, 79, 79), 0);
  EXPECT_EQ(alpha_at(*mask, 80, 60), 255);
  EXPECT_EQ(request_mask_grow(1024, 1024), 8);
  EXPECT_EQ(request_mask_grow(256, 256), 2);
}

TEST(PutBackMask, OpaqueInsideFeatheredOutsideZeroBeyond) {
  const Selection sel = rectangle(0, 0, 300, 300, 100, 100, 100, 100);
  const Rect area{50, 50, 200, 200};
  const int band = 20;
  auto mask = make_put_back_mask(sel, area, band);
  ASSERT_TRUE(mask.ok());
  ASSERT_EQ(mask->size(), size_t(200 * 200));
  auto at = [&](int32_t x, int32_t y) { return (*mask)[size_t(y - 50) * 200 + (x - 50)]; };
  for (int32_t x = 100; x < 200; ++x) ASSERT_EQ(at(x, 150), 255) << x;
  // Outside the right edge (x = 200 onwards) along the middle row: from (nearly) opaque down to
  // zero within the band, never rising.
  EXPECT_GE(at(200, 150), 240);
  EXPECT_GT(at(200 + band / 2, 150), 40);
  EXPECT_LT(at(200 + band / 2, 150), 215);
  EXPECT_EQ(at(200 + band, 150), 0);
  for (int32_t x = 201; x < 249; ++x) ASSERT_LE(at(x, 150), at(x - 1, 150)) << x;
  // The band is the same across every edge of the square (rows and columns are filtered by
  // different code paths).
  for (int32_t d = -5; d < 45; ++d) {
    ASSERT_EQ(at(200 + d, 150), at(150, 200 + d)) << d;
    ASSERT_EQ(at(200 + d, 150), at(99 - d, 150)) << d;
    ASSERT_EQ(at(200 + d, 150), at(150, 99 - d)) << d;
  }
  EXPECT_EQ(at(60, 60), 0);
  EXPECT_EQ(at(249, 249), 0);
}

TEST(PutBackMask, KeepsSoftCoverageAwayFromTheCore) {
  // A faint selection (coverage 100, under half) has no core: its coverage comes back as it is.
  const Selection faint = rectangle(0, 0, 100, 100, 20, 20, 60, 60, 100);
  auto mask = make_put_back_mask(faint, Rect{0, 0, 100, 100}, 10);
  ASSERT_TRUE(mask.ok());
  EXPECT_EQ((*mask)[50 * 100 + 50], 100);
  EXPECT_EQ((*mask)[50 * 100 + 19], 0);
}

TEST(PutBackMask, SelectionPartlyOutsideTheArea) {
  const Selection sel = rectangle(-20, -20, 60, 60, -20, -20, 40, 40);
  auto mask = make_put_back_mask(sel, Rect{0, 0, 50, 50}, 0);
  ASSERT_TRUE(mask.ok());
  EXPECT_EQ((*mask)[0], 255);
  EXPECT_EQ((*mask)[19 * 50 + 19], 255);
  EXPECT_EQ((*mask)[20 * 50 + 20], 0);
  auto none = make_put_back_mask(sel, Rect{100, 100, 10, 10}, 5);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(std::count(none->begin(), none->end(), 0), 100);
}

}  // namespace
}  // namespace oaimg
