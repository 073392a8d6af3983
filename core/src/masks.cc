#include "masks.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <new>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "geometry.h"

namespace oaimg {
namespace {

Rect selection_rect(const Selection& s) {
  return Rect{s.x, s.y, int32_t(s.width), int32_t(s.height)};
}

bool selection_is_valid(const Selection& s) {
  return s.width > 0 && s.height > 0 && s.coverage.size() >= size_t(s.width) * s.height;
}

// Target cells [first, last] that source pixels [p, p + 1) overlap along one axis.
void cells_of_pixel(int32_t p, double origin, double step, int32_t cells, int32_t& first,
                    int32_t& last) {
  first = int32_t(std::floor((p - origin) / step + 1e-9));
  last = int32_t(std::ceil((p + 1 - origin) / step - 1e-9)) - 1;
  first = std::clamp(first, 0, cells - 1);
  last = std::clamp(last, first, cells - 1);
}

// Filters run down the columns only, as running sums updated a whole row at a time, which
// vectorises; the other direction goes through a transpose. Sliding along each row instead is a
// serial chain per pixel, three times slower on a put-back mask.

// Columns dilated by 2 * radius + 1 (binary 0/1 cells): a running count per column.
void dilate_columns(std::vector<uint8_t>& cells, int32_t width, int32_t height, int radius) {
  if (radius <= 0) return;
  std::vector<uint16_t> count(static_cast<size_t>(width), 0);  // at most 2 * 1024 + 1
  std::vector<uint8_t> out(cells.size());
  for (int32_t y = 0; y < std::min(radius, height); ++y) {
    const uint8_t* add = cells.data() + size_t(y) * width;
    for (int32_t x = 0; x < width; ++x) count[size_t(x)] += add[x];
  }
  for (int32_t y = 0; y < height; ++y) {
    if (y + radius < height) {
      const uint8_t* add = cells.data() + size_t(y + radius) * width;
      for (int32_t x = 0; x < width; ++x) count[size_t(x)] += add[x];
    }
    if (y - radius - 1 >= 0) {
      const uint8_t* sub = cells.data() + size_t(y - radius - 1) * width;
      for (int32_t x = 0; x < width; ++x) count[size_t(x)] -= sub[x];
    }
    uint8_t* dst = out.data() + size_t(y) * width;
    for (int32_t x = 0; x < width; ++x) dst[x] = count[size_t(x)] > 0;
  }
  cells.swap(out);
}

// Columns box-blurred with radius r, zero outside. `scratch` is reused between calls.
void blur_columns(std::vector<uint8_t>& plane, int32_t width, int32_t height, int radius,
                  std::vector<uint8_t>& scratch) {
  if (radius <= 0) return;
  // Sums stay below 2^20, exact in a float; the float multiply vectorises where a 64-bit
  // reciprocal multiply would not.
  const float inverse = 1.0f / float(2 * radius + 1);
  std::vector<int32_t> sums(static_cast<size_t>(width), 0);
  scratch.resize(plane.size());
  for (int32_t y = 0; y < std::min(radius, height); ++y) {
    const uint8_t* add = plane.data() + size_t(y) * width;
    for (int32_t x = 0; x < width; ++x) sums[size_t(x)] += add[x];
  }
  for (int32_t y = 0; y < height; ++y) {
    if (y + radius < height) {
      const uint8_t* add = plane.data() + size_t(y + radius) * width;
      for (int32_t x = 0; x < width; ++x) sums[size_t(x)] += add[x];
    }
    if (y - radius - 1 >= 0) {
      const uint8_t* sub = plane.data() + size_t(y - radius - 1) * width;
      for (int32_t x = 0; x < width; ++x) sums[size_t(x)] -= sub[x];
    }
    uint8_t* dst = scratch.data() + size_t(y) * width;
    for (int32_t x = 0; x < width; ++x) {
      dst[x] = uint8_t(int32_t(float(sums[size_t(x)]) * inverse + 0.5f));
    }
  }
  plane.swap(scratch);
}

#if defined(__SSE2__)
// An 8 x 8 block of bytes transposed in registers: three rounds of interleaving.
void transpose_8x8(const uint8_t* src, size_t src_stride, uint8_t* dst, size_t dst_stride) {
  __m128i r[8];
  for (int i = 0; i < 8; ++i) {
    r[i] = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(src + i * src_stride));
  }
  const __m128i a0 = _mm_unpacklo_epi8(r[0], r[1]), a1 = _mm_unpacklo_epi8(r[2], r[3]);
  const __m128i a2 = _mm_unpacklo_epi8(r[4], r[5]), a3 = _mm_unpacklo_epi8(r[6], r[7]);
  const __m128i b0 = _mm_unpacklo_epi16(a0, a1), b1 = _mm_unpackhi_epi16(a0, a1);
  const __m128i b2 = _mm_unpacklo_epi16(a2, a3), b3 = _mm_unpackhi_epi16(a2, a3);
  const __m128i c[4] = {_mm_unpacklo_epi32(b0, b2), _mm_unpackhi_epi32(b0, b2),
                        _mm_unpacklo_epi32(b1, b3), _mm_unpackhi_epi32(b1, b3)};
  for (int i = 0; i < 4; ++i) {
    _mm_storel_epi64(reinterpret_cast<__m128i*>(dst + (2 * i) * dst_stride), c[i]);
    _mm_storel_epi64(reinterpret_cast<__m128i*>(dst + (2 * i + 1) * dst_stride),
                     _mm_unpackhi_epi64(c[i], c[i]));
  }
}
#endif

// Rows become columns: width x height in, height x width out, in cache-sized tiles.
void transpose(std::vector<uint8_t>& plane, int32_t width, int32_t height) {
  constexpr int32_t kTile = 64;
  std::vector<uint8_t> out(plane.size());
  for (int32_t ty = 0; ty < height; ty += kTile) {
    for (int32_t tx = 0; tx < width; tx += kTile) {
      const int32_t y_end = std::min(ty + kTile, height), x_end = std::min(tx + kTile, width);
      int32_t y = ty;
#if defined(__SSE2__)
      for (; y + 8 <= y_end; y += 8) {
        int32_t x = tx;
        for (; x + 8 <= x_end; x += 8) {
          transpose_8x8(plane.data() + size_t(y) * width + x, size_t(width),
                        out.data() + size_t(x) * height + y, size_t(height));
        }
        for (; x < x_end; ++x) {
          for (int32_t i = 0; i < 8; ++i) out[size_t(x) * height + y + i] = plane[size_t(y + i) * width + x];
        }
      }
#endif
      for (; y < y_end; ++y) {
        const uint8_t* src = plane.data() + size_t(y) * width;
        for (int32_t x = tx; x < x_end; ++x) out[size_t(x) * height + y] = src[x];
      }
    }
  }
  plane.swap(out);
}

// Binary dilation by a (2 * radius + 1) square.
void dilate_binary(std::vector<uint8_t>& cells, int32_t width, int32_t height, int radius) {
  if (radius <= 0) return;
  dilate_columns(cells, width, height, radius);
  transpose(cells, width, height);
  dilate_columns(cells, height, width, radius);
  transpose(cells, height, width);
}

}  // namespace

