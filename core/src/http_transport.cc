#include "http_transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <malloc.h>
#include <mutex>
#include <utility>

namespace oaimg::http {
namespace {

constexpr const char* kUserAgent = "oaimg/" OAIMG_VERSION_STRING_CORE;
// The longest wait between two ticks. The client calls the progress callback on a tick when
// 50 ms have passed since its last call, so the callback (and cancellation) runs at least every
// 100 ms as the public header promises.
constexpr auto kTickInterval = std::chrono::milliseconds(50);

void wipe_bytes(void* p, size_t n) {
  auto* bytes = static_cast<volatile unsigned char*>(p);
  for (size_t i = 0; i < n; ++i) bytes[i] = 0;
}

// libcurl builds each request's header block ("Authorization: Bearer …" included) in buffers of
// its own and frees them without clearing. Freeing through these wipes what libcurl held, so the
// key does not outlive oaimg_client_free() in freed memory. Only when oaimg is the first to
// initialise libcurl in the process (a host that did so before keeps its own allocator).
void wiping_free(void* p) {
  if (p == nullptr) return;
  wipe_bytes(p, malloc_usable_size(p));
  std::free(p);
}

void* wiping_realloc(void* p, size_t size) {
  if (p == nullptr) return std::malloc(size);
  size_t old_size = malloc_usable_size(p);
  if (size <= old_size && size > 0) return p;
  void* grown = std::malloc(size == 0 ? 1 : size);
  if (grown == nullptr) return nullptr;
  std::memcpy(grown, p, std::min(old_size, size));
  wiping_free(p);
  return grown;
}

char* wiping_strdup(const char* s) {
  size_t n = std::strlen(s) + 1;
  auto* copy = static_cast<char*>(std::malloc(n));
  if (copy != nullptr) std::memcpy(copy, s, n);
  return copy;
}

void global_init_once() {
  static std::once_flag once;
  // Not thread-safe inside libcurl, and needed before the first handle: exactly once per process.
  std::call_once(once, [] {
    curl_global_init_mem(
        CURL_GLOBAL_DEFAULT, [](size_t size) { return std::malloc(size); }, wiping_free,
        wiping_realloc, wiping_strdup, [](size_t n, size_t size) { return std::calloc(n, size); });
  });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// A file part read from the caller's memory: fanned-out requests share one upload buffer
// instead of each copying up to 16 × 50 MB into curl.
struct MemoryReader {
  const uint8_t* data = nullptr;
  size_t size = 0;
  size_t pos = 0;
};

size_t memory_read(char* buffer, size_t size, size_t nitems, void* arg) {
  auto* r = static_cast<MemoryReader*>(arg);
  size_t n = std::min(size * nitems, r->size - r->pos);
  if (n > 0) std::memcpy(buffer, r->data + r->pos, n);
  r->pos += n;
  return n;
}

// libcurl rewinds a body when it has to send it again (a redirect, a reused dead connection).
int memory_seek(void* arg, curl_off_t offset, int origin) {
  auto* r = static_cast<MemoryReader*>(arg);
  if (origin != SEEK_SET) return CURL_SEEKFUNC_CANTSEEK;
  if (offset < 0 || static_cast<uint64_t>(offset) > r->size) return CURL_SEEKFUNC_FAIL;
  r->pos = static_cast<size_t>(offset);
  return CURL_SEEKFUNC_OK;
}

}  // namespace

struct Transport::Transfer {
  TransferId id = 0;
  Request request;
  DoneFn on_done;
  DataFn on_data;
  Clock::time_point start_at;
  bool started = false;

  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  curl_mime* mime = nullptr;
  std::vector<std::unique_ptr<MemoryReader>> readers;
  char error_buffer[CURL_ERROR_SIZE] = {0};

  Response response;
  size_t received = 0;
  size_t max_body = 0;
  TransferProgress progress;
  const Settings* settings = nullptr;
  bool streamed = false;  // the 2xx body goes to on_data: exempt from the low-speed window
  // Progress of the attempt, for the idle and low-speed bounds.
  int64_t last_bytes = 0;
  Clock::time_point last_activity{};
  Clock::time_point window_start{};
  int64_t window_start_bytes = 0;

