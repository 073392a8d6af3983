// Benchmark of the pixel pipeline (reports figures, asserts nothing; not a CTest test).
//
//   cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build --target bench_pipeline
//   build/tests/bench_pipeline            # prepare + put back, median of 9 runs, peak memory
//   build/tests/bench_pipeline --survey   # also: PNG size and time per filter / zlib setting
//   build/tests/bench_pipeline --dump /tmp/oaimg-bench && \
//     /usr/bin/python3 tests/bench/compare_pillow.py /tmp/oaimg-bench   # Pillow, same pixels
//
// One thread; times are this thread's CPU time. The source is a deterministic 4000x3000 (12 MP) photo-like RGBA image: smooth
// gradients, texture at a few scales and per-pixel noise; the selection a 1500x1200 ellipse with
// an anti-aliased edge. "Prepare" is everything a 1024x1024 DALL·E 2 edit needs before sending:
// selection bounds, plan, crop + downscale, the request mask and the put-back mask, both PNGs.
#include <png.h>
#include <sys/resource.h>
#include <time.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "encode_limits.h"
#include "masks.h"
#include "oaimg/core/pipeline.h"
#include "oaimg/core/png_codec.h"
#include "resample.h"

namespace {

// CPU time of this thread: the figure that matters for one-thread work, and one that other
// processes on a busy machine disturb far less than wall-clock time.
struct Clock {
  using time_point = double;
  static double now() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
  }
};

double ms_since(double start) { return Clock::now() - start; }

// Wall-clock time, printed beside the CPU time: on an idle machine the two agree.
double wall_ms() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

long peak_rss_kb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

// xorshift: deterministic across platforms, unlike std:: distributions.
struct Noise {
  uint32_t state = 2463534242u;
  uint32_t next() {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
  }
};

oaimg::Image photo_like(uint32_t width, uint32_t height, uint32_t seed) {
  oaimg::Image image;
  image.width = width;
  image.height = height;
  image.format = oaimg::PixelFormat::Rgba8;
  image.pixels.resize(image.stride() * height);
  Noise noise;
  noise.state += seed * 7919u;
  for (uint32_t y = 0; y < height; ++y) {
    const double v = double(y) / height;
    for (uint32_t x = 0; x < width; ++x) {
      const double u = double(x) / width;
      // Sky-to-ground gradient, soft blobs, and a fine texture whose strength varies.
      const double blob = std::sin(u * 7.1 + seed) * std::cos(v * 5.3) * 40;
      const double texture = std::sin(x * 0.21) * std::sin(y * 0.17) * 12 * (0.5 + u);
      uint8_t* p = image.pixels.data() + (size_t(y) * width + x) * 4;
      const double base[3] = {90 + 120 * v + blob, 120 + 60 * u - blob * 0.5, 200 - 130 * v};
      for (int c = 0; c < 3; ++c) {
        const double grain = int(noise.next() % 13) - 6;  // sensor noise, +-6 levels
        p[c] = uint8_t(std::clamp(base[c] + texture * (c + 1) / 3 + grain, 0.0, 255.0));
      }
      p[3] = 255;
    }
  }
  return image;
}

oaimg::Selection ellipse(int32_t cx, int32_t cy, int32_t w, int32_t h) {
  oaimg::Selection s;
  s.x = cx - w / 2;
  s.y = cy - h / 2;
  s.width = uint32_t(w);
  s.height = uint32_t(h);
  s.coverage.resize(size_t(w) * h);
  const double a = w / 2.0, b = h / 2.0;
  for (int32_t y = 0; y < h; ++y) {
    for (int32_t x = 0; x < w; ++x) {
      const double dx = (x + 0.5 - a) / a, dy = (y + 0.5 - b) / b;
      // Signed distance to the edge in pixels, roughly; a one-pixel anti-aliased ramp.
      const double d = (1.0 - std::sqrt(dx * dx + dy * dy)) * std::min(a, b);
      s.coverage[size_t(y) * w + x] = uint8_t(std::clamp(d + 0.5, 0.0, 1.0) * 255 + 0.5);
    }
  }
  return s;
}

oaimg::ModelCaps dalle2() {
  oaimg::ModelCaps caps;
  caps.name = "dall-e-2";
  caps.family = oaimg::ModelFamily::DallE2;
  caps.known = true;
  caps.edit_sizes = {"256x256", "512x512", "1024x1024"};
  caps.input_max_bytes = 4LL * 1000 * 1000;
  caps.mask_max_bytes = 4LL * 1000 * 1000;
  return caps;
}

