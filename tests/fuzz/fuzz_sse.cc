// The text/event-stream parser: the same bytes must give the same events whether they arrive
// whole or cut into chunks anywhere (a CRLF split across two reads included).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "oaimg/core/response.h"

namespace {

std::vector<oaimg::SseEvent> events_of(std::string_view stream, const std::vector<size_t>& cuts) {
  std::vector<oaimg::SseEvent> events;
  auto collect = [&](const oaimg::SseEvent& e) { events.push_back(e); };
  oaimg::SseParser parser;
  size_t at = 0;
  for (size_t cut : cuts) {
    if (cut <= at || cut > stream.size()) continue;
    parser.feed(stream.substr(at, cut - at), collect);
    at = cut;
  }
  parser.feed(stream.substr(at), collect);
  parser.finish(collect);
  return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The first bytes choose where the stream is cut, the rest is the stream.
  if (size < 2) return 0;
  const size_t cut_count = data[0] % 16;
  if (size < 1 + cut_count) return 0;
  std::string_view stream(reinterpret_cast<const char*>(data + 1 + cut_count), size - 1 - cut_count);
  std::vector<size_t> cuts;
  size_t position = 0;
  for (size_t i = 0; i < cut_count; ++i) {
    position += 1 + data[1 + i] % 64;
    cuts.push_back(position);
  }
  std::vector<size_t> every_byte;
  for (size_t i = 1; i < stream.size() && i < 4096; ++i) every_byte.push_back(i);

  auto whole = events_of(stream, {});
  for (const auto& chunked : {events_of(stream, cuts), events_of(stream, every_byte)}) {
    if (chunked.size() != whole.size()) std::abort();
    for (size_t i = 0; i < whole.size(); ++i)
      if (chunked[i].event != whole[i].event || chunked[i].data != whole[i].data) std::abort();
  }
  return 0;
}
