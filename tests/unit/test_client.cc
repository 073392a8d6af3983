// run_job over real libcurl against the stand-in server (tests/server/fake_openai.py) on
// 127.0.0.1. What the server saw is read back from its /_control/log, whose start/end times are
// the server's own clock: parallelism and retry waits are asserted from there, not from ours.
#include <json-glib/json-glib.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "fake_server.h"
#include "http_transport.h"
#include "oaimg/core/client.h"
#include "oaimg/core/models.h"
#include "oaimg/core/request.h"

namespace {

using oaimg::ClientConfig;
using oaimg::ImageRequest;
using oaimg::JobResult;
using oaimg::Operation;
using oaimg::Result;
using oaimg::RunCallbacks;
using oaimg::Stage;
using oaimg::Status;

struct LogEntry {
  std::string method, path, user_agent;
  double start = 0, end = 0;
  int status = 0;
  bool auth_ok = false;
  std::vector<std::pair<std::string, std::string>> headers, fields;
  std::vector<std::string> file_fields, file_types, file_names;
};

struct ServerLog {
  std::vector<LogEntry> requests;
  int downloads = 0, downloads_found = 0;
};

std::string member_string(JsonObject* o, const char* name) {
  if (!json_object_has_member(o, name) || json_object_get_null_member(o, name)) return "";
  JsonNode* n = json_object_get_member(o, name);
  if (JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING)
    return json_node_get_string(n);
  return "";
}

double member_double(JsonObject* o, const char* name) {
  if (!json_object_has_member(o, name) || json_object_get_null_member(o, name)) return 0;
  return json_object_get_double_member(o, name);
}

ServerLog parse_log(const std::string& text) {
  ServerLog log;
  JsonParser* parser = json_parser_new();
  EXPECT_TRUE(json_parser_load_from_data(parser, text.c_str(), -1, nullptr)) << text;
  JsonObject* root = json_node_get_object(json_parser_get_root(parser));
  JsonArray* requests = json_object_get_array_member(root, "requests");
  for (guint i = 0; i < json_array_get_length(requests); ++i) {
    JsonObject* r = json_array_get_object_element(requests, i);
    LogEntry e;
    e.method = member_string(r, "method");
    e.path = member_string(r, "path");
    e.user_agent = member_string(r, "user_agent");
    e.start = member_double(r, "start");
    e.end = member_double(r, "end");
    if (json_object_has_member(r, "status") && !json_object_get_null_member(r, "status"))
      e.status = static_cast<int>(json_object_get_int_member(r, "status"));
    e.auth_ok = json_object_get_boolean_member(r, "auth_ok");
    JsonObject* headers = json_object_get_object_member(r, "headers");
    GList* names = json_object_get_members(headers);
    for (GList* l = names; l != nullptr; l = l->next) {
      const char* name = static_cast<const char*>(l->data);
      e.headers.emplace_back(name, member_string(headers, name));
    }
    g_list_free(names);
    JsonObject* fields = json_object_get_object_member(r, "fields");
    names = json_object_get_members(fields);
    for (GList* l = names; l != nullptr; l = l->next) {
      const char* name = static_cast<const char*>(l->data);
      JsonNode* v = json_object_get_member(fields, name);
      // JSON bodies carry numbers and booleans as such; multipart fields are all text.
      std::string value;
      if (JSON_NODE_HOLDS_VALUE(v)) {
        GType t = json_node_get_value_type(v);
        if (t == G_TYPE_STRING) value = json_node_get_string(v);
        else if (t == G_TYPE_INT64) value = std::to_string(json_node_get_int(v));
        else if (t == G_TYPE_BOOLEAN) value = json_node_get_boolean(v) ? "true" : "false";
      }
      e.fields.emplace_back(name, value);
    }
    g_list_free(names);
    JsonArray* files = json_object_get_array_member(r, "files");
    for (guint k = 0; k < json_array_get_length(files); ++k) {
      JsonObject* f = json_array_get_object_element(files, k);
      e.file_fields.push_back(member_string(f, "field"));
      e.file_types.push_back(member_string(f, "content_type"));
      e.file_names.push_back(member_string(f, "filename"));
    }
    log.requests.push_back(std::move(e));
  }
  if (json_object_has_member(root, "downloads")) {
    JsonArray* downloads = json_object_get_array_member(root, "downloads");
    for (guint i = 0; i < json_array_get_length(downloads); ++i) {
      ++log.downloads;
      if (json_object_get_boolean_member(json_array_get_object_element(downloads, i), "found"))
        ++log.downloads_found;
    }
  }
  g_object_unref(parser);
  return log;
}

std::string header_of(const LogEntry& e, std::string name) {
  auto lower = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  for (const auto& [k, v] : e.headers)
    if (lower(k) == lower(name)) return v;
  return "";
}

std::string field_of(const LogEntry& e, const std::string& name) {
  for (const auto& [k, v] : e.fields)
    if (k == name) return v;
  return "<absent>";
}

// Sockets of this host that are connected *to* the server's port and still established: the
// client side of our transfers (the server's own sockets have the port as their local one).
int established_connections_to(int port) {
  std::ifstream in("/proc/net/tcp");
  std::string line;
  std::getline(in, line);  // header
  char want[8];
  std::snprintf(want, sizeof want, "%04X", port);
  int count = 0;
  for (int i = 0; i < 100000 && std::getline(in, line); ++i) {
    std::istringstream fields(line);
    std::string sl, local, remote, state;
    fields >> sl >> local >> remote >> state;
    if (remote.size() > 5 && remote.substr(remote.size() - 4) == want && state == "01") ++count;
  }
  return count;
}

class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<oaimg_test::FakeServer>();
    config_.api_key = oaimg_test::FakeServer::api_key();
    config_.base_url = server_->base_url();
    config_.connect_timeout_ms = 5000;
    config_.timeout_ms = 30000;
    config_.max_retries = 2;
  }

  void fault(const std::string& json) { server_->post("/_control/faults", json); }
  // The server appends a log entry after its answer has gone out, so a test that just got the
  // answer may ask before it is written: wait (bounded, 5 s) until `expect` entries are there.
  ServerLog log(size_t expect = 0) {
    ServerLog l = parse_log(server_->get("/_control/log"));
    for (int i = 0; i < 250 && l.requests.size() < expect; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      l = parse_log(server_->get("/_control/log"));
    }
    return l;
  }

  static ImageRequest generate(const std::string& model, int n) {
    ImageRequest req;
    req.op = Operation::Generate;
    req.model = model;
    req.prompt = "a red fox in the snow";
    req.n = n;
    if (model.rfind("dall-e", 0) == 0) {
      req.size = "1024x1024";
      req.response_format = "b64_json";
    } else {
      req.size = "1024x1024";
      req.quality = "low";
    }
    return req;
  }

  Result<JobResult> run(const ImageRequest& req, const RunCallbacks& callbacks = {}) {
    return oaimg::run_job(config_, req, oaimg::find_model(*req.model), callbacks);
  }

  std::unique_ptr<oaimg_test::FakeServer> server_;
  ClientConfig config_;
};

