// What each known image model accepts: the one table that validation, planning and the plug-in's
// dialogs all read, so that a limit is written down once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oaimg {

enum class Operation { Generate = 1, Edit = 2, Variation = 3 };

std::string_view operation_name(Operation op);      // "generate", "edit", "variation"
std::string_view operation_endpoint(Operation op);  // "/images/generations", ...

enum class ModelFamily {
  DallE2,    // the legacy contract: square PNG < 4 MB, url/b64, variations endpoint
  DallE3,    // generations only, n = 1
  GptImage,  // the GPT image contract: b64 only, edits with several images, streaming
  Unknown,   // a compatible server's own model: the server decides
};

// The rule for free "WxH" sizes (gpt-image-2 and 2.5).
struct CustomSizeRule {
  int multiple = 16;          // both sides divisible by this
  double max_aspect = 3.0;    // long side / short side at most this
  int max_long_side = 3840;   // at most 3840x2160
  int max_short_side = 2160;
  int64_t max_pixels = 3840LL * 2160;
  int min_side = 16;
  // Above this is "experimental": a size the planner picks only when the caller allows it.
  int standard_long_side = 2560;
  int standard_short_side = 1440;
};

struct ModelCaps {
  std::string name;
  ModelFamily family = ModelFamily::Unknown;
  bool known = false;            // false: a name not in the table (caps are permissive)
  bool generate = true, edit = true, variation = true;

  // Fixed size values per operation, "auto" included where accepted. Empty = any (unknown model).
  std::vector<std::string> generate_sizes, edit_sizes, variation_sizes;
  std::optional<CustomSizeRule> custom_size;  // set when any WxH within the rule is accepted

  int n_min = 1, n_max = 10;
  int max_n_per_request = 10;   // 1: n results are fanned out as n parallel requests
  size_t prompt_max_chars = 32000;

  // Inputs.
  bool input_png = true, input_jpeg = false, input_webp = false;
  bool input_must_be_square = false;
  int64_t input_max_bytes = 50LL * 1000 * 1000;
  int max_input_images = 1;
  bool mask = true;
  int64_t mask_max_bytes = 4LL * 1000 * 1000;
  bool markup = false;

  // Responses.
  bool response_format_param = false;  // accepts response_format url|b64_json
  bool revised_prompt = false;

  // Enumerated parameters; empty = parameter not accepted by this model.
  std::vector<std::string> qualities, backgrounds, output_formats, moderations, input_fidelities,
      styles;
  bool output_compression = false;
  bool streaming = false;
  int max_partial_images = 0;

  // OpenAI retired it: requests against OpenAI's base URL fail before sending.
  bool retired = false;
  std::string retired_on;   // "2026-05-12"
  std::string replacement;  // the model to use instead
};

// The table's entries, in display order (live models first).
const std::vector<ModelCaps>& known_models();

// The caps for a name; an unknown name gets permissive caps with known = false.
ModelCaps find_model(std::string_view name);

// True for base URLs on api.openai.com (where retired models are refused before sending).
bool is_openai_base_url(std::string_view base_url);

// The model used when a request names none.
std::string_view default_model(std::string_view base_url, Operation op);

// The sizes a model accepts for an operation (fixed list).
const std::vector<std::string>& sizes_for(const ModelCaps& caps, Operation op);

}  // namespace oaimg
