// Lanczos-3, separable, one thread. Each input row is filtered horizontally once into a small ring
// of rows (opaque RGBA rows straight from their bytes in fixed point, others as premultiplied
// floats), and each output row is the weighted sum of the ring rows it needs: memory stays at a
// few dozen rows whatever the region's size. Reductions of 4 and more average blocks first.
#include "resample.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <new>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace oaimg {
namespace {

// Four floats in one SSE register on x86-64 and NEON on ARM; GCC and Clang both know the syntax.
typedef float Float4 __attribute__((vector_size(16)));

constexpr double kLobes = 3.0;
constexpr double kPi = 3.14159265358979323846;

double lanczos3(double x) {
  x = std::abs(x);
  if (x < 1e-9) return 1.0;
  if (x >= kLobes) return 0.0;
  const double px = kPi * x;
  return kLobes * std::sin(px) * std::sin(px / kLobes) / (px * px);
}

// Per output pixel: the first input index, the tap count and its weights (max_taps apart).
struct AxisWeights {
  std::vector<int32_t> first, count;
  std::vector<float> weights;
  int32_t max_taps = 0;
  int32_t lowest = 0, highest = 0;  // input indexes read, inclusive
};

AxisWeights compute_weights(const AxisMap& map) {
  AxisWeights axis;
  // Shrinking widens the kernel so that every input pixel contributes (no aliasing); enlarging
  // keeps it at three input pixels a side.
  const double stretch = std::max(1.0, map.step);
  const double radius = kLobes * stretch;
  axis.max_taps = int32_t(std::ceil(2 * radius)) + 2;
  axis.first.resize(map.out_size);
  axis.count.resize(map.out_size);
  axis.weights.assign(size_t(map.out_size) * axis.max_taps, 0.0f);
  axis.lowest = map.clamp_end;
  axis.highest = map.clamp_begin;
  std::vector<double> taps(axis.max_taps);
  for (uint32_t i = 0; i < map.out_size; ++i) {
    const double centre = map.origin + (i + 0.5) * map.step;
    const int64_t lo = int64_t(std::ceil(centre - radius - 0.5));
    const int64_t hi = int64_t(std::floor(centre + radius - 0.5));
    // Taps beyond the clamp range fold onto the edge pixel, keeping the range contiguous.
    const int32_t first = int32_t(std::clamp<int64_t>(lo, map.clamp_begin, map.clamp_end - 1));
    const int32_t last = int32_t(std::clamp<int64_t>(hi, map.clamp_begin, map.clamp_end - 1));
    std::fill(taps.begin(), taps.end(), 0.0);
    double sum = 0;
    for (int64_t j = lo; j <= hi; ++j) {
      const double w = lanczos3((double(j) + 0.5 - centre) / stretch);
      const int64_t k = std::clamp<int64_t>(j, map.clamp_begin, map.clamp_end - 1) - first;
      taps[size_t(k)] += w;
      sum += w;
    }
    int32_t begin = 0, end = last - first + 1;
    // Whole-pixel positions put the kernel's zeros on the neighbours: trimming them turns an
    // unscaled copy into one tap per pixel.
    while (end - begin > 1 && std::abs(taps[begin]) < 1e-6 * std::abs(sum)) ++begin;
    while (end - begin > 1 && std::abs(taps[end - 1]) < 1e-6 * std::abs(sum)) --end;
    axis.first[i] = first + begin;
    axis.count[i] = end - begin;
    float* out = axis.weights.data() + size_t(i) * axis.max_taps;
    for (int32_t k = begin; k < end; ++k) out[k - begin] = float(taps[k] / sum);
    axis.lowest = std::min(axis.lowest, first + begin);
    axis.highest = std::max(axis.highest, first + end - 1);
  }
  return axis;
}

typedef uint8_t Bytes4 __attribute__((vector_size(4)));

// Four bytes to four floats in a handful of SIMD instructions (unpack, unpack, convert).
inline Float4 bytes_to_floats(const uint8_t* p) {
  Bytes4 b;
  std::memcpy(&b, p, 4);
  return __builtin_convertvector(b, Float4);
}

// Source row [x0, x1] to premultiplied floats on a 0-255 scale. One loop per format keeps the
// format test out of the per-pixel path.
void premultiply_row(PixelFormat format, const uint8_t* row, int32_t x0, int32_t x1, Float4* out) {
  const int n = channels(format);
  const uint8_t* p = row + size_t(x0) * n;
  const int32_t count = x1 - x0 + 1;
  constexpr float kInv255 = 1.0f / 255.0f;
  switch (format) {
    case PixelFormat::Rgba8: {
      uint8_t all = 255;
      for (int32_t i = 0; i < count; ++i) all &= p[i * 4 + 3];
      // Opaque rows, most of any photograph: premultiplying would change nothing.
      if (all == 255) {
        for (int32_t i = 0; i < count; ++i, p += 4) out[i] = bytes_to_floats(p);
        break;
      }
      for (int32_t i = 0; i < count; ++i, p += 4) {
        Float4 v = bytes_to_floats(p);
        const float a = v[3];
        v *= a * kInv255;
        v[3] = a;
        out[i] = v;
      }
      break;
    }
    case PixelFormat::Rgb8:
      for (int32_t i = 0; i < count; ++i, p += 3) {
        out[i] = Float4{float(p[0]), float(p[1]), float(p[2]), 255.0f};
      }
      break;
    case PixelFormat::Gray8:
      for (int32_t i = 0; i < count; ++i, ++p) {
        const float g = p[0];
        out[i] = Float4{g, g, g, 255.0f};
      }
      break;
    case PixelFormat::GrayA8:
      for (int32_t i = 0; i < count; ++i, p += 2) {
        const float g = p[0];
        out[i] = Float4{g, g, g, 255.0f} * (p[1] * kInv255);
      }
      break;
  }
}

void filter_row(const Float4* in, int32_t in_offset, const AxisWeights& axis, Float4* out,
                uint32_t out_size) {
  for (uint32_t i = 0; i < out_size; ++i) {
    const Float4* src = in + (axis.first[i] - in_offset);
    const float* w = axis.weights.data() + size_t(i) * axis.max_taps;
    const int32_t count = axis.count[i];
    // Two independent sums halve the add-latency chain that otherwise bounds this loop.
    Float4 even = {0, 0, 0, 0}, odd = {0, 0, 0, 0};
    int32_t k = 0;
    for (; k + 1 < count; k += 2) {
      even += src[k] * w[k];
      odd += src[k + 1] * w[k + 1];
    }
    if (k < count) even += src[k] * w[k];
    out[i] = even + odd;
  }
}

#if defined(__SSE2__)
// Opaque rows (RGB, and RGBA rows whose alpha is all 255) skip the float conversion: the bytes are
// filtered as they are, two taps per pmaddwd with 14-bit weights (what Pillow-SIMD does), for the
// same result as the float path to within rounding.
constexpr int kFixedShift = 14;

struct FixedWeights {
  std::vector<int16_t> pairs;  // per output pixel, per tap pair: [w0, w1] x 4
  int32_t pairs_per_pixel = 0;
};

FixedWeights fixed_weights(const AxisWeights& axis) {
  FixedWeights fixed;
  fixed.pairs_per_pixel = (axis.max_taps + 1) / 2;
  fixed.pairs.resize(axis.count.size() * size_t(fixed.pairs_per_pixel) * 8);
  std::vector<int32_t> w(size_t(axis.max_taps) + 1);
  for (size_t i = 0; i < axis.count.size(); ++i) {
    const float* f = axis.weights.data() + i * axis.max_taps;
    const int32_t count = axis.count[i];
    int32_t sum = 0, largest = 0;
    std::fill(w.begin(), w.end(), 0);
    for (int32_t k = 0; k < count; ++k) {
      w[size_t(k)] = int32_t(std::lround(f[k] * (1 << kFixedShift)));
      sum += w[size_t(k)];
      if (std::abs(w[size_t(k)]) > std::abs(w[size_t(largest)])) largest = k;
    }
    // Rounding must not change the sum, or flat areas would drift by a level.
    w[size_t(largest)] += (1 << kFixedShift) - sum;
    for (int32_t pair = 0; pair < fixed.pairs_per_pixel; ++pair) {
      const int16_t w0 = int16_t(w[size_t(2 * pair)]), w1 = int16_t(w[size_t(2 * pair + 1)]);
      int16_t* lanes = fixed.pairs.data() + (i * fixed.pairs_per_pixel + size_t(pair)) * 8;
      for (int lane = 0; lane < 8; lane += 2) {
        lanes[lane] = w0;
        lanes[lane + 1] = w1;
      }
    }
  }
  return fixed;
}

// Four bytes of pixel k: RGBA as stored, RGB with an opaque alpha (never reading past the pixel).
template <int Channels>
inline int32_t load_pixel(const uint8_t* p) {
  int32_t v;
  if constexpr (Channels == 4) {
    std::memcpy(&v, p, 4);
  } else {
    v = int32_t(uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | 0xffu << 24);
  }
  return v;
}

template <int Channels>
void filter_opaque_row(const uint8_t* row, const AxisWeights& axis, const FixedWeights& fixed,
                       Float4* out, uint32_t out_size) {
  const __m128i zero = _mm_setzero_si128();
  const __m128 scale = _mm_set1_ps(1.0f / (1 << kFixedShift));
  for (uint32_t i = 0; i < out_size; ++i) {
    const uint8_t* src = row + size_t(axis.first[i]) * Channels;
    const int16_t* w = fixed.pairs.data() + size_t(i) * fixed.pairs_per_pixel * 8;
    const int32_t count = axis.count[i];
    __m128i sum = zero;
    int32_t k = 0;
    for (; k + 1 < count; k += 2, w += 8) {
      const int32_t p0 = load_pixel<Channels>(src + k * Channels);
      const int32_t p1 = load_pixel<Channels>(src + (k + 1) * Channels);
      // [r0 r1 g0 g1 b0 b1 a0 a1] as int16: pmaddwd gives r0*w0 + r1*w1, and so on.
      const __m128i pair =
          _mm_unpacklo_epi8(_mm_unpacklo_epi8(_mm_cvtsi32_si128(p0), _mm_cvtsi32_si128(p1)), zero);
      sum = _mm_add_epi32(
          sum, _mm_madd_epi16(pair, _mm_loadu_si128(reinterpret_cast<const __m128i*>(w))));
    }
    if (k < count) {
      const int32_t p0 = load_pixel<Channels>(src + k * Channels);
      const __m128i single = _mm_unpacklo_epi8(_mm_unpacklo_epi8(_mm_cvtsi32_si128(p0), zero), zero);
      sum = _mm_add_epi32(
          sum, _mm_madd_epi16(single, _mm_loadu_si128(reinterpret_cast<const __m128i*>(w))));
    }
    _mm_storeu_ps(reinterpret_cast<float*>(out + i), _mm_mul_ps(_mm_cvtepi32_ps(sum), scale));
  }
}
#endif

bool row_is_opaque(const uint8_t* rgba, int32_t first, int32_t last) {
  uint8_t all = 255;
  for (int32_t i = first; i <= last; ++i) all &= rgba[size_t(i) * 4 + 3];
  return all == 255;
}

typedef int32_t Int4 __attribute__((vector_size(16)));

void unpremultiply_row(const Float4* in, uint32_t width, uint8_t* out) {
  const Float4 zero = {0, 0, 0, 0}, top = {255, 255, 255, 255}, half = {0.5f, 0.5f, 0.5f, 0.5f};
  for (uint32_t x = 0; x < width; ++x, out += 4) {
    const Float4 v = in[x];
    const float a = std::min(v[3], 255.0f);
    // Below half a level the pixel rounds to transparent and its colour means nothing; opaque
    // pixels, most of any photograph, need no division.
    const float k = a < 0.5f ? 0.0f : a >= 254.5f ? 1.0f : 255.0f / a;
    Float4 c = v * Float4{k, k, k, 0} + Float4{0, 0, 0, a < 0.5f ? 0.0f : a};
    // Clamped, then rounded by truncation after adding a half: lanes convert together.
    c = c < zero ? zero : c;
    c = c > top ? top : c;
    const Int4 lanes = __builtin_convertvector(c + half, Int4);
#if defined(__SSE2__)
    const __m128i words = _mm_packs_epi32(reinterpret_cast<const __m128i&>(lanes), _mm_setzero_si128());
    const int32_t packed = _mm_cvtsi128_si32(_mm_packus_epi16(words, words));
    std::memcpy(out, &packed, 4);
#else
    for (int i = 0; i < 4; ++i) out[i] = uint8_t(lanes[i]);
#endif
  }
}

// Large reductions first average f x f blocks (integer sums, cheap), then run Lanczos over the
// blocks with what is left of the step, at least kMinLanczosStep: libvips' and Pillow's
// "reducing gap" of 2, where the box's own aliasing stays far below what Lanczos lets through.
// The factor is capped so that the 32-bit sums cannot overflow.
constexpr double kMinLanczosStep = 2.0;
constexpr int kMaxBoxFactor = 16;

struct BoxedAxis {
  AxisMap map;       // in blocks
  int factor = 1;
  int32_t base = 0;  // source index of block 0's first pixel
  int32_t clamp_begin = 0, clamp_end = 0;  // source pixels that may be read
};

BoxedAxis box_axis(const AxisMap& m) {
  BoxedAxis axis;
  axis.factor = std::clamp(int(m.step / kMinLanczosStep), 1, kMaxBoxFactor);
  axis.clamp_begin = m.clamp_begin;
  axis.clamp_end = m.clamp_end;
  axis.map = m;
  if (axis.factor == 1) return axis;
  // Blocks start at the clamp range; a last partial block repeats the edge pixel, as the
  // unboxed filter would, so block centres stay exactly on the source grid.
  const int f = axis.factor;
  axis.base = m.clamp_begin;
  axis.map.origin = (m.origin - m.clamp_begin) / f;
  axis.map.step = m.step / f;
  axis.map.clamp_begin = 0;
  axis.map.clamp_end = (m.clamp_end - m.clamp_begin + f - 1) / f;
  return axis;
}

// Produces input rows for the Lanczos passes: source rows converted to premultiplied floats, or
// with boxing the premultiplied average of f x f blocks.
class RowSource {
 public:
  RowSource(PixelFormat format, RowFeed& feed, const BoxedAxis& x, const BoxedAxis& y,
            int32_t lowest, int32_t highest)
      : format_(format), feed_(feed), x_(x), y_(y), lowest_(lowest), highest_(highest) {
    if (boxed()) {
      first_pixel_ = std::max(x_.base + lowest * x_.factor, x_.clamp_begin);
      last_pixel_ = std::min(x_.base + highest * x_.factor + x_.factor - 1, x_.clamp_end - 1);
      const size_t pixels = size_t(last_pixel_ - first_pixel_ + 1) * 4;
      straight_.resize(pixels);
      premultiplied_.resize(pixels);
    }
  }

