#include "oaimg/core/job.h"

#include <json-glib/json-glib.h>

#include <algorithm>
#include <memory>

#include "geometry.h"
#include "oaimg/core/png_codec.h"

namespace oaimg {
namespace {

// The resolved request carries no source pixels: they can be tens of megabytes, and the planned
// request only needs the encoded uploads. Field by field on purpose (copying the whole struct
// would copy the pixels).
ImageRequest copy_without_pixels(const ImageRequest& r) {
  ImageRequest out;
  out.op = r.op;
  out.prompt = r.prompt;
  out.model = r.model;
  out.size = r.size;
  out.quality = r.quality;
  out.background = r.background;
  out.output_format = r.output_format;
  out.moderation = r.moderation;
  out.input_fidelity = r.input_fidelity;
  out.style = r.style;
  out.response_format = r.response_format;
  out.user = r.user;
  out.safety_identifier = r.safety_identifier;
  out.complexity = r.complexity;
  out.allow_experimental_size = r.allow_experimental_size;
  out.n = r.n;
  out.output_compression = r.output_compression;
  out.partial_images = r.partial_images;
  out.images = r.images;
  out.mask = r.mask;
  out.markup = r.markup;
  out.context_mode = r.context_mode;
  return out;
}

std::string resolve_model_name(const ClientConfig& config, const ImageRequest& request) {
  if (request.model && !request.model->empty()) return *request.model;
  if (!config.default_model.empty()) return config.default_model;
  return std::string(default_model(config.base_url, request.op));
}

struct GObjectUnref {
  void operator()(gpointer p) const { if (p) g_object_unref(p); }
};

void add_string(JsonBuilder* b, const char* name, const std::string& value) {
  if (value.empty()) return;
  json_builder_set_member_name(b, name);
  json_builder_add_string_value(b, value.c_str());
}

void add_int(JsonBuilder* b, const char* name, int64_t value) {
  json_builder_set_member_name(b, name);
  json_builder_add_int_value(b, value);
}

std::string summary_json(const PlannedJob& plan, const FinishedJob& done) {
  std::unique_ptr<JsonBuilder, GObjectUnref> owner(json_builder_new());
  JsonBuilder* b = owner.get();
  const JobResult& r = done.result;
  json_builder_begin_object(b);
  add_string(b, "model", r.model.empty() ? plan.caps.name : r.model);
  add_string(b, "endpoint", plan.endpoint);
  add_string(b, "size", r.size.empty() ? plan.request.size.value_or("") : r.size);
  add_string(b, "quality", r.quality);
  add_string(b, "background", r.background);
  add_string(b, "output_format", r.output_format);
  add_int(b, "created", r.created);
  add_string(b, "safety_identifier", r.safety_identifier);
  add_int(b, "count", int64_t(r.images.size()));
  json_builder_set_member_name(b, "request_ids");
  json_builder_begin_array(b);
  for (const auto& id : r.request_ids) json_builder_add_string_value(b, id.c_str());
  json_builder_end_array(b);
  json_builder_set_member_name(b, "revised_prompts");
  json_builder_begin_array(b);
  for (const auto& img : r.images) {
    if (img.revised_prompt)
      json_builder_add_string_value(b, img.revised_prompt->c_str());
    else
      json_builder_add_null_value(b);
  }
  json_builder_end_array(b);
  if (r.usage.total_tokens >= 0 || r.usage.input_tokens >= 0) {
    json_builder_set_member_name(b, "usage");
    json_builder_begin_object(b);
    add_int(b, "input_tokens", r.usage.input_tokens);
    add_int(b, "output_tokens", r.usage.output_tokens);
    add_int(b, "total_tokens", r.usage.total_tokens);
    add_int(b, "input_text_tokens", r.usage.input_text_tokens);
    add_int(b, "input_image_tokens", r.usage.input_image_tokens);
    if (r.usage.output_text_tokens >= 0 || r.usage.output_image_tokens >= 0) {
      json_builder_set_member_name(b, "output_tokens_details");
      json_builder_begin_object(b);
      add_int(b, "text_tokens", r.usage.output_text_tokens);
      add_int(b, "image_tokens", r.usage.output_image_tokens);
      json_builder_end_object(b);
    }
    json_builder_end_object(b);
  }
  if (plan.prepared) {
    const RegionPlan& rp = plan.prepared->plan;
    json_builder_set_member_name(b, "region");
    json_builder_begin_object(b);
    add_int(b, "x", rp.region.x);
    add_int(b, "y", rp.region.y);
    add_int(b, "width", rp.region.width);
    add_int(b, "height", rp.region.height);
    add_int(b, "target_width", rp.target_width);
    add_int(b, "target_height", rp.target_height);
    json_builder_end_object(b);
    const Rect& area = plan.prepared->area;
    json_builder_set_member_name(b, "canvas");
    json_builder_begin_object(b);
    add_int(b, "x", area.x);
    add_int(b, "y", area.y);
    add_int(b, "width", area.width);
    add_int(b, "height", area.height);
    json_builder_end_object(b);
    json_builder_set_member_name(b, "layers");
    json_builder_begin_array(b);
    for (const auto& layer : done.layers) {
      json_builder_begin_object(b);
      add_int(b, "x", layer.x);
      add_int(b, "y", layer.y);
      add_int(b, "width", layer.rgba.width);
      add_int(b, "height", layer.rgba.height);
      json_builder_end_object(b);
    }
    json_builder_end_array(b);
  }
  json_builder_end_object(b);

  std::unique_ptr<JsonGenerator, GObjectUnref> gen(json_generator_new());
  JsonNode* root = json_builder_get_root(b);
  json_generator_set_root(gen.get(), root);
  json_generator_set_pretty(gen.get(), TRUE);
  gchar* text = json_generator_to_data(gen.get(), nullptr);
  std::string out = text ? text : "{}";
  g_free(text);
  json_node_unref(root);
  return out;
}

}  // namespace

std::vector<std::pair<std::string, const UploadFile*>> planned_uploads(const PlannedJob& plan) {
  std::vector<std::pair<std::string, const UploadFile*>> out;
  HttpBody body = build_body(plan.request, plan.caps, 1);
  for (const auto& part : body.parts)
    if (part.file) out.emplace_back(part.name, part.file);
  return out;
}

Result<PlannedJob> plan_job(const ClientConfig& config, const ImageRequest& request) {
  PlannedJob plan;
  plan.request = copy_without_pixels(request);
  plan.request.model = resolve_model_name(config, request);
  plan.caps = find_model(*plan.request.model);

  if (Outcome retired = check_not_retired(plan.caps, config.base_url); !retired)
    return retired.take_error();
  // Before prepare_job resamples anything to that size.
  if (Outcome bound = check_size_bound(request.size); !bound) return bound.take_error();

  const bool whole_job_only = !request.references.empty() || request.markup_layer ||
                              request.extend || request.canvas;
  if (!request.source && whole_job_only)
    return Error(Status::InvalidArgument,
                 "references, a markup layer, extend and a canvas need source pixels (set the "
                 "source image first)");
  if (request.source) {
    if (!request.images.empty())
      return Error(Status::InvalidArgument,
                   "a request takes either source pixels or encoded images, not both");
    Result<PreparedJob> prepared = prepare_job(request, plan.caps);
    if (!prepared) return prepared.take_error();
    plan.prepared = std::move(prepared.value());
    PreparedJob& job = *plan.prepared;
    if (request.op != Operation::Generate) plan.request.images.push_back(job.image);
    for (const UploadFile& reference : job.references) plan.request.images.push_back(reference);
    if (request.op == Operation::Edit && job.mask) plan.request.mask = job.mask;
    if (request.op == Operation::Edit && job.markup) plan.request.markup = job.markup;
    bool size_requested = request.size && *request.size != "auto";
    if (!size_requested && !job.plan.size_param.empty()) plan.request.size = job.plan.size_param;
    for (const auto& note : job.notes) plan.notes += note + "\n";
  }
  if (plan.caps.custom_size && plan.request.size) {
    auto size = parse_wxh(*plan.request.size);
    if (size && is_experimental_size(*plan.caps.custom_size, size->width, size->height))
      plan.notes += "size " + *plan.request.size + " is experimental (above " +
                    format_wxh(plan.caps.custom_size->standard_long_side,
                               plan.caps.custom_size->standard_short_side) +
                    " the SDK calls resolutions experimental)\n";
  }

  // On GPT models the mask is guidance, and background=auto may answer an edit with transparent
  // holes, which the put-back mask would then show as holes in the user's image.
  bool sends_edit = plan.request.op != Operation::Generate &&
                    endpoint_for(plan.request, plan.caps) == operation_endpoint(Operation::Edit);
  const auto& backgrounds = plan.caps.backgrounds;
  if (sends_edit && !plan.request.background && plan.caps.family == ModelFamily::GptImage &&
      std::find(backgrounds.begin(), backgrounds.end(), "opaque") != backgrounds.end())
    plan.request.background = "opaque";

  if (Outcome valid = validate_request(plan.request, plan.caps); !valid) return valid.take_error();

  int n = plan.request.n.value_or(1);
  int per_request = std::max(1, plan.caps.max_n_per_request);
  plan.request_count = (n + per_request - 1) / per_request;
  plan.endpoint = std::string(endpoint_for(plan.request, plan.caps));
  plan.fields_json = build_body(plan.request, plan.caps, std::min(n, per_request)).fields_json;
  return plan;
}

Result<FinishedJob> run_planned_job(const ClientConfig& config, const PlannedJob& plan,
                                    const ImageRequest& original, const RunCallbacks& callbacks) {
  Result<JobResult> sent = run_job(config, plan.request, plan.caps, callbacks);
  if (!sent) return sent.take_error();

  FinishedJob done;
  done.result = std::move(sent.value());
  if (plan.prepared) {
    if (callbacks.progress && !callbacks.progress(Stage::Placing, -1))
      return Error(Status::Cancelled, "cancelled while placing the results");
    for (size_t i = 0; i < done.result.images.size(); ++i) {
      const ResultImage& image = done.result.images[i];
      if (image.format != FileFormat::Png)
        return Error(Status::Unsupported,
                     "result " + std::to_string(i + 1) + " is " +
                         std::string(format_name(image.format)) +
                         "; placing results needs output_format 'png'");
      // The fast reader (harden's result limits): results are placed from their own layout (RGB
      // for opaque files).
      Result<Image> decoded =
          decode_png_pixels(image.bytes.data(), image.bytes.size(), result_decode_limits());
      if (!decoded) {
        Error e = decoded.take_error();
        e.message = "result " + std::to_string(i + 1) + ": " + e.message;
        return e;
      }
      Result<PlacedLayer> placed = place_result(*plan.prepared, original, decoded.value());
      if (!placed) return placed.take_error();
      done.layers.push_back(std::move(placed.value()));
    }
  }
  done.summary_json = summary_json(plan, done);
  if (callbacks.progress) callbacks.progress(Stage::Done, 1.0);
  return done;
}

}  // namespace oaimg
