// Response parsing: images, errors (JSON and proxy pages), stream events, base64.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "oaimg/core/response.h"

namespace oaimg {
namespace {

std::vector<uint8_t> bytes_of(std::string_view s) { return {s.begin(), s.end()}; }
std::string b64(std::string_view s) {
  return base64_encode(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

// --- base64 ---

TEST(Base64, EncodesRfc4648Vectors) {
  EXPECT_EQ(b64(""), "");
  EXPECT_EQ(b64("f"), "Zg==");
  EXPECT_EQ(b64("fo"), "Zm8=");
  EXPECT_EQ(b64("foo"), "Zm9v");
  EXPECT_EQ(b64("foob"), "Zm9vYg==");
  EXPECT_EQ(b64("fooba"), "Zm9vYmE=");
  EXPECT_EQ(b64("foobar"), "Zm9vYmFy");
}

TEST(Base64, DecodeRoundTripsAllByteValues) {
  std::vector<uint8_t> all(256);
  for (int i = 0; i < 256; ++i) all[i] = uint8_t(i);
  for (size_t len : {0u, 1u, 2u, 3u, 4u, 255u, 256u}) {
    std::vector<uint8_t> in(all.begin(), all.begin() + len);
    auto out = base64_decode(base64_encode(in.data(), in.size()));
    ASSERT_TRUE(out.has_value()) << len;
    EXPECT_EQ(*out, in) << len;
  }
}

TEST(Base64, DecodeAcceptsMissingPaddingAndWhitespace) {
  EXPECT_EQ(base64_decode("Zm9vYg"), bytes_of("foob"));
  EXPECT_EQ(base64_decode("Zm9v\nYmE=\r\n"), bytes_of("fooba"));
}

TEST(Base64, DecodeRejectsMalformedInput) {
  EXPECT_FALSE(base64_decode("Zm9v!"));     // not in the alphabet
  EXPECT_FALSE(base64_decode("Zm9vY"));     // a lone sextet
  EXPECT_FALSE(base64_decode("Zg==Zg=="));  // data after padding
  EXPECT_FALSE(base64_decode("Zg="));       // padding that does not complete the quad
  EXPECT_FALSE(base64_decode("Zm9v===="));  // padding after a complete quad
}

// --- images response ---

TEST(ParseImagesResponse, GptResponseWithUsageAndMetadata) {
  std::string body = R"({"created": 1713833628, "data": [{"b64_json": ")" + b64("PNGDATA") +
                     R"("}, {"b64_json": ")" + b64("SECOND") + R"("}],
    "background": "opaque", "output_format": "png", "quality": "high", "size": "1536x864",
    "usage": {"input_tokens": 50, "output_tokens": 4160, "total_tokens": 4210,
              "input_tokens_details": {"text_tokens": 40, "image_tokens": 10}}})";
  auto r = parse_images_response(body);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->created, 1713833628);
  ASSERT_EQ(r->data.size(), 2u);
  EXPECT_EQ(r->data[0].bytes, bytes_of("PNGDATA"));
  EXPECT_EQ(r->data[1].bytes, bytes_of("SECOND"));
  EXPECT_TRUE(r->data[0].url.empty());
  EXPECT_FALSE(r->data[0].revised_prompt.has_value());
  EXPECT_EQ(r->size, "1536x864");
  EXPECT_EQ(r->quality, "high");
  EXPECT_EQ(r->background, "opaque");
  EXPECT_EQ(r->output_format, "png");
  ASSERT_TRUE(r->usage.has_value());
  EXPECT_EQ(r->usage->input_tokens, 50);
  EXPECT_EQ(r->usage->output_tokens, 4160);
  EXPECT_EQ(r->usage->total_tokens, 4210);
  EXPECT_EQ(r->usage->input_text_tokens, 40);
  EXPECT_EQ(r->usage->input_image_tokens, 10);
}

