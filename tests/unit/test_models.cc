// The models table: one sample of each family's facts, retirement, unknown names, base URLs.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>

#include "oaimg/core/model_info.h"
#include "oaimg/core/models.h"

namespace oaimg {
namespace {

const std::vector<std::string> kGptSizes = {"auto", "1024x1024", "1536x1024", "1024x1536"};

TEST(Models, TableHoldsEverySdkModelOnceWithLiveModelsFirst) {
  const std::set<std::string> sdk_models = {
      "gpt-image-1.5", "gpt-image-2", "gpt-image-2-2026-04-21", "gpt-image-2.5-sunburst",
      "gpt-image-2.5-sunburst-2026-09-08", "gpt-image-2.5-flare", "gpt-image-2.5-flare-2026-09-08",
      "gpt-image-2.6-sunburst", "gpt-image-2.6-flare", "gpt-image-1", "gpt-image-1-mini",
      "chatgpt-image-latest", "dall-e-2", "dall-e-3"};
  std::set<std::string> names;
  bool seen_retired = false;
  for (const auto& caps : known_models()) {
    EXPECT_TRUE(names.insert(caps.name).second) << "duplicate " << caps.name;
    EXPECT_TRUE(caps.known) << caps.name;
    if (caps.retired) seen_retired = true;
    else EXPECT_FALSE(seen_retired) << caps.name << " is live but listed after a retired model";
  }
  EXPECT_EQ(names, sdk_models);
}

TEST(Models, GptImage15) {
  ModelCaps caps = find_model("gpt-image-1.5");
  EXPECT_EQ(caps.family, ModelFamily::GptImage);
  EXPECT_FALSE(caps.retired);
  EXPECT_TRUE(caps.generate && caps.edit && caps.variation);
  EXPECT_EQ(caps.generate_sizes, kGptSizes);
  EXPECT_EQ(caps.edit_sizes, kGptSizes);
  EXPECT_FALSE(caps.custom_size.has_value());
  EXPECT_EQ(caps.qualities, (std::vector<std::string>{"auto", "low", "medium", "high"}));
  EXPECT_EQ(caps.input_fidelities, (std::vector<std::string>{"high", "low"}));
  EXPECT_EQ(caps.prompt_max_chars, 32000u);
  EXPECT_EQ(caps.max_input_images, 16);
  EXPECT_EQ(caps.input_max_bytes, 50LL * 1000 * 1000);
  EXPECT_EQ(caps.mask_max_bytes, 4LL * 1000 * 1000);
  EXPECT_TRUE(caps.input_png && caps.input_jpeg && caps.input_webp);
  EXPECT_FALSE(caps.input_must_be_square);
  EXPECT_FALSE(caps.response_format_param);
  EXPECT_FALSE(caps.markup);
  EXPECT_TRUE(caps.streaming);
  EXPECT_EQ(caps.max_partial_images, 3);
  EXPECT_EQ(caps.n_max, 10);
}

TEST(Models, InputFidelityDiffersPerGptModel) {
  EXPECT_EQ(find_model("gpt-image-1-mini").input_fidelities, (std::vector<std::string>{"low"}));
  EXPECT_TRUE(find_model("gpt-image-2").input_fidelities.empty());
  EXPECT_TRUE(find_model("gpt-image-2-2026-04-21").input_fidelities.empty());
  EXPECT_TRUE(find_model("dall-e-2").input_fidelities.empty());
  // 7.59.0 documents input_fidelity for gpt-image-1.5 and 1-mini only: the later models omit it.
  for (const char* name : {"gpt-image-2.5-flare", "gpt-image-2.5-sunburst-2026-09-08",
                           "gpt-image-2.6-sunburst", "gpt-image-2.6-flare", "chatgpt-image-latest"})
    EXPECT_TRUE(find_model(name).input_fidelities.empty()) << name;
}

TEST(Models, ComplexityOnGptModelsOnly) {
  const std::vector<std::string> levels = {"low", "medium", "high"};
  EXPECT_EQ(find_model("gpt-image-1.5").complexities, levels);
  EXPECT_EQ(find_model("gpt-image-2.5-flare").complexities, levels);
  EXPECT_TRUE(find_model("dall-e-2").complexities.empty());
  EXPECT_TRUE(find_model("dall-e-3").complexities.empty());
}

TEST(Models, ExperimentalSizesLieAbove2560x1440) {
  const CustomSizeRule rule = *find_model("gpt-image-2").custom_size;
  EXPECT_FALSE(is_experimental_size(rule, 2560, 1440));
  EXPECT_FALSE(is_experimental_size(rule, 1440, 2560));
  EXPECT_TRUE(is_experimental_size(rule, 2880, 2160));
  EXPECT_TRUE(is_experimental_size(rule, 2576, 1008));
  EXPECT_TRUE(is_experimental_size(rule, 1456, 1456));
}

TEST(Models, CustomSizesOnlyOnGptImage2And25) {
  for (const char* name : {"gpt-image-2", "gpt-image-2-2026-04-21", "gpt-image-2.5-sunburst",
                           "gpt-image-2.5-flare-2026-09-08"}) {
    ModelCaps caps = find_model(name);
    ASSERT_TRUE(caps.custom_size.has_value()) << name;
    EXPECT_EQ(caps.custom_size->multiple, 16);
    EXPECT_EQ(caps.custom_size->max_long_side, 3840);
    EXPECT_EQ(caps.custom_size->max_short_side, 2160);
  }
  for (const char* name : {"gpt-image-1.5", "gpt-image-1-mini", "gpt-image-2.6-sunburst",
                           "chatgpt-image-latest", "dall-e-2"})
    EXPECT_FALSE(find_model(name).custom_size.has_value()) << name;
}

TEST(Models, GptImage25AddsQualitiesAndMarkup) {
  for (const char* name : {"gpt-image-2.5-sunburst", "gpt-image-2.5-sunburst-2026-09-08",
                           "gpt-image-2.5-flare", "gpt-image-2.5-flare-2026-09-08"}) {
    ModelCaps caps = find_model(name);
    EXPECT_EQ(caps.qualities,
              (std::vector<std::string>{"auto", "low", "medium", "high", "xhigh", "max"}))
        << name;
    EXPECT_TRUE(caps.markup) << name;
  }
  EXPECT_FALSE(find_model("gpt-image-2.6-flare").markup);
  EXPECT_FALSE(find_model("gpt-image-2").markup);
}

TEST(Models, DallE2IsTheLegacyContract) {
  ModelCaps caps = find_model("dall-e-2");
  EXPECT_EQ(caps.family, ModelFamily::DallE2);
  const std::vector<std::string> squares = {"256x256", "512x512", "1024x1024"};
  EXPECT_EQ(sizes_for(caps, Operation::Generate), squares);
  EXPECT_EQ(sizes_for(caps, Operation::Edit), squares);
  EXPECT_EQ(sizes_for(caps, Operation::Variation), squares);
  EXPECT_EQ(caps.prompt_max_chars, 1000u);
  EXPECT_TRUE(caps.input_png);
  EXPECT_FALSE(caps.input_jpeg || caps.input_webp);
  EXPECT_TRUE(caps.input_must_be_square);
  EXPECT_EQ(caps.input_max_bytes, 4LL * 1000 * 1000);
  EXPECT_EQ(caps.max_input_images, 1);
  EXPECT_TRUE(caps.mask);
  EXPECT_TRUE(caps.response_format_param);
  EXPECT_TRUE(caps.variation);
  EXPECT_FALSE(caps.streaming);
  EXPECT_TRUE(caps.output_formats.empty());
  EXPECT_TRUE(caps.retired);
  EXPECT_EQ(caps.retired_on, "2026-05-12");
  EXPECT_EQ(caps.replacement, "gpt-image-1-mini");
}

TEST(Models, DallE3GeneratesOneImagePerRequest) {
  ModelCaps caps = find_model("dall-e-3");
  EXPECT_EQ(caps.family, ModelFamily::DallE3);
  EXPECT_TRUE(caps.generate);
  EXPECT_FALSE(caps.edit);
  EXPECT_FALSE(caps.variation);
  EXPECT_EQ(caps.max_n_per_request, 1);
  EXPECT_EQ(caps.generate_sizes, (std::vector<std::string>{"1024x1024", "1792x1024", "1024x1792"}));
  EXPECT_EQ(caps.qualities, (std::vector<std::string>{"standard", "hd"}));
  EXPECT_EQ(caps.styles, (std::vector<std::string>{"vivid", "natural"}));
  EXPECT_EQ(caps.prompt_max_chars, 4000u);
  EXPECT_TRUE(caps.revised_prompt);
  EXPECT_TRUE(caps.response_format_param);
  EXPECT_EQ(caps.replacement, "gpt-image-2");
}

TEST(Models, GptImage1IsRetiredWithTheSdksReplacement) {
  ModelCaps caps = find_model("gpt-image-1");
  EXPECT_EQ(caps.family, ModelFamily::GptImage);
  EXPECT_TRUE(caps.retired);
  EXPECT_EQ(caps.retired_on, "2026-10-23");
  EXPECT_EQ(caps.replacement, "gpt-image-2.5-sunburst");
  // Every replacement is itself a live model of the table.
  for (const auto& m : known_models()) {
    if (!m.retired) continue;
    ModelCaps replacement = find_model(m.replacement);
    EXPECT_TRUE(replacement.known) << m.name << " → " << m.replacement;
    EXPECT_FALSE(replacement.retired) << m.name << " → " << m.replacement;
  }
}

TEST(Models, UnknownNameGetsPermissiveCaps) {
  ModelCaps caps = find_model("stable-diffusion-xl");
  EXPECT_EQ(caps.name, "stable-diffusion-xl");
  EXPECT_FALSE(caps.known);
  EXPECT_EQ(caps.family, ModelFamily::Unknown);
  EXPECT_TRUE(caps.generate && caps.edit && caps.variation);
  EXPECT_TRUE(sizes_for(caps, Operation::Edit).empty());
  EXPECT_TRUE(caps.mask);
  EXPECT_TRUE(caps.response_format_param);
  EXPECT_EQ(caps.n_max, 10);
  EXPECT_FALSE(caps.retired);
  // Names are exact: a differently cased known name is someone else's model.
  EXPECT_FALSE(find_model("DALL-E-2").known);
}

TEST(Models, OpenAiBaseUrlIsRecognisedByHostOnly) {
  EXPECT_TRUE(is_openai_base_url("https://api.openai.com/v1"));
  EXPECT_TRUE(is_openai_base_url("https://API.OpenAI.com:443/v1/"));
  EXPECT_TRUE(is_openai_base_url("http://api.openai.com"));
  EXPECT_TRUE(is_openai_base_url("api.openai.com/v1"));
  EXPECT_FALSE(is_openai_base_url("https://api.openai.com.evil.example/v1"));
  EXPECT_FALSE(is_openai_base_url("https://example.com/api.openai.com/v1"));
  EXPECT_FALSE(is_openai_base_url("https://myresource.openai.azure.com/openai"));
  EXPECT_FALSE(is_openai_base_url("http://127.0.0.1:8080/v1"));
  EXPECT_FALSE(is_openai_base_url(""));
}

TEST(Models, DefaultModelDependsOnTheServer) {
  for (Operation op : {Operation::Generate, Operation::Edit, Operation::Variation}) {
    EXPECT_EQ(default_model("https://api.openai.com/v1", op), "gpt-image-1.5");
    EXPECT_EQ(default_model("http://localhost:8000/v1", op), "dall-e-2");
    // Whatever the default, it can do the operation.
    ModelCaps caps = find_model(default_model("https://api.openai.com/v1", op));
    EXPECT_FALSE(caps.retired);
  }
}

TEST(Models, OperationNamesAndEndpoints) {
  EXPECT_EQ(operation_name(Operation::Generate), "generate");
  EXPECT_EQ(operation_name(Operation::Edit), "edit");
  EXPECT_EQ(operation_name(Operation::Variation), "variation");
  EXPECT_EQ(operation_endpoint(Operation::Generate), "/images/generations");
  EXPECT_EQ(operation_endpoint(Operation::Edit), "/images/edits");
  EXPECT_EQ(operation_endpoint(Operation::Variation), "/images/variations");
}

TEST(ModelShutdown, DatesAreDaysSinceTheEpoch) {
  EXPECT_EQ(days_from_iso_date("1970-01-01"), 0);
  EXPECT_EQ(days_from_iso_date("2026-11-29"), 20786);
  EXPECT_EQ(days_from_iso_date("2024-03-01T00:00:00Z"), 19783);  // after a leap day
  EXPECT_FALSE(days_from_iso_date("soon"));
  EXPECT_FALSE(days_from_iso_date("2026-13-01"));
}

TEST(ModelShutdown, WarnsWithinTheWindowNamingDateAndReplacement) {
  const int64_t noon_2026_11_29 = 20786LL * 86400 + 12 * 3600;
  EXPECT_EQ(shutdown_warning("gpt-image-1.5", "2027-01-28", noon_2026_11_29, 90),
            "gpt-image-1.5 shuts down on 2027-01-28, in 60 days");
  EXPECT_EQ(shutdown_warning("gpt-image-1.5", "2027-12-01", noon_2026_11_29, 90), "");
  EXPECT_EQ(shutdown_warning("gpt-image-1", "2026-10-23", noon_2026_11_29, 90),
            "gpt-image-1 was shut down on 2026-10-23; use gpt-image-2.5-sunburst instead");
  EXPECT_EQ(shutdown_warning("x", "2026-11-30", noon_2026_11_29, 90), "x shuts down on 2026-11-30, in 1 day");
  EXPECT_EQ(shutdown_warning("x", "not a date", noon_2026_11_29, 90), "");
}

TEST(ModelShutdown, CheckedAtMostOnceAUtcDayPerModel) {
  char folder[] = "/tmp/oaimg-model-check-XXXXXX";
  ASSERT_NE(mkdtemp(folder), nullptr);
  const std::string cache = std::string(folder) + "/cache/oaimg";  // created on first record
  const int64_t day = 20786LL * 86400;
  EXPECT_TRUE(model_check_due(cache, "gpt-image-2", day + 10));
  record_model_check(cache, "gpt-image-2", day + 10);
  EXPECT_FALSE(model_check_due(cache, "gpt-image-2", day + 86399));
  EXPECT_TRUE(model_check_due(cache, "gpt-image-1.5", day + 20));  // per model
  EXPECT_TRUE(model_check_due(cache, "gpt-image-2", day + 86400));  // the next day
  EXPECT_TRUE(model_check_due("", "gpt-image-2", day));             // no cache: always due
  std::remove((cache + "/model-check-gpt-image-2").c_str());
  std::remove(cache.c_str());
  std::remove((std::string(folder) + "/cache").c_str());
  std::remove(folder);
}

}  // namespace
}  // namespace oaimg
