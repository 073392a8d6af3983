// A bounded soak for ThreadSanitizer (.ci/hardening.sh): 8 threads x 50 jobs through the C API
// against the stand-in server, four threads sharing one client (under the caller's lock, as
// oaimg.h asks) and four with a client each, while the server injects faults (500s, delays,
// truncated bodies, HTML pages) and progress callbacks cancel about one job in eight at random.
// Every job must end in an expected status; the counts are printed for the CI log.
//
//   soak [threads] [jobs-per-thread]        (defaults 8 and 50; exit 0 = every job accounted for)
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "fake_server.h"
#include "oaimg.h"

namespace {

struct Cancel {
  std::mt19937 rng;
  int cancel_after_ticks = -1;  // -1: never
  int ticks = 0;
};

int on_progress(void* data, oaimg_stage, double) {
  auto* c = static_cast<Cancel*>(data);
  return c->cancel_after_ticks >= 0 && ++c->ticks > c->cancel_after_ticks ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 8;
  const int jobs = argc > 2 ? std::atoi(argv[2]) : 50;
  oaimg_test::FakeServer server;
  const std::string key = oaimg_test::FakeServer::api_key();
  const std::string url = server.base_url();
  // Enough faults for about a third of the requests; each is consumed once, in order.
  server.post("/_control/faults",
              "{\"faults\":[{\"kind\":\"status\",\"status\":500,\"times\":60},"
              "{\"kind\":\"delay\",\"seconds\":0.3,\"times\":40},"
              "{\"kind\":\"truncate\",\"times\":20},{\"kind\":\"html\",\"times\":20}]}");

  auto make_client = [&] {
    oaimg_client* c = nullptr;
    if (oaimg_client_new(&c) != OAIMG_OK) std::abort();
    oaimg_client_set_api_key(c, key.c_str());
    oaimg_client_set_base_url(c, url.c_str());
    oaimg_client_set_max_retries(c, 1);
    oaimg_client_set_timeout_ms(c, 20000);
    return c;
  };
  oaimg_client* shared = make_client();
  std::mutex shared_lock;

  std::mutex counts_lock;
  std::map<std::string, int> counts;
  std::atomic<int> unexpected{0};

  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      const bool uses_shared = t % 2 == 0;
      oaimg_client* own = uses_shared ? nullptr : make_client();
      Cancel cancel{std::mt19937(unsigned(t) * 7919u + 1u)};
      for (int j = 0; j < jobs; ++j) {
        oaimg_request* request = nullptr;
        if (oaimg_request_new(OAIMG_GENERATE, &request) != OAIMG_OK) std::abort();
        oaimg_request_set_model(request, "dall-e-2");
        oaimg_request_set_prompt(request, "a fox");
        oaimg_request_set_size(request, "256x256");
        oaimg_request_set_response_format(request, j % 3 == 0 ? "url" : "b64_json");
        oaimg_request_set_n(request, 1 + j % 2);
        cancel.ticks = 0;
        cancel.cancel_after_ticks = cancel.rng() % 8 == 0 ? int(cancel.rng() % 6) : -1;

        oaimg_status status;
        std::string message;
        size_t results = 0;
        {
          std::unique_lock<std::mutex> hold(shared_lock, std::defer_lock);
          if (uses_shared) hold.lock();
          oaimg_client* client = uses_shared ? shared : own;
          oaimg_client_set_progress_callback(client, on_progress, &cancel);
          oaimg_result* result = nullptr;
          status = oaimg_client_run(client, request, &result);
          message = oaimg_client_error_message(client);
          if (result) results = oaimg_result_count(result);
          oaimg_result_free(result);
        }
        oaimg_request_free(request);
        bool expected = status == OAIMG_OK ? results == size_t(1 + j % 2)
                        : status == OAIMG_ERR_CANCELLED || status == OAIMG_ERR_SERVER ||
                              status == OAIMG_ERR_CONNECTION || status == OAIMG_ERR_TIMEOUT ||
                              status == OAIMG_ERR_BAD_RESPONSE;
        if (!expected || (status != OAIMG_OK && message.empty())) {
          ++unexpected;
          std::fprintf(stderr, "thread %d job %d: %s: %s\n", t, j, oaimg_status_str(status),
                       message.c_str());
        }
        std::lock_guard<std::mutex> g(counts_lock);
        ++counts[oaimg_status_str(status)];
      }
      oaimg_client_free(own);
    });
  }
  for (auto& th : pool) th.join();
  oaimg_client_free(shared);

  int total = 0;
  std::printf("soak: %d threads x %d jobs (even threads share one client):", threads, jobs);
  for (const auto& [name, n] : counts) {
    std::printf(" %s %d;", name.c_str(), n);
    total += n;
  }
  std::printf(" unexpected %d\n", unexpected.load());
  return total == threads * jobs && unexpected == 0 ? 0 : 1;
}
