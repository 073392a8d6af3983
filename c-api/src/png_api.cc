#include <cstdlib>
#include <cstring>
#include <string>

#include "handles.h"
#include "packed_pixels.h"
#include "oaimg/core/png_codec.h"

namespace {

// Per thread, so that PNG calls on several threads keep their own reason.
thread_local std::string png_error;

oaimg_status png_fail(const oaimg::Error& error) {
  try {
    png_error = error.message;
  } catch (...) {
    png_error.clear();
  }
  return oaimg_capi::to_c(error.status);
}

}  // namespace

extern "C" {

const char* oaimg_png_error_message(void) { return png_error.c_str(); }

oaimg_status oaimg_png_decode(const uint8_t* png, size_t size, uint64_t max_pixels,
                              uint8_t** out_rgba, uint32_t* out_width, uint32_t* out_height) {
  png_error.clear();
  if (!png || size == 0 || !out_rgba || !out_width || !out_height)
    return png_fail(oaimg::Error(oaimg::Status::InvalidArgument,
                                 "oaimg_png_decode: png, out_rgba, out_width and out_height must be "
                                 "non-NULL and size at least 1"));
  try {
    oaimg::PngDecodeLimits limits;
    if (max_pixels) limits.max_pixels = max_pixels;
    oaimg::Result<oaimg::Image> image = oaimg::decode_png(png, size, limits);
    if (!image) return png_fail(image.error());
    // Handed to the caller, who frees with oaimg_free() (std::free).
    auto* copy = static_cast<uint8_t*>(std::malloc(image->pixels.size()));
    if (!copy) return OAIMG_ERR_NO_MEMORY;
    std::memcpy(copy, image->pixels.data(), image->pixels.size());
    *out_rgba = copy;
    *out_width = image->width;
    *out_height = image->height;
    return OAIMG_OK;
  } catch (const std::bad_alloc&) {
    return OAIMG_ERR_NO_MEMORY;
  } catch (...) {
    return OAIMG_ERR_INTERNAL;
  }
}

oaimg_status oaimg_png_encode(const uint8_t* pixels, uint32_t width, uint32_t height,
                              size_t stride, oaimg_pixel_format format, uint8_t** out_png,
                              size_t* out_size) {
  png_error.clear();
  if (!pixels || width == 0 || height == 0 || !out_png || !out_size)
    return png_fail(oaimg::Error(oaimg::Status::InvalidArgument,
                                 "oaimg_png_encode: pixels, out_png and out_size must be non-NULL "
                                 "and width and height at least 1"));
  const int raw_format = oaimg_capi::enum_value(format);
  if (raw_format < OAIMG_RGBA8 || raw_format > OAIMG_GRAYA8) return OAIMG_ERR_INVALID_ARGUMENT;
  try {
    oaimg::Image image;
    image.width = width;
    image.height = height;
    image.format = static_cast<oaimg::PixelFormat>(raw_format);
    if (!oaimg_capi::copy_rows(image.pixels, pixels, width, height, stride,
                               size_t(oaimg::channels(image.format))))
      return OAIMG_ERR_INVALID_ARGUMENT;
    oaimg::Result<std::vector<uint8_t>> png = oaimg::encode_png(image);
    if (!png) return png_fail(png.error());
    auto* copy = static_cast<uint8_t*>(std::malloc(png->size()));
    if (!copy) return OAIMG_ERR_NO_MEMORY;
    std::memcpy(copy, png->data(), png->size());
    *out_png = copy;
    *out_size = png->size();
    return OAIMG_OK;
  } catch (const std::bad_alloc&) {
    return OAIMG_ERR_NO_MEMORY;
  } catch (...) {
    return OAIMG_ERR_INTERNAL;
  }
}

}  // extern "C"
