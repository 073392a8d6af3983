// Region planning for every model family, with ModelCaps built by hand so that the geometry is
// tested apart from the models table.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "geometry.h"
#include "hand_built_caps.h"
#include "oaimg/core/pipeline.h"

namespace oaimg {
namespace {

Selection filled_selection(int32_t x, int32_t y, uint32_t w, uint32_t h, uint8_t value = 255) {
  Selection s;
  s.x = x;
  s.y = y;
  s.width = w;
  s.height = h;
  s.coverage.assign(size_t(w) * h, value);
  return s;
}

bool contains(const Rect& outer, const Rect& inner) {
  return inner.x >= outer.x && inner.y >= outer.y &&
         inner.x + inner.width <= outer.x + outer.width &&
         inner.y + inner.height <= outer.y + outer.height;
}

RegionPlan plan_ok(const ModelCaps& caps, Operation op, uint32_t w, uint32_t h, Rect bounds,
                   ContextMode mode, std::optional<std::string> size = std::nullopt) {
  auto plan = plan_region(caps, op, w, h, bounds, mode, size);
  EXPECT_TRUE(plan.ok()) << (plan.ok() ? "" : plan.error().message);
  return plan.ok() ? plan.value() : RegionPlan{};
}

TEST(SelectionBounds, FindsNonZeroCoverageIncludingSoftEdges) {
  Selection s = filled_selection(10, 20, 50, 40, 0);
  s.coverage[5 * 50 + 7] = 1;  // the faintest soft edge still counts
  s.coverage[30 * 50 + 44] = 200;
  EXPECT_EQ(selection_bounds(s, 1000, 1000), (Rect{17, 25, 38, 26}));
}

TEST(SelectionBounds, ClipsToTheSourceAndIgnoresWhatLiesOutside) {
  Selection s = filled_selection(-30, -10, 100, 50);
  EXPECT_EQ(selection_bounds(s, 60, 25), (Rect{0, 0, 60, 25}));
  // Coverage only in the part left of the source: nothing selected.
  Selection outside = filled_selection(-30, 0, 100, 10, 0);
  for (int y = 0; y < 10; ++y) outside.coverage[y * 100 + 5] = 255;
  EXPECT_TRUE(selection_bounds(outside, 60, 25).empty());
  EXPECT_TRUE(selection_bounds(filled_selection(0, 0, 10, 10, 0), 60, 25).empty());
  EXPECT_TRUE(selection_bounds(filled_selection(100, 100, 10, 10), 60, 25).empty());
}

TEST(PlanRegion, AutoContextGrowsWithTheSelectionAndStaysInTheImage) {
  // The benchmark's case: 1500x1200 in a 4000x3000 photo.
  const Rect sel{1250, 900, 1500, 1200};
  RegionPlan plan = plan_ok(test_caps::dalle2(), Operation::Edit, 4000, 3000, sel, ContextMode::Auto);
  EXPECT_TRUE(contains(plan.region, sel));
  EXPECT_TRUE(contains(Rect{0, 0, 4000, 3000}, plan.region));
  // Margin of half the average side on each side, then squared with real pixels: no padding.
  EXPECT_EQ(plan.region.width, 1500 + 2 * 675);
  EXPECT_EQ(plan.region.height, plan.region.width);
  EXPECT_EQ(plan.padded, plan.region);
  EXPECT_EQ(plan.target_width, 1024u);
  EXPECT_EQ(plan.size_param, "1024x1024");

  // A bigger selection gets a bigger margin.
  const Rect small{1900, 1400, 200, 200};
  RegionPlan small_plan =
      plan_ok(test_caps::dalle2(), Operation::Edit, 4000, 3000, small, ContextMode::Auto);
  EXPECT_LT(small_plan.region.width - small.width, plan.region.width - sel.width);
  EXPECT_GE(small_plan.region.width - small.width, 2 * (4000 / 16));
}

TEST(PlanRegion, DallE2PicksTheSmallestSquareHoldingTheRegion) {
  const auto caps = test_caps::dalle2();
  struct Case {
    int32_t side;
    uint32_t target;
  } cases[] = {{40, 256}, {256, 256}, {257, 512}, {512, 512}, {700, 1024}, {3000, 1024}};
  for (const Case& c : cases) {
    RegionPlan plan = plan_ok(caps, Operation::Edit, 5000, 5000, Rect{100, 100, c.side, c.side},
                              ContextMode::Selection);
    EXPECT_EQ(plan.target_width, c.target) << "side " << c.side;
    EXPECT_EQ(plan.target_height, c.target);
    EXPECT_EQ(plan.region, (Rect{100, 100, c.side, c.side}));
  }
}

TEST(PlanRegion, SelectionModePadsToTheSquareInsteadOfTakingContext) {
  RegionPlan plan = plan_ok(test_caps::dalle2(), Operation::Edit, 2000, 2000, Rect{500, 600, 300, 100},
                            ContextMode::Selection);
  EXPECT_EQ(plan.region, (Rect{500, 600, 300, 100}));
  EXPECT_EQ(plan.padded, (Rect{500, 500, 300, 300}));
  EXPECT_EQ(plan.target_width, 512u);
}

TEST(PlanRegion, PadsWhereTheSquareCannotFitTheImage) {
  // A wide strip of an image: the square cannot come from real pixels.
  RegionPlan plan = plan_ok(test_caps::dalle2(), Operation::Edit, 3000, 200, Rect{0, 50, 600, 100},
                            ContextMode::Auto);
  EXPECT_EQ(plan.region.x, 0);  // the selection touches the left edge
  EXPECT_EQ(plan.region.y, 0);
  EXPECT_EQ(plan.region.height, 200);
  EXPECT_EQ(plan.padded.width, plan.padded.height);
  EXPECT_EQ(plan.padded.width, plan.region.width);
  EXPECT_LT(plan.padded.y, 0);
  EXPECT_GT(plan.padded.y + plan.padded.height, 200);
  EXPECT_TRUE(contains(plan.padded, plan.region));
}

TEST(PlanRegion, OnePixelWideImage) {
  RegionPlan plan =
      plan_ok(test_caps::dalle2(), Operation::Variation, 1, 500, Rect{}, ContextMode::Auto);
  EXPECT_EQ(plan.region, (Rect{0, 0, 1, 500}));
  EXPECT_EQ(plan.padded, (Rect{-249, 0, 500, 500}));
  EXPECT_EQ(plan.target_width, 512u);
}

TEST(PlanRegion, TinySelectionInATinyImage) {
  RegionPlan plan =
      plan_ok(test_caps::dalle2(), Operation::Edit, 100, 80, Rect{50, 40, 3, 3}, ContextMode::Auto);
  EXPECT_EQ(plan.region, (Rect{0, 0, 100, 80}));  // context fills the small image
  EXPECT_EQ(plan.padded, (Rect{0, -10, 100, 100}));
  EXPECT_EQ(plan.target_width, 256u);
}

TEST(PlanRegion, FixedSizeGptModelsTakeTheClosestAspect) {
  const auto caps = test_caps::gpt_fixed();
  RegionPlan wide = plan_ok(caps, Operation::Edit, 6000, 4000, Rect{0, 0, 3000, 1000},
                            ContextMode::Selection);
  EXPECT_EQ(wide.size_param, "1536x1024");
  EXPECT_EQ(wide.padded.width, 3000);
  EXPECT_EQ(wide.padded.height, 2000);
  RegionPlan tall = plan_ok(caps, Operation::Edit, 6000, 4000, Rect{0, 0, 900, 1400},
                            ContextMode::Selection);
  EXPECT_EQ(tall.size_param, "1024x1536");
  RegionPlan square = plan_ok(caps, Operation::Generate, 6000, 4000, Rect{10, 10, 500, 520},
                              ContextMode::Selection);
  EXPECT_EQ(square.size_param, "1024x1024");
  // Auto context extends into the image toward 3:2 instead of padding.
  RegionPlan context = plan_ok(caps, Operation::Edit, 6000, 4000, Rect{2000, 1500, 2000, 1000},
                               ContextMode::Auto);
  EXPECT_EQ(context.size_param, "1536x1024");
  EXPECT_EQ(context.padded, context.region);
}

TEST(PlanRegion, CustomSizeModelsKeepTheRegionsResolution) {
  const auto caps = test_caps::gpt_custom();
  RegionPlan plan = plan_ok(caps, Operation::Edit, 4000, 3000, Rect{100, 200, 1000, 700},
                            ContextMode::Selection);
  EXPECT_EQ(plan.region, (Rect{100, 200, 1000, 700}));
  EXPECT_EQ(plan.target_width, 1008u);  // rounded up to 16: padding, not scaling
  EXPECT_EQ(plan.target_height, 704u);
  EXPECT_EQ(plan.padded.width, 1008);
  EXPECT_EQ(plan.padded.height, 704);
  EXPECT_EQ(plan.size_param, "1008x704");
}

TEST(PlanRegion, CustomSizeModelsStayWithinTheStandardSizesUnlessAllowed) {
  // A 4000x3000 region on gpt-image-2: 2880x2160 is experimental, so 1920x1440 by default.
  const auto caps = test_caps::gpt_custom();
  auto standard = plan_region(caps, Operation::Edit, 4000, 3000, Rect{}, ContextMode::Image,
                              std::nullopt);
  ASSERT_TRUE(standard.ok());
  EXPECT_EQ(standard->size_param, "1920x1440");
  auto experimental = plan_region(caps, Operation::Edit, 4000, 3000, Rect{}, ContextMode::Image,
                                  std::nullopt, true);
  ASSERT_TRUE(experimental.ok());
  EXPECT_EQ(experimental->size_param, "2880x2160");
}

TEST(PlanRegion, CustomSizeModelsScaleDownOnlyOverTheLimit) {
  const auto caps = test_caps::gpt_custom();
  RegionPlan plan = plan_ok(caps, Operation::Variation, 6000, 4000, Rect{}, ContextMode::Image);
  EXPECT_EQ(plan.region, (Rect{0, 0, 6000, 4000}));
  // Above 2560x1440 is experimental: never picked unasked.
  EXPECT_LE(plan.target_width, 2560u);
  EXPECT_LE(plan.target_height, 1440u);
  EXPECT_EQ(plan.target_width % 16, 0u);
  EXPECT_EQ(plan.target_height % 16, 0u);
  EXPECT_GT(plan.target_width * plan.target_height, 2560u * 1440u * 6 / 10);  // not needlessly small
  // Asked for, the experimental sizes up to 3840x2160.
  auto experimental = plan_region_in(caps, Operation::Variation, Rect{0, 0, 6000, 4000}, Rect{},
                                     ContextMode::Image, std::nullopt, true);
  ASSERT_TRUE(experimental.ok());
  EXPECT_LE(experimental->target_width, 3840u);
  EXPECT_LE(experimental->target_height, 2160u);
  EXPECT_GT(experimental->target_width * experimental->target_height, 3840u * 2160u * 8 / 10);
  EXPECT_NEAR(double(plan.padded.width) / plan.padded.height,
              double(plan.target_width) / plan.target_height, 0.01);
}

TEST(PlanRegion, CustomSizeModelsPadBeyondThreeToOne) {
  const auto caps = test_caps::gpt_custom();
  RegionPlan plan = plan_ok(caps, Operation::Edit, 5000, 5000, Rect{0, 0, 4000, 500},
                            ContextMode::Selection);
  EXPECT_EQ(plan.region, (Rect{0, 0, 4000, 500}));
  EXPECT_LE(double(plan.target_width), 3.0 * plan.target_height);
  EXPECT_GE(plan.padded.height, 4000 / 3);
  EXPECT_TRUE(contains(plan.padded, plan.region));
}

TEST(PlanRegion, AnImpossibleCustomRuleIsAnErrorNotAHang) {
  ModelCaps caps = test_caps::gpt_custom();
  caps.custom_size->max_pixels = 100;  // below the 16 x 16 minimum
  auto plan = plan_region(caps, Operation::Edit, 500, 500, Rect{}, ContextMode::Image,
                          std::nullopt);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().status, Status::InvalidArgument);
  caps.custom_size->multiple = 0;
  EXPECT_FALSE(plan_region(caps, Operation::Edit, 500, 500, Rect{}, ContextMode::Image,
                           std::string("512x512"))
                   .ok());
}

TEST(PlanRegion, UnknownModelsGetTheDallE2Squares) {
  RegionPlan plan = plan_ok(test_caps::unknown(), Operation::Edit, 2000, 2000, Rect{0, 0, 400, 300},
                            ContextMode::Selection);
  EXPECT_EQ(plan.target_width, 512u);
  EXPECT_EQ(plan.target_height, 512u);
  // The server decides what it accepts: any explicit size goes.
  RegionPlan asked = plan_ok(test_caps::unknown(), Operation::Edit, 2000, 2000, Rect{0, 0, 400, 300},
                             ContextMode::Selection, "640x480");
  EXPECT_EQ(asked.size_param, "640x480");
  EXPECT_EQ(asked.padded.width * 3, asked.padded.height * 4);
}

TEST(PlanRegion, AnExplicitSizeOverridesThePlanWhenTheModelAllowsIt) {
  RegionPlan plan = plan_ok(test_caps::dalle2(), Operation::Edit, 4000, 4000, Rect{0, 0, 3000, 3000},
                            ContextMode::Selection, "512x512");
  EXPECT_EQ(plan.target_width, 512u);
  RegionPlan automatic = plan_ok(test_caps::dalle2(), Operation::Edit, 4000, 4000,
                                 Rect{0, 0, 3000, 3000}, ContextMode::Selection, "auto");
  EXPECT_EQ(automatic.target_width, 1024u);
  RegionPlan custom = plan_ok(test_caps::gpt_custom(), Operation::Edit, 4000, 4000,
                              Rect{0, 0, 1000, 1000}, ContextMode::Selection, "1200x800");
  EXPECT_EQ(custom.size_param, "1200x800");
  EXPECT_EQ(custom.padded.width * 2, custom.padded.height * 3);

  auto refused = plan_region(test_caps::dalle2(), Operation::Edit, 4000, 4000, Rect{0, 0, 10, 10},
                             ContextMode::Selection, std::string("800x600"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().status, Status::InvalidArgument);
  EXPECT_NE(refused.error().message.find("256x256, 512x512, 1024x1024"), std::string::npos);
  EXPECT_FALSE(plan_region(test_caps::gpt_custom(), Operation::Edit, 100, 100, Rect{}, ContextMode::Auto,
                           std::string("1000x100"))
                   .ok());  // 10:1
  EXPECT_FALSE(plan_region(test_caps::dalle2(), Operation::Edit, 100, 100, Rect{}, ContextMode::Auto,
                           std::string("big"))
                   .ok());
}

TEST(PlanRegion, InvariantsHoldForRandomSelectionsInEveryFamily) {
  std::mt19937 rng(7);
  const ModelCaps families[] = {test_caps::dalle2(), test_caps::gpt_fixed(), test_caps::gpt_custom(),
                                test_caps::unknown()};
  for (int i = 0; i < 3000; ++i) {
    const uint32_t w = 1 + rng() % 5000, h = 1 + rng() % 5000;
    const int32_t sx = int32_t(rng() % w), sy = int32_t(rng() % h);
    const Rect sel{sx, sy, 1 + int32_t(rng() % (w - sx)), 1 + int32_t(rng() % (h - sy))};
    const ModelCaps& caps = families[i % 4];
    const ContextMode mode = ContextMode(i / 4 % 3);
    RegionPlan plan = plan_ok(caps, Operation::Edit, w, h, sel, mode);
    SCOPED_TRACE(caps.name + " " + std::to_string(w) + "x" + std::to_string(h));
    ASSERT_TRUE(contains(Rect{0, 0, int32_t(w), int32_t(h)}, plan.region));
    ASSERT_TRUE(contains(plan.region, sel));
    ASSERT_TRUE(contains(plan.padded, plan.region));
    // The padded rect has the target's shape to within a pixel on either side.
    const double sx_scale = double(plan.padded.width) / plan.target_width;
    const double sy_scale = double(plan.padded.height) / plan.target_height;
    ASSERT_NEAR(plan.target_height * sx_scale, plan.padded.height, 1.0 + sx_scale);
    ASSERT_NEAR(plan.target_width * sy_scale, plan.padded.width, 1.0 + sy_scale);
    if (caps.custom_size) {
      ASSERT_EQ(plan.target_width % 16, 0u);
      ASSERT_EQ(plan.target_height % 16, 0u);
      ASSERT_LE(std::max(plan.target_width, plan.target_height),
                3.0 * std::min(plan.target_width, plan.target_height));
      // Planned sizes stay standard (2560x1440) unless the caller allows experimental ones.
      ASSERT_FALSE(is_experimental_size(*caps.custom_size, plan.target_width, plan.target_height));
      ASSERT_LE(uint64_t(plan.target_width) * plan.target_height, 2560u * 1440u);
      // Resolution is kept whenever the (standard, not experimental) limits allow it.
      if (std::max(plan.padded.width, plan.padded.height) <= 2560 &&
          std::min(plan.padded.width, plan.padded.height) <= 1440) {
        ASSERT_LE(plan.padded.width, int32_t(plan.target_width));
        ASSERT_LE(plan.padded.height, int32_t(plan.target_height));
      }
    } else if (caps.family != ModelFamily::GptImage) {
      ASSERT_EQ(plan.target_width, plan.target_height);
      ASSERT_LE(plan.target_width, 1024u);
      // Never upscaled past the next square.
      ASSERT_TRUE(plan.target_width == 256 || int64_t(plan.target_width) / 2 < plan.padded.width);
    }
  }
}

TEST(SizeText, ParsesOnlyWidthByHeight) {
  auto size = parse_wxh("1536x1024");
  ASSERT_TRUE(size);
  EXPECT_EQ(size->width, 1536u);
  EXPECT_EQ(size->height, 1024u);
  for (const char* bad : {"auto", "x10", "10x", "0x10", "10x10x", "-5x10", "10 x 10", ""}) {
    EXPECT_FALSE(parse_wxh(bad)) << bad;
  }
}

}  // namespace
}  // namespace oaimg
