// The models table. Source: the official TypeScript SDK openai@7.59.0, src/resources/images.ts
// (ImageModel and the parameter docs of ImageGenerateParams / ImageEditParams /
// ImageCreateVariationParams), and /work/shared/API-FACTS.md. Where a parameter's doc names the
// models that accept it, only those models get it here; the server stays the final judge.
#include <algorithm>
#include <cctype>

#include "oaimg/core/models.h"

namespace oaimg {
namespace {

const std::vector<std::string> kGptSizes = {"auto", "1024x1024", "1536x1024", "1024x1536"};
const std::vector<std::string> kDallE2Sizes = {"256x256", "512x512", "1024x1024"};
const std::vector<std::string> kDallE3Sizes = {"1024x1024", "1792x1024", "1024x1792"};
const std::vector<std::string> kNoSizes;

// What every GPT image model shares (the "GPT image contract").
ModelCaps gpt_image(std::string name) {
  ModelCaps caps;
  caps.name = std::move(name);
  caps.family = ModelFamily::GptImage;
  caps.known = true;
  // A variation on a GPT model is sent as an edit with a prompt (the SDK's advice since the
  // variations endpoint was retired).
  caps.generate = caps.edit = caps.variation = true;
  caps.generate_sizes = caps.edit_sizes = caps.variation_sizes = kGptSizes;
  caps.n_min = 1;
  caps.n_max = 10;
  caps.max_n_per_request = 10;
  caps.prompt_max_chars = 32000;
  caps.input_png = caps.input_jpeg = caps.input_webp = true;
  caps.input_must_be_square = false;
  caps.input_max_bytes = 50LL * 1000 * 1000;
  caps.max_input_images = 16;
  caps.mask = true;
  caps.mask_max_bytes = 4LL * 1000 * 1000;
  caps.response_format_param = false;  // always b64_json
  caps.qualities = {"auto", "low", "medium", "high"};
  caps.backgrounds = {"auto", "opaque", "transparent"};
  // gif and svg exist in the SDK as previews needing special access; the plug-in cannot place them
  // back into an image, so they are not offered.
  caps.output_formats = {"png", "jpeg", "webp"};
  caps.moderations = {"auto", "low"};
  // The SDK (7.59.0) documents input_fidelity for gpt-image-1.5 (high, low) and gpt-image-1-mini
  // (low) only, and says to omit it for gpt-image-2: every other model leaves it unset.
  caps.input_fidelities = {};
  caps.complexities = {"low", "medium", "high"};
  caps.output_compression = true;
  caps.streaming = true;
  caps.max_partial_images = 3;
  return caps;
}

ModelCaps with_custom_sizes(ModelCaps caps) {
  caps.custom_size = CustomSizeRule{};
  return caps;
}

// GPT Image 2.5: free sizes, two more quality levels, and markup guidance.
ModelCaps gpt_image_2_5(std::string name) {
  ModelCaps caps = with_custom_sizes(gpt_image(std::move(name)));
  caps.qualities = {"auto", "low", "medium", "high", "xhigh", "max"};
  caps.markup = true;
  return caps;
}

ModelCaps retired(ModelCaps caps, std::string on, std::string replacement) {
  caps.retired = true;
  caps.retired_on = std::move(on);
  caps.replacement = std::move(replacement);
  return caps;
}

ModelCaps dall_e_2() {
  ModelCaps caps;
  caps.name = "dall-e-2";
  caps.family = ModelFamily::DallE2;
  caps.known = true;
  caps.generate = caps.edit = caps.variation = true;
  caps.generate_sizes = caps.edit_sizes = caps.variation_sizes = kDallE2Sizes;
  caps.n_min = 1;
  caps.n_max = 10;
  caps.max_n_per_request = 10;
  caps.prompt_max_chars = 1000;
  caps.input_png = true;
  caps.input_jpeg = caps.input_webp = false;
  caps.input_must_be_square = true;
  caps.input_max_bytes = 4LL * 1000 * 1000;
  caps.max_input_images = 1;
  caps.mask = true;
  caps.mask_max_bytes = 4LL * 1000 * 1000;
  caps.response_format_param = true;
  caps.qualities = {"standard"};  // the SDK: "standard is the only option for dall-e-2"
  return caps;
}

ModelCaps dall_e_3() {
  ModelCaps caps;
  caps.name = "dall-e-3";
  caps.family = ModelFamily::DallE3;
  caps.known = true;
  caps.generate = true;
  caps.edit = caps.variation = false;
  caps.generate_sizes = kDallE3Sizes;
  caps.n_min = 1;
  caps.n_max = 10;
  caps.max_n_per_request = 1;  // the API takes n = 1 only: n results are n requests
  caps.prompt_max_chars = 4000;
  caps.max_input_images = 0;
  caps.mask = false;
  caps.response_format_param = true;
  caps.revised_prompt = true;
  caps.qualities = {"standard", "hd"};
  caps.styles = {"vivid", "natural"};
  return caps;
}

std::vector<ModelCaps> build_table() {
  std::vector<ModelCaps> table;
  // Live models, the default first.
  {
    ModelCaps caps = gpt_image("gpt-image-1.5");
    caps.input_fidelities = {"high", "low"};
    table.push_back(caps);
  }
  {
    ModelCaps caps = gpt_image("gpt-image-1-mini");
    caps.input_fidelities = {"low"};  // the SDK: "gpt-image-1-mini supports only low"
    table.push_back(caps);
  }
  for (const char* name : {"gpt-image-2", "gpt-image-2-2026-04-21"})
    table.push_back(with_custom_sizes(gpt_image(name)));
  table.push_back(gpt_image_2_5("gpt-image-2.5-sunburst"));
  table.push_back(gpt_image_2_5("gpt-image-2.5-sunburst-2026-09-08"));
  table.push_back(gpt_image_2_5("gpt-image-2.5-flare"));
  table.push_back(gpt_image_2_5("gpt-image-2.5-flare-2026-09-08"));
  // 2.6 is named as a model but none of the SDK's custom-size, xhigh/max or markup docs list it.
  table.push_back(gpt_image("gpt-image-2.6-sunburst"));
  table.push_back(gpt_image("gpt-image-2.6-flare"));
  table.push_back(gpt_image("chatgpt-image-latest"));

  // Retired at OpenAI; compatible servers may still serve them, so their caps stay complete.
  // The SDK names gpt-image-2.5-sunburst (or -flare) as the successor.
  table.push_back(retired(gpt_image("gpt-image-1"), "2026-10-23", "gpt-image-2.5-sunburst"));
  // The SDK only says "use a GPT image model"; these are the closest in cost and in use.
  table.push_back(retired(dall_e_3(), "2026-05-12", "gpt-image-2"));
  table.push_back(retired(dall_e_2(), "2026-05-12", "gpt-image-1-mini"));
  return table;
}

// A compatible server's own model: nothing is refused before the server sees it.
ModelCaps permissive_caps(std::string_view name) {
  ModelCaps caps;
  caps.name = std::string(name);
  caps.family = ModelFamily::Unknown;
  caps.known = false;
  caps.generate = caps.edit = caps.variation = true;
  caps.n_min = 1;
  caps.n_max = 10;
  caps.max_n_per_request = 10;
  caps.input_png = caps.input_jpeg = caps.input_webp = true;
  caps.input_max_bytes = 50LL * 1000 * 1000;
  caps.max_input_images = 16;
  caps.mask = true;
  caps.markup = true;
  caps.response_format_param = true;
  caps.revised_prompt = true;
  caps.output_compression = true;
  caps.streaming = true;
  caps.max_partial_images = 3;
  return caps;
}

std::string lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string_view operation_name(Operation op) {
  switch (op) {
    case Operation::Generate: return "generate";
    case Operation::Edit: return "edit";
    case Operation::Variation: return "variation";
  }
  return "unknown";
}

std::string_view operation_endpoint(Operation op) {
  switch (op) {
    case Operation::Generate: return "/images/generations";
    case Operation::Edit: return "/images/edits";
    case Operation::Variation: return "/images/variations";
  }
  return "";
}

const std::vector<ModelCaps>& known_models() {
  static const std::vector<ModelCaps> table = build_table();
  return table;
}

ModelCaps find_model(std::string_view name) {
  for (const ModelCaps& caps : known_models())
    if (caps.name == name) return caps;
  return permissive_caps(name);
}

bool is_openai_base_url(std::string_view base_url) {
  std::string_view rest = base_url;
  if (auto scheme = rest.find("://"); scheme != std::string_view::npos) rest.remove_prefix(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (auto at = rest.rfind('@'); at != std::string_view::npos) rest.remove_prefix(at + 1);
  rest = rest.substr(0, rest.find(':'));
  if (!rest.empty() && rest.back() == '.') rest.remove_suffix(1);  // "api.openai.com." is the same host
  return lowercase(rest) == "api.openai.com";
}

std::string_view default_model(std::string_view base_url, Operation op) {
  // OpenAI serves all three operations with gpt-image-1.5 (a variation becomes an edit); a
  // compatible server is most likely to serve the legacy dall-e-2 contract, variations included.
  (void)op;
  return is_openai_base_url(base_url) ? "gpt-image-1.5" : "dall-e-2";
}

bool is_experimental_size(const CustomSizeRule& rule, uint32_t width, uint32_t height) {
  const uint32_t long_side = std::max(width, height), short_side = std::min(width, height);
  return long_side > uint32_t(rule.standard_long_side) || short_side > uint32_t(rule.standard_short_side);
}

const std::vector<std::string>& sizes_for(const ModelCaps& caps, Operation op) {
  switch (op) {
    case Operation::Generate: return caps.generate_sizes;
    case Operation::Edit: return caps.edit_sizes;
    case Operation::Variation: return caps.variation_sizes;
  }
  return kNoSizes;
}

}  // namespace oaimg
