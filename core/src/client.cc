// One job's HTTP work: the fanned-out API requests, their retries, url downloads and streams, all
// on one Transport so that they run in parallel and a cancel stops everything at once.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <exception>
#include <new>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "http_transport.h"
#include "oaimg/core/client.h"
#include "oaimg/core/response.h"

namespace oaimg {
namespace {

using http::Clock;

// Ticks come at least every 50 ms, and more often while data flows; calling the progress
// callback on every one would only slow a GUI down. Skipping ticks within 40 ms of the last call
// still calls it within 90 ms plus curl's own work, inside the 100 ms that oaimg.h promises.
constexpr auto kProgressInterval = std::chrono::milliseconds(40);

// "0.5 s", "600 s": timeouts as a user would set them.
std::string seconds_text(long ms) {
  char buf[32];
  if (ms % 1000 == 0) std::snprintf(buf, sizeof buf, "%ld s", ms / 1000);
  else std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms) / 1000.0);
  return buf;
}

// One API request of the job (n split by the model's max_n_per_request).
struct Slot {
  int n = 1;
  http::Request request;     // resent as is on a retry
  int retries = 0;
  bool done = false;
  http::TransferId transfer = 0;
  // Streaming state, reset per attempt.
  SseParser sse;
  bool stream_started = false;
  std::optional<Error> stream_error;
  std::vector<StreamImageEvent> completed;
  // The answer.
  ImagesResponse response;
  std::string request_id;
};

// A url result being downloaded.
struct Download {
  size_t slot = 0, item = 0;
  http::Request request;
  int retries = 0;
  bool done = false;
  http::TransferId transfer = 0;
};

// The error reports what the server asked for, also beyond the 60 s a retry would wait.
int64_t retry_after_ms_of(const http::ResponseHeaders& h) {
  std::optional<double> ms = server_requested_wait_ms(h.retry_after_ms, h.retry_after,
                                                      static_cast<int64_t>(std::time(nullptr)));
  if (!ms || !std::isfinite(*ms) || *ms < 0 || *ms > 1e15) return -1;
  return static_cast<int64_t>(*ms);
}

// Replaces every occurrence of the key in server-supplied text. Servers (and proxies) echo what
// they were sent: in error.message, x-request-id, an HTML title, a revised_prompt. oaimg.h
// promises the key never reaches a message, a file or a callback.
void redact_key(std::string& text, const std::string& key) {
  if (key.empty() || text.size() < key.size()) return;
  static constexpr std::string_view kRedacted = "[redacted key]";
  for (size_t at = text.find(key); at != std::string::npos; at = text.find(key, at + kRedacted.size()))
    text.replace(at, key.size(), kRedacted);
}

void redact_key(Error& e, const std::string& key) {
  for (std::string* text : {&e.message, &e.type, &e.code, &e.param, &e.request_id})
    redact_key(*text, key);
}

void redact_key(JobResult& r, const std::string& key) {
  for (std::string* text : {&r.model, &r.size, &r.quality, &r.background, &r.output_format})
    redact_key(*text, key);
  for (std::string& id : r.request_ids) redact_key(id, key);
  for (ResultImage& image : r.images)
    if (image.revised_prompt) redact_key(*image.revised_prompt, key);
}

// Everything of an answer that may end up in a message, before it is parsed: the parser may cut
// a long text in the middle of the key, which the redaction of the parsed result could not catch.
void redact_key(http::Response& r, const std::string& key) {
  redact_key(r.body, key);
  redact_key(r.curl_error, key);
  for (std::string* text : {&r.headers.request_id, &r.headers.content_type, &r.headers.location})
    redact_key(*text, key);
}