TEST(ParseImagesResponse, UrlResultWithRevisedPrompt) {
  auto r = parse_images_response(
      R"({"created": 1, "data": [{"url": "https://example.com/a.png", "revised_prompt": "A cat."}]})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->data.size(), 1u);
  EXPECT_TRUE(r->data[0].bytes.empty());
  EXPECT_EQ(r->data[0].url, "https://example.com/a.png");
  EXPECT_EQ(r->data[0].revised_prompt, "A cat.");
  EXPECT_FALSE(r->usage.has_value());
  EXPECT_EQ(r->size, "");
}

TEST(ParseImagesResponse, NotJsonNamesTheFirstBytes) {
  auto r = parse_images_response("<html><body>Gateway</body></html>");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, Status::BadResponse);
  EXPECT_NE(r.error().message.find("not JSON"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("<html><body>Gateway"), std::string::npos) << r.error().message;
}

TEST(ParseImagesResponse, MissingOrEmptyDataIsABadResponse) {
  auto missing = parse_images_response(R"({"created": 1})");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().status, Status::BadResponse);
  EXPECT_NE(missing.error().message.find("'data'"), std::string::npos) << missing.error().message;

  auto empty = parse_images_response(R"({"created": 1, "data": []})");
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().message.find("empty"), std::string::npos) << empty.error().message;

  auto neither = parse_images_response(R"({"created": 1, "data": [{"revised_prompt": "x"}]})");
  ASSERT_FALSE(neither.ok());
  EXPECT_NE(neither.error().message.find("data[0]"), std::string::npos) << neither.error().message;
}

TEST(ParseImagesResponse, BadBase64NamesTheItem) {
  std::string body = R"({"created": 1, "data": [{"b64_json": ")" + b64("ok") +
                     R"("}, {"b64_json": "@@not base64@@"}]})";
  auto r = parse_images_response(body);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, Status::BadResponse);
  EXPECT_NE(r.error().message.find("data[1].b64_json"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("base64"), std::string::npos) << r.error().message;
}

