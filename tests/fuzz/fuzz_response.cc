// The response parser on any bytes a server could send: a 2xx body, an error body with any
// status and content type, and a streamed event. Nothing may crash, and every failure must be a
// readable one-line message.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "oaimg/core/response.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto check_message = [](const std::string& message) {
    if (message.empty() || message.find('\n') != std::string::npos) std::abort();
  };

  if (auto parsed = oaimg::parse_images_response(body); !parsed)
    check_message(parsed.error().message);

  const int status = size > 0 ? 300 + data[0] % 300 : 500;
  const char* content_type = size > 1 && (data[1] & 1) ? "text/html" : "application/json";
  check_message(oaimg::parse_error_response(status, content_type, body).message);

  // The first line names the event, the rest is its data.
  size_t newline = body.find('\n');
  oaimg::SseEvent event;
  event.event = std::string(body.substr(0, newline == std::string_view::npos ? 0 : newline));
  event.data = std::string(newline == std::string_view::npos ? body : body.substr(newline + 1));
  if (auto streamed = oaimg::parse_stream_event(event); !streamed)
    check_message(streamed.error().message);
  return 0;
}