TEST_F(ClientTest, Base64Results) {
  Result<JobResult> r = run(generate("gpt-image-1.5", 2));
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->images.size(), 2u);
  for (const auto& image : r->images) {
    EXPECT_EQ(image.format, oaimg::FileFormat::Png);
    EXPECT_GT(image.bytes.size(), 8u);
  }
  EXPECT_NE(r->images[0].bytes, r->images[1].bytes);  // coloured by result index
  EXPECT_EQ(r->size, "1024x1024");
  EXPECT_EQ(r->quality, "low");
  EXPECT_GT(r->created, 0);
  EXPECT_GT(r->usage.total_tokens, 0);
  ASSERT_EQ(r->request_ids.size(), 1u);
  EXPECT_EQ(r->request_ids[0].rfind("req_", 0), 0u);

  ServerLog l = log(1);
  ASSERT_EQ(l.requests.size(), 1u);
  EXPECT_EQ(l.requests[0].path, "/v1/images/generations");
  EXPECT_EQ(l.requests[0].status, 200);
  EXPECT_TRUE(l.requests[0].auth_ok);
  EXPECT_EQ(field_of(l.requests[0], "n"), "2");
}

TEST_F(ClientTest, UserAgentAndOrganizationHeaders) {
  config_.organization = "org-test";
  config_.project = "proj_test";
  ASSERT_TRUE(run(generate("gpt-image-1.5", 1)).ok());
  ServerLog l = log(1);
  ASSERT_EQ(l.requests.size(), 1u);
  EXPECT_EQ(l.requests[0].user_agent.rfind("oaimg/", 0), 0u) << l.requests[0].user_agent;
  EXPECT_EQ(header_of(l.requests[0], "OpenAI-Organization"), "org-test");
  EXPECT_EQ(header_of(l.requests[0], "OpenAI-Project"), "proj_test");
  // The 100-continue handshake is switched off: it costs a second against servers without it.
  EXPECT_EQ(header_of(l.requests[0], "Expect"), "");
}