  bool boxed() const { return x_.factor > 1 || y_.factor > 1; }

  // The first source row that block row j reads.
  int32_t first_source_row(int32_t j) const {
    return std::clamp(y_.base + j * y_.factor, y_.clamp_begin, y_.clamp_end - 1);
  }

  // Row j (in blocks), columns [lowest, highest] (in blocks); false when the feed stopped.
  bool fill(int32_t j, Float4* out) {
    if (!boxed()) {
      const uint8_t* row = feed_.row(uint32_t(j));
      if (!row) return false;
      premultiply_row(format_, row, lowest_, highest_, out);
      return true;
    }
    std::fill(straight_.begin(), straight_.end(), 0u);
    std::fill(premultiplied_.begin(), premultiplied_.end(), 0u);
    for (int t = 0; t < y_.factor; ++t) {
      const int32_t row = std::clamp(y_.base + j * y_.factor + t, y_.clamp_begin, y_.clamp_end - 1);
      const uint8_t* bytes = feed_.row(uint32_t(row));
      if (!bytes) return false;
      accumulate_row(bytes);
    }
    const int f = x_.factor;
    const float scale = 1.0f / (255.0f * float(f) * float(y_.factor));
    for (int32_t k = lowest_; k <= highest_; ++k) {
      uint32_t sum[4] = {0, 0, 0, 0};
      for (int i = 0; i < f; ++i) {
        const int32_t px = std::clamp(x_.base + k * f + i, x_.clamp_begin, x_.clamp_end - 1);
        const size_t at = size_t(px - first_pixel_) * 4;
        for (int c = 0; c < 4; ++c) sum[c] += straight_[at + c] * 255u + premultiplied_[at + c];
      }
      out[k - lowest_] =
          Float4{float(sum[0]), float(sum[1]), float(sum[2]), float(sum[3])} * scale;
    }
    return true;
  }

