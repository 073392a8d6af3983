#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>

#include "handles.h"
#include "oaimg/core/model_info.h"

using oaimg_capi::guarded;

namespace {

oaimg_status null_client() { return OAIMG_ERR_INVALID_ARGUMENT; }

// Setters of optional text settings: NULL clears.
oaimg_status set_text(oaimg_client* client, std::string oaimg::ClientConfig::*field,
                      const char* value) {
  if (!client) return null_client();
  return guarded(client, [&] {
    std::string& setting = client->config.*field;
    // The old key must not stay behind in a buffer the new value does not overwrite.
    if (field == &oaimg::ClientConfig::api_key)
      for (char& c : setting) *static_cast<volatile char*>(&c) = 0;
    setting = value ? value : "";
    return client->succeed();
  });
}

}  // namespace

extern "C" {

oaimg_status oaimg_client_new(oaimg_client** out_client) {
  if (!out_client) return OAIMG_ERR_INVALID_ARGUMENT;
  try {
    auto* client = new oaimg_client;
    client->config = oaimg::config_from_environment();
    *out_client = client;
    return OAIMG_OK;
  } catch (const std::bad_alloc&) {
    return OAIMG_ERR_NO_MEMORY;
  } catch (...) {
    return OAIMG_ERR_INTERNAL;
  }
}

void oaimg_client_free(oaimg_client* client) {
  if (!client) return;
  // The key is a secret: do not leave it in freed memory.
  std::string& key = client->config.api_key;
  for (char& c : key) *static_cast<volatile char*>(&c) = 0;
  delete client;
}

oaimg_status oaimg_client_set_api_key(oaimg_client* client, const char* api_key) {
  return set_text(client, &oaimg::ClientConfig::api_key, api_key);
}

oaimg_status oaimg_client_set_base_url(oaimg_client* client, const char* base_url) {
  if (!client) return null_client();
  return guarded(client, [&] {
    std::string url = base_url ? base_url : "";
    if (url.empty()) url = "https://api.openai.com/v1";
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
      return client->fail(oaimg::Error(
          oaimg::Status::InvalidArgument,
          "base URL '" + url + "' must start with http:// or https://, e.g. https://api.openai.com/v1"));
    while (url.size() > 1 && url.back() == '/') url.pop_back();
    client->config.base_url = url;
    return client->succeed();
  });
}

const char* oaimg_client_base_url(const oaimg_client* client) {
  return client ? client->config.base_url.c_str() : nullptr;
}

oaimg_status oaimg_client_set_organization(oaimg_client* client, const char* organization) {
  return set_text(client, &oaimg::ClientConfig::organization, organization);
}

oaimg_status oaimg_client_set_project(oaimg_client* client, const char* project) {
  return set_text(client, &oaimg::ClientConfig::project, project);
}

oaimg_status oaimg_client_set_default_model(oaimg_client* client, const char* model) {
  return set_text(client, &oaimg::ClientConfig::default_model, model);
}

oaimg_status oaimg_client_set_ca_bundle(oaimg_client* client, const char* path) {
  return set_text(client, &oaimg::ClientConfig::ca_bundle, path);
}

oaimg_status oaimg_client_set_connect_timeout_ms(oaimg_client* client, long milliseconds) {
  if (!client) return null_client();
  return guarded(client, [&] {
    if (milliseconds <= 0)
      return client->fail(oaimg::Error(oaimg::Status::InvalidArgument,
                                       "connect timeout " + std::to_string(milliseconds) +
                                           " ms: must be greater than 0"));
    client->config.connect_timeout_ms = milliseconds;
    return client->succeed();
  });
}

oaimg_status oaimg_client_set_timeout_ms(oaimg_client* client, long milliseconds) {
  if (!client) return null_client();
  return guarded(client, [&] {
    if (milliseconds <= 0)
      return client->fail(oaimg::Error(oaimg::Status::InvalidArgument,
                                       "timeout " + std::to_string(milliseconds) +
                                           " ms: must be greater than 0"));
    client->config.timeout_ms = milliseconds;
    return client->succeed();
  });
}

oaimg_status oaimg_client_set_max_retries(oaimg_client* client, int max_retries) {
  if (!client) return null_client();
  return guarded(client, [&] {
    if (max_retries < 0 || max_retries > 10)
      return client->fail(oaimg::Error(oaimg::Status::InvalidArgument,
                                       "max_retries " + std::to_string(max_retries) +
                                           ": must be between 0 and 10"));
    client->config.max_retries = max_retries;
    return client->succeed();
  });
}

void oaimg_client_set_progress_callback(oaimg_client* client, oaimg_progress_fn callback,
                                        void* user_data) {
  if (!client) return;
  client->progress = callback;
  client->progress_data = user_data;
}

void oaimg_client_set_partial_image_callback(oaimg_client* client, oaimg_partial_image_fn callback,
                                             void* user_data) {
  if (!client) return;
  client->partial = callback;
  client->partial_data = user_data;
}

const char* oaimg_client_error_message(const oaimg_client* client) {
  return client ? client->error.message.c_str() : "no client (NULL handle)";
}

int oaimg_client_error_http_status(const oaimg_client* client) {
  return client ? client->error.http_status : 0;
}

const char* oaimg_client_error_type(const oaimg_client* client) {
  return client ? oaimg_capi::c_str_or_null(client->error.type) : nullptr;
}

const char* oaimg_client_error_code(const oaimg_client* client) {
  return client ? oaimg_capi::c_str_or_null(client->error.code) : nullptr;
}

const char* oaimg_client_error_param(const oaimg_client* client) {
  return client ? oaimg_capi::c_str_or_null(client->error.param) : nullptr;
}

const char* oaimg_client_error_request_id(const oaimg_client* client) {
  return client ? oaimg_capi::c_str_or_null(client->error.request_id) : nullptr;
}

int64_t oaimg_client_error_retry_after_ms(const oaimg_client* client) {
  return client ? client->error.retry_after_ms : -1;
}

void oaimg_client_progress_detail(const oaimg_client* client, int* results_received,
                                  int* results_total, const char** retry_reason, int* retry_attempt,
                                  int64_t* retry_in_ms) {
  oaimg::RunDetail none;
  const oaimg::RunDetail& d = client ? client->detail : none;
  if (results_received) *results_received = d.results_received;
  if (results_total) *results_total = d.results_total;
  if (retry_reason) *retry_reason = d.retry_in_ms >= 0 ? oaimg_capi::c_str_or_null(d.retry_reason) : nullptr;
  if (retry_attempt) *retry_attempt = d.retry_in_ms >= 0 ? d.retry_attempt : 0;
  if (retry_in_ms) *retry_in_ms = d.retry_in_ms;
}

oaimg_status oaimg_client_model_shutdown_warning(oaimg_client* client, const char* model,
                                                 int within_days, char** out_warning) {
  if (!client) return null_client();
  return guarded(client, [&] {
    if (!out_warning)
      return client->fail(oaimg::Error(oaimg::Status::InvalidArgument,
                                       "out_warning is NULL: pass where the warning goes"));
    *out_warning = nullptr;
    std::string name = model && *model ? model
                       : !client->config.default_model.empty()
                           ? client->config.default_model
                           : std::string(oaimg::default_model(client->config.base_url,
                                                              oaimg::Operation::Generate));
    const int64_t now = static_cast<int64_t>(std::time(nullptr));
    const std::string cache_dir = oaimg::default_cache_dir();
    if (!oaimg::model_check_due(cache_dir, name, now)) return client->succeed();
    oaimg::Result<oaimg::ModelInfo> info = oaimg::fetch_model_info(client->config, name, [client] {
      return !client->progress ||
             client->progress(client->progress_data, OAIMG_STAGE_PREPARING, -1.0) == 0;
    });
    // Any answer of the server counts as today's check (an unknown model stays unknown today).
    if (info || info.error().http_status > 0) oaimg::record_model_check(cache_dir, name, now);
    if (!info) return client->fail(info.take_error());
    if (!info.value().shutdown_date) return client->succeed();
    std::string warning = oaimg::shutdown_warning(name, *info.value().shutdown_date, now, within_days);
    if (warning.empty()) return client->succeed();
    char* copy = static_cast<char*>(std::malloc(warning.size() + 1));
    if (!copy) return client->fail(oaimg::Error(oaimg::Status::NoMemory, "out of memory"));
    std::memcpy(copy, warning.c_str(), warning.size() + 1);
    *out_warning = copy;
    return client->succeed();
  });
}

}  // extern "C"