TEST_F(ClientTest, UrlResultsAreDownloaded) {
  ImageRequest req = generate("dall-e-2", 2);
  req.size = "256x256";
  req.response_format = "url";
  Result<JobResult> r = run(req);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->images.size(), 2u);
  for (const auto& image : r->images) EXPECT_EQ(image.format, oaimg::FileFormat::Png);
  ServerLog l = log(1);
  EXPECT_EQ(l.requests.size(), 1u);
  EXPECT_EQ(l.downloads, 2);
  EXPECT_EQ(l.downloads_found, 2);
}

TEST_F(ClientTest, EditIsMultipartWithFileParts) {
  // The server's own PNG serves as the upload: it validates what it receives.
  Result<JobResult> source = run(generate("gpt-image-1.5", 1));
  ASSERT_TRUE(source.ok()) << source.error().message;
  ASSERT_EQ(log(1).requests.size(), 1u);  // logged before the reset, not after it
  server_->post("/_control/reset", "{}");

  ImageRequest req;
  req.op = Operation::Edit;
  req.model = "gpt-image-1.5";
  req.prompt = "add a hat";
  req.images.push_back({source->images[0].bytes, oaimg::FileFormat::Png});
  Result<JobResult> r = run(req);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->images.size(), 1u);
  ServerLog l = log(1);
  ASSERT_EQ(l.requests.size(), 1u);
  EXPECT_EQ(l.requests[0].path, "/v1/images/edits");
  ASSERT_EQ(l.requests[0].file_fields.size(), 1u);
  EXPECT_EQ(l.requests[0].file_types[0], "image/png");
  EXPECT_FALSE(l.requests[0].file_names[0].empty());
  EXPECT_EQ(field_of(l.requests[0], "prompt"), "add a hat");
}

TEST_F(ClientTest, FanOutRequestsRunInParallel) {
  server_->post("/_control/config", R"({"delay":1.0})");
  ImageRequest req = generate("dall-e-3", 4);
  Result<JobResult> r = run(req);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->images.size(), 4u);
  for (const auto& image : r->images) EXPECT_TRUE(image.revised_prompt.has_value());
  EXPECT_EQ(r->request_ids.size(), 4u);

  ServerLog l = log(4);
  ASSERT_EQ(l.requests.size(), 4u);
  double latest_start = 0, earliest_end = 1e300;
  for (const LogEntry& e : l.requests) {
    EXPECT_NE(field_of(e, "n"), "4");  // each request asks for its own share
    latest_start = std::max(latest_start, e.start);
    earliest_end = std::min(earliest_end, e.end);
  }
  // All four were in the server at once: the last one started before the first one ended.
  EXPECT_LT(latest_start, earliest_end);
}

TEST_F(ClientTest, FannedOutUsageIsSummedAndIdsCollected) {
  ImageRequest req = generate("gpt-image-1.5", 1);
  Result<JobResult> one = run(req);
  ASSERT_TRUE(one.ok()) << one.error().message;
  ASSERT_GT(one->usage.total_tokens, 0);

  // The same model forced to one image per request: three requests, one job.
  oaimg::ModelCaps caps = oaimg::find_model("gpt-image-1.5");
  caps.max_n_per_request = 1;
  req.n = 3;
  Result<JobResult> three = oaimg::run_job(config_, req, caps, {});
  ASSERT_TRUE(three.ok()) << three.error().message;
  EXPECT_EQ(three->images.size(), 3u);
  EXPECT_EQ(three->usage.total_tokens, 3 * one->usage.total_tokens);
  EXPECT_EQ(three->usage.output_tokens, 3 * one->usage.output_tokens);
  ASSERT_EQ(three->request_ids.size(), 3u);
  EXPECT_NE(three->request_ids[0], three->request_ids[1]);
  EXPECT_EQ(log(4).requests.size(), 4u);
}

