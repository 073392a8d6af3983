// Turning what the Images API answers into ImagesResponse / Error / StreamImageEvent. Servers are
// not always OpenAI: compatible servers and proxies send HTML pages, plain text, {"detail": ...}
// bodies, so every failure path still produces one readable line.
#include <json-glib/json-glib.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <memory>
#include <string>

#include "oaimg/core/response.h"

namespace oaimg {
namespace {

constexpr size_t kMaxMessageChars = 200;

// json-glib's parser recurses once per array or object level, so a hostile body of 100,000 '['
// overflows the stack of whatever thread parses it (a GUI worker, a Python thread). No answer of
// the Images API nests deeper than 4 levels; 64 leaves room for any compatible server and stays
// far below what a 256 KB thread stack survives.
constexpr int kMaxJsonDepth = 64;

// False when arrays and objects nest deeper than kMaxJsonDepth. A linear scan that skips strings,
// so brackets inside text do not count; the text need not be valid JSON (json-glib judges that).
bool nesting_within_bound(std::string_view text) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth) return false;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return true;
}

std::string too_deep_message() {
  return "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels; refusing to parse it";
}

struct GObjectUnref {
  void operator()(gpointer p) const { g_object_unref(p); }
};
using ParserPtr = std::unique_ptr<JsonParser, GObjectUnref>;

// Parses text into a tree owned by the returned parser; nullptr when it is not JSON at all or
// nests deeper than kMaxJsonDepth (then json-glib never sees it).
ParserPtr parse_json(std::string_view text) {
  if (!nesting_within_bound(text)) return nullptr;
  ParserPtr parser(json_parser_new());
  GError* error = nullptr;
  if (!json_parser_load_from_data(parser.get(), text.data(), gssize(text.size()), &error)) {
    g_clear_error(&error);
    return nullptr;
  }
  if (json_parser_get_root(parser.get()) == nullptr) return nullptr;  // empty document
  return parser;
}

JsonObject* root_object(JsonParser* parser) {
  JsonNode* root = json_parser_get_root(parser);
  return root && JSON_NODE_HOLDS_OBJECT(root) ? json_node_get_object(root) : nullptr;
}

JsonNode* member(JsonObject* object, const char* name) {
  return object && json_object_has_member(object, name) ? json_object_get_member(object, name)
                                                        : nullptr;
}

std::optional<std::string> string_member(JsonObject* object, const char* name) {
  JsonNode* node = member(object, name);
  if (!node || !JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_STRING)
    return std::nullopt;
  return std::string(json_node_get_string(node));
}

std::optional<int64_t> int_member(JsonObject* object, const char* name) {
  JsonNode* node = member(object, name);
  if (!node || !JSON_NODE_HOLDS_VALUE(node)) return std::nullopt;
  GType type = json_node_get_value_type(node);
  if (type == G_TYPE_INT64) return json_node_get_int(node);
  if (type == G_TYPE_DOUBLE) {
    // Converting a double outside int64's range (1e300, inf, nan) is undefined behaviour.
    double value = json_node_get_double(node);
    if (!(value >= -9.2e18 && value <= 9.2e18)) return std::nullopt;
    return int64_t(value);
  }
  return std::nullopt;
}

JsonObject* object_member(JsonObject* object, const char* name) {
  JsonNode* node = member(object, name);
  return node && JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : nullptr;
}

// Collapses whitespace (newlines included) so that a message stays one line, and trims it.
std::string one_line(std::string_view text, size_t max_chars) {
  std::string out;
  bool pending_space = false;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      pending_space = !out.empty();
      continue;
    }
    if (static_cast<unsigned char>(c) < 0x20) continue;  // other control characters
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  if (out.size() > max_chars) {
    size_t cut = max_chars;
    // Do not cut a UTF-8 sequence in half.
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
    out += "…";
  }
  return out;
}

// The first bytes of a body in a message, quoted, with anything unprintable made visible.
std::string first_bytes(std::string_view body) {
  constexpr size_t kShown = 60;
  std::string out = "'";
  for (size_t i = 0; i < body.size() && i < kShown; ++i) {
    auto c = static_cast<unsigned char>(body[i]);
    if (c >= 0x20 && c < 0x7F) {
      out += char(c);
    } else {
      char hex[8];
      snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    }
  }
  out += body.size() > kShown ? "'…" : "'";
  return out;
}

bool iequals_prefix(std::string_view text, size_t at, std::string_view word) {
  if (at + word.size() > text.size()) return false;
  for (size_t i = 0; i < word.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(text[at + i])) != word[i]) return false;
  return true;
}

