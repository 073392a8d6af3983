// A result back over the source: scaled to the padded region, padding cut off, with the put-back
// mask that limits it to the selection.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <new>

#include "geometry.h"
#include "masks.h"
#include "oaimg/core/pipeline.h"
#include "resample.h"

namespace oaimg {

const Selection* effective_selection(const PreparedJob& job, const ImageRequest& req) {
  if (job.made_selection) return &*job.made_selection;
  return req.selection ? &*req.selection : nullptr;
}

Result<SharedMask> put_back_mask_for(const PreparedJob& job, const ImageRequest& req) {
  const RegionPlan& plan = job.plan;
  if (plan.region.empty() || plan.padded.empty()) {
    return Error(Status::InvalidArgument, "the job has no region to place results into");
  }
  try {
    auto mask = std::make_shared<std::vector<uint8_t>>();
    const Selection* selection = effective_selection(job, req);
    Rect area = job.area;
    if (area.empty() && req.source) area = Rect{0, 0, int32_t(req.source->width), int32_t(req.source->height)};
    const bool has_selection = selection && !selection_bounds_in(*selection, area).empty();
    if (!has_selection) {
      mask->assign(size_t(plan.region.width) * plan.region.height, 255);
      return SharedMask(std::move(mask));
    }
    if (job.made_selection) {
      // An extend's selection already is the blend: 255 over the new area, a linear ramp into
      // the old image, all of it repainted by the model. Kept as it is, the old edge fades
      // into the new area over the whole ramp; a band grown from its half-way line would
      // turn the inner half of the ramp into a step.
      const Selection& s = *job.made_selection;
      mask->assign(size_t(plan.region.width) * plan.region.height, 0);
      const Rect covered = intersect(Rect{s.x, s.y, int32_t(s.width), int32_t(s.height)}, plan.region);
      for (int32_t y = covered.y; y < covered.y + covered.height; ++y) {
        const uint8_t* src = s.coverage.data() + size_t(y - s.y) * s.width + size_t(covered.x - s.x);
        std::copy(src, src + covered.width,
                  mask->begin() + std::ptrdiff_t(y - plan.region.y) * plan.region.width +
                      (covered.x - plan.region.x));
      }
      return SharedMask(std::move(mask));
    }
    // The band stays inside what the request mask let the model repaint.
    const uint32_t sent_w = std::max<uint32_t>(plan.target_width, 1);
    const uint32_t sent_h = std::max<uint32_t>(plan.target_height, 1);
    const double source_per_sent = double(plan.padded.width) / sent_w;
    const int band = int(std::floor(request_mask_grow(sent_w, sent_h) * source_per_sent));
    auto made = make_put_back_mask(*selection, plan.region, band);
    if (!made) return made.take_error();
    *mask = std::move(*made);
    return SharedMask(std::move(mask));
  } catch (const std::bad_alloc&) {
    return Error(Status::NoMemory, "out of memory making the put-back mask");
  }
}

Result<PlacedLayer> place_result(const PreparedJob& job, const Image& result, SharedMask mask) {
  const RegionPlan& plan = job.plan;
  if (plan.region.empty() || plan.padded.empty()) {
    return Error(Status::InvalidArgument, "the job has no region to place results into");
  }
  if (!mask || mask->size() != size_t(plan.region.width) * plan.region.height) {
    return Error(Status::InvalidArgument, "the put-back mask does not match the job's region");
  }
  if (result.empty() || result.pixels.size() < result.stride() * result.height) {
    return Error(Status::Image, "the result image is empty");
  }
  try {
    // The result covers the padded rect whatever its pixel size; the region's pixels sample it
    // at their own centres, so a result lands exactly where its source was.
    const double kx = double(result.width) / plan.padded.width;
    const double ky = double(result.height) / plan.padded.height;
    AxisMap x;
    x.origin = (plan.region.x - plan.padded.x) * kx;
    x.step = kx;
    x.clamp_begin = 0;
    x.clamp_end = int32_t(result.width);
    x.out_size = uint32_t(plan.region.width);
    AxisMap y;
    y.origin = (plan.region.y - plan.padded.y) * ky;
    y.step = ky;
    y.clamp_begin = 0;
    y.clamp_end = int32_t(result.height);
    y.out_size = uint32_t(plan.region.height);
    auto pixels = resample_to_rgba(result, x, y);
    if (!pixels) return pixels.take_error();

    PlacedLayer layer;
    layer.rgba = std::move(*pixels);
    layer.x = plan.region.x;
    layer.y = plan.region.y;
    layer.mask = std::move(mask);
    return layer;
  } catch (const std::bad_alloc&) {
    return Error(Status::NoMemory, "out of memory placing a result");
  }
}

Result<PlacedLayer> place_result(const PreparedJob& job, const ImageRequest& req,
                                 const Image& result) {
  Result<SharedMask> mask = put_back_mask_for(job, req);
  if (!mask) return mask.take_error();
  return place_result(job, result, std::move(*mask));
}

}  // namespace oaimg
