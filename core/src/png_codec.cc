// PNG through libpng. Decoding uses the simplified png_image_* API (its setjmp lives inside libpng,
// so no longjmp ever crosses a C++ frame). Encoding needs per-row filters and zlib tuning the
// simplified writer does not offer, so the raw write API runs inside write_png_rows(), a function
// that holds no object with a destructor between its setjmp and its return.
#include "oaimg/core/png_codec.h"

#include <png.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <new>
#include <string>

namespace oaimg {
namespace {

uint32_t read_be32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

constexpr uint8_t kPngSignature[8] = {137, 'P', 'N', 'G', '\r', '\n', 26, '\n'};

// Where the write callback appends. `failed` lets the callback report an allocation failure
// without calling png_error() from inside a catch handler (which would skip the handler's end).
struct PngSink {
  std::vector<uint8_t>* bytes;
  bool out_of_memory;
};

void append_to_sink(png_structp png, png_bytep data, png_size_t length) {
  auto* sink = static_cast<PngSink*>(png_get_io_ptr(png));
  try {
    sink->bytes->insert(sink->bytes->end(), data, data + length);
  } catch (...) {
    sink->out_of_memory = true;
  }
  if (sink->out_of_memory) png_error(png, "out of memory while writing the PNG");
}

void flush_sink(png_structp) {}

// libpng's own error text lands here instead of stderr; the jump back happens in png_error().
void record_png_error(png_structp png, png_const_charp message) {
  auto* buffer = static_cast<char*>(png_get_error_ptr(png));
  std::strncpy(buffer, message ? message : "libpng error", 199);
  buffer[199] = '\0';
  png_longjmp(png, 1);
}

void ignore_png_warning(png_structp, png_const_charp) {}

int png_color_type(PixelFormat format) {
  switch (format) {
    case PixelFormat::Rgba8: return PNG_COLOR_TYPE_RGB_ALPHA;
    case PixelFormat::Rgb8: return PNG_COLOR_TYPE_RGB;
    case PixelFormat::Gray8: return PNG_COLOR_TYPE_GRAY;
    case PixelFormat::GrayA8: return PNG_COLOR_TYPE_GRAY_ALPHA;
  }
  return PNG_COLOR_TYPE_RGB_ALPHA;
}

// Destructor-free on purpose: everything that must survive a longjmp is owned by the caller.
// Returns true on success; on failure `error` (200 chars) says why.
bool write_png_rows(const Image& image, const PngEncodeOptions& options, PngSink* sink,
                    char* error) {
  png_structp png =
      png_create_write_struct(PNG_LIBPNG_VER_STRING, error, record_png_error, ignore_png_warning);
  if (!png) {
    std::strcpy(error, "cannot create the libpng writer");
    return false;
  }
  png_infop info = png_create_info_struct(png);
  if (!info) {
    png_destroy_write_struct(&png, nullptr);
    std::strcpy(error, "cannot create the libpng info");
    return false;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return false;
  }
  png_set_write_fn(png, sink, append_to_sink, flush_sink);
  png_set_IHDR(png, info, image.width, image.height, 8, png_color_type(image.format),
               PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_set_compression_level(png, options.compression_level);
  // Fewer, larger IDAT chunks: less framing, fewer callback calls.
  png_set_compression_buffer_size(png, 1 << 17);
  if (options.filter >= 0) png_set_filter(png, PNG_FILTER_TYPE_BASE, options.filter);
  if (options.strategy >= 0) png_set_compression_strategy(png, options.strategy);
  png_write_info(png, info);
  const size_t stride = image.stride();
  for (uint32_t y = 0; y < image.height; ++y) {
    png_write_row(png, const_cast<png_bytep>(image.pixels.data() + y * stride));
  }
  png_write_end(png, info);
  png_destroy_write_struct(&png, &info);
  return true;
}

}  // namespace

Result<PngHeader> read_png_header(const uint8_t* data, size_t size) {
  if (!data || size < 33) return Error(Status::Image, "not a PNG file (too short)");
  if (std::memcmp(data, kPngSignature, 8) != 0) return Error(Status::Image, "not a PNG file");
  if (read_be32(data + 8) != 13 || std::memcmp(data + 12, "IHDR", 4) != 0) {
    return Error(Status::Image, "corrupt PNG: the first chunk is not IHDR");
  }
  PngHeader header;
  header.width = read_be32(data + 16);
  header.height = read_be32(data + 20);
  header.bit_depth = data[24];
  header.color_type = data[25];
  if (header.width == 0 || header.height == 0 || header.width > 0x7fffffffu ||
      header.height > 0x7fffffffu) {
    return Error(Status::Image, "corrupt PNG: invalid dimensions");
  }
  header.has_alpha = (header.color_type & PNG_COLOR_MASK_ALPHA) != 0;
  // A palette or gray image carries alpha in a tRNS chunk, which must come before IDAT: walking
  // the (small) chunks up to there keeps has_alpha honest for masks without reading pixel data.
  size_t offset = 33;
  while (!header.has_alpha && offset + 8 <= size) {
    const uint32_t length = read_be32(data + offset);
    const uint8_t* type = data + offset + 4;
    if (std::memcmp(type, "IDAT", 4) == 0 || std::memcmp(type, "IEND", 4) == 0) break;
    if (std::memcmp(type, "tRNS", 4) == 0) header.has_alpha = true;
    if (length > size) break;
    offset += size_t(length) + 12;
  }
  return header;
}

Outcome check_png_budget(const PngHeader& header, const uint8_t* data, size_t size,
                         const PngDecodeLimits& limits) {
  const std::string dims = std::to_string(header.width) + "x" + std::to_string(header.height);
  const uint64_t pixels = uint64_t(header.width) * header.height;
  if (header.width > limits.max_side || header.height > limits.max_side)
    return Error(Status::Image, "PNG is " + dims + " pixels, too large: the limit is " +
                                    std::to_string(limits.max_side) + " pixels a side");
  if (pixels > limits.max_pixels)
    return Error(Status::Image, "PNG is " + dims + " = " + std::to_string(pixels) +
                                    " pixels, too large: the limit is " + std::to_string(limits.max_pixels) +
                                    " pixels");
  // The filtered rows deflate compresses: one filter byte and the samples of each row.
  int channels = 1;
  switch (header.color_type) {
    case PNG_COLOR_TYPE_RGB: channels = 3; break;
    case PNG_COLOR_TYPE_GRAY_ALPHA: channels = 2; break;
    case PNG_COLOR_TYPE_RGB_ALPHA: channels = 4; break;
    default: channels = 1;  // gray, palette
  }
  const uint64_t row_bytes = (uint64_t(header.width) * channels * uint64_t(header.bit_depth) + 7) / 8;
  const uint64_t raw_bytes = uint64_t(header.height) * (1 + row_bytes);
  uint64_t idat_bytes = 0;
  for (size_t offset = 8; offset + 8 <= size;) {
    const uint64_t length = read_be32(data + offset);
    if (std::memcmp(data + offset + 4, "IDAT", 4) == 0) idat_bytes += length;
    if (std::memcmp(data + offset + 4, "IEND", 4) == 0) break;
    offset += size_t(std::min<uint64_t>(length + 12, size));
  }
  constexpr uint64_t kMaxDeflateRatio = 1032;
  if (idat_bytes * kMaxDeflateRatio + 1024 < raw_bytes)
    return Error(Status::Image, "PNG claims " + dims + " pixels but holds only " +
                                    std::to_string(idat_bytes) +
                                    " bytes of image data, too few for that size: it is "
                                    "truncated or corrupt");
  return {};
}

Result<Image> decode_png(const uint8_t* data, size_t size, const PngDecodeLimits& limits) {
  auto header = read_png_header(data, size);
  if (!header) return header.take_error();
  if (Outcome budget = check_png_budget(*header, data, size, limits); !budget)
    return budget.take_error();
  png_image png;
  std::memset(&png, 0, sizeof png);
  png.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&png, data, size)) {
    Error error(Status::Image, std::string("corrupt PNG: ") + png.message);
    png_image_free(&png);
    return error;
  }
  // 16-bit files without gAMA/sRGB are sRGB in practice (a host exporting 16-bit); without this
  // flag libpng would take them as linear and brighten them on the way to 8 bits.
  png.flags |= PNG_IMAGE_FLAG_16BIT_sRGB;
  png.format = PNG_FORMAT_RGBA;
  Image image;
  try {
    image.width = png.width;
    image.height = png.height;
    image.format = PixelFormat::Rgba8;
    image.pixels.resize(PNG_IMAGE_SIZE(png));
  } catch (const std::bad_alloc&) {
    png_image_free(&png);
    return Error(Status::NoMemory, "out of memory decoding a PNG");
  }
  if (!png_image_finish_read(&png, nullptr, image.pixels.data(), 0, nullptr)) {
    Error error(Status::Image, std::string("corrupt PNG: ") + png.message);
    png_image_free(&png);
    return error;
  }
  png_image_free(&png);
  return image;
}

