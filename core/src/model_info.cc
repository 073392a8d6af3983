// GET /models/{id} and the shutdown warning built from it.
#include "oaimg/core/model_info.h"

#include <json-glib/json-glib.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>

#include "http_transport.h"
#include "oaimg/core/models.h"
#include "oaimg/core/response.h"

namespace oaimg {
namespace {

constexpr long kModelInfoTimeoutMs = 10000;

struct GObjectUnref {
  void operator()(gpointer p) const { if (p) g_object_unref(p); }
};

// A model name as a file name: anything but [A-Za-z0-9._-] becomes '_'.
std::string file_safe(std::string_view name) {
  std::string out;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-';
    out += ok ? c : '_';
  }
  return out.empty() || out[0] == '.' ? "_" + out : out;
}

bool make_dirs(const std::string& path) {
  for (size_t i = 1; i <= path.size(); ++i) {
    if (i < path.size() && path[i] != '/') continue;
    std::string part = path.substr(0, i);
    struct stat st;
    if (stat(part.c_str(), &st) == 0) continue;
    if (mkdir(part.c_str(), 0700) != 0) return false;
  }
  return true;
}

}  // namespace

Result<ModelInfo> fetch_model_info(const ClientConfig& config, std::string_view model,
                                   const std::function<bool()>& keep_going) {
  if (config.api_key.empty())
    return Error(Status::NoApiKey, "no API key: set OPENAI_API_KEY or configure one");
  http::Settings settings;
  settings.api_key = config.api_key;
  settings.organization = config.organization;
  settings.project = config.project;
  settings.ca_bundle = config.ca_bundle;
  settings.connect_timeout_ms = std::min(config.connect_timeout_ms, kModelInfoTimeoutMs);
  settings.timeout_ms = std::min(config.timeout_ms, kModelInfoTimeoutMs);
  settings.max_body_bytes = 1u << 20;
  http::Transport transport(settings);

  // The id goes into the path: percent-encode everything outside the unreserved set.
  std::string escaped;
  for (unsigned char c : model) {
    bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    char hex[4];
    std::snprintf(hex, sizeof hex, "%%%02X", c);
    escaped += unreserved ? std::string(1, char(c)) : std::string(hex);
  }
  http::Request request;
  request.method = http::Method::Get;
  request.url = config.base_url + "/models/" + escaped;
  request.accept = "application/json";
  http::Response response;
  transport.add(std::move(request), [&](http::TransferId, http::Response&& r) { response = std::move(r); });
  http::Transport::RunEnd end = transport.run([&] { return !keep_going || keep_going(); });
  if (end == http::Transport::RunEnd::Cancelled) return Error(Status::Cancelled, "cancelled");
  if (end != http::Transport::RunEnd::Finished)
    return Error(Status::Connection, "asking " + http::url_host(config.base_url) + " about " +
                                         std::string(model) + " failed: " + transport.failure_message());
  if (response.http_status == 0)
    return Error(Status::Connection, "asking " + http::url_host(config.base_url) + " about " +
                                         std::string(model) + " failed: " + response.curl_error);
  if (response.http_status < 200 || response.http_status > 299) {
    Error e = parse_error_response(response.http_status, response.headers.content_type, response.body);
    e.request_id = response.headers.request_id;
    return e;
  }

  std::unique_ptr<JsonParser, GObjectUnref> parser(json_parser_new());
  JsonNode* root = nullptr;
  if (json_parser_load_from_data(parser.get(), response.body.data(), gssize(response.body.size()), nullptr))
    root = json_parser_get_root(parser.get());
  if (!root || !JSON_NODE_HOLDS_OBJECT(root))
    return Error(Status::BadResponse, "the answer about model " + std::string(model) + " is not a JSON object");
  JsonObject* object = json_node_get_object(root);
  ModelInfo info;
  if (JsonNode* id = json_object_get_member(object, "id"); id && JSON_NODE_HOLDS_VALUE(id) &&
                                                            json_node_get_value_type(id) == G_TYPE_STRING)
    info.id = json_node_get_string(id);
  if (JsonNode* date = json_object_get_member(object, "shutdown_date"); date && JSON_NODE_HOLDS_VALUE(date) &&
                                                                        json_node_get_value_type(date) == G_TYPE_STRING)
    info.shutdown_date = json_node_get_string(date);
  return info;
}

std::optional<int64_t> days_from_iso_date(std::string_view date) {
  if (date.size() < 10 || date[4] != '-' || date[7] != '-') return std::nullopt;
  auto number = [&](size_t at, size_t length) -> int64_t {
    int64_t v = 0;
    for (size_t i = at; i < at + length; ++i) {
      if (date[i] < '0' || date[i] > '9') return -1;
      v = v * 10 + (date[i] - '0');
    }
    return v;
  };
  int64_t y = number(0, 4), m = number(5, 2), d = number(8, 2);
  if (y < 0 || m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  // Howard Hinnant's days_from_civil.
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::string shutdown_warning(std::string_view model, std::string_view shutdown_date,
                             int64_t now_epoch_s, int within_days) {
  std::optional<int64_t> day = days_from_iso_date(shutdown_date);
  if (!day) return "";
  const int64_t today = now_epoch_s / 86400;
  const int64_t left = *day - today;
  if (left > within_days) return "";
  std::string date(shutdown_date.substr(0, 10));
  std::string text = std::string(model) + (left < 0   ? " was shut down on " + date
                                           : left == 0 ? " shuts down today (" + date + ")"
                                                       : " shuts down on " + date + ", in " +
                                                             std::to_string(left) +
                                                             (left == 1 ? " day" : " days"));
  ModelCaps caps = find_model(model);
  if (!caps.replacement.empty()) text += "; use " + caps.replacement + " instead";
  return text;
}

bool model_check_due(const std::string& cache_dir, std::string_view model, int64_t now_epoch_s) {
  if (cache_dir.empty()) return true;
  std::ifstream in(cache_dir + "/model-check-" + file_safe(model));
  std::string last;
  return !(in && std::getline(in, last) && last == std::to_string(now_epoch_s / 86400));
}

void record_model_check(const std::string& cache_dir, std::string_view model, int64_t now_epoch_s) {
  if (cache_dir.empty() || !make_dirs(cache_dir)) return;
  std::ofstream out(cache_dir + "/model-check-" + file_safe(model), std::ios::trunc);
  out << now_epoch_s / 86400 << "\n";
}

std::string default_cache_dir() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg && *xdg == '/') return std::string(xdg) + "/oaimg";
  const char* home = std::getenv("HOME");
  if (home && *home == '/') return std::string(home) + "/.cache/oaimg";
  return "";
}

}  // namespace oaimg
