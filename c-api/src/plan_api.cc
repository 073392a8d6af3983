#include <memory>

#include "handles.h"

using oaimg_capi::guarded;

extern "C" {

oaimg_status oaimg_client_plan(oaimg_client* client, const oaimg_request* request,
                               oaimg_plan** out_plan) {
  if (!client) return OAIMG_ERR_INVALID_ARGUMENT;
  return guarded(client, [&] {
    if (!request || !out_plan)
      return client->fail(oaimg::Error(oaimg::Status::InvalidArgument,
                                       "oaimg_client_plan: request and out_plan must not be NULL"));
    oaimg::Result<oaimg::PlannedJob> planned = oaimg::plan_job(client->config, request->request);
    if (!planned) return client->fail(planned.take_error());
    auto plan = std::make_unique<oaimg_plan>();
    plan->job = std::move(planned.value());
    // Taken after the job reached its final address: the pointers point into it.
    plan->uploads = oaimg::planned_uploads(plan->job);
    *out_plan = plan.release();
    return client->succeed();
  });
}

void oaimg_plan_free(oaimg_plan* plan) { delete plan; }

const char* oaimg_plan_model(const oaimg_plan* plan) {
  return plan ? plan->job.caps.name.c_str() : nullptr;
}

const char* oaimg_plan_endpoint(const oaimg_plan* plan) {
  return plan ? plan->job.endpoint.c_str() : nullptr;
}

void oaimg_plan_region(const oaimg_plan* plan, int32_t* x, int32_t* y, uint32_t* width,
                       uint32_t* height) {
  oaimg::Rect r;
  if (plan && plan->job.prepared) r = plan->job.prepared->plan.region;
  if (x) *x = r.x;
  if (y) *y = r.y;
  if (width) *width = uint32_t(r.width);
  if (height) *height = uint32_t(r.height);
}

void oaimg_plan_target_size(const oaimg_plan* plan, uint32_t* width, uint32_t* height) {
  uint32_t w = 0, h = 0;
  if (plan && plan->job.prepared) {
    w = plan->job.prepared->plan.target_width;
    h = plan->job.prepared->plan.target_height;
  }
  if (width) *width = w;
  if (height) *height = h;
}

const char* oaimg_plan_size(const oaimg_plan* plan) {
  return plan && plan->job.request.size ? plan->job.request.size->c_str() : nullptr;
}

int oaimg_plan_request_count(const oaimg_plan* plan) { return plan ? plan->job.request_count : 0; }

size_t oaimg_plan_upload_count(const oaimg_plan* plan) { return plan ? plan->uploads.size() : 0; }

oaimg_status oaimg_plan_upload(const oaimg_plan* plan, size_t index, const char** name,
                               const uint8_t** data, size_t* size) {
  if (!plan || index >= plan->uploads.size()) return OAIMG_ERR_INVALID_ARGUMENT;
  const auto& [field, file] = plan->uploads[index];
  if (name) *name = field.c_str();
  if (data) *data = file->bytes.data();
  if (size) *size = file->bytes.size();
  return OAIMG_OK;
}

const char* oaimg_plan_fields_json(const oaimg_plan* plan) {
  return plan ? plan->job.fields_json.c_str() : nullptr;
}

const char* oaimg_plan_notes(const oaimg_plan* plan) {
  return plan ? plan->job.notes.c_str() : nullptr;
}

}  // extern "C"