int request_mask_grow(uint32_t upload_width, uint32_t upload_height) {
  // About 0.8% of the image: 8 pixels at 1024, 2 at 256. Enough for the model to blend across
  // the edge, small enough to leave the surroundings as they were.
  return std::max(2, int(std::max(upload_width, upload_height) / 128));
}

Result<Image> make_request_mask(const Selection& selection, const Rect& clip, const Rect& padded,
                                uint32_t upload_width, uint32_t upload_height, int grow) {
  if (upload_width == 0 || upload_height == 0 || padded.empty()) {
    return Error(Status::InvalidArgument, "request mask: empty target");
  }
  try {
    const int32_t w = int32_t(upload_width), h = int32_t(upload_height);
    std::vector<uint8_t> hit(size_t(w) * h, 0);
    const Rect covered =
        selection_is_valid(selection) ? intersect(selection_rect(selection), clip) : Rect{};
    if (!covered.empty()) {
      const double step_x = double(padded.width) / w, step_y = double(padded.height) / h;
      std::vector<int32_t> col_first(static_cast<size_t>(covered.width)), col_last(static_cast<size_t>(covered.width));
      for (int32_t i = 0; i < covered.width; ++i) {
        cells_of_pixel(covered.x + i, padded.x, step_x, w, col_first[size_t(i)],
                       col_last[size_t(i)]);
      }
      std::vector<uint8_t> cells_row(size_t(w), 0);
      for (int32_t y = covered.y; y < covered.y + covered.height; ++y) {
        const uint8_t* row = selection.coverage.data() + size_t(y - selection.y) * selection.width +
                             (covered.x - selection.x);
        // Runs of covered pixels mark a contiguous span of cells: one fill per run, not a loop
        // over the cells of every pixel.
        int32_t touched_first = w, touched_last = -1;
        for (int32_t i = 0; i < covered.width;) {
          if (!row[i]) {
            ++i;
            continue;
          }
          const int32_t run_start = i;
          while (i < covered.width && row[i]) ++i;
          const int32_t c0 = col_first[size_t(run_start)], c1 = col_last[size_t(i - 1)];
          std::fill(cells_row.begin() + c0, cells_row.begin() + c1 + 1, uint8_t(1));
          touched_first = std::min(touched_first, c0);
          touched_last = std::max(touched_last, c1);
        }
        if (touched_last < 0) continue;
        int32_t row_first = 0, row_last = 0;
        cells_of_pixel(y, padded.y, step_y, h, row_first, row_last);
        for (int32_t r = row_first; r <= row_last; ++r) {
          uint8_t* dst = hit.data() + size_t(r) * w;
          for (int32_t c = touched_first; c <= touched_last; ++c) dst[c] |= cells_row[size_t(c)];
        }
        std::fill(cells_row.begin() + touched_first, cells_row.begin() + touched_last + 1, 0);
      }
      dilate_binary(hit, w, h, grow);
    }
    Image mask;
    mask.width = upload_width;
    mask.height = upload_height;
    mask.format = PixelFormat::GrayA8;
    mask.pixels.resize(hit.size() * 2);
    for (size_t i = 0; i < hit.size(); ++i) {
      const uint8_t keep = hit[i] ? 0 : 255;
      mask.pixels[2 * i] = keep;
      mask.pixels[2 * i + 1] = keep;
    }
    return mask;
  } catch (const std::bad_alloc&) {
    return Error(Status::NoMemory, "out of memory building the request mask");
  }
}

