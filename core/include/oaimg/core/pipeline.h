// From selection to request and back: the region the model sees, the pixels and mask it gets, and
// each result placed back under the selection. Pure functions over pixel buffers, no GIMP, no I/O.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "oaimg/core/error.h"
#include "oaimg/core/image.h"
#include "oaimg/core/models.h"
#include "oaimg/core/request.h"

namespace oaimg {

struct RegionPlan {
  Rect region;           // the part of the canvas the model sees (inside the canvas)
  Rect padded;           // region plus padding to reach the target's aspect (may leave the source)
  uint32_t target_width = 0, target_height = 0;  // pixels sent
  std::string size_param;  // the size field to send ("1024x1024"), "" = none
};

// Bounds of the selection's non-zero coverage, clipped to the source; empty if none.
Rect selection_bounds(const Selection& selection, uint32_t source_width, uint32_t source_height);
// The same clipped to any area (a canvas larger than the source).
Rect selection_bounds_in(const Selection& selection, const Rect& area);

// Plans region, padding and target size for a model and operation. requested_size: a size the
// caller asked for ("auto" or unset = plan from the region). On custom-size models the planned
// size stays within the standard resolution (2560x1440) unless allow_experimental_size.
Result<RegionPlan> plan_region(const ModelCaps& caps, Operation op, uint32_t source_width,
                               uint32_t source_height, const Rect& selection_bounds,
                               ContextMode mode, const std::optional<std::string>& requested_size,
                               bool allow_experimental_size = false);
// The same over any area in source coordinates (a canvas larger than the source): the region
// stays inside `area`. Custom-size targets stay within the rule's standard size unless
// allow_experimental_size (the request's flag, ImageRequest::allow_experimental_size).
Result<RegionPlan> plan_region_in(const ModelCaps& caps, Operation op, const Rect& area,
                                  const Rect& selection_bounds, ContextMode mode,
                                  const std::optional<std::string>& requested_size,
                                  bool allow_experimental_size);

struct PreparedJob {
  RegionPlan plan;
  UploadFile image;                // the cropped, padded, rescaled region
  std::optional<UploadFile> mask;  // edits: alpha 0 over the (grown) selection
  std::vector<std::string> notes;  // what was done to meet size limits
  Rect area;                        // the canvas, in source coordinates
  std::optional<Selection> made_selection;  // extend: the new area and the blend into the old
  std::vector<UploadFile> references;       // sent after the image, in order
  std::optional<UploadFile> markup;         // the markup layer, mapped exactly like the image
};

// `area` (source coordinates) of an image placed at (at_x, at_y) as straight RGBA, transparent
// where the image does not reach: what the model sees of canvas that no pixels cover.
Image crop_transparent(const Image& image, int32_t at_x, int32_t at_y, const Rect& area);

// The selection that shapes the request mask and the put-back: the one an extend made, else the
// caller's (nullptr when there is none).
const Selection* effective_selection(const PreparedJob& job, const ImageRequest& req);

// Plans and encodes the uploads for req.source / req.selection within the model's limits.
Result<PreparedJob> prepare_job(const ImageRequest& req, const ModelCaps& caps);

// The put-back mask, rgba.width * rgba.height. Every result of a job has the same one, so the
// job's layers share a single copy (n results cost one mask, not n).
using SharedMask = std::shared_ptr<const std::vector<uint8_t>>;

struct PlacedLayer {
  Image rgba;                    // Rgba8, the result scaled to the region, padding cut off
  int32_t x = 0, y = 0;          // top-left in source coordinates
  SharedMask mask;               // never null in a placed layer
};

// The put-back mask of the job's region: the selection's coverage with the feathered band (255
// everywhere without a selection; an extend's own blend). The same for every result of the job.
Result<SharedMask> put_back_mask_for(const PreparedJob& job, const ImageRequest& req);

// Places one decoded result (any size; scaled to the padded region) back over the source.
Result<PlacedLayer> place_result(const PreparedJob& job, const ImageRequest& req,
                                 const Image& result_rgba);
// The same with the job's put-back mask already made (put_back_mask_for), shared, not rebuilt.
Result<PlacedLayer> place_result(const PreparedJob& job, const Image& result_rgba, SharedMask mask);

}  // namespace oaimg