void survey(const oaimg::Image& sent) {
  struct Setting {
    const char* name;
    int filter, level, strategy;
  } settings[] = {
      {"none  z6", PNG_FILTER_NONE, 6, -1},      {"all   z6", PNG_ALL_FILTERS, 6, -1},
      {"all   z9", PNG_ALL_FILTERS, 9, -1},      {"all   z1", PNG_ALL_FILTERS, 1, -1},
      {"paeth z1", PNG_FILTER_PAETH, 1, -1},     {"paeth z6", PNG_FILTER_PAETH, 6, -1},
      {"paeth huffman", PNG_FILTER_PAETH, 6, Z_HUFFMAN_ONLY},
      {"paeth rle", PNG_FILTER_PAETH, 6, Z_RLE}, {"up    rle", PNG_FILTER_UP, 6, Z_RLE},
      {"sub   rle", PNG_FILTER_SUB, 6, Z_RLE},   {"avg   rle", PNG_FILTER_AVG, 6, Z_RLE},
      {"all   rle", PNG_ALL_FILTERS, 6, Z_RLE},
  };
  // The image as sent: opaque, so RGB.
  oaimg::Image rgb;
  rgb.width = sent.width;
  rgb.height = sent.height;
  rgb.format = oaimg::PixelFormat::Rgb8;
  rgb.pixels.resize(rgb.stride() * rgb.height);
  for (size_t i = 0; i < size_t(rgb.width) * rgb.height; ++i) {
    std::memcpy(&rgb.pixels[i * 3], &sent.pixels[i * 4], 3);
  }
  std::printf("\nPNG survey on the %ux%u RGB image sent (median of 5):\n", rgb.width, rgb.height);
  for (const auto& s : settings) {
    oaimg::PngEncodeOptions options;
    options.filter = s.filter;
    options.compression_level = s.level;
    options.strategy = s.strategy;
    std::vector<double> times;
    size_t bytes = 0;
    for (int run = 0; run < 5; ++run) {
      const auto start = Clock::now();
      bytes = oaimg::encode_png(rgb, options)->size();
      times.push_back(ms_since(start));
    }
    std::printf("  %-14s %8.1f ms  %9zu bytes\n", s.name, median(times), bytes);
  }
}

}  // namespace

// Raw pixels for compare_pillow.py: source.rgba (4000x3000 RGBA) and selection.gray with its
// placement in the file name's companion, selection.txt ("x y width height").
bool dump_inputs(const std::string& dir, const oaimg::Image& source, const oaimg::Selection& sel) {
  auto write = [&](const std::string& name, const void* data, size_t size) {
    FILE* f = std::fopen((dir + "/" + name).c_str(), "wb");
    if (!f) return false;
    const bool ok = std::fwrite(data, 1, size, f) == size;
    return std::fclose(f) == 0 && ok;
  };
  const std::string placement = std::to_string(sel.x) + " " + std::to_string(sel.y) + " " +
                                std::to_string(sel.width) + " " + std::to_string(sel.height) +
                                " " + std::to_string(source.width) + " " +
                                std::to_string(source.height) + "\n";
  return write("source.rgba", source.pixels.data(), source.pixels.size()) &&
         write("selection.gray", sel.coverage.data(), sel.coverage.size()) &&
         write("selection.txt", placement.data(), placement.size());
}

