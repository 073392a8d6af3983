#include "oaimg/core/job.h"

#include <json-glib/json-glib.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>
#include <new>
#include <optional>
#include <system_error>
#include <thread>

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


// --- extend in parts -----------------------------------------------------------------------

// One part as an edit of its own: the window of what is known so far (old image and earlier
// parts), selected over the part's new pixels, seen whole, one result. The model, prompt and
// settings are the extend's; streaming is not (partials of one part are no preview of the whole).
ImageRequest part_request(const ImageRequest& extend, Image window_pixels, const ExtendPart& part) {
  ImageRequest r;
  r.op = Operation::Edit;
  r.prompt = extend.prompt;
  r.model = extend.model;
  r.quality = extend.quality;
  r.background = extend.background;
  r.output_format = extend.output_format;
  r.input_fidelity = extend.input_fidelity;
  r.response_format = extend.response_format;
  r.user = extend.user;
  r.safety_identifier = extend.safety_identifier;
  r.complexity = extend.complexity;
  r.allow_experimental_size = extend.allow_experimental_size;
  r.n = 1;
  r.references = extend.references;
  r.source = std::move(window_pixels);
  r.context_mode = ContextMode::Image;
  Selection fill;
  fill.width = uint32_t(part.window.width);
  fill.height = uint32_t(part.window.height);
  fill.coverage.assign(size_t(fill.width) * fill.height, 0);
  for (int32_t y = part.fill.y; y < part.fill.y + part.fill.height; ++y)
    std::fill_n(fill.coverage.begin() + std::ptrdiff_t(y - part.window.y) * fill.width +
                    (part.fill.x - part.window.x),
                part.fill.width, uint8_t(255));
  r.selection = std::move(fill);
  return r;
}

// A part's placed result over the canvas so far (RGBA at (canvas.x, canvas.y)), through its
// put-back mask: its new pixels, and the feathered band that blends it into what was known.
void composite_part(Image& canvas, const Rect& area, const ExtendPart& part, const PlacedLayer& layer) {
  const int32_t ox = part.window.x + layer.x - area.x, oy = part.window.y + layer.y - area.y;
  for (uint32_t y = 0; y < layer.rgba.height; ++y) {
    const int64_t cy = int64_t(oy) + y;
    if (cy < 0 || cy >= int64_t(canvas.height)) continue;
    for (uint32_t x = 0; x < layer.rgba.width; ++x) {
      const int64_t cx = int64_t(ox) + x;
      if (cx < 0 || cx >= int64_t(canvas.width)) continue;
      const uint8_t* l = layer.rgba.pixels.data() + (size_t(y) * layer.rgba.width + x) * 4;
      uint8_t* d = canvas.pixels.data() + (size_t(cy) * canvas.width + size_t(cx)) * 4;
      const double a = l[3] / 255.0 * ((*layer.mask)[size_t(y) * layer.rgba.width + x] / 255.0);
      const double da = d[3] / 255.0, oa = a + da * (1 - a);
      for (int c = 0; c < 3; ++c)
        d[c] = uint8_t(oa > 0 ? (l[c] * a + d[c] * da * (1 - a)) / oa + 0.5 : 0);
      d[3] = uint8_t(oa * 255 + 0.5);
    }
  }
}