size_t ifind(std::string_view text, std::string_view word, size_t from = 0) {
  for (size_t i = from; i + word.size() <= text.size(); ++i)
    if (iequals_prefix(text, i, word)) return i;
  return std::string_view::npos;
}

std::string decode_entities(std::string_view text) {
  static constexpr std::pair<std::string_view, std::string_view> kEntities[] = {
      {"&amp;", "&"}, {"&lt;", "<"},   {"&gt;", ">"},  {"&quot;", "\""},
      {"&#39;", "'"}, {"&apos;", "'"}, {"&nbsp;", " "}};
  std::string out;
  for (size_t i = 0; i < text.size();) {
    bool replaced = false;
    if (text[i] == '&') {
      for (auto [entity, replacement] : kEntities) {
        if (text.substr(i, entity.size()) == entity) {
          out += replacement;
          i += entity.size();
          replaced = true;
          break;
        }
      }
    }
    if (!replaced) out += text[i++];
  }
  return out;
}

// The visible text of an HTML page with scripts, styles and tags removed.
std::string html_text(std::string_view html) {
  std::string out;
  for (size_t i = 0; i < html.size();) {
    if (html[i] != '<') {
      out += html[i++];
      continue;
    }
    for (std::string_view skipped : {"script", "style"}) {
      if (iequals_prefix(html, i + 1, skipped)) {
        size_t close = ifind(html, std::string("</") + std::string(skipped), i);
        i = close == std::string_view::npos ? html.size() : close;
        break;
      }
    }
    size_t end = html.find('>', i);
    i = end == std::string_view::npos ? html.size() : end + 1;
    out += ' ';
  }
  return decode_entities(out);
}

// What a person should read about a body that is not the API's JSON error.
std::string describe_non_json_body(std::string_view content_type, std::string_view body) {
  size_t start = body.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return "an empty body";
  bool html = ifind(content_type, "html") != std::string_view::npos || body[start] == '<';
  if (!html) return "'" + one_line(body, kMaxMessageChars) + "'";

  std::string title;
  if (size_t open = ifind(body, "<title"); open != std::string_view::npos) {
    size_t text_start = body.find('>', open);
    size_t close = ifind(body, "</title", open);
    if (text_start != std::string_view::npos && close != std::string_view::npos && text_start < close)
      title = one_line(decode_entities(body.substr(text_start + 1, close - text_start - 1)),
                       kMaxMessageChars);
  }
  if (title.empty()) {
    // No title: the page's first text, e.g. <h1>502 Bad Gateway</h1>.
    size_t body_tag = ifind(body, "<body");
    title = one_line(html_text(body_tag == std::string_view::npos ? body : body.substr(body_tag)),
                     kMaxMessageChars);
  }
  if (title.empty()) return "an HTML page without text";
  return "an HTML page: '" + title + "'";
}

Status status_for(int http_status, std::string_view type, std::string_view code) {
  // The code decides first: a moderation refusal is a 400 but must not read as "bad request".
  if (code == "content_policy_violation" || code == "moderation_blocked") return Status::ContentPolicy;
  if (code == "invalid_api_key") return Status::Authentication;
  if (http_status == 401) return Status::Authentication;
  if (http_status == 403) return Status::Permission;
  if (http_status == 404) return Status::NotFound;
  if (http_status == 429) return Status::RateLimited;
  if (http_status >= 400 && http_status < 500) return Status::BadRequest;
  if (http_status >= 500) return Status::Server;
  // No failing HTTP status (an error inside a 200 stream): the API's error type is all there is.
  if (code == "rate_limit_exceeded" || type == "rate_limit_error") return Status::RateLimited;
  if (type == "invalid_request_error") return Status::BadRequest;
  if (type == "authentication_error") return Status::Authentication;
  if (type == "permission_error") return Status::Permission;
  return Status::Server;
}

// Fills an Error from the API's error object; the object may also be a bare string or a
// FastAPI-style {"detail": ...} body from a compatible server.
Error error_from_json(int http_status, JsonObject* body) {
  Error error;
  error.http_status = http_status;
  std::string message;
  if (JsonObject* api_error = object_member(body, "error")) {
    message = string_member(api_error, "message").value_or("");
    error.type = string_member(api_error, "type").value_or("");
    error.code = string_member(api_error, "code").value_or("");
    error.param = string_member(api_error, "param").value_or("");
    // Some servers send a numeric code.
    if (error.code.empty())
      if (auto numeric = int_member(api_error, "code")) error.code = std::to_string(*numeric);
  } else if (auto text = string_member(body, "error")) {
    message = *text;
  } else if (auto detail = string_member(body, "detail")) {
    message = *detail;
  } else if (auto plain = string_member(body, "message")) {
    message = *plain;
  }
  error.status = status_for(http_status, error.type, error.code);
  message = one_line(message, 1000);
  if (message.empty()) {
    message = http_status > 0 ? "the server answered HTTP " + std::to_string(http_status) +
                                    " without an error message"
                              : "the server reported an error without a message";
    // The server's code and type are its own text too: one line, like the message.
    if (!error.code.empty()) message += " (code " + one_line(error.code, 80) + ")";
    else if (!error.type.empty()) message += " (type " + one_line(error.type, 80) + ")";
  }
  error.message = std::move(message);
  return error;
}

