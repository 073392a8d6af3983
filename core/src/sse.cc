// text/event-stream parsing as the WHATWG HTML standard defines it ("Server-sent events",
// interpretation of the stream): lines end in CRLF, LF or CR; a blank line dispatches; ':' starts a
// comment; "data" lines are joined by '\n'; one space after the colon is dropped.
#include "oaimg/core/response.h"

namespace oaimg {
namespace {

void dispatch(SseEvent& current, bool& has_data, const std::function<void(const SseEvent&)>& on_event) {
  // An event without data lines is not dispatched (the standard's rule), but its name is reset.
  if (has_data && on_event) on_event(current);
  current = SseEvent{};
  has_data = false;
}

void process_line(std::string_view line, SseEvent& current, bool& has_data,
                  const std::function<void(const SseEvent&)>& on_event) {
  if (line.empty()) {
    dispatch(current, has_data, on_event);
    return;
  }
  if (line.front() == ':') return;  // comment, used by servers as a keep-alive
  std::string_view field = line, value;
  if (auto colon = line.find(':'); colon != std::string_view::npos) {
    field = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (field == "event") {
    current.event.assign(value);
  } else if (field == "data") {
    if (has_data) current.data += '\n';
    current.data.append(value);
    has_data = true;
  }
  // "id" and "retry" only matter for EventSource reconnection, which this client does not do.
}

}  // namespace

void SseParser::feed(std::string_view chunk, const std::function<void(const SseEvent&)>& on_event) {
  // Everything already buffered is an unfinished line, except possibly a final '\r' whose '\n' may
  // be in this chunk; so only the new bytes (and that '\r') need scanning. This keeps a multi-MB
  // b64_json line arriving in small chunks linear instead of quadratic.
  size_t scan_from = buffer_.size();
  if (scan_from > 0 && buffer_.back() == '\r') --scan_from;
  buffer_.append(chunk);

  size_t line_start = 0;
  size_t pos = scan_from;
  while (true) {
    size_t end = buffer_.find_first_of("\r\n", pos);
    if (end == std::string::npos) break;
    size_t next = end + 1;
    if (buffer_[end] == '\r') {
      if (next == buffer_.size()) break;  // CR at the very end: wait to see if LF follows
      if (buffer_[next] == '\n') ++next;
    }
    process_line(std::string_view(buffer_).substr(line_start, end - line_start), current_, has_data_,
                 on_event);
    line_start = pos = next;
  }
  buffer_.erase(0, line_start);
}

void SseParser::finish(const std::function<void(const SseEvent&)>& on_event) {
  std::string_view rest = buffer_;
  if (!rest.empty() && rest.back() == '\r') rest.remove_suffix(1);
  if (!rest.empty()) process_line(rest, current_, has_data_, on_event);
  buffer_.clear();
  dispatch(current_, has_data_, on_event);
}

}  // namespace oaimg