TEST_F(ClientTest, RateLimitWaitsRetryAfterThenSucceeds) {
  fault(R"({"faults":[{"match":"/v1/images/generations","times":1,"kind":"status",
            "status":429,"headers":{"Retry-After":"1"}}]})");
  std::vector<Stage> stages;
  RunCallbacks cb;
  cb.progress = [&](Stage s, double) {
    if (stages.empty() || stages.back() != s) stages.push_back(s);
    return true;
  };
  Result<JobResult> r = run(generate("gpt-image-1.5", 1), cb);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ServerLog l = log(2);
  ASSERT_EQ(l.requests.size(), 2u);
  EXPECT_EQ(l.requests[0].status, 429);
  EXPECT_EQ(l.requests[1].status, 200);
  EXPECT_GE(l.requests[1].start - l.requests[0].start, 0.9);  // waited Retry-After: 1
  EXPECT_NE(std::find(stages.begin(), stages.end(), Stage::Retrying), stages.end());
}

TEST_F(ClientTest, PersistentServerErrorStopsAfterMaxRetries) {
  fault(R"({"faults":[{"times":10,"kind":"status","status":500,
            "headers":{"retry-after-ms":"10"}}]})");
  Result<JobResult> r = run(generate("gpt-image-1.5", 1));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, Status::Server);
  EXPECT_EQ(r.error().http_status, 500);
  EXPECT_EQ(r.error().request_id.rfind("req_", 0), 0u);
  EXPECT_EQ(r.error().retry_after_ms, 10);
  EXPECT_EQ(log(3).requests.size(), 3u);  // 1 + max_retries
}

// The error reports the server's wait in every form the retry policy reads, an HTTP date too.
TEST_F(ClientTest, RateLimitErrorReportsAnHttpDateRetryAfter) {
  char date[64];
  std::time_t at = std::time(nullptr) + 40;
  std::tm tm{};
  gmtime_r(&at, &tm);
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  fault(std::string(R"({"faults":[{"times":1,"kind":"status","status":429,"headers":{"Retry-After":")") +
        date + R"("}}]})");
  config_.max_retries = 0;
  Result<JobResult> r = run(generate("gpt-image-1.5", 1));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, Status::RateLimited);
  // 40 s ahead, read a little later with whole-second dates: generous bounds.
  EXPECT_GE(r.error().retry_after_ms, 30000);
  EXPECT_LE(r.error().retry_after_ms, 41000);
}

TEST_F(ClientTest, ShouldRetryFalseStopsRetries) {
  fault(R"({"faults":[{"times":10,"kind":"status","status":503,
            "headers":{"x-should-retry":"false"}}]})");
  Result<JobResult> r = run(generate("gpt-image-1.5", 1));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, Status::Server);
  EXPECT_EQ(log(1).requests.size(), 1u);
}

TEST_F(ClientTest, WrongKeyIsAuthenticationWithoutRetryAndNeverEchoed) {
  config_.api_key = "sk-wrong-do-not-show-0123456789";
  Result<JobResult> r = run(generate("gpt-image-1.5", 1));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, Status::Authentication);
  EXPECT_EQ(r.error().http_status, 401);
  EXPECT_NE(r.error().message.find("Incorrect API key"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find(config_.api_key), std::string::npos);
  EXPECT_EQ(r.error().message.find("do-not-show"), std::string::npos);
  EXPECT_EQ(log(1).requests.size(), 1u);
}

TEST_F(ClientTest, NoApiKey) {
  config_.api_key.clear();
  Result<JobResult> r = run(generate("gpt-image-1.5", 1));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, Status::NoApiKey);
  EXPECT_EQ(log().requests.size(), 0u);
}

TEST_F(ClientTest, KeyWithLineBreakIsRefusedBeforeSending) {
  config_.api_key = "sk-test\r\nX-Injected: 1";
  Result<JobResult> r = run(generate("gpt-image-1.5", 1));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, Status::InvalidArgument);
  EXPECT_EQ(r.error().message.find("sk-test"), std::string::npos);
  EXPECT_EQ(log().requests.size(), 0u);
}

TEST_F(ClientTest, DelayPastTheTimeoutIsTimeout) {
  fault(R"({"faults":[{"times":1,"kind":"delay","seconds":3}]})");
  config_.timeout_ms = 500;
  config_.max_retries = 0;
  Result<JobResult> r = run(generate("gpt-image-1.5", 1));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, Status::Timeout);
  EXPECT_NE(r.error().message.find("timeout 0.5 s"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("127.0.0.1"), std::string::npos) << r.error().message;
}

