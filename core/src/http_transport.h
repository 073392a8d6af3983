// Many HTTP transfers in parallel on one libcurl multi handle, driven from the caller's thread.
// Private to the core: the client (client.cc) is its only user.
//
// Why one multi handle for everything: a job's fanned-out requests, their retries and the url
// downloads they lead to all progress together, a retry waiting for its turn blocks nobody, and
// cancelling is one loop exit that frees every easy handle at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace oaimg::http {

using Clock = std::chrono::steady_clock;

enum class Method { Get, PostJson, PostMultipart };

struct FormPart {
  std::string name;
  std::string value;                 // a text field, when data is null
  const uint8_t* data = nullptr;     // a file field: bytes owned by the caller, alive until done
  size_t size = 0;
  std::string filename;              // "image.png"
  std::string content_type;          // "image/png"
};

struct Request {
  Method method = Method::Get;
  std::string url;
  std::string json;                  // PostJson
  std::vector<FormPart> parts;       // PostMultipart
  bool send_credentials = true;      // false for downloads from a host other than the API's
  std::string accept;                // "" = libcurl's default
  // A 2xx body goes to on_data only when its Content-Type starts with this ("" = always), so a
  // server that answers a streaming request with plain JSON still gets parsed whole.
  std::string stream_content_type;
};

// The response headers the client acts on ("" when absent).
struct ResponseHeaders {
  std::string request_id, retry_after, retry_after_ms, should_retry, content_type;
  std::string location;  // of a redirect, for the message
};

struct Response {
  int http_status = 0;        // 0 = no HTTP response (see curl_code)
  ResponseHeaders headers;
  std::string body;           // accumulated, unless a 2xx body went to on_data
  int curl_code = 0;          // CURLcode; 0 = the transfer completed
  std::string curl_error;     // curl's reason, naming host and cause; never contains the key
  bool body_too_large = false;
  bool aborted_by_receiver = false;  // on_data returned false
  // Aborted for want of progress (see Settings): nothing at all for idle_timeout_ms before the
  // answer started, or under low_speed_bytes per low_speed_window_ms once it had.
  enum class Stall { None, Idle, Slow } stall = Stall::None;
};

struct Settings {
  std::string api_key;  // sent only as "Authorization: Bearer", never logged
  std::string organization, project;
  std::string ca_bundle;
  long connect_timeout_ms = 30000;
  long timeout_ms = 600000;   // per attempt
  // A server that sends nothing (not even the status line) while nothing is being uploaded: the
  // model's own work fits well inside 5 minutes.
  long idle_timeout_ms = 300000;
  // Once a non-streamed answer flows, one trickling a byte a second would otherwise hold an
  // attempt for the whole timeout. Streams are exempt: a stream legitimately pauses while the
  // next image is made, and idle_timeout_ms still bounds each pause.
  long low_speed_window_ms = 30000;
  int64_t low_speed_bytes = 1024;
  size_t max_body_bytes = 200u * 1024 * 1024;
};

struct TransferProgress {
  int64_t upload_now = 0, upload_total = 0, download_now = 0, download_total = 0;
  bool scheduled = false;          // waiting for its start time (a retry's delay)
  bool response_started = false;   // the status line has arrived
};

using TransferId = int;
// A 2xx body's bytes as they arrive; return false to abort the transfer.
using DataFn = std::function<bool(TransferId, std::string_view chunk)>;
// Called once per transfer, after its easy handle has left the multi handle; may add transfers.
using DoneFn = std::function<void(TransferId, Response&&)>;

class Transport {
 public:
  explicit Transport(Settings settings);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  // Queues a transfer that starts at `start_at` (now by default). Safe to call from callbacks.
  TransferId add(Request request, DoneFn on_done, DataFn on_data = {},
                 Clock::time_point start_at = Clock::time_point::min());

  enum class RunEnd { Finished, Cancelled, Stopped, Failed };
  // Runs until every transfer is done (Finished), `tick` returns false (Cancelled), a callback
  // called stop() (Stopped), or libcurl's multi interface itself fails (Failed, see
  // failure_message()). `tick` runs at least every 50 ms. Whatever the end, no transfer is left:
  // the ones still running are aborted and their on_done is not called.
  RunEnd run(const std::function<bool()>& tick);

  // Ends run() after the current callback, aborting what is left.
  void stop() { stop_requested_ = true; }

  TransferProgress progress(TransferId id) const;
  const std::string& failure_message() const { return failure_message_; }

  struct Transfer;  // one transfer's state, defined in the .cc (public for libcurl's callbacks)

 private:
  bool start(Transfer& t);
  void finish(Transfer& t, int curl_code);
  void abort_all();

  Settings settings_;
  void* multi_ = nullptr;  // CURLM*, kept out of this header
  TransferId next_id_ = 1;
  std::map<TransferId, std::unique_ptr<Transfer>> transfers_;
  bool stop_requested_ = false;
  std::string failure_message_;
};

// True for an http:// or https:// URL that libcurl can parse: what a url result may be.
bool is_http_url(std::string_view url);

// Overwrites a secret before its memory is freed or reused (the compiler may not drop it).
void wipe(std::string& secret);

// True when both URLs have the same scheme, host and port: credentials go only there.
bool same_origin(std::string_view a, std::string_view b);

// "api.openai.com" from a URL, for messages ("" when it does not parse).
std::string url_host(std::string_view url);

}  // namespace oaimg::http