Error bad_response(std::string message) { return Error(Status::BadResponse, std::move(message)); }

std::optional<Usage> parse_usage(JsonObject* object) {
  JsonObject* usage_object = object_member(object, "usage");
  if (!usage_object) return std::nullopt;
  Usage usage;
  usage.input_tokens = int_member(usage_object, "input_tokens").value_or(-1);
  usage.output_tokens = int_member(usage_object, "output_tokens").value_or(-1);
  usage.total_tokens = int_member(usage_object, "total_tokens").value_or(-1);
  if (JsonObject* details = object_member(usage_object, "input_tokens_details")) {
    usage.input_text_tokens = int_member(details, "text_tokens").value_or(-1);
    usage.input_image_tokens = int_member(details, "image_tokens").value_or(-1);
  }
  if (JsonObject* details = object_member(usage_object, "output_tokens_details")) {
    usage.output_text_tokens = int_member(details, "text_tokens").value_or(-1);
    usage.output_image_tokens = int_member(details, "image_tokens").value_or(-1);
  }
  return usage;
}

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

}  // namespace

static Result<ImagesResponse> read_images_response(std::string_view body) {
  if (!nesting_within_bound(body))
    return bad_response("the server answered with success but the body is " + too_deep_message());
  ParserPtr parser = parse_json(body);
  if (!parser)
    return bad_response("the server answered with success but the body is not JSON (first bytes: " +
                        first_bytes(body) + ")");
  JsonObject* root = root_object(parser.get());
  if (!root)
    return bad_response("the server answered with success but the body is not a JSON object "
                        "(first bytes: " + first_bytes(body) + ")");
  if (member(root, "error")) {
    Error error = error_from_json(0, root);
    error.message = "the server answered with success but sent an error: " + error.message;
    return error;
  }

  ImagesResponse response;
  response.created = int_member(root, "created").value_or(0);
  JsonNode* data_node = member(root, "data");
  if (!data_node || !JSON_NODE_HOLDS_ARRAY(data_node))
    return bad_response("the server's answer has no 'data' array of images");
  JsonArray* data = json_node_get_array(data_node);
  guint count = json_array_get_length(data);
  if (count == 0) return bad_response("the server's answer has an empty 'data' array: no image came back");

  for (guint i = 0; i < count; ++i) {
    std::string where = "data[" + std::to_string(i) + "]";
    JsonNode* item_node = json_array_get_element(data, i);
    if (!JSON_NODE_HOLDS_OBJECT(item_node))
      return bad_response("the server's answer has " + where + " that is not an object");
    JsonObject* item = json_node_get_object(item_node);
    ResponseImage image;
    if (auto b64 = string_member(item, "b64_json")) {
      auto bytes = base64_decode(*b64);
      if (!bytes) return bad_response("the server's answer has " + where + ".b64_json that is not valid base64");
      if (bytes->empty()) return bad_response("the server's answer has " + where + ".b64_json that is empty");
      image.bytes = std::move(*bytes);
    } else if (auto url = string_member(item, "url"); url && !url->empty()) {
      image.url = std::move(*url);
    } else {
      return bad_response("the server's answer has " + where + " with neither 'b64_json' nor 'url'");
    }
    image.revised_prompt = string_member(item, "revised_prompt");
    response.data.push_back(std::move(image));
  }

  response.usage = parse_usage(root);
  response.size = string_member(root, "size").value_or("");
  response.quality = string_member(root, "quality").value_or("");
  response.background = string_member(root, "background").value_or("");
  response.output_format = string_member(root, "output_format").value_or("");
  response.safety_identifier = string_member(root, "safety_identifier").value_or("");
  return response;
}

static Error read_error_response(int http_status, std::string_view content_type,
                                 std::string_view body) {
  if (ParserPtr parser = parse_json(body)) {
    if (JsonObject* root = root_object(parser.get())) {
      if (member(root, "error") || member(root, "detail") || member(root, "message"))
        return error_from_json(http_status, root);
    }
  }
  Error error;
  error.http_status = http_status;
  error.status = status_for(http_status, "", "");
  error.message = "the server answered HTTP " + std::to_string(http_status) + " with " +
                  (nesting_within_bound(body) ? describe_non_json_body(content_type, body)
                                              : "a body of " + too_deep_message());
  return error;
}