TEST_F(ClientTest, ConnectionRefusedNamesTheHostNotTheKey) {
  int port = server_->port();
  server_.reset();  // nothing listens on the port any more
  config_.base_url = "http://127.0.0.1:" + std::to_string(port) + "/v1";
  config_.max_retries = 0;
  Result<JobResult> r = run(generate("gpt-image-1.5", 1));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, Status::Connection);
  EXPECT_NE(r.error().message.find("127.0.0.1"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find(config_.api_key), std::string::npos);
}

TEST_F(ClientTest, TruncatedBodyIsRetriedAsAConnectionError) {
  fault(R"({"faults":[{"times":1,"kind":"truncate"}]})");
  Result<JobResult> r = run(generate("gpt-image-1.5", 1));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->images.size(), 1u);
  EXPECT_EQ(log(2).requests.size(), 2u);
}

TEST_F(ClientTest, TruncatedBodyWithoutRetriesFails) {
  fault(R"({"faults":[{"times":1,"kind":"truncate"}]})");
  config_.max_retries = 0;
  Result<JobResult> r = run(generate("gpt-image-1.5", 1));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, Status::Connection);
  EXPECT_FALSE(r.error().message.empty());
}

TEST_F(ClientTest, InvalidJsonIsBadResponseWithoutRetry) {
  fault(R"({"faults":[{"times":1,"kind":"invalid_json"}]})");
  Result<JobResult> r = run(generate("gpt-image-1.5", 1));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, Status::BadResponse);
  EXPECT_EQ(log(1).requests.size(), 1u);
}

TEST_F(ClientTest, HtmlErrorPageGivesAReadableMessage) {
  fault(R"({"faults":[{"times":3,"kind":"html","status":502,
            "headers":{"retry-after-ms":"10"}}]})");
  Result<JobResult> r = run(generate("gpt-image-1.5", 1));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, Status::Server);
  EXPECT_NE(r.error().message.find("502"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find("<html"), std::string::npos) << r.error().message;
  EXPECT_EQ(log(3).requests.size(), 3u);
}

TEST_F(ClientTest, CancelDuringAStalledRequestReturnsAtOnce) {
  fault(R"({"faults":[{"times":1,"kind":"delay","seconds":10}]})");
  auto begin = std::chrono::steady_clock::now();
  int calls = 0;
  RunCallbacks cb;
  cb.progress = [&](Stage, double) {
    ++calls;
    return std::chrono::steady_clock::now() - begin < std::chrono::milliseconds(300);
  };
  Result<JobResult> r = run(generate("gpt-image-1.5", 1), cb);
  double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, Status::Cancelled);
  // Generous bound proving the abort: without it the run would take the server's 10 s.
  EXPECT_LT(elapsed, 2.0);
  EXPECT_GE(calls, 2);  // the callback kept running while the server stalled
  // The connection was closed, not left hanging: no socket of ours to the server remains, and
  // the server has not finished the request (its log entry is written when it does).
  EXPECT_EQ(established_connections_to(server_->port()), 0);
  EXPECT_EQ(log().requests.size(), 0u);
}

TEST_F(ClientTest, CancelDuringARetryWaitReturnsAtOnce) {
  fault(R"({"faults":[{"times":1,"kind":"status","status":429,
            "headers":{"Retry-After":"30"}}]})");
  auto begin = std::chrono::steady_clock::now();
  RunCallbacks cb;
  cb.progress = [&](Stage s, double) { return s != Stage::Retrying; };
  Result<JobResult> r = run(generate("gpt-image-1.5", 1), cb);
  double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, Status::Cancelled);
  EXPECT_LT(elapsed, 5.0);  // generous: the wait it cancelled was 30 s
  EXPECT_EQ(log(1).requests.size(), 1u);
}