  ~Transfer() {
    // The easy handle goes first: it still points at the mime and the header list.
    if (easy != nullptr) curl_easy_cleanup(easy);
    if (mime != nullptr) curl_mime_free(mime);
    // The header list holds "Authorization: Bearer …".
    for (curl_slist* h = headers; h != nullptr; h = h->next)
      if (h->data != nullptr) wipe_bytes(h->data, std::strlen(h->data));
    if (headers != nullptr) curl_slist_free_all(headers);
  }
};

namespace {

size_t on_header(char* buffer, size_t size, size_t nitems, void* arg) {
  auto* t = static_cast<Transport::Transfer*>(arg);
  size_t n = size * nitems;
  std::string_view line(buffer, n);
  if (line.rfind("HTTP/", 0) == 0) {
    // A new status line (after "100 Continue" or a redirect): earlier headers were not the
    // final response's.
    t->response.headers = ResponseHeaders{};
    t->response.body.clear();
    t->received = 0;
    t->progress.response_started = true;
    return n;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name = lower(trim(line.substr(0, colon)));
  std::string value(trim(line.substr(colon + 1)));
  ResponseHeaders& h = t->response.headers;
  if (name == "x-request-id") h.request_id = value;
  else if (name == "retry-after") h.retry_after = value;
  else if (name == "retry-after-ms") h.retry_after_ms = value;
  else if (name == "x-should-retry") h.should_retry = value;
  else if (name == "content-type") h.content_type = value;
  else if (name == "location") h.location = value;
  return n;
}

size_t on_body(char* buffer, size_t size, size_t nitems, void* arg) {
  auto* t = static_cast<Transport::Transfer*>(arg);
  size_t n = size * nitems;
  t->received += n;
  if (t->received > t->max_body) {
    t->response.body_too_large = true;
    return 0;  // anything but n aborts the transfer (CURLE_WRITE_ERROR)
  }
  long status = 0;
  curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
  // Only a success is streamed: an error answer to a streaming request is plain JSON that the
  // client parses whole.
  bool streamed_type = t->request.stream_content_type.empty() ||
                       lower(t->response.headers.content_type)
                               .rfind(lower(t->request.stream_content_type), 0) == 0;
  if (t->on_data && status >= 200 && status < 300 && streamed_type) {
    if (!t->on_data(t->id, std::string_view(buffer, n))) {
      t->response.aborted_by_receiver = true;
      return 0;
    }
    return n;
  }
  t->response.body.append(buffer, n);
  return n;
}

// libcurl calls this at least once a second, also while nothing moves; a non-zero return aborts
// the transfer (CURLE_ABORTED_BY_CALLBACK), which the caller reads from Response::stall.
int on_progress(void* arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                curl_off_t ulnow) {
  auto* t = static_cast<Transport::Transfer*>(arg);
  t->progress.download_total = dltotal;
  t->progress.download_now = dlnow;
  t->progress.upload_total = ultotal;
  t->progress.upload_now = ulnow;

  const Clock::time_point now = Clock::now();
  const int64_t bytes = int64_t(dlnow) + int64_t(ulnow);
  if (bytes != t->last_bytes || t->last_activity == Clock::time_point{}) {
    t->last_bytes = bytes;
    t->last_activity = now;
  }
  const Settings& s = *t->settings;
  if (!t->progress.response_started) {
    if (s.idle_timeout_ms > 0 && now - t->last_activity > std::chrono::milliseconds(s.idle_timeout_ms)) {
      t->response.stall = Response::Stall::Idle;
      return 1;
    }
    t->window_start = Clock::time_point{};
    return 0;
  }
  if (t->streamed || s.low_speed_window_ms <= 0) {
    // A stream's pauses between events: only the idle bound.
    if (s.idle_timeout_ms > 0 && now - t->last_activity > std::chrono::milliseconds(s.idle_timeout_ms)) {
      t->response.stall = Response::Stall::Idle;
      return 1;
    }
    return 0;
  }
  if (t->window_start == Clock::time_point{}) {
    t->window_start = now;
    t->window_start_bytes = int64_t(dlnow);
    return 0;
  }
  if (now - t->window_start >= std::chrono::milliseconds(s.low_speed_window_ms)) {
    if (int64_t(dlnow) - t->window_start_bytes < s.low_speed_bytes) {
      t->response.stall = Response::Stall::Slow;
      return 1;
    }
    t->window_start = now;
    t->window_start_bytes = int64_t(dlnow);
  }
  return 0;
}

}  // namespace

Transport::Transport(Settings settings) : settings_(std::move(settings)) {
  global_init_once();
  multi_ = curl_multi_init();
  if (settings_.timeout_ms <= 0) settings_.timeout_ms = 600000;  // 0 would mean "never" to curl
  if (settings_.connect_timeout_ms <= 0) settings_.connect_timeout_ms = 30000;
}

Transport::~Transport() {
  abort_all();
  if (multi_ != nullptr) curl_multi_cleanup(static_cast<CURLM*>(multi_));
  wipe(settings_.api_key);
}

TransferId Transport::add(Request request, DoneFn on_done, DataFn on_data,
                          Clock::time_point start_at) {
  auto t = std::make_unique<Transfer>();
  t->id = next_id_++;
  t->request = std::move(request);
  t->on_done = std::move(on_done);
  t->on_data = std::move(on_data);
  t->start_at = start_at;
  t->max_body = settings_.max_body_bytes;
  t->settings = &settings_;
  t->streamed = static_cast<bool>(t->on_data);
  t->progress.scheduled = start_at > Clock::now();
  TransferId id = t->id;
  transfers_.emplace(id, std::move(t));
  return id;
}

TransferProgress Transport::progress(TransferId id) const {
  auto it = transfers_.find(id);
  return it == transfers_.end() ? TransferProgress{} : it->second->progress;
}

bool Transport::start(Transfer& t) {
  CURL* e = curl_easy_init();
  if (e == nullptr) return false;
  t.easy = e;
  const Request& r = t.request;
  bool ok = true;
  auto set = [&](CURLoption opt, auto value) { ok = ok && curl_easy_setopt(e, opt, value) == CURLE_OK; };

  set(CURLOPT_URL, r.url.c_str());
  set(CURLOPT_PRIVATE, static_cast<void*>(&t));
  set(CURLOPT_NOSIGNAL, 1L);  // several threads may run jobs; signals are process-wide
  set(CURLOPT_ERRORBUFFER, t.error_buffer);
  // A url result comes from the server's answer: never let it make us read file:// or the like.
  set(CURLOPT_PROTOCOLS_STR, "http,https");
  set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  set(CURLOPT_CONNECTTIMEOUT_MS, settings_.connect_timeout_ms);
  set(CURLOPT_TIMEOUT_MS, settings_.timeout_ms);
  set(CURLOPT_USERAGENT, kUserAgent);
  set(CURLOPT_SSL_VERIFYPEER, 1L);
  set(CURLOPT_SSL_VERIFYHOST, 2L);
  if (!settings_.ca_bundle.empty()) set(CURLOPT_CAINFO, settings_.ca_bundle.c_str());
  set(CURLOPT_ACCEPT_ENCODING, "");
  set(CURLOPT_HEADERFUNCTION, on_header);
  set(CURLOPT_HEADERDATA, static_cast<void*>(&t));
  set(CURLOPT_WRITEFUNCTION, on_body);
  set(CURLOPT_WRITEDATA, static_cast<void*>(&t));
  set(CURLOPT_XFERINFOFUNCTION, on_progress);
  set(CURLOPT_XFERINFODATA, static_cast<void*>(&t));
  set(CURLOPT_NOPROGRESS, 0L);

  auto header = [&](const std::string& line) {
    curl_slist* next = curl_slist_append(t.headers, line.c_str());
    if (next == nullptr) ok = false;
    else t.headers = next;
  };
  if (r.send_credentials) {
    if (!settings_.api_key.empty()) {
      std::string authorization = "Authorization: Bearer " + settings_.api_key;
      header(authorization);
      wipe(authorization);
    }
    if (!settings_.organization.empty()) header("OpenAI-Organization: " + settings_.organization);
    if (!settings_.project.empty()) header("OpenAI-Project: " + settings_.project);
  }
  // Without this curl waits up to a second for "100 Continue" before a large upload, which
  // many servers (and proxies) never send.
  header("Expect:");
  if (!r.accept.empty()) header("Accept: " + r.accept);

  switch (r.method) {
    case Method::Get:
      set(CURLOPT_HTTPGET, 1L);
      // Result urls may point at a CDN that redirects; API calls never do.
      set(CURLOPT_FOLLOWLOCATION, 1L);
      set(CURLOPT_MAXREDIRS, 5L);
      break;
    case Method::PostJson:
      header("Content-Type: application/json");
      set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.json.size()));
      set(CURLOPT_POSTFIELDS, r.json.c_str());
      break;
    case Method::PostMultipart: {
      t.mime = curl_mime_init(e);
      if (t.mime == nullptr) return false;
      for (const FormPart& p : r.parts) {
        curl_mimepart* part = curl_mime_addpart(t.mime);
        if (part == nullptr) return false;
        ok = ok && curl_mime_name(part, p.name.c_str()) == CURLE_OK;
        if (p.data == nullptr && p.filename.empty()) {
          ok = ok && curl_mime_data(part, p.value.data(), p.value.size()) == CURLE_OK;
          continue;
        }
        auto reader = std::make_unique<MemoryReader>();
        reader->data = p.data;
        reader->size = p.data == nullptr ? 0 : p.size;
        ok = ok && curl_mime_data_cb(part, static_cast<curl_off_t>(reader->size), memory_read,
                                     memory_seek, nullptr, reader.get()) == CURLE_OK;
        t.readers.push_back(std::move(reader));
        if (!p.filename.empty()) ok = ok && curl_mime_filename(part, p.filename.c_str()) == CURLE_OK;
        if (!p.content_type.empty()) ok = ok && curl_mime_type(part, p.content_type.c_str()) == CURLE_OK;
      }
      set(CURLOPT_MIMEPOST, t.mime);
      break;
    }
  }
  set(CURLOPT_HTTPHEADER, t.headers);
  if (!ok) return false;
  if (curl_multi_add_handle(static_cast<CURLM*>(multi_), e) != CURLM_OK) return false;
  t.started = true;
  t.progress.scheduled = false;
  return true;
}

void Transport::finish(Transfer& t, int curl_code) {
  if (t.started) curl_multi_remove_handle(static_cast<CURLM*>(multi_), t.easy);
  Response response = std::move(t.response);
  response.curl_code = curl_code;
  if (t.easy != nullptr) {
    long status = 0;
    curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &status);
    response.http_status = static_cast<int>(status);
  }
  if (curl_code != CURLE_OK) {
    response.curl_error = t.error_buffer[0] != '\0'
                              ? std::string(t.error_buffer)
                              : std::string(curl_easy_strerror(static_cast<CURLcode>(curl_code)));
  }
  DoneFn on_done = std::move(t.on_done);
  TransferId id = t.id;
  transfers_.erase(id);  // frees the easy handle before the callback may start new ones
  if (on_done) on_done(id, std::move(response));
}

