#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>
#include <optional>
#include <limits>
#include <string>

#include "handles.h"
#include "oaimg/core/extend.h"
#include "packed_pixels.h"
#include "oaimg/core/png_codec.h"

#ifndef _WIN32
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

using oaimg_capi::guarded;
using oaimg_capi::copy_rows;
using oaimg_capi::to_c;
using oaimg_capi::RequestFailAdapter;

namespace {

// A source PNG file kept encoded until planning reads its region. Mapped where the system maps
// files, and the pages the streaming reader is done with are dropped from this process's memory
// (they stay in the page cache, and come back if the file is read again); else read whole.
class PngFile final : public oaimg::EncodedSource {
 public:
  ~PngFile() override {
#ifndef _WIN32
    if (mapped_) munmap(const_cast<uint8_t*>(data), size);
#endif
  }

  // 0, or errno.
  int open(const char* path) {
#ifndef _WIN32
    const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
      void* at = mmap(nullptr, size_t(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
      if (at != MAP_FAILED) {
        ::close(fd);
        posix_madvise(at, size_t(st.st_size), POSIX_MADV_SEQUENTIAL);
        data = static_cast<const uint8_t*>(at);
        size = size_t(st.st_size);
        mapped_ = true;
        return 0;
      }
    }
    ::close(fd);
#endif
    std::FILE* f = std::fopen(path, "rb");
    if (!f) return errno;
    uint8_t chunk[65536];
    for (size_t got; (got = std::fread(chunk, 1, sizeof chunk, f)) > 0;)
      bytes_.insert(bytes_.end(), chunk, chunk + got);
    const bool failed = std::ferror(f);
    std::fclose(f);
    if (failed) return EIO;
    data = bytes_.data();
    size = bytes_.size();
    return 0;
  }

  void consumed(size_t done) const override {
#ifndef _WIN32
    if (!mapped_) return;
    static const size_t page = size_t(sysconf(_SC_PAGESIZE));
    const size_t upto = std::min(done, size) / page * page;
    if (upto <= dropped_ + (size_t(4) << 20) && done < size) return;  // a few MB at a time
    madvise(const_cast<uint8_t*>(data) + dropped_, upto - dropped_, MADV_DONTNEED);
    dropped_ = upto;
    if (done >= size) dropped_ = 0;  // read again from the start next time
#endif
  }

 private:
  bool mapped_ = false;
  mutable size_t dropped_ = 0;
  std::vector<uint8_t> bytes_;
};

bool valid_utf8(const char* s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s);
  while (*p) {
    int extra = *p < 0x80 ? 0 : (*p >> 5) == 0x6 ? 1 : (*p >> 4) == 0xE ? 2 : (*p >> 3) == 0x1E ? 3 : -1;
    if (extra < 0) return false;
    ++p;
    for (int i = 0; i < extra; ++i, ++p)
      if ((*p & 0xC0) != 0x80) return false;
  }
  return true;
}

// Caller pixels into an Image, or a message naming what is wrong with them.
std::optional<std::string> copy_image(oaimg::Image& image, const char* what, const uint8_t* pixels,
                                      uint32_t width, uint32_t height, size_t stride,
                                      int raw_format) {
  // raw_format: the caller's oaimg_pixel_format as read by oaimg_capi::enum_value, checked as
  // an integer before it becomes an enum (an out-of-range enum value is undefined).
  if (raw_format < OAIMG_RGBA8 || raw_format > OAIMG_GRAYA8)
    return std::string(what) + " format " + std::to_string(raw_format) +
           ": use OAIMG_RGBA8, OAIMG_RGB8, OAIMG_GRAY8 or OAIMG_GRAYA8";
  if (!pixels || width == 0 || height == 0)
    return std::string(what) + ": pixels must be non-NULL and width and height at least 1 (got " +
           std::to_string(width) + "x" + std::to_string(height) + ")";
  image.width = width;
  image.height = height;
  image.format = static_cast<oaimg::PixelFormat>(raw_format);
  if (!copy_rows(image.pixels, pixels, width, height, stride, oaimg::channels(image.format)))
    return std::string(what) + " stride " + std::to_string(stride) + " for " +
           std::to_string(width) + "x" + std::to_string(height) +
           " pixels: the stride must be at least a row (width x bytes per pixel, or 0 for packed "
           "rows) and the image must fit in memory";
  return std::nullopt;
}


// Copies caller pixels and hands them to `store`, or fails naming what is wrong with them.
template <class Store>
oaimg_status set_pixels(oaimg_request* request, const std::string& what, const uint8_t* pixels,
                        uint32_t width, uint32_t height, size_t stride, int raw_format,
                        Store&& store) {
  RequestFailAdapter adapter{request};
  return guarded(&adapter, [&] {
    oaimg::Image image;
    if (auto wrong = copy_image(image, what.c_str(), pixels, width, height, stride, raw_format))
      return request->fail(OAIMG_ERR_INVALID_ARGUMENT, *wrong);
    store(std::move(image));
    return request->succeed();
  });
}

oaimg_status set_text(oaimg_request* request, std::optional<std::string> oaimg::ImageRequest::*field,
                      const char* name, const char* value) {
  if (!request) return OAIMG_ERR_INVALID_ARGUMENT;
  RequestFailAdapter adapter{request};
  return guarded(&adapter, [&] {
    if (!value) {
      (request->request.*field).reset();
      return request->succeed();
    }
    if (!valid_utf8(value))
      return request->fail(OAIMG_ERR_INVALID_ARGUMENT,
                           std::string(name) + " is not valid UTF-8 text");
    request->request.*field = std::string(value);
    return request->succeed();
  });
}

oaimg_status set_file(oaimg_request* request, const char* name, const uint8_t* data, size_t size,
                      bool append, std::optional<oaimg::UploadFile> oaimg::ImageRequest::*field) {
  if (!request) return OAIMG_ERR_INVALID_ARGUMENT;
  RequestFailAdapter adapter{request};
  return guarded(&adapter, [&] {
    if (!data || size == 0)
      return request->fail(OAIMG_ERR_INVALID_ARGUMENT,
                           std::string(name) + ": no bytes given (data is NULL or size is 0)");
    oaimg::UploadFile file;
    file.bytes.assign(data, data + size);
    file.format = oaimg::sniff_format(file.bytes);
    if (file.format == oaimg::FileFormat::Unknown)
      return request->fail(OAIMG_ERR_IMAGE, std::string(name) +
                                                ": not a PNG, JPEG or WebP file (unrecognised first bytes)");
    if (append)
      request->request.images.push_back(std::move(file));
    else
      request->request.*field = std::move(file);
    return request->succeed();
  });
}

}  // namespace

