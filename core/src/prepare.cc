// Source and selection in, uploads out: plan the region, crop + pad + scale it, build the mask,
// and encode both under the model's byte limits.
#include <algorithm>
#include <new>

#include "encode_limits.h"
#include "masks.h"
#include "oaimg/core/pipeline.h"
#include "resample.h"

namespace oaimg {
namespace {

Outcome check_source(const std::optional<Image>& source) {
  if (!source || source->empty()) {
    return Error(Status::InvalidArgument, "no source image to prepare the request from");
  }
  if (source->pixels.size() < source->stride() * source->height) {
    return Error(Status::InvalidArgument, "the source's pixel buffer is smaller than its size");
  }
  return {};
}

// The next smaller upload when the PNGs do not fit: the next DALL·E 2 square, else three
// quarters of the size on a grid of 16. The size field sent stays as planned: the server scales
// its result to what was asked, and placement scales whatever comes back.
bool next_smaller(uint32_t& width, uint32_t& height) {
  if (width == height && (width == 1024 || width == 512)) {
    width /= 2;
    height /= 2;
    return true;
  }
  if (width == height && width <= 256) return false;
  const uint32_t w = std::max<uint32_t>(16, width * 3 / 4 / 16 * 16);
  const uint32_t h = std::max<uint32_t>(16, height * 3 / 4 / 16 * 16);
  if (w == width && h == height) return false;
  width = w;
  height = h;
  return true;
}

}  // namespace

Result<PreparedJob> prepare_job(const ImageRequest& req, const ModelCaps& caps) {
  if (Outcome ok = check_source(req.source); !ok) return ok.take_error();
  try {
    const Image& source = *req.source;
    const Rect bounds = req.selection ? selection_bounds(*req.selection, source.width,
                                                         source.height)
                                      : Rect{};
    if (req.op == Operation::Edit && bounds.empty()) {
      return Error(Status::NoSelection, "select the area to repaint");
    }
    auto plan = plan_region(caps, req.op, source.width, source.height, bounds, req.context_mode,
                            req.size, req.allow_experimental_size);
    if (!plan) return plan.take_error();
    PreparedJob job;
    job.plan = std::move(*plan);
    // A generation only needs the size closest to the region's shape.
    if (req.op == Operation::Generate) return job;

    const RegionPlan& p = job.plan;
    uint32_t width = p.target_width, height = p.target_height;
    for (;;) {
      const AxisMap x = map_span(p.padded.x, p.padded.width, width, p.region.x,
                                 p.region.x + p.region.width);
      const AxisMap y = map_span(p.padded.y, p.padded.height, height, p.region.y,
                                 p.region.y + p.region.height);
      auto pixels = resample_to_rgba(source, x, y);
      if (!pixels) return pixels.take_error();
      auto image = encode_png_under(*pixels, caps.input_max_bytes);
      if (!image) return image.take_error();
      std::optional<EncodedPng> mask;
      if (req.op == Operation::Edit) {
        auto mask_pixels = make_request_mask(*req.selection, p.region, p.padded, width, height,
                                             request_mask_grow(width, height));
        if (!mask_pixels) return mask_pixels.take_error();
        auto encoded = encode_png_under(*mask_pixels, caps.mask_max_bytes);
        if (!encoded) return encoded.take_error();
        mask = std::move(*encoded);
      }
      const bool fits = image->fits && (!mask || mask->fits);
      const uint32_t tried_width = width, tried_height = height;
      if (!fits && !next_smaller(width, height)) {
        return Error(Status::Image, "cannot encode the region under the model's size limit: " +
                                        image->note);
      }
      if (!fits) {
        job.notes.push_back("over the limit at " + std::to_string(tried_width) + "x" +
                            std::to_string(tried_height) + " (" + image->note +
                            (mask ? "; mask " + mask->note : "") + "), trying " +
                            std::to_string(width) + "x" + std::to_string(height));
        continue;
      }
      job.plan.target_width = width;
      job.plan.target_height = height;
      job.image.bytes = std::move(image->bytes);
      job.image.format = FileFormat::Png;
      job.notes.push_back("image: " + image->note);
      if (mask) {
        job.mask = UploadFile{std::move(mask->bytes), FileFormat::Png};
        job.notes.push_back("mask: " + mask->note);
      }
      return job;
    }
  } catch (const std::bad_alloc&) {
    return Error(Status::NoMemory, "out of memory preparing the request");
  }
}

}  // namespace oaimg
