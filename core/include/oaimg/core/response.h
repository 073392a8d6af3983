// Parsing what the Images API answers (json-glib inside; no GLib type in this interface).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "oaimg/core/error.h"

namespace oaimg {

struct Usage {
  int64_t input_tokens = -1, output_tokens = -1, total_tokens = -1;
  int64_t input_text_tokens = -1, input_image_tokens = -1;
  int64_t output_text_tokens = -1, output_image_tokens = -1;  // usage.output_tokens_details
};

// Adds one request's usage to a run's total (fan-out, streamed images, extend parts). A count the
// server did not report (-1) adds nothing; the total stays -1 until some part reports it.
void add_usage(Usage& sum, const Usage& part);

struct ResponseImage {
  std::vector<uint8_t> bytes;          // decoded b64_json, or empty when only url is given
  std::string url;                     // url results, downloaded by the client
  std::optional<std::string> revised_prompt;
};

struct ImagesResponse {
  int64_t created = 0;
  std::vector<ResponseImage> data;
  std::optional<Usage> usage;
  std::string size, quality, background, output_format;  // "" when absent
  std::string safety_identifier;  // the effective one the server used ("" when absent)
};

// A 2xx body: {"created":..., "data":[{"b64_json"|"url", "revised_prompt"}], "usage":...}.
// Anything else (not JSON, no data array, bad base64) is Status::BadResponse with a message.
Result<ImagesResponse> parse_images_response(std::string_view body);

// A non-2xx answer to an Error: status from the HTTP status and the API's code/type (401 →
// Authentication, 403 → Permission, 404 → NotFound, 429 → RateLimited, content_policy_violation /
// moderation_blocked → ContentPolicy, other 4xx → BadRequest, 5xx → Server), message from
// error.message, or for a non-JSON body (an HTML page from a proxy) a readable line with the HTTP
// status and the page's title or first text. request_id and retry_after_ms are filled by the caller.
Error parse_error_response(int http_status, std::string_view content_type, std::string_view body);

// One server-sent event.
struct SseEvent {
  std::string event;  // "image_generation.partial_image", "error", ... ("" = unnamed)
  std::string data;   // data lines joined by '\n'
};

// Incremental text/event-stream parser: feed chunks as they arrive, get whole events.
class SseParser {
 public:
  void feed(std::string_view chunk, const std::function<void(const SseEvent&)>& on_event);
  // Call at the end of the stream: delivers a final event not followed by a blank line.
  void finish(const std::function<void(const SseEvent&)>& on_event);

 private:
  std::string buffer_;
  SseEvent current_;
  bool has_data_ = false;
};

// A streamed event's payload.
struct StreamImageEvent {
  bool completed = false;        // *.completed (else *.partial_image)
  int partial_image_index = -1;
  std::vector<uint8_t> bytes;    // decoded b64_json
  std::optional<Usage> usage;
  std::string size, quality, background, output_format;
  int64_t created_at = 0;         // streamed events carry created_at, not created
  std::string safety_identifier;
};
// Parses one event: an `event: error`, or data with an "error" key, is an Error. An event of
// another type (a future progress event) or the `data: [DONE]` marker is Status::Unsupported:
// skip it rather than failing the stream.
Result<StreamImageEvent> parse_stream_event(const SseEvent& event);

// Base64 (standard alphabet, padding optional, whitespace ignored).
std::optional<std::vector<uint8_t>> base64_decode(std::string_view text);
std::string base64_encode(const uint8_t* data, size_t size);

}  // namespace oaimg
