#include "handles.h"
#include "oaimg/core/models.h"

namespace {

// The core's operation for a caller's value, nullopt when it is none of the three.
std::optional<oaimg::Operation> core_op(const oaimg_operation& operation) {
  int raw = oaimg_capi::enum_value(operation);
  if (raw != OAIMG_GENERATE && raw != OAIMG_EDIT && raw != OAIMG_VARIATION) return std::nullopt;
  return static_cast<oaimg::Operation>(raw);
}

// Known models by name, pointing into the static table, so returned strings are static.
const oaimg::ModelCaps* known(const char* name) {
  if (!name) return nullptr;
  for (const auto& caps : oaimg::known_models())
    if (caps.name == name) return &caps;
  return nullptr;
}

}  // namespace

extern "C" {

size_t oaimg_model_count(void) {
  try { return oaimg::known_models().size(); } catch (...) { return 0; }
}

const char* oaimg_model_name(size_t index) {
  try {
    const auto& models = oaimg::known_models();
    return index < models.size() ? models[index].name.c_str() : nullptr;
  } catch (...) {
    return nullptr;
  }
}

int oaimg_model_supports(const char* model, oaimg_operation operation) {
  std::optional<oaimg::Operation> op = core_op(operation);
  if (!model || !op) return 0;
  try {
    const oaimg::ModelCaps* caps = known(model);
    if (!caps) return 1;
    switch (*op) {
      case oaimg::Operation::Generate: return caps->generate;
      case oaimg::Operation::Edit: return caps->edit;
      case oaimg::Operation::Variation: return caps->variation;
    }
  } catch (...) {
  }
  return 0;
}

int oaimg_model_is_retired(const char* model) {
  try { const auto* caps = known(model); return caps && caps->retired; } catch (...) { return 0; }
}

const char* oaimg_model_replacement(const char* model) {
  try {
    const auto* caps = known(model);
    return caps && !caps->replacement.empty() ? caps->replacement.c_str() : nullptr;
  } catch (...) {
    return nullptr;
  }
}

const char* oaimg_model_shutdown_date(const char* model) {
  try {
    const auto* caps = known(model);
    return caps && !caps->retired_on.empty() ? caps->retired_on.c_str() : nullptr;
  } catch (...) {
    return nullptr;
  }
}

size_t oaimg_model_size_count(const char* model, oaimg_operation operation) {
  try {
    const auto* caps = known(model);
    std::optional<oaimg::Operation> op = core_op(operation);
    return caps && op ? oaimg::sizes_for(*caps, *op).size() : 0;
  } catch (...) {
    return 0;
  }
}

const char* oaimg_model_size(const char* model, oaimg_operation operation, size_t index) {
  try {
    const auto* caps = known(model);
    std::optional<oaimg::Operation> op = core_op(operation);
    if (!caps || !op) return nullptr;
    const auto& sizes = oaimg::sizes_for(*caps, *op);
    return index < sizes.size() ? sizes[index].c_str() : nullptr;
  } catch (...) {
    return nullptr;
  }
}

int oaimg_model_allows_custom_size(const char* model) {
  try { const auto* caps = known(model); return caps ? caps->custom_size.has_value() : 1; } catch (...) { return 0; }
}

int oaimg_model_supports_streaming(const char* model) {
  try { const auto* caps = known(model); return caps && caps->streaming; } catch (...) { return 0; }
}

int oaimg_model_accepts_markup(const char* model) {
  try {
    const auto* caps = known(model);
    return caps ? caps->markup : oaimg::find_model(model ? model : "").markup;
  } catch (...) {
    return 0;
  }
}

int oaimg_model_max_n(const char* model) {
  try {
    const auto* caps = known(model);
    return caps ? caps->max_n_per_request : oaimg::find_model(model ? model : "").max_n_per_request;
  } catch (...) {
    return 1;
  }
}

int oaimg_model_max_input_images(const char* model) {
  try {
    const auto* caps = known(model);
    return caps ? caps->max_input_images
                : oaimg::find_model(model ? model : "").max_input_images;
  } catch (...) {
    return 1;
  }
}

const char* oaimg_default_model(const char* base_url, oaimg_operation operation) {
  std::optional<oaimg::Operation> op = core_op(operation);
  if (!op) return nullptr;
  try {
    // default_model() returns a view of a static string literal.
    return oaimg::default_model(base_url ? base_url : "", *op).data();
  } catch (...) {
    return nullptr;
  }
}

}  // extern "C"