Result<std::vector<uint8_t>> encode_png(const Image& image, const PngEncodeOptions& options) {
  if (image.empty() || image.width > 0x7fffffffu || image.height > 0x7fffffffu ||
      image.pixels.size() < image.stride() * image.height) {
    return Error(Status::InvalidArgument, "encode_png: the image is empty or its buffer too small");
  }
  if (options.compression_level < 0 || options.compression_level > 9) {
    return Error(Status::InvalidArgument, "encode_png: compression level must be 0-9");
  }
  if (options.filter == PNG_FILTER_PAETH || options.filter == PNG_FILTER_NONE) {
    return encode_png_rows(image.pixels.data(), image.stride(), image.width, image.height,
                           image.format, options);
  }
  std::vector<uint8_t> bytes;
  char error[200] = "";
  try {
    // A guess at the compressed size so that the append callback rarely reallocates.
    bytes.reserve(image.stride() * image.height / 3 + 4096);
  } catch (const std::bad_alloc&) {
    return Error(Status::NoMemory, "out of memory encoding a PNG");
  }
  PngSink sink{&bytes, false};
  if (!write_png_rows(image, options, &sink, error)) {
    if (sink.out_of_memory) return Error(Status::NoMemory, "out of memory encoding a PNG");
    return Error(Status::Image, std::string("cannot encode PNG: ") + error);
  }
  return bytes;
}

}  // namespace oaimg
