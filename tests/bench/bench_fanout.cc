// Fan-out benchmark: n = 4 on dall-e-3 (one image per request) against the stand-in server with a
// 2 s delay per request. Parallel requests take about one delay; sequential ones would take four.
//
//   cmake --build build --target bench_fanout && ./build/tests/bench_fanout [delay_s] [n]
//
// Prints the wall time of run_job: a figure, not a test; nothing here asserts a time.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "fake_server.h"
#include "oaimg/core/client.h"
#include "oaimg/core/models.h"
#include "oaimg/core/request.h"

int main(int argc, char** argv) {
  double delay = argc > 1 ? std::atof(argv[1]) : 2.0;
  int n = argc > 2 ? std::atoi(argv[2]) : 4;
  if (delay < 0 || delay > 60 || n < 1 || n > 10) {
    std::fprintf(stderr, "usage: %s [delay_s 0..60] [n 1..10]\n", argv[0]);
    return 2;
  }
  try {
    oaimg_test::FakeServer server;
    server.post("/_control/config", "{\"delay\":" + std::to_string(delay) + "}");

    oaimg::ClientConfig config;
    config.api_key = oaimg_test::FakeServer::api_key();
    config.base_url = server.base_url();
    oaimg::ImageRequest req;
    req.op = oaimg::Operation::Generate;
    req.model = "dall-e-3";
    req.prompt = "a lighthouse at dusk";
    req.size = "1024x1024";
    req.response_format = "b64_json";
    req.n = n;
    oaimg::ModelCaps caps = oaimg::find_model("dall-e-3");

    auto begin = std::chrono::steady_clock::now();
    oaimg::Result<oaimg::JobResult> r = oaimg::run_job(config, req, caps, {});
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    if (!r) {
      std::fprintf(stderr, "run_job failed: %s\n", r.error().message.c_str());
      return 1;
    }
    std::printf("fan-out: n=%d requests=%d server delay=%.2f s\n", n,
                (n + caps.max_n_per_request - 1) / caps.max_n_per_request, delay);
    std::printf("wall time: %.3f s (sequential would be >= %.2f s)\n", wall, delay * n);
    std::printf("images: %zu\n", r->images.size());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_fanout: %s\n", e.what());
    return 1;
  }
}