Result<std::vector<uint8_t>> make_put_back_mask(const Selection& selection, const Rect& area,
                                                int band) {
  if (area.empty()) return Error(Status::InvalidArgument, "put-back mask: empty area");
  try {
    std::vector<uint8_t> mask(size_t(area.width) * area.height, 0);
    const Rect covered =
        selection_is_valid(selection) ? intersect(selection_rect(selection), area) : Rect{};
    if (covered.empty()) return mask;
    band = std::clamp(band, 0, 1024);  // keeps the blur's sums small (see blur_columns)
    // Only the selection and the band around it can be non-zero: work on that window alone.
    const Rect window = intersect(Rect{covered.x - band - 1, covered.y - band - 1,
                                       covered.width + 2 * band + 2, covered.height + 2 * band + 2},
                                  area);
    std::vector<uint8_t> own(size_t(window.width) * window.height, 0);
    for (int32_t y = covered.y; y < covered.y + covered.height; ++y) {
      const uint8_t* src = selection.coverage.data() + size_t(y - selection.y) * selection.width +
                           (covered.x - selection.x);
      std::copy(src, src + covered.width,
                own.begin() + std::ptrdiff_t(y - window.y) * window.width + (covered.x - window.x));
    }
    // The band grows from the selection's core (pixels at least half selected), so that a
    // soft selection's faint fringe does not turn into a hard-edged block. Grow by half the
    // band, then blur with a tent reaching the other half: 255 right at the core's edge, 0 at
    // `band` pixels out, smooth in between.
    std::vector<uint8_t> band_plane(own.size());
    for (size_t i = 0; i < own.size(); ++i) band_plane[i] = own[i] >= 128;
    const int grow = band / 2;
    const int blur_radius = (band - grow) / 2;
    // Dilation first in both directions, then the blurs (which commute with each other):
    // columns, transpose, rows (as columns), transpose back.
    const int32_t w = window.width, h = window.height;
    dilate_columns(band_plane, w, h, grow);
    transpose(band_plane, w, h);
    dilate_columns(band_plane, h, w, grow);
    for (uint8_t& v : band_plane) v = v ? 255 : 0;
    std::vector<uint8_t> scratch;
    blur_columns(band_plane, h, w, blur_radius, scratch);
    blur_columns(band_plane, h, w, blur_radius, scratch);
    transpose(band_plane, h, w);
    blur_columns(band_plane, w, h, blur_radius, scratch);
    blur_columns(band_plane, w, h, blur_radius, scratch);
    for (int32_t y = 0; y < window.height; ++y) {
      uint8_t* dst = mask.data() + size_t(y + window.y - area.y) * area.width + (window.x - area.x);
      const uint8_t* a = own.data() + size_t(y) * window.width;
      const uint8_t* b = band_plane.data() + size_t(y) * window.width;
      for (int32_t x = 0; x < window.width; ++x) dst[x] = std::max(a[x], b[x]);
    }
    return mask;
  } catch (const std::bad_alloc&) {
    return Error(Status::NoMemory, "out of memory building the put-back mask");
  }
}

}  // namespace oaimg