int main(int argc, char** argv) {
  const bool with_survey = argc > 1 && std::strcmp(argv[1], "--survey") == 0;
  const char* dump_dir = argc > 2 && std::strcmp(argv[1], "--dump") == 0 ? argv[2] : nullptr;
  const long rss_at_start = peak_rss_kb();

  oaimg::ImageRequest req;
  req.op = oaimg::Operation::Edit;
  req.prompt = "a red balloon";
  req.source = photo_like(4000, 3000, 1);
  req.selection = ellipse(2100, 1400, 1500, 1200);
  const long rss_with_inputs = peak_rss_kb();
  if (dump_dir) {
    if (!dump_inputs(dump_dir, *req.source, *req.selection)) {
      std::fprintf(stderr, "cannot write the inputs to %s\n", dump_dir);
      return 1;
    }
    std::printf("inputs written to %s\n", dump_dir);
    return 0;
  }
  const oaimg::ModelCaps caps = dalle2();

  std::vector<double> prepare_ms, prepare_wall_ms, put_back_mask_ms;
  oaimg::PreparedJob job;
  for (int run = 0; run < 9; ++run) {
    const auto start = Clock::now();
    const double wall_start = wall_ms();
    auto prepared = oaimg::prepare_job(req, caps);
    if (!prepared) {
      std::fprintf(stderr, "prepare_job failed: %s\n", prepared.error().message.c_str());
      return 1;
    }
    const auto mask_start = Clock::now();
    // The put-back mask belongs to the same preparation (it is made once per job in a host).
    auto put_back = oaimg::make_put_back_mask(*req.selection, prepared->plan.region, 22);
    put_back_mask_ms.push_back(ms_since(mask_start));
    prepare_ms.push_back(ms_since(start));
    prepare_wall_ms.push_back(wall_ms() - wall_start);
    job = std::move(*prepared);
  }
  const long rss_after_prepare = peak_rss_kb();
  const auto& plan = job.plan;
  std::printf("source 4000x3000 RGBA, selection ellipse 1500x1200, dall-e-2 edit\n");
  std::printf("  region %dx%d at (%d, %d), padded %dx%d, sent %ux%u, size %s\n",
              plan.region.width, plan.region.height, plan.region.x, plan.region.y,
              plan.padded.width, plan.padded.height, plan.target_width, plan.target_height,
              plan.size_param.c_str());
  std::printf("  prepare (bounds, plan, crop+downscale, both masks, both PNGs): %.1f ms median"
              " of 9 (put-back mask %.1f ms of it); wall clock %.1f ms\n",
              median(prepare_ms), median(put_back_mask_ms), median(prepare_wall_ms));
  std::printf("  image PNG %zu bytes, mask PNG %zu bytes\n", job.image.bytes.size(),
              job.mask ? job.mask->bytes.size() : size_t(0));
  for (const auto& note : job.notes) std::printf("  note: %s\n", note.c_str());

  // The same work stage by stage, through the core's private functions.
  std::vector<double> stage[5];
  for (int run = 0; run < 9; ++run) {
    double start = Clock::now();
    const auto x = oaimg::map_span(plan.padded.x, plan.padded.width, 1024, plan.region.x,
                                   plan.region.x + plan.region.width);
    const auto y = oaimg::map_span(plan.padded.y, plan.padded.height, 1024, plan.region.y,
                                   plan.region.y + plan.region.height);
    auto sent = oaimg::resample_to_rgba(*req.source, x, y);
    stage[0].push_back(ms_since(start));
    start = Clock::now();
    auto image_png = oaimg::encode_png_under(*sent, caps.input_max_bytes);
    stage[1].push_back(ms_since(start));
    start = Clock::now();
    auto mask = oaimg::make_request_mask(*req.selection, plan.region, plan.padded, 1024, 1024,
                                         oaimg::request_mask_grow(1024, 1024));
    stage[2].push_back(ms_since(start));
    start = Clock::now();
    auto mask_png = oaimg::encode_png_under(*mask, caps.mask_max_bytes);
    stage[3].push_back(ms_since(start));
    start = Clock::now();
    auto put_back = oaimg::make_put_back_mask(*req.selection, plan.region, 22);
    stage[4].push_back(ms_since(start));
  }
  std::printf("  stages (median of 9): crop+downscale %.1f ms, image PNG %.1f ms, request mask "
              "%.1f ms, mask PNG %.1f ms, put-back mask %.1f ms\n",
              median(stage[0]), median(stage[1]), median(stage[2]), median(stage[3]),
              median(stage[4]));

  // Put back: four 1024x1024 results over a 2400x2400 region holding the selection.
  oaimg::PreparedJob big = job;
  big.plan.region = big.plan.padded = oaimg::Rect{900, 300, 2400, 2400};
  big.plan.target_width = big.plan.target_height = 1024;
  std::vector<oaimg::Image> results;
  for (uint32_t i = 0; i < 4; ++i) results.push_back(photo_like(1024, 1024, 10 + i));
  std::vector<double> place_ms;
  size_t placed_bytes = 0;
  // A host keeps all four layers: so does each run, so that the peak below is the whole edit's.
  for (int run = 0; run < 5; ++run) {
    std::vector<oaimg::PlacedLayer> layers;
    const auto start = Clock::now();
    for (const auto& result : results) {
      auto layer = oaimg::place_result(big, req, result);
      if (!layer) {
        std::fprintf(stderr, "place_result failed: %s\n", layer.error().message.c_str());
        return 1;
      }
      placed_bytes = layer->rgba.pixels.size() + layer->mask->size();
      layers.push_back(std::move(*layer));
    }
    place_ms.push_back(ms_since(start));
  }
  std::printf("put back 4 results 1024x1024 -> 2400x2400 region (layer + mask each): %.1f ms "
              "median of 5 (%.1f ms a result, %zu bytes a layer)\n",
              median(place_ms), median(place_ms) / 4, placed_bytes);
  std::printf("peak memory (ru_maxrss) of the whole edit: %.1f MB (four 28.8 MB layers kept); "
              "%.1f MB after preparing; %.1f MB before any pipeline work (the 48 MB source, the "
              "selection, the process)\n",
              peak_rss_kb() / 1024.0, rss_after_prepare / 1024.0,
              std::max(rss_with_inputs, rss_at_start) / 1024.0);

  if (with_survey) {
    const auto sent = oaimg::resample_to_rgba(
        *req.source,
        oaimg::map_span(plan.padded.x, plan.padded.width, 1024, plan.region.x,
                        plan.region.x + plan.region.width),
        oaimg::map_span(plan.padded.y, plan.padded.height, 1024, plan.region.y,
                        plan.region.y + plan.region.height));
    survey(sent.value());
  }
  return 0;
}
