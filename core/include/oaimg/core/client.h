// Runs a checked request over libcurl: all HTTP requests of one job in parallel on one multi
// handle, retries per the SDK's policy, url downloads, streaming, cancellation.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "oaimg/core/error.h"
#include "oaimg/core/models.h"
#include "oaimg/core/request.h"
#include "oaimg/core/response.h"

namespace oaimg {

struct ClientConfig {
  std::string api_key;  // secret: never logged, never in a message
  std::string base_url = "https://api.openai.com/v1";
  std::string organization, project;
  std::string default_model;  // "" = oaimg::default_model(base_url, op)
  std::string ca_bundle;      // "" = system store
  long connect_timeout_ms = 30000;
  long timeout_ms = 600000;
  // An attempt that receives and sends nothing for this long before the answer starts, or whose
  // non-streamed answer brings fewer than low_speed_bytes per low_speed_window_ms, is aborted
  // as a timeout (and retried like one).
  long idle_timeout_ms = 300000;
  long low_speed_window_ms = 30000;
  int64_t low_speed_bytes = 1024;
  int max_retries = 2;
};

// OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_ORG_ID, OPENAI_PROJECT_ID over the defaults.
ClientConfig config_from_environment();

enum class Stage { Preparing = 1, Sending = 2, Waiting = 3, Receiving = 4, Retrying = 5,
                   Placing = 6, Done = 7 };

// What a progress display shows besides the stage: results in, and why and when a retry comes.
struct RunDetail {
  int results_received = 0, results_total = 0;
  std::string retry_reason;  // "rate limited (HTTP 429)", "HTTP 503", "timed out", ...; "" = none
  int retry_attempt = 0;     // 1 for the first retry
  int64_t retry_in_ms = -1;  // until the retry starts; -1 = not waiting to retry
};

struct RunCallbacks {
  // Called at least every 100 ms while waiting; returning false cancels within that time.
  std::function<bool(Stage, double fraction)> progress;
  std::function<void(size_t result_index, int partial_index, const uint8_t* data, size_t size)>
      partial_image;
  // Called just before progress with the detail of the same moment.
  std::function<void(const RunDetail&)> detail;
};

struct ResultImage {
  std::vector<uint8_t> bytes;
  FileFormat format = FileFormat::Unknown;
  std::optional<std::string> revised_prompt;
};

struct JobResult {
  std::string model;
  std::vector<ResultImage> images;
  std::string size, quality, background, output_format;  // as the server reported
  std::vector<std::string> request_ids;
  int64_t created = 0;
  std::string safety_identifier;  // the effective one the server reports using
  Usage usage;  // summed over requests; -1 where none reported
};

// Sends `req` (already resolved: model set, validated, uploads in place) as
// ceil(n / caps.max_n_per_request) parallel HTTP requests, downloads url results in parallel, and
// gathers the images in order. Honours cancellation through callbacks.progress.
Result<JobResult> run_job(const ClientConfig& config, const ImageRequest& req,
                          const ModelCaps& caps, const RunCallbacks& callbacks);

// The SDK's retry policy, as pure functions so they are tested on their own.

// The wait the server asks for, read as the SDK reads it: retry-after-ms (milliseconds) first,
// else Retry-After as seconds or an HTTP date relative to now_epoch_s. nullopt when neither gives
// a number; the value may be negative or huge (decide_retry only honours 0-60 s).
std::optional<double> server_requested_wait_ms(std::string_view retry_after_ms,
                                               std::string_view retry_after, int64_t now_epoch_s);

struct RetryDecision {
  bool retry = false;
  long delay_ms = 0;
};
// attempt: 0 for the first retry. http_status 0 = connection error or timeout. Header values as
// received ("" when absent). random01 in [0, 1) (injected for tests). now_epoch_s for HTTP dates.
RetryDecision decide_retry(int attempt, int max_retries, int http_status,
                           std::string_view x_should_retry, std::string_view retry_after_ms,
                           std::string_view retry_after, double random01, int64_t now_epoch_s);

}  // namespace oaimg
