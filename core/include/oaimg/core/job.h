// A whole job: resolve the model, plan the region and uploads, check, send, and place results.
// The C API maps onto these two calls; hosts never repeat this sequence themselves.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "oaimg/core/client.h"
#include "oaimg/core/error.h"
#include "oaimg/core/extend.h"
#include "oaimg/core/models.h"
#include "oaimg/core/pipeline.h"
#include "oaimg/core/request.h"

namespace oaimg {

struct PlannedJob {
  ImageRequest request;              // resolved: model set, uploads in place; no source pixels
  ModelCaps caps;
  std::optional<PreparedJob> prepared;  // set when the request had source pixels
  std::string endpoint;              // "/images/edits"
  int request_count = 1;             // HTTP requests the run sends
  std::string fields_json;           // the fields of the first HTTP request
  std::string notes;                 // what was done to meet limits, one line each
  // An extend far larger than the model makes: the overlapping parts the run sends in this
  // order, one request each and n times over (each of the n results is a whole extension). The
  // request, uploads and fields above are then the first part's.
  std::vector<ExtendPart> extend_parts;
};

// Checks and prepares everything a run needs without sending anything.
Result<PlannedJob> plan_job(const ClientConfig& config, const ImageRequest& request);

// The files the first HTTP request uploads, as (multipart field name, file). The pointers point
// into `plan` and stay valid while it is neither moved nor destroyed.
std::vector<std::pair<std::string, const UploadFile*>> planned_uploads(const PlannedJob& plan);

struct FinishedJob {
  JobResult result;
  std::vector<PlacedLayer> layers;  // one per result when the request had source pixels
  std::string summary_json;         // model, size, request ids, revised prompts, usage, layers
};

// Sends a planned job and, when it had source pixels, places every result back. `original` is
// the request the plan was made from (its selection shapes the put-back masks).
Result<FinishedJob> run_planned_job(const ClientConfig& config, const PlannedJob& plan,
                                    const ImageRequest& original, const RunCallbacks& callbacks);

}  // namespace oaimg