 private:
  // Adds one source row: opaque pixels as they are into straight_ (scaled by 255 later), others
  // premultiplied on a 255 * 255 scale into premultiplied_. Opaque rows, the common case, are a
  // plain widening add that the compiler vectorises.
  void accumulate_row(const uint8_t* row) {
    const int n = channels(format_);
    const uint8_t* p = row + size_t(first_pixel_) * n;
    const size_t count = size_t(last_pixel_ - first_pixel_ + 1);
    uint32_t* straight = straight_.data();
    uint32_t* premultiplied = premultiplied_.data();
    switch (format_) {
      case PixelFormat::Rgba8: {
        uint8_t all = 255;
        for (size_t i = 0; i < count; ++i) all &= p[i * 4 + 3];
        if (all == 255) {
          for (size_t i = 0; i < count * 4; ++i) straight[i] += p[i];
          return;
        }
        for (size_t i = 0; i < count; ++i, p += 4) {
          const uint32_t a = p[3];
          premultiplied[i * 4 + 0] += p[0] * a;
          premultiplied[i * 4 + 1] += p[1] * a;
          premultiplied[i * 4 + 2] += p[2] * a;
          premultiplied[i * 4 + 3] += a * 255u;
        }
        return;
      }
      case PixelFormat::Rgb8:
        for (size_t i = 0; i < count; ++i, p += 3) {
          straight[i * 4 + 0] += p[0];
          straight[i * 4 + 1] += p[1];
          straight[i * 4 + 2] += p[2];
          straight[i * 4 + 3] += 255u;
        }
        return;
      case PixelFormat::Gray8:
        for (size_t i = 0; i < count; ++i, ++p) {
          straight[i * 4 + 0] += p[0];
          straight[i * 4 + 1] += p[0];
          straight[i * 4 + 2] += p[0];
          straight[i * 4 + 3] += 255u;
        }
        return;
      case PixelFormat::GrayA8:
        for (size_t i = 0; i < count; ++i, p += 2) {
          const uint32_t a = p[1];
          const uint32_t g = p[0] * a;
          premultiplied[i * 4 + 0] += g;
          premultiplied[i * 4 + 1] += g;
          premultiplied[i * 4 + 2] += g;
          premultiplied[i * 4 + 3] += a * 255u;
        }
        return;
    }
  }

