// Lanczos-3, separable, one thread. Rows are converted to premultiplied float once, filtered
// horizontally into a small ring of rows, and each output row is the weighted sum of the ring rows
// it needs: memory stays at a few dozen rows whatever the region's size.
#include "resample.h"

#include <algorithm>
#include <cmath>
#include <new>
#include <vector>

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

// Source row [x0, x1] to premultiplied floats on a 0-255 scale. One loop per format keeps the
// format test out of the per-pixel path.
void premultiply_row(const Image& source, uint32_t y, int32_t x0, int32_t x1, Float4* out) {
  const int n = channels(source.format);
  const uint8_t* p = source.pixels.data() + size_t(y) * source.stride() + size_t(x0) * n;
  const int32_t count = x1 - x0 + 1;
  constexpr float kInv255 = 1.0f / 255.0f;
  switch (source.format) {
    case PixelFormat::Rgba8:
      for (int32_t i = 0; i < count; ++i, p += 4) {
        const float a = p[3];
        out[i] = Float4{float(p[0]), float(p[1]), float(p[2]), 255.0f} * (a * kInv255);
      }
      break;
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

uint8_t to_byte(float v) {
  return uint8_t(v <= 0.0f ? 0.0f : v >= 255.0f ? 255.0f : v + 0.5f);
}

void unpremultiply_row(const Float4* in, uint32_t width, uint8_t* out) {
  for (uint32_t x = 0; x < width; ++x, out += 4) {
    const Float4 v = in[x];
    const float a = std::min(v[3], 255.0f);
    // Below half a level the pixel rounds to transparent; its colour is meaningless.
    if (a < 0.5f) {
      out[0] = out[1] = out[2] = out[3] = 0;
      continue;
    }
    const float k = 255.0f / a;
    out[0] = to_byte(v[0] * k);
    out[1] = to_byte(v[1] * k);
    out[2] = to_byte(v[2] * k);
    out[3] = to_byte(a);
  }
}

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

Result<Image> resample_to_rgba(const Image& source, const AxisMap& x, const AxisMap& y) {
  if (source.empty() || source.pixels.size() < source.stride() * source.height ||
      x.out_size == 0 || y.out_size == 0 || !(x.step > 0) || !(y.step > 0) ||
      x.clamp_begin < 0 || y.clamp_begin < 0 || x.clamp_end <= x.clamp_begin ||
      y.clamp_end <= y.clamp_begin || x.clamp_end > int64_t(source.width) ||
      y.clamp_end > int64_t(source.height)) {
    return Error(Status::InvalidArgument, "resample: empty image or a map outside it");
  }
  try {
    const AxisWeights wx = compute_weights(x);
    const AxisWeights wy = compute_weights(y);
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
      for (int32_t j = first; j < first + count; ++j) {
        const int32_t slot = j % ring_rows;
        if (ring_holds[size_t(slot)] == j) continue;
        premultiply_row(source, uint32_t(j), wx.lowest, wx.highest, input_row.data());
        filter_row(input_row.data(), wx.lowest, wx, ring.data() + size_t(slot) * x.out_size,
                   x.out_size);
        ring_holds[size_t(slot)] = j;
      }
      const float* w = wy.weights.data() + size_t(oy) * wy.max_taps;
      for (int32_t k = 0; k < count; ++k) {
        rows[size_t(k)] = ring.data() + size_t((first + k) % ring_rows) * x.out_size;
      }
      // Four output pixels at a time: four independent sums kept in registers over all taps.
      uint32_t ox = 0;
      for (; ox + 4 <= x.out_size; ox += 4) {
        Float4 s0 = {0, 0, 0, 0}, s1 = s0, s2 = s0, s3 = s0;
        for (int32_t k = 0; k < count; ++k) {
          const Float4* r = rows[size_t(k)] + ox;
          const float wk = w[k];
          s0 += r[0] * wk;
          s1 += r[1] * wk;
          s2 += r[2] * wk;
          s3 += r[3] * wk;
        }
        sum_row[ox] = s0;
        sum_row[ox + 1] = s1;
        sum_row[ox + 2] = s2;
        sum_row[ox + 3] = s3;
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
