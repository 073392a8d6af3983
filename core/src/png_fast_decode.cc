// The reading path for the PNGs a request keeps: libdeflate inflates all the image data in one
// call (twice zlib's speed; it has no streaming mode, hence the one buffer) and the rows are
// unfiltered in place, so an 8-bit file's pixels end up in the very buffer they were inflated
// into, with no RGBA copy. What libpng's simplified reader would change (a gAMA other than sRGB's,
// Adam7 interlacing) goes to decode_png() instead, so both paths give the same pixels.
#include <libdeflate.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>

#include "oaimg/core/png_codec.h"

namespace oaimg {
namespace {

uint32_t be32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

Error corrupt(const std::string& why) { return Error(Status::Image, "corrupt PNG: " + why); }

struct ImageData {
  uint32_t width = 0, height = 0;
  int bit_depth = 0, color_type = 0;
  bool interlaced = false;
  size_t file_size = 0;
  bool gamma_not_srgb = false;
  uint8_t palette[256][4] = {};  // RGBA; entries past the file's palette stay opaque black
  bool has_trns = false;
  uint16_t trns[3] = {};  // the transparent gray or RGB value (file bit depth)
  // IDAT payloads in file order (the streaming reader reads them where they are).
  std::vector<std::pair<const uint8_t*, size_t>> idat;
  // For libdeflate: one span when the file has one IDAT, else the concatenation in `joined`.
  const uint8_t* deflated = nullptr;
  size_t deflated_size = 0;
  std::vector<uint8_t> joined;
};

int samples_per_pixel(int color_type) {
  switch (color_type) {
    case 0: return 1;
    case 2: return 3;
    case 3: return 1;
    case 4: return 2;
    case 6: return 4;
  }
  return 0;
}

bool valid_depth(int color_type, int depth) {
  switch (color_type) {
    case 0: return depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
    case 3: return depth == 1 || depth == 2 || depth == 4 || depth == 8;
    case 2:
    case 4:
    case 6: return depth == 8 || depth == 16;
  }
  return false;
}

std::string chunk_name(const uint8_t* type) {
  std::string name(reinterpret_cast<const char*>(type), 4);
  for (char& c : name) {
    if (!std::isalpha(static_cast<unsigned char>(c))) c = '?';
  }
  return name;
}

// Every chunk's CRC is checked, IHDR is checked against the limits before anything is
// allocated, and the IDAT chunks must be consecutive and followed by IEND.
Result<ImageData> read_chunks(const uint8_t* data, size_t size, const PngDecodeLimits& limits) {
  auto header = read_png_header(data, size);
  if (!header) return header.take_error();
  ImageData image;
  image.file_size = size;
  image.width = header->width;
  image.height = header->height;
  image.bit_depth = header->bit_depth;
  image.color_type = header->color_type;
  if (!valid_depth(image.color_type, image.bit_depth)) {
    return corrupt("bit depth " + std::to_string(image.bit_depth) + " with color type " +
                   std::to_string(image.color_type) + " is not a valid combination");
  }
  if (data[26] != 0 || data[27] != 0 || data[28] > 1) {
    return corrupt("unknown compression, filter or interlace method in IHDR");
  }
  image.interlaced = data[28] == 1;
  // The hardening's limits and budget, as every decoder: sides, pixels, and enough image data
  // for the size claimed, all before anything is allocated.
  if (Outcome budget = check_png_budget(*header, data, size, limits); !budget)
    return budget.take_error();
  for (auto& entry : image.palette) entry[3] = 255;

  std::vector<std::pair<const uint8_t*, size_t>> idat;
  bool idat_ended = false, seen_iend = false, seen_plte = false;
  size_t offset = 8;
  while (offset < size) {
    if (size - offset < 12) return corrupt("truncated: the file ends inside a chunk header");
    const uint32_t length = be32(data + offset);
    const uint8_t* type = data + offset + 4;
    if (length > 0x7fffffffu || length > size - offset - 12) {
      return corrupt("truncated: chunk " + chunk_name(type) + " of " + std::to_string(length) +
                     " bytes runs past the end of the file");
    }
    const uint8_t* body = type + 4;
    const bool is_idat = std::memcmp(type, "IDAT", 4) == 0;
    // The image data's CRCs are checked as it is read (idat_crc_ok): a CRC pass here would
    // bring the whole of a mapped file into memory before the streaming reader gives it back.
    if (!is_idat && libdeflate_crc32(0, type, size_t(length) + 4) != be32(body + length)) {
      return corrupt("chunk " + chunk_name(type) + " has a bad CRC");
    }
    offset += size_t(length) + 12;
    if (!is_idat && !idat.empty()) idat_ended = true;
    if (is_idat) {
      if (idat_ended) return corrupt("IDAT chunks are not consecutive");
      idat.emplace_back(body, length);
    } else if (std::memcmp(type, "IEND", 4) == 0) {
      seen_iend = true;
      break;
    } else if (std::memcmp(type, "PLTE", 4) == 0) {
      if (length % 3 != 0 || length / 3 > 256 || length == 0) {
        return corrupt("PLTE of " + std::to_string(length) + " bytes (3 to 768, a multiple of 3)");
      }
      for (uint32_t i = 0; i < length / 3; ++i) std::memcpy(image.palette[i], body + 3 * i, 3);
      seen_plte = true;
    } else if (std::memcmp(type, "tRNS", 4) == 0) {
      if (image.color_type == 3) {
        for (uint32_t i = 0; i < std::min<uint32_t>(length, 256); ++i) image.palette[i][3] = body[i];
      } else if (image.color_type == 0 && length >= 2) {
        image.trns[0] = uint16_t(body[0] << 8 | body[1]);
      } else if (image.color_type == 2 && length >= 6) {
        for (int c = 0; c < 3; ++c) image.trns[c] = uint16_t(body[2 * c] << 8 | body[2 * c + 1]);
      } else {
        continue;  // libpng ignores a tRNS that cannot apply
      }
      image.has_trns = image.color_type != 3;
    } else if (std::memcmp(type, "gAMA", 4) == 0 && length == 4) {
      // libpng's simplified reader treats 1/2.2 as sRGB and corrects anything else.
      const uint32_t gamma = be32(body);
      image.gamma_not_srgb = gamma < 45000 || gamma > 46000;
    } else if (!(type[0] & 0x20)) {
      if (std::memcmp(type, "IHDR", 4) != 0 || offset != 33) {
        return corrupt("unknown critical chunk " + chunk_name(type));
      }
    }
  }
  if (idat.empty()) return corrupt("no image data (IDAT)");
  if (!seen_iend) return corrupt("truncated: no IEND chunk after the image data");
  if (image.color_type == 3 && !seen_plte) return corrupt("a palette image without PLTE");
  image.idat = std::move(idat);
  return image;
}

// Whether one IDAT payload's chunk CRC is right (read_chunks() leaves them to the reader).
bool idat_crc_ok(const std::pair<const uint8_t*, size_t>& idat) {
  return libdeflate_crc32(0, idat.first - 4, idat.second + 4) == be32(idat.first + idat.second);
}

Outcome check_idat_crcs(const ImageData& image) {
  for (const auto& span : image.idat)
    if (!idat_crc_ok(span)) return corrupt("chunk IDAT has a bad CRC");
  return {};
}

// The IDAT payloads as the one buffer libdeflate needs.
void join_idat(ImageData& image) {
  if (image.idat.size() == 1) {
    image.deflated = image.idat[0].first;
    image.deflated_size = image.idat[0].second;
    return;
  }
  size_t total = 0;
  for (const auto& span : image.idat) total += span.second;
  image.joined.reserve(total);
  for (const auto& span : image.idat) {
    image.joined.insert(image.joined.end(), span.first, span.first + span.second);
  }
  image.deflated = image.joined.data();
  image.deflated_size = total;
}

uint8_t paeth(int a, int b, int c) {
  const int p = a + b - c;
  const int pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
  if (pa <= pb && pa <= pc) return uint8_t(a);
  return uint8_t(pb <= pc ? b : c);
}

// Unfilters `row` (rowbytes long) in place; `prior` is the row above, already unfiltered, or
// nullptr for the first row.
bool unfilter_row(int filter, uint8_t* row, const uint8_t* prior, size_t rowbytes, size_t bpp) {
  switch (filter) {
    case 0: return true;
    case 1:
      for (size_t i = bpp; i < rowbytes; ++i) row[i] = uint8_t(row[i] + row[i - bpp]);
      return true;
    case 2:
      if (prior) {
        for (size_t i = 0; i < rowbytes; ++i) row[i] = uint8_t(row[i] + prior[i]);
      }
      return true;
    case 3:
      for (size_t i = 0; i < rowbytes; ++i) {
        const int left = i >= bpp ? row[i - bpp] : 0, up = prior ? prior[i] : 0;
        row[i] = uint8_t(row[i] + ((left + up) >> 1));
      }
      return true;
    case 4:
      if (!prior) {  // Paeth with no row above is Sub
        for (size_t i = bpp; i < rowbytes; ++i) row[i] = uint8_t(row[i] + row[i - bpp]);
        return true;
      }
      for (size_t i = 0; i < bpp; ++i) row[i] = uint8_t(row[i] + prior[i]);
      for (size_t i = bpp; i < rowbytes; ++i) {
        row[i] = uint8_t(row[i] + paeth(row[i - bpp], prior[i], prior[i - bpp]));
      }
      return true;
  }
  return false;
}

// One unfiltered row in the file's layout to 8-bit pixels of `format`, as libpng's simplified
// reader expands them: low bit depths scaled by replication, 16 bits scaled with rounding,
// palette entries looked up, a tRNS colour made transparent.
void expand_row(const ImageData& image, const uint8_t* in, uint8_t* out) {
  const uint32_t w = image.width;
  const int depth = image.bit_depth;
  auto sample = [&](uint32_t index) -> unsigned {  // the index-th sample of the row, file depth
    if (depth == 8) return in[index];
    if (depth == 16) return unsigned(in[2 * index] << 8 | in[2 * index + 1]);
    const unsigned per_byte = 8 / depth;
    const unsigned shift = 8 - depth * (index % per_byte + 1);
    return (in[index / per_byte] >> shift) & ((1u << depth) - 1);
  };
  auto to8 = [&](unsigned v) -> uint8_t {
    if (depth == 16) return uint8_t((v * 255 + 32895) >> 16);
    if (depth == 8 || image.color_type == 3) return uint8_t(v);
    return uint8_t(v * 255 / ((1u << depth) - 1));
  };
  switch (image.color_type) {
    case 3:
      for (uint32_t x = 0; x < w; ++x, out += 4) std::memcpy(out, image.palette[sample(x)], 4);
      return;
    case 0:
      for (uint32_t x = 0; x < w; ++x) {
        const unsigned v = sample(x);
        if (image.has_trns) {
          *out++ = to8(v);
          *out++ = v == image.trns[0] ? 0 : 255;
        } else {
          *out++ = to8(v);
        }
      }
      return;
    case 2:
      for (uint32_t x = 0; x < w; ++x) {
        const unsigned r = sample(3 * x), g = sample(3 * x + 1), b = sample(3 * x + 2);
        *out++ = to8(r);
        *out++ = to8(g);
        *out++ = to8(b);
        if (image.has_trns) {
          *out++ = (r == image.trns[0] && g == image.trns[1] && b == image.trns[2]) ? 0 : 255;
        }
      }
      return;
    default:  // 4 and 6 at 16 bits: every sample scaled
      for (uint32_t i = 0; i < w * uint32_t(samples_per_pixel(image.color_type)); ++i) {
        *out++ = to8(sample(i));
      }
      return;
  }
}

PixelFormat format_for(const ImageData& image) {
  switch (image.color_type) {
    case 0: return image.has_trns ? PixelFormat::GrayA8 : PixelFormat::Gray8;
    case 2: return image.has_trns ? PixelFormat::Rgba8 : PixelFormat::Rgb8;
    case 4: return PixelFormat::GrayA8;
    case 3:
    case 6: return PixelFormat::Rgba8;
  }
  return PixelFormat::Rgba8;
}

struct DecompressorDeleter {
  void operator()(libdeflate_decompressor* d) const { libdeflate_free_decompressor(d); }
};

// The rectangle `r` (inside the image) of a file libdeflate inflates whole. The rows below it
// are not unfiltered, only their filter bytes checked; an 8-bit file's rectangle is moved to the
// front of the buffer it was inflated into, so that the buffer is all that is held.
Result<Image> decode_fast(const ImageData& image, const Rect& r) {
  const size_t bits = size_t(samples_per_pixel(image.color_type)) * image.bit_depth;
  const size_t rowbytes = (size_t(image.width) * bits + 7) / 8;
  const size_t bpp = std::max<size_t>(1, bits / 8);
  const size_t filtered_row = rowbytes + 1;

  Image out;
  out.width = uint32_t(r.width);
  out.height = uint32_t(r.height);
  out.format = format_for(image);
  const size_t n = size_t(channels(out.format));
  const uint32_t top = uint32_t(r.y), bottom = top + out.height;
  // An 8-bit file without palette or tRNS already is the pixels: they stay where they are inflated.
  const bool in_place = image.bit_depth == 8 && image.color_type != 3 && !image.has_trns;
  std::vector<uint8_t> filtered(filtered_row * image.height);

  std::unique_ptr<libdeflate_decompressor, DecompressorDeleter> inflater(
      libdeflate_alloc_decompressor());
  if (!inflater) throw std::bad_alloc();
  size_t inflated = 0;
  switch (libdeflate_zlib_decompress(inflater.get(), image.deflated, image.deflated_size,
                                     filtered.data(), filtered.size(), &inflated)) {
    case LIBDEFLATE_SUCCESS: break;
    case LIBDEFLATE_INSUFFICIENT_SPACE:
      return corrupt("more image data than " + std::to_string(image.width) + "x" +
                     std::to_string(image.height) + " pixels need");
    default: return corrupt("the image data (zlib) is damaged or its checksum is wrong");
  }
  if (inflated != filtered.size()) {
    return corrupt("truncated image data: " + std::to_string(inflated / filtered_row) + " of " +
                   std::to_string(image.height) + " rows");
  }
  std::vector<uint8_t> expanded;
  if (!in_place) {
    out.pixels.resize(out.stride() * out.height);
    expanded.resize(size_t(image.width) * n);
  }
  // Row y of the rectangle to the front: it ends before row y + 1 starts (its stride is at most
  // a file row), so a row moves only once the row below it has been unfiltered from it.
  auto move_to_front = [&](uint32_t y) {
    std::memmove(filtered.data() + (y - top) * out.stride(),
                 filtered.data() + y * filtered_row + 1 + size_t(r.x) * n, out.stride());
  };
  const uint8_t* prior = nullptr;
  for (uint32_t y = 0; y < image.height; ++y) {
    uint8_t* row = filtered.data() + y * filtered_row;
    if (row[0] > 4) {
      return corrupt("row " + std::to_string(y) + " has filter type " + std::to_string(row[0]) +
                     " (0 to 4 exist)");
    }
    if (y >= bottom) continue;
    unfilter_row(row[0], row + 1, prior, rowbytes, bpp);
    prior = row + 1;
    if (in_place) {
      if (y > top) move_to_front(y - 1);
    } else if (y >= top) {
      expand_row(image, row + 1, expanded.data());
      std::memcpy(out.pixels.data() + (y - top) * out.stride(), expanded.data() + size_t(r.x) * n,
                  out.stride());
    }
  }
  if (in_place) {
    move_to_front(bottom - 1);
    filtered.resize(out.stride() * out.height);
    out.pixels = std::move(filtered);
  }
  return out;
}

// libpng's RGBA result in the natural layout: what decode_png() gives, without the alpha or the
// colour channels the file does not have.
Image natural_layout(Image rgba, PixelFormat format) {
  const size_t count = size_t(rgba.width) * rgba.height;
  uint8_t* p = rgba.pixels.data();
  const int n = channels(format);
  for (size_t i = 0; i < count; ++i) {
    const uint8_t* in = p + 4 * i;
    uint8_t* o = p + n * i;
    switch (format) {
      case PixelFormat::Rgba8: break;
      case PixelFormat::Rgb8: o[0] = in[0], o[1] = in[1], o[2] = in[2]; break;
      case PixelFormat::Gray8: o[0] = in[0]; break;
      case PixelFormat::GrayA8: o[0] = in[0], o[1] = in[3]; break;
    }
  }
  rgba.pixels.resize(count * n);
  rgba.format = format;
  return rgba;
}


struct InflateEnd {
  void operator()(z_stream* z) const { inflateEnd(z); }
};

// Rows as they come out of zlib: each row in [0, last) is unfiltered (a row's filter reads the
// one above), `visit(y, row)` sees the unfiltered rows in [first, last) in the file's layout, and
// the rows from `last` on are inflated into the same run and dropped, so that the stream is
// checked to its end as decode_fast() checks it. What is held: a run of rows of about a
// mebibyte, the row above it, and zlib's window.
Outcome stream_rows(const ImageData& image, uint32_t first, uint32_t last,
                    const std::function<void(uint32_t, const uint8_t*)>& visit,
                    const PngConsumed& consumed, const uint8_t* file) {
  const size_t bits = size_t(samples_per_pixel(image.color_type)) * image.bit_depth;
  const size_t rowbytes = (size_t(image.width) * bits + 7) / 8;
  const size_t bpp = std::max<size_t>(1, bits / 8);
  const size_t filtered_row = rowbytes + 1;
  const size_t run_rows = std::max<size_t>(1, std::min<size_t>(image.height, (size_t(1) << 20) / filtered_row));
  std::vector<uint8_t> run(run_rows * filtered_row), above(rowbytes);

  // The chunk walk touched a page of every chunk, and the kernel maps a mapped file's cached
  // pages around each touched one: all of it. Given back now, each page comes back as it is read.
  if (consumed) consumed(image.file_size);
  z_stream z{};
  if (inflateInit(&z) != Z_OK) throw std::bad_alloc();
  std::unique_ptr<z_stream, InflateEnd> owner(&z);
  size_t span = 0;
  auto feed = [&] {  // the next IDAT payload, once zlib has used up the last; false: a bad CRC
    while (z.avail_in == 0 && span < image.idat.size()) {
      if (consumed && span > 0) consumed(size_t(image.idat[span - 1].first - file) + image.idat[span - 1].second);
      if (!idat_crc_ok(image.idat[span])) return false;
      z.next_in = const_cast<Bytef*>(image.idat[span].first);
      // IDAT chunks are at most 2^31 - 1 bytes (read_chunks): they fit zlib's uInt.
      z.avail_in = uInt(image.idat[span].second);
      ++span;
    }
    return true;
  };
  const Error crc_error = corrupt("chunk IDAT has a bad CRC");
  bool ended = false;
  for (uint32_t y = 0; y < image.height;) {
    const uint32_t rows = uint32_t(std::min<size_t>(run_rows, image.height - y));
    z.next_out = run.data();
    z.avail_out = uInt(rows * filtered_row);
    while (z.avail_out > 0) {
      if (!feed()) return crc_error;
      const int rc = ended ? Z_BUF_ERROR : inflate(&z, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        ended = true;
      } else if (rc == Z_BUF_ERROR && (ended || (z.avail_in == 0 && span == image.idat.size()))) {
        // No progress and nothing more to give zlib (its pending output came out already).
        const size_t got = rows * filtered_row - z.avail_out;
        return corrupt("truncated image data: " + std::to_string(y + got / filtered_row) + " of " +
                       std::to_string(image.height) + " rows");
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        return corrupt("the image data (zlib) is damaged or its checksum is wrong");
      }
    }
    for (uint32_t i = 0; i < rows; ++i, ++y) {
      uint8_t* row = run.data() + i * filtered_row;
      if (row[0] > 4) {
        return corrupt("row " + std::to_string(y) + " has filter type " + std::to_string(row[0]) +
                       " (0 to 4 exist)");
      }
      if (y >= last) continue;
      const uint8_t* prior = y == 0 ? nullptr : i == 0 ? above.data() : row + 1 - filtered_row;
      unfilter_row(row[0], row + 1, prior, rowbytes, bpp);
      if (y >= first) visit(y, row + 1);
    }
    if (y < last) std::memcpy(above.data(), run.data() + (rows - 1) * filtered_row + 1, rowbytes);
  }
  // Nothing may follow the last row but the end of the stream and its checksum.
  while (!ended) {
    if (!feed()) return crc_error;
    uint8_t extra = 0;
    z.next_out = &extra;
    z.avail_out = 1;
    const int rc = inflate(&z, Z_NO_FLUSH);
    if (z.avail_out == 0) {
      return corrupt("more image data than " + std::to_string(image.width) + "x" +
                     std::to_string(image.height) + " pixels need");
    }
    if (rc == Z_STREAM_END) {
      ended = true;
    } else if (rc == Z_BUF_ERROR && z.avail_in == 0 && span == image.idat.size()) {
      return corrupt("the image data (zlib) ends without its checksum");
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
      return corrupt("the image data (zlib) is damaged or its checksum is wrong");
    }
  }
  // IDAT chunks after the end of the stream are never given to zlib: their CRCs still count.
  for (; span < image.idat.size(); ++span)
    if (!idat_crc_ok(image.idat[span])) return crc_error;
  if (consumed && !image.idat.empty()) consumed(size_t(image.idat.back().first - file) + image.idat.back().second);
  return {};
}

// Whether the file goes through decode_png_pixels() whole: Adam7 and gamma always; small files
// too, when inflating them in one buffer is what the limits allow (faster than streaming).
bool read_whole(const ImageData& image, const PngDecodeLimits& limits) {
  const size_t bits = size_t(samples_per_pixel(image.color_type)) * image.bit_depth;
  const uint64_t rows = uint64_t(image.height) * ((uint64_t(image.width) * bits + 7) / 8 + 1);
  return image.interlaced || image.gamma_not_srgb || rows <= limits.max_whole_inflate_bytes;
}

// An 8-bit file without palette or tRNS: its unfiltered rows are already decode_png_pixels()'s.
bool natural_as_filed(const ImageData& image) {
  return image.bit_depth == 8 && image.color_type != 3 && !image.has_trns;
}

// `area` clipped to the image, or an error when nothing of it is inside.
Result<Rect> clip_to(const Rect& area, uint32_t width, uint32_t height) {
  const int64_t x0 = std::max<int64_t>(area.x, 0), y0 = std::max<int64_t>(area.y, 0);
  const int64_t x1 = std::min<int64_t>(int64_t(area.x) + area.width, width);
  const int64_t y1 = std::min<int64_t>(int64_t(area.y) + area.height, height);
  if (area.empty() || x1 <= x0 || y1 <= y0) {
    return Error(Status::InvalidArgument,
                 "the area " + std::to_string(area.width) + "x" + std::to_string(area.height) +
                     " at " + std::to_string(area.x) + "," + std::to_string(area.y) +
                     " is outside the " + std::to_string(width) + "x" + std::to_string(height) +
                     " image");
  }
  return Rect{int32_t(x0), int32_t(y0), int32_t(x1 - x0), int32_t(y1 - y0)};
}

// The covered rectangle of coverage rows (each row's covered span, kept as it came), or one
// uncovered pixel when nothing is covered.
struct CoverageSpans {
  struct Span { uint32_t y, x, length; size_t at; };
  std::vector<Span> spans;
  std::vector<uint8_t> bytes;