  PixelFormat format_;
  RowFeed& feed_;
  const BoxedAxis& x_;
  const BoxedAxis& y_;
  int32_t lowest_, highest_;
  int32_t first_pixel_ = 0, last_pixel_ = 0;
  std::vector<uint32_t> straight_, premultiplied_;
};

}  // namespace

AxisMap map_span(double span_begin, double span_size, uint32_t out_size, int32_t clamp_begin,
                 int32_t clamp_end) {
  AxisMap map;
  map.origin = span_begin;
  map.step = out_size ? span_size / out_size : 1.0;
  map.clamp_begin = clamp_begin;
  map.clamp_end = clamp_end;
  map.out_size = out_size;
  return map;
}

namespace {

// An image in memory: every row at hand.
class ImageFeed final : public RowFeed {
 public:
  explicit ImageFeed(const Image& image) : image_(image) {}
  const uint8_t* row(uint32_t y) override { return image_.pixels.data() + size_t(y) * image_.stride(); }

 private:
  const Image& image_;
};

}  // namespace

Result<Image> resample_to_rgba(const Image& source, const AxisMap& x, const AxisMap& y) {
  if (source.empty() || source.pixels.size() < source.stride() * source.height) {
    return Error(Status::InvalidArgument, "resample: empty image or a map outside it");
  }
  ImageFeed feed(source);
  return resample_rows_to_rgba(RowLayout{source.width, source.height, source.format}, feed, x, y);
}