void Transport::abort_all() {
  for (auto& [id, t] : transfers_) {
    if (t->started) curl_multi_remove_handle(static_cast<CURLM*>(multi_), t->easy);
    t->started = false;
  }
  transfers_.clear();
}

Transport::RunEnd Transport::run(const std::function<bool()>& tick) {
  stop_requested_ = false;
  auto* multi = static_cast<CURLM*>(multi_);
  if (multi == nullptr) {
    failure_message_ = "could not initialise libcurl";
    abort_all();
    return RunEnd::Failed;
  }
  // Bounded: every started transfer ends by its own timeout, retries are scheduled a bounded
  // number of times by the caller, and `tick` can end the loop at any turn.
  for (;;) {
    if (stop_requested_) {
      abort_all();
      return RunEnd::Stopped;
    }
    Clock::time_point now = Clock::now();
    Clock::time_point next_start = now + kTickInterval;
    std::vector<TransferId> due;
    for (auto& [id, t] : transfers_) {
      if (t->started) continue;
      if (t->start_at <= now) due.push_back(id);
      else next_start = std::min(next_start, t->start_at);
    }
    for (TransferId id : due) {
      auto it = transfers_.find(id);
      if (it == transfers_.end()) continue;
      if (!start(*it->second)) {
        std::snprintf(it->second->error_buffer, CURL_ERROR_SIZE, "could not set up the request");
        finish(*it->second, CURLE_FAILED_INIT);
      }
    }
    if (stop_requested_) continue;
    if (transfers_.empty()) return RunEnd::Finished;
    if (tick && !tick()) {
      abort_all();
      return RunEnd::Cancelled;
    }

    int running = 0;
    CURLMcode mc = curl_multi_perform(multi, &running);
    if (mc != CURLM_OK) {
      failure_message_ = curl_multi_strerror(mc);
      abort_all();
      return RunEnd::Failed;
    }
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
      if (msg->msg != CURLMSG_DONE) continue;
      Transfer* t = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&t));
      CURLcode result = msg->data.result;
      // finish() may add transfers but never removes other started ones, so the message queue
      // stays valid.
      if (t != nullptr) finish(*t, result);
    }
    if (stop_requested_ || transfers_.empty()) continue;

    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_start - Clock::now());
    int timeout_ms = static_cast<int>(std::clamp<int64_t>(wait.count(), 0, kTickInterval.count()));
    mc = curl_multi_poll(multi, nullptr, 0, timeout_ms, nullptr);
    if (mc != CURLM_OK) {
      failure_message_ = curl_multi_strerror(mc);
      abort_all();
      return RunEnd::Failed;
    }
  }
}

