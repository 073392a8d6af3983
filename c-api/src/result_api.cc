#include <memory>

#include "handles.h"
#include "oaimg/core/png_codec.h"

using oaimg_capi::c_str_or_null;
using oaimg_capi::guarded;

extern "C" {

oaimg_status oaimg_client_run(oaimg_client* client, const oaimg_request* request,
                              oaimg_result** out_result) {
  if (!client) return OAIMG_ERR_INVALID_ARGUMENT;
  return guarded(client, [&] {
    if (!request || !out_result)
      return client->fail(oaimg::Error(oaimg::Status::InvalidArgument,
                                       "oaimg_client_run: request and out_result must not be NULL"));
    oaimg::RunCallbacks callbacks;
    if (client->progress) {
      callbacks.progress = [client](oaimg::Stage stage, double fraction) {
        return client->progress(client->progress_data, static_cast<oaimg_stage>(stage), fraction) == 0;
      };
    }
    client->detail = oaimg::RunDetail{};
    callbacks.detail = [client](const oaimg::RunDetail& d) { client->detail = d; };
    if (client->partial) {
      callbacks.partial_image = [client](size_t index, int partial, const uint8_t* data, size_t size) {
        client->partial(client->partial_data, index, partial, data, size);
      };
    }
    if (callbacks.progress && !callbacks.progress(oaimg::Stage::Preparing, 0.0))
      return client->fail(oaimg::Error(oaimg::Status::Cancelled, "cancelled before sending"));

    oaimg::Result<oaimg::PlannedJob> plan = oaimg::plan_job(client->config, request->request);
    if (!plan) return client->fail(plan.take_error());
    oaimg::Result<oaimg::FinishedJob> done =
        oaimg::run_planned_job(client->config, plan.value(), request->request, callbacks);
    if (!done) return client->fail(done.take_error());

    auto result = std::make_unique<oaimg_result>();
    result->job = std::move(done.value());
    result->decoded.resize(result->job.result.images.size());
    *out_result = result.release();
    return client->succeed();
  });
}

void oaimg_result_free(oaimg_result* result) { delete result; }

size_t oaimg_result_count(const oaimg_result* result) {
  return result ? result->job.result.images.size() : 0;
}

oaimg_status oaimg_result_image(const oaimg_result* result, size_t index, const uint8_t** data,
                                size_t* size) {
  if (!result || index >= result->job.result.images.size()) return OAIMG_ERR_INVALID_ARGUMENT;
  const auto& bytes = result->job.result.images[index].bytes;
  if (data) *data = bytes.data();
  if (size) *size = bytes.size();
  return OAIMG_OK;
}

const char* oaimg_result_image_format(const oaimg_result* result, size_t index) {
  if (!result || index >= result->job.result.images.size()) return nullptr;
  // format_name() views static literals.
  return oaimg::format_name(result->job.result.images[index].format).data();
}

oaimg_status oaimg_result_rgba(const oaimg_result* result, size_t index, const uint8_t** pixels,
                               uint32_t* width, uint32_t* height) {
  if (!result || index >= result->job.result.images.size()) return OAIMG_ERR_INVALID_ARGUMENT;
  try {
    auto& slot = result->decoded[index];
    if (!slot) {
      const auto& image = result->job.result.images[index];
      if (image.format != oaimg::FileFormat::Png) return OAIMG_ERR_UNSUPPORTED;
      oaimg::Result<oaimg::Image> decoded =
          oaimg::decode_png(image.bytes.data(), image.bytes.size(), oaimg::result_decode_limits());
      if (!decoded) return oaimg_capi::to_c(decoded.error().status);
      slot = std::move(decoded.value());
    }
    if (pixels) *pixels = slot->pixels.data();
    if (width) *width = slot->width;
    if (height) *height = slot->height;
    return OAIMG_OK;
  } catch (const std::bad_alloc&) {
    return OAIMG_ERR_NO_MEMORY;
  } catch (...) {
    return OAIMG_ERR_INTERNAL;
  }
}

const char* oaimg_result_revised_prompt(const oaimg_result* result, size_t index) {
  if (!result || index >= result->job.result.images.size()) return nullptr;
  const auto& revised = result->job.result.images[index].revised_prompt;
  return revised ? revised->c_str() : nullptr;
}

const char* oaimg_result_model(const oaimg_result* result) {
  return result ? result->job.result.model.c_str() : nullptr;
}
const char* oaimg_result_size(const oaimg_result* result) {
  return result ? c_str_or_null(result->job.result.size) : nullptr;
}
const char* oaimg_result_quality(const oaimg_result* result) {
  return result ? c_str_or_null(result->job.result.quality) : nullptr;
}
const char* oaimg_result_background(const oaimg_result* result) {
  return result ? c_str_or_null(result->job.result.background) : nullptr;
}
const char* oaimg_result_output_format(const oaimg_result* result) {
  return result ? c_str_or_null(result->job.result.output_format) : nullptr;
}
const char* oaimg_result_request_id(const oaimg_result* result) {
  if (!result || result->job.result.request_ids.empty()) return nullptr;
  return c_str_or_null(result->job.result.request_ids.front());
}

int64_t oaimg_result_created(const oaimg_result* result) {
  return result ? result->job.result.created : 0;
}

void oaimg_result_usage(const oaimg_result* result, int64_t* input_tokens, int64_t* output_tokens,
                        int64_t* total_tokens) {
  oaimg::Usage usage;
  if (result) usage = result->job.result.usage;
  if (input_tokens) *input_tokens = usage.input_tokens;
  if (output_tokens) *output_tokens = usage.output_tokens;
  if (total_tokens) *total_tokens = usage.total_tokens;
}

void oaimg_result_usage_details(const oaimg_result* result, int64_t* input_text_tokens,
                                int64_t* input_image_tokens, int64_t* output_text_tokens,
                                int64_t* output_image_tokens) {
  oaimg::Usage usage;
  if (result) usage = result->job.result.usage;
  if (input_text_tokens) *input_text_tokens = usage.input_text_tokens;
  if (input_image_tokens) *input_image_tokens = usage.input_image_tokens;
  if (output_text_tokens) *output_text_tokens = usage.output_text_tokens;
  if (output_image_tokens) *output_image_tokens = usage.output_image_tokens;
}

const char* oaimg_result_safety_identifier(const oaimg_result* result) {
  return result ? c_str_or_null(result->job.result.safety_identifier) : nullptr;
}

const char* oaimg_result_json(const oaimg_result* result) {
  return result ? result->job.summary_json.c_str() : nullptr;
}

oaimg_status oaimg_result_layer(const oaimg_result* result, size_t index, const uint8_t** rgba,
                                uint32_t* width, uint32_t* height, int32_t* x, int32_t* y) {
  if (!result || index >= result->job.result.images.size()) return OAIMG_ERR_INVALID_ARGUMENT;
  if (index >= result->job.layers.size()) return OAIMG_ERR_UNSUPPORTED;  // no source given
  const oaimg::PlacedLayer& layer = result->job.layers[index];
  if (rgba) *rgba = layer.rgba.pixels.data();
  if (width) *width = layer.rgba.width;
  if (height) *height = layer.rgba.height;
  if (x) *x = layer.x;
  if (y) *y = layer.y;
  return OAIMG_OK;
}

oaimg_status oaimg_result_layer_mask(const oaimg_result* result, size_t index,
                                     const uint8_t** mask, uint32_t* width, uint32_t* height) {
  if (!result || index >= result->job.result.images.size()) return OAIMG_ERR_INVALID_ARGUMENT;
  if (index >= result->job.layers.size()) return OAIMG_ERR_UNSUPPORTED;
  const oaimg::PlacedLayer& layer = result->job.layers[index];
  if (mask) *mask = layer.mask->data();
  if (width) *width = layer.rgba.width;
  if (height) *height = layer.rgba.height;
  return OAIMG_OK;
}

}  // extern "C"
