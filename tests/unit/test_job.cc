// plan_job: the sequence the C API relies on (model resolution, retired models, planned size,
// uploads from source pixels, opaque background on GPT edits). No network.
#include <gtest/gtest.h>

#include <json-glib/json-glib.h>

#include <string>

#include "oaimg/core/job.h"

namespace oaimg {
namespace {

ClientConfig local_server() {
  ClientConfig config;
  config.base_url = "http://127.0.0.1:9/v1";
  config.api_key = "sk-unused";
  return config;
}

// A member of the plan's fields JSON, "" when absent.
std::string field(const PlannedJob& plan, const char* name) {
  JsonParser* parser = json_parser_new();
  std::string out;
  if (json_parser_load_from_data(parser, plan.fields_json.c_str(), -1, nullptr)) {
    JsonObject* obj = json_node_get_object(json_parser_get_root(parser));
    if (json_object_has_member(obj, name)) {
      JsonNode* node = json_object_get_member(obj, name);
      if (json_node_get_value_type(node) == G_TYPE_STRING) out = json_node_get_string(node);
      else if (json_node_get_value_type(node) == G_TYPE_INT64)
        out = std::to_string(json_node_get_int(node));
    }
  }
  g_object_unref(parser);
  return out;
}

ImageRequest edit_with_source(const char* model, uint32_t w, uint32_t h) {
  ImageRequest req;
  req.op = Operation::Edit;
  req.model = model;
  req.prompt = "a pond";
  Image src;
  src.width = w;
  src.height = h;
  src.format = PixelFormat::Rgb8;
  src.pixels.assign(size_t(w) * h * 3, 90);
  req.source = std::move(src);
  Selection sel;
  sel.x = int32_t(w / 4);
  sel.y = int32_t(h / 4);
  sel.width = w / 2;
  sel.height = h / 2;
  sel.coverage.assign(size_t(sel.width) * sel.height, 255);
  req.selection = std::move(sel);
  return req;
}

TEST(PlanJob, DefaultModelFollowsTheServer) {
  ImageRequest req;
  req.op = Operation::Generate;
  req.prompt = "x";
  Result<PlannedJob> local = plan_job(local_server(), req);
  ASSERT_TRUE(local.ok()) << local.error().message;
  EXPECT_EQ(*local->request.model, "dall-e-2");

  ClientConfig openai = local_server();
  openai.base_url = "https://api.openai.com/v1";
  Result<PlannedJob> remote = plan_job(openai, req);
  ASSERT_TRUE(remote.ok()) << remote.error().message;
  EXPECT_FALSE(find_model(*remote->request.model).retired);

  ClientConfig chosen = local_server();
  chosen.default_model = "gpt-image-1.5";
  EXPECT_EQ(*plan_job(chosen, req)->request.model, "gpt-image-1.5");
}

TEST(PlanJob, RetiredModelAtOpenAIFailsNamingTheReplacement) {
  ClientConfig openai = local_server();
  openai.base_url = "https://api.openai.com/v1";
  ImageRequest req;
  req.op = Operation::Generate;
  req.prompt = "x";
  req.model = "dall-e-3";
  Result<PlannedJob> plan = plan_job(openai, req);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().status, Status::ModelRetired);
  EXPECT_NE(plan.error().message.find(find_model("dall-e-3").replacement), std::string::npos)
      << plan.error().message;
  EXPECT_TRUE(plan_job(local_server(), req).ok()) << "compatible servers still serve it";
}

TEST(PlanJob, SourcePixelsBecomeUploadsAndThePlannedSize) {
  ImageRequest req = edit_with_source("dall-e-2", 600, 400);
  req.size = "auto";  // "auto" means: plan it from the region
  Result<PlannedJob> plan = plan_job(local_server(), req);
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  ASSERT_TRUE(plan->prepared.has_value());
  const RegionPlan& rp = plan->prepared->plan;
  EXPECT_EQ(field(*plan, "size"), std::to_string(rp.target_width) + "x" + std::to_string(rp.target_height));
  auto uploads = planned_uploads(*plan);
  ASSERT_EQ(uploads.size(), 2u);
  EXPECT_EQ(uploads[0].first, "image");
  EXPECT_EQ(uploads[1].first, "mask");
  EXPECT_FALSE(plan->request.source.has_value()) << "the plan does not carry the source pixels";
}

TEST(PlanJob, GptEditsAskForAnOpaqueBackgroundUnlessTheCallerChose) {
  ImageRequest req = edit_with_source("gpt-image-1.5", 600, 400);
  Result<PlannedJob> plan = plan_job(local_server(), req);
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  EXPECT_EQ(field(*plan, "background"), "opaque");

  req.background = "auto";
  EXPECT_EQ(field(*plan_job(local_server(), req), "background"), "auto");

  // A variation on a GPT model is sent as an edit, and gets the same protection.
  ImageRequest variation = edit_with_source("gpt-image-1.5", 600, 400);
  variation.op = Operation::Variation;
  variation.prompt.reset();
  Result<PlannedJob> vplan = plan_job(local_server(), variation);
  ASSERT_TRUE(vplan.ok()) << vplan.error().message;
  EXPECT_EQ(vplan->endpoint, "/images/edits");
  EXPECT_EQ(field(*vplan, "background"), "opaque");

  // Generations and the DALL·E 2 contract (which has no background field) are left alone.
  ImageRequest gen;
  gen.op = Operation::Generate;
  gen.prompt = "x";
  gen.model = "gpt-image-1.5";
  EXPECT_EQ(field(*plan_job(local_server(), gen), "background"), "");
  EXPECT_EQ(field(*plan_job(local_server(), edit_with_source("dall-e-2", 600, 400)), "background"), "");
}

TEST(PlanJob, FanOutCountsRequests) {
  ImageRequest req;
  req.op = Operation::Generate;
  req.prompt = "x";
  req.model = "dall-e-3";
  req.n = 4;
  Result<PlannedJob> plan = plan_job(local_server(), req);
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  EXPECT_EQ(plan->request_count, 4);
  EXPECT_EQ(field(*plan, "n"), "1");
}

}  // namespace
}  // namespace oaimg