// Fills the extend's new area part by part, in the planned order, once for each of the n
// results: every part sees the pixels the earlier parts of its own result filled.
Result<FinishedJob> run_extend_parts(const ClientConfig& config, const PlannedJob& plan,
                                     const ImageRequest& original, const RunCallbacks& callbacks) {
  const PreparedJob& prepared = *plan.prepared;
  const Rect area = prepared.area;
  const Image& source = *original.source;
  const int n = original.n.value_or(1);
  const size_t total = size_t(n) * plan.extend_parts.size();
  FinishedJob done;
  size_t sent = 0;
  for (int chain = 0; chain < n; ++chain) {
    Image canvas = crop_transparent(source, 0, 0, area);
    for (const ExtendPart& part : plan.extend_parts) {
      const ImageRequest sub = part_request(original, crop_transparent(canvas, area.x, area.y, part.window), part);
      Result<PlannedJob> sub_plan = plan_job(config, sub);
      if (!sub_plan) return sub_plan.take_error();
      RunCallbacks sub_callbacks;
      sub_callbacks.detail = callbacks.detail;
      if (callbacks.progress)
        sub_callbacks.progress = [&callbacks, sent, total](Stage stage, double fraction) {
          if (stage == Stage::Done) return true;  // the whole run is done after the last part
          return callbacks.progress(stage, fraction < 0 ? -1.0 : (double(sent) + fraction) / double(total));
        };
      Result<FinishedJob> part_done = run_planned_job(config, *sub_plan, sub, sub_callbacks);
      if (!part_done) {
        Error e = part_done.take_error();
        e.message = "extend part " + std::to_string(sent % plan.extend_parts.size() + 1) + " of " +
                    std::to_string(plan.extend_parts.size()) +
                    (n > 1 ? " (result " + std::to_string(chain + 1) + ")" : "") + ": " + e.message;
        return e;
      }
      if (part_done->layers.empty()) return Error(Status::BadResponse, "an extend part gave no result");
      composite_part(canvas, area, part, part_done->layers[0]);
      JobResult& r = part_done->result;
      JobResult& out = done.result;
      out.model = r.model;
      out.size = r.size;
      out.quality = r.quality;
      out.background = r.background;
      out.output_format = r.output_format;
      out.created = std::max(out.created, r.created);
      if (!r.safety_identifier.empty()) out.safety_identifier = r.safety_identifier;
      for (auto& id : r.request_ids) out.request_ids.push_back(std::move(id));
      add_usage(out.usage, r.usage);
      ++sent;
    }
    auto bytes = encode_png(canvas);
    if (!bytes) return bytes.take_error();
    done.result.images.push_back(ResultImage{std::move(*bytes), FileFormat::Png, std::nullopt});
    PlacedLayer layer;
    layer.x = area.x;
    layer.y = area.y;
    // The extend's own blend: the new area whole, and the ramp into the old image, across
    // which the parts' bands already blended.
    layer.mask = std::make_shared<const std::vector<uint8_t>>(prepared.made_selection->coverage);
    layer.rgba = std::move(canvas);
    done.layers.push_back(std::move(layer));
  }
  done.summary_json = summary_json(plan, done);
  if (callbacks.progress) callbacks.progress(Stage::Done, 1.0);
  return done;
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
  const bool has_source = request.source || request.source_png;
  if (!has_source && whole_job_only)
    return Error(Status::InvalidArgument,
                 "references, a markup layer, extend and a canvas need source pixels (set the "
                 "source image first)");
  if (has_source) {
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

  if (plan.prepared && request.extend && request.op == Operation::Edit) {
    auto strategy = choose_extend_strategy(plan.caps, request.source->width,
                                           request.source->height, *request.extend,
                                           request.allow_experimental_size);
    if (!strategy) return strategy.take_error();
    if (strategy->kind == ExtendStrategy::Parts) {
      std::vector<ExtendPart> parts = std::move(strategy->parts);
      std::stable_sort(parts.begin(), parts.end(),
                       [](const ExtendPart& a, const ExtendPart& b) { return a.order < b.order; });
      // What the run sends first is the first part: plan it as the run will.
      const ImageRequest first = part_request(
          request, crop_transparent(*request.source, 0, 0, parts.front().window), parts.front());
      Result<PlannedJob> first_plan = plan_job(config, first);
      if (!first_plan) return first_plan.take_error();
      const TargetSize window = largest_target(plan.caps, Operation::Edit, request.allow_experimental_size);
      const Rect& canvas = plan.prepared->area;
      plan.notes = "extend: the new area of the " + format_wxh(uint32_t(canvas.width), uint32_t(canvas.height)) +
                   " canvas is larger than " + plan.caps.name +
                   " makes at half resolution in one request, so it is filled in " +
                   std::to_string(parts.size()) + " overlapping parts of up to " +
                   format_wxh(window.width, window.height) +
                   " at full resolution, one request each in order (left, right, top, bottom; "
                   "outward from the old image)" +
                   (n > 1 ? ", for each of the " + std::to_string(n) + " results" : "") + ": " +
                   std::to_string(size_t(n) * parts.size()) + " requests\n";
      if (request.partial_images)
        plan.notes += "extend parts are not streamed: each result arrives whole\n";
      std::string first_notes = first_plan->notes;
      for (size_t at = 0; at < first_notes.size();) {
        const size_t end = first_notes.find('\n', at);
        plan.notes += "part 1: " + first_notes.substr(at, end - at) + "\n";
        at = end == std::string::npos ? first_notes.size() : end + 1;
      }
      plan.request = std::move(first_plan->request);
      plan.endpoint = first_plan->endpoint;
      plan.fields_json = first_plan->fields_json;
      plan.request_count = int(size_t(n) * parts.size());
      plan.extend_parts = std::move(parts);
    }
  }
  return plan;
}

namespace {

// One result decoded and resampled into the region: independent of every other result.
Result<PlacedLayer> place_one(const PreparedJob& prepared, const ResultImage& image, size_t index,
                              const SharedMask& mask) {
  if (image.format != FileFormat::Png)
    return Error(Status::Unsupported, "result " + std::to_string(index + 1) + " is " +
                                          std::string(format_name(image.format)) +
                                          "; placing results needs output_format 'png'");
  // The fast reader (harden's result limits): results are placed from their own layout (RGB
  // for opaque files).
  Result<Image> decoded =
      decode_png_pixels(image.bytes.data(), image.bytes.size(), result_decode_limits());
  if (!decoded) {
    Error e = decoded.take_error();
    e.message = "result " + std::to_string(index + 1) + ": " + e.message;
    return e;
  }
  return place_result(prepared, decoded.value(), mask);
}

// Decoding and resampling the results is most of the client's time after the answer (at 12 MP,
// four results into a 2850x2850 region, about half of it), and the results share nothing but the
// put-back mask, which is read only: one thread per result up to the cores, at most four. The
// layers and the first failure keep the server's order.
Result<std::vector<PlacedLayer>> place_results(const PreparedJob& prepared, const JobResult& result,
                                               const SharedMask& mask) {
  const size_t n = result.images.size();
  std::vector<std::optional<Result<PlacedLayer>>> placed(n);
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next.fetch_add(1)) < n;) {
      try {
        placed[i].emplace(place_one(prepared, result.images[i], i, mask));
      } catch (const std::bad_alloc&) {
        placed[i].emplace(Error(Status::NoMemory, "out of memory placing a result"));
      }
    }
  };
  const size_t threads = std::min<size_t>({n, 4, std::max(1u, std::thread::hardware_concurrency())});
  std::vector<std::thread> helpers;
  helpers.reserve(threads);  // so that only starting a thread can throw below, never growing
  try {
    for (size_t t = 1; t < threads; ++t) helpers.emplace_back(work);
  } catch (const std::system_error&) {
    // No thread to be had: the ones started and this one place them all.
  }
  work();
  for (std::thread& helper : helpers) helper.join();
  std::vector<PlacedLayer> layers;
  layers.reserve(n);
  for (std::optional<Result<PlacedLayer>>& one : placed) {
    if (!*one) return one->take_error();
    layers.push_back(std::move(one->value()));
  }
  return layers;
}

}  // namespace