  void add(uint32_t y, const uint8_t* row, uint32_t width) {
    const uint8_t* first = std::find_if(row, row + width, [](uint8_t v) { return v; });
    if (first == row + width) return;
    uint32_t last = width - 1;
    while (!row[last]) --last;
    const uint32_t x = uint32_t(first - row);
    spans.push_back(Span{y, x, last + 1 - x, bytes.size()});
    bytes.insert(bytes.end(), first, row + last + 1);
  }

  Selection take() {
    Selection selection;
    if (spans.empty()) {  // nothing selected: one uncovered pixel keeps "no selection" an answer
      selection.width = selection.height = 1;
      selection.coverage.assign(1, 0);
      return selection;
    }
    uint32_t x0 = UINT32_MAX, x1 = 0;
    for (const Span& s : spans) {
      x0 = std::min(x0, s.x);
      x1 = std::max(x1, s.x + s.length);
    }
    const uint32_t y0 = spans.front().y;
    selection.x = int32_t(x0);
    selection.y = int32_t(y0);
    selection.width = x1 - x0;
    selection.height = spans.back().y + 1 - y0;
    selection.coverage.assign(size_t(selection.width) * selection.height, 0);
    for (const Span& s : spans) {
      std::memcpy(selection.coverage.data() + size_t(s.y - y0) * selection.width + (s.x - x0),
                  bytes.data() + s.at, s.length);
    }
    std::vector<uint8_t>().swap(bytes);
    return selection;
  }
};

// One row of decode_png_pixels()'s layout as coverage: luma x alpha / 255.
void row_coverage(const uint8_t* in, int n, uint32_t width, uint8_t* out) {
  for (uint32_t x = 0; x < width; ++x, in += n) {
    unsigned luma = in[0], alpha = 255;
    if (n >= 3) luma = (in[0] * 77u + in[1] * 150u + in[2] * 29u) >> 8;
    if (n == 2 || n == 4) alpha = in[n - 1];
    out[x] = uint8_t((luma * alpha + 127) / 255);
  }
}

// Rows [first, last) in decode_png_pixels()'s layout, one at a time to `visit`: from the whole
// decode (read_whole), or streamed and expanded a row at a time.
Outcome natural_rows(const ImageData& image, const uint8_t* data, size_t size,
                     const PngDecodeLimits& limits, uint32_t first, uint32_t last,
                     const PngConsumed& consumed,
                     const std::function<void(uint32_t, const uint8_t*)>& visit) {
  if (read_whole(image, limits)) {
    auto whole = decode_png_pixels(data, size, limits);
    if (!whole) return whole.take_error();
    if (consumed) consumed(size);
    for (uint32_t y = first; y < last; ++y) visit(y, whole->pixels.data() + size_t(y) * whole->stride());
    return {};
  }
  const bool as_filed = natural_as_filed(image);
  std::vector<uint8_t> expanded(as_filed ? 0 : size_t(image.width) * channels(format_for(image)));
  return stream_rows(
      image, first, last,
      [&](uint32_t y, const uint8_t* row) {
        if (!as_filed) {
          expand_row(image, row, expanded.data());
          row = expanded.data();
        }
        visit(y, row);
      },
      consumed, data);
}

}  // namespace

Result<Image> decode_png_pixels(const uint8_t* data, size_t size, const PngDecodeLimits& limits) {
  try {
    auto image = read_chunks(data, size, limits);
    if (!image) return image.take_error();
    if (Outcome crc = check_idat_crcs(*image); !crc) return crc.take_error();
    if (image->interlaced || image->gamma_not_srgb) {
      auto rgba = decode_png(data, size, limits);
      if (!rgba) return rgba.take_error();
      return natural_layout(std::move(*rgba), format_for(*image));
    }
    join_idat(*image);
    return decode_fast(*image, Rect{0, 0, int32_t(image->width), int32_t(image->height)});
  } catch (const std::bad_alloc&) {
    return Error(Status::NoMemory, "out of memory decoding a PNG");
  }
}

namespace {

// A file's checked chunks and `area` clipped to its image: where both region readers start.
struct RegionChunks {
  ImageData image;
  Rect rect;
};

Result<RegionChunks> read_region_chunks(const uint8_t* data, size_t size, const Rect& area,
                                        const PngDecodeLimits& limits) {
  auto image = read_chunks(data, size, limits);
  if (!image) return image.take_error();
  auto clipped = clip_to(area, image->width, image->height);
  if (!clipped) return clipped.take_error();
  return RegionChunks{std::move(*image), *clipped};
}

}  // namespace

Result<Image> decode_png_region(const uint8_t* data, size_t size, const Rect& area,
                                const PngDecodeLimits& limits, const PngConsumed& consumed) {
  try {
    auto chunks = read_region_chunks(data, size, area, limits);
    if (!chunks) return chunks.take_error();
    ImageData* image = &chunks->image;
    const Rect r = chunks->rect;
    Image out;
    out.width = uint32_t(r.width);
    out.height = uint32_t(r.height);
    out.format = format_for(*image);
    const int n = channels(out.format);
    if (read_whole(*image, limits) && !image->interlaced && !image->gamma_not_srgb) {
      if (Outcome crc = check_idat_crcs(*image); !crc) return crc.take_error();
      join_idat(*image);
      auto fast = decode_fast(*image, r);
      if (fast && consumed) consumed(size);
      return fast;
    }
    out.pixels.resize(out.stride() * out.height);
    const uint32_t top = uint32_t(r.y);
    Outcome read = natural_rows(*image, data, size, limits, top, top + out.height, consumed,
                                [&](uint32_t y, const uint8_t* row) {
                                  std::memcpy(out.pixels.data() + size_t(y - top) * out.stride(),
                                              row + size_t(r.x) * n, out.stride());
                                });
    if (!read) return read.take_error();
    return out;
  } catch (const std::bad_alloc&) {
    return Error(Status::NoMemory, "out of memory decoding a PNG");
  }
}

Outcome stream_png_region(const uint8_t* data, size_t size, const Rect& area,
                          const PngDecodeLimits& limits, const PngConsumed& consumed,
                          const std::function<bool(const PngRegionRows&)>& start,
                          const std::function<void(uint32_t, const uint8_t*)>& visit) {
  try {
    auto chunks = read_region_chunks(data, size, area, limits);
    if (!chunks) return chunks.take_error();
    ImageData* image = &chunks->image;
    const Rect r = chunks->rect;
    const PngRegionRows rows{r, format_for(*image), !read_whole(*image, limits)};
    if (!start(rows) || !rows.streams) return {};
    const size_t left = size_t(r.x) * size_t(channels(rows.format));
    const uint32_t top = uint32_t(r.y);
    const bool as_filed = natural_as_filed(*image);
    std::vector<uint8_t> expanded(as_filed ? 0 : size_t(image->width) * channels(rows.format));
    return stream_rows(
        *image, top, top + uint32_t(r.height),
        [&](uint32_t y, const uint8_t* row) {
          if (!as_filed) {
            expand_row(*image, row, expanded.data());
            row = expanded.data();
          }
          visit(y - top, row + left);
        },
        consumed, data);
  } catch (const std::bad_alloc&) {
    return Error(Status::NoMemory, "out of memory decoding a PNG");
  }
}

Result<Selection> decode_png_coverage(const uint8_t* data, size_t size,
                                      const PngDecodeLimits& limits) {
  try {
    auto image = read_chunks(data, size, limits);
    if (!image) return image.take_error();
    const int n = channels(format_for(*image));
    CoverageSpans spans;
    std::vector<uint8_t> coverage(n == 1 ? 0 : image->width);
    Outcome read = natural_rows(*image, data, size, limits, 0, image->height, {},
                                [&](uint32_t y, const uint8_t* row) {
                                  if (n != 1) {
                                    row_coverage(row, n, image->width, coverage.data());
                                    row = coverage.data();
                                  }
                                  spans.add(y, row, image->width);
                                });
    if (!read) return read.take_error();
    return spans.take();
  } catch (const std::bad_alloc&) {
    return Error(Status::NoMemory, "out of memory decoding a selection PNG");
  }
}

}  // namespace oaimg