TEST_F(ClientTest, OneRetryDoesNotBlockTheOthers) {
  // The first of four fanned-out requests gets a 429 asking for 2 s; the other three must finish
  // meanwhile instead of queueing behind its wait.
  fault(R"({"faults":[{"times":1,"kind":"status","status":429,
            "headers":{"Retry-After":"2"}}]})");
  Result<JobResult> r = run(generate("dall-e-3", 4));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->images.size(), 4u);
  ServerLog l = log(5);
  ASSERT_EQ(l.requests.size(), 5u);
  double first_start = l.requests.front().start;
  int done_before_retry = 0;
  for (const LogEntry& e : l.requests)
    if (e.status == 200 && e.start - first_start < 1.5) ++done_before_retry;
  EXPECT_EQ(done_before_retry, 3);
  EXPECT_GE(l.requests.back().start - first_start, 1.9);
}

TEST_F(ClientTest, StreamingPartialsArriveInOrder) {
  ImageRequest req = generate("gpt-image-1.5", 2);
  req.partial_images = 2;
  std::vector<std::pair<size_t, int>> partials;
  RunCallbacks cb;
  cb.partial_image = [&](size_t result, int partial, const uint8_t* data, size_t size) {
    EXPECT_GT(size, 8u);
    EXPECT_EQ(data[1], 'P');  // a PNG
    partials.emplace_back(result, partial);
  };
  Result<JobResult> r = run(req, cb);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->images.size(), 2u);
  EXPECT_EQ(r->images[0].format, oaimg::FileFormat::Png);
  EXPECT_GT(r->usage.total_tokens, 0);
  std::vector<std::pair<size_t, int>> want = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
  EXPECT_EQ(partials, want);
  ServerLog l = log(1);
  ASSERT_EQ(l.requests.size(), 1u);
  EXPECT_EQ(field_of(l.requests[0], "prompt"), "a red fox in the snow");
}

TEST_F(ClientTest, StreamedResultsReportCreatedAtUsageDetailsAndSafetyIdentifier) {
  ImageRequest req = generate("gpt-image-1.5", 1);
  req.partial_images = 1;
  req.user = "legacy-user";
  req.safety_identifier = "hashed-user-42";
  req.complexity = "low";
  const int64_t before = static_cast<int64_t>(std::time(nullptr));
  Result<JobResult> r = run(req);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_GE(r->created, before);  // from the events' created_at: 0 before 7.59.0 support
  EXPECT_EQ(r->safety_identifier, "hashed-user-42");  // the identifier wins over user
  EXPECT_GT(r->usage.output_image_tokens, 0);
  EXPECT_EQ(r->usage.output_text_tokens, 0);
  ServerLog l = log(1);
  ASSERT_EQ(l.requests.size(), 1u);
  EXPECT_EQ(field_of(l.requests[0], "safety_identifier"), "hashed-user-42");
  EXPECT_EQ(field_of(l.requests[0], "user"), "legacy-user");
  EXPECT_EQ(field_of(l.requests[0], "complexity"), "low");
}

TEST_F(ClientTest, UserAloneIsStillSentAndEchoed) {
  ImageRequest req = generate("gpt-image-1.5", 1);
  req.user = "legacy-user";
  Result<JobResult> r = run(req);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->safety_identifier, "legacy-user");
  EXPECT_GT(r->usage.output_image_tokens, 0);
}

TEST_F(ClientTest, StreamErrorEventFailsTheJob) {
  fault(R"({"faults":[{"times":1,"kind":"stream_error",
            "error":{"message":"The image generation failed midway."}}]})");
  ImageRequest req = generate("gpt-image-1.5", 1);
  req.partial_images = 1;
  int partials = 0;
  RunCallbacks cb;
  cb.partial_image = [&](size_t, int, const uint8_t*, size_t) { ++partials; };
  Result<JobResult> r = run(req, cb);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("failed midway"), std::string::npos) << r.error().message;
  EXPECT_EQ(partials, 1);
  EXPECT_EQ(log(1).requests.size(), 1u);  // a stream that started is not replayed
}

TEST_F(ClientTest, ProgressRunsWhileTheServerWorks) {
  server_->post("/_control/config", R"({"delay":1.0})");
  std::vector<double> fractions;
  std::vector<Stage> stages;
  RunCallbacks cb;
  cb.progress = [&](Stage s, double f) {
    fractions.push_back(f);
    stages.push_back(s);
    return true;
  };
  ASSERT_TRUE(run(generate("dall-e-3", 2), cb).ok());
  // Promised: a call at least every 100 ms, so ~10 during the 1 s delay. 5 is a generous bound
  // that still fails if the loop only woke up on network activity.
  EXPECT_GE(fractions.size(), 5u);
  EXPECT_TRUE(std::is_sorted(fractions.begin(), fractions.end()));
  EXPECT_GE(fractions.front(), 0.0);
  EXPECT_LE(fractions.back(), 1.0);
  EXPECT_EQ(stages.front(), Stage::Sending);
  EXPECT_NE(std::find(stages.begin(), stages.end(), Stage::Waiting), stages.end());
}

