// Request bodies per family: JSON generations, multipart edits, the GPT variation rewrite.
#include <gtest/gtest.h>
#include <json-glib/json-glib.h>

#include <map>
#include <string>

#include "oaimg/core/request.h"
#include "test_request_files.h"

namespace oaimg {
namespace {

using test::jpeg_upload;
using test::png_upload;
using test::webp_upload;

// The JSON object as member → value text ("2", "true", "\"x\"" for strings is not needed: strings
// come back bare), so that assertions do not depend on member order or spacing.
std::map<std::string, std::string> json_members(const std::string& json) {
  std::map<std::string, std::string> out;
  JsonParser* parser = json_parser_new();
  EXPECT_TRUE(json_parser_load_from_data(parser, json.c_str(), -1, nullptr)) << json;
  JsonObject* object = json_node_get_object(json_parser_get_root(parser));
  GList* names = json_object_get_members(object);
  for (GList* l = names; l; l = l->next) {
    const char* name = static_cast<const char*>(l->data);
    JsonNode* node = json_object_get_member(object, name);
    std::string text;
    if (JSON_NODE_HOLDS_ARRAY(node)) {
      JsonArray* array = json_node_get_array(node);
      for (guint i = 0; i < json_array_get_length(array); ++i)
        text += std::string(i ? "|" : "") + json_array_get_string_element(array, i);
    } else if (json_node_get_value_type(node) == G_TYPE_STRING) {
      text = json_node_get_string(node);
    } else if (json_node_get_value_type(node) == G_TYPE_INT64) {
      text = "#" + std::to_string(json_node_get_int(node));  // marks a JSON number
    } else if (json_node_get_value_type(node) == G_TYPE_BOOLEAN) {
      text = json_node_get_boolean(node) ? "true" : "false";
    }
    out[name] = text;
  }
  g_list_free(names);
  g_object_unref(parser);
  return out;
}

std::map<std::string, std::string> text_parts(const HttpBody& body) {
  std::map<std::string, std::string> out;
  for (const auto& p : body.parts)
    if (!p.file) out[p.name] = p.value;
  return out;
}

std::vector<const MultipartPart*> file_parts(const HttpBody& body) {
  std::vector<const MultipartPart*> out;
  for (const auto& p : body.parts)
    if (p.file) out.push_back(&p);
  return out;
}

TEST(BuildBody, GenerationIsJsonWithOnlySetFields) {
  ImageRequest req;
  req.op = Operation::Generate;
  req.prompt = "A \"quoted\" otter\n🦦";
  req.model = "gpt-image-2";
  req.size = "1536x864";
  req.quality = "high";
  req.output_format = "webp";
  req.output_compression = 80;
  req.n = 4;
  HttpBody body = build_body(req, find_model("gpt-image-2"), 2);
  EXPECT_FALSE(body.multipart);
  EXPECT_TRUE(body.parts.empty());
  EXPECT_EQ(endpoint_for(req, find_model("gpt-image-2")), "/images/generations");
  auto m = json_members(body.json);
  EXPECT_EQ(m, (std::map<std::string, std::string>{{"prompt", "A \"quoted\" otter\n🦦"},
                                                  {"model", "gpt-image-2"},
                                                  {"n", "#2"},
                                                  {"size", "1536x864"},
                                                  {"quality", "high"},
                                                  {"output_format", "webp"},
                                                  {"output_compression", "#80"}}));
  EXPECT_EQ(body.fields_json, body.json);
}

TEST(BuildBody, SafetyIdentifierAndComplexityAreSentWhenSet) {
  ImageRequest req;
  req.op = Operation::Generate;
  req.model = "gpt-image-1.5";
  req.prompt = "p";
  req.user = "u";
  req.safety_identifier = "sid";
  req.complexity = "medium";
  auto m = json_members(build_body(req, find_model("gpt-image-1.5"), 1).json);
  EXPECT_EQ(m["safety_identifier"], "sid");
  EXPECT_EQ(m["user"], "u");
  EXPECT_EQ(m["complexity"], "medium");

  req.safety_identifier = "";  // empty = not given, as in the SDK
  req.complexity.reset();
  m = json_members(build_body(req, find_model("gpt-image-1.5"), 1).json);
  EXPECT_EQ(m.count("safety_identifier"), 0u);
  EXPECT_EQ(m.count("complexity"), 0u);
}

TEST(BuildBody, VariationsEndpointGetsTheSafetyIdentifierAsUser) {
  ImageRequest req;
  req.op = Operation::Variation;
  req.model = "dall-e-2";
  req.images = {png_upload(256, 256)};
  req.user = "old";
  req.safety_identifier = "sid";
  HttpBody body = build_body(req, find_model("dall-e-2"), 1);
  auto parts = text_parts(body);
  EXPECT_EQ(parts["user"], "sid");
  EXPECT_EQ(parts.count("safety_identifier"), 0u);
}

TEST(BuildBody, StreamingSetsStreamAndPartialImages) {
  ImageRequest req;
  req.prompt = "p";
  req.partial_images = 2;
  auto m = json_members(build_body(req, find_model("gpt-image-1.5"), 1).json);
  EXPECT_EQ(m["stream"], "true");
  EXPECT_EQ(m["partial_images"], "#2");
  // n was not chosen and this request asks for one: the server default applies.
  EXPECT_EQ(m.count("n"), 0u);
  // The model the caps describe is named even when the request left it to the default.
  EXPECT_EQ(m["model"], "gpt-image-1.5");
}

TEST(BuildBody, DallE3FanOutSendsNOfOne) {
  ImageRequest req;
  req.prompt = "p";
  req.model = "dall-e-3";
  req.n = 3;
  req.style = "natural";
  req.response_format = "b64_json";
  auto m = json_members(build_body(req, find_model("dall-e-3"), 1).json);
  EXPECT_EQ(m["n"], "#1");
  EXPECT_EQ(m["style"], "natural");
  EXPECT_EQ(m["response_format"], "b64_json");
}

TEST(BuildBody, GptEditWithSeveralImagesUsesRepeatedImageArrayParts) {
  ImageRequest req;
  req.op = Operation::Edit;
  req.prompt = "Put them together";
  req.model = "gpt-image-1.5";
  req.n = 2;
  req.input_fidelity = "high";
  req.partial_images = 1;
  req.images = {png_upload(64, 64), jpeg_upload(), webp_upload()};
  req.mask = png_upload(64, 64);
  const ModelCaps caps = find_model("gpt-image-1.5");
  HttpBody body = build_body(req, caps, 2);
  EXPECT_TRUE(body.multipart);
  EXPECT_EQ(endpoint_for(req, caps), "/images/edits");

  // Text fields go as text, numbers and booleans included.
  EXPECT_EQ(text_parts(body), (std::map<std::string, std::string>{{"prompt", "Put them together"},
                                                                 {"model", "gpt-image-1.5"},
                                                                 {"n", "2"},
                                                                 {"input_fidelity", "high"},
                                                                 {"stream", "true"},
                                                                 {"partial_images", "1"}}));
  auto files = file_parts(body);
  ASSERT_EQ(files.size(), 4u);
  EXPECT_EQ(files[0]->name, "image[]");
  EXPECT_EQ(files[0]->filename, "image.png");
  EXPECT_EQ(files[0]->file, &req.images[0]);
  EXPECT_EQ(files[1]->name, "image[]");
  EXPECT_EQ(files[1]->filename, "image-2.jpg");
  EXPECT_EQ(files[2]->filename, "image-3.webp");
  EXPECT_EQ(files[3]->name, "mask");
  EXPECT_EQ(files[3]->filename, "mask.png");
  EXPECT_EQ(files[3]->file, &*req.mask);

  auto fields = json_members(body.fields_json);
  EXPECT_EQ(fields["image[]"], "<" + std::to_string(req.images[0].bytes.size()) + " bytes png>|<64 bytes jpeg>|<64 bytes webp>");
  EXPECT_EQ(fields["mask"], "<" + std::to_string(req.mask->bytes.size()) + " bytes png>");
  EXPECT_EQ(fields["n"], "#2");
  EXPECT_EQ(fields["prompt"], "Put them together");
}

TEST(BuildBody, SingleImageUsesPlainImageFieldAndMarkup) {
  ImageRequest req;
  req.op = Operation::Edit;
  req.prompt = "p";
  req.images = {png_upload(32, 32)};
  req.markup = png_upload(32, 32);
  HttpBody body = build_body(req, find_model("gpt-image-2.5-flare"), 1);
  auto files = file_parts(body);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0]->name, "image");
  EXPECT_EQ(files[1]->name, "markup");
  EXPECT_EQ(files[1]->filename, "markup.png");
  EXPECT_EQ(json_members(body.fields_json)["image"], "<" + std::to_string(req.images[0].bytes.size()) + " bytes png>");
}

