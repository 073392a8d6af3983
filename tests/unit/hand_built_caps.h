// Model capabilities built by hand for the pipeline's tests, so that geometry, preparing and
// placing are tested apart from the models table (whose own facts are tested in test_models.cc).
#pragma once

#include "oaimg/core/models.h"

namespace oaimg::test_caps {

// The DALL·E 2 contract: squares, PNG files under 4 MB.
inline ModelCaps dalle2() {
  ModelCaps caps;
  caps.name = "dall-e-2";
  caps.family = ModelFamily::DallE2;
  caps.known = true;
  caps.generate_sizes = caps.edit_sizes = caps.variation_sizes = {"256x256", "512x512",
                                                                  "1024x1024"};
  caps.input_max_bytes = 4LL * 1000 * 1000;
  caps.mask_max_bytes = 4LL * 1000 * 1000;
  return caps;
}

// A GPT model with fixed sizes only.
inline ModelCaps gpt_fixed() {
  ModelCaps caps;
  caps.name = "gpt-image-1.5";
  caps.family = ModelFamily::GptImage;
  caps.known = true;
  caps.generate_sizes = caps.edit_sizes = {"auto", "1024x1024", "1536x1024", "1024x1536"};
  caps.variation = false;
  caps.input_max_bytes = 50LL * 1000 * 1000;
  return caps;
}

// A GPT model that also takes any WxH within the custom-size rule.
inline ModelCaps gpt_custom() {
  ModelCaps caps = gpt_fixed();
  caps.name = "gpt-image-2";
  caps.custom_size = CustomSizeRule{};
  return caps;
}

// A compatible server's own model: no sizes listed, the server decides.
inline ModelCaps unknown() {
  ModelCaps caps;
  caps.name = "my-local-model";
  return caps;
}

}  // namespace oaimg::test_caps
