// What a hostile server (or a man in the middle on http://) can send, against the real libcurl
// client: each test scripts an answer the strict stand-in server would never give and asserts the
// outcome the docs table (docs/hardening.md) promises.
#include <gtest/gtest.h>
#include <pthread.h>

#include <chrono>
#include <functional>
#include <string>

#include "oaimg/core/client.h"
#include "oaimg/core/job.h"
#include "oaimg/core/models.h"
#include "oaimg/core/png_codec.h"
#include "oaimg/core/request.h"
#include "oaimg/core/response.h"
#include "scripted_server.h"

namespace {

using oaimg::ClientConfig;
using oaimg::ImageRequest;
using oaimg::JobResult;
using oaimg::Result;
using oaimg::Status;
using oaimg_test::ScriptedServer;
using namespace std::chrono_literals;

// Long enough that no std::string keeps it inline; never a real key.
const std::string kKey = "sk-hostile-0123456789-abcdefghijklmnopqrstuvwxyz";

std::string png_b64(uint32_t width, uint32_t height, uint8_t value = 200) {
  oaimg::Image image;
  image.width = width;
  image.height = height;
  image.format = oaimg::PixelFormat::Rgba8;
  image.pixels.assign(size_t(width) * height * 4, value);
  auto png = oaimg::encode_png(image);
  return oaimg::base64_encode(png->data(), png->size());
}

std::string tiny_png_b64() { return png_b64(2, 2); }

std::string nested(int depth, char open, char close) {
  std::string text;
  for (int i = 0; i < depth; ++i) text += open == '{' ? "{\"a\":" : std::string(1, open);
  text += "1";
  text.append(size_t(depth), close);
  return text;
}

// Runs `body` on a thread with exactly `stack_bytes` of stack, as a GUI worker or a Python thread
// would; a stack overflow kills the test process.
void on_stack(size_t stack_bytes, const std::function<void()>& body) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  ASSERT_EQ(pthread_attr_setstacksize(&attr, stack_bytes), 0);
  pthread_t thread;
  auto trampoline = [](void* arg) -> void* {
    (*static_cast<const std::function<void()>*>(arg))();
    return nullptr;
  };
  ASSERT_EQ(pthread_create(&thread, &attr, trampoline, const_cast<std::function<void()>*>(&body)), 0);
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
}

class HostileServerTest : public ::testing::Test {
 protected:
  ClientConfig config_for(const ScriptedServer& server) {
    ClientConfig config;
    config.api_key = kKey;
    config.base_url = server.base_url();
    config.connect_timeout_ms = 5000;
    config.timeout_ms = 20000;
    config.max_retries = 0;
    return config;
  }

  static ImageRequest generate(int n) {
    ImageRequest req;
    req.op = oaimg::Operation::Generate;
    req.model = "dall-e-2";
    req.prompt = "a red fox";
    req.size = "256x256";
    req.response_format = "b64_json";
    req.n = n;
    return req;
  }

  Result<JobResult> run(const ClientConfig& config, const ImageRequest& req) {
    return oaimg::run_job(config, req, oaimg::find_model(*req.model), {});
  }
};

void expect_no_key(const oaimg::Error& e) {
  for (const std::string* text : {&e.message, &e.type, &e.code, &e.param, &e.request_id})
    EXPECT_EQ(text->find(kKey), std::string::npos) << *text;
}

// --- 1. nesting -------------------------------------------------------------------------------

TEST(JsonNesting, HundredThousandLevelsAreRefusedOnA256KStackAndAn8MStack) {
  for (size_t stack : {size_t(256) << 10, size_t(8) << 20}) {
    on_stack(stack, [] {
      for (char open : {'[', '{'}) {
        std::string body = nested(100000, open, open == '[' ? ']' : '}');
        auto ok = oaimg::parse_images_response(body);
        ASSERT_FALSE(ok);
        EXPECT_EQ(ok.error().status, Status::BadResponse);
        EXPECT_NE(ok.error().message.find("nested deeper than 64"), std::string::npos)
            << ok.error().message;
        oaimg::Error e = oaimg::parse_error_response(500, "application/json", body);
        EXPECT_EQ(e.status, Status::Server);
        EXPECT_NE(e.message.find("nested deeper than 64"), std::string::npos) << e.message;
        auto streamed = oaimg::parse_stream_event({"image_generation.completed", body});
        ASSERT_FALSE(streamed);
        EXPECT_EQ(streamed.error().status, Status::BadResponse);
      }
    });
  }
}