Result<FinishedJob> run_planned_job(const ClientConfig& config, const PlannedJob& plan,
                                    const ImageRequest& original, const RunCallbacks& callbacks) {
  try {
    if (!plan.extend_parts.empty()) return run_extend_parts(config, plan, original, callbacks);
  } catch (const std::bad_alloc&) {
    return Error(Status::NoMemory, "out of memory filling the extend in parts");
  }
  Result<JobResult> sent = run_job(config, plan.request, plan.caps, callbacks);
  if (!sent) return sent.take_error();

  FinishedJob done;
  done.result = std::move(sent.value());
  if (plan.prepared) {
    if (callbacks.progress && !callbacks.progress(Stage::Placing, -1))
      return Error(Status::Cancelled, "cancelled while placing the results");
    // One put-back mask for all the results: it depends on the job, not on the result.
    SharedMask mask;
    if (!done.result.images.empty()) {
      Result<SharedMask> made = put_back_mask_for(*plan.prepared, original);
      if (!made) return made.take_error();
      mask = std::move(*made);
    }
    Result<std::vector<PlacedLayer>> layers = place_results(*plan.prepared, done.result, mask);
    if (!layers) return layers.take_error();
    done.layers = std::move(*layers);
  }
  done.summary_json = summary_json(plan, done);
  if (callbacks.progress) callbacks.progress(Stage::Done, 1.0);
  return done;
}

}  // namespace oaimg
