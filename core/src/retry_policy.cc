// The retry policy of the official SDK (openai-node src/client.ts: shouldRetry, retryRequest,
// calculateDefaultRetryTimeoutMillis), kept pure so that every branch is unit-tested.
#include <curl/curl.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>

#include "oaimg/core/client.h"

namespace oaimg {
namespace {

// JavaScript's parseFloat: leading whitespace, then the longest numeric prefix; nullopt for NaN.
std::optional<double> parse_float_prefix(std::string_view text) {
  std::string s(text);  // strtod needs a terminated string
  const char* begin = s.c_str();
  char* end = nullptr;
  double v = std::strtod(begin, &end);
  if (end == begin || std::isnan(v)) return std::nullopt;
  return v;
}

// An HTTP date ("Wed, 21 Oct 2026 07:28:00 GMT") as epoch seconds; curl_getdate reads the three
// formats RFC 9110 allows.
std::optional<int64_t> parse_http_date(std::string_view text) {
  std::string s(text);
  time_t t = curl_getdate(s.c_str(), nullptr);
  if (t == -1) return std::nullopt;
  return static_cast<int64_t>(t);
}

bool status_is_retryable(int http_status) {
  return http_status == 0 ||  // connection error or timeout: no response at all
         http_status == 408 || http_status == 409 || http_status == 429 || http_status >= 500;
}

}  // namespace

std::optional<double> server_requested_wait_ms(std::string_view retry_after_ms,
                                               std::string_view retry_after, int64_t now_epoch_s) {
  std::optional<double> wait_ms;
  if (!retry_after_ms.empty()) wait_ms = parse_float_prefix(retry_after_ms);
  if (!wait_ms && !retry_after.empty()) {
    if (auto seconds = parse_float_prefix(retry_after)) {
      wait_ms = *seconds * 1000.0;
    } else if (auto date = parse_http_date(retry_after)) {
      wait_ms = static_cast<double>(*date - now_epoch_s) * 1000.0;
    }
  }
  return wait_ms;
}

RetryDecision decide_retry(int attempt, int max_retries, int http_status,
                           std::string_view x_should_retry, std::string_view retry_after_ms,
                           std::string_view retry_after, double random01, int64_t now_epoch_s) {
  RetryDecision d;
  if (attempt < 0 || attempt >= max_retries) return d;

  // The server's explicit word wins over the status code (the SDK compares exact strings).
  if (x_should_retry == "true") {
    d.retry = true;
  } else if (x_should_retry == "false") {
    return d;
  } else {
    d.retry = status_is_retryable(http_status);
  }
  if (!d.retry) return d;

  std::optional<double> wait_ms = server_requested_wait_ms(retry_after_ms, retry_after, now_epoch_s);
  // Honour the server only within [0, 60 s]; a negative or far-off wait falls back to the backoff
  // rather than stalling a job for minutes.
  if (wait_ms && std::isfinite(*wait_ms) && *wait_ms >= 0.0 && *wait_ms <= 60000.0) {
    d.delay_ms = static_cast<long>(std::lround(*wait_ms));
    return d;
  }
  double seconds = std::min(0.5 * std::pow(2.0, attempt), 8.0);
  double jitter = 1.0 - 0.25 * std::clamp(random01, 0.0, 1.0);
  d.delay_ms = static_cast<long>(std::lround(seconds * jitter * 1000.0));
  return d;
}

}  // namespace oaimg