extern "C" {

oaimg_status oaimg_request_new(oaimg_operation operation, oaimg_request** out_request) {
  if (!out_request) return OAIMG_ERR_INVALID_ARGUMENT;
  const int op = oaimg_capi::enum_value(operation);
  if (op != OAIMG_GENERATE && op != OAIMG_EDIT && op != OAIMG_VARIATION)
    return OAIMG_ERR_INVALID_ARGUMENT;
  try {
    auto* request = new oaimg_request;
    request->request.op = static_cast<oaimg::Operation>(op);
    *out_request = request;
    return OAIMG_OK;
  } catch (const std::bad_alloc&) {
    return OAIMG_ERR_NO_MEMORY;
  } catch (...) {
    return OAIMG_ERR_INTERNAL;
  }
}

void oaimg_request_free(oaimg_request* request) { delete request; }

const char* oaimg_request_error_message(const oaimg_request* request) {
  return request ? request->error.c_str() : "no request (NULL handle)";
}

oaimg_operation oaimg_request_operation(const oaimg_request* request) {
  return request ? static_cast<oaimg_operation>(request->request.op) : OAIMG_GENERATE;
}

#define OAIMG_TEXT_SETTER(fn, field)                                           \
  oaimg_status oaimg_request_set_##fn(oaimg_request* request, const char* value) { \
    return set_text(request, &oaimg::ImageRequest::field, #field, value);      \
  }

OAIMG_TEXT_SETTER(prompt, prompt)
OAIMG_TEXT_SETTER(model, model)
OAIMG_TEXT_SETTER(size, size)
OAIMG_TEXT_SETTER(quality, quality)
OAIMG_TEXT_SETTER(background, background)
OAIMG_TEXT_SETTER(output_format, output_format)
OAIMG_TEXT_SETTER(moderation, moderation)
OAIMG_TEXT_SETTER(input_fidelity, input_fidelity)
OAIMG_TEXT_SETTER(style, style)
OAIMG_TEXT_SETTER(response_format, response_format)
OAIMG_TEXT_SETTER(user, user)
OAIMG_TEXT_SETTER(complexity, complexity)
#undef OAIMG_TEXT_SETTER

oaimg_status oaimg_request_set_safety_identifier(oaimg_request* request, const char* value) {
  // "" means "not given", as in the SDK: an empty identifier must not hide the user field.
  return set_text(request, &oaimg::ImageRequest::safety_identifier, "safety_identifier",
                  value && *value ? value : nullptr);
}

oaimg_status oaimg_request_set_allow_experimental_size(oaimg_request* request, int allow) {
  if (!request) return OAIMG_ERR_INVALID_ARGUMENT;
  request->request.allow_experimental_size = allow != 0;
  return request->succeed();
}

oaimg_status oaimg_request_set_n(oaimg_request* request, int n) {
  if (!request) return OAIMG_ERR_INVALID_ARGUMENT;
  RequestFailAdapter adapter{request};
  return guarded(&adapter, [&] {
    if (n < 1)
      return request->fail(OAIMG_ERR_INVALID_ARGUMENT,
                           "n " + std::to_string(n) + ": the number of images must be at least 1");
    request->request.n = n;
    return request->succeed();
  });
}

oaimg_status oaimg_request_set_output_compression(oaimg_request* request, int compression) {
  if (!request) return OAIMG_ERR_INVALID_ARGUMENT;
  RequestFailAdapter adapter{request};
  return guarded(&adapter, [&] {
    if (compression == -1) {
      request->request.output_compression.reset();
      return request->succeed();
    }
    if (compression < 0 || compression > 100)
      return request->fail(OAIMG_ERR_INVALID_ARGUMENT,
                           "output_compression " + std::to_string(compression) +
                               ": must be between 0 and 100, or -1 to leave it unset");
    request->request.output_compression = compression;
    return request->succeed();
  });
}

oaimg_status oaimg_request_set_stream(oaimg_request* request, int partial_images) {
  if (!request) return OAIMG_ERR_INVALID_ARGUMENT;
  RequestFailAdapter adapter{request};
  return guarded(&adapter, [&] {
    if (partial_images == -1) {
      request->request.partial_images.reset();
      return request->succeed();
    }
    if (partial_images < 0 || partial_images > 3)
      return request->fail(OAIMG_ERR_INVALID_ARGUMENT,
                           "partial_images " + std::to_string(partial_images) +
                               ": must be between 0 and 3, or -1 to turn streaming off");
    request->request.partial_images = partial_images;
    return request->succeed();
  });
}

oaimg_status oaimg_request_add_image(oaimg_request* request, const uint8_t* data, size_t size) {
  return set_file(request, "image", data, size, true, nullptr);
}

oaimg_status oaimg_request_set_mask(oaimg_request* request, const uint8_t* png, size_t size) {
  return set_file(request, "mask", png, size, false, &oaimg::ImageRequest::mask);
}

oaimg_status oaimg_request_set_markup(oaimg_request* request, const uint8_t* png, size_t size) {
  return set_file(request, "markup", png, size, false, &oaimg::ImageRequest::markup);
}

oaimg_status oaimg_request_set_source(oaimg_request* request, const uint8_t* pixels,
                                      uint32_t width, uint32_t height, size_t stride,
                                      oaimg_pixel_format format) {
  if (!request) return OAIMG_ERR_INVALID_ARGUMENT;
  return set_pixels(request, "source", pixels, width, height, stride,
                    oaimg_capi::enum_value(format),
                    [&](oaimg::Image&& image) {
                      request->request.source = std::move(image);
                      request->request.source_png.reset();
                    });
}

uint8_t* oaimg_request_source_buffer(oaimg_request* request, uint32_t width, uint32_t height,
                                    oaimg_pixel_format format, size_t* stride) {
  if (stride) *stride = 0;
  if (!request) return nullptr;
  RequestFailAdapter adapter{request};
  uint8_t* pixels = nullptr;
  const int raw_format = oaimg_capi::enum_value(format);
  guarded(&adapter, [&] {
    if (raw_format < OAIMG_RGBA8 || raw_format > OAIMG_GRAYA8)
      return request->fail(OAIMG_ERR_INVALID_ARGUMENT,
                           "source format " + std::to_string(raw_format) +
                               ": use OAIMG_RGBA8, OAIMG_RGB8, OAIMG_GRAY8 or OAIMG_GRAYA8");
    oaimg::Image image;
    image.format = static_cast<oaimg::PixelFormat>(raw_format);
    const size_t row = size_t(width) * size_t(oaimg::channels(image.format));
    if (width == 0 || height == 0 || row / size_t(oaimg::channels(image.format)) != width ||
        row > std::numeric_limits<size_t>::max() / height)
      return request->fail(OAIMG_ERR_INVALID_ARGUMENT,
                           "source buffer " + std::to_string(width) + "x" + std::to_string(height) +
                               ": width and height must be at least 1 and the image must fit in "
                               "memory");
    image.width = width;
    image.height = height;
    image.pixels.assign(row * height, 0);
    request->request.source = std::move(image);
    request->request.source_png.reset();
    pixels = request->request.source->pixels.data();
    if (stride) *stride = row;
    return request->succeed();
  });
  return pixels;
}

oaimg_status oaimg_request_set_selection(oaimg_request* request, const uint8_t* coverage,
                                         uint32_t width, uint32_t height, size_t stride,
                                         int32_t offset_x, int32_t offset_y) {
  if (!request) return OAIMG_ERR_INVALID_ARGUMENT;
  RequestFailAdapter adapter{request};
  return guarded(&adapter, [&] {
    if (!coverage || width == 0 || height == 0) {
      request->request.selection.reset();
      return request->succeed();
    }
    oaimg::Selection selection;
    selection.x = offset_x;
    selection.y = offset_y;
    selection.width = width;
    selection.height = height;
    if (!copy_rows(selection.coverage, coverage, width, height, stride, 1))
      return request->fail(OAIMG_ERR_INVALID_ARGUMENT,
                           "selection stride " + std::to_string(stride) + " is smaller than its width");
    request->request.selection = std::move(selection);
    return request->succeed();
  });
}

oaimg_status oaimg_request_set_context_mode(oaimg_request* request, oaimg_context_mode mode) {
  if (!request) return OAIMG_ERR_INVALID_ARGUMENT;
  RequestFailAdapter adapter{request};
  const int raw_mode = oaimg_capi::enum_value(mode);
  return guarded(&adapter, [&] {
    if (raw_mode < OAIMG_CONTEXT_AUTO || raw_mode > OAIMG_CONTEXT_IMAGE)
      return request->fail(OAIMG_ERR_INVALID_ARGUMENT,
                           "context mode " + std::to_string(raw_mode) +
                               ": use OAIMG_CONTEXT_AUTO, OAIMG_CONTEXT_SELECTION or OAIMG_CONTEXT_IMAGE");
    request->request.context_mode = static_cast<oaimg::ContextMode>(raw_mode);
    return request->succeed();
  });
}

oaimg_status oaimg_request_set_source_png(oaimg_request* request, const uint8_t* png, size_t size) {
  if (!request) return OAIMG_ERR_INVALID_ARGUMENT;
  RequestFailAdapter adapter{request};
  return guarded(&adapter, [&] {
    if (!png || size == 0)
      return request->fail(OAIMG_ERR_INVALID_ARGUMENT, "source PNG: no bytes given");
    auto image = oaimg::decode_png_pixels(png, size);
    if (!image)
      return request->fail(to_c(image.error().status), "source: " + image.error().message);
    request->request.source = std::move(*image);
    request->request.source_png.reset();
    return request->succeed();
  });
}

oaimg_status oaimg_request_set_source_png_file(oaimg_request* request, const char* path) {
  if (!request) return OAIMG_ERR_INVALID_ARGUMENT;
  RequestFailAdapter adapter{request};
  return guarded(&adapter, [&] {
    if (!path || !*path)
      return request->fail(OAIMG_ERR_INVALID_ARGUMENT, "source PNG file: no path given");
    auto file = std::make_shared<PngFile>();
    if (int e = file->open(path))
      return request->fail(OAIMG_ERR_IO, std::string("source PNG file: ") + std::strerror(e));
    // What can be told without reading the pixels is checked now (the header, the limits, the
    // image data's size for the size claimed); the rest when the region is read.
    auto header = oaimg::read_png_header(file->data, file->size);
    if (!header)
      return request->fail(to_c(header.error().status), "source: " + header.error().message);
    if (oaimg::Outcome budget = oaimg::check_png_budget(*header, file->data, file->size, {}); !budget)
      return request->fail(to_c(budget.error().status), "source: " + budget.error().message);
    // The chunk walk brought the mapped file's cached pages in (the kernel maps those around
    // each page touched): given back until the region is read.
    file->consumed(file->size);
    file->width = header->width;
    file->height = header->height;
    request->request.source_png = std::move(file);
    request->request.source.reset();
    return request->succeed();
  });
}

oaimg_status oaimg_request_set_selection_png(oaimg_request* request, const uint8_t* png,
                                             size_t size) {
  if (!request) return OAIMG_ERR_INVALID_ARGUMENT;
  RequestFailAdapter adapter{request};
  return guarded(&adapter, [&] {
    if (!png || size == 0)
      return request->fail(OAIMG_ERR_INVALID_ARGUMENT, "selection PNG: no bytes given");
    auto header = oaimg::read_png_header(png, size);
    if (!header)
      return request->fail(to_c(header.error().status), "selection: " + header.error().message);
    const std::optional<oaimg::Image>& source = request->request.source;
    const auto& source_png = request->request.source_png;
    const bool has_source = source || source_png;
    const uint32_t source_width = source ? source->width : source_png ? source_png->width : 0;
    const uint32_t source_height = source ? source->height : source_png ? source_png->height : 0;
    if (has_source && (header->width != source_width || header->height != source_height))
      return request->fail(OAIMG_ERR_INVALID_ARGUMENT,
                           "the selection is " + std::to_string(header->width) + "x" +
                               std::to_string(header->height) + " but the image is " +
                               std::to_string(source_width) + "x" +
                               std::to_string(source_height) + "; they must match");
    auto selection = oaimg::decode_png_coverage(png, size);
    if (!selection)
      return request->fail(to_c(selection.error().status), "selection: " + selection.error().message);
    request->request.selection = std::move(*selection);
    return request->succeed();
  });
}

const char* oaimg_default_variation_prompt(void) {
  try { return oaimg::default_variation_prompt().data(); } catch (...) { return ""; }
}

oaimg_status oaimg_request_set_canvas(oaimg_request* request, int32_t x, int32_t y,
                                      uint32_t width, uint32_t height) {
  if (!request) return OAIMG_ERR_INVALID_ARGUMENT;
  RequestFailAdapter adapter{request};
  return guarded(&adapter, [&] {
    if (width == 0 || height == 0) {
      request->request.canvas.reset();
      return request->succeed();
    }
    if (width > 0x3fffffffu || height > 0x3fffffffu || x < -0x3fffffff || y < -0x3fffffff ||
        x > 0x3fffffff || y > 0x3fffffff)
      return request->fail(OAIMG_ERR_INVALID_ARGUMENT,
                           "canvas " + std::to_string(width) + "x" + std::to_string(height) +
                               " at " + std::to_string(x) + "," + std::to_string(y) +
                               ": sides and position must be within 2^30 pixels");
    request->request.canvas = oaimg::Rect{x, y, int32_t(width), int32_t(height)};
    return request->succeed();
  });
}

oaimg_status oaimg_request_set_extend(oaimg_request* request, uint32_t left, uint32_t top,
                                      uint32_t right, uint32_t bottom) {
  if (!request) return OAIMG_ERR_INVALID_ARGUMENT;
  RequestFailAdapter adapter{request};
  return guarded(&adapter, [&] {
    const oaimg::Margins margins{left, top, right, bottom};
    if (margins.empty()) {
      request->request.extend.reset();
      return request->succeed();
    }
    // The source's own size is checked with the source, when the job is planned.
    if (std::max({left, top, right, bottom}) > 0x1fffffffu)
      return request->fail(OAIMG_ERR_INVALID_ARGUMENT,
                           "extend margins must each be at most 536870911 pixels");
    request->request.extend = margins;
    return request->succeed();
  });
}

oaimg_status oaimg_extend_margins_for_aspect(uint32_t width, uint32_t height, uint32_t aspect_w,
                                             uint32_t aspect_h, uint32_t* left, uint32_t* top,
                                             uint32_t* right, uint32_t* bottom) {
  try {
    oaimg::Result<oaimg::Margins> margins =
        oaimg::margins_for_aspect(width, height, aspect_w, aspect_h);
    if (!margins) return oaimg_capi::to_c(margins.error().status);
    if (left) *left = margins->left;
    if (top) *top = margins->top;
    if (right) *right = margins->right;
    if (bottom) *bottom = margins->bottom;
    return OAIMG_OK;
  } catch (const std::bad_alloc&) {
    return OAIMG_ERR_NO_MEMORY;
  } catch (...) {
    return OAIMG_ERR_INTERNAL;
  }
}


oaimg_status oaimg_extend_strategy(const char* model, uint32_t width, uint32_t height,
                                   uint32_t left, uint32_t top, uint32_t right, uint32_t bottom,
                                   int allow_experimental_size, int* parts, double* scale,
                                   uint32_t* sent_width, uint32_t* sent_height, int* overlap) {
  try {
    const oaimg::Margins margins{left, top, right, bottom};
    if (margins.empty() || width == 0 || height == 0) return OAIMG_ERR_INVALID_ARGUMENT;
    auto canvas = oaimg::extended_canvas(width, height, margins);
    if (!canvas) return to_c(canvas.error().status);
    const oaimg::PngDecodeLimits limits;
    const uint64_t cw = uint64_t(canvas->width), ch = uint64_t(canvas->height);
    if (cw > limits.max_side || ch > limits.max_side || cw * ch > limits.max_pixels)
      return OAIMG_ERR_INVALID_ARGUMENT;
    auto strategy = oaimg::choose_extend_strategy(oaimg::find_model(model ? model : ""), width,
                                                  height, margins, allow_experimental_size != 0);
    if (!strategy) return to_c(strategy.error().status);
    const bool in_parts = strategy->kind == oaimg::ExtendStrategy::Parts;
    if (parts) *parts = in_parts ? int(strategy->parts.size()) : 1;
    if (scale) *scale = in_parts ? 1.0 : strategy->scale;
    if (sent_width) *sent_width = strategy->sent.width;
    if (sent_height) *sent_height = strategy->sent.height;
    if (overlap) *overlap = in_parts ? strategy->overlap : 0;
    return OAIMG_OK;
  } catch (const std::bad_alloc&) {
    return OAIMG_ERR_NO_MEMORY;
  } catch (...) {
    return OAIMG_ERR_INTERNAL;
  }
}

oaimg_status oaimg_request_add_reference(oaimg_request* request, const uint8_t* pixels,
                                         uint32_t width, uint32_t height, size_t stride,
                                         oaimg_pixel_format format) {
  if (!request) return OAIMG_ERR_INVALID_ARGUMENT;
  auto& references = request->request.references;
  return set_pixels(request, "reference " + std::to_string(references.size() + 1), pixels, width,
                    height, stride, oaimg_capi::enum_value(format),
                    [&](oaimg::Image&& image) { references.push_back(std::move(image)); });
}

void oaimg_request_clear_references(oaimg_request* request) {
  if (request) request->request.references.clear();
}

oaimg_status oaimg_request_set_markup_layer(oaimg_request* request, const uint8_t* pixels,
                                            uint32_t width, uint32_t height, size_t stride,
                                            oaimg_pixel_format format, int32_t offset_x,
                                            int32_t offset_y) {
  if (!request) return OAIMG_ERR_INVALID_ARGUMENT;
  const int raw_format = oaimg_capi::enum_value(format);
  if (!pixels || (raw_format != OAIMG_RGBA8 && raw_format != OAIMG_GRAYA8)) {
    RequestFailAdapter adapter{request};
    return guarded(&adapter, [&] {
      if (pixels)
        return request->fail(OAIMG_ERR_INVALID_ARGUMENT,
                             "markup layer format " + std::to_string(raw_format) +
                                 ": use OAIMG_RGBA8 or OAIMG_GRAYA8 (markup needs transparency)");
      request->request.markup_layer.reset();
      return request->succeed();
    });
  }
  return set_pixels(request, "markup layer", pixels, width, height, stride, raw_format,
                    [&](oaimg::Image&& image) {
                      request->request.markup_layer = oaimg::PlacedImage{std::move(image), offset_x, offset_y};
                    });
}

}  // extern "C"