TEST(ParseImagesResponse, ErrorObjectInASuccessIsMappedNotIgnored) {
  auto r = parse_images_response(
      R"({"error": {"message": "Your request was rejected", "code": "moderation_blocked"}})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, Status::ContentPolicy);
  EXPECT_NE(r.error().message.find("Your request was rejected"), std::string::npos);
}

// --- error responses ---

struct ErrorCase {
  int http;
  const char* code;
  Status want;
};

TEST(ParseErrorResponse, MapsHttpStatusAndCode) {
  const ErrorCase cases[] = {
      {401, "invalid_api_key", Status::Authentication},
      {401, "", Status::Authentication},
      {403, "", Status::Permission},
      {404, "model_not_found", Status::NotFound},
      {429, "rate_limit_exceeded", Status::RateLimited},
      {400, "content_policy_violation", Status::ContentPolicy},
      {400, "moderation_blocked", Status::ContentPolicy},
      {400, "invalid_value", Status::BadRequest},
      {413, "", Status::BadRequest},
      {500, "", Status::Server},
      {503, "", Status::Server},
  };
  for (const auto& c : cases) {
    std::string body = std::string(R"({"error": {"message": "Something about it.", "type": "t", )") +
                       R"("param": "size", "code": )" +
                       (*c.code ? "\"" + std::string(c.code) + "\"" : std::string("null")) + "}}";
    Error e = parse_error_response(c.http, "application/json", body);
    EXPECT_EQ(e.status, c.want) << c.http << " " << c.code;
    EXPECT_EQ(e.http_status, c.http);
    EXPECT_EQ(e.message, "Something about it.");
    EXPECT_EQ(e.code, c.code);
    EXPECT_EQ(e.type, "t");
    EXPECT_EQ(e.param, "size");
  }
}

TEST(ParseErrorResponse, HtmlProxyPageGivesTitleAndStatusOnOneLine) {
  std::string page = "<!DOCTYPE html>\n<html><head><title>502 Bad\n  Gateway</title>"
                     "<style>body{color:red}</style></head><body>" +
                     std::string(5000, 'x') + "</body></html>";
  Error e = parse_error_response(502, "text/html; charset=utf-8", page);
  EXPECT_EQ(e.status, Status::Server);
  EXPECT_EQ(e.http_status, 502);
  EXPECT_EQ(e.message, "the server answered HTTP 502 with an HTML page: '502 Bad Gateway'");
}

TEST(ParseErrorResponse, HtmlWithoutTitleUsesFirstTextTrimmed) {
  std::string page = "<html><head><script>var a = '<b>';</script></head><body><h1>Request "
                     "Entity Too Large</h1><p>" + std::string(1000, 'y') + "</p></body></html>";
  Error e = parse_error_response(413, "text/html", page);
  EXPECT_EQ(e.status, Status::BadRequest);
  EXPECT_EQ(e.message.find("the server answered HTTP 413 with an HTML page: 'Request Entity Too Large y"),
            0u) << e.message;
  EXPECT_LT(e.message.size(), 300u);
  EXPECT_EQ(e.message.find('\n'), std::string::npos);
  EXPECT_EQ(e.message.find("var a"), std::string::npos);
}

TEST(ParseErrorResponse, PlainTextAndEmptyBodies) {
  Error text = parse_error_response(503, "text/plain", "upstream connect error\nor disconnect");
  EXPECT_EQ(text.status, Status::Server);
  EXPECT_EQ(text.message, "the server answered HTTP 503 with 'upstream connect error or disconnect'");

  Error empty = parse_error_response(429, "", "");
  EXPECT_EQ(empty.status, Status::RateLimited);
  EXPECT_EQ(empty.message, "the server answered HTTP 429 with an empty body");
}

TEST(ParseErrorResponse, CompatibleServerShapes) {
  Error detail = parse_error_response(422, "application/json", R"({"detail": "size must be square"})");
  EXPECT_EQ(detail.status, Status::BadRequest);
  EXPECT_EQ(detail.message, "size must be square");

  Error bare = parse_error_response(400, "application/json", R"({"error": "no model loaded"})");
  EXPECT_EQ(bare.message, "no model loaded");

  Error silent = parse_error_response(500, "application/json", R"({"error": {"type": "server_error"}})");
  EXPECT_EQ(silent.status, Status::Server);
  EXPECT_EQ(silent.message, "the server answered HTTP 500 without an error message (type server_error)");
}

// --- stream events ---

TEST(ParseStreamEvent, PartialImage) {
  SseEvent ev{"image_generation.partial_image",
              R"({"type": "image_generation.partial_image", "b64_json": ")" + b64("P0") +
                  R"(", "partial_image_index": 2, "size": "1024x1024", "quality": "low",
                     "background": "opaque", "output_format": "webp"})"};
  auto r = parse_stream_event(ev);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(r->completed);
  EXPECT_EQ(r->partial_image_index, 2);
  EXPECT_EQ(r->bytes, bytes_of("P0"));
  EXPECT_EQ(r->size, "1024x1024");
  EXPECT_EQ(r->quality, "low");
  EXPECT_EQ(r->background, "opaque");
  EXPECT_EQ(r->output_format, "webp");
  EXPECT_FALSE(r->usage.has_value());
}

TEST(ParseStreamEvent, CompletedEditWithUsageTypeFromEventName) {
  // No "type" in the data: the SSE event name decides.
  SseEvent ev{"image_edit.completed",
              R"({"b64_json": ")" + b64("FINAL") +
                  R"(", "usage": {"input_tokens": 5, "output_tokens": 6, "total_tokens": 11,
                     "input_tokens_details": {"text_tokens": 2, "image_tokens": 3}}})"};
  auto r = parse_stream_event(ev);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->completed);
  EXPECT_EQ(r->partial_image_index, -1);
  EXPECT_EQ(r->bytes, bytes_of("FINAL"));
  ASSERT_TRUE(r->usage.has_value());
  EXPECT_EQ(r->usage->total_tokens, 11);
  EXPECT_EQ(r->usage->input_image_tokens, 3);
}