TEST(BuildBody, GptVariationBecomesAnEditWithTheDefaultPromptAndNoMask) {
  ImageRequest req;
  req.op = Operation::Variation;
  req.images = {png_upload(100, 80)};
  req.mask = png_upload(100, 80);  // ignored: a variation is of the whole image
  req.n = 2;
  const ModelCaps caps = find_model("gpt-image-1.5");
  EXPECT_EQ(endpoint_for(req, caps), "/images/edits");
  HttpBody body = build_body(req, caps, 2);
  auto text = text_parts(body);
  EXPECT_EQ(text["prompt"], std::string(default_variation_prompt()));
  EXPECT_EQ(text["n"], "2");
  auto files = file_parts(body);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0]->name, "image");

  req.prompt = "Same scene at night";
  EXPECT_EQ(text_parts(build_body(req, caps, 2))["prompt"], "Same scene at night");
}

TEST(BuildBody, DallE2VariationGoesToVariationsWithoutPrompt) {
  ImageRequest req;
  req.op = Operation::Variation;
  req.model = "dall-e-2";
  req.images = {png_upload(256, 256)};
  req.size = "256x256";
  req.response_format = "url";
  req.quality = "standard";  // not a field of the variations endpoint
  const ModelCaps caps = find_model("dall-e-2");
  EXPECT_EQ(endpoint_for(req, caps), "/images/variations");
  HttpBody body = build_body(req, caps, 1);
  EXPECT_EQ(text_parts(body), (std::map<std::string, std::string>{
                                  {"model", "dall-e-2"}, {"size", "256x256"}, {"response_format", "url"}}));
  EXPECT_EQ(file_parts(body).size(), 1u);
}