TEST(JsonNesting, RealAnswersAndBracketsInsideStringsStillParse) {
  std::string body = "{\"created\":1,\"data\":[{\"b64_json\":\"" + tiny_png_b64() +
                     "\",\"revised_prompt\":\"" + std::string(500, '[') + "\"}]}";
  auto ok = oaimg::parse_images_response(body);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->data[0].revised_prompt->size(), 500u);
}

TEST_F(HostileServerTest, NestedAnswerOn200And500FailsCleanlyOnA256KThread) {
  for (int status : {200, 500}) {
    ScriptedServer server([status](ScriptedServer& s, int fd, const std::string&) {
      s.respond(fd, status, "application/json", nested(100000, '[', ']'));
    });
    ClientConfig config = config_for(server);
    on_stack(size_t(256) << 10, [&] {
      auto result = run(config, generate(1));
      ASSERT_FALSE(result);
      EXPECT_NE(result.error().message.find("nested deeper than 64"), std::string::npos)
          << result.error().message;
    });
  }
}

// --- 3. the key in server-supplied text --------------------------------------------------------

TEST_F(HostileServerTest, KeyEchoedInErrorMessageAndRequestIdIsRedacted) {
  ScriptedServer server([](ScriptedServer& s, int fd, const std::string&) {
    s.respond(fd, 401, "application/json",
              "{\"error\":{\"message\":\"Incorrect API key provided: " + kKey +
                  ". Find yours at ...\",\"type\":\"invalid_request_error\",\"code\":\"" + kKey +
                  "\",\"param\":null}}",
              "x-request-id: req_" + kKey + "\r\n");
  });
  auto result = run(config_for(server), generate(1));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().status, Status::Authentication);
  expect_no_key(result.error());
  EXPECT_NE(result.error().message.find("[redacted key]"), std::string::npos);
  EXPECT_NE(result.error().request_id.find("req_[redacted key]"), std::string::npos);
}

TEST_F(HostileServerTest, KeyInAnHtmlTitleAndPastTheMessageCutIsRedacted) {
  // The key straddles the 200-character cut of the title: the raw body must be redacted before
  // it is shortened, or a prefix of the key would survive.
  for (size_t pad : {size_t(10), size_t(180), size_t(195)}) {
    ScriptedServer server([pad](ScriptedServer& s, int fd, const std::string&) {
      s.respond(fd, 502, "text/html",
                "<html><head><title>" + std::string(pad, 'x') + kKey +
                    "</title></head><body>bad gateway</body></html>");
    });
    auto result = run(config_for(server), generate(1));
    ASSERT_FALSE(result);
    expect_no_key(result.error());
    EXPECT_EQ(result.error().message.find(kKey.substr(0, 12)), std::string::npos)
        << result.error().message;
  }
}

TEST_F(HostileServerTest, KeyInAnErrorInsideA200AndInARevisedPromptIsRedacted) {
  {
    ScriptedServer server([](ScriptedServer& s, int fd, const std::string&) {
      s.respond(fd, 200, "application/json", "{\"error\":{\"message\":\"key " + kKey + " is bad\"}}");
    });
    auto result = run(config_for(server), generate(1));
    ASSERT_FALSE(result);
    expect_no_key(result.error());
  }
  ScriptedServer server([](ScriptedServer& s, int fd, const std::string&) {
    s.respond(fd, 200, "application/json",
              "{\"created\":1,\"size\":\"" + kKey + "\",\"data\":[{\"b64_json\":\"" +
                  tiny_png_b64() + "\",\"revised_prompt\":\"a fox, key " + kKey + "\"}]}",
              "x-request-id: " + kKey + "\r\n");
  });
  auto result = run(config_for(server), generate(1));
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(*result->images[0].revised_prompt, "a fox, key [redacted key]");
  EXPECT_EQ(result->size, "[redacted key]");
  ASSERT_EQ(result->request_ids.size(), 1u);
  EXPECT_EQ(result->request_ids[0], "[redacted key]");
}

