// Source and selection in, uploads out: plan the region, crop + pad + scale it, build the mask,
// and encode both under the model's byte limits.
#include <algorithm>
#include <cmath>
#include <new>
#include <string>

#include "encode_limits.h"
#include "geometry.h"
#include "masks.h"
#include "oaimg/core/extend.h"
#include "oaimg/core/pipeline.h"
#include "resample.h"

namespace oaimg {
namespace {

Outcome check_source(const ImageRequest& req) {
  if (!req.source && req.source_png) {
    if (req.extend)
      return Error(Status::InvalidArgument,
                   "extend reads the whole source: give it as pixels or PNG bytes, not as a "
                   "PNG read for its region only");
    return {};
  }
  const std::optional<Image>& source = req.source;
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

// One pixel of any 8-bit format as straight RGBA.
void to_rgba(const uint8_t* p, int n, uint8_t* out) {
  switch (n) {
    case 1: out[0] = out[1] = out[2] = p[0]; out[3] = 255; break;
    case 2: out[0] = out[1] = out[2] = p[0]; out[3] = p[1]; break;
    case 3: out[0] = p[0]; out[1] = p[1]; out[2] = p[2]; out[3] = 255; break;
    default: out[0] = p[0]; out[1] = p[1]; out[2] = p[2]; out[3] = p[3]; break;
  }
}


// The plan's padded region of an image placed at (at_x, at_y), sampled at width x height: the
// same mapping for the edited image and the markup, so that they line up pixel for pixel.
Result<Image> render_region(const Image& image, int32_t at_x, int32_t at_y, const RegionPlan& p,
                            uint32_t width, uint32_t height) {
  const Rect placed{at_x, at_y, int32_t(image.width), int32_t(image.height)};
  if (intersect(placed, p.region) == p.region) {
    const AxisMap x = map_span(p.padded.x - at_x, p.padded.width, width, p.region.x - at_x,
                               p.region.x - at_x + p.region.width);
    const AxisMap y = map_span(p.padded.y - at_y, p.padded.height, height, p.region.y - at_y,
                               p.region.y - at_y + p.region.height);
    return resample_to_rgba(image, x, y);
  }
  const Image cropped = crop_transparent(image, at_x, at_y, p.region);
  const AxisMap x = map_span(p.padded.x - p.region.x, p.padded.width, width, 0, p.region.width);
  const AxisMap y = map_span(p.padded.y - p.region.y, p.padded.height, height, 0, p.region.height);
  return resample_to_rgba(cropped, x, y);
}

// A reference within the model's input limits: scaled down (never up) to the largest area the
// model makes, which is all the detail a guide image can pass on, then encoded under the
// per-image byte limit.
Result<EncodedPng> encode_reference(const Image& reference, const ModelCaps& caps, Operation op) {
  // The standard sizes, also when experimental ones are allowed: those are about what the model
  // makes, and a guide image gains nothing from more pixels than the standard largest.
  const TargetSize largest = largest_target(caps, op, false);
  // Whatever sizes an unknown model's table lists, never above the bound on any size.
  const double budget =
      std::min(double(largest.width) * largest.height, double(kMaxSizePixels));
  double scale = std::min(1.0, std::sqrt(budget / (double(reference.width) * reference.height)));
  for (;;) {
    const uint32_t w = std::max<uint32_t>(1, uint32_t(std::lround(reference.width * scale)));
    const uint32_t h = std::max<uint32_t>(1, uint32_t(std::lround(reference.height * scale)));
    const AxisMap x = map_span(0, reference.width, w, 0, int32_t(reference.width));
    const AxisMap y = map_span(0, reference.height, h, 0, int32_t(reference.height));
    auto pixels = resample_to_rgba(reference, x, y);
    if (!pixels) return pixels.take_error();
    auto encoded = encode_png_under(*pixels, caps.input_max_bytes);
    if (!encoded) return encoded.take_error();
    if (encoded->fits) {
      encoded->note = format_wxh(w, h) + (scale < 1.0 ? " (scaled down), " : ", ") + encoded->note;
      return encoded;
    }
    if (w <= 16 && h <= 16) return Error(Status::Image, "cannot encode a reference under the model's size limit");
    scale *= 0.75;
  }
}

// A canvas, a reference or a markup layer within the limits on any image oaimg takes in
// (PngDecodeLimits: the same as on a decoded file), checked before anything of that size is
// allocated or resampled; the message names the limit.
Outcome check_image_bound(const std::string& what, uint64_t width, uint64_t height) {
  const PngDecodeLimits limits;
  if (width <= limits.max_side && height <= limits.max_side && width * height <= limits.max_pixels)
    return {};
  return Error(Status::InvalidArgument,
               what + " is " + std::to_string(width) + "x" + std::to_string(height) +
                   "; oaimg takes images of at most " + std::to_string(limits.max_side) +
                   " pixels a side and " + std::to_string(limits.max_pixels) + " pixels in all");
}

// What a whole-job request refuses before anything is prepared or sent.
Outcome check_whole_job_inputs(const ImageRequest& req, const ModelCaps& caps) {
  const std::string model = caps.name.empty() ? "this model" : caps.name;
  if (req.canvas && !req.canvas->empty())
    if (Outcome ok = check_image_bound("the canvas", uint32_t(req.canvas->width),
                                       uint32_t(req.canvas->height));
        !ok)
      return ok;
  if (req.extend && req.source) {
    auto canvas = extended_canvas(req.source->width, req.source->height, *req.extend);
    if (!canvas) return canvas.take_error();
    if (Outcome ok = check_image_bound("the extended canvas", uint32_t(canvas->width),
                                       uint32_t(canvas->height));
        !ok)
      return ok;
  }
  if (!req.references.empty()) {
    if (req.op == Operation::Generate)
      return Error(Status::InvalidArgument,
                   "reference images guide an edit; make an edit or a variation to use them");
    if (caps.max_input_images <= 1)
      return Error(Status::Unsupported,
                   model + " takes one image, so it cannot take reference images; use a GPT "
                           "image model (up to 15 references after the edited image)");
    const size_t most = size_t(caps.max_input_images - 1);
    if (req.references.size() > most)
      return Error(Status::InvalidArgument,
                   std::to_string(req.references.size()) + " reference images were given; " +
                       model + " takes at most " + std::to_string(most) +
                       " after the edited image");
    for (size_t i = 0; i < req.references.size(); ++i) {
      const Image& r = req.references[i];
      if (r.empty() || r.pixels.size() < r.stride() * r.height)
        return Error(Status::InvalidArgument,
                     "reference " + std::to_string(i + 1) + " is empty or smaller than its size");
      if (Outcome ok = check_image_bound("reference " + std::to_string(i + 1), r.width, r.height);
          !ok)
        return ok;
    }
  }
  if (req.markup_layer) {
    const Image& m = req.markup_layer->image;
    if (req.op != Operation::Edit)
      return Error(Status::InvalidArgument, "markup guides an edit; it is not sent for " +
                                                std::string(operation_name(req.op)) + "s");
    if (!caps.markup)
      return Error(Status::Unsupported,
                   model + " does not accept markup; use a GPT Image 2.5 model "
                           "(gpt-image-2.5-sunburst or gpt-image-2.5-flare) or a selection");
    if (req.extend)
      return Error(Status::InvalidArgument,
                   "markup cannot be combined with extend: an extend sends a mask, and markup is "
                   "not combinable with a mask");
    if (m.empty() || m.pixels.size() < m.stride() * m.height || channels(m.format) % 2)
      return Error(Status::InvalidArgument,
                   "the markup layer must be RGBA or gray+alpha pixels (its transparent pixels "
                   "show the image)");
    if (Outcome ok = check_image_bound("the markup layer", m.width, m.height); !ok) return ok;
  }
  if (req.extend && req.op != Operation::Edit)
    return Error(Status::InvalidArgument, "extend is an edit; it cannot be a " +
                                              std::string(operation_name(req.op)));
  if (req.extend && req.canvas)
    return Error(Status::InvalidArgument,
                 "extend makes its own canvas from the margins; set either extend or a canvas");
  if (req.canvas && req.canvas->empty())
    return Error(Status::InvalidArgument, "the canvas is empty");
  return {};
}

}  // namespace

// `area` (source coordinates) of an image placed at (at_x, at_y), transparent where the image
// does not reach: what the model sees of canvas that no pixels cover.
Image crop_transparent(const Image& image, int32_t at_x, int32_t at_y, const Rect& area) {
  Image out;
  out.width = uint32_t(area.width);
  out.height = uint32_t(area.height);
  out.format = PixelFormat::Rgba8;
  out.pixels.assign(size_t(out.width) * out.height * 4, 0);
  const Rect placed{at_x, at_y, int32_t(image.width), int32_t(image.height)};
  const Rect both = intersect(placed, area);
  const int n = channels(image.format);
  for (int32_t y = both.y; y < both.y + both.height; ++y) {
    const uint8_t* src = image.pixels.data() + size_t(y - at_y) * image.stride() +
                         size_t(both.x - at_x) * n;
    uint8_t* dst = out.pixels.data() + (size_t(y - area.y) * out.width + (both.x - area.x)) * 4;
    for (int32_t x = 0; x < both.width; ++x) to_rgba(src + size_t(x) * n, n, dst + size_t(x) * 4);
  }
  return out;
}

Result<PreparedJob> prepare_job(const ImageRequest& req, const ModelCaps& caps) {
  if (Outcome ok = check_source(req); !ok) return ok.take_error();
  try {
    if (Outcome ok = check_whole_job_inputs(req, caps); !ok) return ok.take_error();
    struct {
      uint32_t width, height;
    } const source{req.source ? req.source->width : req.source_png->width,
                   req.source ? req.source->height : req.source_png->height};
    PreparedJob job;
    job.area = Rect{0, 0, int32_t(source.width), int32_t(source.height)};
    if (req.canvas) job.area = *req.canvas;
    if (req.extend) {
      auto canvas = extended_canvas(source.width, source.height, *req.extend);
      if (!canvas) return canvas.take_error();
      job.area = *canvas;
      job.made_selection = extend_selection(
          source.width, source.height, *req.extend,
          extend_blend_width(source.width, source.height, *req.extend));
    }
    const Selection* selection = effective_selection(job, req);
    const Rect bounds = selection ? selection_bounds_in(*selection, job.area) : Rect{};
    // Markup guides the edit instead of a mask: without a selection the model sees the whole
    // canvas and the whole result is kept. So do references without a selection: the edit of
    // the whole image they guide sends no mask.
    const bool markup = req.op == Operation::Edit && req.markup_layer;
    const bool whole_guided = req.op == Operation::Edit && bounds.empty() && !req.references.empty();
    if (req.op == Operation::Edit && bounds.empty() && !markup && !whole_guided) {
      return Error(Status::NoSelection, "select the area to repaint");
    }
    auto plan = plan_region_in(caps, req.op, job.area, bounds,
                               bounds.empty() ? ContextMode::Image : req.context_mode, req.size,
                               req.allow_experimental_size);
    if (!plan) return plan.take_error();
    // The planned size under the same bound as a size asked for (an unknown model's table).
    if (Outcome bound = check_size_bound(plan->size_param); !bound) return bound.take_error();
    job.plan = std::move(*plan);
    // A generation only needs the size closest to the region's shape.
    if (req.op == Operation::Generate) return job;

    const RegionPlan& p = job.plan;
    const double scale = std::min(double(p.target_width) / p.padded.width,
                                  double(p.target_height) / p.padded.height);
    if (scale < 1.0 - 1e-9) {
      job.notes.push_back("the region " + format_wxh(uint32_t(p.region.width), uint32_t(p.region.height)) +
                          " is larger than " + caps.name + " makes in one request: sent scaled to " +
                          std::to_string(int(std::lround(scale * 100))) + "% (" +
                          format_wxh(p.target_width, p.target_height) + ")");
    }
    for (size_t i = 0; i < req.references.size(); ++i) {
      auto reference = encode_reference(req.references[i], caps, req.op);
      if (!reference) return reference.take_error();
      job.notes.push_back("reference " + std::to_string(i + 1) + ": " + reference->note);
      job.references.push_back(UploadFile{std::move(reference->bytes), FileFormat::Png});
    }
    // The pixels the request is made of: the source, or only the region's part of it read from
    // the PNG (rows above and below inflated and dropped), placed where it lies in the source.
    const Image* pixels_from = req.source ? &*req.source : nullptr;
    Image window;
    int32_t window_x = 0, window_y = 0;
    const EncodedSource* png = req.source_png.get();
    const PngConsumed consumed = [png](size_t done) { png->consumed(done); };
    auto source_error = [](Error e) {
      e.message = "source: " + e.message;
      return e;
    };
    // A region inside a large PNG is resampled as the file is inflated (shrink on load), at every
    // size tried; any other is decoded once.
    bool on_load = !pixels_from &&
                   intersect(p.region, Rect{0, 0, int32_t(source.width), int32_t(source.height)}) == p.region;
    auto decode_window = [&]() -> Outcome {
      pixels_from = &window;
      const Rect inside = intersect(p.region, Rect{0, 0, int32_t(source.width), int32_t(source.height)});
      if (inside.empty()) return {};
      auto read = decode_png_region(png->data, png->size, inside, png->limits, consumed);
      if (!read) return source_error(read.take_error());
      window = std::move(*read);
      window_x = inside.x;
      window_y = inside.y;
      return {};
    };
    if (!pixels_from && !on_load)
      if (Outcome read = decode_window(); !read) return read.take_error();
    uint32_t width = p.target_width, height = p.target_height;
    for (;;) {
      std::optional<Image> loaded;
      if (on_load) {
        const AxisMap x = map_span(p.padded.x - p.region.x, p.padded.width, width, 0, p.region.width);
        const AxisMap y = map_span(p.padded.y - p.region.y, p.padded.height, height, 0, p.region.height);
        auto streamed = resample_png_region(png->data, png->size, p.region, png->limits, consumed, x, y);
        if (!streamed) return source_error(streamed.take_error());
        loaded = std::move(*streamed);
        if (!loaded) {  // a file read whole
          on_load = false;
          if (Outcome read = decode_window(); !read) return read.take_error();
        }
      }
      auto pixels = loaded ? Result<Image>(std::move(*loaded))
                           : render_region(*pixels_from, window_x, window_y, p, width, height);
      if (!pixels) return pixels.take_error();
      auto image = encode_png_under(*pixels, caps.input_max_bytes);
      if (!image) return image.take_error();
      std::optional<EncodedPng> mask;
      if (markup) {
        const PlacedImage& layer = *req.markup_layer;
        auto markup_pixels = render_region(layer.image, layer.x, layer.y, p, width, height);
        if (!markup_pixels) return markup_pixels.take_error();
        // Checked as sent: an opaque markup would otherwise lose its alpha channel in encoding.
        if (Outcome ok = check_markup_pixels(*markup_pixels); !ok) return ok.take_error();
        auto encoded = encode_png_under(*markup_pixels, caps.mask_max_bytes);
        if (!encoded) return encoded.take_error();
        mask = std::move(*encoded);
      } else if (req.op == Operation::Edit && !whole_guided) {
        auto mask_pixels = make_request_mask(*selection, p.region, p.padded, width, height,
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
                            (mask ? (markup ? "; markup " : "; mask ") + mask->note : "") + "), trying " +
                            std::to_string(width) + "x" + std::to_string(height));
        continue;
      }
      job.plan.target_width = width;
      job.plan.target_height = height;
      job.image.bytes = std::move(image->bytes);
      job.image.format = FileFormat::Png;
      job.notes.push_back("image: " + image->note);
      if (mask) {
        (markup ? job.markup : job.mask) = UploadFile{std::move(mask->bytes), FileFormat::Png};
        job.notes.push_back((markup ? "markup: " : "mask: ") + mask->note);
      }
      return job;
    }
  } catch (const std::bad_alloc&) {
    return Error(Status::NoMemory, "out of memory preparing the request");
  }
}

}  // namespace oaimg