static Result<StreamImageEvent> read_stream_event(const SseEvent& event) {
  // OpenAI's other streaming endpoints end with "data: [DONE]"; skippable like an unknown type.
  if (event.data == "[DONE]") return Error(Status::Unsupported, "end-of-stream marker [DONE]");
  ParserPtr parser = parse_json(event.data);
  JsonObject* root = parser ? root_object(parser.get()) : nullptr;
  if (event.event == "error") {
    if (!root)
      return Error(Status::Server, "the server reported an error in the stream: " +
                                       one_line(event.data, kMaxMessageChars));
    // The SDK accepts both {"error": {...}} and the error object itself as the data.
    if (member(root, "error")) return error_from_json(0, root);
    Error error = error_from_json(0, nullptr);
    // The server's text: one line, and the fallback when it is blank.
    if (std::string message = one_line(string_member(root, "message").value_or(""), 1000);
        !message.empty())
      error.message = std::move(message);
    error.type = string_member(root, "type").value_or("");
    error.code = string_member(root, "code").value_or("");
    error.param = string_member(root, "param").value_or("");
    error.status = status_for(0, error.type, error.code);
    return error;
  }
  if (!nesting_within_bound(event.data))
    return bad_response("a streamed event is " + too_deep_message());
  if (!parser)
    return bad_response("a streamed event is not JSON (first bytes: " + first_bytes(event.data) + ")");
  if (!root)
    return bad_response("a streamed event is JSON but not an object (first bytes: " +
                        first_bytes(event.data) + ")");
  if (member(root, "error")) return error_from_json(0, root);

  std::string type = string_member(root, "type").value_or(event.event);
  StreamImageEvent out;
  if (ends_with(type, ".completed")) {
    out.completed = true;
  } else if (ends_with(type, ".partial_image")) {
    out.completed = false;
    auto index = int_member(root, "partial_image_index");
    if (!index) return bad_response("the streamed partial image has no 'partial_image_index'");
    out.partial_image_index = int(*index);
  } else {
    // Unsupported, not BadResponse: a caller skips event types it does not know (the API may add
    // progress events) instead of failing the whole stream.
    return Error(Status::Unsupported, "unknown stream event type '" + one_line(type, 80) + "'");
  }
  auto b64 = string_member(root, "b64_json");
  if (!b64) return bad_response("the streamed '" + type + "' event has no 'b64_json'");
  auto bytes = base64_decode(*b64);
  if (!bytes || bytes->empty())
    return bad_response("the streamed '" + type + "' event has a 'b64_json' that is not valid base64");
  out.bytes = std::move(*bytes);
  out.usage = parse_usage(root);
  out.size = string_member(root, "size").value_or("");
  out.quality = string_member(root, "quality").value_or("");
  out.background = string_member(root, "background").value_or("");
  out.output_format = string_member(root, "output_format").value_or("");
  out.created_at = int_member(root, "created_at").value_or(0);
  out.safety_identifier = string_member(root, "safety_identifier").value_or("");
  return out;
}

// Every message made above may quote what a server sent; whatever it put there (newlines, control
// characters, nothing at all), a message stays one readable line. Made so once, at the module's
// edge, rather than at each place that quotes the server (fuzz_response checks it).
static Error as_one_line(Error error) {
  error.message = one_line(error.message, 4000);
  if (error.message.empty()) error.message = "the server's response could not be read";
  return error;
}

Result<ImagesResponse> parse_images_response(std::string_view body) {
  Result<ImagesResponse> parsed = read_images_response(body);
  if (!parsed) return as_one_line(parsed.take_error());
  return parsed;
}

Error parse_error_response(int http_status, std::string_view content_type, std::string_view body) {
  return as_one_line(read_error_response(http_status, content_type, body));
}

Result<StreamImageEvent> parse_stream_event(const SseEvent& event) {
  Result<StreamImageEvent> parsed = read_stream_event(event);
  if (!parsed) return as_one_line(parsed.take_error());
  return parsed;
}

void add_usage(Usage& sum, const Usage& part) {
  auto add = [](int64_t& s, int64_t v) {
    if (v < 0) return;
    s = s < 0 ? v : s + v;
  };
  add(sum.input_tokens, part.input_tokens);
  add(sum.output_tokens, part.output_tokens);
  add(sum.total_tokens, part.total_tokens);
  add(sum.input_text_tokens, part.input_text_tokens);
  add(sum.input_image_tokens, part.input_image_tokens);
  add(sum.output_text_tokens, part.output_text_tokens);
  add(sum.output_image_tokens, part.output_image_tokens);
}

}  // namespace oaimg
