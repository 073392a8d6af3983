// SseParser: the text/event-stream rules, and independence from where the network splits chunks.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "oaimg/core/response.h"

namespace oaimg {
namespace {

std::vector<SseEvent> parse_whole(std::string_view stream) {
  std::vector<SseEvent> events;
  SseParser parser;
  auto collect = [&](const SseEvent& e) { events.push_back(e); };
  parser.feed(stream, collect);
  parser.finish(collect);
  return events;
}

std::vector<SseEvent> parse_in_chunks(std::string_view stream, const std::vector<size_t>& cuts) {
  std::vector<SseEvent> events;
  SseParser parser;
  auto collect = [&](const SseEvent& e) { events.push_back(e); };
  size_t from = 0;
  for (size_t cut : cuts) {
    parser.feed(stream.substr(from, cut - from), collect);
    from = cut;
  }
  parser.feed(stream.substr(from), collect);
  parser.finish(collect);
  return events;
}

void expect_same(const std::vector<SseEvent>& got, const std::vector<SseEvent>& want,
                 const std::string& context) {
  ASSERT_EQ(got.size(), want.size()) << context;
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].event, want[i].event) << context << " event " << i;
    EXPECT_EQ(got[i].data, want[i].data) << context << " event " << i;
  }
}

TEST(SseParser, NamedEventWithData) {
  auto events = parse_whole("event: image_generation.partial_image\ndata: {\"a\":1}\n\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event, "image_generation.partial_image");
  EXPECT_EQ(events[0].data, "{\"a\":1}");
}

TEST(SseParser, MultipleDataLinesJoinWithNewline) {
  auto events = parse_whole("data: first\ndata: second\ndata:third\n\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event, "");
  EXPECT_EQ(events[0].data, "first\nsecond\nthird");
}

TEST(SseParser, OnlyOneLeadingSpaceIsDropped) {
  auto events = parse_whole("data:  two spaces\n\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, " two spaces");
}

TEST(SseParser, CommentsAndUnknownFieldsAreIgnored) {
  auto events = parse_whole(": keep-alive\nid: 7\nretry: 100\nfoo: bar\ndata: x\n\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "x");
}

TEST(SseParser, BlankLineWithoutDataDispatchesNothingAndResetsTheName) {
  auto events = parse_whole("event: stale\n\ndata: y\n\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event, "");
  EXPECT_EQ(events[0].data, "y");
}

TEST(SseParser, EmptyDataLineCountsAsData) {
  auto events = parse_whole("data\n\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "");
}

TEST(SseParser, CrLfAndBareCrEndLines) {
  auto crlf = parse_whole("event: a\r\ndata: 1\r\n\r\nevent: b\rdata: 2\r\r");
  ASSERT_EQ(crlf.size(), 2u);
  EXPECT_EQ(crlf[0].event, "a");
  EXPECT_EQ(crlf[0].data, "1");
  EXPECT_EQ(crlf[1].event, "b");
  EXPECT_EQ(crlf[1].data, "2");
}

TEST(SseParser, FinishDeliversAnEventWithoutTrailingBlankLine) {
  auto events = parse_whole("event: error\ndata: {\"error\":{}}");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event, "error");
  EXPECT_EQ(events[0].data, "{\"error\":{}}");
}

TEST(SseParser, NothingIsDeliveredBeforeTheBlankLine) {
  SseParser parser;
  int delivered = 0;
  parser.feed("data: half\n", [&](const SseEvent&) { ++delivered; });
  EXPECT_EQ(delivered, 0);
  parser.feed("\n", [&](const SseEvent&) { ++delivered; });
  EXPECT_EQ(delivered, 1);
}

// The network may cut anywhere, including between CR and LF: every single cut and every pair of
// cuts must give the same events as the whole stream at once.
TEST(SseParser, SplittingAtEveryBoundaryGivesTheSameEvents) {
  const std::string stream =
      ": ping\r\n"
      "event: image_edit.partial_image\r\n"
      "data: {\"b64_json\":\"QUJD\",\r\n"
      "data: \"partial_image_index\":0}\r\n"
      "\r\n"
      "event: image_edit.completed\n"
      "data: {\"b64_json\":\"REVG\"}\n"
      "\n"
      "data: cr only\r"
      "\r"
      "data: tail";
  const auto want = parse_whole(stream);
  ASSERT_EQ(want.size(), 4u);
  EXPECT_EQ(want[0].data, "{\"b64_json\":\"QUJD\",\n\"partial_image_index\":0}");
  EXPECT_EQ(want[2].data, "cr only");
  EXPECT_EQ(want[3].data, "tail");

  for (size_t a = 0; a <= stream.size(); ++a) {
    expect_same(parse_in_chunks(stream, {a}), want, "cut at " + std::to_string(a));
    for (size_t b = a; b <= stream.size(); ++b)
      expect_same(parse_in_chunks(stream, {a, b}), want,
                  "cuts at " + std::to_string(a) + "," + std::to_string(b));
  }

  std::vector<size_t> every_byte;
  for (size_t i = 1; i < stream.size(); ++i) every_byte.push_back(i);
  expect_same(parse_in_chunks(stream, every_byte), want, "one byte per chunk");
}

}  // namespace
}  // namespace oaimg