Result<Image> resample_rows_to_rgba(const RowLayout& source, RowFeed& feed, const AxisMap& x,
                                    const AxisMap& y) {
  if (source.width == 0 || source.height == 0 ||
      x.out_size == 0 || y.out_size == 0 || !(x.step > 0) || !(y.step > 0) ||
      x.clamp_begin < 0 || y.clamp_begin < 0 || x.clamp_end <= x.clamp_begin ||
      y.clamp_end <= y.clamp_begin || x.clamp_end > int64_t(source.width) ||
      y.clamp_end > int64_t(source.height)) {
    return Error(Status::InvalidArgument, "resample: empty image or a map outside it");
  }
  const Error stopped(Status::Image, "resample: the source rows stopped coming");
  try {
    const BoxedAxis bx = box_axis(x), by = box_axis(y);
    const AxisWeights wx = compute_weights(bx.map);
    const AxisWeights wy = compute_weights(by.map);
    RowSource rows_in(source.format, feed, bx, by, wx.lowest, wx.highest);
#if defined(__SSE2__)
    const bool fixed_point = !rows_in.boxed() && (source.format == PixelFormat::Rgba8 ||
                                                  source.format == PixelFormat::Rgb8);
    const FixedWeights wx_fixed = fixed_point ? fixed_weights(wx) : FixedWeights{};
#endif
    // The lowest row (in blocks) any output row from oy on reads: the feed may let go of the
    // source rows before it. Taps trimmed at whole-pixel positions can make `first` step back.
    std::vector<int32_t> still_needed(size_t(y.out_size) + 1, by.map.clamp_end);
    for (uint32_t oy = y.out_size; oy-- > 0;)
      still_needed[oy] = std::min(still_needed[size_t(oy) + 1], wy.first[oy]);
    Image out;
    out.width = x.out_size;
    out.height = y.out_size;
    out.format = PixelFormat::Rgba8;
    out.pixels.resize(out.stride() * out.height);

    std::vector<Float4> input_row(size_t(wx.highest - wx.lowest + 1));
    const int32_t ring_rows = wy.max_taps;
    std::vector<Float4> ring(size_t(ring_rows) * x.out_size);
    std::vector<int32_t> ring_holds(size_t(ring_rows), -1);  // input row held by each slot
    std::vector<Float4> sum_row(x.out_size);
    std::vector<const Float4*> rows(static_cast<size_t>(ring_rows));

    for (uint32_t oy = 0; oy < y.out_size; ++oy) {
      const int32_t first = wy.first[oy], count = wy.count[oy];
      feed.release_below(uint32_t(rows_in.first_source_row(still_needed[oy])));
      for (int32_t j = first; j < first + count; ++j) {
        const int32_t slot = j % ring_rows;
        if (ring_holds[size_t(slot)] == j) continue;
        Float4* filtered = ring.data() + size_t(slot) * x.out_size;
#if defined(__SSE2__)
        const uint8_t* source_row = fixed_point ? feed.row(uint32_t(j)) : nullptr;
        if (fixed_point && !source_row) return stopped;
        if (fixed_point && source.format == PixelFormat::Rgb8) {
          filter_opaque_row<3>(source_row, wx, wx_fixed, filtered, x.out_size);
          ring_holds[size_t(slot)] = j;
          continue;
        }
        if (fixed_point && row_is_opaque(source_row, wx.lowest, wx.highest)) {
          filter_opaque_row<4>(source_row, wx, wx_fixed, filtered, x.out_size);
          ring_holds[size_t(slot)] = j;
          continue;
        }
#endif
        if (!rows_in.fill(j, input_row.data())) return stopped;
        filter_row(input_row.data(), wx.lowest, wx, filtered, x.out_size);
        ring_holds[size_t(slot)] = j;
      }
      const float* w = wy.weights.data() + size_t(oy) * wy.max_taps;
      for (int32_t k = 0; k < count; ++k) {
        rows[size_t(k)] = ring.data() + size_t((first + k) % ring_rows) * x.out_size;
      }
      // Eight output pixels at a time: eight independent sums kept in registers over all taps,
      // so each row pointer and weight is loaded once for eight multiply-adds.
      uint32_t ox = 0;
      for (; ox + 8 <= x.out_size; ox += 8) {
        Float4 s[8] = {};
        for (int32_t k = 0; k < count; ++k) {
          const Float4* r = rows[size_t(k)] + ox;
          const float wk = w[k];
          for (int lane = 0; lane < 8; ++lane) s[lane] += r[lane] * wk;
        }
        for (int lane = 0; lane < 8; ++lane) sum_row[ox + lane] = s[lane];
      }
      for (; ox < x.out_size; ++ox) {
        Float4 s0 = {0, 0, 0, 0};
        for (int32_t k = 0; k < count; ++k) s0 += rows[size_t(k)][ox] * w[k];
        sum_row[ox] = s0;
      }
      unpremultiply_row(sum_row.data(), x.out_size, out.pixels.data() + size_t(oy) * out.stride());
    }
    return out;
  } catch (const std::bad_alloc&) {
    return Error(Status::NoMemory, "out of memory resampling an image");
  }
}

}  // namespace oaimg