TEST_F(HostileServerTest, KeyInAStreamedErrorEventIsRedacted) {
  ScriptedServer server([](ScriptedServer& s, int fd, const std::string&) {
    s.respond(fd, 200, "text/event-stream",
              "event: error\ndata: {\"error\":{\"message\":\"bad key " + kKey + "\"}}\n\n");
  });
  ImageRequest req = generate(1);
  req.model = "gpt-image-1.5";
  req.response_format.reset();
  req.size = "1024x1024";
  req.partial_images = 1;
  auto result = run(config_for(server), req);
  ASSERT_FALSE(result);
  expect_no_key(result.error());
  EXPECT_NE(result.error().message.find("bad key [redacted key]"), std::string::npos)
      << result.error().message;
}

// --- 4. results against n ----------------------------------------------------------------------

TEST_F(HostileServerTest, MoreResultsThanAskedIsABadResponse) {
  std::string item = "{\"b64_json\":\"" + tiny_png_b64() + "\"}";
  std::string data;
  for (int i = 0; i < 10000; ++i) data += (i ? "," : "") + item;
  ScriptedServer server([&](ScriptedServer& s, int fd, const std::string&) {
    s.respond(fd, 200, "application/json", "{\"created\":1,\"data\":[" + data + "]}");
  });
  auto result = run(config_for(server), generate(1));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().status, Status::BadResponse);
  EXPECT_NE(result.error().message.find("sent 10000 images for a request of 1"), std::string::npos)
      << result.error().message;
}

TEST_F(HostileServerTest, MoreCompletedImagesInAStreamThanAskedIsABadResponse) {
  std::string event = "event: image_generation.completed\ndata: {\"type\":\"image_generation.completed\","
                      "\"b64_json\":\"" + tiny_png_b64() + "\"}\n\n";
  ScriptedServer server([&](ScriptedServer& s, int fd, const std::string&) {
    std::string body;
    for (int i = 0; i < 50; ++i) body += event;
    s.respond(fd, 200, "text/event-stream", body);
  });
  ImageRequest req = generate(1);
  req.model = "gpt-image-1.5";
  req.response_format.reset();
  req.size = "1024x1024";
  req.partial_images = 0;
  auto result = run(config_for(server), req);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().status, Status::BadResponse);
  EXPECT_NE(result.error().message.find("more than 1 completed images"), std::string::npos)
      << result.error().message;
}

TEST_F(HostileServerTest, AStreamThatEndsWithFewerImagesThanAskedIsABadResponse) {
  std::string event = "event: image_generation.completed\ndata: {\"type\":\"image_generation.completed\","
                      "\"b64_json\":\"" + tiny_png_b64() + "\"}\n\n";
  ScriptedServer server([&](ScriptedServer& s, int fd, const std::string&) {
    s.respond(fd, 200, "text/event-stream", event);  // one completed image of the two asked for
  });
  ImageRequest req = generate(2);
  req.model = "gpt-image-1.5";
  req.response_format.reset();
  req.size = "1024x1024";
  req.partial_images = 0;
  auto result = run(config_for(server), req);
  ASSERT_FALSE(result) << "a short stream must not pass as a complete result";
  EXPECT_EQ(result.error().status, Status::BadResponse);
  EXPECT_NE(result.error().message.find("ended after 1 of 2 images"), std::string::npos)
      << result.error().message;
  EXPECT_EQ(server.requests(), 1) << "a stream that delivered events is not replayed";
}

