// One filter for every row, chosen by the caller: the rows are filtered here (Paeth with SSE2,
// where libpng filters a byte at a time) and deflated by zlib with the caller's strategy. Used
// for the request PNGs and the command line's results; the adaptive search stays with libpng.
#include <libdeflate.h>
#include <png.h>
#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>

#include "oaimg/core/png_codec.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace oaimg {
namespace {

int paeth_predictor(int a, int b, int c) {
  const int pa = std::abs(b - c), pb = std::abs(a - c), pc = std::abs(a + b - 2 * c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

// Encoding filters from the raw rows only, so every byte is independent of its neighbours'
// results: eight bytes at a time in 16-bit lanes, with libpng's tie order (a, then b, then c).
void paeth_filter(const uint8_t* row, const uint8_t* prior, size_t rowbytes, size_t bpp,
                  uint8_t* out) {
  size_t i = 0;
  for (; i < std::min(bpp, rowbytes); ++i) out[i] = uint8_t(row[i] - prior[i]);
#if defined(__SSE2__)
  const __m128i zero = _mm_setzero_si128();
  auto load = [&](const uint8_t* p) {
    return _mm_unpacklo_epi8(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)), zero);
  };
  auto absolute = [&](__m128i v) { return _mm_max_epi16(v, _mm_sub_epi16(zero, v)); };
  auto select = [](__m128i mask, __m128i yes, __m128i no) {
    return _mm_or_si128(_mm_and_si128(mask, yes), _mm_andnot_si128(mask, no));
  };
  for (; i + 8 <= rowbytes; i += 8) {
    const __m128i a = load(row + i - bpp), b = load(prior + i), c = load(prior + i - bpp);
    const __m128i x = load(row + i);
    const __m128i b_c = _mm_sub_epi16(b, c), a_c = _mm_sub_epi16(a, c);
    const __m128i pa = absolute(b_c), pb = absolute(a_c), pc = absolute(_mm_add_epi16(b_c, a_c));
    const __m128i smallest = _mm_min_epi16(pa, _mm_min_epi16(pb, pc));
    __m128i predicted = select(_mm_cmpeq_epi16(pb, smallest), b, c);
    predicted = select(_mm_cmpeq_epi16(pa, smallest), a, predicted);
    const __m128i filtered = _mm_and_si128(_mm_sub_epi16(x, predicted), _mm_set1_epi16(0xff));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(out + i), _mm_packus_epi16(filtered, zero));
  }
#endif
  for (; i < rowbytes; ++i) {
    out[i] = uint8_t(row[i] - paeth_predictor(row[i - bpp], prior[i], prior[i - bpp]));
  }
}

int color_type(PixelFormat format) {
  switch (format) {
    case PixelFormat::Rgba8: return 6;
    case PixelFormat::Rgb8: return 2;
    case PixelFormat::Gray8: return 0;
    case PixelFormat::GrayA8: return 4;
  }
  return 6;
}

struct DeflateEnd {
  z_stream* stream;
  ~DeflateEnd() { deflateEnd(stream); }
};

void store_be32(uint8_t* out, uint32_t v) {
  out[0] = uint8_t(v >> 24);
  out[1] = uint8_t(v >> 16);
  out[2] = uint8_t(v >> 8);
  out[3] = uint8_t(v);
}

// Writes a chunk's length before and CRC after a body already in place at out + 8.
uint8_t* close_chunk(uint8_t* out, const char* type, size_t length) {
  store_be32(out, uint32_t(length));
  std::memcpy(out + 4, type, 4);
  store_be32(out + 8 + length, libdeflate_crc32(0, out + 4, length + 4));
  return out + 12 + length;
}

struct FreeBytes {
  void operator()(uint8_t* p) const { std::free(p); }
};