TEST(BuildBody, DallE2EditKeepsPromptAndMask) {
  ImageRequest req;
  req.op = Operation::Edit;
  req.model = "dall-e-2";
  req.prompt = "A lake";
  req.images = {png_upload(512, 512)};
  req.mask = png_upload(512, 512);
  HttpBody body = build_body(req, find_model("dall-e-2"), 1);
  EXPECT_EQ(endpoint_for(req, find_model("dall-e-2")), "/images/edits");
  EXPECT_EQ(text_parts(body)["prompt"], "A lake");
  auto files = file_parts(body);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0]->name, "image");
  EXPECT_EQ(files[1]->name, "mask");
}

TEST(BuildBody, UnknownModelVariationUsesTheVariationsEndpoint) {
  ImageRequest req;
  req.op = Operation::Variation;
  req.model = "local-sd";
  req.images = {png_upload(64, 64)};
  EXPECT_EQ(endpoint_for(req, find_model("local-sd")), "/images/variations");
  EXPECT_EQ(text_parts(build_body(req, find_model("local-sd"), 1))["model"], "local-sd");
}

}  // namespace
}  // namespace oaimg

namespace oaimg {
namespace {

TEST(SniffFormat, RecognisesMagicBytesOnly) {
  EXPECT_EQ(sniff_format(test::png_file(4, 4)), FileFormat::Png);
  EXPECT_EQ(sniff_format(test::jpeg_upload().bytes), FileFormat::Jpeg);
  EXPECT_EQ(sniff_format(test::webp_upload().bytes), FileFormat::Webp);
  // RIFF alone is also WAV/AVI; only RIFF....WEBP is WebP.
  std::vector<uint8_t> wav = {'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'A', 'V', 'E'};
  EXPECT_EQ(sniff_format(wav), FileFormat::Unknown);
  EXPECT_EQ(sniff_format({0x89, 'P', 'N'}), FileFormat::Unknown);  // truncated signature
  EXPECT_EQ(sniff_format({}), FileFormat::Unknown);
  EXPECT_EQ(format_mime(FileFormat::Webp), "image/webp");
  EXPECT_EQ(format_name(FileFormat::Jpeg), "jpeg");
}

TEST(BuildBody, FilenameFollowsTheBytesNotTheDeclaredFormat) {
  ImageRequest req;
  req.op = Operation::Edit;
  req.prompt = "p";
  UploadFile mislabelled = test::jpeg_upload();
  mislabelled.format = FileFormat::Png;
  req.images = {png_upload(8, 8), mislabelled};
  HttpBody body = build_body(req, find_model("gpt-image-1.5"), 1);
  auto files = file_parts(body);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[1]->filename, "image-2.jpg");
}

}  // namespace
}  // namespace oaimg