bool has_control_chars(const std::string& s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

class JobRunner {
 public:
  JobRunner(const ClientConfig& config, const ImageRequest& req, const ModelCaps& caps,
            const RunCallbacks& callbacks)
      : config_(config), req_(req), caps_(caps), callbacks_(callbacks),
        transport_(settings_from(config)), host_(http::url_host(config.base_url)),
        rng_(std::random_device{}()) {}

  Result<JobResult> run();

 private:
  static http::Settings settings_from(const ClientConfig& c) {
    http::Settings s;
    s.api_key = c.api_key;
    s.organization = c.organization;
    s.project = c.project;
    s.ca_bundle = c.ca_bundle;
    s.connect_timeout_ms = c.connect_timeout_ms;
    s.timeout_ms = c.timeout_ms;
    s.idle_timeout_ms = c.idle_timeout_ms;
    s.low_speed_window_ms = c.low_speed_window_ms;
    s.low_speed_bytes = c.low_speed_bytes;
    return s;
  }

  http::Request api_request(int n_this) const;
  void send(size_t slot, Clock::time_point at);
  void on_api_done(size_t slot, http::Response&& r);
  bool on_stream_data(size_t slot, std::string_view chunk);
  void on_stream_event(size_t slot, const SseEvent& ev);
  void fetch(size_t download, Clock::time_point at);
  void on_download_done(size_t download, http::Response&& r);

  // Schedules another attempt if the policy allows; false when the failure is final.
  bool maybe_retry(int& retries, int http_status, const http::ResponseHeaders& h,
                   Clock::time_point* at, int curl_code = 0);
  void report_detail(Stage stage);
  Error transfer_error(const http::Response& r, int attempts, const std::string& what) const;
  void fail(Error e);
  bool tick();
  JobResult gather();

  const ClientConfig& config_;
  const ImageRequest& req_;
  const ModelCaps& caps_;
  const RunCallbacks& callbacks_;
  http::Transport transport_;
  std::string host_;
  std::mt19937 rng_;

  std::vector<Slot> slots_;
  std::vector<Download> downloads_;
  std::optional<Error> failure_;
  bool streaming_ = false;

  std::string retry_reason_;
  Clock::time_point retry_at_{};
  int retry_attempt_ = 0;

  std::optional<Stage> last_stage_;
  Clock::time_point last_progress_{};
  double last_fraction_ = 0;
};

http::Request JobRunner::api_request(int n_this) const {
  HttpBody body = build_body(req_, caps_, n_this);
  http::Request r;
  r.url = config_.base_url + std::string(endpoint_for(req_, caps_));
  if (body.multipart) {
    r.method = http::Method::PostMultipart;
    for (const MultipartPart& p : body.parts) {
      http::FormPart part;
      part.name = p.name;
      if (p.file != nullptr) {
        part.data = p.file->bytes.data();
        part.size = p.file->bytes.size();
        part.filename = p.filename.empty() ? p.name : p.filename;
        FileFormat f = p.file->format != FileFormat::Unknown ? p.file->format
                                                              : sniff_format(p.file->bytes);
        part.content_type =
            f == FileFormat::Unknown ? "application/octet-stream" : std::string(format_mime(f));
      } else {
        part.value = p.value;
      }
      r.parts.push_back(std::move(part));
    }
  } else {
    r.method = http::Method::PostJson;
    r.json = std::move(body.json);
  }
  if (streaming_) {
    r.accept = "text/event-stream";
    r.stream_content_type = "text/event-stream";
  }
  return r;
}

void JobRunner::send(size_t i, Clock::time_point at) {
  Slot& s = slots_[i];
  s.sse = SseParser{};
  s.stream_started = false;
  s.stream_error.reset();
  s.completed.clear();
  http::DataFn on_data;
  if (streaming_) {
    on_data = [this, i](http::TransferId, std::string_view chunk) {
      return on_stream_data(i, chunk);
    };
  }
  s.transfer = transport_.add(
      s.request, [this, i](http::TransferId, http::Response&& r) { on_api_done(i, std::move(r)); },
      std::move(on_data), at);
}

bool JobRunner::on_stream_data(size_t i, std::string_view chunk) {
  Slot& s = slots_[i];
  s.stream_started = true;
  s.sse.feed(chunk, [this, i](const SseEvent& ev) { on_stream_event(i, ev); });
  return !s.stream_error && !failure_;
}

void JobRunner::on_stream_event(size_t i, const SseEvent& raw) {
  Slot& s = slots_[i];
  if (s.stream_error) return;
  SseEvent ev = raw;
  redact_key(ev.event, config_.api_key);
  redact_key(ev.data, config_.api_key);
  Result<StreamImageEvent> parsed = parse_stream_event(ev);
  if (!parsed) {
    // Events this client does not know (a future progress event, "[DONE]") are not failures.
    if (parsed.error().status == Status::Unsupported) return;
    s.stream_error = parsed.take_error();
    return;
  }
  StreamImageEvent& e = parsed.value();
  if (e.completed) {
    if (s.completed.size() >= static_cast<size_t>(s.n)) {
      s.stream_error = Error(Status::BadResponse, "the stream from " + host_ + " sent more than " +
                                                      std::to_string(s.n) +
                                                      " completed images for a request of " +
                                                      std::to_string(s.n) + " (n); refusing it");
      return;
    }
    s.completed.push_back(std::move(e));
    return;
  }
  if (!callbacks_.partial_image || e.bytes.empty()) return;
  // The image being streamed is the next one this request has not completed yet.
  size_t result_index = s.completed.size();
  for (size_t k = 0; k < i; ++k) result_index += static_cast<size_t>(slots_[k].n);
  callbacks_.partial_image(result_index, e.partial_image_index, e.bytes.data(), e.bytes.size());
}

bool JobRunner::maybe_retry(int& retries, int http_status, const http::ResponseHeaders& h,
                            Clock::time_point* at, int curl_code) {
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  RetryDecision d = decide_retry(retries, config_.max_retries, http_status, h.should_retry,
                                 h.retry_after_ms, h.retry_after, uniform(rng_),
                                 static_cast<int64_t>(std::time(nullptr)));
  if (!d.retry) return false;
  ++retries;
  *at = Clock::now() + std::chrono::milliseconds(d.delay_ms);
  // What a progress display shows while the retry waits (CURLE_OPERATION_TIMEDOUT is 28).
  retry_reason_ = http_status == 429 ? "rate limited (HTTP 429)"
                  : http_status > 0  ? "HTTP " + std::to_string(http_status)
                  : curl_code == 28  ? "timed out"
                                     : "connection failed";
  retry_at_ = *at;
  retry_attempt_ = retries;
  return true;
}

Error JobRunner::transfer_error(const http::Response& r, int attempts, const std::string& what) const {
  std::string tries = attempts > 1 ? " (after " + std::to_string(attempts) + " attempts)" : "";
  if (r.body_too_large) {
    return Error(Status::BadResponse,
                 what + ": the answer is larger than " +
                     std::to_string(http::Settings{}.max_body_bytes / (1024 * 1024)) +
                     " MB; refusing it");
  }
  if (r.stall == http::Response::Stall::Idle) {
    Error e(Status::Timeout, what + " timed out" + tries + ": nothing was sent or received for " +
                                 seconds_text(config_.idle_timeout_ms) +
                                 " (the idle limit per attempt)");
    e.request_id = r.headers.request_id;
    return e;
  }
  if (r.stall == http::Response::Stall::Slow) {
    Error e(Status::Timeout, what + " timed out" + tries + ": the answer arrived at fewer than " +
                                 std::to_string(config_.low_speed_bytes) + " bytes per " +
                                 seconds_text(config_.low_speed_window_ms) +
                                 " (the low-speed limit per attempt)");
    e.request_id = r.headers.request_id;
    return e;
  }
  // CURLE_OPERATION_TIMEDOUT: the connect timeout or the per-attempt timeout ran out.
  if (r.curl_code == 28) {
    Error e(Status::Timeout,
            what + " timed out" + tries + " (timeout " + seconds_text(config_.timeout_ms) +
                " per attempt, connect timeout " + seconds_text(config_.connect_timeout_ms) +
                "): " + r.curl_error);
    return e;
  }
  Error e(Status::Connection, what + " failed" + tries + ": " + r.curl_error);
  e.request_id = r.headers.request_id;
  return e;
}

void JobRunner::on_api_done(size_t i, http::Response&& r) {
  Slot& s = slots_[i];
  if (failure_) return;
  redact_key(r, config_.api_key);
  std::string what = "request to " + host_;
  if (!r.headers.request_id.empty()) s.request_id = r.headers.request_id;

  if (r.curl_code != 0) {
    if (r.aborted_by_receiver && s.stream_error) {
      Error e = std::move(*s.stream_error);
      if (e.request_id.empty()) e.request_id = r.headers.request_id;
      return fail(std::move(e));
    }
    // A stream that already delivered events is not replayed: its partials were shown.
    Clock::time_point at;
    if (!r.body_too_large && !s.stream_started && maybe_retry(s.retries, 0, {}, &at, r.curl_code))
      return send(i, at);
    return fail(transfer_error(r, s.retries + 1, what));
  }

  if (r.http_status >= 300 && r.http_status <= 399) {
    // API calls never follow redirects: the key and the upload would go wherever the Location
    // points. A redirect here almost always means a wrong base URL.
    Error e(Status::BadResponse,
            "the server at " + host_ + " answered the API call with a redirect (HTTP " +
                std::to_string(r.http_status) + (r.headers.location.empty() ? "" : " to '" + r.headers.location + "'") +
                "), which oaimg does not follow for API calls; check the base URL (https://, "
                "the path ending in /v1)");
    e.http_status = r.http_status;
    e.request_id = r.headers.request_id;
    return fail(std::move(e));
  }
  if (r.http_status < 200 || r.http_status > 299) {
    Clock::time_point at;
    if (maybe_retry(s.retries, r.http_status, r.headers, &at)) return send(i, at);
    Error e = parse_error_response(r.http_status, r.headers.content_type, r.body);
    e.request_id = r.headers.request_id;
    e.retry_after_ms = retry_after_ms_of(r.headers);
    return fail(std::move(e));
  }

  if (streaming_ && s.stream_started) {
    s.sse.finish([this, i](const SseEvent& ev) { on_stream_event(i, ev); });
    if (s.stream_error) return fail(std::move(*s.stream_error));
    if (s.completed.size() < static_cast<size_t>(s.n)) {
      Error e(Status::BadResponse, "the stream from " + host_ + " ended after " +
                                       std::to_string(s.completed.size()) + " of " +
                                       std::to_string(s.n) + " images");
      e.request_id = r.headers.request_id;
      return fail(std::move(e));
    }
    ImagesResponse& out = s.response;
    for (StreamImageEvent& e : s.completed) {
      ResponseImage img;
      img.bytes = std::move(e.bytes);
      out.data.push_back(std::move(img));
      if (e.usage) {
        if (!out.usage) out.usage = Usage{};
        add_usage(*out.usage, *e.usage);
      }
      if (out.size.empty()) out.size = e.size;
      if (out.quality.empty()) out.quality = e.quality;
      if (out.background.empty()) out.background = e.background;
      if (out.output_format.empty()) out.output_format = e.output_format;
      if (out.safety_identifier.empty()) out.safety_identifier = e.safety_identifier;
      out.created = std::max(out.created, e.created_at);
    }
    s.completed.clear();
    s.done = true;
    return;
  }

  Result<ImagesResponse> parsed = parse_images_response(r.body);
  if (!parsed) {
    Error e = parsed.take_error();
    e.request_id = r.headers.request_id;
    return fail(std::move(e));
  }
  s.response = std::move(parsed.value());
  if (s.response.data.size() > static_cast<size_t>(s.n)) {
    // Each extra result would be a file, a layer and a decode: never more than asked for.
    Error e(Status::BadResponse, "the server at " + host_ + " sent " +
                                     std::to_string(s.response.data.size()) +
                                     " images for a request of " + std::to_string(s.n) +
                                     " (n); refusing the answer");
    e.request_id = r.headers.request_id;
    return fail(std::move(e));
  }
  for (size_t k = 0; k < s.response.data.size(); ++k) {
    ResponseImage& img = s.response.data[k];
    if (!img.bytes.empty()) continue;
    if (img.url.empty()) {
      Error e(Status::BadResponse, "result " + std::to_string(k + 1) + " from " + host_ +
                                       " has neither b64_json nor url");
      e.request_id = r.headers.request_id;
      return fail(std::move(e));
    }
    if (!http::is_http_url(img.url)) {
      // Nothing to retry: the answer itself is wrong (file://, data:, a bare path).
      Error e(Status::BadResponse, "result " + std::to_string(k + 1) + " from " + host_ +
                                       " has a url that is not an http:// or https:// address (" +
                                       img.url.substr(0, 80) + "); refusing to fetch it");
      e.request_id = r.headers.request_id;
      return fail(std::move(e));
    }
    Download d;
    d.slot = i;
    d.item = k;
    d.request.method = http::Method::Get;
    d.request.url = img.url;
    // The key goes only to the API's own host, never to wherever a url result points.
    d.request.send_credentials = http::same_origin(img.url, config_.base_url);
    downloads_.push_back(std::move(d));
    fetch(downloads_.size() - 1, Clock::now());
  }
  s.done = true;
}

void JobRunner::fetch(size_t k, Clock::time_point at) {
  downloads_[k].transfer = transport_.add(
      downloads_[k].request,
      [this, k](http::TransferId, http::Response&& r) { on_download_done(k, std::move(r)); }, {},
      at);
}

void JobRunner::on_download_done(size_t k, http::Response&& r) {
  Download& d = downloads_[k];
  if (failure_) return;
  if (!d.request.send_credentials) r.headers = http::ResponseHeaders{};  // another host's ids
  redact_key(r, config_.api_key);
  std::string what = "downloading result " + std::to_string(d.item + 1) + " from " +
                     http::url_host(d.request.url);
  Clock::time_point at;
  if (r.curl_code != 0) {
    if (!r.body_too_large && maybe_retry(d.retries, 0, {}, &at, r.curl_code)) return fetch(k, at);
    return fail(transfer_error(r, d.retries + 1, what));
  }
  if (r.http_status < 200 || r.http_status > 299) {
    if (maybe_retry(d.retries, r.http_status, r.headers, &at)) return fetch(k, at);
    Error e = parse_error_response(r.http_status, r.headers.content_type, r.body);
    e.message = what + ": " + e.message;
    e.request_id = r.headers.request_id;
    return fail(std::move(e));
  }
  if (r.body.empty()) return fail(Error(Status::BadResponse, what + ": empty answer"));
  slots_[d.slot].response.data[d.item].bytes.assign(r.body.begin(), r.body.end());
  d.done = true;
}

void JobRunner::fail(Error e) {
  if (failure_) return;
  failure_ = std::move(e);
  transport_.stop();
}

bool JobRunner::tick() {
  if (!callbacks_.progress) return true;
  // Per transfer: upload is the first 20 %, the server's work up to 30 %, the download the rest.
  double sum = 0;
  int units = 0;
  bool receiving = false, sending = false, waiting = false, retrying = false;
  auto account = [&](bool done, http::TransferId id) {
    ++units;
    if (done) {
      sum += 1;
      return;
    }
    http::TransferProgress p = transport_.progress(id);
    if (p.scheduled) {
      retrying = true;
      return;
    }
    double up = p.upload_total > 0 ? static_cast<double>(p.upload_now) / p.upload_total : 0;
    double down =
        p.download_total > 0 ? static_cast<double>(p.download_now) / p.download_total : 0;
    if (p.response_started) {
      receiving = true;
      sum += 0.3 + 0.7 * down;
    } else if (p.upload_total > 0 && p.upload_now < p.upload_total) {
      sending = true;
      sum += 0.2 * up;
    } else {
      waiting = true;
      sum += 0.2;
    }
  };
  for (const Slot& s : slots_) account(s.done, s.transfer);
  for (const Download& d : downloads_) account(d.done, d.transfer);
  Stage stage = receiving ? Stage::Receiving
                : sending ? Stage::Sending
                : waiting ? Stage::Waiting
                : retrying ? Stage::Retrying
                           : Stage::Receiving;
  // Downloads join the denominator late; never let the bar go backwards.
  double fraction = std::max(last_fraction_, units > 0 ? sum / units : 0.0);
  Clock::time_point now = Clock::now();
  if (last_stage_ == stage && now - last_progress_ < kProgressInterval) return true;
  report_detail(stage);
  last_stage_ = stage;
  last_progress_ = now;
  last_fraction_ = fraction;
  return callbacks_.progress(stage, std::min(fraction, 1.0));
}

void JobRunner::report_detail(Stage stage) {
  if (!callbacks_.detail) return;
  RunDetail d;
  for (const Slot& s : slots_) {
    d.results_total += s.n;
    d.results_received += s.done ? s.n : int(s.completed.size());
  }
  for (const Download& dl : downloads_)
    if (!dl.done) --d.results_received;  // a url result counts once its bytes are here
  if (stage == Stage::Retrying) {
    d.retry_reason = retry_reason_;
    d.retry_attempt = retry_attempt_;
    d.retry_in_ms = std::max<int64_t>(
        0, std::chrono::duration_cast<std::chrono::milliseconds>(retry_at_ - Clock::now()).count());
  }
  callbacks_.detail(d);
}

JobResult JobRunner::gather() {
  JobResult out;
  out.model = req_.model.value_or(caps_.name);
  for (Slot& s : slots_) {
    ImagesResponse& r = s.response;
    if (!s.request_id.empty()) out.request_ids.push_back(s.request_id);
    out.created = std::max(out.created, r.created);
    if (out.size.empty()) out.size = r.size;
    if (out.quality.empty()) out.quality = r.quality;
    if (out.background.empty()) out.background = r.background;
    if (out.output_format.empty()) out.output_format = r.output_format;
    if (out.safety_identifier.empty()) out.safety_identifier = r.safety_identifier;
    if (r.usage) add_usage(out.usage, *r.usage);
    for (ResponseImage& img : r.data) {
      ResultImage result;
      result.format = sniff_format(img.bytes);
      result.bytes = std::move(img.bytes);
      result.revised_prompt = std::move(img.revised_prompt);
      out.images.push_back(std::move(result));
    }
  }
  return out;
}

Result<JobResult> JobRunner::run() {
  if (config_.api_key.empty())
    return Error(Status::NoApiKey, "no API key: set OPENAI_API_KEY or configure one");
  // A line break in a header value would let the key rewrite the request.
  if (has_control_chars(config_.api_key))
    return Error(Status::InvalidArgument, "the API key contains a control character or line break");
  if (has_control_chars(config_.organization) || has_control_chars(config_.project))
    return Error(Status::InvalidArgument,
                 "the organization or project id contains a control character");

  streaming_ = req_.partial_images.has_value();
  int n = std::max(1, req_.n.value_or(1));
  int per_request = std::max(1, caps_.max_n_per_request);
  int count = (n + per_request - 1) / per_request;
  slots_.resize(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    Slot& s = slots_[static_cast<size_t>(i)];
    s.n = std::min(per_request, n - i * per_request);
    s.request = api_request(s.n);
  }
  if (callbacks_.progress && !callbacks_.progress(Stage::Sending, 0.0))
    return Error(Status::Cancelled, "cancelled");
  last_stage_ = Stage::Sending;
  last_progress_ = Clock::now();
  for (size_t i = 0; i < slots_.size(); ++i) send(i, Clock::now());

  http::Transport::RunEnd end = transport_.run([this] { return tick(); });
  if (failure_) return std::move(*failure_);
  switch (end) {
    case http::Transport::RunEnd::Cancelled:
      return Error(Status::Cancelled, "cancelled");
    case http::Transport::RunEnd::Failed:
      return Error(Status::Internal, "libcurl failed: " + transport_.failure_message());
    case http::Transport::RunEnd::Stopped:
      return Error(Status::Internal, "the transfers stopped without a reason");
    case http::Transport::RunEnd::Finished:
      break;
  }
  for (const Slot& s : slots_)
    if (!s.done) return Error(Status::Internal, "a request ended without an answer");
  for (const Download& d : downloads_)
    if (!d.done) return Error(Status::Internal, "a download ended without an answer");
  // The last transfer's callback may have come before its answer was parsed: the detail read
  // after the run (and while placing) must count every result received.
  report_detail(Stage::Receiving);
  return gather();
}

}  // namespace

Result<JobResult> run_job(const ClientConfig& config, const ImageRequest& req,
                          const ModelCaps& caps, const RunCallbacks& callbacks) {
  // Nothing may escape into the C API: callbacks and allocations are the only sources.
  try {
    JobRunner runner(config, req, caps, callbacks);
    Result<JobResult> result = runner.run();
    if (!result) {
      Error error = result.take_error();
      redact_key(error, config.api_key);
      return error;
    }
    redact_key(result.value(), config.api_key);
    return result;
  } catch (const std::bad_alloc&) {
    return Error(Status::NoMemory, "out of memory");
  } catch (const std::exception& e) {
    return Error(Status::Internal, std::string("internal error: ") + e.what());
  } catch (...) {
    return Error(Status::Internal, "internal error");
  }
}

}  // namespace oaimg