// The whole file is written in place: deflate's output lands in its IDAT chunk's body, so there
// is no compressed copy to gather and no second copy to hand out (for four 12 MP results the two
// copies were 40 MB each at the peak, and as much memcpy).
Result<MallocPng> deflate_rows(const uint8_t* pixels, size_t stride, uint32_t width,
                               uint32_t height, PixelFormat format, const PngEncodeOptions& options) {
  const size_t bpp = size_t(channels(format));
  const size_t rowbytes = size_t(width) * bpp;
  const bool paeth = options.filter == PNG_FILTER_PAETH;

  z_stream stream{};
  if (deflateInit2(&stream, options.compression_level, Z_DEFLATED, 15, 8,
                   options.strategy >= 0 ? options.strategy : Z_DEFAULT_STRATEGY) != Z_OK) {
    return Error(Status::NoMemory, "cannot start zlib");
  }
  DeflateEnd end{&stream};
  // IDAT chunks of at most 1 MiB, like most writers: a reader never needs more at once.
  constexpr size_t chunk_body = size_t(1) << 20;
  const size_t bound = deflateBound(&stream, uLong((rowbytes + 1) * height));
  const size_t capacity = 8 + 25 + bound + (bound / chunk_body + 1) * 12 + 12;
  // Uninitialised on purpose: zero-filling a buffer the size of the raw image cost more than
  // deflating it, and untouched pages past the compressed size are never faulted in.
  std::unique_ptr<uint8_t, FreeBytes> png(static_cast<uint8_t*>(std::malloc(capacity)));
  if (!png) throw std::bad_alloc();
  uint8_t* const base = png.get();
  const uint8_t signature[8] = {137, 'P', 'N', 'G', '\r', '\n', 26, '\n'};
  std::memcpy(base, signature, 8);
  uint8_t* header = base + 16;
  store_be32(header, width);
  store_be32(header + 4, height);
  const uint8_t rest[5] = {8, uint8_t(color_type(format)), 0, 0, 0};
  std::memcpy(header + 8, rest, 5);
  uint8_t* chunk = close_chunk(base + 8, "IHDR", 13);  // the IDAT chunk being filled
  const uint8_t* const limit = base + capacity - 12;    // room for IEND
  auto open_chunk = [&] {
    stream.next_out = chunk + 8;
    stream.avail_out = uInt(std::min<size_t>(chunk_body, size_t(limit - chunk) - 12));
  };
  open_chunk();

  std::vector<uint8_t> zero_row(rowbytes, 0);
  // A batch of filtered rows per deflate() call: fewer calls, and it stays in the cache.
  const size_t batch_rows = std::max<size_t>(1, (size_t(1) << 16) / (rowbytes + 1));
  std::vector<uint8_t> filtered(batch_rows * (rowbytes + 1));
  for (uint32_t y0 = 0; y0 < height; y0 += uint32_t(batch_rows)) {
    const uint32_t y1 = uint32_t(std::min<size_t>(height, y0 + batch_rows));
    uint8_t* out = filtered.data();
    for (uint32_t y = y0; y < y1; ++y, out += rowbytes + 1) {
      const uint8_t* row = pixels + size_t(y) * stride;
      out[0] = paeth ? 4 : 0;  // the filter type byte
      if (paeth) {
        paeth_filter(row, y ? row - stride : zero_row.data(), rowbytes, bpp, out + 1);
      } else {
        std::memcpy(out + 1, row, rowbytes);
      }
    }
    stream.next_in = filtered.data();
    stream.avail_in = uInt(out - filtered.data());
    const int flush = y1 == height ? Z_FINISH : Z_NO_FLUSH;
    for (;;) {
      if (stream.avail_out == 0) {
        chunk = close_chunk(chunk, "IDAT", size_t(stream.next_out - (chunk + 8)));
        if (limit - chunk <= 12) return Error(Status::Image, "cannot encode PNG: output over zlib's bound");
        open_chunk();
      }
      const int status = deflate(&stream, flush);
      if (status == Z_STREAM_END) break;
      if (status != Z_OK && status != Z_BUF_ERROR) {
        return Error(Status::Image, "cannot encode PNG: zlib error " + std::to_string(status));
      }
      if (stream.avail_out == 0) continue;           // more output pending
      if (flush == Z_NO_FLUSH && stream.avail_in == 0) break;
      if (status == Z_BUF_ERROR) return Error(Status::Image, "cannot encode PNG: zlib made no progress");
    }
  }
  chunk = close_chunk(chunk, "IDAT", size_t(stream.next_out - (chunk + 8)));
  chunk = close_chunk(chunk, "IEND", 0);
  MallocPng result;
  result.size = size_t(chunk - base);
  // Shrinking gives the untouched tail back without a copy (a large block is its own mapping).
  uint8_t* shrunk = static_cast<uint8_t*>(std::realloc(png.get(), result.size));
  result.data = shrunk ? shrunk : png.get();
  png.release();
  return result;
}

}  // namespace

Result<MallocPng> encode_png_rows_malloc(const uint8_t* pixels, size_t stride, uint32_t width,
                                         uint32_t height, PixelFormat format,
                                         const PngEncodeOptions& options) {
  if (!pixels || width == 0 || height == 0 || width > 0x7fffffffu || height > 0x7fffffffu ||
      stride < size_t(width) * channels(format)) {
    return Error(Status::InvalidArgument, "encode_png: the image is empty or its rows too short");
  }
  if (options.filter != PNG_FILTER_PAETH && options.filter != PNG_FILTER_NONE) {
    return Error(Status::InvalidArgument, "encode_png_rows: the filter must be Paeth or none");
  }
  if (options.compression_level < 0 || options.compression_level > 9) {
    return Error(Status::InvalidArgument, "encode_png: compression level must be 0-9");
  }
  try {
    return deflate_rows(pixels, stride, width, height, format, options);
  } catch (const std::bad_alloc&) {
    return Error(Status::NoMemory, "out of memory encoding a PNG");
  }
}

Result<std::vector<uint8_t>> encode_png_rows(const uint8_t* pixels, size_t stride, uint32_t width,
                                             uint32_t height, PixelFormat format,
                                             const PngEncodeOptions& options) {
  auto png = encode_png_rows_malloc(pixels, stride, width, height, format, options);
  if (!png) return png.error();
  std::vector<uint8_t> bytes;
  try {
    bytes.assign(png->data, png->data + png->size);
  } catch (const std::bad_alloc&) {
    std::free(png->data);
    return Error(Status::NoMemory, "out of memory encoding a PNG");
  }
  std::free(png->data);
  return bytes;
}

}  // namespace oaimg