// A 64x64 source with a 32x32 selection in its middle, asked for n results at 256x256.
ImageRequest edit_of_a_small_source(int n) {
  ImageRequest req;
  req.op = oaimg::Operation::Edit;
  req.model = "dall-e-2";
  req.prompt = "a pond";
  req.size = "256x256";
  req.n = n;
  req.response_format = "b64_json";
  oaimg::Image source;
  source.width = source.height = 64;
  source.format = oaimg::PixelFormat::Rgb8;
  source.pixels.assign(64 * 64 * 3, 90);
  req.source = std::move(source);
  oaimg::Selection selection;
  selection.x = selection.y = 16;
  selection.width = selection.height = 32;
  selection.coverage.assign(32 * 32, 255);
  req.selection = std::move(selection);
  return req;
}

std::string answer_of(const std::vector<std::string>& b64_images) {
  std::string body = "{\"created\":1,\"data\":[";
  for (size_t i = 0; i < b64_images.size(); ++i)
    body += std::string(i ? "," : "") + "{\"b64_json\":\"" + b64_images[i] + "\"}";
  return body + "]}";
}

// A valid PNG one pixel wider than any size oaimg lets a request ask for: refused by its header
// before it is decoded or placed, with the limit named (a result's size bounds the memory that
// decoding, resampling and the put-back layer take).
TEST_F(HostileServerTest, AResultLargerThanAnyAllowedSizeIsRefusedBeforeItIsPlaced) {
  const std::string body = answer_of({png_b64(oaimg::kMaxSizeSide + 1, 16)});
  ScriptedServer server([&](ScriptedServer& s, int fd, const std::string&) {
    s.respond(fd, 200, "application/json", body);
  });
  ImageRequest req = edit_of_a_small_source(1);
  ClientConfig config = config_for(server);
  auto plan = oaimg::plan_job(config, req);
  ASSERT_TRUE(plan) << plan.error().message;
  auto result = oaimg::run_planned_job(config, *plan, req, {});
  ASSERT_FALSE(result) << "a 4097x16 result was decoded and placed";
  EXPECT_EQ(result.error().status, Status::Image);
  EXPECT_NE(result.error().message.find("result 1: PNG is 4097x16 pixels, too large: the limit is "
                                        "4096 pixels a side"),
            std::string::npos)
      << result.error().message;
}

// The results are placed side by side on threads: layer i must still be the server's image i,
// however the threads finish (six results of different values, more than there are threads).
TEST_F(HostileServerTest, ResultsArePlacedInTheServersOrder) {
  const uint8_t values[] = {10, 60, 110, 160, 210, 250};
  std::vector<std::string> images;
  for (uint8_t value : values) images.push_back(png_b64(256, 256, value));
  const std::string body = answer_of(images);
  ScriptedServer server([&](ScriptedServer& s, int fd, const std::string&) {
    s.respond(fd, 200, "application/json", body);
  });
  ImageRequest req = edit_of_a_small_source(6);
  ClientConfig config = config_for(server);
  auto plan = oaimg::plan_job(config, req);
  ASSERT_TRUE(plan) << plan.error().message;
  auto result = oaimg::run_planned_job(config, *plan, req, {});
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_EQ(result->layers.size(), 6u);
  for (size_t i = 0; i < 6; ++i) {
    const oaimg::Image& layer = result->layers[i].rgba;
    ASSERT_FALSE(layer.empty());
    EXPECT_EQ(layer.pixels[0], values[i]) << "layer " << i + 1;
    EXPECT_EQ(result->layers[i].mask, result->layers[0].mask) << "one put-back mask for all";
  }
}

// With several bad results the error names the first in the server's order, not the first thread
// to fail: result 2 is too large to place, result 4 is no PNG at all.
TEST_F(HostileServerTest, TheFirstBadResultInTheServersOrderIsNamed) {
  const std::string body =
      answer_of({png_b64(256, 256), png_b64(oaimg::kMaxSizeSide + 1, 16), png_b64(256, 256),
                 oaimg::base64_encode(reinterpret_cast<const uint8_t*>("\x89PNG broken"), 12)});
  ScriptedServer server([&](ScriptedServer& s, int fd, const std::string&) {
    s.respond(fd, 200, "application/json", body);
  });
  ImageRequest req = edit_of_a_small_source(4);
  ClientConfig config = config_for(server);
  auto plan = oaimg::plan_job(config, req);
  ASSERT_TRUE(plan) << plan.error().message;
  auto result = oaimg::run_planned_job(config, *plan, req, {});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message.rfind("result 2: ", 0), 0u) << result.error().message;
}