// The transport on its own: one GET, run to completion.
oaimg::http::Response transport_get(const oaimg::http::Settings& settings, const std::string& url,
                                    bool send_credentials) {
  oaimg::http::Transport transport(settings);
  oaimg::http::Request req;
  req.url = url;
  req.send_credentials = send_credentials;
  oaimg::http::Response out;
  transport.add(req, [&](oaimg::http::TransferId, oaimg::http::Response&& r) { out = r; });
  EXPECT_EQ(transport.run([] { return true; }), oaimg::http::Transport::RunEnd::Finished);
  return out;
}

TEST_F(ClientTest, TransportSendsTheKeyOnlyWhenAskedTo) {
  oaimg::http::Settings settings;
  settings.api_key = oaimg_test::FakeServer::api_key();
  std::string url = server_->base_url() + "/models/gpt-image-1.5";
  oaimg::http::Response with = transport_get(settings, url, true);
  EXPECT_EQ(with.http_status, 200) << with.body;
  EXPECT_FALSE(with.headers.request_id.empty());
  EXPECT_EQ(with.headers.content_type.rfind("application/json", 0), 0u);
  // A url result on another host gets no Authorization header: the server sees none.
  oaimg::http::Response without = transport_get(settings, url, false);
  EXPECT_EQ(without.http_status, 401);
  EXPECT_NE(without.body.find("didn't provide an API key"), std::string::npos) << without.body;
}

TEST_F(ClientTest, TransportRefusesBodiesPastTheCap) {
  oaimg::http::Settings settings;
  settings.api_key = oaimg_test::FakeServer::api_key();
  settings.max_body_bytes = 16;
  oaimg::http::Response r =
      transport_get(settings, server_->base_url() + "/models/gpt-image-1.5", true);
  EXPECT_TRUE(r.body_too_large);
  EXPECT_NE(r.curl_code, 0);
  EXPECT_LE(r.body.size(), 16u);
}

TEST(Transport, DownloadsOnlyHttp) {
  oaimg::http::Response r = transport_get(oaimg::http::Settings{}, "file:///etc/passwd", false);
  EXPECT_NE(r.curl_code, 0);  // CURLE_UNSUPPORTED_PROTOCOL: a url result cannot read local files
  EXPECT_TRUE(r.body.empty());
}

TEST(Config, FromEnvironment) {
  setenv("OPENAI_API_KEY", "sk-env", 1);
  setenv("OPENAI_BASE_URL", "http://example.test/v1//", 1);
  setenv("OPENAI_ORG_ID", "org-1", 1);
  setenv("OPENAI_PROJECT_ID", "", 1);
  ClientConfig c = oaimg::config_from_environment();
  EXPECT_EQ(c.api_key, "sk-env");
  EXPECT_EQ(c.base_url, "http://example.test/v1");
  EXPECT_EQ(c.organization, "org-1");
  EXPECT_EQ(c.project, "");
  unsetenv("OPENAI_BASE_URL");
  EXPECT_EQ(oaimg::config_from_environment().base_url, "https://api.openai.com/v1");
}

TEST(Transport, CredentialsOnlyForTheSameOrigin) {
  using oaimg::http::same_origin;
  EXPECT_TRUE(same_origin("https://api.openai.com/v1", "https://API.openai.com:443/files/x"));
  EXPECT_TRUE(same_origin("http://127.0.0.1:8080/v1", "http://127.0.0.1:8080/_files/a.png"));
  EXPECT_FALSE(same_origin("http://127.0.0.1:8080/v1", "http://127.0.0.1:8081/_files/a.png"));
  EXPECT_FALSE(same_origin("https://api.openai.com/v1", "https://oaidalle.blob.core.net/x.png"));
  EXPECT_FALSE(same_origin("https://api.openai.com/v1", "http://api.openai.com/x.png"));
  EXPECT_FALSE(same_origin("https://api.openai.com/v1", "not a url"));
}

}  // namespace
