// Extend Canvas geometry as pure functions (oaimg/core/extend.h): margins for every aspect, the
// selection that repaints the new area and blends into the old, the region and size planned on
// every model family for every side, and the overlapping parts when one request is not enough.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <string>
#include <vector>

#include "geometry.h"
#include "hand_built_caps.h"
#include "oaimg/core/extend.h"
#include "oaimg/core/pipeline.h"

namespace oaimg {
namespace {

struct Aspect {
  uint32_t w, h;
};
const Aspect kAspects[] = {{16, 9}, {3, 2}, {4, 3}, {1, 1}, {2, 3}, {3, 4}, {9, 16}, {21, 9}, {1, 3}, {3, 1}};
const PixelSize kImages[] = {{1000, 1000}, {1920, 1080}, {800, 1200}, {333, 777}, {1, 1}, {4000, 3}};

bool contains(const Rect& outer, const Rect& inner) {
  return inner.x >= outer.x && inner.y >= outer.y &&
         inner.x + inner.width <= outer.x + outer.width &&
         inner.y + inner.height <= outer.y + outer.height;
}

// The four single sides and all four together, by a given amount.
std::vector<std::pair<std::string, Margins>> sides(uint32_t by) {
  return {{"left", {by, 0, 0, 0}},
          {"top", {0, by, 0, 0}},
          {"right", {0, 0, by, 0}},
          {"bottom", {0, 0, 0, by}},
          {"all", {by, by, by, by}}};
}

TEST(MarginsForAspect, EveryAspectOnEveryShapeGrowsOneAxisToTheRatio) {
  for (const PixelSize& image : kImages) {
    for (const Aspect& a : kAspects) {
      SCOPED_TRACE(format_wxh(image.width, image.height) + " to " + std::to_string(a.w) + ":" +
                   std::to_string(a.h));
      auto m = margins_for_aspect(image.width, image.height, a.w, a.h);
      ASSERT_TRUE(m.ok()) << m.error().message;
      const uint64_t w = uint64_t(image.width) + m->left + m->right;
      const uint64_t h = uint64_t(image.height) + m->top + m->bottom;
      // Only one axis grows, and never shrinks.
      EXPECT_TRUE((m->left == 0 && m->right == 0) || (m->top == 0 && m->bottom == 0));
      // The smallest growth that reaches the ratio: w/h >= a.w/a.h on a widened canvas and one
      // pixel less would not; likewise in height.
      if (m->left + m->right > 0) {
        EXPECT_GE(w * a.h, h * a.w);
        EXPECT_LT((w - 1) * a.h, h * a.w);
      } else if (m->top + m->bottom > 0) {
        EXPECT_GE(h * a.w, w * a.h);
        EXPECT_LT((h - 1) * a.w, w * a.h);
      } else {
        EXPECT_EQ(uint64_t(image.width) * a.h, uint64_t(image.height) * a.w);
      }
      // Split evenly; the odd pixel goes right or bottom.
      EXPECT_TRUE(m->right == m->left || m->right == m->left + 1);
      EXPECT_TRUE(m->bottom == m->top || m->bottom == m->top + 1);
    }
  }
}

TEST(MarginsForAspect, KnownCases) {
  EXPECT_EQ(*margins_for_aspect(1080, 1080, 16, 9), (Margins{420, 0, 420, 0}));  // 1920x1080
  EXPECT_EQ(*margins_for_aspect(1920, 1080, 1, 1), (Margins{0, 420, 0, 420}));
  EXPECT_EQ(*margins_for_aspect(1000, 1000, 9, 16), (Margins{0, 389, 0, 389}));  // 1000x1777
  EXPECT_EQ(*margins_for_aspect(1920, 1080, 16, 9), Margins{});
}

TEST(MarginsForAspect, RefusesWhatIsNotARatio) {
  EXPECT_EQ(margins_for_aspect(100, 100, 0, 9).error().status, Status::InvalidArgument);
  EXPECT_EQ(margins_for_aspect(100, 100, 16, 0).error().status, Status::InvalidArgument);
  EXPECT_EQ(margins_for_aspect(100, 100, 101, 1).error().status, Status::InvalidArgument);
  EXPECT_EQ(margins_for_aspect(0, 100, 1, 1).error().status, Status::InvalidArgument);
  auto too_wide = margins_for_aspect(3, 300000000, 100, 1);
  ASSERT_FALSE(too_wide.ok());
  EXPECT_NE(too_wide.error().message.find("pixels wide"), std::string::npos);
}

TEST(ExtendedCanvas, PutsTheSourceAtTheMarginsAndRefusesOverflow) {
  EXPECT_EQ(*extended_canvas(100, 50, Margins{10, 20, 30, 40}), (Rect{-10, -20, 140, 110}));
  EXPECT_EQ(*extended_canvas(100, 50, Margins{}), (Rect{0, 0, 100, 50}));
  EXPECT_FALSE(extended_canvas(100, 50, Margins{0x7fffffff, 0, 0x7fffffff, 0}).ok());
  EXPECT_FALSE(extended_canvas(0, 50, Margins{1, 0, 0, 0}).ok());
}

TEST(ExtendBlend, AQuarterOfTheWidestMarginWithinBounds) {
  EXPECT_EQ(extend_blend_width(1024, 1024, Margins{}), 0);
  EXPECT_EQ(extend_blend_width(1024, 1024, Margins{0, 0, 256, 0}), 64);
  EXPECT_EQ(extend_blend_width(1024, 1024, Margins{0, 0, 100, 0}), 25);
  EXPECT_EQ(extend_blend_width(1024, 1024, Margins{0, 0, 4, 0}), 8);
  EXPECT_EQ(extend_blend_width(1024, 1024, Margins{0, 0, 10000, 0}), 64);
  EXPECT_EQ(extend_blend_width(10, 1024, Margins{0, 0, 10000, 0}), 5);  // half the short side
  EXPECT_EQ(extend_blend_width(1, 1, Margins{5, 0, 0, 0}), 0);
}

TEST(ExtendSelection, EverySideNewAreaFullOldEdgeRampsOldMiddleUntouched) {
  const uint32_t w = 200, h = 120;
  const int blend = 16;
  for (const auto& [name, m] : sides(40)) {
    SCOPED_TRACE(name);
    Selection s = extend_selection(w, h, m, blend);
    const Rect canvas = *extended_canvas(w, h, m);
    ASSERT_EQ(s.x, canvas.x);
    ASSERT_EQ(s.y, canvas.y);
    ASSERT_EQ(int32_t(s.width), canvas.width);
    ASSERT_EQ(int32_t(s.height), canvas.height);
    auto at = [&](int32_t x, int32_t y) {
      return int(s.coverage[size_t(y - s.y) * s.width + size_t(x - s.x)]);
    };
    for (int32_t y = canvas.y; y < canvas.y + canvas.height; ++y) {
      for (int32_t x = canvas.x; x < canvas.x + canvas.width; ++x) {
        const bool old = x >= 0 && y >= 0 && x < int32_t(w) && y < int32_t(h);
        if (!old) {
          ASSERT_EQ(at(x, y), 255) << x << "," << y;
          continue;
        }
        // Distance into the old image from the nearest grown side.
        int d = 1 << 30;
        if (m.left) d = std::min(d, x);
        if (m.right) d = std::min(d, int(w) - 1 - x);
        if (m.top) d = std::min(d, y);
        if (m.bottom) d = std::min(d, int(h) - 1 - y);
        if (d >= blend) {
          ASSERT_EQ(at(x, y), 0) << x << "," << y;
        } else {
          ASSERT_GT(at(x, y), 0);
          ASSERT_LT(at(x, y), 255);  // the old edge is blended, never simply replaced
        }
      }
    }
    // The ramp falls monotonically away from a grown side.
    if (m.right && !m.top && !m.bottom) {
      for (int32_t x = int32_t(w) - blend; x < int32_t(w) - 1; ++x)
        EXPECT_LT(at(x, h / 2), at(x + 1, h / 2));
    }
  }
}

TEST(LargestTarget, EachFamilysLargestSize) {
  auto is = [](TargetSize t, uint32_t w, uint32_t h) { return t.width == w && t.height == h; };
  EXPECT_TRUE(is(largest_target(test_caps::dalle2(), Operation::Edit, false), 1024, 1024));
  EXPECT_TRUE(is(largest_target(test_caps::gpt_fixed(), Operation::Edit, false), 1536, 1024));
  EXPECT_TRUE(is(largest_target(test_caps::gpt_custom(), Operation::Edit, false), 2560, 1440));
  EXPECT_TRUE(is(largest_target(test_caps::gpt_custom(), Operation::Edit, true), 3840, 2160));
  EXPECT_TRUE(is(largest_target(test_caps::unknown(), Operation::Edit, false), 1024, 1024));
}

// The region one request covers for an extend, as prepare_job plans it.
RegionPlan extend_plan(const ModelCaps& caps, uint32_t w, uint32_t h, const Margins& m,
                       bool experimental = false) {
  const Rect canvas = *extended_canvas(w, h, m);
  const Selection s = extend_selection(w, h, m, extend_blend_width(w, h, m));
  auto plan = plan_region_in(caps, Operation::Edit, canvas, selection_bounds_in(s, canvas),
                             ContextMode::Auto, std::nullopt, experimental);
  EXPECT_TRUE(plan.ok()) << plan.error().message;
  return plan.ok() ? *plan : RegionPlan{};
}

TEST(ExtendRegion, EverySideOnEveryFamilySeesTheNewAreaAndTheOldImageBesideIt) {
  const ModelCaps families[] = {test_caps::dalle2(), test_caps::gpt_fixed(),
                                test_caps::gpt_custom(), test_caps::unknown()};
  for (const ModelCaps& caps : families) {
    for (const PixelSize& image : {PixelSize{1024, 1024}, PixelSize{1920, 1080}, PixelSize{300, 500}}) {
      for (const auto& [name, m] : sides(256)) {
        SCOPED_TRACE(caps.name + " " + format_wxh(image.width, image.height) + " " + name);
        const Rect canvas = *extended_canvas(image.width, image.height, m);
        const RegionPlan plan = extend_plan(caps, image.width, image.height, m);
        const Rect source{0, 0, int32_t(image.width), int32_t(image.height)};
        ASSERT_TRUE(contains(canvas, plan.region));
        ASSERT_TRUE(contains(plan.padded, plan.region));
        // The whole new area along the grown side is in the region.
        if (m.right) EXPECT_EQ(plan.region.x + plan.region.width, canvas.x + canvas.width);
        if (m.left) EXPECT_EQ(plan.region.x, canvas.x);
        if (m.top) EXPECT_EQ(plan.region.y, canvas.y);
        if (m.bottom) EXPECT_EQ(plan.region.y + plan.region.height, canvas.y + canvas.height);
        // And old image beside it, more than the blend strip: the model continues what it sees.
        const Rect old_seen = intersect(plan.region, source);
        const int blend = extend_blend_width(image.width, image.height, m);
        if (m.left || m.right) EXPECT_GT(old_seen.width, blend);
        if (m.top || m.bottom) EXPECT_GT(old_seen.height, blend);
        if (caps.family == ModelFamily::DallE2 || !caps.known) {
          EXPECT_EQ(plan.target_width, plan.target_height);
          EXPECT_LE(plan.target_width, 1024u);
        } else if (caps.custom_size) {
          EXPECT_EQ(plan.target_width % 16, 0u);
          EXPECT_EQ(plan.target_height % 16, 0u);
          EXPECT_LE(std::max(plan.target_width, plan.target_height), 2560u);
          EXPECT_LE(std::min(plan.target_width, plan.target_height), 1440u);
        } else {
          const std::string size = plan.size_param;
          EXPECT_TRUE(size == "1024x1024" || size == "1536x1024" || size == "1024x1536") << size;
        }
      }
    }
  }
}

TEST(ExtendRegion, By256OnTheRightOfA1024SquareIsOneDallE2SquareAtFullResolution) {
  const RegionPlan plan = extend_plan(test_caps::dalle2(), 1024, 1024, Margins{0, 0, 256, 0});
  EXPECT_EQ(plan.region, (Rect{256, 0, 1024, 1024}));
  EXPECT_EQ(plan.padded, plan.region);
  EXPECT_EQ(plan.size_param, "1024x1024");
  auto strategy = choose_extend_strategy(test_caps::dalle2(), 1024, 1024, Margins{0, 0, 256, 0}, false);
  ASSERT_TRUE(strategy.ok());
  EXPECT_EQ(strategy->kind, ExtendStrategy::Single);
}

TEST(ExtendRegion, CustomSizesKeepResolutionUpTo2560x1440UnlessExperimental) {
  // 1920x1080 grown by 320 right: the region is the new strip and old image beside it, sent at
  // its own resolution.
  const RegionPlan plan = extend_plan(test_caps::gpt_custom(), 1920, 1080, Margins{0, 0, 320, 0});
  EXPECT_GE(plan.target_width, uint32_t(plan.region.width));
  EXPECT_GE(plan.target_height, uint32_t(plan.region.height));
  // A 2400x1400 canvas around the whole image: over 2560x1440 in pixels only with experimental.
  const Margins all{200, 100, 200, 100};
  const RegionPlan standard = extend_plan(test_caps::gpt_custom(), 2400, 1400, all);
  EXPECT_LE(uint64_t(standard.target_width) * standard.target_height, 2560u * 1440u);
  EXPECT_LT(standard.target_width, uint32_t(standard.region.width));  // scaled
  const RegionPlan experimental = extend_plan(test_caps::gpt_custom(), 2400, 1400, all, true);
  EXPECT_GE(experimental.target_width, uint32_t(experimental.region.width));  // full resolution
  EXPECT_LE(experimental.target_width, 3840u);
}

TEST(ExtendStrategy, SingleThenScaledThenPartsAsTheNewAreaGrows) {
  const auto caps = test_caps::dalle2();
  auto small = choose_extend_strategy(caps, 512, 512, Margins{0, 0, 128, 0}, false);
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(small->kind, ExtendStrategy::Single);
  EXPECT_EQ(small->scale, 1.0);
  // 1024x1024 grown by 512 on the right: 1536 high region squared down to 1024: 2/3.
  auto scaled = choose_extend_strategy(caps, 1024, 1024, Margins{0, 256, 512, 256}, false);
  ASSERT_TRUE(scaled.ok());
  EXPECT_EQ(scaled->kind, ExtendStrategy::Scaled);
  EXPECT_GE(scaled->scale, kMinExtendScale);
  EXPECT_LT(scaled->scale, 1.0);
  EXPECT_TRUE(scaled->parts.empty());
  // 4000x3000 grown by 1000 on every side: a quarter of the resolution in one request; parts.
  auto parts = choose_extend_strategy(caps, 4000, 3000, Margins{1000, 1000, 1000, 1000}, false);
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(parts->kind, ExtendStrategy::Parts);
  EXPECT_LT(parts->scale, kMinExtendScale);
  EXPECT_GT(parts->parts.size(), 4u);
  // The same on a custom-size model with experimental sizes: bigger windows, fewer parts.
  auto custom = choose_extend_strategy(test_caps::gpt_custom(), 4000, 3000,
                                       Margins{1000, 1000, 1000, 1000}, true);
  ASSERT_TRUE(custom.ok());
  ASSERT_EQ(custom->kind, ExtendStrategy::Parts);
  EXPECT_LT(custom->parts.size(), parts->parts.size());
}

// Runs the parts in order over a bitmap of the canvas: every window fits the model, sees known
// pixels beside its fill, and after the last part every pixel of the canvas is known.
void check_parts(uint32_t w, uint32_t h, const Margins& m, TargetSize window, int overlap) {
  auto parts = plan_extend_parts(w, h, m, window, overlap);
  ASSERT_TRUE(parts.ok()) << parts.error().message;
  const Rect canvas = *extended_canvas(w, h, m);
  std::vector<uint8_t> known(size_t(canvas.width) * canvas.height, 0);
  auto cell = [&](int32_t x, int32_t y) -> uint8_t& {
    return known[size_t(y - canvas.y) * canvas.width + size_t(x - canvas.x)];
  };
  for (int32_t y = 0; y < int32_t(h); ++y)
    for (int32_t x = 0; x < int32_t(w); ++x) cell(x, y) = 1;
  const uint32_t long_side = std::max(window.width, window.height);
  const uint32_t short_side = std::min(window.width, window.height);
  for (size_t i = 0; i < parts->size(); ++i) {
    const ExtendPart& p = (*parts)[i];
    SCOPED_TRACE("part " + std::to_string(i));
    ASSERT_EQ(p.order, int(i));
    ASSERT_TRUE(contains(canvas, p.window));
    ASSERT_TRUE(contains(p.window, p.fill));
    ASSERT_FALSE(p.fill.empty());
    const uint32_t pw = uint32_t(p.window.width), ph = uint32_t(p.window.height);
    ASSERT_LE(std::max(pw, ph), long_side);
    ASSERT_LE(std::min(pw, ph), short_side);
    // Everything in the window outside the fill is already known, and there is at least an
    // overlap's depth of it (or the whole old image, when that is thinner).
    int64_t known_in_window = 0;
    for (int32_t y = p.window.y; y < p.window.y + p.window.height; ++y) {
      for (int32_t x = p.window.x; x < p.window.x + p.window.width; ++x) {
        const bool in_fill = contains(p.fill, Rect{x, y, 1, 1});
        if (!in_fill) ASSERT_EQ(cell(x, y), 1) << x << "," << y;
        known_in_window += cell(x, y);
      }
    }
    const int64_t thinnest = std::min<int64_t>(overlap, std::min(w, h));
    ASSERT_GE(known_in_window, thinnest * std::min(p.window.width, p.window.height));
    for (int32_t y = p.fill.y; y < p.fill.y + p.fill.height; ++y)
      for (int32_t x = p.fill.x; x < p.fill.x + p.fill.width; ++x) cell(x, y) = 1;
  }
  EXPECT_EQ(std::count(known.begin(), known.end(), 0), 0) << "pixels left unfilled";
}

TEST(ExtendParts, EverySideEveryFamilyWindowCoversTheCanvasInOrder) {
  const TargetSize windows[] = {{1024, 1024}, {1536, 1024}, {2560, 1440}};
  for (const TargetSize& window : windows) {
    for (const auto& [name, m] : sides(1300)) {
      SCOPED_TRACE(format_wxh(window.width, window.height) + " " + name);
      check_parts(2000, 900, m, window, extend_part_overlap(window));
    }
  }
  // Deeper than several rows, on a thin image, and uneven margins.
  check_parts(300, 200, Margins{0, 0, 3000, 0}, TargetSize{1024, 1024}, 128);
  check_parts(1200, 50, Margins{10, 2000, 700, 1}, TargetSize{1024, 1024}, 128);
}

TEST(ExtendParts, NeighboursAlongAStripOverlapByTheOverlap) {
  auto parts = plan_extend_parts(3000, 1000, Margins{0, 0, 0, 500}, TargetSize{1024, 1024}, 128);
  ASSERT_TRUE(parts.ok());
  ASSERT_GE(parts->size(), 3u);
  for (size_t i = 1; i < parts->size(); ++i) {
    const Rect& a = (*parts)[i - 1].fill;
    const Rect& b = (*parts)[i].fill;
    EXPECT_GE(a.x + a.width - b.x, 128);
    EXPECT_GT(b.x, a.x);
    // Each window reaches 128 pixels of old image above the new strip.
    EXPECT_LE((*parts)[i].window.y, 1000 - 128);
  }
}

TEST(ExtendParts, RefusesAWindowTooSmallForItsOverlapAndIsEmptyWithoutMargins) {
  EXPECT_FALSE(plan_extend_parts(100, 100, Margins{0, 0, 50, 0}, TargetSize{64, 64}, 32).ok());
  EXPECT_FALSE(plan_extend_parts(100, 100, Margins{0, 0, 50, 0}, TargetSize{64, 64}, 0).ok());
  auto none = plan_extend_parts(100, 100, Margins{}, TargetSize{1024, 1024}, 128);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(SelectionBoundsIn, CountsSelectionBeyondTheSourceWithinTheCanvas) {
  Selection s;
  s.x = -50;
  s.y = 10;
  s.width = 100;
  s.height = 20;
  s.coverage.assign(2000, 255);
  EXPECT_EQ(selection_bounds_in(s, Rect{-100, 0, 300, 100}), (Rect{-50, 10, 100, 20}));
  EXPECT_EQ(selection_bounds(s, 300, 100), (Rect{0, 10, 50, 20}));  // the source alone clips
}

}  // namespace
}  // namespace oaimg