// --- 5. smaller ones ----------------------------------------------------------------------------

TEST_F(HostileServerTest, ARedirectOnTheApiCallNamesTheRedirectAndTheBaseUrl) {
  ScriptedServer server([](ScriptedServer& s, int fd, const std::string&) {
    s.respond(fd, 301, "text/html", "", "Location: https://elsewhere.example/v1/images/generations\r\n");
  });
  auto result = run(config_for(server), generate(1));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().status, Status::BadResponse);
  const std::string& m = result.error().message;
  EXPECT_NE(m.find("redirect (HTTP 301 to 'https://elsewhere.example/v1/images/generations')"),
            std::string::npos) << m;
  EXPECT_NE(m.find("check the base URL"), std::string::npos) << m;
  EXPECT_EQ(m.find("empty body"), std::string::npos) << m;
  EXPECT_EQ(server.requests(), 1);
}

TEST_F(HostileServerTest, AFileUrlResultIsRefusedWithoutRetrying) {
  ScriptedServer server([](ScriptedServer& s, int fd, const std::string&) {
    s.respond(fd, 200, "application/json", "{\"created\":1,\"data\":[{\"url\":\"file:///etc/passwd\"}]}");
  });
  ClientConfig config = config_for(server);
  config.max_retries = 2;
  auto result = run(config, generate(1));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().status, Status::BadResponse);
  EXPECT_NE(result.error().message.find("not an http:// or https:// address (file:///etc/passwd)"),
            std::string::npos) << result.error().message;
  EXPECT_EQ(server.requests(), 1);
}

TEST(ResponseNumbers, HugeOrInfiniteCreatedIsIgnoredNotConverted) {
  for (const char* created : {"1e300", "-1e300", "1.7976931348623157e308", "9.3e18"}) {
    std::string body = std::string("{\"created\":") + created + ",\"data\":[{\"url\":\"http://h/x\"}],"
                       "\"usage\":{\"input_tokens\":" + created + "}}";
    auto ok = oaimg::parse_images_response(body);
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(ok->created, 0) << created;
    EXPECT_EQ(ok->usage->input_tokens, -1) << created;
  }
  auto ok = oaimg::parse_images_response("{\"created\":1.7e9,\"data\":[{\"url\":\"http://h/x\"}]}");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->created, 1700000000);
}

TEST_F(HostileServerTest, AnAnswerTricklingAByteAtATimeHitsTheLowSpeedLimit) {
  ScriptedServer server([](ScriptedServer& s, int fd, const std::string&) {
    if (!s.send_all(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"))
      return;
    for (int i = 0; i < 300 && s.send_all(fd, "{"); ++i) s.pause(50ms);  // bounded: 15 s
  });
  ClientConfig config = config_for(server);
  config.low_speed_window_ms = 1000;
  auto start = std::chrono::steady_clock::now();
  auto result = run(config, generate(1));
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().status, Status::Timeout);
  EXPECT_NE(result.error().message.find("fewer than 1024 bytes per 1 s"), std::string::npos)
      << result.error().message;
  EXPECT_LT(took, 8s);
}

TEST_F(HostileServerTest, AServerThatNeverStartsAnsweringHitsTheIdleLimit) {
  ScriptedServer server([](ScriptedServer& s, int, const std::string&) { s.pause(15s); });
  ClientConfig config = config_for(server);
  config.idle_timeout_ms = 1000;
  auto start = std::chrono::steady_clock::now();
  auto result = run(config, generate(1));
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().status, Status::Timeout);
  EXPECT_NE(result.error().message.find("nothing was sent or received for 1 s"), std::string::npos)
      << result.error().message;
  EXPECT_LT(took, 8s);
}

}  // namespace