void wipe(std::string& secret) {
  if (!secret.empty()) wipe_bytes(secret.data(), secret.size());
  secret.clear();
}

bool is_http_url(std::string_view url) {
  CURLU* u = curl_url();
  if (u == nullptr) return false;
  std::string s(url);
  char* scheme = nullptr;
  bool ok = curl_url_set(u, CURLUPART_URL, s.c_str(), 0) == CURLUE_OK &&
            curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK;
  std::string lowered = ok ? lower(scheme) : "";
  curl_free(scheme);
  curl_url_cleanup(u);
  return lowered == "http" || lowered == "https";
}

bool same_origin(std::string_view a, std::string_view b) {
  struct Origin {
    std::string scheme, host, port;
  };
  auto origin = [](std::string_view url, Origin* out) {
    CURLU* u = curl_url();
    if (u == nullptr) return false;
    std::string s(url);
    bool ok = curl_url_set(u, CURLUPART_URL, s.c_str(), 0) == CURLUE_OK;
    for (auto [part, field] : {std::pair{CURLUPART_SCHEME, &out->scheme},
                               std::pair{CURLUPART_HOST, &out->host},
                               std::pair{CURLUPART_PORT, &out->port}}) {
      char* v = nullptr;
      unsigned flags = part == CURLUPART_PORT ? CURLU_DEFAULT_PORT : 0;
      if (ok && curl_url_get(u, part, &v, flags) == CURLUE_OK) {
        *field = lower(v);
      } else {
        ok = false;
      }
      curl_free(v);
    }
    curl_url_cleanup(u);
    return ok;
  };
  Origin oa, ob;
  if (!origin(a, &oa) || !origin(b, &ob)) return false;
  return oa.scheme == ob.scheme && oa.host == ob.host && oa.port == ob.port;
}

std::string url_host(std::string_view url) {
  CURLU* u = curl_url();
  if (u == nullptr) return "";
  std::string s(url), host;
  char* v = nullptr;
  if (curl_url_set(u, CURLUPART_URL, s.c_str(), 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_HOST, &v, 0) == CURLUE_OK) {
    host = v;
  }
  curl_free(v);
  curl_url_cleanup(u);
  return host;
}

}  // namespace oaimg::http