TEST(ParseImagesResponse, OutputTokenDetailsAndSafetyIdentifier) {
  std::string body = R"({"created": 1, "data": [{"b64_json": ")" + b64("X") + R"("}],
    "safety_identifier": "user-7f3a",
    "usage": {"input_tokens": 5, "output_tokens": 300, "total_tokens": 305,
              "output_tokens_details": {"text_tokens": 44, "image_tokens": 256}}})";
  auto r = parse_images_response(body);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->safety_identifier, "user-7f3a");
  ASSERT_TRUE(r->usage.has_value());
  EXPECT_EQ(r->usage->output_text_tokens, 44);
  EXPECT_EQ(r->usage->output_image_tokens, 256);
  EXPECT_EQ(r->usage->input_text_tokens, -1);  // not reported
}

TEST(ParseStreamEvent, CompletedEventCarriesCreatedAtAndSafetyIdentifier) {
  SseEvent ev{"image_generation.completed",
              R"({"type": "image_generation.completed", "b64_json": ")" + b64("F") +
                  R"(", "created_at": 1763337600, "safety_identifier": "sid-1"})"};
  auto r = parse_stream_event(ev);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->created_at, 1763337600);
  EXPECT_EQ(r->safety_identifier, "sid-1");
}

TEST(ParseStreamEvent, ErrorEventIsMappedLikeAnErrorResponse) {
  auto named = parse_stream_event(SseEvent{
      "error", R"({"error": {"message": "Blocked.", "type": "image_generation_user_error",
                  "code": "moderation_blocked"}})"});
  ASSERT_FALSE(named.ok());
  EXPECT_EQ(named.error().status, Status::ContentPolicy);
  EXPECT_EQ(named.error().message, "Blocked.");
  EXPECT_EQ(named.error().code, "moderation_blocked");

  // The error object itself as the data of an `event: error`.
  auto bare = parse_stream_event(
      SseEvent{"error", R"({"message": "Bad size.", "type": "invalid_request_error", "code": null})"});
  ASSERT_FALSE(bare.ok());
  EXPECT_EQ(bare.error().status, Status::BadRequest);
  EXPECT_EQ(bare.error().message, "Bad size.");

  // An "error" key in an unnamed event.
  auto keyed = parse_stream_event(SseEvent{"", R"({"error": {"message": "Overloaded.", "type": "server_error"}})"});
  ASSERT_FALSE(keyed.ok());
  EXPECT_EQ(keyed.error().status, Status::Server);
  EXPECT_EQ(keyed.error().message, "Overloaded.");
}

TEST(ParseStreamEvent, MalformedEvents) {
  auto not_json = parse_stream_event(SseEvent{"image_edit.completed", "{oops"});
  ASSERT_FALSE(not_json.ok());
  EXPECT_EQ(not_json.error().status, Status::BadResponse);
  EXPECT_NE(not_json.error().message.find("{oops"), std::string::npos);

  auto no_image = parse_stream_event(SseEvent{"image_edit.completed", R"({"type": "image_edit.completed"})"});
  ASSERT_FALSE(no_image.ok());
  EXPECT_EQ(no_image.error().status, Status::BadResponse);
  EXPECT_NE(no_image.error().message.find("b64_json"), std::string::npos);

  auto no_index = parse_stream_event(
      SseEvent{"", R"({"type": "image_generation.partial_image", "b64_json": "QUJD"})"});
  ASSERT_FALSE(no_index.ok());
  EXPECT_NE(no_index.error().message.find("partial_image_index"), std::string::npos);
}

TEST(ParseStreamEvent, UnknownTypesAndDoneAreSkippable) {
  auto progress = parse_stream_event(SseEvent{"", R"({"type": "image_generation.in_progress"})"});
  ASSERT_FALSE(progress.ok());
  EXPECT_EQ(progress.error().status, Status::Unsupported);
  EXPECT_NE(progress.error().message.find("image_generation.in_progress"), std::string::npos);

  auto done = parse_stream_event(SseEvent{"", "[DONE]"});
  ASSERT_FALSE(done.ok());
  EXPECT_EQ(done.error().status, Status::Unsupported);
}

}  // namespace
}  // namespace oaimg
